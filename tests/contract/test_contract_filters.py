"""Contract: ``experts`` department and location filters fold as the web pages fold (case, spacing, Unicode normal
form), on every store. Before, the stores compared exactly: the API's ``experts(location: "berlin")`` or a
decomposed "Zu\u0308rich" found nobody while the search page found them."""

from __future__ import annotations

from graph.store.base import Batch, GraphStore
from schema.models import Person
from tests.factories import community, person, snapshot

ZURICH = "Z\u00fcrich"  # as HR wrote it (NFC)
ZURICH_TYPED = "Zu\u0308rich"  # as a Mac types or pastes it (NFD)


def _org(store: GraphStore) -> list[Person]:
    """Berlin spelt two ways by two sources, Zürich, and an opted-out and a departed person in Berlin too."""
    people = [
        *(person(i, location="Berlin", department="Engineering") for i in range(0, 7)),
        *(person(i, location="BERLIN", department="R&D") for i in range(7, 11)),
        *(person(i, location=ZURICH, department="Data") for i in range(11, 14)),
        person(14, location="Berlin", opted_out=True),
        person(15, location="berlin", active=False),
        person(16, location="Tokyo", opted_out=True),
    ]
    store.write_batch(Batch(people=people, communities=[community("k8s-guild")]))
    store.write_analytics(snapshot(people, scores=[float(i % 3) for i in range(len(people))]))
    return people


def _walk(store: GraphStore, first: int, **filters: str) -> tuple[list[str], set[int]]:
    """Every id over the keyset pages, and the totals the pages reported."""
    seen: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        page = store.experts("kubernetes", first=first, after=after, **filters)
        seen.extend(h.person.id for h in page.items)
        totals.add(page.total)
        if page.next_cursor is None:
            return seen, totals
        after = page.next_cursor


def test_filters_fold_case_spacing_and_unicode_form(store: GraphStore) -> None:
    people = _org(store)
    berlin = {p.id for p in people if p.location in ("Berlin", "BERLIN") and p.active and not p.opted_out}
    for typed in ("berlin", "Berlin", "  BERLIN ", "bErLiN"):
        page = store.experts("kubernetes", first=100, location=typed)
        assert {h.person.id for h in page.items} == berlin, typed
        assert page.total == len(berlin) == 11
    zurich = store.experts("kubernetes", first=100, location=ZURICH_TYPED.upper())
    assert [h.person.location for h in zurich.items] == [ZURICH] * 3
    assert zurich.total == 3
    both = store.experts("kubernetes", first=100, department="r&d", location="berlin")
    assert {h.person.id for h in both.items} == {f"hr:E{i:04d}" for i in range(7, 11)}


def test_folded_filters_page_like_exact_ones(store: GraphStore) -> None:
    """Keyset pages over a folded filter are complete and stable: the same people in the same order as one page."""
    _org(store)
    whole = [h.person.id for h in store.experts("kubernetes", first=100, location="berlin").items]
    seen, totals = _walk(store, 3, location="BERLIN")
    assert seen == whole
    assert totals == {11}


def test_opted_out_and_departed_stay_invisible_under_folding(store: GraphStore) -> None:
    _org(store)
    assert store.experts("kubernetes", location="tokyo").items == []  # only an opted-out person is there
    assert store.experts("kubernetes", location="tokyo").total == 0
    found = store.experts("kubernetes", first=100, location="berlin")
    assert not {"hr:E0014", "hr:E0015"} & {h.person.id for h in found.items}
    assert store.experts("kubernetes", location="Lima").total == 0
    assert store.experts("kubernetes", location="").total == 0


def test_folded_totals_follow_a_write(store: GraphStore) -> None:
    """The filter's resolution and its total are memoised per data version: a newly written spelling counts at
    once, an opt-out leaves at once."""
    people = _org(store)
    assert store.experts("kubernetes", location="berlin").total == 11
    store.write_batch(Batch(people=[people[15].model_copy(update={"active": True}),
                                    people[0].model_copy(update={"opted_out": True})]))
    after = store.experts("kubernetes", first=100, location="Berlin")
    assert after.total == 11
    assert "hr:E0015" in {h.person.id for h in after.items}  # stored as 'berlin'
    assert "hr:E0000" not in {h.person.id for h in after.items}


def test_filters_fold_compatibility_forms_turkish_i_and_accents(store: GraphStore) -> None:
    """What users type: a fullwidth "Ｂｅｒｌｉｎ" (East Asian IME), a Turkish "İSTANBUL", an unaccented "zurich" (both
    spellings when a second source wrote "Zurich"), a department without its accent. Before, each found no one."""
    people = _org(store)
    more = [person(20 + i, location=loc, department=dep) for i, (loc, dep) in enumerate(
        [("Istanbul", "Ar-Ge"), ("Istanbul", "Ar-Ge"), ("Zurich", "Data"), ("Zurich", "D\u00e9veloppement")])]
    store.write_batch(Batch(people=more))
    store.write_analytics(snapshot([*people, *more], scores=[1.0] * (len(people) + len(more))))
    berlin = {h.person.id for h in store.experts("kubernetes", first=100, location="Berlin").items}
    fullwidth = store.experts("kubernetes", first=100, location="\uff22\uff45\uff52\uff4c\uff49\uff4e")
    assert {h.person.id for h in fullwidth.items} == berlin
    assert fullwidth.total == 11
    for typed in ("\u0130STANBUL", "\u0130stanbul", "\u0131stanbul", "Ｉｓｔａｎｂｕｌ"):
        found = store.experts("kubernetes", first=100, location=typed)
        assert {h.person.id for h in found.items} == {"hr:E0020", "hr:E0021"}, typed
    zurich = store.experts("kubernetes", first=100, location="zurich")
    assert sorted(h.person.location or "" for h in zurich.items) == ["Zurich"] * 2 + [ZURICH] * 3
    assert zurich.total == 5
    dev = store.experts("kubernetes", first=100, department="developpement", location="Z\u00dcRICH")
    assert [h.person.id for h in dev.items] == ["hr:E0023"]
    assert store.experts("kubernetes", location="Zurichh").total == 0
