"""Comparison of candidate pairs, field by field, into agreement levels.

Each comparison is a `recordlinkage` compare feature (`Comparison`) whose
docstring lists its levels; ``-1`` always means "missing on one side", which is
never a disagreement. Everything is vectorized over the pairs: string
similarity runs in rapidfuzz, multi-valued fields (several emails or phones per
record) are compared through joins on the pairs, and nickname or phonetic tests
run once per distinct pair of values.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Iterator, Sequence
from functools import cache, lru_cache

import jellyfish
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import recordlinkage
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.fuzz import token_set_ratio
from recordlinkage.utils import listify

from ._perf import distinct_pairs, first_appearances, isin, mixed, repeated, run_starts, sorted_distinct
from .config import Config
from .errors import ConfigError
from .fieldmap import fold_header
from .load import Contacts, check_source
from .names import GENERATIONS, final_g_apart, fold, generation, nickname_equivalent, nickname_group, patronymic
from .normalize import Normalized, mail_provider, map_unique

MISSING = -1


class Comparison(recordlinkage.base.BaseCompareFeature):
    """A field comparison: ``levels`` maps each level to what it means, best first.

    Subclasses implement ``_compute_vectorized`` over the aligned left and right
    columns and return an ``int8`` array of levels (and, when ``tf`` is set,
    a float array: how common the agreeing value is, for term-frequency weights).
    """

    name = "comparison"
    levels: dict[int, str] = {}
    #: what share of true duplicates is at each level, before the data says otherwise
    prior: dict[int, float] = {}
    #: keep ``m`` at the prior instead of learning it (see `FellegiSunter`)
    fixed_m = False
    #: the least ``u`` some levels may have, where random pairs understate how often
    #: different people agree (two namesakes' ``jean.dupont@`` at two providers)
    u_floor: dict[int, float] = {}
    #: each level implies the ones below it (the same number has the same last digits): a
    #: lower level then never weighs more, however rare random pairs make it
    nested = False
    #: levels that never speak for a match (two birth dates years apart): they weigh at most 0
    never_for: tuple[int, ...] = ()
    tf = False

    def __init__(self, left: str | Sequence[str], right: str | Sequence[str] | None = None) -> None:
        label = (self.name, f"{self.name}_tf") if self.tf else self.name
        super().__init__(left, left if right is None else right, label=label)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}: {v}' for k, v in self.levels.items())})"

    def descriptions(self) -> dict[str, dict[int, str]]:
        """What each level of each output column means."""
        return {self.name: self.levels}

    def priors(self) -> dict[str, dict[int, float]]:
        """The prior share of true duplicates at each level of each output column."""
        return {self.name: self.prior}

    def fixed(self) -> set[str]:
        """Output columns whose ``m`` is not learned."""
        return set(self.descriptions()) if self.fixed_m else set()

    def floors(self) -> dict[str, dict[int, float]]:
        return {column: self.u_floor for column in self.descriptions()} if self.u_floor else {}

    def never_for_columns(self) -> dict[str, tuple[int, ...]]:
        """The `never_for` levels of each output column."""
        return {column: self.never_for for column in self.descriptions()} if self.never_for else {}

    def nested_columns(self) -> set[str]:
        """Output columns whose levels are `nested`."""
        return set(self.descriptions()) if self.nested else set()


# --- helpers ---------------------------------------------------------------------------------------


def similarity(a: np.ndarray, b: np.ndarray, scorer: Callable = JaroWinkler.normalized_similarity) -> np.ndarray:
    """Element-wise similarity (or distance) of two aligned string arrays where they differ
    and neither is blank; NaN elsewhere, which passes no threshold (equal and missing
    values have levels of their own)."""
    out = np.full(len(a), np.nan, dtype=np.float32)
    differ = np.flatnonzero((a != b) & (a != "") & (b != ""))
    if len(differ):
        out[differ] = process.cpdist(a[differ].tolist(), b[differ].tolist(), scorer=scorer, dtype=np.float32,
                                     workers=-1)
    return out


def per_distinct_pair(a: np.ndarray, b: np.ndarray, test: Callable[[str, str], bool], dtype: type = bool) -> np.ndarray:
    """``test(a[i], b[i])`` for every i, computed once per distinct ``(a, b)``."""
    (codes_a, codes_b), words = _coded(a, b)
    return _per_distinct_codes(codes_a, codes_b, lambda x, y: test(words[x], words[y]), dtype)


def _coded(*arrays: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Aligned arrays of texts as codes of their distinct texts (one numbering for all), and those texts."""
    codes, words = pd.factorize(np.concatenate([np.asarray(a, dtype=object) for a in arrays]))
    return np.split(codes.astype(np.int64), len(arrays)), np.asarray(words, dtype=object)


def _per_distinct_codes(a: np.ndarray, b: np.ndarray, test: Callable[[int, int], bool | int],
                        dtype: type = bool) -> np.ndarray:
    """``test(a[i], b[i])`` of two aligned code arrays, computed once per distinct ``(a, b)``."""
    if len(a) == 0:
        return np.zeros(0, dtype=dtype)
    positions, first, second = distinct_pairs(a, b)
    return np.array([test(x, y) for x, y in zip(first.tolist(), second.tolist())], dtype=dtype)[positions]


def _strings(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=object)


def frequencies(values: pd.Series | tuple[np.ndarray, np.ndarray], counted: np.ndarray | None = None) -> pd.Series:
    """Share of records holding each non-blank value; ``counted``: of the records that count
    (not an exact copy of an earlier one, `first_copies`; default: all). The values may come
    factorized already, as ``(codes, distinct values)`` (`Normalized.name_codes`): not each of a
    million texts hashed again (0.07 s).

    >>> texts = np.array(["acme", "", "acme", "bolt"], dtype=object)
    >>> frequencies(pd.Series(texts)).to_dict(), frequencies(pd.factorize(texts)).to_dict()
    ({'acme': 0.5, 'bolt': 0.25}, {'acme': 0.5, 'bolt': 0.25})
    """
    codes, distinct = values if isinstance(values, tuple) else pd.factorize(values.to_numpy(dtype=object))
    codes = codes if counted is None else codes[counted]
    count = np.bincount(codes[codes >= 0], minlength=len(distinct))
    held = np.flatnonzero((count > 0) & (distinct != ""))
    return pd.Series(count[held], index=distinct[held]) / max(len(codes), 1)


#: Combinations of two records' values compared at once: tens of emails and phones a record (a
#: mailing list in a cell, forty email columns) make hundreds a pair, GBs for the random pairs
COMBINATIONS_AT_ONCE = 4_000_000


def _by_combinations(rows: np.ndarray, a: np.ndarray, b: np.ndarray, limit: int | None = None) -> Iterator[slice]:
    """Slices of the pairs ``a, b`` whose `value_pairs` make at most ``limit`` (`COMBINATIONS_AT_ONCE`)
    combinations each (a pair of more on its own).

    >>> list(_by_combinations(np.array([0, 0, 1, 1, 2]), np.array([0, 0, 2]), np.array([1, 2, 2]), limit=4))
    [slice(0, 1, None), slice(1, 3, None)]
    """
    count = np.bincount(rows, minlength=max(a.max(initial=-1), b.max(initial=-1)) + 1)
    total = np.cumsum(count[a].astype(np.int64) * count[b])
    limit, start = limit or COMBINATIONS_AT_ONCE, 0
    while start < len(a):
        done = total[start - 1] if start else 0
        stop = max(int(np.searchsorted(total, done + limit, side="right")), start + 1)
        yield slice(start, stop)
        start = stop


def value_pairs(rows: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every combination of a value of record ``a[i]`` with a value of record ``b[i]``, for a
    table of values sorted by record (``rows``): the pair ``i`` (ascending) and the positions
    of the two values in the table.

    >>> value_pairs(np.array([0, 0, 2]), np.array([0, 1]), np.array([2, 2]))
    (array([0, 0]), array([0, 1]), array([2, 2]))
    """
    return value_pairs_at(value_starts(rows, max(a.max(initial=-1), b.max(initial=-1)) + 1), a, b)


def value_starts(rows: np.ndarray, n: int) -> np.ndarray:
    """Where the values of each record ``0 … n-1`` start in a table of values sorted by record
    (``rows``), and where the last one's end: ``n + 1`` positions.

    >>> value_starts(np.array([0, 0, 2]), 4)
    array([0, 2, 2, 3, 3])
    """
    return np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])


def value_pairs_at(starts: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`value_pairs` of the table whose `value_starts` (of records up to those of ``a`` and ``b``
    at least) are ``starts``: worked out once for the calls on one table (the pieces of pairs.csv
    each asked for a count of the million records' values)."""
    start_a, start_b = starts[a], starts[b]
    count_a, count_b = starts[a + 1] - start_a, starts[b + 1] - start_b
    combos = count_a * count_b
    pid = np.repeat(np.arange(len(a)), combos)
    offset = np.arange(len(pid)) - np.repeat(np.cumsum(combos) - combos, combos)
    # the quotient and the remainder in one pass (7,028,052 combinations of phones at 1,000,000 rows)
    along_a, along_b = np.divmod(offset, count_b[pid])
    return pid, start_a[pid] + along_a, start_b[pid] + along_b


class _MultiValued(Comparison):
    """Compares records that may hold several values (emails, phones): the best level of any two.

    rows: the source row of each value, ascending. coded: the columns ``combo_levels``
    reads, aligned with ``rows``, each as `codes_of` it (``-1`` blank) with its distinct values.
    counted: the number of records, or which records count in the term frequencies (not an
    exact copy of an earlier one, `first_copies`).
    """

    def __init__(self, rows: np.ndarray, coded: dict[str, tuple[np.ndarray, np.ndarray]],
                 counted: int | np.ndarray) -> None:
        super().__init__("row")
        self.rows = np.asarray(rows, dtype=np.int64)
        if (self.rows[1:] < self.rows[:-1]).any():
            raise ValueError(f"{type(self).__name__}: the values must come by source row")
        self.codes = {column: codes for column, (codes, _) in coded.items()}
        self.uniques = {column: uniques for column, (_, uniques) in coded.items()}
        # the share of records holding each value, for term-frequency weights
        value = self.codes["value"]
        use = value >= 0
        if not isinstance(counted, int):
            use &= counted[self.rows]
            counted = int(counted.sum())
        held = sorted_distinct(value[use].astype(np.int64) << 32 | self.rows[use]) >> 32
        self.frequency = np.bincount(held, minlength=len(self.uniques["value"])) / max(counted, 1)
        self._starts = np.zeros(1, dtype=np.int64)  # see `starts`

    def starts(self, n: int) -> np.ndarray:
        """`value_starts` of the values, of the records up to ``n`` at least: worked out once (the
        reasons of each piece of pairs.csv ask, for `value_pairs_at`)."""
        if len(self._starts) <= n:
            self._starts = value_starts(self.rows, n)
        return self._starts

    def _compute_vectorized(self, rows_a: pd.Series, rows_b: pd.Series):
        a, b = rows_a.to_numpy(), rows_b.to_numpy()
        out = np.full(len(a), MISSING, dtype=np.int8)
        tf = np.full(len(a), np.nan)
        for part in _by_combinations(self.rows, a, b):  # records of many values meet in many combinations
            pid, left, right = value_pairs(self.rows, a[part], b[part])
            if not len(pid):
                continue
            levels = self.combo_levels(left, right).astype(np.int8)
            first = run_starts(pid)  # pid ascends: one segment per pair
            out[part][pid[first]] = np.maximum.reduceat(levels, first)
            # the rarest value of each pair's exact combinations (the others have none: NaN), read
            # from those combinations alone (at 1,000,000 rows, 7,028,052 combinations of phones)
            exact = np.flatnonzero(levels == max(self.levels))
            if len(exact):
                at = run_starts(pid[exact])
                frequency = self.frequency[np.maximum(self.codes["value"][left[exact]], 0)]
                tf[part][pid[exact[at]]] = np.minimum.reduceat(frequency, at)
        return out, tf

    def combo_levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """The level of each combination of a left and a right value (positions in the table)."""
        raise NotImplementedError

    def _same(self, column: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        code_a = self.codes[column][left]
        return (code_a == self.codes[column][right]) & (code_a >= 0)


# --- the comparisons -------------------------------------------------------------------------------


class EmailComparison(_MultiValued):
    """Emails (any of each record's addresses). 3: same canonical address; 2: nearly the
    same (one typo in a letter, in the name or the domain: one wrong, more or less, or two
    swapped); 1: same local part at another domain; 0: different; -1: missing.

    Namesakes' addresses at a public mail provider (`mail_provider`) are told apart by what
    is not a typo: a digit or a separator (``john.smith2@`` and ``john.smith@``, ``johnsmith@``
    and ``john.smith@`` at Outlook are other mailboxes), and the provider when the local part is
    only the name (``jean.dupont@`` or ``jdupont@`` of Jean Dupont at Gmail and at Yahoo): both
    are different emails. So are two addresses that are each only its own record's name, one
    letter apart (``mason.holloway@`` of Mason and ``jason.holloway@`` of Jason Holloway: no typo).
    A local part of one's own (``rachell84@``), or a company's domain (a work address, or its
    typo), keeps the level.
    """

    name, tf = "email", True
    levels = {3: "same email", 2: "nearly the same email", 1: "same email name at another domain", 0: "different emails"}
    prior = {3: 0.55, 2: 0.08, 1: 0.02, 0: 0.35}  # people change addresses
    fixed_m = True
    u_floor = {2: 1e-3, 1: 1e-3}  # a local part of the name with digits, or a typo, is still shared by chance

    def __init__(self, rows: np.ndarray, coded: dict[str, tuple[np.ndarray, np.ndarray]], counted: int | np.ndarray,
                 names: pd.DataFrame | None = None) -> None:
        """coded: ``value`` (the address), ``local`` (its part before the @) and ``domain`` (after it), as
        `Normalized.personal_emails`. names: the folded ``first`` and ``last`` name of each record
        (`Normalized.names`), to tell a local part that is only the name."""
        super().__init__(rows, coded, counted)
        # whether each address is at a public mail provider's domain, each domain tested once
        self.at_provider = np.array([mail_provider(d) for d in self.uniques["domain"].tolist()], dtype=bool)[
            self.codes["domain"]]
        self.lengths = np.fromiter(map(len, self.uniques["value"]), dtype=np.int64, count=len(self.uniques["value"]))
        # whether each address holds one @ (its domain, after the first, holds none, and is shorter than it)
        domains, value = self.uniques["domain"].tolist(), self.codes["value"]
        self.domain_lengths = np.array([len(d) for d in domains], dtype=np.int64)[self.codes["domain"]]
        domain_at = np.array(["@" in d for d in domains], dtype=bool)[self.codes["domain"]]
        self.one_at = (value >= 0) & (self.domain_lengths < self.lengths[value]) & ~domain_at
        self.names = None if names is None else (names["first"].to_numpy(dtype=object),
                                                 names["last"].to_numpy(dtype=object))

    def combo_levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        same, same_local = self._same("value", left, right), self._same("local", left, right)
        near = np.zeros(len(left), dtype=bool)
        code_a, code_b = self.codes["value"][left], self.codes["value"][right]
        # one typo apart needs lengths at most one apart: most other pairs are not compared
        other = np.flatnonzero(~same & (np.abs(self.lengths[code_a] - self.lengths[code_b]) <= 1))
        # one typo in two addresses of one @ each leaves their local parts or their domains the same, or (the @
        # swapped with a letter) their lengths, with the @ one place apart: the others are not compared (356,985 of
        # 691,782 at 1,000,000 rows)
        left_, right_ = left[other], right[other]
        apart = (self.one_at[left_] & self.one_at[right_]
                 & ((self.lengths[code_a[other]] != self.lengths[code_b[other]])
                    | (np.abs(self.domain_lengths[left_] - self.domain_lengths[right_]) != 1))
                 & (self.codes["local"][left_] != self.codes["local"][right_])
                 & (self.codes["domain"][left_] != self.codes["domain"][right_]))
        other = other[~apart]
        near[other] = _distinct_similarity(code_a[other], code_b[other], self.uniques["value"],
                                           OSA.distance) <= 1
        at = np.flatnonzero(near)
        values = self.uniques["value"]
        near[at] = _per_distinct_codes(code_a[at], code_b[at], lambda x, y: not _numbered(values[x], values[y]))
        if self.names is not None:
            at = np.flatnonzero(near)
            near[at] = ~self._own_names(left[at], right[at])  # mason.holloway@ and jason.holloway@: no typo
            at = np.flatnonzero(same_local & ~same & ~near)
            same_local[at] = ~self._at_two_providers(left[at], right[at])
        return np.select([same, near, same_local], [3, 2, 1], 0)

    def namesakes(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether records ``a`` and ``b`` (aligned) hold two mailboxes of namesakes that
        `combo_levels` calls different emails (``john.smith2@`` and ``johnsmith@`` at one
        provider, ``jean.dupont@`` at two)."""
        pid, left, right = value_pairs(self.rows, a, b)
        found = np.zeros(len(a), dtype=bool)
        if self.names is None or not len(pid):
            return found
        values = self.uniques["value"]
        both = list(zip(values[self.codes["value"][left]].tolist(), values[self.codes["value"][right]].tolist()))
        numbered = np.array([_numbered(x, y) for x, y in both], dtype=bool)
        found[pid[numbered]] = True
        undotted = np.array([_undotted(x) == _undotted(y) != "" for x, y in both], dtype=bool)  # Gmail's: no dots
        alike = np.flatnonzero(undotted & ~numbered)
        found[pid[alike[self._at_two_providers(left[alike], right[alike])]]] = True
        return found

    def one_organisation(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether records ``a`` and ``b`` (aligned) hold two addresses at one domain that is not
        a public mail provider's, each made of its own record's name only and not of the other's
        (`_name_made`: ``chris.walker@`` and ``christina.walker@acme.example``): the mailboxes an
        organisation gave to two of its people."""
        return self.own_mailboxes(a, b, one_organisation=True)

    def own_mailboxes(self, a: np.ndarray, b: np.ndarray, one_organisation: bool = False) -> np.ndarray:
        """Whether records ``a`` and ``b`` (aligned) hold two addresses, each made of its own
        record's name only and not of the other's (`_name_made`: ``mason.holloway@`` of Mason and
        ``jason.holloway@`` of Jason Holloway): each name is the one its owner writes, not a typo.
        ``one_organisation``: only two addresses at one domain that is not a public mail provider's."""
        found = np.zeros(len(a), dtype=bool)
        if self.names is None:
            return found
        pid, left, right = value_pairs(self.rows, a, b)
        code_a, code_b = self.codes["value"][left], self.codes["value"][right]
        valid = (code_a >= 0) & (code_b >= 0) & (code_a != code_b)
        pid, left, right = pid[valid], left[valid], right[valid]
        if one_organisation:
            domain = self.codes["domain"]
            at = np.flatnonzero((domain[left] == domain[right]) & ~self.at_provider[left])
            pid, left, right = pid[at], left[at], right[at]
        found[pid[self._own_names(left, right)]] = True
        return found

    def _own_names(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether each combination of a left and a right value (positions in the table) is two
        addresses each made of its own record's name only and not of the other's (`_name_made`)."""
        (first, last), letters = self.names, self._letters()
        local_left, local_right = self.codes["local"][left], self.codes["local"][right]
        rows_left, rows_right = self.rows[left], self.rows[right]
        own = np.ones(len(left), dtype=bool)
        # each its own record's name, then neither the other's: each local part and record tested once
        for local, rows, made in ((local_left, rows_left, True), (local_right, rows_right, True),
                                  (local_left, rows_right, False), (local_right, rows_left, False)):
            at = np.flatnonzero(own)
            own[at] = _per_distinct_codes(local[at], rows[at], lambda x, row: _name_made(
                letters(x), first[row], last[row])) == made
        return own

    def _at_two_providers(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether each combination of a left and a right value (positions in the table), of one
        local part but for dots, is at two public mail providers with a local part that is only
        the name of either record (`_name_made`): namesakes' mailboxes. Each domain, and each local
        part with a name, is tested once (at 1,000,000 records, 731,067 combinations took 3.4 s
        one by one)."""
        at = np.flatnonzero(self.at_provider[left] & self.at_provider[right])
        found, letters = np.zeros(len(left), dtype=bool), self._letters()
        for side in (left, right):
            at = at[~found[at]]  # the name of one record is enough
            rows, local = self.rows[side[at]], self.codes["local"][left[at]]  # the left value's local part
            (first, firsts), (last, lasts) = (pd.factorize(names[rows]) for names in self.names)
            found[at] = _per_distinct_codes(local, first * len(lasts) + last, lambda x, name: _name_made(
                letters(x), firsts[name // len(lasts)], lasts[name % len(lasts)]))
        return found

    def _letters(self) -> Callable[[int], str]:
        """The `_letters` of a local part, by its code, each folded once: a local part meets the
        names of several records (at 1,000,000 rows, 262,856 tests of 109,427 local parts); kept while the
        call that asks lasts."""
        locals_ = self.uniques["local"]
        return cache(lambda code: _letters(locals_[code]))


def _undotted(address: str) -> str:
    return address.partition("@")[0].replace(".", "")


def _numbered(a: str, b: str) -> bool:
    """Whether two addresses at one mail provider differ only in digits or separators
    (``john.smith2@`` and ``johnsmith@``), as namesakes' mailboxes do; at another domain, whether
    one is the other's name with a number after it (``michael.chen2@`` beside ``michael.chen@``:
    how an organisation tells its namesakes apart).

    >>> _numbered("john.smith2@yahoo.com", "johnsmith@yahoo.com"), _numbered("jb88@king.com", "8jb88@king.com")
    (True, False)
    >>> _numbered("michael.chen@corp.example", "michael.chen2@corp.example"), _numbered("jb8@x.ex", "jb89@x.ex")
    (True, False)
    """
    (local_a, _, domain_a), (local_b, _, domain_b) = a.partition("@"), b.partition("@")
    if domain_a != domain_b:
        return False
    if mail_provider(domain_a):
        return _LETTERS.sub("", local_a) == _LETTERS.sub("", local_b)
    short, long = sorted((local_a, local_b), key=len)
    number = long[len(short):]
    return long.startswith(short) and number.isdigit() and not _DIGIT.search(short)


_LETTERS = re.compile(r"[\d._+\-]")  # all but the letters of a local part
_DIGIT = re.compile(r"\d")
# what `fold` keeps of ASCII text, without spaces: its letters in lower case and its digits
_LOWER = bytes.maketrans(string.ascii_uppercase.encode(), string.ascii_lowercase.encode())
_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())


def _letters(local: str) -> str:
    """An email's local part folded, without spaces, as `_name_made` reads it: ``"jürgen.müller"``,
    ``"jurgenmuller"``.

    >>> _letters("Jean-Paul.O'Brien_84"), _letters("jürgen.müller")
    ('jeanpaulobrien84', 'jurgenmuller')
    """
    if local.isascii():  # one pass over its bytes, three times faster than folding
        return local.encode().translate(_LOWER, _NOT_ALNUM).decode()
    return fold(local).replace(" ", "")


def _name_made(letters: str, first: str, last: str) -> bool:
    """Whether an email's local part (its `_letters`) is only a person's (folded) name: ``jean.dupont``,
    ``dupontjean``, ``jdupont``, ``jean_d``, ``dupont``; not with digits (``jdupont84``).

    >>> _name_made(_letters("j.dupont"), "jean", "dupont"), _name_made(_letters("jdupont84"), "jean", "dupont")
    (True, False)
    """
    first, last = first.replace(" ", ""), last.replace(" ", "")
    if not letters or not (first or last):
        return False
    if letters == first or letters == last:  # the name alone: no joined texts
        return True
    return bool(first and last) and letters in (first + last, last + first, first[0] + last, last + first[0],
                                                first + last[0], last[0] + first)


class PhoneComparison(_MultiValued):
    """Phones (any column against any column: a home phone may be another row's mobile).
    3: same number (E.164); 2: same national number with another or no country code;
    1: same last 7 digits; 0: different; -1: missing.
    """

    name, tf = "phone", True
    levels = {3: "same phone", 2: "same phone number without country code", 1: "same last 7 phone digits",
              0: "different phones"}
    prior = {3: 0.6, 2: 0.05, 1: 0.05, 0: 0.3}  # people change numbers
    fixed_m = True
    u_floor = {1: 1e-3}  # the last digits alone are shared by chance
    nested = True

    def __init__(self, rows: np.ndarray, coded: dict[str, tuple[np.ndarray, np.ndarray]],
                 counted: int | np.ndarray) -> None:
        """coded: ``value`` (E.164), ``national`` and ``last7``, as `Normalized.phone_codes`."""
        super().__init__(rows, coded, counted)
        # when each number has one national number, and each national number one end (its last 7
        # digits, or none when shorter), two phones share nothing unless they share their end, or
        # their short national number: only those combinations need their numbers compared
        value, national, last7 = self.codes["value"], self.codes["national"], self.codes["last7"]
        nests = (national[value >= 0] >= 0).all() and _determines(value, national) and _determines(national, last7)
        self.ends = np.where(last7 >= 0, last7, -2 - national) if nests else None  # -1: blank

    def combo_levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        if self.ends is None:
            return np.select([self._same("value", left, right), self._same("national", left, right),
                              self._same("last7", left, right)], [3, 2, 1], 0)
        # at 1,000,000 rows, 10% of 7,028,052 combinations share their end
        end = self.ends[left]
        levels = ((end == self.ends[right]) & (end != -1)).astype(np.int8)
        at = np.flatnonzero(levels)
        levels[at] += self._same("national", left[at], right[at])  # the same end but a short national number: 2
        at = at[levels[at] == 2]
        levels[at] += self._same("value", left[at], right[at])
        return levels


def _determines(codes: np.ndarray, other: np.ndarray) -> bool:
    """Whether every filled code of ``codes`` (``-1``: blank) comes with one code of ``other`` (aligned).

    >>> _determines(np.array([0, 1, 0, -1]), np.array([5, -1, 5, 6])), _determines(np.array([0, 0]), np.array([5, 6]))
    (True, False)
    """
    filled = codes >= 0
    codes, other = codes[filled], other[filled]
    of = np.empty(codes.max(initial=-1) + 1, dtype=other.dtype)
    of[codes] = other
    return bool((of[codes] == other).all())


class ExternalIdComparison(Comparison):
    """External unique IDs (two people never share one). 1: an ID in common;
    0: both have IDs and none in common — a conflict that keeps them apart; -1: missing.
    """

    name = "external_id"
    levels = {1: "same external ID", 0: "different external IDs"}
    prior = {1: 0.99, 0: 0.01}

    def __init__(self, rows: np.ndarray, codes: np.ndarray) -> None:
        """rows: the source row of each ID, ascending; codes: the same code for the same ID
        (as `Normalized.coded`)."""
        super().__init__("row")
        self.rows, self.codes = np.asarray(rows, dtype=np.int64), codes

    def _compute_vectorized(self, rows_a: pd.Series, rows_b: pd.Series):
        pid, left, right = value_pairs(self.rows, rows_a.to_numpy(), rows_b.to_numpy())
        out = np.full(len(rows_a), MISSING, dtype=np.int8)
        out[pid] = 0
        out[pid[self.codes[left] == self.codes[right]]] = 1
        return out


class NameComparison(Comparison):
    """First and last names together, either order (catches swapped columns).

    first level: 5 same; 4 nickname (Bob ~ Robert); 3 nearly the same; 2 two
    typos apart ("Fdedrie" ~ "Freddie", but also Ryan ~ Brian: see ``family_levels``);
    1 an initial that fits; 0 different; -1 missing. last level: 3 same; 2 nearly the
    same; 1 sounds the same; 0 different; -1 missing. The third output says the
    names matched swapped.

    The whole names' words count too, where the parts disagree: the same words in
    another order ("Cafe Ritz-Carlton" ~ "Ritz-Carlton Cafe", "Mary Ann Smith" ~
    "Smith Mary Ann") are the same name, unless only the first names' words are in
    another order (María José and José María Ferrer, a sister and a brother); the
    words of a name of two or more all found in the other ("Smith" and "Smith Jones",
    "Le Montrachet" and "Le Montrachet Bistro") make the last names nearly the same.
    """

    name = "first"
    first_levels = {5: "same first name", 4: "first name is a nickname", 3: "nearly the same first name",
                    2: "first name two letters off", 1: "first initial fits", 0: "different first names"}
    last_levels = {3: "same last name", 2: "nearly the same last name", 1: "last name sounds the same",
                   0: "different last names"}
    levels = first_levels
    # the same person's records seldom disagree on the first name: that is what tells a
    # person's duplicates from the family that shares their landline
    first_prior = {5: 0.8, 4: 0.08, 3: 0.07, 2: 0.03, 1: 0.03, 0: 0.02}
    last_prior = {3: 0.88, 2: 0.08, 1: 0.02, 0: 0.02}
    #: first-name levels two people of one family reach (Ryan and Brian, Mary and Mark): a pair
    #: at one of them that shares only what a family shares is not merged without a person
    family_levels = (2, 0)
    fixed_m = True

    def descriptions(self) -> dict[str, dict[int, str]]:
        return {"first": self.first_levels, "last": self.last_levels}

    def priors(self) -> dict[str, dict[int, float]]:
        return {"first": self.first_prior, "last": self.last_prior}

    def __init__(self, names: pd.DataFrame, counted: np.ndarray | None = None,
                 coded: Callable[[str], tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        """names: `Normalized.names` (``first``, ``last``, ``full`` by source row), coded once here.
        counted: the records that count in the term frequencies (`frequencies`).
        coded: the codes and distinct values of a field of ``names``, when worked out already
        (`Normalized.name_codes`)."""
        recordlinkage.base.BaseCompareFeature.__init__(
            self, "row", "row", label=("first", "first_tf", "last", "last_tf", "swapped"))
        coded = coded or (lambda field: pd.factorize(names[field].to_numpy(dtype=object)))
        (first, firsts), (last, lasts) = coded("first"), coded("last")
        # one numbering: swaps meet (the first names' values, then the last names' others, as in `_coded`)
        word, words = pd.factorize(np.concatenate([np.asarray(firsts, dtype=object), np.asarray(lasts, dtype=object)]))
        self.first, self.last = np.append(word[:len(firsts)], -1)[first], np.append(word[len(firsts):], -1)[last]
        self.words = np.asarray(words, dtype=object)
        self.full, self.full_names = coded("full")
        self.first_frequency = _shares(self.first, len(self.words), counted)
        self.last_frequency = _shares(self.last, len(self.words), counted)
        blank = np.flatnonzero(self.words == "")
        self.first_frequency[blank] = self.last_frequency[blank] = np.nan  # as `frequencies`: a blank is no value
        self.either_frequency = np.fmax(self.first_frequency, self.last_frequency)  # in the commoner role
        # the records' names (first, last and full name together) numbered, each with a record of that name:
        # the levels depend on the names alone, and candidate pairs repeat the same two names (at 1,000,000
        # rows, 432,343 pairs of names among 2,888,554 pairs)
        self.name = distinct_pairs(distinct_pairs(self.first + 1, self.last + 1)[0], self.full + 1)[0]
        self.named = np.zeros(self.name.max(initial=-1) + 1, dtype=np.int64)
        self.named[self.name] = np.arange(len(self.name))  # any record of the name will do

    def _compute_vectorized(self, rows_a: pd.Series, rows_b: pd.Series):
        positions, a, b = distinct_pairs(self.name[rows_a.to_numpy()], self.name[rows_b.to_numpy()])
        return tuple(levels[positions] for levels in self._levels(self.named[a], self.named[b]))

    def _levels(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
        """The outputs of `_compute_vectorized` for records ``a`` and ``b`` (aligned)."""
        words = self.words
        fa, la, fb, lb = self.first[a], self.last[a], self.first[b], self.last[b]
        direct_first, direct_last = _first_level(fa, fb, words), _last_level(la, lb, words)
        # names swapped have neither swapped level 0: the first names are read only where the last names are not
        # (at 1,000,000 rows, 32,420 of 432,343 pairs of names; of the random pairs, 641 of 299,881)
        swap_last, swap_first = _last_level(la, fb, words), np.zeros(len(a), dtype=np.int8)
        at = np.flatnonzero(swap_last != 0)
        swap_first[at] = _first_level(fa[at], lb[at], words)
        swapped = ((swap_first + swap_last > direct_first + direct_last + 1) & (np.maximum(swap_first, swap_last) >= 2)
                   & (swap_first != 0) & (swap_last != 0))
        first = np.where(swapped, swap_first, direct_first).astype(np.int8)
        last = np.where(swapped, swap_last, direct_last).astype(np.int8)
        crossed = swapped.copy()
        # where the parts disagree, the whole names' words: the same words, or one's words in the other's
        open_ = np.flatnonzero((first == 0) | (last == 0))
        if len(open_):
            relation = _word_relations(self.full[a[open_]], self.full[b[open_]], self.full_names)
            # but first names of one last name in another order are two (María José, José María)
            relation[(relation == 2) & (last[open_] == 3)] = 0
            same, inside = open_[relation == 2], open_[relation == 1]
            first[same], last[same] = 5, 3
            last[inside] = np.where(last[inside] == 0, 2, last[inside])
            crossed[same] = True
        # a name met in both roles (swapped, or the same words in another order) weighs as in the
        # commoner one: Edwards is rare as a first name, William as a last name, but neither is rare
        first_tf = np.where(first == 5, np.where(crossed, self.either_frequency[fa], self.first_frequency[fa]), np.nan)
        last_tf = np.where(last == 3, np.where(crossed, self.either_frequency[la], self.last_frequency[la]), np.nan)
        return first, first_tf, last, last_tf, swapped.astype(np.int8)


def _shares(codes: np.ndarray, n: int, counted: np.ndarray | None) -> np.ndarray:
    """The share of the records (that count) holding each of ``n`` codes, NaN for a code none holds:
    `frequencies` by codes."""
    held = codes if counted is None else codes[counted]
    count = np.bincount(held[held >= 0], minlength=n)
    return np.where(count > 0, count / max(len(held), 1), np.nan)


def _word_relations(a: np.ndarray, b: np.ndarray, names: np.ndarray) -> np.ndarray:
    """`_word_relation` of the words of ``names[a]`` and ``names[b]`` (aligned codes). Names of as many
    words are the same words (their sorted words the same) or neither's in the other's: only names of
    two counts of words, a few pairs, are compared set by set. Each pair as it comes: `NameComparison`'s are
    of distinct pairs of names already (at 1,000,000 rows, 316,068 pairs, 316,068 distinct pairs of whole names).

    >>> names = np.array(["ann lee", "lee ann", "ann lee smith", "bo"], dtype=object)
    >>> _word_relations(np.array([0, 0, 2]), np.array([1, 2, 3]), names).tolist()
    [2, 1, 0]
    """
    codes = sorted_distinct(np.r_[a, b])
    word_sets = [frozenset(name.split()) for name in names[codes].tolist()]
    size = np.fromiter(map(len, word_sets), dtype=np.int64, count=len(word_sets))
    same = pd.factorize(np.array([" ".join(sorted(words)) for words in word_sets], dtype=object))[0]
    at = np.zeros(len(names), dtype=np.int64)  # each name's position among ``codes``: read, not searched
    at[codes] = np.arange(len(codes))
    x, y = at[a], at[b]
    both = (size[x] >= 2) & (size[y] >= 2)
    relation = np.where(both & (same[x] == same[y]), 2, 0).astype(np.int8)
    other = np.flatnonzero(both & (size[x] != size[y]))
    relation[other] = [_word_relation(word_sets[i], word_sets[j]) for i, j in zip(x[other].tolist(), y[other].tolist())]
    return relation


def _word_relation(a: frozenset[str], b: frozenset[str]) -> int:
    """2: the same words (two or more); 1: the words of one (two or more) all in the other; 0: neither."""
    if len(a) < 2 or len(b) < 2:
        return 0
    if a == b:
        return 2
    return 1 if a < b or b < a else 0


def _initials(name: str) -> tuple[str | None, str | None]:
    """A folded first name as initials it may be written in (``"jp"``, ``"j p"``; two or three
    letters without a vowel), and the initials of its words (``"jean pierre"`` → ``"jp"``)."""
    tokens = name.split()
    compact = "".join(tokens)
    written = compact if (2 <= len(compact) <= 3 and (all(len(t) == 1 for t in tokens) or
                                                     (len(tokens) == 1 and not set(compact) & set("aeiouy")))) else None
    return written, ("".join(t[0] for t in tokens) if len(tokens) >= 2 else None)


def first_level(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    (codes_a, codes_b), words = _coded(a, b)
    return _first_level(codes_a, codes_b, words)


def _first_level(a: np.ndarray, b: np.ndarray, words: np.ndarray) -> np.ndarray:
    """`first_level` of codes of ``words``, worked out once per distinct pair."""
    positions, a, b = distinct_pairs(a, b)
    blank = words == ""
    missing = blank[a] | blank[b]
    nickname = _nicknames(a, b, words)
    typos = _typos(a, b, words)
    near = _nearly_the_same(a, b, words, typos)
    single = np.array([_is_initial(w) for w in words.tolist()], dtype=bool)
    initial_of = pd.factorize(np.array([w[:1] for w in words], dtype=object))[0]
    # a compound name's initials: "jp" (or "j p") ~ "jean pierre"
    both = np.array([part for name in words.tolist() for part in _initials(name)], dtype=object)
    codes = pd.factorize(both)[0]  # None: -1
    written, of_words = codes[0::2], codes[1::2]
    initials = (of_words[b] >= 0) & (written[a] == of_words[b]) | (of_words[a] >= 0) & (written[b] == of_words[a])
    initial = (single[a] | single[b]) & (initial_of[a] == initial_of[b]) | initials
    bare = pd.factorize(np.array([_without_middle_initials(w) for w in words.tolist()], dtype=object))[0]
    initials_only = single[a] & single[b]  # "K." and "K.": an initial fits, no more; "K." and "J.": different
    return np.select([missing, initials_only, bare[a] == bare[b], nickname, near, typos <= 2, initial],
                     [MISSING, np.where(initial, 1, 0), 5, 4, 3, 2, 1], 0).astype(np.int8)[positions]


def _nicknames(a: np.ndarray, b: np.ndarray, words: np.ndarray) -> np.ndarray:
    """`nickname_equivalent` of ``words[a]`` and ``words[b]`` (aligned codes of distinct pairs). Only two same
    names, or two of which one's first word is in the other's `nickname_group`, may be: those are found by codes
    (each word's group read once), and only they are tested (at 1,000,000 rows, 3,014 of the candidates' 102,775
    pairs of first names; a call each took 0.07 s).

    >>> words = np.array(["bob", "robert j", "liz"], dtype=object)
    >>> _nicknames(np.array([0, 0, 1, 2]), np.array([1, 2, 0, 2]), words).tolist()
    [True, False, True, True]
    """
    heads, head_texts = pd.factorize(np.array([word.split(" ")[0] for word in words.tolist()], dtype=object))
    code_of = {head: code for code, head in enumerate(head_texts.tolist())}
    grouped = [word * len(code_of) + code_of[name] for word, text in enumerate(words.tolist())
               for name in nickname_group(text) if name in code_of]
    tested = np.flatnonzero((a == b) | isin(a * len(code_of) + heads[b], grouped)
                            | isin(b * len(code_of) + heads[a], grouped))
    found = np.zeros(len(a), dtype=bool)
    found[tested] = [nickname_equivalent(x, y) for x, y in zip(words[a[tested]].tolist(), words[b[tested]].tolist())]
    return found


def _is_initial(name: str) -> bool:
    """Whether a folded first name is an initial: one letter of an alphabet. A Chinese,
    Japanese or Korean given name of one character (伟) is a whole name."""
    return len(name) == 1 and ord(name) < 0x1100  # Latin, Greek, Cyrillic… come before Hangul and CJK


def _without_middle_initials(name: str) -> str:
    """A folded first name without the initials after it: ``"gregory t"`` → ``"gregory"``; ``"j p"`` stays."""
    words = name.split(" ")
    while len(words) > 1 and len(words[-1]) == 1 and len(words[0]) > 1:
        words.pop()
    return " ".join(words)


def _typos(a: np.ndarray, b: np.ndarray, words: np.ndarray) -> np.ndarray:
    """How many typos (a letter wrong, missing or extra, or two letters swapped) apart two
    different names (codes of ``words``) are, where the shorter has four letters or more; NaN elsewhere.
    Each pair of codes once (as `distinct_pairs` leaves them): its callers' are, so not made distinct again."""
    typos = similarity(words[a], words[b], OSA.distance)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    typos[np.minimum(lengths[a], lengths[b]) < 4] = np.nan
    return typos


def _nearly_the_same(a: np.ndarray, b: np.ndarray, words: np.ndarray, typos: np.ndarray | None = None) -> np.ndarray:
    """Names (codes of ``words``, each pair once: `_typos`) that differ by a typo: Jaro-Winkler at least
    0.92, or (four letters or more) one letter wrong, missing or extra, or two letters swapped ("Rosie" ~ "Roise").

    typos: `_typos` of the names, when already known."""
    typos = _typos(a, b, words) if typos is None else typos
    return (similarity(words[a], words[b]) >= 0.92) | (typos <= 1)


def _distinct_similarity(a: np.ndarray, b: np.ndarray, words: np.ndarray,
                         scorer: Callable = JaroWinkler.normalized_similarity) -> np.ndarray:
    """`similarity` of ``words[a]`` and ``words[b]``, computed once per distinct pair of codes
    (candidate pairs repeat the same two first names many times)."""
    if not len(a):
        return np.zeros(0, dtype=np.float32)
    positions, first, second = distinct_pairs(a, b)
    return similarity(words[first], words[second], scorer)[positions]


#: The fewest letters of a phonetic code that say two last names sound alike: shorter codes join
#: different names (Hu and He are "H", Wu and Wei "W"), and a name in another script has none.
SOUND_LETTERS = 2


@lru_cache(maxsize=200_000)
def _sound(text: str) -> str:
    """A last name's phonetic code (metaphone), or ``""`` when it is too short to tell names apart."""
    code = jellyfish.metaphone(text) if text else ""
    return code if len(code) >= SOUND_LETTERS else ""


#: The endings of a woman's form of a Slavic last name (folded), each with the endings of the man's:
#: Petrova and Petrov, Kowalska and Kowalski, Петровская and Петровский are two people (a couple, a
#: brother and a sister), not one name with a typo.
GENDERED_ENDINGS = {"ova": ("ov",), "eva": ("ev",), "ina": ("in",), "yna": ("yn",), "skaya": ("skiy", "sky", "skii"),
                    "ska": ("ski",), "cka": ("cki",), "ова": ("ов",), "ева": ("ев",), "ина": ("ин",),
                    "ына": ("ын",), "ская": ("скии",), "цкая": ("цкии",)}


def _gendered_forms(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each folded last name, a code of its stem and woman's ending (``-1``: in no Slavic form) and
    its sex (``m``, ``f``, ``""``), by Arrow's kernels: only the names with such an ending are sliced.

    >>> codes, sex = _gendered_forms(np.array(["petrova", "petrov", "kowalski", "lee", "kowalska"], dtype=object))
    >>> codes.tolist(), sex.tolist()
    ([0, 0, 1, -1, 1], ['f', 'm', 'm', '', 'f'])
    """
    text = pa.array(words.tolist(), pa.string())
    lengths = np.asarray(pc.utf8_length(text))
    key, sex = np.full(len(words), None, dtype=object), np.full(len(words), "", dtype=object)
    for woman, men in GENDERED_ENDINGS.items():
        for ending, mark in ((woman, "f"), *((man, "m") for man in men)):
            hit = np.flatnonzero(np.asarray(pc.ends_with(text, ending)) & (lengths > len(ending) + 1) & (sex == ""))
            key[hit] = [f"{word[:-len(ending)]}|{woman}" for word in words[hit].tolist()]
            sex[hit] = mark
    return pd.factorize(key)[0], sex


def last_level(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    (codes_a, codes_b), words = _coded(a, b)
    return _last_level(codes_a, codes_b, words)


def _last_level(a: np.ndarray, b: np.ndarray, words: np.ndarray) -> np.ndarray:
    """`last_level` of codes of ``words``, worked out once per distinct pair."""
    positions, a, b = distinct_pairs(a, b)
    blank = words == ""
    missing = blank[a] | blank[b]
    near = _nearly_the_same(a, b, words)
    sound_of = pd.factorize(np.array([_sound(w) or None for w in words], dtype=object))[0]  # None: -1
    stem, sex = _gendered_forms(words)
    gendered = (stem[a] == stem[b]) & (stem[a] >= 0) & (sex[a] != sex[b])  # Petrov and Petrova: two people
    other = _last_words_apart(a, b, words)
    return np.select([missing, a == b, gendered | other, near, (sound_of[a] == sound_of[b]) & (sound_of[a] >= 0)],
                     [MISSING, 3, 0, 2, 1], 0).astype(np.int8)[positions]


def last_words_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether two folded last names (aligned) are of as many words and differ in the last alone, by
    more than a typo: two people's, as García López and García Pérez (the second surname is the
    mother's: sisters, cousins), van der Berg and van der Meer are.

    >>> last_words_apart(np.array(["garcia lopez", "garcia lopez", "garcia"], dtype=object),
    ...                  np.array(["garcia perez", "garcia lpoez", "garcia perez"], dtype=object)).tolist()
    [True, False, False]
    """
    (codes_a, codes_b), words = _coded(a, b)
    positions, a, b = distinct_pairs(codes_a, codes_b)
    return _last_words_apart(a, b, words)[positions]


def _last_words_apart(a: np.ndarray, b: np.ndarray, words: np.ndarray) -> np.ndarray:
    """`last_words_apart` of codes of ``words``."""
    parts = [word.rsplit(" ", 1) for word in words.tolist()]
    head = pd.factorize(np.array([part[0] if len(part) == 2 else None for part in parts], dtype=object))[0]
    tail, tails = pd.factorize(np.array([part[-1] for part in parts], dtype=object))
    other = np.zeros(len(a), dtype=bool)
    shared = np.flatnonzero((head[a] == head[b]) & (head[a] >= 0))
    positions, tail_a, tail_b = distinct_pairs(tail[a[shared]], tail[b[shared]])
    other[shared] = ~_nearly_the_same(tail_a, tail_b, np.asarray(tails, dtype=object))[positions]
    return other


#: The most letters of a last name in which a letter typed otherwise makes another name
SHORT_NAME = 5


def short_names_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether two folded last names (aligned) are short (`SHORT_NAME` letters or fewer), of as many
    letters, and differ in letters changed, not moved, or are a final g apart (`final_g_apart`): two
    names, as Chen and Chan, Zhou and Zhao, Tan and Tang are, more often than a typo, which in names
    drops, doubles or swaps a letter (Chen and Chne; Park and Pak, spellings of one Korean name).

    >>> short_names_apart(np.array(["chen", "zhou", "park", "chen", "thompson", "chen", "tan"], dtype=object),
    ...                   np.array(["chan", "zhao", "pak", "chne", "thompsen", "chen", "tang"], dtype=object)).tolist()
    [True, True, False, False, False, False, True]
    """
    return per_distinct_pair(a, b, lambda x, y: x != y and " " not in x + y and (
        len(x) == len(y) <= SHORT_NAME and not _one_transposition(x, y) or final_g_apart(x, y)))


class _ByValue(Comparison):
    """A comparison of one text per record, whose levels depend on the two texts alone.

    values: each record's text, by source row. Given them, it reads the records' row
        numbers (label ``row``) and works out each distinct pair of texts once (candidate
        pairs repeat the same two cities many times); without them, it reads the texts
        of the column ``column``. Subclasses implement ``_levels`` over two aligned
        arrays of texts.
    """

    def __init__(self, column: str, values: pd.Series | tuple[np.ndarray, np.ndarray] | None = None) -> None:
        super().__init__(column if values is None else "row")
        self.codes = self.texts = None
        if values is not None:  # may come factorized already, as ``(codes, distinct texts)``
            codes, texts = values if isinstance(values, tuple) else pd.factorize(values.to_numpy(dtype=object))
            self.codes = codes.astype(np.int32, copy=False)  # int32: kept all run (`Normalized.name_codes`' are)
            self.texts = np.asarray(texts, dtype=object)

    def _compute_vectorized(self, a: pd.Series, b: pd.Series):
        if self.codes is None:
            return self._levels(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
        positions, first, second = distinct_pairs(self.codes[a.to_numpy()], self.codes[b.to_numpy()])
        found = self._levels(self.texts[first], self.texts[second])
        return tuple(x[positions] for x in found) if isinstance(found, tuple) else found[positions]

    def _levels(self, a: np.ndarray, b: np.ndarray):
        raise NotImplementedError


class TextComparison(_ByValue):
    """A free-text field such as a company or a street address. 3: same; 2: the same words
    (or nearly the same text); 1: largely the same words; 0: different; -1: missing.
    """

    tf = True

    def __init__(self, field: str, frequency: pd.Series, similar: float = 0.9, related: float = 0.7,
                 values: pd.Series | None = None) -> None:
        self.name = field
        self.levels = {3: f"same {field}", 2: f"nearly the same {field}", 1: f"similar {field}",
                       0: f"different {field}"}
        self.prior = {3: 0.6, 2: 0.15, 1: 0.1, 0: 0.15}
        super().__init__(field, values)
        self.frequency, self.similar, self.related = frequency, similar, related

    def _levels(self, a: np.ndarray, b: np.ndarray):
        missing = (a == "") | (b == "")
        words = similarity(a, b, token_set_ratio) / 100
        close = similarity(a, b)
        levels = np.select([missing, a == b, (words >= self.similar) | (close >= 0.95), words >= self.related],
                           [MISSING, 3, 2, 1], 0).astype(np.int8)
        tf = np.where(levels == 3, pd.Series(a).map(self.frequency).to_numpy(dtype=float), np.nan)
        return levels, tf


class ExactComparison(_ByValue):
    """A short code such as a postcode, a city, a birth date or a national ID.
    2: same; 1: one character off (a typo or two swapped digits); 0: different; -1: missing.
    """

    def __init__(self, field: str, column: str | None = None, values: pd.Series | None = None) -> None:
        self.name = field
        self.levels = {2: f"same {field}", 1: f"{field} one character off", 0: f"different {field}"}
        self.prior = {2: 0.85, 1: 0.05, 0: 0.1}
        super().__init__(column or field, values)

    def _levels(self, a: np.ndarray, b: np.ndarray):
        missing = (a == "") | (b == "")
        typo = similarity(a, b, Levenshtein.distance) <= 1
        swapped = per_distinct_pair(a, b, _one_transposition)
        return np.select([missing, a == b, typo | swapped], [MISSING, 2, 1], 0).astype(np.int8)


class DateComparison(_ByValue):
    """A date such as a birth date (``YYYYMMDD``). 5: same; 4: one digit off or day and
    month swapped; 3: the year one digit off and the day within a month (1973-03-09 ~
    1983-02-07); 2: within a year; 1: within ten years (and a month); 0: further apart,
    which tells a parent from a child sharing an email or a phone; -1: missing.
    """

    name = "birth_date"
    levels = {5: "same birth date", 4: "birth date one digit off", 3: "birth year one digit off",
              2: "birth date within a year", 1: "birth date within ten years", 0: "birth dates over ten years apart"}
    prior = {5: 0.8, 4: 0.08, 3: 0.03, 2: 0.05, 1: 0.05, 0: 0.02}
    never_for = (1,)  # two dates years apart are no sign of one person, however often people differ so

    def _levels(self, a: np.ndarray, b: np.ndarray):
        days_a = pd.to_datetime(pd.Series(a), format="%Y%m%d", errors="coerce")
        days_b = pd.to_datetime(pd.Series(b), format="%Y%m%d", errors="coerce")
        missing = (a == "") | (b == "")
        typo = (similarity(a, b, Levenshtein.distance) <= 1) | per_distinct_pair(a, b, _day_month_swapped)
        gap = np.abs((days_a - days_b).dt.days.to_numpy(dtype=float))  # NaN (not a date) passes no test
        # a year typed wrong (1983 for 1973) and the day within a month: b's month and day in a's year
        year_a, year_b = pd.Series(a).str[:4], pd.Series(b).str[:4]
        moved = pd.to_datetime(year_a + pd.Series(b).str[4:], format="%Y%m%d", errors="coerce")
        year_typo = ((similarity(year_a.to_numpy(dtype=object), year_b.to_numpy(dtype=object), Levenshtein.distance) == 1)
                     & (np.abs((moved.to_numpy() - days_a.to_numpy()) / np.timedelta64(1, "D")) <= 31))
        return np.select([missing, a == b, typo, year_typo, gap <= 366, gap <= 3653 + 31],
                         [MISSING, 5, 4, 3, 2, 1], 0).astype(np.int8)


def _day_month_swapped(a: str, b: str) -> bool:
    return len(a) == len(b) == 8 and a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]


class PlaceComparison(_ByValue):
    """A place name such as a city. 2: same; 1: nearly the same (a typo); 0: different; -1: missing."""

    def __init__(self, field: str, values: pd.Series | None = None) -> None:
        self.name = field
        self.levels = {2: f"same {field}", 1: f"nearly the same {field}", 0: f"different {field}"}
        self.prior = {2: 0.85, 1: 0.08, 0: 0.07}
        super().__init__(field, values)

    def _levels(self, a: np.ndarray, b: np.ndarray):
        missing = (a == "") | (b == "")
        return np.select([missing, a == b, similarity(a, b) >= 0.88], [MISSING, 2, 1], 0).astype(np.int8)


def _one_transposition(a: str, b: str) -> bool:
    if len(a) != len(b) or len(a) < 2:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


# --- the stage -------------------------------------------------------------------------------------

COMPARED_ROLES = ("emails", "phones", "external_ids", "first_name", "last_name", "full_name", "company", "address",
                  "postcode", "city", "birth_date")


def check_comparable(contacts: Contacts, config: Config) -> None:
    """A `ConfigError` when a ``compare_columns`` entry is not a column of ``contacts``, or has a role
    that `comparisons` compares already (its agreement would count twice, and an external ID one
    character off would keep the pair apart), or when no column has a role that `comparisons` compares."""
    fm = contacts.field_map
    role_of = fm.role_of()
    for column in config.match.compare_columns:
        if column not in contacts.columns:
            close = difflib.get_close_matches(column, contacts.columns, n=1)
            raise ConfigError(f"{config.source}: match.compare_columns: {column!r} is not a column of {contacts.name}"
                              + (f"; did you mean {close[0]!r}?" if close else ""))
        if role_of.get(column) in COMPARED_ROLES:
            raise ConfigError(f"{config.source}: match.compare_columns: {column!r} of {contacts.name} is compared "
                              f"already, as its role {role_of[column]}; to compare it as a column of its own (exact, "
                              f"one character off, different), give it no role: [fields] ignore = [{column!r}]")
    if not (config.match.compare_columns or any(getattr(fm, role) for role in COMPARED_ROLES)):
        raise ConfigError(
            f"{contacts.name}: no column to compare the records on: none of its columns "
            f"({', '.join(map(repr, contacts.columns))}) was recognized as a name, email, phone, external ID, "
            "company, address, postcode, city or birth date. Give the columns their roles in the [fields] table "
            'of a config file passed with --config (for example emails = ["Mail"]), or rename them.')


def comparisons(contacts: Contacts, normalized: Normalized, config: Config | None = None) -> list[Comparison]:
    """The comparisons that the export's mapped fields allow (none: a `ConfigError`)."""
    config = config or Config()
    check_comparable(contacts, config)
    fm, names = contacts.field_map, normalized.names
    counted = first_copies(contacts, normalized, config) == np.arange(len(names))  # a copy counts once
    out: list[Comparison] = []
    if fm.emails:
        # a role address (info@, office@) is shared by colleagues: it says nothing about who wrote
        rows, coded = normalized.personal_emails()
        out.append(EmailComparison(rows, coded, counted, names))
    if fm.phones:
        out.append(PhoneComparison(normalized.phones["source_row"].to_numpy(), normalized.phone_codes(), counted))
    if fm.external_ids:
        rows, codes, _ = normalized.coded("external_id")
        out.append(ExternalIdComparison(rows, codes))
    coded = normalized.name_codes  # the candidates' too
    if fm.first_name or fm.last_name or fm.full_name:
        out.append(NameComparison(names, counted, coded))
    if fm.company:
        out.append(TextComparison("company", frequencies(coded("company"), counted), values=coded("company")))
    if fm.address:
        out.append(TextComparison("address", frequencies(coded("address"), counted), values=coded("address")))
    if fm.postcode:
        out.append(ExactComparison("postcode", values=coded("postcode")))
    if fm.city:
        out.append(PlaceComparison("city", coded("city")))
    if fm.birth_date:
        out.append(DateComparison("birth_date", coded("birth_date")))
    for column in config.match.compare_columns:
        out.append(ExactComparison(column, values=compared_column(contacts, column)))
    return out


def compared_column(contacts: Contacts, column: str) -> pd.Series:
    """A column of ``match.compare_columns`` as it is compared: trimmed, upper case."""
    return contacts.frame[column].str.strip().str.upper()


#: Headers (folded) of a column that holds a name's suffix (Salesforce's ``Suffix``), its patronymic or its salutation
SUFFIX_HEADERS = ("suffix", "name suffix", "suffixe")
PATRONYMIC_HEADERS = ("отчество",)
SALUTATION_HEADERS = ("salutation", "name prefix", "prefix", "civilite", "civility", "anrede", "tratamiento")
#: Salutations that say a man's or a woman's name (folded); Dr. and Prof. say neither
SALUTATIONS = dict.fromkeys("mr mister monsieur herr senor signor".split(), "m") | dict.fromkeys(
    "mrs ms miss mme madame mlle mademoiselle frau sra senora srta signora".split(), "f")


def generations(contacts: Contacts, normalized: Normalized) -> np.ndarray:
    """The generation each record's name ends with (``jr``, ``sr``, ``iii``…; ``""``), by row, or its
    suffix column gives (Salesforce's ``Suffix``); worked out once (the exact copies and the rule of
    two generations both ask)."""
    return normalized.once("generations", lambda: _generations(contacts))


def _generations(contacts: Contacts) -> np.ndarray:
    fm, frame = contacts.field_map, contacts.frame
    found = np.full(len(frame), "", dtype=object)
    for column in (fm.first_name, fm.last_name, fm.full_name):
        if column:
            values = frame[column].to_numpy(dtype=object)
            ends = pc.match_substring_regex(pa.array(values, pa.string()), rf"(?i)\b(?:{'|'.join(GENERATIONS)})\W*$")
            for at in np.flatnonzero(np.asarray(ends)).tolist():
                found[at] = found[at] or generation(values[at])
    for column in _columns_named(contacts, SUFFIX_HEADERS):
        suffix = map_unique(frame[column], lambda text: GENERATIONS.get(fold(text).replace(" ", ""), "")).to_numpy()
        found = np.where(found == "", suffix, found)
    return found


def patronymics(contacts: Contacts, normalized: Normalized) -> np.ndarray:
    """The patronymic of each record's name (folded: ``петрович``, or its initial ``п``; ``""``), by
    row: its patronymic column's (RetailCRM's ``Отчество``), else the one in its full name or first
    name ("Иванов Иван Петрович"; "Иван Петрович" in a first name beside a last name, not in a full
    name, where Петрович is a last name); worked out once (the exact copies and the rule of two
    patronymics both ask)."""
    return normalized.once("patronymics", lambda: _patronymics(contacts))


def _patronymics(contacts: Contacts) -> np.ndarray:
    fm, frame = contacts.field_map, contacts.frame
    found = np.full(len(frame), "", dtype=object)
    for column in _columns_named(contacts, PATRONYMIC_HEADERS):
        found = np.where(found == "", map_unique(frame[column], lambda text: patronymic(text, alone=True)), found)
    for column in (c for c in (fm.full_name, fm.first_name) if c):
        values = frame[column].to_numpy(dtype=object)
        ends = np.asarray(pc.match_substring_regex(pa.array(values, pa.string()), r"(?i)(?:ич|вна|чна)(?:\W|$)"),
                          dtype=bool)
        at = np.flatnonzero(ends & (found == ""))  # only the cells that may hold one are read
        given = column == fm.first_name and fm.last_name is not None  # "Иван Петрович" beside a Фамилия column
        found[at] = map_unique(pd.Series(values[at], dtype=object),
                               lambda text, given=given: patronymic(text, given=given)).to_numpy()
    return found.astype(object)


def salutations(contacts: Contacts) -> np.ndarray:
    """``m`` or ``f`` when a record's salutation says a man or a woman (a salutation column, or the
    first word of a name cell of more: "Mrs J. Lockwood"), else ``""``, by row."""
    fm, frame = contacts.field_map, contacts.frame
    found = np.full(len(frame), "", dtype=object)
    for column in _columns_named(contacts, SALUTATION_HEADERS):
        found = np.where(found == "", map_unique(frame[column], lambda text: SALUTATIONS.get(fold(text), "")), found)
    for column in (c for c in (fm.first_name, fm.full_name) if c):
        said = map_unique(frame[column], lambda text: _salutation_first(fold(text)))  # once per distinct name
        found = np.where(found == "", said, found)
    return found.astype(object)


#: Two words joined in a name cell: given names ("Harold & Joan", "Mr. and Mrs."); not by "y" nor "e",
#: which a Spanish surname or a middle initial holds ("José Ortega y Gasset", "John E Smith")
_JOINT = r"[^\W\d_][\w'.\-]*\s*(?:&|\+|\s(?:and|et|und)\s)\s*[^\W\d_]"
_JOINT_FIRST, _JOINT_FULL = re.compile(_JOINT, re.IGNORECASE), re.compile(r"\W*" + _JOINT, re.IGNORECASE)


def joint_names(contacts: Contacts) -> np.ndarray:
    """Whether each record's name names two people, by row: two words joined in its first name
    ("Harold & Joan"), or its full name's first word joined to the next ("Arthur and Mabel Sowerby",
    "Mr. and Mrs. Cedric"; not "Ritz-Carlton Restaurant and Dining Room"). A couple's or a family's
    record, whose pair with one of them a person decides."""
    fm, frame = contacts.field_map, contacts.frame
    found = np.zeros(len(frame), dtype=bool)
    for column, joint in ((fm.first_name, _JOINT_FIRST.search), (fm.full_name, _JOINT_FULL.match)):
        if column:
            found |= map_unique(frame[column], lambda text, joint=joint: joint(text) is not None).to_numpy(dtype=bool)
    return found


def _salutation_first(name: str) -> str:
    """`SALUTATIONS`' word for the first word of a folded name of more words ("mrs jane doe"), else ``""``."""
    first, _, rest = name.partition(" ")
    return SALUTATIONS.get(first, "") if rest else ""


def _columns_named(contacts: Contacts, headers: Sequence[str]) -> list[str]:
    return [column for column in contacts.columns if fold_header(column) in headers]


#: The fields of `Normalized.names` that two exact copies hold alike (the others derive from them).
_COPY_FIELDS = ("first", "last", "full", "company", "address", "postcode", "city", "birth_date")


def first_copies(contacts: Contacts, normalized: Normalized, config: Config | None = None) -> np.ndarray:
    """The first row of each row's exact copies, by row: the rows the same as it in every field
    matching compares (normalized: the same emails, phones and external IDs, in any columns; the
    same generation after the name, `generations`, and patronymic, `patronymics`), among
    them an email, a phone or an external ID (a form sent sixty times, an import run twice); the
    row itself when it has none. Matching takes a copy as its first row: a copy is paired with that
    row alone, and counts once in the caps of the candidates and in the term frequencies. Worked
    out once; read-only.
    """
    config = config or Config()
    columns = tuple(config.match.compare_columns)
    return normalized.once(("copies", columns), lambda: _first_copies(contacts, normalized, columns))


def _first_copies(contacts: Contacts, normalized: Normalized, columns: tuple[str, ...]) -> np.ndarray:
    n = len(normalized.names)
    ids, codes = normalized.identifiers["source_row"].to_numpy(), normalized.value_codes()
    ids, codes = ids[codes >= 0], codes[codes >= 0]
    # only rows that share their identifiers with another can be copies: the names of those alone are read. Those
    # holding an identifier no other row holds are left out first, by counting, then those whose sum of identifiers
    # no other row has (995,715 rows with identifiers at 1,000,000 rows, 378,464 after the first step, 282,016 after
    # the second: hashing the sums of all rows thrice took 0.24 s, this 0.09 s; the sums of fewer rows, 0.07 s less)
    alone = np.zeros(n, dtype=bool)
    alone[ids[~repeated(codes)]] = True
    kept = ~alone[ids]
    count, identifiers = _sets(ids[kept], codes[kept], n)
    _, phones = _sets(normalized.phones["source_row"].to_numpy(), normalized.phone_codes()["national"][0], n)
    first = np.arange(n)
    rows = np.flatnonzero(count > 0)
    rows = rows[pd.Series(identifiers[rows]).duplicated(keep=False).to_numpy()]
    # then the sets and the fields, the fields by their codes, which the candidates and the comparisons read too:
    # integers, quicker to hash. A row alike no other so far is a copy of none: the next fields are read of the
    # others only (at 1,000,000 rows, 180,109 rows after the first name, 160,345 after the last)
    fields = [normalized.name_codes(field)[0] for field in _COPY_FIELDS]
    compared = [compared_column(contacts, column).to_numpy() for column in columns]
    family = [generations(contacts, normalized), patronymics(contacts, normalized)]
    code = pd.factorize(count[rows])[0]
    for values in [identifiers, phones, *fields, *family, *compared]:
        code = distinct_pairs(code, pd.factorize(values[rows])[0])[0]
        shared = repeated(code)
        rows, code = rows[shared], code[shared]
    first[rows] = rows[first_appearances(pd.factorize(code)[0])]  # codes by first appearance
    return first


def _sets(rows: np.ndarray, codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """How many distinct non-negative ``codes`` each of ``n`` records holds, and a sum of a hash of
    each (wrapping): the same set of values, the same sum."""
    held = sorted_distinct(rows[codes >= 0].astype(np.int64) << 32 | codes[codes >= 0])
    starts = run_starts(held >> 32)
    summed = np.zeros(n, dtype=np.uint64)
    if len(starts):
        summed[(held >> 32)[starts]] = np.add.reduceat(mixed(held & 0xFFFFFFFF), starts)
    return np.bincount(held >> 32, minlength=n), summed


def comparison_data(normalized: Normalized, using: list[Comparison]) -> pd.DataFrame:
    """The per-record columns the comparisons read, indexed by ``source_row``: ``row``, the
    source row itself (most comparisons keep their own codes of the records' values), and the
    columns of `Normalized.names` that the others read by name."""
    names = normalized.names
    data = pd.DataFrame({"row": names.index.to_numpy()}, index=names.index)
    for label in {label for comparison in using for label in _listed(comparison.labels_left)} - {"row"}:
        data[label] = names[label]
    return data


def compare(contacts: Contacts, normalized: Normalized, pairs: pd.MultiIndex,
            config: Config | None = None, using: list[Comparison] | None = None) -> pd.DataFrame:
    """Agreement levels of every pair, one column per comparison (plus ``*_tf``: how
    common the agreeing value is), indexed like ``pairs``.

    pairs: a MultiIndex of source rows, or the `Candidates` `candidates` gives (their ``pairs``).
    using: the comparisons, when already built (default: `comparisons`).
    """
    check_source(contacts, "compare", path=False, contacts=True)
    pairs = getattr(pairs, "pairs", pairs)  # the Candidates of `candidates`: their pairs
    using = using if using is not None else comparisons(contacts, normalized, config)
    features = _Compare(using)
    if len(pairs) == 0:
        columns = [c for cmp in features.features for c in _labels(cmp)]
        return pd.DataFrame({c: pd.Series([], dtype=float if c.endswith("_tf") else np.int8) for c in columns},
                            index=pairs)
    result = features.compute(pairs, comparison_data(normalized, using))
    result.index = pairs
    return result


class _Compare(recordlinkage.Compare):
    """recordlinkage's `Compare` without the index it builds for the features: `compare` gives them
    the pairs' own (a second MultiIndex of millions of pairs, at 1,000,000 rows, took a second).
    Nor does it look up the rows of the pairs in the frame when the features read them alone."""

    def _compute(self, pairs, x, x_link=None):
        # ``row`` of `comparison_data` is its index itself: the rows a pair's records are at are the pairs' own,
        # as they are (two look-ups by label of 2,888,554 rows took 0.2-0.35 s at 1,000,000 rows); a row not in
        # the frame, or another frame, is for recordlinkage to look up (and refuse)
        rows = [pairs.get_level_values(level).to_numpy() for level in (0, 1)]
        if (x_link is not None or x.columns.tolist() != ["row"] or not x.index.equals(pd.RangeIndex(len(x)))
                or any(listify(side) != ["row"] for f in self.features for side in (f.labels_left, f.labels_right))
                or any(r.dtype != np.int64 or not ((r >= 0) & (r < len(x))).all() for r in rows)):
            return super()._compute(pairs, x, x_link)
        a, b = (pd.Series(r, index=pairs, name="row") for r in rows)
        return self._union([(feature._compute((a,), (b,)), feature.label) for feature in self.features], pairs)

    def _union(self, objs, index=None, column_i=0):
        return super()._union(objs, None, column_i)


def _labels(comparison: Comparison) -> list[str]:
    return _listed(comparison.label)


def _listed(label: str | Sequence[str]) -> list[str]:
    return [label] if isinstance(label, str) else list(label)
