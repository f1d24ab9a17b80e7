"""Merging each group of duplicates into one surviving contact, under explicit rules.

`merge` takes the groups (a group ID per row, as in the crosswalk) and a
`MergePolicy`, and returns a `MergePlan`: per group the survivor and why, every
field's merged value and the row it came from, and the conflicts that stop a
merge. Nothing is written; `export` writes the files from the plan, and
`MergePlan.undo` takes merges back before that.

A person's choices from review win over every rule: a ``match`` decision may
carry ``survivor_row`` and ``fields`` (``{column: source_row}`` whose value wins); a survivor
without a record ID, picked in a group where another record has one, stops the group (`keyless_picks`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._perf import arrow_codes, isin, read_only_once, repeated, run_lengths, run_starts, runs, sorted_distinct
from .config import MergePolicy
from .errors import ConfigError, DedupeKitWarning
from .fieldmap import OWN_COLUMNS, FieldMap, consent_rule, fold_header
from .load import Contacts, check_source, record_ids
from .names import as_written, fold_name
from .normalize import (EMPTY_LIST_SPACED, PLACEHOLDER_TEXT, Normalized, country_region, date_key, extension_spelled,
                        is_placeholder, json_item_text, json_list, json_lists, map_unique, normalize, placeholder_date,
                        placeholder_folded, placeholder_texts, reads_as, shown_date, telling_dates, with_extensions,
                        without_point_zero, without_text_mark)

#: Roles whose values are kept together by default: other records' values go to empty sibling columns.
UNION_ROLES = ("emails", "phones", "notes", "tags")
#: Roles whose value stays the survivor's, whatever the rules: a CRM keeps a record's ID, and sets its
#: creation and update dates itself (an import cannot change them).
KEEP_ROLES = ("record_id", "created", "updated")
#: Rules under which the first email, the key of the fix files when no column holds a record ID, stays the
#: survivor's: another rule could give the survivor another contact's key, and the fix files its line.
KEY_RULES = ("union", "fill", "survivor")
GROUP_COLUMNS = ["group", "rows", "record_ids", "survivor_row", "survivor_record_id", "survivor_reason",
                 "status", "conflicts", "decided_by"]
VALUE_COLUMNS = ["group", "column", "role", "rule", "before", "after", "source_row", "changed"]
EXTRA_COLUMN = OWN_COLUMNS + "extra {role}"
#: The extra columns a file merged before may hold: their values are joined, as tags are.
EXTRA_COLUMNS = tuple(EXTRA_COLUMN.format(role=role) for role in ("emails", "phones"))
DROPPED_COLUMNS = ["group", "role", "column", "value", "source_row"]
#: Roles whose placeholders `placeholder_cells` finds (as identifiers do not read), or that keep the survivor's value
_NOT_TEXT_ROLES = ("emails", "phones", "external_ids", *KEEP_ROLES)
#: The placeholders of a column of no role, where 0, x, none or NA may be an answer (a count, a tick, "Allergies:
#: none"): only the texts that never are one
_ANY_COLUMN_PLACEHOLDERS = PLACEHOLDER_TEXT - {"0", "x", "none", "nil", "na"}
#: Roles whose other writings in a group the audit does not list as not kept (`_texts_not_kept`): a name
#: another record writes otherwise is a nickname or a typo of the kept one (Bob, Robert), which is why the
#: records were matched, and it stays on its merged-away record (134,000 such rows at 1,000,000 contacts)
_NAME_ROLES = ("first_name", "last_name", "full_name")
#: The rules of a column of the person's consent to be contacted (`consent_rule`): the group's most restrictive
#: answer is kept, as any record's no says the person said no (`refusals`)
CONSENT_RULES = ("opt_in", "opt_out")
#: A no, whatever the column: Keap's Email Status, HubSpot's Marketing contact status, Dynamics' Do not allow Emails
_REFUSALS = frozenset({"opted out", "opt out", "unsubscribed", "do not allow", "non marketing contact",
                       "non marketable"})
#: A no in an ``opt_in`` column (Permitted To Text), and in an ``opt_out`` one (Do Not Call, Email Opt Out)
_NO = {"opt_in": frozenset({"false", "no", "n", "0"}), "opt_out": frozenset({"true", "yes", "y", "1"})}


@dataclass(frozen=True)
class MergePlan:
    """What merging would do; nothing is written until `export`.

    groups: one row per group of two or more records: its ``rows``, the
        ``survivor_row`` and ``survivor_reason``, ``status`` (``merge``,
        ``stopped`` by a conflict, ``undone``), the ``conflicts`` in words and
        ``decided_by`` (``auto`` or ``reviewed``).
    values: one row per group and column: the ``rule`` applied, the survivor's
        value ``before``, the merged value ``after``, the ``source_row`` it came
        from (-1 when several rows gave it) and whether it ``changed``.
    overflow: values of a union role that found no empty column in the group;
        they go to an extra column (``dedupe_kit extra emails``…) of the survivor.
    undone: groups whose merge was taken back.
    dropped: emails, phones and external IDs of a group that the merged contact does
        not keep (a rule other than ``union`` chose another value), and the other values of
        its merged-away records that it does not keep (`_texts_not_kept`); the audit log lists them.
    normalized: the contacts' normalized values, by which `export` tells a changed number from
        one written another way.
    """

    contacts: Contacts
    policy: MergePolicy
    groups: pd.DataFrame
    values: pd.DataFrame
    overflow: pd.DataFrame
    undone: tuple[int, ...] = ()
    dropped: pd.DataFrame = dataclasses.field(default_factory=lambda: _no_values_dropped())
    normalized: Normalized | None = dataclasses.field(default=None, repr=False, compare=False)

    @cached_property
    def merging(self) -> pd.DataFrame:
        """The groups that will be merged (not stopped, not undone)."""
        return self.groups[self.groups["status"] == "merge"]

    def survivors(self) -> np.ndarray:
        """For every source row, the row that represents it after the merge (itself when not merged);
        read-only."""
        return self._survivors

    @cached_property
    def _survivors(self) -> np.ndarray:  # the files of `export` ask for it again and again
        survivor = np.arange(len(self.contacts))
        merging = self.merging
        rows = merging["rows"].tolist()
        sizes = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        members = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=int(sizes.sum()))
        survivor[members] = np.repeat(merging["survivor_row"].to_numpy(dtype=np.int64), sizes)
        survivor.flags.writeable = False
        return survivor

    def survivor_rows(self, groups: Iterable[int]) -> np.ndarray:
        """The survivor row of each of ``groups`` (groups being merged)."""
        merging = self.merging
        return merging["survivor_row"].to_numpy(dtype=np.int64)[pd.Index(merging["group"]).get_indexer(groups)]

    def changed_values(self) -> pd.DataFrame:
        """The rows of `values` whose value the merge changes, with the ``row`` of the survivor that takes it."""
        return self._changed_values

    @cached_property
    def _changed_values(self) -> pd.DataFrame:  # `cleaned` and `updates` both ask
        changed = self.values[self.values["group"].isin(self.merging["group"]) & self.values["changed"]]
        return changed.assign(row=self.survivor_rows(changed["group"]))

    def cleaned(self) -> pd.DataFrame:
        """The export after merging: the input's columns, one row per surviving contact.

        Rows that take part in no merge are the input's rows, cell for cell; an
        ``dedupe_kit extra …`` column is added only when some value found no room.
        """
        survivors = self.survivors()
        kept = np.flatnonzero(survivors == np.arange(len(survivors)))
        frame = self.contacts.frame.take(kept)  # kept rows only: a survivor's position is among them
        for column, cells in self.changed_values().groupby("column", sort=False):
            # in place, in the copy: a column set anew would be a block of its own, and a wide file's
            # hundreds of them a fragmented frame, slow to write
            frame.iloc[np.searchsorted(kept, cells["row"].to_numpy()), frame.columns.get_loc(column)] = (
                cells["after"].to_numpy())
        overflow = self.overflow[self.overflow["group"].isin(self.merging["group"])]
        for role, cells in overflow.sort_values("group", kind="stable").groupby("role", sort=True):
            groups, texts = cells["group"].to_numpy(), cells["value"].tolist()
            starts, ends = runs(groups)
            values = np.full(len(frame), "", dtype=object)
            if role == "phones":  # an extension after a ';' would read as another value of the list
                texts = list(map(extension_spelled, texts))
            values[np.searchsorted(kept, self.survivor_rows(groups[starts]))] = [
                "; ".join(texts[a:b]) for a, b in zip(starts, ends)]
            name = EXTRA_COLUMN.format(role=role)
            if name in frame:  # a file merged before: the values it kept there stay, the new ones follow
                new, values = values, frame[name].to_numpy(dtype=object).copy()
                at = np.flatnonzero(new != "")  # the other rows' cells as they are
                values[at] = ["; ".join(dict.fromkeys(_split(f"{old}; {more}", ";", phones=role == "phones")))
                              for old, more in zip(values[at], new[at])]
            frame[name] = values
        return frame

    def view(self, group: int) -> pd.DataFrame:
        """One group side by side: each record's values, the merged value, where it came from and by which rule."""
        if group not in set(self.groups["group"]):
            raise ConfigError(self._no_group("view", group))
        info = self.groups.set_index("group").loc[group]
        frame = self.contacts.frame
        values = self.values[self.values["group"] == group].set_index("column")
        record_ids = dict(zip(info["rows"], info["record_ids"]))
        out = pd.DataFrame(index=pd.Index(frame.columns, name="column"))
        for row in info["rows"]:
            mark = " (survivor)" if row == info["survivor_row"] else ""
            out[f"row {row} {record_ids[row]}{mark}"] = frame.loc[row].to_numpy()
        out["merged"] = values["after"].reindex(out.index).fillna("").to_numpy()
        source = values["source_row"].reindex(out.index)
        out["from row"] = [("" if pd.isna(s) else "several" if s < 0 else str(int(s))) for s in source]
        out["rule"] = values["rule"].reindex(out.index).fillna("").to_numpy()
        return out

    def undo(self, groups: Iterable[int] | None = None) -> MergePlan:
        """A plan with the merges of ``groups`` (default: all) taken back; the records stay apart.
        A group the merge stopped for a conflict is an error: it has no merge to take back."""
        chosen = set(self.merging["group"]) if groups is None else {int(g) for g in groups}
        unknown = chosen - set(self.groups["group"])
        if unknown:
            raise ConfigError(self._no_group("undo", sorted(unknown)[0]))
        stopped = sorted(chosen & set(self.groups.loc[self.groups["status"] == "stopped", "group"]))
        if stopped:
            raise ConfigError(f"undo: group(s) {', '.join(map(str, stopped))} were stopped by a conflict (their "
                              "conflicts in merge_groups.csv say which), so nothing was merged: there is nothing "
                              "to undo; leave them out")
        taken_back = chosen & set(self.merging["group"])
        status = np.where(self.groups["group"].isin(taken_back), "undone", self.groups["status"])
        undone = tuple(sorted(set(self.undone) | taken_back))
        return dataclasses.replace(self, groups=self.groups.assign(status=status), undone=undone)

    def _no_group(self, stage: str, group: int) -> str:
        """The error for a group the plan does not have, naming those it has (each numbered by its first row)."""
        groups = self.groups["group"].tolist()
        has = (f"its groups, each numbered by its first row, are {', '.join(map(str, groups[:10]))}"
               f"{'…' if len(groups) > 10 else ''}" if groups else "it has no group: no duplicates to merge")
        return f"{stage}: no group {group} in this merge plan; {has}"

    def summary(self) -> str:
        status = self.groups["status"].value_counts()
        merged_away = int(self.merging["rows"].map(len).sum() - len(self.merging))
        return "\n".join([
            f"groups merged             {int(status.get('merge', 0)):>10,}",
            f"  records merged away     {merged_away:>10,}",
            f"contacts after merging    {len(self.contacts) - merged_away:>10,}",
            f"groups stopped by a conflict {int(status.get('stopped', 0)):>7,}",
            f"groups undone             {int(status.get('undone', 0)):>10,}",
            f"values kept in extra columns {len(self.overflow[self.overflow['group'].isin(self.merging['group'])]):>7,}",
        ])

    def _repr_html_(self) -> str:
        return f"<pre>{self.summary()}</pre>" + self.groups.head(20).to_html(index=False)


def merge(
    contacts: Contacts,
    groups: Iterable[int],
    policy: MergePolicy | None = None,
    *,
    decisions: pd.DataFrame | None = None,
    normalized: Normalized | None = None,
    undone: Iterable[int] = (),
) -> MergePlan:
    """Plan the merge of every group of two or more rows.

    groups: the group of each source row (rows with the same value merge), e.g.
        ``result.crosswalk["cluster_id"]``.
    decisions: reviewed pairs (``a``, ``b``, ``decision``), where a ``match``
        may carry ``survivor_row`` and ``fields`` ({column: source_row}); they
        apply to the group that holds ``a``, which counts as decided by a person.
    undone: groups whose merge a person took back.

    Every rule works on all groups at once (one sort per column), so that
    large exports merge in seconds.
    """
    check_source(contacts, "merge", path=False, contacts=True)
    policy = policy or MergePolicy()
    normalized = normalized or normalize(with_extra_columns(contacts))  # as `run` reads them: the extra columns too
    frame, fm = contacts.frame, contacts.field_map
    check_policy(policy, contacts)
    group_of = _group_of(groups, len(frame))
    kept = kept_columns(fm)
    undone = {int(g) for g in undone}
    survivor_choice, field_choice, reviewed = _choices(decisions, group_of, kept, contacts, undone)
    placeholders = _with_blank_texts(contacts, _in_groups(group_of), policy.clear,
                                     placeholder_cells(contacts, normalized))
    members = _members(contacts, group_of, policy, survivor_choice, placeholders)
    role_of = fm.role_of()
    cells = _Cells(members, contacts, normalized, placeholders)

    rule_of = column_rules(fm, policy, frame.columns)
    beside = {c: found for c, found in fm.beside(frame.columns).items() if c not in policy.rules}
    after, source = {}, {}
    for column, rule in rule_of.items():
        if not (rule == "union" and role_of.get(column) in ("emails", "phones")) and column not in beside:
            after[column], source[column] = _apply(rule, column, cells, contacts)
    overflow, listed, moved = [], [], {}  # values that found no column; those a list column took; moved from
    for role in ("emails", "phones"):
        if any(rule_of[c] == "union" for c in fm.columns(role)):
            overflow += _union(role, cells, contacts, after, source, field_choice, rule_of, listed, moved)
    for (group, column), row in field_choice.items():
        if column not in beside:
            after[column].loc[group], source[column].loc[group] = frame.at[row, column], row
            moved.get(column, {}).pop(group, None)  # the person's value comes from its own column
    first = {columns[0] for columns in (fm.emails, [c for c, _ in fm.phones]) if columns}
    for column, (of, suffix) in beside.items():
        after[column], source[column] = _follow(of, suffix, frame, after, source, moved.get(of, {}), beside,
                                                of in first)
        rule_of[column] = f"follows {of}"
    for (group, column), row in field_choice.items():
        if column in beside:
            after[column].loc[group], source[column].loc[group] = frame.at[row, column], row

    first = members.iloc[run_starts(members["group"].to_numpy())]  # each group's survivor, groups in order
    conflicts = _conflicts(cells, contacts, policy, field_choice)
    record_id = record_ids(contacts)
    table = pd.DataFrame({"group": first["group"].to_numpy()})
    table["rows"], table["record_ids"] = _tuples(members, record_id)
    table["survivor_row"] = first["row"].to_numpy()
    table["survivor_record_id"] = record_id[table["survivor_row"].to_numpy()] if len(table) else []
    table["survivor_reason"] = first["reason"].to_numpy()
    table["conflicts"] = table["group"].map(conflicts).fillna("")
    picked = keyless_picks(contacts, table)
    table.loc[picked, "conflicts"] = [
        "; ".join(filter(None, (found, _keyless_pick(contacts, row))))
        for found, row in zip(table.loc[picked, "conflicts"], table.loc[picked, "survivor_row"])]
    table["status"] = np.where(table["group"].isin(undone), "undone", np.where(table["conflicts"] != "", "stopped", "merge"))
    table["decided_by"] = np.where(table["group"].isin(reviewed), "reviewed", "auto")

    overflow = pd.DataFrame(overflow, columns=["group", "role", "value", "source_row"])
    groups, survivors = pd.Index(table["group"]), table["survivor_row"].to_numpy(dtype=np.int64)
    rules = {key: "chosen in review" for key in field_choice}
    rules = _name_in_one_cell(frame, fm, after, source, groups, survivors, rules) | rules
    _no_part_of_another_last_name(frame, fm, cells, after, source, groups, survivors, rules)
    merged_values: dict[str, np.ndarray] = {}

    def merged(column: str) -> np.ndarray:  # each column's once: the table of values reads the audit's columns again
        return read_only_once(merged_values, column, lambda: _merged(frame[column], after[column], groups, survivors))

    dropped = _not_kept(cells, contacts, merged, groups.to_numpy(),
                        pd.concat([overflow, pd.DataFrame(listed, columns=overflow.columns)]))
    texts = [c for c in frame.columns
             if role_of.get(c) not in (*_NOT_TEXT_ROLES, *_NAME_ROLES) and rule_of[c] != "union"]
    dropped = pd.concat([dropped, _texts_not_kept(cells, texts, role_of, merged, groups)], ignore_index=True)
    del cells  # its cells of the members: let them go before the large table of values
    return MergePlan(
        contacts=contacts,
        policy=policy,
        groups=table[GROUP_COLUMNS],
        values=_values(groups, survivors, frame, merged, source, rule_of, role_of, rules),
        overflow=overflow,
        undone=tuple(sorted(undone & set(table["group"]))),
        dropped=dropped,
        normalized=normalized,
    )


def proposed_survivors(contacts: Contacts, groups: Iterable[int], policy: MergePolicy | None = None, *,
                       decisions: pd.DataFrame | None = None, normalized: Normalized | None = None) -> np.ndarray:
    """For every source row, the row that the survivor rule (or a person in review) picks in its
    group, itself when alone: the survivor `merge` keeps, unless it stops the group for a conflict."""
    policy = policy or MergePolicy()
    check_policy(policy, contacts)
    group_of = np.asarray(groups, dtype=np.int64)
    placeholders = {}
    if policy.survivor == "most_complete":
        placeholders = _with_blank_texts(contacts, _in_groups(group_of), policy.clear,
                                         placeholder_cells(contacts, normalized or normalize(contacts)))
    members = _members(contacts, group_of, policy, _choices(decisions, group_of)[0], placeholders)
    first = members[members["rank"] == 0]
    survivor_of_group = np.zeros(int(group_of.max(initial=-1)) + 1, dtype=np.int64)
    survivor_of_group[first["group"].to_numpy()] = first["row"].to_numpy()
    survivor = np.arange(len(group_of))
    survivor[members["row"].to_numpy()] = survivor_of_group[members["group"].to_numpy()]
    return survivor


def keyless_picks(contacts: Contacts, groups: pd.DataFrame) -> np.ndarray:
    """Whether each of ``groups`` (``rows`` and ``survivor_row``, as `MergePlan.groups`) keeps a survivor without
    a record ID (without that column, without an email in `FieldMap.key`) while another of its records has one:
    only a person's pick in review does (the rules put such rows last). The CRM has no contact to keep the
    group's values, and the fix files would clear and archive the others into none: the merge stops."""
    column = contacts.field_map.key
    if not column or not len(groups):
        return np.zeros(len(groups), dtype=bool)
    keyed = contacts.keyed()
    found = ~keyed[groups["survivor_row"].to_numpy(dtype=np.int64)]
    at = np.flatnonzero(found)  # few: a person picked them
    found[at] = [keyed[list(rows)].any() for rows in groups["rows"].iloc[at]]
    return found


def keyless_what(field_map: FieldMap) -> str:
    """What a survivor `keyless_picks` finds has not, in words: ``record ID``, or ``email in 'Email'``."""
    return "record ID" if field_map.record_id else f"email in {field_map.key!r}"


def _keyless_pick(contacts: Contacts, row: int) -> str:
    """The conflict of a group `keyless_picks` finds, in words."""
    what = keyless_what(contacts.field_map)
    return (f"the survivor chosen in review, row {row}, has no {what}: the CRM has no contact to keep the merged "
            f"values, and the fix files would clear and archive the others into none; pick a survivor with a {what} "
            "in review")


def kept_columns(field_map: FieldMap) -> list[str]:
    """The columns that always keep the survivor's value, whatever a rule or a person chooses: those
    of the `KEEP_ROLES` and the key of the fix files (without a record ID, the first email)."""
    key = field_map.key
    return [column for role in KEEP_ROLES for column in field_map.columns(role)] + ([key] if key else [])


def survivor_among(contacts: Contacts, rows: Iterable[int], policy: MergePolicy,
                   placeholders: Mapping[str, np.ndarray]) -> int:
    """The row the survivor rule keeps when ``rows`` are one group and no person picked one;
    ``placeholders``: `placeholder_cells` (``{}`` unless the rule is ``most_complete``)."""
    rows = np.asarray(sorted(rows), dtype=np.int64)
    if policy.survivor == "most_complete":
        placeholders = _with_blank_texts(contacts, rows, policy.clear, placeholders)
    return int(_ranked(rows, np.zeros(len(rows), dtype=np.int64), policy, contacts, {}, placeholders)["row"].iloc[0])


def _members(contacts: Contacts, group_of: np.ndarray, policy: MergePolicy, chosen: Mapping[int, int],
             placeholders: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """`_ranked` of every row in a group of two or more."""
    rows = _in_groups(group_of)
    return _ranked(rows, group_of[rows], policy, contacts, chosen, placeholders)


def _group_of(groups: Iterable[int], n_rows: int) -> np.ndarray:
    """The group of each source row, in row order: a Series (``result.crosswalk["cluster_id"]``, sorted or
    not) by its index, which must be the ``source_row`` of every row once; other values by position."""
    if isinstance(groups, pd.DataFrame):
        raise ConfigError("merge: groups is the group of each row, such as result.crosswalk['cluster_id'], "
                          "not a whole table")
    if isinstance(groups, pd.Series) and len(groups) == n_rows:
        if not groups.index.sort_values().equals(pd.RangeIndex(n_rows)):
            raise ConfigError(f"merge: groups is a Series whose index is not the source_row of each of the {n_rows:,} "
                              "rows once (0 to n-1): give result.crosswalk['cluster_id'] with its own index (sorted "
                              "or not), or the groups in source_row order as a list or array")
        groups = groups.sort_index()
    group_of = np.asarray(groups, dtype=np.int64)
    if len(group_of) != n_rows:
        raise ConfigError(f"merge: {len(group_of)} group IDs for {n_rows} rows; give one to every row, such as "
                          "result.crosswalk['cluster_id'] (not filtered)")
    return group_of


def _in_groups(group_of: np.ndarray) -> np.ndarray:
    """The rows in a group of two or more."""
    size = np.bincount(group_of, minlength=len(group_of))[group_of] if len(group_of) else np.zeros(0, dtype=np.int64)
    return np.flatnonzero(size > 1)


def with_extra_columns(contacts: Contacts) -> Contacts:
    """``contacts`` whose emails and phones are also those a merge kept in a cleaned export's extra columns
    (``dedupe_kit extra phones``: no CRM column took them): the contact's, matched on as its others are. The
    merge does not map them so: it joins their values, as tags (see `_rule`)."""
    fm = contacts.field_map
    emails, phones = (tuple(filter(None, [extra_column(contacts, role)])) for role in ("emails", "phones"))
    if not (emails or phones):
        return contacts
    fm = dataclasses.replace(fm, emails=fm.emails + emails, phones=fm.phones + tuple((c, "other") for c in phones))
    return dataclasses.replace(contacts, field_map=fm)


def extra_column(contacts: Contacts, role: str) -> str | None:
    """The extra column of ``role`` (emails or phones) of a cleaned export, when ``contacts`` hold one of no role."""
    column = EXTRA_COLUMN.format(role=role)
    return column if column in contacts.frame and column not in contacts.field_map.role_of() else None


def _role_columns(contacts: Contacts, role: str) -> list[str]:
    """The columns of ``role``, and last a cleaned export's extra column of the role (`extra_column`)."""
    return [*contacts.field_map.columns(role), *filter(None, [extra_column(contacts, role)])]


def _placeholder_problems(normalized: Normalized) -> np.ndarray:
    """Which of the unusable values (`Normalized.problems`) are placeholders (``N/A``, ``555-555-5555``): typed as one
    or read as one; worked out once, read-only."""
    def make() -> np.ndarray:
        problems = normalized.problems
        typed = holds_word(problems["raw"].to_numpy(dtype=object), *PLACEHOLDER_TEXT)
        return typed | problems["reason"].str.startswith("placeholder").to_numpy()
    return normalized.once("placeholder problems", make)


def placeholder_cells(contacts: Contacts, normalized: Normalized) -> dict[str, np.ndarray]:
    """By phone, email and ID column, whether each row's cell holds only placeholders (``N/A``,
    ``555-555-5555``, ``noemail@…``): blank in effect, such a cell neither makes a record look
    complete nor keeps a number out of its column, and is not carried into another record. Worked out once (the
    merge and the export both ask), read-only."""
    def make() -> tuple[np.ndarray, ...]:
        problems = normalized.problems
        junk = _placeholder_problems(normalized)
        rows, columns = problems["source_row"].to_numpy(), problems["column"].to_numpy(dtype=object)
        ids = normalized.identifiers
        near = isin(ids["source_row"].to_numpy(), rows[junk])  # the identifiers of rows that hold a placeholder
        beside = {*zip(ids["source_row"].to_numpy()[near].tolist(),
                       ids["column"].to_numpy(dtype=object)[near].tolist()),
                  *zip(rows[~junk].tolist(), columns[~junk].tolist())}  # a usable value, or another unusable one
        at: dict[str, list[int]] = {}
        for row, column in zip(rows[junk].tolist(), columns[junk].tolist()):
            if (row, column) not in beside:
                at.setdefault(column, []).append(row)
        found = {column: np.zeros(len(contacts), dtype=bool) for column in at}
        for column, held in at.items():
            found[column][held] = True
        return np.array(list(found), dtype=object), *found.values()  # the columns, then their cells
    columns, *found = normalized.once(("placeholder cells", len(contacts)), make)
    return dict(zip(columns.tolist(), found))


def filled_cells(contacts: Contacts, placeholders: Mapping[str, np.ndarray], column: str) -> np.ndarray:
    """Whether each row's cell of ``column`` holds something other than white space and the
    ``placeholders`` (`placeholder_cells`)."""
    filled = contacts.filled(column)
    return filled & ~placeholders[column] if column in placeholders else filled


def blank_cells(contacts: Contacts, normalized: Normalized, word: str) -> dict[str, np.ndarray]:
    """By column, whether each row's cell, though filled, is blank to the merge: a placeholder
    (`placeholder_cells`, `_with_blank_texts`) or the CRM's clear ``word``. The profile's fill rates
    leave them out."""
    return _with_blank_texts(contacts, np.arange(len(contacts)), word, placeholder_cells(contacts, normalized))


def _with_blank_texts(contacts: Contacts, rows: np.ndarray, word: str,
                      placeholders: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``placeholders`` (`placeholder_cells`) with, in every column, the cells of ``rows`` that hold
    only the CRM's clear ``word`` (``#N/A``, ``UNSET``, in any case): the import of a fix file reads
    it as "empty the field"; and, in a column of text (a name, company, notes, a Title of no role),
    those that hold only a placeholder (``N/A``, ``unknown``, ``#VALUE!``: `placeholder_texts` of its
    role; in a column of no role, not ``0``, ``x``, ``none`` or ``NA``, which may be an answer; of a birth
    date, ``1900-01-01``: `placeholder_date`). So no
    rule takes them for a value, a record is no more complete for them, and a value of another row fills them."""
    found = dict(placeholders)
    if not len(rows):
        return found
    role_of = contacts.field_map.role_of()
    for column in contacts.columns:
        role = role_of.get(column)
        hit = _holding_word(contacts, column, _blank_words(contacts, column, word), rows)
        if role == "birth_date":  # and 1900-01-01, what systems write for no date
            hit |= contacts.filled(column)[rows] & ~_dated(contacts, column, rows)
        if hit.any():
            mask = found.get(column, np.zeros(len(contacts), dtype=bool)).copy()
            mask[rows[hit]] = True
            found[column] = mask
    return found


def _blank_words(contacts: Contacts, column: str, word: str) -> frozenset[str]:
    """The texts a cell of ``column`` that holds only one of is blank to the merge (`_with_blank_texts`): the clear
    ``word``, and in a column of text the placeholders."""
    role = contacts.field_map.role_of().get(column)
    words = ([] if role in _NOT_TEXT_ROLES or column in EXTRA_COLUMNS else
             placeholder_texts(role) if role else _ANY_COLUMN_PLACEHOLDERS)
    return frozenset(filter(None, [word, *words]))


def holding_clear_word(contacts: Contacts, column: str, word: str, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows``' cell of ``column`` holds only the clear ``word`` (`holds_word`): read again among
    the cells the merge found blank for ``word`` or a placeholder (`_holding_word`, kept for all rows when the
    merge's groups are many), not in Arrow's reading of every cell (0.1 s for the merged-away records' key columns
    at 1,000,000 rows)."""
    hit = np.flatnonzero(_holding_word(contacts, column, _blank_words(contacts, column, word), rows))
    held = np.zeros(len(rows), dtype=bool)
    held[hit[holds_word(contacts.frame[column].to_numpy(dtype=object)[rows[hit]], word)]] = True
    return held


def _holding_word(contacts: Contacts, column: str, words: frozenset[str], rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows``' cell of ``column`` is filled with only one of ``words`` (`holds_word`); for many
    rows (the merge's groups, the profile's all) worked out for all rows once per column and words, and in a
    column of few distinct texts (a first name, a city) for each distinct text once."""
    def held(rows: np.ndarray) -> np.ndarray:
        rows = rows[contacts.filled(column)[rows]]
        values = contacts.frame[column].to_numpy(dtype=object)[rows]
        if len(pd.unique(values[:1000])) < 500:  # by a sample: factorizing texts nearly all distinct takes longer
            distinct = pd.unique(values)  # no codes by row: most columns hold no word, and then no row needs one
            found = distinct[holds_word(distinct, *words)]
            return rows[isin(values, found)] if len(found) else rows[:0]
        if _none_held(values, words):  # most columns of texts nearly all distinct (emails, IDs, dates): no word
            return rows[:0]
        return rows[holds_word(values, *words)]
    if len(rows) * 10 < len(contacts):  # a group in review: no pass over all rows
        return isin(rows, held(rows))
    hit = np.zeros(len(contacts), dtype=bool)
    hit[contacts.once(("holding word", column, words), lambda: held(np.arange(len(contacts))))] = True
    return hit[rows]


def blank_for_the_word(contacts: Contacts, rows: np.ndarray, word: str,
                       placeholders: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """By column, whether each row's cell is blank to the merge only for holding the CRM's clear
    ``word`` (a Newsletter ``NO`` when the word is ``NO``), of ``rows``: a value of the data, that the
    merge does not keep and another record's value replaces."""
    blank = _with_blank_texts(contacts, rows, "", placeholders)
    found = {}
    for column, hit in _with_blank_texts(contacts, rows, word, placeholders).items():
        if column in blank:
            hit = hit & ~blank[column]
        if hit.any():
            found[column] = hit
    return found


def _none_held(values: np.ndarray, words: Collection[str]) -> bool:
    """Whether none of ``values`` (texts) can be one of ``words`` as `holds_word` reads it, seen in one search of
    them all joined, in lower case, for each word (for ``[]`` its ``[``: an empty list with white space inside):
    in 0.6 of `holds_word`'s time, whose conversion of the texts to Arrow costs the most. Only for ASCII texts,
    which Python lowers as Arrow does; ``False`` (do not know) for others and where a word is found.

    >>> _none_held(np.array(["a@x.com", " b "], dtype=object), {"unset"}), _none_held(np.array([" UnSet"]), {"unset"})
    (True, False)
    """
    text = "\n".join(values)
    if not text.isascii():
        return False
    text = text.lower()
    return not any(("[" if word == "[]" else word.lower()) in text for word in words)


def holds_word(values: np.ndarray, *words: str) -> np.ndarray:
    """Whether each text is one of ``words`` (a CRM's clear word), in any case and between spaces (an empty JSON list
    ``[]`` written with white space inside too, `placeholder_folded`); by Arrow's kernels, half the time of pandas'
    on the distinct texts."""
    if not words:
        return np.zeros(len(values), dtype=bool)
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(pa.array(values, pa.string())))
    held = pc.is_in(folded, value_set=pa.array([w.lower() for w in words], pa.string()))
    if "[]" in words:  # a match, not a replacement: a third of the time on every column at 1,000,000 rows
        held = pc.or_(held, pc.match_substring_regex(folded, EMPTY_LIST_SPACED))
    return np.asarray(held)


def _merged(column: pd.Series, after: pd.Series, groups: pd.Index, survivors: np.ndarray) -> np.ndarray:
    """A column's merged value in each of ``groups``: `_apply`'s, else the survivor's own."""
    merged = column.to_numpy(dtype=object)[survivors]
    at = groups.get_indexer(after.index)  # -1: a group of one row, which merges nothing
    merged[at[at >= 0]] = after.to_numpy(dtype=object)[at >= 0]
    return merged


def _name_in_one_cell(frame: pd.DataFrame, fm: FieldMap, after: dict[str, pd.Series], source: dict[str, pd.Series],
                      groups: pd.Index, survivors: np.ndarray, rules: Mapping[tuple[int, str], str]
                      ) -> dict[tuple[int, str], str]:
    """Merged names that would repeat the last name: a whole name in a first-name cell whose
    last name is blank (``"Eleanor Harrison"``, as a form with one name field leaves it), filled
    with another record's last name (``"Harrison"``), keeps only its other words (``"Eleanor"``),
    the last name first too (``"Smith, John"``); the same for a whole name in the last-name cell, and
    for a last name that holds the Dutch prefix or the Spanish second surname another record's column of
    its own gives (``"van der Berg"`` and ``Tussenvoegsel`` ``"van der"``: ``"Berg"``).
    Cells in ``rules`` (chosen in review) are left as they are. Changes ``after`` in place; returns
    the rule of each cell changed."""
    pairs = [(fm.first_name, fm.last_name), (fm.last_name, fm.first_name)] if fm.first_name and fm.last_name else []
    pairs += [(fm.last_name, part) for part in fm.last_name_columns(frame.columns) if part != fm.last_name]
    changed = {}
    for whole, other in pairs:
        value = _merged(frame[whole], after[whole], groups, survivors)
        taken = _merged(frame[other], after[other], groups, survivors)
        rows, at = survivors.copy(), groups.get_indexer(source[whole].index)  # where each whole name comes from
        rows[at[at >= 0]] = source[whole].to_numpy()[at >= 0]
        # a space looked for in a list of the names, not by pandas' str.contains (half the time at 1,000,000 rows)
        spaced = np.fromiter([" " in name for name in value.tolist()], dtype=bool, count=len(value))
        maybe = np.flatnonzero(spaced & (taken != "") & (rows >= 0))
        # of those, the few whose own record has no ``other`` name are read one by one
        own = frame[other].to_numpy(dtype=object)[rows[maybe]]
        maybe = maybe[np.fromiter([not name.strip() for name in own.tolist()], dtype=bool, count=len(own))]
        for at, row, group in zip(maybe.tolist(), rows[maybe].tolist(), groups.to_numpy()[maybe].tolist()):
            words, part = fold_name(value[at]), fold_name(taken[at])
            rest = ""  # the part at either end: "Eleanor Harrison", "Smith, John"
            if part and words.endswith(" " + part):
                rest = words[:-len(part) - 1]
            elif part and words.startswith(part + " "):
                rest = words[len(part) + 1:]
            if rest and (group, whole) not in rules:
                after[whole].loc[group] = as_written(value[at], rest)  # its own words, as typed
                changed[(group, whole)] = "name in one cell, split"
    return changed


def _no_part_of_another_last_name(frame: pd.DataFrame, fm: FieldMap, cells: _Cells, after: dict[str, pd.Series],
                                  source: dict[str, pd.Series], groups: pd.Index, survivors: np.ndarray,
                                  rules: Mapping[tuple[int, str], str]) -> None:
    """A Dutch prefix or a Spanish second surname of a column of its own (`FieldMap.last_name_columns`)
    belongs with its record's last name: one taken from a record whose last name is not the merged one
    (``Tussenvoegsel`` ``"de"`` of Eva of no last name, beside Eva Smit, whichever survives) gives way to
    the first one of a record of the merged last name, else to none.
    Cells in ``rules`` (chosen in review) are left as they are. Changes ``after`` and ``source`` in place."""
    parts = [part for part in fm.last_name_columns(frame.columns) if part != fm.last_name]
    if not parts:
        return  # most files
    kept, last = _merged(frame[fm.last_name], after[fm.last_name], groups, survivors), frame[fm.last_name].to_numpy()
    for part in parts:
        rows, at = source[part].to_numpy(), groups.get_indexer(source[part].index)
        maybe = np.flatnonzero((at >= 0) & (rows >= 0))
        maybe = maybe[last[rows[maybe]] != kept[at[maybe]]]  # the same text is the same last name
        filled = cells(part).set_index("group")["row"]  # in the members' order
        for group, row, i in zip(source[part].index[maybe].tolist(), rows[maybe].tolist(), at[maybe].tolist()):
            if (group, part) in rules or fold_name(last[row]) == fold_name(kept[i]):
                continue
            own = [r for r in filled.loc[[group]].tolist() if fold_name(last[r]) == fold_name(kept[i])]
            row = own[0] if own else survivors[i]
            after[part].loc[group], source[part].loc[group] = frame.at[row, part] if own else "", row


def _values(groups: pd.Index, survivors: np.ndarray, frame: pd.DataFrame, merged_of: Callable[[str], np.ndarray],
            source: Mapping[str, pd.Series], rule_of: Mapping[str, str], role_of: Mapping[str, str],
            rules: Mapping[tuple[int, str], str]) -> pd.DataFrame:
    """One row per group (``groups``, in order, and their survivor rows) and column, columns in the
    file's order: see `MergePlan.values`. ``merged_of``: a column's merged values, as in `_not_kept`.
    ``rules``: the rule of a group's cell where it is not its column's (``(group, column)``: "chosen in review"…).

    The text columns are filled in place in the one array the frame then holds (millions of rows
    at 1M contacts: a frame built from separate arrays would copy them all once more). The rules are set row by
    row, as the columns' names, and each column's values compared as they are taken, not all of them again at the
    end: 0.36 s, not 0.47 s, at 1,000,000 rows.
    """
    shape = (len(groups), len(frame.columns))
    text = np.empty((5, shape[0] * shape[1]), dtype=object)  # column, role, rule, before, after
    column_of, role_of_cell, rule, before, merged = (part.reshape(shape) for part in text)
    source_row = np.repeat(survivors[:, None], shape[1], axis=1)
    changed = np.empty(shape, dtype=bool)
    column_of[:] = frame.columns.to_numpy(dtype=object)
    role_of_cell[:] = np.array([role_of.get(c, "") for c in frame.columns], dtype=object)
    rule[:] = np.array([rule_of[c] for c in frame.columns], dtype=object)
    for position, column in enumerate(frame.columns):
        was, now = frame[column].to_numpy(dtype=object)[survivors], merged_of(column)
        before[:, position], merged[:, position] = was, now
        changed[:, position] = was != now  # compared here, while the column's texts are in the cache
        at = groups.get_indexer(source[column].index)
        source_row[at[at >= 0], position] = source[column].to_numpy(dtype=np.int64)[at >= 0]
    for (group, column), how in rules.items():
        if group in groups:
            rule[groups.get_loc(group), frame.columns.get_loc(column)] = how
    values = pd.DataFrame(text.T, columns=VALUE_COLUMNS[1:6], copy=False)
    values.insert(0, "group", np.repeat(groups.to_numpy(), shape[1]))
    values["source_row"] = source_row.ravel()
    values["changed"] = changed.ravel()
    return values


def _tuples(members: pd.DataFrame, record_id: np.ndarray) -> tuple[np.ndarray | list, np.ndarray | list]:
    """The rows of each group in order, and their record IDs, as tuples, groups in order (``members``: by group,
    as `_ranked` orders them); as arrays, which a table's columns take four times as fast as lists."""
    if not len(members):  # no group: empty lists, which make the empty table's columns as they always were
        return [], []
    group, row = members["group"].to_numpy(), members["row"].to_numpy(dtype=np.int64)
    starts, sizes = run_lengths(group)
    # each group's rows in order, by a stable sort of the group's position and the row in one integer: the members
    # are nearly in that order already (a tenth of the time of a lexsort of the groups and rows, 563,768 members)
    run = np.repeat(np.arange(len(starts)), sizes)
    row = row[np.argsort(run * (row.max(initial=0) + 1) + row, kind="stable")]
    rows, ids = np.empty(len(starts), dtype=object), np.empty(len(starts), dtype=object)
    # the groups of each size at once, their tuples made by zip from a list of their first rows, one of their
    # seconds…: slicing a list of all rows for each group took a third longer (247,780 groups at 1,000,000 rows)
    for size in np.unique(sizes).tolist():
        at = np.flatnonzero(sizes == size)
        columns = [row[starts[at] + i] for i in range(size)]
        rows[at] = np.fromiter(zip(*(column.tolist() for column in columns)), dtype=object, count=len(at))
        ids[at] = np.fromiter(zip(*(record_id[column].tolist() for column in columns)), dtype=object, count=len(at))
    return rows, ids


def _not_kept(cells_of: _Cells, contacts: Contacts, merged: Callable[[str], np.ndarray], groups: np.ndarray,
              overflow: pd.DataFrame) -> pd.DataFrame:
    """The emails, phones and external IDs of each group that its merged contact does not hold.

    merged: a column's merged value in each of ``groups`` (in order), as `_merged` gives it.
    """
    fm = contacts.field_map
    found = []
    for role in ("emails", "phones", "external_ids"):
        columns = list(fm.columns(role))
        if not columns:
            continue
        cells = cells_of.of_role(role)
        extra = overflow[(overflow["role"] == role).to_numpy() & (overflow["value"] != "").to_numpy()]
        kept = [merged(c) for c in columns]
        # the cells, and their identifiers typed otherwise (a part of a cell of several, a phone without a
        # spreadsheet's .0), kept as typed; a kept text keeps the keys of its first cell, or of its first such
        # identifier, in the group
        group, text = cells["group"].to_numpy(dtype=np.int64), cells["value"].to_numpy(dtype=object)
        cell, key, typed, _ = cells_of.identifiers(cells)
        # most often each cell holds one (``cell``: every position, in order): the cells' own texts are compared,
        # not a copy taken by cell, which touched every text once more (half the comparison's time at 1,000,000 rows)
        one_each = np.array_equal(cell, np.arange(len(cells)))
        part = np.flatnonzero(typed != (text if one_each else text[cell]))
        at = np.searchsorted(groups, group)  # the position of each cell's group among ``groups``
        kept_here = _first_kept(_kept_texts(group, text, at, kept, extra))[cell]
        if extra_role_column := extra_column(contacts, role):  # most files have none: no comparison of each cell
            kept_here |= cells["column"].to_numpy(dtype=object)[cell] == extra_role_column
        kept_here[part] |= _first_kept(_kept_texts(group[cell[part]], typed[part], at[cell[part]], kept, extra))
        if role == "emails":  # an address is kept as written (in any case), not as another writing of its mailbox
            # (a Gmail address without its dots or +tag); a cell of several gives each as read
            read = cells["read"].to_numpy(dtype=object)
            if not one_each:
                read = np.where(pd.Series(cell).duplicated(keep=False).to_numpy(), typed, read[cell])
            key = _codes(read)
        by_key = group[cell] * (key.max(initial=0) + 1) + key
        code = pd.factorize(by_key)[0]  # once for what is kept and what is typed twice: two hash tables took longer
        held = np.zeros(len(by_key), dtype=bool)
        held[code[kept_here]] = True
        lost = ~held[code]
        if role == "phones":  # a number with an extension is kept only with that extension (read where the
            # number is kept and typed twice in the group)
            twice = np.flatnonzero(~lost & repeated(code))
            by_extension = with_extensions(by_key[twice], typed[twice])
            extended = by_extension != by_key[twice]
            lost[twice[extended]] = ~isin(by_extension[extended], by_extension[kept_here[twice]])
            by_key = by_key.copy()
            by_key[twice] = by_extension
        # once for each record that holds it (in two of its columns, a cell of several): the audit names each
        lost = np.flatnonzero(lost)  # (one key is lost or kept alike: the few lost alone are looked at)
        of_record = pd.DataFrame({"key": by_key[lost], "row": cells["row"].to_numpy()[cell[lost]]})
        lost = lost[~of_record.duplicated().to_numpy()]
        lost_cells = cells.take(cell[lost])
        found.append(pd.DataFrame({"group": lost_cells["group"].to_numpy(), "role": role,
                                   "column": lost_cells["column"].to_numpy(), "value": typed[lost],
                                   "source_row": lost_cells["row"].to_numpy()}))
    return pd.concat(found, ignore_index=True) if found else _no_values_dropped()


def _no_values_dropped() -> pd.DataFrame:
    """An empty table of `DROPPED_COLUMNS` whose groups and rows are integers: joined with the values found
    (`_not_kept`, `_texts_not_kept`), they stay integers (an empty table without types made them objects)."""
    return pd.DataFrame({column: pd.Series(dtype=np.int64 if column in ("group", "source_row") else object)
                         for column in DROPPED_COLUMNS})


def _kept_texts(group: np.ndarray, text: np.ndarray, at: np.ndarray, kept: Sequence[np.ndarray],
                extra: pd.DataFrame) -> np.ndarray:
    """For each ``text`` of a cell (or of a part of one) of ``group``, a number of its group and text when the
    group's merged contact keeps that text: in a column (``kept``: each column's merged value by group; ``at``:
    the position of the text's group there) or as an ``extra`` value (``group``, ``value``: not blank); else -1.
    The texts are compared with their group's values: encoding them all (`_codes`) took longer."""
    found = np.full(len(text), -1)
    for i, values in enumerate(kept):
        found[(found < 0) & (text == values[at])] = i
    found[text == ""] = -1  # a blank value is no kept text
    extra_group = extra["group"].to_numpy(dtype=np.int64)
    near = np.flatnonzero((found < 0) & isin(group, extra_group))
    codes = _codes(text[near], extra["value"].to_numpy(dtype=object))
    size = codes.max(initial=0) + 1
    held = isin(group[near] * size + codes[:len(near)], extra_group * size + codes[len(near):])
    found[near[held]] = len(kept) + codes[:len(near)][held]
    return np.where(found >= 0, group * (len(kept) + size) + found, -1)


def _first_kept(kept: np.ndarray) -> np.ndarray:
    """Whether each text of `_kept_texts` is kept, and its group's first of that text."""
    found = kept >= 0
    found[found] = ~pd.Series(kept[found]).duplicated().to_numpy()
    return found


def _texts_not_kept(cells_of: _Cells, columns: Iterable[str], role_of: Mapping[str, str],
                    merged: Callable[[str], np.ndarray], groups: pd.Index) -> pd.DataFrame:
    """The values of ``columns`` (a company, a city, a name: no email, phone, ID or date a CRM sets) that a
    merged-away record holds and its merged contact does not, once for each such record: ``Acme Corp`` beside
    ``Acme``, not ``ACME`` (the same value in other capitals or spaces) nor ``@annem`` beside ``'@annem`` (the
    ``'`` a CRM writes to stop a formula, `without_text_mark`), nor a country the other names
    (``USA`` beside ``United States``). ``merged``: as in `_not_kept`."""
    country = cells_of.contacts.field_map.country
    found = [_no_values_dropped()]
    for column in columns:
        cells = cells_of(column)
        cells = cells[cells["rank"].to_numpy() > 0]  # the survivor's own value replaced: a "field" of the audit
        if not len(cells):
            continue
        value, kept = cells["value"].to_numpy(dtype=object), merged(column)[groups.get_indexer(cells["group"])]
        other = value != kept  # most are the same text
        cells = cells[other]
        key = map_unique(pd.Series(np.r_[value[other], kept[other]]),  # '@annem, as a CRM stops a formula: @annem
                         lambda text: " ".join(without_text_mark(text.strip()).split()).casefold())
        if column == country:
            key = map_unique(key, lambda text: country_region(text, text))
        key = key.to_numpy(dtype=object)
        lost = cells[key[:len(cells)] != key[len(cells):]]  # for each record that holds it: the audit names each
        found.append(pd.DataFrame({"group": lost["group"].to_numpy(), "role": role_of.get(column, ""), "column": column,
                                   "value": lost["value"].to_numpy(), "source_row": lost["row"].to_numpy()}))
    return pd.concat(found, ignore_index=True)


def _codes(*texts: np.ndarray) -> np.ndarray:
    """One integer per distinct text, over the texts one after the other, in the order first met (`arrow_codes`)."""
    texts = pa.array(np.concatenate([np.asarray(t, dtype=object) for t in texts]), pa.large_string())
    return arrow_codes(texts)[0].astype(np.int64)


def check_policy(policy: MergePolicy, contacts: Contacts, source: str = "") -> None:
    """Name every rule target that is neither a column of the file nor a role, and every setting
    the file cannot serve; ``source``: the config file, named first in the error."""
    roles = set(contacts.field_map.__dataclass_fields__)
    problems = [f"rules: {target!r} is neither a column of {contacts.name} nor a role"
                for target in policy.rules if target not in contacts.columns and target not in roles]
    if policy.survivor == "source_priority" and policy.source_column not in contacts.columns:
        problems.append(f"source_column {policy.source_column!r} is not a column of {contacts.name}")
    elif policy.survivor == "source_priority":  # else every group's survivor would be its lowest row
        held = sorted(set(contacts.frame[policy.source_column].str.strip().tolist()) - {""})
        if not {_folded(v) for v in held} & {_folded(v) for v in policy.source_priority}:
            problems.append(f"no value of source_priority is in the column {policy.source_column!r}, which holds "
                            + (", ".join(map(repr, held[:8])) + (" …" if len(held) > 8 else "") if held else "none"))
    for role in KEEP_ROLES:
        for column in contacts.field_map.columns(role):
            if policy.rules.get(column, "survivor") != "survivor" or policy.rules.get(role, "survivor") != "survivor":
                what = {"record_id": "record ID", "created": "creation date", "updated": "update date"}[role]
                problems.append(f"rules: the {what} column {column!r} always keeps the survivor's value")
    for column in contacts.field_map.external_ids:  # one person has one ID: joining would write it typed two ways
        target = column if column in policy.rules else "external_ids"
        if policy.rules.get(target) == "union":
            problems.append(f"rules.{target}: 'union' joins a group's values, and the external ID column {column!r} "
                            "holds one per person (00421 and 421.0 would become '00421 | 421.0'): give it a rule "
                            "that keeps one value, such as 'fill' (the default)")
    key = contacts.field_map.key
    if not contacts.field_map.record_id and key and policy.rules.get(key, "union") not in KEY_RULES:
        problems.append(f"rules: without a record ID column, the first email column {key!r} is the key the fix files "
                        "find a contact by, so it keeps the survivor's address (the others go to the other email "
                        "columns): give it 'union' (the default), 'fill' or 'survivor', or give a column the role "
                        "record_id")
    if policy.survivor == "oldest_created" and not contacts.field_map.created:
        problems.append("survivor = 'oldest_created' needs a column with the role 'created'")
    if policy.survivor == "most_recently_updated" and not contacts.field_map.updated:
        problems.append("survivor = 'most_recently_updated' needs a column with the role 'updated'")
    recent = [target for target, rule in policy.rules.items() if rule == "most_recent"]
    if recent and not _recency_columns(contacts.field_map):  # else it would keep the survivor's value, unsaid
        problems.append(f"rules: {', '.join(map(repr, recent))} = 'most_recent' needs a column with the role "
                        "'updated' or 'created'")
    if problems:
        raise ConfigError((f"{source}: " if source else "") + "merge: " + "; ".join(problems))


def column_rules(field_map: FieldMap, policy: MergePolicy, columns: Iterable[str]) -> dict[str, str]:
    """The rule that gives each of ``columns`` its merged value (`_rule`)."""
    role_of = field_map.role_of()
    return {column: _rule(column, role_of.get(column, ""), policy, field_map.key) for column in columns}


def _rule(column: str, role: str, policy: MergePolicy, key: str | None = None) -> str:
    """The rule of ``column``: its own, else its role's, else the default. The `KEEP_ROLES` keep the
    survivor's value; so does ``key``, the column the fix files find a contact by (the first email
    without a record ID): its line must name the survivor's own address, so a rule of its role that
    could take another's gives way to ``union``, which keeps the others in other columns."""
    if role in KEEP_ROLES:
        return "survivor"
    rule = (policy.rules.get(column) or policy.rules.get(role)
            or ("union" if role in UNION_ROLES or column in EXTRA_COLUMNS else "" if role else consent_rule(column))
            or "fill")
    return "union" if column == key and rule not in KEY_RULES else rule


def _choices(decisions: pd.DataFrame | None, group_of: np.ndarray, kept: Sequence[str] = (),
             contacts: Contacts | None = None, undone: Collection[int] = ()):
    """What people chose: the survivor per group, the winning row per (group, column), the groups they matched.
    A value chosen for a ``kept`` column (`KEEP_ROLES` and the key of the fix files: the survivor's always), for
    a column not among the columns of ``contacts`` (renamed or removed in a newer export), or whose record no
    longer holds the value picked (``field_values``: edited in the CRM since; a decision without them applies
    as it is), is left out, with a warning (none for such a pick where the group's records hold one value there now,
    `_disagree`: nothing to choose; none for the ``undone`` groups, whose merge was taken back: nothing of theirs is
    merged): the merge's rules decide the column."""
    survivors: dict[int, int] = {}
    fields: dict[tuple[int, str], int] = {}
    reviewed: set[int] = set()
    if decisions is None or not len(decisions):
        return survivors, fields, reviewed
    columns = None if contacts is None else contacts.frame.columns
    changed: dict[str, set[int]] = {}  # column -> the rows whose value picked there is no longer theirs
    for row in decisions.to_dict("records"):
        if row.get("decision") != "match":
            continue
        group = int(group_of[int(row["a"])])
        reviewed.add(group)
        said = group not in undone
        survivor = row.get("survivor_row")
        survivor = int(float(survivor)) if _filled_cell(survivor) else None  # 4, 4.0 or "4.0" (a column with NaN)
        if survivor is not None and group_of[survivor] == group:
            survivors[group] = survivor
        chosen, picked = (_json_cell(row.get(c)) for c in ("fields", "field_values"))
        gone = set(chosen) - set(chosen if columns is None else columns)
        for c, r in chosen.items():
            if group_of[int(r)] != group or c in kept or c in gone:
                continue
            if columns is not None and not holds_pick(contacts.frame, int(r), c, picked):
                if said:
                    changed.setdefault(c, set()).add(int(r))
                fields.pop((group, c), None)  # nor an earlier pick: the latest one set it aside
            else:
                fields[group, c] = int(r)
        if (ignored := sorted(set(chosen) & set(kept))) and said:
            warnings.warn(f"merge: a value chosen in review for {', '.join(map(repr, ignored))} is ignored: the record "
                          "ID (without one, the first email, which keys the fix files) and the creation and update "
                          "dates always stay the survivor's", DedupeKitWarning, stacklevel=3)
        if gone and said:
            warnings.warn(f"merge: a value chosen in review for {', '.join(map(repr, sorted(gone)))} is ignored: the "
                          "input has no such column (renamed or removed since the review?)", DedupeKitWarning,
                          stacklevel=3)
    if changed:  # moot where the group's records hold one value there now (edited to agree): nothing to choose
        at = np.flatnonzero(isin(group_of, [group_of[r] for rows in changed.values() for r in rows]))
        changed = {c: kept_rows for c, rows in changed.items()
                   if (kept_rows := {r for r in rows if _disagree(contacts, c, at[group_of[at] == group_of[r]])})}
    if changed:
        record_id = record_ids(contacts)
        named = [f"{c!r} of {', '.join(str(record_id[r]) for r in sorted(rows))}"
                 for c, rows in sorted(changed.items())]
        warnings.warn(f"merge: a value chosen in review for {'; '.join(named)} is ignored: the record no longer holds "
                      "the value picked (edited in the CRM since the review?); the merge's rules decide it, review "
                      "the records again to choose", DedupeKitWarning, stacklevel=3)
    return survivors, fields, reviewed


def _disagree(contacts: Contacts, column: str, rows: np.ndarray) -> bool:
    """Whether ``rows`` hold two values of ``column`` (a blank or a placeholder such as ``N/A`` none, capitals and
    white space aside), as the review's `conflicts` asks a person to choose between."""
    role = contacts.field_map.role_of().get(column, "")
    cells = contacts.frame[column].iloc[rows[contacts.filled(column)[rows]]]
    return len({str(x).strip().casefold() for x in cells if not is_placeholder(str(x), role)}) > 1


def holds_pick(frame: pd.DataFrame, row: int, column: str, picked: Mapping[str, object]) -> bool:
    """Whether record ``row`` of ``frame`` still holds in ``column`` the value a person picked there (``picked``: a
    decision's ``field_values``, as the person saw it); a pick without one (stored before they were kept) does.

    >>> frame = pd.DataFrame({"Company": ["Acme", "Former employee"]})
    >>> holds_pick(frame, 1, "Company", {"Company": "Acme"}), holds_pick(frame, 1, "Company", {})
    (False, True)
    """
    return column not in picked or str(frame.at[row, column]) == str(picked[column])


def _json_cell(value: object) -> dict:
    """A decision's ``fields`` or ``field_values``: as stored, as JSON text (read back from a CSV), or blank."""
    value = value if _filled_cell(value) else {}
    return json.loads(value) if isinstance(value, str) else value


def _filled_cell(value: object) -> bool:
    """Whether a decision's ``survivor_row`` or ``fields`` says something: not None, nor a blank cell as pandas reads
    it (NaN, or ``""`` with ``dtype=str, keep_default_na=False``)."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and not (np.ndim(value) == 0 and pd.isna(value))


def _ranked(rows: np.ndarray, groups: np.ndarray, policy: MergePolicy, contacts: Contacts,
            chosen: Mapping[int, int], placeholders: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The members of every group, best first under the survivor rule (``rank`` 0 survives), and why.
    A cell of only placeholders (`placeholder_cells`) does not count as filled."""
    frame, fm = contacts.frame, contacts.field_map
    rule = policy.survivor
    if rule == "most_complete":
        filled = sum(_typed(contacts, column, rows).astype(np.int64) for column in frame.columns)
        filled -= sum((mask[rows].astype(np.int64) for mask in placeholders.values()), np.zeros(len(rows), np.int64))
        counts, at = np.unique(filled, return_inverse=True)
        key, shown = -filled, np.array([f"most complete ({n} filled cells)" for n in counts], dtype=object)[at]
    elif rule in ("oldest_created", "most_recently_updated"):
        columns = [fm.created] if rule == "oldest_created" else _recency_columns(fm)
        dates, source = _first_dates(contacts, columns, rows)
        word = "oldest created" if rule == "oldest_created" else "most recently updated"
        key = np.where(dates < 0, np.iinfo(np.int64).max, dates if rule == "oldest_created" else -dates)
        shown = [f"{word} (no date)" if c is None else f"{word} ({shown_date(frame.at[r, c], d)})" if c == columns[0]
                 else f"{word} (created {shown_date(frame.at[r, c], d)}, no update date)"
                 for r, c, d in zip(rows, source, dates)]
    elif rule == "lowest_record_id":
        ids = record_ids(contacts)[rows]
        order = sorted(range(len(rows)), key=lambda i: _natural(ids[i]))
        key = np.empty(len(rows), dtype=np.int64)
        key[order] = np.arange(len(rows))
        shown = [f"lowest record ID ({value})" for value in ids]
    else:
        ranks = {_folded(v): i for i, v in reversed(list(enumerate(policy.source_priority)))}
        sources = frame[policy.source_column].iloc[rows].str.strip()
        key = sources.map(_folded).map(ranks).fillna(len(ranks)).to_numpy(dtype=np.int64)
        shown = [f"source priority ({policy.source_column} = {v!r})" if rank < len(ranks)  # else it decided nothing
                 else f"source priority ({policy.source_column} = {v!r}, not in source_priority)" if v
                 else f"source priority ({policy.source_column} blank)" for v, rank in zip(sources, key.tolist())]
    picked = pd.Series(groups).map(chosen).to_numpy() == rows
    # a row without a record ID (without that column, an email: `FieldMap.key`) is no CRM record the fix files
    # could update (unless a person picks it)
    unkeyed = ~contacts.keyed()[rows]
    # by group, picked, unkeyed, key, then row, through numpy's lexsort of these integers (the last key first):
    # pandas' sort_values took 0.15 s at 1,000,000 rows; each group's first member found by its runs, not a groupby.
    # The arrays are sorted and the frame made of them at the end (a frame sorted, then its rank and reason set and
    # its other columns dropped, copied it three times)
    groups, rows, key = np.asarray(groups), np.asarray(rows), np.asarray(key)
    order = np.lexsort([rows, key, unkeyed, ~picked, groups])
    groups, rows, key, unkeyed, picked = groups[order], rows[order], key[order], unkeyed[order], picked[order]
    first = np.repeat(*run_lengths(groups))  # the position of each member's group's first
    rank = np.arange(len(groups)) - first
    passed_over = unkeyed & (key < key[first]) & ~unkeyed[first]
    passed_over = set(groups[passed_over].tolist())  # a better row by the rule has no key
    survives = rank == 0  # only the survivor's reason is kept
    reason = np.where(survives, np.asarray(shown, dtype=object)[order], "")
    # the rows tied with their group's survivor, by the survivor's position (not mapped by group)
    tied = np.flatnonzero((key == key[first]) & (unkeyed == unkeyed[first]) & ~survives)
    starts, counts = run_lengths(first[tied])
    tied_rows, tied = rows[tied], first[tied][starts]
    # the groups of each count of tied rows at once, by one format of as many %d (a str of each row and a join for
    # each group took twice as long: 155,293 groups with a tie at 1,000,000 rows)
    for count in np.unique(counts).tolist():
        at = np.flatnonzero(counts == count)
        form = "%s; tie with row " + ", ".join(["%d"] * count) + " broken by the lower row"
        columns = (tied_rows[starts[at] + i].tolist() for i in range(count))  # each group's first tied row…
        reason[tied[at]] = [form % texts for texts in zip(reason[tied[at]].tolist(), *columns)]
    over = np.flatnonzero(survives & pd.Series(groups).isin(passed_over).to_numpy())
    keyless = "rows without a record ID" if fm.record_id else f"rows without an email in {fm.key!r}"
    reason[over] = [f"{r}; {keyless} come last" for r in reason[over]]
    reason[survives & picked] = "chosen in review"
    return pd.DataFrame({"group": groups, "row": rows, "reason": reason, "rank": rank})


def _typed(contacts: Contacts, column: str, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows``' cell of ``column`` is not empty (white space counts): a filled one (`Contacts.filled`,
    worked out once), and of the others those not ``""``."""
    typed = contacts.filled(column)[rows]
    blank = np.flatnonzero(~typed)
    typed[blank] = contacts.frame[column].to_numpy(dtype=object)[rows[blank]] != ""
    return typed


def _folded(source: str) -> str:
    """A source as `source_priority` compares it: ``"Manual "`` is ``"manual"``."""
    return source.strip().casefold()


def _recency_columns(fm: FieldMap) -> list[str]:
    """The columns that say when a record was last touched, first first: its update date, else, where
    that is blank, its creation date (a record never modified since it was created was last touched then)."""
    return [c for c in (fm.updated, fm.created) if c]


def unread_dates(contacts: Contacts, policy: MergePolicy, rows: np.ndarray) -> list[str]:
    """The filled cells at ``rows`` (those in groups) of each date column that a rule of ``policy`` reads,
    but that are not read as dates, in words, with an example: the rules take them for no date; and, of a
    column that writes dates both day first and month first, those that could be either (read month first),
    and so of the birth-date column, which matching reads, in all rows (`_either_order_note`)."""
    fm = contacts.field_map
    used = [fm.created] if policy.survivor == "oldest_created" else []
    if policy.survivor == "most_recently_updated" or "most_recent" in policy.rules.values():
        used += _recency_columns(fm)
    notes = []
    for column in dict.fromkeys(c for c in used if c):
        unread = rows[(contacts.moments(column, rows) < 0) & _dated(contacts, column, rows)]
        if len(unread):
            row = int(unread[0])
            notes.append(f"{column!r} holds {len(unread):,} filled {'cell' if len(unread) == 1 else 'cells'} not "
                         f"read as a date, such as {contacts.frame.at[row, column]!r} ({contacts.where(row)}): the "
                         "merge rules read no date there; write dates as 2024-03-01 14:30, 03/01/2024 2:30 PM or "
                         "Mar 1, 2024")
        notes.append(_either_order_note(contacts, column, rows, " of the groups", ""))
    if fm.birth_date:
        notes.append(_either_order_note(contacts, fm.birth_date, np.arange(len(contacts.frame)), "", " when matching"))
    return [note for note in notes if note]


def _either_order_note(contacts: Contacts, column: str, rows: np.ndarray, of: str, when: str) -> str | None:
    """Of a ``column`` that writes dates both day first and month first, the cells at ``rows`` that could be
    either (read month first), in words with an example (``of`` the rows, read ``when``), else ``None``."""
    day, month = telling_dates(contacts.frame[column].unique())
    if day is None or month is None:
        return None
    either = map_unique(contacts.frame[column].iloc[rows], _either_order)
    if not len(either := rows[either.to_numpy(dtype=bool)]):
        return None
    row = int(either[0])
    return (f"{column!r} writes dates both day first ({day!r}) and month first ({month!r}): "
            f"{len(either):,} {'cell' if len(either) == 1 else 'cells'}{of}, such as "
            f"{contacts.frame.at[row, column]!r} ({contacts.where(row)}), could be either and "
            f"{'is' if len(either) == 1 else 'are'} read month first{when}; check them, or export the "
            "column in one order (2024-03-01)")


def _either_order(text: str) -> bool:
    """Whether ``text`` is a date read day first and month first alike, as two different days (``04/03/2024``;
    not ``12/26/2023``, no date day first).

    >>> _either_order("04/03/2024"), _either_order("12/26/2023"), _either_order("25/12/2023")
    (True, False, False)
    """
    day, month = date_key(text, True), date_key(text, False)
    return day != month and day.isdigit() and month.isdigit()


def _first_dates(contacts: Contacts, columns: Sequence[str], rows) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``rows``' date in the first of ``columns`` whose cell is filled (`_dated`), as `Contacts.moments`
    reads it (-1: none, or a text that is no date: the next column cannot say when that one was
    written), and that column (``None``: none)."""
    rows = np.asarray(rows, dtype=np.int64)
    dates, source = np.full(len(rows), -1, dtype=np.int64), np.full(len(rows), None, dtype=object)
    blank = np.ones(len(rows), dtype=bool)
    for column in columns:
        read = contacts.moments(column, rows)
        found = blank & (read >= 0)
        dates[found], source[found] = read[found], column
        blank &= ~_dated(contacts, column, rows)
    return dates, source


def _dated(contacts: Contacts, column: str, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows``' cell of a date ``column`` is filled, and not with what systems write for
    no date (`placeholder_date`: ``0000-00-00``, ``1900-01-01``) nor a placeholder (`is_placeholder`: ``N/A``,
    ``-``, ``unknown``), which are blank to the merge rules."""
    filled = contacts.filled(column)[rows]
    cells = contacts.frame[column].iloc[rows[filled]]
    no_date = map_unique(cells, lambda text: is_placeholder(text) or placeholder_date(text))
    filled[filled] = ~no_date.to_numpy(dtype=bool)
    return filled


def _natural(text: str) -> tuple:
    """``"C9" < "C10"``: digits compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


# a number a spreadsheet wrote as a decimal (6175550142.0, `without_point_zero`) holds a ".0" that no digit follows,
# which most files' phones lack (the ".0" of 06.47.02.71.37 is followed by one): one search spares Arrow's reading
_DECIMAL = r"\.0(?!\d)"


class _Cells:
    """The filled cells of the groups' members, column by column, each worked out once.

    ``cells(column)`` gives ``group, row, rank, value``, in the members' order (by group, then
    rank); with ``keys`` also the comparison
    ``key`` (the normalized identifier, else the folded text; with ``identifiers_only``, only
    the cells that normalized to an identifier: no placeholder such as ``N/A``).
    """

    def __init__(self, members: pd.DataFrame, contacts: Contacts, normalized: Normalized,
                 placeholders: Mapping[str, np.ndarray]) -> None:
        self.members, self.contacts, self.placeholders = members, contacts, placeholders
        self._member = {name: members[name].to_numpy() for name in ("group", "row", "rank")}
        ids = normalized.identifiers
        member = np.zeros(len(contacts), dtype=bool)
        member[members["row"].to_numpy()] = True
        at = np.flatnonzero(member[ids["source_row"].to_numpy()])  # the members' identifiers, as arrays
        id_row, id_code = ids["source_row"].to_numpy()[at], normalized.value_codes()[at]
        # the texts of all identifiers: the members' are taken by column below, a reference count each, not three
        id_value, id_raw = ids["value"].to_numpy(dtype=object), ids["raw"].to_numpy(dtype=object)
        # the column of every identifier as an integer, read below for the members' and for all
        column_of, columns = normalized.column_codes()
        id_column, names = pd.factorize(column_of[at])
        names = columns[names]
        problems, phones = normalized.problems, {column for column, _ in contacts.field_map.phones}
        # a part of a cell beside its identifiers that is none (``617-555-0101 / 12345``), not a placeholder: a
        # value of its own, under a code no identifier has, which goes on with its cell where no other record has it
        unread = problems[member[problems["source_row"].to_numpy()] & ~_placeholder_problems(normalized)]
        unread = unread.assign(code=len(normalized.value_codes()) + _codes(
            unread["raw"].str.split().str.join(" ").str.casefold().to_numpy(dtype=object)))
        # by column: the rows, and their cell's first identifier, its `Normalized.value_codes` and, in the columns
        # of emails, its text as read (`_not_kept` reads no other's: each text taken is a reference count, and the
        # phones' and IDs' took an eighth of the time of these cells and of `of_role` at 1,000,000 rows)
        self._addresses = set(_role_columns(contacts, "emails"))
        self._ids: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = {}
        # by column, of the cells that hold several identifiers: the rows, codes and typed texts of every one,
        # and whether the cell holds nothing else (no text that is not one)
        self._several: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        # by column, whether a cell of a row with an identifier holds " ::: " (see `google_list`), and of a phone
        # column `_DECIMAL`
        self._colons: dict[str, bool] = {}
        self._decimals: dict[str, bool] = {}
        for i, column in enumerate(names):
            part = np.flatnonzero(id_column == i)
            rows, codes = id_row[part], id_code[part]
            first = np.ones(len(rows), dtype=bool)  # a cell may hold several, next to each other (sorted by row)
            first[1:] = rows[1:] != rows[:-1]
            one = at[part[first]]  # the texts taken for these, and below for the cells of several only
            self._ids[column] = (rows[first], id_value[one], codes[first],
                                 id_raw[one] if column in self._addresses else None)
            unread_here = unread[(unread["column"] == column).to_numpy()]
            beside = np.zeros(len(contacts), dtype=bool)  # a flag by row: a hash table of the rows took longer
            beside[rows] = True
            unread_here = unread_here[beside[unread_here["source_row"].to_numpy()]]  # beside an identifier
            # a JSON list of one item (``["ann@example.com"]``) goes elsewhere as that item, as a cell of several
            # (a cell that holds one holds a "[": one search of the cells joined spares most columns Arrow's reading)
            texts = contacts.frame[column].to_numpy(dtype=object)[rows]
            joined = "\n".join(texts)
            listed = rows[list(json_lists(texts))] if "[" in joined else rows[:0]
            self._colons[column] = " ::: " in joined  # no match runs over the line breaks
            if column in phones:
                self._decimals[column] = bool(re.search(_DECIMAL, joined))
            if not first.all() or len(unread_here) or len(listed):
                unread_rows = problems.loc[(problems["column"] == column).to_numpy(), "source_row"].to_numpy()
                several = isin(rows, np.r_[rows[~first], unread_here["source_row"].to_numpy(), listed])
                typed = id_raw[at[part[several]]]
                self._several[column] = (np.r_[rows[several], unread_here["source_row"].to_numpy()],
                                         np.r_[codes[several], unread_here["code"].to_numpy()],
                                         np.r_[without_point_zero(typed) if column in phones else typed,
                                               unread_here["raw"].to_numpy(dtype=object)],
                                         np.r_[~isin(rows[several], unread_rows), np.zeros(len(unread_here), bool)])
        # the columns the file writes as lists: half or more of their cells that hold an identifier hold several
        # (a cell's identifiers are next to each other: the table is sorted by row, then column); one record's
        # pasted pair (``a@x.com; b@y.com``) does not make a list of a column of one value a cell
        rows = ids["source_row"].to_numpy()
        again = np.zeros(len(rows), dtype=bool)  # a cell's second identifier, or later
        again[1:] = (rows[1:] == rows[:-1]) & (column_of[1:] == column_of[:-1])
        cells = np.bincount(column_of[~again], minlength=len(columns))
        several = np.bincount(column_of[~again & np.r_[again[1:], False]], minlength=len(columns))
        self._lists = set(columns[(several > 0) & (several >= cells / 2)])
        fm = contacts.field_map
        self._reused = {*fm.emails, *(c for c, _ in fm.phones), *fm.external_ids}  # kept: asked for again
        self._filled: dict[str, pd.DataFrame] = {}
        self._keyed: dict[tuple[str, bool], pd.DataFrame] = {}
        self._of_role: dict[str, pd.DataFrame] = {}

    def __call__(self, column: str, keys: bool = False, identifiers_only: bool = False) -> pd.DataFrame:
        cells = self._filled.get(column)
        if cells is None:
            at = np.flatnonzero(self.filled(column)[self._member["row"]])  # a member's position
            rows = self._member["row"][at]
            cells = _frame({name: values[at] for name, values in self._member.items()}
                           | {"value": self.contacts.frame[column].to_numpy(dtype=object)[rows]}, index=at)
            if column in self._reused:
                self._filled[column] = cells
        if not keys:
            return cells
        keyed = self._keyed.get((column, identifiers_only))
        if keyed is None:
            keyed = self._with_keys(cells, column, identifiers_only)
            if column in self._reused:
                self._keyed[column, identifiers_only] = keyed
        return keyed

    def filled(self, column: str) -> np.ndarray:
        """`filled_cells` of ``column``."""
        return filled_cells(self.contacts, self.placeholders, column)

    def of_role(self, role: str) -> pd.DataFrame:
        """The keyed cells of every column of ``role`` one after the other, and last of a cleaned export's
        extra column of the role (`extra_column`), with their ``column``,
        its ``position`` among the role's columns, the key as an integer ``code`` and the text the
        value goes on as in another column, ``typed`` (a phone without a spreadsheet's ``.0``),
        worked out once."""
        found = self._of_role.get(role)
        if found is None:
            columns = _role_columns(self.contacts, role)
            parts = [self(c, keys=True) for c in columns]
            lengths = [len(part) for part in parts]
            found = _frame({name: np.concatenate([part[name].to_numpy() for part in parts])
                            for name in parts[0].columns}, index=pd.RangeIndex(sum(lengths)))
            found["column"] = np.repeat(np.array(columns, dtype=object), lengths)
            found["position"] = np.repeat(np.arange(len(columns)), lengths)
            code, key = found["code"].to_numpy().copy(), found["key"].to_numpy()
            value = found["value"].to_numpy(dtype=object)
            typed = np.flatnonzero(code < 0)  # no identifier: the folded text is the key
            if len(typed):
                text_code, texts = pd.factorize(key[typed])
                of_text = code.max(initial=-1) + 1 + np.arange(len(texts))
                # an identifier that reads as such a text: few, found first in a hash set (quicker than an index),
                # looked for in one cell of each identifier (its code stands for one key: a third less time at
                # 1,000,000 rows, where the members' cells hold half as many identifiers)
                known = np.flatnonzero(code >= 0)
                each = np.full(code.max(initial=-1) + 1, -1)  # by code: a cell that holds it, else -1
                each[code[known]] = known
                each = each[each >= 0]
                same = each[isin(key[each], texts)]
                of_text[pd.Index(texts).get_indexer(key[same])] = code[same]
                code[typed] = of_text[text_code]
                # written as a cell of its group that normalized: the same number read there with
                # that row's country (``07812 153147`` in the United Kingdom), hence the same key
                group = found["group"].to_numpy(dtype=np.int64)
                known = known[isin(group[known], group[typed])]
                if len(known):
                    text = value[np.r_[known, typed]]
                    text = pd.Series(text).str.replace(r"\D+" if role == "phones" else r"\s+", "", regex=True)
                    by_text = group[np.r_[known, typed]] * (len(text) + 1) + _codes(text.str.casefold().to_numpy())
                    read = pd.Series(code[known], index=by_text[:len(known)])
                    read = read[~read.index.duplicated()].reindex(by_text[len(known):]).to_numpy()
                    code[typed[~np.isnan(read)]] = read[~np.isnan(read)].astype(np.int64)
                    if role == "phones":  # or written nationally in the country of a number of its group
                        numbers: dict[int, list[int]] = {}
                        for i in known.tolist():
                            numbers.setdefault(group[i], []).append(i)
                        for i in typed[np.isnan(read)].tolist():
                            same = next((j for j in numbers.get(group[i], ()) if reads_as(value[i], key[j])), None)
                            code[i] = code[i] if same is None else code[same]
            found["code"] = code
            decimals = role == "phones" and any(self._held(c, self._decimals, _DECIMAL) for c in columns)
            found["typed"] = (without_point_zero(value) if decimals else  # as it goes on elsewhere
                              _without_point_zero_id(value) if role == "external_ids" else value)
            self._of_role[role] = found
        return found

    def written_as_list(self, column: str) -> bool:
        """Whether half or more of the file's cells of ``column`` that hold an identifier hold several."""
        return column in self._lists

    def google_list(self, column: str) -> bool:
        """Whether a member's cell of ``column`` holds Google Contacts' separator ``" ::: "``."""
        return self._held(column, self._colons, " ::: ")

    def _held(self, column: str, found: Mapping[str, bool], pattern: str) -> bool:
        """Whether a member's cell of ``column`` holds ``pattern`` (a regular expression that finds in cells joined
        by line breaks what it finds in one of them): by ``found``, the search of the cells `__init__` joined (of
        the rows with an identifier there), and in the few other filled ones; in a column not searched so, first in
        the file's cells joined."""
        rows, held = self._member["row"], self.contacts.frame[column].to_numpy(dtype=object)
        if column not in found:
            return bool(re.search(pattern, "\n".join(held))) and any(re.search(pattern, text) for text in held[rows])
        others = self.contacts.filled(column).copy()
        others[self._ids[column][0]] = False
        return found[column] or any(re.search(pattern, text) for text in held[rows[others[rows]]])

    def identifiers(self, cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every identifier of the cells of `of_role`, by cell in their order: the cell's position,
        the identifier's ``code`` and its ``typed`` text (the cell's, or its part's in a cell that
        holds several: ``a@x.com; b@y.com``), and whether its cell holds nothing else."""
        cell, key, typed = np.arange(len(cells)), cells["code"].to_numpy(), cells["typed"].to_numpy(dtype=object)
        column_of, row_of = cells["column"].to_numpy(dtype=object), cells["row"].to_numpy()
        found = [(cell[:0], key[:0], typed[:0], np.zeros(0, dtype=bool))]
        for column, (rows, codes, texts, alone) in self._several.items():
            at = np.flatnonzero(column_of == column)
            where = pd.Index(row_of[at]).get_indexer(rows)  # a row has one cell per column
            ok = where >= 0
            found.append((at[where[ok]], codes[ok], texts[ok], alone[ok]))
        several_at, codes, texts, alone = (np.concatenate(arrays) for arrays in zip(*found))
        if not len(several_at):  # most exports have none
            return cell, key, typed, np.ones(len(cells), dtype=bool)
        one = ~isin(cell, several_at)  # a cell of several gives its parts instead
        order = np.argsort(np.r_[cell[one], several_at], kind="stable")
        return (np.r_[cell[one], several_at][order], np.r_[key[one], codes][order], np.r_[typed[one], texts][order],
                np.r_[np.ones(one.sum(), dtype=bool), alone][order])

    def _with_keys(self, cells: pd.DataFrame, column: str, identifiers_only: bool) -> pd.DataFrame:
        """``cells`` with their ``key``, and its ``code`` for an identifier (-1 for a folded text), and
        in an email column the identifier as read, ``read`` (an address in lower case:
        ``jean.dupont+news@gmail.com``; else the key)."""
        rows, values, codes, read = self._ids.get(column, (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object),
                                                           np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)))
        position = np.full(len(self.contacts), len(rows))  # of each row among ``rows``; past them: none
        position[rows] = np.arange(len(rows))
        at = position[cells["row"].to_numpy()]  # not through arrays of texts of every row: a reference count each
        values, codes = np.r_[values, [None]], np.r_[codes, -1]
        key, code = pd.Series(values[at], index=cells.index, dtype=object), codes[at]
        read = {"read": np.r_[read, [None]][at]} if column in self._addresses else {}
        missing = code < 0
        if missing.any() and not identifiers_only:
            key[missing] = cells.loc[missing, "value"].str.split().str.join(" ").str.casefold()
            if read:
                read["read"][missing] = key[missing].to_numpy()
        columns = {name: cells[name].to_numpy() for name in cells.columns} | {"key": key.to_numpy(), "code": code}
        columns |= read
        # only the cells of an identifier: none missing (most ID columns), all of them as they are; else taken from
        # the arrays (a filter of the frame, then an assign: 0.04 s more for the main phones at 1,000,000 rows)
        if identifiers_only and missing.any():
            return _frame({name: array[~missing] for name, array in columns.items()}, index=cells.index[~missing])
        return _frame(columns, index=cells.index)


def _frame(columns: dict[str, np.ndarray], index: pd.Index | np.ndarray) -> pd.DataFrame:
    """A table of these arrays as they are: not copied, nor gathered into one block by type
    (which copies them, and an array of texts costs a reference count per cell). Read only."""
    return pd.DataFrame(columns, index=index, copy=False)


def _apply(rule: str, column: str, cells_of: _Cells, contacts: Contacts) -> tuple[pd.Series, pd.Series]:
    """The merged value of one column per group, and the row it came from (-1: several), by group."""
    if rule == "survivor":  # the survivor's own value: its members' cells are not read
        return _by_group({})
    cells = cells_of(column, keys=rule in ("most_frequent", "most_recent", "longest"))
    if not len(cells):
        return _by_group({})
    order = None  # fill, and union for one column: the best is the first cell of its group
    if rule == "longest":
        order = -cells["value"].str.strip().str.normalize("NFC").str.len().to_numpy()  # é typed as e and ´: one letter
    elif rule == "most_frequent":
        order = -cells.groupby(["group", "key"])["row"].transform("size").to_numpy()
    elif rule == "most_recent":
        columns = _recency_columns(contacts.field_map)
        order = -_first_dates(contacts, columns, cells["row"])[0] if columns else None
    elif rule in CONSENT_RULES:  # the best record's no, else its value as under fill
        order = ~refusals(cells["value"].to_numpy(dtype=object), rule)
    best = cells if order is None else cells.take(np.lexsort((cells["rank"].to_numpy(), order, cells["group"].to_numpy())))
    best = best.iloc[run_starts(best["group"].to_numpy())]
    groups = best["group"].to_numpy(dtype=np.int64)
    after, source = pd.Series(best["value"].to_numpy(), index=groups), pd.Series(best["row"].to_numpy(), index=groups)
    if rule in ("most_recent", "longest"):  # the survivor's own value written otherwise ("MARY" for "Mary") stays
        own = cells[cells["rank"].to_numpy() == 0]
        at = pd.Index(own["group"]).get_indexer(groups)
        same = np.flatnonzero(at >= 0)
        same = same[own["key"].to_numpy(dtype=object)[at[same]] == best["key"].to_numpy(dtype=object)[same]]
        after.iloc[same], source.iloc[same] = own["value"].to_numpy()[at[same]], own["row"].to_numpy()[at[same]]
    if column in contacts.field_map.external_ids and rule != "union":
        _typed_in_full(after, source, cells_of(column, keys=True, identifiers_only=True))
    if rule == "union":
        tags = column in contacts.field_map.tags or column in EXTRA_COLUMNS
        # a tag of placeholders (``Donor;-``) is no tag, as a cell of them is none: not carried from another record
        blank = placeholder_texts("tags") if column in contacts.field_map.tags else frozenset()
        several = cells[cells.duplicated("group", keep=False).to_numpy() | (cells["rank"].to_numpy() > 0) & bool(blank)]
        separator = joiner = " | "  # a note: each of those an earlier merge joined once ("a | b" beside "b")
        if tags and len(several):
            separator, joiner = _separator(contacts.frame[column].to_numpy(dtype=object)[contacts.filled(column)])
        joined, mixed, none = {}, [], []
        for group, values in several.groupby("group")["value"]:
            written = [(" ".join(p.split()).casefold(), p) for v in values
                       for p in _split(v, separator, phones=column == EXTRA_COLUMNS[1])]
            kept = [(folded, part) for folded, part in written if placeholder_folded(folded) not in blank]
            if len(values) == 1 and len(kept) == len(written):  # another record's one cell: as written
                continue
            parts = {}  # a value written otherwise ("VIP", "vip") once, as first written
            for folded, part in kept:
                parts.setdefault(folded, part)
            if not parts:  # only placeholders: the survivor keeps its own
                none.append(group)
                continue
            joined[group] = joiner.join(parts.values())
            if len(parts) > 1 and len(values) > 1:
                mixed.append(group)
        if joined:
            after.loc[list(joined)] = list(joined.values())
            source.loc[mixed] = -1
        after, source = after.drop(none), source.drop(none)
    return after, source


def refusals(values: np.ndarray, rule: str | np.ndarray) -> np.ndarray:
    """Which ``values`` of a column of the consent ``rule`` (`CONSENT_RULES`; or of each value's) say the person
    may not be contacted: ``FALSE``, ``no``, ``0``, ``N`` under ``opt_in``, ``TRUE``, ``yes``, ``1``, ``Y`` under
    ``opt_out``, and ``Opted out``, ``Unsubscribed`` under either; a value read as neither (``Hard bounce``) is none.

    >>> refusals(np.array(["FALSE", "Yes", "Unsubscribed", "Hard bounce"], dtype=object), "opt_in").tolist()
    [True, False, True, False]
    """
    folded = pd.Series(values, dtype=object).str.replace(r"[\W_]+", " ", regex=True).str.strip().str.casefold()
    no = np.where(np.asarray(rule) == "opt_in", folded.isin(_NO["opt_in"]), folded.isin(_NO["opt_out"]))
    return folded.isin(_REFUSALS).to_numpy() | no


def _follow(of: str, suffix: str, frame: pd.DataFrame, after: Mapping[str, pd.Series], source: Mapping[str, pd.Series],
            moved: Mapping[int, str], beside: Mapping[str, tuple[str, str]], first: bool
            ) -> tuple[pd.Series, pd.Series]:
    """The value of the column with ``suffix`` that describes ``of``'s (``Phone 2 Type``), in each
    group whose ``of`` takes another row's value: what that row says of it, in the column beside the
    one the value came from (``Phone 1 Type`` for a number moved from ``Phone 1``), blank if none;
    unless ``of`` is its role's ``first`` column, without Google Contacts' mark of the primary
    (``* Work``: ``Work``)."""
    rows = source[of][source[of] >= 0]  # -1: values of several rows, as in a list column
    name_of = {(of_column, word): c for c, (of_column, word) in beside.items()}
    origin = pd.Series([moved.get(group, of) for group in rows.index.tolist()], index=rows.index, dtype=object)
    value = pd.Series("", index=rows.index, dtype=object)
    for came_from, at in origin.groupby(origin, sort=False).groups.items():
        if (found := name_of.get((came_from, suffix))) is not None:
            value[at] = frame[found].to_numpy(dtype=object)[rows[at].to_numpy(dtype=np.int64)]
    if not first:
        value = value.str.replace(r"^\*\s*", "", regex=True)
    return value, rows.astype(np.int64)


def _typed_in_full(after: pd.Series, source: pd.Series, keyed: pd.DataFrame) -> None:
    """A numeric ID typed in several ways in a group (``00123``, ``123``, ``123.0``: a spreadsheet
    drops leading zeros and adds a ``.0``) takes, in ``after`` and ``source``, its typing with the
    most leading zeros, written without ``.0`` (a spreadsheet's mark of text, `without_text_mark`, counts for
    nothing)."""
    value, key = keyed["value"].to_numpy(dtype=object), keyed["key"].to_numpy(dtype=object)
    odd = np.flatnonzero(value != key)  # most IDs are typed as compared
    number = pd.Series(value[odd], dtype=object).str.strip().map(without_text_mark).str.removesuffix(".0")
    groups = keyed["group"].to_numpy()[odd[number.str.isdigit().to_numpy()]]
    if not len(groups):
        return
    cells = keyed[isin(keyed["group"].to_numpy(), groups)]
    typed = cells["value"].str.strip().map(without_text_mark)
    number = typed.str.removesuffix(".0")
    score = 2 * number.str.len() + (typed == number)  # more zeros, then no .0
    cells = cells.assign(score=score.where(number.str.isdigit(), -1).to_numpy(),
                         value=_without_point_zero_id(cells["value"].to_numpy(dtype=object)))  # 00123.0: 00123
    best = cells.sort_values("score", ascending=False, kind="stable").drop_duplicates(["group", "key"])
    best = best.set_index(["group", "key"])
    key_of = pd.Series(cells["key"].to_numpy(), index=cells["row"].to_numpy())
    for group in np.unique(groups).tolist():
        if group in source.index and source[group] in key_of.index:
            found = best.loc[(group, key_of[source[group]])]
            after[group], source[group] = found["value"], found["row"]


def _without_point_zero_id(values: np.ndarray) -> np.ndarray:
    """Numeric IDs without the ``.0`` a spreadsheet adds, as `_typed_in_full` writes them (``00123.0``: ``00123``),
    the others as they are.

    >>> _without_point_zero_id(np.array(["00123.0", "'00123.0", "S-1.0", "123"], dtype=object)).tolist()
    ['00123', "'00123", 'S-1.0', '123']
    """
    values = np.array(values, dtype=object)
    at = np.flatnonzero(np.asarray(pc.match_substring(pa.array(values, pa.string()), ".0")))  # the few that may be
    text = pd.Series(values[at], dtype=object).str.strip()
    bare = text.map(without_text_mark)
    number = bare.str.removesuffix(".0")
    decimal = ((number != bare) & number.str.isdigit()).to_numpy(dtype=bool)
    values[at[decimal]] = text.str.removesuffix(".0").to_numpy(dtype=object)[decimal]
    return values


def _by_group(placed: Mapping[int, tuple[str, int]]) -> tuple[pd.Series, pd.Series]:
    """``{group: (value, source row)}`` as the two series by group that `_apply` gives."""
    groups = np.fromiter(placed, dtype=np.int64, count=len(placed))
    return (pd.Series([value for value, _ in placed.values()], index=groups, dtype=object),
            pd.Series([row for _, row in placed.values()], index=groups, dtype=np.int64))


def _separator(values: np.ndarray) -> tuple[str, str]:
    """The separator of a column of tags (or of a list of emails or phones), as its values write it: ``;`` when
    one holds it (an option may hold a comma: ``Boston, MA;Donor``), else Google Contacts' ``:::``, else ``,``;
    and how the values most often write it (``"; "``, ``";"``), to join others with.

    >>> _separator(np.array(["Boston, MA;Donor", "VIP"])), _separator(np.array(["Newsletter,VIP", "Donor"]))
    ((';', ';'), (',', ','))
    """
    text = pd.Series(values, dtype=object)
    for separator in (";", ":::", ","):
        holding = text[text.str.contains(separator, regex=False)]
        if len(holding):
            written = holding.str.extract(rf"(\s*{re.escape(separator)}\s*)", expand=False)
            return separator, written.value_counts().index[0]
    return ";", ";"  # a multi-select field's


def _split(value: str, separator: str | None, phones: bool = False) -> list[str]:
    """The values of a list cell; in a list of ``phones``, a part of 1 to 5 digits after a number is its
    extension, never a number (``(415) 555-0402;23; (415) 555-0103``, as an earlier merge wrote a
    ``dedupe_kit extra phones`` cell), written ``ext.`` (`extension_spelled`).

    >>> _split("(415) 555-0402;23; (415) 555-0103", ";", phones=True)
    ['(415) 555-0402 ext. 23', '(415) 555-0103']
    """
    parts = []
    for part in (p.strip() for p in (value.split(separator) if separator else [value])):
        if phones and parts and part.isdigit() and len(part) <= 5 and parts[-1][-1].isdigit():
            parts[-1] = extension_spelled(f"{parts[-1]};{part}")
        elif part:
            parts.append(part)
    return parts


def _union(role: str, cells_of: _Cells, contacts: Contacts, after: dict[str, pd.Series], source: dict[str, pd.Series],
           field_choice: Mapping[tuple[int, str], int], rule_of: Mapping[str, str],
           listed: list[tuple[int, str, str, int]], moved: dict[str, dict[int, str]]
           ) -> list[tuple[int, str, str, int]]:
    """Emails or phones of a group together: the survivor keeps its values, every other distinct value
    goes into an empty column of the role (a phone of the same kind first; a fax only into a fax
    column, and no other number into one), then into a list column of the role (HubSpot's
    ``Additional email addresses``: see `_list_columns`), after the values it holds; the rest
    overflows. ``listed`` gets each list column's values, old and new, as (group, role, value, row);
    ``moved``, by column, the column each group's value came from, when another.
    A cell of several values (``617-555-0151 / 617-555-0152``) goes on as each of its new values,
    unless it holds words that are none (``… / ask for Bo``): then whole, as a note beside them.

    A column of the role under another rule keeps the value that rule chose, which counts as placed.
    """
    fm = contacts.field_map
    every = list(fm.columns(role))
    columns = [c for c in every if rule_of[c] == "union"]
    kind = dict(fm.phones)
    cells = cells_of.of_role(role)
    # by group, rank and column: of_role's cells are by column, each column's in the members' order (by group and
    # rank), so a stable sort by member merges those runs (a fifth of the time of a sort by the three, 1,000,000 rows)
    member_of = np.empty(len(contacts), dtype=np.int64)
    member_of[cells_of.members["row"].to_numpy()] = np.arange(len(cells_of.members))
    order = np.argsort(member_of[cells["row"].to_numpy()], kind="stable")
    # by group, rank and column, of the columns read below only: the keys and identifiers as read are texts,
    # each a reference count to take (half the time of taking them all, at 1,000,000 rows); so are the cells'
    # values, of which the few that go on whole are taken below, and the column's name, compared as its position
    read = ("group", "row", "rank", "position", "column", "code", "typed")
    whole = cells["value"].to_numpy(dtype=object)
    cells = _frame({c: cells[c].to_numpy()[order] for c in read}, index=cells.index[order])
    # the survivor's cells stay, but a cell a person filled from another row displaces the survivor's value;
    # a column under another rule keeps the row that rule chose
    group_of, column_of = cells["group"].to_numpy(dtype=np.int64), cells["column"].to_numpy(dtype=object)
    chosen = np.full(len(cells), -2, dtype=np.int64)  # the row a rule or a person chose; -2: none
    for other in set(every) - set(columns):
        at = np.flatnonzero(column_of == other)
        chosen[at] = source[other].reindex(group_of[at]).fillna(-2).to_numpy(dtype=np.int64)
    if field_choice:
        for i in np.flatnonzero(np.isin(group_of, [g for g, _ in field_choice])):
            chosen[i] = field_choice.get((int(group_of[i]), column_of[i]), chosen[i])
    kept = np.where(chosen == -2, cells["rank"].to_numpy() == 0, chosen == cells["row"].to_numpy())
    extra_role_column = extra_column(contacts, role)  # a cleaned export's, or None
    extra_of_role = cells["position"].to_numpy() == (len(every) if extra_role_column else -1)  # of_role's last
    kept |= extra_of_role  # joined into the survivor's extra column: held already
    # every key of every cell as (group, key) in one integer, by cell, with the text it goes on as (a phone
    # without a spreadsheet's .0): a cell may hold several identifiers, each going alone unless it holds words
    cell, key, typed, alone = cells_of.identifiers(cells)
    text = typed.copy()  # most go on alone: the whole cell only for the few beside words
    text[~alone] = whole[order[cell[~alone]]]
    group_key = group_of[cell] * (key.max(initial=0) + 1) + key
    in_kept = isin(group_key, group_key[kept[cell]])  # a key a kept cell holds
    if role == "phones":  # a number with an extension is held only with that extension; one without, by any
        by_extension = with_extensions(group_key, typed)
        extended = by_extension != group_key
        in_kept[extended] = isin(by_extension[extended], by_extension[kept[cell]])
        in_kept[~extended] |= isin(group_key[~extended], group_key[extended])
        group_key = by_extension
    held = np.flatnonzero(extra_of_role[cell])  # most files have no extra column: no look-up of every key
    held = held[isin(group_key[held], group_key[(kept & ~extra_of_role)[cell]])] if len(held) else held
    if len(held):  # a value an earlier merge's extra column holds that the merged contact's own columns hold
        _without_held(after, source, extra_role_column, contacts, group_of[cell[held]], typed[held])
    # an extra value holds a key no kept cell holds, met there for the first time in the group
    new = ~kept[cell] & ~in_kept & ~pd.Series(group_key).duplicated().to_numpy()
    new = np.flatnonzero(new)
    new = new[alone[new] | ~pd.Series(cell[new]).duplicated().to_numpy()]  # a cell going on whole, once
    extra, values = cells.take(cell[new]), text[new]
    # the columns blank at each extra value's survivor, as bits, and each such set of columns once
    members = cells_of.members  # by group, the survivor first
    first = run_starts(members["group"].to_numpy())
    group_at = np.searchsorted(members["group"].to_numpy()[first], extra["group"].to_numpy())
    survivor = members["row"].to_numpy()[first][group_at]
    blank = sum((~cells_of.filled(c)[survivor]).astype(np.int64) << bit for bit, c in enumerate(columns))
    blank_columns = {bits: tuple(c for bit, c in enumerate(columns) if bits >> bit & 1)
                     for bits in sorted_distinct(blank).tolist()}
    placed: dict[str, dict[int, tuple[str, int]]] = {c: {} for c in columns}  # group: (value, source row)
    json_columns = [c for c in columns if _json_lists(contacts, c)]
    lists, appended, overflow, targets = _list_columns(columns, cells_of, json_columns), {}, [], []
    group_of_extra, from_columns = extra["group"].to_numpy(), extra["column"].tolist()
    groups, blank_bits = group_of_extra.tolist(), blank.tolist()
    # each group's targets by the columns its values come from and its empty ones: at 1,000,000 rows, 122 distinct
    # pairs of those for 99,680 groups
    targets_of: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str | None]] = {}
    picked = {group for group, _ in field_choice}
    for start, end in zip(*runs(group_of_extra)):  # each group's extra values, in order
        empty = blank_columns[blank_bits[start]]
        if groups[start] in picked:  # a column a person filled is not empty
            empty = tuple(c for c in empty if (groups[start], c) not in field_choice)
        asked = (tuple(from_columns[start:end]), empty)
        if asked not in targets_of:
            targets_of[asked] = _targets(*asked, kind)
        targets += targets_of[asked]
    for group, value, source_row, column, kept_by, target in zip(groups, values.tolist(), extra["row"].tolist(),
                                                                 from_columns, survivor.tolist(), targets):
        if target is None:
            if lists and (group, lists[0]) not in field_choice:
                appended.setdefault((group, kept_by), []).append((value, source_row, column))
            else:
                overflow.append((group, role, value, source_row))
            continue
        placed[target][group] = (value, source_row)
        if column != target:
            moved.setdefault(target, {})[group] = column
    if appended:  # the list column's value, then the values that found no column of their own
        column = lists[0]
        held = contacts.frame[column].to_numpy(dtype=object)
        separator = _separator(held[contacts.filled(column)][:1000])[1]  # as its cells write it, else HubSpot's ';'
        spelled = role == "phones" and separator.strip() in ";,"  # an extension after it would read as another value
        for (group, kept_by), values in appended.items():
            first = ((*placed[column][group], moved.get(column, {}).get(group, column)) if group in placed[column]
                     else (held[kept_by], kept_by, column))
            values = ([first] if first[0] else []) + values
            texts = [extension_spelled(v) if spelled else v for v, _, _ in values]
            placed[column][group] = (_json_joined(values, contacts.frame) if column in json_columns
                                     else separator.join(texts), values[0][1] if len(values) == 1 else -1)
            listed += [(group, role, v, r) for v, r, _ in values]
    for column in json_columns:  # a value that went alone into a blank cell of a column of JSON lists: a list too
        for group, (value, row) in placed[column].items():
            if json_list(value) is None:
                placed[column][group] = (_json_joined([(value, row, moved.get(column, {}).get(group, column))],
                                                      contacts.frame), row)
    for column in columns:
        after[column], source[column] = _by_group(placed[column])
    return overflow


def _without_held(after: dict[str, pd.Series], source: dict[str, pd.Series], column: str, contacts: Contacts,
                  groups: np.ndarray, held: np.ndarray) -> None:
    """The merged value of a cleaned export's extra ``column``, in ``after``, without the values ``held`` (by
    group) that the merged contact's own columns hold (an address the survivor has as its email, which a
    merged-away record's extra column held): once is enough. A value left with none is the survivor's own."""
    separator, joiner = _separator(contacts.frame[column].to_numpy(dtype=object)[contacts.filled(column)])
    phones = column == EXTRA_COLUMNS[1]
    for group, texts in pd.Series(held, dtype=object).groupby(groups):
        if group not in after[column].index:
            continue
        drop = {" ".join(t.split()).casefold() for t in texts}
        parts = [p for p in _split(after[column][group], separator, phones)
                 if " ".join(p.split()).casefold() not in drop]
        if parts:
            after[column][group] = joiner.join(parts)
        else:
            after[column], source[column] = after[column].drop(group), source[column].drop(group)


def _targets(columns: Sequence[str], empty: Sequence[str], kind: Mapping[str, str]) -> list[str | None]:
    """The column of ``empty`` each of a group's extra values goes into (``None``: none), given the
    column it comes from (``columns``, in order) and each phone column's ``kind``: first every value
    that finds an empty column of its own kind (a work number into ``Work Phone``), then the others
    where they fit, in order; a fax only into a fax column, and no other number into one.

    >>> _targets(["Mobile", "Work"], ["Work", "Other"], {"Mobile": "mobile", "Work": "work", "Other": "other"})
    ['Other', 'Work']
    """
    empty, found = list(empty), [None] * len(columns)
    for same_kind in (True, False):  # its own kind first, then any other that fits
        for i, column in enumerate(columns):
            if found[i] is None:
                found[i] = next((c for c in empty if kind.get(c) == kind.get(column) or not same_kind
                                 and (kind.get(c) == "fax") == (kind.get(column) == "fax")), None)
                if found[i] is not None:
                    empty.remove(found[i])
    return found


def _list_columns(columns: list[str], cells_of: _Cells, json_columns: Sequence[str]) -> list[str]:
    """The columns that hold several values in a cell: so named (HubSpot's ``Additional email addresses``,
    Gladly's ``Emails``), so written in half or more of the file's cells (``a@x.com; b@y.com``) or as JSON lists
    (``json_columns``), or by Google
    Contacts (``a@x.com ::: b@y.com``, its own separator, in a member's cell): one record's pasted pair leaves
    a column of one value a cell as it is, which a CRM checks as one address or number."""
    return [c for c in columns if cells_of.written_as_list(c) or c in json_columns
            or re.search(r"(?:emails|phones|addresses|numbers)$", fold_header(c)) or cells_of.google_list(c)]


def _json_lists(contacts: Contacts, column: str) -> bool:
    """Whether half or more of the filled cells of ``column`` (its first 1,000) hold a JSON list (`json_list`), as an
    export flattened from a CRM's API writes a contact's emails or phones."""
    held = contacts.frame[column].to_numpy(dtype=object)[np.flatnonzero(contacts.filled(column))[:1000]]
    return len(held) > 0 and sum(json_list(text) is not None for text in held) * 2 >= len(held)


def _json_joined(values: Sequence[tuple[str, int, str]], frame: pd.DataFrame) -> str:
    """One JSON list of ``values`` (text, source row, column), each item once: the items of a text that is a JSON
    list, else the item of its row's cell that is the text, or holds it (the whole object, as that record wrote it:
    Gladly's ``{"original": "+1 617-555-0101", "type": "MOBILE", …}``), else the text; an added item's
    ``"primary": true`` is ``false`` when the list holds a primary item already, so that it keeps one.

    >>> frame = pd.DataFrame({"Emails": ['[{"original": "Ann@Example.com", "primary": true}, "b@example.com"]']})
    >>> _json_joined([('["b@example.com"]', 0, "Emails"), ("ann@example.com", 0, "Emails")], frame)
    '["b@example.com", {"original": "Ann@Example.com", "primary": true}]'
    >>> _json_joined([('[{"original": "b@example.com", "primary": true}]', 0, "Emails"),
    ...               ("ann@example.com", 0, "Emails")], frame)
    '[{"original": "b@example.com", "primary": true}, {"original": "Ann@Example.com", "primary": false}]'
    """
    def primary(item: object) -> bool:
        return isinstance(item, dict) and item.get("primary") is True

    items: list = []
    for added, (text, row, column) in enumerate(values):
        found = json_list(text)
        if found is None:
            folded = " ".join(text.split()).casefold()
            of_cell = json_list(frame[column].iat[row]) or []
            read = [" ".join(json_item_text(item).split()).casefold() for item in of_cell]
            at = read.index(folded) if folded in read else next((i for i, t in enumerate(read) if folded in t), None)
            found = [text if at is None else of_cell[at]]
        for item in found:
            if added and primary(item) and item not in items and any(map(primary, items)):
                item = item | {"primary": False}  # the survivor's primary (or the first) stays the only one
            if item not in items:
                items.append(item)
    return json.dumps(items, ensure_ascii=False)


def _conflicts(cells_of: _Cells, contacts: Contacts, policy: MergePolicy,
               field_choice: Mapping[tuple[int, str], int]) -> dict[int, str]:
    """The conflicts that stop a group's merge, in words; a person's choice of the field resolves one."""
    fm = contacts.field_map
    checks = []
    if "external_id" in policy.stop_on:
        checks += [(c, "external unique IDs") for c in fm.external_ids]
    if "main_phone" in policy.stop_on and fm.phones:
        checks.append((next((c for c, k in fm.phones if k == "mobile"), fm.phones[0][0]), "main phones"))
    found: dict[int, list[str]] = {}
    # the identifiers compared by their ``code``, one per distinct identifier of a kind (a column's are of one kind):
    # as by their texts, in half the time
    for column, what in checks:
        cells = cells_of(column, keys=True, identifiers_only=True)
        first = np.flatnonzero(_first_codes(cells))  # each group's first cell of each code
        cells = cells.take(first[repeated(cells["group"].to_numpy(dtype=np.int64)[first])])  # of groups of two: few
        for group, values in cells.groupby("group"):
            if (group, column) not in field_choice:
                shown = ", ".join(f"{v!r} (row {r})" for v, r in zip(values["value"], values["row"]))
                found.setdefault(int(group), []).append(f"two different {what} in {column!r}: {shown}")
    if "external_id" in policy.stop_on and len(fm.external_ids) > 1:
        # one person's ID may sit in two columns (a renamed import column); two IDs no record shares may not,
        # unless a person chose the group's ID; a record of both (a Student ID and a CRM ID) links the records of
        # either, as `different_ids` joins them into one group
        cells = pd.concat([cells_of(c, keys=True, identifiers_only=True) for c in fm.external_ids], ignore_index=True)
        of_cell = cells["group"].to_numpy(dtype=np.int64)
        several = cells[np.bincount(of_cell[_first_codes(cells)])[of_cell] > 1]  # groups of two codes or more
        for group, values in several.groupby("group"):
            if group in found or any((group, c) in field_choice for c in fm.external_ids):
                continue
            linked: list[tuple[list[int], frozenset[str]]] = []  # the records linked by their IDs, and these IDs
            for row, ids in values.groupby("row")["key"].agg(frozenset).items():
                joined = [part for part in linked if part[1] & ids]
                linked = [part for part in linked if not part[1] & ids] + [
                    (sorted([row, *(r for rows, _ in joined for r in rows)]), ids.union(*(i for _, i in joined)))]
            for (rows1, ids1), (rows2, ids2) in itertools.combinations(sorted(linked), 2):
                found.setdefault(int(group), []).append(
                    f"rows {' '.join(map(str, rows1))} and {' '.join(map(str, rows2))} hold different external "
                    f"unique IDs: {', '.join(sorted(ids1))} / {', '.join(sorted(ids2))}")
    return {g: "; ".join(messages) for g, messages in found.items()}


def _first_codes(cells: pd.DataFrame) -> np.ndarray:
    """Whether each of ``cells`` (``group``, ``code``) is the first of its code in its group: one integer a pair,
    hashed once, not the table's two columns (drop_duplicates, then taking every column of the cells kept).

    >>> _first_codes(pd.DataFrame({"group": [0, 0, 0, 1], "code": [5, 5, 6, 5]})).tolist()
    [True, False, True, True]
    """
    group, code = cells["group"].to_numpy(dtype=np.int64), cells["code"].to_numpy(dtype=np.int64)
    return ~pd.Series(group * (code.max(initial=0) + 1) + code).duplicated().to_numpy()
