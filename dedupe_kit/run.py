"""The whole automatic job: load → normalize → candidates → compare → score → cluster.

`run` only chains the stages; each one works alone. `Result.write` puts the
files of a run in an output folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ._perf import distinct_pairs, paused_gc, release_memory, repeated, run_lengths, run_starts, sorted_distinct
from .candidates import Candidates, candidates
from .cluster import cluster, different_ids, in_chains
from .compare import (MISSING, Comparison, DateComparison, EmailComparison, ExactComparison, ExternalIdComparison,
                      NameComparison, check_comparable, compare, comparisons, generations, joint_names,
                      last_words_apart, patronymics, salutations, short_names_apart, value_pairs,
                      value_pairs_at, value_starts)
from .config import Config, MergePolicy
from .errors import DedupeKitWarning, InputError
from .export import (export, export_crosswalk, export_entry, log_export, neutralized_cells, quoted_ids,
                     refuse_unencodable, with_neutralized, with_survivors)
from .files import csv_chunks, refuse_folder, write_figure, write_files, write_text
from .load import Contacts, check_source, checking_once, load, record_ids, rows_of_record_ids
from .merge import MergePlan, check_policy, merge, proposed_survivors, unread_dates, with_extra_columns
from .names import as_written, two_names
from .normalize import Normalized, display_phones, normalize
from .profile import names_only_note, profile, region_hint, unique_id_note
from .score import FellegiSunter, Thresholds, explain, plot_scores, probability_of

#: The files that only a run with the merge writes (`export`'s and the profile).
MERGE_FILES = ("cleaned.csv", "fix_1_clear.csv", "fix_1_clear_by_hand.csv", "fix_2_update.csv", "merged_away.csv",
               "changed_numbers.csv", "merge_groups.csv", "audit.csv", "profile.txt")
#: The other files a run writes (or removes) in its folder
REPORT_FILES = ("crosswalk.csv", "pairs.csv", "too_common.csv", "model.csv", "summary.txt", "config.toml", "scores.png",
                "run.json", "neutralized.csv", "export_log.jsonl")
#: Why a pair the score would merge waits for a person: the pairs' ``held`` code (0: it does not)
HELD = ("", "the names end with different generations (a father and a son?)",
        "birth dates over ten years apart, with a phone or an email in common (a parent and a child?)",
        "different first names, and nothing in common that only one person has (one household?)",
        "no email and no phone in common (namesakes?)",
        "different last names on one phone, without an email in common (colleagues, or a new last name?)",
        "first names not the same, each with a mailbox at one organisation (two colleagues?)",
        "other emails, and each a mobile of their own: only another line in common (two people of one home or office?)",
        "a man's and a woman's salutation (Mr. and Mrs.: a couple?)",
        "one record's name names two people (Harold & Joan: a couple's record beside one of them?)",
        "different patronymics (a father and a son of one name, or two of one family?)")
#: Why a pair merged though its first names differ (`HELD`'s third rule): what only one person has
LIFTED = ("the birth dates agree", "an external ID or a personal number agrees")
CROSSWALK_COLUMNS = ["source_row", "record_id", "cluster_id", "survivor_row", "survivor_record_id",
                     "decided_by", "score"]


@dataclass(frozen=True)
class Result:
    """Everything a run produced.

    pairs: one row per candidate pair: ``a``, ``b``, ``probability``,
        ``weight`` (log2 odds), ``status`` (auto / review / drop, or
        reviewed), ``held`` (why a pair the score would merge waits for
        review: its text in `HELD`; 0 for the others), and the comparison levels.
    crosswalk: one row per input row: its group, how the group was decided and the score of
        the link that put the row in it; its survivor is blank (``<NA>``) until the merge picks it
        (`write` and `export` fill it in ``crosswalk.csv``; `merge` gives ``survivors()``).
    """

    config: Config
    comparisons: list[Comparison]
    contacts: Contacts
    normalized: Normalized
    candidates: Candidates
    pairs: pd.DataFrame
    model: FellegiSunter
    crosswalk: pd.DataFrame
    decisions: pd.DataFrame | None = None

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(self.config.match.lower, self.config.match.upper)

    def reasons(self, pairs: pd.DataFrame | None = None) -> list[str]:
        """Why each pair (default: those for review) scored as it did, in words."""
        return self._reasons(self.pairs[self.pairs["status"] == "review"] if pairs is None else pairs).tolist()

    def _reasons(self, pairs: pd.DataFrame) -> np.ndarray:
        """`reasons` as an array of texts, as the tables take them: not a list, which a frame
        makes into an array again (0.03 s for each piece of 131,072 pairs of pairs.csv)."""
        features = pairs[self.model.columns_ + [c for c in pairs.columns if c.endswith("_tf") or c == "swapped"]]
        descriptions = {column: levels for comparison in self.comparisons
                        for column, levels in comparison.descriptions().items()}
        sentences = explain(self.model.match_weights(features), features, descriptions, _details(self, pairs))
        held = pairs["held"].to_numpy()
        at = np.flatnonzero(held)  # each text put before its sentences at once, not a Python line per pair
        why = np.array([f"not merged without a person: {text}; " for text in HELD], dtype=object)
        sentences[at] = why[held[at]] + sentences[at]
        if self.config.match.first_names_must_agree and "first" in pairs:
            by_birth, by_other = _personal_proof(pairs, self.comparisons)
            lifted = ((pairs["status"].to_numpy() == "auto") & np.isin(pairs["first"], NameComparison.family_levels)
                      & (by_birth | by_other))
            at = np.flatnonzero(lifted)
            why = np.array([f"merged though the first names differ: {text}; " for text in LIFTED], dtype=object)
            sentences[at] = why[by_other[at].astype(int)] + sentences[at]
        return sentences

    def explained(self, status: str | None = "review", n: int | None = 20) -> pd.DataFrame:
        """The pairs of one status (``auto``, ``review``, ``drop``; ``None``: all), most
        probable first, with both record IDs and the reasons in words."""
        return self._with_reasons(self.pairs.iloc[_ranked(self.pairs, [status])[:n]])

    def _with_reasons(self, pairs: pd.DataFrame) -> pd.DataFrame:
        record_id, a, b = record_ids(self.contacts), pairs["a"].to_numpy(), pairs["b"].to_numpy()
        # made of arrays, each a column as it is (copy=False; those of ``pairs`` copied): no index to align and
        # then reset, nor the texts copied into one block (a touch of each of millions of strings, twice)
        return pd.DataFrame({
            "a": a.copy(), "b": b.copy(), "record_id_a": record_id[a], "record_id_b": record_id[b],
            "probability": pairs["probability"].to_numpy().round(4), "status": pairs["status"].to_numpy().copy(),
            "reasons": self._reasons(pairs)}, copy=False)

    def _pairs_csv(self, order: np.ndarray, found: list[pd.DataFrame], rows: int = 131072) -> Iterator[bytes]:
        """pairs.csv of the pairs at ``order``, with their reasons, a piece of ``rows`` pairs at a
        time (whole, at 1,000,000 records, the table and its reasons took 600 MB); the cells it
        neutralizes as formulas (a record ID ``@C1``) go into ``found``, as `neutralized_cells`."""
        # the columns the reasons read, each array taken on its own (of its own type): not the decisions and the
        # weights (texts and floats of 2,888,554 pairs at 1,000,000 rows: the pieces took 0.16 s by ``iloc``)
        read = [column for column in self.pairs.columns if column not in ("decision", "weight")]
        for start in range(0, max(len(order), 1), rows):
            at = order[start:start + rows]
            pairs = pd.DataFrame({column: self.pairs[column].array[at] for column in read}, copy=False)
            piece, cells = self._with_reasons(pairs), []
            yield from (text.encode("utf-8") for text in csv_chunks(piece, header=start == 0, neutralized=cells))
            if cells:
                found.append(neutralized_cells("pairs.csv", [(p, start + row, v) for p, row, v in cells],
                                               piece.columns))

    def plot(self):
        """The distribution of the pairs' scores, with both thresholds marked."""
        return plot_scores(self.pairs["weight"].to_numpy(), self.thresholds)

    def summary(self, warnings: bool = True, *, unmerged: Iterable[int] = (), merged: bool = True) -> str:
        """The run's numbers, and its `warnings` unless told not to.

        unmerged: the groups a merge left unmerged (stopped by a conflict, or undone), whose pairs
            merged automatically the summary counts apart; without the merge, the groups undone.
        merged: ``False`` for a run that stops at the groups (``--match-only``), whose pairs
            the score merges are "to merge automatically".
        """
        # the statuses as codes: their millions of texts read once, for the counts and each comparison
        status = pd.Categorical(self.pairs["status"])
        counts = status.value_counts()
        below = (status == "review") & (self.pairs["probability"].to_numpy() < self.config.match.lower)
        skipped = int((self.pairs["decision"].to_numpy()[below] == "skip").sum())
        below = int(below.sum()) - skipped
        capped = self.candidates.capped
        strong = int(capped["kind"].isin(["email", "phone", "external_id"]).sum())
        group, auto = self.crosswalk["cluster_id"].to_numpy(), status == "auto"
        size = np.bincount(group)  # of each group (`cluster` numbers them by a row of theirs)
        group_a, group_b = group[self.pairs["a"].to_numpy()[auto]], group[self.pairs["b"].to_numpy()[auto]]
        apart = int((group_a != group_b).sum())  # by `cluster`'s rules
        unmerged = list(unmerged)
        kept = int(((group_a == group_b) & np.isin(group_a, unmerged)).sum())
        notes = [f"p >= {self.config.match.upper:g}"]
        if apart:
            notes.append(f"{apart:,} of them left in two groups: two external IDs, a 'not a match', or one weak link; "
                         "they wait for review too")
        if kept:
            notes.append(f"{kept:,} of them in groups " + ("stopped by a conflict or undone, not merged" if merged else
                                                           "undone, which the merge leaves apart"))
        review = [f"p >= {self.config.match.lower:g}"]
        if below:
            review.append(f"{below:,} below it: an email or a phone alone beside its contact, or a new last name on "
                          "one number")
        if skipped:
            review.append(f"{skipped:,} below it skipped in review (not sure)")
        # items of the review too, which counts them with the pairs: the groups of three or more with a link merged
        # automatically, which no person has confirmed yet (not those whose every link a person matched)
        waiting = np.unique(group_a[(group_a == group_b) & (size[group_a] >= 3)])
        if big := len(waiting):
            held = int(np.isin(waiting, unmerged).sum())
            merging = ("" if not merged else ", merged meanwhile" if not held else
                       ", stopped by a conflict or undone, not merged" if held == big else
                       f", merged meanwhile but {held:,} stopped by a conflict or undone")
            review.append(f"pairs: the review shows them with the {big:,} {'group' if big == 1 else 'groups'} of "
                          f"three or more records, to confirm or split{merging}")
        lines = [
            f"rows                      {len(self.contacts):>10,}",
            f"  exact copies of a row   {int((self.candidates.first != np.arange(len(self.contacts))).sum()):>10,}"
            "   (the same in every field matching compares, once normalized; each paired with that row alone)",
            f"candidate pairs           {len(self.pairs):>10,}",
            f"  {'merged automatically' if merged else 'to merge automatically':<24}{int(counts.get('auto', 0)):>10,}"
            f"   ({'; '.join(notes)})",
            f"  waiting for review      {int(counts.get('review', 0)):>10,}   ({'; '.join(review)})",
            f"  decided by a person     {int(counts.get('reviewed', 0)):>10,}",
            f"  dropped                 {int(counts.get('drop', 0)):>10,}",
            f"phones/emails/IDs too common to pair {strong:>5,}   (over {self.config.match.max_block_size} records)",
            f"other keys too common to pair {len(capped) - strong:>11,}   (names, email domains, addresses…: see "
            "too_common.csv)",
            f"groups of duplicates      {int((size > 1).sum()):>10,}",
            f"rows in those groups      {int(size[size > 1].sum()):>10,}",
        ]
        return "\n".join(lines + (self.warnings() if warnings else []))

    def warnings(self) -> list[str]:
        """What the analyst should look at before trusting the run, one ``warning: …`` line each."""
        found = [self.contacts.left_out_note(), self.contacts.formula_note,
                 unique_id_note(self.contacts, self.normalized), names_only_note(self.contacts, self.normalized),
                 region_hint(self.normalized, self.contacts.field_map, self.config.normalize.default_region),
                 *unread_dates(self.contacts, self.config.merge,
                               np.flatnonzero(repeated(self.crosswalk["cluster_id"].to_numpy())))]  # rows in groups
        if self.decisions is not None:  # and how many decisions of another input are reused (`DecisionStore.decisions`)
            found += [*self.decisions.attrs.get("warnings", []), *self._matches_kept_apart()]
        return [f"warning: {text}" for text in found if text]

    def _matches_kept_apart(self) -> list[str]:
        """Why each pair a person matched stayed in two groups, in words (`cluster`'s rules)."""
        group = self.crosswalk["cluster_id"].to_numpy()
        matched = self.pairs[self.pairs["decision"] == "match"]
        apart = matched[group[matched["a"].to_numpy()] != group[matched["b"].to_numpy()]]
        if not len(apart):
            return []
        ids = self.normalized.identifiers
        ids = ids[ids["kind"] == "external_id"]
        ids, rows = pd.Series(list(zip(ids["column"], ids["value"]))), ids["source_row"].to_numpy()
        own, held = ids.groupby(rows).agg(frozenset), ids.groupby(group[rows]).agg(frozenset)
        distinct = self.pairs[self.pairs["decision"] == "distinct"]
        called = {frozenset(g) for g in zip(group[distinct["a"].to_numpy()], group[distinct["b"].to_numpy()])}
        record_id, why, none = record_ids(self.contacts), {}, frozenset()
        for a, b in zip(apart["a"].tolist(), apart["b"].tolist()):
            if (direct := different_ids(own.get(a, none), own.get(b, none))) or different_ids(
                    held.get(group[a], none), held.get(group[b], none)):
                reason = ("hold different external unique IDs" if direct else
                          "are in groups with different external unique IDs (through other records)")
                reason += ", so they stay apart; to merge them, give both the same ID in the CRM first"
            elif frozenset((group[a], group[b])) in called:
                reason = "are in two groups a person called not a match, so they stay apart; review them again"
            else:
                reason = ("are in two groups fewer than half of whose pairs across are likely matches, so they stay "
                          "apart; match the records of both groups in review")
            why.setdefault(reason, []).append(f"{record_id[a]} and {record_id[b]}")
        return [f"records {', '.join(named)} were matched in review but {reason}" for reason, named in why.items()]

    def merge(self, policy: MergePolicy | None = None, *, undone: Iterable[int] = ()) -> MergePlan:
        """The merge plan of the groups found, under ``policy`` (default: the config's ``[merge]``),
        with the survivors and field values people chose in review."""
        return merge(self.contacts, self.crosswalk["cluster_id"].to_numpy(), policy or self.config.merge,
                     decisions=self.decisions, normalized=self.normalized, undone=undone)

    def write(self, out: str | Path, *, undone: Iterable[int] | None = None, undo_warnings: Iterable[str] = (),
              merge: bool = True, progress: bool | None = None) -> list[Path]:
        """Write every file of the run into ``out``: the merge's files (see `export`), the profile,
        pairs, summary, chart, model, config and run.json. The merge's warnings (a value chosen in
        review that it leaves out) are the summary's, with its others, not Python warnings.

        undone: groups whose merge a person took back (default: those recorded in ``out/undone.json``,
            found by record ID on another version of the input, with a warning in the summary).
        undo_warnings: the summary's warnings of the ``undone`` given (`read_undone`'s, of an ``undone.json``
            written again since for this input, which no longer gives them).
        merge: ``False`` stops at the groups: crosswalk.csv (with the survivor each group would
            keep), pairs, summary, chart, model, config and run.json; the files of an earlier
            merge in ``out`` are removed, as they no longer match the groups.
        progress: show the steps (``None``: in a terminal or notebook; ``False``: never).
        """
        # as in `run`: the frame checked once (by the merge, not again by the profile)
        with paused_gc(), checking_once(), tqdm(total=4 if merge else 2, unit="step", disable=_hidden(progress),
                                                desc="merging" if merge else "writing the crosswalk") as steps:
            return self._write(Path(out), undone, list(undo_warnings), merge, steps)

    def _write(self, out: Path, undone: Iterable[int] | None, undo_warnings: list[str], merge: bool,
               steps: tqdm) -> list[Path]:
        protect = (self.contacts.path,) if self.contacts.path else ()
        refuse_folder(out, (*MERGE_FILES, *REPORT_FILES), protect)  # before any is written: never the input
        used = dataclasses.replace(self.config, fields=self.contacts.field_map.to_dict(self.contacts.columns))
        info = run_info(self.contacts)
        groups = self.crosswalk["cluster_id"].to_numpy()
        if undone is None:
            undone, undo_warnings = read_undone(out, self.contacts, groups)
        if merge:
            with caught_warnings() as merge_warnings:  # of values chosen in review left out: the summary says them
                plan = self.merge(undone=undone)
            steps.update()
            release_memory()
            steps.set_description("writing the files for the CRM")
            (out / "run.json").unlink(missing_ok=True)  # until the last file is written: no review of a mixed folder
            decided_at = self.decisions if self.decisions is not None and "decided_at" in self.decisions else None
            exported = export(plan, out, crosswalk=self.crosswalk, decided_at=decided_at, log=False)
            written, summaries, entry = exported.paths, [plan.summary()], export_entry(plan)
            unmerged = plan.groups.loc[plan.groups["status"] != "merge", "group"].tolist()
            del plan  # large, and not needed by what follows
        else:
            survivors = proposed_survivors(self.contacts, groups, self.config.merge,  # no picks applied: no warning
                                           decisions=self.decisions, normalized=self.normalized)
            merge_warnings: list[str] = []
            taken_back = np.isin(groups, list(undone))
            survivors[taken_back] = np.flatnonzero(taken_back)  # an undone merge keeps its records apart
            (out / "run.json").unlink(missing_ok=True)
            exported = export_crosswalk(with_survivors(self.crosswalk, survivors), self.contacts, out)
            for name in MERGE_FILES:
                (out / name).unlink(missing_ok=True)
            written, summaries, unmerged = exported.paths, [
                "not merged: crosswalk.csv names the survivor each group would keep; "
                "a run with the merge writes cleaned.csv and the fix files"], list(undone)
        steps.update()
        release_memory()
        steps.set_description("explaining the pairs")
        found: list[pd.DataFrame] = []
        reports = write_files({
            out / "pairs.csv": self._pairs_csv(_ranked(self.pairs, ["reviewed", "auto", "review"]), found),
            out / "too_common.csv": _report_csv("too_common.csv", self.candidates.capped, found),
            out / "model.csv": _report_csv("model.csv", self.model.parameters().round(6), found)}, protect=protect)
        exported = with_neutralized(exported, out, found, protect)  # after the export's files: listed with theirs
        written = exported.paths
        steps.update()
        release_memory()
        if merge:
            steps.set_description("writing the profile and reports")
            written.append(write_text(out / "profile.txt", str(profile(self.contacts, self.normalized, self.config))
                                      + "\n", protect=protect))
        summary = "\n".join([self.summary(warnings=False, unmerged=unmerged, merged=merge), *summaries,
                             exported.summary(), *self.warnings(),
                             *(f"warning: {text}" for text in [*merge_warnings, *undo_warnings])])
        written += [
            *reports,
            write_text(out / "summary.txt", summary + "\n", protect=protect),
            write_text(out / "config.toml", used.to_toml(), protect=protect),
            write_figure(out / "scores.png", self.plot(), protect=protect),
        ]
        if merge:  # the export is logged once all of it is written
            log_export(out, entry, protect)
        written.append(write_text(out / "run.json", json.dumps(info, indent=2) + "\n", protect=protect))  # all done
        if merge:
            steps.update()
        release_memory()
        return written


@contextmanager
def caught_warnings() -> Iterator[list[str]]:
    """The texts of the `DedupeKitWarning`s raised inside (the merge's, of a value chosen in review that it
    leaves out), each once, for a run's summary or the CLI to say as its other warnings, not as Python
    warnings with a file and line; other warnings are shown as usual."""
    said: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DedupeKitWarning)
        yield said
    for warning in caught:
        if not issubclass(warning.category, DedupeKitWarning):
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
        elif str(warning.message) not in said:
            said.append(str(warning.message))


def _report_csv(name: str, table: pd.DataFrame, found: list[pd.DataFrame]) -> Iterator[bytes]:
    """A report's CSV in UTF-8; the cells it neutralizes as formulas go into ``found``, as `neutralized_cells`."""
    cells: list[tuple[int, int, str]] = []
    yield from (text.encode("utf-8") for text in csv_chunks(table, neutralized=cells))
    if cells:
        found.append(neutralized_cells(name, cells, table.columns))


def run_info(contacts: Contacts) -> dict:
    """What a later step needs to load the same input again: its path, how it was
    read, and a SHA-256 of the bytes loaded to notice when it changed."""
    path = contacts.path
    return {
        "input": str(path.resolve()) if path else None,
        "sha256": contacts.sha256 or (_sha256(path) if path else None),
        "encoding": contacts.encoding,
        "delimiter": contacts.delimiter,
        "sheet": contacts.sheet,
        "rows": len(contacts),
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_sha256(contacts: Contacts | dict) -> str | None:
    """What review decisions (`DecisionStore`) and merges taken back (``undone.json``) are made on: the
    SHA-256 of the input's bytes (`run_info`), and for a workbook's sheet other than the one read by default,
    of those and the sheet's name: another sheet holds other records on the same rows, found by record ID
    as in another version of the input. ``contacts`` may be a run's ``run.json`` (`read_run_info`) instead."""
    info = contacts if isinstance(contacts, dict) else run_info(contacts)
    sha256, sheet = info["sha256"], info.get("sheet")  # no sheet in an older dedupe_kit's run.json: the default
    if sha256 is None or sheet is None:
        return sha256
    return hashlib.sha256(f"{sha256}\n{sheet}".encode()).hexdigest()


def read_undone(out: str | Path, contacts: Contacts, groups: np.ndarray) -> tuple[list[int], list[str]]:
    """The groups (of ``groups``, each row's group) whose merge was taken back in the output folder
    ``out`` (``undone.json``): a group holding two records of a merge taken back, whatever its number
    now (a review decision since may have renumbered or grown it); and warnings, one a line.

    A merge taken back on another version of the input (another SHA-256), or on another sheet of the
    workbook (`input_sha256`), finds its records by record ID, as review decisions do; one of which fewer
    than two records are found (the others gone, or their record ID blank or on several rows now) is not
    kept, and a warning counts both."""
    data = undone_record(out)
    if data is None:
        return [], []
    if data.get("sha256") == input_sha256(contacts):
        if "rows" not in data:  # schema 1: the group numbers of its run
            return data["groups"], []
        if any(row >= len(groups) for rows in data["rows"] for row in rows):
            raise _damaged_undone(Path(out) / "undone.json")
        return _groups_holding(data["rows"], groups), []
    count = len(data.get("rows", data.get("groups", [])))
    if not count:
        return [], []
    where = f"{Path(out) / 'undone.json'}: {count:,} merge(s) taken back on another version of the input"
    taken_back = data.get("record_ids")  # of each merge's rows
    if taken_back is None or contacts.field_map.record_id is None:
        why = ("this input has no record-ID column to find their records by" if taken_back is not None else
               "the file does not hold their record IDs (written by an older dedupe_kit, or for an input without "
               "a record-ID column)")
        return [], [f"{where} are not kept: {why}; undo them again where they are still wrong"]
    row_of = rows_of_record_ids(record_ids(contacts))
    found = [[row_of[i] for i in group if i in row_of] for group in taken_back]
    kept = [rows for rows in found if len(rows) > 1]
    lost = [quoted_ids(tuple(group)) for group, rows in zip(taken_back, found) if len(rows) < 2]  # as merge_groups.csv
    shown = "; ".join(lost[:3]) + ("; …" if len(lost) > 3 else "")
    return _groups_holding(kept, groups), [
        f"{where}: {len(kept):,} kept apart again by record ID" + (
            f"; {len(lost):,} not, as fewer than two of its records are found (gone, or their record ID blank or "
            f"on several rows now): {shown}" if lost else "")]


def _groups_holding(taken_back: list[list[int]], groups: np.ndarray) -> list[int]:
    """The groups (of ``groups``, each row's group) that hold two rows of one of the merges ``taken_back``."""
    found = set()
    for rows in taken_back:
        numbers, count = np.unique(groups[np.asarray(rows, dtype=np.int64)], return_counts=True)
        found.update(numbers[count > 1].tolist())
    return sorted(found)


def undone_record(out: str | Path) -> dict | None:
    """``undone.json`` of the output folder ``out`` as `write_undone` wrote it (``None`` when there
    is none), checked, so that a damaged one stops a run before its work rather than after it."""
    path = Path(out) / "undone.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:  # not UTF-8, not JSON
        raise _damaged_undone(path) from None
    numbers = data.get("rows", [data.get("groups")]) if isinstance(data, dict) else None
    if not (isinstance(numbers, list) and all(isinstance(group, list) for group in numbers)
            and all(type(n) is int and n >= 0 for group in numbers for n in group)):
        raise _damaged_undone(path)
    ids = data.get("record_ids")
    if ids is not None and not (isinstance(ids, list) and [len(g) if isinstance(g, list) else -1 for g in ids]
                                == list(map(len, numbers)) and all(type(i) is str for group in ids for i in group)):
        raise _damaged_undone(path)  # not a record ID for each row
    return data


def _damaged_undone(path: Path) -> InputError:
    return InputError(f"{path}: damaged, not the record of merges taken back that 'dedupe-kit undo' writes; "
                      "put back a good copy, or delete it and undo those merges again")


def write_undone(out: str | Path, plan: MergePlan, sha256: str | None, protect: tuple[Path, ...] = ()) -> Path:
    """Record, atomically, the merges taken back in ``plan`` (the rows of each group, and their record IDs
    to find them by in another version of the input) in ``out``, for the input of ``sha256``."""
    undone = plan.groups[plan.groups["group"].isin(plan.undone)]
    data = {"schema": 3, "sha256": sha256, "rows": [[int(r) for r in group] for group in undone["rows"]],
            "record_ids": ([[str(i) for i in group] for group in undone["record_ids"]]
                           if plan.contacts.field_map.record_id else None)}
    return write_text(Path(out) / "undone.json", json.dumps(data, indent=1) + "\n", protect=protect)


def read_run_info(out: str | Path) -> dict:
    """``run.json`` of a run's output folder (see `run_info`)."""
    path = Path(out) / "run.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{out}: no run.json; give the output folder of 'dedupe-kit run FILE --out DIR' "
                         "(a run stopped before its end leaves none: run it again)") from None
    except ValueError:  # not UTF-8, not JSON
        info = None
    if not isinstance(info, dict) or not {"input", "sha256", "encoding", "delimiter"} <= set(info):
        raise InputError(f"{path}: damaged, not the record of its input that 'dedupe-kit run' writes; write the "
                         f"folder again with 'dedupe-kit run FILE --config {Path(out) / 'config.toml'} --out {out}'")
    return info


def load_run(out: str | Path, *, same_input: bool = True) -> tuple[Contacts, Config]:
    """The input and config of the run written in ``out``, read as it was then.

    same_input: refuse an input whose bytes changed since the run (with ``False``,
        the caller compares ``run_info(contacts)["sha256"]`` itself).
    """
    out = Path(out)
    info = read_run_info(out)
    config = Config.from_toml(out / "config.toml")
    path = Path(info["input"])
    if not path.exists():
        raise InputError(f"{out}/run.json: the input {path} is gone; run 'dedupe-kit run' again")
    if same_input and _sha256(path) != info["sha256"]:
        raise InputError(f"{path}: changed since the run in {out}; run 'dedupe-kit run' again")
    sheet = info.get("sheet")
    workbook = info["encoding"] == "xlsx"  # read as a workbook is, without an encoding or delimiter
    contacts = load(path, config, encoding=None if workbook else info["encoding"],
                    delimiter=None if workbook else info["delimiter"], sheet=sheet)
    return contacts, config.as_spelled(contacts.columns)


def _ranked(pairs: pd.DataFrame, statuses: list[str | None]) -> np.ndarray:
    """The positions of the pairs of these statuses (``None``: any), by status in that order,
    then most probable first, then by rows."""
    status, named = pairs["status"].to_numpy(), [s for s in statuses if s is not None]
    rank = np.select([status == s for s in named], list(range(len(named))), -1) if named else np.zeros(len(pairs))
    kept = np.flatnonzero(rank >= 0) if named else np.arange(len(pairs))
    rows = pairs["a"].to_numpy()[kept].astype(np.int64) << 32 | pairs["b"].to_numpy()[kept]  # by a, then b: one key
    order = np.lexsort((rows, -pairs["probability"].to_numpy()[kept], rank[kept]))
    return kept[order]


def _hidden(progress: bool | None) -> bool | None:
    """tqdm's ``disable`` for ``progress``: ``None`` shows the bars in a terminal or a notebook, not in a
    log that stderr is sent to."""
    return None if progress is None else not progress


def run(
    source: str | Path | Contacts,
    config: Config | None = None,
    *,
    decisions: pd.DataFrame | None = None,
    progress: bool | None = None,
) -> Result:
    """Find the duplicates of an export automatically.

    decisions: reviewed pairs (``a``, ``b``, ``decision`` = match / distinct /
        skip): a match joins, "distinct" keeps apart, and both teach the model.
    """
    with paused_gc(), checking_once(), tqdm(total=6, desc="dedupe", unit="step", disable=_hidden(progress)) as steps:
        # (millions of small objects, no cycles: see `paused_gc`; the bar ends its line on an error too; the
        # contacts checked once, not by each stage)
        return _run(source, config or Config(), decisions, progress, steps)


def _run(source: str | Path | Contacts, config: Config, decisions: pd.DataFrame | None,
         progress: bool | None, steps: tqdm) -> Result:
    steps.set_description("loading")
    check_source(source, "run", contacts=True)
    contacts = source if isinstance(source, Contacts) else load(source, config)
    config = config.as_spelled(contacts.columns)  # its columns as the header spells them, as [fields]' are
    check_policy(config.merge, contacts, config.source)  # before the long work, not at the merge
    check_comparable(contacts, config)  # and the compared columns, not after normalizing
    refuse_unencodable(config.merge, contacts)  # and an output encoding that cannot write a cell: once, not at writing
    steps.update()
    release_memory()
    steps.set_description("normalizing")
    matched = with_extra_columns(contacts)  # the emails and phones a merge kept aside (the merge's contacts do not)
    normalized = normalize(matched, config, progress=progress)
    steps.update()
    release_memory()
    steps.set_description("finding candidate pairs")
    found = candidates(matched, normalized, config)
    decided = _decisions(decisions, contacts)
    pairs_index = found.pairs
    if len(decided):
        pairs_index = pairs_index.union(decided.index).sort_values()
    steps.update()
    release_memory()
    steps.set_description(f"comparing {len(pairs_index):,} pairs")
    used = comparisons(matched, normalized, config)
    features = compare(matched, normalized, pairs_index, config, used)
    counted = np.flatnonzero(found.first == np.arange(len(found.first)))  # an exact copy counts once
    sample = random_pairs(len(counted), config.match.random_pairs, config.match.seed)
    sample = pd.MultiIndex.from_arrays([counted[sample.get_level_values(level)] for level in (0, 1)],
                                       names=sample.names)
    random_features = compare(matched, normalized, sample, config, used)
    steps.update()
    release_memory()
    steps.set_description("scoring")
    labels = decided["decision"].map({"match": True, "distinct": False}).dropna() if len(decided) else None
    model = scorer(used, config).fit(features, random_features=random_features, n_records=len(counted),
                                     labels=labels)
    weight = model.predict_weight(features) if len(features) else np.zeros(0)
    probability = probability_of(weight)
    thresholds = Thresholds(config.match.lower, config.match.upper)
    status = thresholds.status(probability)
    drop = status == "drop"  # kept with the status: the millions of texts compared once, not at each step
    for alone in ("email", "phone"):  # an address or a number alone beside its contact: nothing else to weigh
        if alone in features:
            at = np.flatnonzero((features[alone].to_numpy() == 3) & drop)
            for column in (column for column in model.columns_ if column != alone):
                at = at[features[column].to_numpy()[at] == MISSING]
            status[at] = "review"  # a person decides
            drop[at] = False
    if {"phone", "first", "last"} <= set(features):  # a new last name (a marriage) on the same number
        renamed = ((features["phone"].to_numpy() == 3) & (features["first"].to_numpy() >= 4)
                   & (features["last"].to_numpy() == 0) & drop)
        status[renamed] = "review"
    # pairs a person decides, never the score (`HELD`): two people of one family, who share a
    # landline or an email, and two of one name, or on one line
    none = np.zeros(len(pairs_index), dtype=bool)
    generations = _two_generations(contacts, normalized, pairs_index)
    parent = _parent_and_child(features) if "birth_date" in features else none
    household = none
    email = next((c for c in used if isinstance(c, EmailComparison)), None)
    if config.match.first_names_must_agree and "first" in features:
        household = _household(features, used, lambda at: _two_names(normalized, pairs_index[at], email))
    auto = status == "auto"
    two_people = (_two_people(features, used, pairs_index, auto, normalized)
                  if config.match.namesakes_need_review else (none,) * 4)  # namesakes, colleagues, mailboxes, lines
    couple = _two_of(salutations(contacts), pairs_index)
    joint = joint_names(contacts)
    joint = joint[pairs_index.get_level_values(0)] != joint[pairs_index.get_level_values(1)]
    fathers = _two_patronymics(patronymics(contacts, normalized), pairs_index)
    held = np.select([generations, parent, household, *two_people, couple, joint, fathers], np.arange(1, len(HELD)), 0)
    held[~auto] = 0
    status[held > 0] = "review"
    decision = np.full(len(pairs_index), "", dtype=object)
    if len(decided):  # (none decided: no status to change)
        decision = decided["decision"].reindex(pairs_index).fillna("").to_numpy()
        status[np.isin(decision, ["match", "distinct"])] = "reviewed"
        status[(decision == "skip") & (status == "drop")] = "review"  # a person was not sure: not the score's to drop
        held[status == "reviewed"] = 0
    # and two people held for a person as colleagues (different last names on one line, a mailbox
    # each at one organisation) or as two of one line (a mobile each): a record linked to both
    # (without a last name, or with the shared line alone) does not make them one
    family = generations | parent | fathers | couple | (two_people[1] | two_people[2] | two_people[3]) & (held > 0)
    pairs = features  # the pair's own columns put in front: a copy of the features would take hundreds of MB
    pairs.index = pd.RangeIndex(len(pairs))
    for position, (name, values) in enumerate({"a": pairs_index.get_level_values(0), "b": pairs_index.get_level_values(1),
                                               "probability": probability, "weight": weight, "status": status,
                                               "decision": decision, "held": held.astype(np.int8)}.items()):
        pairs.insert(position, name, values)
    del features, random_features, weight, probability, status, decision, held  # now in pairs
    steps.update()
    release_memory()
    steps.set_description("grouping")
    crosswalk = _crosswalk(contacts, normalized, pairs_index, pairs, thresholds, family, household, email,
                           found.first)
    steps.update()
    release_memory()
    return Result(config, used, contacts, normalized, found, pairs, model, crosswalk, decisions)


def _household(features: pd.DataFrame, used: list[Comparison],
               two_names_at: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Pairs whose first names differ and that share nothing only one person has.

    A landline, an address and a last name are shared by a family; a birth date,
    an external ID or a personal number (a compared column) belong to one person.
    First names nearly the same that are each a name of its own (``two_names_at``, of
    the pairs at some positions: Michael and Michelle) differ too; and with such names
    a birth date is no proof, as twins share theirs.
    """
    by_birth, by_other = _personal_proof(features, used)
    first = features["first"].to_numpy()
    differ = np.isin(first, NameComparison.family_levels)
    named = np.zeros(len(features), dtype=bool)
    if two_names_at is not None:
        ask = np.flatnonzero(((first == 3) | (differ & by_birth)) & ~by_other)
        named[ask] = two_names_at(ask)
    return (differ | named) & ~by_other & ~(by_birth & ~named)


def _personal_proof(features: pd.DataFrame, used: list[Comparison]) -> tuple[np.ndarray, np.ndarray]:
    """Whether each pair's birth dates agree, and whether an external ID or a compared personal
    number (any compared column but a postcode) does: what only one person has."""
    by_birth, by_other = np.zeros(len(features), dtype=bool), np.zeros(len(features), dtype=bool)
    for comparison in used:
        if isinstance(comparison, DateComparison):
            by_birth |= features[comparison.name].to_numpy() == max(comparison.levels)
        elif isinstance(comparison, ExactComparison) and comparison.name != "postcode":
            by_other |= features[comparison.name].to_numpy() == max(comparison.levels)
        elif isinstance(comparison, ExternalIdComparison):
            by_other |= features[comparison.name].to_numpy() == 1
    return by_birth, by_other


def _two_people(features: pd.DataFrame, used: list[Comparison], index: pd.MultiIndex | None = None,
                asked: np.ndarray | None = None, normalized: Normalized | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs that look like two people of one name, of one line, of one organisation, and of
    one home, unless a birth date, an external ID or a personal number agrees: both records
    hold an email and they differ, or share only the name before the @, and no phone is in
    common, both differ or one has none (namesakes: a person seldom changes both at once; in a
    file without phones, when the emails are namesakes' mailboxes, `EmailComparison.namesakes`);
    the last names differ, or are short ones a letter apart (`short_names_apart`: Chen and Chan), and only
    a phone is shared (a colleague on one switchboard, or a new last name: a person decides); the
    first names are not the same and the emails differ, each a mailbox of its own name at one
    organisation (`EmailComparison.one_organisation`: Chris and Christina Walker at acme.example);
    the emails differ and each record has a mobile of its own, only another line in common
    (`_own_mobiles`: a father and a son of one name on their home phone, two namesakes on one
    switchboard). The mailboxes and the phones of ``normalized`` are looked at for the pairs
    of ``index`` at ``asked`` only."""
    level = {column: features[column].to_numpy() if column in features else np.full(len(features), MISSING)
             for column in ("email", "phone", "last", "first")}
    unproven = ~np.logical_or(*_personal_proof(features, used))
    namesakes = ("phone" in features) & np.isin(level["email"], (0, 1)) & (level["phone"] <= 0) & unproven
    colleagues = (level["last"] == 0) & (level["phone"] >= 2) & (level["email"] < 2) & unproven
    if normalized is not None and index is not None:  # short last names a letter apart: Chen and Chan
        ask = np.flatnonzero(np.isin(level["last"], (1, 2)) & (level["phone"] >= 2) & (level["email"] < 2) & unproven
                             & (True if asked is None else asked))
        last = normalized.names["last"].to_numpy(dtype=object)
        colleagues[ask] = short_names_apart(*(last[index.get_level_values(i)[ask]] for i in (0, 1)))
    mailboxes = np.zeros(len(features), dtype=bool)
    email = next((c for c in used if isinstance(c, EmailComparison)), None)
    if email is not None and index is not None:
        other_first = (level["first"] >= 0) & (level["first"] < max(NameComparison.first_levels))
        for found, ask, test in ((namesakes, np.full(len(features), "phone" not in features), email.namesakes),
                                 (mailboxes, other_first, email.one_organisation)):
            ask = np.flatnonzero((level["email"] == 0) & ask & unproven & (True if asked is None else asked))
            found[ask] = test(*(index.get_level_values(i)[ask].to_numpy() for i in (0, 1)))
    lines = np.zeros(len(features), dtype=bool)
    if normalized is not None and index is not None:
        ask = np.flatnonzero((level["email"] == 0) & (level["phone"] >= 2) & unproven & ~namesakes & ~colleagues
                             & (True if asked is None else asked))
        lines[ask] = _own_mobiles(normalized, *(index.get_level_values(i)[ask].to_numpy() for i in (0, 1)))
    return namesakes, colleagues, mailboxes, lines


def _own_mobiles(normalized: Normalized, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether records ``a`` and ``b`` (aligned) each hold a number of a mobile column, and no
    mobile of either is among the other's numbers, with or without its country code (the codes
    of `Normalized.phone_codes`: a number that is not one, blank, is nobody's)."""
    rows, codes = normalized.phones["source_row"].to_numpy(), normalized.phone_codes()
    involved = np.flatnonzero(np.isin(rows, np.r_[a, b]))  # the few records asked about
    rows, mobile = rows[involved], (normalized.phones["phone_kind"].to_numpy()[involved] == "mobile")
    value, national = codes["value"][0][involved], codes["national"][0][involved]
    has_mobile = np.zeros(max(a.max(initial=-1), b.max(initial=-1)) + 1, dtype=bool)
    has_mobile[rows[mobile]] = True
    own = has_mobile[a] & has_mobile[b]
    pid, left, right = value_pairs(rows, a, b)
    same = ((value[left] == value[right]) & (value[left] >= 0)
            | (national[left] == national[right]) & (national[left] >= 0))
    shared = same & (mobile[left] | mobile[right])  # with or without its country code
    own[pid[shared]] = False
    return own


def _two_names(normalized: Normalized, index: pd.MultiIndex, email: EmailComparison | None) -> np.ndarray:
    """Whether the first names of each pair are each a name of its own, as a couple's or twins'
    are, not a typo's: names that nicknames do not link (`two_names`: Michael and Michelle, John
    and Jane), or that each record's own mailbox spells (`EmailComparison.own_mailboxes`: Mason
    and Jason Holloway at ``mason.holloway@`` and ``jason.holloway@``)."""
    codes, names = normalized.name_codes("first")  # each two names weighed once, found by their codes
    at, name_a, name_b = distinct_pairs(codes[index.get_level_values(0)], codes[index.get_level_values(1)])
    named = np.array(list(map(two_names, names[name_a].tolist(), names[name_b].tolist())), dtype=bool)[at]
    if email is not None:
        at = np.flatnonzero(~named)
        named[at] = email.own_mailboxes(*(index.get_level_values(i)[at].to_numpy() for i in (0, 1)))
    return named


def _parent_and_child(features: pd.DataFrame) -> np.ndarray:
    """Pairs whose birth dates are over ten years apart and that share a phone or an email, as a
    parent and a child of one name do (the parent's phone on the child's record), unless an
    external ID agrees: review, never automatic. Without a shared phone or email the score
    decides, as a birth date typed wholly wrong is common too (330 true pairs of febrl3)."""
    shared = np.zeros(len(features), dtype=bool)
    if "phone" in features:
        shared |= features["phone"].to_numpy() >= 2
    if "email" in features:
        shared |= features["email"].to_numpy() == 3
    if "external_id" in features:
        shared &= features["external_id"].to_numpy() != 1
    return shared & (features["birth_date"].to_numpy() == 0)


def _two_generations(contacts: Contacts, normalized: Normalized, index: pd.MultiIndex) -> np.ndarray:
    """Pairs whose names end with different generations (Jr. and Sr., II and III, Jr. and none):
    a father and his son of one name, who share a home phone: review, never automatic."""
    found = generations(contacts, normalized)
    if not (found != "").any():
        return np.zeros(len(index), dtype=bool)
    return found[index.get_level_values(0)] != found[index.get_level_values(1)]


def _two_patronymics(found: np.ndarray, index: pd.MultiIndex) -> np.ndarray:
    """Pairs whose names give two patronymics (Алексей Иванович and Алексей Алексеевич Смирнов:
    a father and his son of one name, on one home phone): review, never automatic. An initial fits
    its patronymic."""
    if not (found != "").any():
        return np.zeros(len(index), dtype=bool)
    apart = _two_of(found, index)
    a, b = found[index.get_level_values(0)], found[index.get_level_values(1)]
    for at in np.flatnonzero(apart).tolist():
        short, long = sorted((a[at], b[at]), key=len)
        apart[at] = not (len(short) == 1 and long.startswith(short))
    return apart


def _two_of(said: np.ndarray, index: pd.MultiIndex) -> np.ndarray:
    """Pairs whose records both say something (``said``, by row: a salutation's ``m`` or ``f``), and
    not the same: Mr. and Mrs. J. Lockwood on one email are a couple, never merged without a person."""
    a, b = index.get_level_values(0).to_numpy(), index.get_level_values(1).to_numpy()
    filled = said != ""
    both = np.flatnonzero(filled[a] & filled[b])  # only these pairs' texts are compared (none at 1,000,000 rows)
    found = np.zeros(len(index), dtype=bool)
    found[both] = said[a[both]] != said[b[both]]
    return found


def scorer(used: list[Comparison], config: Config) -> FellegiSunter:
    """The Fellegi–Sunter model with the priors, fixed ``m`` and ``u`` floors the comparisons declare."""
    return FellegiSunter(
        max_iter=config.match.em_iterations,
        priors={column: prior for comparison in used for column, prior in comparison.priors().items()},
        fixed=frozenset(column for comparison in used for column in comparison.fixed()),
        u_floors={column: floor for comparison in used for column, floor in comparison.floors().items()},
        nested=frozenset(column for comparison in used for column in comparison.nested_columns()),
        never_for={column: levels for comparison in used for column, levels in comparison.never_for_columns().items()},
    )


def random_pairs(n_records: int, count: int, seed: int) -> pd.MultiIndex:
    """``count`` distinct random pairs ``a < b`` (every pair when there are fewer)."""
    total = n_records * (n_records - 1) // 2
    if total <= count:
        a, b = np.triu_indices(n_records, k=1)
    else:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, n_records, size=int(count * 1.1))
        b = rng.integers(0, n_records, size=int(count * 1.1))
        a, b = np.minimum(a, b), np.maximum(a, b)
        keep = a != b
        codes = sorted_distinct(a[keep].astype(np.int64) << 32 | b[keep])
        codes = np.sort(rng.choice(codes, size=min(count, len(codes)), replace=False))
        a, b = codes >> 32, codes & 0xFFFFFFFF
    return pd.MultiIndex.from_arrays([a.astype(np.int64), b.astype(np.int64)], names=["a", "b"])


def _decisions(decisions: pd.DataFrame | None, contacts: Contacts) -> pd.DataFrame:
    if decisions is None or not len(decisions):
        return pd.DataFrame({"decision": pd.Series([], dtype=object)},
                            index=pd.MultiIndex.from_arrays([[], []], names=["a", "b"]))
    n_rows = len(contacts)
    a, b = decisions["a"].to_numpy(dtype=np.int64), decisions["b"].to_numpy(dtype=np.int64)
    if len(outside := np.flatnonzero((np.minimum(a, b) < 0) | (np.maximum(a, b) >= n_rows))):
        # (one imported by hand, without the record IDs that find its records in another version of the file)
        raise InputError(f"decisions: the pair of rows {a[outside[0]]} and {b[outside[0]]} is not in the input, which "
                         f"has {n_rows:,} rows, counted from 0 ({len(outside):,} decision(s) name rows it does not "
                         "have); take them back: DecisionStore('out/review.sqlite').undo(batch), its batch in "
                         "decisions()")
    if {"record_id_a", "record_id_b"} <= set(decisions.columns):  # rows of another version of the file: other people
        ids = record_ids(contacts)
        named = [decisions[f"record_id_{c}"].to_numpy(dtype=object) for c in ("a", "b")]
        other = np.zeros(len(a), dtype=bool)
        for said, rows in zip(named, (a, b)):
            other |= np.array([isinstance(x, str) and x != "" and x != y for x, y in zip(said, ids[rows])])
        if len(other := np.flatnonzero(other)):
            at = other[0]
            raise InputError(f"decisions: the pair of rows {a[at]} and {b[at]} holds records {ids[a[at]]!r} and "
                             f"{ids[b[at]]!r}, not {named[0][at]!r} and {named[1][at]!r} that the decision was made on "
                             f"({len(other):,} decision(s) name records now on other rows: made on another version of "
                             "the file?); read them for this input, found by record ID: stored_decisions('out/run', "
                             "contacts), or import_csv them into its store")
    index = pd.MultiIndex.from_arrays([np.minimum(a, b), np.maximum(a, b)], names=["a", "b"])
    frame = pd.DataFrame({"decision": decisions["decision"].to_numpy()}, index=index)
    return frame[~frame.index.duplicated(keep="last")]


def _likely(pairs: pd.DataFrame, accepted: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """The pairs that support a link between two groups (`cluster`'s ``support``): those ``accepted``, and those
    waiting for review below the upper threshold (not a household held back from a merge), but not one the score
    would drop that waits only as a person skipped it: a skip decides nothing.

    >>> pairs = pd.DataFrame({"status": ["auto", "review", "review", "review"], "probability": [0.99, 0.7, 0.3, 0.3],
    ...                       "decision": ["", "", "", "skip"]})
    >>> _likely(pairs, pairs["status"].eq("auto").to_numpy(), Thresholds(0.5, 0.95)).tolist()
    [True, True, True, False]
    """
    probability = pairs["probability"].to_numpy()
    likely = accepted | (pairs["status"].to_numpy() == "review") & (probability < thresholds.upper)
    low = np.flatnonzero(likely & ~accepted & (probability < thresholds.lower))  # only these decisions are read
    likely[low] = pairs["decision"].to_numpy()[low] != "skip"
    return likely


def _crosswalk(contacts: Contacts, normalized: Normalized, index: pd.MultiIndex, pairs: pd.DataFrame,
               thresholds: Thresholds, family: np.ndarray, household: np.ndarray, email: EmailComparison | None,
               first: np.ndarray | None = None) -> pd.DataFrame:
    """The crosswalk of the groups of ``pairs``. Two people of one family keep their records
    apart, as "not a match" does, unless a person matched one of them: a ``family`` pair
    (generations, a parent and a child, a man and a woman by salutation; and, held for a person,
    two last names on one line or a mailbox each at one organisation, colleagues, or a mobile
    each beside one line), a ``household`` one whose first names are two names of their own
    (John and Jane: not a typo's), or one of two last names that differ in the last word alone
    (`last_words_apart`: García López and García Pérez, cousins), so that a third record linked
    to both (``J. Harlow``, or one without a first name; María García) does not make them one
    person."""
    n = len(contacts)
    decision = pairs["decision"].to_numpy()
    by_person = decision == "match"
    accepted = (pairs["status"].to_numpy() == "auto") | by_person
    strength = np.where(by_person, 2.0, pairs["probability"].to_numpy())
    ids = normalized.identifiers
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    linked = np.zeros(n, dtype=bool)
    linked[a[accepted]] = linked[b[accepted]] = True
    ids = ids[(ids["kind"] == "external_id").to_numpy() & linked[ids["source_row"].to_numpy()]]
    external: dict[int, frozenset[tuple[str, str]]] = {}
    for row, column, value in zip(ids["source_row"].tolist(), ids["column"].tolist(), ids["value"].tolist()):
        external[row] = external.get(row, frozenset()) | {(column, value)}  # one a row, seldom more
    # a family pair matters between two records in chains of accepted pairs (a pair of two records
    # in no other is a group at once: `in_chains`), neither matched by a person (whose match may
    # join a group, which then waits for review as a whole)
    is_linked = in_chains(n, a[accepted], b[accepted])
    is_linked[a[by_person]] = is_linked[b[by_person]] = False
    both = is_linked[a] & is_linked[b]
    kept_apart = family & both
    named = np.flatnonzero(household & both & ~kept_apart)
    kept_apart[named] = _two_names(normalized, index[named], email)
    if "last" in pairs:  # García López and García Pérez: María García, linked to both, does not make them one
        cousins = np.flatnonzero((pairs["last"].to_numpy() == 0) & both & ~kept_apart)
        last = normalized.names["last"].to_numpy(dtype=object)
        kept_apart[cousins] = last_words_apart(last[a[cousins]], last[b[cousins]])
    apart = index[(decision == "distinct") | kept_apart]
    groups = cluster(n, index, accepted, strength, external_ids=external, apart=apart,
                     support=_likely(pairs, accepted, thresholds), first=first)

    joined = accepted & (groups[a] == groups[b])
    a, b, score, reviewed = a[joined], b[joined], pairs["probability"].to_numpy()[joined], by_person[joined]
    best = np.full(n, np.nan)  # each row's best link inside its group
    np.fmax.at(best, a, score)
    np.fmax.at(best, b, score)
    reviewed_groups = set(groups[np.r_[a[reviewed], b[reviewed]]].tolist())
    size = np.bincount(groups, minlength=n)[groups]
    record_id = record_ids(contacts).copy()  # (the contacts' own column may be this array)
    decided_by = np.array(["", "auto", "reviewed"], dtype=object)[(size > 1) * (1 + np.isin(groups, list(reviewed_groups)))]
    return pd.DataFrame({
        "source_row": np.arange(n),
        "record_id": record_id,
        "cluster_id": groups,
        # all missing (a mask of True): the merge picks them (`with_survivors`)
        "survivor_row": pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)),
        "survivor_record_id": np.full(n, "", dtype=object),
        "decided_by": decided_by,
        "score": best.round(6),
    }, columns=CROSSWALK_COLUMNS, copy=False)  # each its own block: not copied again into one by type (0.07 s at 1M)


def _details(result: Result, pairs: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The values behind the reasons, as `explain` takes them: the two first names, the shared
    phone or email. Each distinct value (or two names) is put in words once."""
    contacts, fm = result.contacts, result.contacts.field_map
    frame = contacts.frame
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    details: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    name_cells = [frame[c].to_numpy(dtype=object) for c in (fm.first_name, fm.last_name, fm.full_name) if c]
    own = np.ones(len(frame), dtype=bool)  # rows with a first and a last name, each in its own cell
    for role in (fm.first_name, fm.last_name):
        own &= contacts.filled(role) if role else False
    rows = np.concatenate([a, b])  # the pairs' names only
    shown_of = {}
    for column, role in (("first", fm.first_name), ("last", fm.last_name)):
        if column in pairs and (role or fm.full_name):
            shown = frame[role].to_numpy(dtype=object)[rows] if role else np.full(len(rows), "", dtype=object)
            if column == "last" and len(parts := fm.last_name_columns(frame.columns)) > 1:  # "van der" Berg
                shown = frame[parts[0]].to_numpy(dtype=object)[rows]
                for part in parts[1:]:
                    shown = shown + " " + frame[part].to_numpy(dtype=object)[rows]
            # the others: the words of their name cells that were compared (the part of a full
            # name, or of "Eleanor Harrison" typed in the first-name cell alone)
            lone = np.flatnonzero(~own[rows])
            if len(lone):
                text = name_cells[0][rows[lone]]
                for cells in name_cells[1:]:
                    text = text + " " + cells[rows[lone]]
                part = result.normalized.names[column].to_numpy(dtype=object)[rows[lone]]
                codes, uniques = pd.factorize(text + "\x1f" + part)  # the folded part holds no \x1f
                shown[lone] = np.array([as_written(*both.rsplit("\x1f", 1)) for both in uniques], dtype=object)[codes]
            shown_of[column] = shown
    if len(shown_of) == 2 and "swapped" in pairs:  # the second record's names as compared: crosswise
        crossed = len(a) + np.flatnonzero(pairs["swapped"].to_numpy() == 1)
        shown_of["first"][crossed], shown_of["last"][crossed] = shown_of["last"][crossed], shown_of["first"][crossed]
    for column, shown in shown_of.items():
        codes, uniques = pd.factorize(shown)
        raw = np.array([value.strip() for value in uniques], dtype=object)
        folded = pd.factorize(np.array([value.casefold() for value in raw], dtype=object))[0]
        code_a, code_b = codes[:len(a)], codes[len(a):]
        other = np.where(folded[code_a] != folded[code_b], code_b + 1, 0)  # 0: the same name
        at, name_a, name_b = distinct_pairs(code_a, other)
        text = raw[name_a]
        differ = np.flatnonzero(name_b > 0)
        text[differ] = text[differ] + " ~ " + raw[name_b[differ] - 1]
        details[column] = at, text
    for kind in ("phone", "email"):
        if kind not in pairs:
            continue
        rows, codes, uniques = result.normalized.coded(kind)  # by row
        first = result.normalized.first_of_kind(kind)  # not a mailing list's every address against every other
        starts = result.normalized.once(("first starts", kind), lambda: value_starts(rows[first], len(contacts)))
        pid, left, right = value_pairs_at(starts, a, b)
        left, right = first[left], first[right]
        shared = codes[left] == codes[right]
        pid, left, right = pid[shared], left[shared], right[shared]
        several = pd.Series(pid).duplicated(keep=False).to_numpy()  # pairs sharing two values: the first in order
        if several.any():
            (starts, lengths), values = run_lengths(pid[several]), uniques[codes[left[several]]]  # pid ascends
            # the smallest value of each pair's run (the first of equal ones, as `min`): its values compared
            # in turn, every run at once (most hold two: one comparison of arrays, not a Python call per pair)
            first = starts.copy()
            for step in range(1, lengths.max()):
                longer = np.flatnonzero(lengths > step)
                other = starts[longer] + step
                smaller = values[other] < values[first[longer]]
                first[longer[smaller]] = other[smaller]
            pid = np.concatenate([pid[~several], pid[several][starts]])
            left, right = (np.concatenate([side[~several], side[several][first]]) for side in (left, right))
        if kind == "email":  # as the first record has it: the canonical Gmail address is in neither
            position, used = pd.factorize(left)  # by position, integers: faster to hash than the texts
            used = result.normalized.typed(kind)[used]
        else:  # by their codes: a number's code is its value's
            position, used = pd.factorize(codes[left])
            used = uniques[used]
        # an email as it is (`display`); the phones, each a distinct code's value, have no repeats to look for
        shown = display_phones(used) if kind == "phone" else used
        texts = np.concatenate([[""], np.asarray(shown, dtype=object)])
        if kind == "phone":  # and the kind of its column on each side: "(home ~ mobile)", a parent's number
            label_at, labels = pd.factorize(_phone_kinds(result.normalized.of_kind("phone", "phone_kind"), left, right))
            combo, position = np.unique(position * len(labels) + label_at, return_inverse=True)
            labels = np.asarray(labels, dtype=object)
            texts = np.r_[texts[:1], texts[1:][combo // len(labels)] + labels[combo % len(labels)]]
        at = np.zeros(len(pairs), dtype=np.int64)  # 0: nothing shared, no text
        at[pid] = position + 1
        details[kind] = _two_values(result, pairs, kind, at, texts)
    return details


def _phone_kinds(kinds: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The kind of the columns (``kinds``, by value) that the values ``left`` and ``right`` are in,
    in words: ``" (mobile)"`` when the same, ``" (home ~ mobile)"`` when not, ``""`` for two of no kind.

    >>> _phone_kinds(np.array(["mobile", "home", "other", "mobile", "other"]), np.array([0, 1, 2]), np.array([3, 3, 4]))
    array([' (mobile)', ' (home ~ mobile)', ''], dtype=object)
    """
    code, found = pd.factorize(np.concatenate([kinds[left], kinds[right]]))
    words = ["phone" if kind == "other" else kind for kind in found]  # a column of no kind: a phone
    labels = [f" ({a} ~ {b})" if a != b else f" ({a})" if a != "phone" else "" for a in words for b in words]
    return np.array(labels, dtype=object)[code[:len(left)] * len(words) + code[len(left):]]


def _two_values(result: Result, pairs: pd.DataFrame, kind: str, at: np.ndarray, texts: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """`_details` of ``kind`` with, for the pairs whose values are only close (the same national
    number, the same last digits, one typo), the first two values that are, as ``a ~ b`` (numbers
    with their kinds: "(home ~ mobile)"); for those whose values differ, the first value of each,
    as ``a / b``."""
    comparison = next(c for c in result.comparisons if c.name == kind)
    level = pairs[kind].to_numpy()
    near = np.flatnonzero((level >= 0) & (level < max(comparison.levels)))
    if not len(near):
        return at, texts
    pid, left, right = value_pairs_at(comparison.starts(len(result.contacts)), pairs["a"].to_numpy()[near],
                                      pairs["b"].to_numpy()[near])
    best = comparison.combo_levels(left, right) == level[near][pid]
    pid, left, right = pid[best], left[best], right[best]
    first = run_starts(pid)  # the first combination at the pair's level
    sides = np.concatenate([left[first], right[first]])
    code = comparison.codes["value"][sides]
    if kind == "email":  # as typed: the canonical Gmail or iCloud address is in neither
        shown = result.normalized.personal_emails_typed()[sides]
    else:
        # each number put in words once, found by its code (quicker to hash than its text)
        position, distinct = pd.factorize(code)
        shown = display_phones(comparison.uniques["value"][distinct])[position]
    if kind == "phone":  # a phone without E.164 (not valid for its country): its national number
        unusable = np.flatnonzero(code < 0)
        shown[unusable] = comparison.uniques["national"][comparison.codes["national"][sides[unusable]]]
    at[near[pid[first]]] = len(texts) + np.arange(len(first))
    close = level[near[pid[first]]] > 0
    text = shown[:len(first)] + np.where(close, " ~ ", " / ") + shown[len(first):]
    if kind == "phone":  # and, as for a shared number, the kind of each: "(home ~ mobile)"
        kinds = result.normalized.phones["phone_kind"].to_numpy(dtype=object)
        text[close] += _phone_kinds(kinds, left[first][close], right[first][close])
    return at, np.concatenate([texts, text])
