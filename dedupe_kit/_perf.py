"""Small helpers for the hot paths."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small objects.

    Parsing a large export creates one list per row and one tuple per value; the
    collector would otherwise scan them all again and again, for nothing: they
    hold no cycles. Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal consecutive values starts.

    >>> run_starts(np.array([4, 4, 7, 4])).tolist()
    [0, 2, 3]
    """
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def run_lengths(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal consecutive values starts, and how long it is.

    >>> [x.tolist() for x in run_lengths(np.array([4, 4, 7, 4]))]
    [[0, 2, 3], [2, 1, 1]]
    """
    starts = run_starts(values)
    return starts, np.diff(np.r_[starts, len(values)])


def first_appearances(codes: np.ndarray) -> np.ndarray:
    """For each of ``codes``, numbered 0, 1, 2… in the order they first come (as `pd.factorize`
    numbers them), the position where its code first comes: where a code is higher than all before
    it, by a running maximum (``np.unique`` would sort them).

    >>> first_appearances(np.array([0, 1, 0, 2, 1])).tolist()
    [0, 1, 0, 3, 1]
    """
    return np.flatnonzero(np.r_[True, codes[1:] > np.maximum.accumulate(codes)[:-1]])[codes]


def repeated(codes: np.ndarray) -> np.ndarray:
    """Whether each of ``codes`` (integers from 0) comes more than once: counted by `np.bincount`, a tenth of
    the time of ``duplicated(keep=False)``, which hashes them.

    >>> repeated(np.array([0, 1, 0, 3])).tolist()
    [True, False, True, False]
    """
    return np.bincount(codes)[codes] > 1


def arrow_codes(texts: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """One integer per distinct text of ``texts``, numbered in the order they first come (as
    ``pd.factorize`` numbers them; a null gets one too), and the distinct texts: by Arrow's dictionary
    encoding, 0.6 of the time of ``pd.factorize`` on a million texts.

    >>> codes, distinct = arrow_codes(pa.array(["b", "", "a", "b"]))
    >>> codes.tolist(), distinct.to_pylist()
    ([0, 1, 2, 0], ['b', '', 'a'])
    """
    found = texts.dictionary_encode(null_encoding="encode")
    return np.asarray(found.indices), found.dictionary


def runs(values: np.ndarray) -> tuple[list[int], list[int]]:
    """Where each run of equal consecutive values starts and ends (exclusive).

    >>> runs(np.array([4, 4, 7, 4]))
    ([0, 2, 3], [2, 3, 4])
    """
    starts = run_starts(values)
    return starts.tolist(), np.r_[starts[1:], len(values)].tolist() if len(values) else []


def distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The position of each pair of two aligned arrays of non-negative integer codes among their
    distinct pairs, and the two codes of each distinct pair.

    >>> [x.tolist() for x in distinct_pairs(np.array([0, 1, 0]), np.array([2, 2, 2]))]
    [[0, 1, 0], [0, 1], [2, 2]]
    """
    size = int(max(a.max(initial=0), b.max(initial=0))) + 1
    positions, combined = pd.factorize(np.asarray(a, dtype=np.int64) * size + b)
    return positions, combined // size, combined % size


def is_filled(values: pd.Series | np.ndarray) -> np.ndarray:
    """Whether each cell holds more than white space.

    >>> is_filled(pd.Series(["", " ", "x", " \u00a0 y"])).tolist()
    [False, False, True, True]
    """
    values = np.asarray(values, dtype=object)
    filled = values != ""
    typed = np.flatnonzero(filled)  # only the non-empty cells need a look at their characters
    filled[typed] = [not value.isspace() for value in values[typed]]
    return filled


def read_only_once(shared: dict, key: Hashable, make: Callable[[], np.ndarray | tuple[np.ndarray, ...]]):
    """``make()`` (an array, or a tuple of arrays), worked out once per ``key`` and kept in ``shared``; read-only:
    the caches that several stages read (`Contacts.once`, `Normalized.once`)."""
    if key not in shared:
        found = shared[key] = make()
        for array in found if isinstance(found, tuple) else (found,):
            array.flags.writeable = False
    return shared[key]


def sorted_distinct(values: np.ndarray, stable: bool = True, in_place: bool = False) -> np.ndarray:
    """``np.unique`` of integers, by sorting: numpy's own, hash-based, took 0.84 s for 1,000,000
    integers here, this 0.01 s (numpy 2.4). A stable sort (timsort) runs through what is sorted
    already: arrays sorted in stretches (pairs of several blocking keys, codes by row) sort in a
    tenth of the time, shuffled ones take a fifth more. ``stable=False``: numpy's quicksort, which
    sorts integers with SIMD, for arrays sorted in many short stretches (a quarter of the time).
    ``in_place``: ``values`` itself is sorted (the caller's to write), not a copy of it.

    >>> values = np.array([3, 1, 3, 2])
    >>> sorted_distinct(values, in_place=True).tolist(), values.tolist()
    ([1, 2, 3], [1, 2, 3, 3])
    """
    kind = "stable" if stable else None
    if in_place:
        values.sort(kind=kind)
    else:
        values = np.sort(values, kind=kind)
    return values[run_starts(values)]


def mixed(values: np.ndarray) -> np.ndarray:
    """splitmix64 of each value: a hash whose sums tell sets of values apart."""
    x = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def isin(values: np.ndarray, test: np.ndarray) -> np.ndarray:
    """``np.isin(values, test)`` through a hash table: numpy sorts both arrays, which takes
    more than ten times as long for millions of integers.

    >>> isin(np.array([3, 1, 4, 1]), np.array([1, 5])).tolist()
    [False, True, False, True]
    """
    return pd.Series(values).isin(test).to_numpy()


def part_places(order: np.ndarray, lengths: Sequence[int]) -> list[np.ndarray]:
    """Where the items of each part go in the table of all parts, one after the other (``lengths`` items
    each), taken in ``order``: each part written there, the parts are not joined first and then taken.

    >>> [places.tolist() for places in part_places(np.array([2, 0, 1]), [2, 1])]
    [[1, 2], [0]]
    """
    to = np.empty(len(order), dtype=np.intp)
    to[order] = np.arange(len(order))
    return np.split(to, np.cumsum(lengths)[:-1])


def sort_order(*columns: np.ndarray, descending: Collection[int] = ()) -> np.ndarray:
    """The order of rows by ``columns`` in turn, ascending but for the columns whose positions are
    in ``descending``, as pandas' stable ``sort_values`` gives it. Arrow sorts texts
    by their UTF-8 bytes, which order as their code points do, five times as fast as pandas
    (182,000 name keys of 1,000,000 records).

    >>> sort_order(np.array([2, 5, 2]), np.array(["b", "c", "a"]), descending={0}).tolist()
    [1, 2, 0]
    """
    table = pa.table({str(i): column for i, column in enumerate(columns)})
    return pc.sort_indices(table, sort_keys=[(str(i), "descending" if i in descending else "ascending")
                                             for i in range(len(columns))]).to_numpy()


def code_points(values: Sequence[str], joined: str | None = None,
                utf8: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The strings joined by NUL as one array of code points (UTF-32), and where each string
    starts in it: one join and one encoding rather than a Python call per string.

    joined: ``"\\0".join(values)``, when made already. Where a string holds a NUL itself, the
    starts come from the strings' lengths.
    utf8: their UTF-8 bytes instead, a quarter of the memory to scan, for a search of ASCII
    characters only: each is a byte of its own there, and no other character has a byte below 128.

    >>> codes, starts = code_points(["ab", "", "c\\0d"])
    >>> codes[starts].tolist()
    [97, 0, 99]
    >>> codes, starts = code_points(["é", "", "c\\0d"], utf8=True)
    >>> codes.tolist(), starts.tolist()
    ([195, 169, 0, 0, 99, 0, 100, 0], [0, 3, 4])
    """
    joined = "\0".join(values) if joined is None else joined
    encoding, dtype = ("utf-8", np.uint8) if utf8 else ("utf-32-le", np.uint32)
    codes = np.frombuffer((joined + "\0").encode(encoding, "surrogatepass"), dtype=dtype)
    ends = np.flatnonzero(codes == 0)  # the NUL after each string
    if len(ends) == len(values):
        return codes, np.r_[0, ends[:-1] + 1]
    sizes = (len(value.encode(encoding, "surrogatepass")) for value in values) if utf8 else map(len, values)
    lengths = np.fromiter(sizes, dtype=np.int64, count=len(values))
    return codes, np.cumsum(lengths + 1) - lengths - 1


def packed(values: list[str]) -> list[str]:
    """Equal strings, made afresh one after the other in memory (by one split of their join).

    Work over a column of strings runs several times faster when they lie together than
    when they were made in another order (row by row, or parse by parse).
    """
    joined = "\0".join(values)
    if joined.count("\0") != len(values) - 1:  # some string holds a NUL: keep the strings as they are
        return values
    return joined.split("\0")


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()
# glibc's own: not on macOS, Windows or musl, where there is nothing to do
_MALLOC_TRIM, _MALLOPT = getattr(_LIBC, "malloc_trim", None), getattr(_LIBC, "mallopt", None)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # mallopt's parameters, from malloc.h
_keep_freed = False


def release_memory() -> None:
    """Give the memory that C allocations (numpy arrays, pandas tables) freed back to the system.

    glibc keeps freed blocks for later, scattered among live ones; between the stages of
    a large run that is hundreds of megabytes the machine could use. Only on glibc, and
    not within `freed_memory_kept`.
    """
    if _MALLOC_TRIM is not None and not _keep_freed:
        _MALLOC_TRIM(0)


@contextmanager
def freed_memory_kept() -> Iterator[None]:
    """Let glibc keep the memory a stage frees for the next, in a batch run in its own process.

    By default glibc gives large blocks back to the system as soon as they are freed, and the
    next stage takes them again, page by page: at 1,000,000 rows the kernel spent 6 to 9 s of
    a 40 s ``--match-only`` run on those page faults, and 4 to 5 s with this; the peak grew by
    about 80 MB. `release_memory` does nothing meanwhile; after, the thresholds are glibc's
    default sizes again (the mmap one fixed, where glibc would adjust it) and the memory is
    released. Only on glibc.
    """
    global _keep_freed
    if _MALLOPT is None:
        yield
        return
    for parameter, value in ((_M_TRIM_THRESHOLD, 1 << 30), (_M_TOP_PAD, 256 << 20),
                             (_M_MMAP_THRESHOLD, 32 << 20)):  # 32 MB: the most glibc takes
        _MALLOPT(parameter, value)
    _keep_freed = True
    try:
        yield
    finally:
        for parameter, value in ((_M_TRIM_THRESHOLD, 128 << 10), (_M_TOP_PAD, 0), (_M_MMAP_THRESHOLD, 128 << 10)):
            _MALLOPT(parameter, value)
        _keep_freed = False
        release_memory()


def _huge_page_switch():
    """numpy's switch of its ``madvise`` for huge pages (it returns the setting it replaces), if any."""
    core = getattr(np, "_core", None) or np.core  # numpy 2, numpy 1.26
    return getattr(core.multiarray, "_set_madvise_hugepage", None)


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy's arrays on ordinary pages, in a batch run in its own process (as
    ``NUMPY_MADVISE_HUGEPAGE=0`` does; that variable, when set, wins).

    numpy asks Linux for transparent huge pages for every array of 4 MB or more. Where the
    kernel may then compact memory to find them (``defrag`` at ``madvise``, as on the machine
    measured), the page faults of a large run cost more than they save: at 1,000,000 rows `dedupe-kit run`
    spent 13.0-20.2 s in the kernel with them and 7.3-10.8 s without (51.3-60.1 s in all,
    against 61.4-66.0 s, four alternating pairs), at the same peak.
    """
    switch = None if "NUMPY_MADVISE_HUGEPAGE" in os.environ else _huge_page_switch()
    before = switch(False) if switch else None
    try:
        yield
    finally:
        if switch:
            switch(before)
