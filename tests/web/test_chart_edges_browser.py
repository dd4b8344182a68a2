"""Labels stay inside their drawings, measured in Debian's chromium with the pages' own stylesheet.

On a real export (bicycles.meta, a person page) the activity chart's last date, the first of a new year, was
centred under its tick at the right edge and read "22 Jan 20"; in a community's network a person drawn at the right
edge had their name cut ("user 9" read "user"). Each text's box, as the browser lays it out, must lie within its
SVG's viewBox.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from app.web import charts
from app.web.charts import Point, week_chart
from app.web.network import Node, W, draw_network

OUTSIDE = """() => [...document.querySelectorAll('svg')].flatMap(svg => {
  const box = svg.getBoundingClientRect();  // the viewBox as drawn (width 100 %, height auto: no letterbox)
  return [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();  // after any transform (the rotated axis title)
    return {text: t.textContent, left: r.left - box.left, right: r.right - box.left, width: box.width};
  }).filter(b => b.left < -0.5 || b.right > b.width + 0.5);
})"""


def _outside(browser_context: Any, drawings: list[Markup]) -> list[dict[str, Any]]:
    css = (Path(charts.__file__).parent / "static" / "web.css").read_text(encoding="utf-8")
    page = browser_context.new_page()
    try:
        page.set_content(f"<!doctype html><html><head><style>{css}</style></head><body><main>"
                         + "".join(drawings) + "</main></body></html>")
        return list(page.evaluate(OUTSIDE))
    finally:
        page.close()


def test_dates_at_the_ends_of_a_chart_stay_inside_it(browser_context: Any) -> None:
    start = date(2023, 7, 31)  # 26 weeks to 22 Jan 2024: the last label is at the last week and carries its year
    charts = []
    for n in (4, 8, 13, 26, 27, 52):
        points = [Point(start + timedelta(weeks=i), float(i % 3)) for i in range(n)]
        charts.append(week_chart(points, title=f"{n} weeks", unit="posts", chart_id=f"c{n}", integer=True))
    assert _outside(browser_context, charts) == []
    assert 'text-anchor="end"' in str(charts[3]), "the 26-week chart's last date ends at the edge"


def test_names_at_the_right_edge_of_a_network_stay_inside_it(browser_context: Any) -> None:
    n = 60
    nodes = {f"x:{i}": Node(f"x:{i}", f"user {1000 + i * 37}", None) for i in range(n)}
    edges = [(f"x:{i}", f"x:{j}", 1.0) for i in range(n) for j in range(i + 1, n) if (i * j) % 7 == 1]
    svg, _ = draw_network(nodes, edges, centre="x:0", labels=60)
    assert _outside(browser_context, [svg]) == [], W
    assert 'text-anchor="end"' in str(svg), "the premise: some name at the right edge is set to its circle's left"
