"""Review decisions, durable the moment they are made: an embedded SQLite file.

The store is an append-only log of events: ``decide`` (match / distinct / skip,
with a note, the surviving record and the winning value of each conflicting
field, with that value as the person saw it) and ``undo`` (retracts one earlier
batch of decisions). The current decisions are derived from the log: per pair,
the latest decision not undone.

Every event is committed in its own transaction in WAL mode with
``synchronous=FULL``: a kernel that dies after a click has lost nothing, and
another process (a second analyst, ``dedupe-kit run``) can read while one
person reviews. Each decision also keeps both record IDs and the SHA-256 of the
input, so a re-run on the same file — or on a new export of the same CRM, by
record ID — reuses the decisions: a store opened for an input reads every
decision in that input's rows.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_csv
from ..load import _BLANK, load, rows_of_record_ids

SCHEMA_VERSION = 1
FILE_NAME = "review.sqlite"
DECISIONS = ("match", "distinct", "skip")
#: The columns of `DecisionStore.decisions`, `export_csv` and `import_csv`.
CSV_COLUMNS = ["a", "b", "record_id_a", "record_id_b", "decision", "note", "survivor_row", "fields",
               "field_values", "reviewer", "decided_at"]

#: Free-text columns of the CSV, guarded against spreadsheet formulas.
_TEXT_COLUMNS = ("record_id_a", "record_id_b", "note", "reviewer")


def _guard(value) -> str | None:
    """``'=SUM(A1)`` for ``=SUM(A1)``: a spreadsheet shows the text instead of running it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "'"):
        return "'" + value
    return value


def _fields_json(fields: Mapping[str, int] | None) -> str:
    """``{column: source_row}`` as stored."""
    return json.dumps({str(k): int(v) for k, v in (fields or {}).items()}, sort_keys=True)


def _values_json(values: Mapping[str, str] | None) -> str:
    """``{column: the value picked}`` as stored."""
    return json.dumps({str(k): str(v) for k, v in (values or {}).items()}, sort_keys=True)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch        INTEGER NOT NULL,             -- the id of the first event of one action (a group is many pairs)
    kind         TEXT NOT NULL CHECK (kind IN ('decide', 'undo')),
    a            INTEGER,
    b            INTEGER,
    record_id_a  TEXT,
    record_id_b  TEXT,
    decision     TEXT CHECK (decision IS NULL OR decision IN ('match', 'distinct', 'skip')),
    note         TEXT NOT NULL DEFAULT '',
    survivor_row INTEGER,
    fields       TEXT NOT NULL DEFAULT '{}',   -- JSON {column: source_row whose value wins}
    field_values TEXT NOT NULL DEFAULT '{}',   -- JSON {column: that value, as picked}, '{}' in older stores
    undoes       INTEGER,                      -- for an undo: the batch it retracts
    reviewer     TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL,                -- UTC, ISO 8601
    input_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS events_pair ON events (a, b);
"""


#: The condition of a decide event that no undo retracted.
_NOT_UNDONE = "batch NOT IN (SELECT undoes FROM events WHERE kind = 'undo' AND undoes IS NOT NULL)"


def _now(after: str | None = None) -> str:
    """Now in UTC, to the millisecond; a millisecond after ``after`` (the store's latest event) when the
    clock has not moved on since, so that two decisions never share a time: the lines of one time and
    reviewer are one decision when a CSV is imported (`DecisionStore.import_csv`)."""
    now = dt.datetime.now(dt.timezone.utc)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as written: 12:00:00.123950 is .123
    try:
        latest = dt.datetime.fromisoformat(after) if after else None
    except ValueError:  # a time imported as typed by hand
        latest = None
    if latest is not None and latest.tzinfo is not None and now <= latest:
        now = latest + dt.timedelta(milliseconds=1)
    return now.isoformat(timespec="milliseconds")


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return ""


class DecisionStore:
    """The decisions of one run's output folder (``review.sqlite``), or any SQLite path.

    input_sha256: the SHA-256 of the input reviewed (`run.input_sha256`: of its bytes, and the sheet's name
        for a workbook's sheet other than its first), stored with every decision.
    record_ids: that input's record-ID column, when it has one: a decision made
        on another input is read in this one's rows by its two record IDs.
    reviewer: who decides (default: the login name).

    Reading (`decisions`, `batch_pairs`), a decision made on this input is in
    its rows as stored, and so is one made on an unknown input (no SHA-256, e.g.
    imported by hand) without record IDs to follow. One made on another input
    is found again by record ID, or left out when a record is gone, when its
    record ID is on several rows, or when the input has no record-ID column (a
    warning says so). The latest decision on a pair of records wins.
    """

    def __init__(self, path: str | Path, *, input_sha256: str | None = None, record_ids: np.ndarray | None = None,
                 reviewer: str | None = None) -> None:
        path = Path(path)
        self.path = path / FILE_NAME if path.is_dir() else path
        self.input_sha256 = input_sha256
        self.record_ids = record_ids
        self._row_of: dict[str, int] | None = None  # record ID -> row, made when first needed
        self.reviewer = default_reviewer() if reviewer is None else reviewer
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            row = self._open()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if isinstance(exc, sqlite3.OperationalError):  # locked, read-only: not the file's fault
                raise InputError(f"{self.path}: cannot open the review store: {exc}") from None
            raise InputError(f"{self.path}: damaged, not a review store ({exc}); put back a good copy, or move it "
                             "out of the folder and run again without its review decisions") from None
        if row is not None and row[0] != SCHEMA_VERSION:
            self._conn.close()
            raise InputError(f"{self.path}: review store has schema version {row[0]}, this dedupe_kit reads "
                             f"version {SCHEMA_VERSION}; open it with the matching dedupe_kit version")

    def _open(self) -> tuple | None:
        """Set the store up (WAL, its tables); its schema version, ``None`` for a new store."""
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        with self._transaction() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            if "field_values" not in {c[1] for c in conn.execute("PRAGMA table_info(events)")}:  # a store made before
                conn.execute("ALTER TABLE events ADD COLUMN field_values TEXT NOT NULL DEFAULT '{}'")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        return row

    # --- connection ---------------------------------------------------------------------------

    def _transaction(self):
        return _Transaction(self._conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DecisionStore({str(self.path)!r})"

    # --- writing ------------------------------------------------------------------------------

    def decide(self, pairs: list[tuple[int, int]] | tuple[int, int], decision: str, *, note: str = "",
               survivor_row: int | None = None, fields: Mapping[str, int] | None = None,
               field_values: Mapping[str, str] | None = None, record_ids: Mapping[int, str] | None = None,
               reviewer: str | None = None, decided_at: str | None = None,
               others: list[tuple[tuple[int, int], str]] = (), of_input: bool = True) -> int:
        """Record one decision on one pair ``(a, b)`` or on several at once (a group),
        committed before returning. Returns the batch id, for `undo`.

        field_values: ``{column: value}`` of the values of ``fields`` as the person picked them: the merge
            applies a pick only while the record still holds that value (none stored: whatever it holds).

        others: more ``(pair, decision)`` of the same batch, without survivor or
            fields (a group split: the records matched are "distinct" from the rest).
        of_input: made on this store's input; ``False``: on an unknown one (an imported
            CSV's), whose records are found by their record IDs when it has them.
        """
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        pairs = [pairs] if isinstance(pairs, tuple) else list(pairs)
        if any(what not in DECISIONS for _, what in others):
            raise ValueError(f"decisions must be among {', '.join(DECISIONS)}")
        if not pairs and not others:
            raise ValueError("decide needs at least one pair")
        survivor = None if survivor_row is None else int(survivor_row)
        events = [(p, decision, note, survivor, _fields_json(fields), _values_json(field_values)) for p in pairs] + [
            (p, what, note, None, "{}", "{}") for p, what in others]
        return self._write(events, record_ids or {}, reviewer, decided_at, of_input)

    def _write(self, events: list[tuple[tuple[int, int], str, str, int | None, str, str]],
               record_ids: Mapping[int, str], reviewer: str | None, decided_at: str | None, of_input: bool) -> int:
        """Commit one batch of ``(pair, decision, note, survivor_row, fields as JSON, field_values as JSON)``;
        returns its id."""
        who = self.reviewer if reviewer is None else reviewer
        with self._transaction() as conn:
            when = decided_at or _now(self._latest_time(conn))
            batch = None
            for (a, b), what, note, survivor, fields_json, values_json in events:
                a, b = (int(a), int(b)) if a < b else (int(b), int(a))
                cur = conn.execute(
                    "INSERT INTO events (batch, kind, a, b, record_id_a, record_id_b, decision, note, survivor_row,"
                    " fields, field_values, reviewer, decided_at, input_sha256)"
                    " VALUES (0, 'decide', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a, b, record_ids.get(a), record_ids.get(b), what, note or "", survivor, fields_json, values_json,
                     who, when, self.input_sha256 if of_input else None))
                batch = batch or cur.lastrowid
                conn.execute("UPDATE events SET batch = ? WHERE id = ?", (batch, cur.lastrowid))
        return int(batch)

    @staticmethod
    def _latest_time(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT decided_at FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else row[0]

    def undo(self, batch: int | None = None, *, reviewer: str | None = None) -> int | None:
        """Retract a batch of decisions (default: the latest one not yet undone).
        Returns the batch undone, or ``None`` when there is nothing to undo."""
        with self._transaction() as conn:
            batch = self.latest_batch() if batch is None else batch
            if batch is None:
                return None
            conn.execute("INSERT INTO events (batch, kind, undoes, reviewer, decided_at) VALUES (0, 'undo', ?, ?, ?)",
                         (int(batch), self.reviewer if reviewer is None else reviewer, _now()))
            conn.execute("UPDATE events SET batch = id WHERE batch = 0")
        return int(batch)

    # --- reading ------------------------------------------------------------------------------

    def events(self) -> pd.DataFrame:
        """The whole log, oldest first."""
        return pd.read_sql_query("SELECT * FROM events ORDER BY id", self._conn)

    def last_event(self) -> int:
        """The id of the log's latest event (0: none): it changes with every decision or undo, of any review."""
        return int(self._conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])

    def latest_batch(self) -> int | None:
        """The latest batch of decisions not undone, or ``None``."""
        row = self._conn.execute(f"SELECT max(batch) FROM events WHERE kind = 'decide' AND {_NOT_UNDONE}").fetchone()
        return None if row[0] is None else int(row[0])

    def batch_pairs(self, batch: int) -> list[tuple[int, int]]:
        """The pairs of one batch, in this input's rows (see the class)."""
        frame = self._in_rows(self._events("batch = ?", (int(batch),)))[0]
        return list(zip(frame["a"].astype(np.int64).tolist(), frame["b"].astype(np.int64).tolist()))

    def decisions(self, *, warn: bool = True) -> pd.DataFrame:
        """The current decision of every decided pair (latest not undone), oldest first, in
        this input's rows (see the class): ``a, b, record_id_a, record_id_b, decision, note,
        survivor_row`` (Int64), ``fields`` (dict), ``field_values`` (dict: those values as picked; ``{}`` in
        a decision stored before they were), ``reviewer, decided_at, batch``. What
        ``run(..., decisions=)`` takes.

        When some were made on another input, a warning counts those of them that stand (the
        latest on a pair, a match or not a match) reused by record ID, the matches already merged (a
        record gone: merged away) and those left out. Its text
        is in ``attrs["warnings"]`` too, which `Result.warnings` shows (``warn=False``: only there)."""
        frame, lost = self._in_rows(self._events(_NOT_UNDONE))
        frame = frame.drop_duplicates(["a", "b"], keep="last")
        text = self._reuse_warning(frame[frame["moved"]], lost)
        frame = frame.drop(columns=["id", "input_sha256", "moved"])
        frame["a"], frame["b"] = frame["a"].astype(np.int64), frame["b"].astype(np.int64)
        frame = frame.reset_index(drop=True)
        frame.attrs["warnings"] = [text] if text else []
        if text and warn:
            warnings.warn(text, stacklevel=2)
        return frame

    def _reuse_warning(self, reused: pd.DataFrame, lost: pd.DataFrame) -> str | None:
        """How many standing decisions made on another input are ``reused`` (found by record ID, not
        decided again since) and how many ``lost`` (their records not found; a match among them already
        merged when a record is gone), in words; ``None``: none.
        Skips count in neither: they decide nothing."""
        # a pair decided again on an input before this one is one decision, the latest (found by its
        # record IDs; one without both is a pair of its own)
        pair = [frozenset((x, y)) if x and y else f"event {at}"
                for x, y, at in zip(lost["record_id_a"], lost["record_id_b"], lost["id"])]
        lost = lost[~pd.Series(pair, dtype=object).duplicated(keep="last").to_numpy()]
        found, gone = (int(part["decision"].isin(("match", "distinct")).sum()) for part in (reused, lost))
        if self.record_ids is None:
            return (f"{self.path}: {gone} decision(s) were made on another input, which has no record-ID column to "
                    "find the same records again; they are not reused") if gone else None
        # a match whose records are each here or gone altogether (none blank, none on several rows now) was
        # carried out: the merge took its merged-away record out of the CRM
        row_of, ids = self.rows_of_ids(), set(self.record_ids) if len(lost) else set()
        done = np.array([what == "match" and all(i and (i in row_of or i not in ids) for i in (x, y))
                         for x, y, what in zip(lost["record_id_a"], lost["record_id_b"], lost["decision"])], dtype=bool)
        merged, lost = int(done.sum()), lost[~done]
        gone -= merged
        if not found and not gone and not merged:
            return None
        # a "not a match" lost no longer keeps its people apart (one merged away into a record the other may join)
        apart = [f"{x or '?'} / {y or '?'}" for x, y, what in zip(lost["record_id_a"], lost["record_id_b"],
                                                                 lost["decision"]) if what == "distinct"]
        return (f"{self.path}: {found} decision(s) made on another version of the input are reused by record ID"
                + (f"; {merged} match(es) already merged (their merged-away record is gone)" if merged else "")
                + (f"; {gone} are not: a record they name is gone, or its record ID is blank or on several rows now"
                   if gone else "")
                + (f" (among them 'not a match' on {', '.join(apart[:5])}{', …' if len(apart) > 5 else ''}, which "
                   "no longer keeps those people apart: review their pairs again)" if apart else ""))

    def _events(self, where: str, parameters: tuple = ()) -> pd.DataFrame:
        """The decide events that meet ``where``, oldest first, ``fields`` and ``field_values`` read."""
        frame = pd.read_sql_query(
            "SELECT a, b, record_id_a, record_id_b, decision, note, survivor_row, fields, field_values, reviewer,"
            f" decided_at, batch, id, input_sha256 FROM events WHERE kind = 'decide' AND {where} ORDER BY id",
            self._conn, params=parameters)
        for column in ("fields", "field_values"):
            frame[column] = [json.loads(f) for f in frame[column]]
        frame["survivor_row"] = frame["survivor_row"].astype("Int64")
        return frame

    def _in_rows(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Events in this input's rows, oldest first (see the class), ``moved`` when made on another
        input and found by record ID; and the events made on another input that are not found."""
        frame = frame.assign(moved=False)
        if self.input_sha256 is None and self.record_ids is None:
            return frame, frame.iloc[:0]  # a store opened for no input in particular: rows as stored
        sha = frame["input_sha256"]
        no_ids = frame["record_id_a"].isna() | frame["record_id_b"].isna() | (self.record_ids is None)
        here = (sha == self.input_sha256) | (sha.isna() & no_ids)
        moved = frame[~here].copy()
        if moved.empty or self.record_ids is None:
            return frame[here], moved
        row_of = self.rows_of_ids()
        new_a, new_b = moved["record_id_a"].map(row_of), moved["record_id_b"].map(row_of)
        new_row = {}  # (batch, old row) -> new row: a batch is one action, on one input
        for batch, old_a, old_b, a, b in zip(moved["batch"], moved["a"], moved["b"], new_a, new_b):
            new_row.update({(batch, int(old)): int(new) for old, new in ((old_a, a), (old_b, b)) if pd.notna(new)})
        moved["survivor_row"] = pd.array([new_row.get((batch, int(r))) if pd.notna(r) else None
                                          for batch, r in zip(moved["batch"], moved["survivor_row"])], dtype="Int64")
        moved["fields"] = [{c: new_row[batch, int(r)] for c, r in f.items() if (batch, int(r)) in new_row}
                           for batch, f in zip(moved["batch"], moved["fields"])]
        # a < b in this input's rows, each record ID staying with its row
        swap = (new_a > new_b).to_numpy()
        moved["a"], moved["b"] = np.where(swap, new_b, new_a), np.where(swap, new_a, new_b)
        id_a, id_b = moved["record_id_a"].to_numpy(), moved["record_id_b"].to_numpy()
        moved["record_id_a"], moved["record_id_b"] = np.where(swap, id_b, id_a), np.where(swap, id_a, id_b)
        moved["moved"] = True
        found = (new_a.notna() & new_b.notna()).to_numpy()
        parts = [part for part in (frame[here], moved[found]) if len(part)]
        return (pd.concat(parts).sort_values("id", kind="stable") if parts else frame.iloc[:0]), moved[~found]

    def rows_of_ids(self) -> dict[str, int] | None:
        """The row of each record ID of this input (``None`` without record IDs), made when first needed."""
        if self._row_of is None and self.record_ids is not None:  # an ID on several rows finds none, nor a blank one
            self._row_of = rows_of_record_ids(self.record_ids)
        return self._row_of

    def counts(self) -> dict[str, int]:
        """How many pairs carry each decision now."""
        counts = self.decisions()["decision"].value_counts()
        return {d: int(counts.get(d, 0)) for d in DECISIONS}

    # --- CSV ----------------------------------------------------------------------------------

    def export_csv(self, path: str | Path) -> Path:
        """The current decisions as CSV (``fields`` and ``field_values`` as JSON), written atomically.

        A text cell starting with ``=``, ``+``, ``-``, ``@`` (or ``'``) gets a leading
        ``'`` so that a spreadsheet does not run it as a formula; `import_csv` removes it.
        """
        frame = self.decisions()[CSV_COLUMNS].copy()
        for column in ("fields", "field_values"):
            frame[column] = [json.dumps(f, sort_keys=True) for f in frame[column]]
        for column in _TEXT_COLUMNS:
            frame[column] = [_guard(v) for v in frame[column]]
        return write_csv(path, frame, neutralize=False)  # guarded above, as `import_csv` reads it back

    def import_csv(self, path: str | Path, *, reviewer: str | None = None, by_record_id: str | None = None) -> int:
        """Append the decisions of a CSV written by `export_csv` (or by hand: ``a, b,
        decision`` are required), in UTF-8 or the encoding a spreadsheet saved it in again (cp1252...).
        Returns how many were imported (none, with a warning, from a file with its header row alone). A
        decision of the CSV that stands in the store already (the same on the same records: the file imported
        again, or exported from this store) is not imported again, with a warning that counts them.

        A decision with both record IDs finds its records by them (the CSV may come from
        another version of the file; one whose records are all on the rows it names is stored as made
        on this store's input, as it was); one without, by its rows ``a`` and ``b``, which are this input's:
        it is stored as made on it, with their record IDs, to be found by them on another version. The lines of one
        time and reviewer (``decided_at``, ``reviewer``: a group decided at once) are one batch,
        undone at once, whose survivor and winning values are found by the IDs of all its lines.

        The latest decision on a pair stands, by ``decided_at`` (blank or no time: the import's), whatever the order
        of the lines: they are stored oldest first, and one older than the match or not a match standing on its
        records in the store (or a skip beside one) is not imported; warnings say so, and count the pairs that are
        both a match and not a match in the file.

        by_record_id: why a line that names its records by their rows alone (without both record IDs) is refused,
        naming it (`ReviewState.import_csv`: a review of a folder run on another input since); ``None``: read."""
        path = Path(path)
        data = path.read_bytes()
        if _BLANK.fullmatch(data):  # decode would ask for the contacts' header
            raise InputError(f"{path}: the file is empty: it holds no decisions, not even the header row "
                             "(a, b, decision...) that export_csv writes")
        # read as an export is: as saved again by a spreadsheet (cp1252, ';'), and a row that does not fit the
        # header (a quote left open, a NUL) named by the line it starts on, which a bad cell is named by too
        read = load(path)
        frame, lines = read.frame, read.lines.tolist()
        for column in _TEXT_COLUMNS:
            if column in frame:
                frame[column] = [v[1:] if v.startswith("'") else v for v in frame[column]]
        missing = [c for c in ("a", "b", "decision") if c not in frame.columns]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}; export decisions with export_csv")
        if frame.empty:
            warnings.warn(f"{path}: holds no decisions, only its header row; nothing imported", stacklevel=2)
            return 0
        bad = ~frame["decision"].isin(DECISIONS)
        if bad.any():
            line = lines[int(np.flatnonzero(bad)[0])]
            raise InputError(f"{path}, line {line}, column 'decision': {frame['decision'][bad].iloc[0]!r} is not "
                             f"one of {', '.join(DECISIONS)}")
        # one batch per decision of the CSV's store (its rows share the time and the reviewer), so that its
        # survivor and winning values find their records by ID even on a pair that does not hold them
        # (every line read before any is written: a file with a bad cell imports nothing)
        rows_in = None if self.record_ids is None else len(self.record_ids)
        batches: dict[tuple[str, str], list[tuple[dict, tuple]]] = {}
        for line, row in zip(lines, frame.to_dict("records")):
            if by_record_id and not (row.get("record_id_a") and row.get("record_id_b")):
                raise InputError(f"{path}, line {line}: names its records by their rows alone, without record_id_a "
                                 f"and record_id_b; {by_record_id}; nothing imported")
            batches.setdefault((row.get("decided_at") or f"line {line}", row.get("reviewer") or ""), []).append(
                (row, _read_line(path, line, row, rows_in)))
        standing = self.decisions(warn=False)
        latest = {(a, b): (what, at) for a, b, what, at in zip(*(standing[c] for c in ("a", "b", "decision",
                                                                                 "decided_at")))}
        standing = {(a, b): (what, note, None if pd.isna(survivor) else int(survivor), fields) for a, b, what, note,
                    survivor, fields in zip(*(standing[c] for c in ("a", "b", "decision", "note", "survivor_row",
                                                                     "fields")))}
        by_ids, times = self._standing_by_ids()
        latest.update({key: (what, times[key]) for key, (what, *_) in by_ids.items()})
        # the latest decision on a pair stands: the file's are written oldest first, whatever its order of lines
        batches = dict(sorted(batches.items(), key=lambda batch: ((at := _moment(batch[0][0])) is None, at or 0)))
        imported = superseded = 0
        contradicted: dict[object, set[str]] = {}  # the decisions of the file on each pair of records
        for (when, _), rows in batches.items():
            ids, events = {}, []
            for row, (a, b, survivor, fields, values) in rows:
                ids.update({r: i for r, i in ((a, row.get("record_id_a")), (b, row.get("record_id_b"))) if i})
                events.append(((a, b), row["decision"], row.get("note", ""), survivor, _fields_json(fields),
                               _values_json(values)))
            if self.record_ids is not None:  # a row named without its record ID is one of this input's (`_read_line`)
                for r in {r for (a, b), *_ in events for r in (a, b)} - set(ids):
                    ids[r] = str(self.record_ids[r])
            for event in events:
                contradicted.setdefault(self._key(ids, event[0]), set()).add(event[1])
            if all(self._stands(standing, by_ids, ids, *event) for event in events):
                continue
            # not one that a later match or not a match on its records stands over (nor a skip: it decides nothing)
            later = [self._superseded(latest, ids, event[0], event[1], when) for event in events]
            superseded += sum(later)
            events = [event for event, old in zip(events, later) if not old]
            if not events:
                continue
            imported += len(events)
            # made on this input when each record is on the row the CSV names: read as this input's decisions
            here = self.input_sha256 is not None and self.record_ids is not None and all(
                0 <= r < len(self.record_ids) and self.record_ids[r] == ids.get(r)
                for (a, b), *_ in events for r in (a, b))
            first = rows[0][0]
            self._write(events, ids, first.get("reviewer") or reviewer, first.get("decided_at") or None, of_input=here)
            latest.update({self._key(ids, pair): (what, first.get("decided_at") or None)
                           for pair, what, *_ in events if what in ("match", "distinct")})
        if both := sum({"match", "distinct"} <= found for found in contradicted.values()):
            warnings.warn(f"{path}: {both} pair(s) of records are both a match and not a match in it; the latest "
                          "decision on each (by decided_at, else the last line) stands", stacklevel=2)
        if superseded:
            warnings.warn(f"{path}: {superseded} of its decision(s) are older than the match or not a match standing "
                          "on the same records in the store (or are skips, which decide nothing); they are not "
                          "imported: the later decision stands", stacklevel=2)
        if already := len(frame) - imported - superseded:
            warnings.warn(f"{path}: {already} of its {len(frame)} decision(s) are in the store already (the same "
                          "decision standing on the same records); they are not imported again", stacklevel=2)
        return imported

    def _stands(self, standing: Mapping[tuple[int, int], tuple], by_ids: Mapping[frozenset, tuple],
                ids: Mapping[int, str], pair: tuple[int, int], decision: str, note: str, survivor: int | None,
                fields_json: str, values_json: str) -> bool:
        """Whether a decision of an imported batch (``ids``: the record ID of its rows) is the one ``standing``
        (`decisions`, by pair) on its records already, read in this input's rows as `decisions` reads it; or, on
        records this input does not hold, the one standing on their record IDs (``by_ids``, `_standing_by_ids`).
        The values picked (``values_json``) do not tell: they are those of the records it names."""
        key = self._key(ids, pair)
        fields = json.loads(fields_json)
        if isinstance(key, frozenset):
            return by_ids.get(key) == (
                decision, note, None if survivor is None else ids.get(survivor),
                {column: ids.get(row) for column, row in fields.items()})
        return standing.get(key) == (
            decision, note, None if survivor is None else self._here(ids, survivor),
            {column: self._here(ids, row) for column, row in fields.items()})

    def _here(self, ids: Mapping[int, str], row: int) -> int | None:
        """The row in this input of an imported batch's ``row`` (``ids``: the record ID of its rows), found by its
        record ID (``None``: not held); the row itself without one."""
        row_of = self.rows_of_ids()
        return row_of.get(ids[row]) if row_of is not None and ids.get(row) else row

    def _key(self, ids: Mapping[int, str], pair: tuple[int, int]) -> tuple[int, int] | frozenset:
        """The records of ``pair`` of an imported batch (``ids``: the record ID of its rows): their rows in this
        input, as `decisions` reads them, or their record IDs when this input does not hold them."""
        rows = [self._here(ids, r) for r in pair]
        return frozenset(ids.get(r) for r in pair) if None in rows else tuple(sorted(rows))

    def _superseded(self, latest: Mapping[object, tuple[str, str | None]], ids: Mapping[int, str],
                    pair: tuple[int, int], decision: str, when: str) -> bool:
        """Whether an imported decision on ``pair`` (``ids``: the record ID of its batch's rows; decided ``when``)
        gives way to the match or not a match ``latest`` on its records (`_key`: ``(decision, decided_at)``):
        decided after it, or whatever its time when it is a skip, which decides nothing."""
        standing, at = latest.get(self._key(ids, pair), (None, None))
        if standing not in ("match", "distinct"):
            return False
        return decision == "skip" or (_moment(at) or pd.Timestamp.min.tz_localize("UTC")) > (
            _moment(when) or pd.Timestamp.max.tz_localize("UTC"))

    def _standing_by_ids(self) -> tuple[dict[frozenset, tuple], dict[frozenset, str]]:
        """The decision standing on each pair of record IDs in the store, made on any input, with its survivor
        and winning values by record ID: ``{frozenset((id_a, id_b)): (decision, note, survivor, {column: id})}``;
        and the time of each, ``{frozenset((id_a, id_b)): decided_at}``."""
        frame = self._events(_NOT_UNDONE)
        named = [isinstance(x, str) and isinstance(y, str) and x != "" != y
                 for x, y in zip(frame["record_id_a"], frame["record_id_b"])]
        id_of = {}  # (batch, row) -> record ID: a batch is one action, on one input
        for batch, a, b, x, y in zip(*(frame[c] for c in ("batch", "a", "b", "record_id_a", "record_id_b"))):
            id_of.update({(batch, int(r)): i for r, i in ((a, x), (b, y)) if isinstance(i, str) and i})
        frame = frame[np.array(named, dtype=bool)]
        pairs = [frozenset(pair) for pair in zip(frame["record_id_a"], frame["record_id_b"])]
        return ({pair: (what, note, None if pd.isna(s) else id_of.get((batch, int(s))),
                        {column: id_of.get((batch, int(r))) for column, r in fields.items()})
                 for pair, batch, what, note, s, fields in zip(pairs, *(frame[c] for c in (
                     "batch", "decision", "note", "survivor_row", "fields")))},
                dict(zip(pairs, frame["decided_at"])))


def _moment(text: str | None) -> pd.Timestamp | None:
    """A decision's ``decided_at`` in UTC (one without a zone read as UTC), or ``None`` when it is blank or no time.

    >>> _moment("2024-05-01T12:00:00.000+02:00"), _moment("2024-05-01 10:00"), _moment("line 3")
    (Timestamp('2024-05-01 10:00:00+0000', tz='UTC'), Timestamp('2024-05-01 10:00:00+0000', tz='UTC'), None)
    """
    try:
        moment = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    if pd.isna(moment):
        return None
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def _read_line(path: Path, line: int, row: Mapping[str, str], rows_in: int | None
               ) -> tuple[int, int, int | None, dict[str, int] | None, dict[str, str] | None]:
    """``a, b, survivor_row, fields, field_values`` of one line of a decisions CSV (a file exported before
    ``field_values`` was has none), or an error that names the file, the line and the column. ``rows_in``: how
    many rows the input has, when known; a row there without a record ID to find it by must be one of them."""
    def number(column: str, value, rows: int | None = None) -> int:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or (rows is not None and int(text) >= rows):
            within = f" (it has {rows:,}: 0 to {rows - 1:,})" if rows is not None else ""
            raise InputError(f"{path}, line {line}, column {column!r}: {value!r} is not a row of the input{within}; "
                             "rows are counted from 0, the first after the header")
        return int(text)

    def mapping(column: str, what: str, example: str) -> dict | None:
        try:
            found = json.loads(row[column]) if row.get(column) else None
        except json.JSONDecodeError:
            found = []
        if found is not None and not isinstance(found, dict):
            raise InputError(f"{path}, line {line}, column {column!r}: {row[column]!r} is not {what} as export_csv "
                             f"writes it, such as {example}")
        return found

    a, b = (number(c, row[c], None if row.get(f"record_id_{c}") else rows_in) for c in ("a", "b"))
    if a == b:
        raise InputError(f"{path}, line {line}: a and b are both row {a}; a decision is on two records")
    survivor = number("survivor_row", row["survivor_row"]) if row.get("survivor_row") else None
    fields = mapping("fields", "the winning row of each column", '{"Email": 12}')
    values = mapping("field_values", "the value picked in each column", '{"Email": "ada@example.com"}')
    return (a, b, survivor, fields and {column: number("fields", at) for column, at in fields.items()},
            values and {column: str(value) for column, value in values.items()})


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error): one writer at a time, all or nothing."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def stored_decisions(out_dir: str | Path, contacts) -> pd.DataFrame | None:
    """The decisions in ``out_dir/review.sqlite`` for a run on ``contacts``, or
    ``None`` when there is no store — what ``dedupe-kit run`` passes to `run`. How many
    made on another input are reused is no Python warning but one of the run's (``attrs``)."""
    path = Path(out_dir) / FILE_NAME
    if not path.exists():
        return None
    with DecisionStore(path, **input_of(contacts)) as store:
        frame = store.decisions(warn=False)  # the summary's warnings say how many are reused
    return frame if len(frame) or frame.attrs["warnings"] else None


def input_of(contacts) -> dict:
    """`DecisionStore`'s ``input_sha256`` and ``record_ids`` for an input."""
    from ..run import input_sha256, record_ids

    return {"input_sha256": input_sha256(contacts),
            "record_ids": record_ids(contacts) if contacts.field_map.record_id is not None else None}
