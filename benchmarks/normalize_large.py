"""Normalization speed and memory on a large generated export.

    python benchmarks/normalize_large.py [--rows 1000000] [--data DIR]

Generates the export once with ``sample_data/generate.py`` (kept in DIR,
``benchmarks/.data`` by default), then loads and normalizes it in a fresh
process and prints rows per second for each stage and the peak memory of that
process. Not a test: a figure to report.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(path: Path) -> dict:
    """Load and normalize ``path`` in this process; timings and peak RSS."""
    from dedupe_kit import load, normalize

    started = time.perf_counter()
    contacts = load(path)
    loaded = time.perf_counter()
    result = normalize(contacts, progress=True)
    done = time.perf_counter()
    return {
        "rows": len(contacts),
        "load_s": loaded - started,
        "normalize_s": done - loaded,
        "identifiers": len(result.identifiers),
        "problems": len(result.problems),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    folder = args.data / f"generated_{args.rows}"
    if not (folder / "contacts.csv").exists():
        print(f"generating {args.rows:,} rows into {folder} …", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "sample_data" / "generate.py"), "--rows", str(args.rows),
                        "--out", str(folder)], check=True)
    output = subprocess.run([sys.executable, __file__, "--measure", str(folder / "contacts.csv")],
                            check=True, stdout=subprocess.PIPE, text=True).stdout
    r = json.loads(output.strip().splitlines()[-1])
    total = r["load_s"] + r["normalize_s"]
    print(f"{'rows':<24}{r['rows']:>14,}")
    print(f"{'identifiers found':<24}{r['identifiers']:>14,}")
    print(f"{'unusable values':<24}{r['problems']:>14,}")
    print(f"{'load':<24}{r['load_s']:>12.1f} s {r['rows'] / r['load_s']:>12,.0f} rows/s")
    print(f"{'normalize':<24}{r['normalize_s']:>12.1f} s {r['rows'] / r['normalize_s']:>12,.0f} rows/s")
    print(f"{'load + normalize':<24}{total:>12.1f} s {r['rows'] / total:>12,.0f} rows/s")
    print(f"{'peak memory':<24}{r['peak_rss_mb']:>12,.0f} MB")


if __name__ == "__main__":
    main()
