"""A simulated reviewer: how much do review decisions improve the groups?

    python benchmarks/review_sim.py [--datasets /work/shared/benchmarks] [--steps 0,25,50,100,200]

For the sample export (``sample_data/contacts.csv`` + ``truth.csv``) and, when
``--datasets`` is given, ``dedupe_chicago_childcare`` (with
``benchmarks/configs/dedupe_chicago_childcare.toml``), a reviewer answers the
review queue in its default order (most uncertain first) from the truth: a pair
of the same entity is a match, otherwise not a match; in a group the records of
its largest entity are matched and the others kept apart (the app's "One
person" selection), or not a match when no two are one entity. Decisions go through `ReviewState` into a SQLite store, exactly as
clicks in the app do. At each step the pipeline is run again with the decisions
(they join or keep apart, and teach the model) and the reviewer carries on with
the new queue, as reopening the review does. Prints pairwise precision, recall
and F1 after clustering (`dedupe_kit.evaluate.pair_scores`) per step.
Not a test: a figure to report.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedupe_kit import Config, load, run  # noqa: E402
from dedupe_kit.evaluate import pair_scores  # noqa: E402
from dedupe_kit.review import DecisionStore, ReviewState  # noqa: E402


def datasets(folder: Path | None) -> list[tuple[str, Path, Path, Config, str, str]]:
    """(name, export, truth, config, truth's record-ID column, truth's entity column)."""
    found = [("sample_data", ROOT / "sample_data" / "contacts.csv", ROOT / "sample_data" / "truth.csv", Config(),
              "Contact ID", "person_id")]
    name = "dedupe_chicago_childcare"
    if folder is not None and (folder / name / "export.csv").exists():
        found.append((name, folder / name / "export.csv", folder / name / "truth.csv",
                      Config.from_toml(ROOT / "benchmarks" / "configs" / f"{name}.toml"), "record_id", "entity_id"))
    return found


def simulate(name: str, export: Path, truth_path: Path, config: Config, id_column: str, entity_column: str,
             steps: list[int]) -> list[list[str]]:
    contacts = load(export, config)
    truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    ids = contacts.frame[contacts.field_map.record_id]
    entity = ids.map(truth.set_index(id_column)[entity_column]).to_numpy()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, DecisionStore(Path(tmp) / "review.sqlite", reviewer="simulated") as store:
        decided = 0
        result = run(contacts, config, progress=False)
        for step in steps:
            state = ReviewState(result, store)
            while decided < step and not state.done:
                item = state.current
                people = pd.Series([entity[r] for r in item.rows], index=list(item.rows))
                largest = people.value_counts()
                if largest.iloc[0] < 2:
                    state.decide("distinct")
                else:  # a group: the records of its main entity are matched, the others kept apart
                    state.decide("match", rows=people.index[people == largest.index[0]].tolist())
                decided += 1
            if decided:
                started = time.perf_counter()
                result = run(contacts, config, decisions=state.decisions(), progress=False)
                seconds = f"{time.perf_counter() - started:.1f}"
            else:
                seconds = ""
            scores = pair_scores(result.crosswalk["cluster_id"], entity)
            counts = store.counts()
            waiting = int((result.pairs["status"] == "review").sum())
            rows.append([name, f"{decided:,}", f"{counts['match']:,}", f"{counts['distinct']:,}", f"{waiting:,}",
                         f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}", seconds])
            if decided < step:
                break  # the queue ran out
    return rows


def markdown(rows: list[list[str]]) -> str:
    head = ["dataset", "decisions", "match pairs", "distinct pairs", "still in review band", "precision", "recall",
            "F1", "re-run s"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, help="folder of the public benchmarks (for Chicago childcare)")
    parser.add_argument("--steps", default="0,25,50,100,200", help="decisions after which to measure")
    args = parser.parse_args(argv)
    steps = [int(s) for s in args.steps.split(",")]
    rows = []
    for spec in datasets(args.datasets):
        rows += simulate(*spec, steps)
    print(markdown(rows))


if __name__ == "__main__":
    main()
