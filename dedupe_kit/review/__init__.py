"""Reviewing the doubtful pairs: a state model (`ReviewState`, no widgets), its durable
store (`DecisionStore`, SQLite) and the ipywidgets app (`ReviewApp`, `open_review`).

    from dedupe_kit.review import open_review
    open_review("out/run")        # the output folder of `dedupe-kit run`

The widget module is imported only when asked for, so scripts and the CLI use
the state and the store without ipywidgets.
"""

from .state import ORDERS, REASONS, Item, ReviewState, open_state
from .store import DecisionStore, stored_decisions

__all__ = ["DecisionStore", "Item", "ORDERS", "REASONS", "ReviewApp", "ReviewState", "open_review", "open_state",
           "stored_decisions"]


def __getattr__(name: str):
    if name in ("ReviewApp", "open_review"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
