"""Contract: people are found by job title on every store, as they are by department and location.

``people_titled`` lists the visible holders of a title (every stored title holding its words in a row, folded as
the pages fold names: "marine superintendent" is also "Senior Marine Superintendent", not "Superintendent"), by id
with a keyset cursor; ``experts(title=...)`` filters the same way; ``directory_facets()["title"]`` lists the
visible people's titles. An opted-out holder and a leaver appear in none of them. Before, no store knew titles.
"""

from __future__ import annotations

import pytest

from graph.store.base import Batch, GraphStore
from schema.errors import BadInput
from schema.models import Person
from tests.factories import community, person, snapshot

CAPTAINS = {f"hr:E{i:04d}" for i in (0, 1, 2, 3, 4, 6)}  # not the opted-out 7, the leaver 8, the "Captaincy Clerk" 9


def _fleet(store: GraphStore) -> list[Person]:
    """A shipping line: port captains in Bergen and Hamburg, spelt as two HR systems spell them."""
    people = [
        *(person(i, title="Port Captain", department="Fleet", location="Bergen") for i in range(0, 3)),
        person(3, title="PORT  CAPTAIN", department="Fleet", location="Hamburg"),
        person(4, title="Senior Port Captain", department="Fleet", location="Hamburg"),
        person(5, title="Marine Superintendent", department="Technical", location="Bergen"),
        person(6, title="Port Captain (Acting)", department="Crewing", location="Bergen"),
        person(7, title="Port Captain", department="Fleet", location="Bergen", opted_out=True),
        person(8, title="Port Captain", department="Fleet", location="Bergen", active=False),
        person(9, title="Port Captaincy Clerk", department="Fleet", location="Bergen"),
        person(10, title=None, department="Fleet", location="Bergen"),
    ]
    store.write_batch(Batch(people=people, communities=[community("k8s-guild")]))
    store.write_analytics(snapshot(people, scores=[float(i % 4) for i in range(len(people))]))
    return people


def _walk(store: GraphStore, title: str, first: int, **filters: str) -> tuple[list[str], set[int]]:
    ids: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        page = store.people_titled(title, first=first, after=after, **filters)
        ids += [p.id for p in page.items]
        totals.add(page.total)
        if page.next_cursor is None:
            return ids, totals
        after = page.next_cursor


def test_the_holders_of_a_title_are_the_visible_ones_by_id(store: GraphStore) -> None:
    _fleet(store)
    ids, totals = _walk(store, "port captain", first=2)
    assert ids == sorted(CAPTAINS)
    assert totals == {len(CAPTAINS)}
    assert [p.title for p in store.people_titled("PORT captain", first=10).items if p.id == "hr:E0003"] == [
        "PORT  CAPTAIN"]


def test_titles_filter_with_department_and_location_and_fold(store: GraphStore) -> None:
    _fleet(store)
    assert _walk(store, "Port Captain", 10, location="hamburg")[0] == ["hr:E0003", "hr:E0004"]
    assert _walk(store, "port captain", 10, department="crewing")[0] == ["hr:E0006"]
    assert _walk(store, "port captain", 10, location="Oslo") == ([], {0})
    assert _walk(store, "harbour master", 10) == ([], {0})
    assert _walk(store, "captain", 10)[0] == sorted(CAPTAINS)  # a word of the title: every captain


def test_experts_take_a_title_filter_as_the_listing_does(store: GraphStore) -> None:
    _fleet(store)
    page = store.experts("kubernetes", first=100, title="port captain")
    assert {h.person.id for h in page.items} == CAPTAINS
    assert page.total == len(CAPTAINS)
    both = store.experts("kubernetes", first=100, title="Port Captain", location="BERGEN")
    assert {h.person.id for h in both.items} == {"hr:E0000", "hr:E0001", "hr:E0002", "hr:E0006"}
    assert store.experts("kubernetes", first=5, title="harbour master").total == 0


def test_the_directory_lists_visible_titles_and_follows_an_opt_out(store: GraphStore) -> None:
    people = _fleet(store)
    titles = store.directory_facets()["title"]
    assert titles == sorted(titles)
    assert "Marine Superintendent" in titles
    assert None not in titles
    store.write_batch(Batch(people=[people[5].model_copy(update={"opted_out": True})]))
    assert "Marine Superintendent" not in store.directory_facets()["title"]
    assert store.people_titled("marine superintendent").total == 0


def test_a_bad_cursor_is_refused(store: GraphStore) -> None:
    _fleet(store)
    with pytest.raises(BadInput):
        store.people_titled("port captain", after="not-a-cursor")
