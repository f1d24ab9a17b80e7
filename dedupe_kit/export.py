"""The files an analyst takes back to the CRM, written from a `MergePlan`.

In import order:

1. ``fix_1_clear.csv`` — the merged-away records with their unique fields
   (emails, phones, external IDs) set to the CRM's clear word (``UNSET`` by
   default), so that the values are free for the survivor: a CRM rejects an
   import row whose phone already belongs to another contact.
2. ``fix_2_update.csv`` — the survivors, with the fields whose value changed
   (a blank cell leaves the field as it is).
3. ``merged_away.csv`` — the records to archive or delete (or merge) in the CRM.

Beside them: ``cleaned.csv`` (the whole export after merging, in the input's own
format), ``changed_numbers.csv``, ``merge_groups.csv``, ``audit.csv`` and, when
some cell would run as a formula in a spreadsheet, ``neutralized.csv``.
Every file is written atomically; the same plan gives byte-identical files.
"""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import json
import shlex
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path

import numpy as np
import pandas as pd

from ._perf import is_filled, isin, part_places, repeated, sorted_distinct
from .config import CRM_PROFILES, MergePolicy
from .errors import ConfigError
from .files import csv_chunks, refuse_input, write_csv, write_files, write_text
from .load import Contacts, record_ids
from .merge import (CONSENT_RULES, EXTRA_COLUMN, EXTRA_COLUMNS, MergePlan, blank_for_the_word, filled_cells,
                    holding_clear_word, holds_word, keyless_picks, keyless_what, placeholder_cells, refusals)
from .names import as_written, split_full_name
from .normalize import Normalized, extensions, map_unique, reads_as, with_extensions

@dataclass(frozen=True)
class Exported:
    """What `export` wrote: the paths, in the order to read them, and the warnings for the analyst."""

    paths: list[Path]
    neutralized: pd.DataFrame
    warnings: list[str]

    def summary(self) -> str:
        shown = self.neutralized.head(10)
        lines = [neutralized_line(len(self.neutralized), listed=len(shown))]
        lines += [f"  {cell_of(file, row, column)}: {value!r}"
                  for file, row, _, column, value in shown.itertuples(index=False)]
        return "\n".join(lines + [f"warning: {w}" for w in self.warnings])


def neutralized_line(count: int, *, listed: int = 0) -> str:
    """The summary's line that counts the cells neutralized as formulas (`write_tables`), sending to
    ``neutralized.csv`` for those the lines after it do not list (they list the first ``listed``).

    >>> neutralized_line(2), neutralized_line(0)
    ('cells neutralized as formulas      2   (see neutralized.csv)', 'cells neutralized as formulas      0')
    >>> neutralized_line(30, listed=10)
    'cells neutralized as formulas     30   (the first 10 below; all in neutralized.csv)'
    """
    line = f"cells neutralized as formulas {count:>6,}"
    if count <= listed:
        return line
    return f"{line}   ({f'the first {listed:,} below; all in' if listed else 'see'} neutralized.csv)"


def export(plan: MergePlan, out: str | Path, *, crosswalk: pd.DataFrame | None = None,
           decided_at: pd.DataFrame | None = None, log: bool = True) -> Exported:
    """Write the cleaned export, the fix files, the crosswalk and the audit log into ``out``.

    crosswalk: the run's crosswalk; its survivor columns are filled from the plan.
    decided_at: when people decided (``a``, ``decided_at``), for the audit log.
    log: add the export to ``export_log.jsonl`` (``False``: the caller does, with `log_export`,
        once the other files it writes beside these are written too).
    """
    out = Path(out)
    contacts = plan.contacts
    protect = (contacts.path,) if contacts.path else ()
    cleaned = plan.cleaned()
    other = "fix_1_clear_by_hand.csv" if plan.policy.clear else "fix_1_clear.csv"
    refuse_input(out / other, protect)  # removed below
    away = away_to_fix(plan)

    def changed_numbers_table() -> pd.DataFrame:  # the last file that needs the cleaned table: let it go
        nonlocal cleaned
        table, cleaned = changed_numbers(plan, cleaned), None
        return table

    cleared = 0  # the clearing file's lines, once written

    def clearing_table() -> pd.DataFrame:
        nonlocal cleared
        table = clearing(plan, away)
        cleared = len(table)
        return table

    tables = {  # each made when its file is written, and let go after
        "cleaned.csv": lambda: with_blank_columns(cleaned, contacts.blank_columns),
        "fix_1_clear.csv" if plan.policy.clear else "fix_1_clear_by_hand.csv": clearing_table,
        "fix_2_update.csv": lambda: updates(plan, cleaned),
        "merged_away.csv": lambda: merged_away(plan, away),
        "changed_numbers.csv": changed_numbers_table,
        "merge_groups.csv": lambda: merge_groups(plan),
        "audit.csv": lambda: audit(plan, decided_at),
    }
    if crosswalk is not None:
        if not np.array_equal(np.sort(crosswalk["source_row"].to_numpy()), np.arange(len(contacts))):
            raise ConfigError(f"export: the crosswalk does not hold each of the {len(contacts):,} rows of "
                              f"{contacts.name} once ({len(crosswalk):,} rows); give result.crosswalk whole, "
                              "sorted or not, not filtered")
        tables["crosswalk.csv"] = lambda: with_survivors(crosswalk, plan.survivors())
    crm_files = {"cleaned.csv", "fix_1_clear.csv", "fix_1_clear_by_hand.csv", "fix_2_update.csv", "merged_away.csv"}
    formats = {name: file_format(plan.policy, contacts) if name in crm_files else ("utf-8", ",") for name in tables}
    paths, neutralized = write_tables(out, tables, formats, () if plan.policy.neutralize_formulas else crm_files,
                                      line_end=line_ending(contacts), protect=protect)
    (out / other).unlink(missing_ok=True)  # from an earlier export for another CRM
    warnings = []
    if cleared:  # else it holds its header alone (no merge, or every one left out of the fix files): no note on it
        warnings += clear_word_warning(plan.policy, "fix_1_clear.csv")
    if not contacts.field_map.record_id:
        fm = contacts.field_map
        rows = "the other files name each record by its row of the input (record_id `row 12`), not an ID of the CRM"
        warnings.append(f"no record ID column: the fix files find each contact by its email in {fm.key!r} (import "
                        f"them matched on that column; it is not cleared, nor are the external IDs); {rows}" if fm.key
                        else "no record ID column and no email column: the fix files hold only names and external "
                        "IDs, which a contact's duplicates share: imported, their lines could clear, update or "
                        "archive the contact that is kept; export the CRM's record ID with the contacts and run "
                        f"again (fields.record_id names its column), or make the changes by hand; {rows}")
    warnings += _unkeyed(plan, away) + _stopped_for_keyless_picks(plan) + _set_to_clear_word(plan)
    warnings += _clear_word_in_data(plan)
    if log:
        log_export(out, export_entry(plan), protect)
    return Exported(paths, neutralized, warnings)


def export_crosswalk(crosswalk: pd.DataFrame, contacts: Contacts, out: str | Path) -> Exported:
    """Write ``crosswalk.csv`` alone, as `export` writes it, for a run that stops before the merge."""
    paths, neutralized = write_tables(Path(out), {"crosswalk.csv": crosswalk}, {"crosswalk.csv": ("utf-8", ",")},
                                      line_end=line_ending(contacts), protect=(contacts.path,) if contacts.path else ())
    return Exported(paths, neutralized, [])


def write_tables(out: Path, tables: Mapping[str, pd.DataFrame | Callable[[], pd.DataFrame]],
                 formats: dict[str, tuple[str, str]], raw: Collection[str] = (), *, line_end: str = "\n",
                 protect: tuple[Path, ...] = ()) -> tuple[list[Path], pd.DataFrame]:
    """Write each table (or the table a function makes, when its file's turn comes) as CSV in its
    (encoding, delimiter) format, atomically, with formula cells neutralized and listed in
    ``neutralized.csv`` (removed when there are none), but for the tables named in ``raw``: the
    files for the CRM under ``merge.neutralize_formulas = false`` (the reports keep the ``'``)."""
    refuse_input(out / "neutralized.csv", protect)  # written or removed below
    found = []

    def chunks(name: str, table: pd.DataFrame | Callable[[], pd.DataFrame]) -> Iterator[bytes]:  # made while written
        table = table() if callable(table) else table
        encoding, delimiter = formats[name]
        encoder = codecs.getincrementalencoder(encoding)()  # a byte order mark (utf-8-sig, utf-16) once, not per piece
        cells = None if name in raw else []
        for text in csv_chunks(table, delimiter, line_end, neutralized=cells):
            try:
                yield encoder.encode(text)
            except UnicodeEncodeError:
                raise ConfigError(_unencodable(name, table, encoding)) from None
        yield encoder.encode("", final=True)
        if cells:
            found.append(neutralized_cells(name, cells, table.columns))

    # all files or none: an error in any leaves every old file as it was
    paths = write_files({out / name: chunks(name, table) for name, table in tables.items()}, protect=protect)
    columns = ["file", "row", "sheet_row", "column", "value"]
    neutralized = pd.concat(found, ignore_index=True)[columns] if found else pd.DataFrame(columns=columns)
    if len(neutralized):
        paths.append(write_csv(out / "neutralized.csv", neutralized, protect=protect))
    else:
        (out / "neutralized.csv").unlink(missing_ok=True)
    return paths, neutralized


def neutralized_cells(name: str, cells: list[tuple[int, int, str]], columns: pd.Index) -> pd.DataFrame:
    """The cells (column position, row, value) neutralized in the file ``name`` of these ``columns``, as
    ``neutralized.csv`` lists them: by column, then row."""
    position, row, value = zip(*sorted(cells))
    return pd.DataFrame({"file": name, "row": row, "sheet_row": sheet_row(np.asarray(row)),
                         "column": columns[list(position)], "value": value})


def with_neutralized(exported: Exported, out: Path, found: list[pd.DataFrame],
                     protect: tuple[Path, ...] = ()) -> Exported:
    """``exported`` with the cells neutralized in a file written after it (the run's ``pairs.csv``), ``found``
    (`neutralized_cells`), listed in ``neutralized.csv`` and counted too."""
    if not found:
        return exported
    neutralized = pd.concat([t for t in (exported.neutralized, *found) if len(t)], ignore_index=True)
    path = write_csv(out / "neutralized.csv", neutralized, protect=protect)
    return replace(exported, paths=exported.paths + [path] * (path not in exported.paths), neutralized=neutralized)


def sheet_row(row):
    """The number a spreadsheet shows for data row ``row`` (from 0) of a file written with its header."""
    return row + 2


def cell_of(name: str, row: int, column: str) -> str:
    """Where a cell of the file ``name`` written is: the row a spreadsheet shows, and the file's own
    row (from 0), which is not the input's: a merge takes rows out.

    >>> cell_of("cleaned.csv", 76, "Notes")
    "cleaned.csv, sheet row 78 (cleaned.csv row 76), column 'Notes'"
    """
    return f"{name}, sheet row {sheet_row(row)} ({name} row {row}), column {column!r}"


def _unencodable(name: str, table: pd.DataFrame, encoding: str) -> str:
    """Where the first character that ``encoding`` cannot write is."""
    for position, column in enumerate(table.columns):
        for row, value in enumerate(table.iloc[:, position].astype(str)):
            try:
                value.encode(encoding)
            except UnicodeEncodeError as exc:
                return (f"{cell_of(name, row, column)}: {encoding} cannot "
                        f"write {value[exc.start]!r}; choose an output encoding that can, such as utf-8")
    return f"{name}: {encoding} cannot write the header; choose an output encoding that can, such as utf-8"


def key_columns(field_map) -> list[str]:
    """The columns a CRM maps an import row on: record ID (without one, the first email, on which
    Mailchimp and the like match), first and last name, external unique IDs."""
    fm = field_map
    return [c for c in (fm.key, fm.first_name, fm.last_name, fm.full_name, *fm.external_ids) if c]


def clearing(plan: MergePlan, away: np.ndarray | None = None) -> pd.DataFrame:
    """The merged-away records (``away``, default: `away_to_fix`), their unique fields (emails,
    phones, external IDs) set to the clear word; then the survivors' fields the merge empties (a
    ``Phone 2 Type`` that follows a number moved in), which the update file cannot say: a
    blank cell there leaves the field as it is.

    The external IDs are cleared only when a record ID column keys the rows, and without one the
    first email, which keys them then, is not cleared. Blank cells stay blank: there is nothing to clear.
    """
    fm = plan.contacts.field_map
    emails = list(fm.emails) if fm.record_id else list(fm.emails[1:])
    unique = emails + [c for c, _ in fm.phones] + (list(fm.external_ids) if fm.record_id else [])
    away = away_to_fix(plan) if away is None else away
    away = away[_keyed(plan)[away]]
    cell_rows, cell_columns = [], []
    for column in unique:
        filled = away[plan.contacts.filled(column)[away]]
        cell_rows.append(filled)
        # the name itself in each cell: np.full makes a copy of it for each (0.08 s at 1,000,000 rows)
        cell_columns.append(np.repeat(np.array([column], dtype=object), len(filled)))
    emptied = plan.changed_values()
    keyed = _keyed(plan)[emptied["row"].to_numpy(dtype=np.int64)]
    emptied = emptied[(emptied["after"] == "").to_numpy() & keyed]
    cell_rows.append(emptied["row"].to_numpy(dtype=np.int64))
    cell_columns.append(emptied["column"].to_numpy(dtype=object))
    columns = unique + [c for c in plan.contacts.columns if c in set(emptied["column"]) and c not in unique]
    return clearing_rows(plan.contacts, np.r_[away, sorted_distinct(cell_rows[-1])], np.concatenate(cell_rows),
                         np.concatenate(cell_columns), plan.policy.clear, columns, _repeated_keys(plan))


def clear_word_warning(policy: MergePolicy, file: str) -> list[str]:
    """What to know of the clearing ``file`` before importing it: the word that empties a field, and whether
    the CRM reads it so (none, or one line)."""
    crm = CRM_PROFILES[policy.crm]
    if not policy.clear:
        return [f"{policy.crm} cannot clear a field through an import: {crm.note}"]
    if policy.clear != crm.clear_word:  # merge.clear_word: the CRM's own note would say another word
        crm_name = "the CRM's import" if policy.crm == "generic" else policy.crm
        return [f"{file} empties fields with {policy.clear!r} (merge.clear_word): check that {crm_name} reads that "
                f"word so"]
    return [crm.note.format(file=file)] if crm.note else []


def clearing_rows(contacts: Contacts, rows, cell_rows, cell_columns, clear_word: str,
                  columns: list[str] | None = None, repeated: np.ndarray | None = None) -> pd.DataFrame:
    """An import file that clears some cells: one line per contact of ``rows`` (rows of one record ID
    share the first one's: `_first_of_key`, given the ``repeated`` keys when known) with its key columns,
    and each (``cell_rows``, ``cell_columns``) cell set to ``clear_word`` (to its current value when the CRM
    has no clear word, for the analyst to clear by hand); the other cells blank (left as they are)."""
    keys = key_columns(contacts.field_map)
    columns = list(dict.fromkeys(keys + list(columns if columns is not None else dict.fromkeys(cell_columns))))
    rows = pd.unique(np.asarray(rows, dtype=np.int64))  # in their first order
    cell_rows, cell_columns = np.asarray(cell_rows, dtype=np.int64), np.asarray(cell_columns, dtype=object)
    first = _first_of_key(contacts, rows, repeated)
    is_line = first == np.arange(len(rows))
    place = np.full(len(contacts), -1)  # each row's place in rows, by a table: a hash table's look-up took 0.04 s
    place[rows] = np.arange(len(rows))
    # each cell's line, the number of lines before its row's first one (a line itself): counted, not searched for
    line_of_cell = (np.cumsum(is_line) - 1)[first[place[cell_rows]]]
    rows = rows[is_line]
    column_of_cell = pd.Index(columns).get_indexer(cell_columns)  # each cell's name looked up once, not per column
    out = {}
    for position, column in enumerate(columns):
        cells = contacts.frame[column].to_numpy(dtype=object)
        values = cells[rows] if column in keys else _blanks(len(rows))
        if column in keys and clear_word:  # a name, an ID that is the clear word would be emptied: kept as it is
            values[holding_clear_word(contacts, column, clear_word, rows)] = ""
        at = column_of_cell == position
        values[line_of_cell[at]] = clear_word or cells[cell_rows[at]]
        out[column] = values
    return pd.DataFrame(out, columns=columns, copy=False)  # its own arrays, kept: not copied into one block


def _blanks(shape: int | tuple[int, ...]) -> np.ndarray:
    """Blank cells (object dtype) of ``shape``, the one str in each: np.full converts ``""`` from numpy's text type
    for every cell, four times as slow (0.01 s a million)."""
    blanks = np.empty(shape, dtype=object)
    blanks[:] = ""
    return blanks


def updates(plan: MergePlan, cleaned: pd.DataFrame | None = None) -> pd.DataFrame:
    """The survivors whose values changed: key columns, then every changed column (blank: unchanged;
    a field the merge empties is in `clearing`'s file). The record ID (without one, the first email)
    is each survivor's own, by which the CRM finds it; the names and external IDs are the merged ones.

    Values that found no column (``dedupe_kit extra …``) are not in it: the CRM has no field for
    them; they are in ``cleaned.csv`` and the audit log.
    """
    keys = key_columns(plan.contacts.field_map)
    changed = _updated_cells(plan)
    changed_columns = set(changed["column"])
    columns = keys + [c for c in plan.contacts.columns if c in changed_columns and c not in keys]
    cleaned = plan.cleaned() if cleaned is None else cleaned
    rows = sorted_distinct(changed["row"].to_numpy(dtype=np.int64))
    # column by column, as arrays made into a frame once: through a frame of blanks, `loc` took twice the time
    out = {column: _blanks(len(rows)) for column in columns}
    at = cleaned.index.get_indexer(rows)  # a survivor is a row of cleaned
    key = plan.contacts.field_map.key
    for column in keys:
        if column == key:
            out[column] = plan.contacts.frame[key].to_numpy(dtype=object)[rows]
            continue
        out[column] = cleaned[column].to_numpy(dtype=object)[at]
        if plan.policy.clear:  # a name or an ID that is the clear word: the word would empty it, blank keeps it
            out[column][holds_word(out[column], plan.policy.clear)] = ""
    for column, cells in changed.groupby("column", sort=False):
        out[column][np.searchsorted(rows, cells["row"].to_numpy())] = cells["after"].to_numpy()
    return pd.DataFrame(out, columns=columns, copy=False)  # its own arrays, kept: not copied into one block


def _updated_cells(plan: MergePlan) -> pd.DataFrame:
    """The changed values that `updates` sets: of the survivors whose line finds them (`_keyed`), not
    blank (`clearing` empties those), nor of an extra column a cleaned export holds (`EXTRA_COLUMNS`): no CRM
    field takes its values."""
    changed = plan.changed_values()
    keyed = _keyed(plan)[changed["row"].to_numpy(dtype=np.int64)]
    return changed[keyed & (changed["after"] != "").to_numpy() & ~changed["column"].isin(EXTRA_COLUMNS).to_numpy()]


def _set_to_clear_word(plan: MergePlan, shown: int = 3) -> list[str]:
    """A warning naming the values of the update file that are the CRM's clear word (one a person
    chose in review, or one that follows its number: no rule takes it): the import empties those
    fields, where cleaned.csv holds the word."""
    word = plan.policy.clear
    if not word:  # the CRM has none
        return []
    cells = _updated_cells(plan)
    cells = cells[holds_word(cells["after"].to_numpy(dtype=object), word)]  # as the merge reads the word
    if not len(cells):
        return []
    record_id = record_ids(plan.contacts)
    named = "; ".join(f"record {record_id[row]!r}, column {column!r} ({plan.contacts.where(row)})"
                      for row, column in zip(cells["row"].tolist()[:shown], cells["column"].tolist()))
    one = len(cells) == 1
    return [f"{len(cells):,} {'value' if one else 'values'} of fix_2_update.csv {'is' if one else 'are'} the clear "
            f"word {word!r} ({named}{'; …' if len(cells) > shown else ''}): the import empties "
            f"{'that field' if one else 'those fields'}, where cleaned.csv holds the word; set "
            f"{'it' if one else 'them'} by hand after the import, or choose another value in review"]


def _clear_word_in_data(plan: MergePlan, shown: int = 3) -> list[str]:
    """A warning naming the cells of the merged groups that hold the clear word as a value of their
    column (a Newsletter ``NO`` under ``merge.clear_word = "NO"``): the merge read them as blank, as the
    import reads the word, and another record's value took their place."""
    word = plan.policy.clear
    if not word or word.lower() in {crm.clear_word.lower() for crm in CRM_PROFILES.values()}:
        return []  # a CRM's own word (UNSET, #N/A) is no value of data: not looked for (2 s at 1,000,000 rows)
    rows = np.array([r for rows in plan.merging["rows"] for r in rows], dtype=np.int64)
    if not len(rows):
        return []
    junk = placeholder_cells(plan.contacts, plan.normalized) if plan.normalized is not None else {}
    found = blank_for_the_word(plan.contacts, rows, word, junk)
    if not found:
        return []
    cells = [(row, column) for column, hit in found.items() for row in np.flatnonzero(hit).tolist()]
    named = "; ".join(plan.contacts.where(row, column) for row, column in sorted(cells)[:shown])
    return [f"{len(cells):,} cell(s) of the merged records hold the clear word {word!r} as a value ({named}"
            f"{'; …' if len(cells) > shown else ''}): the merge read them as blank, as an import of the fix files "
            "reads the word (empty the field): no rule keeps them, and another record's value fills them; set "
            "merge.clear_word to a word that no cell holds, or check those fields"]


def merged_away(plan: MergePlan, away: np.ndarray | None = None) -> pd.DataFrame:
    """The records merged into another one (``away``, default: `away_to_fix`), one line per record ID
    (the first of its rows: `_first_of_key`): to archive, delete or merge in the CRM after the
    imports. Without a record ID column, each one's first email too, which the CRM knows it by. A placeholder
    record ID (``n/a``: `Contacts.keyed`) is left blank, as no ID. The first and last name of a row without them
    are the parts of its full name (one name column)."""
    fm = plan.contacts.field_map
    frame = plan.contacts.frame
    away = away_to_fix(plan) if away is None else away
    away = away[_first_of_key(plan.contacts, away, _repeated_keys(plan)) == np.arange(len(away))]
    survivors = plan.survivors()
    record_id = record_ids(plan.contacts)
    if fm.record_id:
        record_id = np.where(plan.contacts.keyed(), record_id, "")
    key = {} if fm.record_id or not fm.key else {fm.key: frame.loc[away, fm.key].to_numpy()}
    first, last = (frame[c].to_numpy(dtype=object)[away] if c else _blanks(len(away))
                   for c in (fm.first_name, fm.last_name))
    if fm.full_name:  # a row without either: the parts of its full name, split as matching splits it, as typed
        whole = frame.loc[away, fm.full_name]
        need = ~is_filled(first) & ~is_filled(last) & is_filled(whole)
        parts = map_unique(whole[need], lambda text: tuple(as_written(text, part) for part in split_full_name(text)))
        first[need], last[need] = parts.str[0].to_numpy(), parts.str[1].to_numpy()
    return pd.DataFrame({
        "source_row": away,
        "record_id": record_id[away],
        **key,
        "first_name": first,
        "last_name": last,
        "survivor_row": survivors[away],
        "survivor_record_id": record_id[survivors[away]],
    }, copy=False)  # its own arrays, kept: not copied into one block (0.04 s at 1,000,000 rows)


def changed_numbers(plan: MergePlan, cleaned: pd.DataFrame | None = None) -> pd.DataFrame:
    """Records whose phones or emails differ from the survivor's after the merge, to update elsewhere.

    A number or address written another way (``+16175550188`` and ``617-555-0188``, an email in
    capitals) is not a change when the plan knows the normalized values: see `_same_values`.
    """
    fm = plan.contacts.field_map
    frame = plan.contacts.frame
    cleaned = plan.cleaned() if cleaned is None else cleaned
    survivors = plan.survivors()
    in_groups = np.fromiter(itertools.chain.from_iterable(plan.merging["rows"].tolist()), dtype=np.int64)
    # worked on in the order of the rows, not of the groups: their cells are read in the order they lie in memory
    merged = np.zeros(len(survivors), dtype=bool)
    merged[in_groups] = True
    rows = np.flatnonzero(merged)
    kept, kept_of_row = np.unique(survivors[rows], return_inverse=True)  # a survivor's values are listed once
    record_id = record_ids(plan.contacts)
    # a cell of placeholders (N/A, 555-555-5555) is blank, before the merge and where the survivor keeps it
    junk = placeholder_cells(plan.contacts, plan.normalized) if plan.normalized is not None else {}
    kept_at = cleaned.index.get_indexer(kept)

    filled_before = partial(filled_cells, plan.contacts, junk)

    @cache  # the listing and `filled_after` both ask
    def kept_cells(column: str) -> np.ndarray:
        return cleaned[column].to_numpy(dtype=object)[kept_at]

    @cache  # the listing and `_same_values` both ask, of the survivors' cells alone
    def filled_after(column: str) -> np.ndarray:
        value = kept_cells(column)
        other = np.flatnonzero(value != frame[column].to_numpy(dtype=object)[kept])  # else filled as in the input
        filled = np.zeros(len(cleaned), dtype=bool)
        filled[kept_at] = filled_before(column)[kept]
        filled[kept_at[other]] = is_filled(value[other])
        return filled

    back = (np.cumsum(merged) - 1)[in_groups]  # the place in rows of each row, in the order of the groups
    listing = ["source_row", "record_id", "survivor_row", "survivor_record_id", "kind", "before", "after"]
    out = {column: [] for column in listing}  # each column's part of each kind
    for kind, columns in (("phone", [c for c, _ in fm.phones]), ("email", list(fm.emails))):
        if not columns or not len(rows):
            continue
        filled, filled_kept = [filled_before(c)[rows] for c in columns], [filled_after(c)[kept_at] for c in columns]
        before = _listed([frame[c].to_numpy(dtype=object)[rows] for c in columns], filled)
        after = _listed([kept_cells(c) for c in columns], filled_kept)[kept_of_row]
        kept_cells.cache_clear()  # not held while `_same_values` works: no more memory than one listing's
        differs = before != after
        if plan.normalized is not None and differs.any():
            # one blank (no cell filled, as a filled cell is more than white space): changed, however read
            listed = np.logical_or.reduce(filled) & np.logical_or.reduce(filled_kept)[kept_of_row]
            at = np.flatnonzero(differs & listed)
            differs[at] = ~_same_values(plan, kind, columns, rows[at], cleaned, filled_before, filled_after)
        at = back[differs[back]]  # in the order of the groups
        source = rows[at]
        values = (source, record_id[source], survivors[source], record_id[survivors[source]],
                  np.repeat(np.array([kind], dtype=object), len(source)), before[at], after[at])
        for part, value in zip(out.values(), values):
            part.append(value)
    if not out["kind"]:
        return pd.DataFrame(columns=listing)
    # joined as arrays, into a frame that keeps them: a frame of each kind, concatenated and put in the order of
    # the listing, copied the cells three times (0.15 s at 1,000,000 rows)
    return pd.DataFrame({column: np.concatenate(parts) for column, parts in out.items()}, copy=False)


def _same_values(plan: MergePlan, kind: str, columns: list[str], rows: np.ndarray, cleaned: pd.DataFrame,
                 filled_before: Callable[[str], np.ndarray], filled_after: Callable[[str], np.ndarray]) -> np.ndarray:
    """Whether each of ``rows`` holds in ``columns`` the same phone numbers (extension included) or
    email addresses (case aside) as its survivor in ``cleaned``, however written.

    A cell reads as the identifiers it normalized to, and a cell of the survivor that took a value
    of another row as that row's cell of the same text. A cell that normalized to none, or took
    the values of several rows (a list column), reads as its text, or as a number of the other
    side written nationally (`_read_nationally`). ``filled_before``, ``filled_after``: the cells of a
    column that count, in the input and in ``cleaned`` (not a cell of placeholders).
    """
    frame, width = plan.contacts.frame, len(columns)
    survivors = plan.survivors()[rows]
    changed = plan.changed_values()
    changed = changed[changed["column"].isin(columns)]
    source, value = changed["source_row"].to_numpy(dtype=np.int64), changed["after"].to_numpy(dtype=object)
    # the keys of the rows the survivors' values came from too, which need not be among ``rows``
    first, keys, origin = _cell_keys(plan.normalized, kind, columns, np.r_[rows, survivors, source[source >= 0]],
                                     len(frame))
    at = cleaned.index.get_indexer(survivors)
    # the cell each survivor's cell reads as: its own, or that of the same text in the row its value came from
    read_as = (survivors[:, None] * width + np.arange(width)).ravel()
    column = np.column_stack([frame[c].to_numpy(dtype=object)[source] == value for c in columns] +
                             [np.ones(len(changed), dtype=bool)]).argmax(axis=1)  # width: none
    found = np.where((source >= 0) & (column < width), source * width + column, -1)
    where = pd.Index(changed["row"].to_numpy() * width + pd.Index(columns).get_indexer(changed["column"])
                     ).get_indexer(read_as)
    read_as[where >= 0] = found[where[where >= 0]]
    sides = []
    for table, of, cell, filled in ((frame, rows, (rows[:, None] * width + np.arange(width)).ravel(), filled_before),
                                    (cleaned, at, read_as, filled_after)):
        position, key, alone = _read(first, keys, cell, np.column_stack([filled(c)[of] for c in columns]).ravel(),
                                     width)
        # the texts of the cells of no key alone, a few thousand of the 1.5 million at 1,000,000 rows: a table of
        # every cell's text took 0.25 s
        sides.append((position, key, alone // width, _cell_texts(table, columns, of, alone)))
    if kind == "phone":  # a number written nationally, as the other side's number of that country
        sides = [_read_nationally(side, other, keys, origin, plan.normalized)
                 for side, other in zip(sides, sides[::-1])]
    # a text read as itself: a key of its own after every identifier's
    text_code = pd.factorize(np.concatenate([typed for *_, typed in sides]))[0]
    start = keys.max(initial=-1) + 1
    # each side's distinct pairs by sorting, which runs through the positions in order, and the pairs of both sides
    # by merging the two: hash tables of each side and a look-up took twice as long (0.08 s at 1,000,000 rows)
    sets = []
    for (pos, key, alone, typed), code in zip(sides, np.split(text_code, [len(sides[0][3])])):
        sets.append(sorted_distinct(np.r_[pos, alone] * (start + len(text_code) + 1) + np.r_[key, start + code]))
    both = np.intersect1d(*sets, assume_unique=True)
    count = [np.bincount(pairs // (start + len(text_code) + 1), minlength=len(rows)) for pairs in (*sets, both)]
    return (count[0] == count[1]) & (count[1] == count[2])


def _read(first: np.ndarray, keys: np.ndarray, cell: np.ndarray, filled: np.ndarray, width: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The keys of each filled ``cell`` (its ``keys`` from ``first[cell]`` to ``first[cell + 1]``: `_cell_keys`),
    the cells being ``width`` to a position, as ``(position, key)``, and the place in ``cell`` of each one that
    has none."""
    place = np.flatnonzero(filled)
    cell = cell[place]
    start = first[np.maximum(cell, 0)]
    count = first[cell + 1] - start  # a cell of none (-1): from first[0] to first[0], no key
    first = np.repeat(np.cumsum(count) - count, count)
    return (np.repeat(place // width, count), keys[np.repeat(start, count) + np.arange(count.sum()) - first],
            place[count == 0])


def _cell_texts(table: pd.DataFrame, columns: list[str], rows: np.ndarray, place: np.ndarray) -> np.ndarray:
    """The texts of the cells at ``place`` (``position * len(columns) + `` the column's position) of ``table``'s
    ``rows`` (by position) in ``columns``."""
    position, column = np.divmod(place, len(columns))
    texts = np.empty(len(place), dtype=object)
    for j, name in enumerate(columns):
        here = column == j
        texts[here] = table[name].to_numpy(dtype=object)[rows[position[here]]]
    return texts


def _read_nationally(side: tuple, other: tuple, keys: np.ndarray, origin: np.ndarray, normalized: Normalized
                     ) -> tuple:
    """`_read`'s ``side`` where each text that reads, in the country of a number ``other`` holds at
    its position, as that number, extension included (``0141 496 0286 ext 129`` beside ``+44 141
    496 0286 ext. 129``), is that number's key. ``keys``, ``origin``: `_cell_keys`'."""
    position, key, alone, texts = side
    if not len(alone):
        return side
    lo, hi = np.searchsorted(other[0], alone), np.searchsorted(other[0], alone, side="right")  # by position
    at = np.flatnonzero(isin(keys, np.concatenate([other[1][a:b] for a, b in zip(lo.tolist(), hi.tolist())])))
    _, codes, values = normalized.coded("phone")
    number_of = dict(zip(keys[at].tolist(), zip(values[codes[origin[at]]].tolist(),
                                                extensions(normalized.typed("phone")[origin[at]]).tolist())))
    read = np.full(len(alone), -1, dtype=np.int64)
    todo = np.flatnonzero(hi > lo)
    for i, extension in zip(todo.tolist(), extensions(texts[todo]).tolist()):  # (at once: Arrow's regexes)
        text = texts[i]
        for candidate in other[1][lo[i]:hi[i]].tolist():
            e164, its_extension = number_of[candidate]
            if reads_as(text, e164) and extension == its_extension:
                read[i] = candidate
                break
    found = read >= 0
    return np.r_[position, alone[found]], np.r_[key, read[found]], alone[~found], texts[~found]


def _cell_keys(normalized: Normalized, kind: str, columns: list[str], rows: np.ndarray, size: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The identifiers of ``kind`` in ``columns`` of ``rows`` (of ``size``), as ``(first, key, origin)`` in the
    order of their cells, a cell being ``row * len(columns) + `` the column's position: ``key[first[cell]:
    first[cell + 1]]`` are the cell's (a table for every cell: two searches of the sorted cells took three times
    as long); ``key`` an integer per email address as written (in lower case) or phone number (in E.164) and
    extension; ``origin`` its place in `Normalized.coded`'s identifiers of ``kind``."""
    ids = normalized.identifiers
    source, codes, _ = normalized.coded(kind)
    wanted = np.zeros(size, dtype=bool)
    wanted[rows] = True
    take = np.flatnonzero(wanted[source])  # the column of these alone
    position = pd.Index(columns).get_indexer(
        ids["column"].to_numpy(dtype=object)[np.flatnonzero((ids["kind"] == kind).to_numpy())[take]])
    take, position = take[position >= 0], position[position >= 0]
    raw = normalized.typed(kind)[take]
    key = pd.factorize(raw)[0] if kind == "email" else with_extensions(codes[take], raw)
    cell = source[take].astype(np.int64) * len(columns) + position
    order = np.argsort(cell, kind="stable")
    first = np.zeros(size * len(columns) + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell, minlength=size * len(columns)), out=first[1:])
    return first, key[order], take[order].astype(np.int32)


def _listed(values: list[np.ndarray], filled: list[np.ndarray]) -> np.ndarray:
    """The ``values`` of some columns (an array each) in each row that are ``filled`` (`Contacts.filled`), joined
    by ``"; "``: the caller has taken both from the rows asked about, as it asks for the same cells elsewhere."""
    joined = _blanks(len(values[0]))
    started = np.zeros(len(joined), dtype=bool)
    for value, here in zip(values, filled):  # column by column, as whole arrays
        more = here & started
        joined[more] = joined[more] + "; " + value[more]
        first = here & ~started
        joined[first] = value[first]
        started |= here
    return joined


AUDIT_COLUMNS = ["group", "event", "decided_by", "decided_at", "survivor_record_id", "record_id", "column", "before",
                 "after", "from_record_id", "rule", "detail"]
AUDIT_EVENTS = ["stopped", "merge", "merged away", "field", "extra value", "not kept", "undone"]


def audit(plan: MergePlan, decided_at: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every merge, stopped group, undo and changed field, with who decided and, for people, when."""
    if not len(plan.groups):
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    record_id = record_ids(plan.contacts)
    groups = plan.groups.copy(deep=False)  # the cells stay where they are (a copy took 0.06 s at 1M rows)
    groups["decided_at"] = ""
    if decided_at is not None and len(decided_at):
        member = groups[["group", "rows"]].explode("rows")
        group_of = pd.Series(member["group"].to_numpy(), index=member["rows"].to_numpy(dtype=np.int64))
        when = pd.DataFrame({"group": decided_at["a"].astype(np.int64).map(group_of),
                             "at": decided_at["decided_at"].astype(str)})
        groups["decided_at"] = groups["group"].map(when.dropna().groupby("group")["at"].max()).fillna("")
    stopped = groups["status"] == "stopped"  # no record survives a merge not made
    base = groups[["group", "decided_by", "decided_at"]].assign(
        survivor_record_id=groups["survivor_record_id"].where(~stopped, ""))
    changed = plan.values[plan.values["changed"]]  # the few changed values
    overflow = plan.overflow
    # the groups and rows as integers, as `merge` makes them (a plan's table typed otherwise, as objects: looking
    # those up took 0.08 s at 1,000,000 rows)
    dropped = plan.dropped.astype({"group": np.int64, "source_row": np.int64}, copy=False)
    # the events of the groups merged alone; in the usual case, every group merged, all of them: the plan's tables
    # hold the values of its own groups alone, and none is copied or looked up
    done = groups
    if stopped.any():
        done = groups[~stopped]
        changed, overflow, dropped = (t[t["group"].isin(done["group"])] for t in (changed, overflow, dropped))
    of_group = done["rows"].tolist()
    sizes = np.fromiter(map(len, of_group), dtype=np.int64, count=len(of_group))
    member = np.fromiter(itertools.chain.from_iterable(of_group), dtype=np.int64, count=int(sizes.sum()))
    away = member != np.repeat(done["survivor_row"].to_numpy(dtype=np.int64), sizes)  # the merged-away rows
    # the rules of the values of those groups and columns alone, for a small join: taken column by column (`loc` took
    # the rows of every column of the values, 3,964,480 at 1,000,000 rows)
    values = plan.values
    of_dropped = np.flatnonzero(values["group"].isin(dropped["group"].to_numpy(dtype=np.int64)).to_numpy())
    of_dropped = of_dropped[isin(values["column"].to_numpy()[of_dropped], dropped["column"].to_numpy())]
    rules = pd.DataFrame({column: values[column].iloc[of_dropped] for column in ["group", "column", "rule"]})
    dropped = dropped.merge(rules, on=["group", "column"], how="left") if len(dropped) else dropped.assign(rule="")
    survivor_of = pd.Series(done["survivor_row"].to_numpy(), index=done["group"])
    own = (dropped["source_row"] == dropped["group"].map(survivor_of)).to_numpy()
    source, keyed = dropped["source_row"].to_numpy(dtype=np.int64), _keyed(plan)
    cleared = np.zeros(len(record_id), dtype=bool)
    cleared[away_to_fix(plan)] = True  # the merged-away rows of the clearing file, once keyed
    unique = dropped["role"].isin(["emails", "phones", "external_ids"]).to_numpy()
    taken_back = dropped["group"].isin(groups.loc[groups["status"] == "undone", "group"]).to_numpy()  # nothing changes
    consent = np.flatnonzero(changed["rule"].isin(CONSENT_RULES).to_numpy())  # refusals only where a rule reads them
    refused = consent[refusals(changed["after"].to_numpy(dtype=object)[consent],
                               changed["rule"].to_numpy(dtype=object)[consent])]
    detail = _blanks(len(changed))  # set on those alone: np.where made a text of numpy's for each value (0.02 s)
    detail[refused] = ("a record of the group says the person may not be contacted: the merged contact keeps the "
                       "most restrictive answer")
    parts = [
        pd.DataFrame({"group": groups.loc[stopped, "group"], "event": "stopped",
                      "detail": "not merged, the records stay apart until a person picks the value in review or says "
                                "not a match: " + groups.loc[stopped, "conflicts"]}),
        pd.DataFrame({"group": done["group"], "event": "merge", "record_id": done["survivor_record_id"],
                      "detail": "survivor: " + done["survivor_reason"]}),
        pd.DataFrame({"group": np.repeat(done["group"].to_numpy(), sizes)[away], "event": "merged away",
                      "record_id": record_id[member[away]]}),
        pd.DataFrame({"group": changed["group"], "event": "field", "column": changed["column"],
                      "before": changed["before"], "after": changed["after"], "rule": changed["rule"],
                      "from_record_id": np.where(changed["source_row"] < 0, "several",
                                                 record_id[changed["source_row"].clip(lower=0).to_numpy()]),
                      "detail": detail}),
        pd.DataFrame({"group": overflow["group"], "event": "extra value",
                      "column": [EXTRA_COLUMN.format(role=r) for r in overflow["role"]], "after": overflow["value"],
                      "from_record_id": record_id[overflow["source_row"].to_numpy(dtype=np.int64)], "rule": "union"}),
        pd.DataFrame({"group": dropped["group"], "event": "not kept", "column": dropped["column"],
                      "before": dropped["value"], "from_record_id": record_id[source], "rule": dropped["rule"],
                      "detail": np.select(
                          [taken_back, own & keyed[source], own, unique & (cleared & keyed)[source], unique],
                          ["the merge was taken back (undone): the value stays on its record in the CRM",
                           "the merged contact does not keep this value; it is the survivor's own, replaced by the "
                           "merged value of its column in the update (emptied by the clearing file when that is "
                           "blank)",
                           "the merged contact does not keep this value; it is the survivor's own, which nothing "
                           "replaces in the CRM: the survivor is left out of the fix files (see the warnings of "
                           "summary.txt)",
                           "the merged contact does not keep this value; it is cleared with its record",
                           "the merged contact does not keep this value; it stays in the CRM on its merged-away "
                           "record, which is left out of the fix files (see the warnings of summary.txt)"],
                          "the merged contact does not keep this value; it stays on its merged-away record")}),
        groups.loc[groups["status"] == "undone", ["group"]].assign(
            event="undone", detail="merge taken back; the records stay apart"),
    ]
    parts = [p for p in parts if len(p)]
    # each part's events are of one kind: by group, then kind, without a frame of them all (a concatenation copied
    # every cell once more, 0.08 s at 1M contacts), each part's cells put straight where their events go
    lengths = [len(p) for p in parts]
    order = np.repeat([AUDIT_EVENTS.index(p["event"].iat[0]) for p in parts], lengths)
    group = np.concatenate([p["group"].to_numpy(dtype=np.int64) for p in parts])
    take = np.lexsort((order, group))  # stable: by group, event
    group, places = group[take], part_places(take, lengths)
    by_group = {column: _blanked(base[column].to_numpy(dtype=object))  # missing values: once a group
                for column in base.columns.drop("group")}
    at = pd.Index(base["group"]).get_indexer(group)  # every event's group is one of them
    on_survivor = isin(order[take], [AUDIT_EVENTS.index(e) for e in ["field", "extra value", "not kept"]])
    # column by column, in the order taken, into the one array of text the frame holds, a missing value blank
    # (the log has a million rows at 1M contacts: a frame of separate arrays would copy them all once more); a
    # column is missing from the events of the parts without it (3.3 million of the 7.9 million cells at 1M
    # contacts): blank without a look for missing values, which took 0.3 s for them all
    text = _blanks((len(AUDIT_COLUMNS) - 1, len(take)))  # 7.9 million cells at 1M contacts
    for values, column in zip(text, AUDIT_COLUMNS[1:]):
        if column in by_group:
            values[:] = by_group[column][at]
        else:
            for p, to in zip(parts, places):
                if column in p:
                    values[to] = _blanked(p[column].to_numpy(dtype=object))
        if column == "record_id":
            values[on_survivor] = by_group["survivor_record_id"][at[on_survivor]]
    log = pd.DataFrame(text.T, columns=AUDIT_COLUMNS[1:], copy=False)
    log.insert(0, "group", group)
    return log


def _blanked(values: np.ndarray) -> np.ndarray:
    """``values`` (of object dtype), or a copy with each missing one (None, NaN) blank. Texts alone, as nearly
    all are, need no look for missing values (telling that all are texts takes a quarter of the time), nor a copy."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = values.copy()
        values[pd.isna(values)] = ""
    return values


def with_survivors(crosswalk: pd.DataFrame, survivors: np.ndarray) -> pd.DataFrame:
    """The crosswalk, in ``source_row`` order (one sorted in a notebook too), with each row's survivor (a row
    number per source row) and its record ID."""
    if not crosswalk["source_row"].is_monotonic_increasing:
        crosswalk = crosswalk.sort_values("source_row")
    ids = crosswalk["record_id"].to_numpy()
    crosswalk = crosswalk.copy(deep=False)  # the other cells stay where they are (assign copied them: 0.05 s at 1M)
    crosswalk["survivor_row"], crosswalk["survivor_record_id"] = survivors, ids[survivors]
    return crosswalk


def _unkeyed(plan: MergePlan, to_fix: np.ndarray, shown: int = 3) -> list[str]:
    """Warnings for the rows in a merge whose record ID (without one, first email: `FieldMap.key`) is
    blank, or is another contact's too (a row of another group, or of none): a CRM cannot tell which
    contact their rows of the fix files are for; and for the merged-away rows left out of the fix
    files as rows of a kept contact."""
    contacts, column = plan.contacts, plan.contacts.field_map.key
    if not column:
        return []
    what, one = ("record ID", "ID") if contacts.field_map.record_id else ("email", "email")
    survivors = plan.survivors()
    away = _merged_away_rows(plan)
    in_merge = np.zeros(len(survivors), dtype=bool)
    in_merge[away] = in_merge[survivors[away]] = True
    ids, filled = contacts.frame[column], contacts.filled(column)
    shared, held = _shared_keys(plan), _held_back(plan)
    left_out = sorted_distinct(away[~isin(away, to_fix) & ~held[away] & ~shared[away]])
    kept = np.flatnonzero(held & (survivors == np.arange(len(survivors))))

    def shown_rows(rows: np.ndarray) -> str:
        first = "; ".join(contacts.where(row) + (f": {ids.iat[row]!r}" if filled[row] else "")
                          for row in rows[:shown].tolist())
        return f"({first}{'; …' if len(rows) > shown else ''})"

    warnings = [f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'} in a merge with {what} {shown_rows(rows)}, "
                f"column {column!r}: a CRM cannot tell which contact {fate}; check those contacts by hand"
                for rows, what, fate in (
                    (np.flatnonzero(in_merge & ~contacts.keyed()), f"no {what}",
                     "their lines would be for (it would make new ones): left out of the fix files"),
                    (np.flatnonzero(in_merge & shared & ~held), f"the {what} of another contact",
                     "their lines would clear and archive: left out of the clearing file and merged_away.csv"))
                if len(rows)]
    if len(kept):
        warnings.append(f"{len(kept):,} {'merge is' if len(kept) == 1 else 'merges are'} left out of the fix files: "
                        f"the row each keeps has the {what} of another contact {shown_rows(kept)}, "
                        f"column {column!r}: a CRM cannot tell which contact its update is for, nor into which "
                        "the others would be cleared and archived; check those contacts by hand")
    if len(left_out):
        warnings.append(f"{len(left_out):,} merged-away {'row has' if len(left_out) == 1 else 'rows have'} the {what} "
                        f"of a kept row {shown_rows(left_out)}: left out of the clearing file and merged_away.csv, "
                        "whose lines would clear or archive that contact (one contact exported on several rows, "
                        f"as a report with its opportunities writes it, has one {one})")
    return warnings


def _stopped_for_keyless_picks(plan: MergePlan, shown: int = 3) -> list[str]:
    """A warning for the groups stopped because the survivor a person picked has no record ID (`keyless_picks`)."""
    stopped = plan.groups[plan.groups["status"] == "stopped"]
    picked = stopped[keyless_picks(plan.contacts, stopped)]
    if not len(picked):
        return []
    what = keyless_what(plan.contacts.field_map)
    named = "; ".join(f"group {g}: row {r}" for g, r in zip(picked["group"][:shown], picked["survivor_row"][:shown]))
    return [f"{len(picked):,} {'group is' if len(picked) == 1 else 'groups are'} not merged and out of the fix files "
            f"({named}{'; …' if len(picked) > shown else ''}): the survivor chosen in review has no {what}, so the "
            f"others would be cleared and archived into no contact; pick a survivor with a {what} in review"]


def _merged_away_rows(plan: MergePlan) -> np.ndarray:
    survivors = plan.survivors()
    return np.flatnonzero(survivors != np.arange(len(survivors)))


def away_to_fix(plan: MergePlan) -> np.ndarray:
    """The merged-away rows that the clearing file and merged_away.csv name: not those with the
    record ID (without one, first email: `FieldMap.key`) of a kept row (one CRM record on several
    rows, as a report of contacts with their opportunities writes it), whose lines would clear or
    archive the kept contact, nor those whose record ID is another contact's too (`_shared_keys`: two
    contacts exported under one ID, each merged into another), whose line could clear and archive either."""
    shared = _repeated_keys(plan)
    away = _merged_away_rows(plan)
    away = away[~_held_back(plan)[away]]
    if not shared[away].any():  # the usual case
        return away
    away = away[~_shared_keys(plan)[away]]
    kept = shared.copy()
    kept[away] = False
    return away[~(shared[away] & isin(plan.contacts.key_values(away), plan.contacts.key_values(kept)))]


def _keyed(plan: MergePlan) -> np.ndarray:
    """Whether each row's line in the fix files finds its contact: its record ID, without one its
    first email (`FieldMap.key`), is filled and no placeholder (`Contacts.keyed`; every row's without either: the
    files are keyed by name and external IDs then), and its merge is not held back (`_held_back`)."""
    return plan.contacts.keyed() & ~_held_back(plan)


def _shared_keys(plan: MergePlan) -> np.ndarray:
    """Whether each row's record ID (without one, first email: `FieldMap.key`) is another contact's too: on
    a row of another survivor (a row of another group, or of none)."""
    shared = _repeated_keys(plan).copy()
    survivors_of_key = pd.Series(plan.survivors()[shared]).groupby(plan.contacts.key_values(shared))
    shared[shared] = survivors_of_key.transform("nunique").to_numpy() > 1
    return shared


def _held_back(plan: MergePlan) -> np.ndarray:
    """Whether each row is in a merge whose survivor's record ID (without one, first email: `FieldMap.key`)
    is another contact's too (`_shared_keys`: two contacts exported under one ID): the update of its line
    could go to either, and the others be cleared and archived into either, so the merge is in none of the
    fix files."""
    survivors = plan.survivors()
    if not _repeated_keys(plan).any():  # the usual case
        return np.zeros(len(survivors), dtype=bool)
    merging = np.zeros(len(survivors), dtype=bool)
    merging[survivors[_merged_away_rows(plan)]] = True
    return (_shared_keys(plan) & merging)[survivors]


def _first_of_key(contacts: Contacts, rows: np.ndarray, repeated: np.ndarray | None = None) -> np.ndarray:
    """For each of ``rows`` (distinct), the position in ``rows`` of the first with its record ID (without one,
    first email: `FieldMap.key`), its own when that is blank: a CRM record exported on several rows (a report
    of contacts with their opportunities) gets one line in a file to import, as a batch that names an ID
    twice fails. Given the rows of ``repeated`` keys (`_repeated_keys`), only theirs are compared: another
    row's key is its own."""
    position = np.arange(len(rows))
    column = contacts.field_map.key
    if not column or not len(rows):
        return position
    at = position if repeated is None else np.flatnonzero(repeated[rows])
    codes = pd.factorize(contacts.key_values(rows[at]))[0]
    first = at[~pd.Series(codes).duplicated().to_numpy()]  # by code, as codes come in order of first sight
    found = position.copy()
    found[at] = np.where(contacts.keyed()[rows[at]], first[codes], at)
    return found


def _repeated_keys(plan: MergePlan) -> np.ndarray:
    """Whether each row's record ID (without one, first email: `FieldMap.key`) is filled and another
    row's too (no row's, without either); worked out once (each fix file asks, through `_keyed`)."""
    if plan.normalized is not None:
        return plan.normalized.once("repeated keys", lambda: _rows_of_repeated_keys(plan.contacts))
    return _rows_of_repeated_keys(plan.contacts)


def _rows_of_repeated_keys(contacts: Contacts) -> np.ndarray:
    if not contacts.field_map.key:
        return np.zeros(len(contacts), dtype=bool)
    codes = contacts.key_codes()
    return repeated(codes) & contacts.keyed()


def merge_groups(plan: MergePlan) -> pd.DataFrame:
    """The plan's groups, as ``merge_groups.csv`` lists them: their rows and record IDs as text."""
    groups = plan.groups.copy(deep=False)  # the other cells stay where they are (a copy took 0.06 s at 1M rows)
    groups["rows"] = joined_rows(groups["rows"])
    groups["record_ids"] = quoted_id_lists(groups["record_ids"])
    return groups


def joined_rows(row_lists: pd.Series) -> list[str]:
    """Each tuple of row numbers (integers) joined by spaces, by one format of as many ``%d`` as it holds: a
    str of each number and a join took twice as long (0.16 s for the 247,780 groups at 1,000,000 rows).

    >>> joined_rows(pd.Series([(3, 2048), (5, 5205, 9584), ()]))
    ['3 2048', '5 5205 9584', '']
    """
    lists = row_lists.tolist()
    formats = [" ".join(["%d"] * size) for size in range(max(map(len, lists), default=0) + 1)]
    return [formats[len(rows)] % rows for rows in lists]


def quoted_ids(ids: tuple) -> str:
    """Record IDs one after the other, each told apart from the next as a shell does: an ID with a space
    or a quote in quotes, a blank one ``''``.

    >>> quoted_ids(("C4", "ACME 001", "", "Z,9"))
    "C4 'ACME 001' '' Z,9"
    """
    return shlex.join(ids)


def quoted_id_lists(id_lists: pd.Series) -> list[str]:
    """`quoted_ids` of each tuple of record IDs; when no ID needs quotes (none is blank, and their text is as
    shlex leaves it), as a CRM's IDs seldom do, joined by spaces at once: shlex took 0.3 s for the 563,768
    IDs in merges at 1,000,000 rows, quoting one at a time.

    >>> quoted_id_lists(pd.Series([("C4", "C5"), ("C6",)])), quoted_id_lists(pd.Series([("C4", ""), ("A 1",)]))
    (['C4 C5', 'C6'], ["C4 ''", "'A 1'"])
    """
    lists = id_lists.tolist()
    ids = list(itertools.chain.from_iterable(lists))
    text = "".join(ids)
    if all(ids) and shlex.quote(text) == text:  # shlex quotes an ID for a character it holds
        return [" ".join(group) for group in lists]
    return list(map(quoted_ids, lists))


def with_blank_columns(frame: pd.DataFrame, blank: int) -> pd.DataFrame:
    """``frame`` with ``blank`` empty columns without a name at the end: the trailing delimiters
    the input's lines ended with (`Contacts.blank_columns`), for a file in its own format."""
    if not blank:
        return frame
    frame = frame.copy(deep=False)  # the cells stay where they are
    for _ in range(blank):
        frame.insert(frame.shape[1], "", _blanks(len(frame)), allow_duplicates=True)
    return frame


def file_format(policy, contacts: Contacts) -> tuple[str, str]:
    """The encoding and delimiter of the files for the CRM: as asked, else the input's."""
    encoding = "utf-8" if contacts.encoding == "xlsx" else contacts.encoding
    return policy.output_encoding or encoding, policy.output_delimiter or contacts.delimiter


def refuse_unencodable(policy, contacts: Contacts) -> None:
    """Stop, before the work, when the output encoding asked for (``merge.output_encoding``,
    ``--out-encoding``) cannot write a column's name or cell of the input, or the clear word: cleaned.csv
    and the fix files would hold it. (The input's own encoding, the default, wrote them all.)"""
    encoding = policy.output_encoding
    if not encoding:
        return
    named = [(f"{contacts.name}, the name of column {c!r}", c) for c in contacts.columns]
    named.append(("the clear word", policy.clear))
    for column in contacts.columns:
        cells = contacts.frame[column].tolist()
        try:
            "".join(cells).encode(encoding)
        except UnicodeEncodeError:
            named += [(contacts.where(row, column), value) for row, value in enumerate(cells)]
    for where, value in named:
        try:
            value.encode(encoding)
        except UnicodeEncodeError as exc:
            raise ConfigError(f"{where}: {encoding} cannot write {value[exc.start]!r}; choose an output encoding "
                              "that can, such as utf-8") from None


def line_ending(contacts: Contacts) -> str:
    """The input's own line ending (``\\r\\n``, ``\\n``, or ``\\r`` alone as Excel's "CSV (Macintosh)"
    writes it), read at the end of its header line."""
    if contacts.path is None or contacts.encoding == "xlsx":  # a workbook has none
        return "\n"
    with open(contacts.path, "rb") as handle:
        head = handle.read(65536)
    cr, lf = head.find(b"\r"), head.find(b"\n")  # the first ends the header: a later one may be in a cell
    if cr < 0 or 0 <= lf < cr:
        return "\n"
    return "\r\n" if lf > cr and not head[cr + 1:lf].strip(b"\x00") else "\r"  # "\r\x00\n" in UTF-16 too


def export_entry(plan: MergePlan) -> dict:
    """What `log_export` records of an export of ``plan``: how many merges, which undone, how many stopped."""
    return {"merged_groups": int(len(plan.merging)), "undone_groups": list(plan.undone),
            "stopped_groups": int((plan.groups["status"] == "stopped").sum())}


def log_export(out: str | Path, entry: dict, protect: tuple[Path, ...] = ()) -> None:
    """Append an export (its time, then `export_entry`) to ``export_log.jsonl``."""
    path = Path(out) / "export_log.jsonl"
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    entry = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), **entry}
    write_text(path, previous + json.dumps(entry) + "\n", protect=protect)
