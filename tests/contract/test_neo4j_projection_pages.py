"""Neo4j reads the analytics projection page by page, in columns (cypher/analytics.py, PROJECTION_*): whatever the
page size, it reads exactly what SQLite reads from the same records (same rows, same order, same values and types).

Pages of one and two rows put every boundary between two rows of a kind; the records hold what a column shape gets
wrong first: absent values beside present ones (collect() would drop them), times before the epoch and with
microseconds (sent as integer microseconds), people without any relationship between people with some.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph.store.base import Batch, Projection
from graph.store.neo4j import Neo4jStore
from graph.store.neo4j import tx as neo4j_tx
from graph.store.sqlite import SQLiteStore
from schema.labels import EngagementKind
from schema.models import Endorsement, Engagement, MemberOf
from tests.conftest import Neo4jTarget
from tests.contract.neo4j_factory import make_neo4j_store
from tests.factories import T0, person, post, small_org

pytestmark = pytest.mark.neo4j


def awkward_org() -> Batch:
    """small_org, plus absent times and authors, odd instants, and people with no relationship at all."""
    base = small_org()
    people = [*base.people, person(90, department=None, location=None, hired_on=None), person(91)]
    before_epoch = datetime(1969, 12, 31, 23, 59, 59, 500001, tzinfo=UTC)
    elsewhere = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=timezone(timedelta(hours=-5)))
    posts = [
        *base.posts,
        post(4, people[4].id, created_at=before_epoch, tags=()),
        post(5, people[5].id, created_at=elsewhere, score=-2),
        post(6, people[6].id).model_copy(update={"author_id": None}),
    ]
    memberships = [
        *base.memberships,
        MemberOf(person_id=people[3].id, community_id=base.communities[1].id),  # no since
    ]
    endorsements = [
        *base.endorsements,
        Endorsement(from_id=people[5].id, to_id=people[1].id, skill="python"),  # no time
        Endorsement(from_id=people[5].id, to_id=people[1].id, skill="kubernetes", created_at=elsewhere),
    ]
    engagements = [
        Engagement(person_id=people[3].id, post_id=posts[0].id, kind=EngagementKind.REACTION, created_at=T0),
        Engagement(person_id=people[3].id, post_id=posts[0].id, kind=EngagementKind.MENTION),
        Engagement(person_id=people[7].id, post_id=posts[3].id, kind=EngagementKind.EDIT, created_at=before_epoch),
    ]
    return Batch(people=people, skills=base.skills, communities=base.communities, posts=posts,
                 reports_to=base.reports_to, has_skill=base.has_skill, memberships=memberships,
                 endorsements=endorsements, engagements=engagements)


@pytest.fixture
def neo(neo4j_target: Neo4jTarget) -> Iterator[Neo4jStore]:
    store = make_neo4j_store(neo4j_target)
    yield store
    store.close()


def typed(projection: Projection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every kind with the type of each value beside it (``1 == True``; a str is not a date)."""
    return {
        kind: [tuple((v, type(v).__name__, getattr(v, "tzinfo", None)) for v in row) for row in rows]
        for kind, rows in vars(projection).items()
        if kind != "communities"
    }


@pytest.mark.parametrize("page_rows", [1, 2, neo4j_tx.PAGE_ROWS])
def test_the_projection_is_sqlites_whatever_the_page_size(
    neo: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page_rows: int
) -> None:
    batch = awkward_org()
    sqlite = SQLiteStore(tmp_path / "s.db")
    try:
        sqlite.write_batch(batch)
        expected = sqlite.read_projection()
    finally:
        sqlite.close()
    neo.write_batch(batch)
    monkeypatch.setattr(neo4j_tx, "PAGE_ROWS", page_rows)
    got = neo.read_projection()
    assert typed(got) == typed(expected)
    assert got.communities == expected.communities
    assert len(got.posts) == len(batch.posts)  # the records did arrive whole
    assert len(got.engagements) == 3
