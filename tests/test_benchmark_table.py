"""The matching benchmark's summary of repeated runs: what the closing notes quote."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from dedupe_kit.evaluate import PairScores

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "matching.py"
_spec = importlib.util.spec_from_file_location("benchmark_matching", _PATH)
matching = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)  # dataclasses look it up
_spec.loader.exec_module(matching)


def _run(seconds: float, peak: float, score: PairScores | None = PairScores(10, 8, 7), error: str | None = None):
    return matching.Run("ds", "dedupe_kit", 100, score, seconds, peak, error)


def test_repeated_runs_give_the_median_time_every_time_and_the_highest_peak():
    run = matching.combined([_run(46.6, 2700), _run(48.7, 2745), _run(41.6, 2690)])
    assert (run.seconds, run.peak_mb, run.each_seconds, run.error) == (46.6, 2745, [46.6, 48.7, 41.6], None)
    row = matching.row_of(run)
    assert row[-3:] == ["46.6", "2,745", "46.6 / 48.7 / 41.6"]
    table = matching.markdown([row], [], [], ["--repeat", "3"])
    assert "| peak MB | each run (s) |" in table and "seconds is their median" in table


def test_a_single_run_keeps_the_table_as_it_was():
    row = matching.row_of(matching.combined([_run(5.0, 300)]))
    assert len(row) == len(matching.HEADER)
    assert matching.header_of([row]) == matching.HEADER
    assert "each run" not in matching.text_table([row])


def test_a_failed_run_or_runs_that_cluster_differently_are_not_reported_as_scores():
    failed = matching.combined([_run(5.0, 300), _run(9.0, 0, None, "timeout after 900 s")])
    assert failed.score is None and failed.error == "timeout after 900 s"
    differ = matching.combined([_run(5.0, 300), _run(5.2, 310, PairScores(10, 9, 7))])
    assert differ.score is None and differ.error.startswith("runs differ: F1 ")
    assert matching.row_of(differ)[3].startswith("n/a (error: runs differ")
