"""Seconds per stage of one run, and the peak memory of the process.

    python benchmarks/stages.py FILE [--out DIR] [--match-only]

Runs the stages of `dedupe_kit.run` one after the other (load, normalize,
candidates, comparisons, compare, random pairs, model, grouping, writing the
files) and prints the wall time of each and the peak RSS so far. Not a test:
figures to report, and the place to look before optimizing a stage.
"""

from __future__ import annotations

import argparse
import importlib
import resource
import tempfile
import time
from contextlib import contextmanager

from dedupe_kit._perf import paused_gc
from dedupe_kit.candidates import candidates
from dedupe_kit.compare import compare, comparisons
from dedupe_kit.config import Config
from dedupe_kit.load import load
from dedupe_kit.normalize import normalize

pipeline = importlib.import_module("dedupe_kit.run")  # the module: the package's ``run`` is the function


@contextmanager
def stage(name: str, times: dict[str, float]):
    started = time.perf_counter()
    yield
    times[name] = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:<12} {times[name]:8.1f} s   peak {peak:8,.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--out", help="folder for the files (a temporary one by default)")
    parser.add_argument("--match-only", action="store_true", help="write as `dedupe-kit run --match-only` does")
    args = parser.parse_args()
    config, times = Config(), {}
    with paused_gc():
        with stage("load", times):
            contacts = load(args.file, config)
        with stage("normalize", times):
            normalized = normalize(contacts, config, progress=False)
        with stage("candidates", times):
            found = candidates(contacts, normalized, config)
        with stage("comparisons", times):
            used = comparisons(contacts, normalized, config)
        with stage("compare", times):
            compare(contacts, normalized, found.pairs, config, used)
        with stage("random", times):
            random = pipeline.random_pairs(len(contacts), config.match.random_pairs, config.match.seed)
            compare(contacts, normalized, random, config, used)
    with stage("run", times):  # the whole pipeline again, as `run` chains it, for the result to write
        result = pipeline.run(contacts, config, progress=False)
    with tempfile.TemporaryDirectory() as tmp, stage("write", times):
        result.write(args.out or tmp, merge=not args.match_only)
    print(f"{len(contacts):,} rows, {len(found):,} candidate pairs; load + run + write {times['load'] + times['run'] + times['write']:.1f} s")


if __name__ == "__main__":
    main()
