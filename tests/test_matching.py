"""The matching engine: candidates, comparisons, scores with reasons, clusters, the run."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe_kit import Config, ConfigError, InputError, load, normalize, profile
from dedupe_kit.candidates import _SHIFT, SharedKeyIndex, candidates, shared_key_pairs
from dedupe_kit.cli import main
from dedupe_kit.cluster import cluster
from dedupe_kit.compare import (DateComparison, ExactComparison, PhoneComparison, PlaceComparison, TextComparison,
                                compare, first_level, frequencies, last_level)
from dedupe_kit.config import MatchConfig
from dedupe_kit.evaluate import blocking_recall, pair_scores
from dedupe_kit.run import CROSSWALK_COLUMNS, run
from dedupe_kit.score import FellegiSunter, Thresholds, explain, plot_scores

HEADER = "Contact ID,First Name,Last Name,Email,Mobile Phone,Home Phone,Student ID,City\n"


def export(tmp_path, rows: list[str], name="t.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def pairs_of(tmp_path, rows, config=None):
    contacts = load(export(tmp_path, rows), config)
    return contacts, candidates(contacts, normalize(contacts), config)


# --- candidates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows, keys", [(np.zeros(0, np.int64), np.zeros(0, np.int64)),
                                        (np.array([3, 1, 2, 1]), np.array([7, 7, 7, 7]))])
def test_index_contract_pairs_are_distinct_sorted_and_lower_first(rows, keys):
    a, b, capped, sizes = shared_key_pairs(rows, keys, 10)
    assert (a < b).all()
    codes = a * 1000 + b
    assert (np.diff(codes) > 0).all()
    if len(rows):
        assert list(zip(a, b)) == [(1, 2), (1, 3), (2, 3)]
    index = SharedKeyIndex(lambda: [(rows, keys)], 10).index(pd.DataFrame(index=pd.RangeIndex(4, name="source_row")))
    assert isinstance(index, pd.MultiIndex) and len(index) == len(a)


def test_a_key_over_the_cap_makes_no_pairs_and_is_reported():
    rows = np.arange(6)
    a, b, capped, sizes = shared_key_pairs(rows, np.array([1, 1, 1, 2, 2, 9]), 2)
    assert list(zip(a, b)) == [(3, 4)]
    assert capped.tolist() == [1] and sizes.tolist() == [3]


def test_keys_numbered_by_text_pair_as_hashed_keys_do():
    # BlockingKeys numbers each kind's texts 0, 1, 2…: those numbers are used as the keys' codes
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 300, 2000)
    numbered = rng.integers(0, 3, 2000) << 56 | rng.integers(0, 400, 2000) << _SHIFT
    spread = numbered | 1 << 27  # the same keys, no longer numbers only: hashed
    caps = np.array([4, 6, 8])
    got, expected = shared_key_pairs(rows, numbered, caps), shared_key_pairs(rows, spread, caps)
    assert [x.tolist() for x in got[:2]] == [x.tolist() for x in expected[:2]] and len(got[0]) > 1000
    assert sorted(zip((got[2] | 1 << 27).tolist(), got[3].tolist())) == sorted(zip(expected[2].tolist(), expected[3].tolist()))
    assert len(got[2]) > 5


def test_shared_identifiers_across_columns_pair_records(tmp_path):
    _, found = pairs_of(tmp_path, [
        "1,Ann,Lee,,(212) 555-0142,,,",
        "2,Zed,Ray,,,212.555.0142,,",       # home phone = row 0's mobile
        "3,Kim,Park,,,,S1,",
        "4,Kim,Parker,,,,s1,",              # same external ID, another case
    ])
    assert list(found.pairs) == [(0, 1), (2, 3)]


def test_name_keys_find_nicknames_and_swapped_names(tmp_path):
    _, found = pairs_of(tmp_path, [
        "1,Robert,Smith,rob@x.com,,,,Boston",
        "2,Bob,Smith,bsmith@y.com,,,,Denver",     # nickname, nothing else shared
        "3,Lefevre,Helene,h@z.fr,,,,Lyon",
        "4,Hélène,Lefèvre,hl@w.fr,,,,Paris",       # swapped and accented
        "5,Mary,Jones,mj@v.com,,,,Austin",
    ])
    assert (0, 1) in set(found.pairs) and (2, 3) in set(found.pairs)
    assert not any(4 in pair for pair in found.pairs)


def test_compared_columns_pair_and_compare_records_and_must_be_in_the_file(tmp_path):
    path = tmp_path / "club.csv"
    path.write_text("Contact ID,First Name,Last Name,Club\n1,Ann,Lee,rovers fc\n2,Zed,Ray, ROVERS FC \n"
                    "3,Kim,Park,Rovers FX\n4,Bo,Chu,\n")
    config = Config(match=MatchConfig(compare_columns=("Club",)))
    contacts = load(path, config)
    normalized = normalize(contacts, progress=False)
    assert list(candidates(contacts, normalized).pairs) == []  # nothing else shared
    assert list(candidates(contacts, normalized, config).pairs) == [(0, 1)]  # case and spaces aside
    features = compare(contacts, normalized, pd.MultiIndex.from_tuples([(0, 1), (0, 2), (1, 3)]), config)
    assert features["Club"].tolist() == [2, 1, -1]  # same, one character off, missing
    wrong = Config(match=MatchConfig(compare_columns=("club",)))
    with pytest.raises(ConfigError, match=rf"match.compare_columns: 'club' is not a column of {path}; did you mean 'Club'"):
        candidates(contacts, normalized, wrong)
    twice = Config(fields={"external_ids": ["Club"]}, match=MatchConfig(compare_columns=("Club",)))
    contacts = load(path, twice)  # an external ID compared again: counted twice, one character off kept apart
    with pytest.raises(ConfigError, match=rf"match.compare_columns: 'Club' of {path} is compared already, as its "
                                          r"role external_ids; .*give it no role: \[fields\] ignore = \['Club'\]$"):
        candidates(contacts, normalize(contacts, progress=False), twice)

def test_a_run_refuses_a_compared_column_not_in_the_file_before_normalizing(tmp_path, monkeypatch):
    path = tmp_path / "club.csv"
    path.write_text("Contact ID,First Name,Last Name,Club\n1,Ann,Lee,rovers fc\n2,Zed,Ray,rovers fc\n")
    run_module = importlib.import_module("dedupe_kit.run")  # the package's `run` is the function
    monkeypatch.setattr(run_module, "normalize", lambda *_, **__: pytest.fail("normalized before the check"))
    with pytest.raises(ConfigError, match="match.compare_columns: 'Clubs' is not a column of"):
        run(path, Config(match=MatchConfig(compare_columns=("Clubs",))), progress=False)


def test_common_values_are_capped_and_reported(tmp_path):
    rows = [f"{i},P{i},Q{i},,(212) 555-0100,,," for i in range(6)]
    config = Config(match=MatchConfig(max_block_size=4))
    _, found = pairs_of(tmp_path, rows, config)
    assert len(found.pairs) == 0
    phone = found.capped[found.capped["kind"] == "phone"]
    assert phone[["value", "records"]].values.tolist() == [["+1 212-555-0100", 6]]


def test_no_key_pairs_more_records_than_max_block_size_even_below_three(tmp_path):
    rows = [f"{i},{name},,(212) 555-0100,,," for i, name in enumerate(["Ann,Lee", "Bob,Ray", "Cid,Moe"])]
    contacts, found = pairs_of(tmp_path, rows, Config(match=MatchConfig(max_block_size=2)))
    assert len(found.pairs) == 0  # the phone of three records, as the summary says: over 2 records
    assert found.capped[["kind", "value", "records"]].values.tolist() == [["phone", "+1 212-555-0100", 3],
                                                                           ["phone_last7", "5550100", 3]]
    summary = run(contacts, Config(match=MatchConfig(max_block_size=2)), progress=False).summary().splitlines()
    assert "phones/emails/IDs too common to pair     1   (over 2 records)" in summary
    assert any(line.startswith("other keys too common to pair           1 ") for line in summary)
    rows = [f"{i},Ann,Lee,,,,," for i in range(3)] + ["3,Bob,Ray,,,,,", "4,Bob,Ray,,,,,"]
    _, found = pairs_of(tmp_path, rows, Config(match=MatchConfig(max_block_size=2)))
    assert list(found.pairs) == [(3, 4)]  # a name of two records pairs them, a name of three no longer


def test_capped_keys_with_a_blank_part_are_described(tmp_path):
    rows = [f"{i},,Lee,,,,,Paris" for i in range(6)]  # no first name: the key is "|paris" with "lee"
    _, found = pairs_of(tmp_path, rows, Config(match=MatchConfig(max_block_size=4)))
    assert ["name_city", "|paris | lee", 6] in found.capped[["kind", "value", "records"]].values.tolist()


# --- comparisons ----------------------------------------------------------------------------------


def features_for(tmp_path, rows):
    contacts = load(export(tmp_path, rows))
    normalized = normalize(contacts)
    n = len(rows)
    pairs = pd.MultiIndex.from_arrays([[0] * (n - 1), list(range(1, n))], names=["a", "b"])
    return compare(contacts, normalized, pairs)


def test_compare_takes_the_candidates_as_it_takes_their_pairs(tmp_path):
    contacts, found = pairs_of(tmp_path, ["1,Ann,Roe,ann@example.com,,,,", "2,Ann,Roe,ann@example.com,,,,",
                                          "3,Bo,Poe,bo@example.org,,,,"])
    normalized = normalize(contacts)
    pd.testing.assert_frame_equal(compare(contacts, normalized, found), compare(contacts, normalized, found.pairs))


def test_email_levels(tmp_path):
    f = features_for(tmp_path, ["1,A,B,jean.dupont@gmail.com,,,,", "2,A,B,JeanDupont+x@gmail.com,,,,",
                                "3,A,B,jeandupont@orange.fr,,,,", "4,A,B,jeandupomt@gmail.com,,,,",
                                "5,A,B,other@x.com,,,,", "6,A,B,,,,,", "7,A,B,jeandupont@gmail.con,,,,",
                                "8,A,B,jeanduppont@gmail.com,,,,", "9,A,B,jeandupt@gmail.com,,,,",
                                "10,A,B,jeandupnot@gmail.com,,,,"])
    # a typo in the domain is nearly the same address (a letter more, or two swapped, too; two
    # less is not); the same name at another provider is less
    assert f["email"].tolist() == [3, 1, 2, 0, -1, 2, 2, 0, 2]


def test_namesakes_addresses_at_a_mail_provider_are_different_emails(tmp_path):
    f = features_for(tmp_path, ["1,Jean,Dupont,jean.dupont@yahoo.com,,,,", "2,Jean,Dupont,jean.dupont@hotmail.fr,,,,",
                                "3,Jean,Dupont,dupont.jean@gmx.de,,,,", "4,Jean,Dupont,jean.dupont@acme.example,,,,",
                                "5,Jean,Dupont,jean.dupont2@yahoo.com,,,,", "6,Jean,Dupont,jean.dupomt@yahoo.com,,,,",
                                "7,Jean,Dupont,Jean.Dupont@Yahoo.com,,,,"])
    # only the name at two providers, or numbered at one: namesakes' mailboxes; a work address
    # holds the name at the company's domain; a letter off is a typo
    assert f["email"].tolist() == [0, 0, 1, 0, 2, 3]
    f = features_for(tmp_path, ["1,Jean,Dupont,jean.dupont@outlook.com,,,,", "2,Jean,Dupont,jeandupont@outlook.com,,,,",
                                "3,Jean,Dupont,jean.dupont@free.fr,,,,", "4,Jean,Dupont,jeandupont@outlook.fr,,,,"])
    assert f["email"].tolist() == [0, 0, 0]  # Outlook keeps the dots: another mailbox
    # the name of either record will do (the second's, here)
    f = features_for(tmp_path, ["1,Jean,Dupont,marie.dupont@yahoo.com,,,,",
                                "2,Marie,Dupont,marie.dupont@hotmail.fr,,,,", "3,Marie,Dupont,marie.dupont@acme.example,,,,"])
    assert f["email"].tolist() == [0, 1]
    # a local part of one's own is the person's at another provider; digits or a dot more at
    # a company's domain are a typo
    f = features_for(tmp_path, ["1,Rachel,Lind,rachell84@gmail.com,,,,", "2,Rachel,Lind,rachell84@yahoo.com,,,,",
                                "3,Rachel,Lind,rachell.84@gmail.com,,,,"])
    assert f["email"].tolist() == [1, 3]
    f = features_for(tmp_path, ["1,Jay,Bennett,jb88@king.example,,,,", "2,Jay,Bennett,8jb88@king.example,,,,",
                                "3,Jay,Bennett,jb88@yahoo.com,,,,"])
    assert f["email"].tolist() == [2, 1]
    # a name with accents in the address, a regional provider, a company's own domain of a provider's name
    f = features_for(tmp_path, ["1,Jürgen,Müller,jürgen.müller@gmx.de,,,,", "2,Jurgen,Muller,jürgen.müller@web.de,,,,",
                                "3,Jürgen,Müller,jurgen.muller2@gmx.de,,,,", "4,Jurgen,Muller,jürgen.müller@att.com,,,,"])
    assert f["email"].tolist() == [0, 0, 1]


def test_numbered_mailboxes_of_namesakes_at_one_provider_are_namesakes(tmp_path):
    from dedupe_kit.compare import EmailComparison

    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email\n1,Callum,Foster,callum.foster71@gmail.com\n"
                    "2,Callum,Foster,callum.foster35@gmail.com\n3,Jean,Dupont,jean.dupont@yahoo.com\n"
                    "4,Jean,Dupont,jean.dupont@hotmail.fr\n5,Jean,Dupont,jean.dupont@acme.example\n")
    normalized = normalize(load(path))
    emails = EmailComparison(*normalized.personal_emails(), 5, normalized.names)
    # numbered at one provider, or only the name at two: namesakes; at a company's domain: not said
    assert emails.namesakes(np.array([0, 2, 2]), np.array([1, 3, 4])).tolist() == [True, True, False]


def test_phone_levels(tmp_path):
    f = features_for(tmp_path, ["1,A,B,,+33 6 12 34 56 78,,,", "2,A,B,,,06 12 34 56 78,,",
                                "3,A,B,,06 12 34 56 78,,,", "4,A,B,,+44 20 7234 5678,,,",
                                "5,A,B,,+1 212 555 0199,,,", "6,A,B,,,,,"])
    # row 1: France's number typed nationally in a US file: not valid there, same national number
    assert f["phone"].tolist() == [2, 2, 1, 0, -1]


def test_a_number_of_a_former_numbering_is_the_same_phone(tmp_path):
    # Mexico's mobile before 2019, Brazil's before its ninth digit: not the same last 7 digits alone
    f = features_for(tmp_path, ["1,A,B,,+52 55 1234 5678,,,", "2,A,B,,+52 1 55 1234 5678,,,"])
    assert f["phone"].tolist() == [3]
    f = features_for(tmp_path, ["1,A,B,,+55 11 98765-4321,,,", "2,A,B,,+55 11 8765-4321,,,"])
    assert f["phone"].tolist() == [3]
    f = features_for(tmp_path, ["1,A,B,,+39 02 1234 5678,,,", "2,A,B,,+39 2 1234 5678,,,"])  # Italy's, before 1998
    assert f["phone"].tolist() == [3]


def test_an_argentine_mobile_with_and_without_its_9_is_the_same_phone(tmp_path):
    f = features_for(tmp_path, ["1,A,B,,+54 9 11 6123-4567,,,", "2,A,B,,+54 11 6123 4567,,,",
                                "3,A,B,,+54 11 15 6123-4567,,,"])
    assert f["phone"].tolist() == [3, 3]


def test_name_levels_nickname_swap_and_initial(tmp_path):
    f = features_for(tmp_path, ["1,Robert,Smith,,,,,", "2,Bob,Smith,,,,,", "3,Smith,Robert,,,,,",
                                "4,R,Smith,,,,,", "5,Roberto,Smythe,,,,,", "6,Alice,Jones,,,,,", "7,,,,,,,"])
    assert f["first"].tolist() == [4, 5, 1, 3, 0, -1]
    assert f["last"].tolist() == [3, 3, 3, 1, 0, -1]  # Smythe sounds like Smith
    assert f["swapped"].tolist() == [0, 1, 0, 0, 0, 0]


def test_placeholders_are_missing_not_agreement(tmp_path):
    f = features_for(tmp_path, ["1,Ann,Unknown,,,,,N/A", "2,Bob,Unknown,,,,,N/A", "3,Ann,Lee,,,,,Paris"])
    assert f["city"].tolist() == [-1, -1] and f["last"].tolist() == [-1, -1]  # not "same city N/A"
    assert f["first"].tolist() == [0, 5]
    f = features_for(tmp_path, ["1,Na,None,,,,,", "2,Na,None,,,,,"])  # a name and a surname, not placeholders
    assert (f["first"].tolist(), f["last"].tolist()) == ([5], [3])


def test_swapped_names_weigh_no_more_than_the_same_names_in_order(tmp_path):
    # Edwards is rare as a first name and William as a last name: swapped, neither may pass for rare
    f = features_for(tmp_path, ["1,Edwards,William,,,,,", "2,William,Edwards,,,,,", "3,William,Edwards,,,,,",
                                "4,William,Ray,,,,,", "5,William,Stone,,,,,", "6,Ann,Edwards,,,,,"])
    swapped = features_for(tmp_path, ["1,William,Edwards,,,,,", "2,William,Edwards,,,,,", "3,Edwards,William,,,,,",
                                      "4,William,Ray,,,,,", "5,William,Stone,,,,,", "6,Ann,Edwards,,,,,"])
    assert (f["swapped"].tolist()[:2], swapped["swapped"].tolist()[:2]) == ([1, 1], [0, 1])
    for features in (f, swapped):
        assert features["first"].tolist()[:2] == [5, 5] and features["last"].tolist()[:2] == [3, 3]
        assert sorted(features.loc[features.index[:2], ["first_tf", "last_tf"]].stack().tolist()) == [0.5, 0.5, 2 / 3, 2 / 3]


def test_a_middle_initial_after_the_first_name_is_the_same_first_name(tmp_path):
    f = features_for(tmp_path, ["1,Gregory T.,Hale,,,,,", "2,Gregory,Hale,,,,,", "3,Greg,Hale,,,,,", "4,G. T.,Hale,,,,,"])
    assert f["first"].tolist() == [5, 4, 1]  # not "first name is a nickname Gregory T. ~ Gregory"


def test_russian_diminutives_are_nicknames(tmp_path):
    f = features_for(tmp_path, ["1,Мария,Иванова,,,,,", "2,Маша,Иванова,,,,,", "3,Ольга,Иванова,,,,,"])
    assert f["first"].tolist() == [4, 0]  # Маша is Мария's; Ольга is another name
    assert features_for(tmp_path, ["1,Серёжа,Петров,,,,,", "2,Сергей,Петров,,,,,"])["first"].tolist() == [4]


@pytest.mark.parametrize("formal, diminutive", [("José", "Pepe"), ("Francisco", "Paco"), ("Antonio", "Toño"),
                                                ("Giuseppe", "Beppe"), ("Johannes", "Hans"), ("Alexander", "Sasha"),
                                                ("Catherine", "Kate"), ("Katherine", "Katie"), ("Philippa", "Pippa"),
                                                ("Charlotte", "Charlie"), ("Barbara", "Barb"),
                                                ("Katherine", "Catherine"), ("Robert", "Robbie"), ("Stanley", "Stan"),
                                                ("Susan", "Suzy"),
                                                ("Stephen", "Stevie"), ("Jerome", "Jerry"), ("Edwin", "Ted"),
                                                ("Tamara", "Tammy"), ("Marjorie", "Marge"), ("Antonia", "Toni")])
def test_diminutives_the_english_list_lacks_are_nicknames(tmp_path, formal, diminutive):
    f = features_for(tmp_path, [f"1,{formal},Garcia,,,,,", f"2,{diminutive},Garcia,,,,,", "3,Ramon,Garcia,,,,,"])
    assert f["first"].tolist() == [4, 0]


def test_a_diminutive_and_its_name_on_one_email_are_merged_not_held_as_two_first_names(tmp_path):
    path = tmp_path / "keap.csv"
    rows = ["1,Robert,Kowalczyk,rkowalczyk@example.com,Boston", "2,Robbie,Kowalczyk,rkowalczyk@example.com,Boston",
            "3,Stanley,Ashdown,sashdown@example.com,Boston", "4,Stan,Ashdown,sashdown@example.com,Boston"]
    rows += ["{},{},{},{},{}".format(*row.split(",")[:4], "Oakland") for row in strangers("1")]
    path.write_text("Record ID,First Name,Last Name,Email,City\n" + "\n".join(rows) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3)], "status"].tolist() == ["auto", "auto"]  # were "different first names"


def test_a_compound_first_name_and_its_initials_fit(tmp_path):
    f = features_for(tmp_path, ["1,Jean-Pierre,Lefèvre,,,,,", "2,JP,Lefevre,,,,,", "3,J.-P.,Lefevre,,,,,",
                                "4,Jo,Lefevre,,,,,", "5,Jacques,Lefevre,,,,,"])
    assert f["first"].tolist()[:4] == [1, 1, 0, 0]  # JP and J.-P. fit; Jo is a name, Jacques another one


def test_compound_first_names_of_one_first_word_and_two_second_ones_are_two_names(tmp_path):
    levels = first_level(np.array(["jean pierre", "maria jose", "mary ann", "jean pierre", "jean pierre",
                                   "jean pierre"], dtype=object),
                         np.array(["jean paul", "maria luisa", "mary beth", "jean", "jean p", "jean pierer"],
                                  dtype=object)).tolist()
    assert levels == [0, 0, 0, 4, 4, 4]  # but the first word alone, an initial or a typo fits as a nickname does
    path = tmp_path / "fr.csv"
    rows = ["1,Jean-Pierre,Lefèvre,,01 42 68 53 00,Paris",
            "2,Jean-Paul,Lefèvre,,01 42 68 53 00,Paris",  # his brother, on the home phone
            "3,María José,Ferrer,,01 42 68 53 01,Paris",
            "4,María Luisa,Ferrer,,01 42 68 53 01,Paris"]  # her sister
    rows += ["{},{},{},{},01 42 68 54 0{},Lyon".format(*row.split(",")[:4], i) for i, row in enumerate(strangers("1"))]
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows) + "\n")
    result = run(path, Config.from_dict({"normalize": {"default_region": "FR"}}), progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3)], "status"].tolist() == ["review", "review"]  # were "a nickname", merged
    assert (pairs.loc[[(0, 1), (2, 3)], "first"] != 4).all()


def test_names_with_the_same_words_in_another_order_or_contained_agree(tmp_path):
    f = features_for(tmp_path, ["1,Mary Ann,Smith,,,,,", "2,Smith,Mary Ann,,,,,", "3,Ann,Mary Smith,,,,,",
                                "4,Mary Ann,Smith Jones,,,,,", "5,Mary Ann,Jones,,,,,"])
    assert f["first"].tolist()[:2] == [5, 5] and f["last"].tolist()[:2] == [3, 3]  # the same three words
    assert f["last"].tolist()[2:] == [2, 0]  # Smith is in Smith Jones: nearly the same; Jones is not
    # only the first names' words in another order: a sister and a brother
    f = features_for(tmp_path, ["1,José María,Ferrer,,,,,", "2,María José,Ferrer,,,,,", "3,Ferrer,José María,,,,,"])
    assert f["first"].tolist() == [0, 5] and f["last"].tolist() == [3, 3]


def test_namesakes_do_not_teach_em_that_a_person_changes_city():
    # candidates, all with the same name: 200 true pairs (same email and city) and 800
    # namesakes (other email, other city); random pairs: names agree 1 in 1,000, cities 1 in 10
    rng = np.random.default_rng(0)
    features = pd.DataFrame({"first": np.full(1000, 4), "email": np.r_[np.full(200, 3), np.zeros(800, int)],
                             "city": np.r_[np.full(200, 2), np.zeros(800, int)]})
    random_features = pd.DataFrame({"first": np.where(rng.random(20_000) < 1e-3, 4, 0), "email": np.zeros(20_000, int),
                                    "city": np.where(rng.random(20_000) < 0.1, 2, 0)})
    model = FellegiSunter(priors={"first": {4: 0.9, 0: 0.1}, "email": {3: 0.7, 0: 0.3}},
                          fixed=frozenset({"first", "email"})).fit(features, random_features=random_features,
                                                                   n_records=5000)
    assert model.m_["city"][2] > 0.9  # the namesakes are not taken for one person who moved
    proba = model.predict_proba(features)
    assert (proba[:200] > 0.95).all() and (proba[200:] < 0.01).all()


def test_names_one_typo_apart_are_nearly_the_same(tmp_path):
    f = features_for(tmp_path, ["1,Rosie,Pearce,,,,,", "2,Roise,Paerce,,,,,", "3,Rosie,Pearce,,,,,", "4,Ann,Pearce,,,,,"])
    # two letters swapped in each name: nearly the same (Jaro-Winkler alone is below 0.92 for Pearce ~ Paerce)
    assert f["first"].tolist()[0] == 3 and f["last"].tolist()[0] == 2
    assert f["first"].tolist()[2] == 0  # Rosie and Ann


def test_first_names_two_letters_off(tmp_path):
    f = features_for(tmp_path, ["1,Freddie,Bailey,,,,,", "2,Fdedrie,Bailey,,,,,", "3,Fredie,Bailey,,,,,",
                                "4,Frederick,Bailey,,,,,", "5,Frey,Bailey,,,,,"])
    # two letters swapped twice: two typos; one missing: one typo; Frederick: a nickname;
    # Frey: four edits away
    assert f["first"].tolist() == [2, 3, 4, 0]
    f = features_for(tmp_path, ["1,Ryan,X,,,,,", "2,Brian,X,,,,,", "3,Ryn,X,,,,,", "4,Ian,X,,,,,"])
    assert f["first"].tolist() == [2, 3, 0]  # Ryn: one typo (Jaro-Winkler); Ian: shorter than four letters


def test_birth_date_levels(tmp_path):
    dates = pd.Series(["19850412"] * 8)
    other = pd.Series(["19850412", "19850413", "19851204", "19950501", "19860301", "19950301", "19700101", ""])
    levels = DateComparison("birth_date")._compute_vectorized(dates, other)
    # same; one digit off; day and month swapped; a decade typed wrong and a few days off:
    # birth year one digit off; within a year; the decade wrong and six weeks off: within ten
    # years; a parent's: over ten years apart; missing
    assert levels.tolist() == [5, 4, 4, 3, 2, 1, 0, -1]


def test_birth_dates_are_read_in_the_order_their_column_writes_them(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,Last Name,Birth Date\n1,Lee,03/04/1990\n2,Lee,1990-04-03\n3,Ray,25/12/1985\n"
                    "4,Ray,25.12.1985\n")
    assert normalize(load(path)).names["birth_date"].tolist() == ["19900403", "19900403", "19851225", "19851225"]


def test_a_birthday_without_its_year_is_not_compared(tmp_path):
    # Mailchimp's Birthday is MM/DD: a couple born on one day of the year is not one person
    path = tmp_path / "audience.csv"
    path.write_text("Email Address,First Name,Last Name,Phone Number,Birthday\n"
                    "rob@acme.example.com,Robert,Fischer,+1 617 555 0142,03/15\n"
                    "mary@example.com,Mary,Fischer,+1 617 555 0142,03/15\n"
                    "paul@example.com,Paul,Jones,+1 512 555 0100,07/04\n"
                    "lisa@example.com,Lisa,Chan,+1 303 555 0101,March 15\n", encoding="utf-8")
    assert normalize(load(path)).names["birth_date"].tolist() == ["", "", "", ""]
    pair = run(path, progress=False).pairs.set_index(["a", "b"]).loc[(0, 1)]
    assert pair["birth_date"] == -1 and pair["status"] != "auto"


@pytest.mark.parametrize("make", [
    lambda values: PlaceComparison("city", values),
    lambda values: TextComparison("company", frequencies(TEXTS), values=values),
    lambda values: ExactComparison("postcode", values=values),
    lambda values: DateComparison("birth_date", values),
], ids=["place", "text", "exact", "date"])
def test_a_comparison_by_row_numbers_gives_what_it_gives_by_texts(make):
    # given the records' texts, a comparison reads row numbers and works out each distinct pair once
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, len(TEXTS), 400), rng.integers(0, len(TEXTS), 400)
    by_row = make(TEXTS)._compute_vectorized(pd.Series(a), pd.Series(b))
    by_text = make(None)._compute_vectorized(TEXTS[a].reset_index(drop=True), TEXTS[b].reset_index(drop=True))
    for got, expected in zip(*((x,) if isinstance(x, np.ndarray) else x for x in (by_row, by_text))):
        np.testing.assert_array_equal(got, expected)
    assert (np.asarray(by_row if isinstance(by_row, np.ndarray) else by_row[0]) >= 0).any()


TEXTS = pd.Series(["paris", "paris", "pariss", "", "lyon", "19850412", "19850421", "19950412", "acme corp",
                   "acme corporation", "corp acme", "75001", "75010", "57001"])


def test_external_id_conflict_is_its_own_level(tmp_path):
    f = features_for(tmp_path, ["1,A,B,,,,S1,", "2,A,B,,,,S1,", "3,A,B,,,,S2,", "4,A,B,,,,,"])
    assert f["external_id"].tolist() == [1, 0, -1]
    # a spreadsheet's #N/A and pandas' nan are no ID: neither a conflict nor an agreement
    f = features_for(tmp_path, ["1,A,B,,,,S1,", "2,A,B,,,,#N/A,", "3,A,B,,,,nan,", "4,A,B,,,,S1,"])
    assert f["external_id"].tolist() == [-1, -1, 1]
    f = features_for(tmp_path, ["1,A,B,,,,#N/A,", "2,A,B,,,,#N/A,", "3,A,B,,,,nan,"])
    assert f["external_id"].tolist() == [-1, -1]


# --- scores -----------------------------------------------------------------------------------


def toy_features(n_match=200, n_non=2000, seed=0):
    rng = np.random.default_rng(seed)
    match = pd.DataFrame({"email": rng.choice([1, 0, -1], n_match, p=[0.7, 0.1, 0.2]),
                          "first": rng.choice([1, 0], n_match, p=[0.9, 0.1])})
    non = pd.DataFrame({"email": rng.choice([1, 0, -1], n_non, p=[0.02, 0.78, 0.2]),
                        "first": rng.choice([1, 0], n_non, p=[0.1, 0.9])})
    features = pd.concat([match, non], ignore_index=True).astype(np.int8)
    random_features = pd.DataFrame({"email": np.zeros(5000, np.int8), "first": (rng.random(5000) < 0.05).astype(np.int8)})
    random_features.loc[:10, "email"] = 1
    return features, random_features, np.r_[np.ones(n_match, bool), np.zeros(n_non, bool)]


def test_em_learns_without_labels_and_ranks_matches_first():
    features, random_features, truth = toy_features()
    model = FellegiSunter().fit(features, random_features=random_features, n_records=3000)
    assert model.m_["email"][1] > 0.5 > model.u_["email"][1]
    p = model.predict_proba(features)
    assert p[truth].mean() > 10 * p[~truth].mean()
    both = (features["email"] == 1) & (features["first"] == 1)
    neither = (features["email"] == 0) & (features["first"] == 0)
    assert p[both.to_numpy()].min() > p[neither.to_numpy()].max()


def test_labels_pull_the_model_towards_them():
    features, random_features, truth = toy_features()
    labels = pd.Series(truth, index=features.index)
    plain = FellegiSunter().fit(features, random_features=random_features, n_records=3000)
    taught = FellegiSunter().fit(features, random_features=random_features, n_records=3000, labels=labels)
    assert not plain.parameters().equals(taught.parameters())
    truth_share = features["email"][truth].eq(1).mean() / features["email"][truth].ne(-1).mean()
    assert abs(taught.m_["email"][1] - truth_share) < 0.1 < abs(plain.m_["email"][1] - truth_share)


def test_em_counts_each_combination_of_levels_and_label_once():
    from dedupe_kit.score import _patterns

    rng = np.random.default_rng(7)
    levels = pd.DataFrame({f"c{i}": rng.integers(-1, 3, 5000).astype(np.int8) for i in range(40)})
    levels.iloc[:2500, 1:37] = 0  # 40 columns of 4 levels overflow one number: renumbered on the way
    known = rng.choice([np.nan, 0.0, 1.0], 5000)
    patterns, count, label = _patterns(levels, known)
    rows = [tuple(r) + (str(k),) for r, k in zip(levels.itertuples(index=False), known)]
    expected = pd.Series(rows).value_counts()
    got = dict(zip([tuple(r) + (str(k),) for r, k in zip(patterns.itertuples(index=False), label)], count))
    assert got == expected.astype(float).to_dict() and len(patterns) == len(expected) < 5000


def test_a_common_value_weighs_less_than_a_rare_one():
    features = pd.DataFrame({"phone": np.array([3, 3, 0, 0], np.int8), "phone_tf": [0.0001, 0.01, np.nan, np.nan]})
    random_features = pd.DataFrame({"phone": np.r_[np.zeros(999, np.int8), np.int8(3)]})
    model = FellegiSunter(max_iter=1).fit(features, random_features=random_features, n_records=10_000)
    weights = model.match_weights(features)["phone"]
    assert weights[0] > weights[1] > 0 > weights[2]


def test_a_lower_level_of_a_nested_comparison_never_weighs_more_than_the_level_above():
    features = pd.DataFrame({"phone": np.array([3, 2, 1, 0], np.int8)})
    # random pairs: shared numbers (an office line) are common, the same digits with another country code rare
    random_features = pd.DataFrame({"phone": np.r_[np.zeros(9_000, np.int8), np.full(50, 3, np.int8), np.int8(2)]})
    priors = {"phone": PhoneComparison.prior}
    free = FellegiSunter(max_iter=1, priors=priors).fit(features, random_features=random_features, n_records=10_000)
    assert free.match_weights(features)["phone"][1] > free.match_weights(features)["phone"][0]  # what random pairs say
    model = FellegiSunter(max_iter=1, priors=priors, nested=frozenset({"phone"})).fit(
        features, random_features=random_features, n_records=10_000)
    weights = model.match_weights(features)["phone"]
    assert weights[0] == pytest.approx(weights[1]) and weights[1] >= weights[2] > 0 > weights[3]
    assert (model.parameters().query("comparison == 'phone'")["weight"].diff().dropna() >= -1e-9).all()


def test_birth_dates_years_apart_never_speak_for_a_match():
    # reviewed duplicates whose birth dates are often years apart (typed wrong), random pairs' seldom
    features = pd.DataFrame({"birth_date": np.array([5] * 6 + [1] * 4, np.int8)})
    random_features = pd.DataFrame({"birth_date": np.r_[np.zeros(900, np.int8), np.ones(100, np.int8)]})
    priors, labels = {"birth_date": DateComparison.prior}, pd.Series(True, index=features.index)
    free = FellegiSunter(priors=priors).fit(features, random_features=random_features, n_records=10_000, labels=labels)
    assert free.match_weights(features)["birth_date"][9] > 0  # what the data alone would say
    model = FellegiSunter(priors=priors, never_for={"birth_date": (1,)}).fit(
        features, random_features=random_features, n_records=10_000, labels=labels)
    weights = model.match_weights(features)["birth_date"]
    assert weights[9] == 0 and weights[0] == free.match_weights(features)["birth_date"][0] > 0
    assert model.parameters().set_index(["comparison", "level"]).loc[("birth_date", 1), "weight"] == 0
    assert DateComparison("birth_date").never_for_columns() == {"birth_date": (1,)}


def test_different_external_ids_are_never_a_match():
    features = pd.DataFrame({"external_id": np.array([1, 0], np.int8), "email": np.array([1, 1], np.int8)})
    random_features = pd.DataFrame({"external_id": np.array([0] * 50 + [1], np.int8), "email": np.zeros(51, np.int8)})
    model = FellegiSunter().fit(features, random_features=random_features, n_records=100)
    assert model.predict_proba(features)[1] == 0


def test_the_score_chart_says_how_many_pairs_of_two_external_ids_it_leaves_out():
    weights = np.array([-12.0, 3.5, 25.0, -np.inf, -np.inf])
    ax = plot_scores(weights, Thresholds(0.5, 0.95)).axes[0]
    assert sum(bar.get_height() for bar in ax.patches) == 3
    assert ax.get_title() == "Scores of 5 candidate pairs (2 not shown: two different external IDs, never one person)"
    assert plot_scores(weights[:3], Thresholds(0.5, 0.95)).axes[0].get_title() == "Scores of 3 candidate pairs"


def test_the_score_chart_says_how_many_pairs_it_draws_at_the_edge_of_its_axis():
    ax = plot_scores(np.array([-55.0, 3.5, 42.9, 61.0]), Thresholds(0.5, 0.95)).axes[0]
    assert ax.get_xlabel() == ("match weight (log2 odds that the pair is one person; 1 pair(s) below -40 counted at "
                               "-40; 2 pair(s) above 40 counted at 40)")
    assert plot_scores(np.array([3.5]), Thresholds(0.5, 0.95)).axes[0].get_xlabel() == (
        "match weight (log2 odds that the pair is one person)")


# --- clusters ---------------------------------------------------------------------------------


def index(pairs):
    return pd.MultiIndex.from_tuples(pairs, names=["a", "b"])


def test_not_a_match_keeps_apart_even_through_a_chain():
    pairs = index([(0, 1), (1, 2), (2, 3)])
    groups = cluster(4, pairs, np.ones(3, bool), np.array([0.99, 0.97, 0.98]), apart=index([(0, 3)]))
    assert groups[0] != groups[3]
    assert groups.tolist() == [0, 0, 2, 2]  # the weakest link (1, 2) is the one left out


def test_different_external_ids_keep_apart_through_a_chain():
    pairs = index([(0, 1), (1, 2)])
    ids = {0: frozenset({("ID", "S1")}), 2: frozenset({("ID", "S2")})}
    groups = cluster(3, pairs, np.ones(2, bool), np.array([0.99, 0.98]), external_ids=ids)
    assert groups.tolist() == [0, 0, 2]
    # pairs that touch no other: joined unless their IDs differ
    alone = index([(0, 1), (2, 3), (4, 5), (6, 7)])
    ids = {0: frozenset({("ID", "S1")}), 1: frozenset({("ID", "S2")}), 2: frozenset({("ID", "S3")}),
           3: frozenset({("ID", "S3"), ("Other", "S4")}), 4: frozenset({("ID", "S5")})}
    groups = cluster(8, alone, np.ones(4, bool), np.full(4, 0.99), external_ids=ids)
    assert groups.tolist() == [0, 1, 2, 2, 4, 4, 6, 6]


def test_two_external_ids_of_one_column_keep_records_apart_though_another_column_agrees(tmp_path):
    # one Student ID, two Member Numbers: two people (or a typo), whose group the merge would stop, third record too
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Student ID,Member Number\n"
                    "C001,Jane,Roe,jane.roe@example.com,415-555-0101,421,M20\n"
                    "C002,Jane,Roe,jane.roe@example.com,415-555-0101,421,M12\n"
                    "C003,Jane,Roe,jane.roe@example.com,415-555-0101,421,\n"
                    "C004,Tom,Fenwick,tom.fenwick@example.org,415-555-0199,500,M30\n")
    result = run(path, Config(fields={"external_ids": ["Student ID", "Member Number"]}), progress=False)
    assert result.crosswalk["cluster_id"].tolist() == [0, 1, 0, 3]
    assert result.merge().groups["status"].tolist() == ["merge"]
    decided = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"], "survivor_row": [0], "fields": [{}]})
    again = run(path, Config(fields={"external_ids": ["Student ID", "Member Number"]}), decisions=decided,
                progress=False)
    assert again.crosswalk["cluster_id"].tolist() == [0, 1, 0, 3]
    assert "records C001 and C002 were matched in review but hold different external unique IDs" in "".join(
        again.warnings())
    # one person's ID typed in either of two columns (a renamed import column) is one ID
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Student ID,Student Number\n"
                    "C001,Jane,Roe,jane.roe@example.com,415-555-0101,00421,\n"
                    "C002,Jane,Roe,jane.roe@example.com,415-555-0101,,421\n"
                    "C003,Tom,Fenwick,tom.fenwick@example.org,415-555-0199,500,\n")
    result = run(path, Config(fields={"external_ids": ["Student ID", "Student Number"]}), progress=False)
    assert result.crosswalk["cluster_id"].tolist() == [0, 0, 2]
    assert result.merge().groups["status"].tolist() == ["merge"]


def test_the_summary_counts_the_pairs_merged_automatically_that_the_groups_leave_apart(tmp_path):
    path = tmp_path / "export.csv"  # Sam without an ID fits both: he joins one, and the other pair is left apart
    rows = [f"{i},Sam,Lowe,sam.lowe@example.com,617-555-0901,,{student}," for i, student in
            (("J1", "1001"), ("J2", "1002"), ("J3", ""))]
    path.write_text(HEADER + "\n".join(rows + [row + ",," for row in strangers("S")]) + "\n")
    result = run(path, progress=False)
    auto = result.pairs[result.pairs["status"] == "auto"]
    assert list(zip(auto["a"], auto["b"])) == [(0, 2), (1, 2)]
    assert result.crosswalk["cluster_id"].tolist()[:3] in ([0, 1, 0], [0, 1, 1])
    assert "merged automatically             2   (p >= 0.95; 1 of them left in two groups: two external IDs" in (
        result.summary())


def test_the_summary_counts_the_groups_of_three_or_more_left_to_confirm_and_says_which_are_not_merged(tmp_path):
    path = tmp_path / "export.csv"  # three groups merged automatically: Wren's four, Zane's three, Yara's three
    rows = [f"W{i},Wren,Ashdown,wren.ashdown@example.com,503-555-01{i}{i},,,Salem" for i in range(4)]
    rows += [f"Z{i},Zane,Coldwell,zane.c@example.com,503-555-0301,,,Eugene" for i in range(3)]
    rows += [f"Y{i},Yara,Birchall,yara.b@example.com,503-555-0201,,,Bend" for i in range(3)]
    path.write_text(HEADER + "\n".join(rows + [row + ",," for row in strangers("S")]) + "\n")

    def waiting(decided, **kwargs):
        result = run(path, progress=False, decisions=pd.DataFrame(decided, columns=["a", "b", "decision"]))
        assert result.crosswalk["cluster_id"].tolist()[:10] == [0] * 4 + [4] * 3 + [7] * 3
        line = next(line for line in result.summary(**kwargs).splitlines() if "waiting for review" in line)
        return line.split("pairs: the review shows them with the ")[1]

    wren = [(a, b, "match") for a in range(4) for b in range(a + 1, 4)]  # every pair of Wren's group matched
    # before: "the 3 groups of three or more records, to confirm or split, merged meanwhile", Wren's confirmed too
    assert waiting(wren) == "2 groups of three or more records, to confirm or split, merged meanwhile)"
    assert waiting(wren, unmerged=[0]) == waiting(wren)  # Wren's group undone: nothing of it left to confirm
    assert waiting(wren, unmerged=[4]) == ("2 groups of three or more records, to confirm or split, merged meanwhile "
                                           "but 1 stopped by a conflict or undone)")
    yara = wren + [(7, 8, "match"), (7, 9, "match")]
    assert waiting(yara) == "1 group of three or more records, to confirm or split, merged meanwhile)"
    assert waiting(yara, unmerged=[4]) == ("1 group of three or more records, to confirm or split, stopped by a "
                                           "conflict or undone, not merged)")
    assert waiting(yara, unmerged=[4], merged=False) == "1 group of three or more records, to confirm or split)"
    assert "pairs:" not in run(path, progress=False, decisions=pd.DataFrame(
        yara + [(4, 5, "match"), (4, 6, "match")], columns=["a", "b", "decision"])).summary()


def test_only_accepted_pairs_join_and_grouping_is_deterministic():
    pairs = index([(0, 1), (1, 2), (3, 4)])
    accepted = np.array([True, False, True])
    groups = cluster(5, pairs, accepted, np.array([0.99, 0.7, 0.99]))
    assert groups.tolist() == [0, 0, 2, 3, 3]
    assert (cluster(5, pairs, accepted, np.array([0.99, 0.7, 0.99])) == groups).all()


# --- the run on the sample ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_run():
    return run("sample_data/contacts.csv", progress=False)


@pytest.fixture(scope="module")
def entities(sample_run):
    truth = pd.read_csv("sample_data/truth.csv", dtype=str, keep_default_na=False)
    return truth["person_id"].to_numpy()


def test_accuracy_floor_on_the_sample(sample_run, entities):
    found = sample_run.candidates
    assert blocking_recall(found.pairs, entities, found.first) >= 0.98
    scores = pair_scores(sample_run.crosswalk["cluster_id"], entities)
    assert scores.precision >= 0.95 and scores.recall >= 0.9


def test_pair_scores_align_two_series_by_their_index_and_refuse_other_records():
    groups = pd.Series([0, 0, 2, 3], index=[10, 11, 12, 13])
    entities = pd.Series(["y", "x", "y", "x"], index=[13, 10, 12, 11])  # the same records in another order
    assert pair_scores(groups, entities) == pair_scores(groups.to_numpy(), ["x", "x", "y", "y"])
    with pytest.raises(InputError, match="groups has 4 records and entities 3"):
        pair_scores(groups, entities.iloc[:3])
    with pytest.raises(InputError, match="not the same records"):
        pair_scores(groups, entities.set_axis([10, 11, 12, 14]))
    with pytest.raises(InputError, match="groups has 4 records and entities 5"):
        pair_scores(groups.to_numpy(), ["x", "x", "y", "y", "z"])


def test_blocking_recall_refuses_entities_not_one_per_row():
    pairs = pd.MultiIndex.from_tuples([(0, 1), (2, 3)])
    assert blocking_recall(pairs, ["x", "x", "y", "y"], first=np.arange(4)) == 1.0
    with pytest.raises(InputError, match="pairs name row 3 and entities has 3 records"):
        blocking_recall(pairs, ["x", "x", "y"])
    with pytest.raises(InputError, match="first has 4 records and entities 6"):
        blocking_recall(pairs, ["x", "x", "y", "y", "z", "z"], first=np.arange(4))


def test_crosswalk_has_one_row_per_input_row(sample_run):
    crosswalk = sample_run.crosswalk
    assert list(crosswalk.columns) == CROSSWALK_COLUMNS
    assert crosswalk["source_row"].tolist() == list(range(len(sample_run.contacts)))
    assert crosswalk["record_id"].tolist() == sample_run.contacts.frame["Contact ID"].tolist()
    merged = crosswalk[crosswalk["decided_by"] == "auto"]
    assert len(merged) and merged["score"].between(0.95, 1).all()
    assert (crosswalk.loc[crosswalk["decided_by"] == "", "cluster_id"] == crosswalk.loc[crosswalk["decided_by"] == "", "source_row"]).all()
    # a word repeated on a million rows is one string object, not a million copies
    for column in (crosswalk["decided_by"], sample_run.pairs["status"], sample_run.pairs["decision"]):
        assert column.dtype == object and len({id(word) for word in column}) == column.nunique()


def test_same_input_same_groups(sample_run):
    again = run("sample_data/contacts.csv", progress=False)
    pd.testing.assert_frame_equal(again.crosswalk, sample_run.crosswalk)


def test_reasons_say_what_agrees_in_words(sample_run, entities):
    pairs = sample_run.pairs
    nickname = pairs[(pairs["first"] == 4) & (pairs["phone"] == 3)].head(1)
    text = sample_run.reasons(nickname)[0]
    assert "first name is a nickname" in text and "same phone +" in text
    assert " ~ " in text and "(+" in text


def test_pairs_csv_written_in_pieces_is_the_whole_table(sample_run):
    order = np.arange(len(sample_run.pairs))[::-1]
    whole = b"".join(sample_run._pairs_csv(order, [], rows=len(order)))
    assert b"".join(sample_run._pairs_csv(order, [], rows=7)) == whole
    table = pd.read_csv(io.BytesIO(whole), dtype=str, keep_default_na=False)
    assert table["a"].astype(int).tolist() == sample_run.pairs["a"].to_numpy()[order].tolist()
    assert table["reasons"].tolist() == sample_run.reasons(sample_run.pairs.iloc[order])
    assert b"".join(sample_run._pairs_csv(order[:0], [])).decode() == ",".join(table.columns) + "\n"


def test_reasons_strongest_first_with_details_swaps_and_impossible_levels():
    weights = pd.DataFrame({"first": [2.0, -np.inf, 1.0, 2.0], "phone": [5.0, 1.0, np.nan, 5.0]})
    features = pd.DataFrame({"first": [5, 0, 4, 5], "phone": [3, 0, -1, 3], "swapped": [0, 0, 1, 0]})
    descriptions = {"first": {5: "same first name", 4: "first name is a nickname", 0: "different first names"},
                    "phone": {3: "same phone", 0: "different phones"}}
    details = {"first": (np.array([0, 1, 2, 3]), np.array(["Ann", "Bob ~ Tom", "Rob ~ Robert", "Ann"], dtype=object)),
               "phone": (np.array([1, 0, 0, 2]), np.array(["", "+33 6 12 34 56 78", "+1 202-555-0147"], dtype=object))}
    assert explain(weights, features, descriptions, details).tolist() == [
        "same phone +33 6 12 34 56 78 (+5.0); same first name Ann (+2.0)",
        "different first names Bob ~ Tom (never the same); different phones (+1.0)",  # a missing phone says nothing
        "first name is a nickname Rob ~ Robert (first and last names swapped) (+1.0)",
        "same phone +1 202-555-0147 (+5.0); same first name Ann (+2.0)",
    ]


def test_decisions_join_and_keep_apart(sample_run):
    auto = sample_run.pairs[sample_run.pairs["status"] == "auto"].iloc[0]
    review = sample_run.pairs[sample_run.pairs["status"] != "auto"].iloc[0]
    decisions = pd.DataFrame({"a": [auto["a"], review["a"]], "b": [auto["b"], review["b"]],
                              "decision": ["distinct", "match"]})
    result = run("sample_data/contacts.csv", decisions=decisions, progress=False)
    groups = result.crosswalk["cluster_id"].to_numpy()
    assert groups[auto["a"]] != groups[auto["b"]]
    assert groups[review["a"]] == groups[review["b"]]
    assert result.crosswalk.loc[review["a"], "decided_by"] == "reviewed"


def test_cli_run_writes_the_crosswalk_and_reports_accuracy(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "sample_data/contacts.csv", "--out", str(out),
                                       "--truth", "sample_data/truth.csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "candidate pairs" in result.output and "waiting for review" in result.output
    assert "blocking recall" in result.output and "F1" in result.output
    for name in ("profile.txt", "crosswalk.csv", "pairs.csv", "too_common.csv", "model.csv", "summary.txt", "config.toml", "run.json",
                 "scores.png"):
        assert (out / name).exists(), name
    info = json.loads((out / "run.json").read_text())
    assert info["input"] == str(Path("sample_data/contacts.csv").resolve()) and info["rows"] == 400
    assert info["sha256"] == hashlib.sha256(Path("sample_data/contacts.csv").read_bytes()).hexdigest()
    crosswalk = pd.read_csv(out / "crosswalk.csv", dtype=str, keep_default_na=False)
    assert len(crosswalk) == 400 and crosswalk["record_id"].str.startswith("C").all()


def test_run_json_holds_the_hash_of_the_bytes_loaded(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(Path("sample_data/contacts.csv").read_bytes())
    loaded = hashlib.sha256(path.read_bytes()).hexdigest()
    result = run(str(path), progress=False)
    path.write_bytes(path.read_bytes() + b"C999999,Zed,Last,,,,,,,,,,,,,\n")  # the file changes after the run
    result.write(tmp_path / "out", progress=False)
    assert json.loads((tmp_path / "out" / "run.json").read_text())["sha256"] == loaded


def test_one_strong_pair_does_not_glue_two_groups():
    # groups {0, 1} and {2, 3}; only 1-2 links them: one of the four pairs across
    pairs = index([(0, 1), (2, 3), (1, 2), (0, 2)])
    strength = np.array([0.99, 0.99, 0.98, 0.3])
    accepted = strength > 0.95
    glued = cluster(4, pairs, accepted, strength)
    assert len(set(glued.tolist())) == 1
    kept = cluster(4, pairs, accepted, strength, support=strength > 0.5)
    assert kept.tolist() == [0, 0, 2, 2]
    # with three of the four pairs across likely matches, the groups join
    pairs = index([(0, 1), (2, 3), (1, 2), (0, 2), (1, 3)])
    strength = np.array([0.99, 0.99, 0.98, 0.7, 0.6])
    assert cluster(4, pairs, strength > 0.95, strength, support=strength > 0.5).tolist() == [0, 0, 0, 0]


def test_different_first_names_are_a_household_unless_something_personal_agrees():
    from dedupe_kit.compare import ExternalIdComparison
    from dedupe_kit.run import _household

    used = [DateComparison("birth_date"), ExternalIdComparison(np.zeros(0, np.int64), np.zeros(0, np.int64))]
    features = pd.DataFrame({"first": [0, 0, 0, 5, 2, 2], "birth_date": [-1, 5, 1, -1, -1, 5],
                             "external_id": [-1, -1, 1, -1, -1, -1]})
    # first names two letters off (Ryan and Brian) may be two people of one family too
    assert _household(features, used).tolist() == [True, False, False, False, True, False]
    # with first names that are two names of their own (Liam and Noah, Daniel and Danielle at
    # level 3), a shared birth date is no proof: twins share it; an external ID is
    features = pd.DataFrame({"first": [0, 0, 3, 3, 3, 0], "birth_date": [5, 5, 5, -1, -1, 5],
                             "external_id": [-1, -1, -1, -1, 1, 1]})
    named = np.array([True, False, True, True, True, True])
    asked = []
    household = _household(features, used, lambda at: asked.append(at.tolist()) or named[at])
    assert household.tolist() == [True, False, True, True, False, False] and asked == [[0, 1, 2, 3]]


def strangers(id_prefix: str) -> list[str]:
    """Six people of nothing in common (ID, first and last name, email, phone, city), for a small
    file's model to learn from besides the case a test is about."""
    names = [("Mary", "Jones"), ("Peter", "Brown"), ("Linda", "White"), ("Omar", "Haddad"), ("Ines", "Costa"), ("Yuki", "Sato")]
    return [f"{id_prefix}{i},{first},{last},{first.lower()}.{last.lower()}@example.com,415-555-40{i:02},Oakland"
            for i, (first, last) in enumerate(names)]


def test_a_couple_of_nearly_the_same_first_names_is_never_merged_without_a_person(tmp_path):
    path = tmp_path / "hubspot.csv"
    rows = ["1,Michael,Brandt,thebrandts@example.com,617-555-3012,Boston",
            "2,Michelle,Brandt,thebrandts@example.com,617-555-3012,Boston",
            "3,Paul,Okafor,okafors@example.com,212-555-4001,New York",
            "4,Paula,Okafor,okafors@example.com,212-555-4001,New York",
            "5,Michael,Brandt,mbrandt@example.com,617-555-3012,Boston",
            "6,Micahel,Brandt,mbrandt@example.com,617-555-3012,Boston"]  # a typo, one person: merged
    rows += strangers("1")
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City\n" + "\n".join(rows) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3)], "status"].tolist() == ["review", "review"]
    assert pairs.loc[(0, 1), "first"] == pairs.loc[(2, 3), "first"] == 3  # nearly the same, as a typo is
    assert pairs.loc[(4, 5), ["first", "status"]].tolist() == [3, "auto"]


def test_twins_each_with_a_mailbox_of_their_own_name_are_never_merged_without_a_person(tmp_path):
    path = tmp_path / "twins.csv"
    rows = ["Z1,Mason,Holloway,mason.holloway@gmail.com,+1 202 555 0181,+1 202 555 0180,2001-05-05",
            "Z2,Jason,Holloway,jason.holloway@gmail.com,+1 202 555 0182,+1 202 555 0180,2001-05-05",  # not a typo:
            "Z3,Ava,Pennington,ava.pennington@yahoo.com,+1 202 555 0191,+1 202 555 0190,2003-07-07",  # each writes
            "Z4,Eva,Pennington,eva.pennington@yahoo.com,+1 202 555 0192,+1 202 555 0190,2003-07-07",  # their name
            "Z5,Masn,Holloway,mason.holloway@gmail.com,+1 202 555 0181,,2001-05-05",  # Mason's typo: one person
            "Z6,Mason,Holloway,mason.hollowy@gmail.com,+1 202 555 0181,,2001-05-05"]  # a typo in his address
    rows += [",".join(row.split(",")[:5] + [",1990-01-0" + str(i)]) for i, row in enumerate(strangers("S"), 1)]
    path.write_text("ID,First Name,Last Name,Email,Mobile Phone,Home Phone,Birth Date\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3)], "email"].tolist() == [0, 0]  # different emails, not nearly the same
    assert pairs.loc[(0, 5), "email"] == 2
    assert pairs.loc[[(0, 1), (2, 3)], "status"].tolist() == ["review", "review"]
    assert pairs.loc[(0, 1), "probability"] >= 0.95  # the score alone would merge them
    assert pairs.loc[[(0, 4), (0, 5)], "status"].tolist() == ["auto", "auto"]
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: different first names, and nothing in common")
    groups = result.crosswalk["cluster_id"].tolist()[:6]
    assert groups == [0, 1, 2, 3, 0, 0]  # Masn, linked to Jason too (one letter off), leaves Mason's twin apart


def test_a_mans_name_and_a_womans_made_of_it_are_two_people_of_one_household(tmp_path):
    path = tmp_path / "couples.csv"
    rows = ["1,Louis,Thibodeaux,lt1958@yahoo.com,504-555-0151,New Orleans",  # Lou in the nickname lists:
            "2,Louise,Thibodeaux,lthibo@outlook.com,504-555-0151,New Orleans",  # not one name for that
            "3,Eric,Sundqvist,esund@gmail.com,504-555-0191,New Orleans",
            "4,Erica,Sundqvist,erica.s@aol.com,504-555-0191,New Orleans",
            "5,Louis,Thibodeaux,lt1958@yahoo.com,504-555-0152,New Orleans",  # Louis again, a new phone
            "6,K.,Marlowe,kmarlowe@yahoo.com,504-555-0170,Denver",  # two initials: not a same first name
            "7,K.,Marlowe,k.marlowe@gmail.com,504-555-0171,Denver"]
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City\n"
                    + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3)], "first"].tolist() == [3, 3]  # nearly the same, not a nickname
    assert pairs.loc[[(0, 1), (2, 3)], "status"].tolist() == ["review", "review"]
    assert pairs.loc[(0, 4), "status"] == "auto"
    assert pairs.loc[(5, 6), "first"] == 1  # an initial that fits
    groups = result.crosswalk["cluster_id"].tolist()
    assert groups[:5] == [0, 1, 2, 3, 0]


def test_short_mens_names_and_the_womens_made_of_them_are_two_people_of_one_household(tmp_path):
    path = tmp_path / "couples.csv"
    rows = ["1,Dan,Whitcombe,,617-555-0170,Boston", "2,Dana,Whitcombe,,617-555-0170,Boston",
            "3,Joel,Marchetti,,617-555-0180,Boston", "4,Joelle,Marchetti,,617-555-0180,Boston",
            "5,Noel,Ashdown,thenoels@example.com,617-555-0190,Boston",
            "6,Noelle,Ashdown,thenoels@example.com,617-555-0190,Boston"]  # a couple's email
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3), (4, 5)], "status"].tolist() == ["review"] * 3  # were merged
    assert result.crosswalk["cluster_id"].tolist()[:6] == [0, 1, 2, 3, 4, 5]


def test_given_names_of_their_own_that_nickname_lists_link_are_a_household_not_a_nickname(tmp_path):
    path = tmp_path / "family.csv"
    rows = ["1,Jonathan,Whitlock,whitlockfamily@gmail.com,617-555-0101,Boston",  # Nathan: short for Jonathan,
            "2,Nathan,Whitlock,whitlockfamily@gmail.com,617-555-0101,Boston",  # and a brother's name
            "3,Emily,Okafor,okafors@gmail.com,617-555-0102,Boston",
            "4,Emma,Okafor,okafors@gmail.com,617-555-0102,Boston",
            "5,Andrew,Kaplan,kaplans@gmail.com,617-555-0103,Boston",
            "6,Andrea,Kaplan,kaplans@gmail.com,617-555-0103,Boston",
            "7,William,Baxter,wbaxter@gmail.com,617-555-0104,Boston",  # Bill is William
            "8,Bill,Baxter,bill.baxter@outlook.com,617-555-0104,Boston"]
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City\n"
                    + "\n".join(rows + strangers("1")) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3), (4, 5)], "status"].tolist() == ["review"] * 3
    assert pairs.loc[(6, 7), "first"] == 4 and pairs.loc[(6, 7), "status"] == "auto"


def test_a_suffix_or_a_salutation_column_tells_a_father_from_his_son_and_a_husband_from_his_wife(tmp_path):
    path = tmp_path / "salesforce.csv"
    rows = [",Robert,Kessler,Sr.,rob.kessler@example.com,617-555-3012,Boston",
            ",Robert,Kessler,Jr.,rob.kessler@example.com,617-555-3012,Boston",
            "Mr.,J.,Lockwood,,lockwoods@example.com,617-555-3013,Boston",
            "Mrs.,J.,Lockwood,,lockwoods@example.com,617-555-3013,Boston",
            "Dr.,Ann,Hale,,ann.hale@example.com,617-555-3014,Boston",  # a doctor, and Ann: one person
            "Ms.,Ann,Hale,,ann.hale@example.com,617-555-3014,Boston"]
    rows = [f"{i + 1},{row}" for i, row in enumerate(rows)] + [
        "{},,{},{},,{},{},{}".format(*row.split(",")) for row in strangers("1")]
    path.write_text("Contact ID,Salutation,First Name,Last Name,Suffix,Email,Phone,City\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3), (4, 5)], "status"].tolist() == ["review", "review", "auto"]
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: the names end with different generations")
    assert reasons[(2, 3)].startswith("not merged without a person: a man's and a woman's salutation")


def test_a_son_s_suffix_in_spanish_or_french_tells_him_from_his_father(tmp_path):
    # "fils" and "hijo" were the last name: Jean Dupont fils merged with his father of one phone
    path = tmp_path / "contacts.csv"
    rows = ["1,Jean Dupont fils,jean.dupont@example.fr,+33 6 12 34 56 78", "2,Jean Dupont,,+33 6 12 34 56 78",
            "3,Juan García hijo,juan.garcia@example.es,+34 612 345 678",
            "4,Juan García Jr.,juan.garcia@example.es,+34 612 345 678"]  # one person
    rows += ["{},{} {},{},{}".format(*row.split(",")[:4], row.split(",")[4]) for row in strangers("1")]
    path.write_text("ID,Name,Email,Phone\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    assert result.pairs.set_index(["a", "b"]).loc[[(0, 1), (2, 3)], "status"].tolist() == ["review", "auto"]
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: the names end with different generations")


def test_two_patronymics_tell_a_father_from_his_son_of_one_name(tmp_path):
    path = tmp_path / "retailcrm.csv"
    rows = ["1,Алексей,Смирнов,Иванович,smirnov.ai@example.com,8 (495) 123-45-67,Москва",  # the father
            "2,Алексей,Смирнов,Алексеевич,,8 (495) 123-45-67,Москва",  # his son
            "3,Алексей,Смирнов,,,8 (495) 123-45-67,Москва",  # one of them: it does not join the two
            "4,Елена,Попова,Сергеевна,,8 (903) 999-00-11,Тверь",
            "5,Елена,Попова,С.,elena.popova@example.org,+7 903 999-00-11,Тверь"]  # an initial that fits
    rows += ["{},{},{},,{},{},{}".format(*row.split(",")) for row in strangers("1")]
    path.write_text("ID,Имя,Фамилия,Отчество,Email,Телефон,Город\n" + "\n".join(rows) + "\n")
    result = run(path, Config.from_dict({"normalize": {"default_region": "RU"}}), progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (3, 4)], "status"].tolist() == ["review", "auto"]
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: different patronymics")
    groups = result.crosswalk["cluster_id"].tolist()
    assert groups[0] != groups[1] and groups[2] in groups[:2] and groups[3] == groups[4]
    path.write_text("ID,ФИО,Телефон\n1,Смирнов Алексей Иванович,8 (495) 123-45-67\n"  # in the full name
                    "2,Алексей Алексеевич Смирнов,+7 495 123-45-67\n"
                    + "\n".join("{},{} {},{}".format(*row.split(",")[:3], row.split(",")[4]) for row in strangers("1")))
    pairs = run(path, Config.from_dict({"normalize": {"default_region": "RU"}}), progress=False).pairs
    assert pairs.set_index(["a", "b"]).loc[(0, 1), "status"] == "review"


def test_a_russian_last_name_that_ends_as_a_patronymic_is_a_last_name_in_a_full_name(tmp_path):
    # "Роман Абрамович": a full name of two words holds a last name, not a first name and a patronymic
    path = tmp_path / "retailcrm.csv"
    rows = ["1,Роман Абрамович,r.abramovich@example.com,+7 903 111-22-33,Москва",
            "2,Абрамович Роман,,8 (903) 111-22-33,Москва",  # the same person, last name first
            "3,Роман Рабинович,rabinovich@example.org,+7 495 555-00-11,Москва",  # two people of one phone
            "4,Роман Шостакович,shostakovich@example.org,+7 495 555-00-11,Москва"]
    rows += ["{},{} {},{},{},{}".format(*row.split(",")) for row in strangers("1")]
    path.write_text("ID,ФИО,Email,Телефон,Город\n" + "\n".join(rows) + "\n")
    result = run(path, Config.from_dict({"normalize": {"default_region": "RU"}}), progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), ["last", "status"]].tolist() == [3, "auto"]
    assert pairs.loc[(2, 3), "last"] == 0  # were the same first name alone, "different patronymics"
    assert not ({(1, 2), (1, 3)} & set(pairs.index[pairs["status"] == "auto"]))  # were "same last name Роман"
    groups = result.crosswalk["cluster_id"].tolist()
    assert groups[0] == groups[1] and len({groups[1], groups[2], groups[3]}) == 3


def test_a_dutch_prefix_and_a_spanish_second_surname_in_columns_of_their_own_are_part_of_the_last_name(tmp_path):
    path = tmp_path / "nl.csv"
    rows = ["1,Jan,van der,Berg,jan.vdberg@example.com,06 12345678,Utrecht",
            "2,Jan,,van der Berg,,+31 6 12345678,Utrecht",  # the prefix typed in the last name: the same one
            "3,Jan,,Berg,jan.berg@example.org,06 87654321,Utrecht"]  # another man, Berg: not merged on his own
    rows += ["{},{},,{},{},06 5555 40{},Delft".format(*row.split(",")[:4], row[1]) for row in strangers("1")]
    path.write_text("ID,Voornaam,Tussenvoegsel,Achternaam,E-mailadres,Telefoonnummer,Woonplaats\n"
                    + "\n".join(rows) + "\n")
    result = run(path, Config.from_dict({"normalize": {"default_region": "NL"}}), progress=False)
    assert result.normalized.names["last"].tolist()[:3] == ["van der berg", "van der berg", "berg"]
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), ["last", "status"]].tolist() == [3, "auto"]  # was nearly the same, Berg ~ van der Berg
    assert pairs.loc[[(0, 2), (1, 2)], "last"].tolist() == [2, 2]  # was the same, Berg, for the first
    reasons = dict(zip(zip(result.pairs["a"], result.pairs["b"]), result.reasons(result.pairs)))
    assert "same last name van der Berg (" in reasons[(0, 1)]
    assert result.merge().cleaned()[["Tussenvoegsel", "Achternaam"]].values.tolist()[0] == ["van der", "Berg"]
    path = tmp_path / "es.csv"
    rows = ["1,José,Fernández,Ruiz,jose.fr@example.com,699 111 222,Sevilla",
            "2,José,Martínez,Ruiz,jose.mr@example.net,655 000 111,Sevilla",
            "3,María,García,López,maria.garcia@example.com,612 345 678,Madrid",
            "4,María,García,,,+34 612 345 678,Madrid"]  # her first surname alone
    rows += ["{},{},{},,{},6{}5 000 {}{}{},Bilbao".format(*row.split(",")[:4], *row[1] * 4) for row in strangers("1")]
    path.write_text("ID,Nombre,Apellido 1,Apellido 2,Correo electrónico,Teléfono,Ciudad\n" + "\n".join(rows) + "\n")
    result = run(path, Config.from_dict({"normalize": {"default_region": "ES"}}), progress=False)
    assert result.normalized.names["last"].tolist()[:4] == ["fernandez ruiz", "martinez ruiz", "garcia lopez", "garcia"]
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "last"] == 0  # "Nombre" was the whole name: José and José, namesakes
    assert pairs.loc[(2, 3), "status"] == "auto"


def test_two_last_names_of_one_first_surname_and_two_second_surnames_are_two_people(tmp_path):
    people = [("María", "García", "López", "maria.gl@example.com", "612 345 678", "Madrid"),
              ("María", "García", "Pérez", "maria.gp@example.org", "+34 612 345 678", "Madrid"),  # her cousin
              ("Lucía", "Romero", "Vidal", "lucia.rv@example.com", "633 111 222", "Sevilla"),
              ("Lucía", "Romero", "Vdial", "lucia.rv@example.net", "+34 633 111 222", "Sevilla")]  # a typo: one
    people += [(first, last, "", email, f"6{i}5 000 {i}{i}{i}", "Bilbao")
               for i, (_, first, last, email, *_) in enumerate(row.split(",") for row in strangers("1"))]
    for header, sep in (("Apellidos", " "), ("Apellido 1,Apellido 2", ",")):  # one column or two
        path = tmp_path / "es.csv"
        path.write_text(f"ID,Nombre,{header},Correo electrónico,Teléfono,Ciudad\n" + "".join(
            f"{i},{first},{last}{sep}{second},{email},{phone},{city}\n".replace(" ,", ",")
            for i, (first, last, second, email, phone, city) in enumerate(people)))
        result = run(path, Config.from_dict({"normalize": {"default_region": "ES"}}), progress=False)
        pairs = result.pairs.set_index(["a", "b"])
        assert pairs.loc[(0, 1), ["last", "status"]].tolist() == [0, "review"]  # was nearly the same, merged
        assert pairs.loc[(2, 3), ["last", "status"]].tolist() == [2, "auto"]
    assert (last_level(np.array(["garcia lopez", "smith jones", "van der berg", "van der berg"], dtype=object),
                       np.array(["garcia lpoez", "smith jonse", "van den berg", "van der meer"], dtype=object)).tolist()
            == [2, 2, 2, 0])


def test_a_record_without_a_second_surname_linked_to_two_cousins_does_not_make_them_one(tmp_path):
    path = tmp_path / "es.csv"
    rows = ["1,María,García López,maria.garcia@example.com,612 345 678,Madrid",
            "2,María,García,maria.garcia@example.com,699 111 222,Madrid",  # her first surname alone: either cousin
            "3,María,García Pérez,mgperez@example.org,699 111 222,Madrid"]
    rows += ["{},{},{},{},6{}5 000 {}{}{},Bilbao".format(*row.split(",")[:4], *row[1] * 4) for row in strangers("1")]
    path.write_text("ID,Nombre,Apellidos,Correo electrónico,Teléfono,Ciudad\n" + "\n".join(rows) + "\n")
    result = run(path, Config.from_dict({"normalize": {"default_region": "ES"}}), progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (1, 2)], "status"].tolist() == ["auto", "auto"] and pairs.loc[(0, 2), "last"] == 0
    groups = result.crosswalk["cluster_id"].tolist()[:3]
    assert groups[0] != groups[2] and groups[1] in (groups[0], groups[2])  # was one group of the three
    assert "1 of them left in two groups" in result.summary()  # its pair with the other cousin waits


def test_a_full_name_written_last_name_first_in_capitals_meets_the_same_person(tmp_path):
    path = tmp_path / "fr.csv"
    rows = ["1,SMITH Robert,rsmith@example.com,415-555-0101", "2,Bob Smith,bob.smith@example.org,415-555-0101",
            "3,DUPONT Jean-Pierre,jpd@example.com,415-555-0102", "4,JP Dupont,dupont.jp@example.org,415-555-0102"]
    rows += ["{},{} {},{},{}".format(*row.split(",")[:5]) for row in strangers("1")]
    path.write_text("ID,Full Name,Email,Phone\n" + "\n".join(rows) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "status"] == "auto" and pairs.loc[(2, 3), "status"] != "drop"  # both were dropped


def test_a_couples_record_beside_one_of_them_waits_for_a_person(tmp_path):
    path = tmp_path / "keap.csv"
    rows = ["1,Harold,Quimby,harold.quimby@gmail.com,718-404-8005,Boston",
            "2,Harold & Joan,Quimby,quimbys@gmail.com,718-404-8005,Boston",
            "3,Arthur and Mabel,Sowerby,sowerbys@gmail.com,718-404-8006,Boston",
            "4,Arthur,Sowerby,sowerbys@gmail.com,718-404-8006,Boston",
            "5,Arthur & Mabel,Sowerby,sowerbys@gmail.com,718-404-8006,Boston",  # the couple's record again
            "6,José,Ortega y Gasset,jortega@gmail.com,718-404-8007,Boston",  # a Spanish surname: one person
            "7,Jose,Ortega y Gasset,jortega@gmail.com,718-404-8007,Boston"]
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City\n" + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3), (3, 4)], "status"].tolist() == ["review"] * 3
    assert pairs.loc[[(2, 4), (5, 6)], "status"].tolist() == ["auto", "auto"]
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: one record's name names two people")
    rows = ["1,Ignatius and Hilda Sowerby,sowerbys@gmail.com,718-404-8009",  # in a full name: its first word joined
            "2,Ignatius Sowerby,sowerbys@gmail.com,718-404-8009",
            "3,Ritz-Carlton Restaurant and Dining Room,ritz@hotel.example,415-296-7465",  # further on: one name
            "4,Ritz-Carlton Restaurant,ritz@hotel.example,415-296-7465"]
    rows += ["{},{} {},{},{}".format(*row.split(",")[:5]) for row in strangers("1")]
    path.write_text("Record ID,Name,Email,Phone Number\n" + "\n".join(rows) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "status"] == "review" and pairs.loc[(2, 3), "held"] == 0


def test_a_new_last_name_on_the_same_number_waits_for_a_person_however_low_it_scores(tmp_path):
    path = tmp_path / "married.csv"
    rows = ["1,Rebecca,Hollis,rebecca.hollis@gmail.com,617-555-0188,Boston",
            "2,Rebecca,Marchetti,becky.marchetti@gmail.com,617-555-0188,Salem"]  # married since
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City\n" + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, Config(match=MatchConfig(lower=0.9)), progress=False)  # (in a file this small it scores 0.6)
    pair = result.pairs.set_index(["a", "b"]).loc[(0, 1)]
    assert pair["status"] == "review" and pair["probability"] < 0.9
    assert "a new last name on one number" in result.summary()


def test_reasons_say_what_merged_a_pair_whose_first_names_differ(tmp_path):
    path = tmp_path / "export.csv"
    rows = ["1,Freddie,Hall,fhall@example.com,617-555-3012,1984-03-02,Boston",
            "2,Fdedrie,Hall,freddie.hall@gmail.com,617-555-3012,1984-03-02,Boston",  # two typos: one person
            "3,Freddie,Hall,fhall@example.com,617-555-3012,,Boston"]
    rows += [row.replace(",Oakland", ",,Oakland") for row in strangers("1")]
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,Birth Date,City\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs[result.pairs["a"] < 3].sort_values(["a", "b"])
    assert pairs["first"].tolist() == [2, 5, 2] and pairs["status"].tolist() == ["auto", "auto", "review"]
    reasons = result.reasons(pairs)
    assert reasons[0].startswith("merged though the first names differ: the birth dates agree; same birth date")
    assert not any(text.startswith("merged") for text in reasons[1:])  # the same first names; not merged


def test_a_record_linked_to_two_people_of_one_family_does_not_make_them_one(tmp_path):
    path = tmp_path / "hubspot.csv"
    rows = ["1,John,Harlow,john.harlow@example.com,617-555-3012,Boston",
            "2,Jane,Harlow,jane.harlow@example.com,617-555-3012,Boston",  # his wife: one landline
            "3,J.,Harlow,john.harlow@example.com,617-555-3012,Boston",  # John, or Jane
            "4,,Harlow,jane.harlow@example.com,617-555-3012,Boston"]
    rows += strangers("1")
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "status"] == "review"
    assert pairs.loc[[(0, 2), (1, 2), (1, 3)], "status"].tolist() == ["auto"] * 3  # the initial and the blank fit both
    groups = result.crosswalk["cluster_id"].tolist()[:4]
    assert groups[0] != groups[1] and groups == [0, 1, 0, 1]
    decided = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"]})  # a person's match joins them
    assert run(path, progress=False, decisions=decided).crosswalk["cluster_id"].tolist()[:4] == [0, 0, 0, 0]


def test_namesakes_and_colleagues_on_one_line_are_never_merged_without_a_person(tmp_path):
    from dedupe_kit.compare import ExternalIdComparison
    from dedupe_kit.run import _two_people

    used = [DateComparison("birth_date"), ExternalIdComparison(np.zeros(0, np.int64), np.zeros(0, np.int64))]
    features = pd.DataFrame({"email": [0, 0, -1, 0, 1, 3, 0, 0, 1, 1], "phone": [0, -1, 3, 3, 3, 3, 0, 3, 0, -1],
                             "last": [3, 3, 0, 0, 0, 0, 3, 0, 3, 3], "birth_date": [-1, -1, -1, -1, -1, -1, 5, -1, -1, -1],
                             "external_id": [-1, -1, -1, -1, -1, -1, -1, 1, -1, -1]})
    # both emails differ (or all but their names before the @) and no phone is in common, both
    # differ or one is missing; or other last names on one phone with no email shared (a name
    # change keeping the email is the score's); a birth date or an external ID decides
    namesakes, colleagues, *_ = _two_people(features, used)
    assert namesakes.tolist() == [True, True, False, False, False, False, False, False, True, True]
    assert colleagues.tolist() == [False, False, True, True, True, False, False, False, False, False]
    # a file without phones: only the addresses speak (Splink's fake files: a domain typed wrong)
    assert not _two_people(features.drop(columns="phone"), used)[0][8:].any()
    path = tmp_path / "hubspot.csv"
    rows = ["1,John,Smith,jsmith.pdx@example.com,503-555-0101,Springfield,Acme",
            "2,John,Smith,smithj@example.net,503-555-0102,Springfield,Acme",  # another John Smith
            "3,John,Smith,jsmith.pdx@example.com,503-555-0199,Springfield,Acme",  # the first, a new phone
            "4,Cedric,Moreau,cmoreau@vantage.example,503-555-0170,Portland,Vantage Legal",
            "5,Cedric,Brunet,cbrunet@vantage.example,503-555-0170,Portland,Vantage Legal",  # a colleague
            "6,Michael,Brown,michael.brown@yahoo.com,,Chicago,Initech",
            "7,Michael,Brown,michael.brown@hotmail.com,,Chicago,Initech",  # namesakes' mailboxes, no phone
            "8,Daniel,Whitcombe,daniel.whitcombe@gmail.com,,Chicago,Initech",  # Gmail's form: danielwhitcombe@
            "9,Daniel,Whitcombe,daniel.whitcombe@yahoo.com,312-555-0188,Chicago,Initech",
            "10,Robert,Miller,robert.miller@acmecorp.example,312-555-0190,Chicago,Acme Corp",  # only the name
            "11,Robert,Miller,robert.miller@globex.example,312-555-0191,Chicago,Globex"]  # before the @ shared
    rows += [row + "," + company for row, company in zip(strangers("1"), ["Globex", "Initech", "Hooli", "Wonka", "Vandelay", "Umbrella"])]
    path.write_text("Record ID,First Name,Last Name,Email,Phone Number,City,Company\n" + "\n".join(rows) + "\n")
    config = Config(match=MatchConfig(upper=0.7))  # a small file's weights are small
    result = run(path, config, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 2), "status"] == "auto"
    held = [(0, 1), (3, 4), (5, 6), (7, 8), (9, 10)]
    assert pairs.loc[held, "status"].tolist() == ["review"] * 5
    assert (pairs.loc[held, "probability"] >= 0.7).all()  # the score alone would merge them
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]  # and the reasons say why it did not
    assert reasons[(0, 1)].startswith("not merged without a person: no email and no phone in common (namesakes?); ")
    assert reasons[(3, 4)].startswith("not merged without a person: different last names on one phone, without an email "
                                 "in common (colleagues, or a new last name?); different last names Moreau ~ Brunet")
    assert reasons[(5, 6)].startswith("not merged without a person: no email and no phone in common (namesakes?); ")
    assert not reasons[(0, 2)].startswith("not merged")
    b2b = Config(match=MatchConfig(upper=0.7, namesakes_need_review=False))  # work and personal records of each
    assert run(path, b2b, progress=False).pairs.set_index(["a", "b"]).loc[held, "status"].tolist() == ["auto"] * 5


def test_short_last_names_a_letter_apart_on_one_phone_are_never_merged_without_a_person(tmp_path):
    path = tmp_path / "office.csv"
    rows = ["1,Wei,Chen,,415-555-0170,San Francisco",
            "2,Wei,Chan,,415-555-0170,San Francisco",  # a colleague on the switchboard
            "3,Li,Zhou,,415-555-0180,San Francisco",
            "4,Li,Zhao,,415-555-0180,San Francisco",
            "5,Min,Park,,415-555-0190,San Francisco",
            "6,Min,Pak,,415-555-0190,San Francisco",  # a spelling of one name: the score's word
            "7,Jennifer,Thompson,,415-555-0200,San Francisco",
            "8,Jennifer,Thompsen,,415-555-0200,San Francisco",  # a typo in a long name
            "9,Ming,Chen,ming.chen@example.com,415-555-0210,San Francisco",
            "10,Ming,Chan,ming.chen@example.com,415-555-0210,San Francisco"]  # a typo, one email: one person
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows + strangers("1")) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert (pairs.loc[[(0, 1), (2, 3)], "last"] > 0).all()  # nearly the same, or sounding the same
    assert pairs.loc[[(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)], "status"].tolist() == ["review"] * 2 + ["auto"] * 3
    assert (pairs.loc[[(0, 1), (2, 3)], "held"] == 5).all()  # "different last names on one phone…"


def test_a_record_without_a_last_name_on_the_line_of_two_people_does_not_make_them_one(tmp_path):
    path = tmp_path / "office.csv"
    rows = ["1,Wei,Chen,,415-555-0170,San Francisco",
            "2,Wei,Chan,,415-555-0170,San Francisco",  # a colleague on the switchboard
            "3,Wei,,,415-555-0170,San Francisco"]  # either of them
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, Config(match=MatchConfig(upper=0.9)), progress=False)  # a small file's weights are small
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (0, 2), (1, 2)], "status"].tolist() == ["review", "auto", "auto"]
    groups = result.crosswalk["cluster_id"].tolist()[:3]
    assert groups[0] != groups[1] and groups[2] in groups[:2]  # were one group of the three
    decided = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"]})  # a person's match joins them
    assert run(path, Config(match=MatchConfig(upper=0.9)), progress=False,
               decisions=decided).crosswalk["cluster_id"].tolist()[:3] == [0, 0, 0]


def test_a_record_on_the_shared_line_of_two_people_held_for_a_person_does_not_make_them_one(tmp_path):
    path = tmp_path / "office.csv"
    rows = ["1,John,Smith,john.smith@example.org,617-555-0101,617-555-3012,Boston",
            "2,John,Smith,johnny.smith@example.net,617-555-0199,617-555-3012,Boston",  # his son: a mobile each
            "3,John,Smith,,,617-555-3012,Boston",  # the home phone alone: either of them
            "4,Chris,Walker,chris.walker@wonka.example,,312-555-0150,Chicago",
            "5,Christina,Walker,christina.walker@wonka.example,,312-555-0150,Chicago",  # a colleague
            "6,Chris,Walker,,,312-555-0150,Chicago"]  # the switchboard alone: either of them
    rows += [row.replace(",Oakland", ",,Oakland") for row in strangers("1")]
    path.write_text("Record ID,First Name,Last Name,Email,Mobile Phone,Home Phone,City\n" + "\n".join(rows) + "\n")
    config = Config(match=MatchConfig(upper=0.9))  # a small file's weights are small
    result = run(path, config, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (3, 4)], "held"].tolist() == [7, 6]  # "a mobile of their own"; "a mailbox at one…"
    assert pairs.loc[[(0, 2), (1, 2), (3, 5), (4, 5)], "status"].tolist() == ["auto"] * 4
    groups = result.crosswalk["cluster_id"].tolist()[:6]
    assert groups[0] != groups[1] and groups[2] in groups[:2]  # were one group of the three
    assert groups[3] != groups[4] and groups[5] in groups[3:5]
    decided = pd.DataFrame({"a": [0], "b": [1], "decision": ["match"]})  # a person's match joins them
    assert len(set(run(path, config, progress=False, decisions=decided).crosswalk["cluster_id"].tolist()[:3])) == 1

def test_a_record_linked_to_mr_and_mrs_of_one_name_does_not_make_them_one(tmp_path):
    path = tmp_path / "keap.csv"
    rows = ["1,Mr.,Sam,Taylor,sam.taylor@example.org,617-555-3012,Boston",
            "2,Mrs.,Sam,Taylor,samantha.t@example.net,617-555-3012,Boston",  # his wife: one landline
            "3,,Sam,Taylor,,617-555-3012,Boston"]  # the landline alone: either of them
    rows += [row.replace(",", ",,", 1) for row in strangers("1")]
    path.write_text("Record ID,Salutation,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows) + "\n")
    result = run(path, Config(match=MatchConfig(upper=0.9)), progress=False)  # a small file's weights are small
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "held"] == 8  # "a man's and a woman's salutation"
    assert pairs.loc[[(0, 2), (1, 2)], "status"].tolist() == ["auto", "auto"]
    groups = result.crosswalk["cluster_id"].tolist()[:3]
    assert groups[0] != groups[1] and groups[2] in groups[:2]  # were one group of the three

def test_chinese_names_a_final_g_apart_on_one_phone_are_never_merged_without_a_person(tmp_path):
    path = tmp_path / "office.csv"
    rows = ["1,Wei,Tan,,415-555-0170,San Francisco",
            "2,Wei,Tang,,415-555-0170,San Francisco",  # -n and -ng: two last names
            "3,Jing,Wu,,415-555-0180,San Francisco",
            "4,Jin,Wu,,415-555-0180,San Francisco",  # and two given names: siblings on the home phone
            "5,Hui,Lin,hui.lin@example.com,415-555-0190,San Francisco",
            "6,Hui,Ling,hui.lin@example.com,415-555-0190,San Francisco",  # one email: one person
            "7,Jon,Whitaker,,415-555-0200,San Francisco",
            "8,John,Whitaker,,415-555-0200,San Francisco"]
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows + strangers("1")) + "\n")
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3), (4, 5), (6, 7)], "status"].tolist() == ["review", "review", "auto", "auto"]
    assert pairs.loc[[(0, 1), (2, 3)], "held"].tolist() == [5, 3]  # one phone; one household


def test_two_first_names_with_a_mailbox_each_at_one_organisation_are_never_merged_without_a_person(tmp_path):
    path = tmp_path / "office.csv"
    rows = ["1,Chris,Walker,chris.walker@wonka.example,+1 312 555 0150,Chicago,Wonka",  # Christina's colleague
            "2,Christina,Walker,christina.walker@wonka.example,+1 312 555 0150,Chicago,Wonka",  # on one switchboard
            "3,David,Chen,david.chen@hooli.example,+1 312 555 0160,Chicago,Hooli",  # one name: the score's
            "4,David,Chen,dchen@hooli.example,+1 312 555 0160,Chicago,Hooli",
            "5,Sam,Reyes,sam.reyes@gmail.com,+1 312 555 0170,Chicago,Hooli",  # two providers: people change
            "6,Samantha,Reyes,samantha.reyes@yahoo.com,+1 312 555 0170,Chicago,Hooli"]
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City,Company\n"
                    + "\n".join(rows + [row + ",Acme" for row in strangers("1")]) + "\n")
    config = Config(match=MatchConfig(upper=0.7))  # a small file's weights are small
    result = run(path, config, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[[(0, 1), (2, 3), (4, 5)], "status"].tolist() == ["review", "auto", "auto"]
    assert pairs.loc[(0, 1), "probability"] >= 0.7  # the score alone would merge them
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: first names not the same, each with a mailbox "
                                      "at one organisation (two colleagues?); ")
    b2b = Config(match=MatchConfig(upper=0.7, namesakes_need_review=False))
    assert run(path, b2b, progress=False).pairs.set_index(["a", "b"]).loc[(0, 1), "status"] == "auto"


def test_other_emails_and_own_mobiles_on_one_landline_are_never_merged_without_a_person(tmp_path):
    path = tmp_path / "lines.csv"
    rows = ["1,Thomas,Kettering,tom.kettering@outlook.com,+1 202 555 0199,+1 202 555 0198,,Raleigh",  # a father
            "2,Thomas,Kettering,tkettering07@gmail.com,+1 202 555 0189,+1 202 555 0198,,Raleigh",  # and his son
            "3,Michael,Chen,michael.chen@megacorp.example,+1 202 555 0193,,+1 202 555 0100,Seattle",  # namesakes
            "4,Michael,Chen,michael.chen2@megacorp.example,+1 202 555 0194,,+1 202 555 0100,Seattle",  # at work
            "5,Thomas,Kettering,tom.kettering@outlook.com,+1 202 555 0177,+1 202 555 0198,,Raleigh",  # new mobile
            "6,Michael,Chen,michael.chen@megacorp.example,,,+1 202 555 0100,Seattle",
            "7,Nora,Quist,nora.quist@outlook.com,12345,+1 202 555 0148,,Raleigh",  # two mobiles typed wrong:
            "8,Nora,Quist,nquist07@gmail.com,54321,+1 202 555 0148,,Raleigh"]  # not one number (none is)
    rows += [row.replace("@example.com,", "@example.com,,,") for row in strangers("1")]
    path.write_text("ID,First Name,Last Name,Email,Mobile Phone,Home Phone,Work Phone,City\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(2, 3), "email"] == 0  # a number after the name: another mailbox, not a typo
    assert pairs.loc[[(0, 1), (2, 3), (6, 7)], "status"].tolist() == ["review", "review", "review"]
    assert (pairs.loc[[(0, 1), (2, 3), (6, 7)], "probability"] >= 0.95).all()  # the score alone would merge them
    assert pairs.loc[[(0, 4), (2, 5)], "status"].tolist() == ["auto", "auto"]  # one email: one person
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: other emails, and each a mobile of their own: "
                                      "only another line in common")
    b2b = Config(match=MatchConfig(namesakes_need_review=False))
    assert run(path, b2b, progress=False).pairs.set_index(["a", "b"]).loc[(0, 1), "status"] == "auto"


def test_other_emails_and_no_phone_in_common_wait_for_a_person_though_one_has_no_phone(tmp_path):
    path = tmp_path / "export.csv"
    rows = ["1,Evelina,Milbank,evelina_milbank@gmail.com,,Philadelphia",  # less to go by than two phones
            "2,Evelina,Milbank,emilbank93@yahoo.com,,Philadelphia",  # that differ: namesakes just as well
            "3,Everett,Milburn,everett_milburn@gmail.com,(215) 837-0593,Philadelphia",
            "4,Everett,Milburn,emilburn93@yahoo.com,,Philadelphia",
            "5,Everard,Milbourne,everard_milbourne@gmail.com,(215) 837-0592,Philadelphia",
            "6,Everard,Milbourne,everard_milbourne@gmail.com,,Philadelphia"]  # one email: one person
    path.write_text("Record ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, Config(match=MatchConfig(upper=0.7)), progress=False)  # a small file's weights are small
    pairs = result.pairs.set_index(["a", "b"])
    assert (pairs.loc[[(0, 1), (2, 3)], "probability"] >= 0.7).all()  # the score alone would merge them
    assert pairs.loc[[(0, 1), (2, 3), (4, 5)], "status"].tolist() == ["review", "review", "auto"]
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert reasons[(0, 1)].startswith("not merged without a person: no email and no phone in common (namesakes?)")


def test_the_emails_and_phones_an_earlier_merge_kept_in_its_extra_columns_are_the_contacts(tmp_path):
    # a cleaned file run again: the numbers and addresses no CRM column took were "different phones"
    path = tmp_path / "cleaned.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Mobile Phone,dedupe_kit extra emails,"
                    "dedupe_kit extra phones\n1,Ann,Quill,ann@example.com,617-555-0100,,617-555-0199\n"
                    "2,Ann,Quill,,617-555-0199,,\n"
                    "3,Bo,Rook,bo@example.com,617-555-0120,bo.rook@example.org,\n4,Bo,Rook,bo.rook@example.org,,,\n"
                    "5,Cy,Stone,cy@example.com,617-555-0130,,\n")
    result = run(path, progress=False)
    reasons = result.explained(None, None).set_index(["a", "b"])["reasons"]
    assert "same phone +1 617-555-0199" in reasons[(0, 1)] and "same email bo.rook@example.org" in reasons[(2, 3)]
    assert result.contacts.field_map.phones == (("Mobile Phone", "mobile"),)  # the merge joins them as it did


def test_an_email_or_a_phone_alone_beside_its_contact_waits_for_a_person_however_low_it_scores(tmp_path):
    path = tmp_path / "signup.csv"
    rows = ["1,Fiona,Gallagher-Reyes,fiona.gr@gmail.com,+1 202 555 0181,Boston",
            "2,,,Fiona.GR@gmail.com,,",  # a newsletter sign-up: the address and nothing else
            "3,,,oscar.l@gmail.com,,",  # nobody's
            "4,Mortimer,Eastleigh,mortimer.e@gmail.com,718-404-9004,Boston",
            "5,,,,(718) 404-9004,"]  # a text message's sender: the number and nothing else
    path.write_text("ID,First Name,Last Name,Email,Phone,City\n" + "\n".join(rows + strangers("1")) + "\n")
    result = run(path, progress=False)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "email"] == 3 and pairs.loc[(3, 4), "phone"] == 3
    assert (pairs.loc[[(0, 1), (3, 4)], "probability"] < 0.5).all()
    assert pairs.loc[[(0, 1), (3, 4)], "status"].tolist() == ["review", "review"]
    assert ("(p >= 0.5; 2 below it: an email or a phone alone beside its contact, or a new last name on one number)"
            in result.summary())


def test_a_mailing_list_or_a_list_of_numbers_in_a_cell_is_compared_by_its_first_values_only(tmp_path):
    from dedupe_kit.normalize import EMAILS_COMPARED

    listed = "; ".join(f"member{j}@list.example" for j in range(300))  # every one against every one: 90,000
    numbers = "; ".join(f"+1 212 555 {j:04}" for j in range(300))
    path = tmp_path / "lists.csv"
    rows = [f'L1,Sales,Team,"{listed}","{numbers}"', f'L2,Sales,Team,"{listed}","{numbers}"']
    rows += [row[:-len(",Oakland")] for row in strangers("1")]
    path.write_text("ID,First Name,Last Name,Email,Phone\n" + "\n".join(rows) + "\n")
    result = run(path, Config(match=MatchConfig(upper=0.7)), progress=False)  # a small file's weights are small
    rows_of_emails, _ = result.normalized.personal_emails()
    assert np.bincount(rows_of_emails).max() == EMAILS_COMPARED == 20
    assert np.bincount(result.normalized.phones["source_row"]).max() == EMAILS_COMPARED
    assert result.pairs.set_index(["a", "b"]).loc[(0, 1), ["email", "phone"]].tolist() == [3, 3]
    assert result.crosswalk["cluster_id"].tolist()[:2] == [0, 0]
    assert "same email member0@list.example" in result.explained(None, None)["reasons"][0]


def test_emails_and_phones_compared_a_few_combinations_at_a_time_give_the_same_levels(tmp_path, monkeypatch):
    compare_module = importlib.import_module("dedupe_kit.compare")  # the package exports a function of that name
    rows = ["1,Ann,Lee,ann@x.com; ann.lee@y.com,+1 212 555 0101; +1 212 555 0102,,,",
            "2,Ann,Lee,ann.lee@y.com,+1 212 555 0102,,,", "3,Ann,Lee,,+1 212 555 0101; +1 212 555 0103,,,",
            "4,Ann,Lee,other@z.com; ann@x.con; a@w.com,,,,", "5,Bo,Li,,,,,", "6,Ann,Lee,ann@x.com,+1 212 555 0109,,,"]
    whole = features_for(tmp_path, rows)
    monkeypatch.setattr(compare_module, "COMBINATIONS_AT_ONCE", 3)  # a pair of more on its own
    assert features_for(tmp_path, rows).equals(whole)
    assert whole["email"].tolist() == [3, -1, 2, -1, 3] and whole["phone"].tolist() == [3, 3, -1, -1, 0]


def test_a_parent_and_child_of_one_name_and_phone_are_never_merged_without_a_person(tmp_path):
    from dedupe_kit.run import _parent_and_child

    features = pd.DataFrame({"birth_date": [0, 0, 0, 0, 1, -1], "phone": [3, 0, 3, -1, 3, 3],
                             "email": [0, 3, -1, -1, 0, 0], "external_id": [-1, -1, 1, -1, -1, -1]})
    # a shared phone or email and birth dates over ten years apart, unless an external ID agrees;
    # without a shared phone or email (a birth date typed wholly wrong) the score decides
    assert _parent_and_child(features).tolist() == [True, True, False, False, False, False]
    path = tmp_path / "keap.csv"
    path.write_text("Id,First Name,Last Name,Email,Phone 1,City,Birthday\n"
                    "12,Anakin,Solo,ani.solo@example.com,617-555-3012,Boston,1950-01-01\n"
                    "13,Anakin,Solo,ani.solo.jr@example.com,617-555-3012,Boston,1980-06-06\n"
                    "20,Mary,Jones,mary.jones@example.com,617-555-4000,Boston,1970-02-02\n"
                    "21,Peter,Brown,pbrown@example.com,212-555-4001,New York,1960-03-03\n"
                    "22,Linda,White,lwhite@example.com,415-555-4002,Oakland,1990-04-04\n", encoding="utf-8")
    pair = run(path, progress=False).pairs.set_index(["a", "b"]).loc[(0, 1)]
    assert pair["probability"] >= 0.95 and pair["status"] == "review"


def test_a_father_and_son_of_one_name_are_never_merged_without_a_person(tmp_path):
    path = tmp_path / "salesforce.csv"
    rows = ["003A1,Robert,Kessler Jr.,rob.kessler@example.com,617-555-3012,Boston",  # the son
            "003A2,Robert,Kessler Sr.,rob.kessler@example.com,617-555-3012,Boston",
            "003A3,Robert,Kessler,rob.kessler@example.com,617-555-3012,Boston",  # the father, or the son
            "003A4,Robert,Kessler Jr,rob.kessler@example.com,617-555-3012,Boston",  # the son again
            "003A5,Henry,Moore III,henry.moore@example.com,212-555-4001,New York",
            "003A6,Henry,Moore IV,henry.moore@example.com,212-555-4001,New York"]
    rows += strangers("003B")
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Mailing City\n" + "\n".join(rows) + "\n")
    result = run(path, progress=False)
    status = result.pairs.set_index(["a", "b"])["status"]
    assert status[(0, 3)] == "auto"  # Jr. and Jr: an exact copy, paired with its first row alone
    assert result.candidates.first[3] == 0 and (1, 3) not in status.index
    assert [status[pair] for pair in [(0, 1), (0, 2), (1, 2), (4, 5)]] == ["review"] * 4
    assert result.crosswalk["cluster_id"].tolist()[:6] == [0, 1, 2, 0, 4, 5]


def test_the_summary_says_what_an_exact_copy_of_a_row_is_beside_the_profiles_exact_duplicates(tmp_path):
    path = tmp_path / "export.csv"  # a copy for matching, not one for the profile: other capitals, phone and date
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,Created Date\n"
                    "1,Ann,Lee,ann.lee@x.com,(212) 555-0142,2021-01-01\n2,ANN,LEE,ann.lee@x.com,212.555.0142,2022-05-05\n")
    result = run(path, progress=False)
    assert "  exact copies of a row            1   (the same in every field matching compares, once normalized; each " \
           "paired with that row alone)" in result.summary().splitlines()
    assert profile(result.contacts).counts()["exact duplicate rows"] == 0


def test_exact_copies_of_a_row_are_paired_with_it_alone_and_counted_once(tmp_path):
    # a form sent sixty times: more copies than a value may have records (50) and still pair
    form = ",Dana,Whitfield,dana.whitfield@mail.example,(213) 555-0142,Fresno"
    rows = [f"C{i:02}{form}" for i in range(60)] + ["D1,D.,Whitfield,DANA.WHITFIELD@mail.example,,Fresno"]
    rows += [f"X{i}{form.replace('Dana', first)}" for i, first in enumerate(["Kevin", "Ruth"])]  # on one line
    rows += strangers("S")
    path = tmp_path / "form.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,City\n" + "".join(r + "\n" for r in rows))
    result = run(path, progress=False)
    first = result.candidates.first
    assert first[:60].tolist() == [0] * 60 and first[60:].tolist() == list(range(60, len(rows)))
    pairs = result.pairs.set_index(["a", "b"])["status"]
    assert all(pairs[(0, copy)] == "auto" for copy in range(1, 60))
    assert not any(1 <= a < 60 and b >= 60 for a, b in pairs.index)  # a copy meets the others through row 0
    assert pairs[(0, 60)] == "auto"
    assert not result.candidates.capped["kind"].isin(["email", "phone"]).any()  # the copies make no value too common
    cluster = result.crosswalk["cluster_id"].to_numpy()
    assert (cluster[:61] == 0).all() and cluster[61] != 0 and cluster[62] != 0
    assert "  exact copies of a row           59" in result.summary()
    # a generation after the name, another phone, no email nor phone at all: no copies
    rows = [f"G1{form}", f"G2{form.replace('Whitfield', 'Whitfield Jr.')}", f"G3{form.replace('0142', '0143')}",
            "N1,Dana,Whitfield,,,Fresno", "N2,Dana,Whitfield,,,Fresno"]
    rows += strangers("S")
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,City\n" + "".join(r + "\n" for r in rows))
    result = run(path, progress=False)
    assert (result.candidates.first == np.arange(len(rows))).all()


def test_an_export_imported_twice_gives_the_groups_of_the_export_once(tmp_path):
    # every row has an exact copy: each copy is paired with its first row alone, and the groups
    # still join as the export's own do (their pairs across count through the first copies)
    lines = Path("sample_data/contacts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    twice = tmp_path / "twice.csv"
    twice.write_text(lines[0] + "".join(lines[1:]) + "".join(line.replace("C0", "D0", 1) for line in lines[1:]),
                     encoding="utf-8")
    once = run("sample_data/contacts.csv", progress=False).crosswalk["cluster_id"].to_numpy()
    groups = run(twice, progress=False).crosswalk["cluster_id"].to_numpy()
    n = len(once)
    assert (groups[:n] == groups[n:]).all()  # each row with its copy
    assert (pd.factorize(groups[:n])[0] == pd.factorize(once)[0]).all()  # and the groups of the export once


def test_last_names_sound_alike_only_by_a_code_of_two_letters_or_more():
    # metaphone gives nothing for another script and one letter for Hu and He: no sound in common
    a = np.array(["петров", "hu", "wu", "παπαδοπουλος", "stephens", "mohr"])
    b = np.array(["смирнов", "he", "wei", "γεωργιου", "stevens", "moore"])
    assert last_level(a, b).tolist() == [0, 0, 0, 0, 1, 1]
    # a man's and a woman's form of one Slavic name are two people's (Sasha Petrov and Sasha Petrova)
    a, b = np.array(["петров", "ivanov", "kowalski", "petrovsky", "smith"]), np.array(
        ["петрова", "ivanova", "kowalska", "petrovskaya", "smyth"])
    assert last_level(a, b).tolist() == [0, 0, 0, 0, 2]


def test_a_given_name_of_one_chinese_character_is_a_name_not_an_initial():
    a, b = np.array(["伟", "伟", "k", "и"]), np.array(["伟明", "伟", "k", "иван"])
    assert first_level(a, b).tolist() == [0, 5, 1, 1]  # 王伟 and 王伟明 are two people; "K." and "K." fit


def test_capped_keys_are_described_in_words(tmp_path):
    contacts = load(export(tmp_path, [f"{i},P{i},Q{i},ann@x{i}.com,,,," for i in range(5)]))
    found = candidates(contacts, normalize(contacts), Config(match=MatchConfig(max_block_size=10)))
    users = found.capped[found.capped["kind"] == "email_user"]
    assert users[["value", "records"]].values.tolist() == [["ann", 5]]  # one value, not "ann | something"


def test_names_in_any_script_are_names(tmp_path):
    from dedupe_kit.names import fold

    assert [fold(n) for n in ("Μαρία", "محمد", "李", "O’Brien-Lefèvre")] == ["μαρια", "محمد", "李", "obrien lefevre"]
    result = run("sample_data/contacts.csv", progress=False)
    frame = result.contacts.frame.copy()
    auto = result.pairs[result.pairs["status"] == "auto"].iloc[0]
    frame.loc[auto["a"], "First Name"] = "Дмитрий"  # a different first name, in another script
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    again = run(path, progress=False).pairs.set_index(["a", "b"])
    assert again.loc[(auto["a"], auto["b"]), "status"] != "auto"


def test_a_small_file_still_learns_that_a_shared_email_and_name_mean_something(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("Contact ID,First Name,Email\n1,Ann,a@x.com\n2,Ann,a@x.com\n")
    pairs = run(path, progress=False).pairs
    assert pairs["probability"].tolist()[0] > 0.9  # the random pairs are the duplicates themselves here


def test_reasons_name_the_first_of_two_shared_phones_and_both_first_names(tmp_path):
    path = export(tmp_path, ["1,Ann,Lee,,+44 7700 900123,+44 20 7946 0018,,Leeds",
                             "2,Anne,Lee,,+44 20 7946 0018,+44 7700 900123,,Leeds",
                             "3,Bob,Stone,,+1 202 555 0147,,,Boston"])
    result = run(path, progress=False)
    pair = result.pairs[(result.pairs["a"] == 0) & (result.pairs["b"] == 1)]
    text = result.reasons(pair)[0]
    # the first of the two, in order, and whose it is on each side: Ann's home phone, Anne's mobile
    assert "same phone +44 20 7946 0018 (home ~ mobile) (" in text and "7700" not in text
    assert "Ann ~ Anne" in text


def test_reasons_read_a_numbers_kind_from_the_type_column_beside_it(tmp_path):
    path = tmp_path / "keap.csv"  # Keap's numbered phones, each with its type: the kind is per row, not per column
    path.write_text("Id,First Name,Last Name,Phone 1,Phone 1 Type,Phone 2,Phone 2 Type\n"
                    "1,Ann,Lee,+44 20 7946 0018,Home,,\n"
                    "2,Anne,Lee,+44 20 7946 0999,Work Fax,+44 20 7946 0018,Mobile\n"
                    "3,Jo,Lee,+44 20 7946 0018,Main,,\n"
                    "4,Bob,Stone,+1 202 555 0147,,+44 7700 900999,Cell\n")  # not a valid number
    result = run(path, progress=False)
    phones = result.normalized.identifiers.query("kind == 'phone'")
    assert phones["phone_kind"].tolist() == ["home", "fax", "mobile", "other", "other"]
    numbers = result.normalized.phones  # the table of every number read, a national one too, says the same
    assert numbers["phone_kind"].tolist() == ["home", "fax", "mobile", "other", "other", "mobile"]
    texts = dict(zip(zip(result.pairs["a"], result.pairs["b"]), result.reasons(result.pairs)))
    assert "same phone +44 20 7946 0018 (home ~ mobile) (" in texts[0, 1]
    assert "same phone +44 20 7946 0018 (home ~ phone) (" in texts[0, 2]  # "Main" says no kind


def test_reasons_of_swapped_names_show_the_names_compared(tmp_path):
    path = export(tmp_path, ["1,Edwards,William,e1@x.com,,,,Boston", "2,William,Edwards,w2@y.com,,,,Boston",
                             "3,Mary,Jones,mj@example.com,,,,Oakland", "4,Peter,Brown,pb@example.com,,,,Oakland"])
    result = run(path, progress=False)
    pair = result.pairs[(result.pairs["a"] == 0) & (result.pairs["b"] == 1)]
    text = result.reasons(pair)[0]  # not "same last name William ~ Edwards"
    assert "same last name William (" in text and "same first name Edwards (first and last names swapped)" in text


def test_reasons_show_a_shared_email_as_the_record_has_it_not_its_canonical_form(tmp_path):
    path = export(tmp_path, ["1,Rachel,Lee,Rachel.L.84@gmail.com,,,,Leeds", "2,Rachel,Lee,rachel.l.84@gmail.com,,,,Leeds",
                             "3,Rachel,Lee,rachell84+news@gmail.com,,,,Leeds"])
    result = run(path, progress=False)
    texts = result.reasons(result.pairs.sort_values(["a", "b"]))
    # as the first record of the pair has it (a search in the CRM finds it), not "rachell84@gmail.com";
    # rows 2 and 3 are exact copies of row 1 (one address, canonically): each is paired with it alone
    assert ["same email rachel.l.84@gmail.com (" in text for text in texts] == [True, True]


def test_reasons_show_the_compared_part_of_a_full_name_as_written_for_a_row_without_its_own_names(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Full Name,Email,City\n1,Marie,Dupont,,md@x.fr,Lyon\n"
                    "2,,,Marie Dupont,md@x.fr,Lyon\n3,Robert,Smith,,bs@x.com,Boston\n4,,,Bob Smith,bs@x.com,Boston\n")
    result = run(path, progress=False)
    texts = result.reasons(result.pairs.sort_values("a"))
    assert "same last name Dupont (" in texts[0] and "same first name Marie (" in texts[0]
    assert "first name is a nickname Robert ~ Bob (" in texts[1] and "same last name Smith (" in texts[1]
    path.write_text("Contact ID,Name,City\n1,\"Müller-Lévy, Zoë\",Boston\n2,Dr. Zoe Muller-Levy,Boston\n")  # full names only
    result = run(path, progress=False)
    assert "same last name Müller-Lévy ~ Muller-Levy (" in result.reasons(result.pairs)[0]  # as written, not folded


def test_reasons_show_the_two_values_that_are_only_close(tmp_path):
    path = export(tmp_path, ["1,Ann,Lee,ann.lee@example.com,+44 7911 123456,,,Leeds",
                             "2,Ann,Lee,ann.lea@example.com,,07911 123456,,Leeds",  # not a US number; at home
                             "3,Bob,Stone,,+1 202 555 0147,,,Boston", "4,Bob,Stone,,+1 303 555 0147,,,Boston"])
    result = run(path, progress=False)
    ann, bob = result.reasons(result.pairs.sort_values("a"))
    # with the kind of each number, as for a shared one: Ann's mobile is Ann's home phone
    assert "same phone number without country code +44 7911 123456 ~ 7911123456 (mobile ~ home) (" in ann
    assert "nearly the same email ann.lee@example.com ~ ann.lea@example.com (" in ann
    assert "same last 7 phone digits +1 202-555-0147 ~ +1 303-555-0147 (mobile) (" in bob


def test_reasons_name_the_two_values_that_differ(tmp_path):
    # a reviewer sees that both addresses are thaddeus.okonjo@, and which phones differ
    path = export(tmp_path, ["1,Thaddeus,Okonjo,thaddeus.okonjo@me.com,+1 202 555 0147,,,Boston",  # not as icloud.com
                             "2,Thaddeus,Okonjo,t.okonjo@work.example;thaddeus.okonjo@gmx.com,+1 303 555 0188,,,Boston"])
    result = run(path, progress=False)
    (text,) = result.reasons(result.pairs)
    assert "different emails thaddeus.okonjo@me.com / t.okonjo@work.example (" in text
    assert "different phones +1 202-555-0147 / +1 303-555-0188 (" in text


def test_a_placeholder_birth_date_is_no_birth_date(tmp_path):
    # 1900-01-01 or 1970-01-01, written by a system for no date, shared by two namesakes is no sign of one person
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,City,Birth Date\n"
                    "C1,Marcus,Quillfeather,marcus.q@example.com,(415) 555-0142,Springfield,1900-01-01\n"
                    "C2,Marcus,Quillfeather,mq.work@example.org,(415) 555-0199,Springfield,01/01/1900\n"
                    "C3,Pia,Ostrander,pia.o@example.com,(415) 555-0111,Springfield,1970-01-01\n"
                    "C4,Pia,Ostrander,po@example.org,(415) 555-0112,Springfield,01/01/1970\n"
                    "C5,Dana,Orbel,dana.orbel@example.com,(415) 555-0177,Springfield,1990-01-01\n"
                    "C6,Dana,Orbel,d.orbel@example.org,(415) 555-0178,Springfield,1990-01-01\n")
    assert normalize(load(path)).names["birth_date"].tolist() == ["", "", "", "", "19900101", "19900101"]
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "status"] == pairs.loc[(2, 3), "status"] == "review"
    assert pairs.loc[(4, 5), "status"] == "auto"


def test_a_birth_date_the_calendar_has_not_is_no_birth_date(tmp_path):
    # 31/04/1990 (no 31st of April) shared by two namesakes was read as one day and made them one person
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,City,Birth Date\n"
                    "C1,Marcus,Quillfeather,marcus.q@example.com,(415) 555-0142,Springfield,31/04/1990\n"
                    "C2,Marcus,Quillfeather,mq.work@example.org,(415) 555-0199,Springfield,31/04/1990\n"
                    "C3,Pia,Ostrander,pia.o@example.com,(415) 555-0111,Springfield,29/02/1991\n"
                    "C4,Pia,Ostrander,po@example.org,(415) 555-0112,Springfield,29/02/1992\n")
    assert normalize(load(path)).names["birth_date"].tolist() == ["", "", "", "19920229"]
    pairs = run(path, progress=False).pairs.set_index(["a", "b"])
    assert pairs.loc[(0, 1), "birth_date"] == -1 and pairs.loc[(0, 1), "status"] == "review"


def test_a_birth_date_with_a_time_after_it_is_read(tmp_path):
    # a date and time column's export writes the midnight after a birth date: a father and his son of one email
    # and phone, born 32 years apart, are a parent and a child, not one person of no birth date
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Last Name,Email,Phone,City,Birth Date\n"
                    "C1,Robert,Fischer,fischer.family@example.com,(415) 555-0142,Springfield,1960-05-04 00:00:00\n"
                    "C2,Robert,Fischer,fischer.family@example.com,(415) 555-0142,Springfield,08/01/1992 12:00 AM\n")
    assert normalize(load(path)).names["birth_date"].tolist() == ["19600504", "19920801"]
    pair = run(path, progress=False).pairs.set_index(["a", "b"]).loc[(0, 1)]
    assert pair["birth_date"] == 0 and pair["status"] == "review"
