"""Match probabilities from a Fellegi–Sunter model, with the reasons behind each score.

For every comparison level the model learns ``m`` (how often a true match is at
that level) and ``u`` (how often two random records are): ``u`` from random
record pairs, ``m`` by expectation–maximisation over the candidate pairs,
without labels. Reviewed pairs, when there are some, are fixed to their answer
during EM so the model learns from them too. A pair's match weight is the sum
over comparisons of ``log2(m / u)`` (missing fields add nothing); agreeing on a
common value (a name many people have, a phone a household shares) weighs less
than agreeing on a rare one: for those levels ``u`` is the value's frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib.figure import Figure

from ._perf import distinct_pairs
from .compare import MISSING

#: Columns of the feature frame that are not scored levels.
_NOT_LEVELS = ("swapped",)


class FellegiSunter:
    """The scorer, following the estimator protocol: ``fit`` returns ``self``,
    learned state ends in ``_``, ``predict_proba`` gives match probabilities.

    max_iter, tol: EM rounds and the change in ``m`` at which it stops.
    priors: per comparison column, the prior share of true duplicates at each
        level; EM starts there and keeps it as a Dirichlet prior worth
        ``prior_weight`` of the data.
    u_floors: per comparison column, the least ``u`` of some levels.
    fixed: comparison columns whose ``m`` stays at the prior. Left to EM alone,
        the "match" class drifts to whatever agrees most often — a household
        sharing a landline, a last name and a city — and learns that first
        names may differ; fixing the names' ``m`` keeps the class one person.
    nested: comparison columns whose every level implies the lower ones (the same
        phone has the same national number): ``u`` of a lower level is raised where
        it would weigh more than the level above.
    never_for: per comparison column, levels that weigh at most 0 (two birth
        dates years apart never speak for one person).
    """

    def __init__(self, max_iter: int = 40, tol: float = 1e-5, priors: dict[str, dict[int, float]] | None = None,
                 prior_weight: float = 0.3, fixed: frozenset[str] = frozenset(),
                 u_floors: dict[str, dict[int, float]] | None = None, nested: frozenset[str] = frozenset(),
                 never_for: dict[str, tuple[int, ...]] | None = None) -> None:
        self.max_iter, self.tol, self.priors, self.prior_weight = max_iter, tol, priors or {}, prior_weight
        self.fixed, self.u_floors, self.nested, self.never_for = fixed, u_floors or {}, nested, never_for or {}

    def fit(self, features: pd.DataFrame, *, random_features: pd.DataFrame, n_records: int,
            labels: pd.Series | None = None) -> FellegiSunter:
        """Learn ``u`` from the features of random pairs and ``m`` from the candidate pairs.

        labels: ``True``/``False`` for reviewed pairs (index a subset of ``features``).
        """
        self.columns_ = [c for c in features.columns if not c.endswith("_tf") and c not in _NOT_LEVELS]
        seen = {c: (set(features[c].unique()) | set(random_features[c].unique())) - {MISSING} for c in self.columns_}
        self.columns_ = [c for c in self.columns_ if seen[c]]  # a field never filled tells nothing
        # the disagreeing level always: a small file may hold no disagreeing pair, yet such pairs exist
        self.levels_ = {c: sorted(seen[c] | set(sorted(self.priors.get(c, {}))[:1])) for c in self.columns_}
        self.u_ = {c: _level_shares(random_features[c], self.levels_[c]) for c in self.columns_}
        for column, floors in self.u_floors.items():
            if column in self.u_:
                floor = pd.Series(floors).reindex(self.u_[column].index).fillna(0)
                self.u_[column] = np.maximum(self.u_[column], floor)
        known = np.full(len(features), np.nan)
        if labels is not None and len(labels):
            positions = features.index.get_indexer(labels.index)
            known[positions[positions >= 0]] = labels.to_numpy(dtype=float)[positions >= 0]
        prior = {c: _prior_m(self.levels_[c], self.priors.get(c)) for c in self.columns_}
        self.m_ = dict(prior)
        # ``u`` comes from random pairs, so the odds of the E-step start from the share of
        # matches among all pairs, not among the candidates: with the candidates' share, two
        # namesakes in different cities look like one person (u says agreeing names are rare)
        # and EM learns that a person's records often disagree on city, company, address.
        # Every match is taken to be among the candidates.
        total_pairs = max(n_records * (n_records - 1) / 2, 1)
        match_prior = float(np.clip(0.3 * len(features) / total_pairs, 1e-12, 0.5))
        # EM sees a pair only through its levels and its label: each distinct combination once, counted
        patterns, count, known = _patterns(features[self.columns_], known)
        for self.n_iter_ in range(1, self.max_iter + 1):
            odds = np.log2(match_prior / (1 - match_prior)) + self._total_weight(patterns, tf=False)
            posterior = probability_of(odds)
            posterior = np.where(np.isnan(known), posterior, known) * count  # the expected matches of each
            match_prior = float(np.clip(posterior.sum() / total_pairs, 1e-12, 0.5))
            strength = self.prior_weight * max(float(posterior.sum()), 1.0)
            new_m = {c: prior[c] if c in self.fixed else
                     _weighted_shares(patterns[c], posterior, self.levels_[c], prior[c], strength)
                     for c in self.columns_}
            change = max(float(np.abs(new_m[c] - self.m_[c]).max()) for c in self.columns_) if self.columns_ else 0
            self.m_ = new_m
            if change < self.tol:
                break
        for column in self.nested & set(self.columns_):
            self.u_[column] = _nested_u(self.m_[column], self.u_[column])
        for column, levels in self.never_for.items():  # u raised to m: a weight of at most 0
            if column in self.u_:
                at = self.u_[column].index.intersection(levels)
                self.u_[column][at] = np.maximum(self.u_[column][at], self.m_[column][at])
        self.candidate_match_share_ = float(posterior.sum() / len(features)) if len(features) else 0.0
        self.n_records_ = n_records
        self.prior_ = match_prior
        return self

    def _weights(self, features: pd.DataFrame, tf: bool = True) -> dict[str, np.ndarray]:
        out = {}
        for column in self.columns_:
            levels = features[column].to_numpy()
            table = np.log2(self.m_[column] / self.u_[column])
            # weight by level, level -1 (missing) and levels never seen weigh nothing
            lookup = np.zeros(max(int(levels.max(initial=0)), max(table.index)) + 2)
            lookup[table.index.to_numpy() + 1] = np.nan_to_num(table.to_numpy())
            weight = lookup[levels.astype(np.int64) + 1]
            if tf and f"{column}_tf" in features:
                freq = features[f"{column}_tf"].to_numpy(dtype=float)
                top = max(self.levels_[column])
                # worked out for these pairs alone, not for all (NaN is not > 0): at 1,000,000 rows a tenth to a
                # sixth of the pairs share an email, a phone or a company
                adjust = np.flatnonzero((levels == top) & (freq > 0))
                # a value's share of the records, shrunk towards u: in a small file every share is large
                n = self.n_records_
                u_tf = np.maximum((freq[adjust] * n + self.u_[column][top] * UNSEEN_RECORDS) / (n + UNSEEN_RECORDS),
                                  1e-9)
                weight[adjust] = np.log2(self.m_[column][top] / u_tf)
            if column == "external_id":
                weight = np.where(levels == 0, -np.inf, weight)  # two different unique IDs: never the same person
            out[column] = weight
        return out

    def _total_weight(self, features: pd.DataFrame, tf: bool = True) -> np.ndarray:
        """The sum of the comparisons' weights of each pair, column after column."""
        total = np.zeros(len(features))
        for weight in self._weights(features, tf).values():
            total += weight
        return total

    def match_weights(self, features: pd.DataFrame) -> pd.DataFrame:
        """Each comparison's contribution to each pair's match weight, in bits."""
        return pd.DataFrame(self._weights(features), index=features.index, columns=self.columns_)

    def predict_weight(self, features: pd.DataFrame) -> np.ndarray:
        """Log2 odds that each pair is a match, prior included."""
        prior = np.log2(self.prior_ / (1 - self.prior_))
        return prior + self._total_weight(features)

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        return probability_of(self.predict_weight(features))

    def parameters(self) -> pd.DataFrame:
        """m, u and the weight of every level of every comparison."""
        rows = [(c, level, self.m_[c][level], self.u_[c][level], np.log2(self.m_[c][level] / self.u_[c][level]))
                for c in self.columns_ for level in self.levels_[c]]
        return pd.DataFrame(rows, columns=["comparison", "level", "m", "u", "weight"])


def probability_of(log2_odds: np.ndarray) -> np.ndarray:
    """The probability a log2 odds stands for (overflow-safe for very negative weights)."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp2(-np.asarray(log2_odds, dtype=float)))


#: Random pairs assumed before any is seen, nearly all disagreeing: in a small file the random pairs
#: are few and hold its duplicates, so their agreement alone would say that agreeing means nothing.
UNSEEN_PAIRS = 100
#: Records assumed before any is seen when a value's share of the records replaces ``u`` (term frequency).
UNSEEN_RECORDS = 10


def _nested_u(m: pd.Series, u: pd.Series) -> pd.Series:
    """``u`` raised, from the top level down, wherever a level's ``m / u`` would exceed the next one's.

    >>> _nested_u(pd.Series([0.3, 0.1, 0.6]), pd.Series([0.9, 0.0001, 0.003])).round(6).tolist()
    [0.9, 0.0005, 0.003]
    """
    u = u.copy()
    for lower, upper in zip(u.index[-2::-1], u.index[::-1]):
        if m[upper] > 0:
            u[lower] = max(u[lower], m[lower] * u[upper] / m[upper])
    return u


def _level_shares(levels: pd.Series, known: list[int]) -> pd.Series:
    """How often random pairs reach each level (``known``, lowest = disagree first), smoothed."""
    present = levels[levels != MISSING]
    counts = present.value_counts().reindex(known, fill_value=0).astype(float)
    pseudo = np.ones(len(known))  # one pair at each level, and the unseen pairs disagree
    pseudo[0] += UNSEEN_PAIRS
    return (counts + pseudo) / (counts.sum() + pseudo.sum())


def _patterns(levels: pd.DataFrame, known: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The distinct rows of ``levels`` (one level per comparison, from -1) with the same label in
    ``known`` (NaN, 0 or 1), how many pairs each stands for, and its label."""
    key = np.where(np.isnan(known), 0, known + 1).astype(np.int64)
    for column in levels.columns:
        level = levels[column].to_numpy().astype(np.int64) + 1
        key = key * (level.max(initial=0) + 1) + level
        if key.max(initial=0) > 2 ** 40:  # numbered again before the next column could overflow
            key = pd.factorize(key)[0].astype(np.int64)
    codes, _ = pd.factorize(key)
    first = np.zeros(codes.max(initial=-1) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the first pair of each combination
    return levels.iloc[first].reset_index(drop=True), np.bincount(codes).astype(float), known[first]


def _weighted_shares(levels: pd.Series, weight: np.ndarray, known: list[int], prior: pd.Series,
                     strength: float) -> pd.Series:
    mask = levels.to_numpy() != MISSING
    sums = pd.Series(weight[mask]).groupby(levels.to_numpy()[mask]).sum().reindex(known, fill_value=0.0)
    counts = sums + strength * prior
    return counts / counts.sum()


def _prior_m(known: list[int], given: dict[int, float] | None) -> pd.Series:
    """The prior ``m`` of a comparison over its observed levels; without one, the best
    level 70% and each lower one half the one above."""
    if not known:
        return pd.Series(dtype=float)
    if given:
        shares = np.array([given.get(level, 0.01) for level in known])
    else:
        shares = np.array([0.7 * 0.5 ** i for i in range(len(known))])[::-1]
    return pd.Series(shares / shares.sum(), index=known)


@dataclass(frozen=True)
class Thresholds:
    """Above ``upper`` a pair is merged automatically, from ``lower`` to ``upper`` it is reviewed."""

    lower: float
    upper: float

    def status(self, probability: np.ndarray) -> np.ndarray:
        # one string object per status, shared by every pair (not one copy per pair)
        return np.array(["auto", "review", "drop"], dtype=object)[
            np.select([probability >= self.upper, probability >= self.lower], [0, 1], 2)]


#: The match weights `plot_scores` draws, both ways: one beyond is drawn at the edge
WEIGHT_SHOWN = 40


def plot_scores(weights: np.ndarray, thresholds: Thresholds) -> Figure:
    """Histogram of the pairs' match weights, with both thresholds marked.

    A pair of two different external IDs weighs minus infinity (never one person): it has no
    place on the axis, so the title says how many such pairs it leaves out, and counts them
    among the candidate pairs all the same. A weight beyond ±40 is drawn at ±40, in the last bar,
    and the axis label says how many are.
    """
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    ax = fig.subplots()
    finite = weights[np.isfinite(weights)]
    if len(finite):
        ax.hist(np.clip(finite, -WEIGHT_SHOWN, WEIGHT_SHOWN), bins=80, color="#4c78a8")
    for probability, label, color in ((thresholds.lower, "review from", "#f58518"),
                                      (thresholds.upper, "merge from", "#e45756")):
        weight = np.log2(probability / (1 - probability))
        ax.axvline(weight, color=color, linestyle="--")
        ax.annotate(f"{label} p={probability:g}", (weight, 0.95), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", color=color)
    ax.set_yscale("log")
    clipped = [f"{count:,} pair(s) {side} {edge:g} counted at {edge:g}"
               for count, side, edge in ((int((finite < -WEIGHT_SHOWN).sum()), "below", -WEIGHT_SHOWN),
                                         (int((finite > WEIGHT_SHOWN).sum()), "above", WEIGHT_SHOWN)) if count]
    ax.set_xlabel(f"match weight (log2 odds that the pair is one person{''.join('; ' + c for c in clipped)})")
    ax.set_ylabel("candidate pairs")
    hidden = len(weights) - len(finite)
    ax.set_title(f"Scores of {len(weights):,} candidate pairs" + (
        f" ({hidden:,} not shown: two different external IDs, never one person)" if hidden else ""))
    return fig


def explain(weights: pd.DataFrame, features: pd.DataFrame, descriptions: dict[str, dict[int, str]],
            details: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """One sentence per pair (an array of texts): what agrees and what differs, strongest first, with the weight.

    ``details`` optionally gives, per comparison, a text to show after its description (the
    shared phone, the two first names…) as ``(codes, texts)``: the position of each pair's
    text among ``texts``, which may repeat one.
    """
    details = details or {}
    n = len(weights)
    texts, codes, strengths = [], [], []
    no_detail = (np.zeros(n, dtype=np.int64), np.array([""], dtype=object))
    for column in weights.columns:
        levels = features[column].to_numpy()
        weight = weights[column].to_numpy(dtype=float)
        level_at, level_of = pd.factorize(levels, use_na_sentinel=False)
        detail_at, detail_of = details.get(column, no_detail)
        swapped = (features["swapped"].to_numpy() == 1 if column == "first" and "swapped" in features
                   else np.zeros(n, dtype=bool))
        weight_at, weight_of = pd.factorize(weight, use_na_sentinel=False)
        # each distinct (level, detail, swapped, weight), found in one pass, is put in words once, by Arrow's kernels
        at, level_detail, shown_code = distinct_pairs(level_at * len(detail_of) + detail_at, weight_at * 2 + swapped)
        level_code, detail_code = np.divmod(level_detail, len(detail_of))
        described = pa.array([descriptions.get(column, {}).get(level, column) for level in level_of.tolist()],
                             pa.string())
        detail = pa.array(np.asarray(detail_of, dtype=object), pa.string())
        detail = pc.if_else(pc.equal(detail, ""), detail, pc.binary_join_element_wise(" ", detail, ""))
        shown = pa.array([(" (first and last names swapped)" if turned else "")
                          + (f" ({w:+.1f})" if np.isfinite(w) else " (never the same)")
                          for w in weight_of.tolist() for turned in (False, True)], pa.string())  # by shown_code
        # each pair's text: its position among all columns' texts (-1: a missing field, no text)
        codes.append(np.where(levels == MISSING, -1, sum(map(len, texts)) + at))
        texts.append(pc.binary_join_element_wise(described.take(level_code), detail.take(detail_code),
                                                 shown.take(shown_code), "").cast(pa.large_string()))  # may pass 2 GB
        strengths.append(np.where(levels == MISSING, -1.0, np.where(np.isfinite(weight), np.abs(weight), np.inf)))
    if not codes:
        return np.full(n, "", dtype=object)
    strengths, codes, texts = np.column_stack(strengths), np.column_stack(codes), pa.concat_arrays(texts)
    sentences = [np.zeros(0, dtype=object)]
    for start in range(0, n, 65536):  # a piece at a time: all the rows' texts would take 100s of MB at 1M rows
        order = np.argsort(-strengths[start:start + 65536], axis=1, kind="stable")
        ranked = np.take_along_axis(codes[start:start + 65536], order, axis=1)
        # the texts of each row in turn, the missing left out, joined by Arrow (not a Python join per row)
        told = ranked >= 0
        rows = pa.ListArray.from_arrays(np.r_[0, np.cumsum(told.sum(axis=1))].astype(np.int32),
                                        texts.take(ranked[told]))
        sentences.append(pc.binary_join(rows, pa.scalar("; ", pa.large_string())).to_numpy(zero_copy_only=False))
    return np.concatenate(sentences)
