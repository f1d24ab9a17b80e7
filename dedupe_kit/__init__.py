"""dedupe_kit: find, review and merge duplicate contacts in CRM exports.

The stages, each usable alone::

    contacts = load("export.csv")            # every cell a string, columns mapped to roles
    normalized = normalize(contacts)         # E.164 phones, canonical emails, name keys
    report = profile(contacts, normalized)   # data quality before deduplicating
"""

from .config import Config, NormalizeConfig, ProfileConfig
from .errors import ConfigError, DedupeKitError, InputError
from .fieldmap import FieldMap
from .load import Contacts, load
from .normalize import Normalized, normalize
from .profile import Profile, profile

__all__ = [
    "Config", "ConfigError", "Contacts", "DedupeKitError", "FieldMap", "InputError", "NormalizeConfig",
    "Normalized", "Profile", "ProfileConfig", "load", "normalize", "profile",
]
__version__ = "0.1.0"
