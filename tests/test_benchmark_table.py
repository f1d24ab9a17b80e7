"""The matching benchmark: its summary of repeated runs (what the closing notes quote) and how it reads the truth."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

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


def _dataset(tmp_path, entities: list[str], truth_ids: list[str] | None = None):
    ids = ["001", "1", "002", "003", "004"]
    (tmp_path / "export.csv").write_text("record_id,name\n" + "".join(f"{i},x\n" for i in ids))
    rows = zip(truth_ids or ids, entities)
    (tmp_path / "truth.csv").write_text("record_id,entity_id\n" + "".join(f"{i},{e}\n" for i, e in rows))
    return matching.Dataset("tiny", tmp_path / "export.csv", tmp_path / "truth.csv")


def test_a_blank_entity_is_an_unlabelled_record_not_one_shared_entity(tmp_path):
    ids, entity = matching.entities_of(_dataset(tmp_path, ["E1", "E1", "E2", "", ""]))
    assert ids.tolist() == ["001", "1", "002", "003", "004"]
    score = matching.score(["A", "A", "B", "C", "D"], entity.tolist())  # the perfect clustering
    assert (score.true_pairs, score.found_pairs, score.recall, score.f1) == (1, 1, 1.0, 1.0)


def test_a_record_id_twice_in_the_truth_stops_with_its_name(tmp_path):
    ds = _dataset(tmp_path, ["E1", "E1", "E2", "E3", "E4", "E5"], ["001", "1", "002", "003", "004", "003"])
    with pytest.raises(SystemExit, match=r"tiny: record ID '003' is on more than one row of .*truth.csv "
                                         r"\(1 repeated ID\(s\)\); give each record one row"):
        matching.entities_of(ds)
