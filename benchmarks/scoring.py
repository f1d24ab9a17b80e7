"""Pairwise precision / recall / F1 of a clustering against ground truth.

The counting is `dedupe_kit.evaluate.pair_scores` (pairs per (cluster, entity)
cell, n·(n−1)/2, never enumerated); this module only makes every record a tool
did not return (``None``/NaN) a singleton, and leaves a record without a true
entity (``None``/NaN) unlabelled, in no true pair. ``python benchmarks/scoring.py`` runs
:func:`self_check`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from dedupe_kit.evaluate import PairScores as Score
from dedupe_kit.evaluate import pair_scores


def score(clusters: Sequence[Hashable | None], entities: Sequence[Hashable]) -> Score:
    """Score ``clusters`` (one label per record, ``None``/NaN = not returned, i.e. a
    singleton) against ``entities`` (one true label per record, same order; ``None``/NaN =
    unlabelled, in no true pair: not one entity that all such records share)."""
    if len(clusters) != len(entities):
        raise ValueError(f"{len(clusters)} cluster labels for {len(entities)} records")
    # a missing record gets a label of its own that no other record can share
    labels = [repr(("__singleton__", i)) if pd.isna(c) else repr(c) for i, c in enumerate(clusters)]
    return pair_scores(labels, [None if pd.isna(e) else repr(e) for e in entities])


def self_check() -> None:
    """Hand-made example: entities {a,b,c} {d,e} {f}; clusters {a,b} {c,d} {e} and
    f not returned. True pairs ab ac bc de = 4, predicted ab cd = 2, correct ab = 1."""
    s = score(["x", "x", "y", "y", "z", None], [1, 1, 1, 2, 2, 3])
    assert (s.predicted_pairs, s.true_pairs, s.found_pairs) == (2, 4, 1), s
    assert abs(s.precision - 0.5) < 1e-12 and abs(s.recall - 0.25) < 1e-12
    assert abs(s.f1 - 1 / 3) < 1e-12
    # everything missing = all singletons: no predicted pairs, precision 1 by convention
    s = score([None] * 3, ["a", "a", "b"])
    assert (s.predicted_pairs, s.found_pairs, s.true_pairs, s.recall, s.f1) == (0, 0, 1, 0.0, 0.0)
    # a perfect clustering with different label names scores 1
    assert score([7, 7, 8], ["a", "a", "b"]).f1 == 1.0
    # unlabelled records make no true pair: a perfect clustering of the labelled ones scores 1
    assert score([7, 7, 8, 9], ["a", "a", None, float("nan")]).f1 == 1.0


if __name__ == "__main__":
    self_check()
    print("scoring self-check passed")
