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

from collections.abc import Callable, Iterable, Iterator, Sequence
import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
import numpy as np
import pandas as pd
from recordlinkage.base import BaseIndexAlgorithm

from ._perf import first_appearances, mixed, run_lengths, run_starts, sort_order, sorted_distinct
from .compare import check_comparable, first_copies
from .config import Config
from .load import Contacts, check_source
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
    """The most records a key of each kind may have and still make pairs, by kind code.

    A kind's share of ``max_block_size``, but at least 3 records (a tenth of a small cap would
    pair nothing), and never more than ``max_block_size`` itself, which the summary and the
    profile name as the cap: at 2, a phone three records share makes no pairs, as they say.

    >>> block_caps(50)[[_KIND_CODES["phone"], _KIND_CODES["name"], _KIND_CODES["name_sound"]]].tolist()
    [50, 10, 5]
    >>> sorted(set(block_caps(2).tolist()))
    [2]
    """
    return np.array([min(max_block_size, max(3, round(max_block_size * share))) for _, share in KEY_KINDS.values()],
                    dtype=np.int64)


#: Part of one kind's keys: aligned ``rows``, ``first`` and ``second`` codes (``None``: a key of one text).
_Part = tuple[np.ndarray, np.ndarray, np.ndarray | None]
_PAIRED_FIELDS = ("first", "last", "birth_date", "city", "postcode")
_SHIFT = 28  # a key is kind << 56 | first token << 28 | second token


@dataclass(frozen=True)
class Candidates:
    """Record pairs to compare, and the keys that were too common to pair on.

    pairs: ``(source_row_a, source_row_b)`` with ``a < b``, sorted.
    capped: the keys held by more than ``max_block_size`` records:
        ``kind``, ``value`` and ``records``, most records first.
    first: the first exact copy of each row (`first_copies`), which stands for it.
    """

    pairs: pd.MultiIndex
    capped: pd.DataFrame
    first: np.ndarray

    def __len__(self) -> int:
        return len(self.pairs)


class SharedKeyIndex(BaseIndexAlgorithm):
    """A recordlinkage index algorithm: pairs of records that share a key.

    ``blocks()`` gives the keys one kind at a time, as aligned integer arrays ``rows``
    and ``keys`` (one entry per key a record holds; a key's kind is its top byte), so
    only one kind's keys need be in memory at once. Keys held by more records than
    their kind's cap (``caps``, by kind code) make no pairs; after indexing,
    ``capped_`` and ``capped_sizes_`` hold them and their sizes. ``also``: pairs to make
    besides, as ``a << 32 | b`` codes.
    """

    def __init__(self, blocks: Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]], caps: np.ndarray | int,
                 also: np.ndarray | None = None) -> None:
        super().__init__(verify_integrity=False)
        self.blocks, self.caps, self.also = blocks, caps, also

    def _dedup_index(self, df_a: pd.DataFrame) -> pd.MultiIndex:
        codes, self.capped_, self.capped_sizes_ = _pairs_of_blocks(self.blocks(), self.caps, self.also)
        return pairs_index(codes, [df_a.index.name, df_a.index.name])


def pairs_index(codes: np.ndarray, names: Sequence[str | None]) -> pd.MultiIndex:
    """The pairs ``a << 32 | b`` as ``pd.MultiIndex.from_arrays`` makes them (the sorted distinct
    records of each side as its level), without hashing every pair's records: records are numbered
    from 0, their level positions counted (2,888,554 pairs at 1,000,000 rows: 0.25 s, here 0.04 s).

    >>> pairs_index(np.array([1 << 32 | 5, 1 << 32 | 7, 5 << 32 | 7]), ["a", "b"]).equals(
    ...     pd.MultiIndex.from_arrays([[1, 1, 5], [5, 7, 7]]))
    True
    """
    levels, positions = [], []
    for records in (codes >> 32, codes & 0xFFFFFFFF):
        held = np.bincount(records) > 0
        levels.append(np.flatnonzero(held))
        positions.append((np.cumsum(held) - 1)[records])
    return pd.MultiIndex(levels=levels, codes=positions, names=names, verify_integrity=False)


def shared_key_pairs(rows: np.ndarray, keys: np.ndarray, caps: np.ndarray | int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, capped_keys, capped_sizes)``: the distinct pairs ``a < b`` sharing a key held
    by no more records than its cap, sorted, and the keys over their cap with their sizes.

    caps: one cap for every key, or caps by kind code (the key's top byte).
    Keys of different kinds never meet: each kind is paired on its own (less memory).
    """
    kinds = keys >> 56
    order = np.argsort(kinds, kind="stable")
    rows, keys, kinds = rows[order], keys[order], kinds[order]
    starts = run_starts(kinds)
    codes, capped_keys, capped_sizes = _pairs_of_blocks(
        ((rows[s:e], keys[s:e]) for s, e in zip(starts, np.r_[starts[1:], len(keys)])), caps)
    return codes >> 32, codes & 0xFFFFFFFF, capped_keys, capped_sizes


def _pairs_of_blocks(blocks: Iterable[tuple[np.ndarray, np.ndarray]], caps: np.ndarray | int,
                     also: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`shared_key_pairs` of keys given in blocks, no key in two blocks, the pairs as sorted distinct
    ``a << 32 | b`` codes, with the codes ``also`` among them."""
    found = [np.zeros(0, dtype=np.int64) if also is None else also]
    capped_keys, capped_sizes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for rows, keys in blocks:
        pairs, capped, sizes = _pairs_sharing(rows, keys, caps)
        found.append(pairs)
        capped_keys.append(capped)
        capped_sizes.append(sizes)
    codes = sorted_distinct(np.concatenate(found))
    return codes, np.concatenate(capped_keys), np.concatenate(capped_sizes)


def _pairs_sharing(rows: np.ndarray, keys: np.ndarray, caps: np.ndarray | int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`shared_key_pairs` of keys of one kind: the pairs as distinct ``a << 32 | b`` codes."""
    entries, key_of = _key_codes(keys)
    # the distinct (key, record) entries, by key then record, and so the records of each key: one sort of
    # integers, which numpy's quicksort does with SIMD (the 5,083,515 keys of names and cities at 1,000,000
    # rows: 0.08 s, where hashing them to count each key's entries took 0.34 s, before sorting those kept).
    # Made and sorted in place of the codes: no copy of tens of megabytes, each a fresh mapping of memory
    entries <<= 32
    entries |= rows
    entries = sorted_distinct(entries, stable=False, in_place=True)
    starts, sizes = run_lengths(entries >> 32)  # where each key's records start, and how many
    keys = key_of(entries[starts] >> 32)
    cap = np.asarray(caps)[keys >> 56] if np.ndim(caps) else caps
    too_big = sizes > cap
    capped_keys, capped_sizes = keys[too_big], sizes[too_big]
    several = (sizes > 1) & ~too_big  # a key of one record pairs nothing
    rows, sizes = entries[np.repeat(several, sizes)] & 0xFFFFFFFF, sizes[several]
    # keys of the same records make the same pairs: those are left out where records hold several keys each, as
    # with each nickname of a first name (5.2 at 1,000,000 rows: 1,081,239 keys of names and cities, 293,027 sets
    # of records). Where they hold one or two (emails, phones: at most 1.5), finding them takes longer than making
    # their pairs again (at 1,000,000 rows the emails, phones, external IDs and ends of phones pair 0.10 s sooner)
    if len(rows) > 2 * np.count_nonzero(np.bincount(rows)):
        rows, sizes = _distinct_sets(rows, sizes)
    after = np.repeat(np.cumsum(sizes), sizes) - np.arange(len(rows)) - 1  # records after each in its key
    found, position = [], np.arange(len(rows))
    for step in range(1, int(sizes.max(initial=1))):
        position = position[after[position] >= step]
        if not len(position):
            break
        found.append(rows[position] << 32 | rows[position + step])
    # each key's pairs come in order, but most keys have few (the 2,414,034 pairs of names and cities at
    # 1,000,000 rows: 0.17 s to sort stably, 0.04 s by quicksort)
    pairs = sorted_distinct(np.concatenate(found), stable=False) if found else np.zeros(0, dtype=np.int64)
    return pairs, capped_keys, capped_sizes


def _distinct_sets(rows: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The records of keys (``sizes`` of them in turn in ``rows``, sorted) without the keys whose
    records are those of an earlier key: they make the same pairs (a last name and a city with each
    nickname of a first name: 1,081,302 keys of 293,090 sets of records at 1,000,000 rows). Keys
    are told apart by a sum of a hash of their records, and only dropped when their records are
    the same as those of the first key of the same sum.

    >>> [x.tolist() for x in _distinct_sets(np.array([1, 2, 3, 1, 2, 1, 2]), np.array([3, 2, 2]))]
    [[1, 2, 3, 1, 2], [3, 2]]
    """
    if not len(sizes):
        return rows, sizes
    starts = np.cumsum(sizes) - sizes
    sums = pd.factorize(np.add.reduceat(mixed(rows), starts))[0]  # numbered in the order they first come
    # the first key of each sum, found without sorting (np.unique: the 1,081,239 keys of names and cities at
    # 1,000,000 rows, 0.05 s against 0.003 s)
    same = first_appearances(sums)
    counterpart = np.minimum(np.repeat(starts[same] - starts, sizes) + np.arange(len(rows)), len(rows) - 1)
    kept = (same == np.arange(len(sizes))) | (sizes != sizes[same]) | np.logical_or.reduceat(
        rows != rows[counterpart], starts)
    return rows[np.repeat(kept, sizes)], sizes[kept]


def _key_codes(keys: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """A code below ``2 ** 31`` for each key, the same for the same key (a new array, the caller's to
    write), and a function giving the keys of codes. Keys of one kind whose two numbers fit in 31 bits
    together (as `BlockingKeys` makes them, its first texts numbered 0, 1, 2…) are coded by those
    numbers: no hashing of millions of keys; others as ``pd.factorize`` codes them.

    >>> codes, key_of = _key_codes(np.array([1 << _SHIFT, 0, 1 << _SHIFT]))
    >>> codes.tolist(), (key_of(codes) >> _SHIFT).tolist()
    ([1, 0, 1], [1, 0, 1])
    >>> codes, key_of = _key_codes(np.array([9 << _SHIFT | 4, 3, 9 << _SHIFT | 4]))
    >>> codes.tolist(), (key_of(codes) >> _SHIFT).tolist(), (key_of(codes) & 15).tolist()
    ([49, 3, 49], [9, 0, 9], [4, 3, 4])
    >>> codes, key_of = _key_codes(np.array([1 << 56 | 5, 2 << 56 | 5]))
    >>> codes.tolist(), key_of(codes).tolist() == [1 << 56 | 5, 2 << 56 | 5]
    ([0, 1], True)
    """
    low, high = (int(keys.min()), int(keys.max())) if len(keys) else (0, -1)
    if low >> 56 == high >> 56:  # one kind: its keys are ordered by their first number
        kind, second = high >> 56 << 56, keys & ((1 << _SHIFT) - 1)
        size = int(second.max()) + 1
        if (((high - kind) >> _SHIFT) + 1) * size <= 1 << 31:
            codes = keys - kind  # in place from here: one new array, not four
            codes >>= _SHIFT
            codes *= size
            codes += second
            return codes, lambda found: kind | (found // size) << _SHIFT | found % size
    codes, uniques = pd.factorize(keys)
    return codes, uniques.__getitem__


def candidates(contacts: Contacts, normalized: Normalized, config: Config | None = None) -> Candidates:
    """Candidate pairs of ``contacts`` from the blocking keys of ``normalized``. An exact copy of
    an earlier row (`first_copies`) holds no key: it is paired with that row alone."""
    check_source(contacts, "candidates", path=False, contacts=True)
    config = config or Config()
    check_comparable(contacts, config)
    first = first_copies(contacts, normalized, config)
    own = first == np.arange(len(first))
    keys = BlockingKeys(contacts, normalized, config.match.compare_columns, own)
    copies = np.flatnonzero(~own)  # sorted in with the pairs of the keys, not added to their index after
    index = SharedKeyIndex(keys.by_kind, block_caps(config.match.max_block_size),
                           also=first[copies].astype(np.int64) << 32 | copies)
    pairs = index.index(contacts.frame)
    capped = keys.describe(index.capped_).assign(records=index.capped_sizes_)
    order = sort_order(*(capped[column].to_numpy() for column in ("records", "kind", "value")), descending={0})
    capped = capped.take(order).reset_index(drop=True)
    return Candidates(pairs.set_names(["a", "b"]), capped, first)


class BlockingKeys:
    """Every blocking key of every record, one kind at a time (`by_kind`), as aligned
    integer arrays of rows and keys.

    Each column is factorized once; what a key derives from a value (a name's start, its
    sound) is computed once per distinct value. Name-like texts get codes from one shared
    `_Vocabulary`, so a last name can meet a first name (swapped names); keys that join
    two texts (a name and a city, a tag and a name's start) join their codes.
    """

    def __init__(self, contacts: Contacts, normalized: Normalized, compare_columns: Sequence[str] = (),
                 keyed: np.ndarray | None = None) -> None:
        """keyed: which records get keys (default: all)."""
        self.contacts, self.normalized, self.compare_columns = contacts, normalized, tuple(compare_columns)
        self.keyed = keyed
        self.words = _Vocabulary()
        self._texts: dict[str, np.ndarray] = {}  # kinds whose single text is coded on its own
        self._firsts: dict[str, np.ndarray] = {}  # the first texts of each kind, by their number in the keys
        self._single: set[str] = set()  # kinds of one text

    def by_kind(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(rows, keys)`` of each kind in turn, built when asked for: a large file has tens
        of millions of keys, and only one kind's need be in memory."""
        for kind, parts in self._parts():
            yield self._encoded(kind, parts)

    def _encoded(self, kind: str, parts: list[_Part]) -> tuple[np.ndarray, np.ndarray]:
        """The rows and keys of one kind: ``kind << 56 | first << 28 | second``, where the
        kind's first texts are numbered 0, 1, 2…"""
        first, single = np.concatenate([first for _, first, _ in parts]), parts[0][2] is None
        if single:  # keys of one text, numbered already: its position among the kind's distinct texts
            self._single.add(kind)
            self._firsts[kind] = np.arange(len(self._texts[kind]))
        else:
            first, self._firsts[kind] = pd.factorize(first)
        keys = (np.int64(_KIND_CODES[kind]) << 56) | (first.astype(np.int64) << _SHIFT)
        if not single:
            keys |= np.concatenate([second for _, _, second in parts])
        return np.concatenate([rows for rows, _, _ in parts]), keys

    def _parts(self) -> Iterator[tuple[str, list[_Part]]]:
        """Each kind with its keys, in parts of aligned ``rows, first, second`` codes."""
        names, phones, words = self.normalized.names, self.normalized.phones, self.words

        def part(rows: np.ndarray, first: np.ndarray, second: np.ndarray | None = None) -> _Part:
            keep = first >= 0
            if self.keyed is not None:
                keep &= self.keyed[rows]
            if second is not None:
                keep &= second >= 0
            return rows[keep].astype(np.int32), first[keep], second[keep] if second is not None else None  # a row fits in 32 bits

        def of_texts(kind: str, rows: np.ndarray, values: pd.Series | tuple[np.ndarray, np.ndarray], func=None) -> _Part:
            """The texts (or a text ``func`` derives from each) as keys; ``values`` may come
            factorized already, as ``(positions, distinct texts)``."""
            positions, texts = values if isinstance(values, tuple) else pd.factorize(values.to_numpy(dtype=object))
            if func is not None:  # distinct values may give the same text
                derived, texts = pd.factorize(np.array([func(v) for v in texts.tolist()], dtype=object))
                positions = derived[positions]
            self._texts[kind] = texts
            blank = (positions < 0) | (texts == "")[positions] if len(texts) else positions < 0
            return part(rows, np.where(blank, -1, positions))

        for kind in ("email", "phone", "external_id"):
            rows, positions, texts = self.normalized.coded(kind)
            yield kind, [of_texts(kind, rows, (positions, texts))]
        rows, coded = self.normalized.personal_emails()
        yield "email_user", [of_texts("email_user", rows, coded["local"])]
        yield "email_domain", [of_texts("email_domain", rows, coded["domain"])]
        yield "phone_last7", [of_texts("phone_last7", phones["source_row"].to_numpy(),
                                       self.normalized.phone_codes()["last7"])]
        row = names.index.to_numpy()

        def of_names(field: str) -> _Column:
            return _Column(*self.normalized.name_codes(field))

        yield "company", [of_texts("company", row, self.normalized.name_codes("company"))]
        yield "address", [of_texts("address", row, self.normalized.name_codes("address"))]

        first_name, last_name = of_names("first"), of_names("last")
        first, last, city = words.coded(first_name), words.coded(last_name), words.coded(of_names("city"))
        # the first name and each of its nicknames, with the last name; and the same swapped. A record's nicknames
        # are its first name's (`nickname_group`): taken from the first record of each first name, not hashed as a
        # tuple for every record (1,000,000 records: 0.10 s)
        group_of = pd.factorize(first_name.positions)[0]
        first_records = np.flatnonzero(~pd.Series(group_of).duplicated().to_numpy())  # of each code in turn
        groups = names["first_group"].to_numpy(dtype=object)[first_records]
        group_words = [words.codes([word for word in group] or [""]) for group in groups]
        lengths = np.array([len(w) for w in group_words], dtype=np.int64)
        sizes = lengths[group_of]
        if self.keyed is not None:  # a record without keys (an exact copy): no nicknames spread for `part` to drop
            sizes[~self.keyed[row]] = 0
        at = np.repeat(np.arange(len(row)), sizes)  # the record of each nickname
        # and its place in flat: where the record's group starts there, plus which of its nicknames it is, worked
        # out by record and spread once (arrays of millions of nicknames, each a fresh mapping of memory)
        place = np.arange(len(at))
        place += np.repeat((np.cumsum(lengths) - lengths)[group_of] - (np.cumsum(sizes) - sizes), sizes)
        flat = np.concatenate(group_words) if group_words else np.zeros(0, dtype=np.int64)
        nicknames = flat[place] if len(at) else at
        del place
        records = row[at]  # for both kinds
        yield "name", [part(records, last[at], nicknames), part(row, first, last)]
        yield "name_city", [part(records, words.joined(last, city)[at], nicknames),
                            part(row, words.joined(first, city), last)]
        del at, nicknames, records
        initial_first, initial_last = words.coded(first_name, lambda v: v[:1]), words.coded(last_name, lambda v: v[:1])
        yield "name_sound", [part(row, words.coded(last_name, _metaphone_one), initial_first),
                             part(row, words.coded(first_name, _metaphone_one), initial_last)]
        birth = of_names("birth_date")
        yield "birth_date", [part(row, words.coded(birth), initial_first)]
        # typos everywhere: the starts of the names with the birth year, or with each other
        year = words.coded(birth, lambda v: v[:4] if _DATE_KEY.fullmatch(v) else "")
        month_day = words.coded(birth, lambda v: v[4:] if _DATE_KEY.fullmatch(v) else "")
        yield "prefixes", [
            part(row, words.tagged("f:", words.coded(first_name, lambda v: v[:3])), year),
            part(row, words.tagged("l:", words.coded(last_name, lambda v: v[:3])), year),
            part(row, words.tagged("d:", month_day), initial_first),
            part(row, words.tagged("e:", month_day), initial_last),
            part(row, words.coded(first_name, lambda v: v[:2]), words.coded(last_name, lambda v: v[:2])),
        ]
        field_codes = {"first": first, "last": last, "city": city, "birth_date": words.coded(birth),
                       "postcode": words.coded(of_names("postcode"))}
        # alone: pairs only while the value is rare
        yield "field", [part(row, np.full(len(row), words.code(field)), field_codes[field])
                        for field in ("first", "last", "birth_date")]
        yield "fields", [part(row, words.tagged(field_a + ":", field_codes[field_a]), field_codes[field_b])
                         for i, field_a in enumerate(_PAIRED_FIELDS) for field_b in _PAIRED_FIELDS[i + 1:]]
        address = of_names("address")
        yield "street", [part(row, words.coded(address, lambda v: _street(v)[0]),
                              words.coded(address, lambda v: _street(v)[1]))]
        frame = self.contacts.frame
        if self.compare_columns:
            yield "column", [part(row, np.full(len(row), words.code(column)),
                                  words.coded(_Column(*pd.factorize(frame[column].to_numpy(dtype=object))),
                                              lambda v: v.strip().upper()))
                             for column in self.compare_columns]

    def describe(self, keys: np.ndarray) -> pd.DataFrame:
        """Readable ``kind`` and ``value`` of encoded keys, kind by kind."""
        kinds = np.array(list(KEY_KINDS), dtype=object)[keys >> 56]
        values = np.empty(len(keys), dtype=object)
        mask = (1 << _SHIFT) - 1
        for kind in set(kinds.tolist()):
            at = np.flatnonzero(kinds == kind)
            tokens = self._firsts[kind][(keys[at] >> _SHIFT) & mask]
            first = np.asarray(self._texts[kind], dtype=object)[tokens] if kind in self._texts else self.words.texts(tokens)
            if kind in self._single:
                values[at] = [display(kind, text) for text in first.tolist()]
            else:
                values[at] = first + " | " + self.words.texts(keys[at] & mask)
        return pd.DataFrame({"kind": kinds, "value": values})


class _Column:
    """A column factorized: the position of each row's value among the distinct ``values``."""

    def __init__(self, positions: np.ndarray, values: np.ndarray) -> None:
        self.positions, self.values = positions, values.tolist()


class _Vocabulary:
    """Integer codes of texts, the same code for the same text, ``-1`` for blank; and codes
    of two texts joined (``"smith|london"``) or of a tag and a text (``"f:" + "ann"``),
    which need no entry of their own."""

    _JOINED, _TAGGED, _BITS = 1 << 62, 1 << 61, 30

    def __init__(self) -> None:
        self._codes: dict[str, int] = {"": -1}
        self._texts: list[str] = []

    def code(self, text: str) -> int:
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = len(self._texts)
            self._texts.append(text)
        return code

    def codes(self, texts: list[str]) -> np.ndarray:
        return np.array([self.code(text) for text in texts], dtype=np.int64)

    def coded(self, column: _Column, func=None) -> np.ndarray:
        """The code of each row's text (or of ``func`` of it), computed once per distinct value."""
        table = self.codes([func(v) for v in column.values] if func else column.values)
        return np.append(table, -1)[column.positions]

    def joined(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Codes of ``text(a) + "|" + text(b)``: never blank."""
        return self._JOINED | (a + 1) << self._BITS | (b + 1)

    def tagged(self, tag: str, codes: np.ndarray) -> np.ndarray:
        """Codes of ``tag + text``; blank where the text is."""
        return np.where(codes >= 0, self._TAGGED | self.code(tag) << self._BITS | codes, -1)

    def texts(self, codes: np.ndarray) -> np.ndarray:
        """`text` of each code, each distinct one put together once."""
        distinct, at = np.unique(codes, return_inverse=True)
        return np.array([self.text(code) for code in distinct.tolist()], dtype=object)[at]

    def text(self, code: int) -> str:
        mask = (1 << self._BITS) - 1
        if code < 0:
            return ""
        if code & self._JOINED:
            return self.text(((code >> self._BITS) & mask) - 1) + "|" + self.text((code & mask) - 1)
        if code & self._TAGGED:
            return self._texts[(code >> self._BITS) & mask] + self.text(code & mask)
        return self._texts[code]


_DATE_KEY = re.compile(r"\d{8}")
_STREET = re.compile(r"(\d+)\s+(?:[nsew]\s+)?(\w+)")


def _street(address: str) -> tuple[str, str]:
    """The house number and the street's first word: ``"12 e main st"`` → ``("12", "main")``."""
    match = _STREET.match(address)
    return match.groups() if match else ("", "")


@lru_cache(maxsize=200_000)
def _metaphone_one(text: str) -> str:
    return jellyfish.metaphone(text) if text else ""
