"""Pairwise precision / recall / F1 of a clustering against ground truth.

A result is one cluster label per record (records a tool did not return are
singletons). Two records form a *predicted pair* when they share a cluster and
a *true pair* when they share an entity. Pairs are never enumerated: with
``n`` records in a group there are ``n·(n−1)/2`` pairs, so

* predicted pairs = Σ over clusters,
* true pairs      = Σ over entities,
* correct pairs   = Σ over (cluster, entity) cells,

and precision = correct / predicted, recall = correct / true, F1 their
harmonic mean. ``python benchmarks/scoring.py`` runs :func:`self_check`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import pandas as pd


@dataclass(frozen=True)
class Score:
    records: int
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: pd.Series) -> int:
    n = sizes.astype("int64")
    return int((n * (n - 1) // 2).sum())


def score(clusters: Sequence[Hashable | None], entities: Sequence[Hashable]) -> Score:
    """Score ``clusters`` (one label per record, ``None``/NaN = not returned,
    i.e. a singleton) against ``entities`` (one true label per record, same
    order)."""
    if len(clusters) != len(entities):
        raise ValueError(f"{len(clusters)} cluster labels for {len(entities)} records")
    frame = pd.DataFrame({"cluster": pd.Series(clusters, dtype=object).to_numpy(),
                          "entity": pd.Series(entities, dtype=object).to_numpy()})
    missing = frame["cluster"].isna()
    # A missing record gets a label of its own that no other record can share.
    frame.loc[missing, "cluster"] = [("__singleton__", i) for i in frame.index[missing]]
    frame["cluster"] = frame["cluster"].map(repr)  # one comparable type
    frame["entity"] = frame["entity"].map(repr)
    return Score(
        records=len(frame),
        predicted_pairs=_pairs(frame.groupby("cluster").size()),
        true_pairs=_pairs(frame.groupby("entity").size()),
        correct_pairs=_pairs(frame.groupby(["cluster", "entity"]).size()),
    )


def self_check() -> None:
    """Hand-made example: entities {a,b,c} {d,e} {f}; clusters {a,b} {c,d} {e} and
    f not returned. True pairs ab ac bc de = 4, predicted ab cd = 2, correct ab = 1."""
    s = score(["x", "x", "y", "y", "z", None], [1, 1, 1, 2, 2, 3])
    assert (s.records, s.predicted_pairs, s.true_pairs, s.correct_pairs) == (6, 2, 4, 1), s
    assert abs(s.precision - 0.5) < 1e-12 and abs(s.recall - 0.25) < 1e-12
    assert abs(s.f1 - 1 / 3) < 1e-12
    # Everything missing = all singletons: no predicted pairs, precision 1 by convention.
    s = score([None] * 3, ["a", "a", "b"])
    assert (s.predicted_pairs, s.correct_pairs, s.true_pairs, s.recall, s.f1) == (0, 0, 1, 0.0, 0.0)
    # A perfect clustering with different label names scores 1.
    s = score([7, 7, 8], ["a", "a", "b"])
    assert s.f1 == 1.0


if __name__ == "__main__":
    self_check()
    print("scoring self-check passed")
