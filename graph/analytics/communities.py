"""Communities: detection (Leiden, seeded), description against declared communities and skills, and NMI.

Leiden optimises the same modularity as NetworkX's Louvain but guarantees connected communities. igraph's own C
implementation (``Graph.community_leiden``) is used: on a 200,000-tie projection it ran in about 1 s where the
``leidenalg`` package took 17 s, with the same modularity. Its random choices come from a ``random.Random(seed)``
handed to igraph for the call only, so one seed gives one partition. The tests compare it with NetworkX's Louvain
by NMI.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx

from graph.analytics.backend import ArrayGraph, as_array_graph
from schema.models import DetectedCommunity


def detect_communities(
    graph: nx.Graph | ArrayGraph,
    *,
    seed: int = 42,
    resolution: float = 1.0,
    weight: str | None = "weight",
    min_size: int = 1,
) -> dict[Hashable, int]:
    """Partition the nodes into communities by maximising modularity with the Leiden algorithm.

    Labels are renumbered by size (0 is the largest community; ties by smallest node position), so one seed
    gives one labelling. Nodes of communities smaller than ``min_size`` get label -1 (no community).

    Parameters
    ----------
    resolution : float
        The modularity resolution (gamma); above 1 gives smaller communities.

    Returns
    -------
    dict
        Node -> community label.

    References
    ----------
    .. [1] Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing well-connected
       communities. Scientific Reports 9, 5233.
    .. [2] Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E. (2008). Fast unfolding of communities in
       large networks. J. Stat. Mech. P10008.
    .. [3] Newman, M. E. J. (2006). Modularity and community structure in networks. PNAS 103(23), 8577-8582.

    Examples
    --------
    >>> g = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3))
    >>> labels = detect_communities(g)
    >>> [labels[i] for i in range(7)]
    [0, 0, 0, 0, 1, 1, 1]
    """
    if resolution <= 0:
        raise ValueError(f"resolution must be positive, got {resolution}")
    import igraph

    g = as_array_graph(graph, weight).to_undirected()
    if g.n == 0:
        return {}
    ig = g.igraph()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        part = ig.community_leiden(
            objective_function="modularity",
            weights="weight" if g.edge_count() else None,
            resolution=resolution,
            n_iterations=2,  # two passes: on the demo org within 1e-5 of the converged modularity, 25% faster
        )
    finally:
        igraph.set_random_number_generator(random)
    membership = list(part.membership)
    size = Counter(membership)
    first: dict[int, int] = {}
    for i, c in enumerate(membership):
        first.setdefault(c, i)
    order = sorted(size, key=lambda c: (-size[c], first[c]))
    relabel = {c: k for k, c in enumerate(order)}
    return {
        g.nodes[i]: (relabel[c] if size[c] >= min_size else -1) for i, c in enumerate(membership)
    }


def normalized_mutual_information(a: Mapping[Hashable, Hashable], b: Mapping[Hashable, Hashable]) -> float:
    """NMI of two labellings of the same nodes, normalised by the arithmetic mean of the entropies.

    1 for identical partitions (up to renaming), near 0 for independent ones.

    References
    ----------
    .. [1] Danon, L., Díaz-Guilera, A., Duch, J. & Arenas, A. (2005). Comparing community structure
       identification. J. Stat. Mech. P09008.

    Examples
    --------
    >>> normalized_mutual_information({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    1.0
    """
    if set(a) != set(b):
        raise ValueError("both labellings must cover the same nodes")
    n = len(a)
    if n == 0:
        raise ValueError("empty labelling")
    joint = Counter((a[v], b[v]) for v in a)
    ca = Counter(a.values())
    cb = Counter(b.values())

    def entropy(c: Counter) -> float:
        return -sum(k / n * math.log(k / n) for k in c.values())

    ha, hb = entropy(ca), entropy(cb)
    if ha == 0 and hb == 0:
        return 1.0
    mi = sum(k / n * math.log(k * n / (ca[x] * cb[y])) for (x, y), k in joint.items())
    return max(0.0, min(1.0, 2 * mi / (ha + hb)))


def describe_communities(
    labels: Mapping[str, int],
    memberships: Iterable[tuple[str, str]],
    skills: Iterable[tuple[str, str]],
    *,
    top: int = 5,
    prefix: str = "dc-",
) -> list[DetectedCommunity]:
    """Size, main declared communities and main skills of each detected community.

    Parameters
    ----------
    labels : mapping
        Person id -> detected label (from :func:`detect_communities`; -1 means none and is skipped).
    memberships, skills : iterables of (person id, community id) and (person id, skill)
        Declared memberships and skills (declared or demonstrated), each pair counted once.

    Returns
    -------
    list of DetectedCommunity
        Ids ``dc-<label>``; ``declared`` and ``skills`` hold the ``top`` (id, share of members) pairs, by share.

    Examples
    --------
    >>> [d.declared for d in describe_communities({"a": 0, "b": 0}, [("a", "c1"), ("b", "c1")], [])]
    [(('c1', 1.0),)]
    """
    by_label: dict[int, list[str]] = defaultdict(list)
    for person, label in labels.items():
        if label >= 0:
            by_label[label].append(person)
    declared: dict[int, Counter] = defaultdict(Counter)
    for person, community in set(memberships):
        label = labels.get(person, -1)
        if label >= 0:
            declared[label][community] += 1
    skilled: dict[int, Counter] = defaultdict(Counter)
    for person, skill in set(skills):
        label = labels.get(person, -1)
        if label >= 0:
            skilled[label][skill] += 1

    def shares(counter: Counter, size: int) -> tuple[tuple[str, float], ...]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return tuple((k, round(v / size, 4)) for k, v in ranked)

    return [
        DetectedCommunity(
            id=f"{prefix}{label}",
            size=len(people),
            declared=shares(declared[label], len(people)),
            skills=shares(skilled[label], len(people)),
        )
        for label, people in sorted(by_label.items())
    ]


__all__ = ["describe_communities", "detect_communities", "normalized_mutual_information"]
