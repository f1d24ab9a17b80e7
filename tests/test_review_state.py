"""The review state and its SQLite store, without any widget."""

import json
import re
import sqlite3
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dedupe_kit import run
from dedupe_kit.review import DecisionStore, ReviewState, open_state, stored_decisions
from dedupe_kit.review.state import Item, mark
from dedupe_kit.review.store import SCHEMA_VERSION

SAMPLE = "sample_data/contacts.csv"


@pytest.fixture(scope="module")
def result():
    return run(SAMPLE, progress=False)


@pytest.fixture
def store(tmp_path):
    with DecisionStore(tmp_path / "review.sqlite", input_sha256="abc", reviewer="tester") as s:
        yield s


@pytest.fixture
def state(result, store):
    return ReviewState(result, store)


def test_state_never_imports_ipywidgets():
    import subprocess

    code = "import sys, dedupe_kit.review.state, dedupe_kit.review; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_queue_holds_review_pairs_and_groups_most_uncertain_first(result, state):
    queue = state.queue()
    review = result.pairs[result.pairs["status"] == "review"]
    pairs = queue[queue["kind"] == "pair"]
    assert set(pairs["rows"]) == set(zip(review["a"], review["b"]))
    groups = queue[queue["kind"] == "group"]
    sizes = result.crosswalk["cluster_id"].value_counts()
    assert len(groups) == int((sizes >= 3).sum()) > 0
    assert all(len(rows) >= 3 for rows in groups["rows"])
    weights = np.array([abs(state.item(i).weight) for i in queue["item"]])
    assert (np.diff(weights) >= 0).all()
    assert state.current.index == queue["item"].iloc[0]
    assert state.progress() == (0, len(queue))


def test_group_item_covers_the_links_that_join_it(result, state):
    state.set_view(order="group")
    queue = state.queue()
    assert (queue["kind"].iloc[: (queue["kind"] == "group").sum()] == "group").all()
    sizes = [len(r) for r in queue.loc[queue["kind"] == "group", "rows"]]
    assert sizes == sorted(sizes, reverse=True)
    group = state.item(int(queue["item"].iloc[0]))
    linked = {r for pair in group.pairs for r in pair}
    assert linked == set(group.rows) and len(group.pairs) >= len(group.rows) - 1
    cluster = result.crosswalk.set_index("source_row")["cluster_id"]
    assert cluster[list(group.rows)].nunique() == 1


def test_order_by_score_and_filters(state):
    state.set_view(order="score")
    probs = state.queue()["probability"].to_numpy()
    assert (np.diff(probs) <= 0).all()
    state.set_view(reasons=["name only"])
    assert len(state) > 0
    items = [state.item(i) for i in state.queue()["item"]]
    assert all("name only" in item.reasons for item in items)
    assert all(item.reasons == ("name only",) for item in items if item.kind == "pair")
    state.set_view(reasons=["same phone"], score_range=(0.5, 0.6))
    queue = state.queue()
    assert len(queue) > 0 and queue["probability"].between(0.5, 0.6).all()
    assert all("same phone" in r for r in queue["reasons"])
    state.set_view(reasons=None, score_range=(0.0, 1.0))
    with pytest.raises(ValueError, match="unknown reason 'same fax'"):
        state.set_view(reasons=["same fax"])


def test_decide_undo_back_and_notes(state, store):
    first = state.current
    second = state.match(note="same woman, new phone")
    assert second is not None and second.index != first.index
    assert state.decision_of(first) == "match" and state.note_of(first) == "same woman, new phone"
    third = state.distinct()
    state.skip()
    assert state.counts() == {"match": 1, "distinct": 1, "skip": 1}
    assert state.progress()[0] == 3
    assert state.progress_text().startswith("3 of ")

    # undo retracts the latest decision and shows its item again
    assert state.undo() == third and state.decision_of(third) == ""
    assert state.undo() == second and state.decision_of(second) == ""
    assert state.current == second and state.progress()[0] == 1
    assert list(store.decisions()["decision"]) == ["match"]

    # back shows the previous item, keeping its decision; deciding again replaces it
    assert state.back() == first and state.decision_of(first) == "match"
    assert state.distinct(note="no: twins") == second
    assert state.decision_of(first) == "distinct" and state.note_of(first) == "no: twins"
    assert len(store.decisions()) == 1
    events = store.events()
    assert events["kind"].tolist() == ["decide", "decide", "decide", "undo", "undo", "decide"]
    assert set(events["reviewer"]) == {"tester"}
    state.undo()
    assert state.decision_of(first) == "match"  # the earlier decision stands again
    state.undo()
    assert not state.can_undo and state.undo() is None and store.decisions().empty


def test_match_stores_survivor_and_winning_fields(state, store):
    item = state.current
    conflicts = state.conflicts(item)
    assert "First Name" in conflicts and "Contact ID" not in conflicts
    loser = item.rows[1]
    state.match(survivor_row=item.rows[0], fields={"First Name": loser})
    row = store.decisions().iloc[0]
    assert (row["a"], row["b"]) == item.rows
    assert row["survivor_row"] == item.rows[0] and row["fields"] == {"First Name": loser}
    assert row["field_values"] == {"First Name": state.result.contacts.frame.at[loser, "First Name"]}  # as seen
    assert str(store.decisions()["survivor_row"].dtype) == "Int64"
    with pytest.raises(ValueError, match="not one of the records"):
        state.match(survivor_row=99999)
    with pytest.raises(ValueError, match="no column 'Nope'"):
        state.match(fields={"Nope": state.current.rows[0]})
    state.distinct()
    last = store.decisions().iloc[-1]
    assert pd.isna(last["survivor_row"]) and last["fields"] == {}


def test_group_decision_is_one_batch(state, store):
    state.set_view(order="group")
    group = state.current
    assert group.kind == "group"
    state.match()
    decided = store.decisions()
    assert set(zip(decided["a"], decided["b"])) == set(group.pairs)
    assert decided["batch"].nunique() == 1
    assert decided["survivor_row"].isna().all()  # none chosen: the merge's survivor rule decides
    state.undo()
    assert store.decisions().empty and state.current == group


def test_fields_marks_and_normalized_values(result, state):
    item = state.current
    frame = state.fields(item).set_index("column")
    assert set(frame["mark"]) <= {"same", "similar", "different", "missing"}
    a, b = item.rows
    raw = result.contacts.frame
    assert frame.loc["Home Phone", f"raw {a}"] == raw.loc[a, "Home Phone"]
    # the phone typed two ways is the same number once normalized
    phones = frame.loc[frame["role"] == "phones"]
    same = phones[phones["mark"] == "same"]
    assert len(same) and (same[f"normalized {a}"] == same[f"normalized {b}"]).all()
    assert same[f"normalized {a}"].str.startswith("+").all()
    assert state.reasons_text(item)
    assert frame.index[:2].tolist() == ["Contact ID", "First Name"]


@pytest.mark.parametrize("role, values, expected", [
    ("created", ["2021-07-18", "2017-03-14"], "different"),  # Jaro-Winkler alone calls these similar
    ("created", ["2021-07-18", "07/18/2021"], "same"),
    ("created", ["2021-07-18 10:22", "07/18/2021 10:22:00 AM"], "same"),  # the same moment, written two ways
    ("updated", ["2021-07-18 10:22", "2021-07-18 16:05"], "different"),
    ("birth_date", ["1990-03-04", "1990-04-03"], "similar"),  # day and month swapped
    ("birth_date", ["1990-03-04", "1985-07-12"], "different"),
    ("birth_date", ["1900-01-01", "01/01/1900"], "missing"),  # what a system writes for no date, as matching reads it
    ("updated", ["0000-00-00 00:00:00", "2021-07-18"], "missing"),
    ("external_ids", ["S62219", "S62291"], "different"),  # another ID, however alike
    ("first_name", ["Jon", "John"], "similar"),
    ("first_name", ["Robert", "Bob"], "similar"),  # a nickname, as the reasons say
    ("first_name", ["Robert", "Mary"], "different"),
    ("company", ["N/A", "Acme"], "missing"),  # a placeholder, as matching reads it
    ("last_name", ["None", "Smith"], "different"),  # a surname
])
def test_marks_read_dates_as_dates_and_ids_whole(role, values, expected):
    assert mark(values, ["", ""], role) == expected


def test_no_winner_is_asked_for_the_dates_a_crm_sets(state):
    # the creation and update dates stay the survivor's (an import cannot change them): no choice
    differing = []
    for index in state.queue()["item"]:
        item = state.item(index)
        marks = state.fields(item).set_index("column")["mark"]
        if marks["Created Date"] == "different":
            differing.append(index)
            assert "Created Date" not in state.conflicts(item) and "Last Modified" not in state.conflicts(item)
    assert differing
    state.goto(differing[0])
    row = state.current.rows[1]
    for column in ("Contact ID", "Created Date"):
        with pytest.raises(ValueError, match=f"'{column}' always keeps the survivor's value"):
            state.match(fields={column: row})


def test_without_a_record_id_no_winner_is_asked_for_the_first_email_which_keys_the_fix_files(tmp_path, store):
    source = tmp_path / "audience.csv"  # a Mailchimp audience: the fix files find a contact by its email
    source.write_text("Email,First Name,Last Name,Mobile Phone,City\n"
                      "carla.diaz@acme.example,Carla,Diaz,617-555-0103,Cambridge\n"
                      "carla.diaz@yahoo.com,Carla,Diaz,617-555-0199,Cambridge\n"
                      "dan.wu@acme.example,Dan,Wu,617-555-0104,Quincy\n", encoding="utf-8")
    state = ReviewState(run(source, progress=False), store)
    item = state.current
    assert item.rows == (0, 1) and state.fields(item).set_index("column").loc["Email", "mark"] == "different"
    assert "Email" not in state.conflicts(item) and "Mobile Phone" in state.conflicts(item)
    with pytest.raises(ValueError, match="'Email' always keeps the survivor's value .* choose the survivor instead"):
        state.match(fields={"Email": 1})
    assert store.decisions().empty


def test_a_record_id_or_date_chosen_outside_the_review_page_is_ignored_by_the_merge(result):
    frame = result.contacts.frame
    pairs = result.pairs[result.pairs["status"] == "auto"]
    a, b = next((a, b) for a, b in zip(pairs["a"], pairs["b"])
                if frame.loc[a, "Created Date"] != frame.loc[b, "Created Date"])
    survivor, other = a, b
    decided = pd.DataFrame({"a": [a], "b": [b], "decision": ["match"], "survivor_row": [survivor],
                            "fields": [{"Contact ID": other, "Created Date": other, "City": other}]})
    with pytest.warns(UserWarning, match="'Contact ID', 'Created Date' is ignored"):
        cleaned = run(SAMPLE, decisions=decided, progress=False).merge().cleaned()
    assert cleaned.loc[survivor, "City"] == frame.loc[other, "City"]
    assert cleaned.loc[survivor, "Contact ID"] == frame.loc[survivor, "Contact ID"]
    assert cleaned.loc[survivor, "Created Date"] == frame.loc[survivor, "Created Date"]


def test_fields_read_slashed_dates_in_their_columns_order(tmp_path, store):
    path = tmp_path / "fr.csv"  # 25/12 says the column writes the day first: 03/04/2021 is 3 April
    path.write_text("Contact ID,First Name,Last Name,Email,Created Date\n"
                    "1,Ann,Lee,ann@x.com,03/04/2021\n2,Ann,Lee,ann@x.com,2021-04-03\n3,Bo,Ray,bo@y.com,25/12/2020\n")
    state = ReviewState(run(path, progress=False), store)
    item = Item(index=0, kind="pair", rows=(0, 1), pairs=((0, 1),), probability=0.9, weight=3.0, reasons=())
    assert state.fields(item).set_index("column").loc["Created Date", "mark"] == "same"


def test_done_queue_refuses_decisions(state):
    p = state.current.probability
    state.set_view(score_range=(p - 0.01, p + 0.01))
    n = len(state)
    assert 0 < n < 10
    for _ in range(n):
        state.skip()
    assert state.done and state.current is None
    with pytest.raises(RuntimeError, match="queue is done"):
        state.match()


def test_reopening_resumes_where_the_last_person_stopped(result, tmp_path):
    path = tmp_path / "review.sqlite"
    with DecisionStore(path) as store:
        state = ReviewState(result, store)
        decided = [state.current.index]
        state.match()
        decided.append(state.current.index)
        state.distinct()
        next_up = state.current
    with DecisionStore(path) as store:
        again = ReviewState(result, store)
        assert again.current == next_up
        assert [again.decision_of(i) for i in decided] == ["match", "distinct"]
        assert again.progress()[0] == 2


def test_a_second_connection_sees_each_decision_once_committed(result, tmp_path):
    path = tmp_path / "review.sqlite"
    with DecisionStore(path) as store:
        state = ReviewState(result, store)
        item = state.current
        state.match()
        # another process reading while the reviewer keeps going (no close, no flush)
        other = sqlite3.connect(path)
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = other.execute("SELECT a, b, decision FROM events").fetchall()
        assert rows == [(*item.rows, "match")]
        assert other.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        other.close()


def test_a_store_of_another_schema_version_is_refused(tmp_path):
    path = tmp_path / "review.sqlite"
    DecisionStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    from dedupe_kit.errors import InputError

    with pytest.raises(InputError, match="schema version 99"):
        DecisionStore(path)


def test_csv_round_trip(state, store, tmp_path):
    item = state.current
    state.match(note='says "hi", twice', survivor_row=item.rows[1], fields={"Email": item.rows[0]})
    state.distinct(note='=HYPERLINK("http://x.example","click")')
    path = store.export_csv(tmp_path / "decisions.csv")
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert text.columns.tolist() == ["a", "b", "record_id_a", "record_id_b", "decision", "note", "survivor_row",
                                     "fields", "field_values", "reviewer", "decided_at"]
    assert json.loads(text["fields"].iloc[0]) == {"Email": item.rows[0]}
    assert json.loads(text["field_values"].iloc[0]) == {"Email": state.result.contacts.frame.at[item.rows[0], "Email"]}
    assert text["note"].iloc[1] == '\'=HYPERLINK("http://x.example","click")'  # shown as text, not run
    with DecisionStore(tmp_path / "other.sqlite") as other:
        assert other.import_csv(path) == 2
        cols = ["a", "b", "record_id_a", "record_id_b", "decision", "note", "survivor_row", "fields", "field_values",
                "reviewer", "decided_at"]
        pd.testing.assert_frame_equal(other.decisions()[cols], store.decisions()[cols])
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,decision\n1,2,maybe\n")
    from dedupe_kit.errors import InputError

    with pytest.raises(InputError, match="line 2, column 'decision': 'maybe'"):
        store.import_csv(bad)


def test_decisions_already_in_the_store_are_not_imported_again(result, tmp_path):
    from dedupe_kit.review.store import input_of

    with DecisionStore(tmp_path / "review.sqlite", **input_of(result.contacts)) as store:
        state = ReviewState(result, store)
        first = state.current
        state.match(note="same", survivor_row=first.rows[1], fields={"Email": first.rows[0]})
        second = state.current
        state.distinct()
        path = store.export_csv(tmp_path / "decisions.csv")
        with pytest.warns(UserWarning, match=r"decisions.csv: 2 of its 2 decision\(s\) are in the store already"):
            assert store.import_csv(path) == 0
        assert len(store.events()) == 2
        assert store.undo() is not None  # takes the latest back, as it would have without the import
        assert store.decisions()[["a", "b"]].values.tolist() == [list(first.rows)]
        with pytest.warns(UserWarning, match="1 of its 2 decision"):
            assert store.import_csv(path) == 1  # the decision taken back is imported again, the other is there
        assert ReviewState(result, store).decision_of(second) == "distinct"
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)  # a colleague's export, in reverse order
    reordered = tmp_path / "reversed.csv"
    frame.iloc[::-1].to_csv(reordered, index=False)
    from dedupe_kit.load import load

    with DecisionStore(tmp_path / "colleague.sqlite", **input_of(load(reordered))) as other:
        assert other.import_csv(path) == 2
        with pytest.warns(UserWarning, match="2 of its 2 decision"):
            assert other.import_csv(path) == 0  # the same file twice: found by record ID
        assert len(other.events()) == 2


def test_the_latest_decision_on_a_pair_stands_whatever_the_order_of_the_lines_or_of_the_imports(result, tmp_path):
    from dedupe_kit.review.store import input_of

    ids = result.contacts.frame["Contact ID"]
    header = "a,b,record_id_a,record_id_b,decision,note,survivor_row,fields,reviewer,decided_at\n"

    def line(a, b, decision, reviewer, at):
        return f"{a},{b},{ids[a]},{ids[b]},{decision},,,,{reviewer},{at}\n"

    shared = tmp_path / "shared.csv"  # two reviewers' decisions, sorted by reviewer: Ann's match is the later
    shared.write_text(header + line(1, 49, "match", "ann", "2024-05-02T10:00:00.000+00:00")
                      + line(1, 49, "distinct", "bob", "2024-05-01T10:00:00.000+00:00")
                      + line(2, 3, "match", "ann", "2024-05-01T09:00:00.000+00:00")
                      + line(2, 3, "skip", "bob", "2024-05-03T09:00:00.000+00:00"))  # not sure: decides nothing
    with DecisionStore(tmp_path / "review.sqlite", **input_of(result.contacts)) as store:
        with pytest.warns(UserWarning) as said:
            assert store.import_csv(shared) == 3
        assert [str(w.message) for w in said] == [
            f"{shared}: 1 pair(s) of records are both a match and not a match in it; the latest decision on each (by "
            "decided_at, else the last line) stands",
            f"{shared}: 1 of its decision(s) are older than the match or not a match standing on the same records in "
            "the store (or are skips, which decide nothing); they are not imported: the later decision stands"]
        assert store.decisions()[["a", "b", "decision", "reviewer"]].values.tolist() == [
            [2, 3, "match", "ann"], [1, 49, "match", "ann"]]
        store.decide((1, 49), "distinct", record_ids={1: ids[1], 49: ids[49]}, reviewer="carol")  # decided now
        older = tmp_path / "older.csv"  # an export of last year's store, imported after
        older.write_text(header + line(1, 49, "match", "dave", "2023-01-01T10:00:00.000+00:00"))
        with pytest.warns(UserWarning, match=r"1 of its decision\(s\) are older than the match or not a match"):
            assert store.import_csv(older) == 0
        assert store.decisions().set_index(["a", "b"]).loc[(1, 49), ["decision", "reviewer"]].tolist() == [
            "distinct", "carol"]


def test_a_value_picked_is_applied_while_its_record_holds_it_and_always_from_a_file_exported_before(result,
                                                                                                  tmp_path):
    from dedupe_kit.merge import merge
    from dedupe_kit.review.store import input_of

    groups = np.arange(len(result.contacts))
    groups[3] = 2  # C000003 (Rouen) and C000004 (Bristol), one person, C000004's city picked in review
    header = "a,b,record_id_a,record_id_b,decision,note,survivor_row,fields,reviewer,decided_at"
    line = '2,3,C000003,C000004,match,,2,"{""City"": 3}",ann,2024-05-01T10:00:00.000+00:00'
    for name, values, picked in [("before.csv", None, "Bristol"),  # a file of a dedupe_kit that did not store it
                                 ("now.csv", '"{""City"": ""Bristol""}"', "Bristol"),
                                 ("edited.csv", '"{""City"": ""Bath""}"', None)]:  # Bath then, edited in the CRM since
        path = tmp_path / name
        path.write_text(f"{header},field_values\n{line},{values}\n" if values else f"{header}\n{line}\n")
        with DecisionStore(tmp_path / f"{name}.sqlite", **input_of(result.contacts)) as store:
            assert store.import_csv(path) == 1
            decisions = store.decisions()
        assert decisions["field_values"].tolist() == [{"City": picked or "Bath"} if values else {}]
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            plan = merge(result.contacts, groups, decisions=decisions, normalized=result.normalized)
        city = plan.values.set_index(["group", "column"]).loc[(2, "City")]
        assert (city["after"], city["rule"]) == (("Bristol", "chosen in review") if picked else ("Rouen", "fill"))
        assert [str(w.message) for w in said if "chosen in review" in str(w.message)] == ([] if picked else [
            "merge: a value chosen in review for 'City' of C000004 is ignored: the record no longer holds the value "
            "picked (edited in the CRM since the review?); the merge's rules decide it, review the records again to "
            "choose"])


def test_a_decision_on_a_record_gone_from_the_input_is_not_imported_again(result, tmp_path):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    with DecisionStore(tmp_path / "review.sqlite", **input_of(result.contacts)) as store:
        state = ReviewState(result, store)
        a, b = state.current.rows
        state.match(note="same person", survivor_row=b, fields={"Last Name": a})
        path = store.export_csv(tmp_path / "decisions.csv")
    newer = tmp_path / "newer.csv"  # a newer export, without the record merged away in the CRM
    result.contacts.frame.drop(index=a).to_csv(newer, index=False)
    with DecisionStore(tmp_path / "newer.sqlite", **input_of(load(newer))) as other:
        assert other.import_csv(path) == 1  # kept for a version of the file that has both records
        with pytest.warns(UserWarning, match=r"1 of its 1 decision\(s\) are in the store already"):
            assert other.import_csv(path) == 0
        assert len(other.events()) == 1


def test_a_decision_imported_without_record_ids_stays_with_the_records_of_its_rows(result, tmp_path):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    hand = tmp_path / "hand.csv"
    hand.write_text("a,b,decision\n0,1,distinct\n")  # rows of this input, typed by hand
    with DecisionStore(tmp_path / "review.sqlite", **input_of(result.contacts)) as store:
        assert store.import_csv(hand) == 1
        assert store.decisions()[["a", "b", "record_id_a", "record_id_b"]].values.tolist() == [
            [0, 1, "C000001", "C000002"]]
    reversed_ = tmp_path / "reversed.csv"
    result.contacts.frame.iloc[::-1].to_csv(reversed_, index=False)  # a newer export, in another order
    last = len(result.contacts) - 1
    reused = stored_decisions(tmp_path, load(reversed_))
    assert reused[["a", "b", "decision"]].values.tolist() == [[last - 1, last, "distinct"]]  # not rows 0 and 1


def test_a_decisions_csv_without_decisions_says_so(store, tmp_path):
    from dedupe_kit.errors import InputError

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=re.escape(f"{empty}: the file is empty: it holds no decisions")):
        store.import_csv(empty)
    header = store.export_csv(tmp_path / "none.csv")  # a store without decisions: the header row alone
    with pytest.warns(UserWarning, match=re.escape(f"{header}: holds no decisions, only its header row")):
        assert store.import_csv(header) == 0
    assert store.events().empty


@pytest.mark.parametrize("line, error", [
    ("4,x,match,,", "line 3, column 'b': 'x' is not a row of the input (it has 400"),
    ("4,400,match,,", "line 3, column 'b': '400' is not a row of the input (it has 400: 0 to 399)"),
    ("4,4,match,,", "line 3: a and b are both row 4; a decision is on two records"),
    ("4,5,match,abc,", "line 3, column 'survivor_row': 'abc' is not a row of the input"),
    ("4,5,match,,{Email: 4}", "line 3, column 'fields': '{Email: 4}' is not the winning row of each column"),
])
def test_a_bad_cell_of_a_decisions_csv_is_named_and_nothing_is_imported(result, tmp_path, line, error):
    from dedupe_kit.errors import InputError
    from dedupe_kit.run import record_ids

    path = tmp_path / "by_hand.csv"
    path.write_text(f"a,b,decision,survivor_row,fields\n1,2,distinct,,\n{line}\n", encoding="utf-8")
    with DecisionStore(tmp_path / "review.sqlite", input_sha256="abc", record_ids=record_ids(result.contacts)) as store:
        with pytest.raises(InputError, match=re.escape(f"{path}, {error}")):
            store.import_csv(path)
        assert store.events().empty  # not the good line before it either


@pytest.mark.parametrize("text, error", [
    ('a,b,decision,note\n1,2,distinct,"two\nlines"\n\n4,5,maybe,\n', ", line 5, column 'decision': 'maybe'"),
    ("a,b,decision\n1,2,distinct\n4,5,match,extra\n", ": 1 row(s) do not have the header's 3 fields (delimiter ','):\n"
                                                       "  line 3 (row 1) has 4 fields"),
    ('a,b,decision,note\n1,2,distinct,"oops\n4,5,match,\n', ": line 2 (row 0): a quoted cell opens there and is never "
                                                            "closed"),
    ("a,b,decision,note\n1,2,distinct,call\x00back\n", ": line 2 (row 0), column 'note': holds a NUL character"),
    ("a,b,decision,decision\n1,2,distinct,match\n", ": line 1 (header): columns 3 and 4 are both named 'decision'"),
])
def test_a_decisions_csv_that_is_no_table_of_its_header_is_named_by_the_line_in_the_file(tmp_path, text, error):
    from dedupe_kit.errors import InputError

    path = tmp_path / "by_hand.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with DecisionStore(tmp_path / "review.sqlite") as store:
        with pytest.raises(InputError, match=re.escape(f"{path}{error}")):
            store.import_csv(path)
        assert store.events().empty


def test_a_decision_on_a_row_the_input_does_not_have_stops_the_run_with_a_message():
    from dedupe_kit.errors import InputError

    decisions = pd.DataFrame({"a": [1], "b": [5000], "decision": ["match"]})  # a CSV by hand, imported elsewhere
    with pytest.raises(InputError, match="the pair of rows 1 and 5000 is not in the input, which has 400 rows"):
        run(SAMPLE, decisions=decisions, progress=False)


def test_decisions_made_later_within_one_millisecond_get_times_of_their_own(state, store, monkeypatch):
    import datetime as dt

    from dedupe_kit.review import store as store_module

    ticks = iter([500, 900])  # microseconds: the second decision later than the first, in the same millisecond

    class Ticking(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 3, 2, 9, 30, 0, next(ticks), tzinfo=dt.timezone.utc)

    monkeypatch.setattr(store_module.dt, "datetime", Ticking)
    state.distinct()
    state.distinct()
    assert store.decisions()["decided_at"].str[11:23].tolist() == ["09:30:00.000", "09:30:00.001"]


def test_decisions_made_in_one_millisecond_stay_apart_through_a_csv(state, store, tmp_path, monkeypatch):
    import datetime as dt

    from dedupe_kit.review import store as store_module

    class Frozen(dt.datetime):  # a fast script, or a clock that ticks every 15 ms: one time for all
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)

    monkeypatch.setattr(store_module.dt, "datetime", Frozen)
    items = [state.current]
    state.distinct()
    items.append(state.current)
    state.distinct()
    times = store.decisions()["decided_at"].tolist()
    assert len(set(times)) == 2 and times == sorted(times)
    path = store.export_csv(tmp_path / "decisions.csv")
    with DecisionStore(tmp_path / "other.sqlite", input_sha256="abc", reviewer="colleague") as other:
        assert other.import_csv(path) == 2
        again = ReviewState(state.result, other)
        assert [again.item_of(item.rows).rows for item in items] == [item.rows for item in items]
        assert again.progress()[0] == 2
        other.undo()  # one decision, not both
        assert other.decisions()[["a", "b"]].values.tolist() == [list(items[0].rows)]


def test_a_decisions_csv_saved_again_by_a_spreadsheet_in_its_own_encoding_is_imported(state, store, tmp_path):
    state.match(note="Zoë Faké said yes, née Testova")
    path = store.export_csv(tmp_path / "decisions.csv")
    saved = tmp_path / "saved_by_excel.csv"  # Excel's "CSV (Comma delimited)" on Windows: cp1252
    saved.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    with DecisionStore(tmp_path / "other.sqlite") as other:
        assert other.import_csv(saved) == 1
        assert other.decisions()["note"].tolist() == ["Zoë Faké said yes, née Testova"]


def test_decisions_feed_run_a_match_joins_and_distinct_keeps_apart(result, state, store):
    cluster = result.crosswalk["cluster_id"].to_numpy()
    state.set_view(reasons=["same phone"])
    joined = state.current
    assert cluster[joined.rows[0]] != cluster[joined.rows[1]]
    state.match()
    state.set_view(order="group")
    group = state.current
    state.distinct()
    decisions = state.decisions()
    assert {"a", "b", "decision", "survivor_row", "fields", "note"} <= set(decisions.columns)
    again = run(SAMPLE, decisions=decisions, progress=False)
    after = again.crosswalk["cluster_id"].to_numpy()
    assert after[joined.rows[0]] == after[joined.rows[1]]
    for a, b in group.pairs:
        assert after[a] != after[b]
    reviewed = again.pairs[again.pairs["status"] == "reviewed"]
    assert len(reviewed) == len(decisions)


def test_decisions_of_another_version_of_the_file_are_not_applied_to_the_people_now_on_their_rows(result, state,
                                                                                                   tmp_path):
    from dedupe_kit.errors import InputError

    a, b = state.current.rows
    state.match()
    reordered = tmp_path / "reversed.csv"  # a new export: the same contacts in reverse order
    result.contacts.frame.iloc[::-1].to_csv(reordered, index=False)
    ids = result.contacts.frame["Contact ID"]
    with pytest.raises(InputError, match=f"not '{ids[a]}' and '{ids[b]}' that the decision was made on"):
        run(reordered, decisions=state.decisions(), progress=False)
    # on the same file they stand, and a decision without record IDs is one of this input's rows
    assert run(SAMPLE, decisions=state.decisions(), progress=False).pairs["status"].eq("reviewed").sum() == 1
    hand = pd.DataFrame({"a": [a], "b": [b], "decision": ["match"], "record_id_a": [None], "record_id_b": [""]})
    assert run(reordered, decisions=hand, progress=False).pairs["status"].eq("reviewed").sum() == 1


def _run_folder(tmp_path, source=SAMPLE):
    out = tmp_path / "out"
    run(source, progress=False).write(out)
    return out


def test_open_state_reuses_stored_decisions_after_a_re_run(tmp_path):
    out = _run_folder(tmp_path)
    state = open_state(out, reviewer="a")
    first = state.current
    state.distinct(note="household")
    state.store.close()
    again = open_state(out, reviewer="b")
    reviewed = again.result.pairs.set_index(["a", "b"]).loc[first.rows]
    assert reviewed["status"] == "reviewed" and reviewed["decision"] == "distinct"
    item = again.item_of(first.rows)
    assert again.decision_of(item) == "distinct" and again.note_of(item) == "household"
    assert again.progress()[0] == 1 and again.current != item
    from dedupe_kit.load import load

    reused = stored_decisions(out, load(SAMPLE))
    assert list(zip(reused["a"], reused["b"], reused["decision"])) == [(*first.rows, "distinct")]
    again.store.close()


def test_decisions_follow_record_ids_when_the_file_changes(result, tmp_path):
    with DecisionStore(tmp_path / "review.sqlite") as store:
        state = ReviewState(result, store)
        item = state.current
        state.match(survivor_row=item.rows[1], fields={"Email": item.rows[0]})
    # a new export: the same contacts in reverse order
    frame = result.contacts.frame.iloc[::-1]
    moved = tmp_path / "reversed.csv"
    frame.to_csv(moved, index=False)
    from dedupe_kit.load import load

    contacts = load(moved)
    reused = stored_decisions(tmp_path, contacts)
    n = len(frame)
    new_a, new_b = sorted(n - 1 - r for r in item.rows)
    row = reused.iloc[0]
    assert (row["a"], row["b"]) == (new_a, new_b)
    assert row["survivor_row"] == n - 1 - item.rows[1]
    assert row["fields"] == {"Email": n - 1 - item.rows[0]}
    ids = contacts.frame["Contact ID"]
    assert {ids[new_a], ids[new_b]} == {result.contacts.frame.loc[r, "Contact ID"] for r in item.rows}


def test_a_decision_read_on_a_reordered_export_keeps_each_record_id_with_its_row(result, tmp_path):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    ids = result.contacts.frame["Contact ID"]
    with DecisionStore(tmp_path / "review.sqlite") as store:
        state = ReviewState(result, store)
        a, b = state.current.rows
        state.match(survivor_row=a, fields={"Last Name": b})
    reordered = tmp_path / "reversed.csv"  # a new export: the same contacts in reverse order
    result.contacts.frame.iloc[::-1].to_csv(reordered, index=False)
    contacts = load(reordered)
    new_ids = contacts.frame["Contact ID"]
    with DecisionStore(tmp_path / "review.sqlite", **input_of(contacts)) as store, \
            pytest.warns(UserWarning, match="reused by record ID"):
        row = store.decisions().iloc[0]
        path = store.export_csv(tmp_path / "decisions.csv")
    assert (row["record_id_a"], row["record_id_b"]) == (new_ids[row["a"]], new_ids[row["b"]])
    # a colleague imports the CSV on that export: the survivor and the winning value stay with their people (its
    # records on the rows it names: no warning of another version)
    with DecisionStore(tmp_path / "colleague.sqlite", **input_of(contacts)) as other:
        other.import_csv(path)
        row = other.decisions().iloc[0]
    assert new_ids[row["survivor_row"]] == ids[a] and new_ids[row["fields"]["Last Name"]] == ids[b]


def test_an_imported_group_decision_keeps_its_survivor_and_winning_values_on_every_pair(result, tmp_path):
    from dedupe_kit.review.store import input_of

    this_input = input_of(result.contacts)
    with DecisionStore(tmp_path / "review.sqlite", **this_input) as store:
        state = ReviewState(result, store, order="group")
        group = state.current
        survivor, other = group.rows[0], group.rows[-1]
        state.match(survivor_row=survivor, fields={"Last Name": other}, note="one person")
        path = store.export_csv(tmp_path / "decisions.csv")
        mine = store.decisions()
    assert any(survivor not in pair for pair in group.pairs)
    with DecisionStore(tmp_path / "colleague.sqlite", **this_input) as colleague:
        colleague.import_csv(path)
        theirs = colleague.decisions()
    columns = ["a", "b", "decision", "survivor_row", "fields", "note"]
    pd.testing.assert_frame_equal(theirs[columns], mine[columns])
    assert theirs["batch"].nunique() == 1  # one action, undone at once


def test_a_decision_on_a_row_without_a_record_id_is_not_reused_for_another_such_row(tmp_path):
    source = tmp_path / "contacts.csv"
    header = "Contact ID,First Name,Last Name,Email,Mobile Phone,City\n"
    source.write_text(header + "C1,Alice,Carter,alice.carter@mail.example,+16175550101,Boston\n"
                      "C2,Bruno,Dalton,bruno@mail.example,+12125550201,NYC\n"
                      ",Alice,Carter,acarter@work.example,+16175550199,Boston\n"
                      "C4,Hugo,Ingram,hugo@mail.example,+13125550401,Chicago\n")
    out = _run_folder(tmp_path, source)
    state = open_state(out, reviewer="a")
    assert state.current.rows == (0, 2)
    state.match()
    state.store.close()
    # the next export: the Alice row has its ID now, and a new contact has none yet
    source.write_text(header + "C1,Alice,Carter,alice.carter@mail.example,+16175550101,Boston\n"
                      "C2,Bruno,Dalton,bruno@mail.example,+12125550201,NYC\n"
                      "C3,Alice,Carter,acarter@work.example,+16175550199,Boston\n"
                      "C4,Hugo,Ingram,hugo@mail.example,+13125550401,Chicago\n"
                      ",Zack,Young,zack@mail.example,+14155550999,Denver\n")
    decided = stored_decisions(out, run(source, progress=False).contacts)
    assert decided.empty  # not Alice ~ Zack
    assert re.search("0 decision.*1 are not: a record they name is gone, or its record ID is blank",
                     *decided.attrs["warnings"])  # for the run's summary


def test_a_decision_on_another_export_stays_with_its_records_not_its_rows(tmp_path):
    source = tmp_path / "contacts.csv"
    source.write_bytes(Path(SAMPLE).read_bytes())
    out = _run_folder(tmp_path, source)
    state = open_state(out, reviewer="a")
    first = state.current
    state.distinct(note="twins")
    state.store.close()
    # a new export of the CRM: two new contacts on top, every row two lower
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    source.write_text(lines[0] + "N1,Zed,Quill,zq@example.com" + "," * 12 + "\n"  # namesakes: for a person
                      + "N2,Zed,Quill,zq2@example.com" + "," * 12 + "\n" + "".join(lines[1:]), encoding="utf-8")
    with pytest.warns(UserWarning, match="decisions are matched by record ID"):
        again = open_state(out, reviewer="b")
    moved = tuple(r + 2 for r in first.rows)
    assert again.decision_of(again.item_of(moved)) == "distinct" and again.note_of(again.item_of(moved)) == "twins"
    new = again.item_of((0, 1))
    assert again.decision_of(new) == ""  # the rows the decision had on the old file are other people now
    again.goto(new.index)
    again.match()
    decided = again.decisions().set_index(["a", "b"])["decision"]
    assert decided.to_dict() == {moved: "distinct", (0, 1): "match"}
    again.store.close()
    with pytest.warns(UserWarning):
        third = open_state(out, reviewer="c")
    pairs = third.result.pairs.set_index(["a", "b"])
    assert pairs.loc[moved, "decision"] == "distinct" and pairs.loc[(0, 1), "decision"] == "match"
    cluster = third.result.crosswalk["cluster_id"].to_numpy()
    assert cluster[moved[0]] != cluster[moved[1]] and cluster[0] == cluster[1]
    third.store.close()


def test_a_review_open_while_the_folder_is_run_again_on_another_input_without_record_ids_saves_nothing(tmp_path):
    from dedupe_kit.errors import InputError
    from dedupe_kit.load import load

    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).drop(columns=["Contact ID"])
    source = tmp_path / "noid.csv"
    frame.to_csv(source, index=False)
    out = _run_folder(tmp_path, source)
    state = open_state(out, reviewer="a")
    state.distinct()
    run(source, progress=False).write(out)  # run again on the same input: the review goes on
    state.distinct()
    frame.iloc[::-1].to_csv(source, index=False)  # the next export, in another order, without record IDs
    run(source, progress=False).write(out)
    events = state.store.last_event()
    for act in (state.match, state.undo):
        with pytest.raises(InputError, match=f"{re.escape(str(out.resolve()))} was run again on another input since "
                           "this review opened; .* no record-ID column .* the next run would not reuse a decision "
                           "made here: nothing more is saved or undone here; reopen the review"):
            act()
    assert state.store.last_event() == events  # nothing written, to be lost in the next run
    with pytest.warns(UserWarning, match=r"2 decision\(s\) were made on another input"):  # before the run, as said
        again = open_state(out, reviewer="a")  # reopened: on the new input
    again.match()
    assert len(stored_decisions(out, load(source))) == 1
    for review in (state, again):
        review.store.close()


def test_a_review_open_while_the_folder_is_run_again_goes_on_by_record_id_but_not_on_a_row_without_one(tmp_path):
    from dedupe_kit.errors import InputError
    from dedupe_kit.load import load

    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    first = run(SAMPLE, progress=False)
    review = first.pairs[first.pairs["status"] == "review"]
    blank = (int(review["a"].iloc[0]), int(review["b"].iloc[0]))
    frame.loc[blank[0], "Contact ID"] = ""  # its decision could not be found by record ID in another version
    source = tmp_path / "contacts.csv"
    frame.to_csv(source, index=False)
    out = _run_folder(tmp_path, source)
    state = open_state(out, reviewer="a")
    frame.iloc[::-1].to_csv(source, index=False)  # the next export, in another order
    run(source, progress=False).write(out)
    decided = [state.current.rows]
    state.match()  # found by record ID in the new input's rows: not lost
    state.goto(state.item_of(blank).index)
    events = state.store.last_event()
    with pytest.raises(InputError, match=f"{blank[0]} have a blank record ID or one on several rows: a decision on "
                       "them would be lost; reopen the review"):
        state.distinct()
    assert state.store.last_event() == events
    state.goto(next(i for i in state.queue()["item"] if all(state.record_id(r) for r in state.item(i).rows)
                    and state.decision_of(i) == ""))
    decided.append(state.current.rows)
    state.distinct()
    state.undo()
    state.distinct()
    state.store.close()
    last = len(frame) - 1
    reused = stored_decisions(out, load(source))
    assert sorted(zip(reused["a"], reused["b"], reused["decision"])) == sorted(
        [(last - b, last - a, what) for (a, b), what in zip(decided, ("match", "distinct"))])


def test_a_review_open_while_the_folder_is_run_again_imports_decisions_by_record_id_only(tmp_path):
    from dedupe_kit.errors import InputError
    from dedupe_kit.load import load

    lines = ["Contact ID,First Name,Last Name,Email,Mobile Phone,Company",
             "C001,Ada,Quill,ada.quill@example.com,+12125550101,Acme",
             "C002,Ada,Quil,ada.q@example.com,+12125550101,Acme",
             "C003,Bert,Nobody,bert.nobody@example.org,+13125550177,Foo",
             "C004,Cleo,Fakename,cleo.fake@example.net,+14155550123,Bar",
             "C005,Berty,Nobody,bert.n@example.org,+13125550177,Foo"]
    for ids, refused in [(True, "line 2: names its records by their rows alone, without record_id_a and record_id_b; "
                                "(.*) was run again on another input since this review opened; this review's rows are "
                                "those of the input it opened on, not the folder's now: a decision named by its rows "
                                "alone could go to other records; reopen the review .*; nothing imported"),
                         (False, "was run again on another input since this review opened; .* no record-ID column")]:
        folder = tmp_path / str(ids)
        folder.mkdir()
        cut = [line if ids else line.split(",", 1)[1] for line in lines]
        source = folder / "export.csv"
        source.write_text("\n".join(cut) + "\n")
        out = _run_folder(folder, source)
        state = open_state(out, reviewer="a")
        source.write_text("\n".join([cut[0], *cut[:0:-1]]) + "\n")  # the next export, in another order
        run(source, progress=False).write(out)
        by_rows = folder / "by_rows.csv"  # Berty and Bert, rows 0 and 2 of the folder's files now
        by_rows.write_text("a,b,decision\n0,2,distinct\n")  # on the review's input, Ada Quill and Bert
        events = state.store.last_event()
        with pytest.raises(InputError, match=refused):
            state.import_csv(by_rows)
        assert state.store.last_event() == events  # nothing imported, to go to other records
        if ids:  # found by record ID: imported, and found so by the next run
            by_ids = folder / "by_ids.csv"
            by_ids.write_text("a,b,record_id_a,record_id_b,decision\n0,2,C005,C003,distinct\n")
            assert state.import_csv(by_ids) == 1
            reused = stored_decisions(out, load(source))
            assert reused[["a", "b", "record_id_a", "record_id_b", "decision"]].values.tolist() == [
                [0, 2, "C005", "C003", "distinct"]]
        state.store.close()


def test_a_decision_on_one_sheet_of_a_workbook_stays_with_its_records_on_another(result, tmp_path):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    book, frame = tmp_path / "book.xlsx", result.contacts.frame
    with pd.ExcelWriter(book) as writer:  # Feb: the same contacts in reverse order
        frame.to_excel(writer, sheet_name="Jan", index=False)
        frame.iloc[::-1].to_excel(writer, sheet_name="Feb", index=False)
    jan = load(book, sheet="Jan")
    with DecisionStore(tmp_path / "review.sqlite", **input_of(jan)) as store:
        ReviewState(result, store).match()
        decided = store.decisions()
    a, b = decided["a"].iloc[0], decided["b"].iloc[0]
    last = len(frame) - 1
    reused = stored_decisions(tmp_path, load(book, sheet="Feb"))  # by record ID, not by row
    assert list(zip(reused["a"], reused["b"])) == [(last - b, last - a)]
    assert reused.attrs["warnings"] == [f"{tmp_path / 'review.sqlite'}: 1 decision(s) made on another version of "
                                        "the input are reused by record ID"]
    same = stored_decisions(tmp_path, load(book))  # Jan again, as read without a sheet named
    assert list(zip(same["a"], same["b"])) == [(a, b)] and same.attrs["warnings"] == []


def test_an_imported_csv_finds_its_records_by_record_id_in_a_reordered_file(state, store, tmp_path):
    a, b = state.current.rows
    state.match(survivor_row=b, fields={"Email": a})
    path = store.export_csv(tmp_path / "decisions.csv")  # handed to a colleague whose export is in another order
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    reordered = tmp_path / "reversed.csv"
    frame.iloc[::-1].to_csv(reordered, index=False)
    other = open_state(_run_folder(tmp_path, reordered), reviewer="colleague")
    assert other.store.import_csv(path) == 1
    last = len(frame) - 1
    decided = other.store.decisions()
    assert list(zip(decided["a"], decided["b"], decided["decision"])) == [(last - b, last - a, "match")]
    assert decided["survivor_row"].tolist() == [last - b] and decided["fields"].tolist() == [{"Email": last - a}]
    other.store.close()


def test_decisions_imported_from_a_review_of_the_same_input_are_not_said_to_be_of_another_version(tmp_path):
    import warnings

    from dedupe_kit.load import load

    first = open_state(_run_folder(tmp_path / "a"), reviewer="a")
    first.match()
    first.distinct()
    path = first.store.export_csv(tmp_path / "decisions.csv")  # handed to a colleague who reviews the same file
    mine = first.store.decisions()
    first.store.close()
    out = _run_folder(tmp_path / "b")
    other = open_state(out, reviewer="b")
    assert other.store.import_csv(path) == 2
    other.store.close()
    reused = stored_decisions(out, load(SAMPLE))  # what `dedupe-kit run` reads
    assert reused.attrs["warnings"] == []
    cols = ["a", "b", "decision", "survivor_row", "fields"]
    pd.testing.assert_frame_equal(reused[cols], mine[cols])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        open_state(out, reviewer="b").store.close()
    assert not [str(w.message) for w in caught if "another version" in str(w.message)]


def test_decisions_on_another_version_of_the_input_say_how_many_are_reused(tmp_path):
    from dedupe_kit.load import load

    out = _run_folder(tmp_path)
    state = open_state(out, reviewer="a")
    first = state.current.rows
    state.match()
    second = state.current.rows
    state.distinct()
    state.store.close()
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    blanked = next(row for row in second if row not in first)
    frame.loc[blanked, "Contact ID"] = ""  # a record ID blanked: its decision cannot be found again
    edited = tmp_path / "edited.csv"
    frame.to_csv(edited, index=False)
    reused = stored_decisions(out, load(edited))
    assert re.match(r".*: 1 decision\(s\) made on another version of the input are reused by record ID; 1 are not: "
                    r"a record they name is gone, or its record ID is blank", *reused.attrs["warnings"])
    assert list(zip(reused["a"], reused["b"])) == [first]


def test_a_match_whose_record_is_gone_is_said_merged_and_one_whose_record_id_is_on_two_rows_not_reused(tmp_path):
    from dedupe_kit.load import load

    out = _run_folder(tmp_path)
    state = open_state(out, reviewer="a")
    a, b = state.current.rows
    state.match()
    state.store.close()
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    merged = tmp_path / "merged.csv"  # the CRM once the match is carried out: its merged-away record gone
    frame.drop(index=a).to_csv(merged, index=False)
    assert re.search(r": 0 decision\(s\) .* reused by record ID; 1 match\(es\) already merged \(their merged-away "
                     r"record is gone\)$", *stored_decisions(out, load(merged)).attrs["warnings"])
    twice = tmp_path / "twice.csv"  # the record still there, but its record ID on another row too: not merged
    frame.loc[next(r for r in range(3) if r not in (a, b)), "Contact ID"] = frame.loc[a, "Contact ID"]
    frame.to_csv(twice, index=False)
    assert re.search(r": 0 decision\(s\) .* reused by record ID; 1 are not: a record they name is gone, or its record "
                     r"ID is blank or on several rows now$", *stored_decisions(out, load(twice)).attrs["warnings"])


def test_the_warning_of_decisions_reused_by_record_id_is_given_once(tmp_path):
    import warnings

    out = _run_folder(tmp_path)
    state = open_state(out, reviewer="a")
    state.match()
    state.store.close()
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    frame.iloc[::-1].to_csv(tmp_path / "reversed.csv", index=False)  # a newer export: the same records, reordered
    run(tmp_path / "reversed.csv", progress=False).write(out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = open_state(out, reviewer="a")
        state.goto(state.queue()["item"].iloc[-1])
        state.match()
        state.undo()
        state.decision_details(state.current)
    said = [str(w.message) for w in caught if "reused by record ID" in str(w.message)]
    assert said == [f"{out / 'review.sqlite'}: 1 decision(s) made on another version of the input are reused by "
                    "record ID"]


def test_a_decision_imported_by_hand_without_record_ids_counts_on_the_next_run(result, tmp_path):
    out = _run_folder(tmp_path)
    auto = result.pairs[result.pairs["status"] == "auto"].iloc[0]
    hand = tmp_path / "hand.csv"
    hand.write_text(f"a,b,decision\n{auto['a']},{auto['b']},distinct\n", encoding="utf-8")
    with DecisionStore(out) as store:  # opened without knowing the input
        assert store.import_csv(hand) == 1
    from dedupe_kit.load import load

    reused = stored_decisions(out, load(SAMPLE))
    assert reused is not None and list(zip(reused["a"], reused["b"], reused["decision"])) == [
        (auto["a"], auto["b"], "distinct")]


def test_a_group_is_as_doubtful_as_its_weakest_link_no_person_confirmed(result, tmp_path):
    sizes = result.crosswalk["cluster_id"].value_counts()
    cluster = result.crosswalk["cluster_id"].to_numpy()
    review = result.pairs[result.pairs["status"] == "review"]
    joins = review[(sizes.reindex(cluster[review["a"]]).to_numpy() >= 2)]
    a, b = int(joins["a"].iloc[0]), int(joins["b"].iloc[0])
    again = run(SAMPLE, decisions=pd.DataFrame({"a": [a], "b": [b], "decision": ["match"]}), progress=False)
    with DecisionStore(tmp_path / "review.sqlite") as store:
        state = ReviewState(again, store)
        group = state.item_of((a, b))
        assert group.kind == "group" and {a, b} <= set(group.rows)
        pairs = again.pairs.set_index(["a", "b"]).loc[list(group.pairs)]
        assert pairs.loc[(a, b), "status"] == "reviewed"
        auto = pairs[pairs["status"] == "auto"]
        assert group.weight == auto["weight"].min() != pairs.loc[(a, b), "weight"]


def test_a_kernel_dying_right_after_a_click_loses_nothing(tmp_path):
    import subprocess

    path = tmp_path / "review.sqlite"
    code = (
        "import os, sys\n"
        "from dedupe_kit.review import DecisionStore\n"
        f"store = DecisionStore({str(path)!r}, reviewer='gone')\n"
        "store.decide((3, 7), 'match', note='then the kernel died')\n"
        "store.decide((8, 9), 'distinct')\n"
        "os._exit(1)  # no close, no atexit: as a killed kernel\n"
    )
    died = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert died.returncode == 1, died.stderr
    with DecisionStore(path) as store:
        decided = store.decisions()
    assert list(zip(decided["a"], decided["b"], decided["decision"])) == [(3, 7, "match"), (8, 9, "distinct")]
    assert decided["note"].iloc[0] == "then the kernel died"


def test_a_group_split_matches_some_records_and_keeps_the_others_apart(result, state, store):
    state.set_view(order="group")
    group = state.current
    assert len(group.rows) == 4
    keep, out = list(group.rows[:2]), group.rows[2]
    with pytest.raises(ValueError, match="survivor_row .* is not one of the records matched"):
        state.match(rows=keep, survivor_row=out)
    with pytest.raises(ValueError, match="two or more of the records"):
        state.match(rows=keep[:1])
    state.match(rows=keep, survivor_row=keep[1], note="the last two are a namesake")
    assert state.decision_of(group) == "match" and state.current != group
    decided = store.decisions().set_index(["a", "b"])
    assert decided.loc[tuple(keep), "decision"] == "match" and decided.loc[tuple(keep), "survivor_row"] == keep[1]
    for a, b in group.pairs:
        expected = "match" if {a, b} <= set(keep) else "distinct" if ({a, b} & set(keep)) else "skip"
        assert decided.loc[(a, b), "decision"] == expected
    assert decided["batch"].nunique() == 1
    again = run(SAMPLE, decisions=store.decisions(), progress=False)
    cluster = again.crosswalk["cluster_id"].to_numpy()
    assert cluster[keep[0]] == cluster[keep[1]] != cluster[out]
    state.undo()
    assert store.decisions().empty and state.current == group



def _joined_group(result, store, pair):
    """``pair`` (`pair_joining_a_group`) matched with a note; the state of the run that reuses
    that decision, where the pair is a link of the group."""
    state = ReviewState(result, store)
    state.goto(state.item_of(pair).index)
    state.match(note="one person")
    return pair, ReviewState(run(SAMPLE, decisions=store.decisions(), progress=False), store)


def test_a_group_made_of_pairs_decided_before_counts_them_as_partly_decided(result, store, pair_joining_a_group):
    assert "partly" not in ReviewState(result, store).progress_text()
    pair, state = _joined_group(result, store, pair_joining_a_group)  # the pair matched, then run again: in a group
    group = state.item_of(pair)
    # the match is not hidden from the count: the group holding it waits to be confirmed, and the progress says so
    assert state.progress_text().endswith(" reviewed — match 0, not a match 0, skip 0; "
                                          "partly decided 1 (groups to confirm, 1 of their pairs decided)")
    assert state.progress()[0] == 0 and state.partly_decided() == (1, 1)
    assert state.decision_of(group) == "" and state.decided_pairs(group) == {"match": 1}
    state.goto(group.index)
    state.match()
    assert state.progress()[0] == 1 and state.counts()["match"] == 1 and state.partly_decided() == (0, 0)
    assert "partly" not in state.progress_text()
    state.undo()
    assert state.partly_decided() == (1, 1) and state.current == group


def test_a_skip_never_replaces_a_standing_match_nor_its_note(result, store, pair_joining_a_group):
    pair, state = _joined_group(result, store, pair_joining_a_group)
    group = state.item_of(pair)
    assert group.kind == "group" and state.decision_of(group) == ""
    state.goto(group.index)
    state.skip()
    decided = store.decisions().set_index(["a", "b"])
    assert decided.loc[pair, "decision"] == "match" and decided.loc[pair, "note"] == "one person"
    assert {decided.loc[p, "decision"] for p in group.pairs if p != pair} == {"skip"}
    assert state.decision_of(group) == "skip" and state.counts()["skip"] == 1
    cluster = run(SAMPLE, decisions=store.decisions(), progress=False).crosswalk["cluster_id"].to_numpy()
    assert cluster[pair[0]] == cluster[pair[1]]


def test_a_match_on_a_group_that_names_no_choice_keeps_those_made_on_its_pair_before(result, store,
                                                                                     pair_joining_a_group):
    pair = pair_joining_a_group
    state = ReviewState(result, store)
    item = state.goto(state.item_of(pair).index)
    chosen = next(r for r in pair if r != state.merge_survivor(item))  # not what the merge keeps anyway
    winner = next(r for r in pair if r != chosen)
    column = state.conflicts(item)[0]
    state.match(survivor_row=chosen, fields={column: winner})
    state = ReviewState(run(SAMPLE, decisions=store.decisions(), progress=False), store)
    group = state.item_of(pair)
    assert group.kind == "group" and state.decision_of(group) == ""
    state.goto(group.index)
    state.match()  # confirmed from code, as the page's Match left as shown
    saved = store.decisions().set_index(["a", "b"]).loc[list(group.pairs)]
    assert saved["survivor_row"].fillna(-1).tolist() == [chosen] * len(group.pairs)
    assert all(f == {column: winner} for f in saved["fields"])
    merged = run(SAMPLE, decisions=store.decisions(), progress=False).merge()
    assert merged.survivors()[pair[0]] == chosen
    state.undo()
    state.match(survivor_row=None, fields={})  # none chosen: the merge's rules decide
    saved = store.decisions().set_index(["a", "b"]).loc[list(group.pairs)]
    assert saved["survivor_row"].isna().all() and all(f == {} for f in saved["fields"])


def test_a_match_on_a_group_that_names_no_note_keeps_the_one_written_on_its_pair_before(result, store,
                                                                                        pair_joining_a_group):
    pair, state = _joined_group(result, store, pair_joining_a_group)  # the pair matched with the note "one person"
    group = state.item_of(pair)
    state.goto(group.index)
    state.match()  # confirmed from code, as the page's Match left as shown: the note was replaced by none
    saved = store.decisions().set_index(["a", "b"]).loc[list(group.pairs)]
    assert saved["note"].tolist() == ["one person"] * len(group.pairs) and state.note_of(group) == "one person"
    state.undo()
    state.match(note="")  # none written
    assert (store.decisions().set_index(["a", "b"]).loc[list(group.pairs), "note"] == "").all()


def test_a_group_split_leaves_a_standing_match_among_the_records_left_out(result, store, pair_joining_a_group):
    pair, state = _joined_group(result, store, pair_joining_a_group)
    group = state.item_of(pair)
    keep = [r for r in group.rows if r not in pair]
    assert len(keep) >= 2
    state.goto(group.index)
    state.match(rows=keep)  # the records of the pair are someone else: matched apart from these
    decided = store.decisions().set_index(["a", "b"])
    assert decided.loc[pair, "decision"] == "match" and decided.loc[pair, "note"] == "one person"
    cluster = run(SAMPLE, decisions=store.decisions(), progress=False).crosswalk["cluster_id"].to_numpy()
    assert cluster[pair[0]] == cluster[pair[1]] != cluster[keep[0]] == cluster[keep[1]]


CHAIN = """Contact ID,First Name,Last Name,Email,Mobile Phone,City
C1,Megan,Lewis,megan.lewis@hotmail.com,+12125550124,Boston
C2,Megan,Lewis,megan.lewis@hotmail.com,+12125550188,Boston
C3,Megan,Lewis,ml@work.com,+12125550188,Boston
C4,John,Smith,js@x.com,+13125550100,Chicago
C5,Peter,Brown,pb@y.com,+14155550111,Denver
C6,Anna,White,aw@z.com,+16175550122,Miami
C7,Tom,Green,tg@q.com,+17135550133,Austin
C8,Lisa,Black,lb@r.com,+12065550144,Seattle
"""


def test_a_group_split_can_match_two_records_no_link_joins(tmp_path, store):
    source = tmp_path / "chain.csv"
    source.write_text(CHAIN, encoding="utf-8")
    state = ReviewState(run(source, progress=False), store, order="group")
    group = state.current
    assert group.rows == (0, 1, 2) and group.pairs == ((0, 1), (1, 2))  # C1 and C3 share nothing
    state.match(rows=[0, 2], survivor_row=2, fields={"Email": 0}, note="C2 is her sister")
    assert state.decision_of(group) == "match"
    decided = store.decisions().set_index(["a", "b"])
    assert decided["decision"].to_dict() == {(0, 2): "match", (0, 1): "distinct", (1, 2): "distinct"}
    assert decided.loc[(0, 2), "survivor_row"] == 2 and decided.loc[(0, 2), "fields"] == {"Email": 0}
    assert state.decision_details(group)["rows"] == [0, 2]
    again = run(source, decisions=store.decisions(), progress=False)
    assert again.crosswalk["cluster_id"].tolist()[:3] == [0, 1, 0]
    merged = again.merge()
    assert merged.groups[["rows", "survivor_row", "decided_by"]].values.tolist() == [[(0, 2), 2, "reviewed"]]
    assert merged.cleaned().loc[2, "Email"] == "megan.lewis@hotmail.com"
    state.undo()
    assert store.decisions().empty and state.decision_of(group) == ""


def test_a_group_split_matching_two_records_of_a_pair_waiting_on_its_own_decides_that_pair_too(tmp_path, store):
    source = tmp_path / "chain.csv"
    source.write_text(CHAIN.replace("ml@work.com", "megan.lewis2@hotmail.com"), encoding="utf-8")
    state = ReviewState(run(source, progress=False), store, order="group")
    group, pair = state.current, state.item_of((0, 2))
    assert group.pairs == ((0, 1), (1, 2)) and pair.kind == "pair"  # C1 and C3 wait for review on their own
    assert state.match(rows=[0, 2], note="C2 is her sister") is None  # nothing left to ask
    assert state.decision_of(pair) == "match" and state.progress_text() == (
        "2 of 2 reviewed — match 2, not a match 0, skip 0")
    state.undo()
    assert state.decision_of(pair) == "" and state.progress() == (0, 2)
    state.goto(pair.index)
    state.distinct()
    state.goto(group.index)
    state.match(rows=[0, 2])
    state.goto(pair.index)
    state.distinct()  # C1 and C3 are not one person after all: the split of the group no longer stands
    assert state.decision_of(group) == "distinct" and state.counts() == {"match": 0, "distinct": 2, "skip": 0}


def test_a_match_across_two_external_ids_stays_apart_and_the_run_says_so(tmp_path):
    source = tmp_path / "ids.csv"
    lines = CHAIN.splitlines()
    ids = ["Student ID", "S100", "", "S200"] + [""] * (len(lines) - 4)
    source.write_text("".join(f"{line},{i}\n" for line, i in zip(lines, ids)), encoding="utf-8")
    decided = pd.DataFrame({"a": [0], "b": [2], "decision": ["match"], "survivor_row": [0],
                            "fields": [{"Student ID": 0}]})
    again = run(source, decisions=decided, progress=False)
    assert again.pairs.set_index(["a", "b"]).loc[(0, 2), "decision"] == "match"
    cluster = again.crosswalk["cluster_id"].to_numpy()
    assert cluster[0] != cluster[2]
    assert any("records C1 and C3 were matched in review but hold different external unique IDs" in w
               for w in again.warnings())
    assert "C1 and C3" in again.summary()


@pytest.mark.parametrize("ids, decided, warned", [
    (["S100", "", "S200"], {(0, 1): "match", (1, 2): "match"},
     "records C2 and C3 were matched in review but are in groups with different external unique IDs (through other "
     "records), so they stay apart"),
    (["", "", ""], {(0, 1): "match", (1, 2): "match", (0, 2): "distinct"},
     "records C2 and C3 were matched in review but are in two groups a person called not a match, so they stay apart")])
def test_a_match_kept_apart_through_a_chain_is_named_in_the_warnings(tmp_path, ids, decided, warned):
    source = tmp_path / "chain.csv"
    lines = CHAIN.splitlines()
    column = ["Student ID", *ids] + [""] * (len(lines) - 4)
    source.write_text("".join(f"{line},{i}\n" for line, i in zip(lines, column)), encoding="utf-8")
    decisions = pd.DataFrame([(a, b, d) for (a, b), d in decided.items()], columns=["a", "b", "decision"])
    again = run(source, decisions=decisions, progress=False)
    assert again.crosswalk["cluster_id"].tolist()[:3] == [0, 0, 2]  # C2 and C3 matched, but not joined
    assert [w for w in again.warnings() if "matched in review" in w] == [f"warning: {warned}" + (
        "; to merge them, give both the same ID in the CRM first" if ids[0] else "; review them again")]


def test_a_survivor_without_a_record_id_is_refused_when_another_record_matched_has_one(tmp_path, store):
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    first = run(SAMPLE, progress=False)
    pair = first.pairs[first.pairs["status"] == "review"].iloc[0]
    a, b = int(pair["a"]), int(pair["b"])
    frame.loc[b, "Contact ID"] = ""  # the merge would stop the group: no contact in the CRM to keep its values
    edited = tmp_path / "edited.csv"
    frame.to_csv(edited, index=False)
    state = ReviewState(run(edited, progress=False), store)
    item = state.item(next(i for i in state.queue()["item"] if state.item(i).rows == (a, b)))
    state.goto(item.index)
    with pytest.raises(ValueError, match=r"survivor_row \d+ has no 'Contact ID'.*choose a survivor that has one"):
        state.match(survivor_row=b)
    assert store.decisions().empty
    state.match(survivor_row=a)
    assert store.decisions()["survivor_row"].tolist() == [a]


def test_an_automatic_pair_the_groups_leave_apart_waits_for_review(tmp_path):
    # Sam Lowe without a customer number is linked as strongly to two records of different numbers:
    # the groups take him to one of them, and his pair with the other waits for a person
    path = tmp_path / "contacts.csv"
    path.write_text("Contact ID,Customer Number,First Name,Last Name,Email,Phone\n"
                    "1,C-100,Sam,Lowe,sam.lowe@example.com,415-555-0101\n"
                    "2,C-200,Sam,Lowe,sam.lowe@example.com,415-555-0101\n"
                    "3,,Sam,Lowe,sam.lowe@example.com,415-555-0101\n"
                    "4,C-300,Ann,Berg,ann.berg@example.org,415-555-0777\n"
                    "5,,Ann,Berg,ann.berg@example.org,415-555-0777\n")
    result = run(str(path), progress=False)
    group = result.crosswalk["cluster_id"].to_numpy()
    auto = result.pairs[result.pairs["status"] == "auto"]
    apart = {(a, b) for a, b in zip(auto["a"], auto["b"]) if group[a] != group[b]}
    assert len(apart) == 1 and apart <= {(0, 2), (1, 2)}
    with DecisionStore(tmp_path / "review.sqlite", input_sha256="abc", reviewer="tester") as store:
        state = ReviewState(result, store)
        assert set(state.queue()["rows"]) == apart  # Ann Berg's pair, merged, does not wait
        assert state.reasons_text(state.current).startswith("scored to merge, but the groups keep these two")
        state.distinct(note="another Sam")
        again = ReviewState(run(str(path), decisions=store.decisions(), progress=False), store)
        assert again.progress() == (1, 1) and again.counts()["distinct"] == 1


def test_a_group_split_is_one_decided_item_when_the_review_is_reopened(result, tmp_path):
    with DecisionStore(tmp_path / "review.sqlite", input_sha256="abc", reviewer="tester") as store:
        state = ReviewState(result, store, order="group")
        group = state.current
        assert group.kind == "group" and len(group.rows) == 4
        state.match(rows=group.rows[:2])  # two of the four are one person, the other two not theirs
        assert state.progress()[0] == 1
        again = ReviewState(run(SAMPLE, decisions=store.decisions(), progress=False), store, order="group")
        decided = again.queue()[again.queue()["decision"] != ""]
        # before, the group came back as its five pairs: "5 of 60 reviewed" after one decision
        assert decided[["kind", "rows", "decision"]].values.tolist() == [["group", group.rows, "match"]]
        assert again.progress()[0] == again.counts()["match"] == 1


def test_the_summary_says_what_its_count_of_pairs_waiting_leaves_out_of_the_review_s_items(result, state):
    # "waiting for review 36" beside a review of "0 of 61 reviewed": the groups of three or more are items too
    line = next(line for line in result.summary(warnings=False).splitlines() if "waiting for review" in line)
    found = re.fullmatch(r"  waiting for review +(\d+)   \(p >= 0\.5; pairs: the review shows them with the (\d+) "
                         r"groups of three or more records, to confirm or split, merged meanwhile\)", line)
    assert found, line
    assert int(found[1]) + int(found[2]) == state.progress()[1] == 61


def test_a_skip_in_a_review_opened_before_another_reviewers_match_keeps_that_match(result, tmp_path):
    with DecisionStore(tmp_path / "review.sqlite", input_sha256="abc", reviewer="ann") as mine, \
            DecisionStore(tmp_path / "review.sqlite", input_sha256="abc", reviewer="bob") as theirs:
        ann, bob = ReviewState(result, mine), ReviewState(result, theirs)  # two kernels, or a notebook and the page
        item = ann.current
        assert bob.current == item
        ann.match(survivor_row=item.rows[1], fields={"Email": item.rows[0]}, note="checked the phone")
        bob.skip()  # "not sure": it decides nothing, and Ann's match stands
        assert bob.decision_of(item) == "match"
        standing = mine.decisions()
        assert standing[["a", "b", "decision", "survivor_row", "note", "reviewer"]].values.tolist() == [
            [*item.rows, "match", item.rows[1], "checked the phone", "ann"]]
        assert standing["fields"].tolist() == [{"Email": item.rows[0]}]
        bob.back()
        bob.match()  # left as shown: the survivor, winning values and note chosen for these records before
        latest = theirs.decisions()
        assert latest[["decision", "survivor_row", "note", "reviewer"]].values.tolist() == [
            ["match", item.rows[1], "checked the phone", "bob"]]
        assert latest["fields"].tolist() == [{"Email": item.rows[0]}]


def test_a_pick_whose_record_no_longer_holds_the_value_picked_is_not_shown_again_nor_kept_by_a_match(tmp_path):
    out = _run_folder(tmp_path)
    state = open_state(out, reviewer="ann")
    item = state.current
    a, b = item.rows
    assert {"First Name", "Email"} <= set(state.conflicts(item))
    state.match(fields={"First Name": b, "Email": a})
    state.store.close()
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    picked = frame.at[b, "First Name"]
    frame.at[b, "First Name"] = "Former employee - do not use"  # edited in the CRM since the review
    newer = tmp_path / "newer.csv"
    frame.to_csv(newer, index=False)
    run(newer, progress=False).write(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the decision reused by record ID, the pick the merge ignores
        again = open_state(out, reviewer="bob")
    item = again.item_of((a, b))
    details = again.decision_details(item)
    assert details["fields"] == {"Email": a} and details["changed"] == {"First Name": (b, picked)}
    assert again.proposed_fields(item) == {"Email": a}  # the merge's rules shown for the first name, as they merge it
    again.goto(item.index)
    again.match()  # left as shown: the email picked still, no first name the person never saw
    latest = again.store.decisions(warn=False)  # on the pair and the links of the group it joins now
    assert len(latest) == len(item.pairs) and all(f == {"Email": a} for f in latest["fields"])
    assert all(f == {"Email": frame.at[a, "Email"]} for f in latest["field_values"])
    again.store.close()
    # a pick stored before the values picked were (an older store) is shown as it was
    with DecisionStore(tmp_path / "older.sqlite") as older:
        state = ReviewState(again.result, older)
        state.goto(item.index)
        state.match(fields={"First Name": b})
        older._conn.execute("UPDATE events SET field_values = '{}'")
        older._conn.commit()
        assert state.proposed_fields(item) == {"First Name": b} and state.decision_details(item)["changed"] == {}


def test_a_pair_skipped_waits_for_a_person_still_when_the_decisions_push_it_below_the_threshold(result, state):
    state.match(), state.distinct(), state.skip(), state.match(), state.distinct()
    decisions = state.decisions()
    skipped = tuple(decisions.loc[decisions["decision"] == "skip", ["a", "b"]].iloc[0])
    again = run(SAMPLE, decisions=decisions, progress=False)  # the decisions teach the model: probabilities move
    pair = again.pairs.set_index(["a", "b"]).loc[skipped]
    assert pair["probability"] < again.config.match.lower  # dropped by the score alone, but a person is not sure
    assert pair["status"] == "review" and pair["decision"] == "skip"
    reopened = ReviewState(again, state.store)
    assert reopened.decision_of(reopened.item_of(skipped)) == "skip" and reopened.counts()["skip"] == 1
    assert "1 below it skipped in review (not sure)" in again.summary()
