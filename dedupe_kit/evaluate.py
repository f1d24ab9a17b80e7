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


def _pairs(counts: pd.Series) -> int:
    n = counts.to_numpy(dtype=np.int64)
    return int((n * (n - 1) // 2).sum())


def pair_scores(groups: np.ndarray | pd.Series, entities: np.ndarray | pd.Series) -> PairScores:
    """Pairwise scores of a grouping (one group id per record) against the true entities.

    >>> s = pair_scores([0, 0, 0, 3], ["x", "x", "y", "y"])
    >>> (s.true_pairs, s.predicted_pairs, s.found_pairs)
    (2, 3, 1)
    """
    frame = pd.DataFrame({"group": np.asarray(groups), "entity": np.asarray(entities)})
    return PairScores(
        true_pairs=_pairs(frame.groupby("entity").size()),
        predicted_pairs=_pairs(frame.groupby("group").size()),
        found_pairs=_pairs(frame.groupby(["group", "entity"]).size()),
    )


def blocking_recall(pairs: pd.MultiIndex, entities: np.ndarray | pd.Series) -> float:
    """Share of the true pairs that are among the candidate ``pairs`` (rows are positions)."""
    entities = np.asarray(entities)
    true_pairs = _pairs(pd.Series(entities).value_counts())
    if not true_pairs:
        return 1.0
    a, b = pairs.get_level_values(0).to_numpy(), pairs.get_level_values(1).to_numpy()
    return float((entities[a] == entities[b]).sum() / true_pairs)
