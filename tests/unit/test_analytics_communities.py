"""Community detection recovers known partitions (karate club, planted SBM) and agrees with NetworkX Louvain."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.analytics.communities import describe_communities, detect_communities, normalized_mutual_information

KARATE_NMI_FLOOR = 0.5  # modularity optimisers split the two factions into ~4 groups; NMI vs factions ~0.59
SBM_NMI_FLOOR = 0.95


def _labels_from_sets(sets: list[set]) -> dict:
    return {v: i for i, c in enumerate(sets) for v in c}


@pytest.mark.parametrize("seed", range(5))
def test_karate_club_factions_recovered(seed: int) -> None:
    g = nx.karate_club_graph()
    truth = {v: g.nodes[v]["club"] for v in g}
    labels = detect_communities(g, seed=seed)
    assert normalized_mutual_information(labels, truth) >= KARATE_NMI_FLOOR
    louvain = _labels_from_sets(nx.community.louvain_communities(g, seed=seed))
    assert normalized_mutual_information(labels, louvain) >= 0.8


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_sbm_recovered(seed: int) -> None:
    sizes = [60, 50, 40, 30, 20]
    probs = [[0.25 if i == j else 0.01 for j in range(5)] for i in range(5)]
    g = nx.stochastic_block_model(sizes, probs, seed=seed)
    truth = {v: g.nodes[v]["block"] for v in g}
    labels = detect_communities(g, seed=seed)
    assert normalized_mutual_information(labels, truth) >= SBM_NMI_FLOOR
    louvain = _labels_from_sets(nx.community.louvain_communities(g, seed=seed))
    assert normalized_mutual_information(louvain, truth) >= SBM_NMI_FLOOR


def test_seeded_and_labelled_by_size() -> None:
    g = nx.les_miserables_graph()
    a = detect_communities(g, seed=3)
    assert a == detect_communities(g, seed=3)
    sizes = [sum(1 for v in a if a[v] == k) for k in range(max(a.values()) + 1)]
    assert sizes == sorted(sizes, reverse=True)


def test_min_size_marks_small_groups() -> None:
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(2))
    labels = detect_communities(g, min_size=3)
    assert [labels[i] for i in range(7)] == [0] * 5 + [-1, -1]


def test_nmi_hand_computed() -> None:
    a = {1: "x", 2: "x", 3: "y", 4: "y"}
    assert normalized_mutual_information(a, {1: 5, 2: 5, 3: 6, 4: 6}) == 1.0
    # b splits nodes across a's groups evenly: no information
    assert normalized_mutual_information(a, {1: 0, 2: 1, 3: 0, 4: 1}) == pytest.approx(0.0)
    rng = random.Random(0)
    noise = {v: rng.randrange(10) for v in range(2000)}
    other = {v: rng.randrange(10) for v in range(2000)}
    assert normalized_mutual_information(noise, other) < 0.02
    with pytest.raises(ValueError, match="same nodes"):
        normalized_mutual_information({1: 0}, {2: 0})


def test_describe_communities_shares() -> None:
    labels = {"a": 0, "b": 0, "c": 0, "d": 1, "e": -1}
    memberships = [("a", "guild"), ("b", "guild"), ("c", "chess"), ("d", "chess"), ("e", "guild")]
    skills = [("a", "python"), ("a", "python"), ("b", "go"), ("d", "go")]
    out = {d.id: d for d in describe_communities(labels, memberships, skills, top=2)}
    assert set(out) == {"dc-0", "dc-1"}
    assert out["dc-0"].size == 3
    assert out["dc-0"].declared == (("guild", round(2 / 3, 4)), ("chess", round(1 / 3, 4)))
    assert out["dc-0"].skills == (("go", round(1 / 3, 4)), ("python", round(1 / 3, 4)))
    assert out["dc-1"].declared == (("chess", 1.0),)


def test_preconditions() -> None:
    with pytest.raises(ValueError, match="resolution"):
        detect_communities(nx.path_graph(3), resolution=0)
    assert detect_communities(nx.Graph()) == {}
