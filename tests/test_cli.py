"""The CLI, invoked in-process: exit codes, messages and files."""

from __future__ import annotations

import csv
import importlib
import json
import os
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe_kit import Config, MergePolicy, load
from dedupe_kit import run as run_library
from dedupe_kit.cli import main
from dedupe_kit.errors import ConfigError

ROOT = Path(__file__).parent.parent
EXPORT = "Contact ID,Prénom,Nom,Courriel,Portable,Notes\n1,Zoë,Lefèvre,zoe@x.fr,06 12 34 56 78,\n2,Zoe,Lefevre,,0612345678,\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_profile_prints_the_summary_and_writes_its_files(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT + "2,Marc,Dupont,marc@y.fr,,\n", encoding="cp1252")
    before = path.read_bytes()
    out = tmp_path / "out"
    result = run("profile", path, "--region", "FR", "--out", out)
    assert result.exit_code == 0, result.output
    assert "line 3: phone +33 6 12 34 56 78 already on line 2" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "config.toml", "profile.png", "profile.txt", "profile_exact_duplicates.csv", "profile_invalid.csv",
        "profile_mapping.csv", "profile_repeated_ids.csv", "profile_shared.csv", "profile_taken.csv",
    ]
    assert (out / "profile_repeated_ids.csv").read_text() == ("source_row,line,record_id,first_row,first_row_line\n"
                                                              "2,4,2,1,3\n")
    saved = tomllib.loads((out / "config.toml").read_text())
    assert saved["normalize"]["default_region"] == "FR"
    assert saved["fields"]["phones"] == {"Portable": "mobile"}
    assert saved["fields"]["ignore"] == [] and saved["fields"]["notes"] == ["Notes"]
    assert load(path, Config.from_toml(out / "config.toml")).field_map == load(path).field_map
    assert path.read_bytes() == before
    assert not list(out.glob(".*.tmp"))


def test_the_profiles_tables_give_the_line_of_each_row_they_name(tmp_path):
    # they gave the 0-based row alone, where profile.txt says "line N": a note over two lines moves the lines on
    path = tmp_path / "export.csv"
    path.write_text('Contact ID,First Name,Email,Notes\n1,Ann,ann@example.com,"two\nlines"\n1,Ann,ann@example.com,\n'
                    "2,Bo,info@example.com,\n3,Cy,info@example.com,\n4,Di,info@example.com,\n")
    out = tmp_path / "out"
    result = run("profile", path, "--out", out)
    assert result.exit_code == 0, result.output
    assert "line 4: email ann@example.com already on line 2" in result.output
    read = {name: pd.read_csv(out / f"profile_{name}.csv", dtype=str, keep_default_na=False)
            for name in ("taken", "exact_duplicates", "repeated_ids", "shared")}
    assert read["taken"][["source_row", "line", "held_by", "held_by_line"]].values.tolist()[:2] == [
        ["1", "4", "0", "2"], ["3", "6", "2", "5"]]
    assert read["repeated_ids"][["source_row", "line", "first_row", "first_row_line"]].values.tolist() == [
        ["1", "4", "0", "2"]]
    assert read["shared"][["rows", "lines"]].values.tolist() == [["2 3 4", "5 6 7"]]
    assert read["exact_duplicates"].columns.tolist() == ["source_row", "line", "duplicate_of", "duplicate_of_line"]


def test_config_file_overrides_the_mapping(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    config = tmp_path / "dk.toml"
    config.write_text('[fields]\nexternal_ids = ["Notes"]\n[normalize]\ndefault_region = "FR"\n')
    result = run("profile", path, "--config", config)
    assert result.exit_code == 0, result.output
    assert "external_ids" in result.output and "'Notes'" in result.output.split("passed through")[0]


def test_library_errors_become_clean_cli_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Name,Email,Email\nAnn,a,b\n")
    result = run("profile", path)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {path}: line 1 (header): columns 2 and 3 are both named 'Email'; give every column a unique name"
    config = tmp_path / "dk.toml"
    config.write_text("[fields]\nemails = ['Mail']\n")
    path.write_text(EXPORT)
    result = run("profile", path, "--config", config)
    assert result.exit_code == 1
    assert f"emails: column 'Mail' is not in the header of {path}" in result.output


def test_a_config_names_a_decomposed_header_composed_and_the_output_keeps_the_header(tmp_path):
    path = tmp_path / "export.csv"  # a macOS export: "Prénom" as e + combining acute
    header = "Contact ID,Pre\u0301nom,Nom,Email\n"
    path.write_text(header + "1,Anne,Dupont,anne@example.com\n2,Anne,Dupont,anne@example.com\n", encoding="utf-8")
    config = tmp_path / "dk.toml"
    config.write_text('[fields]\nfirst_name = "Pr\u00e9nom"\n', encoding="utf-8")
    result = run("run", path, "--config", config, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "cleaned.csv").read_text(encoding="utf-8").startswith(header)


def test_match_and_merge_name_a_decomposed_header_composed_and_the_output_keeps_the_header(tmp_path):
    path = tmp_path / "export.csv"  # a macOS export: "Prénom" and "Sourcé" with combining acutes
    header = "Contact ID,Pre\u0301nom,Nom,Email,Code,Source\u0301\n"
    path.write_text(header + "1,Annie,Dupont,anne@example.com,A1,web\n2,Anne,Dupont,anne@example.com,A1,crm\n",
                    encoding="utf-8")
    config = tmp_path / "dk.toml"
    config.write_text('[match]\ncompare_columns = ["Code"]\n[merge]\nrules = { "Pr\u00e9nom" = "longest" }\n'
                      'survivor = "source_priority"\nsource_column = "Sourc\u00e9"\nsource_priority = ["crm"]\n'
                      '[fields]\nignore = ["Code"]\n', encoding="utf-8")
    compared = tmp_path / "compared.toml"
    compared.write_text('[match]\ncompare_columns = ["Pr\u00e9nom"]\n[fields]\nfirst_name = []\n', encoding="utf-8")
    result = run("run", path, "--config", compared, "--out", tmp_path / "compared")
    assert result.exit_code == 0, result.output
    assert "Pre\u0301nom one character off" in (tmp_path / "compared" / "pairs.csv").read_text(encoding="utf-8")
    result = run("run", path, "--config", config, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    cleaned = (tmp_path / "out" / "cleaned.csv").read_text(encoding="utf-8")
    assert cleaned == header + "2,Annie,Dupont,anne@example.com,A1,crm\n"  # the crm's record, the longest name


@pytest.mark.parametrize("config, message", [
    ('[merge]\nrules = { "Prenom" = "longest" }\n', "merge: rules: 'Prenom' is neither a column of"),
    ('[match]\ncompare_columns = ["Note"]\n', "match.compare_columns: 'Note' is not a column of"),
    ('[match]\ncompare_columns = ["Courriel"]\n', "match.compare_columns: 'Courriel' of "),  # compared already
])
def test_a_profile_checks_the_config_s_columns_as_a_run_does(config, message, tmp_path):
    path, toml = tmp_path / "export.csv", tmp_path / "dk.toml"
    path.write_text(EXPORT)
    toml.write_text(config)
    for command in (["profile", path, "--out", tmp_path / "profile"], ["run", path, "--out", tmp_path / "run"]):
        result = run(*command, "--config", toml)
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {toml}: {message}")
    assert not (tmp_path / "profile").exists()  # refused before the work
    path.write_text("Kontakt,Notiz\n1,a\n")  # no column to compare, and no compare_columns: still profiled
    assert run("profile", path).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["run", "sample_data/contacts.csv", "--out", "{out}", "--delimiter", ";;"], "Invalid value for '--delimiter': ';;': give one character"),
    (["run", "sample_data/contacts.csv", "--out", "{out}", "--out-delimiter", ";;"],
     "Invalid value for '--out-delimiter': ';;': give one character"),
    (["run", "sample_data/contacts.csv", "--out", "{out}", "--out-encoding", "nosuch"],  # not merge.output_encoding
     "Invalid value for '--out-encoding': 'nosuch' is not an encoding Python knows"),
    (["check-import", "sample_data/contacts.csv", "--against", "sample_data/contacts.csv", "--out", "{out}",
      "--delimiter", '"'], "Invalid value for '--delimiter': '\"': give one character"),
    (["review", "sample_data", "--ip", ""], "Invalid value for '--ip': give an address"),  # not every network, unsaid
    (["review", "{out}", "--port", "99999"], "Invalid value for '--port': 99999 is not in the range 0<=x<=65535"),
    (["review", "{out}", "--port", "-1"], "Invalid value for '--port': -1 is not in the range 0<=x<=65535"),
    (["run", "sample_data/contacts.csv", "--out", ""],
     "Invalid value for '--out': give a folder ('.' for the current one)"),  # not the current folder, unsaid
    (["profile", "sample_data/contacts.csv", "--out", " "], "Invalid value for '--out': give a folder"),
    (["profile", "sample_data/contacts.csv", "--out", "{out}", "--region", "XX"],  # not normalize.default_region
     "Invalid value for '--region': 'XX' is not a region phonenumbers knows; use a two-letter ISO code"),
    (["run", "sample_data/contacts.csv", "--out", "{out}", "--region", "XX"], "Invalid value for '--region': 'XX'"),
    (["check-import", "sample_data/contacts.csv", "--against", "sample_data/contacts.csv", "--out", "{out}",
      "--region", "XX"], "Invalid value for '--region': 'XX'"),
    (["check-import", "sample_data/contacts.csv", "--against", "sample_data/contacts.csv", "--out", ""],
     "Invalid value for '--out': give a folder"),
])
def test_an_option_that_cannot_work_is_refused_before_anything_runs(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a blank --out would write
    result = run(*(arg.format(out=tmp_path / "out").replace("sample_data", f"{ROOT}/sample_data") for arg in args))
    assert result.exit_code == 2 and message in result.output and not any(tmp_path.iterdir())


def test_a_run_with_no_column_to_compare_says_so_and_writes_nothing(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Kontakt,Notiz\n1,a\n1,a\n")
    result = run("run", path, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"Error: {path}: no column to compare the records on: none of its columns ('Kontakt', 'Notiz')" in result.output
    assert "[fields]" in result.output
    assert not (tmp_path / "out").exists()
    config = tmp_path / "dk.toml"
    config.write_text('[fields]\nexternal_ids = ["Kontakt"]\n')
    assert run("run", path, "--out", tmp_path / "out", "--config", config).exit_code == 0


def test_a_run_of_a_header_without_rows_is_an_error_and_writes_nothing(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(EXPORT)
    assert run("run", path, "--region", "FR", "--out", out).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    path.write_text(EXPORT.splitlines()[0] + "\n")  # the wrong view exported: its header alone
    result = run("run", path, "--region", "FR", "--out", out)
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: the file has a header but no rows; export the contacts with their rows\n"
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before  # not written over with empty files


def test_a_run_that_merges_nothing_says_there_is_nothing_to_import(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Ann,Archer,ann@example.com\n"
                    "2,Bob,Baker,bob@example.org\n")
    result = run("run", path, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("wrote the cleaned file, the fix files (nothing to import or archive: no "
                                              f"group was merged), crosswalk.csv, audit.csv and the reports to {out}/")
    assert (out / "fix_2_update.csv").read_text() == "Contact ID,First Name,Last Name\n"  # written all the same
    assert "UNSET" not in result.output  # no note on how the CRM reads the clearing file's word
    path.write_text(EXPORT)  # and a run that merges says what to import
    result = run("run", path, "--region", "FR", "--out", out)  # no field of the survivor changes: no update
    assert "(import fix_1_clear.csv; then archive merged_away.csv)" in result.output


def test_a_run_whose_merges_are_all_left_out_of_the_fix_files_says_there_is_nothing_to_import(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"  # two contacts exported under 7, each with a duplicate
    path.write_text("Contact ID,First Name,Last Name,Email,Company\n7,Ann,Archer,ann@example.com,Acme\n"
                    "8,Ann,Archer,ann@example.com,\n7,Bob,Baker,bob@example.org,Globex\n"
                    "9,Bob,Baker,bob@example.org,\n10,Cy,Cole,cy@example.net,Initech\n11,Cy,Cole,cy@example.net,\n")
    result = run("run", path, "--out", out)
    assert result.exit_code == 0, result.output
    assert "(import fix_1_clear.csv; then archive merged_away.csv)" in result.output  # Cy's
    result = run("undo", out, "4")  # Cy's merge taken back: Ann's and Bob's are left out of the fix files
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (f"wrote the files of {out}/ again without the merges of group(s) 4 "
                                              "(nothing to import or archive: every merge is left out of them, as "
                                              "the warnings of summary.txt say)")
    path.write_text("\n".join(path.read_text().splitlines()[:5]) + "\n")  # the same without Cy
    result = run("run", path, "--out", out := tmp_path / "again")
    assert result.exit_code == 0, result.output
    assert "2 merges are left out of the fix files" in result.output
    assert result.output.splitlines()[-1] == ("wrote the cleaned file, the fix files (nothing to import or archive: "
                                              "every merge is left out of them, as the warnings of summary.txt say), "
                                              f"crosswalk.csv, audit.csv and the reports to {out}/")
    assert (out / "merged_away.csv").read_text() == \
        "source_row,record_id,first_name,last_name,survivor_row,survivor_record_id\n"
    assert "UNSET" not in result.output  # was the note on the word of a clearing file of its header alone


def test_a_run_names_only_the_fix_files_that_hold_a_line(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"  # duplicates without a record ID: in neither fix file
    path.write_text("Record ID,First Name,Last Name,Email,Company\n,Ann,Archer,ann.archer@example.com,\n"
                    ",Ann,Archer,ann.archer@example.com,\n")
    result = run("run", path, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "fix_1_clear.csv").read_text().count("\n") == (out / "fix_2_update.csv").read_text().count("\n") == 1
    assert result.output.splitlines()[-1] == ("wrote the cleaned file, the fix files (archive merged_away.csv), "
                                              f"crosswalk.csv, audit.csv and the reports to {out}/")
    path.write_text("Record ID,First Name,Last Name,Email,Company,Title\n5,Ann,Archer,ann.archer@example.com,Acme,\n"
                    ",Ann,Archer,ann.archer@example.com,,Buyer\n")  # the survivor has one, and takes the Title
    result = run("run", path, "--out", out)
    assert "the fix files (import fix_2_update.csv; then archive merged_away.csv)" in result.output
    path.write_text(path.read_text().replace("\n,Ann", "\n6,Ann"))  # and the merged-away record one: cleared
    result = run("run", path, "--out", out)
    assert "(import fix_1_clear.csv, then fix_2_update.csv; then archive merged_away.csv)" in result.output


def test_a_run_with_labelled_data_scores_its_groups_and_checks_the_labels_first(tmp_path):
    path, truth, out = tmp_path / "export.csv", tmp_path / "truth.csv", tmp_path / "out"
    path.write_text(EXPORT + "3,Marc,Dupont,marc@y.fr,,\n")
    truth.write_text("id,entity\n1,A\n2,A\n3,B\n")
    result = run("run", path, "--region", "FR", "--out", out, "--truth", truth)
    assert result.exit_code == 0, result.output
    assert "blocking recall                1.000" in result.output
    assert "groups vs truth           precision 1.000, recall 1.000, F1 1.000 (1 of 1 true pairs; 1 predicted)" in result.output
    how = "give the record ID (the column named 'Contact ID' as in the export, or else the first) and one entity column"
    for labels, message in [
        ("id\n1\n2\n3\n", f"needs two columns, each record's ID and its entity ID; it has 1 ('id'): {how}"),
        ("id,entity\n1,A\n2,\n", "no entity for record ID '2': blank on line 3, column 'entity' (2 record(s) without "
                                  "one; record IDs read from column 'id', entities from 'entity')"),
        ("id,entity\n1,A\n3,B\n", "no entity for record ID '2' (1 record(s) without one; record IDs read from column "
                                   "'id', entities from 'entity')"),
        ("Contact ID,scenario,label\n1,x,A\n", "cannot tell which of 'scenario', 'label' holds each record's entity "
                                                 "(its columns: 'Contact ID', 'scenario', 'label'; record IDs in "
                                                 f"'Contact ID'): {how}"),
        ("Contact ID,person_id\n1,A\n2,A\n3,B\n2,C\n",
         "record ID '2' (column 'Contact ID') has more than one entity: 'A' on line 3, 'C' on line 5; "
         "give each record one entity"),
    ]:
        truth.write_text(labels)
        result = run("run", path, "--out", tmp_path / "other", "--truth", truth)
        assert result.exit_code == 1
        assert result.output.splitlines()[-1].startswith(f"Error: {truth}: {message}")
        assert not (tmp_path / "other").exists()  # refused before the run, not after its work


@pytest.mark.parametrize("labels", [
    "Contact ID,scenario,person_id\n1,original,A\n2,typo,A\n3,original,B\n",  # the entity third, not second
    "person_id,Contact ID\nA,1\nA,2\nB,3\n",  # the record ID second
    "index,Contact ID,person_id,scenario\n0,1,A,x\n1,2,A,x\n2,3,B,x\n",  # an index written first
    "contact id,group\n1,A\n2,A\n3,B\n1,A\n",  # the same label twice is one label
])
def test_labelled_data_is_read_by_its_column_names(labels, tmp_path):
    path, truth = tmp_path / "export.csv", tmp_path / "truth.csv"
    path.write_text(EXPORT + "3,Marc,Dupont,marc@y.fr,,\n")
    truth.write_text(labels)
    result = run("run", path, "--region", "FR", "--out", tmp_path / "out", "--truth", truth, "--match-only")
    assert result.exit_code == 0, result.output
    assert "F1 1.000 (1 of 1 true pairs; 1 predicted)" in result.output


@pytest.mark.parametrize("name, data, command, message", [
    ("run.json", b"{not json", "undo", "damaged, not the record of its input that 'dedupe-kit run' writes; write "
                                       "the folder again with 'dedupe-kit run FILE --config {out}/config.toml "
                                       "--out {out}'"),
    ("run.json", b"[]", "undo", "damaged, not the record of its input"),
    ("undone.json", b"\xff garbage", "run", "damaged, not the record of merges taken back that 'dedupe-kit undo' "
                                          "writes; put back a good copy, or delete it and undo those merges again"),
    ("undone.json", b'{"schema": 2, "rows": "0 1"}', "undo", "damaged, not the record of merges taken back"),
    ("undone.json", b'{"schema": 2, "sha256": "{sha256}", "rows": [[0, 7]]}', "run",  # no row 7
     "damaged, not the record of merges"),
    ("undone.json", b'{"schema": 3, "sha256": "{sha256}", "rows": [[0, 1]], "record_ids": [["1"]]}', "run",
     "damaged, not the record of merges"),  # not a record ID for each row
    ("review.sqlite", b"garbage " * 100, "run", "damaged, not a review store (file is not a database); put back a "
                                                "good copy, or move it out of the folder and run again without its "
                                                "review decisions"),
])
def test_a_damaged_file_of_the_output_folder_is_a_clear_error(tmp_path, name, data, command, message):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(EXPORT)
    assert run("run", path, "--region", "FR", "--out", out).exit_code == 0
    sha256 = json.loads((out / "run.json").read_text())["sha256"]
    (out / name).write_bytes(data.replace(b"{sha256}", sha256.encode()))
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    result = run(*(["run", path, "--region", "FR", "--out", out] if command == "run" else ["undo", out, "0"]))
    assert result.exit_code == 1
    assert f"Error: {out / name}: {message.format(out=out)}" in result.output
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before  # nothing written


def test_undo_reads_merge_groups_csv_saved_again_by_a_spreadsheet(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(EXPORT.replace("\n1,", "\nCÉ1,").replace("\n2,", "\nCÉ2,"))
    assert run("run", path, "--region", "FR", "--out", out).exit_code == 0
    groups = out / "merge_groups.csv"  # opened in Excel on Windows and saved: cp1252, with the ';' of its locale
    groups.write_bytes(groups.read_text(encoding="utf-8-sig").replace(",", ";").encode("cp1252"))
    result = run("undo", out, "0")
    assert result.exit_code == 0, result.output
    assert load(out / "cleaned.csv").frame["Contact ID"].tolist() == ["CÉ1", "CÉ2"]


def test_the_audit_of_an_undone_merge_says_the_values_it_did_not_keep_stay_on_their_records(tmp_path):
    path, out = tmp_path / "export.csv", tmp_path / "out"  # the email of C2's newsletter sign-up, not kept
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n"
                    "C1,Cleo,Fakename,cleo.fake@example.net,+14155550123\n"
                    "C2,Cleo,Fakename,cleo.fake+news@example.net,+14155550123\n")
    assert run("run", path, "--out", out).exit_code == 0
    detail = pd.read_csv(out / "audit.csv", dtype=str).set_index("event").loc["not kept", "detail"]
    assert detail == "the merged contact does not keep this value; it is cleared with its record"
    assert run("undo", out, "0").exit_code == 0
    audit = pd.read_csv(out / "audit.csv", dtype=str, keep_default_na=False).set_index("event")
    assert audit.loc["not kept", "detail"] == ("the merge was taken back (undone): the value stays on its record "
                                               "in the CRM")  # not "left out of the fix files", as no warning says
    assert audit.index[-1] == "undone" and len(pd.read_csv(out / "fix_1_clear.csv")) == 0


def test_a_folder_under_a_file_is_refused_naming_the_file_before_the_work(tmp_path, monkeypatch):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)

    def no_work(*args, **kwargs):
        raise AssertionError("the command started its work")

    monkeypatch.setattr("dedupe_kit.cli.load", no_work)
    for command in (["run", path], ["profile", path], ["check-import", path, "--against", path]):
        for out in (path / "out", path / "out" / "1"):  # under a file: no such folder can be made
            result = run(*command, "--out", out)
            assert result.exit_code == 1, result.output
            assert result.output == (f"Error: {out}: cannot make this folder: {path} is a file, not a folder; "
                                     "choose another output folder\n")  # not "{out}/undone.json: Not a directory"
    monkeypatch.chdir(tmp_path)
    assert run("run", "export.csv", "--out", "export.csv/out").output == (  # as the analyst wrote them
        "Error: export.csv/out: cannot make this folder: export.csv is a file, not a folder; choose another output "
        "folder\n")

@pytest.mark.parametrize("command, stopped_in", [
    (["run", "{path}", "--out", "{out}"], "run_pipeline"),  # while matching, before any file is written
    (["profile", "{path}", "--out", "{out}"], "build_profile"),
    (["check-import", "{path}", "--against", "{path}", "--out", "{out}"], "check_import_files"),
])
def test_ctrl_c_says_interrupted_and_exits_130(command, stopped_in, tmp_path, monkeypatch):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(EXPORT)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(f"dedupe_kit.cli.{stopped_in}", interrupted)
    result = run(*(arg.format(path=path, out=out) for arg in command))
    assert result.exit_code == 130 and result.output == "Error: interrupted\n"  # not click's "Aborted!", exit 1
    assert not out.exists()


@pytest.mark.parametrize("program, loaded", [
    ("-m", "numpy"), ("-m", "dedupe_kit.fieldmap"), ("-m", "scipy"),  # early, after pandas, in scikit-learn's
    ("dedupe-kit", "numpy"),  # the installed command: a script of that name
])
def test_ctrl_c_while_the_program_imports_its_libraries_says_interrupted_and_exits_130(program, loaded, tmp_path):
    """Ctrl-C in the first seconds of a run, while pandas, scikit-learn and the rest load: the line of
    any other Ctrl-C and exit code 130, not a traceback of the imports. The signal is sent when
    the import of ``loaded`` is done (``-X importtime`` says so), seconds before the run starts."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    script = tmp_path / "dedupe-kit"  # as pip writes the command
    script.write_text("import sys\nfrom dedupe_kit.cli import entry\nsys.exit(entry())\n")
    start = ["-m", "dedupe_kit"] if program == "-m" else [str(script)]
    command = [sys.executable, "-X", "importtime", *start, "run", str(path), "--out", str(tmp_path / "out")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if line.split("|")[-1].strip() == loaded:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    said = [line for line in stderr.splitlines() if not line.startswith("import time:")]
    assert (process.returncode, stdout, said) == (130, "", ["Error: interrupted"])
    assert not (tmp_path / "out").exists()


def test_refuses_to_write_over_the_input(tmp_path):
    path = tmp_path / "profile.txt"
    path.write_text(EXPORT)
    result = run("profile", path, "--out", tmp_path)
    assert result.exit_code == 1
    assert "refusing to overwrite an input file" in result.output
    assert path.read_text() == EXPORT
    assert [p.name for p in tmp_path.iterdir()] == ["profile.txt"]  # refused before config.toml was written


@pytest.mark.parametrize("name, labels", [("cleaned.csv", None), ("crosswalk.csv", "truth"), ("pairs.csv", "truth")])
def test_a_run_whose_folder_holds_an_input_among_its_files_is_refused_before_the_work(name, labels, tmp_path,
                                                                                      monkeypatch):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(EXPORT)
    out.mkdir()
    kept = out / name
    if labels:  # the labelled data, kept beside the run's files
        kept.write_text("Contact ID,entity\n1,A\n2,A\n")
        args = [path, "--truth", kept]
    else:  # a cleaned file deduplicated again into its own folder
        kept.write_text(EXPORT)
        args = [kept]
    before = kept.read_bytes()

    def no_work(*args, **kwargs):
        raise AssertionError("the run started its work")

    monkeypatch.setattr("dedupe_kit.cli.run_pipeline", no_work)
    result = run("run", *args, "--region", "FR", "--out", out)
    assert result.exit_code == 1
    assert result.output == f"Error: {kept}: refusing to overwrite an input file; choose another output folder\n"
    assert kept.read_bytes() == before and [p.name for p in out.iterdir()] == [name]


def test_a_command_refuses_the_folder_of_another_whose_files_of_the_same_names_it_would_replace(tmp_path):
    path, out, checked = tmp_path / "export.csv", tmp_path / "out", tmp_path / "checked"
    path.write_text(EXPORT)
    assert run("run", path, "--region", "FR", "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for command, replaced in [(["profile", path], "config.toml (which `dedupe-kit undo` reads again) and profile.txt"),
                              (["check-import", path, "--against", path], "summary.txt and changed_numbers.csv")]:
        result = run(*command, "--out", out)
        assert result.exit_code == 1
        assert result.output == (f"Error: {out}/ holds the files of `dedupe-kit run` (crosswalk.csv): `dedupe-kit "
                                 f"{command[0]}` would replace its {replaced}; choose another output folder\n")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the run's config.toml is the run's
    assert run("check-import", path, "--against", path, "--out", checked).exit_code == 0
    result = run("run", path, "--out", checked)
    assert result.exit_code == 1 and "holds the files of `dedupe-kit check-import` (import_ready.csv)" in result.output
    assert not (checked / "crosswalk.csv").exists()
    assert run("profile", path, "--out", checked).exit_code == 0  # no file of the same name
    profiled = tmp_path / "profiled"  # a run into its profile's folder writes config.toml and profile.txt again
    assert run("profile", path, "--out", profiled).exit_code == 0
    assert run("run", path, "--config", profiled / "config.toml", "--out", profiled).exit_code == 0


def test_a_folder_without_permission_to_write_is_refused_before_the_work(tmp_path, monkeypatch):
    path, folder = tmp_path / "export.csv", tmp_path / "locked"
    path.write_text(EXPORT)
    folder.mkdir()
    allowed = os.access

    def access(where, mode):  # as after chmod 555 (which root would pass): no file can be made in the folder
        return not (mode & os.W_OK and Path(where) == folder) and allowed(where, mode)

    monkeypatch.setattr(os, "access", access)

    def no_work(*args, **kwargs):
        raise AssertionError("the command started its work")

    monkeypatch.setattr("dedupe_kit.cli.load", no_work)
    for command in (["run", path], ["profile", path], ["check-import", path, "--against", path]):
        for out in (folder, folder / "run" / "1"):  # the folder, or a folder to be made in it
            result = run(*command, "--out", out)
            assert result.exit_code == 1, result.output
            assert result.output == f"Error: {out}: no permission to write in {folder}/; choose another output folder\n"


def test_a_folder_with_the_name_of_an_output_file_is_refused_before_the_work(tmp_path, monkeypatch):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text(EXPORT)
    (out / "crosswalk.csv").mkdir(parents=True)  # made by hand, or by a tool that unpacked an archive there

    def no_work(*args, **kwargs):
        raise AssertionError("the command started its work")

    monkeypatch.setattr("dedupe_kit.cli.load", no_work)
    result = run("run", path, "--out", out)
    assert result.exit_code == 1, result.output
    assert result.output == (f"Error: {out / 'crosswalk.csv'}: a folder has the name of this file; move it away, "
                             "or choose another output folder\n")
    assert [p.name for p in out.iterdir()] == ["crosswalk.csv"]


def test_an_output_encoding_that_cannot_write_the_input_is_refused_before_the_work(tmp_path, monkeypatch):
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Zoya,Petrova,zoya@example.com\n"
                    "2,Зоя,Петрова,zoya@example.com\n", encoding="utf-8")
    assert run("run", path, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "export_log.jsonl"}
    refused = f"Error: {path}, line 3 (row 1), column 'First Name': latin-1 cannot write 'З'; choose an output " \
              "encoding that can, such as utf-8\n"
    with monkeypatch.context() as patch:
        patch.setattr(importlib.import_module("dedupe_kit.run"), "normalize",
                      lambda *args, **kwargs: pytest.fail("the work started"))
        result = run("run", path, "--out", out, "--out-encoding", "latin-1")
    assert result.exit_code == 1 and result.output == refused
    # from Python, before the work too: the folder of the earlier run stays whole, run.json and all
    with pytest.raises(ConfigError, match="line 3 \\(row 1\\), column 'First Name': latin-1 cannot write 'З'"):
        run_library(path, Config(merge=MergePolicy(output_encoding="latin-1")), progress=False)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "export_log.jsonl"} == before


def test_an_output_encoding_is_checked_once(tmp_path, monkeypatch):
    # the command checked every cell before the work, and the run's files again before writing them
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Zoya,Petrova,zoya@example.com\n"
                    "2,Zoya,Petrova,zoya@example.com\n", encoding="utf-8")
    checks = []
    for module in ("dedupe_kit.cli", "dedupe_kit.run"):
        monkeypatch.setattr(importlib.import_module(module), "refuse_unencodable",
                            lambda *args: checks.append(args), raising=False)
    assert run("run", path, "--out", out, "--out-encoding", "latin-1").exit_code == 0
    assert len(checks) == 1


def test_the_program_prints_all_of_a_run_and_fails_as_usual(tmp_path):
    """`entry` leaves at once after a run (no teardown): what it printed still arrives whole
    through a pipe, and its files are there; an error still exits 1 with its message."""
    import subprocess
    import sys

    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    command = [sys.executable, "-m", "dedupe_kit", "run", str(path), "--region", "FR", "--out", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bars in a log: they are for a terminal or a notebook
    assert done.stdout.startswith("rows                               2\n")
    assert done.stdout.rstrip().endswith(f"audit.csv and the reports to {tmp_path / 'out'}/")
    assert (tmp_path / "out" / "cleaned.csv").read_text(encoding="utf-8").count("\n") == 2
    failed = subprocess.run(command[:4] + ["missing.csv"] + command[5:], capture_output=True, text=True)
    assert failed.returncode == 1 and "missing.csv" in failed.stderr


def test_the_summary_counts_keys_too_common_to_pair_under_a_label_that_says_what_they_are(tmp_path):
    path = tmp_path / "export.csv"
    names = ["Ann Lee", "Bob Kern", "Cid Moss", "Dan Zorn", "Eve Park", "Fay Ruiz", "Gus Tate"]
    path.write_text("Contact ID,First Name,Last Name,Email\n" + "".join(
        f"{i},{first},{last},{first.lower()}@acme.example\n" for i, (first, last) in enumerate(map(str.split, names))))
    result = run("run", path, "--out", tmp_path / "out", "--match-only")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "too_common.csv").read_text() == "kind,value,records\nemail_domain,acme.example,7\n"
    summary = (tmp_path / "out" / "summary.txt").read_text().splitlines()
    assert "phones/emails/IDs too common to pair     0   (over 50 records)" in summary
    assert ("other keys too common to pair           1   (names, email domains, addresses…: see too_common.csv)"
            in summary)


def test_run_help_names_the_files_out_encoding_and_out_delimiter_write(tmp_path):
    (tmp_path / "export.csv").write_text(EXPORT, encoding="utf-8")
    run("run", tmp_path / "export.csv", "--out", tmp_path / "out", "--out-encoding", "cp1252", "--out-delimiter", ";")
    assert (tmp_path / "out" / "merged_away.csv").read_bytes().startswith(b"source_row;record_id;")
    shown = " ".join(run("run", "--help").output.split())
    assert "Encoding of cleaned.csv, the fix files and merged_away.csv" in shown
    assert "Delimiter of cleaned.csv, the fix files and merged_away.csv" in shown
    assert "blocking recall, precision, recall and F1" in shown


def test_run_without_a_record_id_or_email_column_says_not_to_import_the_fix_files_as_they_are(tmp_path):
    # their lines hold the names alone: an import keyed on them could clear the mobile of the Zoe that is kept
    path, out = tmp_path / "export.csv", tmp_path / "out"
    path.write_text("First Name,Last Name,Mobile,City\nZoe,Lefevre,06 12 34 56 78,Lyon\nZoë,Lefèvre,0612345678,\n"
                    "Marc,Dupont,06 99 88 77 66,Paris\n")
    result = run("run", path, "--region", "FR", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "fix_1_clear.csv").read_text().splitlines() == ["First Name,Last Name,Mobile", "Zoë,Lefèvre,UNSET"]
    assert "warning: no record ID column and no email column: the fix files hold only names and external IDs" in (
        result.output)
    assert "import fix_1_clear.csv" not in result.output
    assert "the fix files (not to import as they are: without a record ID or email column" in result.output
    assert (out / "crosswalk.csv").read_text().splitlines()[1].startswith("0,row 0,0,0,row 0,auto,")


def _run_on_json_lists(tmp_path, rows):
    """cleaned.csv of a run on a Gladly-like export of ``rows`` (ID, name, company, emails, phones), by ID."""
    path, out, config = tmp_path / "gladly.csv", tmp_path / "out", tmp_path / "config.toml"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["Customer ID", "Name", "Company", "Emails", "Phones"], *rows])
    config.write_text('[fields]\nrecord_id = "Customer ID"\n')
    result = run("run", path, "--config", config, "--out", out)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "cleaned.csv", dtype=str, keep_default_na=False).set_index("Customer ID")


def test_a_run_merges_cells_of_json_lists_into_one_json_list(tmp_path):
    # an export flattened from Gladly's customer API writes emails and phones as JSON lists: the merge wrote
    # '[{…}], [{…}, {…}]' and '[{…}], []' into cleaned.csv and fix_2_update.csv, which no import reads as a list
    ann = {"original": "Ann.Lee@Example.com", "normalized": "ann.lee@example.com", "primary": True}
    ann_mobile = {"original": "+1 617-555-0101", "normalized": "+16175550101", "type": "MOBILE", "primary": True}
    ann_work = {"original": "ann.work@example.org", "normalized": "ann.work@example.org", "primary": False}
    ann_home = {"original": "(617) 555-0101", "normalized": "+16175550101", "type": "HOME", "primary": True}
    ann_office = {"original": "+1 617-555-0199", "normalized": "+16175550199", "type": "WORK", "primary": False}
    bob = {"original": "bob.stone@example.com", "normalized": "bob.stone@example.com", "primary": True}
    bob_mobile = {"original": "+1 212-555-0142", "normalized": "+12125550142", "type": "MOBILE", "primary": True}
    rows = [["C1", "Ann Lee", "Acme", json.dumps([ann]), json.dumps([ann_mobile])],
            ["C2", "Ann Lee", "", json.dumps([ann | {"original": "ann.lee@example.com"}, ann_work]),
             json.dumps([ann_home, ann_office])],
            ["C4", "Robert Stone", "Initech", json.dumps([bob]), "[]"],  # no phone: not as complete as C3
            ["C3", "Bob Stone", "Initech", json.dumps([bob]), json.dumps([bob_mobile])],
            ["C5", "Dana Fox", "Globex", '["dana.fox@example.com"]', ""],  # the survivor's cell blank
            ["C6", "Dana Fox", "", '["dana.fox@example.com", "dana@example.org"]', '["415-555-0110", "415-555-0111"]'],
            ["C7", "Eli Park", "Umbrella", '["eli.park@example.com"]', '["312-555-0177"]']]
    cleaned = _run_on_json_lists(tmp_path, rows)
    lists = {column: cleaned[column].map(json.loads).to_dict() for column in ("Emails", "Phones")}
    assert lists == {"Emails": {"C1": [ann, ann_work], "C3": [bob], "C5": ["dana.fox@example.com", "dana@example.org"],
                                "C7": ["eli.park@example.com"]},
                     "Phones": {"C1": [ann_mobile, ann_office], "C3": [bob_mobile],
                                "C5": ["415-555-0110", "415-555-0111"], "C7": ["312-555-0177"]}}
    updates = pd.read_csv(tmp_path / "out" / "fix_2_update.csv", dtype=str, keep_default_na=False)
    updates = updates.set_index("Customer ID")
    assert updates[["Emails", "Phones"]].to_dict() == cleaned.loc[["C1", "C5"], ["Emails", "Phones"]].to_dict()


def test_a_run_keeps_one_primary_item_in_a_merged_json_list(tmp_path):
    # C2's address and number, each "primary": true in its own record, went so into C1's lists, which held a primary
    # item already: two primaries, which a CRM's import refuses or settles as it likes; Eli's list held none
    ann = {"original": "Ann.Lee@Example.com", "primary": True}
    ann_home = {"original": "ann.home@example.net", "primary": True, "verified": False}
    ann_mobile = {"original": "+1 617-555-0101", "type": "MOBILE", "primary": True}
    ann_work = {"original": "+1 617-555-0199", "type": "WORK", "primary": True}
    eli = {"original": "eli.park@example.com", "primary": False}
    eli_work = {"original": "eli@example.org", "primary": True}
    rows = [["C1", "Ann Lee", "Acme", json.dumps([ann]), json.dumps([ann_mobile])],
            ["C2", "Ann Lee", "", json.dumps([ann, ann_home]), json.dumps([ann_work])],
            ["C3", "Eli Park", "Umbrella", json.dumps([eli]), '["312-555-0177"]'],
            ["C4", "Eli Park", "", json.dumps([eli, eli_work]), '["312-555-0177"]']]
    cleaned = _run_on_json_lists(tmp_path, rows)
    assert cleaned.loc["C1", ["Emails", "Phones"]].map(json.loads).tolist() == [
        [ann, ann_home | {"primary": False}], [ann_mobile, ann_work | {"primary": False}]]
    assert json.loads(cleaned.loc["C3", "Emails"]) == [eli, eli_work]
