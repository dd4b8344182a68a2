"""Charts and the network drawing read cleanly: no bare axes for a figure no week has, no name under a circle or
over another name."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.web.charts import Point, week_chart
from app.web.network import Node, draw_network


def test_a_figure_no_week_has_is_said_not_drawn_as_bare_axes() -> None:
    """A Stack Exchange forum has no managers: 'Leader participation' was a frame of empty axes with no word why."""
    start = date(2015, 1, 26)
    points = [Point(start + timedelta(weeks=i), None) for i in range(6)]
    out = str(week_chart(points, title="Leader participation", unit="managers active", kind="line", percent=True))
    assert "<svg" not in out
    assert "No week has a figure" in out
    said = week_chart(points, title="t", unit="u", empty="No week has a figure: no manager is known.")
    assert "no manager is known" in str(said)
    # one withheld week is still a chart: the hatching says where the figure is
    points[2] = Point(points[2].day, None, withheld=True)
    assert "<svg" in str(week_chart(points, title="t", unit="u", kind="line", percent=True))


def test_network_names_sit_on_top_and_never_overlap() -> None:
    """Names were drawn with each circle, so a bigger circle drawn later hid the names under it, and close people's
    names ran into each other."""
    n = 40
    nodes = {f"x:{i}": Node(f"x:{i}", f"Person Number {i}", "Engineering" if i % 2 else "Sales") for i in range(n)}
    edges = [(f"x:{i}", f"x:{j}", 1.0 + (i * j) % 5) for i in range(n) for j in range(i + 1, n) if (i + j) % 3]
    svg, _ = draw_network(nodes, edges, centre="x:0", labels=30)
    out = str(svg)
    assert out.rfind("<circle") < out.find("<text"), "every name comes after every circle"
    boxes = []
    for x, y, name in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', out):
        boxes.append((float(x) - 2, float(y) - 11, float(x) + 6 * len(name), float(y) + 2))
    assert "Person Number 0" in out, "the centre is always named"
    assert 3 <= len(boxes) <= 30
    for i, p in enumerate(boxes):
        for q in boxes[i + 1:]:
            assert not (p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]), (p, q)


def test_network_links_quote_the_person_id() -> None:
    """An id's local part may hold '?', '#', '/' or '%' (a forum handle, an HR export's id): the network linked to
    ``/people/jsonl:ana?x#1`` unquoted, which opens the page of ``jsonl:ana`` (another person) or none."""
    odd = "jsonl:ana?x#1/../2%"
    nodes = {odd: Node(odd, "Ana", "Sales"), "hr:E1": Node("hr:E1", "Bo", "Sales")}
    out = str(draw_network(nodes, [(odd, "hr:E1", 1.0)], centre=odd)[0])
    hrefs = set(re.findall(r'href="([^"]*)"', out))
    assert hrefs == {"/people/jsonl%3Aana%3Fx%231%2F..%2F2%25", "/people/hr%3AE1"}
