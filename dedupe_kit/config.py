"""Configuration as data: frozen dataclasses that round-trip through TOML.

```toml
[fields]                      # overrides of the detected column roles
external_ids = ["Student ID", "Student Number"]
phones = { "Mobile Phone" = "mobile", "Home Phone" = "home" }

[normalize]
default_region = "FR"

[profile]
shared_min_records = 3

[merge]
survivor = "oldest_created"
rules = { "First Name" = "longest", "Company" = "most_recent" }
```

Unknown sections and keys are errors, checked when the config is built.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
import tomli_w

from .errors import ConfigError
from .fieldmap import ROLES, as_spelled

ROLE_EMAIL_LOCALS = (
    "info", "contact", "admin", "office", "hello", "sales", "support", "help", "team",
    "enquiries", "inquiries", "billing", "accounts", "webmaster", "noreply", "no-reply",
    "reception", "service", "mail", "marketing", "hr", "jobs", "careers", "accueil",
    "secretariat", "bonjour", "direction", "compta", "postmaster", "abuse", "purchasing", "procurement",
    "orders", "payables", "accountspayable", "dispatch", "frontdesk", "shipping", "press", "events", "admissions",
)


def region_problem(region: str) -> str | None:
    """What is wrong with ``region`` as the default phone region, in words (None: phonenumbers knows it)."""
    if region.upper() in phonenumbers.SUPPORTED_REGIONS:
        return None
    return f"{region!r} is not a region phonenumbers knows; use a two-letter ISO code such as 'US', 'FR' or 'GB'"


def encoding_problem(encoding: str) -> str | None:
    """What is wrong with ``encoding`` as an output encoding, in words (None: Python knows it)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return f"{encoding!r} is not an encoding Python knows"
    return None


@dataclass(frozen=True)
class NormalizeConfig:
    """How identifiers and names are normalized.

    default_region: ISO country whose phone numbers are written without a
        country code (``"US"``, ``"FR"``, ``"GB"``…); a mapped country column
        overrides it row by row.
    canonical_email_domains: providers that ignore dots in the local part; their
        addresses also get a canonical form for matching (a ``+tag`` never counts).
    role_email_locals: local parts of shared mailboxes (``info@``…), flagged
        as shared rather than personal.
    """

    default_region: str = "US"
    canonical_email_domains: tuple[str, ...] = ("gmail.com", "googlemail.com")
    role_email_locals: tuple[str, ...] = ROLE_EMAIL_LOCALS

    def __post_init__(self) -> None:
        if problem := region_problem(self.default_region):
            raise ConfigError(f"normalize.default_region: {problem}")
        for key, values, part, side in (("role_email_locals", self.role_email_locals, 0, "before"),
                                        ("canonical_email_domains", self.canonical_email_domains, -1, "after")):
            if typed := next((value for value in values if "@" in value), None):  # else it would match no address
                raise ConfigError(f"normalize.{key}: {typed!r} holds an @; give the part {side} it, "
                                  f"{typed.split('@')[part]!r}")
        object.__setattr__(self, "default_region", self.default_region.upper())
        object.__setattr__(self, "canonical_email_domains", tuple(d.lower() for d in self.canonical_email_domains))
        object.__setattr__(self, "role_email_locals", tuple(x.lower() for x in self.role_email_locals))


@dataclass(frozen=True)
class ProfileConfig:
    """What the data-quality profile reports.

    shared_min_records: a phone, email or ID held by at least this many records
        is listed as shared (an office line, a household landline, ``info@``).
    """

    shared_min_records: int = 3

    def __post_init__(self) -> None:
        if self.shared_min_records < 2:
            raise ConfigError("profile.shared_min_records must be at least 2")


#: The largest ``match.max_block_size``: a value shared by 10,000 records already makes about 50
#: million pairs, and a larger one could not be compared in memory (nor held by numpy's integers).
MAX_BLOCK_SIZE = 10_000
#: The most random pairs ``match.random_pairs`` may draw: ten million already hold 2 GB of comparisons.
MAX_RANDOM_PAIRS = 10_000_000


@dataclass(frozen=True)
class MatchConfig:
    """How pairs are found, scored and grouped.

    upper: pairs with a match probability at or above it are merged automatically.
    lower: pairs between ``lower`` and ``upper`` go to review; below, they are dropped.
    max_block_size: a value (phone, email, name key…) shared by more records
        than this makes no pairs (an office switchboard, ``info@``); it is reported.
        At most `MAX_BLOCK_SIZE`.
    random_pairs: random record pairs drawn to learn how often fields agree by chance.
    em_iterations: rounds of expectation-maximisation to learn how often they agree
        for true matches.
    seed: for the random pairs, so that the same input gives the same scores.
    compare_columns: other columns to compare (exact, one character off, different),
        e.g. a national ID with typos, a state.
    first_names_must_agree: a pair whose first names differ (not a nickname, not one
        typo apart) goes to review however high it scores, unless a birth date, an
        external ID or a compared personal number agrees: family members share a
        landline, a last name and an address. So does a pair of two names of their own
        (Michael and Michelle; Mason and Jason when each one's mailbox spells their
        name), unless an external ID or a personal number agrees: twins share a birth date.
    namesakes_need_review: a pair whose emails differ (or share only the name before the @)
        and whose phones differ (or that holds namesakes' mailboxes and no phone in common),
        or whose last names differ on a shared phone without a shared email, or whose first
        names are not the same and who each have a mailbox of their own name at one
        organisation's domain, or whose emails differ and who each have a mobile of their
        own with another line in common, goes to review however high it scores, unless a
        birth date, an external ID or a compared personal number agrees (namesakes; colleagues
        on one switchboard or at one company; a father and a son on one home phone). A B2B
        file whose people have a work and a personal record of each may turn it off.
    """

    upper: float = 0.95
    lower: float = 0.5
    max_block_size: int = 50
    random_pairs: int = 300_000
    em_iterations: int = 40
    seed: int = 2026
    compare_columns: tuple[str, ...] = ()
    first_names_must_agree: bool = True
    namesakes_need_review: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.lower <= self.upper < 1:
            raise ConfigError(f"match: need 0 < lower <= upper < 1, got lower={self.lower}, upper={self.upper}")
        if (not 2 <= self.max_block_size <= MAX_BLOCK_SIZE or not 1000 <= self.random_pairs <= MAX_RANDOM_PAIRS
                or self.em_iterations < 1):
            raise ConfigError(f"match: max_block_size must be from 2 to {MAX_BLOCK_SIZE:,} (a value shared by more "
                              f"records makes too many pairs to compare), random_pairs from 1,000 to "
                              f"{MAX_RANDOM_PAIRS:,}, "
                              f"em_iterations at least 1; got {self.max_block_size:,}, {self.random_pairs:,} "
                              f"and {self.em_iterations:,}")
        if self.seed < 0:  # numpy's random generator takes none
            raise ConfigError(f"match: seed must be 0 or more, got {self.seed:,}")
        if twice := sorted({c for c in self.compare_columns if self.compare_columns.count(c) > 1}):
            raise ConfigError(f"match.compare_columns names {', '.join(map(repr, twice))} twice; name each column once")


SURVIVOR_RULES = ("most_complete", "oldest_created", "most_recently_updated", "lowest_record_id", "source_priority")
FIELD_RULES = ("survivor", "fill", "most_recent", "most_frequent", "longest", "union", "opt_in", "opt_out")
STOP_RULES = ("external_id", "main_phone")


@dataclass(frozen=True)
class CrmProfile:
    """How a CRM's import clears a field.

    clear_word: the cell value that empties a field on import (``""``: the CRM
        cannot clear a field through an import).
    note: what the analyst must know when importing the fix files (``{file}``: the clearing file's name).
    """

    clear_word: str
    note: str = ""


CRM_PROFILES = {
    "generic": CrmProfile("UNSET", "{file} empties fields with 'UNSET', which Mainstay's import reads so: "
                                   "for another CRM set merge.crm (salesforce, hubspot) or merge.clear_word to the "
                                   "word its import empties a field with."),
    "mainstay": CrmProfile("UNSET"),
    "salesforce": CrmProfile("#N/A", "Data Loader ignores blank cells; #N/A empties a field."),
    "hubspot": CrmProfile("", "HubSpot imports skip blank cells and have no clear word: empty the fields "
                              "listed in the clearing file in HubSpot (bulk edit) before importing the update file."),
}


@dataclass(frozen=True)
class MergePolicy:
    """How each group of duplicates becomes one contact (the ``[merge]`` table).

    survivor: which record of a group survives (keeps its record ID):
        ``most_complete`` (most filled cells), ``oldest_created``,
        ``most_recently_updated``, ``lowest_record_id``, or ``source_priority``
        (the value of ``source_column``, ranked by ``source_priority``, in any
        case; a list of which no value is in the column is an error). A
        survivor a person picked in review always wins; ties fall to the lower
        ``source_row``, and the plan says so.
    rules: per column or role, how the merged value is chosen: ``survivor``,
        ``fill`` (the survivor's, filled from the others where blank — the
        default), ``most_recent``, ``most_frequent``, ``longest``, or ``union``
        (the default for emails, phones, notes and tags: the other records'
        values go into the group's empty sibling columns; what does not fit
        goes into an extra column and the audit log), ``opt_in`` or ``opt_out``
        (a column of the person's consent to be contacted, where TRUE means yes
        or no: any record's no wins; the default of such a column of no role
        that its header names, ``Permitted To Text``, ``Do Not Call``). A column that describes
        a phone or email column (``Phone 2 Type``, ``Phone 2 Ext``) follows it
        unless a rule names it.
    stop_on: conflicts that stop a group's merge until a person decides:
        ``external_id`` (two different external unique IDs) and ``main_phone``
        (two different numbers in the first phone column).
    crm: the CRM the fix files are for (sets the clear word and its rules):
        one of ``generic``, ``mainstay``, ``salesforce``, ``hubspot``.
    clear_word: overrides the CRM's clear word (``UNSET`` for ``generic``).
    neutralize_formulas: prefix with ``'`` every written cell that a
        spreadsheet would run as a formula (``=``, ``@``, ``+``/``-`` not
        followed by a number); phone numbers are kept as they are. ``False``
        writes the files for the CRM as they are; the reports keep the ``'``.
    output_encoding, output_delimiter: of the files for the CRM (``""``: the input's).
    """

    survivor: str = "most_complete"
    source_column: str = ""
    source_priority: tuple[str, ...] = ()
    rules: Mapping[str, str] = field(default_factory=dict)
    stop_on: tuple[str, ...] = ("external_id",)
    crm: str = "generic"
    clear_word: str = ""
    neutralize_formulas: bool = True
    output_encoding: str = ""
    output_delimiter: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.output_encoding and (problem := encoding_problem(self.output_encoding)):
            problems.append(f"output_encoding {problem}")
        if len(self.output_delimiter) > 1 or self.output_delimiter in ('"', "\n", "\r"):
            problems.append(f"output_delimiter must be one character other than a quote or a line break, "
                            f"not {self.output_delimiter!r}")
        if self.survivor not in SURVIVOR_RULES:
            problems.append(f"survivor {self.survivor!r} is not one of {', '.join(SURVIVOR_RULES)}")
        if self.survivor == "source_priority" and not (self.source_column and self.source_priority):
            problems.append("survivor = 'source_priority' needs source_column and a source_priority list")
        elif self.survivor != "source_priority" and (self.source_column or self.source_priority):
            problems.append(f"source_column and source_priority are read only with survivor = 'source_priority', "
                            f"not {self.survivor!r}")
        for target, rule in self.rules.items():
            if rule not in FIELD_RULES:
                problems.append(f"rules.{target}: {rule!r} is not one of {', '.join(FIELD_RULES)}")
        problems += [f"stop_on: {s!r} is not one of {', '.join(STOP_RULES)}" for s in self.stop_on if s not in STOP_RULES]
        if self.crm not in CRM_PROFILES:
            problems.append(f"crm {self.crm!r} is not one of {', '.join(CRM_PROFILES)}")
        if problems:
            raise ConfigError("merge: " + "; ".join(problems))
        object.__setattr__(self, "rules", dict(self.rules))

    @property
    def clear(self) -> str:
        """The word that empties a field on import (``""`` when the CRM has none)."""
        return self.clear_word or CRM_PROFILES[self.crm].clear_word


@dataclass(frozen=True)
class Config:
    """Everything a run needs beyond the input file. Defaults suit a typical export."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    profile: ProfileConfig = field(default_factory=ProfileConfig)
    match: MatchConfig = field(default_factory=MatchConfig)
    merge: MergePolicy = field(default_factory=MergePolicy)
    #: where the config was read from, for messages; not part of the config itself
    source: str = field(default="the configuration", compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "the configuration") -> Config:
        """Build from the TOML table form; every unknown key is reported at once."""
        sections = {f.name: f.type for f in dataclasses.fields(cls) if f.name != "source"}
        unknown = sorted(set(data) - set(sections))
        if loose := [key for key in unknown if not isinstance(data[key], Mapping)]:  # `upper = 0.9` above any [match]
            default = cls()
            homes = {**dict.fromkeys((*ROLES, "ignore"), "fields"),
                     **{f.name: name for name in sections if name != "fields"
                        for f in dataclasses.fields(getattr(default, name))}}
            where = "; ".join(f"{key!r} goes under [{homes[key]}]" if key in homes else
                              f"{key!r} is no key of any section" for key in loose)
            raise ConfigError(f"{source}: key(s) above the first [section], in none: {where}")
        if unknown:
            raise ConfigError(f"{source}: unknown section(s) {', '.join(map(repr, unknown))}; "
                              f"use {', '.join(sorted(sections))}")
        fields_ = data.get("fields", {})
        if not isinstance(fields_, Mapping):
            raise ConfigError(f"{source}: [fields] must be a table")
        return cls(
            fields=dict(fields_),
            normalize=_section(NormalizeConfig, data.get("normalize", {}), "normalize", source),
            profile=_section(ProfileConfig, data.get("profile", {}), "profile", source),
            match=_section(MatchConfig, data.get("match", {}), "match", source),
            merge=_section(MergePolicy, data.get("merge", {}), "merge", source),
            source=source,
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        path = Path(path)
        try:
            data = path.read_bytes()
            text = data.decode("utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig")
            data = tomllib.loads(text)
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise ConfigError(f"{path}, line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                              "save the config file as UTF-8") from None
        except tomllib.TOMLDecodeError as exc:  # a value left unfinished on the last line is "at end of document"
            lines = text.count("\n") + 1
            end = f"(at the end of the file, line {lines})"
            raise ConfigError(f"{path}: not valid TOML: {str(exc).replace('(at end of document)', end)}"
                              + _inline_table_hint(str(exc), text)) from None
        return cls.from_dict(data, source=str(path))

    def as_spelled(self, columns: Sequence[str]) -> Config:
        """This config with the columns that ``match.compare_columns``, ``merge.rules`` and ``merge.source_column``
        name spelled as the header ``columns`` spells them, whatever their Unicode form (as `FieldMap.detect`
        reads ``[fields]``), so that the output files keep the header as the export wrote it."""
        match = dataclasses.replace(self.match, compare_columns=as_spelled(self.match.compare_columns, columns))
        merge = dataclasses.replace(self.merge, rules=as_spelled(self.merge.rules, columns),
                                    source_column=as_spelled(self.merge.source_column, columns))
        return dataclasses.replace(self, match=match, merge=merge)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": dict(self.fields),
            "normalize": _plain(dataclasses.asdict(self.normalize)),
            "profile": _plain(dataclasses.asdict(self.profile)),
            "match": _plain(dataclasses.asdict(self.match)),
            "merge": _plain(dataclasses.asdict(self.merge)),
        }

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())


#: what a value of each type of setting is written as in TOML, for the errors
_TOML_TYPES = {bool: "true or false", int: "a whole number", float: "a number such as 0.9", str: "a text in quotes",
               dict: 'a table such as { "First Name" = "longest" }'}


def _inline_table_hint(message: str, text: str) -> str:
    """What is wrong where TOML finds no key at the end of a line in braces, ``rules = {`` or
    ``{ "A" = "fill",``: a table in braces is written on one line, with no comma after its last item."""
    where = re.search(r"Invalid initial character for a key part \(at line (\d+), column (\d+)\)", message)
    lines = text.splitlines()
    if not where or int(where[1]) > len(lines):
        return ""
    line, column = lines[int(where[1]) - 1], int(where[2])
    if "{" not in line[:column] or line[column - 1:].strip() not in ("", "}"):
        return ""
    return ("; a table in braces, { … }, is written on one line, with no comma after its last item "
            "(or as a table of its own, such as [merge.rules], one item a line)")


def _section(cls: type, data: Any, name: str, source: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: [{name}] must be a table")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [{name}]: {', '.join(map(repr, unknown))}; "
                          f"known keys are {', '.join(known)}")
    values = {}
    for key, value in data.items():
        default = getattr(cls(), key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ConfigError(f"{source}: {name}.{key} must be a list of texts, not {value!r}")
            value = tuple(value)
        elif isinstance(default, float) and type(value) is int:
            value = float(value)
        elif type(value) is not type(default):
            raise ConfigError(f"{source}: {name}.{key} must be {_TOML_TYPES[type(default)]}, not {value!r}")
        values[key] = value
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
