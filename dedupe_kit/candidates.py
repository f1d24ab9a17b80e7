"""Candidate pairs: every two records that share a blocking key.

Keys are values two records of one person often share: any normalized
identifier (an email, an E.164 phone, an external ID — across columns, so a home
phone equal to another row's mobile counts), the last seven digits of a phone,
name keys (last name with the first name or any of its nicknames, in both orders
to catch swapped names; phonetic keys for typos), and keys of organisation
contacts (company, street address). A key held by more than
``match.max_block_size`` records (an office switchboard, ``info@``, "John Smith"
in a large file) makes no pairs: it is reported instead, and city-qualified
name keys still pair the records of a common name.

The pairs are built by a `recordlinkage` index algorithm (`SharedKeyIndex`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
import numpy as np
import pandas as pd
from recordlinkage.base import BaseIndexAlgorithm

from .config import Config
from .load import Contacts
from .normalize import Normalized, display

#: Blocking keys by kind: what it means to an analyst, and how many records may share one
#: before it stops making pairs, as a share of ``match.max_block_size`` (weak keys, which
#: many different people share by chance, get a smaller block).
KEY_KINDS: dict[str, tuple[str, float]] = {
    "email": ("same email", 1.0),
    "phone": ("same phone", 1.0),
    "external_id": ("same external ID", 1.0),
    "phone_last7": ("same last 7 phone digits", 0.2),
    "name": ("same name (or nickname), either order", 0.2),
    "name_city": ("same name (or nickname) and city", 0.2),
    "name_sound": ("names that sound alike", 0.1),
    "email_user": ("same email name (before the @)", 0.2),
    "email_domain": ("same email domain, while few records share it", 0.1),
    "field": ("same first name, last name or birth date, while few records share it", 0.1),
    "fields": ("two fields the same (of first name, last name, birth date, city, postcode)", 0.1),
    "birth_date": ("same birth date and first initial", 0.2),
    "prefixes": ("names that start alike, with the birth year or the other name's start", 0.1),
    "company": ("same company name", 1.0),
    "address": ("same street address", 1.0),
    "street": ("same house number and street name", 1.0),
    "column": ("same value in a compared column", 0.2),
}
_KIND_CODES = {kind: i for i, kind in enumerate(KEY_KINDS)}


def block_caps(max_block_size: int) -> np.ndarray:
    """The most records a key of each kind may have and still make pairs, by kind code."""
    return np.array([max(3, round(max_block_size * share)) for _, share in KEY_KINDS.values()], dtype=np.int64)


_PAIRED_FIELDS = ("first", "last", "birth_date", "city", "postcode")
_SHIFT = 28  # a key is kind << 56 | first token << 28 | second token


@dataclass(frozen=True)
class Candidates:
    """Record pairs to compare, and the keys that were too common to pair on.

    pairs: ``(source_row_a, source_row_b)`` with ``a < b``, sorted.
    capped: the keys held by more than ``max_block_size`` records:
        ``kind``, ``value`` and ``records``, most records first.
    """

    pairs: pd.MultiIndex
    capped: pd.DataFrame

    def __len__(self) -> int:
        return len(self.pairs)


class SharedKeyIndex(BaseIndexAlgorithm):
    """A recordlinkage index algorithm: pairs of records that share a key.

    ``rows`` and ``keys`` are aligned integer arrays (one entry per key a record
    holds; a key's kind is its top byte). Keys held by more records than their
    kind's cap (``caps``, by kind code) make no pairs; after indexing, ``capped_``
    and ``capped_sizes_`` hold them and their sizes.
    """

    def __init__(self, rows: np.ndarray, keys: np.ndarray, caps: np.ndarray) -> None:
        super().__init__(verify_integrity=False)
        self.rows, self.keys, self.caps = rows, keys, caps

    def _dedup_index(self, df_a: pd.DataFrame) -> pd.MultiIndex:
        a, b, self.capped_, self.capped_sizes_ = shared_key_pairs(self.rows, self.keys, self.caps)
        return pd.MultiIndex.from_arrays([a, b], names=[df_a.index.name, df_a.index.name])


def shared_key_pairs(rows: np.ndarray, keys: np.ndarray, caps: np.ndarray | int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, capped_keys, capped_sizes)``: the distinct pairs ``a < b`` sharing a key held
    by no more records than its cap, sorted, and the keys over their cap with their sizes.

    caps: one cap for every key, or caps by kind code (the key's top byte).
    """
    order = np.lexsort((rows, keys))
    keys, rows = keys[order], rows[order]
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
    keys, rows = keys[keep], rows[keep]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(keys)])
    cap = np.asarray(caps)[keys[starts] >> 56] if np.ndim(caps) else np.full(len(starts), caps)
    too_big = sizes > cap
    in_big = np.repeat(too_big, sizes)
    capped_keys, capped_sizes = keys[starts[too_big]], sizes[too_big]
    keys, rows = keys[~in_big], rows[~in_big]
    found = []
    for step in range(1, int(cap.max(initial=1))):
        same = keys[step:] == keys[:-step]
        if not same.any():
            break
        found.append(rows[:-step][same] * np.int64(1 << 32) + rows[step:][same])
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return codes >> 32, codes & 0xFFFFFFFF, capped_keys, capped_sizes


def candidates(contacts: Contacts, normalized: Normalized, config: Config | None = None) -> Candidates:
    """Candidate pairs of ``contacts`` from the blocking keys of ``normalized``."""
    config = config or Config()
    keys = BlockingKeys(contacts, normalized, config.match.compare_columns)
    index = SharedKeyIndex(keys.rows, keys.keys, block_caps(config.match.max_block_size))
    pairs = index.index(contacts.frame)
    capped = keys.describe(index.capped_).assign(records=index.capped_sizes_)
    capped = capped.sort_values(["records", "kind", "value"], ascending=[False, True, True], ignore_index=True)
    return Candidates(pairs.set_names(["a", "b"]), capped)


class BlockingKeys:
    """Every blocking key of every record, as aligned integer arrays ``rows`` and ``keys``."""

    def __init__(self, contacts: Contacts, normalized: Normalized, compare_columns: Sequence[str] = ()) -> None:
        names, ids, phones = normalized.names, normalized.identifiers, normalized.phones
        texts: list[np.ndarray] = []
        self._parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []

        def add(kind: str, rows: np.ndarray, first: np.ndarray, second: np.ndarray | None = None) -> None:
            keep = first != ""
            if second is not None:
                keep &= second != ""
            self._parts.append((kind, rows[keep], first[keep], second[keep] if second is not None else None))
            texts.append(first[keep])
            if second is not None:
                texts.append(second[keep])

        for kind in ("email", "phone", "external_id"):
            part = ids[ids["kind"] == kind]
            add(kind, part["source_row"].to_numpy(), part["value"].to_numpy(dtype=object))
        personal = ids[(ids["kind"] == "email") & ~ids["shared"]]
        user_domain = personal["value"].str.split("@", n=1, expand=True) if len(personal) else None
        if user_domain is not None:
            add("email_user", personal["source_row"].to_numpy(), user_domain[0].to_numpy(dtype=object))
            add("email_domain", personal["source_row"].to_numpy(), user_domain[1].to_numpy(dtype=object))
        last7 = phones["national"].str[-7:].where(phones["national"].str.len() >= 7, "")
        add("phone_last7", phones["source_row"].to_numpy(), last7.to_numpy(dtype=object))

        row = names.index.to_numpy()
        first, last = names["first"].to_numpy(dtype=object), names["last"].to_numpy(dtype=object)
        city = names["city"].to_numpy(dtype=object)
        # the first name and each of its nicknames, with the last name; and the same swapped
        groups = names["first_group"].map(lambda g: g or ("",))
        lengths = groups.map(len).to_numpy()
        nick_rows = np.repeat(row, lengths)
        nicknames = np.fromiter(chain.from_iterable(groups), dtype=object, count=int(lengths.sum()))
        nick_last, nick_city = np.repeat(last, lengths), np.repeat(city, lengths)
        add("name", nick_rows, nick_last, nicknames)
        add("name", row, first, last)
        add("name_city", nick_rows, nick_last + "|" + nick_city, nicknames)
        add("name_city", row, first + "|" + city, last)
        add("name_sound", row, _metaphone(last), _initial(first))
        add("name_sound", row, _metaphone(first), _initial(last))
        add("birth_date", row, names["birth_date"].to_numpy(dtype=object), _initial(first))
        # typos everywhere: the starts of the names with the birth year, or with each other
        birth = names["birth_date"]
        year = birth.str[:4].where(birth.str.fullmatch(r"\d{8}"), "").to_numpy(dtype=object)
        month_day = birth.str[4:].where(birth.str.fullmatch(r"\d{8}"), "").to_numpy(dtype=object)
        first3, last3 = _prefix(first, 3), _prefix(last, 3)
        add("prefixes", row, np.where(first3 != "", "f:" + first3, ""), year)
        add("prefixes", row, np.where(last3 != "", "l:" + last3, ""), year)
        add("prefixes", row, np.where(month_day != "", "d:" + month_day, ""), _initial(first))
        add("prefixes", row, np.where(month_day != "", "e:" + month_day, ""), _initial(last))
        add("prefixes", row, _prefix(first, 2), _prefix(last, 2))
        for field in ("first", "last", "birth_date"):  # alone: pairs only while the value is rare
            add("field", row, np.full(len(row), field, dtype=object), names[field].to_numpy(dtype=object))
        for i, field_a in enumerate(_PAIRED_FIELDS):
            for field_b in _PAIRED_FIELDS[i + 1:]:
                values = names[field_a].to_numpy(dtype=object)
                add("fields", row, np.where(values != "", field_a + ":" + values, ""),
                    names[field_b].to_numpy(dtype=object))
        add("company", row, names["company"].to_numpy(dtype=object))
        address = names["address"]
        add("address", row, address.to_numpy(dtype=object))
        street = address.str.extract(r"^(\d+)\s+(?:[nsew]\s+)?(\w+)").fillna("")
        add("street", row, street[0].to_numpy(dtype=object), street[1].to_numpy(dtype=object))
        frame = contacts.frame
        for column in compare_columns:
            values = frame[column].str.strip().str.upper().to_numpy(dtype=object)
            add("column", row, np.full(len(row), column, dtype=object), values)

        self._single = {kind for kind, _, _, second in self._parts if second is None}
        self.vocabulary = pd.Index(pd.unique(np.concatenate(texts))) if texts else pd.Index([])
        rows, keys = [], []
        for kind, part_rows, a, b in self._parts:
            code = (np.int64(_KIND_CODES[kind]) << 56) | (self.vocabulary.get_indexer(a).astype(np.int64) << _SHIFT)
            if b is not None:
                code |= self.vocabulary.get_indexer(b).astype(np.int64)
            rows.append(part_rows.astype(np.int64))
            keys.append(code)
        self.rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        self.keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)

    def describe(self, keys: np.ndarray) -> pd.DataFrame:
        """Readable ``kind`` and ``value`` of encoded keys."""
        kinds = list(KEY_KINDS)
        mask = (1 << _SHIFT) - 1
        out = []
        for key in keys.tolist():
            kind = kinds[key >> 56]
            first = self.vocabulary[(key >> _SHIFT) & mask]
            value = display(kind, first) if kind in self._single else f"{first} | {self.vocabulary[key & mask]}"
            out.append((kind, value))
        return pd.DataFrame(out, columns=["kind", "value"])


def _initial(values: np.ndarray) -> np.ndarray:
    return _prefix(values, 1)


def _prefix(values: np.ndarray, size: int) -> np.ndarray:
    return np.array([v[:size] for v in values], dtype=object)


@lru_cache(maxsize=200_000)
def _metaphone_one(text: str) -> str:
    return jellyfish.metaphone(text) if text else ""


def _metaphone(values: np.ndarray) -> np.ndarray:
    return np.array([_metaphone_one(v) for v in values], dtype=object)
