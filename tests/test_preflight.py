"""Import pre-flight: each situation of a new file against the sample export, and bad input."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe_kit import Config, ConfigError, InputError
from dedupe_kit.cli import main
from dedupe_kit.preflight import check_import

NEW = "sample_data/new_contacts.csv"  # a synthetic import with each situation
EXPECTED = [
    ("updates", "C000001", "same record ID"),
    ("changes a number", "C000002", "same record ID; Mobile Phone +12135550163 -> +1 213 555 0999"),
    ("would create a duplicate", "C000040", "same email samantha.roberts90@aol.com"),
    ("will be rejected", "C000040", "phone +1 646-555-0104 belongs to existing record C000040, which line 4 of "
                                    "this file gives it too"),
    ("new contact", "", ""),
    ("will be rejected", "", "repeats line 6 of this file"),
    ("updates", "C000025", "same external ID S63721"),
    ("will be rejected", "", "its phone +1 617-555-0142 is also on line 6 of this file"),
    ("will be rejected", "", "record ID C999999 is not in the existing contacts"),
    ("updates", "C000003", "same record ID; held back: the name differs from the existing record (Laurent Robert)"),
    ("updates", "C000005", "same record ID"),
]


@pytest.fixture(scope="module")
def check(tmp_path_factory):
    return check_import(NEW, "sample_data/contacts.csv", progress=False)


def test_every_row_gets_its_status_matched_record_and_reason(check):
    got = list(zip(check.rows["status"], check.rows["matched_record"], check.rows["reason"]))
    for (status, record, reason), expected in zip(got, EXPECTED):
        assert (status, record) == expected[:2]
        assert reason.startswith(expected[2]), reason
    assert len(got) == len(EXPECTED)
    assert check.counts().tolist() == [4, 1, 4, 1, 1]


def test_changed_numbers_and_values_to_clear_first(check):
    assert check.changed_numbers[["record_id", "column", "old", "new"]].values.tolist() == [
        ["C000002", "Mobile Phone", "+12135550163", "+1 213 555 0999"]]
    assert check.taken.empty  # Zachary's phone is C000040's, which Samantha's row (line 4) gives it too


def test_the_header_check_finds_renamed_and_missing_key_columns(check):
    header = check.header.set_index("column")["in_new_file"]
    assert header["Contact ID"] == "same"
    assert header["Student ID"] == "renamed to 'Student No'"
    assert header["Student Number"] == "missing"
    assert any("'Student ID' is renamed to 'Student No'" in w for w in check.warnings)


def test_files_written(check, tmp_path):
    check.write(tmp_path)
    read = lambda name: pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)  # noqa: E731
    annotated = read("annotated.csv")
    assert list(annotated.columns[-3:]) == ["dedupe_kit status", "dedupe_kit matched record", "dedupe_kit reason"]
    assert annotated["dedupe_kit status"].tolist() == [e[0] for e in EXPECTED]
    ready, held = read("import_ready.csv"), read("held_back.csv")
    assert len(ready) + len(held) == len(EXPECTED) and len(held) == 5
    assert held["First Name"].tolist() == ["Zachary", "Olivia", "Liam", "Nobody", "Someone"]
    # the certain duplicate gets the existing record ID, so that the import updates instead of creating
    assert ready.loc[ready["First Name"] == "Samantha", "Contact ID"].tolist() == ["C000040"]
    assert ready.loc[ready["First Name"] == "Olivia", "Contact ID"].tolist() == [""]
    # the padded record ID is written as the CRM has it
    assert ready.loc[ready["First Name"] == "Ines", "Contact ID"].tolist() == ["C000005"]
    assert read("held_back_clear.csv").empty  # Zachary's phone is C000040's, which Samantha's row gives it too
    summary = (tmp_path / "summary.txt").read_text()
    assert "will be rejected                 4" in summary
    assert "rows held back (held_back.csv)     5" in summary  # the 4 rejected and the ID under another name
    assert (tmp_path / "preflight.png").stat().st_size > 1000


def test_a_namesake_the_run_would_not_merge_without_a_person_gets_no_record_id_however_high_it_scores(tmp_path):
    # Sébastien Roche of Reims (C000066) and Margaret Edwards of Seattle (C000307): one name and city, another
    # email and phone; with the ID written in, the import would overwrite those contacts' email and mobile
    new = tmp_path / "new.csv"
    new.write_text("First Name,Last Name,Email,Phone,City\n"
                   "Sébastien,Roche,sebroche.autre@example.org,+33 6 99 88 77 66,Reims\n"
                   "Margaret,Edwards,maggie.e.other@example.org,+1 206 555 0999,Seattle\n", encoding="utf-8")
    check = check_import(new, "sample_data/contacts.csv", progress=False)
    assert check.rows["matched_record"].tolist() == ["C000066", "C000307"]
    assert (check.rows["probability"] >= Config().match.upper).all()
    assert not check.rows["certain"].any() and check.changed_numbers.empty
    assert all(r.startswith("probable: check it; not merged without a person") for r in check.rows["reason"])
    importable, held = check.corrected()
    assert importable["Contact ID"].tolist() == ["", ""] and held.empty


def test_an_unmapped_id_column_and_an_id_column_known_by_its_values(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Ref\nA1,Ann,Lee,R-100\nA2,Bob,Ray,R-200\n")
    new = tmp_path / "new.csv"
    new.write_text("Id CRM,First Name,Last Name,Ref\nA1,Ann,Lee,R-100\n,Bob,Ray,R-200\n")
    check = check_import(new, existing, Config(fields={"external_ids": ["Ref"]}), progress=False)
    header = check.header.set_index("column")["in_new_file"]
    assert header["Ref"] == "same"  # the config's role of the export's Ref is the new file's Ref's too
    assert header["Contact ID"] == "renamed to 'Id CRM'"
    assert check.rows["status"].tolist() == ["updates", "updates"]
    assert check.rows["reason"].tolist() == ["same record ID", "same external ID R-200"]


def test_the_config_s_roles_are_the_new_file_s_where_it_has_the_columns(tmp_path):
    # the config says Account Key is the record ID and Contact ID none: the new file's columns of those names
    # are read so, not as its header suggests (Contact ID a record ID that would take the matched key)
    existing, new, config = tmp_path / "existing.csv", tmp_path / "new.csv", tmp_path / "c.toml"
    existing.write_text("Contact ID,Account Key,First Name,Last Name,Email,Mobile\n"
                        "7,AK-1,Ann,Lee,ann@example.com,212-555-0101\n7,AK-2,Bob,Ray,bob@example.com,212-555-0102\n"
                        "8,AK-3,Cat,Day,cat@example.com,212-555-0103\n")
    new.write_text("Contact ID,Account Key,First Name,Last Name,Email,Mobile\n"
                   ",,Bob,Ray,bob@example.com,212-555-0102\n,,Eve,Moss,eve@example.com,212-555-0105\n")
    config.write_text('[fields]\nrecord_id = "Account Key"\nignore = ["Contact ID"]\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check-import", str(new), "--against", str(existing), "--config", str(config),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert pd.read_csv(out / "header_check.csv").set_index("column").loc["Account Key", "in_new_file"] == "same"
    ready = pd.read_csv(out / "import_ready.csv", dtype=str, keep_default_na=False)
    assert ready[["Contact ID", "Account Key"]].values.tolist() == [["", "AK-2"], ["", ""]]
    # the new file's other columns keep the roles their names suggest: its Landline is the renamed Home Phone
    existing.write_text("Contact ID,First Name,Last Name,Email,Mobile,Home Phone\n"
                        "1,Ann,Lee,ann@example.com,212-555-0101,212-555-0201\n"
                        "2,Bob,Ray,bob@example.com,212-555-0102,212-555-0202\n")
    new.write_text("Contact ID,First Name,Last Name,Email,Mobile,Landline\n,Eve,Moss,eve@example.com,212-555-0105,"
                   "212-555-0202\n")
    check = check_import(new, existing, Config(fields={"phones": {"Mobile": "mobile", "Home Phone": "home"}}),
                         progress=False)
    assert check.header.set_index("column").loc["Home Phone", "in_new_file"] == "renamed to 'Landline'"
    assert "same phone +1 212-555-0202" in check.rows["reason"][0]


def test_a_salesforce_id_of_15_characters_finds_its_record_of_18_and_case_counts(tmp_path):
    # a report gives 15-character IDs, the API's export 18; Salesforce takes either for an update
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name\n001E000001LaoNkIAJ,Ann,Lee\n001E000001LaoNKIAZ,Bob,Ray\n")
    new = tmp_path / "new.csv"
    new.write_text("Contact ID,First Name,Last Name\n001E000001LaoNk,Ann,Lee\n001E000001LaoNK,Bob,Ray\n"
                   "001E000001LAONK,Cy,Fox\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["updates", "updates", "will be rejected"]
    assert check.rows["matched_record"].tolist()[:2] == ["001E000001LaoNkIAJ", "001E000001LaoNKIAZ"]
    assert check.rows["reason"].tolist()[2] == "record ID 001E000001LAONK is not in the existing contacts"


def test_a_record_id_that_lost_its_leading_zeros_finds_its_record_and_an_unknown_one_keeps_its_own_values(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("Record ID,First Name,Last Name,Email,Phone Number,Student ID\n"
                        "01001,Robert,Fischer,rob@acme.example.com,(617) 555-0142,S-0042\n"
                        "01002,Maria,Garcia,maria.garcia@example.org,617-555-0177,S-0043\n"
                        "1002,Ann,Lee,ann@example.org,617-555-0188,S-0044\n")
    new = tmp_path / "new.csv"
    new.write_text("Record ID,First Name,Last Name,Email,Phone Number,Student ID\n"
                   "1001,Robert,Fischer,rob@acme.example.com,(617) 555-0142,S-0042\n"  # a spreadsheet dropped the 0
                   "1003,Robert,Fischer,rob@acme.example.com,(617) 555-0142,S-0042\n"  # a wrong ID
                   "1002,Ann,Lee,ann@example.org,617-555-0188,S-0044\n")  # 1002 itself, not 01002
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["updates", "will be rejected", "updates"]
    assert check.rows["matched_record"].tolist() == ["01001", "01001", "1002"]
    assert check.rows["reason"][0] == "same record ID without its leading zeros"
    assert check.rows["reason"][1].startswith("record ID 1003 is not in the existing contacts; probably existing "
                                              "record 01001: same external ID")
    assert check.taken.empty  # its email and phone are 01001's own: nothing to clear on that contact
    importable, held = check.corrected()
    assert importable["Record ID"].tolist() == ["01001", "1002"] and held["Record ID"].tolist() == ["1003"]


def test_a_windows_file_gets_reasons_its_encoding_can_hold(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("Record ID,First Name,Last Name,Email,Phone Number\n"
                        "01001,Łukasz,Nowak,lukasz@example.pl,617-555-0142\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    new.write_bytes("Record ID,First Name,Last Name,Email,Phone Number\r\n"
                    "01001,Renée,Dubois,renee@example.fr,617-555-0142\r\n".encode("cp1252"))
    check_import(new, existing, progress=False).write(tmp_path / "out")
    annotated = (tmp_path / "out" / "annotated.csv").read_bytes().decode("cp1252")
    assert "Renée" in annotated and "(?ukasz Nowak)" in annotated and "Email lukasz@example.pl -> renee@example.fr" in annotated
    assert "(?ukasz Nowak)" in (tmp_path / "out" / "held_back.csv").read_bytes().decode("cp1252")


def test_an_id_column_of_the_same_name_is_the_same_when_its_role_differs_with_the_columns_beside_it(tmp_path):
    # Mainstay's export: Mainstay ID is the record ID and CRM ID an external ID; the school's new
    # file has only CRM ID, which is then its record ID
    existing = tmp_path / "existing.csv"
    existing.write_text("Mainstay ID,CRM ID,First Name,Last Name\nm1,S100,Ann,Lee\nm2,S200,Bob,Ray\n")
    new = tmp_path / "new.csv"
    new.write_text("CRM ID,First Name,Last Name\nS100,Ann,Lee\n")
    check = check_import(new, existing, progress=False)
    assert check.header.set_index("column")["in_new_file"].to_dict() == {
        "Mainstay ID": "missing", "CRM ID": "same", "First Name": "same", "Last Name": "same"}
    assert check.rows["reason"].tolist() == ["same external ID S100"]


def test_a_placeholder_in_the_new_file_is_blank_in_the_import_file_not_a_changed_number(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Mobile Phone\nA1,Ann,Lee,+1 212 555 0142\nA2,Bob,Ray,\n")
    new = tmp_path / "new.csv"  # the phone column renamed, two placeholders
    new.write_text("Contact ID,First Name,Last Name,Cell\nA1,Ann,Lee,n/a\nA2,Bob,Ray,555-555-5555\n,Cy,Poe,none\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["updates", "updates", "new contact"] and check.changed_numbers.empty
    assert check.rows["reason"].tolist() == [
        "same record ID; Mobile Phone 'n/a' is a placeholder: left blank in import_ready.csv, so that +1 212 555 0142 stays",
        "same record ID; Mobile Phone '555-555-5555' is a placeholder: left blank in import_ready.csv",
        "Mobile Phone 'none' is a placeholder: left blank in import_ready.csv"]
    importable, _ = check.corrected()
    assert importable["Cell"].tolist() == ["", "", ""] and importable["Contact ID"].tolist() == ["A1", "A2", ""]


def test_a_held_back_rows_reason_says_its_blanked_cells_are_blank_in_held_back_csv_not_in_import_ready_csv(tmp_path):
    # a held-back row's reason said "left blank in import_ready.csv", a file the row is not in
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Email,Email 2\n"
                        "A1,Ann,Lee,ann@work.example,ann.lee@mail.example\n")
    new = tmp_path / "new.csv"  # a second update of A1 (held back), a repeated row of placeholders (rejected)
    new.write_text("Contact ID,First Name,Last Name,Email\nA1,Ann,Lee,\nA1,Ann,Lee,Ann.Lee@mail.example\n"
                   "n/a,Pat,Nobody,N/A\nn/a,Pat,Nobody,N/A\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["updates", "updates", "new contact", "will be rejected"]
    assert check.rows["reason"].tolist()[1:] == [
        "same record ID; held back: line 2 of this file updates this contact too; Email Ann.Lee@mail.example is the "
        "contact's Email 2 already: left blank in held_back.csv, so that ann@work.example stays",
        "Email 'N/A' is a placeholder: left blank in import_ready.csv; record ID 'n/a' is a placeholder: left blank in "
        "import_ready.csv",
        "repeats line 4 of this file; Email 'N/A' is a placeholder: left blank in held_back.csv; record ID 'n/a' is a "
        "placeholder: left blank in held_back.csv"]
    importable, held = check.corrected()
    assert importable[["Contact ID", "Email"]].values.tolist() == [["A1", ""], ["", ""]]
    assert held[["Contact ID", "Email"]].values.tolist() == [["A1", ""], ["", ""]]


def test_a_value_the_contact_holds_in_another_column_is_blank_in_the_import_file_not_written_over_its_own(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Email,Email 2,Mobile Phone,Home Phone\n"
                        "A1,Ann,Lee,ann@work.example,ann.lee@mail.example,212-555-0142,\n"
                        "A2,Bob,Ray,bob.ray@mail.example,,212-555-0177,718-555-0123\n")
    new = tmp_path / "new.csv"  # Ann's Email 2 as her email; Bob's home phone as his mobile, and a new email
    new.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n"
                   "A1,Ann,Lee,Ann.Lee@mail.example,\nA2,Bob,Ray,bob@new.example,(718) 555-0123\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["updates", "changes a number"]
    assert check.rows["reason"].tolist() == [
        "same record ID; Email Ann.Lee@mail.example is the contact's Email 2 already: left blank in import_ready.csv, "
        "so that ann@work.example stays",
        "same record ID; Mobile Phone (718) 555-0123 is the contact's Home Phone already: left blank in "
        "import_ready.csv, so that 212-555-0177 stays; Email bob.ray@mail.example -> bob@new.example"]
    assert check.changed_numbers[["record_id", "column", "new"]].values.tolist() == [["A2", "Email", "bob@new.example"]]
    importable, _ = check.corrected()
    assert importable[["Email", "Mobile Phone"]].values.tolist() == [["", ""], ["bob@new.example", ""]]


def test_a_value_the_contact_holds_among_several_in_another_column_is_blank_in_the_import_file(tmp_path):
    existing = tmp_path / "existing.csv"  # HubSpot's list column, two addresses in a cell
    existing.write_text("Record ID,First Name,Last Name,Email,Additional email addresses\n"
                        "5105,Priya,Raman,priya.r@example.com,p.raman@example.net;priya@example.org\n")
    new = tmp_path / "new.csv"
    new.write_text("Record ID,First Name,Last Name,Email\n5105,Priya,Raman,P.Raman@example.net\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["updates"] and check.changed_numbers.empty
    assert check.rows["reason"].tolist() == [
        "same record ID; Email P.Raman@example.net is the contact's Additional email addresses already: left blank in "
        "import_ready.csv, so that priya.r@example.com stays"]
    assert check.corrected()[0]["Email"].tolist() == [""]


def test_the_values_of_a_cleaned_exports_extra_columns_are_the_contacts(tmp_path):
    existing = tmp_path / "cleaned.csv"  # a cleaned export: a merge kept numbers and an address no column took
    existing.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,dedupe_kit extra emails,"
                        "dedupe_kit extra phones\nA1,Annabel,Quiggly,aq@mail.example,(415) 555-0101,"
                        "quiggly.a@work.example,(415) 555-0402 ext. 23; (415) 555-0103\n"
                        "A2,Bob,Ray,bob.ray@mail.example,(212) 555-0177,,\n")
    new = tmp_path / "new.csv"  # her number under her new last name; another person with her other number
    new.write_text("First Name,Last Name,Email,Mobile Phone\nAnnabel,Brightwater,,(415) 555-0103\n"
                   "Horatio,Plumtree,hp@mail.example,(415) 555-0402 x23\n")
    check = check_import(new, existing, progress=False)
    assert check.rows[["status", "matched_record"]].values.tolist() == [
        ["would create a duplicate", "A1"], ["new contact", ""]]  # the CRM holds no value of those columns
    assert "same phone +1 415-555-0103" in check.rows["reason"][0] and check.taken.empty
    assert check.header["column"].tolist() == ["Contact ID", "First Name", "Last Name", "Email", "Mobile Phone"]
    new.write_text("First Name,Last Name,Email,Mobile Phone\nAnnabel,Brightwater,quiggly.a@work.example,\n")
    assert "same email quiggly.a@work.example" in check_import(new, existing, progress=False).rows["reason"][0]


def test_the_values_of_the_new_files_own_extra_columns_are_not_held_by_the_crm(tmp_path):
    existing, new = tmp_path / "cleaned.csv", tmp_path / "slice.csv"  # a slice of a cleaned.csv imported again
    header = "Contact ID,First Name,Last Name,Email,Mobile Phone,dedupe_kit extra emails,dedupe_kit extra phones\n"
    existing.write_text(header + "A1,Ann,Archer,ann@example.com,(415) 555-0101,,\n"
                                 "A2,Bob,Baker,bob@example.org,(415) 555-0202,,\n")
    new.write_text(header + ",Cat,Cole,cat@example.net,(415) 555-0303,,(415) 555-0202\n"
                            ",Dan,Dale,dan@example.net,(415) 555-0404,bob@example.org,\n"
                            ",Eve,Eden,eve@example.net,(415) 555-0505,,(415) 555-0404\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["new contact"] * 3  # was rejected: Bob's values, clearing them
    assert check.taken.empty


def test_bad_input_is_named(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("Colour,Size\nred,L\n")
    with pytest.raises(InputError, match=r"have no column in common .*; give the new file's columns the export's "
                                         r"names \(the config's \[fields\] are the export's\)$"):
        check_import(other, "sample_data/contacts.csv", progress=False)
    with pytest.raises(ConfigError, match=rf"^{other}: no column to compare the records on: .*\('Colour', 'Size'\)"):
        check_import("sample_data/new_contacts.csv", other, progress=False)  # the existing export decides the roles
    with pytest.raises(ConfigError, match=r"merge: rules: 'Nope' is neither a column of sample_data/contacts\.csv "):
        check_import(NEW, "sample_data/contacts.csv", Config.from_dict({"merge": {"rules": {"Nope": "longest"}}}),
                     progress=False)  # not of '<data>', the two files scored together
    french = tmp_path / "french.csv"
    french.write_bytes("Contact ID;First Name;Last Name;Email\r\n;Zoé;Durand;zoe.durand@example.org\r\n"
                       .encode("cp1252"))
    check = check_import(french, "sample_data/contacts.csv", progress=False)
    assert any("is cp1252 with ';' between columns" in w and "utf-8 with ','" in w for w in check.warnings)
    assert check.rows["status"].tolist() == ["new contact"]


def test_a_config_column_the_existing_export_lacks_is_named_with_that_file_not_the_new_one(tmp_path):
    existing, config = tmp_path / "existing.csv", tmp_path / "dk.toml"
    existing.write_text(open("sample_data/contacts.csv", encoding="utf-8").read().replace("Student ID", "Learner ID"))
    config.write_text('[fields]\nexternal_ids = ["Student ID"]\n')  # a column of the new file, not of the export's
    result = CliRunner().invoke(main, ["check-import", NEW, "--against", str(existing), "--config", str(config),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == (f"Error: {config}: invalid [fields] mapping:\n"
                             f"  - external_ids: column 'Student ID' is not in the header of {existing}; "
                             "did you mean 'Student Number'?\n")


def test_cli_check_import(tmp_path):
    new = tmp_path / "new.csv"
    new.write_bytes(open(NEW, "rb").read())
    before = new.read_bytes()
    result = CliRunner().invoke(main, ["check-import", str(new), "--against", "sample_data/contacts.csv",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "would create a duplicate         1" in result.output
    assert new.read_bytes() == before
    bad = CliRunner().invoke(main, ["check-import", str(new), "--against", str(tmp_path / "none.csv"),
                                    "--out", str(tmp_path / "out")])
    assert bad.exit_code == 1 and "none.csv: file not found" in bad.output
    for name in ("neutralized.csv", "summary.txt"):  # an input with the name of a report, in the output folder
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        kept = folder / name
        kept.write_bytes(before)
        refused = CliRunner().invoke(main, ["check-import", str(kept), "--against", "sample_data/contacts.csv",
                                            "--out", str(folder)])
        assert refused.exit_code == 1 and "refusing to overwrite an input file" in refused.output
        assert kept.read_bytes() == before and [p.name for p in folder.iterdir()] == [name]  # nothing written


def test_without_neutralizing_the_import_file_the_reports_of_a_check_keep_the_quote(tmp_path):
    new, config = tmp_path / "new.csv", tmp_path / "raw.toml"
    new.write_text("Contact ID,First Name,Last Name,Email,Company\nC000001,Megan,Lewis,megan.lewis@hotmail.com,=1+1\n")
    config.write_text("[merge]\nneutralize_formulas = false\n")
    result = CliRunner().invoke(main, ["check-import", str(new), "--against", "sample_data/contacts.csv",
                                       "--out", str(tmp_path / "out"), "--config", str(config)])
    assert result.exit_code == 0, result.output
    read = lambda name: pd.read_csv(tmp_path / "out" / name, dtype=str, keep_default_na=False)  # noqa: E731
    assert read("import_ready.csv")["Company"].tolist() == ["=1+1"]  # straight into the CRM, as told
    assert read("annotated.csv")["Company"].tolist() == ["'=1+1"]  # a report a person opens


def test_a_check_says_how_many_cells_it_neutralized_and_where_they_are_listed(tmp_path):
    new, out = tmp_path / "new.csv", tmp_path / "out"
    new.write_text("Contact ID,First Name,Last Name,Email,Company\n,Zed,Quill,zed.quill@example.com,=1+1\n")
    result = CliRunner().invoke(main, ["check-import", str(new), "--against", "sample_data/contacts.csv",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    listed = pd.read_csv(out / "neutralized.csv", dtype=str, keep_default_na=False)
    assert listed["file"].tolist() == ["annotated.csv", "import_ready.csv"]
    for text in (result.output, (out / "summary.txt").read_text()):
        assert "cells neutralized as formulas      2   (see neutralized.csv)" in text, text


def test_a_check_for_another_crm_leaves_no_clearing_file_of_the_earlier_check(tmp_path):
    out, config = tmp_path / "out", tmp_path / "hubspot.toml"
    config.write_text('[merge]\ncrm = "hubspot"\n')
    check = ["check-import", NEW, "--against", "sample_data/contacts.csv", "--out", str(out)]
    assert "held_back_clear.csv, changed_numbers.csv" in CliRunner().invoke(main, check).output
    assert (out / "held_back_clear.csv").exists()
    result = CliRunner().invoke(main, [*check, "--config", str(config)])  # HubSpot: no word clears a field
    assert result.exit_code == 0, result.output
    assert "held_back_clear_by_hand.csv, changed_numbers.csv" in result.output  # the file written, not the other
    assert (out / "held_back_clear_by_hand.csv").exists() and not (out / "held_back_clear.csv").exists()
    assert CliRunner().invoke(main, check).exit_code == 0
    assert (out / "held_back_clear.csv").exists() and not (out / "held_back_clear_by_hand.csv").exists()


@pytest.mark.parametrize("crm, warning", [
    ("generic", "held_back_clear.csv empties fields with 'UNSET', which Mainstay's import reads so: for another "
                "CRM set merge.crm"),
    ("salesforce", "Data Loader ignores blank cells; #N/A empties a field."),
    ("hubspot", None),  # a file to clear by hand: no word is imported
])
def test_a_check_says_which_word_its_clearing_file_empties_a_field_with(tmp_path, crm, warning):
    out, config = tmp_path / "out", tmp_path / "crm.toml"
    config.write_text(f'[merge]\ncrm = "{crm}"\n')
    existing, new = tmp_path / "existing.csv", tmp_path / "new.csv"  # Zoe's phone is Alice's: a line to clear
    existing.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\nC001,Alice,Baker,alice@example.com,"
                        "+12125550101\n")
    new.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n,Zoe,Quinn,zoe@example.org,+12125550101\n")
    result = CliRunner().invoke(main, ["check-import", str(new), "--against", str(existing), "--out", str(out),
                                       "--config", str(config)])
    assert result.exit_code == 0, result.output
    for text in (result.output, (out / "summary.txt").read_text()):
        assert (f"warning: {warning}" in text) if warning else ("empties fields with" not in text), text


def test_cli_check_import_reads_the_sheet_encoding_and_delimiter_asked_for(tmp_path):
    import openpyxl

    def workbook(source, path):  # the contacts on the second sheet
        book = openpyxl.Workbook()
        book.active.title = "Notes"
        book.active.append(["read me first"])
        sheet = book.create_sheet("Contacts")
        with open(source, encoding="utf-8") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
        book.save(path)
        return str(path)

    greek = tmp_path / "greek.csv"  # cp1253 is not what a guess finds first
    greek.write_bytes("Contact ID|First Name|Last Name|Email\n|Αλίκη|Παππά|alice.pappa@example.gr\n".encode("cp1253"))
    existing = "sample_data/contacts.csv"
    for args in ([workbook(NEW, tmp_path / "new.xlsx"), "--sheet", "Contacts", "--against", existing],
                 [NEW, "--against", workbook(existing, tmp_path / "export.xlsx"), "--against-sheet", "Contacts"],
                 [str(greek), "--encoding", "cp1253", "--delimiter", "|", "--against", existing]):
        result = CliRunner().invoke(main, ["check-import", *args, "--out", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
    assert "Αλίκη" in (tmp_path / "out" / "annotated.csv").read_bytes().decode("cp1253")


def test_a_row_that_changes_a_phone_and_an_email_lists_both(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\nA1,Ann,Lee,ann@old.example,212-555-0142\n")
    new = tmp_path / "new.csv"
    new.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\nA1,Ann,Lee,ann@new.example,212-555-0199\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["changes a number"]
    assert check.rows["reason"].tolist() == [
        "same record ID; Mobile Phone 212-555-0142 -> 212-555-0199; Email ann@old.example -> ann@new.example"]
    assert check.changed_numbers[["column", "old", "new"]].values.tolist() == [
        ["Mobile Phone", "212-555-0142", "212-555-0199"], ["Email", "ann@old.example", "ann@new.example"]]


def _checked(tmp_path, existing_rows: str, new_rows: str, header: str = "Contact ID,First Name,Last Name,Email,"
             "Mobile Phone,City"):
    """The check of a new file against an export, both of these rows under one header."""
    existing, new = tmp_path / "existing.csv", tmp_path / "new.csv"
    existing.write_text(f"{header}\n{existing_rows}")
    new.write_text(f"{header}\n{new_rows}")
    return check_import(new, existing, progress=False)


def test_a_row_imported_without_the_id_of_the_contact_whose_phone_it_carries_will_be_rejected(tmp_path):
    # Alicia Baker may be Alice Baker, but not surely (another first name and email): the row keeps no record ID,
    # so the CRM would take it as a new contact with Alice's mobile and skip it as a duplicate contact
    check = _checked(tmp_path, "C001,Alice,Baker,alice.baker@example.com,+12125550101,New York\n"
                               "C004,Dmitri,Evans,dmitri.evans@example.com,+12125550104,Denver\n",
                     ",Alicia,Baker,alicia.b@example.net,+12125550101,New York\n"
                     ",Dmitri,Evans,,+12125550104,Denver\n")
    assert check.rows["status"].tolist() == ["will be rejected", "would create a duplicate"]
    assert check.rows["matched_record"].tolist() == ["C001", "C004"]
    assert check.rows["reason"][0].startswith("phone +1 212-555-0101 belongs to existing record C001; probably "
                                              "existing record C001: not merged without a person")
    assert check.taken[["existing_record", "column"]].values.tolist() == [["C001", "Mobile Phone"]]
    importable, held = check.corrected()
    assert importable["Contact ID"].tolist() == ["C004"] and held["First Name"].tolist() == ["Alicia"]


def test_a_value_that_a_row_of_the_import_gives_its_contact_too_is_not_cleared_for_a_held_back_row(tmp_path):
    # the file gives Alice's mobile to Alice (line 2) and to Zoe (line 3): it did not move to Zoe, and the clearing
    # line, imported after import_ready.csv, would take from Alice the number her own row just set
    alice = "C001,Alice,Baker,alice.baker@example.com,+12125550101,New York\n"
    zoe = ",Zoe,Quinn,zoe.quinn@example.org,212.555.0101,Boston\n"
    check = _checked(tmp_path, alice, alice + zoe)
    assert check.rows["status"].tolist() == ["updates", "will be rejected"]
    assert check.rows["reason"][1] == ("phone +1 212-555-0101 belongs to existing record C001, which line 2 of this "
                                       "file gives it too")
    assert check.taken.empty
    check.write(tmp_path / "out")
    assert (tmp_path / "out" / "held_back_clear.csv").read_text().splitlines()[1:] == []
    # Alice's row held back (another name under her ID) gives her nothing: the number is cleared for Zoe's row
    check = _checked(tmp_path, alice, alice.replace("Alice,Baker", "Carl,Dunn") + zoe)
    assert check.rows["hold"].tolist() == [True, True]
    assert check.rows["reason"][1] == "phone +1 212-555-0101 belongs to existing record C001"
    assert check.taken[["existing_record", "column"]].values.tolist() == [["C001", "Mobile Phone"]]


def test_a_rejected_row_s_reason_counts_the_other_contacts_that_hold_its_value(tmp_path):
    # an office switchboard on 4 contacts: the reason named the first alone, and the clearing file took it from all 4
    office = "".join(f"C00{i},{name},Lee,{name.lower()}@acme.example,+12125550100,New York\n"
                     for i, name in enumerate(["Ann", "Bob", "Cy", "Dee"], 1))
    check = _checked(tmp_path, office, ",Gus,Hale,gus@acme.example,212-555-0100,New York\n")
    assert check.rows["status"].tolist() == ["will be rejected"]
    assert check.rows["reason"][0] == ("phone +1 212-555-0100 belongs to existing record C001; 3 other existing "
                                       "records hold it too")
    assert check.taken["existing_record"].tolist() == ["C001", "C002", "C003", "C004"]
    # one of them updated by the file keeps it: the reason says so, and counts the others still
    check = _checked(tmp_path, office, "C001,Ann,Lee,ann@acme.example,+12125550100,New York\n"
                                       ",Gus,Hale,gus@acme.example,212-555-0100,New York\n")
    assert check.rows["reason"][1] == ("phone +1 212-555-0100 belongs to existing record C001, which line 2 of this "
                                       "file gives it too; 3 other existing records hold it too")
    assert check.taken["existing_record"].tolist() == ["C002", "C003", "C004"]


def test_a_held_back_row_gets_the_record_id_it_matched_so_that_imported_after_the_clearing_file_it_updates(tmp_path):
    # the spreadsheet dropped the leading zero and the phone is Maria's: imported after the clearing file with
    # 1001, the CRM would find no such contact
    check = _checked(tmp_path, "01001,Robert,Fischer,rob@example.com,617-555-0142\n"
                               "01002,Maria,Garcia,maria@example.org,617-555-0177\n",
                     "1001,Robert,Fischer,rob@example.com,617-555-0177\n", "Record ID,First Name,Last Name,Email,Phone")
    assert check.rows["status"].tolist() == ["will be rejected"] and check.rows["certain"].tolist() == [True]
    importable, held = check.corrected()
    assert importable.empty and held["Record ID"].tolist() == ["01001"]
    assert check.taken[["existing_record", "column"]].values.tolist() == [["01002", "Phone"]]


def test_the_second_row_that_updates_one_contact_is_held_back_as_it_would_write_over_the_first(tmp_path):
    check = _checked(tmp_path, "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n"
                               "C004,Dmitri,Evans,dmitri.evans@example.com,+12125550104,Denver\n",
                     "C003,Chloe,Dawson,chloe.d@example.net,+12125550133,Chicago\n"
                     ",Dmitri,Evans,dmitri.evans@example.com,,Denver\n"
                     "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n")
    assert check.rows["status"].tolist() == ["changes a number", "would create a duplicate", "updates"]
    assert check.rows["hold"].tolist() == [False, False, True]
    assert check.rows["reason"][2] == "same record ID; held back: line 2 of this file updates this contact too"
    importable, held = check.corrected()
    assert importable["Contact ID"].tolist() == ["C003", "C004"] and held["Contact ID"].tolist() == ["C003"]


def test_a_row_with_the_right_record_id_is_not_rejected_for_repeating_an_earlier_row_the_crm_rejects(tmp_path):
    # the first row's ID is unknown, the CRM skips it and writes nothing: the second updates Chloe
    check = _checked(tmp_path, "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n",
                     "C999,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n"
                     " C003 ,Chloe,Dawson,chloe.new@example.com,+12125550103,Chicago\n"
                     ",Chloe,Dawson,chloe.new@example.com,+12125550133,Chicago\n")
    assert check.rows["status"].tolist() == ["will be rejected", "changes a number", "will be rejected"]
    assert check.rows["reason"][1] == "same record ID; Email chloe.dawson@example.com -> chloe.new@example.com"
    # an earlier row that the CRM imports still counts
    assert check.rows["reason"][2].startswith("repeats line 3 of this file")
    assert check.corrected()[0]["Contact ID"].tolist() == ["C003"]


def test_a_copy_of_an_earlier_row_whose_name_alone_scores_below_a_merge_repeats_it(tmp_path):
    # no email or phone in common (N/A, blank): Pat Nobody twice scored for review, each a new contact, and
    # import_ready.csv created Pat twice; a placeholder is a blank cell, another city another person
    check = _checked(tmp_path, "C001,Alice,Baker,alice.baker@example.com,+12125550101,New York\n"
                               "C002,Bea,Nobody,bea.n@example.com,+12125550102,Austin\n",
                     ",Pat,Nobody,N/A,0000000000,\n"
                     ",Pat,Nobody,N/A,0000000000,\n"
                     ",Pat,Nobody,,,\n"
                     ",Quinn,Oddly,,,Austin\n"
                     ",Quinn,Oddly,,,Dallas\n"
                     ",Quinn,Oddly,,,Austin\n")
    assert check.rows["status"].tolist() == ["new contact", "will be rejected", "will be rejected", "new contact",
                                             "new contact", "will be rejected"]
    assert [reason.split(";")[0] for reason in check.rows["reason"][[1, 2, 5]]] == [
        "repeats line 2 of this file", "repeats line 2 of this file", "repeats line 5 of this file"]
    assert check.corrected()[0]["First Name"].tolist() == ["Pat", "Quinn", "Quinn"]


def test_a_rejected_row_whose_record_id_is_another_persons_says_so(tmp_path):
    # imported after the clearing file as the reason suggests, Alice's row would overwrite Chloe
    check = _checked(tmp_path, "C001,Alice,Baker,alice.baker@example.com,+12125550101,New York\n"
                               "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n",
                     "C003,Alice,Baker,alice.baker@example.com,+12125550101,New York\n")
    assert check.rows["status"].tolist() == ["will be rejected"]
    assert check.rows["reason"].tolist() == ["email alice.baker@example.com belongs to existing record C001; held "
                                             "back: the name differs from the existing record (Chloe Dawson)"]


def test_a_row_that_updates_the_contact_an_earlier_row_updates_is_held_back_not_rejected_for_its_values(tmp_path):
    # 42 is 0042 without its leading zeros: the CRM updates Dmitri twice, it rejects neither row
    check = _checked(tmp_path, "0042,Dmitri,Evans,dmitri.evans@example.com,+12125550104,Denver\n",
                     "42,Dmitri,Evans,dmitri.evans@example.com,+12125550104,Denver\n"
                     "0042,Dmitri,Evans,dmitri.evans@example.com,+12125550199,Denver\n")
    assert check.rows["status"].tolist() == ["updates", "changes a number"]
    assert check.rows["hold"].tolist() == [False, True]
    assert check.rows["reason"][1].startswith("same record ID; held back: line 2 of this file updates this contact")


def test_rows_that_update_two_contacts_of_the_export_that_share_an_email_are_not_rejected(tmp_path):
    # the export holds Alice twice (a duplicate of its own): sent back as they are, the CRM updates both
    rows = ("C001,Alice,Baker,alice.baker@example.com,+12125550101,New York\n"
            "C002,Alice,Baker,alice.baker@example.com,+12125550201,New York\n")
    check = _checked(tmp_path, rows, rows)
    assert check.rows["status"].tolist() == ["updates", "updates"] and not check.rows["hold"].any()
    check = _checked(tmp_path, "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n",
                     rows.replace("C001", "").replace("C002", ""))
    assert check.rows["status"].tolist() == ["new contact", "will be rejected"]  # a new Alice twice


def test_a_record_id_on_two_rows_of_the_export_is_warned_of_and_its_rows_values_are_its_contacts(tmp_path):
    # the export holds C001 twice: the new row for C001 with the second row's email is not rejected for it
    check = _checked(tmp_path, "C001,Alice,Baker,alice.baker@example.com,+12125550101,New York\n"
                               "C001,Alicia,Baker,alicia.b@example.net,+12125550111,Boston\n"
                               "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n",
                     "C001,Alicia,Baker,alicia.b@example.net,+12125550111,Boston\n")
    assert check.rows["status"].tolist() == ["changes a number"] and not check.rows["hold"].any()
    assert check.taken.empty
    assert any("holds 1 record ID on several rows ('C001' on lines 2, 3)" in w for w in check.warnings)
    assert "holds 1 record ID on several rows" in check.summary()


def test_the_rows_of_a_new_workbook_are_named_by_their_sheet_rows(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()  # a title above the header: the sheet rows are not the CSV's lines
    book.active.append(["Contacts for the import"])
    for row in (["Contact ID", "First Name", "Last Name", "Email", "Mobile Phone", "City"],
                ["C003", "Chloe", "Dawson", "chloe.d@example.net", "+12125550133", "Chicago"],
                ["", "Erin", "Fox", "erin.fox@example.org", "+12125550177", "Denver"],
                ["", "Erin", "Fox", "erin.fox@example.org", "+12125550177", "Denver"],
                ["C003", "Chloe", "Dawson", "chloe.dawson@example.com", "+12125550103", "Chicago"]):
        book.active.append(row)
    book.save(tmp_path / "new.xlsx")
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,City\n"
                        "C003,Chloe,Dawson,chloe.dawson@example.com,+12125550103,Chicago\n")
    check = check_import(tmp_path / "new.xlsx", existing, progress=False)
    assert check.rows["reason"][2].startswith("repeats sheet row 4 of this file")
    assert check.rows["reason"][3] == "same record ID; held back: sheet row 3 of this file updates this contact too"


def test_a_record_id_of_a_placeholder_is_no_record_id(tmp_path):
    # n/a and - were record IDs "not in the existing contacts": rejected, the duplicate of C001 too, and n/a
    # imported as an ID
    existing = tmp_path / "existing.csv"
    existing.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,City\n"
                        "C001,John,Doe,jdoe@example.com,+16175550101,Boston\n"
                        "C002,Jane,Roe,jroe@example.com,+16175550102,Denver\n")
    new = tmp_path / "new.csv"
    new.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,City\n"
                   "n/a,Zed,Zulu,zed@example.com,+16175550199,Boston\n"
                   "-,John,Doe,jdoe@example.com,+16175550101,Boston\n")
    check = check_import(new, existing, progress=False)
    assert check.rows["status"].tolist() == ["new contact", "would create a duplicate"]
    assert check.rows["reason"][0] == "record ID 'n/a' is a placeholder: left blank in import_ready.csv"
    importable, held = check.corrected()
    assert importable["Contact ID"].tolist() == ["", "C001"] and not len(held)
