"""Normalize identifiers (phones, emails, external IDs) and names.

The result is the long identifier table of the design: one row per
(source row, identifier) with its kind and normalized value — E.164 phones,
canonical emails, trimmed external IDs — plus one row of name keys per source
row, and every value that could not be used, with the reason, for the profile.

Each distinct raw value is normalized once: exports repeat values, and phone
parsing is the slow part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult
from tqdm.auto import tqdm

from .config import Config, NormalizeConfig
from .fieldmap import fold_header
from .load import Contacts
from .names import fold, fold_name, nickname_group, split_full_name

IDENTIFIER_COLUMNS = ["source_row", "kind", "column", "value", "display", "phone_kind", "shared"]
PROBLEM_COLUMNS = ["source_row", "kind", "column", "raw", "reason"]
NAME_COLUMNS = ["first", "last", "first_group", "full", "company", "city"]

#: Show a progress bar when at least this many distinct phone values must be parsed.
PROGRESS_MIN_VALUES = 20_000


@dataclass(frozen=True)
class Normalized:
    """What `normalize` returns.

    identifiers: ``source_row, kind (email/phone/external_id), column, value``
        (the normalized key that matching compares), ``display`` (the value as
        an analyst reads it), ``phone_kind`` (mobile/home/work/fax/other for
        phones) and ``shared`` (a role address such as ``info@``).
    names: indexed by ``source_row``: folded ``first``, ``last``,
        ``first_group`` (the first name with its nicknames and formal names,
        a frozenset), ``full`` name, ``company``, ``city``.
    problems: values that were typed but cannot be used, with the reason.
    """

    identifiers: pd.DataFrame
    names: pd.DataFrame
    problems: pd.DataFrame


def normalize(contacts: Contacts, config: Config | None = None, *, progress: bool | None = None) -> Normalized:
    """Normalize every mapped identifier and name of ``contacts``.

    ``progress``: ``None`` shows a bar only for long work, ``True`` always,
    ``False`` never.
    """
    settings = (config or Config()).normalize
    fm, frame = contacts.field_map, contacts.frame
    found: list[pd.DataFrame] = []
    problems: list[pd.DataFrame] = []

    regions = _row_regions(frame, fm.country, settings.default_region)
    for column, kind in fm.phones:
        long = _long(frame, column).assign(region=lambda d, r=regions: r[d["source_row"].to_numpy()])
        ok, bad = _apply_unique(long, ["raw", "region"], lambda k: parse_phone(*k), progress, "phones")
        found.append(ok.assign(kind="phone", column=column, phone_kind=kind, shared=False))
        problems.append(bad.assign(kind="phone", column=column))
    email_parser = EmailParser(settings)
    for column in fm.emails:
        ok, bad = _apply_unique(_long(frame, column), ["raw"], lambda k: email_parser(k[0]), False, "emails",
                                 ("value", "display", "shared"))
        found.append(ok.assign(kind="email", column=column, phone_kind=""))
        problems.append(bad.assign(kind="email", column=column))
    for column in fm.external_ids:
        ok, bad = _apply_unique(_long(frame, column), ["raw"], lambda k: parse_external_id(k[0]), False, "IDs")
        found.append(ok.assign(kind="external_id", column=column, phone_kind="", shared=False))
        problems.append(bad.assign(kind="external_id", column=column))

    identifiers = _concat(found, IDENTIFIER_COLUMNS)
    identifiers["kind"] = pd.Categorical(identifiers["kind"], categories=["email", "phone", "external_id"])
    identifiers["shared"] = identifiers["shared"].astype(bool)
    identifiers = identifiers.sort_values(["source_row", "kind", "column"], kind="stable", ignore_index=True)
    problems_frame = _concat(problems, PROBLEM_COLUMNS).sort_values(["source_row", "column"], ignore_index=True)
    return Normalized(identifiers, _name_keys(contacts), problems_frame)


# --- phones -----------------------------------------------------------------------------------

_PHONE_SPLIT = re.compile(r"\s*(?:[;|\n]|\s/\s)\s*")
_PHONE_SQUEEZE = re.compile(r"[\s().\-/\u00a0]+")
_PLACEHOLDER_NATIONAL = re.compile(r"(\d)\1*|0?123456789\d?|\d{3}5555555|5555551212")
_POSSIBLE_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number without area code",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
}

#: Result of parsing one value: usable ``(value, display)`` pairs and ``(raw part, reason)`` problems.
Parsed = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def parse_phone(raw: str, region: str) -> Parsed:
    """Phone numbers in a cell, as E.164 ``value`` and international ``display``.

    >>> parse_phone("0033 6 12 34 56 78", "US")
    ([('+33612345678', '+33 6 12 34 56 78')], [])
    >>> parse_phone("555-555-5555", "US")
    ([], [('555-555-5555', 'placeholder number')])
    """
    ok, bad = [], []
    for part in _PHONE_SPLIT.split(raw.strip()):
        if part:
            usable, *result = _parse_phone_part(_PHONE_SQUEEZE.sub("", part), region)
            if usable:
                ok.append(tuple(result))
            else:
                bad.append((part, result[0]))
    return ok, bad


@lru_cache(maxsize=1 << 20)
def _parse_phone_part(text: str, region: str) -> tuple:
    """``(True, e164, display)`` or ``(False, reason)`` for one separator-free number."""
    if text.startswith("00"):
        text = "+" + text[2:]
    digits = re.sub(r"\D", "", text.split("x")[0])
    if not digits:
        return (False, "not a phone number")
    if len(digits) >= 6 and _PLACEHOLDER_NATIONAL.fullmatch(digits):
        return (False, "placeholder number")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return (False, "not a phone number")
    zeros = (number.number_of_leading_zeros or 1) if number.italian_leading_zero else 0
    national = "0" * zeros + str(number.national_number)
    if _PLACEHOLDER_NATIONAL.fullmatch(national):
        return (False, "placeholder number")
    if not phonenumbers.is_valid_number(number):
        reason = _POSSIBLE_REASONS.get(phonenumbers.is_possible_number_with_reason(number))
        return (False, reason or "not a valid number for its country")
    display = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    number.extension = None
    return (True, phonenumbers.format_number(number, PhoneNumberFormat.E164), display)


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
}


def country_region(country: str, default: str) -> str:
    """The phone region of a country cell (``"France"`` → ``"FR"``); ``default`` when unknown."""
    folded = fold_header(country)
    if folded in COUNTRY_REGIONS:
        return COUNTRY_REGIONS[folded]
    code = folded.upper()
    return code if len(code) == 2 and code in phonenumbers.SUPPORTED_REGIONS else default


def _row_regions(frame: pd.DataFrame, country_column: str | None, default: str) -> np.ndarray:
    if country_column is None:
        return np.full(len(frame), default, dtype=object)
    return frame[country_column].map(lambda c: country_region(c, default)).to_numpy(dtype=object)


# --- emails and external IDs --------------------------------------------------------------------

_EMAIL_TOKEN = re.compile(r"[^\s<>;,\"'()\[\]]*@[^\s<>;,\"'()\[\]]*")
_EMAIL_SYNTAX = re.compile(
    r"(?!\.)(?!.*\.\.)[\w!#$%&'*+/=?^`{|}~.-]{1,64}(?<!\.)"
    r"@(?=.{1,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
)
PLACEHOLDER_EMAIL_LOCALS = frozenset("noemail no-email nomail none null na n/a unknown test example fake".split())
PLACEHOLDER_TEXT = frozenset(["n/a", "na", "none", "null", "nil", "-", "--", "?", "x", "unknown", "tbd", "0"])


class EmailParser:
    """Trim, lower-case and check email addresses; canonical forms and role flags from the config.

    >>> EmailParser(NormalizeConfig())(" Jean.Dupont+news@GMail.com ")
    ([('jeandupont@gmail.com', 'jean.dupont+news@gmail.com', False)], [])
    """

    def __init__(self, settings: NormalizeConfig) -> None:
        self.canonical_domains = settings.canonical_email_domains
        self.role_locals = frozenset(settings.role_email_locals)

    def __call__(self, raw: str) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str]]]:
        text = raw.strip()
        if text.casefold() in PLACEHOLDER_TEXT:
            return [], [(text, "placeholder, not an address")]
        tokens = _EMAIL_TOKEN.findall(text.replace("mailto:", "").replace("MAILTO:", ""))
        if not tokens:
            return [], [(text, "no @: not an email address")]
        ok, bad = [], []
        for token in tokens:
            address = token.strip(".").lower()
            if not _EMAIL_SYNTAX.fullmatch(address):
                bad.append((token, "not a valid email address"))
                continue
            local, domain = address.rsplit("@", 1)
            if local in PLACEHOLDER_EMAIL_LOCALS:
                bad.append((token, "placeholder address"))
                continue
            if domain in self.canonical_domains:
                local, domain = local.split("+", 1)[0].replace(".", ""), self.canonical_domains[0]
            ok.append((f"{local}@{domain}", address, local.split("+", 1)[0] in self.role_locals))
        return ok, bad


def parse_external_id(raw: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """An external unique ID, trimmed and upper-cased; placeholders (``N/A``, ``0``) are not IDs."""
    text = " ".join(raw.split())
    if text.casefold() in PLACEHOLDER_TEXT:
        return [], [(text, "placeholder, not an ID")]
    return [(text.upper(), text)], []


# --- shared machinery -------------------------------------------------------------------------


def _long(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``source_row, raw`` for the non-blank cells of one column."""
    values = frame[column]
    values = values[values.str.strip().astype(bool)]
    return pd.DataFrame({"source_row": values.index.to_numpy(dtype=np.int64), "raw": values.to_numpy(dtype=object)})


def _apply_unique(
    long: pd.DataFrame,
    keys: list[str],
    parse: Callable[[tuple], tuple[list[tuple], list[tuple]]],
    progress: bool | None,
    label: str,
    columns: tuple[str, ...] = ("value", "display"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``parse`` once per distinct key and spread its results back to every row.

    Returns the usable values (``source_row`` and ``columns``) and the problems
    (``source_row, raw, reason``).
    """
    codes, uniques = pd.MultiIndex.from_frame(long[keys]).factorize() if len(long) else (np.zeros(0, int), [])
    show = len(uniques) >= PROGRESS_MIN_VALUES if progress is None else progress
    results = [parse(k if isinstance(k, tuple) else (k,)) for k in
               tqdm(uniques, desc=f"normalizing {label}", unit="value", disable=not show)]
    ok_rows, bad_rows = _spread(codes, long["source_row"].to_numpy(), results)
    ok = pd.DataFrame(ok_rows, columns=["source_row", *columns])
    bad = pd.DataFrame(bad_rows, columns=["source_row", "raw", "reason"])
    return ok, bad


def _spread(codes: np.ndarray, rows: np.ndarray, results: list) -> tuple[list[tuple], list[tuple]]:
    ok_rows: list[tuple] = []
    bad_rows: list[tuple] = []
    for code, row in zip(codes.tolist(), rows.tolist()):
        ok, bad = results[code]
        ok_rows.extend((row, *item) for item in ok)
        bad_rows.extend((row, *item) for item in bad)
    return ok_rows, bad_rows


def _concat(frames: Iterable[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=np.int64 if c == "source_row" else object) for c in columns})
    out = pd.concat(frames, ignore_index=True)
    return out[columns].astype({"source_row": np.int64})


# --- names --------------------------------------------------------------------------------------


def _map_unique(values: pd.Series, func: Callable[[str], Hashable]) -> pd.Series:
    """``values.map(func)`` computing ``func`` once per distinct value."""
    if values.empty:
        return values.astype(object)
    uniques = pd.unique(values.to_numpy(dtype=object))
    return values.map(dict(zip(uniques, map(func, uniques))))


def _name_keys(contacts: Contacts) -> pd.DataFrame:
    fm, frame = contacts.field_map, contacts.frame
    blank = pd.Series("", index=frame.index, dtype=object)

    def column(name: str | None, func: Callable[[str], str]) -> pd.Series:
        return blank if name is None else _map_unique(frame[name], func)

    first, last = column(fm.first_name, fold_name), column(fm.last_name, fold_name)
    if fm.full_name is not None:
        full_raw = frame[fm.full_name]
        need = (first == "") & (last == "") & (full_raw.str.strip() != "")
        if need.any():
            parts = _map_unique(full_raw[need], split_full_name)
            first, last = first.copy(), last.copy()
            first[need] = parts.str[0]
            last[need] = parts.str[1]
        full = column(fm.full_name, fold_name).where(lambda s: s != "", (first + " " + last).str.strip())
    else:
        full = (first + " " + last).str.strip()
    return pd.DataFrame(
        {
            "first": first,
            "last": last,
            "first_group": _map_unique(first, nickname_group),
            "full": full,
            "company": column(fm.company, fold),
            "city": column(fm.city, fold),
        },
        index=frame.index,
    )
