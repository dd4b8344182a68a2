"""The pages' pure helpers: docstring examples, charts that never draw a withheld week, small-group suppression."""

from __future__ import annotations

import doctest
import importlib
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.web.charts import Point, week_chart
from app.web.privacy import suppress_small

MODULES = ["app.web.charts", "app.web.privacy", "app.web.oidc", "app.web.weeks",
           "app.web.auth_routes", "app.graphql.rankings", "app.web.core", "app.web.pages_ask", "app.web.network",
           "app.web.pages_communities", "app.web.pages_person", "app.clock", "app.web.wording"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_a_withheld_week_is_hatched_and_never_drawn() -> None:
    start = date(2026, 1, 5)
    points = [Point(start + timedelta(weeks=i), float(i), withheld=i == 2) for i in range(5)]
    for kind in ("bar", "line"):
        svg = str(week_chart(points, title="Reply rate", unit="share", kind=kind, percent=True, chart_id="t"))
        assert "week of 2026-01-19: withheld" in svg
        assert not re.search(r"week of 2026-01-19: \d", svg)
        assert "week of 2026-01-26: " in svg
        assert "5 Jan 2026" in svg  # dated axis, the year on the first label
        assert "1 week withheld for privacy" in svg  # one week, in the singular


def test_an_empty_series_says_so() -> None:
    assert "No weeks" in str(week_chart([], title="t", unit="u"))


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(min_value=0, max_value=40), max_size=12),
       st.integers(min_value=2, max_value=10))
def test_suppression_never_reveals_a_small_group(counts: dict[str, int], k: int) -> None:
    b = suppress_small(counts, k)
    assert all(n >= k for _, n in b.shown)
    hidden = b.total - sum(n for _, n in b.shown)
    # what the total minus the shown groups reveals is itself at least k people (when nothing is shown the total is
    # the whole community's size, which the pages withhold on their own below k)
    assert hidden == 0 or hidden >= k or not b.shown
