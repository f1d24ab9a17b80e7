"""The review, without any widget: the queue, the current item, decisions, undo and back.

`ReviewState` turns a run's `Result` into a queue of what needs a person — the
pairs in the review band and the groups that chain three or more records — and
writes every decision at once to a `DecisionStore`. The widget (`app.py`), a
Voila page or a script drive the same object.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA, JaroWinkler

from ..cluster import cluster
from ..errors import InputError
from ..merge import column_rules, holds_pick, kept_columns, placeholder_cells, survivor_among
from ..names import nickname_equivalent
from ..normalize import (column_day_first, country_region, date_key, display, is_placeholder, moments,
                         placeholder_date)
from ..run import Result, input_sha256, load_run, read_run_info, record_ids, run, run_info
from .store import FILE_NAME, DecisionStore, input_of

#: What a queue item can be filtered by, from the comparison levels of its pairs.
REASONS = ("same phone", "same email", "same external ID", "name only")
#: Queue orders: most uncertain first (|log-odds| smallest), highest score first, groups first.
ORDERS = ("uncertain", "score", "group")
#: How two or more values of a field compare.
MARKS = ("same", "similar", "different", "missing")
SIMILAR = 0.85  # Jaro-Winkler similarity of the folded values
#: Said first of a pair scored to merge whose records the groups keep apart (`cluster`).
APART = ("scored to merge, but the groups keep these two records apart (two external IDs, a 'not a match', "
         "or one weak link): a person says whether they are one; ")
#: An item's decision: none yet, match, distinct or skip.
_CODES = ("", "match", "distinct", "skip")
#: What a skip leaves as it is: a person said "not sure" about the pair, not that they changed their mind.
_STANDING = ("match", "distinct")

_NAMES_COLUMN = {"first_name": "first", "last_name": "last", "full_name": "full", "company": "company",
                 "city": "city", "postcode": "postcode", "birth_date": "birth_date", "address": "address"}
_ID_KIND = {"emails": "email", "phones": "phone", "external_ids": "external_id"}


@dataclass(frozen=True)
class Item:
    """One thing to review: a pair, or a group of three or more records linked by accepted pairs.

    index: its number in the state's list of items (stable while the state lives).
    pairs: the pairs a decision on it is written for (a group: the links that join it).
    probability, weight: the pair's score (a group: its weakest link not yet confirmed by a person).
    reasons: the filter tags (`REASONS`) it has.
    """

    index: int
    kind: str
    rows: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...]
    probability: float
    weight: float
    reasons: tuple[str, ...]


class ReviewState:
    """The review of one run: a queue over its `Result`, decisions written to ``store``.

    order: ``"uncertain"`` (default: probability closest to 0.5 first),
        ``"score"`` (highest first) or ``"group"`` (groups first, largest first).
    reasons: keep only items with any of these tags (`REASONS`); ``None``: all.
    score_range: keep only items whose probability is in ``[low, high]``.
    """

    def __init__(self, result: Result, store: DecisionStore, *, order: str = "uncertain",
                 reasons: Iterable[str] | None = None, score_range: tuple[float, float] = (0.0, 1.0)) -> None:
        self.result, self.store = result, store
        self._record_id = record_ids(result.contacts)
        self._seen = store.last_event()  # the store as read: a later event is another review's (`_reload`)
        decided = store.decisions()  # read once: the queue's items and their decisions both ask
        self._build_items(result, decided)
        self._build_lookups(result)
        self._reasons = self._all_reasons(result)
        self._decision: dict[tuple[int, int], str] = {}
        self._load_decisions(decided)
        # the items seen before, the latest last: when reopened, those decided, as their latest decision came
        seen = [self._item_of_pair[p] for p in zip(decided["a"].tolist(), decided["b"].tolist())
                if p in self._item_of_pair]
        self._history: list[int] = list(dict.fromkeys(reversed(seen)))[::-1]
        self._order, self._filter_reasons, self._score_range = "uncertain", None, (0.0, 1.0)
        self._view = np.zeros(0, dtype=np.int64)
        self._pos: int | None = None
        self._own: set[int] = set()  # the batches of this review's decisions
        self._opened_after = store.latest_batch() or 0  # one above it, not of this review: made elsewhere since
        #: who made the decision the latest `undo` took back, when made elsewhere since this review opened
        #: (another kernel or page on the folder, an import); ``None``: made in this review, or before it opened
        self.undone_by: str | None = None
        self._run_json: Path | None = None  # of the folder opened (`open_state`): run again since? (`_check_run`)
        self.set_view(order=order, reasons=reasons, score_range=score_range)

    # --- building the queue -------------------------------------------------------------------

    def _build_items(self, result: Result, decided: pd.DataFrame) -> None:
        pairs = result.pairs
        a, b = pairs["a"].to_numpy(np.int64), pairs["b"].to_numpy(np.int64)
        status, decision = pairs["status"].to_numpy(), pairs["decision"].to_numpy()
        groups = result.crosswalk["cluster_id"].to_numpy(np.int64)
        size = np.bincount(groups, minlength=len(groups))
        big = size[groups] >= 3 if len(groups) else np.zeros(0, dtype=bool)
        accepted = ((status == "auto") | (decision == "match")) & (groups[a] == groups[b]) & big[a]
        in_group = big[a] & big[b] & (groups[a] == groups[b])
        # and a pair merged automatically whose records the groups leave apart (`cluster`: a record without
        # an external ID linked to two of different IDs, a weak link), which went with one link to wait here
        apart = (status == "auto") & (groups[a] != groups[b])
        # a group decided at once (split: some records one person, the others not) is one item again when
        # reopened: its pairs the groups leave loose go with the group item of its other pairs, or make one
        batch_of = dict(zip(zip(decided["a"].tolist(), decided["b"].tolist()), decided["batch"].tolist()))
        loose: dict[int, list[int]] = {}
        for pid in np.flatnonzero((status == "reviewed") & ~in_group).tolist():
            loose.setdefault(batch_of.get((int(a[pid]), int(b[pid])), -pid), []).append(pid)
        pair_rows = np.flatnonzero((status == "review") | apart)
        pair_rows = np.sort(np.r_[pair_rows, [pids[0] for pids in loose.values() if len(pids) == 1]]).astype(np.int64)

        tags = np.zeros(len(pairs), dtype=np.uint8)
        if "phone" in pairs:
            tags |= (pairs["phone"].to_numpy() >= 2).astype(np.uint8) * 1
        if "email" in pairs:
            tags |= (pairs["email"].to_numpy() == 3).astype(np.uint8) * 2
        if "external_id" in pairs:
            tags |= (pairs["external_id"].to_numpy() == 1).astype(np.uint8) * 4
        tags |= (tags == 0).astype(np.uint8) * 8
        prob, weight = pairs["probability"].to_numpy(float), pairs["weight"].to_numpy(float)

        links = pd.DataFrame({"group": groups[a[accepted]], "pid": np.flatnonzero(accepted)})
        group_ids = np.unique(groups[big]) if big.any() else np.zeros(0, dtype=np.int64)
        link_of = links.groupby("group")["pid"].agg(list).to_dict()
        members = pd.Series(np.arange(len(groups))[big]).groupby(groups[big]).agg(tuple).to_dict() if big.any() else {}
        group_of_batch = {batch_of[pair]: g for g, pids in link_of.items() for pid in pids
                          if (pair := (int(a[pid]), int(b[pid]))) in batch_of}
        entries = [(list(link_of.get(g, [])), members[g]) for g in group_ids.tolist()]  # (links, records) of a group
        at = {g: k for k, g in enumerate(group_ids.tolist())}
        for batch, pids in loose.items():
            if batch in group_of_batch:
                entries[at[group_of_batch[batch]]][0].extend(pids)
            elif len(pids) > 1:
                entries.append((pids, ()))
        entries = [(np.asarray(pids, dtype=np.int64), tuple(sorted({*rows, *a[pids].tolist(), *b[pids].tolist()})))
                   for pids, rows in entries]

        n_pairs, n_groups = len(pair_rows), len(entries)
        self._pair_row = pair_rows                                   # item -> row of result.pairs (pairs only)
        self._apart = apart[pair_rows]
        self._kind = np.r_[np.zeros(n_pairs, dtype=np.int8), np.ones(n_groups, dtype=np.int8)]
        self._prob = np.r_[prob[pair_rows], np.zeros(n_groups)]
        self._weight = np.r_[weight[pair_rows], np.zeros(n_groups)]
        self._tags = np.r_[tags[pair_rows], np.zeros(n_groups, dtype=np.uint8)]
        self._size = np.r_[np.full(n_pairs, 2), np.zeros(n_groups, dtype=np.int64)]
        self._rows: list[tuple[int, ...]] = [(int(x), int(y)) for x, y in zip(a[pair_rows], b[pair_rows])]
        self._pairs: list[tuple[tuple[int, int], ...]] = [(r,) for r in self._rows]
        self._group_links: list[np.ndarray] = []
        for k, (pids, rows) in enumerate(entries):
            i = n_pairs + k
            # how doubtful the group is: its weakest link that no person has confirmed
            unconfirmed = pids[status[pids] == "auto"]
            weakest = unconfirmed[np.argmin(prob[unconfirmed])] if len(unconfirmed) else None
            self._prob[i] = prob[weakest] if weakest is not None else prob[pids].min() if len(pids) else 1.0
            self._weight[i] = weight[weakest] if weakest is not None else np.inf
            self._tags[i] = np.bitwise_or.reduce(tags[pids]) if len(pids) else 8
            self._size[i] = len(rows)
            self._rows.append(tuple(int(r) for r in rows))
            self._pairs.append(tuple((int(x), int(y)) for x, y in zip(a[pids], b[pids])))
            self._group_links.append(pids)
        self._n_pairs = n_pairs
        self._item_of_pair = {p: i for i, ps in enumerate(self._pairs) for p in ps}
        self._items_of_pair: dict[tuple[int, int], set[int]] = {}  # a pair may be a group's and its own item
        for i, ps in enumerate(self._pairs):
            for p in ps:
                self._items_of_pair.setdefault(p, set()).add(i)

    def _build_lookups(self, result: Result) -> None:
        contacts = result.contacts
        self._values = contacts.frame.to_numpy(dtype=object)                   # row, column -> raw text
        roles = contacts.field_map.to_frame(contacts.columns)
        self.roles: dict[str, str] = dict(zip(roles["column"], roles["role"]))
        mapped = [c for c in contacts.field_map.columns() if c in self.roles]
        self.columns: list[str] = mapped + [c for c in contacts.columns if c not in set(mapped)]
        self._col_index = {c: i for i, c in enumerate(contacts.columns)}
        self._kept = set(kept_columns(contacts.field_map))  # always the survivor's value: no winner to pick
        # the values of all the records kept (emails, phones, notes, tags): a blank never wins there
        rules = column_rules(contacts.field_map, result.config.merge, contacts.columns)
        self._joined_columns = {column for column, rule in rules.items() if rule == "union"}
        self._day_first = {c: column_day_first(contacts.frame, c) for c, role in self.roles.items() if role in _DATE_ROLES}
        ids = result.normalized.identifiers.sort_values(["source_row", "column"], kind="stable")
        self._ids_row = ids["source_row"].to_numpy(np.int64)
        self._ids_col = ids["column"].to_numpy(dtype=object)
        self._ids_kind = ids["kind"].to_numpy(dtype=object)
        self._ids_value = ids["value"].to_numpy(dtype=object)
        self._names = result.normalized.names

    # --- decisions ----------------------------------------------------------------------------

    def _load_decisions(self, frame: pd.DataFrame) -> None:
        self._decision = dict(zip(zip(frame["a"].tolist(), frame["b"].tolist()), frame["decision"].tolist()))
        # the records a match was written on (at some time): the only ones a person may have chosen a survivor for
        self._matched = np.zeros(len(self._record_id), dtype=bool)
        match = frame[frame["decision"] == "match"]
        self._matched[match["a"].to_numpy()] = self._matched[match["b"].to_numpy()] = True
        # one small integer per item (an index of _CODES): the queue's counts are then a bincount
        self._code = np.zeros(len(self._rows), dtype=np.int8)
        self._partly = np.zeros(len(self._rows), dtype=np.int64)  # pairs decided of an item not decided yet
        self._set_codes(range(len(self._rows)))

    def _derive(self, i: int) -> str:
        found = {self._decision.get(p, "") for p in self._pairs[i]}
        if "" in found or not found:
            return ""
        if len(found) == 1:
            return found.pop()
        if {"match", "distinct"} <= found:
            return "match"  # a group split: some of its records matched, the others kept apart
        return "skip"  # skipped, where a standing match or not a match on some of its pairs stays

    def _recode(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Work out again the decision of every item that holds one of ``pairs``: a pair waiting on its own
        may be a group's too, when a split matches two of its records that no link joins (`_bridges`)."""
        self._set_codes({i for p in pairs for i in self._items_of_pair.get(p, ())})

    def _set_codes(self, items: Iterable[int]) -> None:
        for i in items:
            self._code[i] = _CODES.index(self._derive(i))
            # a group some of whose pairs are decided (matched alone, then merged by a run with other records)
            self._partly[i] = 0 if self._code[i] else sum(p in self._decision for p in self._pairs[i])

    def _reload(self) -> None:
        """Read again the decisions standing in the store: another review of the folder (a second kernel, the
        page beside a notebook) may have decided or undone some since this one read them."""
        self._seen = self.store.last_event()
        decided = self.store.decisions(warn=False)  # how many are reused by record ID was said on opening
        standing = dict(zip(zip(decided["a"].tolist(), decided["b"].tolist()), decided["decision"].tolist()))
        pairs = set(standing) | set(self._decision)
        for p in pairs:
            if p in standing:
                self._decision[p] = standing[p]
            else:
                self._decision.pop(p, None)
        match = decided[decided["decision"] == "match"]
        self._matched[match["a"].to_numpy()] = self._matched[match["b"].to_numpy()] = True
        self._recode(pairs)

    def decision_of(self, item: Item | int) -> str:
        """The item's current decision: match / distinct / skip, or ``""`` (not yet)."""
        return _CODES[self._code[item.index if isinstance(item, Item) else item]]

    def decide(self, decision: str, *, note: str | None = None, survivor_row: int | None | str = "keep",
               fields: Mapping[str, int] | None | str = "keep", rows: Iterable[int] | None = None) -> Item | None:
        """Decide the current item (written to the store before returning) and move to the
        next undecided one, which is returned (``None`` when the queue is done).

        decision: ``match``, ``distinct`` (not a match) or ``skip`` (not sure: written only on
            the pairs without a standing match or not a match, which stay as they were).
        note: the decision's note (default: none; for a match, the one written on these records' decisions
            before, as the page shows it first, `decision_details`; ``""``: none).
        survivor_row: for a match, the record that survives (default: the one a person chose for these
            records before, as the page shows it first, `decision_details`; ``None`` or none chosen: the merge
            decides over the whole group the records join, as `merge_survivor` shows).
        fields: for a match, ``{column: source_row}`` whose value wins (the others: by the merge's rules;
            default: those a person chose for these records before, `proposed_fields`, unless the record no
            longer holds the value picked; ``{}``: none).
        rows: for a match on a group, the records that are one person (default: all):
            its links between them are matches, its links to the others "not a match".
        """
        item = self.current
        if item is None:
            raise RuntimeError("the queue is done: nothing to decide")
        members = set(item.rows) if rows is None or decision != "match" else {int(r) for r in rows}
        if not members <= set(item.rows) or len(members) < 2:
            raise ValueError(f"rows must be two or more of the records {item.rows}, not {sorted(members)}")
        self._check_run(item.rows)
        if self.store.last_event() != self._seen:  # another review of the folder wrote since: a skip must not
            self._reload()                          # replace its decision, nor a match left as shown its choices
        if decision == "match":
            # none named: what a person chose or wrote for these records before, as the page shows
            details = self.decision_details(item) if "keep" in (survivor_row, fields) or note is None else None
            if survivor_row == "keep":
                survivor_row = details["survivor_row"] if details and details["survivor_row"] in members else None
            if note is None:
                note = details["note"] if details else ""
            if fields == "keep":
                fields = {c: r for c, r in self.proposed_fields(item, details).items() if r in members}
            survivor_row = None if survivor_row is None else int(survivor_row)
            if survivor_row is not None and survivor_row not in members:
                raise ValueError(f"survivor_row {survivor_row} is not one of the records matched {tuple(sorted(members))}")
            key = self.result.contacts.field_map.key
            if survivor_row is not None and key and not (keyed := self.result.contacts.keyed())[survivor_row] and (
                    keyed[sorted(members)].any()):  # the merge would stop the group (`keyless_picks`)
                raise ValueError(f"survivor_row {survivor_row} has no {key!r}, which keys the fix files, and another "
                                 "record matched has one: choose a survivor that has one")
            for column, row in (fields or {}).items():
                if column not in self._col_index:
                    raise ValueError(f"fields: no column {column!r} in the input")
                if column in self._kept:
                    raise ValueError(f"fields: {column!r} always keeps the survivor's value (its record ID, without "
                                     "one the first email, which keys the fix files, and the dates the CRM sets); "
                                     "choose the survivor instead")
                if int(row) not in members:
                    raise ValueError(f"fields[{column!r}]: row {row} is not one of the records matched "
                                     f"{tuple(sorted(members))}")
                if int(row) not in self.value_choices(item, column):
                    raise ValueError(f"fields[{column!r}]: row {row} is blank there, and the merge keeps the value "
                                     "of every record in this column (union): pick a record that has one")
        else:
            survivor_row, fields, note = None, None, note or ""
        together = [p for p in item.pairs if p[0] in members and p[1] in members]
        if decision == "match" and (bridges := _bridges(members, together, self.default_survivor(item, members)
                                                        if survivor_row is None else survivor_row)):
            # records matched that no link of the group joins (the record between them left out)
            together += bridges
            self._pairs[item.index] += tuple(bridges)
            self._item_of_pair.update(dict.fromkeys(bridges, item.index))
            for p in bridges:
                self._items_of_pair.setdefault(p, set()).add(item.index)
        # a split group: its links to the records left out are not a match; links among
        # those are not judged here (skip)
        others = [(p, "distinct" if (p[0] in members) != (p[1] in members) else "skip")
                  for p in item.pairs if not (p[0] in members and p[1] in members)]
        if decision == "skip":
            together = [p for p in together if self._decision.get(p) not in _STANDING]
        others = [(p, what) for p, what in others if what != "skip" or self._decision.get(p) not in _STANDING]
        if together or others:
            ids = {r: str(self._record_id[r]) for r in item.rows}
            picked = {c: str(self._values[int(r), self._col_index[c]]) for c, r in (fields or {}).items()}
            self._own.add(self.store.decide(together, decision, note=note, survivor_row=survivor_row, fields=fields,
                                            field_values=picked, record_ids=ids,  # the values as the page shows them
                                            others=others))
            self._seen = self.store.last_event()
        for p in together:
            self._decision[p] = decision
        if decision == "match":
            self._matched[sorted(members)] = True
        for p, what in others:
            self._decision[p] = what
        self._recode(self._pairs[item.index])
        self._history.append(item.index)
        return self._advance()

    def match(self, **kwargs) -> Item | None:
        return self.decide("match", **kwargs)

    def distinct(self, *, note: str = "") -> Item | None:
        return self.decide("distinct", note=note)

    def skip(self, *, note: str = "") -> Item | None:
        return self.decide("skip", note=note)

    def undo(self) -> Item | None:
        """Retract the latest decision still standing (of anyone, in this store) and show
        its item again (unless the filters leave it out). Returns that item, or ``None`` when
        nothing was left to undo or the decision is on no item of this review (its records gone); `undone_by`
        says who made it when that was elsewhere since this review opened."""
        self.undone_by = None
        self._check_run(())
        batch = self.store.undo()
        if batch is None:
            return None
        if batch not in self._own and batch > self._opened_after:
            events = self.store.events()
            self.undone_by = str(events.loc[events["batch"] == batch, "reviewer"].iloc[0] or "")
        pairs = self.store.batch_pairs(batch)
        self._reload()  # the pairs undone, and any another review of the folder decided since
        item = next((self._item_of_pair[p] for p in pairs if p in self._item_of_pair), None)
        if item is not None and self._goto(item):
            if self._history and self._history[-1] == item:
                self._history.pop()
        elif self._pos is None:
            self._advance()
        return None if item is None else self.item(item)

    def _watch(self, run_json: Path, stamp: tuple[int, ...] | None) -> None:
        """Check before each decision or undo whether the folder of ``run_json`` (its `_stamp` when the review
        opened) was run again on another input since (`_check_run`)."""
        self._run_json, self._run_stamp, self._rerun = run_json.resolve(), stamp, False

    def _check_run(self, rows: Iterable[int]) -> str | None:
        """Refuse a decision on ``rows`` (an undo: none) that the folder's next run would not find again: the
        folder was run again on another input since this review opened (or is being run: no run.json), and this
        review's rows, the old input's, are found in it only by record ID, which ``rows`` do not have (blank, or
        on several rows), nor any row without a record-ID column. run.json is read only when it changed.
        Returns, when it was run again, why a decision named by its rows alone is refused (`import_csv`)."""
        if self._run_json is None:
            return None
        stamp = _stamp(self._run_json)
        if stamp != self._run_stamp:  # written again, or gone until a run ends
            self._run_stamp = stamp
            self._rerun = stamp is None or input_sha256(read_run_info(self._run_json.parent)) != self.store.input_sha256
        if not self._rerun:
            return None
        folder = self._run_json.parent
        where = (f"{folder} is being run again (no run.json until the run ends)" if stamp is None else
                 f"{folder} was run again on another input since this review opened")
        reopen = f"reopen the review ('dedupe-kit review {folder}', or open_review / open_state again)"
        row_of = self.store.rows_of_ids()
        if row_of is None:
            raise InputError(f"{where}; this review shows the rows of the input it opened on, which has no "
                             "record-ID column to find its records by in another, so the next run would not reuse "
                             f"a decision made here: nothing more is saved or undone here; {reopen}")
        if lost := [r for r in rows if row_of.get(str(self._record_id[r])) != r]:
            raise InputError(f"{where}; this review's records are found again by record ID, but row(s) "
                             f"{', '.join(map(str, lost))} have a blank record ID or one on several rows: a decision "
                             f"on them would be lost; {reopen}")
        return (f"{where}; this review's rows are those of the input it opened on, not the folder's now: a decision "
                f"named by its rows alone could go to other records; {reopen}")

    def import_csv(self, path: str | Path, *, reviewer: str | None = None) -> int:
        """`DecisionStore.import_csv` into this review's store, its decisions then shown; refused as a decision is
        (`_check_run`) when the folder was run again on another input since this review opened: without a
        record-ID column altogether, with one for a line that names its records by their rows alone (without
        ``record_id_a`` and ``record_id_b``: the rows of which input?); nothing is imported then."""
        imported = self.store.import_csv(path, reviewer=reviewer, by_record_id=self._check_run(()))
        self._reload()
        return imported

    @property
    def can_undo(self) -> bool:
        """Whether a decision is still standing in the store."""
        return self.store.latest_batch() is not None

    def back(self) -> Item | None:
        """Show the item seen before the current one again (its decision is kept; decide
        again to change it), after reopening the one decided last. Returns it, or the current item
        when there is no earlier one."""
        current = self.current
        while self._history:
            i = self._history.pop()
            if (current is None or i != current.index) and self._goto(i):
                break
        return self.current

    def decision_details(self, item: Item | int) -> dict | None:
        """The item's standing decisions — ``decision`` (`decision_of`), ``note`` (the latest
        written), for a match the ``rows`` matched (else all the item's records), and the
        ``survivor_row`` and ``fields`` a person chose for those rows, the latest choice winning as in
        the merge (also on a pair decided before the item was shown, e.g. alone in an earlier run), and
        ``changed``: ``{column: (row, value picked)}`` of a pick left out of ``fields`` because its record no
        longer holds the value picked (edited in the CRM since: the merge ignores it, `merge.holds_pick`) —
        or ``None`` when none of its pairs has a decision."""
        item = self.item(item.index if isinstance(item, Item) else item)  # with any pair a decision added
        if not any(p in self._decision for p in item.pairs):
            return None
        frame = self.store.decisions(warn=False)
        keys = set(item.pairs)
        mine = frame[[(a, b) in keys for a, b in zip(frame["a"], frame["b"])]]
        if mine.empty:  # undone meanwhile by another reviewer
            return None
        decision = self.decision_of(item)
        last = mine[mine["batch"] == mine["batch"].max()]
        match = last[last["decision"] == "match"]
        rows = sorted(set(match["a"]) | set(match["b"])) if decision == "match" and len(match) else list(item.rows)
        chosen = mine[(mine["decision"] == "match") & mine["a"].isin(rows) & mine["b"].isin(rows)]
        survivors = [int(r) for r in chosen["survivor_row"].dropna() if r in rows]
        notes = [n for n in mine["note"] if n]
        fields: dict[str, int] = {}
        changed: dict[str, tuple[int, str]] = {}
        for picks, values in zip(chosen["fields"], chosen["field_values"]):
            for column, row in ((c, int(r)) for c, r in picks.items() if r in rows):
                if column in self._col_index and not holds_pick(self.result.contacts.frame, row, column, values):
                    changed[column] = (row, str(values[column]))  # as the merge, which ignores it
                    fields.pop(column, None)
                else:
                    fields[column] = row
                    changed.pop(column, None)
        return {"decision": decision, "note": notes[-1] if notes else "",
                "survivor_row": survivors[-1] if survivors else None,
                "fields": fields, "changed": changed, "rows": [int(r) for r in rows]}

    def note_of(self, item: Item | int) -> str:
        """The note of the item's standing decision."""
        details = self.decision_details(item)
        return details["note"] if details else ""

    def decisions(self) -> pd.DataFrame:
        """The current decisions: what ``run(source, config, decisions=...)`` takes."""
        return self.store.decisions()

    # --- the queue ----------------------------------------------------------------------------

    def set_view(self, *, order: str | None = None, reasons: Iterable[str] | None | str = "keep",
                 score_range: tuple[float, float] | None = None) -> None:
        """Change the order or the filters (``reasons=None``: no reason filter) and show
        the first undecided item of the new queue."""
        if order is not None:
            if order not in ORDERS:
                raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
            self._order = order
        if reasons != "keep":
            reasons = None if reasons is None else tuple(reasons)
            unknown = [r for r in reasons or () if r not in REASONS]
            if unknown:
                raise ValueError(f"unknown reason {unknown[0]!r}; use one of {', '.join(REASONS)}")
            self._filter_reasons = reasons or None
        if score_range is not None:
            low, high = float(score_range[0]), float(score_range[1])
            self._score_range = (low, high)
        keep = (self._prob >= self._score_range[0]) & (self._prob <= self._score_range[1])
        if self._filter_reasons:
            bits = sum(1 << REASONS.index(r) for r in self._filter_reasons)
            keep &= (self._tags & bits) != 0
        if self._order == "uncertain":
            key = (np.abs(self._weight), np.arange(len(keep)))
        elif self._order == "score":
            key = (-self._prob, np.arange(len(keep)))
        else:
            key = (-self._kind, -self._size, np.abs(self._weight), np.arange(len(keep)))
        order = np.lexsort(key[::-1])
        self._view = order[keep[order]]
        self._pos_of = {int(i): k for k, i in enumerate(self._view)}
        self._pos = -1
        self._advance()

    @property
    def order(self) -> str:
        return self._order

    def _advance(self) -> Item | None:
        """Move to the next undecided item of the view after the current one, wrapping round."""
        undecided = self._code[self._view] == 0
        start = -1 if self._pos is None else self._pos
        after = np.flatnonzero(undecided[start + 1:])
        if len(after):
            self._pos = start + 1 + int(after[0])
        else:
            before = np.flatnonzero(undecided[:start + 1])
            self._pos = int(before[0]) if len(before) else None
        return self.current

    def _goto(self, index: int) -> bool:
        if index in self._pos_of:
            self._pos = self._pos_of[index]
            return True
        return False

    def goto(self, index: int) -> Item:
        """Show item ``index`` (it must be in the filtered queue)."""
        if not self._goto(index):
            raise ValueError(f"item {index} is not in the queue (filtered out?)")
        return self.current

    @property
    def current(self) -> Item | None:
        """The item shown now, or ``None`` when every item of the queue is decided."""
        return None if self._pos is None else self.item(int(self._view[self._pos]))

    @property
    def done(self) -> bool:
        return self._pos is None

    def item_of(self, pair: tuple[int, int]) -> Item | None:
        """The item (a pair, or the group) a decision on ``pair`` belongs to, if any."""
        a, b = sorted(int(x) for x in pair)
        index = self._item_of_pair.get((a, b))
        return None if index is None else self.item(index)

    def item(self, index: int) -> Item:
        return Item(index=index, kind="pair" if self._kind[index] == 0 else "group", rows=self._rows[index],
                    pairs=self._pairs[index], probability=float(self._prob[index]),
                    weight=float(self._weight[index]),
                    reasons=tuple(r for k, r in enumerate(REASONS) if self._tags[index] >> k & 1))

    def __len__(self) -> int:
        return len(self._view)

    def queue(self) -> pd.DataFrame:
        """The filtered queue in order: item, kind, rows, probability, reasons, decision."""
        v = self._view
        return pd.DataFrame({
            "item": v, "kind": np.where(self._kind[v] == 0, "pair", "group"),
            "rows": [self._rows[i] for i in v], "probability": self._prob[v].round(4),
            "reasons": [", ".join(r for k, r in enumerate(REASONS) if self._tags[i] >> k & 1) for i in v],
            "decision": np.asarray(_CODES, dtype=object)[self._code[v]]})

    def progress(self) -> tuple[int, int]:
        """(decided, total) items of the filtered queue."""
        return int(np.count_nonzero(self._code[self._view])), len(self._view)

    def counts(self) -> dict[str, int]:
        """Items of the filtered queue per decision."""
        counts = np.bincount(self._code[self._view], minlength=len(_CODES))
        return {d: int(counts[_CODES.index(d)]) for d in ("match", "distinct", "skip")}

    def partly_decided(self) -> tuple[int, int]:
        """(items, pairs): the items of the filtered queue not decided yet whose pairs are partly decided (a
        group a run made of pairs matched alone and other records: to confirm), and how many of their pairs."""
        partly = self._partly[self._view]
        return int(np.count_nonzero(partly)), int(partly.sum())

    def decided_pairs(self, item: Item | int) -> dict[str, int]:
        """How many of the item's pairs have a decision, per decision (``match``, ``distinct``, ``skip``)."""
        found = [self._decision.get(p, "") for p in self._pairs[item.index if isinstance(item, Item) else item]]
        return {d: found.count(d) for d in ("match", "distinct", "skip") if d in found}

    def progress_text(self) -> str:
        """``"3 of 35 reviewed — match 2, not a match 1, skip 0"``, and the items partly decided, when there
        are some: ``"; partly decided 1 (groups to confirm, 2 of their pairs decided)"``."""
        done, total = self.progress()
        c = self.counts()
        items, pairs = self.partly_decided()
        partly = f"; partly decided {items:,} (groups to confirm, {pairs:,} of their pairs decided)" if items else ""
        return (f"{done:,} of {total:,} reviewed — match {c['match']:,}, not a match {c['distinct']:,}, "
                f"skip {c['skip']:,}{partly}")

    # --- what the reviewer sees ---------------------------------------------------------------

    def record_id(self, row: int) -> str:
        return str(self._record_id[row])

    def _all_reasons(self, result: Result) -> list[str]:
        """The reasons of every item, worked out once: `Result.reasons` costs a pass over
        the whole input per call, so one call for all keeps the next item instant."""
        texts = list(result.reasons(result.pairs.iloc[self._pair_row])) if self._n_pairs else []
        texts = [APART + text if apart else text for text, apart in zip(texts, self._apart.tolist())]
        if self._group_links:
            links = result.pairs.iloc[np.concatenate(self._group_links)]
            lines = [f"{a} ~ {b} ({p:.3f}): {r}" for a, b, p, r in
                     zip(links["a"], links["b"], links["probability"], result.reasons(links))]
            ends = np.cumsum([len(g) for g in self._group_links])
            texts += ["\n".join(lines[end - len(g):end]) for g, end in zip(self._group_links, ends)]
        return texts

    def reasons_text(self, item: Item) -> str:
        """Why the item scored as it did, in words (a group: each link on its own line)."""
        return self._reasons[item.index]

    def default_survivor(self, item: Item, rows: Iterable[int] | None = None) -> int:
        """The record the merge keeps when no person picks one, by the run's survivor rule
        (``merge.survivor``), among ``rows`` (default: all the item's records)."""
        return survivor_among(self.result.contacts, item.rows if rows is None else rows, self.result.config.merge,
                              self._placeholders)

    def merge_survivor(self, item: Item, rows: Iterable[int] | None = None) -> int:
        """The record the merge keeps when a match of ``rows`` (default: all the item's records)
        picks none: in the whole group they join (their groups in the run, less the item's records
        left out), the survivor a person chose on another of its pairs, else the survivor rule's.
        It may be a record the item does not show."""
        joined, chosen = self._joined(item, rows)
        return chosen if chosen is not None else self.default_survivor(item, joined)

    def proposed_survivor(self, item: Item, details: dict | None = None) -> int:
        """The survivor shown first for the item: the one a person chose for its records, else the
        one the merge keeps if it is among them (the rule's pick among them, unless a person chose
        one on another pair of the group they join). ``details``: its `decision_details`, when read already."""
        details = details or self.decision_details(item)
        if details and details["survivor_row"] is not None:
            return details["survivor_row"]
        rows = details["rows"] if details else list(item.rows)
        chosen = self._joined(item, rows)[1]
        return chosen if chosen in rows else self.default_survivor(item, rows)

    def proposed_fields(self, item: Item, details: dict | None = None) -> dict[str, int]:
        """The winning values shown first for the item's conflicting fields (`conflicts`): ``{column: row}``
        a person chose for its records before (`decision_details`), among the records that may win there
        (`value_choices`); the others are left to the merge's rules, as is a pick whose record no longer holds the
        value picked (``changed``: edited in the CRM since). ``details``: its `decision_details`, when read already."""
        details = details or self.decision_details(item)
        if not details or not details["fields"]:
            return {}
        conflicts = set(self.conflicts(item))
        return {column: row for column, row in details["fields"].items()
                if column in conflicts and row in self.value_choices(item, column)}

    def _joined(self, item: Item, rows: Iterable[int] | None) -> tuple[list[int], int | None]:
        """The records of the group a match of ``rows`` joins (see `merge_survivor`), and the survivor a
        person chose on one of its pairs this match does not write again (the latest), or ``None``."""
        members = set(item.rows if rows is None else (int(r) for r in rows))
        cluster = self.result.crosswalk["cluster_id"].to_numpy()
        joined = set(np.flatnonzero(np.isin(cluster, cluster[sorted(members)])).tolist()) - (set(item.rows) - members)
        if not self._matched[sorted(joined)].any():
            return sorted(joined), None
        frame = self.store.decisions(warn=False)
        written = {p for p in item.pairs if p[0] in members and p[1] in members}
        chosen = [int(s) for a, b, d, s in zip(frame["a"], frame["b"], frame["decision"], frame["survivor_row"])
                  if d == "match" and a in joined and b in joined and (a, b) not in written and pd.notna(s)
                  and s in joined]
        return sorted(joined), chosen[-1] if chosen else None

    @cached_property
    def _placeholders(self) -> dict[str, np.ndarray]:
        result = self.result
        most_complete = result.config.merge.survivor == "most_complete"
        return placeholder_cells(result.contacts, result.normalized) if most_complete else {}

    def normalized_value(self, row: int, column: str) -> str:
        """The value matching compares for a cell, for people to read (``""``: none)."""
        role = self.roles.get(column, "")
        if role in _ID_KIND:
            lo, hi = np.searchsorted(self._ids_row, [row, row + 1])
            values = [display(k, v) for c, k, v in zip(self._ids_col[lo:hi], self._ids_kind[lo:hi],
                                                      self._ids_value[lo:hi]) if c == column]
            return ", ".join(sorted(set(values)))
        if role == "country":
            raw = str(self._values[row, self._col_index[column]]).strip()
            return country_region(raw, "") if raw else ""
        if role in _NAMES_COLUMN and _NAMES_COLUMN[role] in self._names:
            value = self._names.iat[row, self._names.columns.get_loc(_NAMES_COLUMN[role])]
            return value if isinstance(value, str) else ""
        return ""

    def fields(self, item: Item) -> pd.DataFrame:
        """One row per column: ``column``, ``role``, ``mark`` (same / similar / different /
        missing), then per record ``raw <row>`` and ``normalized <row>``."""
        rows = list(item.rows)
        out = {"column": self.columns, "role": [self.roles.get(c, "") for c in self.columns], "mark": []}
        raws = {r: [] for r in rows}
        norms = {r: [] for r in rows}
        for column in self.columns:
            j = self._col_index[column]
            raw = [self._values[r, j] for r in rows]
            norm = [self.normalized_value(r, column) for r in rows]
            out["mark"].append(mark(raw, norm, self.roles.get(column, ""), self._day_first.get(column)))
            for r, x, y in zip(rows, raw, norm):
                raws[r].append(x)
                norms[r].append(y)
        for r in rows:
            out[f"raw {r}"] = raws[r]
            out[f"normalized {r}"] = norms[r]
        return pd.DataFrame(out)

    def value_choices(self, item: Item, column: str) -> list[int]:
        """The item's records whose value of ``column`` a person may pick to win: all of them, except in
        a column whose values are all kept (rule ``union``: emails, phones, notes, tags), those blank there:
        a blank picked would only empty the column, its value moved to another or to the extra column."""
        j = self._col_index[column]
        return [r for r in item.rows if column not in self._joined_columns or str(self._values[r, j]).strip()]

    def conflicts(self, item: Item) -> list[str]:
        """Columns whose values differ between records that both have one (a winner must be
        picked), aside from those that stay the survivor's (`kept_columns`: the record ID, without
        one the first email, the creation and update dates)."""
        frame = self.fields(item)
        keep = frame["mark"].isin(["similar", "different"]) & ~frame["column"].isin(self._kept)
        return frame.loc[keep, "column"].tolist()


def mark(raw: list[str], normalized: list[str], role: str = "", day_first: bool | None = None) -> str:
    """How the values of one field (of ``role``) compare across records. A placeholder (``N/A``; of a
    date, ``1900-01-01``: `normalize.placeholder_date`) is missing, as matching and the merge read it. Dates
    compare as dates, slashed ones in their column's order (``day_first``, see `normalize.day_first`); two
    different IDs, or creation or
    update dates, are different, never similar; a birth date one typo or a day-month swap away is similar.

    >>> mark(["Bob", "bob "], ["bob", "bob"]), mark(["Jon", "John"], ["", ""]), mark(["a", ""], ["", ""])
    ('same', 'similar', 'missing')
    >>> mark(["S62219", "S62291"], ["", ""], "external_ids"), mark(["2021-07-18", "7/18/2021"], ["", ""], "created")
    ('different', 'same')
    >>> mark(["N/A", "Acme"], ["", "acme"], "company"), mark(["None", "Smith"], ["none", "smith"], "last_name")
    ('missing', 'different')

    A blank is missing, unless the records that hold a value disagree (a group). Phones and
    emails are similar only as matching finds them: the same last 7 digits, one typo apart; a
    first name also when it is a nickname of the other (``Bob``, ``Robert``).

    >>> mark(["a@x.example", "b@y.example", ""], ["", "", ""], "emails"), mark(["Ann", "Ann", ""], ["", "", ""])
    ('different', 'missing')
    >>> mark(["212 555 0124", "646 555 0140"], ["+1 212-555-0124", "+1 646-555-0140"], "phones")
    'different'
    """
    present = [i for i, x in enumerate(raw) if str(x).strip() and not is_placeholder(str(x), role)
               and not (role in _DATE_ROLES and placeholder_date(str(x)))]
    if len(present) < 2:
        return "missing"
    blank = len(present) < len(raw)
    raw, normalized = [raw[i] for i in present], [normalized[i] for i in present]
    if role in ("created", "updated"):  # the moment: the time too, when there is one
        moment = moments(pd.Series([str(x) for x in raw], dtype=object), day_first).tolist()
        keys = [str(m) if m >= 0 else date_key(str(x), day_first) for m, x in zip(moment, raw)]
    elif role == "birth_date":
        keys = [date_key(str(x), day_first) for x in raw]
    else:
        keys = [n if n else str(x).strip().casefold() for x, n in zip(raw, normalized)]
    if len(set(keys)) == 1:
        return "missing" if blank else "same"
    if role in _EXACT_ROLES:
        return "different"
    if role in _NEAR:  # each two records: some value of one near some value of the other
        near = _NEAR[role]
        values = [key.split(", ") for key in keys]
        alike = all(any(near(x, y) for x in values[k] for y in other)
                    for k in range(len(values)) for other in values[k + 1:])
    else:
        alike = min(JaroWinkler.normalized_similarity(x, y) for k, x in enumerate(keys) for y in keys[k + 1:]) >= SIMILAR
    return "similar" if alike else "different"


def _bridges(rows: set[int], links: list[tuple[int, int]], survivor: int) -> list[tuple[int, int]]:
    """The pairs that join ``rows`` into one group where ``links`` do not: the survivor with the
    first row of each part `cluster` makes of them.

    >>> _bridges({0, 2, 5}, [(0, 5)], survivor=5)
    [(2, 5)]
    """
    order = sorted(rows)
    at = {row: i for i, row in enumerate(order)}
    pairs = pd.MultiIndex.from_arrays([np.array([at[a] for a, _ in links], dtype=np.int64),
                                       np.array([at[b] for _, b in links], dtype=np.int64)])
    part = cluster(len(order), pairs, np.ones(len(links), dtype=bool), np.ones(len(links)))  # by first row
    return [(min(order[first], survivor), max(order[first], survivor))
            for first in np.unique(part).tolist() if first != part[at[survivor]]]


_DATE_ROLES = ("birth_date", "created", "updated")
#: roles whose values are the same or not: another ID is another ID, another day another day
_EXACT_ROLES = ("record_id", "external_ids", "created", "updated")
#: Phones and emails near as matching finds them (`PhoneComparison`, `EmailComparison`)
_NEAR = {"phones": lambda x, y: re.sub(r"\D", "", x)[-7:] == re.sub(r"\D", "", y)[-7:],
         "emails": lambda x, y: OSA.distance(x, y) <= 1,
         # a nickname, as matching reads it (Bob ~ Robert), or nearly the same
         "first_name": lambda x, y: nickname_equivalent(x, y) or JaroWinkler.normalized_similarity(x, y) >= SIMILAR}


def open_state(out_dir: str | Path, *, reviewer: str | None = None, progress: bool | None = False,
               **view) -> ReviewState:
    """The review of a run's output folder: loads the input named in ``run.json`` with
    the ``config.toml`` used, re-runs the pipeline with the decisions already in
    ``review.sqlite`` (so they count and teach the model), and resumes the queue.
    ``progress``: show the pipeline's progress bar (``None``/``True``; off by default)."""
    out_dir = Path(out_dir)
    stamp = _stamp(out_dir / "run.json")  # before reading it: a run that writes it again meanwhile is seen
    info = read_run_info(out_dir)
    contacts, config = load_run(out_dir, same_input=False)
    this_input = input_of(contacts)
    if info.get("sha256") and run_info(contacts)["sha256"] != info["sha256"]:
        warnings.warn(f"{info['input']}: the file changed since the run in {out_dir}; decisions are matched "
                      "by record ID", stacklevel=2)
    store = DecisionStore(out_dir / FILE_NAME, **this_input, reviewer=reviewer)
    decisions = store.decisions(warn=False)  # ReviewState says how many are reused by record ID
    result = run(contacts, config, decisions=decisions if len(decisions) else None, progress=progress)
    state = ReviewState(result, store, **view)
    state._watch(out_dir / "run.json", stamp)
    return state


def _stamp(path: Path) -> tuple[int, ...] | None:
    """A file's inode, time and size (``None``: gone): whether a run wrote ``run.json`` again, without reading it."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size
