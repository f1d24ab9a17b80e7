"""The files for the CRM: cleaned export, fix files, crosswalk, audit; formulas, undo, idempotence."""

from __future__ import annotations

import csv
import dataclasses
import errno
import importlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe_kit import Config, ConfigError, InputError, NormalizeConfig, load, normalize, profile, run
from dedupe_kit.cli import main
from dedupe_kit.config import MergePolicy
from dedupe_kit.export import changed_numbers, export, updates, write_tables
from dedupe_kit.files import _umask, csv_chunks, csv_text, formula_cells, write_files
from dedupe_kit.merge import merge

CRM_FILES = ["cleaned.csv", "fix_1_clear.csv", "fix_2_update.csv", "merged_away.csv", "changed_numbers.csv",
             "crosswalk.csv"]


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sample():
    return run("sample_data/contacts.csv", progress=False)


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    sample.write(out)
    return out


def test_the_cleaned_file_has_one_row_per_contact_and_untouched_rows_are_the_input_rows(sample, written):
    cleaned = read(written / "cleaned.csv")
    original = sample.contacts.frame
    assert list(cleaned.columns[:len(original.columns)]) == list(original.columns)
    assert len(cleaned) == sample.crosswalk["cluster_id"].nunique()
    crosswalk = read(written / "crosswalk.csv")
    alone = crosswalk[~crosswalk["cluster_id"].duplicated(keep=False)]
    kept = cleaned.set_index("Contact ID").loc[alone["record_id"], original.columns[1:]]
    expected = original.set_index("Contact ID").loc[alone["record_id"]]
    formula = expected.apply(lambda c: c.str.match(r"[=@]|[+-] [A-Za-z]"))
    assert (kept == expected)[~formula].all().all()  # cell for cell, except neutralized formulas
    assert (kept[formula] == "'" + expected[formula]).sum().sum() == formula.sum().sum() > 0


def test_the_crosswalk_names_the_merges_survivors_and_none_before_it(sample, written):
    assert sample.crosswalk["survivor_row"].isna().all() and (sample.crosswalk["survivor_record_id"] == "").all()
    crosswalk = read(written / "crosswalk.csv")
    survivors = sample.merge().survivors()
    assert crosswalk["survivor_row"].astype(int).tolist() == survivors.tolist()
    assert (crosswalk["survivor_row"] != crosswalk["cluster_id"]).any()  # not the group's first row
    ids = sample.contacts.frame["Contact ID"].to_numpy()
    assert crosswalk["survivor_record_id"].tolist() == ids[survivors].tolist()


def test_a_crosswalk_sorted_in_a_notebook_names_each_rows_own_survivor(sample, tmp_path):
    plan = sample.merge()
    export(plan, tmp_path, crosswalk=sample.crosswalk.sort_values(["score", "record_id"]))
    written = read(tmp_path / "crosswalk.csv")
    crosswalk = written.set_index(written["source_row"].astype(int)).sort_index()  # each row's line, wherever it is
    assert crosswalk["survivor_row"].astype(int).tolist() == plan.survivors().tolist()
    ids = sample.contacts.frame["Contact ID"].to_numpy()
    assert crosswalk["survivor_record_id"].tolist() == ids[plan.survivors()].tolist()
    assert written["source_row"].astype(int).tolist() == list(range(len(sample.contacts)))  # in the input's order
    with pytest.raises(ConfigError, match=r"export: the crosswalk does not hold each of the 400 rows of "
                                          r"sample_data/contacts.csv once \(10 rows\); give result.crosswalk whole"):
        export(plan, tmp_path / "filtered", crosswalk=sample.crosswalk.head(10))
    assert not (tmp_path / "filtered").exists()


def test_no_phone_or_email_of_a_group_is_lost(sample, written):
    cleaned = read(written / "cleaned.csv").set_index("Contact ID")
    crosswalk = read(written / "crosswalk.csv")
    fm = sample.contacts.field_map
    ids = sample.normalized.identifiers
    ids = ids[ids["kind"].isin(["phone", "email"])]
    kept = normalize(load(written / "cleaned.csv")).identifiers
    record_of_row = dict(zip(crosswalk["source_row"].astype(int), crosswalk["survivor_record_id"]))
    survivor_values = kept.assign(record=kept["source_row"].map(dict(enumerate(cleaned.index))))
    have = set(zip(survivor_values["record"], survivor_values["value"]))
    extra = [c for c in cleaned.columns if c.startswith("dedupe_kit extra")]
    extras = {(r, v.strip()) for r, row in cleaned[extra].iterrows() for cell in row for v in cell.split(";") if v}
    raw = dict(zip(zip(ids["source_row"], ids["column"]), ids["raw"]))
    missing = [(row, value) for row, column, value in zip(ids["source_row"], ids["column"], ids["value"])
               if (record_of_row[row], value) not in have and (record_of_row[row], raw[(row, column)].strip()) not in extras]
    assert fm.phones and not missing


def test_changed_numbers_lists_changed_numbers_and_addresses_not_another_way_of_writing_them(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email,Mobile Phone,Work Phone\n"
                    "1,Ann.Lee@X.com,+1 617 555 0188,(212) 555-0115 x148\n"
                    "2,ann.lee@x.com,617.555.0188,212-555-0115 ext. 148\n"  # the same, written another way
                    "3,ann.lee@x.com,6175550188,212-555-0115 ext. 149\n"  # another extension
                    "4,bo@x.com,(646) 555-0116,\n"  # the survivor's number, in a group of its own
                    "5,BO@X.COM,646 555 0116,\n")
    contacts = load(path)
    plan = merge(contacts, np.array([0, 0, 0, 3, 3]), MergePolicy(survivor="lowest_record_id"))
    table = changed_numbers(plan)
    # the merge keeps one of two extensions of a number: the other is a change
    assert table[["source_row", "kind", "before", "after"]].values.tolist() == [
        [2, "phone", "6175550188; 212-555-0115 ext. 149", "+1 617 555 0188; (212) 555-0115 x148"]]
    typed = changed_numbers(dataclasses.replace(plan, normalized=None))  # without the normalized values: as typed
    assert typed[["source_row", "kind"]].values.tolist() == [[1, "phone"], [2, "phone"], [4, "phone"],
                                                            [1, "email"], [2, "email"], [4, "email"]]


def test_changed_numbers_read_a_number_written_nationally_in_the_other_numbers_country(tmp_path):
    path = tmp_path / "export.csv"  # the default region is the United States: 07734 523392 does not read there
    path.write_text("Contact ID,Email,Mobile Phone,Work Phone\n"
                    "1,tom@x.com,07734 523392,0141 496 0286 ext 129\n"
                    "2,tom@x.com,+44 7734 523392,+44 141 496 0286 ext. 129\n"  # the same numbers
                    "3,tom@x.com,+44 7734 523392,+44 141 496 0286 ext. 130\n")  # another extension
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert changed_numbers(plan)[["source_row", "kind"]].values.tolist() == [[2, "phone"]]


def test_changed_numbers_read_a_survivors_number_as_the_row_it_came_from_reads_it(tmp_path):
    # the survivor (lowest ID) has no mobile: it takes record 2's, a British number, which record 3 holds written
    # another way, with no country to read it in. Read as record 2's number, not as its text, it is record 3's own
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email,Mobile Phone,Country\n"
                    "1,tom@x.com,,UK\n"
                    "2,tom@x.com,(07479) 642646,UK\n"
                    "3,tom@x.com,07479 642646,\n")
    plan = merge(load(path), np.array([0, 0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()["Mobile Phone"].tolist() == ["(07479) 642646"]
    assert changed_numbers(plan)[["source_row", "kind", "before", "after"]].values.tolist() == [
        [0, "phone", "", "(07479) 642646"]]


def test_changed_numbers_leave_placeholders_out(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email,Email 2,Mobile Phone\n1,nora.pike@gmail.com,,N/A\n2,nora.pike@gmail.com,[not provided],\n"
                    "3,cy@x.com,,555-555-5555\n4,cy@x.com,,\n")
    plan = merge(load(path), np.array([0, 0, 2, 2]), MergePolicy(survivor="lowest_record_id"))
    assert plan.cleaned()["Mobile Phone"].tolist() == ["N/A", "555-555-5555"]  # blank in effect, as typed
    assert changed_numbers(plan).empty  # nothing but placeholders differs
    path.write_text("Contact ID,Email,Mobile Phone,Home Phone\n1,ann@x.com,+1 617 555 0188,\n2,ann@x.com,617.555.0188,N/A\n")
    plan = merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id"))
    assert changed_numbers(plan).empty  # the same number written another way, beside a placeholder


def test_fix_files_clear_then_update(sample, written):
    away = read(written / "merged_away.csv")
    clear = read(written / "fix_1_clear.csv")
    update = read(written / "fix_2_update.csv")
    assert clear["Contact ID"].tolist() == away["record_id"].tolist()
    original = sample.contacts.frame.set_index("Contact ID").loc[clear["Contact ID"]]
    for column in ["Email", "Email 2", "Mobile Phone", "Home Phone", "Work Phone", "Student ID", "Student Number"]:
        filled = original[column].str.strip() != ""
        assert (clear[column].to_numpy()[filled.to_numpy()] == "UNSET").all()
        assert (clear[column].to_numpy()[~filled.to_numpy()] == "").all()
    assert list(clear.columns[:3]) == ["Contact ID", "First Name", "Last Name"]
    # the update file holds survivors only, their key columns, and a value only where it changed
    survivors = set(read(written / "crosswalk.csv")["survivor_record_id"])
    assert set(update["Contact ID"]) <= survivors
    before = sample.contacts.frame.set_index("Contact ID").loc[update["Contact ID"]]
    changed_cols = [c for c in update.columns if c not in ("Contact ID", "First Name", "Last Name", "Student ID",
                                                          "Student Number")]
    for column in changed_cols:
        cells = update[column].to_numpy()
        assert ((cells == "") | (cells != before[column].to_numpy())).all()
    audit = read(written / "audit.csv")
    assert set(update["Contact ID"]) == set(audit.loc[audit["event"] == "field", "record_id"])


def test_exports_are_byte_identical_and_the_input_is_untouched(sample, written, tmp_path):
    before = open("sample_data/contacts.csv", "rb").read()
    again = run("sample_data/contacts.csv", progress=False)
    again.write(tmp_path)
    for name in CRM_FILES + ["audit.csv", "merge_groups.csv", "summary.txt", "pairs.csv"]:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name
    assert open("sample_data/contacts.csv", "rb").read() == before


def test_undo_exports_as_if_the_merge_never_happened(sample, tmp_path):
    plan = sample.merge()
    group = int(plan.merging["group"].iloc[0])
    export(plan.undo([group]), tmp_path / "undone", crosswalk=sample.crosswalk)
    groups = sample.crosswalk["cluster_id"].to_numpy().copy()
    rows = np.flatnonzero(groups == group)
    groups[rows] = rows  # the group's records apart
    never = merge(sample.contacts, groups, decisions=None, normalized=sample.normalized)
    export(never, tmp_path / "never", crosswalk=sample.crosswalk)
    for name in CRM_FILES:
        assert (tmp_path / "undone" / name).read_bytes() == (tmp_path / "never" / name).read_bytes(), name
    audit = read(tmp_path / "undone" / "audit.csv")
    assert audit.loc[audit["group"] == str(group), "event"].iloc[-1] == "undone"


def test_merge_groups_tells_record_ids_with_spaces_apart(tmp_path):
    path = tmp_path / "export.csv"  # IDs with a space or a comma, and a blank one
    path.write_text("Contact ID,First Name,Email\nACME 001,Ann,ann@x.com\nACME 002,Ann,ann@x.com\n"
                    "\"Z,9\",Bo,bo@x.com\nZ 10,Bo,bo@x.com\n,Bo,bo@x.com\nC4,Cy,cy@x.com\n")
    export(merge(load(path), np.array([0, 0, 2, 2, 2, 5])), tmp_path / "out")
    groups = read(tmp_path / "out" / "merge_groups.csv")
    assert groups[["rows", "record_ids"]].values.tolist() == [["0 1", "'ACME 001' 'ACME 002'"],
                                                              ["2 3 4", "Z,9 'Z 10' ''"]]


def test_a_second_merge_of_a_cleaned_file_keeps_the_extra_values_of_the_first(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email,Mobile Phone\n1,Ann,ann@x.com,+1 212 555 0101\n"
                    "2,Ann,ann@x.com,+1 212 555 0102\n3,Ann,ann@x.com,+1 212 555 0103\n")
    export(merge(load(path), np.array([0, 0, 0])), tmp_path / "first")
    cleaned = (tmp_path / "first" / "cleaned.csv").read_text()
    assert cleaned.endswith(",+1 212 555 0101,+1 212 555 0102; +1 212 555 0103\n")
    again = tmp_path / "again.csv"  # the cleaned file, a new record and one merged before with its own extra value
    again.write_text(cleaned + "4,Ann,ann@x.com,+1 212 555 0104,\n5,Ann,ann@x.com,+1 212 555 0105,+1 212 555 0102; "
                     "+1 212 555 0106\n")
    export(merge(load(again), np.array([0, 0, 0])), tmp_path / "second")
    [kept] = read(tmp_path / "second" / "cleaned.csv")["dedupe_kit extra phones"].tolist()
    assert kept.startswith("+1 212 555 0102; +1 212 555 0103; ")  # the survivor's first, each value once
    assert sorted(kept.split("; ")) == [f"+1 212 555 010{i}" for i in (2, 3, 4, 5, 6)]
    # a row in no merge is the input's row cell for cell, its extra values as they were written
    again.write_text(again.read_text() + "6,Bo,bo@x.com,+1 212 555 0107,\"+1 212 555 0108, +1 212 555 0109\"\n")
    export(merge(load(again), np.array([0, 0, 0, 3])), tmp_path / "third")
    assert (tmp_path / "third" / "cleaned.csv").read_text().endswith(
        "6,Bo,bo@x.com,+1 212 555 0107,\"+1 212 555 0108, +1 212 555 0109\"\n")



def test_the_update_file_of_a_second_merge_sets_no_extra_column_of_the_first(tmp_path):
    path = tmp_path / "cleaned.csv"  # row 1 kept ann.b@ of a merge before; row 0 is exported since
    path.write_text("Contact ID,First Name,Email,Mobile Phone,dedupe_kit extra emails\n"
                    "1,Ann,ann.a@example.com,+1 212 555 0101,\n"
                    "2,Ann,ann.b@example.com,+1 212 555 0101,ann.c@example.com\n")
    export(merge(load(path), np.array([0, 0]), MergePolicy(survivor="lowest_record_id")), tmp_path / "out")
    assert read(tmp_path / "out" / "cleaned.csv")["dedupe_kit extra emails"].tolist() == [
        "ann.c@example.com; ann.b@example.com"]
    # the CRM has no such field (nor had it in the first round's file): a line of none but the keys is no update
    assert read(tmp_path / "out" / "fix_2_update.csv").columns.tolist() == ["Contact ID", "First Name"]
    assert read(tmp_path / "out" / "fix_2_update.csv").empty

def test_formula_cells_are_neutralized_and_phone_numbers_kept(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Mobile Phone,Notes\n"
                    "1,Ann,+33 6 12 34 56 78,=HYPERLINK(\"http://x\")\n2,Ann,+33 6 12 34 56 78,-2+3\n"
                    "3,@Bob,-,+1 555 0100\n")
    contacts = load(path)
    plan = merge(contacts, np.array([0, 0, 2]))
    exported = export(plan, tmp_path / "out")
    cleaned = read(tmp_path / "out" / "cleaned.csv")
    assert cleaned["Mobile Phone"].tolist() == ["+33 6 12 34 56 78", "-"]
    assert cleaned["First Name"].tolist() == ["Ann", "'@Bob"]
    assert cleaned["Notes"].tolist() == ["'=HYPERLINK(\"http://x\") | -2+3", "+1 555 0100"]
    listed = read(tmp_path / "out" / "neutralized.csv")  # a report: neutralized too
    assert ["cleaned.csv", "1", "3", "First Name", "'@Bob"] in listed.values.tolist()
    with open(tmp_path / "out" / "cleaned.csv", newline="", encoding="utf-8") as handle:
        sheet = list(csv.reader(handle))  # as a spreadsheet shows it
    assert sheet[3 - 1][sheet[0].index("First Name")] == "'@Bob"
    # row 1 of cleaned.csv, not the input's row 1 (Ann, merged into row 0) nor its row 2
    said = exported.summary().splitlines()
    assert "  cleaned.csv, sheet row 3 (cleaned.csv row 1), column 'First Name': '@Bob'" in said
    raw = export(merge(contacts, np.array([0, 0, 2]), MergePolicy(neutralize_formulas=False)), tmp_path / "raw")
    assert read(tmp_path / "raw" / "cleaned.csv")["First Name"].tolist() == ["Ann", "@Bob"]
    assert set(raw.neutralized["file"]) == {"audit.csv"}  # a report, not a file for the CRM: neutralized still


def test_the_reports_a_person_opens_in_a_spreadsheet_are_neutralized_too(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n=1+1,Ann,Lee,ann@x.com,=2+2\n"
                    "@SUM(A1),Ann,Lee,ann@x.com,\n")
    assert CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out")]).exit_code == 0
    pairs = read(tmp_path / "out" / "pairs.csv")
    assert pairs[["record_id_a", "record_id_b"]].values.tolist() == [["'=1+1", "'@SUM(A1)"]]
    assert CliRunner().invoke(main, ["profile", str(path), "--out", str(tmp_path / "profile")]).exit_code == 0
    assert read(tmp_path / "profile" / "profile_invalid.csv")["raw"].tolist() == ["'=2+2"]


@pytest.mark.parametrize("match_only", [False, True])
def test_the_record_ids_neutralized_in_pairs_csv_are_listed_and_counted(tmp_path, match_only):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n@C1,Anne,Dupont,anne@example.com\n"
                    "=C2,Anne,Dupont,anne@example.com\nC3,Paul,Martin,paul@example.org\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), *(["--match-only"] * match_only)])
    assert result.exit_code == 0, result.output
    assert read(out / "pairs.csv")[["record_id_a", "record_id_b"]].values.tolist() == [["'@C1", "'=C2"]]
    listed = read(out / "neutralized.csv")
    assert listed[listed["file"] == "pairs.csv"].values.tolist() == [
        ["pairs.csv", "0", "2", "record_id_a", "'@C1"], ["pairs.csv", "0", "2", "record_id_b", "'=C2"]]
    summary = (out / "summary.txt").read_text()
    assert f"cells neutralized as formulas {len(listed):>6,}" in summary


def test_a_summary_that_lists_only_the_first_cells_neutralized_sends_to_neutralized_csv_for_the_others(tmp_path):
    # 12 cells counted, 10 listed, and nothing said where the other 2 were
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Notes\n"
                    + "".join(f"C{i},Ann{i},Lee,ann{i}@example.com,=1+{i}\n" for i in range(12)))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read(out / "neutralized.csv")) == 12
    summary = (out / "summary.txt").read_text()
    assert "cells neutralized as formulas     12   (the first 10 below; all in neutralized.csv)\n" in summary
    assert summary.count("\n  cleaned.csv, sheet row") == 10


def test_the_cells_neutralized_in_too_common_model_and_the_profile_s_tables_are_listed_and_counted(tmp_path):
    # too_common.csv and model.csv of a run, and the profile's tables, wrote '@S1 unlisted and uncounted
    path, config = tmp_path / "export.csv", tmp_path / "config.toml"
    path.write_text("Contact ID,First Name,Last Name,Email,Student ID,=Code\n"
                    + "".join(f"C{i},{name},Lee,{name.lower()}@example.com,@S1,=R1\n" for i, name in
                              enumerate(["Ann", "Bob", "Cy"])) + "C4,Di,Wu,di@example.com,S2,+R2\n")
    config.write_text('[match]\nmax_block_size = 2\ncompare_columns = ["=Code"]\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--config", str(config), "--out", str(out), "--match-only"])
    assert result.exit_code == 0, result.output
    listed = read(out / "neutralized.csv")
    assert listed[listed["file"] != "pairs.csv"].values.tolist() == [
        ["too_common.csv", "1", "3", "value", "'=Code | =R1"], ["too_common.csv", "2", "4", "value", "'@S1"],
        ["model.csv", "6", "8", "comparison", "'=Code"], ["model.csv", "7", "9", "comparison", "'=Code"]]
    assert f"cells neutralized as formulas {len(listed):>6,}" in (out / "summary.txt").read_text()
    result = CliRunner().invoke(main, ["profile", str(path), "--out", str(tmp_path / "profile")])
    assert result.exit_code == 0, result.output
    listed = read(tmp_path / "profile" / "neutralized.csv")
    assert ["profile_mapping.csv", "5", "7", "column", "'=Code"] in listed.values.tolist()
    assert set(listed["file"]) == {"profile_mapping.csv", "profile_shared.csv", "profile_taken.csv"}
    assert f"cells neutralized as formulas {len(listed):>6,}   (see neutralized.csv)" in result.output


def test_without_neutralizing_the_files_for_the_crm_the_reports_keep_the_quote(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Notes\n=1+1,Ann,Lee,ann@x.com,,@call\n"
                    "7,Ann,Lee,ann@x.com,+1 212 555 0107,=2+2\n")
    (tmp_path / "raw.toml").write_text("[merge]\nneutralize_formulas = false\n")
    args = ["run", str(path), "--out", str(tmp_path / "out"), "--config", str(tmp_path / "raw.toml")]
    assert CliRunner().invoke(main, args).exit_code == 0
    out = tmp_path / "out"
    assert read(out / "cleaned.csv")["Notes"].tolist() == ["=2+2 | @call"]  # straight into the CRM, as told
    assert read(out / "merged_away.csv")["record_id"].tolist() == ["=1+1"]
    assert read(out / "crosswalk.csv")["record_id"].tolist() == ["'=1+1", "7"]
    assert read(out / "merge_groups.csv")["record_ids"].tolist() == ["'=1+1 7"]
    assert read(out / "changed_numbers.csv")["record_id"].tolist() == ["'=1+1"]
    audit = read(out / "audit.csv")
    assert audit.loc[audit["column"] == "Notes", ["before", "after"]].values.tolist() == [["'=2+2", "'=2+2 | @call"]]
    assert set(read(out / "neutralized.csv")["file"]) == {"audit.csv", "changed_numbers.csv", "crosswalk.csv",
                                                          "merge_groups.csv", "pairs.csv"}


def test_only_formula_like_cells_are_neutralized():
    frame = pd.DataFrame({"v": ["+44 7700 900123", "+1 (206) 555-0174 x12", "-", "-12.5", "+ VIP", "\tcmd",
                                "+12135550163; +13105550109", "plain", ""]})
    before = frame.copy()
    listed = []
    lines = "".join(csv_chunks(frame, neutralized=listed)).split("\n")
    assert [value for _, _, value in listed] == ["+ VIP", "\tcmd"]
    assert lines[5:7] == ["'+ VIP", "'\tcmd"]  # rows 4 and 5, after the header
    assert frame.equals(before)  # the table given stays as it was


def test_the_input_format_is_kept(tmp_path):
    text = "Contact ID;Prénom;Nom;Téléphone\r\n001;Zoé;Durand;06 12 34 56 78\r\n002;Zoé;Durand;0612345678\r\n" \
           "003;Noël;\"Martin; fils\";\r\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    contacts = load(path)
    assert (contacts.encoding, contacts.delimiter) == ("cp1252", ";")
    export(merge(contacts, np.arange(3)), tmp_path / "alone")
    assert (tmp_path / "alone" / "cleaned.csv").read_bytes() == path.read_bytes()
    french = normalize(contacts, Config(normalize=NormalizeConfig(default_region="FR")))
    export(merge(contacts, np.array([0, 0, 2]), normalized=french), tmp_path / "merged")
    lines = (tmp_path / "merged" / "cleaned.csv").read_bytes().decode("cp1252").split("\r\n")
    assert lines == ["Contact ID;Prénom;Nom;Téléphone", "001;Zoé;Durand;06 12 34 56 78", "003;Noël;\"Martin; fils\";", ""]


@pytest.mark.parametrize("commas", [",", ",,,"])
def test_the_empty_last_columns_of_trailing_delimiters_end_every_line_of_the_cleaned_file(tmp_path, commas):
    path = tmp_path / "export.csv"  # as Excel saves a sheet with empty columns after the last named one
    path.write_text(f"Contact ID,First Name,Email,Mobile Phone{commas}\r\n1,Ann,ann@x.com,+1 212 555 0101{commas}\r\n"
                    f"2,Ann,ann@x.com,+1 212 555 0102{commas}\r\n3,Bo,bo@x.com,{commas}\r\n")
    export(merge(load(path), np.arange(3)), tmp_path / "alone")
    assert (tmp_path / "alone" / "cleaned.csv").read_bytes() == path.read_bytes()
    export(merge(load(path), np.array([0, 0, 2])), tmp_path / "merged")
    cleaned = tmp_path / "merged" / "cleaned.csv"
    assert cleaned.read_bytes().decode().split("\r\n") == [  # after the extra column: the file loads again
        f"Contact ID,First Name,Email,Mobile Phone,dedupe_kit extra phones{commas}",
        f"1,Ann,ann@x.com,+1 212 555 0101,+1 212 555 0102{commas}", f"3,Bo,bo@x.com,,{commas}", ""]
    assert load(cleaned).columns[-1] == "dedupe_kit extra phones"


@pytest.mark.parametrize("crm, name, word", [("generic", "fix_1_clear.csv", "UNSET"),
                                             ("salesforce", "fix_1_clear.csv", "#N/A"),
                                             ("hubspot", "fix_1_clear_by_hand.csv", "a@x.com")])
def test_crm_profiles_set_the_clear_word(tmp_path, crm, name, word):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email\n1,Ann,a@x.com\n2,Ann,a@x.com\n")
    exported = export(merge(load(path), np.array([0, 0]), MergePolicy(crm=crm)), tmp_path / "out")
    assert read(tmp_path / "out" / name)["Email"].tolist() == [word]
    assert any("cannot clear" in w for w in exported.warnings) == (crm == "hubspot")
    # the generic profile's word is Mainstay's: the summary says so, and how to set another CRM's
    assert [w for w in exported.warnings if "merge.crm" in w] == (["fix_1_clear.csv empties fields with 'UNSET', "
        "which Mainstay's import reads so: for another CRM set merge.crm (salesforce, hubspot) or merge.clear_word "
        "to the word its import empties a field with."] if crm == "generic" else [])
    # a clear word of one's own: the CRM's note, which names another word or none, is not given
    exported = export(merge(load(path), np.array([0, 0]), MergePolicy(crm=crm, clear_word="CLEAR")), tmp_path / "own")
    assert read(tmp_path / "own" / "fix_1_clear.csv")["Email"].tolist() == ["CLEAR"]
    reader = {"generic": "the CRM's import"}.get(crm, crm)  # not "check that generic reads that word"
    assert [w for w in exported.warnings if "clear" in w.casefold()] == [
        f"fix_1_clear.csv empties fields with 'CLEAR' (merge.clear_word): check that {reader} reads that word so"]
    # duplicates without a record ID are in neither fix file: no note on a clearing file of its header alone
    path.write_text("Contact ID,First Name,Email\n,Ann,a@x.com\n,Ann,a@x.com\n")
    exported = export(merge(load(path), np.array([0, 0]), MergePolicy(crm=crm)), tmp_path / "blank")
    assert len(read(tmp_path / "blank" / name)) == 0
    assert [w for w in exported.warnings if "clear" in w.casefold()] == []


def test_never_writes_over_the_input(tmp_path):
    path = tmp_path / "cleaned.csv"
    path.write_text("Contact ID,First Name,Email\n1,Ann,a@x.com\n2,Ann,a@x.com\n")
    with pytest.raises(InputError, match="refusing to overwrite an input file"):
        export(merge(load(path), np.array([0, 0])), tmp_path)
    assert path.read_text().startswith("Contact ID")


@pytest.mark.parametrize("name", ["cleaned.csv", "fix_1_clear_by_hand.csv", "run.json", "neutralized.csv", "pairs.csv",
                                  "summary.txt"])
def test_a_run_into_the_folder_of_its_input_never_removes_the_input(tmp_path, name):
    path = tmp_path / name  # a cleaned file merged again, in the folder of the first run
    path.write_text("Contact ID,First Name,Email\n1,Ann,a@x.com\n2,Ann,a@x.com\n")
    before = path.read_bytes()
    for options in (["--match-only"], []):
        result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path), *options])
        assert result.exit_code != 0 and "refusing to overwrite an input file" in result.output
        assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


def test_a_run_that_stops_while_writing_leaves_no_run_json_to_review_a_mixed_folder(tmp_path, monkeypatch):
    run_module = importlib.import_module("dedupe_kit.run")  # the package's `run` is the function
    out = tmp_path / "out"
    result = run("sample_data/contacts.csv", progress=False)
    result.write(out)
    assert (out / "run.json").exists()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_module, "write_figure", full_disk)  # the files for the CRM are written, the rest not
    with pytest.raises(OSError):
        result.write(out)
    assert not (out / "run.json").exists()
    assert "a run stopped before its end leaves none" in CliRunner().invoke(main, ["undo", str(out), "0"]).output

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "write_figure", interrupted)  # Ctrl-C while the run writes its folder
    stopped = CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)])
    assert stopped.exit_code == 130 and not (out / "run.json").exists()
    assert f"Error: interrupted: {out}/ is incomplete (no run.json" in stopped.output


def test_a_full_disk_while_a_run_writes_names_the_file_and_says_the_folder_is_incomplete(tmp_path, monkeypatch):
    run_module = importlib.import_module("dedupe_kit.run")  # the package's `run` is the function
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    logged = (out / "export_log.jsonl").read_text()

    def full_disk(files, **kwargs):  # pairs.csv, written after the files for the CRM
        def failing():
            yield b"a,b"
            raise OSError(errno.ENOSPC, "No space left on device")  # a write's error names no file

        return write_files({path: failing() for path in files}, **kwargs)

    monkeypatch.setattr(run_module, "write_files", full_disk)
    stopped = CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)])
    assert stopped.exit_code == 1 and not (out / "run.json").exists()
    assert stopped.output.endswith(f"Error: {out / 'pairs.csv'}: No space left on device: {out}/ is incomplete (no "
                                   "run.json, and its files may mix this run's and an earlier one's): run again to "
                                   "finish it\n")
    assert (out / "export_log.jsonl").read_text() == logged  # no export logged: the run did not end
    monkeypatch.undo()
    assert CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    assert (out / "export_log.jsonl").read_text().startswith(logged) and len(
        (out / "export_log.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("stopped_in, then", [
    ("export", "it keeps the merges taken back in undone.json"),  # undone.json written, the files not yet
    ("write_undone", "then undo the group(s) again, as this undo was not recorded"),
])
def test_an_interrupted_undo_leaves_a_folder_that_says_it_is_incomplete(tmp_path, monkeypatch, stopped_in, then):
    source, out = tmp_path / "contacts.csv", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Mobile Phone\n1,Zoë,Lefèvre,06 12 34 56 78\n"
                      "2,Zoe,Lefevre,0612345678\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--region", "FR", "--out", str(out)]).exit_code == 0
    merged = (out / "cleaned.csv").read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    module = importlib.import_module("dedupe_kit.run" if stopped_in == "export" else "dedupe_kit.cli")
    monkeypatch.setattr(module, stopped_in, interrupted)
    result = runner.invoke(main, ["undo", str(out), "0"])
    assert result.exit_code == 130
    assert f"Error: interrupted: {out}/ is incomplete (no run.json" in result.output
    assert f"finish it with `dedupe-kit run {source} --config {out / 'config.toml'} --out {out} --encoding utf-8 " \
           f"--delimiter ,` ({then})" in result.output
    assert not (out / "run.json").exists() and (out / "cleaned.csv").read_bytes() == merged  # nothing looks done
    assert "a run stopped before its end leaves none" in runner.invoke(main, ["undo", str(out), "0"]).output
    monkeypatch.undo()
    assert runner.invoke(main, ["run", str(source), "--config", str(out / "config.toml"), "--out", str(out),
                                "--encoding", "utf-8", "--delimiter", ","]).exit_code == 0
    assert (out / "run.json").exists()
    assert len(read(out / "cleaned.csv")) == (2 if stopped_in == "export" else 1)


def test_cli_undo_rewrites_the_files_without_the_merge(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    merged = len(read(out / "cleaned.csv"))
    group = read(out / "merge_groups.csv").iloc[0]
    result = runner.invoke(main, ["undo", str(out), group["group"]])
    assert result.exit_code == 0, result.output
    assert len(read(out / "cleaned.csv")) == merged + len(group["rows"].split()) - 1
    assert read(out / "merge_groups.csv").iloc[0]["status"] == "undone"
    assert "nothing to import" not in result.output  # the other groups stay merged
    before = (out / "cleaned.csv").stat().st_mtime_ns
    again = runner.invoke(main, ["undo", str(out), group["group"]])  # undone already: nothing to write
    assert again.exit_code == 0 and "nothing to undo" in again.output
    assert (out / "cleaned.csv").stat().st_mtime_ns == before
    result = runner.invoke(main, ["undo", str(out), "--all"])
    assert result.exit_code == 0, result.output
    assert len(read(out / "cleaned.csv")) == 400 and len(read(out / "fix_2_update.csv")) == 0
    assert result.output.splitlines()[-1].endswith("(nothing to import or archive: no group is merged)")
    assert "no group 123456" in runner.invoke(main, ["undo", str(out), "123456"]).output
    assert len((out / "export_log.jsonl").read_text().splitlines()) == 3


def test_undo_of_a_group_not_in_merge_groups_or_of_groups_and_all_is_refused_before_the_work(tmp_path, monkeypatch):
    source, out = tmp_path / "contacts.csv", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Email\n1,Ann,Lee,ann.lee@example.com\n"
                      "2,Ann,Lee,ann.lee@example.com\n3,Bob,Kern,bob.kern@example.org\n")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    assert read(out / "merge_groups.csv")["group"].tolist() == ["0"]
    before = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}

    def the_work(*args, **kwargs):
        raise AssertionError("the run was loaded and matched again")

    monkeypatch.setattr("dedupe_kit.cli.load_run", the_work)
    result = runner.invoke(main, ["undo", str(out), "99999", "0", "7"])
    assert result.exit_code == 1
    assert result.output == (f"Error: no group 7, 99999 in {out}/merge_groups.csv: give the numbers of its group "
                             "column; nothing was undone\n")
    result = runner.invoke(main, ["undo", str(out), "0", "--all"])  # which was meant: not every merge, unsaid
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: give the group numbers to undo or --all, not both (group(s) 0 "
                                              "and --all); nothing was undone")
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == before


def test_a_group_the_merge_stopped_names_no_survivor_in_the_audit_and_its_undo_is_an_error(tmp_path):
    source, config, out = tmp_path / "contacts.csv", tmp_path / "dk.toml", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n1,Ann,Lee,ann.lee@x.com,+12125550101\n"
                      "2,Ann,Lee,ann.lee@x.com,+12125550199\n")
    config.write_text('[merge]\nstop_on = ["external_id", "main_phone"]\n')
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--config", str(config), "--out", str(out)]).exit_code == 0
    assert read(out / "merge_groups.csv")["status"].tolist() == ["stopped"]
    assert read(out / "audit.csv")[["event", "survivor_record_id", "record_id", "detail"]].values.tolist() == [
        ["stopped", "", "", "not merged, the records stay apart until a person picks the value in review or says "
         "not a match: two different main phones in 'Mobile Phone': '+12125550101' (row 0), '+12125550199' (row 1)"]]
    before = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    result = runner.invoke(main, ["undo", str(out), "0"])
    assert result.exit_code == 1
    assert "Error: undo: group(s) 0 were stopped by a conflict (their conflicts in merge_groups.csv say which), " \
           "so nothing was merged: there is nothing to undo; leave them out" in result.output
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == before
    result = runner.invoke(main, ["undo", str(out), "--all"])  # none merged, none undone
    assert result.output == f"nothing to undo: no group of {out}/ is merged; its files are as they were\n"
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == before


def test_the_summary_says_which_pairs_merged_automatically_stay_apart_in_groups_stopped_or_undone(tmp_path):
    source, config, out = tmp_path / "contacts.csv", tmp_path / "dk.toml", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n1,Ann,Lee,ann.lee@x.com,+12125550101\n"
                      "2,Ann,Lee,ann.lee@x.com,+12125550199\n3,Bo,Ray,bo.ray@x.com,+12125550133\n"
                      "4,Bo,Ray,bo.ray@x.com,+12125550133\n")
    config.write_text('[merge]\nstop_on = ["external_id", "main_phone"]\n')
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--config", str(config), "--out", str(out)]).exit_code == 0
    assert read(out / "merge_groups.csv")["status"].tolist() == ["stopped", "merge"]
    summary = (out / "summary.txt").read_text().splitlines()
    assert "  merged automatically             2   (p >= 0.95; 1 of them in groups stopped by a conflict or undone, " \
           "not merged)" in summary
    assert runner.invoke(main, ["undo", str(out), "2"]).exit_code == 0
    summary = (out / "summary.txt").read_text().splitlines()
    assert "  merged automatically             2   (p >= 0.95; 2 of them in groups stopped by a conflict or undone, " \
           "not merged)" in summary
    assert "groups merged                      0" in summary


def test_a_run_that_stops_at_the_groups_counts_apart_the_pairs_of_merges_taken_back(tmp_path):
    source, out = tmp_path / "contacts.csv", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n1,Ann,Lee,ann.lee@x.com,+12125550101\n"
                      "2,Ann,Lee,ann.lee@x.com,+12125550101\n3,Bo,Ray,bo.ray@x.com,+12125550133\n"
                      "4,Bo,Ray,bo.ray@x.com,+12125550133\n")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    assert runner.invoke(main, ["undo", str(out), "2"]).exit_code == 0
    assert runner.invoke(main, ["run", str(source), "--out", str(out), "--match-only"]).exit_code == 0
    pairs, crosswalk = read(out / "pairs.csv"), read(out / "crosswalk.csv").set_index("source_row")
    auto = pairs[pairs["status"] == "auto"]
    survivor_a, survivor_b = (crosswalk.loc[auto[side], "survivor_row"].to_numpy() for side in ("a", "b"))
    assert (len(auto), int((survivor_a != survivor_b).sum())) == (2, 1)  # the pair of the merge taken back stays apart
    assert "  to merge automatically           2   (p >= 0.95; 1 of them in groups undone, which the merge leaves " \
           "apart)" in (out / "summary.txt").read_text().splitlines()


def test_undo_in_a_folder_of_a_run_that_stopped_at_the_groups_is_an_error(tmp_path):
    source, out = tmp_path / "contacts.csv", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Email\n1,Ann,Lee,ann.lee@x.com\n2,Ann,Lee,ann.lee@x.com\n")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--out", str(out), "--match-only"]).exit_code == 0
    before = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    result = runner.invoke(main, ["undo", str(out), "--all"])
    assert result.exit_code == 1
    assert f"Error: {out}/ holds no merge to undo (no merge_groups.csv: the run stopped at the groups, " \
           f"--match-only); merge first with `dedupe-kit run {source} --config {out / 'config.toml'} --out {out} " \
           in result.output
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == before  # the merge was not made


def test_merge_policy_from_the_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[merge]\nsurvivor = "oldest_created"\ncrm = "salesforce"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out), "--config", str(config)])
    assert result.exit_code == 0, result.output
    groups = read(out / "merge_groups.csv")
    assert groups["survivor_reason"].str.startswith("oldest created").all()
    assert "#N/A" in (out / "fix_1_clear.csv").read_text()
    assert Config.from_toml(out / "config.toml").merge.crm == "salesforce"


def test_a_merge_setting_the_file_cannot_serve_stops_the_run_before_matching_naming_the_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[merge]\nrules = { "Fax" = "longest" }\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out), "--config", str(config)])
    assert result.exit_code == 1
    assert f"{config}: merge: rules: 'Fax' is neither a column of sample_data/contacts.csv nor a role" in result.output
    assert not out.exists() or not any(out.iterdir())  # refused before the run, not after its work


def test_the_output_format_can_be_asked_for(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out), "--out-encoding",
                                       "utf-16", "--out-delimiter", "\\t"])
    assert result.exit_code == 0, result.output
    text = (out / "cleaned.csv").read_bytes().decode("utf-16")
    assert text.startswith("Contact ID\tFirst Name\t")
    assert Config.from_toml(out / "config.toml").merge.output_delimiter == "\t"
    with pytest.raises(ConfigError, match="'klingon' is not an encoding"):
        MergePolicy(output_encoding="klingon")


def test_without_a_record_id_the_fix_files_are_keyed_by_email_and_name_and_the_summary_says_so(tmp_path):
    # a Mailchimp audience: the email is the key an import matches on
    path = tmp_path / "export.csv"
    path.write_text("First Name,Last Name,Email,Phone,Student ID\nAnn,Lee,a@x.com,,S1\nAnn,Lee,ann@x.com,555-0100,\n")
    exported = export(merge(load(path), np.array([0, 0])), tmp_path / "out")
    clear = read(tmp_path / "out" / "fix_1_clear.csv")
    # the email and the external ID stay: they are keys
    assert clear.columns.tolist() == ["Email", "First Name", "Last Name", "Student ID", "Phone"]
    assert clear.values.tolist() == [["ann@x.com", "Ann", "Lee", "", "UNSET"]]
    update = read(tmp_path / "out" / "fix_2_update.csv")
    assert update[["Email", "Phone"]].values.tolist() == [["a@x.com", "555-0100"]]
    # no number that reads as a record ID of the CRM: the row of the input, said so
    away = read(tmp_path / "out" / "merged_away.csv")
    assert away[["record_id", "Email", "survivor_record_id"]].values.tolist() == [["row 1", "ann@x.com", "row 0"]]
    log = read(tmp_path / "out" / "audit.csv")
    assert log[["event", "survivor_record_id", "record_id"]].values.tolist()[:2] == [["merge", "row 0", "row 0"],
                                                                                    ["merged away", "row 0", "row 1"]]
    assert any(w.startswith("no record ID column: the fix files find each contact by its email in 'Email' (import "
                            "them matched on that column") and "(record_id `row 12`), not an ID of the CRM" in w
               for w in exported.warnings)
    assert not any("different on every row" in w for w in exported.warnings)  # 'Student ID' has a blank


def test_without_a_record_id_each_line_names_its_own_contacts_email_and_the_survivor_keeps_its_address(tmp_path):
    # a Mailchimp audience: an import finds a contact by its email, so no rule may give the survivor another's
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Email,First Name,Last Name,Phone,Company\nalice@x.com,Alice,Carter,+16175550101,Acme\n"
                    "alice.carter@x.com,Alice,Carter,+16175550101,\n")
    with pytest.raises(ConfigError, match="first email column 'Email' is the key the fix files find a contact by"):
        merge(load(path), np.array([0, 0]), MergePolicy(rules={"Email": "longest"}))
    plan = merge(load(path), np.array([0, 0]), MergePolicy(rules={"emails": "longest"}))  # the other email columns'
    assert plan.cleaned()[["Email", "dedupe_kit extra emails"]].values.tolist() == [["alice@x.com",
                                                                                      "alice.carter@x.com"]]
    with pytest.warns(UserWarning, match="chosen in review for 'Email' is ignored"):
        chosen = merge(load(path), np.array([0, 0]), decisions=pd.DataFrame(
            {"a": [0], "b": [1], "decision": ["match"], "fields": ['{"Email": 1}']}))
    assert chosen.cleaned()["Email"].tolist() == ["alice@x.com"]
    # the most complete row has no email: the row with one survives, and the other has no line to clear
    path.write_text("Email,First Name,Last Name,Phone,Address,Company,Tags\n"
                    "alice.carter@x.com,Alice,Carter,+16175550101,,,VIP\n"
                    ",Alice,Carter,+16175550101,1 Main St,Acme,Donor\n")
    plan = merge(load(path), np.array([0, 0]))
    assert plan.groups.loc[0, "survivor_reason"] == ("most complete (5 filled cells); "
                                                     "rows without an email in 'Email' come last")
    exported = export(plan, out)
    assert read(out / "fix_1_clear.csv").empty  # not a line with a blank email: it would make a new contact
    update = read(out / "fix_2_update.csv")
    assert update.values.tolist() == [["alice.carter@x.com", "Alice", "Carter", "1 Main St", "Acme", "VIP;Donor"]]
    away = read(out / "merged_away.csv")
    assert away[["record_id", "Email", "survivor_record_id"]].values.tolist() == [["row 1", "", "row 0"]]
    assert any(w.startswith(f"1 row in a merge with no email ({path}, line 3 (row 1)), column 'Email'")
               for w in exported.warnings)


def test_without_a_record_id_an_external_id_filled_and_different_on_every_row_is_named_as_the_likely_key(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Customer ID,Customer Name,Customer Email\naB3x,Ann Lee,a@x.com\nZq81,Ann Lee,a@x.com\n")
    result = run(path, progress=False)
    assert result.pairs["status"].tolist() == ["drop"]  # two customer IDs keep them apart
    said = "the external ID 'Customer ID' is filled and different on every row"
    assert said in result.summary() and "give it that role" in result.summary()  # --match-only says it too
    assert said in str(profile(load(path)))
    result.write(tmp_path / "out", progress=False)
    summary = (tmp_path / "out" / "summary.txt").read_text()
    assert "no record ID column" in summary and summary.count(said) == 1
    assert run(path, Config(fields={"record_id": "Customer ID"}), progress=False).pairs["status"].tolist() == ["auto"]
    for ids in (("00421", "421.0"), ("S-1", "N/A")):  # one ID typed two ways; a placeholder: not on every row
        rows = "".join(f"{i},Ann Lee,a@x.com\n" for i in ids)
        path.write_text("Customer ID,Customer Name,Customer Email\n" + rows)
        assert said not in run(path, progress=False).summary()


def test_rows_in_a_merge_with_a_blank_or_repeated_record_id_are_named_in_a_warning(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n7,Ann,Lee,a@x.com\n7,Bob,Ray,b@y.com\n"
                    "8,Ann,Lee,a@x.com\n,Cy,Fox,c@z.com\n ,Cy,Fox,c@z.com\n9,Di,Orr,d@w.com\n")
    exported = export(merge(load(path), np.array([0, 1, 0, 3, 3, 5])), tmp_path / "out")
    warned = [w for w in exported.warnings if "a CRM cannot tell which contact" in w]
    assert len(warned) == 2
    assert warned[0].startswith(f"2 rows in a merge with no record ID ({path}, line 5 (row 3); {path}, line 6 (row 4)), "
                                "column 'Contact ID'")
    assert "(it would make new ones): left out of the fix files" in warned[0]
    fixes = [read(tmp_path / "out" / name) for name in ("fix_1_clear.csv", "fix_2_update.csv")]
    # not a line keyed by a blank ID, nor 8 cleared and archived into the 7 that may be Bob Ray
    assert [fix["Contact ID"].tolist() for fix in fixes] == [[], []]
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,City,Notes\n,Cy,Fox,c@z.com,,Boston,vip\n"
                    "10,Cy,Fox,,555-0100,,\n")
    plan = merge(load(path), np.array([0, 0]))  # the row without an ID is the more complete: no CRM contact
    assert plan.survivors().tolist() == [1, 1]  # to update, so the row with its ID survives and takes its values
    assert plan.groups.loc[0, "survivor_reason"] == "most complete (4 filled cells); rows without a record ID come last"
    assert updates(plan).values.tolist() == [["10", "Cy", "Fox", "c@z.com", "Boston", "vip"]]
    unkeyed = load(path, config=Config(fields={"record_id": "Contact ID"}))
    assert merge(unkeyed, np.array([0, 0]), decisions=pd.DataFrame(  # a person's pick of it stops the merge
        {"a": [0], "b": [1], "decision": ["match"], "survivor_row": [0]})).survivors().tolist() == [0, 1]
    # row 1 shares the ID too, but takes part in no merge
    assert warned[1].startswith(f"1 merge is left out of the fix files: the row each keeps has the record ID of "
                                f"another contact ({path}, line 2 (row 0): '7')")
    path.write_text("Contact ID,First Name,Last Name,Email\n7,Ann,Lee,a@x.com\n8,Ann,Lee,a@x.com\n")
    assert not [w for w in export(merge(load(path), np.array([0, 0])), tmp_path / "out").warnings
                if "merge.crm" not in w]  # but the generic CRM's note


@pytest.mark.parametrize("placeholder", ["n/a", "-", "N/A", "null"])
def test_a_placeholder_record_id_is_no_id_in_the_fix_files_as_a_blank_one_is(tmp_path, placeholder):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(f"Contact ID,First Name,Last Name,Email,City\n{placeholder},John,Doe,jdoe@example.com,Boston\n"
                    "C001,John,Doe,jdoe@example.com,\n")
    plan = merge(load(path), np.array([0, 0]))
    assert plan.survivors().tolist() == [1, 1]  # the more complete row has no ID: C001 survives, with its city
    assert plan.groups.loc[0, "survivor_reason"] == "most complete (4 filled cells); rows without a record ID come last"
    exported = export(plan, out)
    assert read(out / "fix_1_clear.csv").empty  # no line keyed by the placeholder, which the CRM would take for an ID
    assert read(out / "fix_2_update.csv")[["Contact ID", "City"]].values.tolist() == [["C001", "Boston"]]
    assert read(out / "merged_away.csv")[["source_row", "record_id", "survivor_record_id"]].values.tolist() == [
        ["0", "", "C001"]]
    assert f"1 row in a merge with no record ID ({path}, line 2 (row 0): {placeholder!r})" in "\n".join(
        exported.warnings)


def test_a_survivor_without_a_record_id_picked_in_review_stops_the_merge_rather_than_archive_the_others(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone\nC1,Carol,None,carol@x.com,786-555-0101\n"
                    ",Carol,None,carol@x.com,786-555-0101\nC3,Carol,None,carol+crm@x.com,786-555-0163\n"
                    "C4,Dan,Ray,dan@y.com,\n,Dan,Ray,dan@y.com,\n")
    picked = pd.DataFrame({"a": [0, 3], "b": [1, 4], "decision": ["match"] * 2, "survivor_row": [1, 4]})
    plan = merge(load(path), np.array([0, 0, 0, 3, 3]), decisions=picked)
    assert plan.groups[["status", "survivor_row"]].values.tolist() == [["stopped", 1], ["stopped", 4]]
    assert plan.groups.loc[0, "conflicts"].startswith("the survivor chosen in review, row 1, has no record ID: the "
                                                      "CRM has no contact to keep the merged values")
    exported = export(plan, out)
    for name in ("fix_1_clear.csv", "fix_2_update.csv", "merged_away.csv"):  # C1 and C3 are not emptied, nor archived
        assert read(out / name).empty, name
    assert read(out / "cleaned.csv").equals(read(path))
    assert ("2 groups are not merged and out of the fix files (group 0: row 1; group 3: row 4): the survivor chosen "
            "in review has no record ID") in "\n".join(exported.warnings)
    by_rule = merge(load(path), np.array([0, 0, 0, 3, 3]), decisions=picked.drop(columns="survivor_row"))
    assert by_rule.groups[["status", "survivor_row"]].values.tolist() == [["merge", 0], ["merge", 3]]
    alone = merge(load(path), np.array([0, 1, 2, 3, 1]), decisions=pd.DataFrame(  # no record of the group has an ID
        {"a": [1], "b": [4], "decision": ["match"], "survivor_row": [4]}))
    assert alone.groups[["status", "survivor_row"]].values.tolist() == [["merge", 4]]
    path.write_text("Email,First Name,Phone\ncarol@x.com,Carol,786-555-0101\n,Carol,786-555-0101\n")  # keyed by email
    plan = merge(load(path), np.array([0, 0]), decisions=picked.iloc[:1])
    assert plan.groups["status"].tolist() == ["stopped"]
    assert "row 1, has no email in 'Email'" in plan.groups.loc[0, "conflicts"]


@pytest.mark.parametrize("crm, name", [("generic", "fix_1_clear.csv"), ("hubspot", "fix_1_clear_by_hand.csv")])
def test_importing_the_fix_files_in_order_gives_the_cleaned_survivors(tmp_path, crm, name):
    path = tmp_path / "keap.csv"  # a number moves into an empty Phone 2 whose stale Type and Ext must go
    path.write_text("Id,First Name,Email,Phone 1,Phone 1 Type,Phone 2,Phone 2 Type,Phone 2 Ext\n"
                    "501,Anselm,anselm.k@mail.example,+1 202 555 0101,Mobile,,Home,12\n"
                    "502,Anselm,anselm.k@mail.example,+1 202 555 0102,,,,\n")
    out = tmp_path / "out"
    export(merge(load(path), np.array([0, 0]), MergePolicy(crm=crm)), out)
    crm_state = read(path).set_index("Id")
    clear = read(out / name).set_index("Id")
    word = MergePolicy(crm=crm).clear
    for record, row in clear.iterrows():  # 1. clear (by hand: the values listed)
        for column, value in row.items():
            if value and column in ("Email", "Phone 1", "Phone 2", "Phone 2 Type", "Phone 2 Ext"):
                assert value == (word or crm_state.loc[record, column])
                crm_state.loc[record, column] = ""
    for record, row in read(out / "fix_2_update.csv").set_index("Id").iterrows():  # 2. update: blank leaves as is
        for column, value in row.items():
            if value:
                crm_state.loc[record, column] = value
    cleaned = read(out / "cleaned.csv").set_index("Id")
    assert crm_state.loc["501"].tolist() == cleaned.loc["501"].tolist()
    assert cleaned.loc["501", ["Phone 2", "Phone 2 Type", "Phone 2 Ext"]].tolist() == ["+1 202 555 0102", "", ""]


def crm_after_import(path, out, key, clear="UNSET", encoding="utf-8", sep=","):
    """The CRM's contacts after importing ``out``'s files, as README says a CRM applies them to the export at
    ``path``: fix_1_clear.csv, then fix_2_update.csv, by record ID (a blank cell leaves the field, the clear word
    empties it), then merged_away.csv archived; every file read in the export's encoding and delimiter."""
    def read_as_crm(file):
        return pd.read_csv(file, dtype=str, keep_default_na=False, encoding=encoding, sep=sep)

    crm = (load(path).frame.reset_index(drop=True) if str(path).endswith(".xlsx") else read_as_crm(path)).set_index(key)
    for name in ("fix_1_clear.csv", "fix_2_update.csv"):
        lines = read_as_crm(out / name)
        assert not lines[key].duplicated().any() and lines[key].isin(crm.index).all()  # a batch updates, once each
        for record, line in lines.set_index(key).iterrows():
            for column, value in line.items():
                if value:
                    crm.loc[record, column] = "" if value == clear else value
    return crm.drop(read_as_crm(out / "merged_away.csv")["record_id"])


def assert_import_gives_cleaned(path, out, key, **read_as):
    crm = crm_after_import(path, out, key, **read_as)
    cleaned = pd.read_csv(out / "cleaned.csv", dtype=str, keep_default_na=False, encoding=read_as.get("encoding"),
                          sep=read_as.get("sep", ",")).set_index(key)
    assert crm.sort_index().equals(cleaned[crm.columns].sort_index())  # values without a field: extra columns


def test_importing_the_fix_files_into_the_sample_export_gives_cleaned_csv(sample, tmp_path):
    export(sample.merge(MergePolicy(neutralize_formulas=False)), tmp_path)  # straight into the CRM, as README says
    assert_import_gives_cleaned("sample_data/contacts.csv", tmp_path, "Contact ID")


@pytest.mark.parametrize("suffix, encoding, sep", [(".csv", "utf-8", ","), (".csv", "cp1252", ";"),
                                                    (".xlsx", "utf-8", ",")])
def test_importing_the_fix_files_gives_cleaned_csv_cell_for_cell(tmp_path, suffix, encoding, sep):
    # leading zeros, NA/None/null, the clear word as a value, a comma, quote and line break in a cell, two email
    # and three phone columns, blank names, and a Phone 2 Type the survivor loses with its number
    rows = [["Contact ID", "First Name", "Last Name", "Email", "Email 2", "Phone 1", "Phone 2", "Phone 2 Type",
             "Phone 3", "Student ID", "Company", "Notes", "Title"],
            ["00101", "Nadia", "Quellwater", "nadia.q@example.com", "", "+1 617 555 0101", "", "Home", "", "00421",
             "NA", "Likes tea, not coffee", "None"],
            ["00102", "Nadia", "Quellwater", "nadia.q@example.com", "nq@example.org", "+1 617 555 0101",
             "", "", "+1 617 555 0111", "421", "", 'He said "hi"\nsecond line', "null"],
            ["00103", "", "Brindlecomb", "brind@example.com", "", "+1 617 555 0202", "", "", "", "", "UNSET", "", ""],
            ["00104", "", "Brindlecomb", "brind@example.com", "", "", "+1 617 555 0203", "Work", "+1 617 555 0204",
             "", "Café Müller", "note", "UNSET"],
            ["00105", "Orla", "", "", "orla.x@example.com", "+1 617 555 0303", "", "", "", "S-001", "", "", ""],
            ["00106", "Orla", "", "orla.x@example.com", "", "+1 617 555 0303", "", "", "", "", "null", "", "NA"],
            ["00107", "Pim", "Vandersloot", "pim@example.com", "", "+1 617 555 0404", "", "", "", "", "", "", ""]]
    path = tmp_path / f"export{suffix}"
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    else:
        with open(path, "w", encoding=encoding, newline="") as handle:
            csv.writer(handle, delimiter=sep, lineterminator="\r\n").writerows(rows)
    out = tmp_path / "out"
    export(merge(load(path), np.array([0, 0, 2, 2, 4, 4, 6])), out)
    assert_import_gives_cleaned(path, out, "Contact ID", encoding=encoding, sep=sep)
    cleaned = pd.read_csv(out / "cleaned.csv", dtype=str, keep_default_na=False, encoding=encoding, sep=sep)
    # Orla's 00105 survives: 00106's null and NA are no values (placeholders), so it holds fewer
    assert cleaned["Contact ID"].tolist() == ["00101", "00104", "00105", "00107"]
    assert cleaned.loc[0, ["Phone 2", "Phone 2 Type", "Student ID", "Company"]].tolist() == [
        "+1 617 555 0111", "", "00421", "NA"]  # Home went with the empty Phone 2: the clearing file empties it
    assert cleaned.loc[1, ["First Name", "Phone 1", "Title"]].tolist() == ["", "+1 617 555 0202", "UNSET"]


def test_merges_whose_kept_rows_share_one_record_id_are_left_out_of_the_fix_files(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"  # two contacts exported under one ID, each with a duplicate
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Company\n7,Ann,Archer,ann@example.com,415-555-0101,\n"
                    "8,Ann,Archer,ann@example.com,,Acme\n7,Bob,Baker,bob@example.org,415-555-0202,\n"
                    "9,Bob,Baker,bob@example.org,,Globex\n10,Cy,Cole,cy@example.net,415-555-0303,\n"
                    "11,Cy,Cole,cy@example.net,,Initech\n")
    exported = export(merge(load(path), np.array([0, 0, 2, 2, 4, 4])), out)
    # were '7,Ann,Archer,Acme' and '7,Bob,Baker,Globex': both updates for one CRM record, 8 and 9 archived into it
    assert read(out / "fix_2_update.csv").values.tolist() == [["10", "Cy", "Cole", "Initech"]]
    assert read(out / "fix_1_clear.csv")["Contact ID"].tolist() == ["11"]
    assert read(out / "merged_away.csv")["record_id"].tolist() == ["11"]
    assert read(out / "cleaned.csv")["Company"].tolist() == ["Acme", "Globex", "Initech"]  # merged all the same
    warned = [w for w in exported.warnings if "of another contact" in w]
    assert warned == [f"2 merges are left out of the fix files: the row each keeps has the record ID of another "
                      f"contact ({path}, line 2 (row 0): '7'; {path}, line 4 (row 2): '7'), column 'Contact ID': a CRM "
                      "cannot tell which contact its update is for, nor into which the others would be cleared and "
                      "archived; check those contacts by hand"]


def test_merged_away_rows_of_two_contacts_under_one_record_id_are_neither_cleared_nor_archived(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"  # two contacts exported under 7, each merged into another
    path.write_text("Contact ID,First Name,Last Name,Email,Company\n7,Ann,Archer,ann@example.com,\n"
                    "8,Ann,Archer,ann@example.com,Acme\n7,Bob,Baker,bob@example.org,\n"
                    "9,Bob,Baker,bob@example.org,Globex\n10,Cy,Cole,cy@example.net,\n"
                    "11,Cy,Cole,cy@example.net,Initech\n")
    exported = export(merge(load(path), np.array([1, 1, 3, 3, 5, 5])), out)
    # was a line for 7 in both: whichever contact 7 is cleared and archived into Ann's 8
    assert read(out / "fix_1_clear.csv")[["Contact ID", "Email"]].values.tolist() == [["10", "UNSET"]]
    assert read(out / "merged_away.csv")[["record_id", "survivor_record_id"]].values.tolist() == [["10", "11"]]
    assert read(out / "cleaned.csv")["Contact ID"].tolist() == ["8", "9", "11"]  # merged all the same
    assert [w for w in exported.warnings if "record ID" in w] == [
        f"2 rows in a merge with the record ID of another contact ({path}, line 2 (row 0): '7'; {path}, line 4 "
        "(row 2): '7'), column 'Contact ID': a CRM cannot tell which contact their lines would clear and archive: "
        "left out of the clearing file and merged_away.csv; check those contacts by hand"]


def test_a_merged_away_row_with_the_record_id_of_a_kept_row_is_neither_cleared_nor_archived(tmp_path):
    # contact 7 on two rows (a report with its opportunities), and row 3 with contact 9's ID merged into row 2
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n7,Ann,Lee,a@x.com\n7,Ann,Lee,a@x.com\n"
                    "8,Bob,Ray,b@y.com\n9,Bob,Ray,b@y.com\n9,Cy,Fox,c@z.com\n10,Di,Orr,d@w.com\n11,Di,Orr,d@w.com\n")
    out = tmp_path / "out"
    exported = export(merge(load(path), np.array([0, 0, 2, 2, 4, 5, 5])), out)
    cleared = pd.read_csv(out / "fix_1_clear.csv", dtype=str)
    assert cleared[["Contact ID", "Email"]].values.tolist() == [["11", "UNSET"]]  # not 7's or 9's email
    assert pd.read_csv(out / "merged_away.csv", dtype=str)["record_id"].tolist() == ["11"]
    warned = [w for w in exported.warnings if "of a kept row" in w]
    assert warned == [f"1 merged-away row has the record ID of a kept row ({path}, line 3 (row 1): '7'): left out of "
                      "the clearing file and merged_away.csv, whose lines would clear or archive that contact (one "
                      "contact exported on several rows, as a report with its opportunities writes it, has one ID)"]
    assert [w for w in exported.warnings if "of another contact" in w] == [  # Bob's 9 is Cy's ID: two contacts
        f"1 row in a merge with the record ID of another contact ({path}, line 5 (row 3): '9'), column 'Contact ID': "
        "a CRM cannot tell which contact their lines would clear and archive: left out of the clearing file and "
        "merged_away.csv; check those contacts by hand"]
    audit = pd.read_csv(out / "audit.csv", dtype=str)  # the merges themselves are all recorded
    assert audit.loc[audit["event"] == "merged away", "record_id"].tolist() == ["7", "9", "11"]

def test_a_record_id_typed_with_a_space_before_it_is_the_record_id_of_the_kept_row(tmp_path):
    # " 7" merged into "7" was cleared and archived as another contact: a CRM reading " 7" as 7 would clear the
    # kept contact's email, as the import pre-flight reads it as 7
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n7,Ann,Lee,a@x.com\n 7,Ann,Lee,a2@x.com\n")
    out = tmp_path / "out"
    exported = export(merge(load(path), np.array([0, 0])), out)
    assert pd.read_csv(out / "fix_1_clear.csv", dtype=str).empty
    assert pd.read_csv(out / "merged_away.csv", dtype=str).empty
    assert [w for w in exported.warnings if "of a kept row" in w][0].startswith(
        f"1 merged-away row has the record ID of a kept row ({path}, line 3 (row 1): ' 7')")


def test_merged_away_names_the_records_of_a_file_with_one_name_column_by_the_parts_of_their_full_name(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("ID,Name,Email,Phone\n1,Dr. Zoë Müller-Lévy,zoe@example.com,\n"
                    "2,Dr. Zoë Müller-Lévy,zoe@example.com,\n3,\"Smith, Bob\",bob@example.org,\n"
                    "4,\"Smith, Bob\",bob@example.org,\n5,Cher,cher@example.net,\n6,Cher,cher@example.net,\n",
                    encoding="utf-8")
    export(merge(load(path), np.array([0, 0, 2, 2, 4, 4])), out)
    away = read(out / "merged_away.csv")
    assert away[["record_id", "first_name", "last_name", "survivor_record_id"]].values.tolist() == [
        ["2", "Zoë", "Müller-Lévy", "1"], ["4", "Bob", "Smith", "3"], ["6", "Cher", "", "5"]]


@pytest.mark.parametrize("crm, name", [("generic", "fix_1_clear.csv"), ("hubspot", "fix_1_clear_by_hand.csv")])
def test_a_contact_exported_on_several_rows_and_merged_away_has_one_line_per_file(tmp_path, crm, name):
    # contact 7 on two rows (a report with its opportunities), its number on the second: an import batch that
    # names an ID twice fails
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,Company,City,Opportunity\n"
                    "7,Ann,Lee,a@x.com,,,,Opp1\n7,Ann,Lee,a@x.com,+16175550101,,,Opp2\n"
                    "8,Ann,Lee,a@x.com,,Acme,Boston,Opp3\n")
    exported = export(merge(load(path), np.array([0, 0, 0]), MergePolicy(crm=crm)), out)
    word = MergePolicy(crm=crm).clear
    cleared = read(out / name)
    assert cleared[["Contact ID", "Email", "Mobile Phone"]].values.tolist() == [
        ["7", word or "a@x.com", word or "+16175550101"]]
    away = read(out / "merged_away.csv")
    assert away[["source_row", "record_id", "survivor_record_id"]].values.tolist() == [["0", "7", "8"]]
    assert not [w for w in exported.warnings if "record ID" in w]  # one contact, one survivor: nothing to check


def test_the_crms_clear_word_is_no_value_to_merge_and_one_chosen_in_review_is_named_in_a_warning(tmp_path):
    # Data Loader reads "#N/A" as "empty the field": set as a value, the import would not give cleaned.csv
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Id,First Name,Last Name,Email,Title,Notes,Company,LastModifiedDate\n"
                    "A1,Ann,Lee,a@x.com,#N/A,#n/a,Acme,2020-01-01\nA2,Ann,Lee,a@x.com,Manager,vip,,2022-01-01\n"
                    "A3,Bo,Ray,b@x.com,Manager,,Acme,2020-01-01\nA4,Bo,Ray,b@x.com, #N/A,,,2022-01-01\n")
    policy = MergePolicy(crm="salesforce", rules={"Title": "most_recent"})
    plan = merge(load(path), np.array([0, 0, 2, 2]), policy)
    # A1's cells of the word do not make it the most complete: A2 survives, and takes A1's company
    assert plan.cleaned()[["Id", "Title", "Notes", "Company"]].values.tolist() == [["A2", "Manager", "vip", "Acme"],
                                                                                  ["A3", "Manager", "", "Acme"]]
    assert not [w for w in export(plan, out).warnings if "clear word" in w]
    chosen = pd.DataFrame({"a": [2], "b": [3], "decision": ["match"], "fields": ['{"Title": 3}']})
    exported = export(merge(load(path), np.array([0, 0, 2, 2]), policy, decisions=chosen), out)
    assert read(out / "fix_2_update.csv").set_index("Id").loc["A3", "Title"] == " #N/A"
    assert [w for w in exported.warnings if "clear word" in w] == [
        f"1 value of fix_2_update.csv is the clear word '#N/A' (record 'A3', column 'Title' ({path}, line 4 (row 2))): "
        "the import empties that field, where cleaned.csv holds the word; set it by hand after the import, or choose "
        "another value in review"]


def test_a_name_that_is_the_clear_word_is_left_as_it_is_by_the_fix_files(tmp_path):
    # a VLOOKUP's #N/A in a name: written in a line's name, it would empty that name in Salesforce
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Id,FirstName,LastName,Email,MobilePhone\n"
                    "A1,#N/A,Harrow,h@x.com,+1 617 555 0399\nA2,#N/A,Harrow,h@x.com,\nA3,Oz,#N/A,o@x.com,\n")
    export(merge(load(path), np.array([0, 0, 2]), MergePolicy(crm="salesforce")), out)
    assert read(out / "cleaned.csv")["FirstName"].tolist() == ["#N/A", "Oz"]
    assert read(out / "fix_1_clear.csv")[["Id", "FirstName", "Email"]].values.tolist() == [["A2", "", "#N/A"]]


def test_without_a_record_id_an_email_in_other_capitals_is_the_same_contacts_key(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("First Name,Last Name,Email,Phone\nFay,Ngata,fay.ngata@mail.example,+1 617 555 0207\n"
                    "Fay,Ngata,Fay.Ngata@Mail.example,+1 617 555 0208\n")
    exported = export(merge(load(path), np.array([0, 0])), out)
    assert len(read(out / "merged_away.csv")) == 0 and len(read(out / "fix_1_clear.csv")) == 0  # not the survivor
    assert any("merged-away row has the email of a kept row" in w for w in exported.warnings)


def test_a_reviewers_survivor_and_field_choice_reach_the_files(tmp_path):
    from dedupe_kit.review import open_state

    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    state = open_state(out, reviewer="tester")
    item = state.current
    a, b = item.rows[:2]
    state.match(survivor_row=b, fields={"First Name": a}, rows=[a, b])
    state.store.close()
    assert runner.invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    crosswalk = read(out / "crosswalk.csv").set_index("source_row")
    survivor_id = crosswalk.loc[str(b), "record_id"]
    assert crosswalk.loc[str(a), "survivor_record_id"] == survivor_id
    groups = read(out / "merge_groups.csv")
    group = groups[groups["survivor_record_id"] == survivor_id].iloc[0]
    assert (group["survivor_reason"], group["decided_by"]) == ("chosen in review", "reviewed")
    first_name = load("sample_data/contacts.csv").frame.loc[a, "First Name"]
    assert read(out / "cleaned.csv").set_index("Contact ID").loc[survivor_id, "First Name"] == first_name
    audit = read(out / "audit.csv")
    merge_event = audit[(audit["event"] == "merge") & (audit["record_id"] == survivor_id)].iloc[0]
    assert merge_event["decided_by"] == "reviewed" and merge_event["decided_at"].startswith("20")


def test_a_match_only_run_writes_the_groups_and_removes_an_earlier_merge(written, tmp_path):
    from dedupe_kit.review import open_state

    out = tmp_path / "out"
    out.mkdir()
    for name in ("cleaned.csv", "fix_1_clear.csv", "fix_2_update.csv", "audit.csv", "profile.txt"):
        (out / name).write_text("from an earlier run with the merge")
    runner = CliRunner()
    args = ["run", "sample_data/contacts.csv", "--out", str(out), "--match-only"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "not merged" in result.output and "groups of duplicates" in result.output
    auto = next(line for line in result.output.splitlines() if "automatically" in line)
    assert auto.startswith("  to merge automatically  ")  # not "merged": nothing is
    assert sorted(p.name for p in out.iterdir()) == [
        "config.toml", "crosswalk.csv", "model.csv", "pairs.csv", "run.json", "scores.png", "summary.txt",
        "too_common.csv"]
    for name in ("crosswalk.csv", "pairs.csv"):  # no group of the sample is stopped: the same survivors
        assert (out / name).read_bytes() == (written / name).read_bytes()
    state = open_state(out, reviewer="tester")  # the review works on the groups alone
    a, b = state.current.rows[:2]
    state.match(survivor_row=b, rows=[a, b])
    state.store.close()
    assert runner.invoke(main, args).exit_code == 0
    crosswalk = read(out / "crosswalk.csv").set_index("source_row")
    assert crosswalk.loc[str(a), "survivor_record_id"] == crosswalk.loc[str(b), "record_id"]
    assert crosswalk.loc[str(a), "decided_by"] == "reviewed"


def test_a_workbook_export_gives_utf8_csv_files(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["Contact ID", "First Name", "Email"], ["007", "Zoé", "z@x.com"], ["008", "Zoé", "z@x.com"]):
        sheet.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)
    export(merge(load(path), np.array([0, 0])), tmp_path / "out")
    assert (tmp_path / "out" / "cleaned.csv").read_bytes().decode("utf-8") == "Contact ID,First Name,Email\n007,Zoé,z@x.com\n"


def test_the_summary_counts_the_contacts_actually_written(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    contacts = len(read(out / "cleaned.csv"))
    assert f"contacts after merging    {contacts:>10,}" in (out / "summary.txt").read_text()
    assert runner.invoke(main, ["undo", str(out), "--all"]).exit_code == 0
    assert f"contacts after merging    {400:>10,}" in (out / "summary.txt").read_text()


def test_an_encoding_that_cannot_write_a_name_is_a_clear_error_and_writes_nothing(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email\n1,李,a@x.com\n2,李,a@x.com\n")
    with pytest.raises(ConfigError, match=r"cleaned.csv, sheet row 2 \(cleaned.csv row 0\), column 'First Name': "
                                           "cp1252 cannot write '李'"):
        export(merge(load(path), np.array([0, 0]), MergePolicy(output_encoding="cp1252")), tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("encoding, mark", [("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe")])
def test_a_byte_order_mark_starts_the_file_once_however_many_pieces_it_is_written_in(tmp_path, encoding, mark):
    frame = pd.DataFrame({"Contact ID": [f"{i:06d}" for i in range(70_000)], "Name": "Zoë"})  # two pieces of 65,536 rows
    write_tables(tmp_path, {"t.csv": frame}, {"t.csv": (encoding, ",")})
    data = (tmp_path / "t.csv").read_bytes()
    assert data.startswith(mark) and data.count(mark) == 1
    assert data.decode(encoding) == csv_text(frame)


def test_line_endings_follow_the_header_line_and_files_are_readable_by_others(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b'Contact ID,First Name,Notes\n1,Ann,"two\r\nlines"\n2,Bob,\n')
    export(merge(load(path), np.arange(2)), tmp_path / "out")
    assert (tmp_path / "out" / "cleaned.csv").read_bytes() == path.read_bytes()
    mode = (tmp_path / "out" / "cleaned.csv").stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()
    for data in (b'Contact ID,First Name,Notes\r1,Ann,"two\rlines"\r2,Bob,\r',  # Excel's "CSV (Macintosh)"
                 b'Contact ID,First Name,Notes\r1,Ann,"two\nlines"\r2,Bob,\r',  # a line feed only in a cell
                 b'Contact ID,First Name,Notes\n1,Ann,"two\rlines"\n2,Bob,\n',  # a carriage return in a cell
                 "Contact ID,First Name,Notes\r\n1,Ann,\r\n".encode("utf-16")):
        path.write_bytes(data)
        export(merge(load(path), np.arange(len(load(path)))), tmp_path / "out")
        assert (tmp_path / "out" / "cleaned.csv").read_bytes() == data


def test_arithmetic_after_a_sign_is_a_formula_but_phone_numbers_are_not():
    cells = ["+1-1", "-1-1", "+3/4", "-1 /2", "-2+3", "+1 555 (SUM)", "-1 (cmd)|", "+1 555 0100", "-12.5",
             "+44 7700 900123", "+1 212-555-0142 ::: +1 212-555-0199", "-1,234.50", "-5%", "+1 617 555 0100 (mum)",
             "+1 617 555 0166 / +1 617 555 0167", "+1 617 555 0161 or 617 555 0162",
             "+1 202 555 0142 extension 7", "+1 202 555 0142 (Mum's)", "+1 202 555 0142 poste 12", "+1 202 555 0142 cell",
             "+1 202 555 0142 - work", "+1-202-555-0142;ext=5",  # labelled numbers: words only, nothing to run
             "+1 202 555 0142 cmd|' /C calc'!A0", "+1 202 555 0142 SUM(A1)"]
    assert [cells[i] for i in formula_cells(cells)] == cells[:7] + cells[-2:]


def test_an_undo_is_kept_by_record_id_on_another_version_of_the_input(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    assert runner.invoke(main, ["undo", str(out), "--all"]).exit_code == 0
    assert len(read(out / "cleaned.csv")) == 400
    sample, other = read("sample_data/contacts.csv"), tmp_path / "other.csv"
    sample.loc[len(sample)] = ["C999999", "Zed", "Last"] + [""] * (sample.shape[1] - 3)
    sample.iloc[::-1].to_csv(other, index=False)  # a newer export: a new row, and the rows in another order
    result = runner.invoke(main, ["run", str(other), "--out", str(out)])
    assert result.exit_code == 0
    assert len(read(out / "cleaned.csv")) == 401  # no group merged again
    assert (f"warning: {out / 'undone.json'}: 101 merge(s) taken back on another version of the input: 101 kept "
            "apart again by record ID\n") in (out / "summary.txt").read_text()


def test_an_undo_whose_records_cannot_be_found_on_another_input_is_named(tmp_path):
    source, out = tmp_path / "contacts.csv", tmp_path / "out"
    header = "Contact ID,First Name,Last Name,Email,Mobile Phone\n"
    ann, bob = ",Ann,Lee,ann.lee@x.com,+12125550101\n", ",Bob,Ray,bob.ray@y.com,+13125550102\n"
    source.write_text(header + "C1" + ann + "C 2" + ann + "C3" + bob + "C4" + bob)
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    assert runner.invoke(main, ["undo", str(out), "--all"]).exit_code == 0
    source.write_text(header + "C4" + bob + "C3" + bob + "C1" + ann + "C5" + ann)  # C 2 is gone, C5 is new
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    assert read(out / "merge_groups.csv")[["record_ids", "status"]].values.tolist() == [["C4 C3", "undone"],
                                                                                         ["C1 C5", "merge"]]
    assert (f"warning: {out / 'undone.json'}: 2 merge(s) taken back on another version of the input: 1 kept apart "
            "again by record ID; 1 not, as fewer than two of its records are found (gone, or their record ID blank "
            "or on several rows now): C1 'C 2'\n") in (out / "summary.txt").read_text()  # was C1 C 2
    undo = runner.invoke(main, ["undo", str(out), "2"])  # written again for this input: the Bob Rays stay apart
    assert undo.exit_code == 0 and undo.output.count("1 not, as fewer than two of its records are found") == 1
    assert "1 not, as fewer than two" in (out / "summary.txt").read_text()  # kept, as undone.json no longer says it
    assert json.loads((out / "undone.json").read_text())["record_ids"] == [["C4", "C3"], ["C1", "C5"]]
    assert len(read(out / "cleaned.csv")) == 4
    (out / "undone.json").write_text('{"schema": 2, "sha256": "another", "rows": [[0, 1]]}')  # an older record
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    assert len(read(out / "cleaned.csv")) == 2
    assert (f"warning: {out / 'undone.json'}: 1 merge(s) taken back on another version of the input are not kept: "
            "the file does not hold their record IDs") in (out / "summary.txt").read_text()


def _two_sheet_workbook(path: Path) -> Path:
    """Sheet Jan: C1 and C2 are Ann, C3 and C4 Bob; sheet Feb: the same contacts, Bob's first."""
    from openpyxl import Workbook

    book = Workbook()
    ann, bob = ["Ann", "Lee", "ann.lee@x.com", "+12125550101"], ["Bob", "Ray", "bob.ray@y.com", "+13125550102"]
    rows = [["C1", *ann], ["C2", *ann], ["C3", *bob], ["C4", *bob]]
    book.active.title = "Jan"
    for sheet, order in ((book.active, rows), (book.create_sheet("Feb"), rows[2:] + rows[:2])):
        for row in [["Contact ID", "First Name", "Last Name", "Email", "Mobile Phone"], *order]:
            sheet.append(row)
    book.save(path)
    return path


def test_an_undo_on_one_sheet_of_a_workbook_stays_with_its_records_on_another(tmp_path):
    book, out = _two_sheet_workbook(tmp_path / "book.xlsx"), tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(book), "--sheet", "Jan", "--out", str(out)]).exit_code == 0
    ann = read(out / "merge_groups.csv").query("record_ids == 'C1 C2'")["group"].iloc[0]
    assert runner.invoke(main, ["undo", str(out), ann]).exit_code == 0  # Ann's merge taken back on rows 0 and 1
    assert runner.invoke(main, ["run", str(book), "--sheet", "Feb", "--out", str(out)]).exit_code == 0
    # rows 0 and 1 of Feb are Bob's: Ann's records stay apart, Bob's merge
    assert read(out / "merge_groups.csv")[["record_ids", "status"]].values.tolist() == [["C3 C4", "merge"],
                                                                                         ["C1 C2", "undone"]]
    assert (f"warning: {out / 'undone.json'}: 1 merge(s) taken back on another version of the input: 1 kept apart "
            "again by record ID\n") in (out / "summary.txt").read_text()
    assert runner.invoke(main, ["run", str(book), "--out", str(out)]).exit_code == 0  # the first sheet, unnamed
    assert read(out / "merge_groups.csv")["status"].tolist() == ["undone", "merge"]
    assert "undone.json" not in (out / "summary.txt").read_text()  # the input the undo was made on


def test_an_undo_stays_with_its_records_when_a_review_decision_regroups_them(tmp_path):
    source, out = tmp_path / "contacts.csv", tmp_path / "out"
    source.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,City\n"
                      "C1,Megan,Lewis,megan.lewis@hotmail.com,+12125550124,Boston\n"
                      "C2,John,Smith,john.smith@corp.com,+13125550100,Dallas\n"
                      "C3,John,Smith,js@x.com,+13125550100,Chicago\n"
                      "C4,John,Smith,js@x.com,+13125550100,Chicago\n"
                      "C5,Peter,Brown,pb@y.com,+14155550111,Denver\n"
                      "C6,Anna,White,aw@z.com,+16175550122,Miami\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    assert read(out / "merge_groups.csv")[["group", "record_ids"]].values.tolist() == [["2", "C3 C4"]]
    assert runner.invoke(main, ["undo", str(out), "2"]).exit_code == 0
    assert runner.invoke(main, ["run", str(source), "--out", str(out), "--match-only"]).exit_code == 0
    crosswalk = read(out / "crosswalk.csv")  # the survivor each group would keep: none for a merge taken back
    assert crosswalk["survivor_record_id"].tolist() == ["C1", "C2", "C3", "C4", "C5", "C6"]
    from dedupe_kit.review import DecisionStore

    with DecisionStore(out) as store:  # a person matches C2 with C3: the group is now 1, of C2, C3 and C4
        store.decide((1, 2), "match", record_ids={1: "C2", 2: "C3"})
    assert runner.invoke(main, ["run", str(source), "--out", str(out)]).exit_code == 0
    groups = read(out / "merge_groups.csv")
    assert groups[["group", "record_ids", "status"]].values.tolist() == [["1", "C2 C3 C4", "undone"]]
    assert len(read(out / "cleaned.csv")) == 6 and len(read(out / "merged_away.csv")) == 0


@pytest.mark.parametrize("sep,line_end", [(",", "\n"), (";", "\r\n"), ("\t", "\n")])
def test_csv_text_writes_what_pandas_writes(sep, line_end):
    frame = pd.DataFrame({  # rows that need quotes, and rows that do not
        "ID": ["007", "+33 6 12", "NA", "42", " 8 "], "blank": ["", None, np.nan, "", ""],
        "quoted": ['say "hi"', "a;b,c", "two\nlines", "plain", "car\rriage"],
        "int": [1, -2, 3, 4, 5], "float": [0.1 + 0.2, np.nan, 1e20, 2.5, -0.0], "bool": [True, False, True, False, True],
        "rows": [(1, 2), "x", 5, "y", "z"], "nullable": pd.array([1, None, 3, 4, None], dtype="Int64"),
        "small": np.array([0.1, 1 / 3, np.nan, 2.5, 7], dtype=np.float32), "byte": np.array([0, 255, 7, 8, 9], dtype=np.uint8),
        "big": [2**62, -(2**62), 0, 10**15, -1], "tiny": [5e-324, 1e-7, 1e16, 123456789.123456789, float("inf")],
        "when": pd.to_datetime(["2021-01-02", "2021-01-03", "2021-01-04", "2021-01-05 10:30", None], format="ISO8601"),
    })
    expected = frame.to_csv(index=False, sep=sep, lineterminator=line_end)
    if "\r" not in line_end:  # but a carriage return is quoted, which Python 3.11's writer leaves bare
        expected = expected.replace("car\rriage", '"car\rriage"')
    assert csv_text(frame, sep, line_end) == expected
    read_back = pd.read_csv(io.StringIO(csv_text(frame, sep, line_end), newline=""), sep=sep, dtype=str,
                            keep_default_na=False)
    assert read_back["quoted"].tolist() == frame["quoted"].tolist()
    assert csv_text(frame.iloc[:0], sep, line_end) == frame.iloc[:0].to_csv(index=False, sep=sep, lineterminator=line_end)
    one = pd.DataFrame({"only": ["", "x"]})  # a blank cell alone on its line is quoted, as pandas does
    assert csv_text(one, sep, line_end) == one.to_csv(index=False, sep=sep, lineterminator=line_end)
    pieces = list(csv_chunks(frame, sep, line_end, rows=2))  # written two rows at a time
    assert len(pieces) == 3 and "".join(pieces) == csv_text(frame, sep, line_end)
    one = pd.DataFrame({"only": ["", "x", "a,b", ""]})
    assert "".join(csv_chunks(one, sep, line_end, rows=3)) == one.to_csv(index=False, sep=sep, lineterminator=line_end)
    nul = pd.DataFrame({"text": ["a\0b;c", "x,y\tz", "plain"]})  # a NUL inside a cell, whose quotes are found otherwise
    assert csv_text(nul, sep, line_end) == nul.to_csv(index=False, sep=sep, lineterminator=line_end)


def test_files_are_written_all_or_none(tmp_path):
    (tmp_path / "a.csv").write_text("old a\n")

    def failing():
        yield b"half of b"
        raise ConfigError("b cannot be written")

    with pytest.raises(ConfigError, match="b cannot be written"):
        write_files({tmp_path / "a.csv": [b"new a\n"], tmp_path / "b.csv": failing()})
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"] and (tmp_path / "a.csv").read_text() == "old a\n"
    with pytest.raises(TypeError):  # an error while writing to disk (in the writing thread) does the same
        write_files({tmp_path / "a.csv": [b"new a\n"], tmp_path / "b.csv": [b"b", "not bytes", b"\n"]})
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"] and (tmp_path / "a.csv").read_text() == "old a\n"
    (tmp_path / "b.csv").mkdir()  # a folder where b goes: a stays as it was, and the error names b
    with pytest.raises(IsADirectoryError, match="a folder has the name of this file") as error:
        write_files({tmp_path / "a.csv": [b"new a\n"], tmp_path / "b.csv": [b"b\n"]})
    assert error.value.filename == str(tmp_path / "b.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"] and (tmp_path / "a.csv").read_text() == (
        "old a\n")
    (tmp_path / "b.csv").rmdir()
    assert write_files({tmp_path / "a.csv": [b"new ", b"a\n"], tmp_path / "b.csv": iter([b"b\n"])}) == [
        tmp_path / "a.csv", tmp_path / "b.csv"]
    assert (tmp_path / "a.csv").read_text() == "new a\n" and (tmp_path / "b.csv").read_text() == "b\n"


def test_a_full_disk_names_the_file_and_leaves_no_file_behind(tmp_path):
    # A file-size limit fails the write as a full disk does, and again when the file is closed
    # with what could not be written: the first error, naming its file, and no temporary file.
    code = ("from dedupe_kit.files import write_files\n"
            "try:\n"
            "    write_files({'a.csv': [b'a' * 1000], 'b.csv': (b'b' * 4096 for _ in range(10))})\n"
            "except OSError as exc:\n"
            "    print(exc.errno, exc.filename)\n")

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error of the write, not a signal that kills
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, preexec_fn=limited, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    assert (done.stdout, done.stderr) == (f"{errno.EFBIG} b.csv\n", "") and list(tmp_path.iterdir()) == []


def test_formulas_are_found_next_to_cells_holding_a_nul():
    # a NUL inside a cell shifts the positions of a joined column: the cells are then measured one by one
    frame = pd.DataFrame({"Notes": ["a\0=b", "=SUM(A1)", "", "\0", "-2+3", "ok"]})
    listed = []
    text = "".join(csv_chunks(frame, neutralized=listed))
    assert [row for _, row, _ in listed] == [1, 4]
    assert text == csv_text(pd.DataFrame({"Notes": ["a\0=b", "'=SUM(A1)", "", "\0", "'-2+3", "ok"]}))
    assert formula_cells(frame["Notes"].tolist()) == [1, 4]


def test_formula_cells_are_neutralized_while_the_csv_is_written(tmp_path):
    frame = pd.DataFrame({"ID": ["007", "=1+1", "+44 7700 900123", "-"], "n": [1, -2, 3, 4],
                          "Notes": ["a\0=b", "@x; y", "", "-2+3"]})
    listed = []
    text = "".join(csv_chunks(frame, ";", "\r\n", rows=3, neutralized=listed))  # pieces of three rows
    safe = frame.assign(ID=["007", "'=1+1", "+44 7700 900123", "-"], Notes=["a\0=b", "'@x; y", "", "'-2+3"])
    assert text == csv_text(safe, ";", "\r\n") and '"\'@x; y"' in text  # quoted as the cell needs, after its quote mark
    assert sorted(listed) == [(0, 1, "=1+1"), (2, 1, "@x; y"), (2, 3, "-2+3")]
    _, found = write_tables(tmp_path, {"t.csv": frame}, {"t.csv": ("utf-8", ";")}, line_end="\r\n")
    assert found.values.tolist() == [["t.csv", 1, 3, "ID", "=1+1"], ["t.csv", 1, 3, "Notes", "@x; y"],
                                     ["t.csv", 3, 5, "Notes", "-2+3"]]  # by column, then row
    assert (tmp_path / "t.csv").read_bytes().decode() == text


def test_undo_of_a_group_a_review_decision_has_changed_since_the_run_is_refused(tmp_path):
    from dedupe_kit.review import open_state

    out, runner = tmp_path / "out", CliRunner()
    assert runner.invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out)]).exit_code == 0
    groups = read(out / "merge_groups.csv").set_index("group")["rows"]
    assert groups["62"] == "62 192 197" and groups["137"] == "137 302 323"
    state = open_state(out)  # a person matches 197 with 302: 197 leaves group 62 for group 137
    state.goto(state.item_of((197, 302)).index)
    state.match()
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.suffix == ".csv"}
    result = runner.invoke(main, ["undo", str(out), "137"])
    assert result.exit_code == 1
    assert result.output == (f"Error: group 137 of {out}/merge_groups.csv holds other records now (a review decision "
                             "since the run): run again to see the groups, then undo; nothing was undone\n")
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.suffix == ".csv"} == before


def test_the_audit_says_a_value_of_the_survivor_not_kept_is_replaced_by_the_update_not_cleared(tmp_path):
    path = tmp_path / "export.csv"  # Email chosen in review from the record merged away; no union to keep the other
    path.write_text("Contact ID,First Name,Email\n1,Ann,ann+crm@example.com\n2,Ann,ann@example.com\n")
    decisions = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"], "survivor_row": [0], "fields": [{"Email": 1}]})
    plan = merge(load(path), np.array([0, 0]), MergePolicy(rules={"emails": "fill"}), decisions=decisions)
    export(plan, out := tmp_path / "out")
    events = read(out / "audit.csv").set_index("event")
    assert events.loc["field", ["record_id", "before", "after"]].tolist() == ["1", "ann+crm@example.com",
                                                                            "ann@example.com"]
    assert events.loc["not kept", ["record_id", "before", "from_record_id"]].tolist() == ["1", "ann+crm@example.com",
                                                                                          "1"]
    assert "cleared with its record" not in events.loc["not kept", "detail"]
    assert "replaced by the merged value of its column in the update" in events.loc["not kept", "detail"]
    assert read(out / "fix_2_update.csv")[["Contact ID", "Email"]].values.tolist() == [["1", "ann@example.com"]]
    assert read(out / "fix_1_clear.csv")["Contact ID"].tolist() == ["2"]  # the survivor's record is not cleared
    # a survivor left out of the fix files (no record ID, or another contact's): nothing replaces it in the CRM
    for rows in ("1,Ann,ann+crm@example.com\n2,Ann,ann@example.com\n1,Bob,bob@example.org\n3,Bob,bob@example.org\n",
                 ",Ann,ann+crm@example.com\n,Ann,ann@example.com\n"):
        path.write_text("Contact ID,First Name,Email\n" + rows)
        groups = np.array([0, 0, 2, 2][:len(rows.splitlines())])
        export(merge(load(path), groups, MergePolicy(rules={"emails": "fill"}), decisions=decisions), out)
        events = read(out / "audit.csv").set_index("event")
        assert events.loc["not kept", ["before", "detail"]].tolist() == [
            "ann+crm@example.com", "the merged contact does not keep this value; it is the survivor's own, which "
            "nothing replaces in the CRM: the survivor is left out of the fix files (see the warnings of summary.txt)"]
        assert len(read(out / "fix_2_update.csv")) == 0


def test_the_audit_says_a_number_of_a_merged_away_record_left_out_of_the_fix_files_stays_in_the_crm(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"  # a second phone the merged contact does not keep
    policy = MergePolicy(rules={"phones": "fill"})
    left_out = ("the merged contact does not keep this value; it stays in the CRM on its merged-away record, which "
                "is left out of the fix files (see the warnings of summary.txt)")
    for rows, groups, detail in (
            ("5,Ann,Archer,+1 202 555 0143\n6,Ann,,+1 202 555 0178\n", [0, 0],
             "the merged contact does not keep this value; it is cleared with its record"),
            ("5,Ann,Archer,+1 202 555 0143\n,Ann,,+1 202 555 0178\n", [0, 0], left_out),  # no record ID
            ("5,Ann,Archer,+1 202 555 0143\n7,Ann,,+1 202 555 0178\n"  # 7: two contacts, each merged away
             "8,Bob,Baker,+1 202 555 0191\n7,Bob,,+1 202 555 0156\n", [0, 0, 2, 2], left_out)):
        path.write_text("Record ID,First Name,Last Name,Phone\n" + rows)
        export(merge(load(path), np.array(groups), policy), out)
        events = read(out / "audit.csv").set_index("event")
        assert set(events.loc[["not kept"], "detail"]) == {detail}, rows
        assert len(read(out / "fix_1_clear.csv")) == (detail != left_out)


def test_a_clear_word_that_is_a_value_of_the_data_is_warned_of(tmp_path):
    # NO, the clear word of this CRM, is also a Newsletter answer: the merge reads it as blank, as the import would
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Newsletter,Title\n"
                    "C1,Alice,Varga,alice@example.com,NO,UNSET\nC2,Alice,Varga,alice@example.com,YES,Dr\n"
                    "C3,Bruno,Keller,bruno@example.org,NO,\n")
    plan = merge(load(path), np.array([0, 0, 2]), MergePolicy(clear_word="NO"))
    assert plan.cleaned()["Newsletter"].tolist() == ["YES", "NO"]
    warned = [w for w in export(plan, tmp_path / "out").warnings if "hold the clear word" in w]
    assert warned == [f"1 cell(s) of the merged records hold the clear word 'NO' as a value ({path}, line 2 (row 0), "
                      "column 'Newsletter'): the merge read them as blank, as an import of the fix files reads the "
                      "word (empty the field): no rule keeps them, and another record's value fills them; set "
                      "merge.clear_word to a word that no cell holds, or check those fields"]
    # UNSET, a placeholder whatever the CRM, and a word no cell holds: nothing to say
    for word in ("UNSET", "#N/A"):
        plan = merge(load(path), np.array([0, 0, 2]), MergePolicy(clear_word=word))
        assert not [w for w in export(plan, tmp_path / "out").warnings if "hold the clear word" in w]
