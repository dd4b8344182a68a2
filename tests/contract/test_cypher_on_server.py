"""Neo4j's own planner looks at every statement of graph/store/cypher/: only the accepted notifications come back.

Every statement also runs for real during the suite (test_statement_coverage.py); here each one is planned with
EXPLAIN on a database holding one of every record kind, so the server reports what a run might not show: an
unknown label, relationship type or property key (a misspelling), a cartesian product, an unbounded path. A
notification a statement accepts on purpose is listed in its ``allow`` (a substring of the description), and an
allowance that no longer matches anything is stale. This replaced the offline linter (tools/cypherlint, npm
``@neo4j-cypher/language-support``): the server is the authority it imitated, and it is here anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import neo4j
import pytest

from graph.store import Batch, cypher
from graph.store.sessions import every_session_of
from schema.labels import EngagementKind
from schema.models import Engagement
from tests.conftest import Neo4jTarget
from tests.contract.neo4j_factory import make_neo4j_store
from tests.factories import T0, small_org, snapshot

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def session(neo4j_target: Neo4jTarget) -> Iterator[neo4j.Session]:
    """A session on a database holding one of every kind (so every label, type and key the store uses exists)."""
    store = make_neo4j_store(neo4j_target)
    try:
        batch = small_org()
        store.write_batch(batch)
        # small_org has no engagement (its counts are asserted elsewhere): one here, so ENGAGED exists too
        store.write_batch(Batch(engagements=[Engagement(
            person_id=batch.people[4].id, post_id=batch.posts[1].id, kind=EngagementKind.REACTION, created_at=T0)]))
        store.write_analytics(snapshot(list(batch.people)))
        # a person's own choice made and withdrawn: its property keys exist (the server keeps them), the data as before
        store.choose_visibility(batch.people[0].id, True, T0)
        store.choose_visibility(batch.people[0].id, False, T0)
        # a signed-out session: its property keys exist whichever tests ran on this server before (alone, the
        # session statements' keys were unknown to the planner)
        store.revoke_session(every_session_of(batch.people[0].id, T0, timedelta(hours=8)), T0)
    finally:
        store.close()
    auth = (neo4j_target.user, neo4j_target.password or "")
    driver = neo4j.GraphDatabase.driver(neo4j_target.uri, auth=auth, warn_notification_severity="OFF")
    with driver, driver.session(database=neo4j_target.database) as s:
        yield s


def notifications(session: neo4j.Session, text: str, params: dict[str, object]) -> list[str]:
    summary = session.run(f"EXPLAIN {text}", dict.fromkeys(params)).consume()  # type: ignore[arg-type]
    return [g.status_description for g in summary.gql_status_objects if g.is_notification]


@pytest.fixture(scope="module")
def planned(session: neo4j.Session) -> dict[str, list[str]]:
    """Each statement's notifications (schema commands cannot be explained; they run at every store start)."""
    return {
        name: notifications(session, s.text, dict(s.params))
        for name, s in cypher.ALL_STATEMENTS.items()
        if s.mode != "schema"
    }


def test_notifications_are_only_the_accepted_ones(planned: dict[str, list[str]]) -> None:
    unexpected = {
        name: [m for m in messages if not any(a in m for a in cypher.ALL_STATEMENTS[name].allow)]
        for name, messages in planned.items()
    }
    assert {k: v for k, v in unexpected.items() if v} == {}


def test_every_accepted_notification_still_happens(planned: dict[str, list[str]]) -> None:
    """An allowance that no longer matches is stale and must go (it would hide a future notification)."""
    stale = {
        s.name: [a for a in s.allow if not any(a in m for m in planned.get(s.name, []))]
        for s in cypher.ALL_STATEMENTS.values()
        if s.allow
    }
    assert {k: v for k, v in stale.items() if v} == {}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("MATCH (n:Person) RETURN n.emial AS e", "property"),  # a misspelt key
        ("MATCH (n:Persn) RETURN n.id AS id", "label"),
        ("MATCH (:Person)-[:KNOWS]->(m:Person) RETURN m.id AS id", "relationship type"),
        ("MATCH (a:Person), (b:Skill) RETURN a.id AS a, b.name AS b", "cartesian product"),
    ],
)
def test_the_check_can_fail(session: neo4j.Session, text: str, says: str) -> None:
    assert any(says in m.lower() for m in notifications(session, text, {}))
