"""How fast the review app shows the next item with a long queue.

    python benchmarks/review_speed.py [--rows 100000] [--queue 100000] [--clicks 200]

Generates an export with ``sample_data/generate.py`` (kept in ``benchmarks/.data``),
runs the pipeline with a review band wide enough to queue at least ``--queue``
items (the thresholds are printed), builds the app, then clicks Skip / Not a
match / Match ``--clicks`` times through ``Button.click()`` — each click writes
the decision to SQLite (WAL, synchronous=FULL), moves to the next item and
renders it — and prints the latency per click (median, 95th percentile, max)
and the time to open the review. Not a timed test: a figure to report.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def export(rows: int, data: Path) -> Path:
    out = data / f"generated_{rows}"
    if not (out / "contacts.csv").exists():
        print(f"generating {rows:,} rows into {out} …", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "sample_data" / "generate.py"), "--rows", str(rows),
                        "--out", str(out)], check=True)
    return out / "contacts.csv"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queue", type=int, default=100_000, help="items to queue at least")
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    args = parser.parse_args(argv)

    import ipywidgets

    from dedupe_kit import Config, load, run
    from dedupe_kit.review import DecisionStore, ReviewApp, ReviewState

    contacts = load(export(args.rows, args.data))
    started = time.perf_counter()
    base = run(contacts, progress=False)
    print(f"pipeline on {len(contacts):,} rows: {time.perf_counter() - started:.1f} s, "
          f"{len(base.pairs):,} candidate pairs")
    # widen the review band around the scores until --queue pairs wait for review
    upper = 1 - 1e-12
    order = np.sort(base.pairs["probability"].to_numpy())
    order = order[order < upper]
    want = min(args.queue, len(order))
    lower = max(float(order[-want]), 1e-12) if want else 0.5
    config = dataclasses.replace(Config(), match=dataclasses.replace(Config().match, lower=lower, upper=upper,
                                                                      first_names_must_agree=False))
    result = run(contacts, config, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        store = DecisionStore(Path(tmp) / "review.sqlite", reviewer="bench")
        t0 = time.perf_counter()
        state = ReviewState(result, store)
        t1 = time.perf_counter()
        app = ReviewApp(state)
        t2 = time.perf_counter()
        print(f"review band p in [{lower:.6g}, {upper:.6g}]: {len(state):,} items queued "
              f"({int((state.queue()['kind'] == 'group').sum()):,} groups)")
        print(f"open: ReviewState {t1 - t0:.2f} s, ReviewApp (first item shown) {t2 - t1:.3f} s")
        buttons = [app.skip, app.distinct, app.match]
        latencies = []
        for k in range(args.clicks):
            t = time.perf_counter()
            buttons[k % 3].click()
            latencies.append((time.perf_counter() - t) * 1000)
        lat = np.array(latencies)
        print(f"next item after a click ({args.clicks} clicks): median {statistics.median(lat):.1f} ms, "
              f"p95 {np.percentile(lat, 95):.1f} ms, max {lat.max():.1f} ms")
        t = time.perf_counter()
        for _ in range(20):
            app.back.click()
        print(f"back: {(time.perf_counter() - t) * 1000 / 20:.1f} ms per click")
        t = time.perf_counter()
        for _ in range(20):
            app.undo.click()
        print(f"undo: {(time.perf_counter() - t) * 1000 / 20:.1f} ms per click")
        print(state.progress_text())
        store.close()
        ipywidgets.Widget.close_all()


if __name__ == "__main__":
    main()
