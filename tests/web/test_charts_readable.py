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
    out = str(svg).split("</svg>")[0]  # the drawing, without the table of its people under it
    assert out.rfind("<circle") < out.find("<text"), "every name comes after every circle"
    boxes = []
    for x, y, end, name in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"( text-anchor="end")?[^>]*>([^<]*)</text>', out):
        left = float(x) - 6 * len(name) if end else float(x)  # a name near the right edge ends at its circle
        boxes.append((left - 2, float(y) - 11, left + 6 * len(name), float(y) + 2))
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


def test_every_chart_has_its_weeks_as_a_table_a_screen_reader_reads() -> None:
    """A chart was an ``role="img"`` with a one-line summary (latest and highest week): the week-by-week figures
    were only in hover tooltips, which no keyboard reaches and ``role="img"`` hides from screen readers."""
    start = date(2026, 1, 5)
    points = [Point(start + timedelta(weeks=i), [3.0, None, 7.0, 1.0][i], withheld=i == 3) for i in range(4)]
    for kind in ("bar", "line"):
        out = str(week_chart(points, title="Posts per week", unit="posts", kind=kind, integer=True))
        table = out[out.index("</svg>"):]
        assert "<details" in table
        assert "<summary>" in table
        rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="n">(.*?)</td></tr>', table)
        assert [day for day, _ in rows] == ["5 Jan 2026", "12 Jan 2026", "19 Jan 2026", "26 Jan 2026"]
        cells = [re.sub(r"<[^>]+>", "", cell) for _, cell in rows]
        assert cells == ["3", "no data", "7", "withheld"]  # a withheld week never shows a value
        assert '<th scope="col" class="n">Posts</th>' in table


def test_the_network_drawing_has_its_people_and_ties_as_a_table() -> None:
    """The drawing was its circles only: who talks with whom was in the picture and nowhere a screen reader reads."""
    nodes = {"x:a": Node("x:a", "Ann", "Sales"), "x:b": Node("x:b", "Bo", None), "x:c": Node("x:c", "Cy", "Sales"),
             "x:d": Node("x:d", "Di", "Data")}
    edges = [("x:a", "x:b", 5.0), ("x:a", "x:c", 1.0), ("x:b", "x:c", 2.0)]
    out = str(draw_network(nodes, edges, centre="x:c")[0])
    table = out[out.index("</svg>"):]
    rows = re.findall(r"<tr><td><a [^>]*><bdi>(\w+)</bdi></a></td><td><bdi>([^<]*)</bdi></td>"
                      r'<td class="n">(\d+)</td><td>(.*?)</td></tr>', table)
    names = [(name, dept, ties, re.sub(r"<[^>]+>", "", most)) for name, dept, ties, most in rows]
    # the centre first, then by ties drawn, then by weight; each one's ties strongest first
    assert names == [("Cy", "Sales", "2", "Bo, Ann"), ("Bo", "–", "2", "Ann, Cy"), ("Ann", "Sales", "2", "Bo, Cy"),
                     ("Di", "Data", "0", "–")]
    assert 'role="region" tabindex="0"' in table
