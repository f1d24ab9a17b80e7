"""The committed sample: reproducible from its generator, labelled, and holding every case the mission names."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dedupe_kit import load, normalize, profile

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
SCENARIOS = ["changed_phone", "parent_phone", "missing_id", "renamed_id", "two_forms", "typo", "nickname",
             "accents_dropped", "swapped_names", "case_noise", "second_email", "exact_duplicate"]


@pytest.fixture(scope="module")
def contacts():
    return load(SAMPLE / "contacts.csv")


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(SAMPLE / "truth.csv", dtype=str, keep_default_na=False)


def test_the_generator_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("contacts.csv", "truth.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_the_sample_loads_back_byte_for_byte(contacts):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(contacts.columns)
    writer.writerows(contacts.frame.to_numpy().tolist())
    assert buffer.getvalue().encode("utf-8") == (SAMPLE / "contacts.csv").read_bytes()


def test_truth_maps_every_row_to_a_person(contacts, truth):
    assert truth["Contact ID"].tolist() == contacts.frame["Contact ID"].tolist()
    assert truth["Contact ID"].is_unique
    assert 200 <= truth["person_id"].nunique() < len(truth) <= 600


def test_every_way_duplicates_arise_is_in_the_sample(truth):
    scenarios = truth["scenario"].str.split("+").explode().value_counts()
    for scenario in SCENARIOS:
        assert scenarios.get(scenario, 0) >= 8, scenario


def test_hard_negatives_are_in_the_sample(contacts, truth):
    result = normalize(contacts)
    person = truth["person_id"].to_numpy()
    names = result.names
    homes = result.identifiers[result.identifiers["phone_kind"] == "home"]
    family_landlines = 0
    for _, rows in homes.groupby("value")["source_row"]:
        people = set(person[rows])
        if len(people) > 1 and names.loc[rows, "last"].nunique() == 1:
            family_landlines += 1
    assert family_landlines >= 5
    namesakes = names.assign(person=person).groupby(["first", "last"])["person"].nunique()
    assert (namesakes > 1).sum() >= 5


def test_profile_finds_the_exact_duplicates_of_the_truth(contacts, truth):
    report = profile(contacts)
    exact = report.exact_duplicates
    labelled = set(truth.index[truth["scenario"] == "exact_duplicate"])
    assert len(exact) == len(labelled)
    assert labelled <= set(exact["source_row"]) | set(exact["duplicate_of"])
    person = truth["person_id"]
    assert (person[exact["source_row"]].to_numpy() == person[exact["duplicate_of"]].to_numpy()).all()


def test_identifier_traps_in_the_sample_stay_strings(contacts):
    frame = contacts.frame
    assert "None" in set(frame["Last Name"])
    assert {"NA", "N/A"} <= set(frame["Company"])
    assert frame["Student ID"].str.startswith("S0").any()
