"""The fast backend: a weighted graph as plain arrays, with cached CSR (scipy) and igraph views.

NetworkX is the reference implementation of every measure, but a million-edge NetworkX graph costs seconds to
build and gigabytes to hold, and its pure-Python betweenness, constraint and Louvain take minutes to hours at that
size. So the job builds :class:`ArrayGraph` straight from the projection, and every measure in
``graph.analytics`` accepts either an ``ArrayGraph`` or a NetworkX graph (converted by :func:`as_array_graph`).
Tests compare each fast measure with the NetworkX function it replaces on small graphs.

Conventions: node ``i`` is ``nodes[i]``; an undirected graph stores each edge once (``src < dst``), with repeated
pairs summed; weights are tie *strengths* (bigger = closer). Self-loops are dropped.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel

R = TypeVar("R", bound=BaseModel)


@dataclass(eq=False)
class ArrayGraph:
    """A weighted graph as arrays: ``nodes``, and edges ``src[k] -> dst[k]`` of strength ``weight[k]``."""

    nodes: list[Any]
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    directed: bool = False
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # --- construction --------------------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        nodes: Sequence[Any],
        src: np.ndarray | Sequence[int],
        dst: np.ndarray | Sequence[int],
        weight: np.ndarray | Sequence[float] | None = None,
        *,
        directed: bool = False,
    ) -> ArrayGraph:
        """Coalesce an edge list: self-loops dropped, repeated pairs summed, undirected pairs stored once.

        >>> g = ArrayGraph.from_edges(["a", "b", "c"], [0, 1, 1, 2], [1, 0, 2, 2], [1.0, 2.0, 1.0, 5.0])
        >>> g.edge_count(), g.strength().tolist()
        (2, [3.0, 4.0, 1.0])
        """
        n = len(nodes)
        s = np.asarray(src, dtype=np.int64)
        d = np.asarray(dst, dtype=np.int64)
        w = np.ones(len(s)) if weight is None else np.asarray(weight, dtype=np.float64)
        if not (len(s) == len(d) == len(w)):
            raise ValueError("src, dst and weight must have the same length")
        if len(s) and (min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= n):
            raise ValueError("edge endpoint out of range of nodes")
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise ValueError("edge weights must be finite and non-negative")
        keep = s != d
        s, d, w = s[keep], d[keep], w[keep]
        if not directed:
            s, d = np.minimum(s, d), np.maximum(s, d)
        m = sp.coo_array((w, (s, d)), shape=(n, n)).tocsr()
        m.sum_duplicates()
        coo = m.tocoo()
        return cls(
            list(nodes),
            coo.row.astype(np.int32),
            coo.col.astype(np.int32),
            coo.data.astype(np.float64),
            directed,
        )

    # --- views ---------------------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return len(self.nodes)

    def edge_count(self) -> int:
        return len(self.src)

    def index(self) -> dict[Any, int]:
        if "index" not in self._cache:
            self._cache["index"] = {v: i for i, v in enumerate(self.nodes)}
        return self._cache["index"]

    def adjacency(self) -> sp.csr_array:
        """Square CSR of strengths; symmetric for an undirected graph."""
        if "adj" not in self._cache:
            n = self.n
            if self.directed:
                a = sp.coo_array((self.weight, (self.src, self.dst)), shape=(n, n))
            else:
                a = sp.coo_array(
                    (
                        np.concatenate([self.weight, self.weight]),
                        (np.concatenate([self.src, self.dst]), np.concatenate([self.dst, self.src])),
                    ),
                    shape=(n, n),
                )
            csr = a.tocsr()
            csr.sum_duplicates()
            csr.sort_indices()
            self._cache["adj"] = csr
        return self._cache["adj"]

    def strength(self) -> np.ndarray:
        """Weighted degree (sum of incident strengths; out-strength plus in-strength when directed)."""
        a = self.adjacency()
        out = np.asarray(a.sum(axis=1)).ravel()
        if self.directed:
            out = out + np.asarray(a.sum(axis=0)).ravel()
        return out

    def degree(self) -> np.ndarray:
        """Number of neighbours (undirected view)."""
        a = self.to_undirected().adjacency()
        return np.diff(a.indptr).astype(np.int64)

    def igraph(self) -> Any:
        """The same graph as an ``igraph.Graph`` (weights in the ``weight`` edge attribute)."""
        if "igraph" not in self._cache:
            import igraph as ig

            # a list of tuples builds three times faster than a numpy array here
            g = ig.Graph(n=self.n, edges=list(zip(self.src.tolist(), self.dst.tolist(), strict=True)),
                         directed=self.directed)
            g.es["weight"] = self.weight.tolist()
            self._cache["igraph"] = g
        return self._cache["igraph"]

    def to_undirected(self) -> ArrayGraph:
        if not self.directed:
            return self
        return ArrayGraph.from_edges(self.nodes, self.src, self.dst, self.weight, directed=False)

    def to_networkx(self) -> nx.Graph:
        """The reference representation (for tests and small graphs)."""
        g: nx.Graph = nx.DiGraph() if self.directed else nx.Graph()
        g.add_nodes_from(self.nodes)
        g.add_weighted_edges_from(
            (self.nodes[s], self.nodes[d], float(w)) for s, d, w in zip(self.src, self.dst, self.weight, strict=True)
        )
        return g


def as_array_graph(graph: nx.Graph | ArrayGraph, weight: str | None = "weight") -> ArrayGraph:
    """Accept a NetworkX graph or an :class:`ArrayGraph`; missing weights count as 1.

    >>> g = as_array_graph(nx.path_graph(3))
    >>> g.nodes, g.edge_count()
    ([0, 1, 2], 2)
    """
    if isinstance(graph, ArrayGraph):
        return graph
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"expected a networkx graph or ArrayGraph, got {type(graph).__name__}")
    if graph.is_multigraph():
        raise nx.NetworkXNotImplemented("multigraphs are not supported; sum parallel edges first")
    nodes: list[Hashable] = list(graph)
    idx = {v: i for i, v in enumerate(nodes)}
    m = graph.number_of_edges()
    src = np.empty(m, dtype=np.int64)
    dst = np.empty(m, dtype=np.int64)
    w = np.empty(m, dtype=np.float64)
    for k, (u, v, data) in enumerate(graph.edges(data=True)):
        src[k] = idx[u]
        dst[k] = idx[v]
        w[k] = 1.0 if weight is None else float(data.get(weight, 1.0))
    return ArrayGraph.from_edges(nodes, src, dst, w, directed=graph.is_directed())




def trusted(cls: type[R], **values: Any) -> R:
    """A schema record built from values computed here, already of the right types: no re-validation.

    The analytics emit millions of records (ties, evidence, scores); pydantic validation costs about 7 us each and
    ``model_construct`` 9 us, this 4 us. Every field must be given. The tests check that records built this way
    equal validated ones.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


__all__ = ["ArrayGraph", "as_array_graph", "trusted"]
