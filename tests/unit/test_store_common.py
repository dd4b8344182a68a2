"""The parts both stores share (graph/store/common.py): one code path, so both answer the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from graph.store.common import (
    evidence_from,
    evidence_json,
    expert_page,
    id_chunks,
    influence_scope,
    member_page,
    missing_message,
    pairs_from,
    pairs_json,
    parse_utc,
    ranked,
    utc_text,
)
from graph.store.paging import decode_cursor
from schema.errors import BadInput
from schema.labels import EvidenceKind, ScoreScope
from schema.models import Evidence, Person


def people(n: int) -> list[Person]:
    return [Person(id=f"hr:E{i:04d}", name=f"P{i}", source="hris") for i in range(n)]


def test_time_is_utc_text_that_round_trips() -> None:
    paris = timezone(timedelta(hours=1))
    t = datetime(2024, 3, 1, 13, 0, 0, 5, tzinfo=paris)
    assert utc_text(t) == "2024-03-01T12:00:00.000005+00:00"
    assert parse_utc(utc_text(t)) == t
    assert utc_text(None) is None
    assert parse_utc(None) is None


def test_evidence_and_pairs_round_trip() -> None:
    ev = (Evidence(kind=EvidenceKind.ACCEPTED_ANSWERS, count=3, last_at=datetime(2024, 1, 2, tzinfo=UTC)),
          Evidence(kind=EvidenceKind.ENDORSEMENTS, count=1, last_at=None))
    assert evidence_from(evidence_json(ev)) == ev
    pairs = (("slack:k8s", 0.75), ("go", 0.25))
    assert pairs_from(pairs_json(pairs)) == pairs


def test_id_chunks_are_distinct_sorted_and_bounded() -> None:
    parts = list(id_chunks(["c", "a", "b", "a", "d"], size=3))
    assert [list(p) for p in parts] == [["a", "b", "c"], ["d"]]
    assert list(id_chunks([])) == []


def test_expert_page_has_a_cursor_only_when_more_follow() -> None:
    ps = people(3)
    rows = [(p, 1.0 - i / 10, ()) for i, p in enumerate(ps)]
    page = expert_page(rows, "go", first=2, total=3)
    assert [h.person.id for h in page.items] == [ps[0].id, ps[1].id]
    assert page.next_cursor == page.items[-1].cursor
    assert decode_cursor(page.next_cursor) == (0.9, ps[1].id)
    assert expert_page(rows, "go", first=3, total=3).next_cursor is None
    assert expert_page([], "go", first=3, total=0).items == []


def test_member_page() -> None:
    ps = people(3)
    page = member_page(ps, first=2, total=3)
    assert [p.id for p in page.items] == [ps[0].id, ps[1].id]
    assert decode_cursor(page.next_cursor)[1] == ps[1].id  # type: ignore[arg-type]
    assert member_page(ps[:2], first=2, total=2).next_cursor is None


def test_influence_scope_and_ranks() -> None:
    assert influence_scope(None, None) == (ScoreScope.GLOBAL, "")
    assert influence_scope("go", None) == (ScoreScope.SKILL, "go")
    assert influence_scope(None, "slack:k8s") == (ScoreScope.COMMUNITY, "slack:k8s")
    with pytest.raises(BadInput):
        influence_scope("go", "slack:k8s")
    ps = people(2)
    assert [(r.rank, r.person.id) for r in ranked([(ps[0], 0.5), (ps[1], 0.25)])] == [(1, ps[0].id), (2, ps[1].id)]


def test_missing_message_names_five_and_counts_the_rest() -> None:
    assert missing_message("post author", ["a", "b"]) == "unknown post author: a, b"
    assert missing_message("x", list("abcdefg")) == "unknown x: a, b, c, d, e and 2 more"
