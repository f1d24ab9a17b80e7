"""dedupe_kit: find, review and merge duplicate contacts in CRM exports.

The stages, each usable alone::

    contacts = load("export.csv")            # every cell a string, columns mapped to roles
    normalized = normalize(contacts)         # E.164 phones, canonical emails, name keys
    report = profile(contacts, normalized)   # data quality before deduplicating
    result = run(contacts)                   # candidates → compare → score → cluster
    result.crosswalk, result.explained()     # groups; the pairs to review, with reasons
    plan = result.merge()                    # survivors and merged values under the merge policy
    export(plan, "out", crosswalk=result.crosswalk)   # cleaned.csv, fix files, audit
"""

from ._interrupt import quiet_while_importing

quiet_while_importing()  # Ctrl-C as the program's imports load: one line, not their traceback (see _interrupt)

from ._cpu import prefer_avx2

prefer_avx2()  # numpy's fast sort on AMD Zen 4: must come before numpy is imported (see _cpu)

from .config import Config, MergePolicy, NormalizeConfig, ProfileConfig
from .errors import ConfigError, DedupeKitError, DedupeKitWarning, InputError
from .fieldmap import FieldMap
from .load import Contacts, load
from .normalize import Normalized, normalize
from .candidates import Candidates, candidates
from .cluster import cluster
from .compare import compare
from .config import MatchConfig
from .merge import MergePlan, merge
from .export import export
from .profile import Profile, profile
from .run import Result, run
from .score import FellegiSunter

__all__ = [
    "Candidates", "Config", "ConfigError", "Contacts", "DedupeKitError", "DedupeKitWarning", "FellegiSunter",
    "FieldMap", "InputError", "MatchConfig", "MergePlan", "MergePolicy", "NormalizeConfig", "Normalized", "Profile",
    "ProfileConfig", "Result", "candidates", "cluster", "compare", "export", "load", "merge", "normalize", "profile",
    "run",
]
__version__ = "0.1.0"
