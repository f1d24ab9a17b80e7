"""Groups of records from accepted pairs, under constraints that keep people apart.

Pairs are taken strongest first (ties by row numbers, so the same input gives
the same groups). Two groups join through an accepted pair unless a person said
"not a match" for any two of their records, or they hold different external
unique IDs (`different_ids`) — even when a chain of other pairs links them. Pairs below the
``upper`` threshold never join groups: a weak link cannot glue two groups.
Nor can one strong pair alone: two groups of two or more records join only when
at least half of the pairs across them are likely matches (``support``), so two
restaurants of one hotel, each listed twice, stay two groups.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def cluster(
    n_rows: int,
    pairs: pd.MultiIndex,
    accepted: np.ndarray,
    strength: np.ndarray,
    *,
    external_ids: Mapping[int, frozenset[tuple[str, str]]] | None = None,
    apart: pd.MultiIndex | None = None,
    support: np.ndarray | None = None,
    first: np.ndarray | None = None,
) -> np.ndarray:
    """The group of every row (the smallest ``source_row`` of the group).

    accepted: which pairs may join their records; strength: their order (a
        probability; reviewed matches first).
    external_ids: the external unique IDs of each record that has some, as ``(column, ID)``.
    apart: pairs a person said are not a match.
    support: which pairs are likely matches (at least as many as ``accepted``); two
        groups of two or more records join only when at least half of the pairs
        across them are among these (default: no such check).
    first: each row's first exact copy (`compare.first_copies`), which stands for it: a copy is
        paired with its first row alone, so a pair across two groups is likely when the pair of
        their first copies is (an import run twice leaves each record a copy).
    """
    external_ids = external_ids or {}
    parent = np.arange(n_rows)
    ids: dict[int, frozenset[tuple[str, str]]] = dict(external_ids)
    cannot: dict[int, set[int]] = {}
    members: dict[int, list[int]] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    all_a, all_b = pairs.get_level_values(0).to_numpy(), pairs.get_level_values(1).to_numpy()
    stand = np.arange(n_rows) if first is None else first
    a_rows, b_rows, strength = all_a[accepted], all_b[accepted], strength[accepted]
    with_ids = np.zeros(n_rows, dtype=bool)
    with_ids[list(ids)] = True
    # a pair whose two records are in no other accepted pair is a group of its own, unless
    # their external IDs differ: no order, chain or support to weigh (4 pairs in 10 at 1,000,000 rows)
    alone = ~in_chains(n_rows, a_rows, b_rows)[a_rows]
    # set at once: no two of them share a record; only those of two records with external IDs are told apart
    lone_a, lone_b = a_rows[alone], b_rows[alone]
    joined = np.ones(len(lone_a), dtype=bool)
    both = np.flatnonzero(with_ids[lone_a] & with_ids[lone_b])
    joined[both] = [not different_ids(ids[a], ids[b]) for a, b in zip(lone_a[both].tolist(), lone_b[both].tolist())]
    parent[np.maximum(lone_a, lone_b)[joined]] = np.minimum(lone_a, lone_b)[joined]
    a_rows, b_rows, strength = a_rows[~alone], b_rows[~alone], strength[~alone]
    # so is a component of three records, at once too, unless two of them are kept apart or hold different
    # external IDs: no two groups of two or more records meet in it, so no support to weigh, nor an order
    # (6 of the other pairs in 10 at 1,000,000 rows)
    component, free = _components_of_three(n_rows, a_rows, b_rows)
    if apart is not None:
        apart_a, apart_b = apart.get_level_values(0).to_numpy(), apart.get_level_values(1).to_numpy()
        free[component[apart_a[(component[apart_a] == component[apart_b]) & (apart_a != apart_b)]]] = False
    rows = np.flatnonzero(free[component])
    held = rows[with_ids[rows]]
    holder = np.zeros(n_rows, dtype=np.int64)
    holder[component[held]] = held  # a record of each component with IDs, to compare the others' with
    differ = [ids[a] != ids[b] for a, b in zip(held.tolist(), holder[component[held]].tolist())]
    free[component[held[differ]]] = False
    rows = rows[free[component[rows]]]
    parent[rows] = component[rows]
    rest = ~free[component[a_rows]]
    a_rows, b_rows, strength = a_rows[rest], b_rows[rest], strength[rest]
    # the others join one at a time: a pair kept apart, or a likely one, matters only between two
    # of their records (or of their first copies)
    chained = np.zeros(n_rows, dtype=bool)
    chained[a_rows] = chained[b_rows] = True
    if apart is not None:
        kept = chained[apart_a] & chained[apart_b]
        for a, b in zip(apart_a[kept].tolist(), apart_b[kept].tolist()):
            cannot.setdefault(a, set()).add(b)
            cannot.setdefault(b, set()).add(a)
    likely: set[int] = set()
    weigh = support is not None and bool(support.any())  # weighed even when none of its pairs is left
    if weigh:
        standing = np.zeros(n_rows, dtype=bool)
        standing[stand[chained]] = True
        support = support & standing[all_a] & standing[all_b]
        likely = set((all_a[support].astype(np.int64) << 32 | all_b[support]).tolist())
    stand = stand.tolist()
    order = np.lexsort((b_rows, a_rows, -strength))
    for a, b in zip(a_rows[order].tolist(), b_rows[order].tolist()):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ids_a, ids_b = ids.get(ra, frozenset()), ids.get(rb, frozenset())
        if different_ids(ids_a, ids_b):
            continue
        if cannot or weigh:
            group_a, group_b = members.get(ra, [ra]), members.get(rb, [rb])
            if cannot and any(cannot.get(x, ()) and cannot[x] & set(group_b) for x in group_a):
                continue
            if weigh and len(group_a) > 1 and len(group_b) > 1:
                across = sum((min(fx, fy) << 32 | max(fx, fy)) in likely or fx == fy
                             for fx in (stand[x] for x in group_a) for fy in (stand[y] for y in group_b))
                if 2 * across < len(group_a) * len(group_b):
                    continue
            members[min(ra, rb)] = group_a + group_b
            members.pop(max(ra, rb), None)
        root, child = min(ra, rb), max(ra, rb)
        parent[child] = root
        if ids_a or ids_b:
            ids[root] = ids_a | ids_b
    roots = parent.copy()
    while len(roots) and (roots[roots] != roots).any():  # each row's root: its parent's parent, until they stop
        roots = roots[roots]
    return roots


def different_ids(ids_a: frozenset[tuple[str, str]], ids_b: frozenset[tuple[str, str]]) -> bool:
    """Whether two groups' external IDs, as ``(column, ID)``, keep them apart, as they stop a merge: none in common
    (one person's ID may sit in two columns, a renamed import column), or two different IDs in one column.

    >>> different_ids(frozenset({("Student ID", "421")}), frozenset({("Student Number", "421")}))
    False
    >>> different_ids(frozenset({("Student ID", "421"), ("Member Number", "M20")}),
    ...               frozenset({("Student ID", "421"), ("Member Number", "M12")}))
    True
    """
    if not (ids_a and ids_b) or ids_a == ids_b:
        return False
    if not {value for _, value in ids_a} & {value for _, value in ids_b}:
        return True
    held = dict(ids_a)  # one ID a column: a group with two is never formed
    return any(held.get(column, value) != value for column, value in ids_b)


def in_chains(n_rows: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each row is in a chain of the pairs ``a``, ``b``: in two of them or more, or paired with a row that
    is. `cluster` makes the two records of a pair in no other a group at once, which nothing keeps apart.

    >>> in_chains(6, np.array([0, 2, 3]), np.array([1, 3, 4])).tolist()
    [False, False, True, True, True, False]
    """
    degree = np.bincount(np.r_[a, b], minlength=n_rows)
    alone = (degree[a] == 1) & (degree[b] == 1)
    chained = np.zeros(n_rows, dtype=bool)
    chained[a[~alone]] = chained[b[~alone]] = True
    return chained


def _components_of_three(n_rows: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The components of the pairs ``a``, ``b`` of at most three rows: each row's smallest row within two
    pairs of it (the smallest of its component, in one of three), and by that row, whether the rows of
    that label are all of a component, of three rows or fewer. Two rounds, however long a chain.

    >>> component, small = _components_of_three(8, np.array([1, 3, 4, 6, 7]), np.array([3, 5, 5, 2, 6]))
    >>> component.tolist(), np.flatnonzero(small).tolist()
    ([0, 1, 2, 1, 3, 1, 2, 2], [2])
    """
    label = np.arange(n_rows)
    for _ in range(2):
        lower = np.minimum(label[a], label[b])
        np.minimum.at(label, a, lower)
        np.minimum.at(label, b, lower)
    paired = np.zeros(n_rows, dtype=bool)
    paired[a] = paired[b] = True
    size = np.bincount(label[paired], minlength=n_rows)
    small = (size > 0) & (size <= 3)
    open_ = label[a] != label[b]  # rows of one label, with a pair to a row of another: part of a component
    small[label[a[open_]]] = small[label[b[open_]]] = False
    return label, small
