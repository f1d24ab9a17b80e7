"""Writing output files atomically, never over an input, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib.figure import Figure

from ._perf import code_points, sorted_distinct
from .errors import InputError

_WORDS = r"[^\W\d_]+(?:['’ ][^\W\d_]+)*"  # letters only: no call, no DDE link ("|"), no reference ("!")
_NUMBER = (r"\(?\d[\d\s().\-/]*(?:\s*(?:ext(?:ension)?\.?|x|#|poste|;ext=)\s*\d+)?"
           rf"(?:\s*\({_WORDS}\)|\s*[-–:,]?\s+{_WORDS})?")  # a label: "(mum's)", "(office)", "- work", "mobile"
_SAFE_AFTER_SIGN = (r"[+-]*\s*$"  # a lone "-" placeholder
                    r"|\d[\d.,]*%?\s*$"  # a plain number: -5, +12.5, -1,234.50, -5%, "-5  " (spaces after)
                    rf"|(?=(?:\D*\d){{7}})\s*{_NUMBER}(?:\s*(?:[;,/]|:::|or)\s*\+?\s*{_NUMBER})*$")  # phone numbers (7+ digits)
#: A cell a spreadsheet would run as a formula: ``=``, ``@``, a tab or carriage return first, or ``+``/``-``
#: followed by something other than a number or a phone number (``+1-1`` and ``-2+3`` are formulas).
FORMULA_START = re.compile(rf"^[=@\t\r]|^[+-](?!{_SAFE_AFTER_SIGN})", re.IGNORECASE)
_FORMULA_FIRST = "=@\t\r+-"  # the first characters a formula can have
_RISKY_BYTE = np.isin(np.arange(256), [ord(c) for c in _FORMULA_FIRST])  # by byte: a look-up each, not np.isin
#: A text with every digit 0: `FORMULA_START` names no digit, so a text and its shape read alike
_SHAPE = str.maketrans("123456789", "000000000")
_IN_THE_WAY = "a folder has the name of this file; move it away, or choose another output folder"


def write_bytes(path: str | Path, data: bytes, *, protect: tuple[Path, ...] = ()) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of it.

    ``protect`` lists input files that must never be overwritten.
    """
    return write_files({path: [data]}, protect=protect)[0]


def write_files(files: Mapping[str | Path, Iterable[bytes]], *, protect: tuple[Path, ...] = ()) -> list[Path]:
    """Write each file from its chunks of bytes, atomically and all or none: every file goes to a
    temporary file beside it, and they take the place of the old ones only once all are written.
    Chunks may come from generators, so that a large file is never whole in memory.

    A thread writes each chunk and syncs each file to disk while the next chunk is made (at
    1,000,000 records, the full run's 450 MB took 1.6 s of writing and syncing), with one chunk
    in its hands at a time.

    ``protect`` lists input files that must never be overwritten. An error of the system (a full
    disk) names the file being written.
    """
    staged: list[tuple[str, Path]] = []
    handles: list[BinaryIO] = []
    path = None
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dedupe-kit-disk") as disk:
            synced = []
            for path, chunks in files.items():
                path = Path(path)
                refuse_input(path, protect)
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                staged.append((tmp, path))
                handles.append(handle := os.fdopen(fd, "wb"))
                os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's owner-only mode
                written = disk.submit(lambda: None)  # nothing on its way yet
                for chunk in chunks:
                    written.result()  # the last chunk is on its way to disk (or its error raised here)
                    written = disk.submit(handle.write, chunk)
                written.result()
                synced.append((path, disk.submit(_sync, handle)))
            for path, done in synced:
                done.result()
        for _, path in staged:  # no file can take a folder's place: stop before any takes its old one's
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, _IN_THE_WAY, str(path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException as exc:
        for handle in handles:  # the thread has stopped: leaving the executor waited for it
            try:
                handle.close()
            except OSError:  # the same error again, flushing what could not be written
                pass
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None and path is not None:  # a write's error names no file
            exc.filename = str(path)
        raise
    return [path for _, path in staged]


def refuse_input(path: Path, protect: tuple[Path, ...]) -> None:
    """Stop before ``path``, one of the ``protect``ed input files, is written over or removed."""
    for other in protect:
        if other is not None and path.resolve() == Path(other).resolve():
            raise InputError(f"{path}: refusing to overwrite an input file; choose another output folder")


def refuse_folder(out: str | Path, names: Iterable[str], protect: tuple[Path, ...]) -> None:
    """Stop before the work where the files ``names`` could not be written in the folder ``out``: one
    of them is a ``protect``ed input (`refuse_input`), or the system lets no file be made there (in
    ``out``, or in the closest of its parents that exists, where it would be made; a file there cannot
    hold it), or a folder has the name of one."""
    for name in names:
        refuse_input(Path(out) / name, protect)
        if (Path(out) / name).is_dir():
            raise InputError(f"{Path(out) / name}: {_IN_THE_WAY}")
    folder = next(path for path in (Path(out), *Path(out).parents) if path.exists())  # ".", "/" at the end
    if not folder.is_dir():  # not the error of the first file to be written in it ("out/undone.json: Not a directory")
        made = "" if folder == Path(out) else f"cannot make this folder: {folder} "
        raise InputError(f"{out}: {made}is a file, not a folder; choose another output folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{out}: no permission to write in {folder.absolute()}/; choose another output folder")


def _sync(handle: BinaryIO) -> None:
    with handle:
        handle.flush()
        os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str, *, protect: tuple[Path, ...] = ()) -> Path:
    return write_bytes(path, text.encode("utf-8"), protect=protect)


def write_csv(path: str | Path, frame: pd.DataFrame, *, protect: tuple[Path, ...] = (), neutralize: bool = True) -> Path:
    """A UTF-8 CSV of ``frame`` (without its index), written atomically; a report read in a
    spreadsheet, whose formula cells get a leading ``'`` unless ``neutralize`` is false."""
    chunks = csv_chunks(frame, neutralized=[] if neutralize else None)
    return write_files({path: (chunk.encode("utf-8") for chunk in chunks)}, protect=protect)[0]


def csv_text(frame: pd.DataFrame, sep: str = ",", line_end: str = "\n") -> str:
    r"""``frame.to_csv(index=False, sep=sep, lineterminator=line_end)``, character for character,
    in half the time: text cells are quoted as the `csv` writer quotes them, other columns
    written as pandas writes them (a missing value blank). But a cell with a line break of
    either kind is always quoted: Python 3.11's writer leaves a ``\r`` bare in a file of ``\n``
    lines (and a ``\n`` in one of ``\r``), which every reader then splits into two rows.

    >>> frame = pd.DataFrame({"ID": ["007", "+1"], "score": [0.5, float("nan")], "note": ["a, b", None]})
    >>> csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")
    True
    """
    return "".join(csv_chunks(frame, sep, line_end))


def csv_chunks(frame: pd.DataFrame, sep: str = ",", line_end: str = "\n", rows: int = 8192,
               header: bool = True, neutralized: list[tuple[int, int, str]] | None = None) -> Iterator[str]:
    """`csv_text` of ``frame`` in pieces of ``rows`` rows, the header first (``header=False``:
    none, for a table written in several frames).

    Numbers become text one piece at a time, so that a large table's text is never whole in memory.
    Each cell's text is read several times (joined for the searches, then into the lines); a piece of
    8,192 rows stays in the processor's cache meanwhile, where one of 65,536 did not (the 1,000,000-row
    run's tables: 4.5 s of CPU time in 65,536-row pieces, 3.7 s in these).

    neutralized: when a list, every text cell a spreadsheet would run as a formula (`FORMULA_START`)
        is written with a leading ``'`` and listed in it as (column position, row, value).
    """
    if not frame.shape[1]:
        yield frame.to_csv(index=False, sep=sep, lineterminator=line_end, header=header)
        return
    columns = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype == object:  # text as it is, unless a piece holds something else
            columns.append(column.to_numpy())
        elif column.dtype.kind in "iufb":  # written value by value: as text piece by piece
            columns.append(column)
        else:  # dates and the like: pandas formats the column as a whole
            columns.append(_as_text(column))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator=line_end).writerow(frame.columns)
    header = buffer.getvalue() if header else ""
    special = frozenset(sep + '"\r\n')  # a line break of either kind: Python 3.11's writer leaves "\r" bare
    # a number's text (digits, a sign, a point, "e", "inf", "True") holds no quote, no line break, and no
    # separator but a letter, a digit or one of those signs: nothing to search it for
    plain_numbers = not (sep.isalnum() or sep in "+-.")
    for start in range(0, len(frame), rows):
        cells = []
        for position, column in enumerate(columns):
            if plain_numbers and isinstance(column, pd.Series):
                cells.append(_as_text(column.iloc[start:start + rows]))
                continue
            values, joined = _piece(column, start, start + rows)
            if neutralized is not None and not isinstance(column, pd.Series):  # a column of numbers holds none
                if formulas := formula_cells(values, joined):
                    neutralized += [(position, start + i, values[i]) for i in formulas]
                    for i in formulas:
                        values[i] = "'" + values[i]
                    joined = "\0".join(values)
            if any(character in joined for character in special):  # most columns hold none
                for i in _holding(values, joined, special):
                    values[i] = '"' + values[i].replace('"', '""') + '"'
            cells.append(values)
        if len(cells) == 1:  # a row of a single empty cell is written ""
            cells[0] = [value or '""' for value in cells[0]]
        yield header + _lines(cells, sep, line_end)
        header = ""
    if not len(frame):
        yield header


def _lines(cells: list[list[str]], sep: str, line_end: str) -> str:
    r"""The rows of the columns ``cells`` as lines of text: every cell in the file's order, each followed by
    ``sep`` or ``line_end``, joined at once (a third faster than joining the cells of each row, then the rows).

    >>> _lines([["a", "b"], ["1", "2"]], ",", "\n")
    'a,1\nb,2\n'
    """
    row = [None, sep] * (len(cells) - 1) + [None, line_end]
    text = row * len(cells[0])
    for position, values in enumerate(cells):
        text[2 * position::len(row)] = values
    return "".join(text)


def _piece(column: pd.Series | np.ndarray | list[str], start: int, stop: int) -> tuple[list[str], str]:
    """Rows ``start:stop`` of a column as the texts to write, and those texts joined by NUL
    (for one search of the whole piece)."""
    if isinstance(column, pd.Series):
        values = _as_text(column.iloc[start:stop])
    else:
        values = column[start:stop]
        values = values.tolist() if isinstance(values, np.ndarray) else values
        try:
            return values, "\0".join(values)
        except TypeError:  # not all text: numbers or missing values among the texts
            values = _as_text(pd.Series(values, dtype=object))
    return values, "\0".join(values)


def formula_cells(values: list[str], joined: str | None = None) -> list[int]:
    r"""The positions of the ``values`` a spreadsheet would run as formulas (`FORMULA_START`);
    ``joined``: ``"\0".join(values)``, when made already.

    >>> formula_cells(["+33 6 12 34 56 78", "=1+1", "", "-5", "@SUM(A1)", "+ VIP", "-5  "])
    [1, 4, 5]
    """
    joined = "\0".join(values) if joined is None else joined
    # most pieces of the files at 1,000,000 rows (2,522 of 4,299) hold none of those characters anywhere: six
    # searches of their text take a twentieth of the time of finding where each value starts
    if not any(character in joined for character in _FORMULA_FIRST):
        return []
    codes, starts = code_points(values, joined, utf8=True)  # the characters looked for are ASCII
    maybe = np.flatnonzero(_RISKY_BYTE[codes[starts]]).tolist()  # the few with a risky first character
    # each shape read once: the 348,698 such cells of the files at 1,000,000 rows, nearly all phone numbers that
    # start with "+", take 629 shapes ("+0 000-000-0000"); made by one translate of them all, four times as fast as
    # one each
    shapes = "\0".join([values[i] for i in maybe]).translate(_SHAPE).split("\0")
    if len(shapes) != len(maybe):  # a value holds a NUL itself (or there are none)
        shapes = [values[i].translate(_SHAPE) for i in maybe]
    formula = {shape: bool(FORMULA_START.search(shape)) for shape in set(shapes)}
    if not any(formula.values()):  # most pieces that get here (1,516 of 1,779 at 1,000,000 rows): no list to make
        return []
    return [i for i, shape in zip(maybe, shapes) if formula[shape]]


def _holding(values: list[str], joined: str, characters: frozenset[str]) -> list[int]:
    r"""The positions of the ``values`` (``joined`` by NUL) that hold one of ``characters``.

    >>> _holding(["a", "b,c", '"', "d"], "a\0b,c\0\"\0d", frozenset(',"'))
    [1, 2]
    """
    codes, starts = code_points(values, joined)
    held = np.zeros(len(codes), dtype=bool)
    for character in characters:  # a comparison each: np.isin took three times as long for these few
        held |= codes == ord(character)
    hits = np.flatnonzero(held)
    return sorted_distinct(np.searchsorted(starts, hits, side="right") - 1).tolist()  # the value each hit is in


def _as_text(column: pd.Series) -> list[str]:
    """A column that is not all text as pandas' ``to_csv`` writes it: a missing value blank."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":  # the decimal digits, by Arrow: twice as fast
        return pc.cast(pa.array(column.to_numpy()), pa.string()).to_numpy(zero_copy_only=False).tolist()
    if isinstance(column.dtype, np.dtype) and column.dtype == np.float64:
        # Python's own str of each distinct number (a score takes a few thousand values), told apart by its
        # bits (-0.0 is not 0.0): the same text, faster
        codes, bits = pd.factorize(column.to_numpy().view(np.int64))
        distinct = bits.view(np.float64)
        text = np.array(list(map(str, distinct.tolist())), dtype=object)
        text[np.isnan(distinct)] = ""
        return text[codes].tolist()
    return np.where(pd.isna(column.to_numpy(dtype=object)), "", column.astype(str).to_numpy(dtype=object)).tolist()


def write_figure(path: str | Path, figure: Figure, *, protect: tuple[Path, ...] = ()) -> Path:
    """A PNG of ``figure``, written atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return write_bytes(path, buffer.getvalue(), protect=protect)
