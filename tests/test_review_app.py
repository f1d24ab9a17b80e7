"""The review widget, driven with Button.click() as a person would, no browser."""

import ipywidgets
import numpy as np
import pytest

from dedupe_kit import run
from dedupe_kit.review import DecisionStore, ReviewApp, ReviewState, open_review


@pytest.fixture(scope="module")
def result():
    return run("sample_data/contacts.csv", progress=False)


@pytest.fixture
def app(result, tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite", reviewer="tester")
    yield ReviewApp(ReviewState(result, store))
    store.close()
    ipywidgets.Widget.close_all()


def test_shows_the_two_records_side_by_side_with_marks_and_reasons(app):
    item = app.state.current
    a, b = item.rows
    assert app.progress.value == f"0 of {len(app.state)} reviewed — match 0, not a match 0, skip 0"
    assert f"Pair of rows {a} and {b}" in app.heading.value
    assert f"{item.probability:.3f}" in app.heading.value
    assert "same phone" in app.reasons.value
    table = app.table.value
    for row in (a, b):
        assert f"row {row}" in table and app.state.record_id(row) in table
    frame = app.state.fields(item)
    for mark in set(frame["mark"]):
        assert f"dk-mark-{mark}" in table
    # the phone typed as (619) 555-0135 shows its normalized form too
    phones = frame[(frame["role"] == "phones") & (frame["mark"] == "same")]
    assert phones[f"normalized {a}"].iloc[0] in table
    assert app.survivor.options == ((f"row {a} · {app.state.record_id(a)}", a), (f"row {b} · {app.state.record_id(b)}", b))
    assert app.survivor.value == app.state.default_survivor(item)
    assert set(app.field_pickers) == set(app.state.conflicts(item)) and "First Name" in app.field_pickers


def test_every_control_has_its_css_class(app):
    classes = {"dk-match": app.match, "dk-distinct": app.distinct, "dk-skip": app.skip, "dk-undo": app.undo,
               "dk-back": app.back, "dk-survivor": app.survivor, "dk-note": app.note, "dk-order": app.order,
               "dk-reason": app.reason_filter, "dk-score": app.score, "dk-progress": app.progress,
               "dk-item": app.heading, "dk-table": app.table, "dk-message": app.message}
    for css, widget in classes.items():
        assert css in widget.get_state()["_dom_classes"]
    assert all("dk-field" in p._dom_classes for p in app.field_pickers.values())


def test_match_click_saves_survivor_fields_and_note_then_shows_the_next_pair(app):
    item = app.state.current
    a, b = item.rows
    default = app.state.default_survivor(item)
    other = b if default == a else a
    app.survivor.value = other
    assert all(p.value is None for p in app.field_pickers.values())  # the merge's rules by default
    app.field_pickers["First Name"].value = default
    app.note.value = "same person, new phone"
    app.match.click()
    saved = app.state.store.decisions().iloc[0]
    assert (saved["a"], saved["b"], saved["decision"]) == (a, b, "match")
    assert saved["survivor_row"] == other and saved["fields"] == {"First Name": default}  # only what was chosen
    assert saved["note"] == "same person, new phone"
    assert app.note.value == ""
    assert app.state.current != item and f"rows {a} and {b}" not in app.heading.value
    assert app.progress.value.startswith("1 of ") and "match 1," in app.progress.value
    assert "Saved" in app.message.value


def test_a_field_whose_values_are_all_kept_offers_no_blank_to_win(app):
    state = app.state
    # a group where one record has no email or phone beside two that differ: every number and address is kept
    item, column, blank = next((item, column, r) for item in map(state.item, state.queue()["item"])
                               if item.kind == "group" for column in state.conflicts(item)
                               if state.roles[column] in ("emails", "phones")
                               for r in item.rows if not state.fields(item).set_index("column").at[column, f"raw {r}"])
    state.goto(item.index)
    app.refresh()
    picker = app.field_pickers[column]
    assert blank not in [row for _, row in picker.options] and not any("(blank)" in text for text, _ in picker.options)
    assert len(picker.options) == len(item.rows)  # "by the merge rules" and the records that hold one
    with pytest.raises(ValueError, match=f"fields\\['{column}'\\]: row {blank} is blank there"):
        state.match(fields={column: blank})  # it emptied the column, its value moved to a sibling or the extra one
    assert state.store.decisions().empty


def test_a_match_left_as_shown_leaves_the_survivor_and_the_values_to_the_merge_rules(tmp_path):
    from dedupe_kit import Config
    from dedupe_kit.config import MergePolicy
    from dedupe_kit.review import open_state

    out = tmp_path / "run"
    config = Config(merge=MergePolicy(survivor="oldest_created", rules={"First Name": "longest"}))
    result = run("sample_data/contacts.csv", config, progress=False)
    result.write(out, merge=False)
    app = ReviewApp(open_state(out))
    state = app.state
    app.order.value = "group"
    item = state.current
    plan = result.merge()
    survivor = plan.survivors()[item.rows[0]]  # the group's survivor by the rule, without review
    assert app.survivor.value == state.default_survivor(item) == survivor
    app.match.click()  # nothing touched
    saved = state.store.decisions()
    assert saved["survivor_row"].isna().all() and all(f == {} for f in saved["fields"])
    again = run("sample_data/contacts.csv", config, decisions=state.store.decisions(), progress=False).merge()
    assert again.survivors()[item.rows[0]] == survivor
    reason = again.groups.set_index("survivor_row").loc[survivor, "survivor_reason"]
    assert reason.startswith("oldest created")  # not "chosen in review"
    ipywidgets.Widget.close_all()


def test_distinct_skip_undo_back(app):
    first = app.state.current
    app.distinct.click()
    second = app.state.current
    app.skip.click()
    assert "not a match 1, skip 1" in app.progress.value
    assert [d for d in app.state.store.decisions()["decision"]] == ["distinct", "skip"]
    app.undo.click()
    assert app.state.current == second and "skip 0" in app.progress.value
    assert f"rows {second.rows[0]} and {second.rows[1]}" in app.heading.value
    app.back.click()
    assert app.state.current == first and "decided: <b>distinct</b>" in app.heading.value
    app.undo.click()
    app.undo.click()
    assert app.message.value == "Nothing to undo."
    assert app.state.store.decisions().empty


def test_undo_names_the_item_it_took_back_even_when_the_filters_leave_it_out(app, result, tmp_path):
    first = app.state.current
    app.distinct.click()
    app.reason_filter.value = (next(r for r in ("same email", "name only") if r not in first.reasons),)
    shown = app.state.current
    assert shown is not None and shown != first
    app.undo.click()
    assert app.state.store.decisions().empty and app.state.current == shown
    assert app.message.value == (f"Undone: Pair of rows {first.rows[0]} and {first.rows[1]} (the filters leave it "
                                 "out of the queue: it is not shown).")

    # a decision whose records this input no longer holds: no item of the queue is named
    from dedupe_kit.run import record_ids

    with DecisionStore(tmp_path / "gone.sqlite", input_sha256="old") as old:
        old.decide((0, 1), "match", record_ids={0: "GONE-1", 1: "GONE-2"})
    store = DecisionStore(tmp_path / "gone.sqlite", input_sha256="new", record_ids=record_ids(result.contacts))
    gone = ReviewApp(ReviewState(result, store))
    gone.undo.click()
    assert gone.message.value == "Undone: a decision on records this review does not show (gone from the input?)."
    store.close()


def test_skip_on_an_item_decided_before_says_its_decision_stands(app):
    first = app.state.current
    app.note.value = "same woman"
    app.match.click()
    app.back.click()
    assert app.state.current == first
    app.skip.click()
    assert app.message.value == (f"Nothing saved: Pair of rows {first.rows[0]} and {first.rows[1]} stays a match "
                                 "(Skip never replaces a match or not a match: decide again to change it).")
    assert app.state.decision_of(first) == "match" and list(app.state.store.decisions()["decision"]) == ["match"]
    app.distinct.click()
    app.skip.click()  # the next item, undecided: skipped
    assert app.message.value.startswith("Saved: ") and app.message.value.endswith(" — skipped.")


def test_filters_and_order_change_the_queue(app):
    app.reason_filter.value = ("name only",)
    assert all("name only" in app.state.item(i).reasons for i in app.state.queue()["item"])
    assert app.progress.value.startswith(f"0 of {len(app.state)} ")
    app.reason_filter.value = ()
    app.order.value = "group"
    group = app.state.current
    assert group.kind == "group" and app.heading.value.startswith(f"<b>Group of {len(group.rows)} records")
    assert group.rows[0] in dict((v, k) for k, v in app.survivor.options) or \
        group.rows[0] in [v for _, v in app.survivor_list.options]
    app.score.value = (0.99, 1.0)
    assert all(p >= 0.99 for p in app.state.queue()["probability"])


def test_clicks_once_the_queue_is_done_are_ignored(app):
    app.score.value = (0.55, 0.56)
    for _ in range(len(app.state)):
        app.skip.click()
    assert app.state.done and app.match.disabled
    assert "Nothing left to review" in app.heading.value
    before = len(app.state.store.events())
    app.match.click()  # click() ignores `disabled`: the handler must guard
    app.distinct.click()
    assert len(app.state.store.events()) == before
    assert app.message.value == "Nothing left to review."


def test_the_browser_message_path_reaches_the_handler(app):
    item = app.state.current
    app.match._handle_custom_msg({"event": "click"}, [])
    assert app.state.decision_of(item) == "match"


def test_open_review_on_an_output_folder(tmp_path):
    out = tmp_path / "out"
    run("sample_data/contacts.csv", progress=False).write(out)
    app = open_review(out, reviewer="tester")
    try:
        item = app.state.current
        app.match.click()
        assert (out / "review.sqlite").exists()
        with DecisionStore(out / "review.sqlite") as other:
            assert list(zip(other.decisions()["a"], other.decisions()["b"])) == [item.rows]
    finally:
        app.state.store.close()
        ipywidgets.Widget.close_all()


def test_the_page_says_it_saves_nothing_once_the_folder_is_run_again_on_another_input_without_record_ids(tmp_path):
    import pandas as pd

    frame = pd.read_csv("sample_data/contacts.csv", dtype=str, keep_default_na=False).drop(columns=["Contact ID"])
    source, out = tmp_path / "noid.csv", tmp_path / "out"
    frame.to_csv(source, index=False)
    run(source, progress=False).write(out)
    app = open_review(out, reviewer="tester")
    try:
        app.distinct.click()
        frame.iloc[::-1].to_csv(source, index=False)  # the next export, in another order
        run(source, progress=False).write(out)
        shown = app.state.current
        app.match.click()
        assert app.message.value.startswith(f"Nothing saved: {out.resolve()} was run again on another input since "
                                            "this review opened; ")
        assert app.message.value.endswith("; reopen the review (&#x27;dedupe-kit review "
                                          f"{out.resolve()}&#x27;, or open_review / open_state again).")
        app.undo.click()
        assert app.message.value.startswith(f"Nothing undone: {out.resolve()} was run again on another input")
        assert app.state.current == shown and app.state.progress()[0] == 1
    finally:
        app.state.store.close()
        ipywidgets.Widget.close_all()


def test_a_group_can_be_split_by_selecting_the_records_that_are_one_person(app):
    app.order.value = "group"
    group = app.state.current
    assert app.members.layout.display is None and app.members.value == group.rows
    keep = group.rows[:2]
    app.members.value = keep
    app.survivor.value = group.rows[3]
    app.match.click()
    assert app.message.value == "The record kept must be one of the records selected as one person."
    assert app.state.current == group and app.state.store.decisions().empty
    app.survivor.value = keep[0]
    app.match.click()
    decided = app.state.store.decisions().set_index(["a", "b"])["decision"]
    assert decided[keep] == "match" and (decided == "distinct").sum() > 0
    assert app.state.current != group
    app.order.value = "uncertain"
    assert app.members.layout.display == "none"  # a pair: nothing to select


def test_back_after_reopening_shows_the_item_decided_last_and_says_when_there_is_none(app, result):
    app.back.click()  # nothing decided yet
    first = app.state.current
    assert app.message.value == "Nothing to go back to: no item of the queue shown was decided before this one."
    app.distinct.click()
    second = app.state.current
    app.skip.click()
    again = ReviewApp(ReviewState(result, app.state.store))  # reopened
    assert again.state.current not in (first, second)
    again.back.click()
    assert again.state.current == second and again.message.value == ""
    again.back.click()
    assert again.state.current == first
    again.back.click()
    assert again.state.current == first and again.message.value.startswith("Nothing to go back to")


def test_back_shows_the_item_as_it_was_decided(app):
    item = app.state.current
    a, b = item.rows
    app.survivor.value = b
    app.field_pickers["First Name"].value = a
    app.note.value = "same person"
    app.match.click()
    pickers = list(app.field_pickers.values())
    app.back.click()
    assert app.state.current == item and "decided: <b>match</b>" in app.heading.value
    assert app.survivor.value == b and app.field_pickers["First Name"].value == a
    assert app.note.value == "same person"
    assert all(p.comm is None for p in pickers)  # the next item's pickers, replaced, were closed


def _survivor_picker(app):
    return app.survivor if app.survivor.layout.display != "none" else app.survivor_list


def test_a_group_starts_from_the_choices_made_on_its_pair_and_a_match_keeps_them(result, tmp_path,
                                                                                 pair_joining_a_group):
    pair = pair_joining_a_group
    store = DecisionStore(tmp_path / "review.sqlite", reviewer="tester")
    app = ReviewApp(ReviewState(result, store))
    app.state.goto(app.state.item_of(pair).index)
    app.refresh()
    chosen = next(r for r in pair if r != app.survivor.value)  # not the rule's pick
    column, picker = next(iter(app.field_pickers.items()))
    winner = next(r for r in pair if r != chosen)
    app.survivor.value, picker.value, app.note.value = chosen, winner, "the real record"
    app.match.click()
    # the next run: the pair is a link of a group, which waits for review as a whole
    again = ReviewApp(ReviewState(run("sample_data/contacts.csv", decisions=store.decisions(), progress=False),
                                  store))
    group = again.state.item_of(pair)
    assert group.kind == "group" and again.state.decision_of(group) == ""
    again.state.goto(group.index)
    again.refresh()
    assert _survivor_picker(again).value == chosen and again.field_pickers[column].value == winner
    assert again.note.value == "the real record"
    again.match.click()  # confirmed as shown
    saved = store.decisions().set_index(["a", "b"]).loc[list(group.pairs)]
    assert (saved["decision"] == "match").all() and (saved["survivor_row"] == chosen).all()
    assert all(f == {column: winner} for f in saved["fields"]) and (saved["note"] == "the real record").all()
    merged = run("sample_data/contacts.csv", decisions=store.decisions(), progress=False).merge()
    assert merged.survivors()[pair[0]] == chosen
    store.close()


def test_a_group_holding_a_pair_decided_before_says_it_is_partly_decided(result, tmp_path, pair_joining_a_group):
    pair = pair_joining_a_group
    store = DecisionStore(tmp_path / "review.sqlite", reviewer="tester")
    state = ReviewState(result, store)
    state.goto(state.item_of(pair).index)
    state.match()
    # the next run merged the pair with other records: a group to confirm, which holds the match
    app = ReviewApp(ReviewState(run("sample_data/contacts.csv", decisions=store.decisions(), progress=False), store))
    group = app.state.item_of(pair)
    app.state.goto(group.index)
    app.refresh()
    assert app.progress.value.endswith("; partly decided 1 (groups to confirm, 1 of their pairs decided)")
    assert app.heading.value.endswith(f" — partly decided: <b>1 of its {len(group.pairs)} pairs</b> (match 1)")
    app.match.click()
    assert "partly" not in app.progress.value and "match 1," in app.progress.value
    store.close()


def test_a_pair_matched_into_a_larger_group_keeps_the_survivor_shown(app, result):
    state = app.state
    cluster = result.crosswalk["cluster_id"].to_numpy()
    pairs = [state.item(i) for i in state.queue()["item"] if state.item(i).kind == "pair"]
    # one of its records is in a group whose survivor, by the rule, is a record the pair does not show
    item = next(p for p in pairs
                if state.default_survivor(p, np.flatnonzero(np.isin(cluster, cluster[list(p.rows)]))) not in p.rows)
    state.goto(item.index)
    app.refresh()
    shown = app.survivor.value
    assert shown in item.rows
    app.match.click()
    assert state.store.decisions()["survivor_row"].fillna(-1).tolist() == [shown]
    merged = run("sample_data/contacts.csv", decisions=state.store.decisions(), progress=False).merge()
    assert merged.survivors()[item.rows[0]] == shown


def test_a_click_decides_the_item_on_screen_never_one_the_queue_moved_to_from_code(app):
    shown = app.state.current
    app.state.skip()  # a notebook cell drives the state, as the README shows
    moved_to = app.state.current
    assert f"rows {shown.rows[0]} and {shown.rows[1]}" in app.heading.value
    app.match.click()
    assert app.state.decision_of(moved_to) == "" and app.message.value.startswith("Nothing saved")
    assert f"rows {moved_to.rows[0]} and {moved_to.rows[1]}" in app.heading.value  # shown now
    app.match.click()
    assert app.state.decision_of(moved_to) == "match"


def test_a_pair_matched_into_a_group_whose_survivor_a_person_chose_keeps_the_survivor_shown(app, result):
    state = app.state
    cluster = result.crosswalk["cluster_id"].to_numpy()
    items = [state.item(i) for i in state.queue()["item"]]
    groups = [g for g in items if g.kind == "group"]
    # a pair with one record in a group, the rule's survivor of the two together being one of the pair's
    pair, group = next((p, g) for p in items if p.kind == "pair" for g in groups if len(set(p.rows) & set(g.rows)) == 1
                       and state.default_survivor(p, np.flatnonzero(np.isin(cluster, cluster[list(p.rows)]))) in p.rows)
    chosen = next(r for r in group.rows if r not in pair.rows)
    state.goto(group.index)
    state.match(survivor_row=chosen)  # the group, with a survivor the pair does not show
    state.goto(pair.index)
    app.refresh()
    shown = app.survivor.value
    app.match.click()
    decisions = state.store.decisions()
    assert decisions.set_index(["a", "b"])["survivor_row"].fillna(-1)[pair.rows] == shown
    merged = run("sample_data/contacts.csv", decisions=decisions, progress=False).merge()
    assert merged.survivors()[pair.rows[0]] == shown


def test_a_choice_the_merge_cannot_take_saves_nothing_and_says_why(tmp_path):
    import pandas as pd

    frame = pd.read_csv("sample_data/contacts.csv", dtype=str, keep_default_na=False)
    first = run("sample_data/contacts.csv", progress=False)
    pair = first.pairs[first.pairs["status"] == "review"].iloc[0]
    frame.loc[int(pair["b"]), "Contact ID"] = ""  # a survivor without a record ID: no contact to keep the values
    edited = tmp_path / "edited.csv"
    frame.to_csv(edited, index=False)
    with DecisionStore(tmp_path / "review.sqlite", reviewer="tester") as store:
        app = ReviewApp(ReviewState(run(edited, progress=False), store))
        app.state.goto(next(i for i in app.state.queue()["item"]
                            if app.state.item(i).rows == (int(pair["a"]), int(pair["b"]))))
        app.refresh()
        app.survivor.value = int(pair["b"])
        app.match.click()
        assert app.message.value.startswith("Nothing saved: survivor_row") and store.decisions().empty
    ipywidgets.Widget.close_all()


def test_undo_says_when_it_took_back_a_decision_made_in_another_review_of_the_folder(app, result, tmp_path):
    app.distinct.click()  # decided before the second review opens: undone there as that review's own
    store = DecisionStore(tmp_path / "review.sqlite", reviewer="bob")  # a second kernel, or the page
    other = ReviewApp(ReviewState(result, store))
    mine = app.state.current
    app.match.click()
    theirs = other.state.current
    other.distinct.click()
    app.undo.click()  # the store's latest decision: Bob's
    assert app.message.value == (f"Undone: Pair of rows {theirs.rows[0]} and {theirs.rows[1]}, decided by bob since "
                                 "this review opened, not in it (Undo takes back the latest decision, whoever made "
                                 "it).")
    app.undo.click()
    assert app.message.value == f"Undone: Pair of rows {mine.rows[0]} and {mine.rows[1]}."
    other.undo.click()  # decided before it opened: no other review's as far as it knows
    assert other.message.value.startswith("Undone: Pair of rows ") and other.message.value.endswith(".")
    assert "another review" not in other.message.value and app.state.store.decisions().empty
    store.close()


def test_a_value_picked_before_that_its_record_no_longer_holds_is_not_shown_as_picked_and_the_page_says_so(tmp_path):
    import warnings

    import pandas as pd

    out = tmp_path / "out"
    run("sample_data/contacts.csv", progress=False).write(out)
    app = open_review(out, reviewer="ann")
    a, b = app.state.current.rows
    app.field_pickers["First Name"].value, app.field_pickers["Email"].value = b, a
    app.match.click()
    app.state.store.close()
    frame = pd.read_csv("sample_data/contacts.csv", dtype=str, keep_default_na=False)
    picked = frame.at[b, "First Name"]
    frame.at[b, "First Name"] = "Former employee - do not use"  # edited in the CRM since the review
    frame.to_csv(tmp_path / "newer.csv", index=False)
    run(tmp_path / "newer.csv", progress=False).write(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the decision reused by record ID, the pick the merge ignores
        again = open_review(out, reviewer="bob")
    try:
        again.state.goto(again.state.item_of((a, b)).index)
        again.refresh()
        assert again.field_pickers["First Name"].value is None and again.field_pickers["Email"].value == a
        said = [c.value for c in again.field_box.children if "dk-picked-before" in c._dom_classes]
        record = again.state.record_id(b)
        assert said == [f"picked before: &#x27;{picked}&#x27;, now &#x27;Former employee - do not use&#x27; in "
                        f"{record}: choose again"]
        again.match.click()  # left as shown: the merge's rules decide the first name, which nobody chose
        saved = again.state.store.decisions(warn=False)
        assert all(f == {"Email": a} for f in saved["fields"])
    finally:
        again.state.store.close()
        ipywidgets.Widget.close_all()
