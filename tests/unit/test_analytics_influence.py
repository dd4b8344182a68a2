"""Influence measures against NetworkX's own PageRank on graphs with known structure."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph.analytics.backend import ArrayGraph, as_array_graph
from graph.analytics.influence import pagerank, personalized_pagerank, weighted_degree


def _close(a: dict, b: dict, tol: float = 1e-7) -> None:
    assert a.keys() == b.keys()
    worst = max(abs(a[k] - b[k]) for k in a)
    assert worst < tol, worst


def test_pagerank_matches_networkx_on_weighted_karate() -> None:
    g = nx.karate_club_graph()
    _close(pagerank(g, tol=1e-12), nx.pagerank(g, tol=1e-12))


def test_pagerank_matches_networkx_on_directed_graph_with_dangling_nodes() -> None:
    g = nx.gnp_random_graph(80, 0.04, seed=3, directed=True)
    assert any(g.out_degree(v) == 0 for v in g)  # dangling nodes exercised
    _close(pagerank(g, tol=1e-12), nx.pagerank(g, tol=1e-12))


def test_pagerank_of_array_graph_equals_its_networkx_view() -> None:
    rng = np.random.default_rng(1)
    ag = ArrayGraph.from_edges([f"p{i}" for i in range(50)], rng.integers(0, 50, 300), rng.integers(0, 50, 300),
                               rng.random(300) + 0.1)
    _close(pagerank(ag, tol=1e-12), nx.pagerank(ag.to_networkx(), tol=1e-12))


def test_personalized_pagerank_matches_networkx_per_scope() -> None:
    g = nx.karate_club_graph()
    seeds = {"left": {0: 1.0, 1: 2.0}, "right": {33: 1.0}, "nowhere": {"ghost": 1.0}}
    got = personalized_pagerank(g, seeds, top=None, tol=1e-12)
    assert set(got) == {"left", "right"}  # a scope whose seeds are not in the graph is left out
    for scope in ("left", "right"):
        ref = nx.pagerank(g, personalization=seeds[scope], tol=1e-12)
        _close(dict(got[scope]), ref)
        assert [v for v, _ in got[scope]] == sorted(ref, key=lambda v: (-ref[v], v))


def test_personalized_pagerank_keeps_top_k_in_order() -> None:
    g = nx.barabasi_albert_graph(300, 3, seed=2)
    got = personalized_pagerank(g, {"s": {5: 1.0, 6: 1.0}}, top=10)["s"]
    ref = nx.pagerank(g, personalization={5: 1.0, 6: 1.0}, tol=1e-10)
    assert len(got) == 10
    assert [v for v, _ in got] == sorted(ref, key=lambda v: -ref[v])[:10]


def test_personalized_pagerank_blocks_give_same_result_as_one_by_one() -> None:
    g = nx.les_miserables_graph()
    nodes = sorted(g)
    seeds = {f"s{i}": {nodes[i]: 1.0} for i in range(9)}
    together = personalized_pagerank(g, seeds, top=5, block=4)
    for scope, s in seeds.items():
        alone = personalized_pagerank(g, {scope: s}, top=5)[scope]
        assert [v for v, _ in together[scope]] == [v for v, _ in alone]
        assert [x for _, x in together[scope]] == pytest.approx([x for _, x in alone], abs=1e-6)


def test_weighted_degree_matches_networkx() -> None:
    g = nx.les_miserables_graph()
    assert weighted_degree(g) == pytest.approx(dict(g.degree(weight="weight")))


def test_preconditions() -> None:
    g = nx.path_graph(3)
    with pytest.raises(ValueError, match="alpha"):
        pagerank(g, alpha=1.0)
    with pytest.raises(ValueError, match="negative"):
        pagerank(g, personalization={0: -1.0})
    with pytest.raises(ValueError, match="top"):
        personalized_pagerank(g, {"s": {0: 1}}, top=0)
    with pytest.raises(TypeError):
        as_array_graph({"not": "a graph"})  # type: ignore[arg-type]
    assert pagerank(nx.Graph()) == {}


def test_float32_with_loose_tolerance_keeps_the_top() -> None:
    g = nx.barabasi_albert_graph(3000, 4, seed=7)
    rng = np.random.default_rng(0)
    seeds = {f"s{k}": {int(v): 1.0 for v in rng.choice(3000, 30, replace=False)} for k in range(5)}
    exact = personalized_pagerank(g, seeds, top=100, tol=1e-12)
    fast = personalized_pagerank(g, seeds, top=100, tol=1e-3 / 3000, dtype=np.float32)
    for scope in seeds:
        overlap = {v for v, _ in exact[scope]} & {v for v, _ in fast[scope]}
        assert len(overlap) >= 97
