#!/usr/bin/env python3
"""Seeded, deterministic generator of synthetic CRM contact exports.

Everything here is made up: names are drawn at random from the lists below,
phone numbers come from fictional/drama ranges where those exist (US
``NXX-555-01XX``, Ofcom ``020 7946 0xxx`` & co, ARCEP ``01 99 00 xx xx`` & co)
and otherwise from random subscriber digits, companies use ``.example`` domains.

Usage::

    python sample_data/generate.py                      # sample_data/contacts.csv + truth.csv
    python sample_data/generate.py --rows 1000000 --out DIR [--seed N]
    python sample_data/generate.py --check [--out DIR]  # validate the written files
                                                        # (needs `phonenumbers`)

Output
------
``contacts.csv`` has the columns of ``HEADER``; ``truth.csv`` has
``Contact ID,person_id,scenario`` with one row per contact row, same order.
``scenario`` is ``original`` for the first row of a person, otherwise the
``+``-joined scenario names that produced the row (primary first).
Rows are shuffled, so duplicates are not adjacent; Contact IDs (``C000001``...)
then follow file order. Same seed and row count give byte-identical files.

Layout of the data
------------------
Data is made of *blocks*, each built from the same recipe (``BLOCK``): about
270 persons and 400 rows. The default sample is one block; ``--rows N``
concatenates blocks (shuffled together in chunks of ``BLOCKS_PER_CHUNK``)
and cuts the last one so there are exactly N rows. About 32% of rows are
duplicates of another row's person. ID widths grow with N (``C`` + 6 digits,
``P`` + 4, ``S`` + 5 up to 999,999 rows; 7 digits for 1,000,000). In large
mode phones leave the fictional ranges once those run out (random subscriber
digits in real area codes, still unique per person), and the short name lists
make many natural namesakes.

Duplicate scenarios (extra rows of the same person, ``DECK`` gives counts per
block; about 20% of them get a second scenario on top, e.g.
``nickname+changed_phone``):

* ``changed_phone``   same name and email, a new mobile number.
* ``parent_phone``    a student's row carries a parent's mobile; the parent
                      is a different person in the file (same last name).
* ``missing_id``      Student ID blank.
* ``renamed_id``      Student ID blank, the value sits in ``Student Number``.
* ``two_forms``       the original row keeps the email but loses its phones,
                      the extra row has phones but no email.
* ``typo``            one edit (swap, drop, double letter) in a name or email.
* ``nickname``        Bob for Robert, Liz for Elizabeth...
* ``accents_dropped`` Francois for François (French persons).
* ``swapped_names``   first and last name columns swapped.
* ``case_noise``      ``  JOHN ``, ``smith``, double spaces, shouting emails.
* ``second_email``    a new address in Email and the old one in Email 2, or a
                      work address instead of a personal one.
* ``exact_duplicate`` same as the original in every column but Contact ID.

Noise any non-exact duplicate may carry (not named in truth.csv): phone formats
(``(212) 555-0142``, ``+1 212 555 0142``, ``0033 6 12 34 56 78``...), work
phone extensions (``ext. 12``, ``x12``), gmail dot/+tag variants, country
spelling (``United States``/``US``/``USA``, rarely blank), a rare blank City,
new dates and notes.

Hard negatives (different persons that look alike, all labelled ``original``):

* families sharing a home landline and a last name (parent + student child,
  sometimes a spouse or sibling); the parents are the ones of ``parent_phone``;
* namesakes: same first and last name, different everything else;
* coworkers sharing an office switchboard (own extension) and a role address
  such as ``info@acme-widgets.example``;
* contacts with placeholder phones (``555-555-5555``, ``12345``) and invalid
  emails (``john.smith@``, ``n/a``).

Lossless-string traps: last name ``None``, first name ``Na``, Company ``NA``
and ``N/A``, Notes ``null``, notes starting with ``= @ - +``, a note with a
comma and a newline, Student IDs with leading zeros, a company with a comma.

The generator is stdlib-only. ``--check`` imports ``phonenumbers`` to verify
that every non-placeholder phone is valid for its row's country.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import math
import random
import sys
import time
import unicodedata
from collections import Counter
from operator import itemgetter
from pathlib import Path
from typing import Iterator

HEADER = [
    "Contact ID", "First Name", "Last Name", "Email", "Email 2",
    "Mobile Phone", "Home Phone", "Work Phone", "Company", "City", "Country",
    "Student ID", "Student Number", "Created Date", "Last Modified", "Notes",
]
TRUTH_HEADER = ["Contact ID", "person_id", "scenario"]

DEFAULT_SEED = 7
HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------
# Recipe of one block (the default sample is exactly one block)
# --------------------------------------------------------------------------
BLOCK = {
    "families": 10,           # parent + student child (+ spouse/sibling every other one)
    "coworker_groups": (3, 2, 3, 2, 3, 2),  # group sizes -> 12 coworker pairs
    "regular": 212,
    "namesakes": 10,
    "invalid": 10,
}
# Duplicate rows per block, most constrained scenarios first.
DECK = (
    ("parent_phone", 10), ("accents_dropped", 10), ("nickname", 12),
    ("missing_id", 9), ("renamed_id", 9), ("two_forms", 12),
    ("exact_duplicate", 8), ("changed_phone", 12), ("typo", 12),
    ("swapped_names", 10), ("case_noise", 12), ("second_email", 12),
)
COMBINE_RATE = 0.2            # chance a duplicate gets a second scenario
MAX_EXTRA_ROWS = 3            # a person has 1..4 rows
# Which second scenario may be stacked on a primary one.
SECONDARY = {
    "changed_phone": ("case_noise", "nickname", "typo", "accents_dropped", "second_email"),
    "parent_phone": ("case_noise", "nickname", "accents_dropped"),
    "missing_id": ("case_noise", "changed_phone", "nickname", "typo", "second_email"),
    "renamed_id": ("case_noise", "changed_phone", "nickname", "typo", "second_email"),
    "two_forms": ("case_noise", "nickname", "accents_dropped"),
    "typo": ("case_noise", "changed_phone"),
    "nickname": ("changed_phone", "case_noise", "second_email"),
    "accents_dropped": ("changed_phone", "case_noise", "second_email"),
    "swapped_names": ("case_noise", "changed_phone"),
    "case_noise": ("changed_phone", "second_email"),
    "second_email": ("changed_phone", "nickname", "case_noise"),
    "exact_duplicate": (),
}
# Scenarios are applied in this order (value changes first, cosmetics last).
APPLY_ORDER = (
    "changed_phone", "parent_phone", "missing_id", "renamed_id", "second_email",
    "two_forms", "nickname", "accents_dropped", "typo", "swapped_names", "case_noise",
)
BLOCKS_PER_CHUNK = 25         # large mode shuffles ~10,000 rows at a time

# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
US_FIRST = """
James Robert John Michael William David Richard Joseph Thomas Christopher
Charles Daniel Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth
Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary
Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel
Alexander Patrick Tyler Raymond Gregory Mary Patricia Jennifer Linda
Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Margaret Sandra Ashley
Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca
Laura Cynthia Katherine Amy Angela Brenda Pamela Nicole Samantha Christine
Rachel Heather Megan Olivia
""".split()
GB_FIRST = """
Oliver George Harry Jack Charlie Thomas James William Henry Alfie Edward Oscar
Arthur Freddie Archie Leo Joshua Jacob Daniel Samuel Alexander Joseph Benjamin
Matthew Richard Robert Michael Christopher Andrew Stephen Ian Graham Nigel
Simon Gareth Rhys Callum Angus Declan Alistair Olivia Amelia Isla Ava Emily
Sophie Grace Lily Poppy Evie Ella Charlotte Jessica Elizabeth Margaret
Katherine Victoria Eleanor Harriet Imogen Philippa Fiona Siobhan Niamh Gemma
Hannah Lucy Chloe Rebecca Alice Abigail Patricia Joanne Claire Sian Bethan
Morag Kirsty Ruth Zoe
""".split()
FR_FIRST = """
Jean Pierre François Jérôme Stéphane Sébastien Frédéric Noël Raphaël Gaël
Joël Benoît André René Hervé Cédric Grégoire Jérémie Mathéo Théo Léo Nicolas
Julien Thomas Antoine Louis Hugo Lucas Laurent Philippe Michel Alain
Christophe Olivier Guillaume Vincent Mathieu Romain Maxime Jean-Pierre
Jean-François Hélène Zoë Léa Chloé Élodie Émilie Céline Amélie Anaïs Maëlle
Inès Clémence Thérèse Geneviève Agnès Aurélie Mélanie Bérénice Valérie
Camille Marie Sophie Manon Julie Claire Isabelle Nathalie Sandrine Catherine
Anne Sylvie Martine Pauline Margaux Lucie Juliette Marie-Hélène Anne-Sophie
Océane
""".split()
US_LAST = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin
Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson
Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans
Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy
Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard
Ramos Kim Cox Ward O'Brien
""".split()
GB_LAST = """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris
Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark
Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker
Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey
Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson
Ellis Adams Singh Wilkinson Foster Chapman Powell Webb Rogers Gray Mason
McDonald O'Connor
""".split()
FR_LAST = """
Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon
Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel
Girard André Lefebvre Mercier Dupont Lambert Bonnet François Martinez Legrand
Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin
Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Gérard
Boyer Denis Lemaire Duval Joly Gautier Roche Noël Meyer Lucas Meunier
Marchand Dufour Blanchard Barbier Brun Dumas Brunet Schmitt Leroux Colin
Hébert Lévêque Bénard Prévost Leclère Châtelain Béranger Delacroix
""".split()
NICKNAMES = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Lizzie"), "Margaret": ("Maggie", "Peggy", "Meg"),
    "Richard": ("Dick", "Rick", "Rich"), "James": ("Jim", "Jimmy", "Jamie"),
    "Katherine": ("Kate", "Katie", "Kathy"), "Michael": ("Mike", "Mikey"),
    "Jennifer": ("Jenny", "Jen"), "Thomas": ("Tom", "Tommy"),
    "Christopher": ("Chris",), "Alexander": ("Alex",), "Daniel": ("Dan", "Danny"),
    "Joseph": ("Joe", "Joey"), "Patricia": ("Pat", "Trish", "Patty"),
    "Anthony": ("Tony",), "Edward": ("Ted", "Ed", "Eddie"), "Samuel": ("Sam",),
    "Benjamin": ("Ben",), "Nicholas": ("Nick",), "Jonathan": ("Jon",),
    "Matthew": ("Matt",), "Andrew": ("Andy", "Drew"), "Steven": ("Steve",),
    "Timothy": ("Tim",), "Rebecca": ("Becky",), "Samantha": ("Sam",),
    "Deborah": ("Debbie", "Deb"), "Susan": ("Sue",), "Kenneth": ("Ken",),
    "Charles": ("Charlie", "Chuck"), "Victoria": ("Vicky",), "Philippa": ("Pippa",),
}

# --------------------------------------------------------------------------
# Places, companies, notes
# --------------------------------------------------------------------------
COUNTRIES = ("US", "US", "FR", "GB")          # ~50% US, 25% FR, 25% GB
COUNTRY_LABELS = {
    "US": ("United States",) * 7 + ("US", "US", "USA"),
    "FR": ("France",) * 8 + ("FR", "FR"),
    "GB": ("United Kingdom",) * 7 + ("UK",) * 3,
}
FIRST_NAMES = {"US": US_FIRST, "FR": FR_FIRST, "GB": GB_FIRST}
LAST_NAMES = {"US": US_LAST, "FR": FR_LAST, "GB": GB_LAST}
# US city -> its area codes
US_CITIES = {
    "New York": ("212", "646", "718"), "Chicago": ("312", "773"),
    "San Francisco": ("415", "628"), "Boston": ("617",), "Washington": ("202",),
    "Miami": ("305", "786"), "Houston": ("713", "832"), "Seattle": ("206",),
    "Denver": ("303",), "Atlanta": ("404", "470"),
    "Los Angeles": ("213", "310", "323"), "Philadelphia": ("215", "267"),
    "Phoenix": ("602", "480"), "Dallas": ("214", "469"), "Minneapolis": ("612",),
    "Portland": ("503",), "Detroit": ("313",), "San Diego": ("619",),
    "Austin": ("512",), "Nashville": ("615",),
}
US_AREA_CODES = tuple(ac for acs in US_CITIES.values() for ac in acs)
# French city -> landline zone (01 Paris region ... 05 south-west)
FR_CITIES = {
    "Paris": 1, "Boulogne-Billancourt": 1, "Versailles": 1, "Nantes": 2,
    "Rennes": 2, "Rouen": 2, "Lille": 3, "Strasbourg": 3, "Reims": 3, "Lyon": 4,
    "Marseille": 4, "Nice": 4, "Grenoble": 4, "Montpellier": 4, "Toulouse": 5,
    "Bordeaux": 5,
}
# UK city -> (fictional prefix, wide prefixes, digit groups of the national number)
GB_CITIES = {
    "London": ("207946", ("203", "208"), (2, 4, 4)),
    "Leeds": ("1134960", ("1132", "1133"), (3, 3, 4)),
    "Sheffield": ("1144960", ("1142", "1143"), (3, 3, 4)),
    "Bristol": ("1174960", ("1172", "1179"), (3, 3, 4)),
    "Reading": ("1184960", ("1183", "1189"), (3, 3, 4)),
    "Birmingham": ("1214960", ("1212", "1214"), (3, 3, 4)),
    "Edinburgh": ("1314960", ("1312", "1314"), (3, 3, 4)),
    "Glasgow": ("1414960", ("1412", "1414"), (3, 3, 4)),
    "Liverpool": ("1514960", ("1512", "1514"), (3, 3, 4)),
    "Manchester": ("1614960", ("1612", "1614"), (3, 3, 4)),
    "Newcastle upon Tyne": ("1914980", ("1912", "1914"), (3, 3, 4)),
    "Belfast": ("2896496", ("2890", "2895"), (2, 4, 4)),
    "Cardiff": ("2920180", ("2920", "2922"), (2, 4, 4)),
}
CITIES = {
    "US": tuple(US_CITIES) + ("New York",) * 2,
    "FR": tuple(FR_CITIES) + ("Paris",) * 3,
    "GB": tuple(GB_CITIES) + ("London",) * 3,
}
COMPANIES = {
    "US": ("Acme Widgets", "Globex Corporation", "Initech", "Northwind Traders",
           "Blue Harbor Consulting", "Summit Ridge Analytics", "Pinecrest Medical Group",
           "Redwood Logistics", "Lakeside Dental", "Brightline Software",
           "Ironclad Security", "Maple Street Bakery", "Harborview Realty",
           "Fairbanks, Lowe & Partners"),
    "FR": ("Atelier Lumière", "Transports Durand", "Cabinet Moreau & Associés",
           "Éditions du Pont-Neuf", "Boulangerie des Lilas", "Optique Provençale",
           "Vignobles du Val", "Groupe Hélios Conseil", "Librairie Saint-Michel",
           "Garage des Quatre Routes", "Pharmacie du Marché", "Studio Céleste"),
    "GB": ("Harrow & Finch Ltd", "Thames Valley Analytics", "Brightwater Holdings",
           "Pennine Outdoor Ltd", "Kestrel Engineering", "Old Mill Joinery",
           "Northgate Solicitors LLP", "Castle Street Dental", "Blackthorn Media",
           "Riverside Lettings", "Greyfriars Consulting", "Wren & Co Accountants"),
}
ROLE_MAILBOXES = ("info", "contact", "office", "hello", "admin", "reception")
EMAIL_PROVIDERS = {
    "US": ("gmail.com",) * 4 + ("yahoo.com",) * 2 + ("outlook.com",) * 2
          + ("hotmail.com", "aol.com", "icloud.com"),
    "FR": ("gmail.com",) * 3 + ("orange.fr",) * 2 + ("free.fr",) * 2
          + ("laposte.net", "sfr.fr", "yahoo.fr", "hotmail.fr"),
    "GB": ("gmail.com",) * 3 + ("btinternet.com",) * 2
          + ("outlook.com", "yahoo.co.uk", "hotmail.co.uk", "sky.com"),
}
GMAIL_TAGS = ("news", "crm", "shop", "school", "2020", "signup")
NOTES = (
    "Met at open day", "Prefers email", "Requested brochure",
    "Do not call before 10am", "Interested in evening classes", "Asked about fees",
    "Referred by a friend", "Follow up in September", "Wrong number reported",
    "Moved from another branch", "Rappeler la semaine prochaine",
    "Intéressée par la formation", "Left voicemail",
)
TRAP_NOTES = (
    "=1+1", "@follow up", "- called twice", "+ VIP", "null", "null",
    "Left voicemail, will call back\nPrefers text messages",
)
PLACEHOLDER_PHONES = (
    "555-555-5555", "000-000-0000", "12345", "0000000000", "999-999-9999",
    "1111111111",
)

# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------
US_EXCHANGES = tuple(str(e) for e in range(200, 1000) if e % 100 != 11 and e != 555)
FR_ZONES = {  # zone -> (fictional ARCEP prefix, wide prefixes); 9-digit numbers
    1: ("19900", ("14", "15")), 2: ("26191", ("22", "24")),
    3: ("35301", ("32", "38")), 4: ("46571", ("42", "47")),
    5: ("53649", ("55", "56")),
}
FR_MOBILE_PREFIXES = tuple(f"6{i:02d}" for i in range(0, 39)) + tuple(
    f"6{i:02d}" for i in range(40, 90)) + tuple(f"7{i:02d}" for i in range(50, 100))
GB_MOBILE_PREFIXES = (
    "7400", "7412", "7425", "7441", "7456", "7479", "7500", "7518", "7533",
    "7549", "7564", "7587", "7701", "7715", "7734", "7752", "7768", "7789",
    "7800", "7812", "7825", "7841", "7866", "7883", "7900", "7921", "7944",
    "7956", "7970", "7985",
)


class _Range:
    """Numbers ``prefix + free digits`` for a set of prefixes, in an order that
    looks random but never repeats (affine permutation of the index)."""

    def __init__(self, prefixes, free, rng):
        self.prefixes, self.free, self.size = tuple(prefixes), free, 10 ** free
        self.total = len(self.prefixes) * self.size
        self.mult = rng.randrange(1, self.total) if self.total > 1 else 1
        while math.gcd(self.mult, self.total) != 1:
            self.mult += 1
        self.offset = rng.randrange(self.total) if self.total else 0
        self.used = 0

    def next(self):
        used = self.used
        if used >= self.total:
            return None
        self.used = used + 1
        seg, sub = divmod((self.mult * used + self.offset) % self.total, self.size)
        return self.prefixes[seg] + str(self.size + sub)[1:]   # zero-padded


class PhonePool:
    """Unique numbers of one country/area: fictional range first, then wide."""

    def __init__(self, country, groups, fictional, wide, rng):
        self.country = country
        cuts = [sum(groups[:i]) for i in range(len(groups) + 1)]
        self.split = itemgetter(*(slice(a, b) for a, b in zip(cuts, cuts[1:])))
        self.fictional = _Range(fictional[0], fictional[1], rng) if fictional else None
        self.fictional_prefixes = tuple(fictional[0]) if fictional else ()
        self.wide = _Range(wide[0], wide[1], rng)

    def next(self):
        nsn = self.fictional.next() if self.fictional else None
        if nsn is None:
            self.fictional = None
            nsn = self._next_wide()
        return (self.country, self.split(nsn))

    def _next_wide(self):
        while True:
            nsn = self.wide.next()
            if nsn is None:
                raise RuntimeError(f"phone pool exhausted ({self.country})")
            if not nsn.startswith(self.fictional_prefixes):
                return nsn


# A phone is (country, groups of the national significant number) or a raw
# placeholder string. Style functions turn the groups into text.
PHONE_STYLES = {
    "US": (
        lambda g: f"({g[0]}) {g[1]}-{g[2]}",
        lambda g: f"{g[0]}-{g[1]}-{g[2]}",
        lambda g: f"{g[0]}.{g[1]}.{g[2]}",
        lambda g: f"+1{''.join(g)}",
        lambda g: f"+1 {' '.join(g)}",
        lambda g: "".join(g),
        lambda g: f"1-{'-'.join(g)}",
    ),
    "FR": (
        lambda g: "0" + " ".join(g),
        lambda g: "0" + ".".join(g),
        lambda g: "0" + "".join(g),
        lambda g: "+33 " + " ".join(g),
        lambda g: "+33" + "".join(g),
        lambda g: "0033 " + " ".join(g),
    ),
    "GB": (
        lambda g: "0" + " ".join(g),
        lambda g: "0" + "".join(g),
        lambda g: f"(0{g[0]}) " + " ".join(g[1:]),
        lambda g: "+44 " + " ".join(g),
        lambda g: "+44" + "".join(g),
        lambda g: "0044 " + " ".join(g),
    ),
}
# Preferred style of a person (national formats dominate) and per-row redraws.
ORIGINAL_STYLES = {"US": (0, 0, 0, 1, 1, 2, 3, 4), "FR": (0, 0, 0, 0, 1, 2, 3), "GB": (0, 0, 0, 0, 1, 2, 3)}
ROW_STYLES = {"US": (0, 1, 2, 3, 4, 5, 6), "FR": (0, 0, 1, 2, 3, 4, 5), "GB": (0, 0, 1, 2, 3, 4, 5)}
EXTENSION_FORMATS = (" ext. {}", " x{}", " ext {}")


def format_phone(phone, style: int, ext: str = "") -> str:
    if not phone:
        return ""
    if isinstance(phone, str):          # placeholder junk is written as is
        return phone
    text = PHONE_STYLES[phone[0]][style](phone[1])
    return text + ext if ext else text


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------
_FOLD_CACHE: dict[str, str] = {}


def strip_accents(text: str) -> str:
    """``Hélène`` -> ``Helene`` (case kept)."""
    out = _FOLD_CACHE.get(text)
    if out is None:
        decomposed = unicodedata.normalize("NFKD", text)
        out = "".join(c for c in decomposed if not unicodedata.combining(c))
        _FOLD_CACHE[text] = out
    return out


def has_accents(text: str) -> bool:
    return strip_accents(text) != text


_TOKEN_CACHE: dict[str, str] = {}


def email_token(name: str) -> str:
    """Name as it appears in an email local part: ``O'Brien`` -> ``obrien``."""
    out = _TOKEN_CACHE.get(name)
    if out is None:
        out = strip_accents(name).lower().replace("'", "").replace(" ", "")
        _TOKEN_CACHE[name] = out
    return out


def email_key(address: str) -> str:
    """Normalized mailbox used to keep different persons' emails distinct."""
    local, _, domain = address.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    return f"{local}@{domain}"


def slug(text: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in strip_accents(text).lower()).split()
    return "-".join(words)


def one_typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: swap two neighbours, drop or double a letter."""
    if len(word) < 3:
        return word + word[-1]
    for _ in range(10):
        i = rng.randrange(1, len(word) - 1)
        op = rng.random()
        if op < 0.4:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif op < 0.7:
            out = word[:i] + word[i + 1:]
        else:
            out = word[:i] + word[i] + word[i:]
        if out != word:
            return out
    return word + word[-1]


def _date_strings() -> tuple[list[str], int]:
    start, end = datetime.date(2016, 1, 1), datetime.date(2024, 12, 31)
    span = (end - start).days + 1
    return [(start + datetime.timedelta(days=i)).isoformat() for i in range(span)], span


DATES, DATE_SPAN = _date_strings()


# --------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------
class Person:
    """One real (synthetic) person and the canonical values of their contact."""

    __slots__ = (
        "pid", "country", "role", "first", "last", "email", "email2", "mobile",
        "home", "work", "ext", "company", "city", "sid", "created", "modified",
        "notes", "style", "label", "parent", "extra",
    )

    def __init__(self, pid, country, role, first, last, city, company,
                 created, modified, email, mobile, style, label):
        self.pid, self.country, self.role = pid, country, role
        self.first, self.last, self.city, self.company = first, last, city, company
        self.created, self.modified = created, modified     # indexes into DATES
        self.email, self.mobile = email, mobile
        self.style, self.label = style, label   # phone format, Country spelling
        self.email2 = self.ext = self.sid = self.notes = ""
        self.home = self.work = self.parent = None
        self.extra = []                         # scenario lists of the extra rows


class ContactFactory:
    """Builds blocks of persons and renders their rows (all state lives here)."""

    def __init__(self, seed: int = DEFAULT_SEED, n_rows: int | None = None):
        self.rng = random.Random(seed)
        # Hot-path helpers (plain closures are cheaper than rng.choice/randrange):
        rand = self.random = self.rng.random
        self.pick = lambda seq: seq[int(rand() * len(seq))]     # random element
        self.below = lambda n: int(rand() * n)                  # int in [0, n)
        self.n_rows = n_rows
        width = len(str(n_rows)) if n_rows else 0
        self.pid_width = max(4, width)
        self.cid_width = max(6, width)
        self.sid_range = _Range([""], max(5, width), self.rng)
        self.pools: dict = {}
        self.used_emails: set[str] = set()
        self.person_count = 0

    # ---- phones -----------------------------------------------------------
    def _pool(self, country: str, key) -> PhonePool:
        pool = self.pools.get((country, key))
        if pool is None:
            if country == "US":
                pool = PhonePool("US", (3, 3, 4), ([key + "55501"], 2),
                                 ([key + ex for ex in US_EXCHANGES], 4), self.rng)
            elif country == "FR" and key == "mobile":
                pool = PhonePool("FR", (1, 2, 2, 2, 2), None, (FR_MOBILE_PREFIXES, 6), self.rng)
            elif country == "FR":
                fictional, wide = FR_ZONES[key]
                pool = PhonePool("FR", (1, 2, 2, 2, 2), ([fictional], 4), (wide, 7), self.rng)
            elif key == "mobile":
                pool = PhonePool("GB", (4, 6), None, (GB_MOBILE_PREFIXES, 6), self.rng)
            else:
                fictional, wide, groups = GB_CITIES[key]
                free = 10 - len(fictional)
                pool = PhonePool("GB", groups, ([fictional], free),
                                 (wide, 10 - len(wide[0])), self.rng)
            self.pools[(country, key)] = pool
        return pool

    def new_phone(self, country: str, city: str, kind: str):
        """A never-used number; ``kind`` is ``mobile`` or ``landline``."""
        if country == "US":
            codes = US_CITIES[city]
            if kind == "mobile" and self.rng.random() < 0.15:
                codes = US_AREA_CODES           # kept the number after moving
            return self._pool("US", self.pick(codes)).next()
        if kind == "mobile":
            return self._pool(country, "mobile").next()
        return self._pool(country, FR_CITIES[city] if country == "FR" else city).next()

    # ---- emails -----------------------------------------------------------
    def claim_email(self, local: str, domain: str) -> str:
        """Register a new mailbox, adding digits when the name is taken."""
        rng = self.rng
        candidate = f"{local}@{domain}"
        key = email_key(candidate) if domain == "gmail.com" else candidate.lower()
        tries = 0
        while key in self.used_emails:
            tries += 1
            digits = rng.randint(2, 99) if tries < 4 else rng.randint(100, 99999)
            candidate = f"{local}{digits}@{domain}"
            key = email_key(candidate)
        self.used_emails.add(key)
        return candidate

    def personal_email(self, first: str, last: str, country: str, avoid: str = "") -> str:
        rng = self.rng
        f, l = email_token(first), email_token(last)
        pattern = rng.random()
        if pattern < 0.35:
            local = f"{f}.{l}"
        elif pattern < 0.5:
            local = f + l
        elif pattern < 0.6:
            local = f[0] + l
        elif pattern < 0.67:
            local = f"{f}_{l}"
        elif pattern < 0.77:
            local = f"{f}.{l}{1 + self.below(99)}"
        elif pattern < 0.87:
            local = f"{f}{l[0]}{60 + self.below(40)}"
        elif pattern < 0.94:
            local = f"{l}.{f}"
        else:
            local = f"{f[0]}.{l}"
        domain = self.pick(EMAIL_PROVIDERS[country])
        while domain == avoid:
            domain = self.pick(EMAIL_PROVIDERS[country])
        address = self.claim_email(local, domain)
        if rng.random() < 0.08:                          # "John.Smith@gmail.com"
            address = ".".join(p[:1].upper() + p[1:] for p in address.split("@")[0].split(".")) \
                + "@" + domain
        return address

    def work_email(self, first: str, last: str, company: str) -> str:
        return self.claim_email(f"{email_token(first)}.{email_token(last)}",
                                slug(company) + ".example")

    # ---- person -----------------------------------------------------------
    def new_person(self, role="regular", country=None, city=None, first=None,
                   last=None, company=None, sid_rate=0.62, home_rate=0.25) -> Person:
        rand = self.random
        country = country or self.pick(COUNTRIES)
        city = city or self.pick(CITIES[country])
        first = first or self.pick(FIRST_NAMES[country])
        last = last or self.pick(LAST_NAMES[country])
        if company is None:
            company = self.pick(COMPANIES[country]) if rand() < 0.55 else ""
        self.person_count += 1
        created = self.below(DATE_SPAN - 400)
        modified = created if rand() < 0.3 else created + self.below(400)
        p = Person(
            f"P{self.person_count:0{self.pid_width}d}", country, role, first, last,
            city, company, created, modified,
            self.personal_email(first, last, country) if rand() < 0.95 else "",
            self.new_phone(country, city, "mobile") if rand() < 0.92 else None,
            self.pick(ORIGINAL_STYLES[country]), self.pick(COUNTRY_LABELS[country]),
        )
        if not p.email and not p.mobile:
            p.mobile = self.new_phone(country, city, "mobile")
        if rand() < home_rate:
            p.home = self.new_phone(country, city, "landline")
        if company and rand() < 0.45:
            p.work = self.new_phone(country, city, "landline")
            if rand() < 0.3:
                p.ext = str(10 + self.below(4990))
        if company and rand() < 0.12:
            p.email2 = self.work_email(first, last, company)
        if rand() < sid_rate:
            p.sid = f"S{self.sid_range.next()}"
        if rand() < 0.06:
            p.notes = self.pick(NOTES)
        return p

    def make_family(self, with_third: bool) -> list[Person]:
        """Parent and student child sharing a landline and last name."""
        rng = self.rng
        country = self.pick(COUNTRIES)
        city = self.pick(CITIES[country])
        last = self.pick(LAST_NAMES[country])
        home = self.new_phone(country, city, "landline")
        kw = dict(country=country, city=city, last=last)
        parent = self.new_person("parent", sid_rate=0.15, **kw)
        child = self.new_person("child", company="", sid_rate=1.0, **kw)
        members = [parent, child]
        if with_third:
            if rng.random() < 0.5:
                members.append(self.new_person("spouse", sid_rate=0.15, **kw))
            else:
                members.append(self.new_person("child", company="", sid_rate=1.0, **kw))
        used_first = set()
        for m in members:
            while m.first in used_first:
                m.first = self.pick(FIRST_NAMES[country])
                m.email = self.personal_email(m.first, last, country)
            used_first.add(m.first)
            m.home = home
            if m.role == "child":
                m.parent, m.work, m.ext, m.email2 = parent, None, "", ""
                m.mobile = m.mobile or self.new_phone(country, city, "mobile")
        parent.mobile = parent.mobile or self.new_phone(country, city, "mobile")
        return members

    def make_coworkers(self, size: int) -> list[Person]:
        """Colleagues sharing a switchboard and a role mailbox."""
        rng = self.rng
        country = self.pick(COUNTRIES)
        city = self.pick(CITIES[country])
        company = self.pick(COMPANIES[country])
        switchboard = self.new_phone(country, city, "landline")
        role_email = f"{self.pick(ROLE_MAILBOXES)}@{slug(company)}.example"
        members = []
        for _ in range(size):
            m = self.new_person("coworker", country=country, city=city,
                                company=company, sid_rate=0.3)
            m.work, m.ext = switchboard, str(rng.randint(10, 499)) if rng.random() < 0.5 else ""
            if rng.random() < 0.5:
                m.email2 = role_email
            else:
                m.email, m.email2 = role_email, m.email
            members.append(m)
        return members

    def make_namesake(self, original: Person) -> Person:
        """Same first and last name as ``original``; usually another country."""
        country = original.country
        if self.rng.random() < 0.6:
            country = self.pick([c for c in ("US", "FR", "GB") if c != country])
        city = original.city
        while city == original.city:
            city = self.pick(CITIES[country])
        return self.new_person("namesake", country=country, city=city,
                               first=original.first, last=original.last)

    def make_invalid(self) -> Person:
        """A unique person typed with placeholder phones and/or a bad email."""
        rng = self.rng
        p = self.new_person("invalid")
        bad_phone, bad_email = rng.random() < 0.7, rng.random() < 0.7
        if not (bad_phone or bad_email):
            bad_phone = bad_email = True
        if bad_phone:
            p.mobile = self.pick(PLACEHOLDER_PHONES)
            if p.home:
                p.home = self.pick(PLACEHOLDER_PHONES)
        if bad_email:
            p.email = self.pick((
                f"{email_token(p.first)}.{email_token(p.last)}@", "n/a", "none",
                "N/A", f"{email_token(p.first)}@", "noemail"))
        return p

    # ---- block ------------------------------------------------------------
    def make_block(self) -> list[tuple[list[str], str, str]]:
        """One block of rows ``(row, person_id, scenario)``, persons in order."""
        rng = self.rng
        persons: list[Person] = []
        for i in range(BLOCK["families"]):
            persons += self.make_family(with_third=i % 2 == 1)
        for size in BLOCK["coworker_groups"]:
            persons += self.make_coworkers(size)
        regular = [
            self.new_person(country=self.pick(("US", "GB")), last="None"),
            self.new_person(first="Na"),
        ] + [self.new_person() for _ in range(BLOCK["regular"] - 2)]
        persons += regular
        persons += [self.make_namesake(self.pick(regular)) for _ in range(BLOCK["namesakes"])]
        persons += [self.make_invalid() for _ in range(BLOCK["invalid"])]
        self.plant_traps(persons, regular)
        self.assign_scenarios(persons)
        rows = []
        for p in persons:
            rows += self.person_rows(p)
        return rows

    def plant_traps(self, persons: list[Person], regular: list[Person]) -> None:
        children = [p for p in persons if p.role == "child"]
        children[0].company, children[1].company = "NA", "N/A"
        for p in children[2:]:
            if self.rng.random() < 0.3:
                p.company = "N/A"
        for p, note in zip(self.rng.sample(regular, len(TRAP_NOTES)), TRAP_NOTES):
            p.notes = note

    def assign_scenarios(self, persons: list[Person]) -> None:
        """Deal the DECK of duplicate scenarios to eligible persons."""
        rng = self.rng
        pools = {
            "parent_phone": [p for p in persons if p.role == "child"],
            "accents_dropped": [p for p in persons if p.role != "invalid"
                                and (has_accents(p.first) or has_accents(p.last))],
            "nickname": [p for p in persons if p.role != "invalid" and p.first in NICKNAMES],
            "missing_id": [p for p in persons if p.role != "invalid" and p.sid],
            "two_forms": [p for p in persons if p.role != "invalid" and p.email and p.mobile],
        }
        pools["renamed_id"] = pools["missing_id"]
        anyone = [p for p in persons if p.role != "invalid"]
        for scenario, count in DECK:
            candidates = pools.get(scenario, anyone)
            for _ in range(count):
                for _try in range(30):
                    p = self.pick(candidates)
                    if self._can_take(p, scenario):
                        break
                else:
                    continue
                labels = [scenario]
                if rng.random() < COMBINE_RATE:
                    options = [s for s in SECONDARY[scenario] if self._fits(p, s)]
                    if options:
                        labels.append(self.pick(options))
                p.extra.append(labels)

    @staticmethod
    def _fits(p: Person, scenario: str) -> bool:
        if scenario == "nickname":
            return p.first in NICKNAMES
        if scenario == "accents_dropped":
            return has_accents(p.first) or has_accents(p.last)
        return True

    @staticmethod
    def _can_take(p: Person, scenario: str) -> bool:
        if len(p.extra) >= MAX_EXTRA_ROWS:
            return False
        taken = {labels[0] for labels in p.extra}
        if scenario in ("two_forms", "parent_phone") and scenario in taken:
            return False
        if scenario == "two_forms" and "exact_duplicate" in taken:
            return False
        if scenario == "exact_duplicate" and "two_forms" in taken:
            return False
        return True

    # ---- rows -------------------------------------------------------------
    def person_rows(self, p: Person) -> list[tuple[list[str], str, str]]:
        draft = self.draft(p)
        if any(labels[0] == "two_forms" for labels in p.extra):
            draft["mobile"] = draft["home"] = draft["work"] = None   # email-only form
        original = self.render(p, draft, p.style, p.label, p.created, p.modified)
        out = [(original, p.pid, "original")]
        for labels in p.extra:
            if labels[0] == "exact_duplicate":
                row = list(original)
            else:
                row = self.duplicate_row(p, labels)
            out.append((row, p.pid, "+".join(labels)))
        return out

    @staticmethod
    def draft(p: Person) -> dict:
        return {
            "first": p.first, "last": p.last, "email": p.email, "email2": p.email2,
            "mobile": p.mobile, "home": p.home, "work": p.work, "ext": p.ext,
            "company": p.company, "city": p.city, "sid": p.sid, "sidnum": "",
            "notes": p.notes,
        }

    def duplicate_row(self, p: Person, labels: list[str]) -> list[str]:
        rng = self.rng
        d = self.draft(p)
        d["notes"] = self.pick(NOTES) if rng.random() < 0.08 else ""
        if d["email"] and rng.random() < 0.25:
            d["email"] = email_variant(d["email"], rng)
        for scenario in sorted(labels, key=APPLY_ORDER.index):
            SCENARIOS[scenario](self, p, d, labels)
        label = self.pick(COUNTRY_LABELS[p.country])
        roll = rng.random()
        if roll < 0.03:
            label = ""
        elif roll < 0.06 and "two_forms" not in labels:   # keep two_forms findable
            d["city"] = ""
        style = p.style if rng.random() < 0.4 else self.pick(ROW_STYLES[p.country])
        created = p.created + self.below(DATE_SPAN - p.created)
        modified = created if rng.random() < 0.4 else created + self.below(DATE_SPAN - created)
        return self.render(p, d, style, label, created, modified)

    def render(self, p, d, style, label, created, modified) -> list[str]:
        ext = ""
        if d["ext"] and d["work"]:
            ext = self.pick(EXTENSION_FORMATS).format(d["ext"])
        return [
            "", d["first"], d["last"], d["email"], d["email2"],
            format_phone(d["mobile"], style), format_phone(d["home"], style),
            format_phone(d["work"], style, ext), d["company"], d["city"], label,
            d["sid"], d["sidnum"], DATES[created], DATES[modified], d["notes"],
        ]

    # ---- stream -----------------------------------------------------------
    def chunks(self) -> Iterator[tuple[list[list[str]], list[list[str]]]]:
        """Yield shuffled ``(contact_rows, truth_rows)`` chunks of whole blocks."""
        target = self.n_rows
        blocks_per_chunk = 1 if target is None else BLOCKS_PER_CHUNK
        written = 0
        while target is None or written < target:
            chunk = []
            for _ in range(blocks_per_chunk):
                block = self.make_block()
                if target is not None:
                    block = block[: target - written - len(chunk)]
                chunk += block
                if target is not None and written + len(chunk) >= target:
                    break
            self.rng.shuffle(chunk)
            truth = []
            for row, pid, scenario in chunk:
                written += 1
                row[0] = cid = f"C{written:0{self.cid_width}d}"
                truth.append([cid, pid, scenario])
            yield [row for row, _, _ in chunk], truth
            if target is None:
                return

    def rows(self) -> Iterator[tuple[list[str], list[str]]]:
        """Yield ``(contact_row, truth_row)`` pairs."""
        for contact_rows, truth_rows in self.chunks():
            yield from zip(contact_rows, truth_rows)


def email_variant(address: str, rng: random.Random) -> str:
    """Same mailbox written differently: gmail dots/+tags, or capitals."""
    local, _, domain = address.partition("@")
    if domain.lower() == "gmail.com":
        parts = local.lower().split(".")
        roll = rng.random()
        if roll < 0.35:
            return "".join(parts) + "@" + domain
        if roll < 0.7:
            return "".join(x[:1].upper() + x[1:] for x in parts) \
                + f"+{rng.choice(GMAIL_TAGS)}@{domain}"
        return f"{local}+{rng.choice(GMAIL_TAGS)}@{domain}"
    return local[:1].upper() + local[1:] + "@" + domain.capitalize()


# --------------------------------------------------------------------------
# Scenarios: each edits the draft ``d`` of a duplicate row of person ``p``
# --------------------------------------------------------------------------
def sc_changed_phone(f: ContactFactory, p: Person, d: dict, labels) -> None:
    d["mobile"] = f.new_phone(p.country, p.city, "mobile")


def sc_parent_phone(f: ContactFactory, p: Person, d: dict, labels) -> None:
    d["mobile"], d["work"] = p.parent.mobile, None
    if f.rng.random() < 0.5:
        d["email"] = d["email2"] = ""


def sc_missing_id(f, p, d, labels) -> None:
    d["sid"] = d["sidnum"] = ""


def sc_renamed_id(f, p, d, labels) -> None:
    d["sid"], d["sidnum"] = "", p.sid


def sc_two_forms(f, p, d, labels) -> None:
    d["email"] = d["email2"] = ""


def sc_nickname(f, p, d, labels) -> None:
    d["first"] = f.pick(NICKNAMES[p.first])


def sc_accents_dropped(f, p, d, labels) -> None:
    d["first"], d["last"] = strip_accents(d["first"]), strip_accents(d["last"])


def sc_typo(f: ContactFactory, p: Person, d: dict, labels) -> None:
    rng = f.rng
    roll = rng.random()
    name_only = "changed_phone" in labels or not d["email"] or "@" not in d["email"]
    if roll < 0.4 or (name_only and roll >= 0.8):
        d["first"] = one_typo(d["first"], rng)
    elif roll < 0.8:
        d["last"] = one_typo(d["last"], rng)
    else:
        local, _, domain = d["email"].partition("@")
        for _ in range(10):
            candidate = f"{one_typo(local, rng)}@{domain}"
            if email_key(candidate) not in f.used_emails:
                d["email"] = candidate
                return
        d["last"] = one_typo(d["last"], rng)


def sc_swapped_names(f, p, d, labels) -> None:
    d["first"], d["last"] = d["last"], d["first"]


def sc_case_noise(f: ContactFactory, p: Person, d: dict, labels) -> None:
    rng = f.rng
    first, last = d["first"], d["last"]
    roll = rng.random()
    if roll < 0.2:
        first = f"  {first.upper()} "
    elif roll < 0.4:
        last = last.lower()
    elif roll < 0.55:
        first, last = first.upper(), last.upper()
    elif roll < 0.7:
        first, last = first.lower(), last + "  "
    elif roll < 0.85:
        first = first.replace("-", "  ") if "-" in first else first + "  "
        last = " " + last
    else:
        first, last = first.lower(), last.lower()
        if d["email"]:
            d["email"] = d["email"].upper()
    d["first"], d["last"] = first, last


def sc_second_email(f: ContactFactory, p: Person, d: dict, labels) -> None:
    rng = f.rng
    old = d["email"]
    if p.company and p.company not in ("NA", "N/A") and rng.random() < 0.5:
        d["email"] = f.work_email(p.first, p.last, p.company)
        d["email2"] = old if rng.random() < 0.7 else ""
    else:
        avoid = old.partition("@")[2].lower()
        d["email"] = f.personal_email(p.first, p.last, p.country, avoid=avoid)
        d["email2"] = old


def sc_exact_duplicate(f, p, d, labels) -> None:   # handled in person_rows
    pass


SCENARIOS = {
    "changed_phone": sc_changed_phone, "parent_phone": sc_parent_phone,
    "missing_id": sc_missing_id, "renamed_id": sc_renamed_id,
    "two_forms": sc_two_forms, "typo": sc_typo, "nickname": sc_nickname,
    "accents_dropped": sc_accents_dropped, "swapped_names": sc_swapped_names,
    "case_noise": sc_case_noise, "second_email": sc_second_email,
    "exact_duplicate": sc_exact_duplicate,
}


# --------------------------------------------------------------------------
# Public API and CLI
# --------------------------------------------------------------------------
def generate(n_rows: int | None = None, seed: int = DEFAULT_SEED
             ) -> tuple[list[str], Iterator[tuple[list[str], list[str]]]]:
    """Return ``(HEADER, rows)``; ``rows`` lazily yields ``(contact_row, truth_row)``.

    ``n_rows=None`` gives the default sample (one block, ~400 rows); otherwise
    exactly ``n_rows`` rows. ``TRUTH_HEADER`` names the truth columns.
    """
    return HEADER, ContactFactory(seed, n_rows).rows()


def write_dataset(out_dir: Path, n_rows: int | None = None, seed: int = DEFAULT_SEED) -> int:
    """Write ``contacts.csv`` and ``truth.csv`` into ``out_dir``; return the row count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out_dir / "contacts.csv", "w", encoding="utf-8", newline="") as cf, \
            open(out_dir / "truth.csv", "w", encoding="utf-8", newline="") as tf:
        contacts, truth = csv.writer(cf), csv.writer(tf)
        contacts.writerow(HEADER)
        truth.writerow(TRUTH_HEADER)
        for contact_rows, truth_rows in ContactFactory(seed, n_rows).chunks():
            contacts.writerows(contact_rows)
            truth.writerows(truth_rows)
            count += len(contact_rows)
    return count


REGIONS = {"United States": "US", "US": "US", "USA": "US", "France": "FR",
           "FR": "FR", "United Kingdom": "GB", "UK": "GB"}


def _read_pairs(out_dir: Path) -> Iterator[tuple[list[str], list[str]]]:
    with open(out_dir / "contacts.csv", encoding="utf-8", newline="") as cf, \
            open(out_dir / "truth.csv", encoding="utf-8", newline="") as tf:
        contacts, truth = csv.reader(cf), csv.reader(tf)
        if next(contacts) != HEADER or next(truth) != TRUTH_HEADER:
            raise ValueError("unexpected header")
        for row, t in zip(contacts, truth, strict=True):
            if row[0] != t[0]:
                raise ValueError(f"contacts/truth out of step at {row[0]}")
            yield row, t


def check_dataset(out_dir: Path) -> int:
    """Validate written files with ``phonenumbers`` (streamed); print a summary."""
    import phonenumbers   # only needed for this self-test

    person_region = {}    # pass 1: the country of each person (some rows omit it)
    for row, t in _read_pairs(out_dir):
        if row[10]:
            person_region.setdefault(t[1], REGIONS[row[10]])
    bad, scenarios, n = [], Counter(), 0
    for row, t in _read_pairs(out_dir):   # pass 2: phones and scenario counts
        n += 1
        scenarios.update(t[2].split("+"))
        region = REGIONS.get(row[10]) or person_region[t[1]]
        for value in row[5:8]:
            if not value or value in PLACEHOLDER_PHONES:
                continue
            try:
                ok = phonenumbers.is_valid_number(phonenumbers.parse(value, region))
            except phonenumbers.NumberParseException:
                ok = False
            if not ok:
                bad.append((row[0], region, value))
    persons = len(person_region)
    print(f"rows={n} persons={persons} duplicate rows={n - persons} "
          f"({(n - persons) / n:.1%})")
    for name, count in sorted(scenarios.items(), key=lambda kv: -kv[1]):
        print(f"  {name:16} {count}")
    print(f"invalid phones: {len(bad)}", *bad[:20], sep="\n  ")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, help="exact number of rows (large mode)")
    parser.add_argument("--out", type=Path, help="output directory")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--check", action="store_true",
                        help="validate the CSVs in --out (default: sample_data) and exit")
    args = parser.parse_args(argv)
    if args.check:
        return check_dataset(args.out or HERE)
    if args.rows is not None and args.out is None:
        parser.error("--rows needs --out (the committed sample is the default run)")
    if args.rows is not None and args.rows < 1:
        parser.error("--rows must be positive")
    out = args.out or HERE
    start = time.perf_counter()
    count = write_dataset(out, args.rows, args.seed)
    print(f"wrote {count} rows to {out} in {time.perf_counter() - start:.1f}s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
