"""Peer de-duplication pipelines the benchmark compares dedupe_kit against.

    python benchmarks/peers.py {splink,recordlinkage} --dataset NAME --export CSV --out CSV

Reads ``export.csv`` (every cell a string), writes ``source_row,record_id,cluster_id``
(the same layout as dedupe_kit's crosswalk) and prints one JSON line of run
details (threshold, blocking rules, candidate pairs...) on stdout.

* **Splink 5** (DuckDB backend) configured with care: cleaned names and
  addresses, last-7 phone digits, several blocking rules chosen to reach most
  true pairs, a deterministic-rules estimate of the prior, u from random
  sampling with a fixed seed, EM on two or more blocking rules, then
  ``cluster_pairwise_predictions_at_threshold`` at a fixed threshold.
* **recordlinkage** (0.16) as in its documentation: ``Index().block(...)``,
  ``Compare()`` with Jaro-Winkler (threshold 0.85) / exact features, a
  "sum of features >= k" rule, then connected components.

Dataset knowledge (which column is a name, a phone, an address) lives in
``DATASETS``; each family has one ``prepare_*`` (cleaning, shared by both
peers), one ``splink_*`` and one ``recordlinkage_*`` function. Generated CRM
exports (``generated_N``) use the ``crm`` family.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------
# What each dataset looks like
# --------------------------------------------------------------------------
DATASETS: dict[str, dict] = {
    "dedupe_chicago_childcare": {
        "family": "chicago", "id": "record_id",
        "names": ["Site name"], "addresses": ["Address"], "zip": "Zip", "phones": ["Phone"],
    },
    "restaurants_fodors_zagat": {
        "family": "restaurants", "id": "record_id",
        "names": ["name"], "addresses": ["addr"], "city": "city", "phones": ["phone"],
    },
    "splink_fake_1000": {
        "family": "people", "id": "record_id",
        "names": ["first_name", "surname"], "dob": "dob", "city": "city", "emails": ["email"],
    },
    "splink_fake_20000": {
        "family": "people", "id": "record_id",
        "names": ["first_name", "surname"], "dob": "dob", "city": "city", "emails": ["email"],
    },
    "febrl3": {
        "family": "febrl", "id": "record_id",
        "names": ["given_name", "surname"], "dob": "date_of_birth",
        "addresses": ["street_number", "address_1", "address_2", "suburb", "postcode", "state"],
        "ids": ["soc_sec_id"],
    },
    "crm": {  # sample_data/generate.py exports
        "family": "crm", "id": "Contact ID",
        "names": ["First Name", "Last Name"], "emails": ["Email", "Email 2"],
        "phones": ["Mobile Phone", "Home Phone", "Work Phone"], "company": "Company",
        "city": "City", "country": "Country", "ids": ["Student ID", "Student Number"],
    },
}


def dataset_info(name: str) -> dict:
    """``DATASETS`` entry of a dataset folder name (``generated_N`` -> ``crm``)."""
    if name in DATASETS:
        return DATASETS[name]
    if name.startswith("generated_"):
        return DATASETS["crm"]
    raise KeyError(f"no peer configuration for dataset {name!r}")


# --------------------------------------------------------------------------
# Cleaning (both peers get the same cleaned columns)
# --------------------------------------------------------------------------
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ADDRESS_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "blv": "blvd",
    "road": "rd", "drive": "dr", "place": "pl", "lane": "ln", "court": "ct", "parkway": "pkwy",
    "highway": "hwy", "square": "sq", "terrace": "tce", "crescent": "cres", "north": "n",
    "south": "s", "east": "e", "west": "w", "suite": "ste", "floor": "fl",
}

_STREET_TYPES = {"st", "ave", "blvd", "rd", "dr", "pl", "ln", "ct", "pkwy", "hwy", "sq", "tce", "cres", "steet"}


@lru_cache(maxsize=None)
def _clean_one(value: str) -> str | None:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _NON_ALNUM.sub(" ", text).strip()
    return text or None


def clean_text(col: pd.Series) -> pd.Series:
    """Lower case, accents stripped, punctuation -> space; blank -> None."""
    return col.fillna("").map(_clean_one).astype(object)


@lru_cache(maxsize=None)
def _clean_address_one(value: str) -> str | None:
    text = _clean_one(value)
    if text is None:
        return None
    words = [_ADDRESS_WORDS.get(w, w) for w in text.split()]
    while len(words) > 2 and words[-1] in _STREET_TYPES:  # "3701 w ogden ave" = "3701 w ogden"
        words.pop()
    return " ".join(words)


def clean_address(col: pd.Series) -> pd.Series:
    return col.fillna("").map(_clean_address_one).astype(object)


def phone_digits(col: pd.Series, last: int | None = None) -> pd.Series:
    """Digits of a phone (an extension such as ``ext. 12`` / ``x12`` dropped),
    optionally only the last ``last`` of them; fewer than 7 digits -> None."""
    main = col.fillna("").str.replace(r"(?i)\s*(ext\.?|x|#)\s*\d+\s*$", "", regex=True)
    digits = main.str.replace(r"\D", "", regex=True)
    digits = digits.where(digits.str.len() >= 7)
    if last:
        digits = digits.str[-last:]
    return digits.astype(object).where(digits.notna(), None)


SHARED_VALUE_LIMIT = 10  # CRM: an email or phone on more rows than this is not personal
_PLACEHOLDER_PHONES = {"5555555", "555555555", "5555555555", "1234567", "123456789", "1234567890"}


@lru_cache(maxsize=None)
def _clean_email_one(value: str) -> str | None:
    text = value.strip().lower()
    if text.count("@") != 1:
        return None
    user, domain = text.split("@")
    if not user or "." not in domain:
        return None
    user = user.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        user, domain = user.replace(".", ""), "gmail.com"
    return f"{user}@{domain}"


def clean_email(col: pd.Series) -> pd.Series:
    """Lower case; gmail dots and ``+tag`` dropped; not an address -> None."""
    return col.fillna("").map(_clean_email_one).astype(object)


def _nonempty(col: pd.Series) -> pd.Series:
    return col.where(col.fillna("").str.strip() != "", None).astype(object)


def prepare(family: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Cleaned columns of ``raw`` for ``family``; ``unique_id`` = 0-based source row."""
    out = {"chicago": prepare_chicago, "restaurants": prepare_restaurants, "people": prepare_people,
           "febrl": prepare_febrl, "crm": prepare_crm}[family](raw)
    out.insert(0, "unique_id", np.arange(len(raw), dtype=np.int64))
    return out.reset_index(drop=True)


def prepare_chicago(raw: pd.DataFrame) -> pd.DataFrame:
    address = clean_address(raw["Address"])
    return pd.DataFrame({
        "name": clean_text(raw["Site name"]),
        "address": address,
        "street_no": address.str.extract(r"^(\d+)", expand=False).astype(object),
        "zip": raw["Zip"].str.extract(r"(\d{5})", expand=False).astype(object),
        "phone7": phone_digits(raw["Phone"], last=7),
    }).replace({np.nan: None})


def prepare_restaurants(raw: pd.DataFrame) -> pd.DataFrame:
    address = clean_address(raw["addr"])
    return pd.DataFrame({
        "name": clean_text(raw["name"]),
        "address": address,
        "street_no": address.str.extract(r"^(\d+)", expand=False).astype(object),
        "city": clean_text(raw["city"]),
        "phone": phone_digits(raw["phone"], last=10),
        "phone7": phone_digits(raw["phone"], last=7),
    }).replace({np.nan: None})


def prepare_people(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "first_name": clean_text(raw["first_name"]),
        "surname": clean_text(raw["surname"]),
        "dob": _nonempty(raw["dob"]),
        "city": clean_text(raw["city"]),
        "email": clean_email(raw["email"]),
    })
    # derived blocking keys: the data has typos in every field
    out["email_domain"] = out["email"].str.split("@").str[1].astype(object)
    out["email_user"] = out["email"].str.split("@").str[0].astype(object)
    out["dob_year"] = out["dob"].str[:4].astype(object)
    out["dob_md"] = out["dob"].str[5:].astype(object)
    return out.replace({np.nan: None})


def prepare_febrl(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "given_name": clean_text(raw["given_name"]),
        "surname": clean_text(raw["surname"]),
        "dob": _nonempty(raw["date_of_birth"]),
        "soc_sec_id": _nonempty(raw["soc_sec_id"]),
        "street_number": _nonempty(raw["street_number"]),
        "address_1": clean_address(raw["address_1"]),
        "address_2": clean_address(raw["address_2"]),
        "suburb": clean_text(raw["suburb"]),
        "postcode": _nonempty(raw["postcode"]),
        "state": clean_text(raw["state"]),
    })
    return out


def prepare_crm(raw: pd.DataFrame) -> pd.DataFrame:
    email1, email2 = clean_email(raw["Email"]), clean_email(raw["Email 2"])
    phones = {c: phone_digits(raw[c], last=9) for c in ("Mobile Phone", "Home Phone", "Work Phone")}
    for c, p in phones.items():  # placeholders such as 555-555-5555 identify nobody
        junk = p.isin(_PLACEHOLDER_PHONES) | p.fillna("").str.fullmatch(r"(\d)\1+")
        phones[c] = p.where(~junk & p.notna(), None)
    student = _nonempty(raw["Student ID"]).fillna(_nonempty(raw["Student Number"]))
    out = pd.DataFrame({
        "first_name": clean_text(raw["First Name"]),
        "last_name": clean_text(raw["Last Name"]),
        "email": email1,
        "email2": email2,
        "mobile": phones["Mobile Phone"],
        "home": phones["Home Phone"],
        "work": phones["Work Phone"],
        "student_id": student.astype(object).where(student.notna(), None),
        "city": clean_text(raw["City"]),
    })
    # A value carried by many rows (a placeholder, a role address such as info@…,
    # an office switchboard) identifies nobody: treat it as missing.
    for c in ("email", "email2", "mobile", "home", "work"):
        counts = out[c].map(out[c].value_counts())
        out[c] = out[c].where(~(counts > SHARED_VALUE_LIMIT), None)
    out["emails"] = [_array(a, b) for a, b in zip(out["email"], out["email2"])]
    out["phones"] = [_array(a, b, c) for a, b, c in zip(out["mobile"], out["home"], out["work"])]
    return out


def _array(*values):
    kept = sorted({v for v in values if v is not None})
    return kept or None


# --------------------------------------------------------------------------
# Splink 5
# --------------------------------------------------------------------------
SPLINK_THRESHOLD = 0.9  # clustering threshold on match_probability, all datasets


def address_comparison(cll):
    """Street address: the house number is compared inside it (not as a second,
    correlated comparison)."""
    import splink.comparison_library as cl

    same_no = cll.ExactMatchLevel("street_no")
    return cl.CustomComparison([
        cll.NullLevel("address"),
        cll.ExactMatchLevel("address"),
        cll.And(same_no, cll.JaroWinklerLevel("address", 0.88)).configure(
            label_for_charts="same number, Jaro-Winkler >= 0.88"),
        cll.And(same_no, cll.Not(cll.NullLevel("street_no"))).configure(label_for_charts="same number"),
        cll.JaroWinklerLevel("address", 0.88),
        cll.ElseLevel(),
    ], output_column_name="address")


def splink_model(family: str) -> dict:
    """Settings and training plan of the Splink model of ``family``."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if family in ("chicago", "restaurants"):
        comparisons = [
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.75]).configure(term_frequency_adjustments=True),
            address_comparison(cll),
            cl.ExactMatch("phone7").configure(term_frequency_adjustments=True),
        ]
        if family == "chicago":
            comparisons.append(cl.ExactMatch("zip"))
            blocking = [block_on("phone7"), block_on("address"), block_on("name"),
                        block_on("street_no", "substr(name, 1, 3)"),
                        block_on("substr(address, 1, 8)", "substr(name, 1, 2)")]
            deterministic = [block_on("phone7", "street_no"), block_on("name", "address")]
            em = [block_on("phone7"), block_on("address"), block_on("name")]
        else:
            comparisons.append(cl.ExactMatch("city").configure(term_frequency_adjustments=True))
            blocking = [block_on("phone7"), block_on("address"), block_on("name"),
                        block_on("street_no", "city"), block_on("substr(name, 1, 4)", "city")]
            deterministic = [block_on("phone"), block_on("name", "address")]
            em = [block_on("phone7"), block_on("name")]
        recall = 0.8
    elif family == "people":
        comparisons = [
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.JaroWinklerAtThresholds("city", [0.9]).configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ]
        blocking = [block_on("first_name", "surname"), block_on("email"), block_on("dob"),
                    block_on("email_user"), block_on("email_domain"),
                    block_on("surname", "city"), block_on("first_name", "city"),
                    block_on("substr(surname, 1, 3)", "dob_year"),
                    block_on("substr(first_name, 1, 3)", "dob_year"),
                    block_on("substr(first_name, 1, 2)", "substr(surname, 1, 2)"),
                    block_on("dob_md", "substr(first_name, 1, 1)"),
                    block_on("dob_md", "substr(surname, 1, 1)"),
                    "l.first_name = r.surname and l.surname = r.first_name"]
        deterministic = [block_on("first_name", "surname", "dob"), block_on("email")]
        recall = 0.5  # every field is noisy: exact rules miss half the matches
        em = [block_on("first_name", "surname"), block_on("dob"), block_on("email")]
    elif family == "febrl":
        comparisons = [
            cl.ForenameSurnameComparison("given_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ]
        blocking = [block_on("soc_sec_id"), block_on("dob"), block_on("given_name", "surname"),
                    block_on("surname", "postcode"), block_on("given_name", "postcode"),
                    block_on("address_1", "suburb")]
        deterministic = [block_on("soc_sec_id", "dob"), block_on("given_name", "surname", "dob")]
        recall = 0.7
        em = [block_on("soc_sec_id"), block_on("dob"), block_on("given_name", "surname")]
    elif family == "crm":
        comparisons = [
            cl.CustomComparison(
                [cll.NullLevel("first_name"),
                 cll.ExactMatchLevel("first_name").configure(tf_adjustment_column="first_name"),
                 cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True),
                 cll.JaroWinklerLevel("first_name", 0.9),
                 cll.ElseLevel()],
                output_column_name="first_name"),
            cl.NameComparison("last_name", jaro_winkler_thresholds=[0.9]),
            cl.CustomComparison(
                [cll.NullLevel("emails"),
                 cll.ArrayIntersectLevel("emails", 1).configure(label_for_charts="an email in common"),
                 cll.JaroWinklerLevel("email", 0.95),
                 cll.ElseLevel()],
                output_column_name="emails"),
            cl.CustomComparison(
                [cll.NullLevel("phones"),
                 cll.ExactMatchLevel("mobile").configure(label_for_charts="same mobile"),
                 cll.Or(cll.ExactMatchLevel("home"), cll.ExactMatchLevel("work")).configure(
                     label_for_charts="same landline (home or work)"),
                 cll.ArrayIntersectLevel("phones", 1).configure(label_for_charts="a phone in common"),
                 cll.ElseLevel()],
                output_column_name="phones"),
            cl.ExactMatch("student_id"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ]
        blocking = [block_on("emails", arrays_to_explode=["emails"]),
                    block_on("phones", arrays_to_explode=["phones"]),
                    block_on("first_name", "last_name", "city"),
                    block_on("student_id")]
        deterministic = [block_on("email"), block_on("mobile")]
        recall = 0.6
        em = [block_on("email"), block_on("mobile"), block_on("student_id")]
    else:
        raise KeyError(family)

    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    return {"settings": settings, "deterministic": deterministic, "recall": recall, "em": em,
            "threshold": SPLINK_THRESHOLD}


def _rule_sql(rule) -> str:
    return rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql


def run_splink(family: str, data: pd.DataFrame, threshold: float | None = None) -> tuple[pd.Series, dict]:
    """Cluster ``data`` (output of :func:`prepare`) with Splink; cluster id per row."""
    import logging

    from splink import DuckDBAPI, Linker

    model = splink_model(family)
    threshold = model["threshold"] if threshold is None else threshold
    db_api = DuckDBAPI()
    table = db_api.register(data, table_name="records")
    linker = Linker(table, model["settings"], log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(model["deterministic"],
                                                                  recall=model["recall"])
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=42)
    for rule in model["em"]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=min(0.5, threshold))
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold).as_pandas_dataframe()
    cluster_of = pd.Series(clusters["cluster_id"].astype(str).to_numpy(),
                           index=clusters["unique_id"].astype(np.int64).to_numpy())
    details = {
        "threshold": threshold,
        "blocking": [_rule_sql(r) for r in model["settings"].blocking_rules_to_generate_predictions],
        "em": [_rule_sql(r) for r in model["em"]],
        "pairs_over_0.5": int(linker.misc.query_sql(
            f"select count(*) as n from {predictions.physical_name}", output_type="pandas")["n"].iloc[0]),
    }
    return cluster_of.reindex(data["unique_id"].to_numpy()), details


# --------------------------------------------------------------------------
# recordlinkage, as in its documentation
# --------------------------------------------------------------------------
def recordlinkage_model(family: str) -> dict:
    """Blocking keys, Jaro-Winkler / exact features and the "sum >= k" rule
    (k = just over half the features, as in the documentation's example)."""
    if family == "chicago":
        return {"blocks": ["phone7", "address"], "string": ["name", "address"],
                "exact": ["phone7", "zip", "street_no"], "k": 3}
    if family == "restaurants":
        return {"blocks": ["phone7", "name"], "string": ["name", "address"],
                "exact": ["phone7", "city", "street_no"], "k": 3}
    if family == "people":
        return {"blocks": ["dob", "email", ["first_name", "surname"]],
                "string": ["first_name", "surname", "email"], "exact": ["dob", "city"], "k": 3}
    if family == "febrl":
        return {"blocks": ["given_name", "surname", "dob"],
                "string": ["given_name", "surname", "address_1", "suburb"],
                "exact": ["dob", "soc_sec_id", "street_number", "postcode", "state"], "k": 5}
    if family == "crm":
        return {"blocks": ["email", "mobile", ["first_name", "last_name"]],
                "string": ["first_name", "last_name", "email"],
                "exact": ["mobile", "home", "student_id", "city"], "k": 4}
    raise KeyError(family)


def run_recordlinkage(family: str, data: pd.DataFrame) -> tuple[pd.Series, dict]:
    import recordlinkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    model = recordlinkage_model(family)
    frame = data.set_index("unique_id")
    indexer = recordlinkage.Index()
    for key in model["blocks"]:
        indexer.block(key)  # several algorithms: the union of their pairs
    pairs = indexer.index(frame)
    compare = recordlinkage.Compare()
    for col in model["string"]:
        compare.string(col, col, method="jarowinkler", threshold=0.85, label=col)
    for col in model["exact"]:
        compare.exact(col, col, label=col)
    features = compare.compute(pairs, frame)
    matches = features.index[features.sum(axis=1) >= model["k"]]
    n = len(frame)
    left = matches.get_level_values(0).to_numpy(dtype=np.int64)
    right = matches.get_level_values(1).to_numpy(dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    details = {"blocks": model["blocks"], "k": model["k"], "candidate_pairs": len(pairs),
               "features": model["string"] + model["exact"], "matched_pairs": len(matches)}
    return pd.Series(labels.astype(str), index=frame.index), details


# --------------------------------------------------------------------------
# Command line (one tool run = one process, so the harness can time it)
# --------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tool", choices=["splink", "recordlinkage"])
    parser.add_argument("--dataset", required=True, help="dataset folder name, e.g. febrl3 or generated_100000")
    parser.add_argument("--export", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--threshold", type=float, help="Splink clustering threshold (default %(default)s)")
    args = parser.parse_args(argv)

    info = dataset_info(args.dataset)
    if args.tool == "splink":
        try:
            import splink  # noqa: F401
        except ImportError:
            sys.exit("splink is not installed: pip install 'splink>=5' (DuckDB backend)")
    raw = pd.read_csv(args.export, dtype=str, keep_default_na=False)
    data = prepare(info["family"], raw)
    if args.tool == "splink":
        clusters, details = run_splink(info["family"], data, args.threshold)
    else:
        clusters, details = run_recordlinkage(info["family"], data)
    pd.DataFrame({
        "source_row": data["unique_id"].to_numpy(),
        "record_id": raw[info["id"]].to_numpy(),
        "cluster_id": clusters.to_numpy(),
    }).to_csv(args.out, index=False)
    print(json.dumps(details))


if __name__ == "__main__":
    main()
