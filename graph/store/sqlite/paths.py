"""Shortest introduction path over a neighbour function (pure; the SQLite store feeds it from its tables)."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def _bidirectional_bfs(
    neighbours: Callable[[Sequence[str]], dict[str, set[str]]], source: str, target: str, max_hops: int
) -> list[str] | None:
    """Shortest path by breadth-first search from both ends, expanding the smaller frontier a level at a time.

    When a level touches the other side, the meeting node with the smallest total distance (then smallest id)
    is taken, so the path is a shortest one and the choice is deterministic.
    """
    parents = ({source: None}, {target: None})  # type: tuple[dict[str, str | None], dict[str, str | None]]
    depth = ({source: 0}, {target: 0})
    frontiers = ([source], [target])
    levels = [0, 0]
    while frontiers[0] and frontiers[1] and levels[0] + levels[1] < max_hops:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        other = 1 - side
        adjacency = neighbours(frontiers[side])
        levels[side] += 1
        nxt: list[str] = []
        meets: list[tuple[int, str]] = []
        for node in sorted(frontiers[side]):
            for nb in sorted(adjacency.get(node, ())):
                if nb in parents[side]:
                    continue
                parents[side][nb] = node
                depth[side][nb] = levels[side]
                nxt.append(nb)
                if nb in parents[other]:
                    meets.append((levels[side] + depth[other][nb], nb))
        if meets:
            total, meet = min(meets)
            if total > max_hops:
                return None
            half_s: list[str] = []
            cur: str | None = meet
            while cur is not None:
                half_s.append(cur)
                cur = parents[0][cur]
            half_t: list[str] = []
            cur = parents[1][meet]
            while cur is not None:
                half_t.append(cur)
                cur = parents[1][cur]
            return _smallest_ids_path(neighbours, source, target, len(half_s) + len(half_t) - 1)
        frontiers = (nxt, frontiers[1]) if side == 0 else (frontiers[0], nxt)
    return None


def _smallest_ids_path(
    neighbours: Callable[[Sequence[str]], dict[str, set[str]]], source: str, target: str, length: int
) -> list[str]:
    """Of the shortest paths (``length`` edges), the one whose id sequence is smallest (the contract's tie-break,
    as Neo4j's ``ORDER BY [n IN nodes(route) | n.id]``): distances to ``target`` by a breadth-first search, then
    from ``source`` always the smallest neighbour one step closer."""
    to_target = {target: 0}
    frontier = [target]
    for level in range(1, length):
        adjacency = neighbours(frontier)
        frontier = sorted({nb for node in frontier for nb in adjacency.get(node, ()) if nb not in to_target})
        to_target.update(dict.fromkeys(frontier, level))
    path = [source]
    for step in range(length - 1, -1, -1):
        closer = [nb for nb in neighbours([path[-1]]).get(path[-1], ()) if to_target.get(nb) == step]
        path.append(min(closer))
    return path
