"""Normalize identifiers (phones, emails, external IDs) and names.

The result is the long identifier table of the design: one row per
(source row, identifier) with its kind and normalized value — E.164 phones,
canonical emails, trimmed external IDs — plus one row of name keys per source
row, and every value that could not be used, with the reason, for the profile.

Each distinct raw value is normalized once: exports repeat values, and phone
parsing is the slow part.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple
from functools import lru_cache, reduce

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult
from tqdm.auto import tqdm

from ._perf import arrow_codes, distinct_pairs, part_places, paused_gc, read_only_once, run_lengths, run_starts
from .config import Config, NormalizeConfig
from .fieldmap import fold_header, phone_kind
from .load import Contacts, check_source
from .names import fold, fold_name, nickname_group, split_full_name

IDENTIFIER_KINDS = ["email", "phone", "external_id"]
IDENTIFIER_COLUMNS = ["source_row", "kind", "column", "value", "raw", "phone_kind", "shared"]
PROBLEM_COLUMNS = ["source_row", "kind", "column", "raw", "reason"]
PHONE_COLUMNS = ["source_row", "column", "phone_kind", "value", "national"]
NAME_COLUMNS = ["first", "last", "first_group", "full", "company", "address", "postcode", "city", "birth_date"]

#: Show a progress bar when at least this many distinct phone values must be parsed.
PROGRESS_MIN_VALUES = 20_000
#: The emails and phones of one record that matching compares and its reasons cite: the first ones
#: of a cell of more, a mailing list's or a list of numbers pasted in, whose every value would meet
#: every value of another record (6,000 addresses in one cell took 8 GB).
EMAILS_COMPARED = 20


@dataclass(frozen=True)
class Normalized:
    """What `normalize` returns.

    identifiers: ``source_row, kind (email/phone/external_id), column, value``
        (the normalized key that matching compares), ``raw`` (the text it was
        typed as; `display` formats a value for people), ``phone_kind`` (mobile/home/work/fax/other for
        phones) and ``shared`` (a role address such as ``info@``).
    names: indexed by ``source_row``: folded ``first``, ``last``,
        ``first_group`` (the first name with its nicknames and formal names,
        a sorted tuple), ``full`` name, and the other fields matching compares,
        folded: ``company``, ``address`` (street lines joined, common words
        abbreviated), ``postcode``, ``city``, ``birth_date`` (``YYYYMMDD``; blank when
        it does not read as a whole date).
    problems: values that were typed but cannot be used, with the reason.
    phones: each record's phone numbers with digits worth comparing (its first `EMAILS_COMPARED`):
        ``value`` (E.164, ``""`` when unusable, such as a local number without area code) and
        ``national`` (the number without country code or trunk prefix).
    """

    identifiers: pd.DataFrame
    names: pd.DataFrame
    problems: pd.DataFrame
    phones: pd.DataFrame
    _shared: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see the methods below

    def coded(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The identifiers of one kind as ``(source_row, codes, distinct values)``, in the table's
        order (by row): worked out once (the candidates and the reasons both ask), read-only."""
        def make() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            ids = self.identifiers
            of_kind = (ids["kind"] == kind).to_numpy()
            codes, values = pd.factorize(ids["value"].to_numpy()[of_kind])
            return (ids["source_row"].to_numpy()[of_kind].astype(np.int32),  # kept: half the memory
                    codes.astype(np.int32), np.asarray(values, dtype=object))

        return self.once(("coded", kind), make)

    def once(self, key: Hashable, make: Callable[[], np.ndarray | tuple[np.ndarray, ...]]):
        """``make()`` of these tables (an array, or a tuple of them), worked out once per ``key`` (the methods
        below, and other modules' derived arrays); read-only."""
        return read_only_once(self._shared, key, make)

    def column_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """The identifiers' ``column`` as integer codes by row and the columns they stand for; read-only."""
        return self.once("columns", lambda: pd.factorize(self.identifiers["column"].to_numpy(dtype=object)))

    def first_of_kind(self, kind: str) -> np.ndarray:
        """The positions in `coded` of each record's first `EMAILS_COMPARED` identifiers of one kind:
        worked out once (each piece of pairs.csv asks); read-only."""
        return self.once(("first", kind), lambda: np.flatnonzero(first_of_record(self.coded(kind)[0])))

    def typed(self, kind: str) -> np.ndarray:
        """The identifiers of one kind as typed (``raw``), in the order of `coded`; read-only."""
        return self.of_kind(kind, "raw")

    def of_kind(self, kind: str, column: str) -> np.ndarray:
        """``column`` of the identifiers of one kind (``raw``; ``phone_kind`` of the phones), in the
        order of `coded`: worked out once (the reasons of each piece of pairs.csv ask); read-only."""
        ids = self.identifiers
        return self.once(("of kind", kind, column),
                         lambda: ids[column].to_numpy(dtype=object)[(ids["kind"] == kind).to_numpy()])

    def value_codes(self) -> np.ndarray:
        """One integer per distinct (kind, value) of the identifiers, in the table's order, from the
        codes of `coded`; read-only."""
        def make() -> np.ndarray:
            kinds = self.identifiers["kind"]
            codes, start = np.zeros(len(kinds), dtype=np.int64), 0
            for kind in kinds.cat.categories:
                _, of_kind, values = self.coded(kind)
                codes[(kinds == kind).to_numpy()] = start + of_kind
                start += len(values)
            return codes

        return self.once("values", make)

    def name_codes(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        """A column of `names` as `pd.factorize` codes it (in 32 bits): the position of each record's value
        among the distinct values, and those values. Worked out once (the candidates and the comparisons
        both ask); read-only."""
        return self.once(("names", field), lambda: _coded(self.names[field]))

    def personal_emails(self) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """The emails of one person (not role addresses such as info@): their ``source_row``, and
        their ``value`` and ``local`` part (before the @) as `codes_of` them, and their ``domain``
        (after the @) as `pd.factorize` codes it, in the table's order. Worked out once (the candidates
        and the email comparison both ask)."""
        if "emails" not in self._shared:
            rows, codes, values = self.coded("email")
            personal = self._personal_email()
            # split and coded by Arrow's kernels: splitting each address in Python and hashing the new strings
            # took 2.8 times as long (the 713,551 distinct addresses at 1,000,000 rows)
            local, domain = _split_once(pa.array(values, pa.large_string()), "@")
            local, local_values = codes_of(local)
            domain, domains = arrow_codes(domain)
            self._shared["emails"] = rows[personal], {"value": (codes[personal], values),
                                                      "local": (local[codes[personal]], local_values),
                                                      "domain": (domain[codes[personal]].astype(np.intp),
                                                                 domains.to_numpy(zero_copy_only=False))}
        return self._shared["emails"]

    def personal_emails_typed(self) -> np.ndarray:
        """The emails of `personal_emails` as typed (``raw``), in its order: worked out once (the
        reasons of each piece of pairs.csv ask); read-only."""
        return self.once("typed emails", lambda: self.typed("email")[self._personal_email()])

    def _personal_email(self) -> np.ndarray:
        """Whether each email of the table (in the order of `coded`) is a person's own, not a role
        address, and among the first `EMAILS_COMPARED` of its record (a cell of hundreds is a
        mailing list: every two records' addresses are compared with each other). Worked out once
        (`personal_emails` and `personal_emails_typed` both ask); read-only."""
        def make() -> np.ndarray:
            ids = self.identifiers
            rows = self.coded("email")[0]
            personal = ~ids["shared"].to_numpy()[(ids["kind"] == "email").to_numpy()]
            personal[np.flatnonzero(personal)[~first_of_record(rows[personal])]] = False
            return personal

        return self.once("personal emails", make)

    def phone_codes(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The phones table's ``value``, ``national`` and ``last7`` (the national number's last
        seven digits) as `codes_of` them, in the table's order. Worked out once (the candidates
        and the phone comparison both ask)."""
        if "phones" not in self._shared:
            found = {"value": self._phone_values(),
                     "national": codes_of(self.phones["national"].to_numpy(dtype=object))}
            codes, national = found["national"]
            last7, uniques = codes_of(np.array([v[-7:] if len(v) >= 7 else "" for v in national.tolist()], dtype=object))
            found["last7"] = (np.append(last7, -1)[codes], uniques)  # a blank national number: a blank end
            self._shared["phones"] = found
        return self._shared["phones"]

    def _phone_values(self) -> tuple[np.ndarray, np.ndarray]:
        """The phones table's ``value`` as `codes_of` them. When its numbers (not its blanks, the unusable
        ones) are those of `coded`, in its order (unless a record holds more than `EMAILS_COMPARED`), they
        are coded from the codes of `coded`: integers, quicker to hash than a million texts a second time
        (1,476,407 phones at 1,000,000 rows)."""
        value = self.phones["value"].to_numpy(dtype=object)
        _, codes, values = self.coded("phone")
        filled = value != ""
        if np.count_nonzero(filled) != len(codes) or not (value[filled] == values[codes]).all():
            return codes_of(value)
        at = np.full(len(value), len(values))  # a blank after the numbers
        at[filled] = codes
        found, first = pd.factorize(at)
        return np.where(filled, found, -1).astype(np.int32), np.append(values, "")[first]

    def better_region(self, region: str) -> RegionHint | None:
        """A region in which the phones typed without a country code, that are not valid numbers
        in ``region`` (the default one), mostly are, when they outnumber those valid in ``region``:
        a French export read as American loses its phones. Worked out once (the profile and the
        run's summary both ask)."""
        if ("region", region) not in self._shared:
            self._shared["region", region] = self._better_region(region)
        return self._shared["region", region]

    def _better_region(self, region: str) -> RegionHint | None:
        problems = self.problems
        national = problems["raw"].to_numpy()[(problems["kind"] == "phone").to_numpy()
                                              & problems["reason"].isin(_WRONG_REGION).to_numpy()]
        national = national[~_is_international(national)]
        if not len(national):
            return None
        typed = pd.unique(national)
        sample = typed[np.linspace(0, len(typed) - 1, min(len(typed), 100)).astype(int)]
        phones = self.identifiers[(self.identifiers["kind"] == "phone").to_numpy()]
        common = pd.Series([phonenumbers.region_code_for_number(phonenumbers.parse(v))
                            for v in pd.unique(phones["value"].to_numpy()[:10_000])[:1000]], dtype=object)
        tried = [r for r in dict.fromkeys([*common.value_counts().index[:3], *_COMMON_REGIONS]) if r and r != region]
        valid = {other: sum(bool(ok) and not bad for ok, bad in (parse_phone(raw, other) for raw in sample))
                 for other in tried}
        best = max(valid, key=valid.__getitem__, default=None)
        if best is None or valid[best] * 2 <= len(sample):
            return None
        fixed = round(len(national) * valid[best] / len(sample))
        valid_here = int((~_is_international(phones["raw"].to_numpy())).sum())  # typed without a country code
        return RegionHint(best, len(national), fixed) if fixed > valid_here else None


def _is_international(typed: np.ndarray) -> np.ndarray:
    """Whether each phone was typed with its country code (``+33…``, ``0033…``)."""
    return np.asarray(pc.match_substring_regex(pa.array(typed, pa.string()), r"^\s*(?:\+|00)"), dtype=bool)


class RegionHint(NamedTuple):
    """`Normalized.better_region`: the region, the phones not valid in the default one, and about
    how many of them are valid in this one."""

    region: str
    unusable: int
    valid: int

    def text(self, default: str) -> str:
        if self.unusable == 1:
            found = f"a phone typed without a country code is not a valid {default} number but is a valid {self.region} one"
        else:
            about = "" if self.valid == self.unusable else "about "
            found = (f"{self.unusable:,} phones typed without a country code are not valid {default} numbers, "
                     f"and {about}{self.valid:,} of them are valid {self.region} numbers")
        return f"{found}: if most contacts are in {self.region}, run with --region {self.region} ([normalize] default_region)"


#: Reasons a number typed for another country gets in the default one
_WRONG_REGION = frozenset(["not a valid number for its country", "too long", "too short", "wrong number of digits"])
#: Regions tried for `Normalized.better_region`, with the file's most common international ones
_COMMON_REGIONS = ("US", "CA", "GB", "IE", "FR", "BE", "CH", "DE", "AT", "NL", "ES", "IT", "PT", "RU", "AU", "NZ",
                   "IN", "BR", "MX", "ZA")


def codes_of(values: np.ndarray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of texts (``-1`` for blank) and the distinct texts.

    >>> [x.tolist() for x in codes_of(np.array(["b", "", "a", "b"], dtype=object))]
    [[0, -1, 2, 0], ['b', '', 'a']]
    >>> [x.tolist() for x in codes_of(pa.array(["b", "", "a", "b"]))]
    [[0, -1, 2, 0], ['b', '', 'a']]
    """
    codes, uniques = arrow_codes(values) if isinstance(values, pa.Array) else pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    blank = np.flatnonzero(uniques == "")
    if len(blank):
        codes = np.where(codes == blank[0], -1, codes)
    return codes.astype(np.int32), uniques  # int32: the codes of millions of values are kept for a whole run


def normalize(contacts: Contacts, config: Config | None = None, *, progress: bool | None = None) -> Normalized:
    """Normalize every mapped identifier and name of ``contacts``.

    ``progress``: ``None`` shows a bar only for long work, ``True`` always,
    ``False`` never.
    """
    check_source(contacts, "normalize", path=False, contacts=True)
    with paused_gc():
        return _normalize(contacts, (config or Config()).normalize, progress)


def _normalize(contacts: Contacts, settings: NormalizeConfig, progress: bool | None) -> Normalized:
    fm = contacts.field_map
    regions = _row_regions(contacts.frame, fm.country, settings.default_region)
    # The phones in a second thread: Arrow's kernels, which do much of their work, let the
    # emails and names go on in this one meanwhile (a quarter less time at 1,000,000 rows).
    with ThreadPoolExecutor(max_workers=1) as thread:
        phoned = thread.submit(_phones, contacts, regions, progress)
        found: list[dict] = []  # parts of the tables, for `_table`
        problems: list[dict] = []
        email_parser = EmailParser(settings)
        for column in fm.emails:
            ok, bad = _apply_unique(_long(contacts, column), _reading_json_lists(email_parser.many), progress,
                                    "emails", ("value", "raw", "shared"))
            found.append(ok | {"kind": "email", "column": column, "phone_kind": "",
                               "shared": ok["shared"].astype(bool)})
            problems.append(bad | {"kind": "email", "column": column})
        for column in fm.external_ids:
            ok, bad = _apply_unique(_long(contacts, column), parse_external_ids, progress, "IDs")
            found.append(ok | {"kind": "external_id", "column": column, "phone_kind": "", "shared": False})
            problems.append(bad | {"kind": "external_id", "column": column})
        names, name_codes = _name_keys(contacts)
        phone_found, phone_problems, phones = phoned.result()
    found, problems = phone_found + found, phone_problems + problems
    sorted_by: dict[str, Coded] = {}
    identifiers = _table(found, IDENTIFIER_COLUMNS, ["source_row", "kind", "column"], {"kind": IDENTIFIER_KINDS},
                         sorted_by)
    identifiers["shared"] = identifiers["shared"].astype(bool, copy=False)  # objects without an email column
    problems_frame = _table(problems, PROBLEM_COLUMNS, ["source_row", "column"])
    phone_numbers = _table(phones, PHONE_COLUMNS, ["source_row", "column"])
    if not (first := first_of_record(phone_numbers["source_row"].to_numpy())).all():
        phone_numbers = phone_numbers[first].reset_index(drop=True)
    normalized = Normalized(identifiers, names, problems_frame, phone_numbers)
    for key, coded in name_codes.items():  # under the key `Normalized.name_codes` keeps them by: not made again
        normalized.once(("names", key), lambda coded=coded: coded)
    if "column" in sorted_by:  # as `_table` sorted by them: not factorized again (3,099,755 texts at 1,000,000 rows)
        normalized.once("columns", lambda: sorted_by["column"])
    return normalized


def _phones(contacts: Contacts, regions: np.ndarray, progress: bool | None) -> tuple[list[dict], list[dict], list[dict]]:
    """The phone columns' parts of the identifiers and problems tables, and of the phones table."""
    found, problems, phones = [], [], []
    fm = contacts.field_map
    typed_by = {of: c for c, (of, suffix) in fm.beside(contacts.frame.columns).items()
                if suffix in ("type", "kind", "label")}
    for column, kind in fm.phones:
        long = _long(contacts, column).assign(region=lambda d, r=regions: r[d["source_row"].to_numpy()])
        ok, bad = _apply_unique(long, _reading_json_lists(parse_phones), progress, "phones",
                                ("value", "raw", "national"), ("raw", "reason", "national"))
        if column in typed_by:  # one kind a row: an array, read where the part's rows are
            kind = _row_kinds(contacts.frame[typed_by[column]], kind)
        found.append(ok | {"kind": "phone", "column": column, "phone_kind": _at(kind, ok["source_row"]),
                           "shared": False})
        problems.append(bad | {"kind": "phone", "column": column})
        for part in (ok, bad | {"value": np.full(len(bad["source_row"]), "", dtype=object)}):
            usable = part["national"] != ""
            phones.append({name: part[name][usable] for name in ("source_row", "value", "national")}
                          | {"column": column, "phone_kind": _at(kind, part["source_row"][usable])})
    return found, problems, phones


def _at(kind: str | np.ndarray, rows: np.ndarray) -> str | np.ndarray:
    """The kind of the numbers of ``rows``: the column's, or each row's when ``kind`` is an array."""
    return kind[rows] if isinstance(kind, np.ndarray) else kind


def _row_kinds(types: pd.Series, kind: str) -> np.ndarray:
    """The kind of each row's number in a phone column of ``kind`` that has a type column beside it
    (Keap's ``Phone 2 Type``, Google Contacts' ``Phone 2 - Type``): what the type says (``Mobile``,
    ``* Work Fax``), the column's kind when it says none (``Main``, blank).

    >>> _row_kinds(pd.Series(["* Mobile", "Work Fax", "Main", ""]), "other").tolist()
    ['mobile', 'fax', 'other', 'other']
    """
    codes, values = pd.factorize(types.fillna(""), use_na_sentinel=False)
    said = np.array([phone_kind(value) for value in values], dtype=object)
    return np.where(said == "other", kind, said)[codes]


# --- phones -----------------------------------------------------------------------------------

#: Words before an extension, in English, French, Portuguese (ramal), Spanish (anexo, interno), German
#: (Durchwahl, Apparat), Dutch (toestel), Polish (wewn.), Russian (доб.), Japanese (内線) and Chinese (分机, 轉),
#: maybe with a colon ("Ext: 12") or RFC 3966's ``=`` (``tel:+1-212-555-0142;ext=12``)
_EXTENSION_WORDS = (r"(?:(?:ext\.?|extn|extension|x|#|poste|ramal|anexo|interno|durchwahl|nebenstelle|apparat|app"
                    r"|toestel|wewn|доб|内線|分机|轉):?=?)")
_BETWEEN_NUMBERS = r"(?:[|\n]|:::|\s/\s|\s(?:or|ou|and|et|und|&)\s)"
_EXTENSION_NEXT = rf"\s*{_EXTENSION_WORDS}[\s.]*\d{{1,7}}\s*(?:$|[;,]|{_BETWEEN_NUMBERS})"  # "; ext 12", ";ext=12"
#: The separators of several numbers in a cell; not the ``;`` or ``,`` before an extension as a phone dials it
#: (``(415) 555-0402;23``: wait, then dial 23), up to five digits alone, which `_EXTENSION` reads as ``x23``,
#: nor the ``;`` before an extension's word (``;ext=12``, ``; x12``); a ``,`` before a number, maybe after its type
#: and a colon (``MOBILE:+16175550170, HOME:+16175550171``, as Gladly writes a customer's phones)
_PHONE_SPLIT = re.compile(rf"\s*(?:(?:;|,(?=\s*(?:[^\W\d_]+(?: [^\W\d_]+)*\s*:\s*)?[+(\d]))(?!{_EXTENSION_NEXT})"
                          rf"(?![\s().\-]*(?:\d[\s().\-]*){{1,5}}(?:$|[;,]|{_BETWEEN_NUMBERS}))|{_BETWEEN_NUMBERS})\s*",
                          re.IGNORECASE)
_PHONE_SQUEEZE = re.compile(r"[\s().\-/\u00a0]+")
_PHONE_LABEL = re.compile(r"\((?=[^\d()]*[^\W\d_])[^\d()]*\)")  # "(mobile)", "(mum)": words in brackets, no digit
_LABEL_AFTER = re.compile(r"(?<=\d)\s*[-–:,]?\s+[^\W\d_][^\d]*$")  # "212 555 0142 - mum", "… home": words last
_TEXT_AFTER = re.compile(r"(?<=\d)[\s\-–:,]*([^\W\d_].*\d.*?)\s*$")  # "… Apt 5", "… e12": letters, then digits
_DECIMAL_WRITTEN = re.compile(r"(\+?\d{6,})\.0")  # 2125550142.0: a number a spreadsheet or pandas wrote as a decimal
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?E\+?\d+", re.IGNORECASE)  # 3.36123E+11 (or 3,36123E+11): its last digits are lost
_SCIENTIFIC_REASON = "digits lost to scientific notation (export the column as text)"
_PLACEHOLDER_NATIONAL = re.compile(r"(\d)\1*|0?123456789\d?|\d{3}5555555|\d{3}5551212")  # 555-1212: directory help
_POSSIBLE_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number without area code",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
}

#: Result of parsing one cell: usable ``(value, raw part, …)`` items and ``(raw part, reason, …)`` problems.
Parsed = tuple[list[tuple[str, ...]], list[tuple[str, ...]]]


def parse_phone(raw: str, region: str) -> Parsed:
    """Phone numbers in a cell as E.164, each with the text it was typed as and its
    national number (the digits after the country code, kept for unusable numbers too:
    a local number without area code still shares its last digits with the full one).

    >>> parse_phone("0033 6 12 34 56 78", "US")
    ([('+33612345678', '0033 6 12 34 56 78', '612345678')], [])
    >>> parse_phone("442079460958", "US")  # too long for the US: its + was lost
    ([('+442079460958', '442079460958', '2079460958')], [])
    >>> parse_phone("555-555-5555 / 226-2649", "US")
    ([], [('555-555-5555', 'placeholder number', ''), ('226-2649', 'local number without area code', '2262649')])
    >>> parse_phone("(415) 555-0142 Apt 5", "US")
    ([], [('(415) 555-0142 Apt 5', "text 'Apt 5' after the number (an extension is written ext. 12)", '4155550142')])
    """
    if _SCIENTIFIC.fullmatch(raw.strip()):  # before its decimal comma is taken for two numbers
        return [], [(raw.strip(), _SCIENTIFIC_REASON, "")]
    if placeholder_folded(raw) == "[]":  # an empty JSON list (`[\n]`): no number, not two lines of text
        return [], [(raw.strip(), "not a phone number", "")]
    ok, bad = [], []
    for part in _PHONE_SPLIT.split(raw.strip()):
        if part:
            decimal = _DECIMAL_WRITTEN.fullmatch(part)
            number = decimal[1] if decimal else _without_label_after(_PHONE_LABEL.sub("", part))
            if _SCIENTIFIC.fullmatch(number.strip()):  # as typed: "415 555 0142 e12" is no such thing
                bad.append((part, _SCIENTIFIC_REASON, ""))
                continue
            after = _text_after(number)
            squeezed = _PHONE_SQUEEZE.sub("", number[:len(number) - len(after)])
            usable, result, national = _parse_phone_part(squeezed, region, squeezed == number.strip())
            if after:  # "(415) 555-0142 Apt 5": neither the number's digits nor its extension
                usable, result = False, f"text {after!r} after the number (an extension is written ext. 12)"
            (ok if usable else bad).append((result, part, national) if usable else (part, result, national))
    return ok, bad


def without_point_zero(values: np.ndarray) -> np.ndarray:
    """Phone numbers as typed before a spreadsheet wrote them as decimals (``6175550142.0``:
    ``6175550142``), the others as they are (``values`` itself when none is).

    >>> without_point_zero(np.array([" 6175550142.0 ", "617.555.0142", "12.0"], dtype=object)).tolist()
    ['6175550142', '617.555.0142', '12.0']
    """
    pattern = rf"^\s*{_DECIMAL_WRITTEN.pattern}\s*$"
    found = pc.match_substring_regex(pa.array(values, pa.string()), pattern).to_numpy(zero_copy_only=False)
    found = np.flatnonzero(found)
    if not len(found):
        return values
    values = values.copy()
    values[found] = [_DECIMAL_WRITTEN.search(value)[1] for value in values[found]]
    return values


def parse_phones(cells: list[str], region: str) -> ParsedMany:
    """`parse_phone` of each cell, with the same results, faster.

    Most cells hold one number typed with spaces, dots, dashes or brackets, maybe with an
    extension. Arrow's compute kernels settle those together when the number is valid for
    the one region it should belong to (`_fast_e164`); the other cells go through `parse_phone`.
    """
    array = pa.array(cells, pa.string())
    # each replacement by a regular expression made only in the texts a quicker search finds it may change
    text = _replaced(array, pc.match_substring(array, ".0"),
                     lambda texts: pc.replace_substring_regex(texts, rf"^\s*{_DECIMAL_WRITTEN.pattern}\s*$", r"\1"))
    text = _without_characters(text, " ().-")  # `_PHONE_SQUEEZE`, on those characters only
    if not _longer_prefix_after_00(region):  # else `_parse_phone_part` tells 0011 61… from 00 61…
        text = _replaced(text, pc.starts_with(text, "00"), lambda texts: pc.replace_substring_regex(texts, "^00", "+"))
    without = _replaced(text, pc.match_substring_regex(text, "(?i)" + _EXTENSION.pattern),
                        lambda texts: pc.replace_substring_regex(texts, "(?i)" + _EXTENSION.pattern, ""))
    e164, national = _fast_e164(pc.if_else(pc.equal(without, ""), text, without), region)
    settled = pd.notna(e164)
    typed = _as_typed(pc.utf8_trim(array, " "), array, cells)[settled]
    rest = np.flatnonzero(~settled)
    ok, bad = _one_by_one(parse_phone)([cells[i] for i in rest], region)
    return ([(np.flatnonzero(settled), [e164[settled], typed, national[settled]])]
            + [(rest[keys], fields) for keys, fields in ok], [(rest[keys], fields) for keys, fields in bad])


def _replaced(texts: pa.Array, where: pa.BooleanArray, replace: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``texts`` with ``replace`` of the texts ``where`` says in their place, run on those only (a regular expression's
    replacement in every text took a search's time and more: most phones have no decimal ``.0`` nor extension).

    >>> _replaced(pa.array(["a1", "b", "c2"]), pa.array([True, False, True]), pc.utf8_upper).to_pylist()
    ['A1', 'b', 'C2']
    """
    return pc.replace_with_mask(texts, where, replace(texts.filter(where)))


def _as_typed(texts: pa.Array, array: pa.Array, cells: list[str]) -> np.ndarray:
    """``texts``, one for each of ``cells`` (``array`` in Arrow), as Python's strings: the cell's own where they are
    the same text (as `_apply_unique` keeps a raw text), a new one only where not; most cells are typed so, and making
    a string took most of the time.

    >>> _as_typed(pa.array(["a", "b"]), pa.array(["a", " b"]), ["a", " b"]).tolist()
    ['a', 'b']
    """
    found = _objects(cells)
    changed = np.flatnonzero(~np.asarray(pc.equal(texts, array)))
    found[changed] = texts.take(changed).to_numpy(zero_copy_only=False)
    return found


def _without_characters(text: pa.StringArray, characters: str) -> pa.StringArray:
    """Each text of ``text`` (an Arrow array without nulls) without any of the ASCII ``characters``: their bytes
    dropped from Arrow's, several times faster than a regular expression's replacement of each run of them.

    >>> _without_characters(pa.array(["(415) 555-0142", "", "é. è"]), " ().-").to_pylist()
    ['4155550142', '', 'éè']
    """
    offsets, data = _text_bytes(text)
    kept = ~np.isin(np.arange(256), np.frombuffer(characters.encode("ascii"), dtype=np.uint8))[data]  # by byte
    ends = np.r_[0, np.cumsum(kept, dtype=np.int32)]  # each byte's new offset
    return pa.StringArray.from_buffers(len(text), pa.py_buffer(ends[offsets - offsets[0]]), pa.py_buffer(data[kept]))


def extensions(raw: np.ndarray) -> np.ndarray:
    """The digits of the extension typed after each phone number, ``""`` when none (by Arrow's
    kernels: `_PHONE_SQUEEZE`, then `_EXTENSION`).

    >>> extensions(np.array(["(267) 555-0156 x1647", "+1 212 555 0115 ext. 148", "0612345678", "(415) 555-0402;23",
    ...                      "(415) 555-0142 ext. 14 (office)", "(415) 555-0142 x14 - Ann"], dtype=object)).tolist()
    ['1647', '148', '', '23', '14', '14']
    """
    # without a label in brackets or words last, as `parse_phone` reads the number (`_PHONE_LABEL`, `_LABEL_AFTER`)
    text = pc.replace_substring_regex(pa.array(raw, pa.string()), r"\([^\d()]*\pL[^\d()]*\)", "")
    text = pc.replace_substring_regex(text, r"(\d)\s*[-–:,]?\s+\pL\D*$", r"\1")
    # the characters of `_PHONE_SQUEEZE` as Arrow reads it (RE2's \s: tab, newline, form feed, return, space)
    # dropped, the no-break space as a text and the rest by byte: three times faster than a regular expression (a
    # missing number comes out blank, which has no extension either)
    squeezed = _without_characters(pc.replace_substring(text, "\u00a0", ""), "\t\n\f\r ().-/")
    squeezed = pc.replace_substring_regex(squeezed, _DIALED_EXTENSION, r"x\1")  # ";23": "x23"
    found = pc.extract_regex(squeezed, rf"(?i){_EXTENSION_WORDS}(?P<digits>\d{{1,7}})$").field("digits")
    return pc.fill_null(found, "").to_numpy(zero_copy_only=False)


def extension_spelled(phone: str) -> str:
    """A phone number with the extension dialed after a ``;`` or ``,`` (`_DIALED_EXTENSION`), or named
    after a ``;`` (``;ext=23``), written ``ext.``, as it must be in a list of numbers separated by ``;``,
    where ``;23`` reads as another value; any other text as it is.

    >>> extension_spelled("(415) 555-0402;23"), extension_spelled("415-555-0402 x23")
    ('(415) 555-0402 ext. 23', '415-555-0402 x23')
    >>> extension_spelled("tel:+1-415-555-0402;ext=23")
    'tel:+1-415-555-0402 ext. 23'
    """
    return re.sub(rf"\s*(?:[;,]\s*(\d{{1,5}})|;\s*{_EXTENSION_WORDS}[\s.]*(\d{{1,7}}))\s*$",
                  lambda found: f" ext. {found[1] or found[2]}", phone, flags=re.IGNORECASE)


def reads_as(text: str, e164: str) -> bool:
    """Whether ``text``, a phone number that did not read in its row's region, is ``e164`` read in
    that number's country (``07812 153147``, too long in the United States, is ``+447812153147``).

    >>> reads_as("07812 153147", "+447812153147"), reads_as("07812 153149", "+447812153147")
    (True, False)
    """
    try:
        region = _region_of(e164)
    except NumberParseException:
        return False
    return _read_in(text, region) == e164


# each text and number is asked of several others (the numbers of its group, the texts of other records), as
# many times as it is met: the two reads of phonenumbers are made once each, not once per pair
@lru_cache(maxsize=1 << 12)
def _region_of(e164: str) -> str | None:
    """The region of the number ``e164``."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164))


@lru_cache(maxsize=1 << 12)
def _read_in(text: str, region: str | None) -> str | None:
    """The phone number ``text`` read in ``region``, in E.164 without a mobile's mark (None: unread)."""
    try:
        read = phonenumbers.parse(text, region)
        return f"+{read.country_code}{_without_mobile_mark(read)}"
    except NumberParseException:
        return None


def with_extensions(key: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """``key``, an integer per phone number, made one per number and extension typed after it
    (``raw``: the numbers as typed): a number's keys without extension stay as they are.

    >>> with_extensions(np.array([7, 7, 7, 7]), np.array(["617 555 0142", "617 555 0142 x12", "6175550142 ext 12",
    ...                                                    "617 555 0142 x14"], dtype=object)).tolist()
    [7, 8, 8, 9]
    """
    key = key.astype(np.int64)
    typed = _holding_letters(pa.array(raw, pa.string()))  # доб., 内線
    extension = extensions(raw[typed])
    typed, extension = typed[extension != ""], extension[extension != ""]
    extension_code, distinct = pd.factorize(extension)
    number_code = pd.factorize(key[typed])[0]
    key[typed] = key.max(initial=-1) + 1 + pd.factorize(number_code * len(distinct) + extension_code)[0]
    return key


def _holding_letters(texts: pa.StringArray) -> np.ndarray:
    """The positions of the texts (an Arrow array) that hold a letter, ``#``, ``;`` or ``,`` (``[\\pL#;,]``). The
    regular expression reads only the texts that hold an ASCII letter, one of those or a byte not ASCII, found by
    byte: most phones hold none (46,119 of 845,329 at 1,000,000 rows: 0.03 s, where it took 0.06 s in all).

    >>> _holding_letters(pa.array(["617 555 0142 x12", "6175550142", "+7 495 123-45-67 доб. 3", "12 34\u00a056", ""]))
    array([0, 2])
    """
    offsets, data = _text_bytes(texts)
    # by arithmetic on the bytes (a look-up in a table of the 256 bytes took twice as long)
    found = (data | 0x20) - np.uint8(ord("a")) < 26  # an ASCII letter of either case
    found |= (data >= 0x80) | (data == ord("#")) | (data == ord(";")) | (data == ord(","))
    at = np.searchsorted(offsets, np.flatnonzero(found) + offsets[0], side="right") - 1  # the text of each byte
    at = at[run_starts(at)]
    return at[np.asarray(pc.match_substring_regex(texts.take(at), r"[\pL#;,]"), dtype=bool)]


def _text_bytes(text: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """The offsets of the texts of an Arrow array (one more than the texts) and the bytes from the first text's on,
    read from its buffers without a copy."""
    _, offsets, data = text.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int32)[text.offset:text.offset + len(text) + 1]
    return offsets, np.frombuffer(data or b"", dtype=np.uint8)[offsets[0]:offsets[-1]]


def _text_after(text: str) -> str:
    """The letters, then digits, typed after a number (``"(415) 555-0142 Apt 5"``: ``"Apt 5"``), that are no
    extension (``x12``, ``ext. 12``) and that phonenumbers would read as more digits, else ``""``; letters
    after fewer than 7 digits may be the number's own (``"1 800 FLOWERS"``)."""
    after = _TEXT_AFTER.search(text)
    if not after or sum(c.isdigit() for c in text[:after.start()]) < 7:
        return ""
    return "" if _EXTENSION.search(_PHONE_SQUEEZE.sub("", text)) else after[1]


def _without_label_after(text: str) -> str:
    """A number without the words typed after it (``"212 555 0142 - mum"``), whose letters
    phonenumbers would read as digits; ``"1 800 FLOWERS"``, too short without them, keeps them."""
    label = _LABEL_AFTER.search(text)
    return text[:label.start()] if label and sum(c.isdigit() for c in text[:label.start()]) >= 7 else text


@lru_cache(maxsize=1 << 16)
def _parse_phone_part(text: str, region: str, typed_together: bool = False) -> tuple[bool, str, str]:
    """``(True, e164, national)`` or ``(False, reason, national)`` for one number without separators
    (``typed_together``: it was typed without them)."""
    if text.startswith("00"):  # a call abroad: 00, or the region's own prefix (0011 in Australia, 009 in Colombia)
        own = _international_prefix(region)
        found = own.match(text) if own else None
        if found and found.end() > 2:
            abroad = _parse_phone_part("+" + text[found.end():], region, typed_together)
            if abroad[0]:
                return abroad
        text = "+" + text[2:]
    text = _EXTENSION.sub("", text) or text
    digits = re.sub(r"\D", "", text)
    if not digits:
        return (False, "not a phone number", "")
    if len(digits) >= 6 and _PLACEHOLDER_NATIONAL.fullmatch(digits):
        return (False, "placeholder number", "")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return (False, "not a phone number", digits.lstrip("0"))
    national = phonenumbers.national_significant_number(number)
    if _PLACEHOLDER_NATIONAL.fullmatch(national):
        return (False, "placeholder number", "")
    if not _is_valid(number, national):
        former = _FORMER_NUMBERS.get(number.country_code)
        if former and (now := former[0].fullmatch(national)):  # +52 1 55 1234 5678: +52 55 1234 5678
            current = _parse_phone_part(f"+{number.country_code}{now.expand(former[1])}", region)
            if current[0]:
                return current
        possible = phonenumbers.is_possible_number_with_reason(number)
        if possible == ValidationResult.TOO_LONG and typed_together and text.isdigit():
            # digits alone, too long for the region, as 442079460958 is: the + of +44 20 7946 0958, lost when
            # a spreadsheet made the cell a number (a number typed with spaces, 415 555 0142 5, stays too long)
            abroad = _parse_phone_part("+" + digits, region)
            if abroad[0]:
                return abroad
        return (False, _POSSIBLE_REASONS.get(possible) or "not a valid number for its country", national.lstrip("0"))
    national = _without_mobile_mark(number)
    return (True, f"+{number.country_code}{national}", national)


def _is_valid(number: phonenumbers.PhoneNumber, national: str) -> bool:
    """`phonenumbers.is_valid_number` of ``number`` (``national``: its national significant number), which tries
    each region of the country code in turn (the 25 of +1) before it says no: a number without the length and
    pattern of any of those regions' numbers (`_national_numbers`), as most numbers that get here are, is not valid,
    found by one regular expression (a thirtieth of the time)."""
    lengths, pattern = _national_numbers(number.country_code)
    return ((lengths is None or len(national) in lengths) and pattern.fullmatch(national) is not None
            and phonenumbers.is_valid_number(number))


@lru_cache(maxsize=None)
def _national_numbers(country_code: int) -> tuple[frozenset[int] | None, re.Pattern]:
    """The lengths (``None``: any, as a region that says none takes) and the pattern of the national numbers of every
    region of a country code, from each region's general description: a number valid in a region has its length and
    pattern, as `phonenumbers` checks them first."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    found = [phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region) for region in regions]
    described = [m.general_desc for m in found if m is not None and m.general_desc is not None]
    described = [d for d in described if d.national_number_pattern]
    lengths = frozenset(n for d in described for n in d.possible_length)
    return (lengths if all(d.possible_length for d in described) else None,
            re.compile("|".join(f"(?:{d.national_number_pattern})" for d in described) or "(?!)"))


#: A country's numbers as written before its numbering changed, and as they are now (national numbers, a regular
#: expression and its replacement): Mexico's 1 after +52 of a mobile called from abroad, its 044 and 045 before a
#: mobile and 01 before a long-distance call at home, all gone since 2019 (+52 1 55 1234 5678 = +52 55 1234 5678);
#: Brazil's mobiles of 8 digits, given a ninth, a 9 first, from 2012 to 2016 (+55 11 8765-4321 = +55 11 98765-4321);
#: Italy's landlines called from abroad without their 0 until 1998 (+39 2 1234 5678 = +39 02 1234 5678), not a
#: number that starts as its mobiles do, 3 or 43 (+39 312 345 678, a mobile missing a digit, is no landline of Como)
_FORMER_NUMBERS = {52: (re.compile(r"0?(?:1|44|45)(\d{10})"), r"\1"),
                   55: (re.compile(r"(\d\d)([6-9]\d{7})"), r"\g<1>9\2"),
                   39: (re.compile(r"((?!43)[124-9]\d+)"), r"0\1")}

#: The mark of a mobile dialed before its number, no part of the line's number, as a national number's regular
#: expression whose group is the number without it: Argentina's 9 after +54 (the 15 after the area code at home,
#: which phonenumbers reads as that 9), kept in a mobile's E.164 by phonenumbers, while the number written without it
#: (+54 11 6123-4567, as it often is) reads as a landline; no landline has a mobile's digits, so both are one line
_MOBILE_MARKS = {54: re.compile(r"9(\d{10})")}


def _without_mobile_mark(number: phonenumbers.PhoneNumber) -> str:
    """The national number of ``number``, without the mark of a mobile (`_MOBILE_MARKS`) when the
    number is valid without it too (+54 9 11 6123-4567: ``1161234567``)."""
    national = phonenumbers.national_significant_number(number)
    mark = _MOBILE_MARKS.get(number.country_code)
    line = mark.fullmatch(national) if mark else None
    if line and phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=number.country_code,
                                                                       national_number=int(line[1]))):
        return line[1]
    return national


@lru_cache(maxsize=None)
def _international_prefix(region: str) -> re.Pattern | None:
    """What a region dials before a country code (00 in most of Europe, 0011 in Australia), or ``None``."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return re.compile(metadata.international_prefix) if metadata and metadata.international_prefix else None


@lru_cache(maxsize=None)
def _longer_prefix_after_00(region: str) -> bool:
    """Whether the region's prefix for calls abroad can be 00 and more digits (0011, 009, 0021)."""
    own = _international_prefix(region)
    return own is not None and any((found := own.match(f"00{n:02d}1111")) and found.end() > 2 for n in range(100))


_DIALED_EXTENSION = r"[;,](\d{1,5})$"  # ";23" after a number: see `_PHONE_SPLIT`
_EXTENSION = re.compile(rf"{_EXTENSION_WORDS}\d{{1,7}}$|{_DIALED_EXTENSION}", re.IGNORECASE)
#: `_PLACEHOLDER_NATIONAL` for Arrow's regular expressions (RE2: no back-references)
_PLACEHOLDER_RE2 = "^(?:" + "|".join(f"{d}+" for d in "0123456789") + r"|0?123456789\d?|\d{3}5555555|\d{3}5551212)$"
_COUNTRY_CODE_TEXTS = pa.array(sorted(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE))


def _fast_e164(text: pa.Array, region: str) -> tuple[np.ndarray, np.ndarray]:
    """E.164 and national number of each text that is a valid number in plain digits, as
    `phonenumbers.parse` would find it, without its slow text analysis; ``None`` for
    anything else, which then goes through ``parse``.

    Validity is checked for the one region the number should belong to (the row's region,
    or the main region of its country code), which skips the search through the 25
    regions of +1; a number of another region falls through to ``parse``.
    """
    e164, national = np.full(len(text), None, dtype=object), np.full(len(text), None, dtype=object)
    digits = np.asarray(pc.match_substring_regex(text, r"^\+?[0-9]{6,17}$"))
    plus = np.asarray(pc.starts_with(text, "+"))
    todo: list[tuple[_RegionRules, np.ndarray, pa.Array]] = []  # rules, positions, national numbers
    rules, at = _region_rules(region), np.flatnonzero(digits & ~plus)
    if rules is not None and len(at):
        numbers = text.take(at)
        if rules.prefix.isdigit() and rules.prefix_for_parsing == rules.prefix:
            # a national prefix of digits alone (0, 1: most regions'), cut by a search, not by regular expressions
            todo.append((rules, at, pc.if_else(pc.starts_with(numbers, rules.prefix),
                                               pc.utf8_slice_codeunits(numbers, len(rules.prefix)), numbers)))
        else:
            prefix = f"^(?:{rules.prefix_for_parsing})"
            stripped = pc.replace_substring_regex(numbers, prefix, "", max_replacements=1)
            matched = np.asarray(pc.match_substring_regex(numbers, prefix))
            # a match other than the national prefix itself is a carrier code or the like: parse knows
            cut = np.asarray(pc.utf8_length(numbers)) - np.asarray(pc.utf8_length(stripped))
            keep = ~matched | ((cut == len(rules.prefix)) & np.asarray(pc.starts_with(numbers, rules.prefix)))
            todo.append((rules, at[keep], pc.if_else(matched, stripped, numbers).filter(keep)))
    at = np.flatnonzero(digits & plus)
    if len(at):
        numbers = text.take(at)
        for value, here in _by_country_code(numbers):
            rules = _region_rules(phonenumbers.region_code_for_country_code(int(value)))
            if rules is not None:
                todo.append((rules, at[here], pc.utf8_slice_codeunits(numbers.filter(here), 1 + len(value))))
    for rules, at, numbers in todo:
        good = (np.asarray(_valid(numbers, rules))
                & ~np.asarray(pc.starts_with(numbers, "0"))  # leading zeros and trunk prefixes: parse knows
                & ~np.asarray(pc.match_substring_regex(numbers, _PLACEHOLDER_RE2)))
        numbers = numbers.filter(good)
        national[at[good]] = numbers.to_numpy(zero_copy_only=False)
        e164[at[good]] = pc.binary_join_element_wise(f"+{rules.country_code}", numbers, "").to_numpy(zero_copy_only=False)
    return e164, national


def _valid(numbers: pa.Array, rules: _RegionRules) -> np.ndarray:
    """Whether each national number is valid in the region, as `phonenumbers.is_valid_number_for_region`
    says: it has the general pattern and length, and the pattern and length of some number type (the types of
    each length tried at once, by one regular expression)."""
    length = np.asarray(pc.utf8_length(numbers))
    pattern, lengths = rules.general
    valid = np.asarray(pc.match_substring_regex(numbers, f"^(?:{pattern})$"))
    valid &= np.isin(length, lengths) | (not lengths)
    for n in np.unique(length[valid]).tolist():
        at = np.flatnonzero(valid & (length == n))
        types = "|".join(f"(?:{pattern})" for pattern, lengths in rules.types if not lengths or n in lengths)
        valid[at] = np.asarray(pc.match_substring_regex(numbers.take(at), f"^(?:{types})$")) if types else False
    return valid


class _RegionRules(NamedTuple):
    country_code: int
    prefix: str
    prefix_for_parsing: str  # a regular expression, as the ones below
    general: tuple[str, tuple[int, ...]]  # pattern of every national number, and possible lengths
    types: list[tuple[str, tuple[int, ...]]]  # the same for each number type (mobile, fixed line…)


_TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
               "fixed_line", "mobile")


@lru_cache(maxsize=None)
def _region_rules(region: str) -> _RegionRules | None:
    """A region's metadata for `_fast_e164`; ``None`` where its rules are not plain."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix is None or meta.national_prefix_transform_rule:
        return None

    def desc(number_desc: phonenumbers.PhoneNumberDesc | None) -> tuple[str, tuple[int, ...]] | None:
        if number_desc is None or not number_desc.national_number_pattern:
            return None
        return number_desc.national_number_pattern, tuple(n for n in number_desc.possible_length if n > 0)

    general = desc(meta.general_desc)
    types = [d for d in (desc(getattr(meta, name)) for name in _TYPE_DESCS) if d]
    if general is None or not types:
        return None
    prefix_for_parsing = meta.national_prefix_for_parsing or re.escape(meta.national_prefix)
    return _RegionRules(meta.country_code, meta.national_prefix, prefix_for_parsing, general, types)


def _by_country_code(numbers: pa.Array) -> Iterator[tuple[str, np.ndarray]]:
    """Each country code of numbers written "+" and digits, with where they have it."""
    code = pa.nulls(len(numbers), pa.string())
    for length in (1, 2, 3):  # country codes are prefix-free
        head = pc.utf8_slice_codeunits(numbers, 1, 1 + length)
        code = pc.if_else(pc.is_in(head, _COUNTRY_CODE_TEXTS), head, code)
    for value in pc.unique(code.drop_null()).to_pylist():
        yield value, np.asarray(pc.equal(code, value).fill_null(False))


@lru_cache(maxsize=100_000)
def display(kind: str, value: str) -> str:
    """A normalized value for people to read: ``("phone", "+33612345678")`` → ``"+33 6 12 34 56 78"``,
    as ``phonenumbers.format_number(…, INTERNATIONAL)`` writes it."""
    if kind != "phone":
        return value
    try:
        return phonenumbers.format_number(phonenumbers.parse(value), PhoneNumberFormat.INTERNATIONAL)
    except NumberParseException:
        return value


def display_all(kinds: Sequence[str] | np.ndarray | pd.Series, values: Sequence[str] | np.ndarray | pd.Series
                ) -> list[str]:
    """`display` of each value (phones in E.164, as `normalize` writes them), computed once per
    distinct phone by `display_phones`."""
    kinds, values = np.asarray(kinds, dtype=object), np.asarray(values, dtype=object)
    shown = values.copy()
    phones = np.flatnonzero(kinds == "phone")
    codes, uniques = pd.factorize(values[phones])
    shown[phones] = display_phones(np.asarray(uniques, dtype=object))[codes]
    return shown.tolist()


def display_phones(numbers: np.ndarray) -> np.ndarray:
    """`display` of distinct phones in E.164 (an array of texts), with Arrow's kernels: the reasons of
    pairs.csv take them so, without `display_all`'s list to make and read again (0.045 s at 1M rows).

    E.164 is "+", a prefix-free country code and the national number: each country's
    international formats apply to the national numbers as `phonenumbers` applies them
    (the first format whose leading digits and pattern fit), with nothing to parse.
    """
    numbers, formatted = pa.array(numbers, pa.string()), numbers.astype(object)
    for code, here in _by_country_code(numbers):
        # the national numbers no format has written yet, and where they are: each format tries only
        # these, its pattern only where its leading digits fit (a prefix, quicker to match)
        rest, at = pc.utf8_slice_codeunits(numbers.filter(here), 1 + len(code)), np.flatnonzero(here)
        for leading, pattern, rule in _international_formats(int(code)):
            # anchored: twice as quick to replace, and the same groups (the patterns are runs of digits, which
            # phonenumbers' unanchored re.sub matches from the first digit to the last of a number that fits)
            pattern = f"^(?:{pattern})$"
            if leading is None:
                fits = pc.match_substring_regex(rest, pattern).to_numpy(zero_copy_only=False)
            else:
                fits = pc.match_substring_regex(rest, f"^(?:{leading})").to_numpy(zero_copy_only=False)
                maybe = np.flatnonzero(fits)
                fits[maybe] = pc.match_substring_regex(rest.take(maybe), pattern).to_numpy(zero_copy_only=False)
            if fits.any():
                text = pc.replace_substring_regex(rest.filter(fits), pattern, f"+{code} {rule}")
                formatted[at[fits]] = text.to_numpy(zero_copy_only=False)
                rest, at = rest.filter(~fits), at[~fits]
        formatted[at] = pc.binary_join_element_wise(f"+{code} ", rest, "").to_numpy(zero_copy_only=False)
    return formatted


@lru_cache(maxsize=None)
def _international_formats(code: int) -> list[tuple[str | None, str, str]]:
    """A country code's formats for international display, in the order `phonenumbers` tries them:
    the last leading-digits pattern, the number pattern and the replacement."""
    region = phonenumbers.region_code_for_country_code(code)
    meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region.upper())
    formats = meta.intl_number_format or meta.number_format
    return [(f.leading_digits_pattern[-1] if f.leading_digits_pattern else None, f.pattern, f.format) for f in formats]


#: Country names people type, folded, to ISO regions (two-letter codes are read as they are).
COUNTRY_REGIONS = {
    "usa": "US", "united states": "US", "united states of america": "US", "etats unis": "US", "america": "US",
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "royaume uni": "GB", "angleterre": "GB", "france": "FR", "canada": "CA",
    "germany": "DE", "allemagne": "DE", "deutschland": "DE", "belgium": "BE", "belgique": "BE",
    "switzerland": "CH", "suisse": "CH", "spain": "ES", "espagne": "ES", "italy": "IT", "italie": "IT",
    "ireland": "IE", "irlande": "IE", "netherlands": "NL", "pays bas": "NL", "luxembourg": "LU",
    "portugal": "PT", "australia": "AU", "australie": "AU", "mexico": "MX", "mexique": "MX",
    "india": "IN", "inde": "IN", "morocco": "MA", "maroc": "MA", "algeria": "DZ", "algerie": "DZ",
    "tunisia": "TN", "tunisie": "TN", "senegal": "SN", "monaco": "MC", "new zealand": "NZ",
    "turkey": "TR", "holland": "NL", "korea": "KR", "czech republic": "CZ",
    "ivory coast": "CI", "burma": "MM", "swaziland": "SZ", "macedonia": "MK", "russian federation": "RU",
    # CLDR's are "Hong Kong SAR China", "United Arab Emirates": the names and abbreviations people write
    "hong kong": "HK", "hongkong": "HK", "macau": "MO", "macao": "MO", "uae": "AE", "u a e": "AE",
    "u s a": "US", "u s": "US", "u k": "GB", "korea republic of": "KR", "republic of korea": "KR",
    "britain": "GB", "eire": "IE", "republic of ireland": "IE", "ireland republic of": "IE",
    # ISO 3166's names that CLDR's are not, "Iran, Islamic Republic of", "Korea (the Democratic People's Republic
    # of)", without their "the" and "and", and a Saint as "st" (`_country_key`)
    "iran islamic republic of": "IR", "islamic republic of iran": "IR", "bolivia plurinational state of": "BO",
    "congo democratic republic of": "CD", "democratic republic of congo": "CD", "taiwan province of china": "TW",
    "virgin islands british": "VG", "virgin islands u s": "VI", "tanzania united republic of": "TZ",
    "moldova republic of": "MD", "venezuela bolivarian republic of": "VE", "micronesia federated states of": "FM",
    "korea democratic people s republic of": "KP", "democratic people s republic of korea": "KP",
    "lao people s democratic republic": "LA", "palestine state of": "PS", "syrian arab republic": "SY",
    "macedonia former yugoslav republic of": "MK", "holy see vatican city state": "VA", "holy see": "VA",
    "st martin french part": "MF", "sint maarten dutch part": "SX", "falkland islands malvinas": "FK",
    "bonaire sint eustatius saba": "BQ", "united states minor outlying islands": "UM",
    "united kingdom of great britain northern ireland": "GB",
}
#: Words of a country's name of several that are no part of it: "The Gambia", "Gambia, The", ISO's "Gambia (the)",
#: ISO's "Trinidad and Tobago" (CLDR's "Trinidad & Tobago"); and ISO's "Saint" as CLDR's "St."
_COUNTRY_WORDS = {"the": "", "and": "", "saint": "st"}
#: The languages of the country names (CLDR's, through Babel) a Country column is read in, beyond
#: `COUNTRY_REGIONS`: "Brasil", "Россия", "Österreich", "日本" name their region as "BR" does.
COUNTRY_NAME_LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl", "ru", "pl", "sv", "tr", "ja", "zh", "ko", "ar")


def country_region(country: str, default: str) -> str:
    """The phone region of a country cell (``"France"`` → ``"FR"``); ``default`` when unknown."""
    folded = _country_key(fold_header(country))
    if folded in COUNTRY_REGIONS:
        return COUNTRY_REGIONS[folded]
    code = folded.upper()
    if len(code) == 2 and code.isascii():  # not 日本
        return code if code in phonenumbers.SUPPORTED_REGIONS else default
    return _country_names().get(_country_key(fold(country)), default) if country.strip() else default


def _country_key(folded: str) -> str:
    """A folded country name without the `_COUNTRY_WORDS` that are no part of it (a name of one word as it is:
    AND is Andorra's code).

    >>> _country_key("congo the democratic republic of the"), _country_key("saint kitts and nevis")
    ('congo democratic republic of', 'st kitts nevis')
    """
    words = folded.split()
    return " ".join(filter(None, map(_COUNTRY_WORDS.get, words, words))) if len(words) > 1 else folded


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Folded country names in `COUNTRY_NAME_LANGUAGES`, and ISO 3166 three-letter codes ("fra"), with
    their phone region: read when a Country cell is none of `COUNTRY_REGIONS` (0.2 s)."""
    from babel import Locale
    from babel.core import get_global

    found = {code.lower(): regions[0] for code, regions in get_global("territory_aliases").items()
             if len(code) == 3 and code.isalpha() and len(regions) == 1 and regions[0] in phonenumbers.SUPPORTED_REGIONS}
    for language in COUNTRY_NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in phonenumbers.SUPPORTED_REGIONS:
                found.setdefault(_country_key(fold(name)), code)  # of any script
    return found


def _row_regions(frame: pd.DataFrame, country_column: str | None, default: str) -> np.ndarray:
    if country_column is None:
        return np.full(len(frame), default, dtype=object)
    return map_unique(frame[country_column], lambda c: country_region(c, default)).to_numpy(dtype=object)


# --- emails and external IDs --------------------------------------------------------------------

_SPACED_AT = re.compile(r"(?<=\w)(?:\s+@\s*|\s*@\s+)(?=\w)")  # "ann @ example.com", typed in a form: one address
# "ann@example. com", "ann@example .co.uk": a space typed beside the dot after the domain's name, last in the cell
_SPACED_DOT = re.compile(r"(@[^\W_][\w-]*)(?:\s+\.\s*|\.\s+)((?:[\w-]+\.)*[^\W\d_]{2,63})(?=\s*>?\s*$)")
_COMMA_DOT = re.compile(r"(@[\w-]+),(?=(?:[a-z]{2,6}\.)?[a-z]{2,6}\s*$)", re.IGNORECASE)  # "ann@gmail,com": a typo
# a link's scheme, in any case, and its query after the address: "Mailto:ann@example.com?subject=Hi"
_MAILTO = re.compile(r"mailto:([^\s<>?]*)(?:\?[^\s<>]*)?", re.IGNORECASE)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphen, zero-width spaces and joiners
#: A space as a link encodes it, but not one between two characters before the @ ("a%20b@example.com"): no
#: separator, the address is not "b@example.com"
_LINK_SPACE = re.compile(r"(?<![\w.+-])(?:%20)+|%20(?![\w.+%-]*@)")
#: A cell of one word and an address after a space, "j doe@example.com": a space typed inside the address, as
#: %20 is, not a name before it (the address is not "doe@example.com", another person's)
_SPACE_INSIDE = re.compile(r"[\w.+'-]*\w\.?\s+[\w.+'-]+@[^\s@]+")
_HTML_ENTITY = re.compile(r"&(?:[a-z]+|#[0-9]+|#x[0-9a-f]+);", re.IGNORECASE)  # "&lt;ann@example.com&gt;", from HTML
# a token starts where a separator ends: tried at every character, a long cell without an @ took seconds; a quoted
# name before the @ ("john doe"@example.com) is part of it, not a separator that leaves "@example.com"; a colon
# too ("电子邮件:li@example.cn"), which no address holds unquoted; an apostrophe between two letters is not one
# (o'brien@example.com, not brien@example.com)
_BETWEEN_EMAILS = r"\s<>;,:\"'()\[\]“”«»「」『』【】〈〉《》"  # with the quotes and brackets of other languages
_IN_EMAIL = rf"(?:[^{_BETWEEN_EMAILS}]|(?<=\w)'(?=\w))*"
_EMAIL_TOKEN = re.compile(rf"(?<![^{_BETWEEN_EMAILS}])(?<!\w')(?:\"[^\"\n]{{1,64}}\"(?=@))?{_IN_EMAIL}@{_IN_EMAIL}")
#: The separators of the parts of a cell of several addresses (as `_PHONE_SPLIT`'s of numbers); not a comma before
#: a name and its address in brackets, which is the name's ("Quill, Ann <ann@example.com>")
_EMAIL_SPLIT = re.compile(rf"\s*(?:;|,(?![^;,@<>]*<)|{_BETWEEN_NUMBERS})\s*", re.IGNORECASE)
_WORD = re.compile(r"\w")
#: A character no domain holds right after one, between two addresses: "ann@example.com/bob@example.org" (|, &, 、
#: too; not before an @, where an address may hold them: "tom&jo@example.org")
_AFTER_DOMAIN_SEPARATOR = re.compile(r"(@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,63})[/|&、]")
#: Punctuation after an address's domain, which ends with a letter: "ann@example.com!", "ann@example.com?"
_AFTER_DOMAIN = re.compile(r"(@.*[^\W_])[^\w@]+$")
#: Letters of a script other than Latin glued before an address in Latin letters ("Иванivan@example.ru"): a
#: label or a name, not part of the address
_NON_LATIN_BEFORE = re.compile(r"^[^\x00-\u024f\u1e00-\u1eff]+(?=[a-z0-9][!-~]*$)")
_EMAIL_SYNTAX = re.compile(
    r"(?!\.)(?!.*\.\.)[\w!#$%&'*+/=?^`{|}~.-]{1,64}(?<!\.)"
    r"@(?=.{1,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
)
PLACEHOLDER_EMAIL_LOCALS = frozenset("noemail no-email nomail none null na n/a unknown test example fake no email noreply "
                                     "no-reply donotreply do-not-reply nobody dummy invalid".split())
#: Mail providers whose addresses anyone can open, where namesakes take the same name in turn
#: (``john.smith@``, ``johnsmith@``, ``john.smith2@``): by their name before any country's
#: ending (``yahoo.co.uk``, ``hotmail.fr``), or whole (a company's own domain may share a name:
#: ``att.com`` is AT&T's staff, ``att.net`` its customers)
MAIL_PROVIDER_NAMES = frozenset("gmail googlemail yahoo ymail rocketmail hotmail outlook live msn aol gmx yandex "
                                "zoho protonmail icloud".split())
MAIL_PROVIDER_DOMAINS = frozenset(
    "me.com mac.com pm.me proton.me web.de mail.ru bk.ru list.ru inbox.ru rambler.ru mail.com email.com qq.com "
    "163.com 126.com naver.com hanmail.net daum.net libero.it virgilio.it tiscali.it alice.it wanadoo.fr orange.fr "
    "free.fr sfr.fr laposte.net neuf.fr bbox.fr btinternet.com btopenworld.com sky.com virginmedia.com ntlworld.com "
    "talktalk.net comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net earthlink.net "
    "juno.com netzero.net optonline.net roadrunner.com shaw.ca rogers.com sympatico.ca videotron.ca bigpond.com "
    "bigpond.net.au optusnet.com.au xtra.co.nz t-online.de freenet.de arcor.de posteo.de mailbox.org telenet.be "
    "skynet.be bluewin.ch hispeed.ch seznam.cz centrum.cz wp.pl o2.pl onet.pl interia.pl rediffmail.com uol.com.br "
    "bol.com.br terra.com.br fastmail.com hushmail.com tutanota.com".split())
#: Domains of one mailbox (Apple's and Proton's aliases), as one of them
MAIL_DOMAIN_ALIASES = {"me.com": "icloud.com", "mac.com": "icloud.com", "protonmail.com": "proton.me",
                       "protonmail.ch": "proton.me", "pm.me": "proton.me"}


def mail_provider(domain: str) -> bool:
    """Whether ``domain`` is a public mail provider's (`MAIL_PROVIDER_NAMES` before a country's
    or the world's ending, `MAIL_PROVIDER_DOMAINS`, a Roadrunner region's), not a company's.

    >>> [mail_provider(d) for d in ("yahoo.co.uk", "hotmail.fr", "seznam.cz", "nc.rr.com", "acme.com",
    ...                             "mail.acme.com", "att.com")]
    [True, True, True, True, False, False, False]
    """
    name, _, ending = domain.partition(".")
    return (domain in MAIL_PROVIDER_DOMAINS or domain.endswith(".rr.com")
            or name in MAIL_PROVIDER_NAMES and all(len(label) <= 3 for label in ending.split(".")))


#: What a spreadsheet writes for a formula that failed, and pandas for a missing value: no value
_ERROR_TEXT = frozenset(["#n/a", "#value!", "#ref!", "#name?", "#div/0!", "#null!", "#num!", "#error!"])
#: What a fix file writes to empty a field (#N/A is also an error), kept as a value by a CRM that does not read it so
_CLEAR_TEXT = frozenset(["unset"])
PLACEHOLDER_TEXT = frozenset(["n/a", "na", "none", "null", "nil", "-", "--", "?", ".", "x", "unknown", "tbd", "0",
                              "nan", "[not provided]", *_ERROR_TEXT, *_CLEAR_TEXT,
                              "'-", "'--",  # with the ' a CRM puts before a cell that starts as a formula does
                              "[]"])  # an empty JSON list, as an export flattened from a CRM's API writes no value
#: An empty JSON list written with white space inside (``[ ]``, ``[\n]``), as some APIs and tools write it: ``[]``
EMPTY_LIST_SPACED = r"^\[\s+\]$"  # for Arrow's regular expressions (RE2) too


def placeholder_folded(text: str) -> str:
    """``text`` as `PLACEHOLDER_TEXT` holds a placeholder: trimmed and case-folded, an empty JSON list
    written with white space inside (`EMPTY_LIST_SPACED`) ``[]``.

    >>> placeholder_folded(" N/A "), placeholder_folded("[ \\n ]"), placeholder_folded("[1]")
    ('n/a', '[]', '[1]')
    """
    text = text.strip().casefold()
    return "[]" if text[:1] == "[" and re.match(EMPTY_LIST_SPACED, text) else text


class EmailParser:
    """Trim, lower-case and check email addresses; canonical forms and role flags from the config.

    >>> EmailParser(NormalizeConfig())(" Jean.Dupont+news@GMail.com ")
    ([('jeandupont@gmail.com', 'jean.dupont+news@gmail.com', False)], [])
    >>> EmailParser(NormalizeConfig())("ann @ example.com"), EmailParser(NormalizeConfig())("ann@example,co.uk")
    (([('ann@example.com', 'ann@example.com', False)], []), ([('ann@example.co.uk', 'ann@example.co.uk', False)], []))
    """

    def __init__(self, settings: NormalizeConfig) -> None:
        self.canonical_domains = settings.canonical_email_domains
        self.role_locals = frozenset(settings.role_email_locals)

    def __call__(self, raw: str) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str]]]:
        text = _INVISIBLE.sub("", raw).strip()  # a zero-width space pasted in is no part of the address
        # full-width letters and @, as a Japanese or Chinese keyboard types them ("ann＠example.jp"): the ASCII ones;
        # its full stop "。" (NFKC's of the halfwidth "｡" too) is the dot, which NFKC leaves as it is
        text = text if text.isascii() else unicodedata.normalize("NFKC", text).replace("\u3002", ".")
        if "%20" in text and "@" in text:  # a space as a link encodes it: "%20ann@example.com"
            text = _LINK_SPACE.sub(" ", text).strip()
        if "&" in text:  # a CRM's HTML export writes "<" and ">" as "&lt;" and "&gt;"
            text = _HTML_ENTITY.sub(lambda entity: html.unescape(entity[0]), text)
        if placeholder_folded(text) in PLACEHOLDER_TEXT:
            return [], [(text, "placeholder, not an address")]
        text = _MAILTO.sub(r"\1", text)
        if text.count("@") == 1:  # one address: typed in a form
            text = _SPACED_DOT.sub(r"\1.\2", _COMMA_DOT.sub(r"\1.", _SPACED_AT.sub("@", text)))
            if _SPACE_INSIDE.fullmatch(text):
                return [], [(text, "a space inside the address")]
        else:
            text = _AFTER_DOMAIN_SEPARATOR.sub(r"\1 ", text)
        tokens = _EMAIL_TOKEN.findall(text)
        if not tokens:
            return [], [(text, "no @: not an email address")]
        # a part beside the addresses, after a separator, that holds none ("ann@example.com; ann at example dot net"):
        # typed for an address, not a label ("(work)") nor a name ("Quill, Ann <ann@example.com>")
        ok, bad = [], [(part, "no @: not an email address") for part in _EMAIL_SPLIT.split(text)
                       if "@" not in part and _WORD.search(part)]
        for token in tokens:
            address = _AFTER_DOMAIN.sub(r"\1", token.lstrip(".")).replace("İ", "I").lower()  # Turkish İ: not i + ◌̇
            if not address.isascii():
                address = _NON_LATIN_BEFORE.sub("", address)
            if not _EMAIL_SYNTAX.fullmatch(address):
                bad.append((token, "not a valid email address"))
                continue
            local, domain = address.rsplit("@", 1)
            if "%20" in local:
                bad.append((token, "a space (%20) inside the address"))
                continue
            if local in PLACEHOLDER_EMAIL_LOCALS:
                bad.append((token, "placeholder address"))
                continue
            # a +tag is the mailbox before it (ann+crm@outlook.com), at Gmail, Outlook, iCloud and most servers
            local = local.split("+", 1)[0]
            if domain in self.canonical_domains:
                local, domain = local.replace(".", ""), self.canonical_domains[0]
            if not local:
                bad.append((token, "no name before the + tag"))
                continue
            domain = MAIL_DOMAIN_ALIASES.get(domain, _idn(domain))
            ok.append((f"{local}@{domain}", address, local in self.role_locals))
        return ok, bad

    def many(self, cells: list[str], region: str | None = None) -> ParsedMany:
        """This parser on each cell, with the same results, faster: Arrow's kernels read the cells
        that hold one plain address (ASCII letters, digits and ``._+-``), the others go one by one."""
        array = pa.array(cells, pa.string())
        text = pc.utf8_trim(array, " ")
        plain = np.asarray(pc.match_substring_regex(text, _PLAIN_EMAIL))
        address = pc.ascii_lower(text)  # a plain address is ASCII: only those are read here
        # before and after the @, which a plain address holds once (a cell with none or more is not one):
        # a split, not two regular expressions, which took four times as long
        local, domain = _split_once(address, "@")
        # at most 64 characters before the @ and 253 after, as `_EMAIL_SYNTAX` says (ASCII: a byte each)
        plain &= (np.asarray(pc.binary_length(local)) <= 64) & (np.asarray(pc.binary_length(domain)) <= 253)
        plain &= ~np.asarray(pc.is_in(local, pa.array(sorted(PLACEHOLDER_EMAIL_LOCALS))))
        plain &= ~np.asarray(pc.match_substring(domain, "xn--"))  # Punycode: said one by one (`_idn`)
        local = _without_tag(local)
        if self.canonical_domains:
            canonical = pc.is_in(domain, pa.array(self.canonical_domains))
            local = pc.if_else(canonical, pc.replace_substring(local, ".", ""), local)
            domain = pc.if_else(canonical, self.canonical_domains[0], domain)
        plain &= ~np.asarray(pc.equal(local, ""))  # "+news@gmail.com": said one by one
        for alias, one in MAIL_DOMAIN_ALIASES.items():
            domain = pc.if_else(pc.equal(domain, alias), one, domain)
        role = pc.is_in(local, pa.array(sorted(self.role_locals), pa.string())).filter(plain)
        value = pc.binary_join_element_wise(local, domain, "@").filter(plain)
        rest = np.flatnonzero(~plain)
        ok, bad = _one_by_one(self)([cells[i] for i in rest], None)
        fields = [value.to_numpy(zero_copy_only=False), _as_typed(address, array, cells)[plain],
                  _objects(role.to_pylist())]
        return ([(np.flatnonzero(plain), fields)] + [(rest[keys], f) for keys, f in ok],
                [(rest[keys], f) for keys, f in bad])


#: An address alone in its cell, that `_EMAIL_SYNTAX` accepts (RE2, ASCII only)
_PLAIN_EMAIL = (r"^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"  # no dot first, last or twice in a row
                r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def _idn(domain: str) -> str:
    """An international domain as one text however it was typed: in Unicode, as IDNA folds
    it, for its Punycode (``xn--mller-bau-q9a.de``) too; as it is when not valid IDNA.

    >>> _idn("xn--mller-bau-q9a.de"), _idn("müller-bau.de"), _idn("xn--a.de")
    ('müller-bau.de', 'müller-bau.de', 'xn--a.de')
    """
    if domain.isascii() and "xn--" not in domain:
        return domain
    try:
        return domain.encode("idna").decode("idna")
    except UnicodeError:
        return domain


def _without_tag(local: pa.Array) -> pa.Array:
    """``"jean+news"`` → ``"jean"``."""
    return _split_once(local, "+")[0]


def _split_once(texts: pa.Array, separator: str) -> tuple[pa.Array, pa.Array]:
    """The part of each of ``texts`` (none missing) before its first ``separator``, and the part after it; the
    whole text for both when it holds none. By Arrow's split: half the time of a regular expression.

    >>> [part.to_pylist() for part in _split_once(pa.array(["a@b@c", "d", ""]), "@")]
    [['a', 'd', ''], ['b@c', 'd', '']]
    """
    parts = pc.split_pattern(texts, separator, max_splits=1)
    starts = np.asarray(parts.offsets)
    return parts.values.take(starts[:-1]), parts.values.take(starts[1:] - 1)


def parse_external_id(raw: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """An external unique ID, trimmed, as `id_key` compares it; a number without its leading
    zeros, which a spreadsheet drops (``00123`` and ``123`` are one ID), nor a ``.0`` it adds;
    placeholders (``N/A``, ``0``) and numbers whose digits scientific notation lost are not IDs. The marks
    that make a spreadsheet keep a cell as text (`without_text_mark`: ``'00123``, ``="00123"``) are no part of it.

    >>> parse_external_id(" s-0012 "), parse_external_id("000123"), parse_external_id("123.0")
    (([('S-0012', 's-0012')], []), ([('123', '000123')], []), ([('123', '123.0')], []))
    >>> parse_external_id("'000123"), parse_external_id('="000123"'), parse_external_id("'s-0012")
    (([('123', "'000123")], []), ([('123', '="000123"')], []), ([('S-0012', "'s-0012")], []))
    """
    text = " ".join(raw.split())
    key = without_text_mark(text)
    if placeholder_folded(key) in PLACEHOLDER_TEXT or not key and text:  # (a mark of text around nothing: ', ="")
        return [], [(text, "placeholder, not an ID")]
    if _SCIENTIFIC.fullmatch(key):
        return [], [(text, _SCIENTIFIC_REASON)]
    number = key[:-2] if key.endswith(".0") else key
    if number.isascii() and number.isdigit():
        return ([(number.lstrip("0"), text)], []) if number.strip("0") else ([], [(text, "placeholder, not an ID")])
    return [(id_key(key), text)], []


def parse_external_ids(values: list[str], region: str | None = None) -> ParsedMany:
    """`parse_external_id` of many values at once (the ``region`` is not used), for `_apply_unique`."""
    texts = _objects([" ".join(value.split()) for value in values])
    # most IDs: `id_key`, nothing else; for ASCII texts (Python's casefold, isdigit, islower and upper there)
    # by Arrow's kernels, for the others and the Salesforce IDs' case one by one
    array = pa.array(texts, pa.string())
    ascii = np.asarray(pc.string_is_ascii(array))
    plain = ascii & np.asarray(pc.and_(pc.match_substring_regex(array, r"^[^0-9'=\[]"),
                                       pc.invert(pc.is_in(pc.ascii_lower(array), pa.array(sorted(PLACEHOLDER_TEXT))))))
    plain[~ascii] = [text.casefold() not in PLACEHOLDER_TEXT and not text[:1].isdigit() and text[:1] not in "'=["
                     for text in texts[~ascii]]
    key = pc.if_else(pc.ascii_is_lower(array), pc.ascii_upper(array), array).to_numpy(zero_copy_only=False)
    alone = ~ascii | np.asarray(pc.match_substring_regex(array, f"^(?:{_SALESFORCE_ID.pattern})$"))
    key[alone] = [id_key(text) for text in texts[alone]]
    ok, rest = np.flatnonzero(plain), np.flatnonzero(~plain)
    parsed, unusable = _one_by_one(parse_external_id)([texts[i] for i in rest], None)
    return ([(ok, [key[ok], texts[ok]])] + [(rest[keys], f) for keys, f in parsed],
            [(rest[keys], f) for keys, f in unusable])


def without_text_mark(text: str) -> str:
    """A cell without the mark that makes a spreadsheet keep it as text (its leading zeros) or stops it running as
    a formula: a ``'`` first, as a CRM or a person writes it, or Excel's formula of a text, ``="00123"``, as exports
    for Excel write it.

    >>> without_text_mark("'00123"), without_text_mark('="00123"'), without_text_mark("00123")
    ('00123', '00123', '00123')
    """
    if text.startswith("'"):
        return text[1:]
    return found[1] if (found := _TEXT_FORMULA.fullmatch(text)) else text


_TEXT_FORMULA = re.compile(r'=\s*"([^"]*)"')


def id_key(text: str) -> str:
    """An ID as compared: one whose letters are all of one case is the same in any case
    (``s-0012`` = ``S-0012``); one in mixed case keeps its case, as IDs in base 62 differ by case
    alone. A Salesforce ID (15 letters and digits, the 6th a reserved 0) always keeps it:
    ``50130000000014c`` and ``50130000000014C`` are two records. An 18-character one is its
    15-character ID, whose case its last three give back, even when a spreadsheet upper-cased it.

    >>> id_key("s-0012"), id_key("Ab-12"), id_key("001E000001LaoNk"), id_key("001E000001LaoNK")
    ('S-0012', 'Ab-12', '001E000001LaoNk', '001E000001LaoNK')
    >>> id_key("001E000001LaoNkIAJ"), id_key("001E000001LAONKIAJ"), id_key("001e000001laonkiaj")
    ('001E000001LaoNk', '001E000001LaoNk', '001E000001LaoNk')
    """
    if fifteen := salesforce_id(text):
        return fifteen.lstrip("0") if fifteen.isdigit() else fifteen  # digits alone: as a numeric ID
    return text.upper() if text.isupper() or text.islower() else text


def salesforce_id(text: str) -> str | None:
    """The 15-character ID of a Salesforce ID of 15 or 18 characters; ``None`` for other text."""
    if not _SALESFORCE_ID.fullmatch(text):
        return None
    return text if len(text) == 15 else _salesforce_15(text)


_SALESFORCE_ID = re.compile(r"[0-9A-Za-z]{5}0[0-9A-Za-z]{9}(?:[0-9A-Za-z]{3})?")
_SUFFIX_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"  # Salesforce's: 5 bits of case per character


def _salesforce_15(text: str) -> str | None:
    """The 15-character ID of an 18-character Salesforce ID, in its own case; ``None``
    when the last three do not fit the first 15 (another kind of ID)."""
    head, restored = text[:15], []
    for chunk, check in zip((head[0:5], head[5:10], head[10:15]), text[15:].upper()):
        bits = _SUFFIX_CHARACTERS.find(check)
        if bits < 0:
            return None
        for position, character in enumerate(chunk):
            upper = bool(bits >> position & 1)
            if upper and not character.isalpha():
                return None
            restored.append(character.upper() if upper else character.lower())
    fifteen = "".join(restored)
    # the case as written, or all of one case (upper-cased by a spreadsheet, lower-cased by a system)
    return fifteen if head in (fifteen, head.upper(), head.lower()) else None


# --- shared machinery -------------------------------------------------------------------------


def _long(contacts: Contacts, column: str) -> pd.DataFrame:
    """``source_row, raw`` for the non-blank cells of one column."""
    values = contacts.frame[column]
    values = values[contacts.filled(column)]
    return pd.DataFrame({"source_row": values.index.to_numpy(dtype=np.int64), "raw": values.to_numpy(dtype=object)})


def _apply_unique(
    long: pd.DataFrame,
    parse: Callable[[list[str], str | None], ParsedMany],
    progress: bool | None,
    label: str,
    columns: tuple[str, ...] = ("value", "raw"),
    problem_columns: tuple[str, ...] = ("raw", "reason"),
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run ``parse(raws, region)`` once on the distinct raw texts of each region and spread its
    results to every row.

    ``long`` has ``source_row`` and ``raw``, and ``region`` when parsing depends on it.
    Returns the usable values (``source_row`` and ``columns``) and the problems
    (``source_row`` and ``problem_columns``), as arrays by column name.
    """
    raw = long["raw"].to_numpy(dtype=object)
    groups = long.groupby("region", sort=False).indices if "region" in long else {None: np.arange(len(long))}
    codes = np.zeros(len(long), dtype=np.int64)
    batches: list[tuple[list[str], str | None]] = []
    for region, positions in groups.items():
        group_codes, uniques = pd.factorize(raw[positions])
        codes[positions] = group_codes + sum(len(values) for values, _ in batches)
        batches.extend((uniques[start:start + _BATCH].tolist(), region) for start in range(0, len(uniques), _BATCH))
    total = sum(len(values) for values, _ in batches)
    # None: shown in a terminal or a notebook, not in a log that stderr is sent to (tqdm's choice)
    hidden = (None if total >= PROGRESS_MIN_VALUES else True) if progress is None else not progress
    results: tuple[list[Items], list[Items]] = ([], [])
    with tqdm(total=total, desc=f"normalizing {label}", unit="value", disable=hidden) as bar:
        done = 0
        for values, region in batches:
            typed = np.asarray(values, dtype=object)
            for found, parts, names in zip(results, parse(values, region), (columns, problem_columns)):
                for keys, fields in parts:
                    if "raw" in names and len(keys):  # a raw text as typed is the cell's own string, not a copy
                        raw, cells = fields[names.index("raw")], typed[keys]
                        same = raw == cells
                        raw[same] = cells[same]
                found.extend((keys + done, fields) for keys, fields in parts)
            done += len(values)
            bar.update(len(values))
    rows = long["source_row"].to_numpy()
    return (_spread(codes, rows, total, results[0], columns), _spread(codes, rows, total, results[1], problem_columns))


#: Items that a parser of many values found: the position of the value each item comes
#: from, in order, and one array per field of the items.
Items = tuple[np.ndarray, list[np.ndarray]]
#: What a parser of many values gives: its usable values and its problems, as `Items` in parts.
ParsedMany = tuple[list[Items], list[Items]]


def _items(per_value: list[list[tuple]]) -> Items:
    """`Items` from each value's list of tuples."""
    counts = np.fromiter(map(len, per_value), dtype=np.int64, count=len(per_value))
    fields = zip(*chain.from_iterable(per_value))
    return np.repeat(np.arange(len(per_value)), counts), [_objects(field) for field in fields]


def _objects(values: Sequence) -> np.ndarray:
    """A 1-D object array of ``values`` (tuples stay whole)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _one_by_one(parse: Callable[..., Parsed]) -> Callable[[list[str], str | None], ParsedMany]:
    """A parser of one value (and its region, when given one) made a parser of many, for `_apply_unique`."""
    def many(values: list[str], region: str | None) -> ParsedMany:
        results = [parse(value) if region is None else parse(value, region) for value in values]
        return [_items([ok for ok, _ in results])], [_items([bad for _, bad in results])]
    return many


#: The keys of an object of a JSON list cell that hold its email or phone, the first filled one read: Gladly's
#: API writes a customer's ``{"original": "+1 617-555-0101", "normalized": "+16175550101", "type": "MOBILE"}``
_JSON_ITEM_KEYS = ("original", "normalized", "value", "address", "number")


def json_list(text: str) -> list | None:
    """The items of a cell that holds a JSON list, as an export flattened from a CRM's API writes a
    list of emails or phones; ``None`` for any other cell.

    >>> json_list('["a@example.com", "b@example.com"]'), json_list("[work] a@example.com"), json_list("a@example.com")
    (['a@example.com', 'b@example.com'], None, None)
    """
    if not text.lstrip().startswith("["):
        return None
    try:
        items = json.loads(text)
    except ValueError:
        return None
    return items if isinstance(items, list) else None


def json_lists(cells: Sequence[str] | np.ndarray) -> dict[int, list]:
    """The items of each of ``cells`` that holds a JSON list (`json_list`), by its position; only the cells
    that start with ``[`` are read one by one.

    >>> json_lists(["a@example.com", '["b@example.com"]', "[work] c@example.com"])
    {1: ['b@example.com']}
    """
    if "[" not in "".join(cells):  # a list holds a "[": one search of the cells joined spares Arrow's reading
        return {}
    bracket = pc.starts_with(pc.utf8_ltrim_whitespace(pa.array(cells, pa.string())), "[")
    found = {i: json_list(cells[i]) for i in np.flatnonzero(np.asarray(bracket)).tolist()}
    return {i: items for i, items in found.items() if items is not None}


def json_item_text(item: object) -> str:
    """The email or phone of an item of a JSON list (`json_list`): the text itself, or an object's
    ``original``, else ``normalized``, ``value``, ``address`` or ``number``; ``""`` when it holds none.

    >>> json_item_text({"original": "+1 617-555-0101", "normalized": "+16175550101"}), json_item_text({"primary": 1})
    ('+1 617-555-0101', '')
    """
    if isinstance(item, dict):
        item = next((item[key] for key in _JSON_ITEM_KEYS if item.get(key) not in (None, "")), "")
    return str(item) if isinstance(item, (str, int)) and not isinstance(item, bool) else ""


def _reading_json_lists(parse: Callable[[list[str], str | None], ParsedMany]
                        ) -> Callable[[list[str], str | None], ParsedMany]:
    """``parse``, with a cell that holds a JSON list of emails or phones (`json_list`) read as each of its
    items (`json_item_text`), in their order; only the cells that start with ``[`` are looked at one by one."""
    def many(cells: list[str], region: str | None) -> ParsedMany:
        listed = {i: texts for i, items in json_lists(cells).items()
                  if (texts := [text for text in map(json_item_text, items) if text.strip()])}
        if not listed:
            return parse(cells, region)
        others = np.setdiff1d(np.arange(len(cells)), np.fromiter(listed, dtype=np.int64))
        owner = np.repeat(np.fromiter(listed, dtype=np.int64), [len(texts) for texts in listed.values()])
        read, items = parse([cells[i] for i in others.tolist()], region), parse([*chain(*listed.values())], region)
        return tuple([(others[keys], fields) for keys, fields in found] + _in_order(of_items, owner)
                     for found, of_items in zip(read, items))
    return many


def _in_order(parts: list[Items], owner: np.ndarray) -> list[Items]:
    """``parts`` of the items of the values ``owner`` gives them to, as one part in the items' order."""
    parts = [(keys, fields) for keys, fields in parts if len(keys)]
    if not parts:
        return []
    keys = np.concatenate([keys for keys, _ in parts])
    order = np.argsort(keys, kind="stable")
    return [(owner[keys[order]], [np.concatenate(field)[order] for field in zip(*(f for _, f in parts))])]


_BATCH = 65_536  # distinct values parsed at a time, between two updates of the progress bar


def _spread(codes: np.ndarray, rows: np.ndarray, n_keys: int, parts: list[Items],
            columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """``source_row`` and ``columns``: every item of each row's key, rows in order."""
    parts = [(keys, fields) for keys, fields in parts if len(keys)]
    keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
    fields = [np.concatenate([f[i] for _, f in parts]) if parts else _objects([]) for i in range(len(columns))]
    counts = np.bincount(keys, minlength=n_keys)
    if counts.max(initial=0) <= 1:  # an item at most for each key, as a cell mostly holds: its item by key, not sorted
        place = np.full(n_keys, -1, dtype=np.int64)
        place[keys] = np.arange(len(keys))
        row = np.flatnonzero(place[codes] >= 0)
        item = place[codes[row]]
        return {"source_row": rows[row], **{c: f[item] for c, f in zip(columns, fields)}}
    order = np.argsort(keys, kind="stable")  # the items of each key together, in their order
    per_row = counts[codes]
    row = np.repeat(np.arange(len(codes)), per_row)
    within = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    item = order[(np.cumsum(counts) - counts)[codes[row]] + within]
    return {"source_row": rows[row], **{c: f[item] for c, f in zip(columns, fields)}}


def _table(parts: list[dict], columns: list[str], by: list[str],
           categorical: dict[str, list[str]] | None = None, sorted_by: dict | None = None) -> pd.DataFrame:
    """The parts (dicts of arrays, and of single values for the whole part) one after the
    other as one table, sorted stably by ``by``: text alphabetically, but the ``categorical``
    columns in the order of their categories. ``sorted_by``, when given, gets each column of one value
    per part as its codes by row and its values (the table's rows hold ``values[codes]``)."""
    categorical = categorical or {}
    lengths = [len(part["source_row"]) for part in parts]
    data, keys, one_each, unsorted = {}, {}, {}, {}
    for column in columns:
        values = [part[column] for part in parts]
        if values and not any(isinstance(v, np.ndarray) for v in values):  # one value per part
            categories = one_each[column] = categorical.get(column) or sorted(set(values))
            keys[column] = np.repeat([categories.index(v) for v in values], lengths)
            continue
        # a flag (the identifiers' shared) of bools, not of objects: a quarter of the time of _table at 1,000,000 rows
        pieces = [v if isinstance(v, np.ndarray) else np.full(n, v, dtype=bool if isinstance(v, bool) else object)
                  for v, n in zip(values, lengths)]
        if pieces and column not in by and column not in categorical:
            unsorted[column] = pieces  # put where they go once sorted, below
            continue
        data[column] = np.concatenate(pieces) if pieces else _objects([])
        if column in categorical:
            data[column] = pd.Categorical(data[column], categories=categorical[column])
            keys[column] = data[column].codes
    data["source_row"] = data["source_row"].astype(np.int64, copy=False)
    order = np.lexsort([keys[c] if c in keys else pd.factorize(data[c], sort=True)[0] if data[c].dtype == object
                        else data[c] for c in reversed(by)])
    if unsorted:
        # the columns not sorted by are written in the table's order part by part: not joined first and then taken
        # in that order, two copies of millions of texts (3,099,755 identifiers at 1,000,000 rows)
        places = part_places(order, lengths)
        for column, pieces in unsorted.items():
            found = data[column] = np.empty(len(order), dtype=np.concatenate([v[:0] for v in pieces]).dtype)
            for v, to in zip(pieces, places):
                found[to] = v
    for column, categories in one_each.items():  # its values made from its keys once in order: not sorted again
        codes = keys[column][order]
        if sorted_by is not None:
            sorted_by[column] = codes.astype(np.min_scalar_type(len(categories))), np.array(categories, dtype=object)
        data[column] = (pd.Categorical.from_codes(codes, categories) if column in categorical
                        else np.array(categories, dtype=object)[codes])
    # copy=False: each column a block of its own, not copied into one block per dtype (3,099,755
    # identifiers at 1,000,000 rows)
    return pd.DataFrame({c: data[c] if c in one_each or c in unsorted else data[c][order] for c in columns}, copy=False)


# --- names --------------------------------------------------------------------------------------


def map_unique(values: pd.Series, func: Callable[[str], Hashable]) -> pd.Series:
    """``values.map(func)`` computing ``func`` once per distinct value."""
    if values.empty:
        return values.astype(object)
    codes, results = _map_distinct(values, func)
    return pd.Series(results[codes], index=values.index, name=values.name)


def _map_distinct(values: pd.Series, func: Callable[[str], Hashable]) -> tuple[np.ndarray, np.ndarray]:
    """The position of each of ``values`` among its distinct values, in the order they first appear,
    and ``func`` of each of those."""
    texts = values.to_numpy(dtype=object)
    # a null is a value of its own, which ``func`` is given: pandas then looks for nulls in every cell first (a
    # fifth of the time of a column of 1,000,000 texts), so only a column found to hold one is factorized so
    codes, uniques = pd.factorize(texts)
    if (codes < 0).any():
        codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    return codes, pd.Series(map(func, uniques), dtype=object).to_numpy()  # a Series keeps tuples whole


#: Texts as `Normalized.name_codes` codes them: the position of each among the distinct texts, and those texts
Coded = tuple[np.ndarray, np.ndarray]


def _name_keys(contacts: Contacts) -> tuple[pd.DataFrame, dict[str, Coded]]:
    """Names, company, address, postcode, city and birth date as matching compares them; a
    placeholder (``N/A``, ``unknown``) is blank: two records that both lack a company do not share one.
    With the `Normalized.name_codes` of the fields (but ``first_group``)."""
    fm, frame = contacts.field_map, contacts.frame
    index = frame.index
    coded: dict[str, Coded] = {}

    def column(values: pd.Series | None, func: Callable[[str], str], role: str = "") -> Coded:
        """``func`` of each of ``values`` (blank without them), coded from the codes of the distinct values:
        factorizing each row's again took 0.02 to 0.035 s a field at 1,000,000 rows."""
        if values is None:  # one value, the blank, in every row
            codes, results = np.zeros(len(frame), dtype=np.intp), _objects([""] if len(frame) else [])
        else:
            codes, results = _map_distinct(values, _blank_if_placeholder(func, role))
        # the typed values come in the order the rows first hold them: the codes of their results are those that
        # pd.factorize of the rows' results gives
        derived, distinct = pd.factorize(results)
        return derived[codes].astype(np.int32), np.asarray(distinct, dtype=object)

    def field(key: str, values: pd.Series | None, func: Callable[[str], str]) -> pd.Series:
        coded[key] = column(values, func)
        return _texts(coded[key], index)

    def of(name: str | None) -> pd.Series | None:
        return None if name is None else frame[name]

    first = column(of(fm.first_name), fold_name, "first_name")
    # with a Dutch prefix, a Spanish second surname of columns of their own: "van der" Berg, García "López"
    last = reduce(_full_names, [column(frame[part], fold_name, "last_name")
                                for part in fm.last_name_columns(frame.columns)] or [column(None, str)])
    birth_order = column_day_first(frame, fm.birth_date)
    if fm.full_name is not None:
        full_raw = _texts(column(frame[fm.full_name], str, "full_name"), index)
        first, last = _texts(first, index), _texts(last, index)
        need = (first == "") & (last == "") & (full_raw.str.strip() != "")
        if need.any():
            parts = map_unique(full_raw[need], split_full_name)
            first[need] = parts.str[0]
            last[need] = parts.str[1]
        first, last = _coded(first), _coded(last)
        full = _texts(column(frame[fm.full_name], fold_name, "full_name"), index)
        full = _coded(full.where(full != "", _texts(_full_names(first, last), index)))
    else:
        full = _full_names(first, last)
    # the names as texts, and as codes (a name's codes, its group of nicknames, worked out once per distinct name)
    texts = _texts(first, index), _texts(last, index)
    split = _split_lone_names(*texts)
    if split[0] is not texts[0]:  # (the same ones when no name was split)
        texts, first, last = split, _coded(split[0]), _coded(split[1])
    coded |= {"first": first, "last": last, "full": full}
    groups = pd.Series(map(nickname_group, first[1]), dtype=object).to_numpy()  # (a Series keeps tuples whole)
    names = pd.DataFrame(
        {
            "first": texts[0],
            "last": texts[1],
            "first_group": _texts((first[0], groups), index),
            "full": _texts(full, index),
            "company": field("company", of(fm.company), fold),
            "address": field("address", _joined(frame, fm.address) if fm.address else None, fold_address),
            "postcode": field("postcode", of(fm.postcode), lambda v: "".join(v.split()).upper()),
            "city": field("city", of(fm.city), fold),
            "birth_date": field("birth_date", of(fm.birth_date), lambda text: _full_date(date_key(text, birth_order))),
        },
        index=index,
        copy=False,  # each column the array of its own Series, made here: not copied into one block (9,000,000 texts)
    )
    return names, coded


#: placeholders of a name: not the surnames None, Null and Nil, nor Na or an initial X
_NAME_PLACEHOLDERS = frozenset(["n/a", "unknown", "tbd", "0", "[not provided]",  # HubSpot's
                                *_ERROR_TEXT, *_CLEAR_TEXT])


def is_placeholder(text: str, role: str = "") -> bool:
    """Whether a cell of ``role`` holds a placeholder (``N/A``, ``unknown``): missing, as a blank is.

    >>> is_placeholder(" N/A "), is_placeholder("None"), is_placeholder("None", "last_name")
    (True, True, False)
    """
    return placeholder_folded(text) in placeholder_texts(role)


def placeholders(texts: np.ndarray, role: str = "") -> np.ndarray:
    """`is_placeholder` of each of ``texts``, by Arrow's kernels, which trim and lower an ASCII text as Python
    does; a text of other characters, or one that may be an empty JSON list (``[ ]``), by `is_placeholder`.

    >>> placeholders(np.array([" N/A ", "C0001", "[ ]", "None"], dtype=object)).tolist()
    [True, False, True, True]
    """
    array = pa.array(texts, pa.string())
    folded = pc.ascii_lower(pc.utf8_trim(array, " \t\n\v\f\r\x1c\x1d\x1e\x1f"))  # what str.strip takes off it
    found = pc.is_in(folded, pa.array(sorted(placeholder_texts(role)), pa.string())).to_numpy(zero_copy_only=False)
    other = np.flatnonzero(~np.asarray(pc.string_is_ascii(array)) | np.asarray(pc.starts_with(folded, "[")))
    found[other] = [is_placeholder(text, role) for text in texts[other].tolist()]
    return found


def placeholder_texts(role: str = "") -> frozenset[str]:
    """The texts, folded, that `is_placeholder` takes for missing in a cell of ``role``."""
    return _NAME_PLACEHOLDERS if role in ("first_name", "last_name", "full_name") else PLACEHOLDER_TEXT


def _blank_if_placeholder(func: Callable[[str], str], role: str = "") -> Callable[[str], str]:
    """``func``, but ``""`` for a placeholder of ``role`` (`is_placeholder`)."""
    return lambda text: "" if is_placeholder(text, role) else func(text)


def column_day_first(frame: pd.DataFrame, column: str | None) -> bool | None:
    """`day_first` of a column's distinct values (``None`` without the column)."""
    return None if column is None else day_first(frame[column].unique())


def _split_lone_names(first: pd.Series, last: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Folded first and last names, where a whole name in one cell with the other blank, as a
    form with a single name field leaves it (``"eleanor harrison"``, ``""``), is split in two
    when its last word is a last name elsewhere in the file more often than a first name
    (``"mary kate"`` stays a first name).

    >>> first, last = _split_lone_names(pd.Series(["eleanor harrison", "", "mary kate", "eleanor", "kate"]),
    ...                                 pd.Series(["", "ann lee", "", "harrison", "lee"]))
    >>> first.tolist(), last.tolist()
    (['eleanor', 'ann', 'mary kate', 'eleanor', 'kate'], ['harrison', 'lee', '', 'harrison', 'lee'])
    """
    one = (first.to_numpy() == "") != (last.to_numpy() == "")  # (numpy's comparison: a fourth of pandas' time)
    whole = first[one] + last[one]
    whole = whole[whole.str.contains(" ", regex=False)]
    if whole.empty:
        return first, last
    parts = map_unique(whole, split_full_name)
    word = parts.str[1]
    split = (parts.str[0] != "") & (word != "") & (
        word.map(last.value_counts()).fillna(0) > word.map(first.value_counts()).fillna(0))
    rows = split[split].index
    first, last = first.copy(), last.copy()
    first[rows], last[rows] = parts[rows].str[0], word[rows]
    return first, last


def _full_names(first: Coded, last: Coded) -> Coded:
    """``first + " " + last``, stripped: one string per distinct pair of names (or of parts of a last
    name), shared by its rows; ``first`` and ``last`` as `_coded`, and what it returns.

    >>> codes, texts = _full_names(_coded(pd.Series(["ann", "", "ann"])), _coded(pd.Series(["lee", "ann", "lee"])))
    >>> codes.tolist(), texts.tolist()
    ([0, 1, 0], ['ann lee', 'ann'])
    """
    pair, i, j = distinct_pairs(first[0], last[0])
    texts = np.array([f"{x} {y}".strip() for x, y in zip(first[1][i], last[1][j])], dtype=object)
    # the pairs come in the order the rows first hold them: the codes of their texts are those of the rows' texts
    derived, distinct = pd.factorize(texts)
    return derived[pair].astype(np.int32), np.asarray(distinct, dtype=object)


def _coded(texts: pd.Series) -> Coded:
    """``texts`` as `pd.factorize` codes them (in 32 bits: kept all run)."""
    codes, distinct = pd.factorize(texts.to_numpy(dtype=object))
    return codes.astype(np.int32), np.asarray(distinct, dtype=object)


def _texts(coded: Coded, index: pd.Index) -> pd.Series:
    """The texts of `_coded` codes, as a Series on ``index``."""
    codes, distinct = coded
    return pd.Series(distinct[codes], index=index, dtype=object)


def _joined(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    if not columns:
        return pd.Series("", index=frame.index, dtype=object)
    joined = frame[columns[0]]
    for column in columns[1:]:
        joined = joined + " " + frame[column]
    return joined


_ADDRESS_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "blv": "blvd", "bd": "blvd",
    "road": "rd", "drive": "dr", "lane": "ln", "place": "pl", "court": "ct", "square": "sq", "highway": "hwy",
    "parkway": "pkwy", "terrace": "ter", "crescent": "cres", "north": "n", "south": "s", "east": "e", "west": "w",
    "suite": "ste", "apartment": "apt", "first": "1", "second": "2", "third": "3", "fourth": "4",
    "fifth": "5", "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "saint": "st", "mount": "mt", "center": "ctr", "centre": "ctr",
}


_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")


def fold_address(text: str) -> str:
    """``"12224 Ventura Blvd."`` and ``"12224 ventura boulevard"`` → ``"12224 ventura blvd"``;
    ``"124 East 113th Street"`` → ``"124 e 113 st"``."""
    return " ".join(_ADDRESS_WORDS.get(token, token) for token in _ORDINAL.sub(r"\1", fold(text)).split())


#: Year first: ISO (``2021-01-10``, ``20210110``), or with slashes or dots (``2021/01/10``, ``2021.01.10``)
_ISO_DATE = re.compile(r"(\d{4})([-/.]?)(\d{1,2})\2(\d{1,2})")
_SLASH_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})[/.-](\d{4}|\d{2})")
#: A date with its month in words, folded (``"Thu, 4 Mar 2021"`` → ``"thu 4 mar 2021"``): day first, or month first
_NAMED_DATE = re.compile(r"(?:[a-z]+ )?(?:(\d{1,2})(?:st|nd|rd|th|er)? ([a-z]+)|([a-z]+) (\d{1,2})(?:st|nd|rd|th)?) (\d{4}|\d{2})")
_MONTHS = {name: month for month, names in enumerate([
    "jan january janv janvier", "feb february fev fevr fevrier", "mar march mars", "apr april avr avril", "may mai",
    "jun june juin", "jul july juil juillet", "aug august aou aout", "sep sept september septembre",
    "oct october octobre", "nov november novembre", "dec december decembre"], start=1) for name in names.split()}


def day_first(values: Iterable[str]) -> bool | None:
    """Whether a column writes its slashed dates day first: ``True`` when some first number
    cannot be a month (``31/12/1990``) and no second one, ``False`` the other way round
    (``12/31/1990``), ``None`` when its dates do not tell (`date_key` then reads each alone).

    >>> day_first(["03/04/1990", "25/12/1990"]), day_first(["03/04/1990", "12/25/1990"]), day_first(["03/04/1990"])
    (True, False, None)
    """
    day, month = telling_dates(values)
    return day is not None if (day is None) != (month is None) else None


def telling_dates(values: Iterable[str]) -> tuple[str | None, str | None]:
    """The first slashed date of ``values`` that can only be day first (``25/12/1990``), and the first that can
    only be month first (``12/25/1990``): a column that writes both does not tell (`day_first`).

    >>> telling_dates(["03/04/1990", "12/25/1990", "25/12/1990", "31/12/1990"])
    ('25/12/1990', '12/25/1990')
    """
    day = month = None
    for text in values:
        if (match := _SLASH_DATE.match(text.strip())) and match[2] != ".":  # a time may follow
            if day is None and int(match[1]) > 12:
                day = text
            if month is None and int(match[3]) > 12:
                month = text
    return day, month


def moments(texts: pd.Series, day_first: bool | None = None) -> np.ndarray:
    """Dates as ``YYYYMMDDhhmmss`` integers, -1 where the text is not a date, read as `date_key`
    reads them (in a column's order, ``day_first``), with the time after them
    (``2019-01-05T09:00:00.000Z``, ``07/03/2021 10:00``, ``Mar 4, 2021 10:00 PM``; none: midnight), so
    that two records of one day are told apart. A time with its zone's offset (``10:00:00+01:00``) is read in
    UTC, as ``Z`` writes it; one without is read as it is. A day that systems write for no date
    (`placeholder_day`: ``1900-01-01``) is none either.

    >>> moments(pd.Series(["2021-03-04 10:22", "03/04/2021 10:22:00 AM", "Mar 4, 2021", "soon"])).tolist()
    [20210304102200, 20210304102200, 20210304000000, -1]
    >>> moments(pd.Series(["2021-03-04T00:30:00+01:00", "2021-03-04T09:30:00Z", "2021-03-04 10:00 -0530"])).tolist()
    [20210303233000, 20210304093000, 20210304153000]
    """
    text = texts.str.strip()
    time = text.str.extract(_TIME)
    keys = text.map(lambda value: date_key(value, day_first))  # (which leaves the time out)
    dated = keys.str.fullmatch(r"\d{8}") & ~keys.map(placeholder_day)
    day = np.where(dated, pd.to_numeric(keys, errors="coerce"), -1).astype(np.int64)
    hour, minute, second = (pd.to_numeric(time[i], errors="coerce").fillna(0).to_numpy(np.int64) for i in range(3))
    noon = time[3].fillna("").str.lower().str.startswith("p").to_numpy()
    hour = np.where(time[3].notna().to_numpy(), hour % 12 + 12 * noon, hour)  # 12 AM is 0, 12 PM 12
    moment = np.where(day < 0, -1, day * 1_000_000 + hour * 10_000 + minute * 100 + second)
    if (zoned := time[4].notna().to_numpy() & (moment >= 0)).any():  # to UTC: 10:00+01:00 is 09:00Z
        east = time[5].to_numpy()[zoned].astype(np.int64) * 60 + time[6].to_numpy()[zoned].astype(np.int64)
        local = pd.to_datetime(pd.Series(moment[zoned].astype(str)), format="%Y%m%d%H%M%S", errors="coerce")
        utc = _as_moments(local - pd.to_timedelta(np.where(time[4].to_numpy()[zoned] == "-", -east, east), unit="min"))
        moment[zoned] = np.where(utc < 0, moment[zoned], utc)
    return moment


def column_moments(frame: pd.DataFrame, column: str, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
    """The dates of ``column`` (at ``rows``; default: all) as `moments`, read as the column writes them:
    slashed dates in its order (`column_day_first`); a column whose filled cells are all whole numbers
    of 9 or 10 digits (seconds since 1970, UTC) or 12 or 13 (milliseconds), as some CRMs' APIs export
    dates, is read so, unless every one is a date and time written without separators (`_COMPACT_MOMENT`:
    ``202401021030``, not milliseconds of 1976). Among other dates such a number is no date: it could be anything.

    >>> column_moments(pd.DataFrame({"Updated": ["1700000000000", "", "1700000001"]}), "Updated").tolist()
    [20231114221320, -1, 20231114221321]
    >>> column_moments(pd.DataFrame({"Updated": ["202401021030", "20231231235959"]}), "Updated").tolist()
    [20240102103000, 20231231235959]
    """
    texts = frame[column] if rows is None else frame[column].iloc[rows]
    distinct = pd.Series(frame[column].unique(), dtype=object).str.strip()
    filled = distinct[distinct != ""]
    compact = len(filled) and _COMPACT_MOMENT.fullmatch(filled.iloc[0])  # (most columns: one cell looked at)
    if compact and filled.str.fullmatch(_COMPACT_MOMENT.pattern).all():
        return moments(texts.str.strip().str.replace(
            _COMPACT_MOMENT, lambda m: f"{m[1]}-{m[2]}-{m[3]} {m[4]}:{m[5]}:{m[6] or '00'}", regex=True))
    if not len(filled) or not filled.str.fullmatch(_EPOCH.pattern).all():
        return moments(texts, day_first(filled))
    text = texts.str.strip()
    number = pd.to_numeric(text.where(text != ""), errors="coerce")
    seconds = np.where(text.str.len() > 10, number // 1000, number)
    return _as_moments(pd.Series(pd.to_datetime(seconds, unit="s")))


def shown_date(text: str, moment: int) -> str:
    """A date cell as a reason shows it: as written, but a number of seconds or milliseconds since 1970 that
    `column_moments` read as ``moment`` as the date and time in UTC it stands for.

    >>> shown_date("1700000001000", 20231114221321), shown_date("202403021030", 20240302103000)
    ('2023-11-14 22:13:21 UTC', '202403021030')
    """
    if moment < 0 or not _EPOCH.fullmatch(text.strip()) or _COMPACT_MOMENT.fullmatch(text.strip()):
        return text
    digits = f"{moment:014d}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]} {digits[8:10]}:{digits[10:12]}:{digits[12:]} UTC"


#: A date as seconds (9 or 10 digits) or milliseconds (12 or 13) since 1970, as `column_moments` reads a column of them.
_EPOCH = re.compile(r"\d{9,10}|\d{12,13}")
#: A date and time written without separators, ``YYYYMMDDhhmm`` or ``YYYYMMDDhhmmss``, as `column_moments` reads a
#: column of them (a number of 12 digits so is no number of milliseconds: those of 1976 alone look so).
_COMPACT_MOMENT = re.compile(r"((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])([0-5]\d)([0-5]\d)?")


def _as_moments(times: pd.Series) -> np.ndarray:
    """Datetimes as `moments` writes them (``YYYYMMDDhhmmss``; -1: none)."""
    return pd.to_numeric(times.dt.strftime("%Y%m%d%H%M%S")).fillna(-1).to_numpy(dtype=np.int64)


#: A time after a date, as `moments` reads it: its hour, minute, second, AM/PM and time zone's offset
#: (``+01:00``, ``-0500``; ``Z`` is none).
_TIME = (r"(?:T|\s+(?:at\s+)?)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*([AaPp]\.?[Mm]\.?)?"
         r"\s*(?:Z|UTC|GMT)?(?:([+-])(\d{2}):?(\d{2}))?.*$")
_TIME_AFTER = re.compile(_TIME)


def _full_date(key: str) -> str:
    """A `date_key` that is a whole date (``YYYYMMDD``), else blank: a birthday without its year
    (``03/15``), text that is no date or a day a system writes for no date (`placeholder_day`) says
    nothing of whether two records are one person."""
    return key if len(key) == 8 and key.isdigit() and not placeholder_day(key) else ""


def placeholder_day(key: str) -> bool:
    """Whether a `date_key` (``YYYYMMDD``) is a day that systems write for no date: 1900-01-01 or
    before (a spreadsheet's day 0, 1899-12-30; 0001-01-01) or 1970-01-01 (Unix time 0).

    >>> [placeholder_day(key) for key in ("19000101", "18991230", "19700101", "19700102")]
    [True, True, True, False]
    """
    return key < "19000102" or key == "19700101"


def placeholder_date(text: str) -> bool:
    """Whether a filled cell of dates holds what systems write for no date: zeros (``0000-00-00``) or a
    `placeholder_day` (``1900-01-01 00:00:00``).

    >>> placeholder_date("0000-00-00 00:00:00"), placeholder_date("01/01/1900"), placeholder_date("12:00 AM 1900")
    (True, True, False)
    """
    key = date_key(text)
    return not key.replace("0", "").strip() or (len(key) == 8 and key.isdigit() and placeholder_day(key))


def date_key(text: str, day_first: bool | None = None) -> str:
    """A date as ``YYYYMMDD``; folded text when it does not read as a date.

    ISO (``1990-12-31``, ``19901231``) and other year-first dates (``1990/12/31``, ``1990.12.31``),
    dotted (``31.12.1990``, always day first) and slashed dates, in the order of their column
    (`day_first`); alone, a slashed date is day first when its first number cannot be a month
    (``31/12/1990``), month first otherwise, as US exports write.
    A month in English or French words (``Mar 4, 2021``, ``04-Mar-2021``, ``4 mars 2021``) is read
    too, and a time after the date is left out (``1990-12-31 00:00:00``, as exports of a date and time column
    write a birth date). A two-digit year is the latest one it can be up to this year (``3/4/21`` is 2021, ``85``
    1985). A day the calendar has not (``31/04/2024``) is no date.

    >>> date_key("03/04/1990"), date_key("03/04/1990", day_first=True), date_key("03.04.1990")
    ('19900304', '19900403', '19900403')
    >>> date_key("2021/01/10"), date_key("2021.1.10")
    ('20210110', '20210110')
    >>> date_key("Thursday, March 4th, 2021"), date_key("04-Mar-85"), date_key("1er févr. 2021"), date_key("3/4/21")
    ('20210304', '19850304', '20210201', '20210304')
    >>> date_key("1990-12-31 00:00:00"), date_key("12/31/1990 12:00 AM"), date_key("1990-12-31T00:00:00Z")
    ('19901231', '19901231', '19901231')
    >>> date_key("31/04/2024"), date_key("2023-02-29"), date_key("2024-02-29")
    ('31 04 2024', '2023 02 29', '20240229')
    """
    text = _TIME_AFTER.sub("", text.strip())
    if match := _ISO_DATE.fullmatch(text):
        year, _, month, day = match.groups()
    elif match := _SLASH_DATE.fullmatch(text):
        first, separator, second, year = match.groups()
        swap = separator == "." or (int(first) > 12 if day_first is None else day_first)
        month, day = (second, first) if swap else (first, second)
    elif (match := _NAMED_DATE.fullmatch(folded := fold(text))) and (named := _MONTHS.get(match[2] or match[3])):
        year, month, day = match[5], str(named), match[1] or match[4]
    else:
        return folded
    if len(year) == 2:
        year = str(2000 + int(year) if 2000 + int(year) <= dt.date.today().year else 1900 + int(year))
    month, day = int(month), int(day)
    if 1 <= month <= 12 and 1 <= day <= calendar.mdays[month] + (month == 2 and calendar.isleap(int(year))):
        return f"{year}{month:02d}{day:02d}"
    return fold(text)  # no day of the calendar (``31/04/2024``, ``2023-02-29``): no date


def first_of_record(rows: np.ndarray, n: int = EMAILS_COMPARED) -> np.ndarray:
    """Whether each value of a table by record (``rows``, ascending) is among its record's first ``n``.

    >>> first_of_record(np.array([0, 0, 0, 2, 2]), 2).tolist()
    [True, True, False, True, True]
    """
    return np.arange(len(rows)) - np.repeat(*run_lengths(rows)) < n
