"""The network around a person or a community, laid out with NetworkX and drawn as inline SVG on the server.

Layout: Fruchterman-Reingold force-directed placement (``networkx.spring_layout``, seeded so the same graph
draws the same way). Nodes are links to the person's page (keyboard-focusable), coloured by department with a
legend; edge width follows interaction weight. Under the drawing, the same people and their strongest ties as a
table (collapsed), which a screen reader reads and a keyboard walks without 60 stops in no spatial order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import networkx as nx
from markupsafe import Markup, escape

W, H, PAD = 900, 560, 40
PALETTE = ["#1f5fa8", "#a34000", "#2e7d32", "#7b1fa2", "#c62828", "#00838f", "#6d4c41", "#ad1457"]
OTHER = "#757575"


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    group: str | None  # department


def keep_strongest(edges: Sequence[tuple[str, str, float]], limit: int, must: str | None = None) -> set[str]:
    """The ``limit`` people with the largest weighted degree (``must`` always kept)."""
    strength: defaultdict[str, float] = defaultdict(float)
    for a, b, w in edges:
        strength[a] += w
        strength[b] += w
    chosen = {n for n, _ in sorted(strength.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]}
    if must is not None:
        chosen.add(must)
    return chosen


def name_box(x: float, y: float, r: float, name: str) -> tuple[tuple[float, float, float, float], bool]:
    """Where a name sits beside its circle: (box, on the left). Right of the circle, unless the name would run past
    the drawing's right edge (a person placed there read "user 9" cut to "user"): then left of it, ending at it.

    >>> name_box(100, 50, 4, "Ann")
    ((105, 42, 127, 55), False)
    >>> name_box(W - 45, 50, 4, "Person Number 9")[1]
    True
    """
    width = 4 + 6 * len(name)
    if x + r + 1 + width > W:
        return (x - r - 1 - width, y - 8, x - r - 1, y + 5), True
    return (x + r + 1, y - 8, x + r + 1 + width, y + 5), False


def _names_that_fit(order: Sequence[str], at: Mapping[str, tuple[float, float, float]],
                    names: Mapping[str, str]) -> set[str]:
    """Who gets a printed name: in ``order`` (centre, then most connected), skipping a name whose box would overlap
    one already placed (names are 10 px text, about 6 px a character, beside the circle at ``at`` = (x, y, r):
    :func:`name_box`).

    >>> sorted(_names_that_fit(["a", "b", "c"], {"a": (0, 0, 4), "b": (10, 2, 4), "c": (0, 40, 4)},
    ...                        {"a": "Ann", "b": "Bob", "c": "Cy"}))
    ['a', 'c']
    """
    placed: list[tuple[float, float, float, float]] = []
    shown: set[str] = set()
    for n in order:
        box, _ = name_box(*at[n], names[n])
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        shown.add(n)
    return shown


def person_href(person_id: str) -> str:
    """The person page's address for ``person_id``, quoted as the templates' ``q`` filter does: an id's local part
    may hold ``?``, ``#``, ``/`` or ``%``, which unquoted would link to another page or another person.

    >>> person_href("jsonl:ana?x#1/../2%")
    '/people/jsonl%3Aana%3Fx%231%2F..%2F2%25'
    """
    return "/people/" + quote(person_id, safe="")


def draw_network(nodes: Mapping[str, Node], edges: Sequence[tuple[str, str, float]], centre: str | None = None,
                 title: str = "Network", labels: int = 18) -> tuple[Markup, list[tuple[str, str]]]:
    """(SVG, legend as (colour, department)) for the graph of ``nodes`` and the ``edges`` between them."""
    g = nx.Graph()
    g.add_nodes_from(nodes)
    for a, b, w in edges:
        if a in nodes and b in nodes and a != b:
            g.add_edge(a, b, weight=g.get_edge_data(a, b, {"weight": 0.0})["weight"] + w)
    if g.number_of_nodes() == 0:
        return Markup('<p class="empty">No interactions to draw.</p>'), []
    pos = nx.spring_layout(g, seed=42, weight="weight", k=1.6 / max(g.number_of_nodes(), 1) ** 0.5)
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)

    def sx(v: float) -> float:
        return PAD + (W - 2 * PAD) * ((v - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def sy(v: float) -> float:
        return PAD + (H - 2 * PAD) * ((v - y0) / (y1 - y0) if y1 > y0 else 0.5)

    groups = Counter(n.group for n in nodes.values() if n.group)
    colours = {grp: PALETTE[i] for i, (grp, _) in enumerate(groups.most_common(len(PALETTE)))}
    strength = dict(g.degree(weight="weight"))
    top_w = max((d["weight"] for _, _, d in g.edges(data=True)), default=1.0) or 1.0
    # a circle's size is its ties drawn, as the caption and its tooltip say; sized by decayed strength, someone
    # tied to every other person drawn (the centre, on a real forum) came out smaller than people with fewer but
    # more recent ties. Recency shows in the lines' thickness.
    drawn = dict(g.degree())
    top_d = max(drawn.values(), default=1) or 1
    strongest = sorted(g.nodes, key=lambda n: (-strength[n], n))[:labels]
    named = _names_that_fit(
        ([centre] if centre is not None and centre in g else []) + [n for n in strongest if n != centre],
        {n: (sx(pos[n][0]), sy(pos[n][1]), 4 + 8 * (drawn[n] / top_d) ** 0.5) for n in g.nodes},
        {n: nodes[n].name for n in g.nodes},
    )
    parts: list[str] = []
    names: list[str] = []  # drawn after every circle, so no circle hides a name
    for a, b, d in g.edges(data=True):
        width = 0.6 + 3.0 * d["weight"] / top_w
        parts.append(f'<line x1="{sx(pos[a][0]):.1f}" y1="{sy(pos[a][1]):.1f}" x2="{sx(pos[b][0]):.1f}" '
                     f'y2="{sy(pos[b][1]):.1f}" stroke="#8a8a8a" stroke-opacity="0.7" stroke-width="{width:.2f}"/>')
    for n in sorted(g.nodes, key=lambda n: (drawn[n], strength[n])):
        node = nodes[n]
        x, y = sx(pos[n][0]), sy(pos[n][1])
        r = 4 + 8 * (drawn[n] / top_d) ** 0.5
        fill = colours.get(node.group or "", OTHER)
        ring = ' stroke="#1a1a1a" stroke-width="3"' if n == centre else ' stroke="#fff" stroke-width="1"'
        tip = f"{node.name} ({node.group or 'no department'}), {drawn[n]} {'tie' if drawn[n] == 1 else 'ties'} drawn"
        if n in named:  # the name links too, but only the circle takes keyboard focus and is announced
            left = name_box(x, y, r, node.name)[1]
            at = f'x="{x - r - 3:.1f}" y="{y + 3:.1f}" text-anchor="end"' if left else \
                f'x="{x + r + 3:.1f}" y="{y + 3:.1f}"'
            names.append(f'<a href="{person_href(n)}" tabindex="-1" aria-hidden="true"><text {at} '
                         f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(node.name)}</text></a>')
        parts.append(f'<a href="{person_href(n)}" aria-label="{escape(tip)}"><circle cx="{x:.1f}" cy="{y:.1f}" '
                     f'r="{r:.1f}" fill="{fill}"{ring}><title>{escape(tip)}</title></circle></a>')
    svg = (f'<svg class="network" viewBox="0 0 {W} {H}" role="group" aria-label="{escape(title)}">'
           f'{"".join(parts)}<g class="names">{"".join(names)}</g></svg>') + _people_table(g, nodes, centre, title)
    legend = [(c, grp) for grp, c in colours.items()]
    if any(n.group not in colours for n in nodes.values()):
        legend.append((OTHER, "other or no department"))
    return Markup(svg), legend


def _people_table(g: nx.Graph, nodes: Mapping[str, Node], centre: str | None, title: str, ties: int = 3) -> str:
    """The drawing's people as rows (the centre first, then by ties drawn, the column shown, then by weight):
    department, ties drawn and whom each talks with most, the drawing's content for someone who cannot see where
    circles and lines are."""
    def strength(n: str) -> float:
        return float(sum(d["weight"] for _, _, d in g.edges(n, data=True)))

    order = sorted(g.nodes, key=lambda n: (n != centre, -g.degree(n), -strength(n), nodes[n].name, n))
    rows = []
    for n in order:
        near = sorted(g[n], key=lambda m: (-g[n][m]["weight"], nodes[m].name, m))[:ties]
        most = ", ".join(f"<bdi>{escape(nodes[m].name)}</bdi>" for m in near) or "–"
        rows.append(f'<tr><td><a href="{person_href(n)}"><bdi>{escape(nodes[n].name)}</bdi></a></td>'
                    f'<td><bdi>{escape(nodes[n].group or "–")}</bdi></td><td class="n">{g.degree(n)}</td>'
                    f"<td>{most}</td></tr>")
    return (f'<details class="figures"><summary>The {len(order)} people as a table<span class="visually-hidden">: '
            f'{escape(title)}</span></summary><div class="table-scroll" role="region" tabindex="0" '
            f'aria-label="People of the drawing, table"><table><thead><tr><th scope="col">Person</th>'
            f'<th scope="col">Department</th><th scope="col" class="n">Ties drawn</th><th scope="col">Talks most with'
            f'</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></details>')


__all__ = ["Node", "draw_network", "keep_strongest", "person_href"]
