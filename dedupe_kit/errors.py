"""The exceptions dedupe_kit raises for problems a user can fix.

Every message says what is wrong, where (file, line, column) and what to do.
"""

from __future__ import annotations


class DedupeKitError(Exception):
    """Base class of every error dedupe_kit raises on purpose."""


class InputError(DedupeKitError):
    """An input file cannot be read as a table of contacts."""


class ConfigError(DedupeKitError):
    """A configuration value or a column mapping is invalid."""
