"""Read a CRM export losslessly: every cell stays the string that was typed.

CSV as CRMs and Excel write it (UTF-8 with or without BOM, UTF-16,
Windows-1252/Latin-1, Windows-1251; comma, semicolon or tab; quoted newlines) and Excel
workbooks (``.xlsx``, ``.xls``).
``NA``, ``None``, ``null``, ``N/A``, leading zeros and ``+`` are values, not
missing; a blank cell is ``""``. The input file is only ever read.

Arrow's reader reads a CSV on every core; the `csv` module reads the files it
declines (a blank line, a ragged row, a header over two lines), cell for cell
the same, and names what is wrong.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import struct
import zipfile
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ._perf import is_filled, packed, paused_gc, read_only_once
from .config import Config
from .errors import InputError
from .fieldmap import FieldMap

DELIMITERS = (",", ";", "\t", "|")
_BLANK = re.compile(rb"[ \t\r\n\x00\x1a\xef\xbb\xbf\xff\xfe]*")  # bytes of a file with nothing in it
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_EXCEL_SEP = re.compile(r'"?sep=([^\r\n])"?(?=[\r\n])')  # "sep=;" on the first line, as Excel reads and writes it
#: How a workbook's bytes start: a zip (.xlsx) or an OLE2 compound file (Excel 97–2003 .xls).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Encodings detected on a file that is not UTF-8 and has no BOM. Latin-1 differs from
#: Windows-1252 only by control characters nobody types, so it is used only when asked for.
_FALLBACK_ENCODINGS = ["cp1252", "cp1251", "utf_16_le", "utf_16_be"]  # Western and Cyrillic Windows, Excel's "Unicode text"
_MAX_LISTED = 5


@dataclass(frozen=True)
class Contacts:
    """A loaded export.

    frame: every cell a ``str``, the file's own header and column order,
        index ``source_row`` (0-based data row).
    field_map: which column plays which role.
    lines: the 1-based line (CSV) or sheet row (workbook) where each row starts,
        for messages that point into the file.
    encoding: the CSV's, or ``"xlsx"`` for a workbook (.xls too): its cells are text already.
    sheet: the workbook's sheet read, when it is not the one read without ``sheet`` (its first not
        hidden); ``None`` for that one, also when named, and for a CSV.
    title, footer: the lines of a report's title above the header and of its footer after
        the data, left out (`left_out_note`).
    blank_columns: how many empty columns without a name ended each line of the CSV (the
        trailing delimiters a spreadsheet leaves), left out of ``frame``; ``cleaned.csv`` ends
        with them again.
    formula_note: the cells of a workbook that hold a formula without a saved value, read blank, in words:
        their values are lost.
    """

    frame: pd.DataFrame
    field_map: FieldMap
    path: Path | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | None = None
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    sha256: str | None = field(default=None, repr=False)  # of the bytes loaded: a later change shows
    title: tuple[int, ...] = field(default=(), repr=False)
    footer: tuple[int, ...] = field(default=(), repr=False)
    blank_columns: int = field(default=0, repr=False)
    formula_note: str | None = field(default=None, repr=False)
    _filled: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)
    _moments: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)
    _shared: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see `once`

    def __len__(self) -> int:
        return len(self.frame)

    def filled(self, column: str) -> np.ndarray:
        """Whether each row's cell of ``column`` holds more than white space: worked out once per
        column (the stages ask again and again), read-only.

        >>> load("sample_data/contacts.csv").filled("Student ID")[:3].tolist()
        [False, True, False]
        """
        def make() -> np.ndarray:
            try:
                return is_filled(self.frame[column])
            except AttributeError:  # a cell that is no str (None, NaN), set in a notebook after `_check_frame`
                raise InputError(_not_text_cell(self.frame, column)) from None

        return read_only_once(self._filled, column, make)

    def once(self, key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
        """``make()`` of these contacts, worked out once per ``key`` (other modules' derived arrays, such as the
        merge's cells of placeholder texts, which the merge and the profile both ask for); read-only."""
        return read_only_once(self._shared, key, make)

    def keyed(self) -> np.ndarray:
        """Whether each row has the key of the fix files (`FieldMap.key`: its record ID, without that column its
        first email): a filled cell, and for a record ID not a placeholder (``n/a``, ``-``), which is no ID, as
        the import pre-flight reads it (all rows without either column); worked out once, read-only.

        >>> load("sample_data/contacts.csv").keyed()[:3].tolist()
        [True, True, True]
        """
        from .normalize import placeholders  # normalize reads Contacts: imported when first asked

        key = self.field_map.key
        if not key:
            return np.ones(len(self.frame), dtype=bool)

        def make() -> np.ndarray:
            found = self.filled(key).copy()
            if key == self.field_map.record_id:
                at = np.flatnonzero(found)  # nearly all distinct: map_unique would find no repeat to save
                found[at] = ~placeholders(self.frame[key].to_numpy(dtype=object)[at])
            return found

        return self.once(("keyed", key), make)

    def key_values(self, rows: np.ndarray | slice) -> np.ndarray:
        """The key (`FieldMap.key`) of the ``rows`` (positions, a mask, or a slice) as the CRM compares it:
        the record ID as typed but for the spaces around it (`` C001`` is ``C001``, as the import pre-flight reads
        it), an email in any case (``Fay.Ngata@Mail.example`` finds the contact of ``fay.ngata@mail.example``); only
        the rows asked for are folded, not the whole column each time."""
        values = self.frame[self.field_map.key].to_numpy(dtype=object)[rows]
        return np.array([v.strip() if self.field_map.record_id else v.strip().casefold() for v in values], dtype=object)

    def key_codes(self) -> np.ndarray:
        """An integer per row for its key as the CRM compares it (`key_values`), numbered in the order first met
        (as `pd.factorize` numbers them); worked out once: the fix files and the profile both look for keys on
        several rows, which took a search of the million texts each. Read-only (int32: kept for the rest of the run)."""
        def make() -> np.ndarray:
            values = self.key_values(slice(None))
            # Keys that ascend (record IDs, as most exports list them) all differ: numbered by position, without the
            # hash table (the first 64 first: most other keys stop there).
            if all(np.all(part[1:] > part[:-1]) for part in (values[:64], values)):
                return np.arange(len(values), dtype=np.int32)
            return pd.factorize(values)[0].astype(np.int32)

        return self.once(("key codes", self.field_map.key), make)

    def moments(self, column: str, rows: np.ndarray) -> np.ndarray:
        """The dates of ``column`` at ``rows`` as `normalize.column_moments` reads them
        (``YYYYMMDDhhmmss``, -1: no date), each row's read once: the merge's survivor and field
        rules and its warning of unread dates ask for the same rows again and again."""
        from .normalize import column_moments  # normalize reads Contacts: imported when first asked

        found = self._moments.setdefault(column, np.full(len(self.frame), -2, dtype=np.int64))  # -2: not read yet
        rows = np.asarray(rows, dtype=np.int64)
        if len(todo := np.unique(rows[found[rows] == -2])):
            found[todo] = column_moments(self.frame, column, todo)
        return found[rows]

    def left_out_note(self) -> str | None:
        """What was left out of the file, in words: a report's title above the header, its footer."""
        unit = row_unit(self.encoding)
        parts = []
        for lines, what in ((self.title, "a title above the header"),
                            (self.footer, "a report's footer after the data, such as Salesforce's 'Generated By' lines")):
            if lines:
                where = f"{unit} {lines[0]}" if len(lines) == 1 else f"{unit}s {lines[0]}–{lines[-1]}"
                parts.append(f"{where} ({what})")
        return f"left out of {self.name}, as not contacts: {' and '.join(parts)}" if parts else None

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def name(self) -> str:
        return str(self.path) if self.path else "<data>"

    def where(self, source_row: int, column: str | None = None) -> str:
        """``"contacts.csv, line 12 (row 10), column 'Email'"`` for a message."""
        text = f"{self.name}, {row_unit(self.encoding)} {int(self.lines[source_row])} (row {source_row})"
        return f"{text}, column {column!r}" if column is not None else text


def record_ids(contacts: Contacts) -> np.ndarray:
    """Each row's record ID; without a column of that role, ``row 12`` (its ``source_row``), which no
    one takes for an ID of the CRM in the files and messages that show it."""
    column = contacts.field_map.record_id
    if column is None:
        return ("row " + contacts.frame.index.astype(str)).to_numpy(dtype=object)
    return contacts.frame[column].to_numpy(dtype=object)


def rows_of_record_ids(ids: Sequence[str] | np.ndarray) -> dict[str, int]:
    """The row of each record ID of ``ids`` (by row), to find records again in another version of a
    file: a record ID on several rows finds none of them, nor does a blank one.

    >>> rows_of_record_ids(["C1", "C2", "C2", " ", "C3"])
    {'C1': 0, 'C3': 4}
    """
    ids = pd.Series(ids, dtype=object)
    once = ~ids.duplicated(keep=False) & is_filled(ids)
    return dict(zip(ids[once].tolist(), np.flatnonzero(once).tolist()))


def check_source(source: Any, stage: str, *, path: bool = True, contacts: bool = False) -> None:
    """Refuse a ``source`` that is neither a file's path (``path``) nor the `Contacts` of `load` (``contacts``), a
    DataFrame most often, with a message that says what to give ``stage``.

    >>> check_source(pd.DataFrame({"Email": ["a@example.com"]}), "normalize", path=False, contacts=True)
    Traceback (most recent call last):
    dedupe_kit.errors.InputError: normalize takes the Contacts that load('export.csv') returns, not a DataFrame; ...
    """
    if path and isinstance(source, (str, os.PathLike)):
        return
    if contacts and isinstance(source, Contacts):
        checked = _CHECKED.get()
        if checked is None or not any(source is done for done in checked):
            _check_frame(source, stage)
            if checked is not None:
                checked.append(source)
        return
    wanted = " or ".join(what for what, given in (("the export file's path ('export.csv')", path),
                                                  ("the Contacts that load('export.csv') returns", contacts)) if given)
    note = ("; pandas.read_csv changes an export's cells (it drops the leading zeros of IDs and phones, reads blank "
            "cells as NaN, parses numbers and dates): load the file itself, and to keep some of its rows only, write "
            "them from a table read with dtype=str, keep_default_na=False (df.to_csv('rows.csv', index=False)) and "
            "load that file" if isinstance(source, pd.DataFrame) else "")
    raise InputError(f"{stage} takes {wanted}, not a {type(source).__name__}{note}")


#: The `Contacts` that `check_source` found whole within `checking_once` (kept: no others take their place)
_CHECKED: ContextVar[list[Contacts] | None] = ContextVar("checked", default=None)


@contextmanager
def checking_once() -> Iterator[None]:
    """Within: `check_source` checks each `Contacts` once, not again at each stage that takes them (every cell
    read again: 0.1 s a stage at 1,000,000 rows), for work that changes no frame meanwhile (`run`'s stages), nor
    at all those that `load` returns, whose frames are whole as read. Within another, the outer one's: a command
    checks its contacts once, not again in `Result.write` after `run`."""
    if _CHECKED.get() is not None:
        yield
        return
    token = _CHECKED.set([])
    try:
        yield
    finally:
        _CHECKED.reset(token)


def _check_frame(contacts: Contacts, stage: str) -> None:
    """Refuse `Contacts` whose frame was changed in place, in a notebook, so that it is no longer what `load`
    reads: a column of another type than text (bools, categories, numbers, dates) or with a cell that is no str
    (None, NaN; `Contacts.filled` of the file's columns, which `load` works out, would not see it), a column of a
    role dropped or renamed, rows sorted or dropped (the index is ``source_row``)."""
    frame = contacts.frame
    for column, role in contacts.field_map.role_of().items():
        if column not in frame.columns:
            raise InputError(f"{stage}: column {column!r}, of the role {role}, is no longer in contacts.frame "
                             f"(dropped or renamed in place); load the file again (load(path, fields={{{role!r}: []}}) "
                             "gives the role no column)")
    for column, dtype in frame.dtypes.items():
        if dtype != object and not isinstance(dtype, pd.StringDtype):
            raise InputError(f"{stage}: " + _not_text(column, f"{dtype} values", "a bool column: "
                                                                                   ".map({True: 'yes', False: ''})"))
        if pd.api.types.infer_dtype(frame[column].to_numpy(dtype=object), skipna=False) not in ("string", "empty"):
            raise InputError(f"{stage}: " + _not_text_cell(frame, column))
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise InputError(f"{stage}: the rows of contacts.frame are no longer those load read (its index is not "
                         "source_row 0, 1, 2…: rows sorted or dropped in place); load the file again, and sort or "
                         "filter a copy (contacts.frame.sort_values(...) without inplace)")


def _not_text_cell(frame: pd.DataFrame, column: str) -> str:
    """`_not_text` of the first cell of ``column`` that is no str (None, NaN)."""
    cells = frame[column].to_numpy(dtype=object)
    row = next(row for row, cell in enumerate(cells) if not isinstance(cell, str))
    return _not_text(column, f"{cells[row]!r} in row {row}", ".fillna('')")


def _not_text(column: str, held: str, how: str) -> str:
    """That ``column`` of a `Contacts` frame holds ``held``, not text, and what to do (``how`` to give it text)."""
    return (f"column {column!r} of contacts.frame holds {held}, not text: every cell is a str, as load reads it "
            f"('' when blank); give the column text ({how}), drop it, or load the file again")


def load(
    source: str | Path,
    config: Config | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Contacts:
    """Load a CSV or Excel (``.xlsx``, ``.xls``) export and map its columns to roles.

    ``encoding`` and ``delimiter`` are detected unless given; ``sheet`` picks a
    sheet of a workbook (the first not hidden by default). ``fields`` overrides the column
    roles on top of ``config.fields``.

    >>> contacts = load("sample_data/contacts.csv")
    >>> contacts.frame.loc[0, ["Contact ID", "Student ID", "Created Date"]].tolist()
    ['C000001', '', '2021-07-03']
    >>> contacts.field_map.record_id, contacts.field_map.external_ids
    ('Contact ID', ('Student ID', 'Student Number'))
    """
    check_source(source, "load")
    config = config or Config()
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the export file inside it") from None

    if data.startswith(_WORKBOOK_MAGIC) or path.suffix.lower() in _WORKBOOK_SUFFIXES:
        header, rows, lines, title, header_line, formula_note, sheet = _read_workbook(data, path, sheet)
        if given := " nor ".join(f"{what} {value!r}" for what, value in (("encoding", encoding),
                                                                         ("delimiter", delimiter)) if value):
            raise InputError(f"{path}: is an Excel workbook, not a text file: it has no {given} (its cells "
                             "are read as Excel shows them)")
        with paused_gc():
            frame = _frame(header, rows)
        filled, footer = {}, ()
        encoding, delimiter = "xlsx", ","
    elif encoding is None and _looks_binary(data):
        raise InputError(f"{path}: is not a text table (it holds binary data); export the contacts as CSV or .xlsx")
    elif sheet is not None:
        raise InputError(f"{path}: is a text file, not a workbook: it has no sheet {sheet!r}")
    else:
        text, encoding = decode(data, path, encoding, delimiter)
        if text.startswith("\ufeff"):  # the mark again: a tool read it as text and wrote its own before it
            text = text.lstrip("\ufeff")  # (not the first column's name; `cleaned.csv` gets the encoding's one mark)
        text = text.rstrip("\x1a")  # the end-of-file mark (Ctrl-Z) old DOS and Windows tools write: not a cell
        if excel := _EXCEL_SEP.match(text):  # Excel's "sep=;" line names the delimiter: it is not a row
            delimiter, text = delimiter or excel[1], text[excel.end():]  # its line break stays: a blank line 1
        _check_is_text_table(text, path)
        if delimiter is not None:
            _check_given_delimiter(text, delimiter, path)
        delimiter = delimiter or _sniff_delimiter(text)
        if (nul := text.find("\x00")) >= 0:  # a stray zero byte in a text export: say where it is
            where = _where(text, delimiter, nul, path)
            raise InputError(f"{path}: {where}: holds a NUL character (a zero byte); "
                             "remove the zero bytes from the export and load it again")
        with paused_gc():
            utf8 = data.rstrip(b"\x1a") if encoding == "utf-8" else None  # the text's own bytes: not encoded again
            spaced = _spaced_quotes(text, delimiter)  # (Arrow cannot skip the spaces)
            read = None if spaced else _read_csv_arrow(text, delimiter, utf8)
            if read is None:
                (header, frame, lines, (title, footer), header_line), filled = (
                    _read_csv_text(text, delimiter, path, spaced), {})
            else:
                (header, frame, lines, filled), title, footer, header_line = read, (), (), 1
        _check_quotes(text, delimiter, frame, lines, path, spaced)
        formula_note = None
        if not footer and (padded := _padded_footer(frame)):  # as a spreadsheet saves a report: its footer is rows too
            frame, lines, footer = frame.iloc[:-padded], lines[:-padded], lines[-padded:].tolist()
            filled = {column: found[:-padded] for column, found in filled.items()}
        sheet = None

    if blank := _blank_trailing_columns(header, frame):  # as a spreadsheet leaves trailing delimiters
        header, frame = header[:-blank], frame.iloc[:, :-blank].copy(deep=False)
        filled = {column: found for column, found in filled.items() if column}
    _check_header(header, f"{path}: {row_unit(encoding)} {header_line} (header)")
    frame.index = pd.RangeIndex(len(frame), name="source_row")
    overrides = {**config.fields, **(fields or {})}
    field_map = FieldMap.detect(header, overrides, source=config.source if not fields else "fields",
                                header=f"the header of {path}")
    contacts = Contacts(frame, field_map, path, encoding, delimiter, sheet, np.asarray(lines, dtype=np.int64),
                        hashlib.sha256(data).hexdigest(), tuple(title), tuple(footer), blank, formula_note)
    for column, found in filled.items():
        found.flags.writeable = False
        contacts._filled[column] = found
    if (checked := _CHECKED.get()) is not None:  # within `checking_once`: as read, none to check
        checked.append(contacts)
    return contacts


# --- decoding ---------------------------------------------------------------------------------


def decode(data: bytes, path: Path, encoding: str | None, delimiter: str | None) -> tuple[str, str]:
    """The text of a CSV file's bytes and its encoding: ``encoding``, else the one its byte order mark
    names, else UTF-8 or the single-byte encoding the bytes are in (`load` and a decisions CSV read so)."""
    if _BLANK.fullmatch(data):  # stops at the first other byte, where a strip would copy the whole file
        raise InputError(f"{path}: the file is empty; export the contacts with their header row")
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    if encoding is not None:
        try:
            given = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"{path}: unknown encoding {encoding!r}") from None
        family = bom and bom.removesuffix("-sig")
        if bom == "utf-8-sig" and not given.startswith(family) and not _is_utf8(data[3:]):
            bom, data = None, data[3:]  # a mark that a tool put before text of another encoding: no text
        elif family and not given.startswith(family):  # the mark is not text: utf-8 is read as utf-8-sig
            raise InputError(f"{path}: the file starts with the byte order mark of {family.upper()}, so it is not "
                             f"{encoding}: read it as {family}, or without an encoding (the mark names it)")
    encoding = bom or encoding
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise _undecodable(data, path, encoding, exc, delimiter) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # UTF-8 text beside the broken bytes (a file pasted together from two sources): say where,
    # rather than guess and garble one of them. A U+FFFD is no proof: old imports left them in.
    replaced = data.decode("utf-8", errors="replace")
    if utf8 := _UTF8_LETTER.search(replaced):
        at = utf8.start()
        word = (re.search(r'[^\s",;|]*\Z', replaced[max(at - 30, 0):at])[0]  # the word it is in
                + re.match(r'[^\s",;|]*', replaced[at:at + 30])[0])
        raise _undecodable(data, path, "utf-8", utf8_error, delimiter,
                           f"line {len(_LINE_BREAK.findall(replaced, 0, at)) + 1} ({word!r})", _mostly_utf8(data))
    # Not UTF-8: let charset-normalizer choose among the encodings exports really use.
    best = charset_normalizer.from_bytes(data, cp_isolation=_FALLBACK_ENCODINGS).best()
    if best is None or best.encoding not in _FALLBACK_ENCODINGS:
        raise _undecodable(data, path, "utf-8", utf8_error, delimiter)
    try:
        return data.decode(best.encoding), best.encoding
    except UnicodeDecodeError as exc:
        raise _undecodable(data, path, best.encoding, exc, delimiter) from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(data: bytes) -> bool:
    """Whether as many bytes beyond ASCII decode as UTF-8 as do not (a U+FFFD aside): a file pasted
    together from two sources. In a file of another encoding a few pairs of bytes decode by
    accident (GB18030's 伟 is UTF-8's ΰ), beside many that do not.

    >>> _mostly_utf8("Zoë,Müller,".encode() + "Zoé".encode("cp1252")), _mostly_utf8("伟,王,芳,李".encode("gb18030"))
    (True, False)
    """
    text = data.decode("utf-8", errors="surrogateescape")  # a byte that does not decode: a lone surrogate
    return len("".join(_UTF8_LETTER.findall(text)).encode("utf-8")) >= len(_BROKEN_BYTE.findall(text))


def _undecodable(data: bytes, path: Path, encoding: str, exc: UnicodeDecodeError, delimiter: str | None,
                 utf8: str = "", mixed: bool = False) -> InputError:
    """Name the line, row and column of the first byte that does not decode; ``utf8``: where the
    file holds UTF-8 text; ``mixed``: whether most of it is UTF-8 (`_mostly_utf8`), which another
    encoding would garble."""
    start = len(data) - len(exc.object) + exc.start  # utf-8-sig leaves its mark out of exc.object
    bad = data[start:start + exc.end - exc.start]
    before = data[:start].decode(encoding)  # the first error: all before it decodes
    text = data.decode(encoding, errors="replace")  # a U+FFFD where it was
    if mixed:
        advice = (f"{utf8} is UTF-8, so this text was saved in another encoding (as in a file pasted together "
                  "from two sources): correct it and load again; passing another encoding would garble the UTF-8 text")
    elif exc.end == len(data) and exc.reason == "truncated data":
        advice = ("the file ends in the middle of a character: it was cut short (a copy or download that stopped?); "
                  "export it again")
    else:
        tried = codecs.lookup(encoding).name
        others = [f"{name} for {language}" for name, language in _ENCODINGS_TO_TRY if codecs.lookup(name).name != tried]
        mark = " (the byte order mark of UTF-8 it starts with is then left out)" if tried == "utf-8-sig" else ""
        advice = (f"pass the file's encoding with --encoding (encoding= in Python): {', '.join(others[:-1])} or "
                  f"{others[-1]}{mark}; or re-export it as UTF-8")
        if utf8:  # most of it is not UTF-8: a few bytes may decode by chance
            advice += (f"; most of the file is not UTF-8, but if {utf8} reads right, the file mixes UTF-8 with another "
                       "encoding: correct it instead")
    return InputError(f"{path}: {_where(text, delimiter, len(before), path)}: bytes {bad!r} cannot be decoded as "
                      f"{encoding}; {advice}")


_LINE_BREAK = re.compile(r"\r\n?|\n")
_UTF8_LETTER = re.compile("[^\x00-\x7f\ufffd\udc80-\udcff]")  # what decodes as UTF-8 beyond ASCII, but a U+FFFD
_BROKEN_BYTE = re.compile("[\udc80-\udcff]")  # a byte that does not decode, as ``errors="surrogateescape"`` writes it
#: The encodings of exports that are not UTF-8, to name in a message: each can be passed.
_ENCODINGS_TO_TRY = (("cp1252", "Western European text"), ("cp1251", "Cyrillic"), ("gb18030", "Chinese"),
                     ("big5", "Traditional Chinese"), ("shift_jis", "Japanese"), ("euc-kr", "Korean"))
_MARK = "\ue000"  # a private-use character: marks the cell `_where` looks for


def _where(text: str, delimiter: str | None, at: int, path: Path) -> str:
    """``"line 7 (row 5), column 'Notes'"``: where the character at ``at`` of ``text`` is, with
    the rows numbered as `load` numbers them (below an Excel ``sep=`` line or a report's title;
    a blank line is no row); just the line when the table cannot be read."""
    line = len(_LINE_BREAK.findall(text, 0, at)) + 1
    if excel := _EXCEL_SEP.match(text):  # as `load` reads it: the line's break stays
        delimiter, text, at = delimiter or excel[1], text[excel.end():], at - excel.end()
    if at < 0:
        return f"line {line}"
    try:
        delimiter = delimiter or _sniff_delimiter(text)
        header, frame, lines, _, header_line = _read_csv_text(text[:at] + _MARK + text[at + 1:], delimiter, path,
                                                              _spaced_quotes(text, delimiter))
    except InputError:  # ragged rows, say: no row numbers
        return f"line {line}"
    row = int(np.searchsorted(lines, line, side="right")) - 1
    if line < header_line or row < 0 and line > header_line:  # a title or a footer
        return f"line {line}"
    cells = header if row < 0 else frame.iloc[row].tolist()
    column = next((i for i, cell in enumerate(cells) if _MARK in cell), None)
    if column is None:
        return f"line {line}"
    if row < 0:
        return f"line {line} (header), column {column + 1}"
    return f"line {line} (row {row}), column {header[column]!r}"


def _looks_binary(data: bytes) -> bool:
    """More than a few NUL bytes (a stray one in a text export is named where it is instead),
    and not the zero halves of UTF-16 text."""
    head = data[:4096]
    if head.count(0) <= max(2, len(head) // 100) or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    half = len(head) / 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return not (max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half)


_MARKUP = re.compile(r"<(?:!doctype|html|table|\?xml)(?:\s[^<>]*)?>")  # a whole tag: not a header cell "<html"


def _column_letter(index: int) -> str:
    """A spreadsheet's name of the column at ``index`` (0: ``A``, 26: ``AA``).

    >>> _column_letter(0), _column_letter(25), _column_letter(26), _column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _check_is_text_table(text: str, path: Path) -> None:
    head = text[:65536]
    if sum(ch < " " and ch not in "\t\r\n" for ch in head) > max(2, len(head) // 100):
        raise InputError(f"{path}: is not a text table (it holds binary data); export the contacts as CSV or .xlsx")
    start = head.lstrip().lower()
    if _MARKUP.match(start):
        raise InputError(f"{path}: is an HTML/XML document, not a table; open it in a spreadsheet and save as CSV")
    if start.startswith(("{", "[")):
        try:
            json.loads(text)
        except ValueError:
            return
        raise InputError(f"{path}: is JSON, not a table; export the contacts as CSV or .xlsx")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most, equal-length fields."""
    sample = text[:65536]
    if len(sample) < len(text):
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_key = ",", (False, 1)
    for delimiter in DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))[:50]
        except csv.Error:
            continue
        records = [r for r in records if r]
        if not records:
            continue
        width = len(records[0])
        key = (all(len(r) == width for r in records), width)
        if width > 1 and key > best_key:
            best, best_key = delimiter, key
    return best


def _spaced_quotes(text: str, delimiter: str) -> bool:
    """Whether the header quotes every name after the first behind the delimiter and a space, as some scripts
    write CSV (``"Contact ID", "First Name", "Email"``): a quote after a space opens no quoted cell in CSV, so
    that every cell would keep the space and its quotes (`` "Ann"``) and a delimiter inside one would split it;
    such a file is read with the spaces after each delimiter left out.

    >>> _spaced_quotes('"ID", "First Name", "Email"\\n"1", "Ann", ""', ","), _spaced_quotes('ID, Name\\n1, Ann', ",")
    (True, False)
    """
    names = _LINE_BREAK.split(text[:1 << 16], 1)[0].split(delimiter)
    return len(names) > 1 and all(_SPACED_NAME.fullmatch(name) for name in names[1:])


_SPACED_NAME = re.compile(r' +"[^"]*" *')


def _check_given_delimiter(text: str, delimiter: str, path: Path) -> None:
    """An error when the header, read with the ``delimiter`` given, is one column whose name the
    detected delimiter splits into columns of contacts (one of them a role), naming that delimiter:
    not a run over one column named ``'Contact ID,First Name,…'``."""
    reader = csv.reader(io.StringIO(text[:1 << 16], newline=""), delimiter=delimiter, strict=False)
    header = next((record for record in reader if record), [])
    if len(header) != 1 or (other := _sniff_delimiter(text)) == delimiter:
        return
    names = list(dict.fromkeys(cell for cell in next(csv.reader([header[0]], delimiter=other)) if cell.strip()))
    if len(names) > 1 and FieldMap.detect(names).columns():
        shown = header[0] if len(header[0]) <= 40 else header[0][:40] + "…"
        raise InputError(f"{path}: line {reader.line_num} (header): read with the delimiter {delimiter!r} given, "
                         f"it is one column, {shown!r}, but it seems to use {other!r}: give the delimiter "
                         f"{other!r}, or none to have it detected")


# --- parsing --------------------------------------------------------------------------------


def _read_csv_arrow(text: str, delimiter: str, utf8: bytes | None = None
                    ) -> tuple[list[str], pd.DataFrame, np.ndarray, dict[str, np.ndarray]] | None:
    """The header, frame and lines that `_read_csv_text` reads, by Arrow's reader (several
    times faster, and it keeps one string object per distinct value of a column), and
    `Contacts.filled` of each column, from Arrow's bytes.

    ``None`` when Arrow rejects the text (a ragged row, a cell over a block) or when the line
    each row starts on cannot be told from the cells: a header over several lines, or a blank
    line, which Arrow skips without a trace. `_read_csv_text` then reads the file, and names
    its faults. ``utf8``: ``text`` in UTF-8, when the caller holds it.
    """
    first = text[:1 << 16]  # the header's line, without a copy of the whole text
    if len(first) < len(text) and "\n" not in first and "\r" not in first:
        return None
    reader = csv.reader(io.StringIO(first, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None
    if reader.line_num != 1 or _filled_cells(header) < 2:  # maybe a report's title
        return None
    names = [str(i) for i in range(len(header))]
    try:
        # UTF-8 already (a decoded file's bytes or an encoded text), and so is each cell, split at ASCII bytes:
        # Arrow need not check it again (0.1 s of 0.8 s at 1,000,000 rows)
        buffer = text.encode("utf-8") if utf8 is None else utf8
        table = pa_csv.read_csv(
            pa.py_buffer(buffer),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                  check_utf8=False))
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    # Each row takes one line, plus the line breaks inside its cells; more breaks in the
    # text are blank lines. The last line break may end the last row, or be its last cell's
    # (a quote left open).
    ended = text.endswith(("\n", "\r")) and not (table.num_rows and table.column(-1)[-1].as_py().endswith(("\n", "\r")))
    breaks, in_text = np.zeros(table.num_rows, dtype=np.int64), _line_breaks(buffer)  # bytes: faster than the text
    if in_text != table.num_rows + ended:
        for column in table.columns:
            breaks += _line_breaks(column)
        if in_text != table.num_rows + ended + int(breaks.sum()):
            return None
    lines = 2 + np.arange(table.num_rows, dtype=np.int64) + np.cumsum(breaks) - breaks
    frame = _arrow_frame(table)  # one object per distinct string of a column
    frame.columns = header
    return header, frame, lines, {name: _filled(column) for name, column in zip(header, table.columns)}


def _arrow_frame(table: pa.Table) -> pd.DataFrame:
    """``table.to_pandas()``: one string object per distinct text of a column, which Arrow finds by a look-up of
    each cell, but for a column whose texts ascend (record IDs, as most exports list them): no two of them are equal,
    so they are made without the look-up, which took most of the time (0.26 s of 1.2 s at 1,000,000 rows)."""
    ascending = [all(pc.all(pc.greater(part[1:], part[:-1])).as_py() for part in (column.slice(0, 64), column))
                 for column in table.columns]  # (the first 64 texts first: most columns stop there)
    if not any(ascending):
        return table.to_pandas()
    cells = np.empty((table.num_columns, table.num_rows), dtype=object)  # one block, as to_pandas makes it
    for i, (column, distinct) in enumerate(zip(table.columns, ascending)):
        cells[i] = column.to_numpy() if distinct else column.to_pandas(deduplicate_objects=True).to_numpy()
    return pd.DataFrame(cells.T, dtype=object, copy=False)


#: The first bytes, in UTF-8, of the characters ``str.isspace`` calls white space.
_SPACE_FIRST_BYTES = np.isin(np.arange(256), [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0xC2, 0xE1, 0xE2, 0xE3])


def _filled(column: pa.ChunkedArray) -> np.ndarray:
    """`is_filled` of an Arrow column of text: only the cells that start with a byte of white space
    (or of a character that may be white space) are looked at whole."""
    parts = [np.zeros(0, dtype=bool)]
    for chunk in column.chunks:
        _, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
        filled = offsets[1:] > offsets[:-1]
        if data is not None:
            first = np.frombuffer(data, dtype=np.uint8)[offsets[:-1][filled]]
            maybe = np.flatnonzero(filled)[_SPACE_FIRST_BYTES[first]]
            if len(maybe):  # most chunks have none, and three Arrow calls on no cells cost as much as the rest
                filled[maybe] = ~pc.utf8_is_space(chunk.take(maybe)).to_numpy(zero_copy_only=False)
        parts.append(filled)
    return np.concatenate(parts)


def _line_breaks(text: bytes | pa.ChunkedArray) -> int | np.ndarray:
    """How many line breaks (``\\n``, ``\\r\\n`` or a lone ``\\r``, as the csv module counts
    lines) UTF-8 ``text`` holds, or each string of an Arrow column."""
    if isinstance(text, bytes):
        # By numpy, a piece of a megabyte at a time (no copy of the text at once): half the time of
        # bytes.count and a regular expression for the lone \r. The last byte is left to endswith.
        codes, count = np.frombuffer(text, dtype=np.uint8), int(text.endswith((b"\n", b"\r")))
        for start in range(0, len(codes) - 1, 1 << 20):
            piece = codes[start:start + (1 << 20) + 1]  # with the byte after it, which tells a lone \r
            head = piece[:-1]
            count += np.count_nonzero(head == 10) + np.count_nonzero(piece[1:][head == 13] != 10)
        return count
    data = [np.frombuffer(chunk.buffers()[2], dtype=np.uint8) for chunk in text.chunks if chunk.buffers()[2]]
    if not any(((part == 10) | (part == 13)).any() for part in data):  # most columns: one scan of the bytes
        return np.zeros(len(text), dtype=np.int64)
    count = [pc.count_substring(text, s).to_numpy(zero_copy_only=False) for s in ("\n", "\r", "\r\n")]
    return count[0] + count[1] - count[2]


def _read_csv_text(text: str, delimiter: str, path: Path, spaced: bool = False
                   ) -> tuple[list[str], pd.DataFrame, np.ndarray, tuple[list[int], list[int]], int]:
    """The header, the frame, the line each row starts on, the lines left out (a report's title,
    `_is_header_below_title`, and its footer: rows of one cell after a blank line, up to the end),
    and the header's line. ``spaced``: the spaces after each delimiter are left out (`_spaced_quotes`)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False, skipinitialspace=spaced)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    ragged: list[str] = []
    n_ragged = 0
    widths: set[int] = set()  # the numbers of fields of the ragged rows (-1: a value past the header's last column)
    escaped = False  # a ragged row holds \" (a quote escaped with a backslash, which ends a quoted cell in CSV)
    footer: list[tuple[int, int, int, str]] = []  # (line, row, fields, "") of the rows that may be a footer
    title: list[int] = []
    header_line = 1
    row_number = -1  # data rows seen so far, minus one
    start = 1
    blank = False  # a blank line just before
    csv.field_size_limit(2**31 - 1)  # a long note is still one cell
    try:
        for record in reader:
            if not record or header is not None and len(record) == 1 < len(header) and not record[0].strip():
                # a blank line between records, or one of spaces only: no row
                start, blank = reader.line_num + 1, True
                continue
            if header is None or _is_header_below_title(header, rows, n_ragged, record):
                title += [] if header is None else [header_line, *lines]
                header, header_line, rows, lines, row_number = record, start, [], [], -1
                start, blank = reader.line_num + 1, False
                continue
            row_number += 1
            if len(record) == 1 < len(header) and (footer or blank) and not n_ragged:
                footer.append((start, row_number, 1, ""))
            elif len(record) != len(header) or footer:  # a row after a "footer": those rows are ragged too
                this = ([(start, row_number, len(record), _open_quote(record, start))]
                        if len(record) != len(header) else [])
                for line, row, fields, quote in footer + this:
                    n_ragged += 1
                    widths.add(fields)
                    if len(ragged) < _MAX_LISTED:
                        ragged.append(f"line {line} (row {row}) has {fields} fields{quote}")
                footer = []
                if any(cell.strip() for cell in record[len(header):]):
                    widths.add(-1)
                escaped = escaped or any('\\"' in cell for cell in record)
            elif not n_ragged:
                rows.append(record)
                lines.append(start)
            start, blank = reader.line_num + 1, False
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: cannot be parsed as CSV ({exc})") from None
    if header is None:
        raise InputError(f"{path}: the file is empty; export the contacts with their header row")
    if n_ragged:
        more = f"\n  … and {n_ragged - len(ragged)} more" if n_ragged > len(ragged) else ""
        advice = (n_ragged == row_number + 1 and _trailing_delimiter(header, widths, delimiter)
                  or escaped and ('A quote inside a quoted cell is written \\" there (a backslash before it, as '
                                  'MySQL and some scripts write it), which ends the cell: CSV writes such a quote '
                                  'twice (""). Export the file again with quotes written so.')
                  or "Quote cells that contain the delimiter or a line break, or pass the right delimiter.")
        raise InputError(
            f"{path}: {n_ragged} row(s) do not have the header's {len(header)} fields "
            f"(delimiter {delimiter!r}):\n  " + "\n  ".join(ragged) + more + "\n" + advice
        )
    return (header, _frame(header, rows), np.asarray(lines, dtype=np.int64), (title, [line for line, *_ in footer]),
            header_line)


def _trailing_delimiter(header: list[str], widths: set[int], delimiter: str) -> str:
    """What to change when every row differs from the header by a delimiter at the end of the line,
    the header's or the rows' (``widths``: the rows' numbers of fields, as `_read_csv_text` notes
    them), or "" when they do not."""
    if widths == {len(header) - 1} and len(header) > 1 and not header[-1].strip() and header[-2].strip():
        return (f"The header ends with {delimiter!r} after its last name {header[-2]!r} (a column without a name) "
                f"and the rows do not: remove that {delimiter!r} from the header.")
    if widths == {len(header) + 1}:
        return (f"Every row ends with {delimiter!r} after its last cell and the header does not: end the header "
                f"with {delimiter!r} too (a column without a name or a value is left out).")
    return ""


def _check_quotes(text: str, delimiter: str, frame: pd.DataFrame, lines: np.ndarray, path: Path,
                  spaced: bool = False) -> None:
    """Refuse a file where a quoted cell opens and does not close where a cell ends: both readers take
    the lines after its quote into that one cell, up to the end of the file (a quote never closed),
    or up to a quote typed in a later line (the inch mark of ``7" tablet``), whose row then has the
    header's number of fields; the rows typed there would be lost without a word.

    Only the rows that run over several lines are read again, by the strict `csv` reader."""
    spread = np.flatnonzero(np.diff(lines) > 1)  # rows whose cells hold a line break (or before a blank line)
    last = len(frame) and any("\n" in v or "\r" in v for v in frame.iloc[-1].tolist())  # its text runs to the end
    if not len(spread) and not last:
        return  # most files
    offsets = np.r_[0, 0, _line_starts(text)]  # where each line (from 1) starts
    pieces = [text[offsets[lines[row]]:offsets[lines[row + 1]]] for row in spread.tolist()]
    if last:
        spread, pieces = np.append(spread, len(frame) - 1), [*pieces, text[offsets[lines[-1]]:]]
    before = np.cumsum(np.diff(lines)[spread[:-1]])  # the lines of the pieces up to each one but the last
    csv.field_size_limit(2**31 - 1)  # the cell may hold the rest of a large file
    reader = csv.reader(io.StringIO("".join(pieces), newline=""), delimiter=delimiter, strict=True,
                        skipinitialspace=spaced)
    while True:  # after an error, the reader reads on from the next line
        try:
            for _ in reader:
                pass
            return
        except csv.Error as exc:
            error = exc
        piece = int(np.searchsorted(before, reader.line_num))
        row = int(spread[piece])
        start = int(lines[row])
        end = start + reader.line_num - 1 - (int(before[piece - 1]) if piece else 0)
        if "unexpected end of data" in str(error):
            raise InputError(f"{path}: line {start} (row {row}): a quoted cell opens there and is never closed, so "
                             "every line after it would be read into that one cell; close the quote (a quote inside a "
                             "quoted cell is written twice) and load the file again")
        if end > start:  # (a quote out of place on the row's first line, `"5" screen`, takes no line: read on)
            column = next((f", column {name!r}" for name, v in frame.iloc[row].items() if "\n" in v or "\r" in v), "")
            raise InputError(f"{path}: line {start} (row {row}){column}: a quoted cell opens there and "
                             f"does not close where a cell ends (line {end}: {error}), so lines {start}–{end} would be "
                             "read into that one cell; close the quote where its cell ends (a quote inside a quoted "
                             "cell is written twice) and load the file again")


def _line_starts(text: str) -> np.ndarray:
    """Where each line of ``text`` after the first starts: after each ``\\n``, ``\\r\\n`` or lone ``\\r``, as
    `io.StringIO` splits lines (``newline=""``); read as numbers a block of characters at a time, not the whole text
    (four bytes a character, as StringIO's own copy of it), or one byte a character for a block all of whose
    characters have one in Latin-1 (most exports: a quarter of the bytes to look through, half the time).

    >>> _line_starts("a\\r\\nb\\rc\\n").tolist(), _line_starts("é\\n伟\\r\\nx").tolist()
    ([3, 5, 7], [2, 5])
    """
    block_size = 1 << 22
    starts = [np.zeros(0, dtype=np.int64)]
    for at in range(0, len(text), block_size):
        block = text[at:at + block_size + 1] + " "  # and the next character: a \r before a \n ends no line
        try:
            codes = np.frombuffer(block.encode("latin-1"), dtype=np.uint8)  # each character its code, as a byte
        except UnicodeEncodeError:
            codes = np.frombuffer(block.encode("utf-32-le"), dtype=np.uint32)
        n = min(block_size, len(text) - at)
        ends = codes[:n] == 10
        if "\r" in block:
            ends |= (codes[:n] == 13) & (codes[1:n + 1] != 10)
        starts.append(at + 1 + np.flatnonzero(ends))
    return np.concatenate(starts)


def _open_quote(record: list[str], line: int) -> str:
    """Where a quoted cell of ``record``, a row of the wrong number of fields that starts on ``line``,
    runs over several lines, in words: a quote left open takes the lines after it into its cell."""
    lines = next((len(_LINE_BREAK.findall(cell)) for cell in record if "\n" in cell or "\r" in cell), 0)
    return f": a quoted cell starts on line {line} and runs to line {line + lines} (a quote missing?)" if lines else ""


def _is_header_below_title(header: list[str], rows: list[list[str]], n_ragged: int, record: list[str]) -> bool:
    """Whether ``record`` is the real header, below a report's title that was taken for one: the
    rows so far are a few with one filled cell at most (a title, a date, a blank line: a spreadsheet
    pads them with empty cells), and ``record`` names columns, at least one of them a role. Its
    names may still be faulty (blank, twice): `_check_header` names them."""
    if len(rows) >= 10 or n_ragged or not all(_filled_cells(row) <= 1 for row in (header, *rows)):
        return False
    names = list(dict.fromkeys(cell for cell in record if cell.strip()))
    return len(names) > 1 and bool(FieldMap.detect(names).columns())


def _padded_footer(frame: pd.DataFrame) -> int:
    """How many rows at the end are a report's footer as a spreadsheet saves it, padded to the
    header's width: a row of empty cells, then a few with only their first cell filled, up to the
    end, one of them Salesforce's own ("Generated By: …"). A footer without those words stays
    rows of contacts: they are valid rows, and every valid row is loaded.

    >>> _padded_footer(pd.DataFrame({"ID": ["1", "", "Acme Corp", "Generated By: Ann"], "Email": ["a@x.co", "", "", ""]}))
    3
    """
    if frame.shape[1] < 2:
        return 0
    tail = frame.iloc[-12:].to_numpy().tolist()
    texts = 0
    while texts < len(tail) - 1 and tail[-1 - texts][0].strip() and _filled_cells(tail[-1 - texts]) == 1:
        texts += 1
    if not texts or _filled_cells(tail[-1 - texts]):
        return 0
    return texts + 1 if any(_SALESFORCE_FOOTER.search(row[0]) for row in tail[-texts:]) else 0


def _filled_cells(row: list[str]) -> int:
    """How many cells of a row hold more than white space."""
    return sum(bool(cell.strip()) for cell in row)


def row_unit(encoding: str) -> str:
    """What a position in the file is called: a workbook's ``sheet row``, a CSV's ``line``."""
    return "sheet row" if encoding == "xlsx" else "line"


_SALESFORCE_FOOTER = re.compile(r"^\s*(?:generated by\b|confidential information\b|copyright \(c\).*salesforce)", re.I)


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """The rows as a frame of ``str``, each column's strings made afresh one after the other,
    and one string object per distinct value where values repeat.

    A reader creates a new string for every cell, row by row: a city repeated a million
    times is a million objects, and one column's strings lie far apart in memory. All later
    work goes column by column and runs several times faster over strings that lie
    together; sharing equal values also saves the memory of every repeat (about 60 bytes
    a cell). ``rows`` is emptied on the way, to free the reader's strings.
    """
    columns = [list(column) for column in zip(*rows)] if rows else [[] for _ in header]
    rows.clear()
    data = {}
    for position in range(len(header)):
        values = np.array(packed(columns[position]), dtype=object)
        columns[position] = None
        if len(set(values[:10_000].tolist())) * 2 <= min(len(values), 10_000):  # values repeat: share them
            codes, distinct = pd.factorize(values)  # every cell is a str: no code is -1
            values = distinct[codes]
        data[position] = values
    frame = pd.DataFrame(data)
    frame.columns = header
    return frame


def _blank_trailing_columns(header: list[str], frame: pd.DataFrame) -> int:
    """How many columns at the end have no name and no value in any row (the trailing delimiters
    a spreadsheet leaves on every line), the first column aside.

    >>> _blank_trailing_columns(["Name", "", "", ""], pd.DataFrame([["Ann", "", "x", ""]]))
    1
    """
    blank = 0
    while blank < len(header) - 1 and not header[-1 - blank] and not frame.iloc[:, -1 - blank].astype(bool).any():
        blank += 1
    return blank


def _check_header(header: list[str], where: str) -> None:
    """Every column needs a unique name (`_blank_trailing_columns` are left out before)."""
    problems = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if not name.strip():
            problems.append(f"column {i} has a blank name")
        elif name in seen:
            problems.append(f"columns {seen[name]} and {i} are both named {name!r}")
        else:
            seen[name] = i
    if problems:
        raise InputError(f"{where}: " + "; ".join(problems) + "; give every column a unique name")


def _read_workbook(data: bytes, path: Path, sheet: str | None
                   ) -> tuple[list[str], list[list[str]], list[int], list[int], int, str | None, str | None]:
    """The header, the rows and the sheet row of each, the sheet rows of a report's title above
    the header (`_is_header_below_title`), left out, the header's sheet row, the cells of the rows
    that hold a formula without a saved value, read blank, in words (`Contacts.formula_note`), and the
    name of the sheet read when it is not the one read without ``sheet`` (``None`` for that one, also when named).

    Read by calamine (Rust), .xlsx or Excel 97–2003 .xls: `load` of an .xlsx of 100,000 contacts took
    3.5–4 s, against 17–24 s with openpyxl.
    A cell reads as `_cell_text` writes its value; a formula as its last result (an error such as
    ``#N/A`` reads blank).
    """
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum  # workbooks only

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:  # known by its bytes, not its name
            sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]  # no chart sheets
            names = [m.name for m in sheets]
            if sheet is not None and sheet not in names:
                raise InputError(f"{path}: no sheet named {sheet!r}; the sheets are {', '.join(map(repr, names))}")
            if not names:
                raise InputError(f"{path}: the workbook has no sheet of cells; export the contacts as CSV or .xlsx")
            shown = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]  # not a hidden lookup table
            first = (shown or names)[0]
            ws = book.get_sheet_by_name(sheet or first)
            values_of_rows = ws.to_python(skip_empty_area=False)  # from cell A1, as the sheet numbers its rows
    except CalamineError as exc:
        raise InputError(f"{path}: cannot be read as an Excel workbook, .xlsx or .xls ({exc})") from None
    formats, unsaved = _xlsx_cells(data, ws.name) if data.startswith(b"PK") else (_xls_digit_formats(data, ws.name), [])
    for (r, c), code in formats.items():
        if r < len(values_of_rows) and c < len(values_of_rows[r]):
            values_of_rows[r][c] = _in_digit_format(values_of_rows[r][c], code)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    title: list[int] = []
    header_number = 1
    for number, values in enumerate(values_of_rows, start=1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        named = cells[:]
        while named and not named[-1]:
            named.pop()
        if header is None or _is_header_below_title(header, rows, 0, named):
            title += [] if header is None else [header_number, *lines]
            header, header_number, rows, lines = named, number, [], []
            continue
        extra = cells[len(header):]
        if any(extra):
            at = len(header) + next(i for i, cell in enumerate(extra) if cell)
            raise InputError(f"{path}: sheet {ws.name!r}, row {number}, column {_column_letter(at)}: has a value "
                             f"past the last named column ({_column_letter(len(header) - 1)}, {header[-1]!r})")
        cells = cells[: len(header)] + [""] * (len(header) - len(cells))
        rows.append(cells)
        lines.append(number)
    others = [name for name in names if name != ws.name]
    pick = f"pick the contacts' sheet with --sheet (sheet= in Python): {', '.join(map(repr, others))}"
    if header is None:
        advice = pick if others else "export the contacts with their header row"
        raise InputError(f"{path}: sheet {ws.name!r} is empty; {advice}")
    if not rows and others and sheet is None:  # a cover sheet before the contacts' (a title in A1): not theirs
        raise InputError(f"{path}: sheet {ws.name!r} has a header but no rows; {pick}")
    data_rows = set(lines)
    lost = [f"row {r + 1}, column {_column_letter(c)} ({header[c]!r})" for r, c in sorted(unsaved)
            if r + 1 in data_rows and c < len(header)]
    more = f"; and {len(lost) - _MAX_LISTED:,} more" if len(lost) > _MAX_LISTED else ""
    note = (f"{path}: sheet {ws.name!r}: {len(lost):,} {'cell holds' if len(lost) == 1 else 'cells hold'} a formula "
            "without a saved value (the program that wrote the workbook did not compute it), read as blank: "
            f"{'; '.join(lost[:_MAX_LISTED])}{more}; open the workbook in Excel or LibreOffice and save it, so that "
            "the values are saved, and load it again") if lost else None
    return header, rows, lines, title, header_number, note, None if ws.name == first else ws.name


#: A number format of digit placeholders and literals alone (``00000``, Excel's ZIP code; ``000-00-0000``): it
#: shows a whole number with leading zeros, as a CRM holds an ID or a postcode that a spreadsheet stored as a number.
_DIGIT_FORMAT = re.compile(r'(?:0|\\.|"[^"]*"|[-/ ()])*0(?:0|\\.|"[^"]*"|[-/ ()])*')
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_XLSX_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bs="(\d+)"[^>]*>')
#: A formula's cell of an .xlsx sheet: its tag's attributes and its saved value (``<v>…</v>``; none: none saved).
_XLSX_FORMULA = re.compile(rb'<(?:\w+:)?c(\s[^>]*?)(?<!/)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
                           rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_TEXT_RESULT = re.compile(rb'\bt="str"')  # a formula whose text result Excel saved, maybe blank: =IF(A2="","",A2)


def _xlsx_cells(data: bytes, name: str) -> tuple[dict[tuple[int, int], str], list[tuple[int, int]]]:
    """What calamine does not tell of the cells of sheet ``name`` of an .xlsx, by 0-based row and column:
    those shown in a `_DIGIT_FORMAT` (with its code), of which it gives the number (42), not the text Excel
    shows (``00042``); and those of a formula without a saved value, which it reads blank: a workbook
    written by a program that does not compute formulas (openpyxl writing ``=A2&B2``)."""
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        if "xl/workbook.xml" not in book.namelist():  # an OpenDocument or .xlsb workbook, which calamine reads too
            return {}, []
        try:
            styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        except KeyError:  # no styles: every cell in the General format
            styles = ElementTree.Element("styleSheet")
        codes = {f.get("numFmtId"): f.get("formatCode", "") for f in styles.iter(f"{main}numFmt")}
        xfs = styles.find(f"{main}cellXfs")
        padded = {str(i): codes[xf.get("numFmtId")] for i, xf in enumerate(xfs if xfs is not None else ())
                  if _DIGIT_FORMAT.fullmatch(codes.get(xf.get("numFmtId"), ""))}
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rel = next(s.get(f"{_RELATIONSHIPS}id") for s in workbook.iter(f"{main}sheet") if s.get("name") == name)
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rel)
        xml = book.read(target.lstrip("/") if target.startswith("/") else f"xl/{target}")
    cells = {}
    for tag in _XLSX_CELL.finditer(xml) if padded else ():
        if tag[1].decode() in padded and (at := _cell_at(tag[0])):
            cells[at] = padded[tag[1].decode()]
    unsaved = [at for cell in (_XLSX_FORMULA.finditer(xml) if b"f>" in xml else ())  # (</f>: a scan of the bytes)
               if not cell[2] and not _TEXT_RESULT.search(cell[1]) and (at := _cell_at(cell[1]))]
    return cells, unsaved


def _cell_at(tag: bytes) -> tuple[int, int] | None:
    """The 0-based row and column of a cell of an .xlsx sheet, from its tag's ``r="E2"``.

    >>> _cell_at(b'<c r="AB12" s="3">'), _cell_at(b'<c s="3">')
    ((11, 27), None)
    """
    if not (at := re.search(rb'\br="([A-Z]+)(\d+)"', tag)):
        return None
    column = 0
    for letter in at[1].decode():
        column = column * 26 + ord(letter) - 64
    return int(at[2]) - 1, column - 1


def _xls_digit_formats(data: bytes, name: str) -> dict[tuple[int, int], str]:
    """The cells of sheet ``name`` of an Excel 97–2003 .xls shown in a `_DIGIT_FORMAT`, as `_xlsx_cells` finds
    those of an .xlsx, from the records of its ``Workbook`` stream (BIFF8): the number formats (FORMAT), the
    cell styles (XF, by their order) and where each sheet starts (BOUNDSHEET), then the style of each number
    cell of the sheet (NUMBER, RK, MULRK, FORMULA); none of a file that is not so (an Excel 95 workbook)."""
    try:
        stream = _ole_stream(data, "Workbook")
        codes, styles, starts = {}, [], {}
        for kind, body in _biff_records(stream, 0):
            if kind == 0x041E:  # FORMAT: its number, then its code (UTF-16 or Latin-1, as its flag says)
                number, length, wide = struct.unpack_from("<HHB", body)
                codes[number] = body[5:5 + length * (1 + (wide & 1))].decode("utf-16-le" if wide & 1 else "latin-1")
            elif kind == 0x00E0:  # XF: its format's number
                styles.append(struct.unpack_from("<H", body, 2)[0])
            elif kind == 0x0085:  # BOUNDSHEET: where the sheet's records start, its name
                length, wide = body[6], body[7] & 1
                starts[body[8:8 + length * (1 + wide)].decode("utf-16-le" if wide else "latin-1")] = (
                    struct.unpack_from("<I", body)[0])
        padded = {i: codes[number] for i, number in enumerate(styles) if _DIGIT_FORMAT.fullmatch(codes.get(number, ""))}
        cells = {}
        for kind, body in _biff_records(stream, starts[name]) if padded else ():
            if kind in (0x0203, 0x027E, 0x0006):  # NUMBER, RK, FORMULA: row, column, style
                row, column, style = struct.unpack_from("<HHH", body)
                if style in padded:
                    cells[row, column] = padded[style]
            elif kind == 0x00BD:  # MULRK: row, first column, (style, number) for each column
                row, first = struct.unpack_from("<HH", body)
                for i in range((len(body) - 6) // 6):
                    if (style := struct.unpack_from("<H", body, 4 + 6 * i)[0]) in padded:
                        cells[row, first + i] = padded[style]
        return cells
    except (KeyError, IndexError, ValueError, struct.error):  # (UnicodeDecodeError is a ValueError)
        return {}


def _biff_records(stream: bytes, at: int) -> Iterator[tuple[int, bytes]]:
    """The kind and body of each record of a BIFF stream from ``at`` up to the end of its part (EOF)."""
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == 0x000A:  # EOF
            return
        yield kind, stream[at + 4:at + 4 + length]
        at += 4 + length


def _ole_stream(data: bytes, name: str) -> bytes:
    """The stream ``name`` of an OLE2 compound file, the container of an Excel 97–2003 .xls (KeyError: none)."""
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    n_fat, first_entry, _, cutoff, _, _, first_more, n_more = struct.unpack_from("<8I", data, 44)
    ids = sector // 4

    def at(number: int) -> bytes:
        return data[(number + 1) * sector:(number + 2) * sector]  # after the header, one sector long

    listed = list(struct.unpack_from("<109I", data, 76))  # the FAT's sectors, the first 109 in the header
    for _ in range(n_more):
        more = struct.unpack(f"<{ids}I", at(first_more))
        listed, first_more = listed + list(more[:-1]), more[-1]
    fat = struct.unpack(f"<{n_fat * ids}I", b"".join(at(number) for number in listed[:n_fat]))

    def chain(first: int, table: Sequence[int]) -> list[int]:
        numbers = []
        while first < len(table) and len(numbers) < len(table):  # up to the end mark (0xFFFFFFFE); never a loop
            numbers.append(first)
            first = table[first]
        return numbers

    entries = b"".join(at(number) for number in chain(first_entry, fat))
    found = {}
    for i in range(0, len(entries) - 127, 128):
        entry = entries[i:i + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        found[entry[:max(length - 2, 0)].decode("utf-16-le")] = struct.unpack_from("<II", entry, 116)
    start, size = found[name]
    if size < cutoff:  # a small stream, kept apart: Excel pads its Workbook stream to never be one
        raise KeyError(name)
    return b"".join(at(number) for number in chain(start, fat))[:size]


def _in_digit_format(value: Any, code: str) -> Any:
    """A whole number (a float, or an int as calamine reads an .xls's) as a `_DIGIT_FORMAT` shows it; any other
    value as it is.

    >>> _in_digit_format(42.0, "00000"), _in_digit_format(4155550123.0, "000-000-0000"), _in_digit_format(42, "000")
    ('00042', '415-555-0123', '042')
    >>> _in_digit_format(1234567.0, "00000"), _in_digit_format(2.5, "00000"), _in_digit_format("7", "00000")
    ('1234567', 2.5, '7')
    >>> _in_digit_format(123456789.0, "000-00-0000"), _in_digit_format(7.0, '"ID"000')
    ('123-45-6789', 'ID007')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value % 1:
        return value
    parts = re.findall(r'\\(.)|"([^"]*)"|(.)', code)
    places = sum(part[2] == "0" for part in parts)
    digits = _cell_text(value).zfill(places)
    shown, extra = [], len(digits) - places  # the digits beyond the placeholders go before the first
    for escaped, quoted, char in parts:
        if char == "0":
            shown.append(digits[: extra + 1])
            digits, extra = digits[extra + 1:], 0
        else:
            shown.append(escaped or quoted or char)
    return "".join(shown)


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):  # as Excel shows it: 15 significant digits, not the double's invented ones
        shown = f"{value + 0.0:.15g}"  # (-0.0 shows as 0)
        return format(Decimal(shown), "f") if value.is_integer() else shown
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
