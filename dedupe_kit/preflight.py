"""Import pre-flight: check a new contact file against the existing contacts before it is uploaded.

`check_import` links every row of the new file to the existing export with the
same normalization, comparisons and model as deduplication (the two files are
scored together and only the pairs that cross between them, or repeat a row of
the new file, count), and gives each new row one status:

- ``updates``: it carries the record ID or an external unique ID of an existing contact;
- ``changes a number``: it updates a contact whose phone or email differs (old and new are listed);
- ``will be rejected``: its phone or email belongs to another existing contact (or to the one it
  probably is, whose record ID is not sure enough to write in), or it repeats an earlier row of the
  same file (one it would merge with, one with its phone or email, or one it copies, placeholders blank) — a
  CRM skips such a row as a duplicate contact;
- ``would create a duplicate``: no ID, but a strong match with an existing contact (the ID
  was missing or its column renamed);
- ``new contact``.

It also compares the two headers: a unique-ID or key column of the existing
export that is missing, renamed or unmapped in the new file is the usual cause
of duplicate profiles after an import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .compare import check_comparable
from .config import Config
from .errors import InputError
from .fieldmap import ROLES, SINGLE_ROLES, FieldMap, phone_kind
from .export import clear_word_warning, clearing_rows, file_format, line_ending, neutralized_line, write_tables
from .files import refuse_input, write_figure, write_text
from .load import Contacts, check_source, load, row_unit
from .merge import EXTRA_COLUMNS, check_policy, placeholder_cells, with_extra_columns
from .normalize import display, is_placeholder, salesforce_id
from .profile import exact_duplicates, repeated_record_ids
from .run import Result, record_ids, run

STATUSES = ("updates", "changes a number", "will be rejected", "would create a duplicate", "new contact")
#: Roles whose columns a CRM uses to recognise a contact: losing one in an import creates duplicates.
_ID_ROLES = ("record_id", "external_ids")
KEY_ROLES = (*_ID_ROLES, "emails", "phones", "first_name", "last_name")
ANNOTATIONS = ["dedupe_kit status", "dedupe_kit matched record", "dedupe_kit reason"]


@dataclass(frozen=True)
class ImportCheck:
    """What `check_import` found.

    rows: one row per new row: ``status``, ``matched_record`` (the existing
        record ID it updates, duplicates or collides with), ``reason`` in words,
        ``probability`` of the best match, ``certain`` (the record ID can be written in)
        and ``hold`` (kept out of the import file: rejected, or to be checked).
    header: one row per key column of the existing export: how the new file has it
        (``same``, ``renamed to …``, ``unmapped``, ``missing``).
    changed_numbers: old and new phone or email of each contact a row would change.
    taken: values of the new file held by another existing contact: the rows are held back;
        to import them anyway, those values must be cleared first (``held_back_clear.csv``); not a value
        that a row of the import file gives that contact too (two people of the new file claim it).
    warnings: differences between the files that an import would trip on.
    blanked: the new file's cells left blank in the import file, by ``new_row`` and ``column``:
        phone, email and ID cells of placeholders (``n/a``, ``555-555-5555``), which would overwrite
        the contact's real value or fill its field with junk, and a phone or email that the contact
        holds already in another column (its ``Email 2``), which would overwrite the one in this column.
    """

    new: Contacts
    existing: Contacts
    rows: pd.DataFrame
    header: pd.DataFrame
    changed_numbers: pd.DataFrame
    taken: pd.DataFrame
    warnings: list[str]
    config: Config
    blanked: pd.DataFrame

    def counts(self) -> pd.Series:
        return self.rows["status"].value_counts().reindex(list(STATUSES), fill_value=0)

    def annotated(self) -> pd.DataFrame:
        """The new file's own columns, then status, matched record and reason."""
        return self.new.frame.assign(**dict(zip(ANNOTATIONS, (self.rows["status"], self.rows["matched_record"],
                                                               self.rows["reason"]))))

    def corrected(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The file to import (the existing record ID written in where the match is certain) and the rows
        held back (rejected, or an ID under another person's name), with why: their record IDs written in
        too, so that a row imported after the clearing file updates its contact."""
        frame = self.new.frame.copy()
        id_column = self.new.field_map.record_id or self.existing.field_map.record_id
        if id_column is not None:
            if id_column not in frame:
                frame.insert(0, id_column, "")
            certain = self.rows["certain"].to_numpy()
            frame.loc[certain, id_column] = self.rows.loc[certain, "matched_record"].to_numpy()
        for column, rows in self.blanked.groupby("column")["new_row"]:
            frame.loc[rows.to_numpy(), column] = ""
        held = self.rows["hold"].to_numpy()
        return frame[~held], frame[held].assign(**{"dedupe_kit reason": self.rows.loc[held, "reason"].to_numpy()})

    def summary(self) -> str:
        counts = self.counts()
        lines = [f"{self.new.name}: {len(self.new):,} rows checked against {self.existing.name} "
                 f"({len(self.existing):,} contacts)"]
        lines += [f"  {status:<26}{count:>8,}" for status, count in counts.items()]
        lines.append(f"rows held back (held_back.csv) {self.rows['hold'].sum():>5,}")  # to check as well as rejected
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def plot(self) -> Figure:
        """Rows per status."""
        figure = Figure(figsize=(6, 2.6))
        ax = figure.subplots()
        counts = self.counts()
        ax.barh(list(counts.index)[::-1], counts.to_numpy()[::-1], color="#4c72b0")
        ax.set_xlabel("rows of the new file")
        ax.set_title("import pre-flight")
        figure.tight_layout()
        return figure

    @property
    def clearing_file(self) -> str:
        """The clearing file's name: ``held_back_clear_by_hand.csv`` for a CRM without a clear word."""
        return "held_back_clear.csv" if self.config.merge.clear else "held_back_clear_by_hand.csv"

    def clearing_warnings(self) -> list[str]:
        """What to know of the clear word that the clearing file writes, when it has a line: ``UNSET``
        written into a CRM that does not read it so would be imported as the value."""
        written = self.config.merge.clear and len(self.taken)  # a file to clear by hand imports no word
        return clear_word_warning(self.config.merge, self.clearing_file) if written else []

    def write(self, out: str | Path) -> list[Path]:
        """The annotated copy, the corrected import file, the rows held back, the clearing file,
        the changed numbers, the header check, the summary and the chart; the other clearing file
        of an earlier check for another CRM is removed."""
        out = Path(out)
        protect = tuple(p for p in (self.new.path, self.existing.path) if p)
        other = "held_back_clear_by_hand.csv" if self.config.merge.clear else "held_back_clear.csv"
        for name in ("summary.txt", "preflight.png", other):  # written (or removed) after the tables: refused before
            refuse_input(out / name, protect)
        importable, held = self.corrected()
        encoding = file_format(self.config.merge, self.new)[0]
        annotated = self.annotated()
        for table in (annotated, held):  # the reason, last, may quote the existing export, of more letters
            table.iloc[:, -1] = [text.encode(encoding, "replace").decode(encoding) for text in table.iloc[:, -1]]
        clear_word = self.config.merge.clear
        clear = self.taken.drop_duplicates(["existing_row", "column"])
        clear_frame = clearing_rows(self.existing, clear["existing_row"], clear["existing_row"], clear["column"],
                                    clear_word)
        tables = {
            "annotated.csv": annotated,
            "import_ready.csv": importable,
            "held_back.csv": held,
            self.clearing_file: clear_frame,
            "changed_numbers.csv": self.changed_numbers,
            "header_check.csv": self.header,
        }
        formats = {name: ("utf-8", ",") for name in tables}
        formats.update(dict.fromkeys(["annotated.csv", "import_ready.csv", "held_back.csv"],
                                     file_format(self.config.merge, self.new)))
        formats[self.clearing_file] = file_format(self.config.merge, self.existing)
        raw = () if self.config.merge.neutralize_formulas else ("import_ready.csv", self.clearing_file)  # the CRM's
        paths, neutralized = write_tables(out, tables, formats, raw, line_end=line_ending(self.new), protect=protect)
        (out / other).unlink(missing_ok=True)  # from an earlier check for another CRM: it would look current
        summary = f"{self.summary()}\n{neutralized_line(len(neutralized))}\n"
        summary += "".join(f"warning: {w}\n" for w in self.clearing_warnings())
        paths.append(write_text(out / "summary.txt", summary, protect=protect))
        paths.append(write_figure(out / "preflight.png", self.plot(), protect=protect))
        return paths


def check_import(new: str | Path | Contacts, existing: str | Path | Contacts, config: Config | None = None,
                 *, progress: bool | None = None) -> ImportCheck:
    """Classify every row of ``new`` against the contacts of ``existing`` (see the module's docstring)."""
    check_source(new, "check_import", contacts=True)
    check_source(existing, "check_import", contacts=True)
    config = config or Config()
    existing = existing if isinstance(existing, Contacts) else load(existing, config)
    config = config.as_spelled(existing.columns)  # the export's columns as its header spells them
    check_comparable(existing, config)
    check_policy(config.merge, existing, config.source)  # the export's columns, named as its own, as `run` checks them
    new = _with_export_roles(new if isinstance(new, Contacts) else load(new, dataclasses.replace(config, fields={})),
                             config)
    header, mapping, warnings = compare_headers(new, existing)
    if not mapping:
        raise InputError(f"{new.name} and {existing.name} have no column in common (by name or role); "
                         "give the new file's columns the export's names (the config's [fields] are the export's)")
    if (new.encoding, new.delimiter) != (existing.encoding, existing.delimiter) and "xlsx" not in (
            new.encoding, existing.encoding):
        warnings.append(f"{new.name} is {new.encoding} with {new.delimiter!r} between columns, {existing.name} is "
                        f"{existing.encoding} with {existing.delimiter!r}: the files written for the import follow "
                        f"the new file; check the CRM's import settings")
    repeated = repeated_record_ids(existing)
    if len(repeated):
        warnings.append(_repeated_ids_warning(existing, repeated))
    both = _together(existing, new, mapping)
    result = run(both, config, progress=progress)
    rows, changed, taken, blanked = _classify(result, len(existing), existing, new, mapping, repeated)
    return ImportCheck(new, existing, rows, header, changed, taken, warnings, config, blanked)


def _with_export_roles(new: Contacts, config: Config) -> Contacts:
    """``new`` with the roles that the config's ``[fields]`` give the export's columns it has under the same
    names (``ignore`` too), as the export has them: the config wins over what the new header suggests. Its
    other columns keep the roles their names suggest (a renamed column is found so), unless the config gives
    that role no column (``[]``), or gives that role of one column (the record ID…) one of the new file's."""
    given = {role: [c for c in ([value] if isinstance(value, str) else list(value or ())) if c in new.columns]
             for role, value in config.fields.items()}
    claimed = list(dict.fromkeys(column for columns in given.values() for column in columns))
    if not claimed:
        return new
    guessed = FieldMap.detect(new.columns, {"ignore": claimed})
    fields: dict[str, Any] = {}
    for role in ROLES:
        own = given.get(role, [])
        if (role in config.fields and not config.fields[role]) or (own and role in SINGLE_ROLES):
            fields[role] = own
        else:
            fields[role] = own + list(guessed.columns(role))
    kinds = config.fields.get("phones") if isinstance(config.fields.get("phones"), Mapping) else {}
    fields["phones"] = {column: kinds.get(column) or phone_kind(column) for column in fields["phones"]}
    return dataclasses.replace(new, field_map=FieldMap.detect(new.columns, fields, source=config.source))


def compare_headers(new: Contacts, existing: Contacts) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """How each key column of the existing export appears in the new file, the mapping of new columns
    to existing ones (by name, then by role), and the warnings."""
    old_fm, new_fm = existing.field_map, new.field_map
    new_role = new_fm.role_of()
    old_role = old_fm.role_of()
    mapping = {c: c for c in new.columns if c in existing.columns}
    for column, role in new_role.items():
        if column in mapping:
            continue
        same = [c for c, r in old_role.items() if r == role and c not in mapping.values()]
        if role == "phones":
            kind = dict(new_fm.phones)[column]
            same = [c for c in same if dict(old_fm.phones)[c] == kind] or same
        if same:
            mapping[column] = same[0]
    for column, role in old_role.items():  # an ID column under a name that says nothing: known by its values
        if role in _ID_ROLES and column not in mapping.values():
            values = set(existing.frame[column].str.strip()) - {""}
            for other in (c for c in new.columns if c not in mapping):
                typed = new.frame[other].str.strip()
                typed = typed[typed != ""]
                if len(typed) and typed.isin(values).mean() >= 0.5:
                    mapping[other] = column
                    break
    rows, warnings = [], []
    for column, role in old_role.items():
        if role not in KEY_ROLES:
            continue
        renamed = [n for n, o in mapping.items() if o == column and n != column]
        # an ID column's role may differ with the others beside it (Mainstay's CRM ID is the record
        # ID of a file without its Mainstay ID)
        if column in new.columns and (new_role.get(column) == role or {new_role.get(column), role} <= set(_ID_ROLES)):
            state = "same"
        elif renamed:
            state = f"renamed to {renamed[0]!r}"
        elif column in new.columns:
            state = "unmapped"
        else:
            state = "missing"
        rows.append((column, role, state))
        if state != "same" and role in _ID_ROLES:
            what = "the record ID" if role == "record_id" else "the unique ID"
            warnings.append(f"{what} column {column!r} is {state} in {new.name}: an import that does not map it "
                            f"creates a new contact instead of updating the existing one")
        elif state in ("missing", "unmapped") and role in ("emails", "phones"):
            warnings.append(f"{role[:-1]} column {column!r} is {state} in {new.name}")
    return pd.DataFrame(rows, columns=["column", "role", "in_new_file"]), mapping, warnings


def _together(existing: Contacts, new: Contacts, mapping: dict[str, str]) -> Contacts:
    """One export: the existing rows, then the new rows under the existing header; the emails and phones a
    merge kept in a cleaned export's extra columns (``dedupe_kit extra phones``: no CRM column took them)
    are the contact's, matched on as its others are."""
    renamed = new.frame[list(mapping)].rename(columns=mapping)
    frame = pd.concat([existing.frame, renamed.reindex(columns=existing.columns, fill_value="")], ignore_index=True)
    frame.index.name = "source_row"
    lines = np.r_[existing.lines, new.lines] if len(existing.lines) and len(new.lines) else np.zeros(0, np.int64)
    return with_extra_columns(Contacts(frame, existing.field_map, None, existing.encoding, existing.delimiter, None,
                                       lines))


def _repeated_ids_warning(existing: Contacts, repeated: pd.DataFrame, shown: int = 3) -> str:
    """The record IDs that the export holds on several rows (`repeated_record_ids`), with their lines, in words."""
    unit, lines = ((row_unit(existing.encoding), existing.lines) if len(existing.lines)
                   else ("row", existing.frame.index))
    named = [f"{record!r} on {unit}s " + ", ".join(str(lines[r]) for r in [first, *rows["source_row"]])
             for (record, first), rows in repeated.groupby(["record_id", "first_row"], sort=False)]
    return (f"{existing.name} holds {len(named):,} {'record ID' if len(named) == 1 else 'record IDs'} on several "
            f"rows ({'; '.join(named[:shown])}{'; …' if len(named) > shown else ''}): a CRM holds one contact per "
            "ID, so a new row with one is checked against the first of its rows, and the phones and emails of its "
            "other rows are that contact's too")


def _classify(result: Result, n_existing: int, existing: Contacts, new: Contacts, mapping: dict[str, str],
              repeated: pd.DataFrame):
    """Each new row's status, the contact it concerns and why; the numbers it changes; the values it takes;
    its cells to leave blank in the import file (``repeated``: the export's rows of a record ID an earlier row
    holds, `repeated_record_ids`, are that row's contact)."""
    n_new = len(result.contacts) - n_existing
    frame, fm = result.contacts.frame, existing.field_map
    record_id = record_ids(result.contacts)
    ids = result.normalized.identifiers
    ids = ids[~ids["shared"]]
    status = np.full(n_new, "new contact", dtype=object)
    reason = np.full(n_new, "", dtype=object)
    probability = np.zeros(n_new)
    target = np.full(n_new, -1, dtype=np.int64)  # the existing row each new row concerns
    hold = np.zeros(n_new, dtype=bool)  # importable by the CRM, but a person should look first
    guess: dict[int, str] = {}  # the existing contact a row without a known ID probably is, and why
    unit = row_unit(new.encoding)  # where a row of the new file is: its line, or a workbook's sheet row

    def reject(i: int, why: str, concerns: int = -1) -> None:
        if status[i] != "will be rejected":  # the first reason found is the one given, then the likely contact
            status[i], reason[i] = "will be rejected", why + guess.get(i, "")
            if concerns >= 0 and target[i] < 0:
                target[i] = concerns

    # ID matches: the record ID (as typed, spaces aside; a Salesforce ID of 15 or 18 characters),
    # else an external unique ID
    unknown = no_id = np.zeros(n_new, dtype=bool)
    if fm.record_id and fm.record_id in mapping.values():
        keys = frame[fm.record_id].str.strip().map(lambda text: salesforce_id(text) or text)
        where = pd.Series(np.arange(n_existing), index=keys.iloc[:n_existing].to_numpy())
        typed = keys.iloc[n_existing:].reset_index(drop=True)
        hit = typed.map(where[~where.index.duplicated()])
        reason[hit.notna().to_numpy()] = "same record ID"
        # a spreadsheet dropped the leading zeros (1001 for 01001): the one ID that has them
        lost = hit.isna() & typed.str.fullmatch(r"\d+")
        if lost.any():
            padded = where[where.index.str.fullmatch(r"0\d*")]
            padded.index = padded.index.str.lstrip("0")
            found_again = typed[lost].str.lstrip("0").map(padded[~padded.index.duplicated(keep=False)])
            hit[found_again.index] = found_again
            reason[found_again.dropna().index.to_numpy()] = "same record ID without its leading zeros"
        target[hit.notna().to_numpy()] = hit.dropna().astype(np.int64).to_numpy()
        no_id = typed.map(is_placeholder).to_numpy(dtype=bool)  # n/a, -: no ID, as a blank cell is
        unknown = (typed != "").to_numpy() & ~no_id & hit.isna().to_numpy()
    external = ids[ids["kind"] == "external_id"]
    known = external[external["source_row"] < n_existing].drop_duplicates("value")
    found = external[external["source_row"] >= n_existing].merge(known, on="value", suffixes=("", "_old"))
    for row, old, value in zip(found["source_row"], found["source_row_old"], found["value"]):
        if target[row - n_existing] < 0 and not unknown[row - n_existing]:
            target[row - n_existing] = old
            reason[row - n_existing] = f"same external ID {value}"
    by_id = target >= 0
    status[by_id] = "updates"
    certain = by_id.copy()

    # no ID: the best match among the existing contacts
    pairs = result.pairs
    cross = pairs[(pairs["a"] < n_existing) & (pairs["b"] >= n_existing)
                  & (pairs["probability"] >= result.config.match.lower)]
    best = cross.sort_values(["b", "probability", "a"], ascending=[True, False, True]).drop_duplicates("b")
    for b, a, p, pair, why in zip(best["b"], best["a"], best["probability"], best["status"], result.reasons(best)):
        i = b - n_existing
        probability[i] = p
        if not by_id[i]:  # said too if the row is rejected
            target[i], guess[i] = a, f"; probably existing record {record_id[a]}: {why}"
        if not by_id[i] and not unknown[i]:
            status[i] = "would create a duplicate"
            # as sure as a merge without a person: not a namesake the rules leave to review, whatever its score
            certain[i] = pair == "auto"
            reason[i] = ("" if certain[i] else "probable: check it; ") + why

    # what a CRM rejects: an ID it does not know, a value another contact holds, a repeat in the file
    for i in np.flatnonzero(unknown):
        reject(i, f"record ID {frame.at[n_existing + i, fm.record_id].strip()} is not in the existing contacts")
    # a CRM holds and imports no value of an extra column (``dedupe_kit extra phones``, of either file): it
    # rejects no row for one
    values = ids[ids["kind"].isin(["phone", "email", "external_id"]) & ~ids["column"].isin(EXTRA_COLUMNS)]
    new_values = values[values["source_row"] >= n_existing]
    crm_held = values["source_row"] < n_existing
    held = new_values.merge(values.loc[crm_held, ["source_row", "column", "value", "kind"]],
                            on=["value", "kind"], suffixes=("", "_old")).sort_values(["source_row", "source_row_old"])
    same = np.r_[np.arange(n_existing), -1]  # each existing row's first row of its record ID (of target -1: -1)
    same[repeated["source_row"].to_numpy(dtype=np.int64)] = repeated["first_row"].to_numpy(dtype=np.int64)
    holders = (held.assign(contact=same[held["source_row_old"].to_numpy()])
               .groupby(["source_row", "value"])["contact"].agg(set).to_dict())
    taken = []
    said: dict[int, tuple[str, int, str]] = {}  # the taken value that a row's reason names: why, holder, value
    for row, old, column, kind, value in zip(held["source_row"], held["source_row_old"], held["column_old"],
                                             held["kind"], held["value"]):
        i = row - n_existing
        if same[target[i]] in holders[(row, value)] and (certain[i] or unknown[i]):
            continue  # the contact it updates holds the value already (maybe with a duplicate of its own)
        what = kind.replace("_", " ").replace("external id", "external ID")
        why = f"{what} {display(kind, value)} belongs to existing record {record_id[old]}"
        if status[i] != "will be rejected":
            said[i] = why, old, value
        others = len(holders[(row, value)]) - 1  # an office switchboard: the clearing file clears it on each
        reject(i, why + (f"; {others:,} other existing record{'s hold' if others > 1 else ' holds'} it too"
                         if others else ""), old)
        taken.append((i, old, record_id[old], column, value))
    # a row that surely updates a contact repeats no earlier row as a person (its values are checked), nor
    # a value of that contact, or of an earlier row that the CRM rejects (it writes nothing) or that updates
    # that contact too (held back below: it would write over that one)
    inner = pairs[(pairs["a"] >= n_existing) & (pairs["status"] == "auto")]
    inner = inner[~certain[inner["b"].to_numpy() - n_existing]].sort_values(["b", "a"]).drop_duplicates("b")
    for b, a in zip(inner["b"], inner["a"]):
        reject(b - n_existing, f"repeats {unit} {new.lines[a - n_existing]} of this file")
    # so does a copy of an earlier row in every column but the record ID, placeholders blank (`N/A` twice is no
    # email in common): without a phone or email, a common name may score below a merge; the row twice is one person
    placeholders = placeholder_cells(result.contacts, result.normalized)
    new_column = {old: new for new, old in mapping.items()}
    cells = new.frame.copy()
    for column, junk in placeholders.items():
        if column in new_column:
            cells[new_column[column]] = cells[new_column[column]].mask(junk[n_existing:], "")
    copies = exact_duplicates(dataclasses.replace(new, frame=cells))
    copies = copies[~certain[copies["source_row"].to_numpy()]]
    for i, first in zip(copies["source_row"], copies["duplicate_of"]):
        reject(i, f"repeats {unit} {new.lines[first]} of this file")
    again = new_values.merge(new_values[["kind", "value", "source_row"]], on=["kind", "value"], suffixes=("", "_first"))
    later, earlier = again["source_row"].to_numpy() - n_existing, again["source_row_first"].to_numpy() - n_existing
    own = np.array([same[target[i]] in holders.get((row, value), ()) for i, row, value in
                    zip(later, again["source_row"], again["value"])], dtype=bool)
    free = own | (status[earlier] == "will be rejected") | (certain[earlier] & (target[earlier] == target[later]))
    again = again[(later > earlier) & ~(certain[later] & free)]
    again = again.sort_values(["source_row", "source_row_first"]).drop_duplicates("source_row")
    for row, earlier, kind, value in zip(again["source_row"], again["source_row_first"], again["kind"], again["value"]):
        reject(row - n_existing, f"its {kind.replace('_', ' ')} {display(kind, value)} is also on {unit} "
                                 f"{new.lines[earlier - n_existing]} of this file")

    # an ID match under another person's name: a typo in the ID would overwrite that person (a rejected row too,
    # imported after the clearing file)
    names = result.normalized.names[["first", "last"]]
    updated = np.flatnonzero(by_id)
    new_name, old_name = names.loc[n_existing + updated].to_numpy(), names.loc[target[updated]].to_numpy()
    differs = (new_name != "").all(axis=1) & (old_name != "").all(axis=1) & (new_name != old_name).all(axis=1)
    for i in updated[differs]:
        hold[i] = True
        shown = " ".join(existing.frame.loc[target[i], [c for c in (fm.first_name, fm.last_name) if c]])
        reason[i] += f"; held back: the name differs from the existing record ({shown})"
    # two rows that update one contact: the later would write over what the earlier writes
    first_line: dict[int, int] = {}
    for i in np.flatnonzero(certain & (status != "will be rejected")):
        if target[i] in first_line:
            hold[i] = True
            reason[i] += f"; held back: {unit} {first_line[target[i]]} of this file updates this contact too"
        first_line.setdefault(target[i], new.lines[i])
    # a taken value that a row of import_ready.csv gives its contact too did not move (two people of this file
    # claim it): no clearing line, which would take it from that contact after that row's import
    kept_out = hold | (status == "will be rejected")  # final: rows held back (held_back.csv), not imported
    ready = np.flatnonzero(certain & ~kept_out)
    given: dict[tuple[int, str], int] = {}  # (contact, value): the line of the first row of import_ready.csv with it
    giving = new_values[new_values["source_row"].isin(n_existing + ready)].sort_values("source_row")
    for row, value in zip(giving["source_row"], giving["value"]):
        given.setdefault((same[target[row - n_existing]], value), new.lines[row - n_existing])
    for i, (why, old, value) in said.items():
        if (same[old], value) in given:
            reason[i] = f"{why}, which {unit} {given[same[old], value]} of this file gives it too{reason[i][len(why):]}"
    taken = [t for t in taken if (same[t[1]], t[4]) not in given]

    # updates whose phones or emails differ from the contact's (two spellings of one number do not)
    updating = np.flatnonzero(np.isin(status, ["updates", "would create a duplicate"]) & certain)  # before a phone
    every = result.normalized.identifiers  # changes one's status; their values and their contacts' only (fast)
    every = every[every["source_row"].isin(np.r_[n_existing + updating, target[updating]])]
    normalized_values: dict[tuple[int, str], set[str]] = {}  # a cell of several (HubSpot's "a@x.com;b@y.com"): each
    for cell, value in zip(zip(every["source_row"], every["column"]), every["value"]):
        normalized_values.setdefault(cell, set()).add(value)

    def key_of(row: int, column: str) -> set[str]:
        return normalized_values.get((row, column)) or {frame.at[row, column].strip().casefold()}

    # placeholders (n/a, 555-555-5555) would overwrite a contact's real value: blank in the import file (and in
    # held_back.csv, the file a held-back row's reason names)
    written = np.where(kept_out, "held_back.csv", "import_ready.csv")
    blank = set()  # (new row, column of the existing export)
    for column, junk in placeholders.items():
        for i in np.flatnonzero(junk[n_existing:]):
            old = target[i]
            kept = frame.at[old, column].strip() if old >= 0 else ""
            reason[i] += (f"; {column} {frame.at[n_existing + i, column].strip()!r} is a placeholder: left blank in "
                          f"{written[i]}" + (f", so that {kept} stays" if kept else ""))
            blank.add((i, column))
    for i in np.flatnonzero(no_id & ~certain):  # a certain match writes the contact's record ID in
        reason[i] += (f"; record ID {frame.at[n_existing + i, fm.record_id].strip()!r} is a placeholder: left blank "
                      f"in {written[i]}")
        blank.add((i, fm.record_id))

    changed = []
    for kind, columns in (("phone", [c for c, _ in fm.phones]), ("email", list(fm.emails))):
        mapped = [c for c in columns if c in mapping.values()]
        for i in updating:
            old, row = target[i], n_existing + i
            for column in mapped:
                before, after = frame.at[old, column].strip(), frame.at[row, column].strip()
                if (i, column) in blank or not after or key_of(row, column) == key_of(old, column):
                    continue
                # the contact's own value in another column (its Email 2): written in, it would overwrite this one
                held = [c for c in columns if c != column and key_of(row, column) <= key_of(old, c)]
                if held:
                    reason[i] += (f"; {column} {after} is the contact's {held[0]} already: left blank in "
                                  f"{written[i]}" + (f", so that {before} stays" if before else ""))
                    blank.add((i, column))
                else:
                    changed.append((i, record_id[old], column, before, after))
                    if status[i] == "updates":
                        status[i] = "changes a number"
                    reason[i] += f"; {column} {before or '(blank)'} -> {after}"
    reason = np.array([text.removeprefix("; ") for text in reason], dtype=object)  # a new contact's first note
    rows = pd.DataFrame({"new_row": np.arange(n_new), "status": status,
                         "matched_record": np.where(target >= 0, record_id[np.maximum(target, 0)], ""),
                         "reason": reason, "probability": probability.round(4),
                         "certain": certain, "hold": kept_out})
    changed = pd.DataFrame(changed, columns=["new_row", "record_id", "column", "old", "new"])
    taken = pd.DataFrame(taken, columns=["new_row", "existing_row", "existing_record", "column", "value"])
    blanked = pd.DataFrame([(i, new_column[column]) for i, column in sorted(blank)], columns=["new_row", "column"])
    return rows, changed, taken, blanked

