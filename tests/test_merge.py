"""Merge plans: survivorship rules, per-field rules, conflicts, people's choices, undo."""

from __future__ import annotations

import csv
import dataclasses
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest

from dedupe_kit import Config, ConfigError, NormalizeConfig, load, normalize, run
from dedupe_kit.config import MergePolicy
from dedupe_kit.export import clearing, updates
from dedupe_kit.merge import merge, proposed_survivors, unread_dates
from dedupe_kit.normalize import extensions

HEADER = "Contact ID,First Name,Last Name,Email,Email 2,Mobile Phone,Home Phone,Student ID,Created Date,Last Modified,Notes,Tags,Source"
ROWS = [
    # group 0: rows 0-2; row 1 is the most complete, row 2 the oldest, row 0 the most recently updated
    "C10,Bob,Smith,bob@x.com,,+33 6 12 34 56 78,,,2020-05-01,2024-01-01,called,vip,web",
    "C9,Robert,Smith,bob@x.com,rob@work.com,06 12 34 56 78,01 40 00 00 01,S1,2019-01-01,2021-01-01,,vip; gold,crm",
    "C11,Bobby,Smith,bob.smith@y.com,,07 81 23 45 67,,,2018-01-01,2018-01-01,moved,,import",
    # a row that takes part in no merge
    "C12,Ann,Lee,ann@x.com,,=1+1,,,2020-01-01,2020-01-01,,,web",
]


@pytest.fixture
def contacts(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n")
    return load(path)


FRENCH = Config(normalize=NormalizeConfig(default_region="FR"))


def plan_of(contacts, groups=(0, 0, 0, 3), decisions=None, **policy):
    return merge(contacts, np.array(groups), MergePolicy(**policy), decisions=decisions,
                 normalized=normalize(contacts, FRENCH))


def survivor_row(plan, group=0):
    return int(plan.groups.set_index("group").loc[group, "survivor_row"])


@pytest.mark.parametrize("rule, expected, reason", [
    ("most_complete", 1, "most complete (12 filled cells)"),
    ("oldest_created", 2, "oldest created (2018-01-01)"),
    ("most_recently_updated", 0, "most recently updated (2024-01-01)"),
    ("lowest_record_id", 1, "lowest record ID (C9)"),
])
def test_survivor_rules(contacts, rule, expected, reason):
    plan = plan_of(contacts, survivor=rule)
    assert survivor_row(plan) == expected
    assert proposed_survivors(contacts, [0, 0, 0, 3], MergePolicy(survivor=rule)).tolist() == [expected] * 3 + [3]
    assert plan.groups.loc[0, "survivor_reason"] == reason


def test_source_priority_and_ties_are_said(contacts, tmp_path):
    plan = plan_of(contacts, survivor="source_priority", source_column="Source", source_priority=("crm", "web"))
    assert survivor_row(plan) == 1
    shouted = plan_of(contacts, survivor="source_priority", source_column="Source", source_priority=("IMPORT ",))
    assert survivor_row(shouted) == 2  # in any case
    tie = plan_of(contacts, (0, 0, 2, 3), survivor="source_priority", source_column="Source",
                  source_priority=("import",))  # neither row 0 (web) nor row 1 (crm)
    assert survivor_row(tie) == 0
    with pytest.raises(ConfigError, match="no value of source_priority is in the column 'Source', which holds "
                                          "'crm', 'import', 'web'"):
        plan_of(contacts, survivor="source_priority", source_column="Source", source_priority=("manual",))
    assert tie.groups.loc[0, "survivor_reason"] == ("source priority (Source = 'web', not in source_priority); tie "
                                                    "with row 1 broken by the lower row")  # not 'web' preferred
    assert plan.groups.loc[0, "survivor_reason"] == "source priority (Source = 'crm')"
    path = tmp_path / "blank_source.csv"
    path.write_text(HEADER + "\n" + "\n".join([ROWS[0].removesuffix("web"), *ROWS[1:]]) + "\n")
    assert plan_of(load(path), (0, 0, 2, 3), survivor="source_priority", source_column="Source",
                   source_priority=("import",)).groups.loc[0, "survivor_reason"] == (
        "source priority (Source blank); tie with row 1 broken by the lower row")
    with pytest.raises(ConfigError, match="^merge: source_column and source_priority are read only with survivor = "
                                          "'source_priority', not 'most_complete'$"):  # not a priority unsaid unused
        MergePolicy(source_column="Source", source_priority=("crm", "web"))


def test_a_survivor_chosen_in_review_wins(contacts):
    decisions = pd.DataFrame({"a": [0], "b": [2], "decision": ["match"], "survivor_row": [2]})
    plan = plan_of(contacts, decisions=decisions)
    assert survivor_row(plan) == 2
    assert proposed_survivors(contacts, [0, 0, 0, 3], decisions=decisions).tolist() == [2, 2, 2, 3]
    assert plan.groups.loc[0, ["survivor_reason", "decided_by"]].tolist() == ["chosen in review", "reviewed"]


def test_a_value_chosen_in_review_for_a_column_the_newer_export_does_not_have_is_ignored(contacts):
    # picked in review of an export with a 'Company' column, which the newer export renamed 'Organization'
    decisions = pd.DataFrame({"a": [0], "b": [2], "decision": ["match"], "survivor_row": [1],
                              "fields": [{"Company": 2, "Notes": 2}]})
    with pytest.warns(UserWarning, match=r"chosen in review for 'Company' is ignored: the input has no such column"):
        plan = plan_of(contacts, decisions=decisions)
    assert survivor_row(plan) == 1 and value(plan, "Notes") == ("moved", 2)  # the rest of the choice stands


def test_a_value_chosen_in_review_that_the_record_no_longer_holds_is_ignored(contacts):
    # picked C11's 'Bobbie' in review; the newer export has 'Bobby' there, edited in the CRM since
    decisions = pd.DataFrame({"a": [0], "b": [2], "decision": ["match"], "survivor_row": [1],
                              "fields": [{"First Name": 2, "Notes": 2}],
                              "field_values": [{"First Name": "Bobbie", "Notes": "moved"}]})
    with pytest.warns(UserWarning, match=r"chosen in review for 'First Name' of C11 is ignored: the record no longer "
                                         r"holds the value picked \(edited in the CRM since the review\?\)"):
        plan = plan_of(contacts, decisions=decisions)
    assert value(plan, "First Name") == ("Robert", 1)  # the survivor's, by the rule, as if nothing had been picked
    assert value(plan, "Notes") == ("moved", 2)  # the value picked, still held: the rest of the choice stands
    assert plan.values.set_index("column").loc["First Name", "rule"] != "chosen in review"
    picked_before = decisions.drop(columns="field_values")  # a decision stored before values were: as it is
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert value(plan_of(contacts, decisions=picked_before), "First Name") == ("Bobby", 2)
        assert value(plan_of(contacts, decisions=decisions.assign(field_values=[{"First Name": "Bobby"}])),
                     "First Name") == ("Bobby", 2)


def test_groups_of_a_sorted_crosswalk_merge_the_rows_of_their_index(contacts):
    crosswalk = pd.DataFrame({"source_row": [0, 1, 2, 3], "cluster_id": [0, 0, 2, 3]})
    shuffled = crosswalk.sort_values("cluster_id", ascending=False)  # as an analyst sorts it in a notebook
    plan = merge(contacts, shuffled["cluster_id"], normalized=normalize(contacts, FRENCH))
    assert plan.groups["rows"].tolist() == [(0, 1)]  # not rows 2 and 3, the first two of the sorted Series
    with pytest.raises(ConfigError, match=r"index is not the source_row of each of the 4 rows once"):
        merge(contacts, shuffled.set_index("source_row").reset_index(drop=True).iloc[[0, 0, 1, 2]]["cluster_id"])
    with pytest.raises(ConfigError, match=r"groups is the group of each row, such as result.crosswalk\['cluster_id'\], "
                                          "not a whole table"):
        merge(contacts, crosswalk)


def test_decisions_put_together_in_a_notebook_with_blank_fields_merge(contacts):
    reviewed = pd.DataFrame({"a": [0], "b": [2], "decision": ["match"], "survivor_row": [2],
                             "fields": [{"First Name": 1}]})
    by_hand = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"]})  # no survivor_row nor fields: NaN in concat
    plan = plan_of(contacts, decisions=pd.concat([by_hand, reviewed], ignore_index=True))
    assert survivor_row(plan) == 2
    assert value(plan, "First Name") == ("Robert", 1)


@pytest.mark.parametrize("read", [{"dtype": str, "keep_default_na": False}, {}])
def test_decisions_read_back_from_a_csv_with_pandas_merge(contacts, tmp_path, read):
    decisions = pd.DataFrame({"a": [0, 0], "b": [1, 2], "decision": ["match", "match"], "survivor_row": [None, 2],
                              "fields": ["", '{"First Name": 1}']})
    decisions.to_csv(tmp_path / "decisions.csv", index=False)  # survivor_row "", "2.0"
    plan = plan_of(contacts, decisions=pd.read_csv(tmp_path / "decisions.csv", **read))
    assert survivor_row(plan) == 2
    assert value(plan, "First Name") == ("Robert", 1)


def value(plan, column):
    values = plan.values.set_index(["group", "column"])
    return values.loc[(0, column), "after"], int(values.loc[(0, column), "source_row"])


def test_fill_takes_the_survivors_value_and_fills_its_blanks_in_rank_order(contacts):
    plan = plan_of(contacts, survivor="most_recently_updated")  # survivor row 0: no Student ID
    assert value(plan, "First Name") == ("Bob", 0)
    assert value(plan, "Student ID") == ("S1", 1)
    assert value(plan, "Contact ID") == ("C10", 0)


@pytest.mark.parametrize("rule, expected", [
    ("survivor", ("Bob", 0)), ("longest", ("Robert", 1)), ("most_recent", ("Bob", 0)),
    ("most_frequent", ("Bob", 0)), ("fill", ("Bob", 0)),
])
def test_field_rules(contacts, rule, expected):
    plan = plan_of(contacts, survivor="most_recently_updated", rules={"First Name": rule})
    assert value(plan, "First Name") == expected


def test_rules_by_role_and_most_frequent(contacts):
    plan = plan_of(contacts, survivor="oldest_created", rules={"first_name": "longest", "Email": "most_frequent"})
    assert value(plan, "First Name") == ("Robert", 1)
    assert value(plan, "Email") == ("bob@x.com", 1)
    assert value(plan, "Created Date") == ("2018-01-01", 2)


def test_union_puts_other_numbers_and_emails_into_empty_sibling_columns(contacts):
    plan = plan_of(contacts, survivor="most_recently_updated")  # survivor row 0
    # the same mobile typed two ways is one number; the home number goes to the empty Home Phone
    assert value(plan, "Mobile Phone") == ("+33 6 12 34 56 78", 0)
    assert value(plan, "Home Phone") == ("01 40 00 00 01", 1)
    assert value(plan, "Email 2") == ("rob@work.com", 1)
    overflow = plan.overflow[["role", "value", "source_row"]].values.tolist()
    assert overflow == [["emails", "bob.smith@y.com", 2], ["phones", "07 81 23 45 67", 2]]
    cleaned = plan.cleaned()
    assert cleaned.loc[0, "dedupe_kit extra emails"] == "bob.smith@y.com"
    assert cleaned.loc[0, "dedupe_kit extra phones"] == "07 81 23 45 67"


def test_an_assistants_phone_column_is_not_filled_with_the_persons_own_number(tmp_path):
    path = tmp_path / "export.csv"  # Salesforce's "Asst. Phone" (Keap's "Assistant Phone"): another person's number
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Mobile,Asst. Phone\n"
                    "003A,William,Turner,will@example.com,(206) 555-0100,(206) 555-0101,\n"
                    "003B,Bill,Turner,will@example.com,(206) 555-0100,(206) 555-0111,\n")
    contacts = load(path)
    assert "Asst. Phone" not in contacts.field_map.columns()
    cleaned = merge(contacts, np.array([0, 0]), MergePolicy(survivor="lowest_record_id")).cleaned()
    assert cleaned.loc[0, ["Asst. Phone", "dedupe_kit extra phones"]].tolist() == ["", "(206) 555-0111"]


def test_a_consent_column_keeps_the_groups_most_restrictive_answer(tmp_path):
    from dedupe_kit.export import audit

    path = tmp_path / "export.csv"  # Jordan Lee opted out of texts on one record: the merged contact is not texted
    rows = ["Mainstay ID,First Name,Last Name,Email,Mobile Phone,Permitted To Text,Opt-in Date,Email Opt Out,"
            "Do Not Call,Email Status,Textable",
            "M1,Jordan,Lee,jordan.lee@example.com,+1 617 555 0101,TRUE,2024-01-02,0,false,Single Opt-in,Y",
            "M2,Jordan,Lee,jordan.lee@example.com,,FALSE,2023-05-05,1,true,Unsubscribed,N",
            "M3,Sam,Park,sam.park@example.org,+1 617 555 0177,Yes,,No,,Hard Bounce,Y",
            "M4,Sam,Park,sam.park@example.org,,,,,,Opted-in,"]
    path.write_text("\n".join(rows) + "\n")
    contacts, groups = load(path), np.array([0, 0, 2, 2])
    plan = merge(contacts, groups, MergePolicy(survivor="lowest_record_id"))
    consent = ["Permitted To Text", "Email Opt Out", "Do Not Call", "Email Status"]
    # as the column writes it, from the record that says no; Opt-in Date is no consent, and Textable says nothing
    assert plan.cleaned()[[*consent, "Opt-in Date", "Textable"]].values.tolist() == [
        ["FALSE", "1", "true", "Unsubscribed", "2024-01-02", "Y"], ["Yes", "No", "", "Hard Bounce", "", "Y"]]
    assert updates(plan)[["Mainstay ID", *consent]].values.tolist() == [["M1", "FALSE", "1", "true", "Unsubscribed"]]
    events = audit(plan)
    fields = events[events["event"] == "field"]
    assert fields[["column", "before", "after", "from_record_id", "rule"]].values.tolist() == [
        ["Permitted To Text", "TRUE", "FALSE", "M2", "opt_in"], ["Email Opt Out", "0", "1", "M2", "opt_out"],
        ["Do Not Call", "false", "true", "M2", "opt_out"], ["Email Status", "Single Opt-in", "Unsubscribed", "M2",
                                                          "opt_in"]]
    assert fields["detail"].str.startswith("a record of the group says the person may not be contacted").all()
    # a rule of [merge.rules] for a column the header does not tell; another rule for one it tells
    policy = MergePolicy(survivor="lowest_record_id", rules={"Textable": "opt_in", "Email Opt Out": "fill"})
    cleaned = merge(contacts, groups, policy).cleaned()
    assert cleaned[["Textable", "Email Opt Out", "Permitted To Text"]].values.tolist() == [
        ["N", "0", "FALSE"], ["Y", "No", "Yes"]]


def test_an_opt_out_of_a_phone_or_fax_is_no_phone_column(tmp_path):
    path = tmp_path / "export.csv"  # Salesforce's HasOptedOutOfFax, Dynamics' Do not allow Phone Calls (DoNotPhone)
    path.write_text("Contact ID,First Name,Last Name,Email,Fax,HasOptedOutOfFax,Do not allow Phone Calls\n"
                    "003A,Jordan,Lee,jordan.lee@example.com,,false,Allow\n"
                    "003B,Jordan,Lee,jordan.lee@example.com,(617) 555-0190,true,Do Not Allow\n")
    contacts = load(path)
    assert contacts.field_map.phones == (("Fax", "fax"),)
    plan = merge(contacts, np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned().iloc[0, 4:].tolist() == ["(617) 555-0190", "true", "Do Not Allow"]  # no extra phones
    assert list(clearing(plan).columns) == ["Contact ID", "First Name", "Last Name", "Email", "Fax"]  # no UNSET


def test_a_wide_file_whose_merge_fills_hundreds_of_columns_is_no_fragmented_frame(tmp_path):
    notes = [f"Note {i}" for i in range(300)]
    path = tmp_path / "export.csv"
    path.write_text(f"Contact ID,First Name,Mobile Phone,{','.join(notes)}\n1,Ann,617-555-0100{',' * 300}\n"
                    f"2,Ann,617-555-0101,{','.join(notes)}\n")
    contacts = load(path)
    plan = merge(contacts, np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)  # "DataFrame is highly fragmented"
        cleaned = plan.cleaned()
    assert cleaned.loc[0, notes].tolist() == notes and cleaned.loc[0, "dedupe_kit extra phones"] == "617-555-0101"
    assert contacts.frame.loc[0, notes].tolist() == [""] * 300  # the input's table as loaded


def test_union_reads_every_address_of_a_cell_that_holds_several(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Email 2\n1,Ann,Lee,ann@x.com; ann@work.com,\n"
                    "2,Ann,Lee,ANN@WORK.COM,\n3,Ann,Lee,ann@x.com; lee@y.com,\n4,Ann,Lee,lee@y.com,\n")
    plan = merge(load(path), np.array([0, 0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    # row 1's address is the survivor's second: not added again; of row 2's cell only lee@y.com is new,
    # and row 3's address is then the survivor's
    assert value(plan, "Email 2") == ("lee@y.com", 2)
    assert plan.overflow.empty


def test_a_cell_of_several_numbers_goes_into_empty_columns_one_number_each(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Mobile Phone,Home Phone,Work Phone\n"
                    "1,Ann,617-555-0100,,\n2,Ann,617-555-0100 / 617-555-0151 (mum) / 617-555-0152,,\n"
                    "3,Bo,617-555-0200,,\n4,Bo,617-555-0250 / 617-555-0251 / ask for Bo,,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    cleaned = plan.cleaned()
    assert cleaned.loc[0, ["Home Phone", "Work Phone"]].tolist() == ["617-555-0151 (mum)", "617-555-0152"]
    assert cleaned.loc[2, "Home Phone"] == "617-555-0250 / 617-555-0251 / ask for Bo"  # words beside: goes whole
    assert plan.overflow.empty and plan.dropped.empty


def test_a_part_of_a_cell_that_is_no_number_beside_a_kept_number_is_not_lost(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Mobile Phone,Home Phone\n"
                    "1,Ann,617-555-0100,617-555-0101\n2,Ann,617-555-0100 / 555-01,\n")
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    # the number 555-01 beside is unusable: the cell goes on whole, as a cell with words beside its numbers does
    assert plan.cleaned().loc[0, "dedupe_kit extra phones"] == "617-555-0100 / 555-01"


def test_a_part_of_a_cell_that_is_no_address_beside_a_kept_address_is_not_lost(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Email 2,Mobile Phone\n"
                    "1,Ann,Quill,ann@example.com,,617-555-0100\n"
                    '2,Ann,Quill,"ann@example.com; ann at example dot net",,617-555-0100\n')
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    # the text beside the address is none: the cell goes on whole, as a number's cell with such a part does
    assert plan.cleaned().loc[0, "Email 2"] == "ann@example.com; ann at example dot net"
    assert plan.overflow.empty and plan.dropped.empty


def test_not_kept_reads_every_value_of_a_cell_that_holds_several(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email\n1,Ann,ann@x.com\n2,Ann,ANN@X.COM; lee@z.com\n"
                    "3,Bo,bo@x.com; bo@y.com\n4,Bo,bo@y.com\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id", rules={"emails": "fill"}))
    # lee@z.com is lost with its record; bo@y.com is not: the survivor's cell holds it
    assert plan.dropped[["group", "value", "source_row"]].values.tolist() == [[0, "lee@z.com", 1]]


def test_union_of_notes_and_tags(contacts):
    plan = plan_of(contacts, survivor="most_recently_updated")
    assert value(plan, "Notes") == ("called | moved", -1)
    assert value(plan, "Tags") == ("vip; gold", -1)  # the separator the values use



def test_a_note_that_an_earlier_merge_joined_already_is_not_added_again(tmp_path):
    path = tmp_path / "cleaned.csv"  # row 0 merged before ('second note | first note'); row 1 exported since
    path.write_text("Contact ID,First Name,Email,Notes\n1,Ann,ann@x.com,second note | first note\n"
                    "2,Ann,ann@x.com,first note\n3,Bo,bo@x.com,a | b\n4,Bo,bo@x.com,c\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()["Notes"].tolist() == ["second note | first note", "a | b | c"]
    assert updates(plan)["Notes"].tolist() == ["a | b | c"]  # nothing to write to the CRM for Ann

@pytest.mark.parametrize("rule", ["most_recent", "longest", "union"])
def test_the_survivors_value_written_in_other_capitals_stays_as_it_is(tmp_path, rule):
    path = tmp_path / "export.csv"  # row 1, the most recent, writes the survivor's name and tag in capitals
    path.write_text("Contact ID,First Name,Last Name,Email,Notes,Tags,Last Modified\n"
                    "1,Mary,Oakhollow,mary@x.com,Called  twice,VIP;Donor,2020-01-01\n"
                    "2,MARY,OAKHOLLOW,mary@x.com,called twice,vip;DONOR,2024-01-01\n")
    columns = ["First Name", "Last Name", "Notes", "Tags"]
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id",
                                                           rules=dict.fromkeys(columns, rule)))
    assert plan.cleaned()[columns].values.tolist() == [["Mary", "Oakhollow", "Called  twice", "VIP;Donor"]]
    assert updates(plan).empty  # nothing to write to the CRM


def test_union_of_google_contacts_labels_keeps_their_separator(tmp_path):
    path = tmp_path / "google.csv"
    path.write_text("First Name,Last Name,Labels\nAnn,Lee,* myContacts ::: Friends\nAnn,Lee,Work ::: * myContacts\n")
    plan = merge(load(path), np.array([0, 0]))
    assert value(plan, "Labels") == ("* myContacts ::: Friends ::: Work", -1)


def test_union_of_tags_splits_and_joins_them_as_their_column_writes_them(tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_text('Record ID,First Name,Tags\n1,Hana,"Boston, MA;Donor"\n2,Hana,Donor;Volunteer\n3,Ivo,\n')
    assert value(merge(load(path), np.array([0, 0, 2])), "Tags") == ("Boston, MA;Donor;Volunteer", -1)
    path.write_text("Id,First Name,Tags\n1,Kim,VIP\n2,Kim,Newsletter\n3,Lu,\"Newsletter,VIP\"\n")  # Keap's commas
    assert value(merge(load(path), np.array([0, 0, 2])), "Tags") == ("VIP,Newsletter", -1)
    path.write_text("Id,First Name,Tags\n1,Kim,Gold;Donor\n2,Kim,donor;VIP\n3,Kim,GOLD\n")  # in other capitals: once
    assert value(merge(load(path), np.array([0, 0, 0])), "Tags") == ("Gold;Donor;VIP", -1)


def test_longest_counts_letters_as_written_not_code_points(tmp_path):
    path = tmp_path / "export.csv"
    decomposed = unicodedata.normalize("NFD", "José")  # e and a combining accent: five code points
    policy = MergePolicy(survivor="lowest_record_id", rules={"first_name": "longest"})
    path.write_text(f"Contact ID,First Name,Last Name\n1,{decomposed},Lee\n2,José,Lee\n3,Josée,Lee\n", encoding="utf-8")
    assert value(merge(load(path), np.array([0, 0, 0]), policy), "First Name") == ("Josée", 2)
    path.write_text(f"Contact ID,First Name,Last Name\n2,{decomposed},Lee\n1,José,Lee\n", encoding="utf-8")
    assert value(merge(load(path), np.array([0, 0]), policy), "First Name") == ("José", 1)  # as long: the survivor's


def test_two_external_ids_stop_a_merge_until_a_person_chooses(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Student ID,Student Number\n1,Ann,S1,\n2,Ann,S2,\n3,Ann,,S1\n4,Ann,,S9\n")
    contacts = load(path)
    stopped = merge(contacts, np.array([0, 0, 2, 2]))
    assert stopped.groups["status"].tolist() == ["stopped", "stopped"]
    assert stopped.groups.loc[0, "conflicts"] == "two different external unique IDs in 'Student ID': 'S1' (row 0), 'S2' (row 1)"
    assert stopped.groups.loc[1, "conflicts"] == \
        "two different external unique IDs in 'Student Number': 'S1' (row 2), 'S9' (row 3)"
    assert len(stopped.cleaned()) == 4 and stopped.survivors().tolist() == [0, 1, 2, 3]
    assert proposed_survivors(contacts, [0, 0, 2, 2]).tolist() == [0, 0, 2, 2]  # what merging would keep
    across = merge(contacts, np.array([0, 1, 2, 0]))
    assert across.groups.loc[0, "conflicts"] == "rows 0 and 3 hold different external unique IDs: S1 / S9"
    renamed = merge(contacts, np.array([0, 1, 0, 3]))  # the same ID under a renamed column merges
    assert renamed.groups["status"].tolist() == ["merge"]
    chosen = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"], "fields": [{"Student ID": 1}]})
    resolved = merge(contacts, np.array([0, 0, 2, 3]), decisions=chosen)
    assert resolved.groups["status"].tolist() == ["merge"]
    assert resolved.cleaned().loc[0, "Student ID"] == "S2"
    assert merge(contacts, np.array([0, 0, 2, 2]), MergePolicy(stop_on=())).groups["status"].tolist() == ["merge"] * 2


def test_a_record_of_two_external_ids_links_the_records_of_either(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Student ID,Student Number,CRM ID\n1,Ann,S1,,\n2,Ann,S1,,X7\n3,Ann,,,X7\n"
                    "4,Ann,,S1,\n5,Ann,,,X9\n")
    contacts = load(path)
    linked = merge(contacts, np.array([0, 0, 0, 3, 4]))  # as clustering groups them: record 2 holds both IDs
    assert linked.groups["status"].tolist() == ["merge"]
    assert linked.cleaned().loc[1, ["Student ID", "CRM ID"]].tolist() == ["S1", "X7"]
    apart = merge(contacts, np.array([0, 1, 0, 3, 4]))  # no record holds both
    assert apart.groups.loc[0, "conflicts"] == "rows 0 and 2 hold different external unique IDs: S1 / X7"
    across = merge(contacts, np.array([0, 1, 2, 0, 0]))  # S1 typed in either column is one ID, X9 another
    assert across.groups.loc[0, "conflicts"] == "rows 0 3 and 4 hold different external unique IDs: S1 / X9"


def test_two_main_phones_stop_a_merge_only_when_asked(contacts):
    assert plan_of(contacts).groups["status"].tolist() == ["merge"]
    plan = plan_of(contacts, stop_on=("external_id", "main_phone"))
    assert plan.groups["status"].tolist() == ["stopped"]
    assert plan.groups.loc[0, "conflicts"].startswith("two different main phones in 'Mobile Phone'")
    with pytest.raises(ConfigError, match=r"undo: group\(s\) 0 were stopped by a conflict .* nothing was merged"):
        plan.undo([0])


def test_a_persons_field_choice_overrides_every_rule(contacts):
    decisions = pd.DataFrame({"a": [1], "b": [2], "decision": ["match"], "fields": ['{"Email": 2, "First Name": 2}']})
    plan = plan_of(contacts, decisions=decisions, rules={"First Name": "longest"})
    assert value(plan, "First Name") == ("Bobby", 2)
    assert value(plan, "Email") == ("bob.smith@y.com", 2)
    # the survivor's own email is not lost: it moves to an empty sibling column or the extra column
    cleaned = plan.cleaned().loc[survivor_row(plan)]
    assert "bob@x.com" in cleaned.tolist()
    assert plan.values.set_index(["group", "column"]).loc[(0, "First Name"), "rule"] == "chosen in review"


def test_a_whole_name_in_one_cell_is_not_filled_with_its_last_name_again(tmp_path):
    # a form with one name field: the whole name in the first-name cell (HubSpot) or the last-name
    # cell (Salesforce's required last name); filling the blank from the other record gave
    # "Eleanor Harrison" "Harrison". It keeps its own other words: Bo, not Robert
    path = tmp_path / "names.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n"
                    "1,Eleanor Harrison,,eh@x.com\n2,Eleanor,Harrison,\n"
                    "3,,Ann Lee,al@x.com\n4,Ann,Lee,\n"
                    "5,Bo Ray,,br@x.com\n6,Robert,Ray,\n"
                    "7,Mary Ann,Smith,ma@x.com\n8,Mary,Ann,\n"
                    "9,\"Smith, John\",,js@x.com\n10,John,Smith,\n11,Lopez Anna,,la@x.com\n12,Anna,Lopez,\n"
                    "13,,Kim Jae,kj@x.com\n14,Jae,Kim,\n")  # the last name first
    contacts = load(path)
    plan = merge(contacts, np.array([0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12, 12]))
    names = plan.cleaned()[["First Name", "Last Name"]].to_numpy().tolist()
    assert names == [["Eleanor", "Harrison"], ["Ann", "Lee"], ["Bo", "Ray"], ["Mary Ann", "Smith"], ["John", "Smith"],
                     ["Anna", "Lopez"], ["Jae", "Kim"]]
    rules = plan.values.set_index(["group", "column"])["rule"]
    assert rules[(0, "First Name")] == "name in one cell, split" and rules[(0, "Last Name")] == "fill"
    decisions = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"], "fields": ['{"First Name": 0}']})
    chosen = merge(contacts, np.array([0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12, 12]), decisions=decisions)
    assert chosen.cleaned()[["First Name", "Last Name"]].iloc[0].tolist() == ["Eleanor Harrison", "Harrison"]  # as asked


def test_a_last_name_that_holds_its_dutch_prefix_or_second_surname_is_not_given_it_again(tmp_path):
    # filling the survivor's blank Tussenvoegsel (or Apellido 2) from the other record gave "Jan van der van der Berg"
    path = tmp_path / "nl.csv"
    path.write_text("ID,Voornaam,Tussenvoegsel,Achternaam,E-mailadres\n1,Jan,,van der Berg,jan@example.com\n"
                    "2,Jan,van der,Berg,\n3,Eva,,Smit,eva@example.com\n4,Eva,de,Smit,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]))
    assert plan.cleaned()[["Tussenvoegsel", "Achternaam"]].to_numpy().tolist() == [["van der", "Berg"], ["de", "Smit"]]
    path = tmp_path / "es.csv"
    path.write_text("ID,Nombre,Apellido 1,Apellido 2,Correo electrónico\n1,María,García López,,maria@example.com\n"
                    "2,María,García,López,\n")
    plan = merge(load(path), np.array([0, 0]))
    assert plan.cleaned()[["Apellido 1", "Apellido 2"]].to_numpy().tolist() == [["García", "López"]]
    assert plan.values.set_index(["group", "column"]).loc[(0, "Apellido 1"), "rule"] == "name in one cell, split"


def test_a_dutch_prefix_or_second_surname_is_filled_only_from_a_record_of_the_merged_last_name(tmp_path):
    path = tmp_path / "nl.csv"  # Eva Smit beside an Eva "de" of no last name: was Eva de Smit
    path.write_text("ID,Voornaam,Tussenvoegsel,Achternaam,E-mailadres,Telefoonnummer\n"
                    "1,Eva,,Smit,eva@example.com,06 12345678\n2,Eva,de,,eva@example.com,\n"
                    "3,Jan,,Berg,jan@example.com,06 87654321\n4,Jan,van der,Meer,,\n"
                    "5,Piet,,,piet@example.com,06 11111111\n6,Piet,de,Vries,,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2, 4, 4]))
    assert plan.cleaned()[["Tussenvoegsel", "Achternaam"]].to_numpy().tolist() == [
        ["", "Smit"], ["", "Berg"], ["de", "Vries"]]  # the last name filled with its own prefix: as before
    dropped = plan.dropped[plan.dropped["column"] == "Tussenvoegsel"]
    assert dropped[["source_row", "value"]].to_numpy().tolist() == [[1, "de"], [3, "van der"]]


def test_a_survivors_dutch_prefix_of_no_last_name_gives_way_to_one_of_the_merged_last_name(tmp_path):
    path = tmp_path / "nl.csv"  # the survivor Eva "de" of no last name beside Eva Smit: was Eva de Smit
    path.write_text("ID,Voornaam,Tussenvoegsel,Achternaam,E-mailadres,Telefoonnummer\n"
                    "1,Eva,de,,eva@example.com,06 12345678\n2,Eva,,Smit,eva@example.com,\n"
                    "3,Jan,,Berg,jan@example.com,06 87654321\n4,Jan,van der,Meer,,\n5,Jan,van den,Berg,,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2, 2]))
    assert plan.cleaned()[["Tussenvoegsel", "Achternaam"]].to_numpy().tolist() == [
        ["", "Smit"], ["van den", "Berg"]]  # Jan Berg takes the prefix of Berg, not of Meer ranked before it
    assert clearing(plan)[["ID", "Tussenvoegsel"]].to_numpy().tolist()[-1] == ["1", "UNSET"]


def test_creation_and_update_dates_stay_the_survivors_a_crm_sets_them(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Created Date,Last Modified\n"
                    "C1,Ann,Lee,ann@x.com,+1 212 555 0142,,\nC2,Ann,Lee,,,2019-01-01,2020-01-01\n")
    plan = merge(load(path), np.array([0, 0]))
    assert survivor_row(plan) == 0  # the most complete, with no dates: they are not filled from row 1
    assert plan.cleaned()[["Created Date", "Last Modified"]].iloc[0].tolist() == ["", ""]
    assert "Created Date" not in updates(plan).columns


def test_a_choice_made_for_a_group_since_split_changes_nothing(contacts):
    # row 3 is alone now: its old match decision and field choice have no group to apply to
    decisions = pd.DataFrame({"a": [3], "b": [3], "decision": ["match"], "survivor_row": [3],
                              "fields": ['{"Email": 3}']})
    plan = plan_of(contacts, decisions=decisions)
    assert plan.values.equals(plan_of(contacts).values)
    assert plan.cleaned().equals(plan_of(contacts).cleaned())


def test_untouched_rows_stay_identical_and_undo_restores_them(contacts):
    plan = plan_of(contacts)
    cleaned = plan.cleaned()
    assert list(cleaned.columns[:13]) == contacts.columns
    assert cleaned.index.tolist() == [1, 3]
    assert cleaned.loc[3, contacts.columns].equals(contacts.frame.loc[3])
    undone = plan.undo([0])
    assert undone.groups["status"].tolist() == ["undone"] and undone.undone == (0,)
    assert undone.cleaned().equals(contacts.frame)
    assert plan.undo().cleaned().equals(contacts.frame)
    with pytest.raises(ConfigError, match="no group 7"):
        plan.undo([7])


def test_view_shows_the_group_side_by_side(contacts):
    view = plan_of(contacts, survivor="lowest_record_id").view(0)
    assert list(view.columns) == ["row 0 C10", "row 1 C9 (survivor)", "row 2 C11", "merged", "from row", "rule"]
    assert view.loc["Home Phone", ["merged", "from row", "rule"]].tolist() == ["01 40 00 00 01", "1", "union"]
    assert view.loc["Notes", "from row"] == "several"


def test_view_of_a_group_the_plan_does_not_have_names_those_it_has(contacts):
    # notebook 03 on another export: `plan.view(1)` where no group starts at row 1 was a bare KeyError: 1
    plan = plan_of(contacts)
    with pytest.raises(ConfigError, match="view: no group 1 in this merge plan; its groups, each numbered by its "
                                          "first row, are 0$"):
        plan.view(1)
    with pytest.raises(ConfigError, match="undo: no group 7 in this merge plan; its groups"):
        plan.undo([7])


def test_policy_errors_name_the_fix(contacts):
    with pytest.raises(ConfigError, match="survivor 'newest' is not one of"):
        MergePolicy(survivor="newest")
    with pytest.raises(ConfigError, match="'Phone' is neither a column"):
        plan_of(contacts, rules={"Phone": "longest"})
    with pytest.raises(ConfigError, match="record ID column 'Contact ID' always keeps"):
        plan_of(contacts, rules={"Contact ID": "longest"})
    with pytest.raises(ConfigError, match="creation date column 'Created Date' always keeps"):
        plan_of(contacts, rules={"created": "most_recent"})
    with pytest.raises(ConfigError, match="source_priority"):
        MergePolicy(survivor="source_priority")
    with pytest.raises(ConfigError, match="rules.Notes: 'join' is not one of"):
        Config.from_dict({"merge": {"rules": {"Notes": "join"}}})


def test_a_most_recent_rule_without_a_date_column_is_refused(tmp_path):
    path = tmp_path / "export.csv"  # nothing says which record is the more recent: not the survivor's value unsaid
    path.write_text("Contact ID,First Name,Last Name,Company\n1,Ann,Lee,Acme\n2,Ann,Lee,Beta\n")
    with pytest.raises(ConfigError, match=r"^merge: rules: 'Company' = 'most_recent' needs a column with the role "
                                          r"'updated' or 'created'$"):
        merge(load(path), np.array([0, 0]), MergePolicy(rules={"Company": "most_recent"}))


def test_a_rule_that_joins_external_ids_is_refused(contacts):
    # one person has one ID: a union would write one ID typed two ways (00421 | 421.0) as two
    for target in ("external_ids", "Student ID"):
        with pytest.raises(ConfigError, match=f"merge: rules.{target}: 'union' joins .* ID column 'Student ID'"):
            plan_of(contacts, rules={target: "union"})
    assert value(plan_of(contacts, rules={"external_ids": "union", "Student ID": "most_frequent"}), "Student ID") == (
        "S1", 1)  # the column's own rule wins


def test_merge_policy_round_trips_through_toml(tmp_path):
    config = Config.from_dict({"merge": {"survivor": "oldest_created", "rules": {"First Name": "longest"},
                                         "crm": "salesforce", "stop_on": ["external_id", "main_phone"]}})
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml())
    again = Config.from_toml(path)
    assert again.merge == config.merge and again.merge.clear == "#N/A"


def test_an_id_a_spreadsheet_stripped_of_its_leading_zeros_gets_them_back(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Student ID,Created Date\n1,Ann,123,2020-01-01\n2,Ann,00123,2021-01-01\n"
                    "3,Bo,77.0,2020-01-01\n4,Bo,77,2021-01-01\n5,Cy,S-0012,2020-01-01\n6,Cy,s-0012,2021-01-01\n")
    plan = merge(load(path), np.array([0, 0, 2, 2, 4, 4]), MergePolicy(survivor="oldest_created"))
    assert plan.survivors().tolist() == [0, 0, 2, 2, 4, 4] and plan.groups["status"].tolist() == ["merge"] * 3
    assert plan.cleaned()["Student ID"].tolist() == ["00123", "77", "S-0012"]  # not a .0, nor another case
    assert updates(plan)["Student ID"].tolist() == ["00123", "77"]


def test_an_id_whose_only_typing_with_its_zeros_has_a_point_zero_is_written_without_it(tmp_path):
    from dedupe_kit.export import audit

    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Student ID,Created Date\n1,Ann,421,2020-01-01\n2,Ann,00421.0,2021-01-01\n")
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="oldest_created"))
    assert plan.cleaned()["Student ID"].tolist() == ["00421"]  # its zeros, not the .0
    assert updates(plan)["Student ID"].tolist() == ["00421"]
    assert "not kept" not in audit(plan)["event"].tolist()  # the same ID, kept


def test_placeholders_are_not_external_ids_and_stop_nothing(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Student ID,Mobile Phone\n1,Ann,NA,555-555-5555\n2,Ann,N/A,+1 212 555 0100\n"
                    "3,Ann,None,\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(stop_on=("external_id", "main_phone")))
    assert plan.groups["status"].tolist() == ["merge"]


def test_numbers_a_rule_does_not_keep_are_listed_never_silently_dropped(contacts, tmp_path):
    from dedupe_kit.export import audit

    plan = plan_of(contacts, survivor="most_recently_updated", rules={"phones": "fill", "emails": "fill"})
    assert plan.dropped[["role", "value", "source_row"]].values.tolist() == [
        ["emails", "bob.smith@y.com", 2], ["phones", "07 81 23 45 67", 2],
        ["", "crm", 1], ["", "import", 2]]  # not a name another record writes otherwise: Robert, Bobby
    events = audit(plan)
    assert events.loc[events["event"] == "not kept", "before"].tolist()[:2] == ["bob.smith@y.com", "07 81 23 45 67"]
    assert plan_of(contacts).dropped["column"].tolist() == ["Source", "Source"]  # union
    # keeps every number and address


def test_other_values_a_rule_does_not_keep_are_listed_in_the_audit(tmp_path):
    from dedupe_kit.export import audit

    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Company,City,Country,Title,Created Date\n"
                    "1,Ann,ann@x.com,Acme,Boston,United States,,2020-01-01\n"
                    "2,Ann,ann@x.com,Acme Corp,BOSTON,USA,N/A,2019-01-01\n"
                    "3,Ann,ann@x.com,Acme Corp,Cambridge,US,Buyer,2018-01-01\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    # Acme Corp for each record that holds it; not BOSTON (Boston in capitals), USA or US (the same country), N/A,
    # Buyer (it fills the blank) or the creation dates (the CRM's own)
    assert plan.dropped[["column", "value", "source_row"]].values.tolist() == [
        ["Company", "Acme Corp", 1], ["Company", "Acme Corp", 2], ["City", "Cambridge", 2]]
    events = audit(plan)
    not_kept = events.loc[events["event"] == "not kept", ["record_id", "column", "before", "from_record_id", "rule"]]
    assert not_kept.values.tolist() == [
        ["1", "Company", "Acme Corp", "2", "fill"], ["1", "Company", "Acme Corp", "3", "fill"],
        ["1", "City", "Cambridge", "3", "fill"]]
    assert plan.cleaned()[["Company", "City", "Title"]].values.tolist() == [["Acme", "Boston", "Buyer"]]
    path.write_text("Contact ID,First Name,Mobile Phone\n1,Ann,(415) 555-0101\n2,Ann,(415) 555-0102\n"
                    "3,Ann,415-555-0102\n")  # a number too, once for each record that holds it
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id", rules={"phones": "fill"}))
    assert plan.dropped[["value", "source_row"]].values.tolist() == [["(415) 555-0102", 1], ["415-555-0102", 2]]


def test_a_value_that_differs_only_by_the_quote_a_crm_writes_before_a_formula_is_kept(tmp_path):
    # the survivor's '@annem is @annem, the ' a CRM writes so that a spreadsheet does not run it: the audit listed
    # @annem as not kept beside it; @annem2 is another value
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Instagram,Code\n1,Anne,'@annem,'00123\n2,Anne,@annem,00123\n"
                    "3,Anne,@annem2,00124\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.dropped[["column", "value", "source_row"]].values.tolist() == [
        ["Instagram", "@annem2", 2], ["Code", "00124", 2]]


@pytest.mark.parametrize("rules", [{}, {"emails": "fill"}])
def test_an_address_kept_only_as_another_writing_of_its_mailbox_is_listed_as_not_kept(tmp_path, rules):
    path = tmp_path / "export.csv"  # Gmail reads jean.dupont+news@ as jeandupont@: one mailbox, two addresses
    path.write_text("Contact ID,First Name,Email,Email 2\n1,Jean,jeandupont@gmail.com,\n"
                    "2,Jean,Jean.Dupont+news@gmail.com,JEANDUPONT@GMAIL.COM\n"
                    "3,Jean,\"jean.dupont@gmail.com; jd@x.org\",\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id", rules=rules))
    assert plan.cleaned()["Email"].tolist() == ["jeandupont@gmail.com"]
    not_kept = plan.dropped[["value", "source_row"]].values.tolist()  # not the address in capitals
    assert not_kept[:2] == [["Jean.Dupont+news@gmail.com", 1], ["jean.dupont@gmail.com", 2]]
    assert not_kept[2:] == ([] if not rules else [["jd@x.org", 2]])  # union keeps jd@x.org


def test_survivor_dates_read_timestamps_and_dotted_dates(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("Contact ID,First Name,Created Date\n1,Ann,2019-01-05T09:00:00.000Z\n2,Ann,2018-12-31 23:59\n"
                    "3,Ann,3.7.2017\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="oldest_created"))
    assert plan.groups.loc[0, ["survivor_row", "survivor_reason"]].tolist() == [2, "oldest created (3.7.2017)"]


def test_two_records_of_one_day_are_told_apart_by_their_time(tmp_path):
    path = tmp_path / "dates.csv"  # a form filled twice in a day: the first is the oldest, not the lower row
    path.write_text("Contact ID,First Name,Created Date,Last Modified\n1,Ann,3/4/2021 2:15 PM,3/9/2021 9:00 AM\n"
                    "2,Ann,3/4/2021 10:40 AM,3/9/2021 12:30 PM\n3,Bob,2021-03-04T09:00:00Z,2021-03-04\n"
                    "4,Bob,2021-03-04T08:59:59Z,2021-03-04 00:00:01\n")
    oldest = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="oldest_created"))
    assert oldest.groups["survivor_reason"].tolist() == ["oldest created (3/4/2021 10:40 AM)",
                                                         "oldest created (2021-03-04T08:59:59Z)"]
    recent = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="most_recently_updated"))
    assert recent.groups["survivor_row"].tolist() == [1, 3]  # 12:30 PM is after 9:00 AM; a date alone is midnight


def test_times_with_a_time_zone_offset_are_compared_in_utc(tmp_path):
    # an API writes UTC (Z), a user's edit the offset of his zone: 10:00+01:00 is 09:00Z, before 09:30Z
    path = tmp_path / "dates.csv"
    path.write_text("Contact ID,Company,Last Modified\nZ1,Old Co,2024-03-02T10:00:00+01:00\n"
                    "Z2,New Co,2024-03-02T09:30:00Z\nZ3,Old Co,2024-03-02T06:00:00.000-0500\n"
                    "Z4,New Co,2024-03-02T10:30:00+00:00\n")
    policy = MergePolicy(survivor="most_recently_updated", rules={"Company": "most_recent"})
    plan = merge(load(path), np.array([0, 0, 2, 2]), policy)
    assert plan.groups["survivor_row"].tolist() == [1, 2]  # Z2 and Z3, 11:00Z
    assert plan.values.loc[plan.values["column"] == "Company", "after"].tolist() == ["New Co", "Old Co"]


def test_survivor_dates_read_months_in_words_and_two_digit_years(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text('Contact ID,First Name,Created Date\n1,Ann,2021-03-05T09:00:00Z\n2,Ann,"Mar 4, 2021 10:00 AM"\n'
                    "3,Ann,3/6/21\n4,Bob,04-Mar-2021\n5,Bob,1er mars 2021\n")
    plan = merge(load(path), np.array([0, 0, 0, 3, 3]), MergePolicy(survivor="oldest_created"))
    assert plan.groups["survivor_row"].tolist() == [1, 4]
    assert plan.groups["survivor_reason"].tolist() == ["oldest created (Mar 4, 2021 10:00 AM)", "oldest created (1er mars 2021)"]


def test_slashed_dates_are_read_in_the_order_their_column_writes_them(tmp_path):
    path = tmp_path / "dates.csv"  # day first: 20/03 tells; 05/03 is the 5th of March, not the 3rd of May
    path.write_text("Contact ID,First Name,Last Modified\n1,Ann,05/03/2021 10:00\n2,Ann,20/03/2021\n3,Bob,01/01/2020\n")
    plan = merge(load(path), np.array([0, 0, 2]), MergePolicy(survivor="most_recently_updated"))
    assert plan.groups.loc[0, ["survivor_row", "survivor_reason"]].tolist() == [1, "most recently updated (20/03/2021)"]
    path.write_text("Contact ID,First Name,Last Modified\n1,Ann,03/05/2021\n2,Ann,03/20/2021\n3,Bob,01/01/2020\n")
    plan = merge(load(path), np.array([0, 0, 2]), MergePolicy(survivor="most_recently_updated"))
    assert plan.groups.loc[0, "survivor_row"] == 1  # month first, as the 20 in second place tells


def test_year_first_dates_with_slashes_or_dots_are_read(tmp_path):
    path = tmp_path / "dates.csv"  # 2021/01/10 and 2024/11/30 were "no date", and the lower row survived
    path.write_text("Contact ID,Company,Last Modified Date\nW1,Old Co,2021/01/10\nW2,New Co,2024/11/30 08:00\n"
                    "X1,Old Co,2021.01.10\nX2,New Co,2024.11.30\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]),
                 MergePolicy(survivor="most_recently_updated", rules={"Company": "most_recent"}))
    assert plan.groups["survivor_reason"].tolist() == ["most recently updated (2024/11/30 08:00)",
                                                       "most recently updated (2024.11.30)"]
    assert plan.values.loc[plan.values["column"] == "Company", "after"].tolist() == ["New Co", "New Co"]


def test_a_column_of_seconds_or_milliseconds_since_1970_is_read_as_dates(tmp_path):
    path = tmp_path / "dates.csv"  # as some CRMs' APIs export dates; 1700000000 is 2023-11-14 22:13:20 UTC
    path.write_text("Contact ID,Company,Last Modified Date\n1,Old Co,1600000000000\n2,New Co,1700000000000\n"
                    "3,Old Co,1700000000\n4,New Co,1700000001\n5,Solo,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2, 4]),
                 MergePolicy(survivor="most_recently_updated", rules={"Company": "most_recent"}))
    assert plan.groups["survivor_row"].tolist() == [1, 3]
    assert plan.values.loc[plan.values["column"] == "Company", "after"].tolist() == ["New Co", "New Co"]
    # only a column of nothing else: among other dates, a number may be anything
    path.write_text("Contact ID,Company,Last Modified Date\n1,Old Co,2020-01-01\n2,New Co,1700000000000\n")
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="most_recently_updated"))
    assert plan.groups.loc[0, "survivor_reason"] == "most recently updated (2020-01-01)"


def test_a_reason_shows_a_date_of_seconds_or_milliseconds_since_1970_as_the_date_it_stands_for(tmp_path):
    path = tmp_path / "dates.csv"  # "most recently updated (1700000001000)" told the analyst nothing
    path.write_text("Contact ID,Company,Created Date,Last Modified Date\n1,Old Co,1600000000,1700000000000\n"
                    "2,New Co,1600000000,1700000001000\n3,Old Co,1600000000,1600000000000\n4,New Co,1700000001,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="most_recently_updated"))
    assert plan.groups["survivor_reason"].tolist() == [
        "most recently updated (2023-11-14 22:13:21 UTC)",
        "most recently updated (created 2023-11-14 22:13:21 UTC, no update date)"]
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="oldest_created"))
    assert plan.groups["survivor_reason"].tolist() == [
        "oldest created (2020-09-13 12:26:40 UTC); tie with row 1 broken by the lower row",
        "oldest created (2020-09-13 12:26:40 UTC)"]


def test_a_column_of_dates_and_times_without_separators_is_not_read_as_milliseconds(tmp_path):
    path = tmp_path / "dates.csv"  # 202301021030 was 202,301,021,030 ms since 1970: 1976-05-30, older than 2022
    path.write_text("Contact ID,Company,Created Date,Last Modified Date\n1,New Co,202301021030,\n"
                    "2,Old Co,202101021030,2022-05-01 09:00\n3,Old Co,20210102103000,\n4,New Co,20210102103001,\n")
    groups = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="most_recently_updated")).groups
    assert groups[["survivor_row", "survivor_reason"]].to_numpy().tolist() == [
        [0, "most recently updated (created 202301021030, no update date)"],
        [3, "most recently updated (created 20210102103001, no update date)"]]


def test_a_record_never_modified_was_last_touched_when_created(tmp_path):
    path = tmp_path / "dates.csv"  # T3, created after the others were last modified, has no Last Modified
    path.write_text("Contact ID,Company,Created Date,Last Modified Date\nT1,Alpha,2019-01-01,1/2/2024\n"
                    "T2,Beta,2019-01-01,2024-01-15\nT3,Gamma,2025-01-01,\nT4,Delta,,\n"
                    "T5,Epsilon,2030-01-01,soon\n")  # modified, when is not known: no date
    groups = np.zeros(5, dtype=np.int64)
    plan = merge(load(path), groups, MergePolicy(survivor="lowest_record_id", rules={"Company": "most_recent"}))
    assert plan.values.set_index("column").loc["Company", ["after", "source_row"]].tolist() == ["Gamma", 2]
    plan = merge(load(path), groups, MergePolicy(survivor="most_recently_updated"))
    assert plan.groups.loc[0, ["survivor_row", "survivor_reason"]].tolist() == [
        2, "most recently updated (created 2025-01-01, no update date)"]


@pytest.mark.parametrize("created, updated, updated_too", [("1900-01-01", "01/01/1900 12:00 AM", "0000-00-00 00:00:00"),
                                                            ("unknown", "-", "N/A")])
def test_a_placeholder_date_is_no_date(tmp_path, created, updated, updated_too):
    # 1900-01-01 (a spreadsheet's day 0), MySQL's 0000-00-00 and a placeholder (N/A, -) stand for no date: not the
    # oldest, and a record whose update date is one was last touched when created; nor are they dates the summary
    # warns of (Q1's update date N/A was a date not read: Q2 survived, and the summary asked to rewrite it)
    path = tmp_path / "dates.csv"
    path.write_text("Contact ID,Company,Created Date,Last Modified\n"
                    f"P1,Old Co,{created},{updated}\nP2,New Co,2019-05-04,2019-05-04\n"
                    f"Q1,Fresh Co,2019-06-01,{updated_too}\nQ2,Stale Co,2019-01-04,2019-01-04\n")
    contacts, groups = load(path), np.array([0, 0, 2, 2])
    plan = merge(contacts, groups, MergePolicy(survivor="oldest_created"))
    assert plan.groups["survivor_reason"].tolist() == ["oldest created (2019-05-04)", "oldest created (2019-01-04)"]
    policy = MergePolicy(survivor="most_recently_updated", rules={"Company": "most_recent"})
    plan = merge(contacts, groups, policy)
    assert plan.groups["survivor_reason"].tolist() == ["most recently updated (2019-05-04)",
                                                       "most recently updated (created 2019-06-01, no update date)"]
    assert plan.values.loc[plan.values["column"] == "Company", "after"].tolist() == ["New Co", "Fresh Co"]
    assert unread_dates(contacts, policy, np.arange(4)) == []


def test_a_day_the_calendar_has_not_is_no_date(tmp_path):
    # 31/04/2024 was read as 2024-04-31, later than 15/04/2024: its record survived and its company won
    path = tmp_path / "dates.csv"
    path.write_text("Contact ID,Company,Created Date,Last Modified\nP1,Old Co,2019-01-01,31/04/2024\n"
                    "P2,New Co,2019-05-04,15/04/2024\nP3,Leap Co,2023-02-29,\nP4,Real Co,2023-02-28,\n")
    contacts, groups = load(path), np.array([0, 0, 2, 2])
    policy = MergePolicy(survivor="most_recently_updated", rules={"Company": "most_recent"})
    plan = merge(contacts, groups, policy)
    assert plan.groups["survivor_reason"].tolist() == ["most recently updated (15/04/2024)",
                                                       "most recently updated (created 2023-02-28, no update date)"]
    assert plan.values.loc[plan.values["column"] == "Company", "after"].tolist() == ["New Co", "Real Co"]
    assert "'Last Modified' holds 1 filled cell not read as a date, such as '31/04/2024'" in unread_dates(
        contacts, policy, np.arange(4))[0]


def test_a_placeholder_birth_date_is_filled_and_not_carried(tmp_path):
    # the survivor's 1900-01-01 is no birth date: the other record's fills it; one of another record goes nowhere
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Birth Date\nB1,Marcus,1900-01-01\nB2,Marcus,1985-06-07\n"
                    "B3,Dana,\nB4,Dana,01/01/1900 00:00\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()["Birth Date"].tolist() == ["1985-06-07", ""]
    assert updates(plan)[["Contact ID", "Birth Date"]].values.tolist() == [["B1", "1985-06-07"]]


def test_date_cells_a_rule_cannot_read_are_named_in_the_summary(tmp_path):
    path = tmp_path / "dates.csv"  # a lone epoch among other dates, a time before the date: no date, said so
    path.write_text("Contact ID,First Name,Last Name,Email,Company,Last Modified Date\n"
                    "U1,Raj,Shah,raj@x.com,Zeta,2020-01-01\nU2,Raj,Shah,raj@x.com,Eta,1700000000000\n"
                    "V1,Sue,Tam,sue@x.com,One,12:00 AM 2024-05-05\nV2,Sue,Tam,sue@x.com,Two,\n"
                    "X1,Xi,Yu,xi@y.com,Solo,soon\n")  # in no group: no rule reads it
    said = (f"warning: 'Last Modified Date' holds 2 filled cells not read as a date, such as '1700000000000' ({path}, "
            "line 3 (row 1)): the merge rules read no date there")
    for policy in (MergePolicy(rules={"Company": "most_recent"}), MergePolicy(survivor="most_recently_updated")):
        result = run(path, Config(merge=policy), progress=False)
        assert said in result.summary()
        result.write(tmp_path / "out", progress=False)
        assert said in (tmp_path / "out" / "summary.txt").read_text()
    assert "not read as a date" not in run(path, progress=False).summary()  # no rule reads the dates


def test_dates_of_a_column_that_writes_both_orders_are_named_in_the_summary(tmp_path):
    # 25/12/2023 is day first, 12/26/2023 month first: 04/03/2024 and 03/05/2024 could be either, read month first
    path = tmp_path / "dates.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Company,Last Modified\n"
                    "M1,Ann,Lee,ann@x.com,Old Co,04/03/2024\nM2,Ann,Lee,ann@x.com,New Co,03/05/2024 10:00\n"
                    "M3,Bo,Ray,bo@x.com,X,25/12/2023\nM4,Cy,Orr,cy@x.com,Y,12/26/2023\n")
    result = run(path, Config(merge=MergePolicy(survivor="most_recently_updated")), progress=False)
    assert (f"warning: 'Last Modified' writes dates both day first ('25/12/2023') and month first ('12/26/2023'): 2 "
            f"cells of the groups, such as '04/03/2024' ({path}, line 2 (row 0)), could be either and are read month "
            "first") in result.summary()
    path.write_text("Contact ID,First Name,Last Name,Email,Company,Last Modified\n"
                    "M1,Ann,Lee,ann@x.com,Old Co,04/03/2024\nM2,Ann,Lee,ann@x.com,New Co,03/05/2024 10:00\n"
                    "M3,Bo,Ray,bo@x.com,X,25/12/2023\nM4,Cy,Orr,cy@x.com,Y,26/12/2023\n")
    assert "writes dates both" not in run(path, Config(merge=MergePolicy(survivor="most_recently_updated")),
                                          progress=False).summary()  # day first, as 25/12 tells
    path.write_text("Contact ID,First Name,Last Name,Email,Company,Last Modified\n"  # 12/26 is no day first: not either
                    "M1,Ann,Lee,ann@x.com,Old Co,12/26/2023\nM2,Ann,Lee,ann@x.com,New Co,25/12/2023\n"
                    "M3,Bo,Ray,bo@x.com,X,04/03/2024\nM4,Bo,Ray,bo@x.com,Y,2024-03-05\n")
    assert f"1 cell of the groups, such as '04/03/2024' ({path}, line 4 (row 2)), could be either and is read" in run(
        path, Config(merge=MergePolicy(survivor="most_recently_updated")), progress=False).summary()


def test_birth_dates_of_a_column_that_writes_both_orders_are_named_in_the_summary(tmp_path):
    # matching reads the birth dates of every row, in groups or not: 04/03/1985 could be 4 March or 3 April
    path = tmp_path / "births.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Birthdate\n"
                    "B1,Ann,Lee,ann@example.com,25/12/1990\nB2,Bo,Ray,bo@example.com,04/03/1985\n"
                    "B3,Cy,Orr,cy@example.com,02/25/1970\n")
    assert (f"warning: 'Birthdate' writes dates both day first ('25/12/1990') and month first ('02/25/1970'): 1 cell, "
            f"such as '04/03/1985' ({path}, line 3 (row 1)), could be either and is read month first when matching; "
            "check them") in run(path, progress=False).summary()
    path.write_text("Contact ID,First Name,Last Name,Email,Birthdate\n"
                    "B1,Ann,Lee,ann@example.com,25/12/1990\nB2,Bo,Ray,bo@example.com,04/03/1985\n")
    assert "writes dates both" not in run(path, progress=False).summary()  # day first, as 25/12 tells


def test_a_cell_without_identifier_meets_the_identifier_its_text_reads_as(tmp_path):
    # the merge compares keys as integers: a folded text must get the code of the same identifier
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email,Email 2\n1,bob@x.com,\n2,BOB@X.COM ,\n")
    contacts = load(path)
    normalized = normalize(contacts)
    ids = normalized.identifiers
    without = dataclasses.replace(normalized, identifiers=ids[ids["source_row"] != 1].reset_index(drop=True))
    for rules in ({}, {"emails": "fill"}):
        plan = merge(contacts, np.array([0, 0]), MergePolicy(rules=rules), normalized=without)
        assert plan.dropped.empty  # the merged contact keeps that address
        assert plan.cleaned()[["Email", "Email 2"]].values.tolist() == [["bob@x.com", ""]]  # not added twice


def test_a_number_read_only_with_another_rows_country_is_not_added_twice(tmp_path):
    # the same text, a number in the United Kingdom and too long in the default region: one number
    path = tmp_path / "export.csv"
    for first, second in (("United Kingdom", ""), ("", "United Kingdom")):  # either one the survivor
        path.write_text(f"Contact ID,Email,Mobile Phone,Home Phone,Country\n1,sam@x.com,07812 153147,,{first}\n"
                        f"2,sam@x.com,07812 153147,,{second}\n")
        contacts = load(path)
        assert len(normalize(contacts).identifiers.query("kind == 'phone'")) == 1
        plan = merge(contacts, np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
        assert plan.cleaned()[["Mobile Phone", "Home Phone"]].values.tolist() == [["07812 153147", ""]]
        assert plan.dropped.empty and plan.overflow.empty


def test_a_number_written_nationally_is_the_groups_number_of_that_country(tmp_path):
    # 07812 153147 is too long in the default region (the United States), and is +44 7812 153147 in the
    # United Kingdom, where the survivor's number is: one number, not a second phone
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email,Mobile Phone,Home Phone\n1,sam@x.com,+44 7812 153147,\n2,sam@x.com,07812 153147,\n"
                    "3,al@x.com,+44 7812 153148,\n4,al@x.com,07812 153149,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()[["Mobile Phone", "Home Phone"]].values.tolist() == [
        ["+44 7812 153147", ""], ["+44 7812 153148", "07812 153149"]]  # another number stays one
    assert plan.dropped.empty and plan.overflow.empty


def test_union_fills_a_column_of_white_space_unless_a_person_chose_its_value(tmp_path):
    path = tmp_path / "export.csv"  # the survivor's Home Phone holds only spaces: it is empty
    rows = [ROWS[0].replace(",+33 6 12 34 56 78,,", ",+33 6 12 34 56 78,   ,"), *ROWS[1:]]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    contacts = load(path)
    plan = plan_of(contacts, survivor="most_recently_updated")  # survivor row 0
    assert value(plan, "Home Phone") == ("01 40 00 00 01", 1)
    chosen = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"], "fields": [{"Home Phone": 0}]})
    plan = plan_of(contacts, decisions=chosen, survivor="most_recently_updated")
    assert value(plan, "Home Phone") == ("   ", 0)  # as the person chose: the home number goes elsewhere
    assert ["phones", "01 40 00 00 01", 1] in plan.overflow[["role", "value", "source_row"]].values.tolist()


def test_a_cell_of_placeholders_is_blank_to_the_merge(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Home Phone\n1,Ann,Lee,ann@x.com,(212) 555-0142,\n"
                    "2,Ann,Lee,noemail@x.com,n/a,555-555-5555\n3,Ann,Lee,ann@x.com,000-000-0000,226-2649\n")
    contacts = load(path)
    plan = merge(contacts, np.array([0, 0, 0]))
    assert plan.groups["survivor_row"].tolist() == [0]  # the placeholders of row 1 do not make it the most complete
    assert plan.groups["survivor_reason"].tolist() == ["most complete (5 filled cells); tie with row 2 broken by the lower row"]
    assert value(plan, "Home Phone") == ("226-2649", 2)  # a local number is information: kept
    assert plan.overflow.empty  # no placeholder carried into an extra column
    assert proposed_survivors(contacts, np.array([0, 0, 0])).tolist() == [0, 0, 0]
    path.write_text("Contact ID,First Name,Mobile Phone\n1,Ann,\n2,Ann,n/a\n3,Ann,(212) 555-0142\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert value(plan, "Mobile Phone") == ("(212) 555-0142", 2)  # fills the survivor's blank, not 'n/a'


@pytest.mark.parametrize("survivor", ["most_complete", "lowest_record_id"])
@pytest.mark.parametrize("rule", ["fill", "most_recent", "longest", "most_frequent", "union"])
def test_a_text_cell_of_placeholders_is_blank_to_every_rule(tmp_path, survivor, rule):
    path = tmp_path / "export.csv"  # row 0, the lowest ID and the most recent, holds placeholders
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Company,City,Title,Notes,Last Modified\n"
                    "1,Ann,Lee,ann@x.com,.,N/A,#VALUE!,--,unknown,2024-01-01\n"
                    "2,Ann,Lee,ann@x.com,,Acme,Boston,Buyer,Called twice,2020-01-01\n"
                    "3,Ann,Lee,ann@x.com,,.,?,TBD,-,2023-01-01\n")
    contacts = load(path)
    columns = ["Company", "City", "Title", "Notes"]
    plan = merge(contacts, np.array([0, 0, 0]), MergePolicy(survivor=survivor, rules=dict.fromkeys(columns, rule)))
    if survivor == "most_complete":  # the placeholders make neither row 0 nor row 2 the most complete
        assert plan.groups["survivor_row"].tolist() == [1]
        assert proposed_survivors(contacts, np.array([0, 0, 0])).tolist() == [1, 1, 1]
    assert plan.cleaned()[columns].values.tolist() == [["Acme", "Boston", "Buyer", "Called twice"]]
    assert plan.overflow.empty  # nor is a phone of '.' carried into an extra column


def test_an_empty_json_list_with_white_space_inside_is_blank_as_one_without(tmp_path):
    # '[ ]' and '[\n]', as some APIs and tools write an empty list, made row 0 the most complete, so that the
    # merged contact took its '[ ]' for an email and kept it in a JSON list of the other row's address
    def merged(empty, spaced):
        path, header = tmp_path / "export.csv", ["Contact ID", "First Name", "Last Name", "Email", "Phone", "Company"]
        with path.open("w", newline="") as f:
            csv.writer(f).writerows([[*header, "Member ID"], ["1", "Ann", "Lee", spaced, empty, spaced, spaced],
                                     ["2", "Ann", "Lee", "ann@example.com", "+1 617-555-0142", "Acme", "M7"],
                                     ["3", "Ann", "Lee", empty, spaced, empty, empty]])
        contacts = load(path, fields={"external_ids": ["Member ID"]})
        plan = merge(contacts, np.array([0, 0, 0]))
        return plan.groups["survivor_row"].tolist(), plan.cleaned().values.tolist(), plan.overflow.empty

    assert merged("[]", "[ ]") == merged("[]", "[\n  ]") == merged("[]", "[]")
    assert merged("[]", "[ ]")[1] == [["2", "Ann", "Lee", "ann@example.com", "+1 617-555-0142", "Acme", "M7"]]


def test_a_placeholder_dash_behind_a_crms_formula_guard_is_blank_too(tmp_path):
    path = tmp_path / "export.csv"  # a CRM that stops formulas writes the placeholder - as '-
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Company,Title\n"
                    "1,Ann,Lee,ann@example.com,'-,'-,'--\n2,Ann,Lee,ann@example.com,+33 6 12 34 56 78,Acme,\n")
    plan = merge(load(path), np.array([0, 0]))
    assert plan.groups["survivor_row"].tolist() == [1]  # not the most complete by its placeholders
    assert plan.cleaned()[["Phone", "Company", "Title"]].values.tolist() == [["+33 6 12 34 56 78", "Acme", ""]]
    assert plan.overflow.empty  # no '- carried into an extra phone column


def test_a_column_of_no_role_keeps_a_0_x_or_none_that_may_be_an_answer(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Children,Tick,Allergies,Company\n1,Ann,ann@x.com,0,x,none,none\n"
                    "2,Ann,ann@x.com,2,,peanuts,Acme\n")  # an Opt Out keeps the group's 1: a consent column
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()[["Children", "Tick", "Allergies", "Company"]].values.tolist() == [["0", "x", "none", "Acme"]]


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_unset_a_crm_kept_as_a_value_is_blank_to_the_merge(tmp_path, crm):
    path = tmp_path / "export.csv"  # a generic fix file imported into a CRM that stored its UNSET as text
    path.write_text("Contact ID,First Name,Email,Email 2,Mobile Phone,Home Phone,Company,Title\n"
                    "1,Ann,ann@x.com,,(212) 555-0142,,,\n2,Ann,ann@x.com,UNSET,unset,UNSET,UNSET,UNSET\n"
                    "3,Bo,bo@x.com,,(212) 555-0150,,UNSET,\n4,Bo,bo@x.com,,,,Acme,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(crm=crm))
    assert plan.groups["survivor_row"].tolist() == [0, 2]  # its UNSETs do not make row 1 the most complete
    assert plan.cleaned().drop(columns="Contact ID").values.tolist() == [
        ["Ann", "ann@x.com", "", "(212) 555-0142", "", "", ""],
        ["Bo", "bo@x.com", "", "(212) 555-0150", "", "Acme", ""]]
    assert plan.overflow.empty


def test_a_number_a_spreadsheet_wrote_as_a_decimal_is_carried_without_its_point_zero(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Mobile Phone,Home Phone,Other Phone\n1,Ann,(617) 555-0100,,\n"
                    "2,Ann,6175550142.0,+16175550143.0,\n")
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert value(plan, "Home Phone") == ("+16175550143", 1)  # the home number into the column of its kind
    assert value(plan, "Other Phone") == ("6175550142", 1)
    assert updates(plan)[["Home Phone", "Other Phone"]].values.tolist() == [["+16175550143", "6175550142"]]
    assert plan.dropped.empty  # nor listed as numbers the merged contact does not keep


def test_not_kept_lists_another_extension_of_a_kept_number(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Work Phone,Mobile Phone\n1,Ann,617-555-0142 ext. 12,617-555-0100\n"
                    "2,Ann,617-555-0142 x14,617-555-0100\n3,Ann,(617) 555-0142,\n4,Ann,617-555-0142 x 12,\n")
    plan = merge(load(path), np.array([0, 0, 0, 0]), MergePolicy(survivor="lowest_record_id", rules={"phones": "fill"}))
    # the number is kept with extension 12: extension 14 is not; the number without one is
    assert plan.dropped[["value", "source_row"]].values.tolist() == [["617-555-0142 x14", 1]]
    plan = merge(load(path), np.array([0, 0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.dropped.empty  # union keeps extension 14 in the extra column
    assert plan.overflow[["value", "source_row"]].values.tolist() == [["617-555-0142 x14", 1]]


def test_union_keeps_another_extension_of_a_number_in_an_empty_column(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Work Phone,Other Phone\n"
                    "1,Ann,ann@x.com,617-555-0142 ext. 12,\n2,Ann,ann@x.com,617-555-0142 x14,\n"
                    "3,Ann,ann@x.com,(617) 555-0142,\n4,Ann,ann@x.com,617 555 0142 x 12,\n"
                    "5,Bo,bo@x.com,(617) 555-0150,\n6,Bo,bo@x.com,617-555-0150 #23,\n")
    plan = merge(load(path), np.array([0, 0, 0, 0, 4, 4]), MergePolicy(survivor="lowest_record_id"))
    # extension 14 and the number with extension 23 go on; extension 12 again and the number without one do not
    assert plan.cleaned()[["Work Phone", "Other Phone"]].values.tolist() == [
        ["617-555-0142 ext. 12", "617-555-0142 x14"], ["(617) 555-0150", "617-555-0150 #23"]]
    assert plan.dropped.empty and plan.overflow.empty


def test_an_extension_after_a_colon_or_in_cyrillic_is_another_extension_of_a_number(tmp_path):
    # "Ext: 14", "доб. 124" were no extension: the second extension of one number was dropped as the same number
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Work Phone,Other Phone\n"
                    "1,Ann,ann@x.com,617-555-0142 Ext: 12,\n2,Ann,ann@x.com,617-555-0142 Extn. 14,\n"
                    "3,Ann,ann@x.com,617-555-0142 ext.: 12,\n"
                    "4,Иван,ivan@x.ru,+7 495 123-45-67 доб. 123,\n5,Иван,ivan@x.ru,+7 495 123-45-67 доб. 124,\n")
    plan = merge(load(path), np.array([0, 0, 0, 3, 3]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()[["Work Phone", "Other Phone"]].values.tolist() == [
        ["617-555-0142 Ext: 12", "617-555-0142 Extn. 14"], ["+7 495 123-45-67 доб. 123", "+7 495 123-45-67 доб. 124"]]
    assert plan.dropped.empty and plan.overflow.empty
    assert extensions(np.array(["617-555-0142 Ext: 12", "617-555-0142 Extension: 12", "617 555 0142 extn 12"],
                               dtype=object)).tolist() == ["12", "12", "12"]


def test_an_extension_before_a_label_is_another_extension_of_a_number(tmp_path):
    # "ext. 14 (office)" was no extension: the second extension of one number was dropped as the same number
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Work Phone,Other Phone\n"
                    "1,Ann,ann@x.com,617-555-0142 ext. 12 (office),\n2,Ann,ann@x.com,617-555-0142 ext. 14 (office),\n"
                    "3,Ann,ann@x.com,617-555-0142 x14 - Ann,\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()[["Work Phone", "Other Phone"]].values.tolist() == [
        ["617-555-0142 ext. 12 (office)", "617-555-0142 ext. 14 (office)"]]
    assert plan.dropped.empty and plan.overflow.empty


def test_an_extension_dialed_after_a_semicolon_is_kept_or_listed_as_not_kept(tmp_path):
    path = tmp_path / "export.csv"  # ";23": dial the number, wait, dial 23, as a phone book writes it
    path.write_text("Contact ID,First Name,Email,Work Phone\n1,Ann,ann@x.com,(415) 555-0402;23\n"
                    "2,Ann,ann@x.com,(415) 555-0402;45\n3,Ann,ann@x.com,415-555-0402 x23\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id", rules={"phones": "fill"}))
    assert plan.dropped[["value", "source_row"]].values.tolist() == [["(415) 555-0402;45", 1]]  # x23 is ;23
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.dropped.empty
    assert plan.overflow[["value", "source_row"]].values.tolist() == [["(415) 555-0402;45", 1]]


def test_an_extension_after_a_semicolon_joined_into_a_list_of_numbers_is_written_ext(tmp_path):
    path = tmp_path / "export.csv"  # in a ';' list ';23' would read as another value: it goes on as 'ext. 23'
    path.write_text("Contact ID,First Name,Email,Work Phone,Phones\n"
                    "1,Ann,ann@x.com,(415) 555-0101,(415) 555-0102;(415) 555-0106\n"
                    "2,Ann,ann@x.com,(415) 555-0402;23,(415) 555-0103\n"
                    "3,Bo,bo@x.com,(415) 555-0201,\n4,Bo,bo@x.com,(415) 555-0402;45,\n5,Bo,bo@x.com,(415) 555-0202,\n"
                    "6,Cy,cy@x.com,(415) 555-0301;12,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2, 2, 5]), MergePolicy(survivor="lowest_record_id"))
    cleaned = plan.cleaned()
    assert cleaned["Phones"].tolist() == ["(415) 555-0102;(415) 555-0106;(415) 555-0402 ext. 23;(415) 555-0103",
                                          "(415) 555-0402 ext. 45;(415) 555-0202", ""]
    assert cleaned["Work Phone"].tolist()[2] == "(415) 555-0301;12"  # a row in no merge stays as it is
    assert plan.dropped.empty
    path.write_text("Contact ID,First Name,Email,Work Phone\n1,Ann,ann@x.com,(415) 555-0101\n"
                    "2,Ann,ann@x.com,(415) 555-0402;23\n3,Ann,ann@x.com,(415) 555-0103\n")
    assert merge(load(path), np.array([0, 0, 0])).cleaned()["dedupe_kit extra phones"].tolist() == [
        "(415) 555-0402 ext. 23; (415) 555-0103"]


def test_an_extension_after_a_semicolon_in_an_extra_phones_cell_of_an_earlier_merge_stays_its_numbers(tmp_path):
    path = tmp_path / "cleaned.csv"  # written by a merge before extensions were written 'ext.'
    path.write_text("Contact ID,First Name,Email,Work Phone,dedupe_kit extra phones\n"
                    "1,Ann,ann@x.com,(415) 555-0101,(415) 555-0402;23; (415) 555-0103\n"
                    "2,Ann,ann@x.com,(415) 555-0109,\n"
                    "3,Bo,bo@x.com,(415) 555-0201,(415) 555-0502;7\n4,Bo,bo@x.com,,(415) 555-0602;45; (415) 555-0203\n")
    cleaned = merge(load(path), np.array([0, 0, 2, 2])).cleaned()
    assert cleaned["dedupe_kit extra phones"].tolist() == [  # was '(415) 555-0402; 23; …', '23' another value
        "(415) 555-0402 ext. 23; (415) 555-0103; (415) 555-0109",
        "(415) 555-0502 ext. 7;(415) 555-0602 ext. 45;(415) 555-0203"]


def test_a_value_the_extra_column_of_an_earlier_merge_holds_already_is_not_added_again(tmp_path):
    path = tmp_path / "cleaned.csv"
    path.write_text("Contact ID,First Name,Email,Work Phone,dedupe_kit extra phones,dedupe_kit extra emails\n"
                    "1,Ann,ann@example.com,(415) 555-0101,(415) 555-0102; (415) 555-0103,ann.b@example.org\n"
                    "2,Ann,ANN.B@example.org,415-555-0102,,\n"  # both held already, written otherwise
                    "3,Ann,ann@example.com,(415) 555-0103,(415) 555-0104,\n"
                    "4,Ann,ann@example.com,(415) 555-0104,,\n")  # held by another record's extra column
    plan = merge(load(path), np.array([0, 0, 0, 0]))
    assert plan.overflow.empty and plan.dropped.empty
    assert plan.cleaned().loc[0, ["dedupe_kit extra phones", "dedupe_kit extra emails"]].tolist() == [
        "(415) 555-0102; (415) 555-0103; (415) 555-0104", "ann.b@example.org"]



def test_a_value_of_an_earlier_merges_extra_column_that_the_survivor_holds_in_its_own_columns_is_not_kept_twice(
        tmp_path):
    path = tmp_path / "cleaned.csv"  # row 1 merged before kept Ann's address and Bo's number in its extra columns
    path.write_text("Contact ID,First Name,Email,Work Phone,dedupe_kit extra emails,dedupe_kit extra phones\n"
                    "1,Ann,ann@example.com,(415) 555-0101,,\n"
                    "2,Ann,ann.b@example.org,(415) 555-0101,ANN@example.com; ann.c@example.org,\n"
                    "3,Bo,bo@example.com,415-555-0201,,\n"
                    "4,Bo,bo@example.com,(415) 555-0209,bo.b@example.org,\"+1 415 555 0201; (415) 555-0202\"\n")
    cleaned = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id")).cleaned()
    assert cleaned["dedupe_kit extra emails"].tolist() == ["ann.c@example.org; ann.b@example.org", "bo.b@example.org"]
    assert cleaned["dedupe_kit extra phones"].tolist() == ["", "(415) 555-0202; (415) 555-0209"]

def test_a_phones_type_and_extension_columns_follow_the_number(tmp_path):
    path = tmp_path / "keap.csv"  # Keap: each phone column has its type and extension beside it
    path.write_text("Id,First Name,Phone 1,Phone 1 Ext,Phone 1 Type,Phone 2,Phone 2 Ext,Phone 2 Type,Phone 3,Phone 3 Type\n"
                    "101,Maria,(617) 555-0101,,Work,,,,,\n"
                    "102,Maria,(617) 555-0199,12,Mobile,(617) 555-0101,,Work,,\n"
                    "103,Tom,(617) 555-0300,,Home,,,,,\n"
                    "104,Tom,(617) 555-0301,,Mobile,(617) 555-0302,,Fax,,\n")
    contacts = load(path)
    plan = merge(contacts, np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    cleaned = plan.cleaned()
    # the number moved from Phone 1 of row 1 takes row 1's Phone 1 Type and Ext, not its Phone 2 Type
    assert cleaned.loc[0, ["Phone 2", "Phone 2 Ext", "Phone 2 Type"]].tolist() == ["(617) 555-0199", "12", "Mobile"]
    assert cleaned.loc[2, ["Phone 2", "Phone 2 Type", "Phone 3", "Phone 3 Type"]].tolist() == [
        "(617) 555-0301", "Mobile", "(617) 555-0302", "Fax"]
    assert value(plan, "Phone 2 Type") == ("Mobile", 1)
    assert plan.values.set_index(["group", "column"]).loc[(0, "Phone 2 Type"), "rule"] == "follows Phone 2"
    chosen = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"], "fields": [{"Phone 2": 1}]})
    plan = merge(contacts, np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"), decisions=chosen)
    assert plan.cleaned().loc[0, ["Phone 2", "Phone 2 Type"]].tolist() == ["(617) 555-0101", "Work"]  # as chosen
    plan = merge(contacts, np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id", rules={"Phone 2 Type": "survivor"}))
    assert plan.cleaned().loc[0, "Phone 2 Type"] == ""  # a rule that names the column wins


def test_google_contacts_type_columns_follow_their_value_without_the_primary_mark(tmp_path):
    path = tmp_path / "google.csv"  # "* " marks the primary address or number
    path.write_text("Name,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,"
                    "Phone 2 - Type,Phone 2 - Value\n"
                    "Ann Lee,* Home,ann@x.com,,,Mobile,617-555-0100,,\n"
                    "Ann Lee,* Work,ann@work.example,,,Work,617-555-0199,,\n")
    cleaned = merge(load(path), np.array([0, 0]), MergePolicy(survivor="most_complete")).cleaned()
    assert cleaned.loc[0, ["E-mail 2 - Type", "E-mail 2 - Value", "Phone 2 - Type", "Phone 2 - Value"]].tolist() == [
        "Work", "ann@work.example", "Work", "617-555-0199"]


def test_a_fax_column_takes_only_faxes(tmp_path):
    path = tmp_path / "salesforce.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Mobile,Fax\n"
                    "003A,Helen,Park,helen@example.com,(617) 555-0300,(617) 555-0301,\n"
                    "003B,Helen,Park,helen@example.com,(617) 555-0302,,(617) 555-0399\n"
                    "003C,Robert,Fischer,rob@acme.example.com,(617) 555-0142,,\n"
                    "003D,Robert,Fischer,rob@acme.example.com,,,(617) 555-0188\n", encoding="utf-8")
    contacts = load(path)
    cleaned = merge(contacts, np.array([0, 0, 2, 2])).cleaned()
    assert cleaned.loc[0, ["Fax", "dedupe_kit extra phones"]].tolist() == ["(617) 555-0399", "(617) 555-0302"]
    assert cleaned.loc[2, ["Mobile", "Fax"]].tolist() == ["", "(617) 555-0188"]


def test_a_phone_goes_into_an_empty_column_of_its_own_kind_before_another_number_takes_it(tmp_path):
    # the other record's mobile comes first, but its work number has the empty column of its kind
    path = tmp_path / "export.csv"
    rows = ("1,Alice,Carter,alice@x.com,+16175550101,+16175550109,\n"
            "2,Alice,Carter,alice@x.com,+16175550102,,+16175550105\n")
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Home Phone,Work Phone\n" + rows)
    cleaned = merge(load(path), np.array([0, 0])).cleaned()
    assert cleaned.loc[0, ["Work Phone", "dedupe_kit extra phones"]].tolist() == ["+16175550105", "+16175550102"]
    # then the others, where they fit
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Home Phone,Work Phone,Other Phone\n"
                    + rows.replace("\n", ",\n"))
    cleaned = merge(load(path), np.array([0, 0])).cleaned()
    assert cleaned.loc[0, ["Work Phone", "Other Phone"]].tolist() == ["+16175550105", "+16175550102"]
    assert "dedupe_kit extra phones" not in cleaned


def test_a_list_column_takes_the_values_that_found_no_column_of_their_own(tmp_path):
    # HubSpot: one Email, then "Additional email addresses" separated by semicolons
    path = tmp_path / "hubspot.csv"
    path.write_text("Record ID,First Name,Last Name,Email,Additional email addresses\n"
                    "501,Robert,Fischer,rob@acme.example.com,robert.f@old.example.com;rf@other.example.com\n"
                    "502,Bob,Fischer,bob.fischer@gmail.com,\n"
                    "503,Robert,Fischer,rob@acme.example.com,bob77@yahoo.com\n"
                    "504,Ann,Lee,ann@example.com,\n"
                    "505,Ann,Lee,ann.lee@example.com,\n", encoding="utf-8")
    plan = merge(load(path), np.array([0, 0, 0, 3, 3]))
    cleaned = plan.cleaned()
    assert cleaned.loc[0, "Additional email addresses"] == (
        "robert.f@old.example.com;rf@other.example.com;bob77@yahoo.com;bob.fischer@gmail.com")  # records in rank order
    assert cleaned.loc[3, "Additional email addresses"] == "ann.lee@example.com"  # empty: filled as a column
    assert "dedupe_kit extra emails" not in cleaned and plan.dropped.empty  # not Bob beside Robert
    assert updates(plan)["Additional email addresses"].tolist() == [cleaned.loc[0, "Additional email addresses"],
                                                                   "ann.lee@example.com"]


def test_a_list_column_written_with_commas_takes_more_values_after_a_comma(tmp_path):
    # Gladly's Phones and Emails, separated by ", ": not a ';' that an import would read as part of the last value
    path = tmp_path / "gladly.csv"
    path.write_text("id,Name,Emails,Phones\n"
                    'c-1,Zed Lone,"zed@example.com, z@example.org","MOBILE:+16175550170, HOME:+16175550171"\n'
                    "c-2,Zed Lone,zed@work.example,MOBILE:+16175550179\n", encoding="utf-8")
    cleaned = merge(load(path), np.array([0, 0])).cleaned()
    assert cleaned.loc[0, "Phones"] == "MOBILE:+16175550170, HOME:+16175550171, MOBILE:+16175550179"
    assert cleaned.loc[0, "Emails"] == "zed@example.com, z@example.org, zed@work.example"

def test_an_item_of_a_json_list_goes_into_another_column_as_the_item(tmp_path):
    # Gus's second address, alone in a JSON list, filled the survivor's blank Email with the whole cell as it was
    path = tmp_path / "export.csv"
    path.write_text('Contact ID,Name,Company,Email,Emails\nM1,Gus Hale,Acme,,"[""gus.hale@example.com""]"\n'
                    'M2,Gus Hale,,gus.hale@example.com,"[{""original"": ""gus@example.net""}]"\n', encoding="utf-8")
    cleaned = merge(load(path), np.array([0, 0])).cleaned()
    assert cleaned.loc[0, ["Email", "Emails"]].tolist() == ["gus@example.net", '["gus.hale@example.com"]']


def test_one_records_pasted_pair_does_not_make_a_list_column_of_a_single_value_one(tmp_path):
    # Z9's cell holds two values; Email and Mobile Phone stay one value a cell for everyone
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n"
                    "A1,Max,Nolan,max.nolan@example.com,617-555-3501\n"
                    "A2,Max,Nolan,mnolan@work.example,617-555-3502\n"
                    "Z8,Ona,Pike,ona.pike@example.com,617-555-1111\n"
                    "Z9,Ona,Pike,ona.pike@example.com; op@home.example,617-555-1111 / 617-555-2222\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    cleaned = plan.cleaned()
    assert cleaned.loc[0, ["Email", "Mobile Phone"]].tolist() == ["max.nolan@example.com", "617-555-3501"]
    assert cleaned.loc[0, ["dedupe_kit extra emails", "dedupe_kit extra phones"]].tolist() == [
        "mnolan@work.example", "617-555-3502"]
    assert cleaned.loc[2, ["Email", "Mobile Phone"]].tolist() == ["ona.pike@example.com", "617-555-1111"]
    assert cleaned.loc[2, ["dedupe_kit extra emails", "dedupe_kit extra phones"]].tolist() == [
        "op@home.example", "617-555-2222"]
    assert "Email" not in updates(plan) and "Mobile Phone" not in updates(plan)
    # Z9 the survivor: its own cell stays as typed
    path.write_text(path.read_text().replace("Z9", "Z0"))
    cleaned = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id")).cleaned()
    assert cleaned.loc[3, ["Email", "Mobile Phone"]].tolist() == ["ona.pike@example.com; op@home.example",
                                                                  "617-555-1111 / 617-555-2222"]
    # Google Contacts writes its lists with " ::: ": a list column, whatever the share of such cells
    google = path.read_text().replace("op@home.example", "ona.pike@example.com ::: op@home.example").replace(
        "ona.pike@example.com; ", "")
    path.write_text(google)
    cleaned = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id")).cleaned()
    assert cleaned.loc[0, "Email"] == "max.nolan@example.com ::: mnolan@work.example"
    path.write_text(google.replace("ona.pike@example.com ::: op@home.example", "ona.pike@example.com; op@home.example"))
    # half of the cells hold several: the column is written as a list, and takes the group's other addresses
    path.write_text(path.read_text().replace("Z8,Ona,Pike,ona.pike@example.com", "Z8,Ona,Pike,ona@x.com; ona@y.com"))
    cleaned = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id")).cleaned()
    assert cleaned.loc[0, "Email"] == "max.nolan@example.com; mnolan@work.example"


def test_a_tag_of_placeholders_is_no_tag_under_union(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Tags\n1,Ann,ann@x.com,VIP\n2,Ann,ann@x.com,Donor;-\n"
                    "3,Bo,bo@x.com,\n4,Bo,bo@x.com,Donor; n/a\n5,Cy,cy@x.com,Gold;VIP\n6,Cy,cy@x.com,?;TBD\n"
                    "7,Di,di@x.com,\n8,Di,di@x.com,Donor;Gold\n")
    plan = merge(load(path), np.array([0, 0, 2, 2, 4, 4, 6, 6]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()["Tags"].tolist() == ["VIP;Donor", "Donor", "Gold;VIP", "Donor;Gold"]
    assert updates(plan)["Tags"].tolist() == ["VIP;Donor", "Donor", "Donor;Gold"]  # Cy: nothing to write
