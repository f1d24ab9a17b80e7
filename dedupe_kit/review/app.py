"""The review app: ipywidgets controls over a `ReviewState`.

Every control carries a CSS class (``dk-match``, ``dk-distinct``, ``dk-skip``,
``dk-undo``, ``dk-back``, ``dk-survivor``, ``dk-members``, ``dk-field``, ``dk-note``,
``dk-order``, ``dk-reason``, ``dk-score``, ``dk-progress``, ``dk-item``,
``dk-reasons``, ``dk-table``, ``dk-message``, ``dk-picked-before``) for browser tests and styling.

Keyboard shortcuts: ipywidgets 8 has no keyboard events of its own (a button
cannot be bound to a key without a front-end extension such as ipyevents), so
the app has none; the buttons are reachable with Tab and Space/Enter as any
button on the page.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from ..errors import DedupeKitError
from .state import ORDERS, REASONS, Item, ReviewState, open_state

_MARK_COLOURS = {"same": "#1a7f37", "similar": "#9a6700", "different": "#cf222e", "missing": "#6e7781"}
_ORDER_LABELS = {"uncertain": "most uncertain first", "score": "highest score first", "group": "groups first"}
_DECISION_LABELS = {"match": "match", "distinct": "not a match", "skip": "skip"}  # as in the progress
_MAX_TOGGLES = 4  # more records than this: the survivor is picked in a dropdown


def _classed(widget: w.Widget, *classes: str) -> w.Widget:
    for css in classes:
        widget.add_class(css)
    return widget


class ReviewApp:
    """The review of one run in a notebook or a Voila page.

    Show it by leaving it as the last expression of a cell (or ``display(app)``).
    ``app.state`` is the `ReviewState` it drives; the buttons are ``app.match``,
    ``app.distinct``, ``app.skip``, ``app.undo``, ``app.back``.
    """

    def __init__(self, state: ReviewState) -> None:
        self.state = state
        self.progress = _classed(w.HTML(), "dk-progress")
        self.heading = _classed(w.HTML(), "dk-item")
        self.reasons = _classed(w.HTML(), "dk-reasons")
        self.table = _classed(w.HTML(), "dk-table")
        self.survivor = _classed(w.ToggleButtons(description="Keep", options=[]), "dk-survivor")
        self.survivor_list = _classed(w.Dropdown(description="Keep", options=[]), "dk-survivor")
        self.members = _classed(w.SelectMultiple(description="One person", options=[], rows=4,
                                                 style={"description_width": "initial"}), "dk-members")
        self.field_box = _classed(w.VBox(), "dk-fields")
        self.field_pickers: dict[str, w.Dropdown] = {}
        self.note = _classed(w.Text(placeholder="a note on this decision (optional)", description="Note"), "dk-note")
        self.match = _classed(w.Button(description="Match", button_style="success", tooltip="Same person"), "dk-match")
        self.distinct = _classed(w.Button(description="Not a match", button_style="danger",
                                          tooltip="Different people: keep apart"), "dk-distinct")
        self.skip = _classed(w.Button(description="Skip", tooltip="Not sure: move on without deciding"), "dk-skip")
        self.undo = _classed(w.Button(description="Undo", icon="undo", tooltip="Retract the last decision"), "dk-undo")
        self.back = _classed(w.Button(description="Back", icon="arrow-left", tooltip="Show the previous item"),
                             "dk-back")
        self.order = _classed(w.Dropdown(description="Order", value=state.order,
                                         options=[(_ORDER_LABELS[o], o) for o in ORDERS]), "dk-order")
        self.reason_filter = _classed(w.SelectMultiple(description="Reasons", options=list(REASONS), rows=len(REASONS)),
                                      "dk-reason")
        self.score = _classed(w.FloatRangeSlider(description="Score", min=0.0, max=1.0, step=0.01, value=(0.0, 1.0),
                                                 readout_format=".2f", continuous_update=False), "dk-score")
        self.message = _classed(w.HTML(), "dk-message")

        self.match.on_click(lambda _: self._decide("match"))
        self.distinct.on_click(lambda _: self._decide("distinct"))
        self.skip.on_click(lambda _: self._decide("skip"))
        self.undo.on_click(self._on_undo)
        self.back.on_click(self._on_back)
        self.order.observe(self._on_view, names="value")
        self.reason_filter.observe(self._on_view, names="value")
        self.score.observe(self._on_view, names="value")

        buttons = w.HBox([self.match, self.distinct, self.skip, self.undo, self.back])
        filters = w.HBox([self.order, self.reason_filter, self.score])
        self.widget = _classed(w.VBox([self.progress, filters, self.heading, self.reasons, self.table, self.members, self.survivor,
                                       self.survivor_list, self.field_box, self.note, buttons, self.message]),
                               "dk-review")
        self._shown: Item | None = None
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # --- handlers -----------------------------------------------------------------------------

    def _decide(self, decision: str) -> None:
        item = self.state.current
        if item != self._shown:  # app.state was driven from code since: a click decides what is on screen only
            self.refresh()
            self.message.value = ("Nothing saved: the review moved on outside this page (app.state used from code). "
                                  "It shows the current item now; decide again.")
            return
        if item is None:  # a late click once the queue is done (ipywidgets ignores `disabled` on click())
            self.message.value = "Nothing left to review."
            return
        survivor = self._survivor_value() if decision == "match" else None
        rows = list(self.members.value) if decision == "match" and item.kind == "group" else None
        fields = {c: p.value for c, p in self.field_pickers.items() if p.value is not None}
        fields = fields if decision == "match" else None
        if rows is not None:
            if len(rows) < 2:
                self.message.value = "Select two or more records that are one person, or click Not a match."
                return
            if survivor not in rows:
                self.message.value = "The record kept must be one of the records selected as one person."
                return
            fields = {c: r for c, r in fields.items() if r in rows}
        if survivor is not None and survivor == self.state.merge_survivor(item, rows):
            survivor = None  # the merge keeps it anyway: left to its rule, as the run would merge the group
        try:
            self.state.decide(decision, note=self.note.value.strip(), survivor_row=survivor, fields=fields, rows=rows)
        except (ValueError, DedupeKitError) as error:  # a choice the merge cannot take (a survivor without a record
            self.message.value = html.escape(f"Nothing saved: {error}.")  # ID), the folder run again on another input
            return
        self.note.value = ""
        labels = {"match": "match", "distinct": "not a match", "skip": "skipped"}
        text = f"Saved: {_label(item)} — {labels[decision]}."
        if decision == "skip" and (standing := self.state.decision_of(item)) != "skip":  # no pair was left to skip
            text = (f"Nothing saved: {_label(item)} stays {'a match' if standing == 'match' else 'not a match'} "
                    "(Skip never replaces a match or not a match: decide again to change it).")
        self.message.value = html.escape(text)
        self.refresh()

    def _on_undo(self, _=None) -> None:
        if not self.state.can_undo:
            self.message.value = "Nothing to undo."
            return
        try:
            item = self.state.undo()
        except DedupeKitError as error:  # the folder run again on another input since the page opened
            self.message.value = html.escape(f"Nothing undone: {error}.")
            return
        if item is None:
            text = "Undone: a decision on records this review does not show (gone from the input?)."
        else:  # the item undone, which the filters may leave out of the queue shown
            text = f"Undone: {_label(item)}"
            if (who := self.state.undone_by) is not None:  # the store's latest decision: not one of this page's
                text += (f", decided by {who or 'someone'} since this review opened, not in it (Undo takes back the "
                         "latest decision, whoever made it)")
            text += "." if item == self.state.current else " (the filters leave it out of the queue: it is not shown)."
        self.message.value = html.escape(text)
        self._shown = None
        self.refresh()

    def _on_back(self, _=None) -> None:
        shown = self.state.current
        moved = self.state.back() != shown
        self.message.value = ("" if moved else
                              "Nothing to go back to: no item of the queue shown was decided before this one.")
        self._shown = None
        self.refresh()

    def _on_view(self, _=None) -> None:
        self.state.set_view(order=self.order.value, reasons=list(self.reason_filter.value) or None,
                            score_range=self.score.value)
        self.refresh()

    def _survivor_value(self) -> int | None:
        picker = self.survivor if self.survivor.layout.display != "none" else self.survivor_list
        return picker.value

    # --- rendering ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the current item (or that the queue is done) and the progress."""
        state, item = self.state, self.state.current
        self.progress.value = html.escape(state.progress_text())
        disabled = item is None
        for button in (self.match, self.distinct, self.skip):
            button.disabled = disabled
        if item is None:
            self._shown = None
            self.reasons.value = self.table.value = ""
            self.survivor.layout.display = self.survivor_list.layout.display = self.members.layout.display = "none"
            self.field_box.children, self.field_pickers = (), {}
            self.heading.value = "<b>Nothing left to review.</b> Every item of the queue has a decision."
            return
        if self._shown == item:
            return
        self._shown = item
        self.reasons.value = "<br>".join(html.escape(line) for line in state.reasons_text(item).split("\n"))
        frame = state.fields(item)
        self.table.value = _table(frame, item, state)
        options = [(f"row {r} · {state.record_id(r)}", r) for r in item.rows]
        for old in self.field_box.children:  # close what is replaced: a long review must not pile up widgets
            old.close()
        self.field_pickers = {}
        pickers = []
        # as decided (shown again: Back), or what a person chose on some of its pairs before (a pair
        # matched alone in an earlier run, now in this group): a match keeps it unless changed here
        details = state.decision_details(item)
        changed = details["changed"] if details else {}
        for column in state.conflicts(item):
            values = frame.set_index("column").loc[column]
            picker = _classed(w.Dropdown(description=column, options=[("by the merge rules", None)] + [
                (f"{values[f'raw {r}'] or '(blank)'} — row {r}", r) for r in state.value_choices(item, column)],
                value=None,
                style={"description_width": "initial"}), "dk-field")
            self.field_pickers[column] = picker
            pickers.append(picker)
            if column in changed:  # not shown as picked: the record holds another value now, which nobody chose
                row, before = changed[column]
                pickers.append(_classed(w.HTML(html.escape(
                    f"picked before: {_quoted(before)}, now {_quoted(values[f'raw {row}'])} in {state.record_id(row)}"
                    ": choose again")), "dk-picked-before"))
        self.field_box.children = ([w.HTML("<b>Winning value of each conflicting field</b> (by default the merge's "
                                           "rules choose, as for the groups merged without review)")] + pickers
                                   ) if pickers else ()
        self.members.layout.display = None if item.kind == "group" else "none"
        self.members.options = options
        self.members.value = tuple(item.rows)
        toggles = len(item.rows) <= _MAX_TOGGLES
        self.survivor.layout.display = None if toggles else "none"
        self.survivor_list.layout.display = "none" if toggles else None
        picker = self.survivor if toggles else self.survivor_list
        picker.options = options
        picker.value = state.proposed_survivor(item, details)
        self.note.value = details["note"] if details else ""
        if details:
            if details["decision"] == "match":
                self.members.value = tuple(details["rows"])
            for column, row in state.proposed_fields(item, details).items():
                self.field_pickers[column].value = row
        # the heading last: once the page shows the new heading, the rest has arrived too
        decided = state.decision_of(item)
        status = f" — decided: <b>{decided}</b>" if decided else ""
        if not decided and (partly := state.decided_pairs(item)):  # a group the progress counts as partly decided
            counts = ", ".join(f"{_DECISION_LABELS[d]} {n}" for d, n in partly.items())
            status = f" — partly decided: <b>{sum(partly.values())} of its {len(item.pairs)} pairs</b> ({counts})"
        self.heading.value = f"<b>{html.escape(_label(item))}</b> — probability {item.probability:.3f}{status}"


def _label(item: Item) -> str:
    if item.kind == "pair":
        return f"Pair of rows {item.rows[0]} and {item.rows[1]}"
    return f"Group of {len(item.rows)} records (rows {', '.join(map(str, item.rows))})"


def _quoted(value: str) -> str:
    return repr(value) if value else "(blank)"


def _table(frame, item: Item, state: ReviewState) -> str:
    """The records side by side: raw value, normalized value below it, and the mark."""
    head = "".join(f"<th>row {r}<br><small>{html.escape(state.record_id(r))}</small></th>" for r in item.rows)
    lines = [f"<table class='dk-records' style='border-collapse:collapse'><tr><th>field</th><th></th>{head}</tr>"]
    for record in frame.to_dict("records"):
        colour = _MARK_COLOURS[record["mark"]]
        cells = []
        for r in item.rows:
            raw, norm = record[f"raw {r}"], record[f"normalized {r}"]
            shown = html.escape(raw) if raw else "<i style='color:#6e7781'>blank</i>"
            if norm and norm != raw:
                shown += f"<br><small style='color:#6e7781'>{html.escape(norm)}</small>"
            cells.append(f"<td style='padding:2px 8px;border-top:1px solid #ddd'>{shown}</td>")
        role = f" <small style='color:#6e7781'>{html.escape(record['role'])}</small>" if record["role"] else ""
        lines.append(f"<tr class='dk-mark-{record['mark']}'><td style='padding:2px 8px;border-top:1px solid #ddd'>"
                     f"{html.escape(record['column'])}{role}</td>"
                     f"<td style='color:{colour};padding:2px 8px;border-top:1px solid #ddd'>{record['mark']}</td>"
                     + "".join(cells) + "</tr>")
    return "".join(lines) + "</table>"


def open_review(out_dir: str | Path, *, reviewer: str | None = None, progress: bool | None = False,
                **view) -> ReviewApp:
    """The review app of a run's output folder (what ``dedupe-kit review DIR`` shows):
    the decisions already in ``DIR/review.sqlite`` are reused and new ones are
    written there at once. See `open_state`."""
    return ReviewApp(open_state(out_dir, reviewer=reviewer, progress=progress, **view))
