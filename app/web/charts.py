"""Charts as inline SVG, drawn on the server: weekly series with axes and dates, and small ratio bars.

Pure functions from numbers to markup (no I/O, no JavaScript), so pages work on a closed network and with scripts
off. A withheld point (a figure over fewer people than the privacy minimum) is drawn as a hatched, labelled gap,
never as a value; a missing one (no data that week) is simply not drawn. Every chart comes with its figures as a
table under it (collapsed), the equivalent a screen reader, a keyboard or a phone's small print can read (WCAG 1.1.1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 14, 46
BAR = "#1f5fa8"
LINE = "#a34000"
AXIS = "#444"
GRID = "#d9d9d9"
NO_FIGURE = "No week has a figure for this yet."
TICK_CHAR = 8.5  # px a character of a 13 px tick label takes at most (a digit is about 8.3)


@dataclass(frozen=True)
class Point:
    """One week's figure: a value, nothing (no data), or withheld (privacy)."""

    day: date
    value: float | None
    withheld: bool = False


def nice_ticks(high: float, count: int = 4, integer: bool = False) -> list[float]:
    """Round tick values from 0 to at least ``high`` (whole steps for counts when ``integer``).

    >>> nice_ticks(37)
    [0.0, 10.0, 20.0, 30.0, 40.0]
    >>> nice_ticks(0.83)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> nice_ticks(0)
    [0.0, 1.0]
    >>> nice_ticks(2, integer=True), nice_ticks(9, integer=True)
    ([0.0, 1.0, 2.0], [0.0, 5.0, 10.0])
    """
    if high <= 0:
        return [0.0, 1.0]
    raw = max(high / count, 1.0) if integer else high / count
    mag = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)  # no 2.5 people
    step = next(m * mag for m in steps if m * mag >= raw)
    n = math.ceil(high / step - 1e-9)
    return [float(round(i * step, 10)) for i in range(n + 1)]


def date_label(day: date, previous: date | None) -> str:
    """'5 Jan', with the year when it changes or on the first label.

    >>> date_label(date(2026, 1, 5), None), date_label(date(2026, 2, 2), date(2026, 1, 5))
    ('5 Jan 2026', '2 Feb')
    """
    text = f"{day.day} {day.strftime('%b')}"
    return f"{text} {day.year}" if previous is None or previous.year != day.year else text


def label_place(cx: float, text: str) -> tuple[float, str]:
    """Where a date under the x axis goes: centred under its tick, unless it would run past the drawing's edge (a
    26-week chart's last label, with its year, read "22 Jan 20"), then ending (or starting) at that edge.

    >>> label_place(300, "2 Oct")
    (300, 'middle')
    >>> label_place(WIDTH - 20, "22 Jan 2024")
    (558, 'end')
    >>> label_place(20, "24 Jul 2023")
    (2, 'start')
    """
    half = TICK_CHAR * len(text) / 2
    if cx + half > WIDTH - 2:
        return WIDTH - 2, "end"
    if cx - half < 2:
        return 2, "start"
    return cx, "middle"


def _fmt(value: float, percent: bool) -> str:
    """Three significant figures, so close ticks never read alike (0.025, 0.05, 0.075 were all "0.1").

    >>> [_fmt(v, False) for v in (0.025, 0.05, 0.075, 0.1, 12.5, 40.0, 1234.5)]
    ['0.025', '0.05', '0.075', '0.1', '12.5', '40', '1,234']
    >>> _fmt(0.755, True)
    '76%'
    """
    if percent:
        return f"{100 * value:.0f}%"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:.3g}"


def week_chart(
    points: Sequence[Point], *, title: str, unit: str, kind: str = "bar", percent: bool = False,
    chart_id: str = "chart", fmt: Callable[[float], str] | None = None, integer: bool = False,
    empty: str = NO_FIGURE,
) -> Markup:
    """A weekly series with a y axis (``unit``), dated x axis, gridlines and a text summary for screen readers.

    Weeks that all lack a figure (none withheld, none with a value) get ``empty`` instead of a frame of bare axes.
    """
    fmt = fmt or (lambda v: _fmt(v, percent))
    values = [p.value for p in points if p.value is not None and not p.withheld]
    if not points:
        return Markup('<p class="empty">No weeks to show yet.</p>')
    if not values and not any(p.withheld for p in points):
        return Markup(f'<p class="empty">{escape(empty)}</p>')
    high = 1.0 if percent else max(values, default=0.0)
    ticks = nice_ticks(high, integer=integer)
    top = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(points)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * (v / top)

    parts: list[str] = []
    for t in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" class="tick">{escape(fmt(t))}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="{AXIS}"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="{AXIS}"/>')
    every = max(1, math.ceil(len(points) / 6))
    previous: date | None = None
    for i, p in enumerate(points):
        if i % every == 0:
            cx = LEFT + slot * (i + 0.5)
            parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" '
                         f'stroke="{AXIS}"/>')
            text = date_label(p.day, previous)
            x, anchor = label_place(cx, text)
            parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 17}" text-anchor="{anchor}" class="tick">'
                         f'{escape(text)}</text>')
            previous = p.day
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" class="axis-title">'
                 f'week starting</text>')
    parts.append(f'<text transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
                 f'class="axis-title">{escape(unit)}</text>')
    line: list[str] = []
    for i, p in enumerate(points):
        x0 = LEFT + slot * i
        label = f"week of {p.day.isoformat()}: "
        if p.withheld:
            parts.append(f'<rect x="{x0 + 1:.1f}" y="{TOP}" width="{max(slot - 2, 1):.1f}" height="{plot_h}" '
                         f'fill="url(#{chart_id}-hatch)" class="withheld"><title>{escape(label)}withheld</title>'
                         f'</rect>')
            _flush(line, parts)
            continue
        if p.value is None:
            _flush(line, parts)
            continue
        if kind == "bar":
            h = plot_h * (p.value / top)
            parts.append(f'<rect x="{x0 + slot * 0.15:.1f}" y="{y(p.value):.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{h:.1f}" fill="{BAR}"><title>{escape(label + fmt(p.value))}</title></rect>')
        else:
            cx, cy = x0 + slot / 2, y(p.value)
            line.append(f"{cx:.1f},{cy:.1f}")
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{LINE}">'
                         f'<title>{escape(label + fmt(p.value))}</title></circle>')
    _flush(line, parts)
    summary = summarise(points, title, fmt)
    hatch = (f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2f2f2"/>'
             f'<line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/></pattern></defs>')
    svg = (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-t '
           f'{chart_id}-d"><title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">'
           f'{escape(summary)}</desc>{hatch}{"".join(parts)}</svg>')
    return Markup(svg + figures_table(points, title, unit, fmt))


def figures_table(points: Sequence[Point], title: str, unit: str, fmt: Callable[[float], str]) -> str:
    """The chart's every week as a table, collapsed under it. Why: the drawing's own per-week values sit in hover
    tooltips (``<title>``) that no keyboard reaches and that ``role="img"`` hides from screen readers, whose one-line
    summary gives only the latest and highest weeks; on a phone the axis labels shrink to 7 px."""
    rows = []
    for p in points:
        if p.withheld:
            cell = '<span class="withheld-text">withheld</span>'
        elif p.value is None:
            cell = '<span class="muted">no data</span>'
        else:
            cell = str(escape(fmt(p.value)))
        rows.append(f'<tr><th scope="row">{p.day.day} {p.day.strftime("%b %Y")}</th><td class="n">{cell}</td></tr>')
    return (f'<details class="figures"><summary>The figures as a table<span class="visually-hidden">: '
            f'{escape(title)}</span></summary><table class="figures"><caption class="visually-hidden">'
            f'{escape(title)}, week by week</caption><thead><tr><th scope="col">Week starting</th>'
            f'<th scope="col" class="n">{escape(unit[:1].upper() + unit[1:])}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></details>')


def _flush(line: list[str], parts: list[str]) -> None:
    if len(line) > 1:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    line.clear()


def summarise(points: Sequence[Point], title: str, fmt: Callable[[float], str]) -> str:
    """The chart in one sentence, for people who cannot see it."""
    shown = [p for p in points if p.value is not None and not p.withheld]
    withheld = sum(p.withheld for p in points)
    weeks = f"{len(points)} week{'' if len(points) == 1 else 's'}"
    text = f"{title}, {weeks} from {points[0].day.isoformat()} to {points[-1].day.isoformat()}"
    if shown:
        best = max(shown, key=lambda p: p.value or 0.0)
        text += f"; latest {fmt(shown[-1].value or 0.0)}, highest {fmt(best.value or 0.0)} (week of {best.day})"
    if withheld:
        text += f"; {withheld} week{'' if withheld == 1 else 's'} withheld for privacy"
    return text + "."


def ratio_bar(value: float | None, width: int = 100, label: str = "") -> Markup:
    """A small 0..1 bar for tables (an SVG, since the page's CSP allows no inline styles)."""
    if value is None:
        return Markup("")
    v = min(max(float(value), 0.0), 1.0)
    return Markup(
        f'<svg class="ratio" width="{width}" height="10" viewBox="0 0 {width} 10" aria-hidden="true">'
        f'<rect width="{width}" height="10" fill="#e6e6e6"/><rect width="{v * width:.1f}" height="10" fill="{BAR}"/>'
        f"<title>{escape(label)}</title></svg>"
    )


def count_bar(value: int, high: int, width: int = 160) -> Markup:
    """A bar proportional to ``value / high`` (leaderboards, departments)."""
    return ratio_bar(value / high if high else 0.0, width)


__all__ = ["NO_FIGURE", "Point", "count_bar", "date_label", "figures_table", "label_place", "nice_ticks", "ratio_bar",
           "summarise", "week_chart"]
