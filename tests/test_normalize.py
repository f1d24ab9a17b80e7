"""Normalization of phones, emails, external IDs and names."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat

from dedupe_kit import Config, NormalizeConfig, load, merge, normalize, run
from dedupe_kit.normalize import (
    IDENTIFIER_COLUMNS,
    EmailParser,
    _parse_phone_part,
    _region_rules,
    _valid,
    country_region,
    display,
    display_all,
    extension_spelled,
    extensions,
    parse_external_id,
    parse_external_ids,
    parse_phone,
    parse_phones,
    reads_as,
)
from dedupe_kit.names import fold, fold_name, nickname_equivalent, nickname_group, patronymic, split_full_name

E164 = PhoneNumberFormat.E164


def per_value(parsed, n):
    """What a parser of many values found, back as each value's (usable, problems) lists."""
    out = [([], []) for _ in range(n)]
    for side, parts in enumerate(parsed):
        for keys, fields in parts:
            for key, item in zip(keys, zip(*fields)):
                out[key][side].append(item)
    return out


@pytest.mark.parametrize(
    "raw, region, e164",
    [
        ("(212) 555-0142", "US", "+12125550142"),
        ("212.555.0142", "US", "+12125550142"),
        ("+1 212 555 0142", "FR", "+12125550142"),
        ("001 212 555 0142", "GB", "+12125550142"),
        ("1-212-555-0142", "US", "+12125550142"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("0033 6 12 34 56 78", "US", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "US", "+33612345678"),
        ("07911 123456", "GB", "+447911123456"),
        ("+44 20 7946 0123", "US", "+442079460123"),
        ("212-555-0142 ext. 12", "US", "+12125550142"),
        ("(212) 555-0142 x12", "US", "+12125550142"),
        ("442079460123", "US", "+442079460123"),  # a spreadsheet dropped the +: too long for the region
        ("33612345678", "US", "+33612345678"),
        ("12125550142", "FR", "+12125550142"),
        # a region's own prefix for calls abroad, or 00 where that prefix is another
        ("0011 61 412 345 678", "AU", "+61412345678"),
        ("001 44 20 7946 0958", "SG", "+442079460958"),
        ("0044 20 7946 0958", "SG", "+442079460958"),
        ("0021 1 212 555 0142", "BR", "+12125550142"),  # through a carrier
        ("009 1 212 555 0142", "CO", "+12125550142"),  # not India's +91 2125550142
        ("0091 98765 43210", "CO", "+919876543210"),
        # an extension after a word of another language
        ("(11) 3456-7890 ramal 12", "BR", "+551134567890"),
        ("030 1234567 Durchwahl 12", "DE", "+49301234567"),
        ("03-1234-5678 内線 12", "JP", "+81312345678"),
        ("+7 495 123-45-67 доб. 123", "RU", "+74951234567"),
    ],
)
def test_phone_formats_give_one_e164(raw, region, e164):
    ok, bad = parse_phone(raw, region)
    assert bad == []
    assert [item[0] for item in ok] == [e164]
    assert per_value(parse_phones([raw], region), 1) == [parse_phone(raw, region)]


@pytest.mark.parametrize("raw, region", [
    ("+52 1 55 1234 5678", "US"),  # Mexico's 1 of a mobile called from abroad, until 2019
    ("+521 55 1234 5678", "US"), ("5215512345678", "MX"),
    ("044 55 1234 5678", "MX"), ("045 55 1234 5678", "MX"), ("01 55 1234 5678", "MX"),  # before a mobile, far away
])
def test_a_number_of_a_former_numbering_is_the_number_now(raw, region):
    assert parse_phone(raw, region) == ([("+525512345678", raw, "5512345678")], [])
    assert per_value(parse_phones([raw], region), 1) == [parse_phone(raw, region)]


@pytest.mark.parametrize("raw, region", [("+55 11 8765-4321", "US"), ("(11) 8765-4321", "BR"), ("011 8765-4321", "BR")])
def test_a_brazilian_mobile_without_its_ninth_digit_is_the_mobile_now(raw, region):
    assert parse_phone(raw, region) == ([("+5511987654321", raw, "11987654321")], [])
    assert per_value(parse_phones([raw], region), 1) == [parse_phone(raw, region)]
    assert parse_phone("(11) 3456-7890", "BR")[0][0][0] == "+551134567890"  # a fixed line keeps its 8 digits


@pytest.mark.parametrize("raw, region, e164", [
    ("+39 2 1234 5678", "US", "+390212345678"),  # Milan's 02 called from abroad without its 0, as before 1998
    ("0039 2 1234 5678", "GB", "+390212345678"), ("+39 6 1234 5678", "US", "+390612345678"),
    ("+39 81 123 4567", "US", "+390811234567"), ("+39 471 123456", "US", "+390471123456"),
])
def test_an_italian_landline_without_its_0_is_the_landline(raw, region, e164):
    assert parse_phone(raw, region) == ([(e164, raw, e164[3:])], [])
    assert parse_phone(raw.replace("39 ", "39 0", 1), region)[0][0][0] == e164
    # a number that starts as a mobile does, 3 or 43, is not taken for a landline; a valid number stays itself
    assert parse_phone("+39 312 345 678", "US")[0] == parse_phone("+39 43 123 4567", "US")[0] == []
    assert parse_phone("+39 55 1234 5678", "US")[0][0][0] == "+395512345678"


@pytest.mark.parametrize("raw, region", [
    ("+54 9 11 6123-4567", "AR"), ("+54 9 11 6123-4567", "US"), ("+5491161234567", "US"),  # from abroad, with its 9
    ("011 15 6123-4567", "AR"), ("11 15 6123-4567", "AR"), ("+54 11 15 6123 4567", "US"),  # at home, with its 15
    ("+54 11 6123 4567", "AR"), ("+541161234567", "US"), ("011 6123-4567", "AR"),  # without either, as often written
])
def test_an_argentine_mobile_is_one_number_with_or_without_its_9_or_15(raw, region):
    assert parse_phone(raw, region) == ([("+541161234567", raw, "1161234567")], [])
    assert per_value(parse_phones([raw], region), 1) == [parse_phone(raw, region)]
    assert reads_as(raw, "+541161234567")
    assert parse_phone("0351 15 612-3456", "AR")[0][0][0] == parse_phone("+54 351 612 3456", "US")[0][0][0]


@pytest.mark.parametrize("raw, region, e164, national", [
    ("2125550142.0", "US", "+12125550142", "2125550142"),  # a number column a spreadsheet or pandas wrote as decimals
    ("+33612345678.0", "US", "+33612345678", "612345678"),
    ("06 12 34 56 78 (mobile)", "FR", "+33612345678", "612345678"),  # a label in brackets, as a parent's number has
    ("(212) 555-0142 (Dad's office)", "US", "+12125550142", "2125550142"),
])
def test_a_decimal_point_zero_or_a_label_in_brackets_is_not_part_of_the_number(raw, region, e164, national):
    assert parse_phone(raw, region) == ([(e164, raw, national)], [])
    assert per_value(parse_phones([raw], region), 1) == [parse_phone(raw, region)]


def test_a_number_typed_with_more_digits_is_not_read_as_a_number_abroad():
    # 415 555 0142 and a 5 (an extension without its x) is not +41 55 550 14 25: a spreadsheet drops
    # the + of a number it stores as digits alone
    assert parse_phone("4155550142 5", "US") == ([], [("4155550142 5", "too long", "41555501425")])
    assert parse_phone("441555501425", "US")[0][0][0] == "+441555501425"


def test_a_number_in_scientific_notation_is_named_as_such_and_pairs_with_nothing():
    reason = "digits lost to scientific notation (export the column as text)"
    assert parse_phone("3.36123E+11", "FR") == ([], [("3.36123E+11", reason, "")])
    assert parse_phone("4,47701e+11", "GB") == ([], [("4,47701e+11", reason, "")])


@pytest.mark.parametrize("raw, after", [("(415) 555-0142 e12", "e12"), ("(415) 555-0142 Apt 5", "Apt 5")])
def test_text_and_digits_after_a_number_are_named_not_read_as_scientific_notation_or_keypad_digits(raw, after):
    # e12 was "digits lost to scientific notation", Apt 5 "too long" (its letters read as keypad digits 278)
    reason = f"text {after!r} after the number (an extension is written ext. 12)"
    assert parse_phone(raw, "US") == ([], [(raw, reason, "4155550142")])
    assert per_value(parse_phones([raw], "US"), 1) == [parse_phone(raw, "US")]
    assert parse_phone("(415) 555-0142 ext 12", "US")[0] == [("+14155550142", "(415) 555-0142 ext 12", "4155550142")]


def test_extension_is_kept_in_the_raw_text_not_the_value():
    assert parse_phone("212-555-0142 ext. 12", "US") == ([("+12125550142", "212-555-0142 ext. 12", "2125550142")], [])
    assert display("phone", "+12125550142") == "+1 212-555-0142"
    assert display("email", "a@b.co") == "a@b.co"


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(st.one_of(
        st.text(alphabet="0123456789", min_size=6, max_size=15).map(lambda d: "+" + d),
        st.text(alphabet="0123456789", min_size=6, max_size=15),
        st.text(alphabet="0123456789 +().-/;,x#", min_size=1, max_size=22),
        st.sampled_from(["(212) 555-0142", "1-212-555-0142", "06 12 34 56 78", "0033 6 12 34 56 78",
                         "+44 (0)20 7946 0123", "07911 123456 ext. 12", "212 555 0142 X 9", "02 12 34 56 78",
                         "212 555 5555", "+1 (212) 555-5555", "+33 6 66 66 66 66", "06 66 66 66 66",
                         "2125550142.0", "+33612345678.0", "612345678.0", " 02079460123.0 ", "06 12 34 56 78 (mum)",
                         "3.36123E+11"]),
    ), min_size=1, max_size=12, unique=True),
    region=st.sampled_from(["US", "FR", "GB", "DE", "IT", "CA", "BE", "CH", "AU"]),
)
def test_cells_parsed_together_give_what_phonenumbers_gives_one_by_one(cells, region):
    # parse_phone is the reference: every part through phonenumbers.parse
    assert per_value(parse_phones(cells, region), len(cells)) == [parse_phone(cell, region) for cell in cells]


@settings(max_examples=2000, deadline=None)
@given(
    national=st.text(alphabet="0123456789", min_size=4, max_size=13).filter(lambda d: d[0] != "0"),
    region=st.sampled_from(["US", "CA", "FR", "GB", "DE", "BE", "CH", "AU"]),
    valid_prefix=st.sampled_from(["", "212555", "612", "7400", "2079460", "30"]),
)
def test_one_pattern_per_region_validates_like_phonenumbers(national, region, valid_prefix):
    national = (valid_prefix + national)[: max(len(national), 9)]
    code = phonenumbers.country_code_for_region(region)
    expected = phonenumbers.is_valid_number_for_region(
        phonenumbers.PhoneNumber(country_code=code, national_number=int(national)), region)
    assert _valid(pa.array([national]), _region_rules(region)).tolist() == [expected]


def test_regions_with_unusual_prefix_rules_always_go_through_parse():
    assert [_region_rules(region) for region in ("IT", "ES", "GG")] == [None, None, None]
    assert parse_phone("+39 06 1234 5678", "US") == ([("+390612345678", "+39 06 1234 5678", "0612345678")], [])


@pytest.mark.parametrize("cell, region", [("(212) 555-0142", "US"), ("1-212-555-0142", "US"), ("06.12.34.56.78", "FR"),
                                          ("612345678", "FR"), ("0033 6 12 34 56 78", "US"), ("+33612345678", "US"),
                                          ("07400 123456", "GB"), ("+44 7400 123456", "FR"), ("212-555-0142 x12", "US"),
                                          ("+1 212 555 0142 ext. 12", "US"), ("07400 123456 EXT 3945", "GB")])
def test_common_numbers_never_reach_phonenumbers(monkeypatch, cell, region):
    expected = parse_phone(cell, region)  # through phonenumbers.parse
    _parse_phone_part.cache_clear()

    def unreachable(*args):
        raise AssertionError("parsed by phonenumbers")

    monkeypatch.setattr(phonenumbers, "parse", unreachable)
    assert per_value(parse_phones([cell], region), 1) == [expected]


def test_a_cell_with_two_numbers_gives_two():
    ok, bad = parse_phone("+1 212 555 0142 / 06 12 34 56 78; +44 7911 123456", "FR")
    assert [item[0] for item in ok] == ["+12125550142", "+33612345678", "+447911123456"]
    assert bad == []
    ok, bad = parse_phone("(212) 555-0142, +1 646 555 0100 or 718-555-0199,212-555-0143", "US")  # as CRMs list them
    assert [item[:2] for item in ok] == [("+12125550142", "(212) 555-0142"), ("+16465550100", "+1 646 555 0100"),
                                         ("+17185550199", "718-555-0199"), ("+12125550143", "212-555-0143")]
    assert bad == []
    ok, _ = parse_phone("+1 212-555-0142 ::: (212) 555-0199", "US")  # Google Contacts' separator
    assert [item[0] for item in ok] == ["+12125550142", "+12125550199"]
    assert parse_phone("212-555-0142, ext 12", "US") == ([("+12125550142", "212-555-0142, ext 12", "2125550142")], [])
    for joined in ("212-555-0142 and 212-555-0143", "212-555-0142 & 212-555-0143", "06 12 34 56 78 et 06 12 34 56 79"):
        assert len(parse_phone(joined, "FR" if " et " in joined else "US")[0]) == 2, joined



def test_a_comma_before_a_number_with_its_type_separates_two_numbers():
    # Gladly's phones, typed before each number, as its ``;`` lists write them: not text after the first number
    raw = "MOBILE:+16175550170, HOME:+16175550171, Work Fax: (617) 555-0172"
    ok, bad = parse_phone(raw, "US")
    assert [item[:2] for item in ok] == [("+16175550170", "MOBILE:+16175550170"), ("+16175550171", "HOME:+16175550171"),
                                         ("+16175550172", "Work Fax: (617) 555-0172")]
    assert bad == []
    assert per_value(parse_phones([raw], "US"), 1) == [parse_phone(raw, "US")]
    assert parse_phone("415-555-0402, Ext: 14", "US") == ([("+14155550402", "415-555-0402, Ext: 14", "4155550402")], [])

def test_digits_after_a_semicolon_or_comma_behind_a_number_are_its_extension():
    for raw in ["(415) 555-0402;23", "415-555-0402, 23", "415 555 0402 ;12345"]:  # as a phone dials it: wait, then 23
        assert parse_phone(raw, "US") == ([("+14155550402", raw, "4155550402")], []), raw
        assert per_value(parse_phones([raw], "US"), 1) == [parse_phone(raw, "US")]
    ok, bad = parse_phone("415-555-0402;23 / 415-555-0403;45", "US")
    assert [item[:2] for item in ok] == [("+14155550402", "415-555-0402;23"), ("+14155550403", "415-555-0403;45")]
    assert bad == []
    assert parse_phone("415-555-0402; 226-2649", "US")[1] == [("226-2649", "local number without area code", "2262649")]
    assert extensions(np.array(["(415) 555-0402;23", "415-555-0402, 45", "415-555-0402; 226-2649"], dtype=object)
                      ).tolist() == ["23", "45", ""]


def test_an_extension_named_after_a_semicolon_is_the_numbers_extension_not_another_value():
    for raw in ["tel:+1-212-555-0142;ext=12", "(212) 555-0142; ext 12", "212-555-0142; x12"]:  # RFC 3966's first
        assert parse_phone(raw, "US") == ([("+12125550142", raw, "2125550142")], []), raw
        assert per_value(parse_phones([raw], "US"), 1) == [parse_phone(raw, "US")]
        assert extensions(np.array([raw], dtype=object)).tolist() == ["12"]
    ok, bad = parse_phone("tel:+1-212-555-0142;ext=12; 212-555-0199", "US")
    assert [item[:2] for item in ok] == [("+12125550142", "tel:+1-212-555-0142;ext=12"),
                                         ("+12125550199", "212-555-0199")]
    assert bad == []
    assert extension_spelled("tel:+1-212-555-0142;ext=12") == "tel:+1-212-555-0142 ext. 12"  # in a list of phones


def test_words_after_a_number_are_a_label_not_letters_of_a_vanity_number():
    for raw in ["212 555 0142 mum", "+1 212-555-0142 - work", "212.555.0142, cell", "(212) 555-0142 Home"]:
        assert parse_phone(raw, "US") == ([("+12125550142", raw, "2125550142")], []), raw
    assert parse_phone("1 800 FLOWERS", "US")[0][0][0] == "+18003569377"  # too few digits without its letters


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("000-000-0000", "placeholder number"),
        ("555-555-5555", "placeholder number"),
        ("(111) 111-1111", "placeholder number"),
        ("1234567890", "placeholder number"),
        ("(212) 555-1212", "placeholder number"),  # directory assistance, in any area code
        ("12345", "too short"),
        ("2262649", "local number without area code"),
        ("call me", "not a phone number"),
        ("N/A", "not a phone number"),
        ("+1 212 555 01422222", "too long"),
    ],
)
def test_impossible_and_placeholder_numbers_are_flagged_not_matched(raw, reason):
    ok, bad = parse_phone(raw, "US")
    assert ok == [] and [item[:2] for item in bad] == [(raw, reason)]


def test_each_distinct_phone_is_parsed_once(monkeypatch, tmp_path):
    calls = []
    module = sys.modules["dedupe_kit.normalize"]
    real = module.parse_phones
    monkeypatch.setattr(module, "parse_phones", lambda cells, region: calls.append(cells) or real(cells, region))
    path = tmp_path / "t.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mobile", "Home Phone"])
        for i in range(300):
            writer.writerow([["(212) 555-0142", "212.555.0142", "+1 212 555 0101"][i % 3], "212 555 0101"])
    ids = normalize(load(path)).identifiers
    assert len(ids) == 600
    assert sorted(map(sorted, calls)) == [["(212) 555-0142", "+1 212 555 0101", "212.555.0142"], ["212 555 0101"]]
    assert set(ids["value"]) == {"+12125550142", "+12125550101"}


def test_a_raw_text_as_typed_is_the_cell_itself():
    contacts = load("sample_data/contacts.csv")
    normalized = normalize(contacts)
    frame = contacts.frame
    for table in (normalized.identifiers, normalized.problems):
        cells = [frame.at[row, column] for row, column in zip(table["source_row"], table["column"])]
        typed = [raw == cell for raw, cell in zip(table["raw"], cells)]
        assert any(typed)  # not a copy: a million rows would hold every identifier twice
        assert all(raw is cell for raw, cell, same in zip(table["raw"], cells, typed) if same)


def test_country_column_sets_the_region_per_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Phone,Country\n06 12 34 56 78,France\n07911 123456,UK\n(212) 555-0142,\n0612345678,Narnia\n")
    ids = normalize(load(path)).identifiers
    assert ids["value"].tolist() == ["+33612345678", "+447911123456", "+12125550142"]
    problems = normalize(load(path)).problems
    assert problems[["source_row", "reason"]].values.tolist() == [[3, "not a valid number for its country"]]
    fr = normalize(load(path), Config(normalize=NormalizeConfig(default_region="FR"))).identifiers
    assert "+33612345678" in fr.loc[fr["source_row"] == 3, "value"].tolist()
    path.write_text("Phone,Default Address Country Code\n'613-555-0135,CA\n'07911 123456,GB\n")  # Shopify's
    assert normalize(load(path)).identifiers["value"].tolist() == ["+16135550135", "+447911123456"]
    # country names in other languages and three-letter codes, as CLDR has them
    path.write_text("Phone,Country\n(11) 91234-5678,Brasil\n8 916 123-45-67,Россия\n0664 1234567,Österreich\n"
                    "020 7946 0958,GBR\n03-1234-5678,日本\n")
    assert normalize(load(path)).identifiers["value"].tolist() == [
        "+5511912345678", "+79161234567", "+436641234567", "+442079460958", "+81312345678"]


def test_country_names_people_write_beside_the_official_ones_set_the_region(tmp_path):
    # CLDR names Hong Kong "Hong Kong SAR China": its numbers were read as the default region's, too short
    path = tmp_path / "t.csv"
    path.write_text("Phone,Country\n9123 4567,Hong Kong\n6212 3456,Macau\n050 123 4567,UAE\n(212) 555-0142,U.S.A.\n"
                    "07911 123456,U.K.\n07911 123457,Britain\n085 123 4567,Eire\n085 123 4568,Republic of Ireland\n"
                    "06 12345678,\"Netherlands, The\"\n(242) 359-1234,The Bahamas\n701 2345,Gambia (the)\n")
    normalized = normalize(load(path), Config(normalize=NormalizeConfig(default_region="FR")))
    assert normalized.identifiers["value"].tolist() == [
        "+85291234567", "+85362123456", "+971501234567", "+12125550142", "+447911123456", "+447911123457",
        "+353851234567", "+353851234568", "+31612345678", "+12423591234", "+2207012345"]
    assert len(normalized.problems) == 0


def test_iso_country_names_set_the_region(tmp_path):
    # ISO 3166's names, as a CRM's country list writes them, set no region: the numbers were read as French ones,
    # and North Korea's, once read for "Korea", would have been South Korean
    rows = [("0912 345 6789", "Iran, Islamic Republic of"), ("71234567", "Bolivia, Plurinational State of"),
            ("0991 234 567", "Congo, The Democratic Republic of the"), ("0912 345 678", "Taiwan, Province of China"),
            ("(284) 300-1234", "Virgin Islands, British"), ("0621 234 567", "Tanzania, United Republic of"),
            ("0621 12 345", "Moldova, Republic of"), ("0412-1234567", "Venezuela, Bolivarian Republic of"),
            ("350 1234", "Micronesia, Federated States of"),
            ("0192 123 4567", "Korea, Democratic People's Republic of"),
            ("0192 123 4568", "Korea (the Democratic People's Republic of)"), ("010-2000-0000", "Korea, Republic of"),
            ("(784) 430-1234", "Saint Vincent and the Grenadines"), ("(868) 291-1234", "Trinidad and Tobago")]
    path = tmp_path / "t.csv"
    path.write_text("Phone,Country\n" + "".join(f'{phone},"{country}"\n' for phone, country in rows))
    normalized = normalize(load(path), Config(normalize=NormalizeConfig(default_region="FR")))
    assert normalized.identifiers["value"].tolist() == [
        "+989123456789", "+59171234567", "+243991234567", "+886912345678", "+12843001234", "+255621234567",
        "+37362112345", "+584121234567", "+6913501234", "+8501921234567", "+8501921234568", "+821020000000",
        "+17844301234", "+18682911234"]
    assert country_region("Korea", "FR") == "KR" and country_region("AND", "FR") == "AD"  # Andorra's code


@pytest.mark.parametrize(
    "raw, value, display, shared",
    [
        (" Jean.Dupont+news@GMail.com ", "jeandupont@gmail.com", "jean.dupont+news@gmail.com", False),
        ("jean.dupont@googlemail.com", "jeandupont@gmail.com", "jean.dupont@googlemail.com", False),
        ("jean.dupont@orange.fr", "jean.dupont@orange.fr", "jean.dupont@orange.fr", False),
        ("Bob Smith <Bob@Example.COM>", "bob@example.com", "bob@example.com", False),
        ("mailto:ann@x.org", "ann@x.org", "ann@x.org", False),
        ("Mailto:ann@x.org", "ann@x.org", "ann@x.org", False),  # a link pasted from a document or a web page
        ("<MailTo:Ann@X.org>", "ann@x.org", "ann@x.org", False),
        ("mailto:ann@x.org?subject=Hi%20there", "ann@x.org", "ann@x.org", False),  # a link's query: no part of it
        ("<mailto:ann@x.org?subject=Hi>", "ann@x.org", "ann@x.org", False),
        ("Ann &lt;ann@x.org&gt;", "ann@x.org", "ann@x.org", False),  # "<" and ">" as a CRM's HTML export writes them
        ("tom&amp;jo@x.org", "tom&jo@x.org", "tom&jo@x.org", False),
        ("%20ann@x.org", "ann@x.org", "ann@x.org", False),  # a space as a link encodes it
        ("mailto:%20ann@x.org%20", "ann@x.org", "ann@x.org", False),
        ("INFO@acme-widgets.example", "info@acme-widgets.example", "info@acme-widgets.example", True),
        ("zoë@exemple.fr", "zoë@exemple.fr", "zoë@exemple.fr", False),
        ("ann @ example.com", "ann@example.com", "ann@example.com", False),  # typed with spaces around the @
        ("ann@example,com", "ann@example.com", "ann@example.com", False),  # a comma typed for the dot
        ("j.doe@example. com", "j.doe@example.com", "j.doe@example.com", False),  # a space beside the dot
        ("J.Doe@example .co.uk", "j.doe@example.co.uk", "j.doe@example.co.uk", False),
        ("Jane Doe <j.doe@example . com>", "j.doe@example.com", "j.doe@example.com", False),
        # a label or a name in another script glued before the address, or before a colon: no part of it
        ("Иванivan@example.ru", "ivan@example.ru", "ivan@example.ru", False),
        ("电子邮件:li@example.cn", "li@example.cn", "li@example.cn", False),
        ("メール：taro@example.jp", "taro@example.jp", "taro@example.jp", False),
        ("Email:ann@example.com", "ann@example.com", "ann@example.com", False),
        ("иван@example.ru", "иван@example.ru", "иван@example.ru", False),  # a name in Cyrillic alone: the address
        ("Ann.O'Brien@example.com", "ann.o'brien@example.com", "ann.o'brien@example.com", False),  # not brien@
        ("'d'angelo@example.com'", "d'angelo@example.com", "d'angelo@example.com", False),
        ("ann@example.com!", "ann@example.com", "ann@example.com", False),  # punctuation after the domain
        ("Ann (ann@example.com?)", "ann@example.com", "ann@example.com", False),
        ("«ann@example.com»", "ann@example.com", "ann@example.com", False),  # quotes and brackets of other languages
        ("“ann@example.com”", "ann@example.com", "ann@example.com", False),
        ("【ann@example.com】", "ann@example.com", "ann@example.com", False),
        ("Thaddeus.Okonjo@me.com", "thaddeus.okonjo@icloud.com", "thaddeus.okonjo@me.com", False),  # Apple's aliases
        ("ada@protonmail.com", "ada@proton.me", "ada@protonmail.com", False),
        # an international domain in Punycode, as the mail system writes it, is the one typed in Unicode
        ("hans@xn--mller-bau-q9a.de", "hans@müller-bau.de", "hans@xn--mller-bau-q9a.de", False),
        ("hans@Müller-Bau.de", "hans@müller-bau.de", "hans@müller-bau.de", False),
        ("hans@xn--a.de", "hans@xn--a.de", "hans@xn--a.de", False),  # not Punycode: as it is
        ("İSMAIL@X.EXAMPLE", "ismail@x.example", "ismail@x.example", False),  # Turkish İ in capitals
        ("tamsin.saavedra@mail.example\u200b", "tamsin.saavedra@mail.example", "tamsin.saavedra@mail.example",
         False),  # a zero-width space pasted in
    ],
)
def test_email_normalization(raw, value, display, shared):
    assert EmailParser(NormalizeConfig())(raw) == ([(value, display, shared)], [])


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(st.one_of(
        st.text(alphabet="aB0.+_-@ ", min_size=1, max_size=14),
        st.builds("{}@{}.{}".format, st.text(alphabet="aZ9.+_-", min_size=1, max_size=8),
                  st.text(alphabet="aZ9.-_", min_size=1, max_size=8), st.sampled_from(["com", "fr", "c", "c0"])),
        st.sampled_from(["Jean.Dupont+news@GMail.com", " info+x@Acme.example ", "N/A", "test@x.com", "a@b.co; c@d.co",
                         "j.d+1@googlemail.com", "Bob <bob@x.com>", "mailto:ann@x.org", "zoë@exemple.fr", "a..b@x.com",
                         "a" * 65 + "@x.com", "a@" + "b" * 63 + ".com", "a@" + "b." * 130 + "com",
                         "+news@gmail.com", ".+x@googlemail.com", "Ann@Mac.com", "hans@xn--mller-bau-q9a.de",
                         "x@XN--a.de", "ann+crm@outlook.com", "+news@outlook.com", "a.+x@x.com",
                         "mailto:j@x.com?subject=Hi", "&lt;j@x.com&gt;", "tom&amp;jo@x.com", "tom&jo@x.com",
                         "%20j@x.com", "j@x.com%20", "a@x.com;%20b@y.com", "j@x\u3002com", "j@x\uff61com",
                         "j@x\uff0ecom", "j@x. com", "a%20b@x.com",
                         "%20%20j@x.com", "Иванj@x.com", "mail:j@x.com",
                         "o'b@x.com", "j@x.com!", "«j@x.com»",
                         "j@x.com/k@y.com"]),
    ), min_size=1, max_size=10, unique=True),
    canonical=st.sampled_from([(), ("gmail.com", "googlemail.com")]),
)
def test_emails_read_together_equal_emails_read_one_by_one(cells, canonical):
    parser = EmailParser(NormalizeConfig(canonical_email_domains=canonical))
    assert per_value(parser.many(cells), len(cells)) == [parser(cell) for cell in cells]


def test_plain_addresses_are_read_by_the_kernels(monkeypatch):
    parser = EmailParser(NormalizeConfig())
    cells = ["Jean.Dupont+news@GMail.com", " INFO@acme-widgets.example", "j_d-2@mail.co.uk"]
    expected = [parser(cell) for cell in cells]
    monkeypatch.setattr(EmailParser, "__call__", None)  # one by one would fail
    assert per_value(parser.many(cells), len(cells)) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("john.smith@", "not a valid email address"),
        ("john..smith@x.com", "not a valid email address"),
        ("john@localhost", "not a valid email address"),
        ("john smith at gmail", "no @: not an email address"),
        ("n/a", "placeholder, not an address"),
        ("None", "placeholder, not an address"),
        ("noemail@gmail.com", "placeholder address"),
        ("no@email.com", "placeholder address"),
        ("email@email.com", "placeholder address"),
        ("noreply@example.org", "placeholder address"),
        ("+news@gmail.com", "no name before the + tag"),  # not the same address as "+shop@gmail.com"
        # a space as a link encodes it, between two letters: no separator, the address is not b@example.com
        ("a%20b@example.com", "a space (%20) inside the address"),
        # and one typed: the address is not doe@example.com, another person's
        ("j doe@example.com", "a space inside the address"),
        ("j. doe@example.com", "a space inside the address"),
    ],
)
def test_invalid_emails_are_flagged(raw, reason):
    ok, bad = EmailParser(NormalizeConfig())(raw)
    assert ok == [] and [r for _, r in bad] == [reason]


def test_a_part_beside_an_address_that_holds_none_is_a_problem():
    # it was read past: a merge dropped it from a merged-away record's cell, which held nothing else to keep
    parser = EmailParser(NormalizeConfig())
    assert parser("ann@example.com; ann at example dot net") == (
        [("ann@example.com", "ann@example.com", False)], [("ann at example dot net", "no @: not an email address")])
    # a label, or a name before its address in brackets, is none
    for cell in ("ann@example.com (work)", "Quill, Ann <ann@example.com>", '"Quill, Ann" <ann@example.com>, bo@x.org'):
        assert parser(cell)[1] == []


def test_an_address_with_a_quoted_name_before_the_at_is_named_whole():
    # the token began after the quote: the profile named '@example.com', which the file does not hold
    assert EmailParser(NormalizeConfig())('"john doe"@example.com') == (
        [], [('"john doe"@example.com', "not a valid email address")])
    ok, _ = EmailParser(NormalizeConfig())('"Doe, John" <jd@example.com>, "jd2@example.org"')
    assert [v for v, _, _ in ok] == ["jd@example.com", "jd2@example.org"]  # a quoted display name is no address


def test_an_address_typed_in_full_width_letters_is_the_same_address(tmp_path):
    # a Japanese or Chinese keyboard types the @ and the letters full width: the profile said "no @"
    parser = EmailParser(NormalizeConfig())
    for typed in ("hiroko.tanabe\uff20example.jp", "\uff48iroko.tanabe@\uff45xample\uff0ejp",
                  "hiroko.tanabe@example\u3002jp", "hiroko\uff61tanabe@example\uff61jp"):  # its full stop
        assert parser(typed) == ([("hiroko.tanabe@example.jp", "hiroko.tanabe@example.jp", False)], []), typed
    path = tmp_path / "t.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Hiroko,Tanabe,hiroko.tanabe\uff20example.jp\n"
                    "2,Hiroko,Tanabe,hiroko.tanabe@example.jp\n", encoding="utf-8")
    result = run(path, progress=False)
    assert "same email hiroko.tanabe" in result.reasons(result.pairs)[0]


def test_a_plus_tag_at_any_provider_is_the_same_mailbox(tmp_path):
    # Outlook, Fastmail, iCloud and most company servers deliver ann+crm@ to ann@, as Gmail does: the pair
    # was told "different emails", against it; dots still count outside the canonical domains
    parser = EmailParser(NormalizeConfig())
    assert parser("Tamsin.Okafor+CRM@outlook.com") == (
        [("tamsin.okafor@outlook.com", "tamsin.okafor+crm@outlook.com", False)], [])
    assert parser("lena.park+news@fastmail.com")[0][0][0] == parser("lena.park@fastmail.com")[0][0][0]
    assert parser("lenapark@fastmail.com")[0][0][0] != parser("lena.park@fastmail.com")[0][0][0]
    assert parser("+news@outlook.com") == ([], [("+news@outlook.com", "no name before the + tag")])
    assert parser("sales+eu@acme.example")[0][0][2]  # a role address, tagged
    path = tmp_path / "t.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Tamsin,Okafor,tamsin.okafor+crm@outlook.com\n"
                    "2,Tamsin,Okafor,tamsin.okafor@outlook.com\n")
    result = run(path, progress=False)
    assert "same email tamsin.okafor+crm@outlook.com" in result.reasons(result.pairs)[0]
    assert result.pairs["status"].tolist() == ["auto"]


def test_two_emails_in_one_cell():
    ok, _ = EmailParser(NormalizeConfig())("a@x.com; B@y.com")
    assert [v for v, _, _ in ok] == ["a@x.com", "b@y.com"]
    # a /, |, & or 、 right after a domain, where no domain holds one: both addresses, not an invalid one
    for cell in ("ann@example.com/bob@example.org", "ann@example.com|bob@example.org",
                 "ann@example.com&bob@example.org", "ann@example.com、bob@example.org"):
        assert EmailParser(NormalizeConfig())(cell) == ([("ann@example.com", "ann@example.com", False),
                                                         ("bob@example.org", "bob@example.org", False)], []), cell
    ok, _ = EmailParser(NormalizeConfig())("tom&jo@x.org/a|b@y.org")  # before an @, an address's own
    assert [v for v, _, _ in ok] == ["tom&jo@x.org", "a|b@y.org"]


def test_canonical_domains_are_configurable():
    parser = EmailParser(NormalizeConfig(canonical_email_domains=()))
    assert parser("Jean.Dupont+news@gmail.com")[0][0][0] == "jean.dupont@gmail.com"  # a +tag never counts


def test_external_ids_are_trimmed_and_placeholders_refused():
    assert parse_external_id(" s00421 ") == ([("S00421", "s00421")], [])
    assert parse_external_id("N/A") == ([], [("N/A", "placeholder, not an ID")])
    for typed in ("#N/A", "#VALUE!", "nan", "NaN"):  # a spreadsheet's failed formula, pandas' missing value
        assert parse_external_id(typed) == ([], [(typed, "placeholder, not an ID")])


def test_a_numeric_id_is_the_same_without_the_leading_zeros_a_spreadsheet_drops():
    assert parse_external_id("00421")[0][0][0] == parse_external_id("421")[0][0][0] == parse_external_id("421.0")[0][0][0]
    assert parse_external_id("000") == ([], [("000", "placeholder, not an ID")])
    assert parse_external_id("1.23457E+11")[1][0][1].startswith("digits lost to scientific notation")
    assert parse_external_id("S-00421")[0][0][0] != parse_external_id("S-421")[0][0][0]  # a code keeps its zeros


def test_two_records_of_one_id_with_and_without_its_leading_zeros_merge(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Last Name,Student ID\n1,Ann,Lee,00421\n2,Ann,Lee,421\n")
    result = run(path, progress=False)
    assert result.pairs["external_id"].tolist() == [1]  # the same ID: not two IDs that keep them apart
    assert merge(result.contacts, np.array([0, 0])).groups["status"].tolist() == ["merge"]


def test_an_id_with_a_spreadsheets_mark_of_text_is_the_same_id(tmp_path):
    # '00421: the apostrophe a spreadsheet or a CRM puts first to keep the zeros (or to stop a formula)
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Student ID\n1,Ann,Lee,ann@example.com,'00421\n"
                    "2,Ann,Lee,ann@example.com,00421\n3,Bo,Park,bo@example.org,'S-0042\n"
                    "4,Bo,Park,bo@example.org,s-0042\n")
    result = run(path, progress=False)
    assert result.pairs["external_id"].tolist() == [1, 1]  # the same IDs: not two IDs that keep them apart
    plan = merge(result.contacts, np.array([0, 0, 2, 2]))
    assert plan.groups["status"].tolist() == ["merge", "merge"]
    assert plan.cleaned()["Student ID"].tolist() == ["'00421", "'S-0042"]  # as the survivor typed it: no update
    assert parse_external_id("'") == ([], [("'", "placeholder, not an ID")])


def test_an_id_in_excels_formula_of_a_text_is_the_same_id(tmp_path):
    # ="00421": how exports for Excel keep the zeros (a CSV cell "=""00421""")
    path = tmp_path / "ids.csv"
    path.write_text('Contact ID,First Name,Last Name,Email,Student ID\n1,Ann,Lee,ann@example.com,"=""00421"""\n'
                    '2,Ann,Lee,ann@example.com,00421\n3,Bo,Park,bo@example.org,"=""00422"""\n')
    result = run(path, progress=False)
    assert result.pairs[["a", "b", "external_id"]].values.tolist() == [[0, 1, 1]]  # row 2: another ID
    plan = merge(result.contacts, np.array([0, 0, 2]))
    assert plan.cleaned()["Student ID"].tolist() == ['="00421"', '="00422"']  # as the survivor typed it: no update
    assert parse_external_id('=""') == ([], [('=""', "placeholder, not an ID")])


def test_a_whole_name_in_one_cell_is_split_when_the_file_knows_its_last_name(tmp_path):
    # a form with one name field leaves the whole name in the first-name cell (or the last-name one)
    path = tmp_path / "names.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Eleanor Harrison,,eh@x.com\n2,Eleanor,Harrison,e@y.org\n"
                    "3,Mary Kate,,mk@z.com\n4,Bo,Ray,bo@r.com\n5,,Ann Lee,al@x.com\n6,Ann,Lee,ann.lee@q.com\n")
    result = run(path, progress=False)
    names = result.normalized.names
    assert names["first"].tolist() == ["eleanor", "eleanor", "mary kate", "bo", "ann", "ann"]  # Kate: no last name here
    assert names["last"].tolist() == ["harrison", "harrison", "", "ray", "lee", "lee"]
    pairs = result.pairs.set_index(["a", "b"])
    assert {(0, 1), (4, 5)} <= set(pairs.index)  # candidates on their names alone
    reasons = dict(zip(zip(result.pairs["a"], result.pairs["b"]), result.reasons(result.pairs)))
    assert reasons[(0, 1)].startswith("same first name Eleanor (") and "same last name Harrison (" in reasons[(0, 1)]
    assert "same last name Lee (" in reasons[(4, 5)]


def test_salesforce_ids_that_differ_by_case_alone_are_two_ids(tmp_path):
    # 15-character Salesforce IDs are case-sensitive (IDs 26 apart differ in the case of their last
    # letter); the 18-character ID is the 15-character one, even upper-cased by a spreadsheet
    path = tmp_path / "ids.csv"
    path.write_text("Contact ID,First Name,Last Name,External ID\n"
                    "1,Ann,Lee,001E000001LaoNk\n2,Ann,Lee,001E000001LaoNK\n"
                    "3,Bo,Park,001E000001LAONKIAJ\n4,Bo,Park,001E000001LaoNk\n")
    result = run(path, progress=False)
    same = dict(zip(zip(result.pairs["a"], result.pairs["b"]), result.pairs["external_id"]))
    assert same[(0, 1)] == 0 and same[(2, 3)] == 1  # two IDs; one ID written twice
    assert same[(0, 2)] == 1 and (0, 3) not in same  # the first row's ID is row 3's (row 4: its exact copy)
    assert merge(result.contacts, np.array([0, 0, 2, 2])).groups["status"].tolist() == ["stopped", "merge"]
    assert parse_external_id("s-0012")[0][0][0] == parse_external_id("S-0012")[0][0][0]  # one case: any case


@given(cells=st.lists(st.one_of(st.text(alphabet="aB0 \t\u00a0/.1E+", max_size=8),
                                st.sampled_from(["N/A", " n/a ", "0", "None", "s00421", "ß1", "\u00a0x  y ", "00421",
                                                 "421.0", "1.2E+11", "000", "'00421", "'", "'N/A", "'s-1", '="01"',
                                                 '=""'])),
                      max_size=10, unique=True))
def test_external_ids_read_together_equal_ids_read_one_by_one(cells):
    assert per_value(parse_external_ids(cells), len(cells)) == [parse_external_id(cell) for cell in cells]


@pytest.mark.parametrize(
    "raw, folded",
    [("  JOHN ", "john"), ("François", "francois"), ("O’Brien-Lefèvre", "obrien lefevre"), ("Zoë  Müller", "zoe muller"),
     ("Søren Łukasz", "soren lukasz"), ("Mr. John", "john"), ("Smith Jr.", "smith"), ("Mme Hélène", "helene"),
     ("Dr", "dr"), ("Frau Anna", "anna"), ("Herr Dr. Jan", "jan"), ("Dhr. Jan", "jan"), ("Sra. María", "maria"),
     ("Signora Anna", "anna"), ("Sig Hansen", "sig hansen"), ("Pan Wei", "pan wei"), ("Don Johnson", "don johnson"),
     ("Dr. med. Hans", "hans"), ("Dr. rer. nat. Jan Weber", "jan weber"), ("Dipl.-Ing. Karl", "karl"),
     ("Dr. Phil Jones", "phil jones"), ("Dr. Nat", "nat")],
)
def test_name_folding(raw, folded):
    assert fold_name(raw) == folded


def test_full_name_split():
    assert split_full_name("Dr. Jean de la Fontaine Jr") == ("jean", "de la fontaine")
    assert split_full_name("Smith, Bob") == ("bob", "smith")
    assert split_full_name("HÉLÈNE  DUBOIS") == ("helene", "dubois")


def test_a_full_name_whose_last_name_comes_first_in_capitals_is_read_so():
    # as French, Spanish and Russian forms write it; initials and a name all in capitals are read as before
    assert split_full_name("DUPONT Jean-Pierre") == ("jean pierre", "dupont")
    assert split_full_name("Mme GARCÍA LÓPEZ María José") == ("maria", "garcia lopez")
    assert split_full_name("ИВАНОВ Иван") == ("иван", "иванов")
    assert split_full_name("SMITH Robert Jr.") == ("robert", "smith")
    assert split_full_name("JP Dupont") == ("jp", "dupont")
    assert split_full_name("JOHN SMITH") == ("john", "smith")


def test_a_russian_full_name_with_a_patronymic_is_read_in_either_order():
    # ФИО (last, first, patronymic) as Russian forms ask, or first, patronymic, last: the patronymic is no last name
    assert split_full_name("Иванова Мария Петровна") == ("мария", "иванова")
    assert split_full_name("Мария Петровна Иванова") == ("мария", "иванова")
    assert split_full_name("Мария Петровна") == ("мария", "")
    assert split_full_name("Роман Абрамович") == ("роман", "абрамович")  # of two words, a man's is a last name
    # unless a common first name's patronymic, as a name and a patronymic are written to address a man
    assert split_full_name("Иван Петрович") == ("иван", "") and patronymic("Иван Петрович") == "петрович"
    assert split_full_name("Пётр Семёнович") == ("петр", "") and split_full_name("Олег Юрьевич") == ("олег", "")
    assert split_full_name("Петров Сергей Ильич") == ("сергеи", "петров")
    assert split_full_name("Мария Иванова") == ("мария", "иванова")  # no patronymic: as any name
    assert split_full_name("John Paul Petrovich") == ("john", "petrovich")  # Latin letters: a last name


def test_nicknames():
    assert {"robert", "bob"} <= set(nickname_group("bob"))
    assert nickname_equivalent("bob", "robert") and nickname_equivalent("robert", "bob")
    assert nickname_equivalent("liz", "elizabeth") and nickname_equivalent("peggy", "margaret")
    assert not nickname_equivalent("bob", "elizabeth")
    assert not nickname_equivalent("", "")
    assert fold("Françoise") != fold("François")


def test_identifier_and_name_tables(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Contact ID,Full Name,Email,Mobile Phone,Student ID\n"
        "1,\"Smith, Bob\",BOB@x.com,(212) 555-0142,s1\n"
        "2,Robert Smith,,not a phone,\n"
    )
    result = normalize(load(path))
    ids = result.identifiers
    assert list(ids.columns) == IDENTIFIER_COLUMNS
    assert ids[["source_row", "kind", "column", "value"]].astype(str).values.tolist() == [
        ["0", "email", "Email", "bob@x.com"],
        ["0", "phone", "Mobile Phone", "+12125550142"],
        ["0", "external_id", "Student ID", "S1"],
    ]
    assert ids["phone_kind"].tolist() == ["", "mobile", ""]
    names = result.names
    assert names[["first", "last", "full"]].values.tolist() == [["bob", "smith", "smith bob"], ["robert", "smith", "robert smith"]]
    assert "robert" in names.loc[0, "first_group"]
    assert result.problems[["source_row", "column", "raw", "reason"]].values.tolist() == [
        [1, "Mobile Phone", "not a phone", "not a phone number"]
    ]


def test_empty_export_normalizes_to_empty_tables(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("First Name,Email,Phone\n")
    result = normalize(load(path))
    assert len(result.identifiers) == 0 and list(result.identifiers.columns) == IDENTIFIER_COLUMNS
    path.write_text("First Name,Email,Phone\nAnn,ann@x.org,(212) 555-0142\n")
    filled = normalize(load(path))
    path.write_text("First Name,Last Name\nAnn,Lee\n")  # no identifier column at all
    for empty in (result, normalize(load(path))):
        for table in ("identifiers", "problems", "phones"):
            assert getattr(empty, table).dtypes.equals(getattr(filled, table).dtypes)
    assert len(result.names) == 0 and len(result.problems) == 0


def _example_numbers() -> list[str]:
    """An example number of every type of every region phonenumbers knows, in E.164."""
    numbers = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in range(12):  # PhoneNumberType: FIXED_LINE … UAN, VOICEMAIL
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.add(phonenumbers.format_number(example, E164))
    return sorted(numbers)


def test_phones_display_as_phonenumbers_formats_them():
    numbers = _example_numbers()
    assert len(numbers) > 900
    expected = [phonenumbers.format_number(phonenumbers.parse(n), PhoneNumberFormat.INTERNATIONAL) for n in numbers]
    assert [display("phone", number) for number in numbers] == expected
    kinds = ["phone", "email"] * len(numbers)
    values = [value for number in numbers for value in (number, "a@b.co")]  # other kinds show as they are
    assert display_all(kinds, values) == [value for number in expected for value in (number, "a@b.co")]




def test_an_address_with_a_space_typed_inside_is_not_the_address_after_it(tmp_path):
    # "j doe@example.com" was read as doe@example.com, Jane Roe's address: the two were "same email"
    path = tmp_path / "t.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\nC001,John,Doe,j doe@example.com\n"
                    "C002,Jane,Roe,doe@example.com\n", encoding="utf-8")
    contacts = load(path)
    problems = normalize(contacts).problems
    assert problems[["source_row", "raw", "reason"]].values.tolist() == [
        [0, "j doe@example.com", "a space inside the address"]]


def test_a_cell_of_a_json_list_is_read_as_each_of_its_items(tmp_path):
    # an export flattened from Gladly's customer API writes a customer's emails and phones as JSON lists of objects,
    # a simpler tool as a list of texts: each item is read (an object's "original", else "normalized"…), in order,
    # not the cell as one unusable number nor its keys as addresses that are none
    path = tmp_path / "gladly.csv"
    ann = {"original": "Ann.Lee@Example.com", "normalized": "ann.lee@example.com", "primary": True}
    rows = [["C1", json.dumps([ann]),
             json.dumps([{"original": "+1 617-555-0101", "normalized": "+16175550101", "type": "MOBILE"},
                         {"normalized": "+16175550199", "type": "WORK"}, {"original": "555-01", "type": "HOME"}])],
            ["C2", '["dana.fox@example.com", "dana@example.org"]', '["(415) 555-0110"]'],
            ["C3", "eli.park@example.com, [work] eli@example.net", "212-555-0142"]]  # not JSON: read as before
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["Customer ID", "Emails", "Phones"], *rows])
    result = normalize(load(path))
    ids = result.identifiers[result.identifiers["kind"] != "external_id"]  # the Customer ID
    assert ids[["source_row", "column", "value", "raw"]].values.tolist() == [
        [0, "Emails", "ann.lee@example.com", "ann.lee@example.com"],
        [0, "Phones", "+16175550101", "+1 617-555-0101"], [0, "Phones", "+16175550199", "+16175550199"],
        [1, "Emails", "dana.fox@example.com", "dana.fox@example.com"],
        [1, "Emails", "dana@example.org", "dana@example.org"], [1, "Phones", "+14155550110", "(415) 555-0110"],
        [2, "Emails", "eli.park@example.com", "eli.park@example.com"],
        [2, "Emails", "eli@example.net", "eli@example.net"], [2, "Phones", "+12125550142", "212-555-0142"]]
    assert result.problems[["source_row", "column", "raw", "reason"]].values.tolist() == [
        [0, "Phones", "555-01", "too short"]]
