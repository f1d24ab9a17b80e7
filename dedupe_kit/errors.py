"""The exceptions dedupe_kit raises for problems a user can fix.

Every message says what is wrong, where (file, line, column) and what to do.
"""

from __future__ import annotations


class DedupeKitError(Exception):
    """Base class of every error dedupe_kit raises on purpose."""


class DedupeKitWarning(UserWarning):
    """A Python warning dedupe_kit gives about the data (a value chosen in review that the merge leaves
    out); a run says it in its summary's warnings instead (`caught_warnings`)."""


class InputError(DedupeKitError):
    """An input file cannot be read as a table of contacts."""


class ConfigError(DedupeKitError):
    """A configuration value or a column mapping is invalid."""
