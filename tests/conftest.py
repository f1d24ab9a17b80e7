"""Fixtures shared by the review tests."""

import pytest


@pytest.fixture
def pair_joining_a_group(result):
    """The rows of a pair waiting for review whose first record is in a group of three or more
    (in the module's ``result``): matched, it becomes a link of that group."""
    sizes = result.crosswalk["cluster_id"].value_counts()
    cluster = result.crosswalk["cluster_id"].to_numpy()
    review = result.pairs[result.pairs["status"] == "review"]
    joins = review[(sizes.reindex(cluster[review["a"]]).to_numpy() >= 3)]
    return int(joins["a"].iloc[0]), int(joins["b"].iloc[0])
