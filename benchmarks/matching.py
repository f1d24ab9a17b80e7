"""Accuracy and speed of dedupe_kit against Splink and recordlinkage.

    python benchmarks/matching.py --datasets /work/shared/benchmarks \\
        [--large 100000,1000000] [--only NAME,...] [--tools dedupe_kit,splink,recordlinkage]

For each dataset folder (``export.csv`` with a ``record_id`` column and
``truth.csv`` = ``record_id,entity_id``, one row a record, a blank entity for an
unlabelled one) and each generated CRM export of the
``--large`` sizes (``sample_data/generate.py``, cached in ``benchmarks/.data``),
every tool runs in its own subprocess with a timeout; its wall time and peak
memory (``ru_maxrss`` of that child and its waited-for children, from
``os.wait4``) are measured, its clusters scored pairwise against the truth
(``benchmarks/scoring.py``). Prints one table, then per dataset the F1
difference dedupe_kit − Splink and the time ratio Splink / dedupe_kit, and
writes the same as ``benchmarks/results.md``.

Timings on a shared 2-core machine move by 10 % or more between runs of the same
command: ``--repeat N`` runs every tool N times, in rounds (each round runs the
tools in turn, so that a slow spell of the machine falls on all of them), and
reports the median time, every run's time and the highest peak.

Tools:

* ``dedupe_kit``: ``python -m dedupe_kit run EXPORT --out TMP [--config
  benchmarks/configs/DATASET.toml]`` (no ``--config`` when the file is missing
  and for generated exports), read back from ``TMP/crosswalk.csv``
  (``source_row,record_id,cluster_id``).
* ``dedupe_kit_match``: the same with ``--match-only``: it stops at the groups
  (crosswalk.csv, pairs.csv with reasons, summary), which is the job Splink's
  and recordlinkage's runs do; ``dedupe_kit`` also merges and writes the files
  for the CRM, the audit log and the profile.
* ``splink`` / ``recordlinkage``: ``benchmarks/peers.py`` (needs ``pip install
  splink`` for Splink; not a project dependency).

A tool that fails or times out is reported as ``n/a (...)``; the table is
still printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from scoring import Score, score  # noqa: E402

PUBLIC = ["dedupe_chicago_childcare", "restaurants_fodors_zagat", "febrl3",
          "splink_fake_1000", "splink_fake_20000"]
TOOLS = ["dedupe_kit", "dedupe_kit_match", "splink", "recordlinkage"]


@dataclass
class Dataset:
    name: str
    export: Path
    truth: Path
    id_column: str = "record_id"        # in export.csv
    truth_id: str = "record_id"         # in truth.csv
    truth_entity: str = "entity_id"
    generated: bool = False


@dataclass
class Run:
    dataset: str
    tool: str
    records: int
    score: Score | None = None
    seconds: float | None = None
    peak_mb: float | None = None
    error: str | None = None
    details: dict = field(default_factory=dict)
    each_seconds: list[float] = field(default_factory=list)  # every run's time, with --repeat


def combined(runs: list[Run]) -> Run:
    """One tool's repeated runs on one dataset as one: the median time, the highest peak and
    every time; the first failure if any run failed; an error too if the runs' clusters differ."""
    failed = [r for r in runs if r.score is None]
    first = failed[0] if failed else runs[0]
    out = Run(first.dataset, first.tool, first.records, first.score, statistics.median(r.seconds for r in runs),
              first.peak_mb, first.error, first.details, [r.seconds for r in runs])
    if not failed:
        out.peak_mb = max(r.peak_mb for r in runs)
        if len({r.score for r in runs}) > 1:
            out.error = "runs differ: F1 " + ", ".join(f"{r.score.f1:.3f}" for r in runs)
            out.score = None
    return out


# --------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------
def find_datasets(folder: Path | None, large: list[int], data_dir: Path) -> list[Dataset]:
    found: list[Dataset] = []
    if folder is not None:
        names = [n for n in PUBLIC if (folder / n).is_dir()]
        names += sorted(p.name for p in folder.iterdir()
                        if p.is_dir() and p.name not in PUBLIC and (p / "export.csv").exists())
        for name in names:
            if (folder / name / "export.csv").exists() and (folder / name / "truth.csv").exists():
                found.append(Dataset(name, folder / name / "export.csv", folder / name / "truth.csv"))
    for rows in large:
        out = data_dir / f"generated_{rows}"
        if not (out / "contacts.csv").exists():
            print(f"generating {rows:,} rows into {out} …", file=sys.stderr)
            subprocess.run([sys.executable, str(ROOT / "sample_data" / "generate.py"),
                            "--rows", str(rows), "--out", str(out)], check=True, cwd=ROOT)
        found.append(Dataset(out.name, out / "contacts.csv", out / "truth.csv", id_column="Contact ID",
                             truth_id="Contact ID", truth_entity="person_id", generated=True))
    return found


def entities_of(ds: Dataset) -> tuple[pd.Series, pd.Series]:
    """Record IDs of the export rows (in file order) and their true entity.

    A blank entity is an unlabelled record (None): in no true pair, as
    `dedupe_kit.evaluate.pair_scores` counts a missing entity, not one entity that every
    blank record shares. A record ID twice in truth.csv stops the benchmark: which of its
    entities counts is not known.
    """
    ids = pd.read_csv(ds.export, dtype=str, keep_default_na=False, usecols=[ds.id_column])[ds.id_column]
    truth = pd.read_csv(ds.truth, dtype=str, keep_default_na=False,
                        usecols=[ds.truth_id, ds.truth_entity])
    repeated = truth[ds.truth_id][truth[ds.truth_id].duplicated()].unique()
    if len(repeated):
        raise SystemExit(f"{ds.name}: record ID {repeated[0]!r} is on more than one row of {ds.truth} "
                         f"({len(repeated):,} repeated ID(s)); give each record one row")
    missing = ~ids.isin(truth[ds.truth_id])
    if missing.any():
        raise SystemExit(f"{ds.name}: {int(missing.sum())} export records missing from truth.csv")
    entity = truth.set_index(ds.truth_id)[ds.truth_entity]
    return ids, ids.map(entity.where(entity.str.strip() != "", None))


# --------------------------------------------------------------------------
# Running one tool in a measured subprocess
# --------------------------------------------------------------------------
def command_for(tool: str, ds: Dataset, workdir: Path) -> tuple[list[str], Path]:
    """The command line of ``tool`` on ``ds`` and the crosswalk file it writes."""
    if tool in ("dedupe_kit", "dedupe_kit_match"):
        cmd = [sys.executable, "-m", "dedupe_kit", "run", str(ds.export), "--out", str(workdir)]
        if tool == "dedupe_kit_match":
            cmd.append("--match-only")
        config = HERE / "configs" / f"{ds.name}.toml"
        if not ds.generated and config.exists():
            cmd += ["--config", str(config)]
        return cmd, workdir / "crosswalk.csv"
    out = workdir / "clusters.csv"
    return [sys.executable, str(HERE / "peers.py"), tool, "--dataset", ds.name,
            "--export", str(ds.export), "--out", str(out)], out


def measure(cmd: list[str], workdir: Path, timeout: float) -> tuple[int | None, float, float, str, str]:
    """Run ``cmd``; returns (exit code or None on timeout, seconds, peak MB, stdout, stderr)."""
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    timed_out = threading.Event()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
    code = None if timed_out.is_set() else proc.returncode
    return (code, seconds, usage.ru_maxrss / 1024,
            stdout_path.read_text(errors="replace"), stderr_path.read_text(errors="replace"))


def read_clusters(path: Path, ids: pd.Series) -> pd.Series:
    """One cluster id per export row (None = not returned, i.e. a singleton)."""
    crosswalk = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "cluster_id" not in crosswalk.columns:
        raise ValueError(f"{path.name} has no cluster_id column")
    if "source_row" in crosswalk.columns:
        rows = pd.to_numeric(crosswalk["source_row"], errors="raise").astype("int64")
        by_row = pd.Series(crosswalk["cluster_id"].to_numpy(), index=rows.to_numpy())
        by_row = by_row[~by_row.index.duplicated()]
        clusters = by_row.reindex(range(len(ids)))
    else:
        by_id = crosswalk.drop_duplicates("record_id").set_index("record_id")["cluster_id"]
        clusters = ids.map(by_id)
    clusters = clusters.where(clusters.fillna("") != "", None)
    return pd.Series(clusters.to_numpy(), dtype=object)


def _short_error(stderr: str, code: int | None, timeout: float) -> str:
    if code is None:
        return f"timeout after {timeout:.0f} s"
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else f"exit code {code}"
    return (last[:77] + "…") if len(last) > 78 else last


def run_tool(tool: str, ds: Dataset, ids: pd.Series, entity: pd.Series, timeout: float) -> Run:
    run = Run(ds.name, tool, len(ids))
    with tempfile.TemporaryDirectory(prefix=f"bench_{tool}_") as tmp:
        workdir = Path(tmp)
        cmd, out = command_for(tool, ds, workdir)
        code, run.seconds, run.peak_mb, stdout, stderr = measure(cmd, workdir, timeout)
        if code != 0:
            run.error = _short_error(stderr, code, timeout)
            return run
        for line in reversed(stdout.strip().splitlines()):
            if line.startswith("{"):
                try:
                    run.details = json.loads(line)
                except json.JSONDecodeError:
                    pass
                break
        try:
            run.score = score(read_clusters(out, ids).tolist(), entity.tolist())
        except Exception as exc:  # a malformed result is reported, not fatal
            run.error = f"bad output: {exc}"[:80]
    return run


# --------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------
HEADER = ["dataset", "tool", "records", "pred. pairs", "precision", "recall", "F1", "seconds", "peak MB"]
EACH = "each run (s)"  # a last column, with --repeat


def row_of(run: Run) -> list[str]:
    head = [run.dataset, run.tool, f"{run.records:,}"]
    each = [" / ".join(f"{s:.1f}" for s in run.each_seconds)] if len(run.each_seconds) > 1 else []
    if run.score is None:
        secs = f"{run.seconds:.1f}" if run.seconds is not None else ""
        return head + [f"n/a (error: {run.error})", "", "", "", secs, ""] + each
    s = run.score
    return head + [f"{s.predicted_pairs:,}", f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                   f"{run.seconds:.1f}", f"{run.peak_mb:,.0f}"] + each


def ratios(runs: list[Run]) -> list[str]:
    by = {r.tool: r for r in runs}
    spl, lines = by.get("splink"), []
    for tool in ("dedupe_kit", "dedupe_kit_match"):
        kit = by.get(tool)
        if kit is None or spl is None:
            continue
        scored = kit.score is not None and spl.score is not None
        diff = f"{kit.score.f1 - spl.score.f1:+.3f}" if scored else "n/a"
        speed = f"{spl.seconds / kit.seconds:.2f}x" if scored and kit.seconds else "n/a"
        lines.append(f"{runs[0].dataset}: {tool} F1 − Splink F1 = {diff}; Splink time / {tool} time = {speed}")
    return lines


def notes(runs: list[Run]) -> list[str]:
    out = []
    for r in runs:
        if r.tool == "splink" and "threshold" in r.details:
            out.append(f"{r.dataset}: Splink clustered at match probability ≥ {r.details['threshold']}")
        if r.tool == "recordlinkage" and "k" in r.details:
            out.append(f"{r.dataset}: recordlinkage blocks {r.details['blocks']}, match if "
                       f"≥ {r.details['k']} of {len(r.details['features'])} features agree "
                       f"({r.details['candidate_pairs']:,} candidate pairs)")
    return out


def header_of(rows: list[list[str]]) -> list[str]:
    """`HEADER`, and `EACH` when the rows have it (all or none: every tool runs ``--repeat`` times)."""
    return HEADER + [EACH] if rows and len(rows[0]) > len(HEADER) else HEADER


def text_table(rows: list[list[str]]) -> str:
    """Aligned columns; an ``n/a (error …)`` cell runs on over the empty cells after it."""
    header = header_of(rows)
    scored = [r for r in rows if not r[3].startswith("n/a")]
    widths = [max([len(header[i])] + [len(r[i]) for r in scored]) for i in range(len(header))]
    if rows:
        widths[0] = max(widths[0], *(len(r[0]) for r in rows))
        widths[1] = max(widths[1], *(len(r[1]) for r in rows))
        widths[2] = max(widths[2], *(len(r[2]) for r in rows))

    def fmt(cells: list[str]) -> str:
        if cells[3].startswith("n/a"):
            return "  ".join([cells[0].ljust(widths[0]), cells[1].ljust(widths[1]),
                              cells[2].rjust(widths[2]), cells[3], f"({cells[7]} s)" if cells[7] else ""]).rstrip()
        return "  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(cells))

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def cpu_name() -> str:
    """The processor, as Linux names it (with its family and model: machines of one name differ
    by half in speed). Parsed as `dedupe_kit._cpu.slow_avx512_sort` parses it: importing the
    package here would set ``NPY_DISABLE_CPU_FEATURES`` for the peers' processes too."""
    try:
        first_cpu = Path("/proc/cpuinfo").read_text().split("\n\n", 1)[0]
    except OSError:  # not Linux
        return platform.processor() or "processor unknown"
    fields = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in first_cpu.splitlines())}
    return (f"{fields.get('model name', 'processor unknown')} "
            f"(family {fields.get('cpu family', '?')}, model {fields.get('model', '?')})")


def markdown(rows: list[list[str]], ratio_lines: list[str], note_lines: list[str], argv: list[str]) -> str:
    header = header_of(rows)
    md = ["# Matching benchmark", "",
          f"`python benchmarks/matching.py {' '.join(argv)}` — {datetime.date.today()}, "
          f"{cpu_name()}, {platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}.", "",
          "Pairwise precision / recall / F1 after clustering (`benchmarks/scoring.py`); seconds = wall "
          "time of the tool's process (load, match, write); peak MB = its max RSS. dedupe_kit's process is "
          "`dedupe-kit run`, which also merges the groups and writes cleaned.csv, the fix files, the audit "
          "log, the profile and pairs.csv with reasons; dedupe_kit_match's is `dedupe-kit run --match-only`, "
          "which stops at the groups (crosswalk.csv, pairs.csv with reasons, summary), as the peers do."
          + (" With several runs of each, seconds is their median and peak MB their highest." if header != HEADER
             else ""), "",
          "| " + " | ".join(header) + " |",
          "|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|"]
    md += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    if ratio_lines:
        md += ["", "## Ratios", ""] + [f"- {line}" for line in ratio_lines]
    if note_lines:
        md += ["", "## Settings", ""] + [f"- {line}" for line in note_lines]
    return "\n".join(md) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, help="folder of public datasets (export.csv + truth.csv)")
    parser.add_argument("--large", default="", help="comma-separated sizes of generated CRM exports")
    parser.add_argument("--only", default="", help="comma-separated dataset names to run")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, of " + ",".join(TOOLS))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per tool run (%(default)s)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each tool, in rounds; the median time is reported (%(default)s)")
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data", help="where generated exports go")
    parser.add_argument("--results", type=Path, default=HERE / "results.md", help="markdown copy of the table")
    args = parser.parse_args(argv)

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tool(s): {', '.join(sorted(unknown))}")
    if "splink" in tools:
        try:
            import splink  # noqa: F401
        except ImportError:
            print("splink is not installed (pip install 'splink>=5'): its rows will show n/a.",
                  file=sys.stderr)
    large = [int(x.replace("_", "")) for x in args.large.split(",") if x.strip()]
    datasets = find_datasets(args.datasets, large, args.data_dir)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if only:
        datasets = [d for d in datasets if d.name in only]
    if not datasets:
        parser.error("no datasets: give --datasets and/or --large (and check --only)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    rows: list[list[str]] = []
    ratio_lines: list[str] = []
    note_lines: list[str] = []
    for ds in datasets:
        ids, entity = entities_of(ds)
        each: dict[str, list[Run]] = {tool: [] for tool in tools}
        for round_ in range(1, args.repeat + 1):
            for tool in tools:
                label = f"[{ds.name}] {tool}" + (f" (run {round_} of {args.repeat})" if args.repeat > 1 else "")
                print(f"{label} …", file=sys.stderr, flush=True)
                run = run_tool(tool, ds, ids, entity, args.timeout)
                print(f"{label}: " + (f"F1 {run.score.f1:.3f}" if run.score else f"n/a ({run.error})")
                      + f" in {run.seconds:.1f} s", file=sys.stderr, flush=True)
                each[tool].append(run)
        runs = [combined(each[tool]) for tool in tools]
        rows += [row_of(run) for run in runs]
        ratio_lines += ratios(runs)
        note_lines += notes(runs)

    print(text_table(rows))
    if ratio_lines:
        print("\nratios")
        for line in ratio_lines:
            print("  " + line)
    if note_lines:
        print("\nsettings")
        for line in note_lines:
            print("  " + line)
    args.results.write_text(markdown(rows, ratio_lines, note_lines, argv))
    print(f"\n(written to {args.results})", file=sys.stderr)


if __name__ == "__main__":
    main()
