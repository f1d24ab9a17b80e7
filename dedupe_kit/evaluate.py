"""Accuracy against labelled data: pairwise precision, recall and F1, and blocking recall.

Pairs are counted per (group, entity) cell with n·(n−1)/2, never enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError


@dataclass(frozen=True)
class PairScores:
    true_pairs: int
    predicted_pairs: int
    found_pairs: int

    @property
    def precision(self) -> float:
        return self.found_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.found_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"precision {self.precision:.3f}, recall {self.recall:.3f}, F1 {self.f1:.3f} "
                f"({self.found_pairs:,} of {self.true_pairs:,} true pairs; {self.predicted_pairs:,} predicted)")


def _pairs(codes: np.ndarray) -> int:
    """Pairs of records with the same label code (``-1``, missing, pairs with nothing): the sum of n·(n−1)/2."""
    n = np.bincount(pd.factorize(codes[codes >= 0])[0]).astype(np.int64)
    return int((n * (n - 1) // 2).sum())


def _refuse_other_length(function: str, name: str, values, entities, one: str) -> None:
    """Refuse ``values`` and ``entities`` of different lengths, naming both and what to give."""
    if len(values) != len(entities):
        raise InputError(f"{function}: {name} has {len(values):,} records and entities {len(entities):,}: "
                         f"give one {one} and one entity per record, in the same order")


def pair_scores(groups: np.ndarray | pd.Series, entities: np.ndarray | pd.Series) -> PairScores:
    """Pairwise scores of a grouping (one group id per record) against the true entities.

    Two Series are matched by their index (the same records, maybe in another order); else by position.

    >>> s = pair_scores([0, 0, 0, 3], ["x", "x", "y", "y"])
    >>> (s.true_pairs, s.predicted_pairs, s.found_pairs)
    (2, 3, 1)
    """
    _refuse_other_length("pair_scores", "groups", groups, entities, "group")
    if isinstance(groups, pd.Series) and isinstance(entities, pd.Series) and not groups.index.equals(entities.index):
        if not (groups.index.is_unique and groups.index.sort_values().equals(entities.index.sort_values())):
            raise InputError("pair_scores: groups and entities are Series of not the same records (their index): "
                             "give one group and one entity per record")
        entities = entities.reindex(groups.index)
    group = pd.factorize(np.asarray(groups))[0].astype(np.int64)
    entity = pd.factorize(np.asarray(entities))[0].astype(np.int64)
    return PairScores(
        true_pairs=_pairs(entity),
        predicted_pairs=_pairs(group),
        found_pairs=_pairs(np.where((group >= 0) & (entity >= 0), group << 32 | entity, -1)),
    )


def blocking_recall(pairs: pd.MultiIndex, entities: np.ndarray | pd.Series, first: np.ndarray | None = None) -> float:
    """Share of the true pairs that are among the candidate ``pairs`` (rows are positions).

    first: the first exact copy of each row (`compare.first_copies`), which stands for the
    row: a true pair counts when its rows are copies of one row, or when their first copies
    are a candidate pair.

    >>> pairs = pd.MultiIndex.from_tuples([(0, 2), (0, 1)])
    >>> blocking_recall(pairs, ["x", "x", "x", "x"], first=np.array([0, 0, 2, 2]))
    1.0
    >>> blocking_recall(pd.MultiIndex.from_tuples([(0, 1), (2, 3)]), ["x", "x", None, None])  # unlabelled: no pair
    1.0
    """
    if first is not None:
        _refuse_other_length("blocking_recall", "first", first, entities, "first copy")
    a, b = pairs.get_level_values(0).to_numpy(), pairs.get_level_values(1).to_numpy()
    top = max(a.max(initial=-1), b.max(initial=-1))
    if top >= len(entities):
        raise InputError(f"blocking_recall: pairs name row {top:,} and entities has {len(entities):,} records: "
                         f"give one entity per record, in the order of the rows the pairs name by position")
    entities = pd.factorize(np.asarray(entities))[0].astype(np.int64)
    true_pairs = _pairs(entities)
    if not true_pairs:
        return 1.0
    first = np.arange(len(entities)) if first is None else first
    known = entities >= 0
    cells = pd.Series(first[known].astype(np.int64) << 32 | entities[known]).value_counts()  # rows by copy and entity
    within = int((cells * (cells - 1) // 2).sum())
    standing = (first[a] == a) & (first[b] == b)  # not a copy paired with its first row
    a, b = a[standing], b[standing]
    of_a = cells.rename_axis("code").reset_index(name="n")
    of_a = of_a.assign(row=of_a["code"].to_numpy() >> 32, entity=of_a["code"].to_numpy() & 0xFFFFFFFF)
    met = pd.DataFrame({"row": a, "other": b}).merge(of_a[["row", "entity", "n"]], on="row")
    n_b = cells.reindex(met["other"].to_numpy().astype(np.int64) << 32 | met["entity"].to_numpy()).fillna(0).to_numpy()
    return float((within + (met["n"].to_numpy() * n_b).sum()) / true_pairs)
