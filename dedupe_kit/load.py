"""Read a CRM export losslessly: every cell stays the string that was typed.

CSV as CRMs and Excel write it (UTF-8 with or without BOM, UTF-16,
Windows-1252/Latin-1; comma, semicolon or tab; quoted newlines) and ``.xlsx``.
``NA``, ``None``, ``null``, ``N/A``, leading zeros and ``+`` are values, not
missing; a blank cell is ``""``. The input file is only ever read.

Arrow's reader reads a CSV on every core; the `csv` module reads the files it
declines (a blank line, a ragged row, a header over two lines), cell for cell
the same, and names what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ._perf import is_filled, packed, paused_gc
from .config import Config
from .errors import InputError
from .fieldmap import FieldMap

DELIMITERS = (",", ";", "\t", "|")
_BLANK = re.compile(rb"[ \t\r\n\x00\xef\xbb\xbf\xff\xfe]*")  # bytes of a file with nothing in it
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
#: Encodings detected on a file that is not UTF-8 and has no BOM. Latin-1 differs from
#: Windows-1252 only by control characters nobody types, so it is used only when asked for.
_FALLBACK_ENCODINGS = ["cp1252", "utf_16_le", "utf_16_be"]
_MAX_LISTED = 5


@dataclass(frozen=True)
class Contacts:
    """A loaded export.

    frame: every cell a ``str``, the file's own header and column order,
        index ``source_row`` (0-based data row).
    field_map: which column plays which role.
    lines: the 1-based line (CSV) or sheet row (xlsx) where each row starts,
        for messages that point into the file.
    """

    frame: pd.DataFrame
    field_map: FieldMap
    path: Path | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | None = None
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    sha256: str | None = field(default=None, repr=False)  # of the bytes loaded: a later change shows
    _filled: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.frame)

    def filled(self, column: str) -> np.ndarray:
        """Whether each row's cell of ``column`` holds more than white space: worked out once per
        column (the stages ask again and again), read-only.

        >>> load("sample_data/contacts.csv").filled("Student ID")[:3].tolist()
        [False, True, False]
        """
        found = self._filled.get(column)
        if found is None:
            found = self._filled[column] = is_filled(self.frame[column])
            found.flags.writeable = False
        return found

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def name(self) -> str:
        return str(self.path) if self.path else "<data>"

    def where(self, source_row: int, column: str | None = None) -> str:
        """``"contacts.csv, line 12 (row 10), column 'Email'"`` for a message."""
        unit = "sheet row" if self.sheet is not None else "line"
        text = f"{self.name}, {unit} {int(self.lines[source_row])} (row {source_row})"
        return f"{text}, column {column!r}" if column is not None else text


def record_ids(contacts: Contacts) -> np.ndarray:
    """Each row's record ID (its ``source_row`` as text when no column has that role)."""
    column = contacts.field_map.record_id
    if column is None:
        return contacts.frame.index.astype(str).to_numpy(dtype=object)
    return contacts.frame[column].to_numpy(dtype=object)


def load(
    source: str | Path,
    config: Config | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Contacts:
    """Load a CSV or ``.xlsx`` export and map its columns to roles.

    ``encoding`` and ``delimiter`` are detected unless given; ``sheet`` picks a
    sheet of a workbook (the first by default). ``fields`` overrides the column
    roles on top of ``config.fields``.

    >>> contacts = load("sample_data/contacts.csv")
    >>> contacts.frame.loc[0, ["Contact ID", "Student ID", "Created Date"]].tolist()
    ['C000001', '', '2021-07-03']
    >>> contacts.field_map.record_id, contacts.field_map.external_ids
    ('Contact ID', ('Student ID', 'Student Number'))
    """
    config = config or Config()
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the export file inside it") from None

    if data.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        header, rows, lines = _read_xlsx(path, sheet)
        with paused_gc():
            frame = _frame(header, rows)
        filled = {}
        encoding, delimiter = "xlsx", ","
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path}: is an old binary Excel (.xls) file; save it as .xlsx or CSV first")
    elif encoding is None and _looks_binary(data):
        raise InputError(f"{path}: is not a text table (it holds binary data); export the contacts as CSV or .xlsx")
    else:
        text, encoding = _decode(data, path, encoding, delimiter)
        _check_is_text_table(text, path)
        delimiter = delimiter or _sniff_delimiter(text)
        if (nul := text.find("\x00")) >= 0:  # a stray zero byte in a text export: say where it is
            where = _where(text, delimiter, text.count("\n", 0, nul) + 1, "\x00")
            raise InputError(f"{path}: {where}: holds a NUL character (a zero byte); "
                             "remove the zero bytes from the export and load it again")
        with paused_gc():
            utf8 = data if encoding == "utf-8" else None  # the text's own bytes: no need to encode it again
            header, frame, lines, filled = (_read_csv_arrow(text, delimiter, utf8)
                                            or (*_read_csv_text(text, delimiter, path), {}))
        sheet = None

    _check_header(header, frame, path)
    frame.index = pd.RangeIndex(len(frame), name="source_row")
    overrides = {**config.fields, **(fields or {})}
    field_map = FieldMap.detect(header, overrides, source=config.source if not fields else "fields")
    contacts = Contacts(frame, field_map, path, encoding, delimiter, sheet, np.asarray(lines, dtype=np.int64),
                        hashlib.sha256(data).hexdigest())
    for column, found in filled.items():
        found.flags.writeable = False
        contacts._filled[column] = found
    return contacts


# --- decoding ---------------------------------------------------------------------------------


def _decode(data: bytes, path: Path, encoding: str | None, delimiter: str | None) -> tuple[str, str]:
    if _BLANK.fullmatch(data):  # stops at the first other byte, where a strip would copy the whole file
        raise InputError(f"{path}: the file is empty; export the contacts with their header row")
    if encoding is None:
        for bom, name in _BOMS:
            if data.startswith(bom):
                encoding = name
                break
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise _undecodable(data, path, encoding, exc, delimiter) from None
        except LookupError:
            raise InputError(f"{path}: unknown encoding {encoding!r}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Mostly valid UTF-8 with a few broken bytes: say where, rather than guess and garble it.
    replaced = data.decode("utf-8", errors="replace")
    broken = replaced.count("\ufffd")
    if sum(ch > "\x7f" for ch in replaced) - broken >= broken:
        raise _undecodable(data, path, "utf-8", utf8_error, delimiter)
    # Not UTF-8: let charset-normalizer choose among the encodings exports really use.
    best = charset_normalizer.from_bytes(data, cp_isolation=_FALLBACK_ENCODINGS).best()
    if best is None or best.encoding not in _FALLBACK_ENCODINGS:
        raise _undecodable(data, path, "utf-8", utf8_error, delimiter)
    try:
        return data.decode(best.encoding), best.encoding
    except UnicodeDecodeError as exc:
        raise _undecodable(data, path, best.encoding, exc, delimiter) from None


def _undecodable(data: bytes, path: Path, encoding: str, exc: UnicodeDecodeError, delimiter: str | None) -> InputError:
    """Name the line, row and column of the first byte that does not decode."""
    bad = data[exc.start:exc.end]
    line = data[:exc.start].count(b"\n") + 1
    text = data.decode(encoding, errors="replace")
    where = _where(text, delimiter or _sniff_delimiter(text), line, "\ufffd")
    return InputError(
        f"{path}: {where}: bytes {bad!r} cannot be decoded as {encoding}; "
        "pass the file's encoding (for example encoding='cp1252' or --encoding cp1252), "
        "or re-export it as UTF-8"
    )


def _where(text: str, delimiter: str, line: int, character: str) -> str:
    """``"line 7 (row 5), column 'Notes'"``: the first cell of ``text`` holding ``character``, on ``line``
    (just the line when the table cannot be read)."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader)
        for i, name in enumerate(header):
            if character in name:
                return f"line {line} (header), column {i + 1}"
        for row_number, row in enumerate(reader):
            for i, cell in enumerate(row):
                if character in cell:
                    column = header[i] if i < len(header) else f"#{i + 1}"
                    return f"line {line} (row {row_number}), column {column!r}"
    except (StopIteration, csv.Error):
        pass
    return f"line {line}"


def _looks_binary(data: bytes) -> bool:
    """More than a few NUL bytes (a stray one in a text export is named where it is instead),
    and not the zero halves of UTF-16 text."""
    head = data[:4096]
    if head.count(0) <= max(2, len(head) // 100) or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    half = len(head) / 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return not (max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half)


def _check_is_text_table(text: str, path: Path) -> None:
    head = text[:65536]
    if sum(ch < " " and ch not in "\t\r\n" for ch in head) > max(2, len(head) // 100):
        raise InputError(f"{path}: is not a text table (it holds binary data); export the contacts as CSV or .xlsx")
    start = head.lstrip().lower()
    if start.startswith(("<!doctype", "<html", "<table", "<?xml")):
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
    if not header or reader.line_num != 1:
        return None
    names = [str(i) for i in range(len(header))]
    try:
        buffer = text.encode("utf-8") if utf8 is None else utf8
        table = pa_csv.read_csv(
            pa.py_buffer(buffer),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
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
    frame = table.to_pandas()  # one object per distinct string of a column
    frame.columns = header
    return header, frame, lines, {name: _filled(column) for name, column in zip(header, table.columns)}


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
            filled[maybe] = ~pc.utf8_is_space(chunk.take(maybe)).to_numpy(zero_copy_only=False)
        parts.append(filled)
    return np.concatenate(parts)


def _line_breaks(text: bytes | pa.ChunkedArray) -> int | np.ndarray:
    """How many line breaks (``\\n``, ``\\r\\n`` or a lone ``\\r``, as the csv module counts
    lines) UTF-8 ``text`` holds, or each string of an Arrow column."""
    if isinstance(text, bytes):
        return text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")
    data = [np.frombuffer(chunk.buffers()[2], dtype=np.uint8) for chunk in text.chunks if chunk.buffers()[2]]
    if not any(((part == 10) | (part == 13)).any() for part in data):  # most columns: one scan of the bytes
        return np.zeros(len(text), dtype=np.int64)
    count = [pc.count_substring(text, s).to_numpy(zero_copy_only=False) for s in ("\n", "\r", "\r\n")]
    return count[0] + count[1] - count[2]


def _read_csv_text(text: str, delimiter: str, path: Path) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    ragged: list[str] = []
    n_ragged = 0
    row_number = -1  # data rows seen so far, minus one
    start = 1
    csv.field_size_limit(2**31 - 1)  # a long note is still one cell
    try:
        for record in reader:
            if not record:  # a blank line between records
                start = reader.line_num + 1
                continue
            if header is None:
                header = record
                start = reader.line_num + 1
                continue
            row_number += 1
            if len(record) != len(header):
                n_ragged += 1
                if len(ragged) < _MAX_LISTED:
                    ragged.append(f"line {start} (row {row_number}) has {len(record)} fields")
            elif not n_ragged:
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: cannot be parsed as CSV ({exc})") from None
    if header is None:
        raise InputError(f"{path}: the file is empty; export the contacts with their header row")
    if n_ragged:
        more = f"\n  … and {n_ragged - len(ragged)} more" if n_ragged > len(ragged) else ""
        raise InputError(
            f"{path}: {n_ragged} row(s) do not have the header's {len(header)} fields "
            f"(delimiter {delimiter!r}):\n  " + "\n  ".join(ragged) + more
            + "\nQuote cells that contain the delimiter or a line break, or pass the right delimiter."
        )
    return header, _frame(header, rows), np.asarray(lines, dtype=np.int64)


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


def _check_header(header: list[str], frame: pd.DataFrame, path: Path) -> None:
    """Every column needs a unique name, except an empty last column: the trailing delimiter
    a spreadsheet leaves, kept as it is so that the file round-trips."""
    problems = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if not name and i == len(header) > 1 and not frame.iloc[:, -1].astype(bool).any():
            continue
        if not name.strip():
            problems.append(f"column {i} has a blank name")
        elif name in seen:
            problems.append(f"columns {seen[name]} and {i} are both named {name!r}")
        else:
            seen[name] = i
    if problems:
        raise InputError(f"{path}: line 1 (header): " + "; ".join(problems) + "; give every column a unique name")


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[list[str]], list[int]]:
    import openpyxl  # imported here: only workbooks need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(f"{path}: cannot be read as an .xlsx workbook ({exc})") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise InputError(f"{path}: no sheet named {sheet!r}; the sheets are {', '.join(map(repr, book.sheetnames))}")
        header: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if all(v is None for v in values):
                continue
            cells = [_cell_text(v) for v in values]
            if header is None:
                header = cells
                while header and not header[-1]:
                    header.pop()
                continue
            extra = cells[len(header):]
            if any(extra):
                raise InputError(f"{path}: sheet {ws.title!r}, row {number}: has a value past the last named column")
            cells = cells[: len(header)] + [""] * (len(header) - len(cells))
            rows.append(cells)
            lines.append(number)
    finally:
        book.close()
    if header is None:
        raise InputError(f"{path}: the sheet is empty; export the contacts with their header row")
    return header, rows, lines


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
