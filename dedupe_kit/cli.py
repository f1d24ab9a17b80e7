"""The ``dedupe-kit`` command: a thin shell over the library."""

from __future__ import annotations

import csv
import dataclasses
import functools
import os
import re
import shlex
import sys
from pathlib import Path

import click
import numpy as np
import pandas as pd

from ._interrupt import as_usual
from ._perf import freed_memory_kept, small_pages
from .config import CRM_PROFILES, Config, MergePolicy, encoding_problem, region_problem
from .errors import DedupeKitError, InputError
from .export import file_format, neutralized_line, write_tables
from .files import refuse_folder, write_figure, write_text
from .compare import check_comparable
from .load import Contacts, checking_once, load, record_ids, row_unit
from .merge import check_policy
from .evaluate import blocking_recall, pair_scores
from .preflight import check_import as check_import_files
from .profile import profile as build_profile
from .review.store import stored_decisions
from .run import (MERGE_FILES, REPORT_FILES, caught_warnings, input_sha256, load_run, read_run_info, read_undone,
                  run as run_pipeline, undone_record, write_undone)


def _library_errors(command):
    """Turn a library error, or the system's refusal to read or write a file (no such folder, no
    permission, a full disk), into a clean CLI error (exit code 1, no traceback); Ctrl-C into
    "interrupted" (exit code 130, as a shell gives a command it interrupts)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (KeyboardInterrupt, DedupeKitError, OSError) as exc:
            raise _failure(exc, _message(exc)) from None

    return wrapper


def _failure(exc: BaseException, text: str) -> click.ClickException:
    """The CLI error that says ``text`` about ``exc``: exit code 130 after Ctrl-C, else 1."""
    failure = click.ClickException(text)
    if isinstance(exc, KeyboardInterrupt):
        failure.exit_code = 130
    return failure


def _message(exc: BaseException) -> str:
    """A library error, the system's refusal of a file, or Ctrl-C, in words."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return str(exc)


def _config(path: Path | None, region: str | None) -> Config:
    config = Config.from_toml(path) if path else Config()
    if region:
        config = dataclasses.replace(config, normalize=dataclasses.replace(config.normalize, default_region=region))
    return config


def _delimiter(_ctx, _param, text: str | None) -> str | None:
    """The delimiter an option gives (``'\\t'`` or ``tab``: a tab); click names the option in the error."""
    delimiter = "\t" if text in ("\\t", "tab") else text
    if delimiter is not None and (len(delimiter) != 1 or delimiter in ('"', "\n", "\r")):
        raise click.BadParameter(f"{text!r}: give one character other than a quote or a line break ('\\t' for tab)")
    return delimiter


def _region(_ctx, _param, text: str | None) -> str | None:
    """The default phone region an option gives; click names the option in the error."""
    if text and (problem := region_problem(text)):
        raise click.BadParameter(problem)
    return text


def _out_encoding(_ctx, _param, text: str | None) -> str | None:
    """The output encoding an option gives; click names the option in the error."""
    if text and (problem := encoding_problem(text)):
        raise click.BadParameter(problem)
    return text


input_options = [
    click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                 help="TOML config (column roles, normalization, thresholds)."),
    click.option("--region", callback=_region, help="Default phone region, e.g. US, FR, GB (overrides the config)."),
    click.option("--encoding", help="Input encoding (detected when not given)."),
    click.option("--delimiter", callback=_delimiter,
                 help="CSV delimiter (detected when not given); use '\\t' for tab."),
    click.option("--sheet", help="Sheet of an Excel workbook, .xlsx or .xls (the first visible one when not given)."),
]


def _folder(_ctx, _param, text: str | None) -> Path | None:
    """An output folder an option names: blank would be the current folder, unsaid (``.`` says it)."""
    if text is not None and not text.strip():
        raise click.BadParameter("give a folder ('.' for the current one)")
    return None if text is None else Path(text)


def _address(ip: str) -> str:
    """An address to listen on: blank would be every network, unsaid (``0.0.0.0`` says it)."""
    if not ip.strip():
        raise click.BadParameter("give an address: 127.0.0.1 (this machine only) or 0.0.0.0 (every network)",
                                 param_hint="'--ip'")
    return ip


#: For each command that writes files of the same names as another: that command, a file only it
#: writes, and what would be replaced. (A run into a profile's folder writes its config and profile again.)
_WRITTEN_OVER = {
    "profile": ("run", "crosswalk.csv", "config.toml (which `dedupe-kit undo` reads again) and profile.txt"),
    "check-import": ("run", "crosswalk.csv", "summary.txt and changed_numbers.csv"),
    "run": ("check-import", "import_ready.csv", "summary.txt and changed_numbers.csv"),
}


def _refuse_mixed(out: Path, command: str) -> None:
    """Stop before the work when ``out`` holds the files of another command whose files of the
    same names ``command`` would replace, leaving the others beside them, no longer matching."""
    other, mark, replaced = _WRITTEN_OVER[command]
    if (out / mark).exists():
        raise click.ClickException(f"{out}/ holds the files of `dedupe-kit {other}` ({mark}): `dedupe-kit {command}` "
                                   f"would replace its {replaced}; choose another output folder")


def with_input_options(command):
    for option in reversed(input_options):
        command = option(command)
    return command


@click.group()
@click.version_option(package_name="dedupe_kit")
def main() -> None:
    """Find, review and merge duplicate contacts in CRM exports."""


_left_by_run: list = []  # the result of the last ``run``, for `entry` to leave without freeing it


def entry() -> None:
    """The ``dedupe-kit`` program: `main`, then, after a ``run`` that went well, out at once.

    A run at 1,000,000 rows leaves tens of millions of objects, which Python would free one
    by one on the way out, for nothing: the files are written and closed, and the process
    ends (``--match-only`` at 1,000,000 rows: 0.93 s from its last line to its end before,
    0.11 s now). Errors, and every other command, exit as usual.
    """
    as_usual()  # the imports are done: each command says "interrupted" itself
    try:
        main()
    except SystemExit as exit:
        if exit.code not in (0, None) or not _left_by_run:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_input_options
@click.option("--out", type=click.Path(file_okay=False), callback=_folder,
              help="Folder for the report, its tables, the chart and the config used.")
@_library_errors
def profile(file: Path, config_path: Path | None, region: str | None, encoding: str | None,
            delimiter: str | None, sheet: str | None, out: Path | None) -> None:
    """Report the data quality of FILE before deduplicating it."""
    config = _config(config_path, region)
    protect, tables = (file,), ("mapping", "invalid", "shared", "taken", "exact_duplicates", "repeated_ids")
    if out is not None:  # before the work, not after it with some files written
        _refuse_mixed(out, "profile")
        refuse_folder(out, ["config.toml", "profile.txt", *(f"profile_{name}.csv" for name in tables), "profile.png",
                            "neutralized.csv"], protect)
    with checking_once():  # the contacts are load's: neither the normalizing nor the profile checks their frame
        contacts = load(file, config, encoding=encoding, delimiter=delimiter, sheet=sheet)
        config = config.as_spelled(contacts.columns)
        check_policy(config.merge, contacts, config.source)  # the config's columns, as `run` checks them
        if config.match.compare_columns:  # (without them, a file with no column to compare is still profiled)
            check_comparable(contacts, config)
        report = build_profile(contacts, config=config)
    click.echo(str(report))
    if out is None:
        return
    used = dataclasses.replace(config, fields=contacts.field_map.to_dict(contacts.columns))
    write_text(out / "config.toml", used.to_toml(), protect=protect)
    write_text(out / "profile.txt", str(report) + "\n", protect=protect)
    named = {f"profile_{name}.csv": getattr(report, name) for name in tables}
    _, neutralized = write_tables(out, named, dict.fromkeys(named, ("utf-8", ",")), protect=protect)
    write_figure(out / "profile.png", report.plot(), protect=protect)
    if len(neutralized):  # listed in neutralized.csv, as a run's
        click.echo(f"\n{neutralized_line(len(neutralized))}")
    click.echo(f"\nwrote the profile, its tables, profile.png and config.toml to {out}/")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_input_options
@click.option("--out", type=click.Path(file_okay=False), callback=_folder, required=True,
              help="Output folder: cleaned.csv, the fix files, crosswalk.csv, audit.csv, pairs.csv, summary.txt…")
@click.option("--crm", type=click.Choice(sorted(CRM_PROFILES)),
              help="The CRM the fix files are for (sets the clear word; overrides the config).")
@click.option("--out-encoding", callback=_out_encoding,
              help="Encoding of cleaned.csv, the fix files and merged_away.csv (default: the input's, UTF-8 for "
                   "a workbook).")
@click.option("--out-delimiter", callback=_delimiter,
              help="Delimiter of cleaned.csv, the fix files and merged_away.csv (default: the input's, ',' for "
                   "a workbook); '\\t' for tab.")
@click.option("--truth", type=click.Path(dir_okay=False, path_type=Path),
              help="Labelled data (record ID, entity ID) to report blocking recall, precision, recall and F1.")
@click.option("--match-only", is_flag=True,
              help="Stop at the groups: write crosswalk.csv, pairs.csv and summary.txt, not the merge's files "
                   "(a later run without this flag writes them, with what was decided in review).")
@_library_errors
def run(file: Path, config_path: Path | None, region: str | None, encoding: str | None,
        delimiter: str | None, sheet: str | None, out: Path, crm: str | None, out_encoding: str | None,
        out_delimiter: str | None, truth: Path | None, match_only: bool) -> None:
    """Find the duplicates of FILE, merge them and write the cleaned file and the fix files."""
    config = _config(config_path, region)
    chosen = {"crm": crm, "output_encoding": out_encoding, "output_delimiter": out_delimiter}
    config = dataclasses.replace(config, merge=dataclasses.replace(
        config.merge, **{key: value for key, value in chosen.items() if value}))
    _refuse_mixed(out, "run")
    refuse_folder(out, (*MERGE_FILES, *REPORT_FILES), (file, truth))  # an input among its files, no permission: now
    undone_record(out)  # a damaged undone.json stops the run now, not after its work
    # this process runs only this: the memory settings are its own; the contacts are load's, whole as read: no
    # stage checks their frame (every cell: 0.25 s at 1,000,000 rows, by the run and again by the merge)
    with small_pages(), checking_once():
        with freed_memory_kept():  # the memory one stage frees serves the next
            contacts = load(file, config, encoding=encoding, delimiter=delimiter, sheet=sheet)
            if not len(contacts):  # a view or a filter that holds no one: not a folder of empty files
                raise InputError(f"{file}: the file has a header but no rows; export the contacts with their rows")
            entities = None if truth is None else _truth_entities(truth, contacts)  # before the long work
            result = run_pipeline(contacts, config, decisions=stored_decisions(out, contacts), progress=None)
            if match_only:
                _write_run(result, out, merge=False)
        if not match_only:  # the merge's peak is the run's: its memory goes back as it is freed, as by default
            _write_run(result, out, merge=True)
    _left_by_run[:] = [result]
    click.echo((out / "summary.txt").read_text(encoding="utf-8"), nl=False)
    if entities is not None:
        found = result.candidates
        click.echo(f"blocking recall           {blocking_recall(found.pairs, entities, found.first):>10.3f}")
        click.echo(f"groups vs truth           {pair_scores(result.crosswalk['cluster_id'], entities)}")
    if match_only:
        click.echo(f"wrote crosswalk.csv, pairs.csv and the reports to {out}/ (no merge: review the pairs with "
                   f"`dedupe-kit review {out}`, then run again without --match-only for the fix files)")
        return
    held = _holding_lines(out, config.merge, contacts)
    if why := _nothing_to_import(out, held, "no group was merged"):
        click.echo(f"wrote the cleaned file, the fix files (nothing to import or archive: {why}), "
                   f"crosswalk.csv, audit.csv and the reports to {out}/")
        return
    steps = _steps(held, config.merge) if contacts.field_map.key else (
        "not to import as they are: without a record ID or email column their lines cannot tell a contact from its "
        "duplicates, see summary.txt")
    click.echo(f"wrote the cleaned file, the fix files ({steps}), crosswalk.csv, audit.csv and the reports to {out}/")


def _write_run(result, out: Path, merge: bool) -> None:
    """`Result.write`; stopped once it has written a file (Ctrl-C, a full disk: run.json gone), it says
    the folder is incomplete."""
    try:
        result.write(out, merge=merge)
    except (KeyboardInterrupt, DedupeKitError, OSError) as exc:
        if (out / "run.json").exists() or not any((out / name).exists() for name in (*MERGE_FILES, *REPORT_FILES)):
            raise  # before the first file: the folder is as it was
        raise _failure(exc, f"{_message(exc)}: {out}/ is incomplete (no run.json, and its files may mix this run's "
                            "and an earlier one's): run again to finish it") from None


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("groups", nargs=-1, type=int)
@click.option("--all", "undo_all", is_flag=True, help="Take back every merge of the run.")
@_library_errors
def undo(folder: Path, groups: tuple[int, ...], undo_all: bool) -> None:
    """Take back the merge of GROUPS (the group numbers of merge_groups.csv) in a run's FOLDER,
    and write its files again as if those merges never happened."""
    if not groups and not undo_all:
        raise click.UsageError("give the group numbers to undo (see merge_groups.csv), or --all")
    if groups and undo_all:  # which was meant is not known: not every merge, unsaid
        raise click.UsageError(f"give the group numbers to undo or --all, not both (group(s) "
                               f"{', '.join(map(str, groups))} and --all); nothing was undone")
    info = read_run_info(folder)
    if not (folder / "merge_groups.csv").exists():  # a run with --match-only writes no merge (and removes one)
        raise click.ClickException(f"{folder}/ holds no merge to undo (no merge_groups.csv: the run stopped at the "
                                   f"groups, --match-only); merge first with `{_run_again(info, folder)}`")
    if unknown := sorted(set(map(str, groups)) - _merge_groups(folder).keys(), key=int):  # now, not after the work
        raise click.ClickException(f"no group {', '.join(unknown)} in {folder}/merge_groups.csv: give the numbers "
                                   "of its group column; nothing was undone")
    undone_record(folder)  # damaged: an error now, not after the work
    contacts, config = load_run(folder)  # the same input as the run: its SHA-256 is in run.json
    result = run_pipeline(contacts, config, decisions=stored_decisions(folder, contacts), progress=None)
    undone, warnings = read_undone(folder, contacts, result.crosswalk["cluster_id"].to_numpy())
    with caught_warnings():  # a value chosen in review left out: a line of the summary printed below
        before = result.merge(undone=undone)
    if not undo_all:  # a review decision since the run can give a number other records: not those read
        _refuse_regrouped(folder, groups, before.groups)
    plan = before.undo(None if undo_all else groups)
    if plan.undone == before.undone:  # the groups named were undone already (--all: none is merged)
        which = (f"no group of {folder}/ is merged" if undo_all
                 else f"group(s) {', '.join(map(str, groups))} of {folder}/ were undone already")
        for text in warnings:  # of undone.json, left as it is, as summary.txt is
            click.echo(f"warning: {text}")
        click.echo(f"nothing to undo: {which}; its files are as they were")
        return
    _write_undo(folder, info, result, plan, warnings)
    click.echo((folder / "summary.txt").read_text(encoding="utf-8"), nl=False)  # its warnings too, as a run's
    why = _nothing_to_import(folder, _holding_lines(folder, config.merge, contacts), "no group is merged")
    left = f" (nothing to import or archive: {why})" if why else ""
    click.echo(f"wrote the files of {folder}/ again without the merges of group(s) "
               f"{', '.join(map(str, plan.undone)) or '-'}{left}")


def _nothing_to_import(folder: Path, held: list[str], unmerged: str) -> str:
    """Why the fix files and merged_away.csv of a run's ``folder`` hold their header alone, in words
    (``unmerged`` when no group is merged); "" when a line of them is to import or archive (``held``:
    `_holding_lines`; merge_groups.csv, long on a large file, is read only when none is)."""
    if held:
        return ""
    return "every merge is left out of them, as the warnings of summary.txt say" if _merge_groups(
        folder, "merge") else unmerged


def _holding_lines(folder: Path, policy: MergePolicy, contacts: Contacts) -> list[str]:
    """The fix files and merged_away.csv of a run's ``folder`` that hold a line below their header, in
    the order to import them."""
    encoding, delimiter = file_format(policy, contacts)
    held = []
    for name in ("fix_1_clear.csv", "fix_1_clear_by_hand.csv", "fix_2_update.csv", "merged_away.csv"):
        if (folder / name).exists():
            with open(folder / name, encoding=encoding, newline="") as file:
                lines = csv.reader(file, delimiter=delimiter)
                if next(lines, None) is not None and next(lines, None) is not None:
                    held.append(name)
    return held


def _steps(held: list[str], policy: MergePolicy) -> str:
    """What to do with the fix files and merged_away.csv that hold a line (``held``: `_holding_lines`):
    'import fix_1_clear.csv, then fix_2_update.csv; then archive merged_away.csv'."""
    steps = ""
    for name in held:
        if name == "merged_away.csv":
            steps += f"; then archive {name}" if steps else f"archive {name}"
        elif name == "fix_2_update.csv":
            steps += f", then {name}" if steps else f"import {name}"
        elif name == ("fix_1_clear.csv" if policy.clear else "fix_1_clear_by_hand.csv"):
            steps = f"import {name}" if policy.clear else f"clear the values of {name}"
    return steps


def _merge_groups(folder: Path, status: str | None = None) -> dict[str, str]:
    """The group numbers of a run's merge_groups.csv, as written there, each with its rows (only
    those of ``status``: merge, stopped, undone); read as an export is, as a spreadsheet that opened it may have
    saved it again (cp1252, ';')."""
    rows = load(folder / "merge_groups.csv").frame.to_dict("records")
    return {row.get("group"): row.get("rows", "") for row in rows if status in (None, row.get("status"))}


def _refuse_regrouped(folder: Path, groups: tuple[int, ...], now: pd.DataFrame) -> None:
    """Stop when a group named holds other records now than in ``folder``'s merge_groups.csv (a review
    decision since the run moved a record into it or out of it): undone, it would take back records the
    analyst did not see there."""
    read, rows_now = _merge_groups(folder), dict(zip(now["group"].astype(str), now["rows"]))
    moved = [str(g) for g in groups if set(read[str(g)].split()) != {str(r) for r in rows_now.get(str(g), ())}]
    if moved:
        raise click.ClickException(f"group {', '.join(moved)} of {folder}/merge_groups.csv holds other records now "
                                   "(a review decision since the run): run again to see the groups, then undo; "
                                   "nothing was undone")


def _write_undo(folder: Path, info: dict, result, plan, warnings: list[str]) -> None:
    """Record the merges taken back in ``plan`` in undone.json, then write the run's files again, with the
    ``warnings`` of the undone.json read (of merges taken back on another version of the input) in summary.txt.

    run.json goes first, and `Result.write` writes it again last: an undo stopped on the way
    (Ctrl-C, a full disk) never leaves a folder that looks finished, with undone.json naming a
    merge that cleaned.csv and the fix files still hold. The error says how to finish it.
    """
    (folder / "run.json").unlink(missing_ok=True)
    recorded = False
    try:
        write_undone(folder, plan, input_sha256(result.contacts), protect=(result.contacts.path,))
        recorded = True
        result.write(folder, undone=plan.undone, undo_warnings=warnings)
    except (KeyboardInterrupt, DedupeKitError, OSError) as exc:
        then = ("it keeps the merges taken back in undone.json" if recorded else
                "then undo the group(s) again, as this undo was not recorded")
        raise _failure(exc, f"{_message(exc)}: {folder}/ is incomplete (no run.json, and its files may mix the merge "
                            f"and its undo); finish it with `{_run_again(info, folder)}` ({then})") from None


def _run_again(info: dict, folder: Path) -> str:
    """The command that writes a run's folder whole again: its input read as run.json says,
    with the config the run used."""
    words = ["dedupe-kit", "run", info["input"], "--config", str(folder / "config.toml"), "--out", str(folder)]
    if info.get("sheet"):
        words += ["--sheet", info["sheet"]]
    elif info.get("encoding") not in (None, "xlsx"):
        words += ["--encoding", info["encoding"]]
        if info.get("delimiter"):
            words += ["--delimiter", "\\t" if info["delimiter"] == "\t" else info["delimiter"]]
    return shlex.join(words)


#: Words in a column's name that say it holds each record's entity (true group).
_ENTITY_WORDS = ("entity", "person", "cluster", "group")


def _truth_columns(truth: Contacts, record_id: str | None) -> tuple[str, str]:
    """The record-ID column and the entity column of a truth file, read by their names, not their places.

    The record-ID column is the one named as the export's record-ID column (case and spaces
    around it do not count), or else the first. The entity column is the only other one; among
    several, the one whose name says entity, person, cluster or group, or else the one named as
    an ID (``label_id``). A file where that is not one column is refused: scoring against the
    wrong column (a scenario, say) would print a wrong F1 without a word.
    """
    columns, listed = truth.columns, ", ".join(map(repr, truth.columns))
    where = f"the column named {record_id!r} as in the export, or else the first" if record_id else "the first column"
    shape = f"give the record ID ({where}) and one entity column, such as `{record_id or 'id'},entity`"
    if len(columns) < 2:
        raise InputError(f"{truth.name}: needs two columns, each record's ID and its entity ID; it has {len(columns)} "
                         f"({listed}): {shape}")
    by_key = {column.strip().casefold(): column for column in columns}
    id_column = by_key.get(record_id.strip().casefold(), columns[0]) if record_id else columns[0]
    others = [column for column in columns if column != id_column]
    named = ([column for column in others if any(word in column.casefold() for word in _ENTITY_WORDS)]
             or [column for column in others if "id" in re.findall(r"[a-z]+", column.casefold())])
    chosen = others if len(others) == 1 else named
    if len(chosen) != 1:
        raise InputError(f"{truth.name}: cannot tell which of {', '.join(map(repr, chosen or others))} holds each "
                         f"record's entity (its columns: {listed}; record IDs in {id_column!r}): {shape}; beside "
                         f"other columns, name the entity column with one of the words {', '.join(_ENTITY_WORDS)}")
    return id_column, chosen[0]


def _truth_entities(path: Path, contacts: Contacts) -> np.ndarray:
    """The entity of each record of ``contacts``, from a truth file's record-ID and entity columns (`_truth_columns`),
    as a number (one entity, one number: a million texts held through the run would raise its peak memory).

    Every record needs an entity; a record ID repeated with the same entity is one label, with
    two different ones is refused (which would count is not known).
    """
    truth = load(path)
    id_column, entity_column = _truth_columns(truth, contacts.field_map.record_id)
    labels = truth.frame.loc[truth.filled(entity_column), [id_column, entity_column]]
    distinct = labels.drop_duplicates()
    torn = distinct[id_column][distinct[id_column].duplicated()].unique()
    if len(torn):
        rows = labels.index[labels[id_column] == torn[0]]
        found = ", ".join(f"{labels.at[row, entity_column]!r} on line {truth.lines[row]}" for row in rows)
        more = f" ({len(torn) - 1:,} more record ID(s) so)" if len(torn) > 1 else ""
        raise InputError(f"{path}: record ID {torn[0]!r} (column {id_column!r}) has more than one entity: "
                         f"{found}{more}; give each record one entity")
    ids = record_ids(contacts) if contacts.field_map.record_id else contacts.frame.index.astype(str).to_numpy()
    entities = distinct.set_index(id_column)[entity_column].reindex(ids)
    missing = ids[entities.isna().to_numpy()]
    if len(missing):
        blank = truth.frame.index[truth.frame[id_column] == missing[0]]  # listed, with an empty entity
        unit = row_unit(truth.encoding)
        at = f": blank on {unit} {truth.lines[blank[0]]}, column {entity_column!r}" if len(blank) else ""
        raise InputError(f"{path}: no entity for record ID {missing[0]!r}{at} ({len(missing)} record(s) without one; "
                         f"record IDs read from column {id_column!r}, entities from {entity_column!r})")
    return pd.factorize(entities.to_numpy(dtype=object))[0]


@main.command("check-import")
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--against", "existing", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The existing contacts: a fresh export of the CRM.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config of the existing export (column roles, region, thresholds, CRM).")
@click.option("--region", callback=_region, help="Default phone region, e.g. US, FR, GB (overrides the config).")
@click.option("--encoding", help="Encoding of NEW (detected when not given).")
@click.option("--delimiter", callback=_delimiter,
              help="CSV delimiter of NEW (detected when not given); use '\\t' for tab.")
@click.option("--sheet", help="Sheet of NEW, an Excel workbook (the first visible one when not given).")
@click.option("--against-sheet",
              help="Sheet of the existing contacts, an Excel workbook (the first visible one when not given).")
@click.option("--out", type=click.Path(file_okay=False), callback=_folder, required=True,
              help="Folder for annotated.csv, import_ready.csv, held_back.csv, the clearing file and the reports.")
@_library_errors
def check_import(new: Path, existing: Path, config_path: Path | None, region: str | None, encoding: str | None,
                 delimiter: str | None, sheet: str | None, against_sheet: str | None, out: Path) -> None:
    """Check the NEW contact file against the existing contacts before importing it into the CRM."""
    config = _config(config_path, region)
    _refuse_mixed(out, "check-import")
    refuse_folder(out, (), ())  # no permission to write there: now, not after the work
    new_contacts = load(new, dataclasses.replace(config, fields={}), encoding=encoding,
                        delimiter=delimiter, sheet=sheet)  # its columns are matched to the export's
    check = check_import_files(new_contacts, load(existing, config, sheet=against_sheet), config, progress=None)
    check.write(out)
    click.echo((out / "summary.txt").read_text(encoding="utf-8"), nl=False)  # with its warnings, as a run's
    click.echo(f"wrote annotated.csv, import_ready.csv (the file to import), held_back.csv (the rows kept out, "
               f"and why), {check.clearing_file}, changed_numbers.csv, header_check.csv, summary.txt and "
               f"preflight.png to {out}/")


@main.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--voila/--lab", "voila", default=True,
              help="Serve a Voila page (default) or open the review notebook in JupyterLab.")
@click.option("--ip", default="127.0.0.1", show_default=True, callback=lambda _, __, ip: _address(ip),
              help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port to listen on (a free one when not given or 0).")
@click.option("--token", help="Token the page asks for (random when not given; '' turns it off).")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
@_library_errors
def review(out_dir: Path, voila: bool, ip: str, port: int | None, token: str | None, no_browser: bool) -> None:
    """Review the doubtful pairs of a run's output folder DIR in the browser.

    Decisions are saved at once in DIR/review.sqlite; `dedupe-kit run ... --out DIR`
    and the next review reuse them.
    """
    from .review.serve import serve

    code = serve(out_dir, lab=not voila, ip=ip, port=port, token=token, browser=not no_browser, echo=click.echo)
    if code:  # the server could not start (its port taken, say): its log above says why
        raise click.ClickException(f"the review server stopped with exit code {code}")
