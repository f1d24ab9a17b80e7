"""The data-quality profile, on a hand-made export whose answers are known."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from dedupe_kit import Config, NormalizeConfig, ProfileConfig, load, normalize, profile, run
from dedupe_kit.cli import main
from dedupe_kit.config import MatchConfig

EXPORT = """Contact ID,First Name,Last Name,Email,Mobile Phone,Home Phone,Student ID,Notes
1,Ann,Lee,ann@x.com,(212) 555-0142,(212) 555-0100,S1,
2,Bob,Lee,bob@x.com,(212) 555-0143,(212) 555-0100,S2,
3,Cy,Lee,cy@x.com,(212) 555-0144,212.555.0100,,
4,Ann,Lee,ANN@X.COM,555-555-5555,,S1,second form
5,Dan,Ray,info@acme.example,12345,,,
6,Dan,Ray,info@acme.example,12345,,,
7,Eve,Fox,eve@,,,N/A,
"""


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    contacts = load(path)
    return profile(contacts, normalize(contacts))


def test_counts(report):
    assert report.counts().to_dict() == {
        "rows": 7,
        "unusable phones": 3,  # a placeholder and 12345 twice
        "unusable emails": 1,
        "unusable external IDs": 1,
        "shared values": 2,  # the household landline (3 records) and info@
        "values too common to pair": 0,
        # rows 1 and 2: the landline of row 0; row 3: ann@ and S1 of row 0; row 5: info@ of row 4
        "rows with a taken phone/email/ID": 4,
        "exact duplicate rows": 1,
    }


def test_fill_rate_per_role_and_column(report):
    fill = report.fill.set_index("role")
    assert fill.loc["phones", "rows_filled"] == 5  # not row 4's 555-555-5555 alone: blank, as to the merge
    assert fill.loc["external_ids", "fill_rate"] == pytest.approx(3 / 7)  # nor row 7's N/A
    mapping = report.mapping.set_index("column")
    assert mapping.loc["Home Phone", "filled"] == 3
    assert mapping.loc["Mobile Phone", "filled"] == 5  # 12345 is a value, unusable (listed apart)
    assert mapping.loc["Notes", "role"] == "notes"
    assert "  external_ids           'Student ID'                  42.9%" in str(report).splitlines()


def test_fill_rate_counts_a_placeholder_as_blank_as_the_merge_does(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Company,Title,Notes\n"
                    "1,Ann,Lee,ann@example.com,N/A,unknown,null\n2,Bob,Na,bob@example.com,Acme,0,see file\n"
                    "3,Cy,None,n/a,-,x,-\n4,Dee,Ray,dee@example.com,#VALUE!,UNSET,none\n")
    mapping = profile(load(path)).mapping.set_index("column")["filled"].to_dict()
    # a last name Na or None is a name; in a column of no role (Title) 0 and x may be an answer
    assert mapping == {"Contact ID": 4, "First Name": 4, "Last Name": 4, "Email": 3, "Company": 1, "Title": 2,
                       "Notes": 1}


def test_fill_rate_counts_an_empty_json_list_with_white_space_inside_as_blank(tmp_path):
    path = tmp_path / "export.csv"  # '[ ]', as some APIs and tools write an empty list, is blank as '[]' is
    path.write_text('Contact ID,First Name,Email,Phone,Company\n1,Ann,[],[ ],"[\n]"\n2,Bob,"[ ]",[  ],[]\n'
                    "3,Cy,cy@example.com,+1 617-555-0142,Acme\n")
    mapping = profile(load(path)).mapping.set_index("column")["filled"].to_dict()
    assert mapping == {"Contact ID": 3, "First Name": 3, "Email": 1, "Phone": 1, "Company": 1}


def test_invalid_values_carry_their_line(report):
    rows = report.invalid[["line", "column", "raw", "reason"]].values.tolist()
    assert [2 + 3, "Mobile Phone", "555-555-5555", "placeholder number"] in rows
    assert [8, "Email", "eve@", "not a valid email address"] in rows
    assert [8, "Student ID", "N/A", "placeholder, not an ID"] in rows


def test_shared_values(report):
    shared = report.shared.set_index("value")
    assert shared.loc["+12125550100", "records"] == 3
    assert shared.loc["+12125550100", "rows"] == "0 1 2"
    assert bool(shared.loc["info@acme.example", "role_address"])


def test_shared_threshold_is_configurable(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    config = Config(profile=ProfileConfig(shared_min_records=4), match=MatchConfig(max_block_size=2))
    contacts = load(path, config)
    report = profile(contacts, config=config)
    assert report.shared["value"].tolist() == ["info@acme.example"]
    # the landline's 3 records make no pairs, as the run's summary says, though it is not listed as shared (>= 4)
    assert report.counts()["values too common to pair"] == 1
    config = Config(match=MatchConfig(max_block_size=3))
    assert profile(contacts, config=config).counts()["values too common to pair"] == 0


def test_values_too_common_to_pair_count_an_exact_copy_once_as_matching_does(tmp_path):
    path = tmp_path / "export.csv"  # the phone of three records, two of them copies: matching pairs on it
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone\n1,Ann,Lee,ann@x.com,(212) 555-0142\n"
                    "2,Ann,Lee,ann@x.com,(212) 555-0142\n3,Bob,Lee,bob@x.com,(212) 555-0142\n")
    config = Config(match=MatchConfig(max_block_size=2))
    contacts = load(path, config)
    assert profile(contacts, config=config).counts()["values too common to pair"] == 0
    assert "phones/emails/IDs too common to pair     0   (over 2 records)" in run(
        contacts, config, progress=False).summary().splitlines()
    path.write_text(path.read_text() + "4,Cy,Lee,cy@x.com,212-555-0142\n")  # now three records of their own
    contacts = load(path, config)
    assert profile(contacts, config=config).counts()["values too common to pair"] == 1


def test_the_emails_and_phones_of_a_cleaned_export_s_extra_columns_count_as_a_run_matches_on_them(tmp_path):
    path = tmp_path / "cleaned.csv"  # a run's cleaned.csv, profiled before running again
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,dedupe_kit extra emails,"
                    "dedupe_kit extra phones\n1,Ann,Lee,ann@x.com,(212) 555-0142,bob@x.com,(212) 555-0199\n"
                    "2,Bob,Ray,bob@x.com,(212) 555-0199,,\n3,Cy,Fox,cy@x.com,(212) 555-0144,eve@,(212) 555-0199\n"
                    "4,Di,Wu,di@x.com,,,12345\n")
    counts = profile(load(path)).counts()
    assert counts[["unusable phones", "unusable emails", "shared values", "rows with a taken phone/email/ID"]
                  ].to_dict() == {"unusable phones": 1, "unusable emails": 1, "shared values": 1,
                                  "rows with a taken phone/email/ID": 0}
    assert CliRunner().invoke(main, ["profile", str(path), "--out", str(tmp_path / "profile")]).exit_code == 0
    assert CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "run")]).exit_code == 0
    assert (tmp_path / "profile" / "profile.txt").read_text() == (tmp_path / "run" / "profile.txt").read_text()


def test_a_value_of_a_cleaned_export_s_extra_column_is_shared_but_neither_taken_nor_holds_one(tmp_path):
    path = tmp_path / "cleaned.csv"  # no CRM column imports an extra column: an import rejects no row for it
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,dedupe_kit extra phones,dedupe_kit extra emails\n"
                    "C1,Ann,Bell,ann@example.com,415-555-0101,,\nC2,Carl,Dunn,carl@example.com,415-555-0102,,\n"
                    "C3,Eve,Ford,eve@example.com,415-555-0103,415-555-0109,\n"
                    "C4,Gus,Hale,gus@example.com,415-555-0104,415-555-0102,carl@example.com\n"
                    "C5,Ida,Jones,ida@example.com,415-555-0109,,\nC6,Ann,Bell,ann@example.com,,,\n")
    report = profile(load(path), config=Config(profile=ProfileConfig(shared_min_records=2)))
    assert report.taken[["line", "display", "held_by_line"]].values.tolist() == [[7, "ann@example.com", 2]]
    assert report.counts()["rows with a taken phone/email/ID"] == 1
    assert sorted(report.shared["display"]) == ["+1 415-555-0102", "+1 415-555-0109", "ann@example.com",
                                                 "carl@example.com"]  # matching still uses them
    out = tmp_path / "profile"
    assert CliRunner().invoke(main, ["profile", str(path), "--out", str(out)]).exit_code == 0
    assert "line 5:" not in (out / "profile.txt").read_text() and "line 6:" not in (out / "profile.txt").read_text()


def test_taken_values_name_the_row_that_holds_them(report):
    taken = report.taken[["source_row", "kind", "display", "held_by"]].astype(str).values.tolist()
    assert taken == [
        ["1", "phone", "+1 212-555-0100", "0"],
        ["2", "phone", "+1 212-555-0100", "0"],
        ["3", "email", "ann@x.com", "0"],
        ["3", "external_id", "S1", "0"],
        ["5", "email", "info@acme.example", "4"],
    ]


def test_taken_values_far_down_a_file_of_few_identifiers(tmp_path):
    path = tmp_path / "export.csv"  # more rows than identifiers: rows are not positions in the table of values
    path.write_text("Contact ID,First Name,Mobile Phone,Home Phone\n" + "".join(f"{i},Ann,,\n" for i in range(8))
                    + "8,Bob,(212) 555-0142,(212) 555-0100\n9,Bob,(212) 555-0100,(212) 555-0199\n")
    contacts = load(path)
    report = profile(contacts, normalize(contacts))
    assert report.taken[["source_row", "display", "held_by"]].astype(str).values.tolist() == [
        ["9", "+1 212-555-0100", "8"]]
    assert report.counts()["rows with a taken phone/email/ID"] == 1


def test_exact_duplicates_ignore_the_record_id(report):
    assert report.exact_duplicates.values.tolist() == [[5, 7, 4, 6]]  # with the lines of the file


def test_blank_rows_are_not_exact_duplicates(tmp_path):
    path = tmp_path / "export.csv"  # a spreadsheet's padding after the data: empty rows, IDs left blank or not
    path.write_text("Contact ID,First Name,Email\n1,Ann,a@x.com\n2,Ann,a@x.com\n,,\n, ,\n9,,\n")
    contacts = load(path)
    assert profile(contacts, normalize(contacts)).exact_duplicates.values.tolist() == [[1, 3, 0, 2]]


def test_summary_text_and_chart(report):
    text = str(report)
    assert "phones (mobile)" in text and "'Mobile Phone'" in text
    assert "notes" in text and "'Notes'" in text and "passed through untouched: -" in text
    assert "line 5: email ann@x.com already on line 2" in text  # as the file numbers its lines, header first
    assert "line 7 = line 6" in text
    assert "<h4>Profile of" in report._repr_html_()
    figure = report.plot()
    assert isinstance(figure, Figure)
    left, right = figure.axes
    assert [bar.get_width() for bar in right.patches] == list(report.counts().drop("rows").iloc[::-1])


def test_the_summary_names_rows_by_the_line_they_start_on_in_the_file(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('Contact ID,Email,Notes\n1,ann@x.com,"two\nlines"\n2,ann@x.com,\n3,bob@x.com,\n4,bob@x.com,\n')
    text = str(profile(load(path)))
    assert "  line 4: email ann@x.com already on line 2" in text and "  line 6: email bob@x.com already on line 5" in text


def test_profile_of_an_empty_export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email,Phone\n")
    report = profile(load(path))
    assert report.counts().sum() == 0
    assert "0 rows" in str(report)


def test_the_summary_counts_one_row_and_one_record_in_the_singular(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Email\n1,info@example.com\n")
    report = profile(load(path))
    assert str(report).startswith(f"Profile of {path}: 1 row\n")
    assert "  email info@example.com — 1 record (role address)" in str(report)
    assert report.plot().axes[1].get_title() == "Needs attention (1 row)"


def test_the_summary_shows_the_first_lines_of_tables_it_does_not_make(report):
    text = str(report)  # a run writes only this: the large tables are made when first asked for
    assert "shared" not in vars(report) and "taken" not in vars(report)
    shared = [f"  {r.kind} {r.display} — {r.records} records{' (role address)' if r.role_address else ''}"
              for r in report.shared.itertuples()]
    taken = [f"  line {report.lines[r.source_row]}: {r.kind} {r.display} already on line {report.lines[r.held_by]}"
             for r in report.taken.itertuples()]
    assert shared == ["  phone +1 212-555-0100 — 3 records", "  email info@acme.example — 2 records (role address)"]
    assert len(taken) == 5 and "\n".join(shared) in text and "\n".join(taken) in text


def test_phones_of_another_country_than_the_default_region_are_pointed_out(tmp_path):
    path = tmp_path / "french.csv"
    numbers = [f"06 12 34 56 {i:02d}" for i in range(8)] + ["01 42 68 53 00", "+33 6 98 76 54 32"]
    path.write_text("Contact ID,Nom,Téléphone\n" + "".join(f"{i},Dupont,{n}\n" for i, n in enumerate(numbers)))
    contacts = load(path)
    text = str(profile(contacts))
    assert ("9 phones typed without a country code are not valid US numbers, and 9 of them are valid FR numbers: "
            "if most contacts are in FR, run with --region FR") in text
    assert "--region" not in str(profile(contacts, config=Config(normalize=NormalizeConfig(default_region="FR"))))
    assert run(contacts, progress=False).summary().splitlines()[-1].startswith("warning: 9 phones typed without")
    american = tmp_path / "american.csv"  # a few numbers of another country among the default region's
    american.write_text("Contact ID,Phone\n" + "".join(f"{i},(212) 555-01{i:02d}\n" for i in range(5))
                        + "8,06 12 34 56 78\n9,06 12 34 56 79\n")
    assert "--region" not in str(profile(load(american)))


def test_rows_that_repeat_an_earlier_rows_record_id_are_listed(tmp_path):
    path = tmp_path / "export.csv"  # Leon Oduya and another contact on one ID; blank IDs repeat nothing
    path.write_text("Contact ID,First Name,Email\nC20,Leon,leon@x.example\nC21,Ann,ann@x.example\n"
                    "C20,Wholly,other@y.example\n,Zed,z@x.example\n,Yan,y@x.example\nC20,Leon,leon@x.example\n")
    report = profile(load(path))
    assert report.repeated_ids.values.tolist() == [[2, 4, "C20", 0, 2], [5, 7, "C20", 0, 2]]
    assert "rows whose record ID an earlier row holds: 2 (first ones):\n  line 4: 'C20', as on line 2" in str(report)
    path.write_text("Contact ID,First Name\nC1,Ann\nC2,Bob\n")
    assert "record ID an earlier row" not in str(profile(load(path)))
    path.write_text("Contact ID,First Name\nC1,Ann\n C1,Ann\n")  # a space before it: the same ID, as typed
    assert profile(load(path)).repeated_ids.values.tolist() == [[1, 3, " C1", 0, 2]]


def test_a_workbook_s_rows_are_named_by_their_sheet_row(tmp_path):
    # a workbook has no lines: the profile said "line 4" for what the sheet shows as row 4
    from openpyxl import Workbook
    book = Workbook()
    for row in (["Contact ID", "Email"], ["C1", "ann@@example.org"], ["C1", "bob@example.org"],
                ["C2", "bob@example.org"]):
        book.active.append(row)
    book.save(tmp_path / "book.xlsx")
    text = str(profile(load(tmp_path / "book.xlsx")))
    assert "  sheet row 2, 'Email': 'ann@@example.org' — not a valid email address" in text
    assert "  sheet row 4: email bob@example.org already on sheet row 3" in text
    assert "  sheet row 3: 'C1', as on sheet row 2" in text and "line " not in text


def test_a_file_without_a_phone_or_an_email_to_match_on_is_warned_of_in_the_run_and_the_profile(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Company\nC1,Ann,Bell,Acme\nC2,Ann,Bell,Acme\nC3,Cy,Fox,Initech\n")
    said = "warning: no phone and no email column: matching can only use the names"
    result = run(path, progress=False)
    assert said in result.summary().splitlines()[-1]
    assert said.removeprefix("warning: ") in str(profile(load(path)))
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(path), "--out", str(out)]).exit_code == 0
    assert (out / "summary.txt").read_text().count(said) == 1
    path.write_text("Contact ID,First Name,Last Name,Email\nC1,Ann,Bell,\nC2,Ann,Bell,n/a\n")  # a column, none usable
    assert "warning: no usable phone or email in any row: matching" in run(path, progress=False).summary()
    path.write_text("Contact ID,First Name,Last Name,Email\nC1,Ann,Bell,ann@example.com\nC2,Ann,Bell,\n")
    assert "matching can only use the names" not in run(path, progress=False).summary()
