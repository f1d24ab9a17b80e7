"""Accuracy against labelled data: pairwise precision, recall and F1, and blocking recall.

Pairs are counted per (group, entity) cell with n·(n−1)/2, never enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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


def pair_scores(groups: np.ndarray | pd.Series, entities: np.ndarray | pd.Series) -> PairScores:
    """Pairwise scores of a grouping (one group id per record) against the true entities.

    >>> s = pair_scores([0, 0, 0, 3], ["x", "x", "y", "y"])
    >>> (s.true_pairs, s.predicted_pairs, s.found_pairs)
    (2, 3, 1)
    """
    group = pd.factorize(np.asarray(groups))[0].astype(np.int64)
    entity = pd.factorize(np.asarray(entities))[0].astype(np.int64)
    return PairScores(
        true_pairs=_pairs(entity),
        predicted_pairs=_pairs(group),
        found_pairs=_pairs(np.where((group >= 0) & (entity >= 0), group << 32 | entity, -1)),
    )


def blocking_recall(pairs: pd.MultiIndex, entities: np.ndarray | pd.Series) -> float:
    """Share of the true pairs that are among the candidate ``pairs`` (rows are positions)."""
    entities = pd.factorize(np.asarray(entities))[0]
    true_pairs = _pairs(entities)
    if not true_pairs:
        return 1.0
    a, b = pairs.get_level_values(0).to_numpy(), pairs.get_level_values(1).to_numpy()
    return float((entities[a] == entities[b]).sum() / true_pairs)
