"""The Neo4j store without a server: parameter rows, value conversion, per-key dedupe, error translation.

What needs a server (every statement actually run, every record's round trip) is the contract suite's job, on the
real Neo4j server the test session starts (tests/conftest.py). Here the pure parts run on their
own, and the real driver is used against an address where nothing listens (unreachable, closed, bad URL).
"""

from __future__ import annotations

import ast
import socket
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import neo4j
import neo4j.time
import pytest
from neo4j import exceptions as neo_errors

from graph.store import cypher, open_store
from graph.store import neo4j as store_mod
from graph.store.base import AnalyticsSnapshot, Batch, GraphStore
from graph.store.neo4j import (
    Neo4jStore,
    analytics_rows,
    batch_rows,
    classify,
    community_row,
    detected_from,
    detected_row,
    endorsement_row,
    evidence_from,
    evidence_json,
    expertise_row,
    from_neo,
    has_skill_row,
    health_row,
    member_row,
    missing_message,
    person_row,
    post_row,
    run,
    run_row,
    scores_row,
    skill_from,
    skill_row,
    to_param,
    translate,
)
from schema.errors import ConfigError, StoreError, StoreUnavailable
from schema.labels import BrokerRole, EvidenceKind, HealthPeriod, ScoreScope
from schema.models import (
    AnalyticsRun,
    CommunityHealth,
    DetectedCommunity,
    Endorsement,
    Evidence,
    ExpertIn,
    HasSkill,
    InfluenceScore,
    Interaction,
    MemberOf,
    PersonScores,
    ReportsTo,
    Skill,
)
from tests.factories import T0, community, person, post, snapshot

# --- values in and out ------------------------------------------------------------------------------------------


def test_to_param_sends_plain_values() -> None:
    naive = datetime(2025, 1, 6, 9, 0)
    assert to_param(naive) == datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    berlin = datetime(2025, 1, 6, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert to_param(berlin) == datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    assert to_param(berlin).utcoffset() == timedelta(0)
    assert to_param(("a", ScoreScope.SKILL, (1, 2))) == ["a", "skill", [1, 2]]
    assert type(to_param(ScoreScope.SKILL)) is str


def test_from_neo_gives_python_dates_and_utc_instants() -> None:
    instant = datetime(2025, 1, 6, 9, 0, 0, 123456, tzinfo=UTC)
    plus_two = instant.astimezone(timezone(timedelta(hours=2)))
    back = from_neo(neo4j.time.DateTime.from_native(plus_two))
    assert back == instant
    assert back.tzinfo == UTC
    assert from_neo(neo4j.time.Date(2024, 5, 1)) == date(2024, 5, 1)
    assert type(from_neo(neo4j.time.Date(2024, 5, 1))) is date
    assert from_neo({"a": [neo4j.time.Date(2024, 5, 1)], "b": None}) == {"a": [date(2024, 5, 1)], "b": None}


# --- parameter rows: what travels to the server (their round trips run on the real server in tests/contract) -----


def test_rows_leave_absent_fields_out_and_send_plain_values() -> None:
    p = person(1, title=None, hired_on=date(2020, 2, 29), manager_id="hr:E0000")
    row = person_row(p)
    assert "title" not in row  # absent property = None
    assert row["hired_on"] == date(2020, 2, 29)
    p2 = post(2, "hr:E0001", kind="answer", parent_id="stackexchange/demo:1", tags=("kubernetes", "go"))
    prow = post_row(p2)
    assert prow["kind"] == "answer"
    assert prow["tags"] == ["go", "kubernetes"]
    assert prow["parent_id"] == "stackexchange/demo:1"  # kept, so the edge can be made when the parent arrives
    kubernetes = Skill(name="kubernetes", aliases=("kube", "k8s"))
    assert skill_row(kubernetes) == {"name": "kubernetes", "aliases": ["k8s", "kube"]}
    assert skill_from("go", None) == Skill(name="go")
    assert community_row(community("k8s-guild", kind="group"))["kind"] == "group"


def test_relationship_rows_put_keys_beside_properties() -> None:
    h = HasSkill(person_id="hr:E0001", skill="go", level=3, declared_at=date(2024, 5, 1))
    assert has_skill_row(h) == {
        "person_id": "hr:E0001", "skill": "go", "props": {"level": 3, "source": "hr", "declared_at": date(2024, 5, 1)}
    }
    m = MemberOf(person_id="hr:E0001", community_id="slack:eng", role="moderator")
    assert member_row(m) == {"person_id": "hr:E0001", "community_id": "slack:eng", "props": {"role": "moderator"}}
    e = Endorsement(from_id="hr:E0001", to_id="hr:E0002", skill="go")
    assert endorsement_row(e) == {"from_id": "hr:E0001", "to_id": "hr:E0002", "skill": "go", "created_at": None,
                                  "source": None}


def test_analytics_rows_carry_the_generation_and_nested_data_as_json() -> None:
    scores = PersonScores(person_id="hr:E0001", pagerank=0.2, betweenness=0.5, constraint=None,
                          role=BrokerRole.CONNECTOR_HUB, articulation=True, community="d3")
    row = scores_row(scores, "g1")
    assert (row["gen"], row["role"], "constraint" in row) == ("g1", "connector_hub", False)
    evidence = (Evidence(kind=EvidenceKind.ANSWERS, count=7, last_at=T0), Evidence(kind=EvidenceKind.DECLARED, count=4))
    expert = ExpertIn(person_id="hr:E0001", skill="go", score=0.75, evidence=evidence, expertise_rank=0.1,
                      last_active=T0)
    assert isinstance(expertise_row(expert, "g1")["evidence"], str)  # nested data travels as JSON text
    assert evidence_from(evidence_json(evidence)) == evidence
    detected = DetectedCommunity(id="d3", size=12, declared=(("slack:eng", 0.5),), skills=(("go", 0.25),))
    assert detected_from(detected_row(detected, "g1")) == detected
    health = CommunityHealth(community_id="slack:eng", period=HealthPeriod.WEEK, start=date(2024, 12, 30), members=9,
                             reply_rate=0.5, contributor_gini=None)
    hrow = health_row(health, "g1")
    assert (hrow["period"], "contributor_gini" in hrow) == ("week", False)
    run_record = AnalyticsRun(id="run-7", started_at=T0, finished_at=T0 + timedelta(minutes=3), stats={"people": 3})
    assert run_row(run_record, "g1", T0)["state"] == "pending"  # switched in only once every row is written


# --- dedupe before write, and what counts as a change -------------------------------------------------------------


def test_batch_rows_keep_one_row_per_key_the_last_winning() -> None:
    batch = Batch(
        people=[person(1, title="Old"), person(2), person(1, title="New")],
        skills=[Skill(name="go", aliases=("golang",)), Skill(name="go", aliases=("go-lang",))],
        communities=[community("eng"), community("eng").model_copy(update={"name": "Engineering"})],
        posts=[post(1, "hr:E0001", score=1), post(1, "hr:E0001", score=5)],
        reports_to=[ReportsTo(person_id="hr:E0002", manager_id="hr:E0001"),
                    ReportsTo(person_id="hr:E0002", manager_id="hr:E0003")],
        has_skill=[HasSkill(person_id="hr:E0001", skill="go", level=1),
                   HasSkill(person_id="hr:E0001", skill="go", level=4)],
        memberships=[MemberOf(person_id="hr:E0001", community_id="slack:eng"),
                     MemberOf(person_id="hr:E0001", community_id="slack:eng", role="owner")],
        endorsements=[Endorsement(from_id="hr:E0001", to_id="hr:E0002", skill="go"),
                      Endorsement(from_id="hr:E0001", to_id="hr:E0002", skill="go", created_at=T0)],
        meta={"ingest:x": "1"},
    )
    rows = batch_rows(batch)
    assert [(r["id"], r["title"]) for r in rows.people] == [("hr:E0001", "New"), ("hr:E0002", "Engineer")]
    assert rows.skills == [{"name": "go", "aliases": ["go-lang", "golang"]}]  # aliases merge
    assert [r["name"] for r in rows.communities] == ["Engineering"]
    assert [r["score"] for r in rows.posts] == [5]
    assert rows.reports_to == [{"person_id": "hr:E0002", "manager_id": "hr:E0003"}]
    assert [r["props"]["level"] for r in rows.has_skill] == [4]
    assert [r["props"]["role"] for r in rows.memberships] == ["owner"]
    assert [r["created_at"] for r in rows.endorsements] == [T0]
    assert rows.meta == {"ingest:x": "1"}


def test_analytics_rows_keep_one_row_per_key() -> None:
    people = [person(1), person(2)]
    snap = snapshot(people)
    doubled = AnalyticsSnapshot(
        run=snap.run,
        person_scores=[*snap.person_scores, snap.person_scores[0].model_copy(update={"pagerank": 9.0})],
        influence=[*snap.influence, *snap.influence],
        interactions=[
            Interaction(source_id="hr:E0001", target_id="hr:E0002", weight=1.0, count=1),
            Interaction(source_id="hr:E0001", target_id="hr:E0002", weight=3.0, count=2),
            Interaction(source_id="hr:E0002", target_id="hr:E0001", weight=1.0, count=1),
        ],
        expertise=[*snap.expertise, *snap.expertise],
        detected_communities=[*snap.detected_communities, *snap.detected_communities],
        health=[*snap.health, *snap.health],
    )
    rows = analytics_rows(doubled, "g")
    assert len(rows["scores"]) == 2
    assert rows["scores"][0]["pagerank"] == 9.0
    assert len(rows["influence"]) == len(snap.influence)
    assert [(r["source_id"], r["weight"]) for r in rows["interactions"]] == [("hr:E0001", 3.0), ("hr:E0002", 1.0)]
    assert len(rows["expertise"]) == len(snap.expertise)
    assert len(rows["health"]) == len(snap.health)
    assert len(rows["detected"]) == len(snap.detected_communities)
    assert InfluenceScore(scope=ScoreScope.GLOBAL, person_id="hr:E0001", score=1.0) in doubled.influence


def test_classify_splits_new_and_changed() -> None:
    old = [person_row(person(1)), person_row(person(2))]
    existing = {r["id"]: r for r in old}
    incoming = [person_row(person(1)), person_row(person(2, title="Staff")), person_row(person(3))]
    new, changed = classify(incoming, existing, key=lambda r: r["id"])
    assert [r["id"] for r in new] == ["hr:E0003"]
    assert [r["id"] for r in changed] == ["hr:E0002"]
    # clearing a field is a change too (the property disappears)
    cleared = [person_row(person(1, title=None))]
    assert classify(cleared, existing, key=lambda r: r["id"])[1] == cleared


def test_missing_keys_are_named() -> None:
    assert missing_message("post author", ["hr:ghost"]) == "unknown post author: hr:ghost"
    many = [f"hr:g{i}" for i in range(8)]
    assert missing_message("person in reports_to", many).endswith("hr:g4 and 3 more")


# --- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (neo_errors.ServiceUnavailable("no route"), StoreUnavailable),
        (neo_errors.SessionExpired("gone"), StoreUnavailable),
        (neo_errors.AuthError("bad password"), StoreUnavailable),
        (neo_errors.TransientError("deadlock"), StoreUnavailable),
        (neo_errors.DatabaseUnavailable("starting"), StoreUnavailable),
        (neo_errors.DriverError("Driver closed"), StoreUnavailable),
        (neo_errors.ConnectionAcquisitionTimeoutError("pool exhausted"), StoreUnavailable),
        (neo_errors.ConstraintError("already exists"), StoreError),
        (neo_errors.CypherSyntaxError("bad syntax"), StoreError),
        (neo_errors.ClientError("refused"), StoreError),
        (neo_errors.DatabaseError("internal"), StoreError),
        (neo_errors.ResultConsumedError(None, "consumed"), StoreError),
    ],
)
def test_driver_errors_are_translated(error: Exception, expected: type[StoreError]) -> None:
    translated = translate(error)
    assert type(translated) is expected
    if expected is StoreError:
        assert not isinstance(translated, StoreUnavailable)


def test_constraint_violation_message_says_so() -> None:
    assert "constraint violated" in str(translate(neo_errors.ConstraintError("Node(1) already exists")))


def test_run_refuses_parameters_other_than_declared() -> None:
    # the check happens before the transaction is touched
    with pytest.raises(TypeError, match="META_GET takes"):
        run(None, cypher.META_GET, key="k", extra=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="EXPERTS takes"):
        run(None, cypher.EXPERTS, skill="go")  # type: ignore[arg-type]


def test_every_statement_the_store_sends_is_registered() -> None:
    """So the statement-coverage check (which reads the registry) knows every statement the store can send."""
    package = Path(store_mod.__file__).parent  # graph/store/neo4j/, one module per job
    trees = [ast.parse(f.read_text(encoding="utf-8")) for f in sorted(package.glob("*.py"))]
    used = {
        n.attr
        for tree in trees
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "q"
    }
    statements = {name for name in used if isinstance(getattr(cypher, name), cypher.Statement)}
    others = used - statements
    assert others == {"Statement", "SCHEMA", "GC_BATCHES", "SWITCH_LOCK_KEY", "DATA_VERSION_KEY", "introduction_path"}
    registered = {id(s) for s in cypher.ALL_STATEMENTS.values()}
    sent = [getattr(cypher, name) for name in statements]
    sent += [*cypher.SCHEMA, *cypher.GC_BATCHES, *(cypher.introduction_path(n) for n in range(1, 40))]
    assert all(id(s) in registered for s in sent)


# --- the real driver, where nothing listens ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_server_is_store_unavailable_quickly() -> None:
    url = f"bolt://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore.connect(url, user="neo4j", password="secret")
    assert isinstance(info.value.__cause__, neo_errors.ServiceUnavailable)
    assert time.monotonic() - started < 10  # no transaction retries before the connectivity check fails


def test_open_store_reaches_the_neo4j_store() -> None:
    with pytest.raises(StoreUnavailable):
        open_store(f"neo4j://127.0.0.1:{free_port()}", neo4j_password="secret")


def test_a_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot use Neo4j URL"):
        Neo4jStore.connect("neo4j://127.0.0.1:notaport", password="x")


@pytest.fixture
def offline_store() -> Neo4jStore:
    """A store on a real driver to a port where nothing listens, schema creation left for later."""
    driver = neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{free_port()}", auth=("neo4j", "secret"))
    return Neo4jStore(driver, url="bolt://offline", create_schema=False)


def test_the_store_satisfies_the_protocol(offline_store: Neo4jStore) -> None:
    assert isinstance(offline_store, GraphStore)
    offline_store.close()


def test_a_closed_store_is_unavailable_for_every_call(offline_store: Neo4jStore) -> None:
    offline_store.close()
    calls = [
        offline_store.ping,
        offline_store.counts,
        offline_store.dump,
        lambda: offline_store.write_batch(Batch(people=[person(1)])),
        lambda: offline_store.people(["hr:E0001"]),
        lambda: offline_store.experts("go"),
        lambda: offline_store.introduction_path("hr:E0001", "hr:E0002"),
        lambda: offline_store.write_analytics(snapshot([person(1)])),
    ]
    for call in calls:
        with pytest.raises(StoreUnavailable, match="closed"):
            call()
    assert "closed" in repr(offline_store)


def test_a_driver_closed_underneath_is_unavailable(offline_store: Neo4jStore) -> None:
    offline_store._live_driver().close()
    with pytest.raises(StoreUnavailable) as info:
        offline_store.people(["hr:E0001"])
    assert isinstance(info.value.__cause__, neo_errors.DriverError)


def test_an_injected_driver_cannot_be_rebuilt(offline_store: Neo4jStore) -> None:
    offline_store.close()
    with pytest.raises(StoreUnavailable, match="cannot build another"):
        offline_store.reopen()


def test_bad_arguments_fail_before_the_server_is_asked(offline_store: Neo4jStore) -> None:
    from schema.errors import BadInput

    with pytest.raises(BadInput):
        offline_store.experts("go", first=101)
    with pytest.raises(BadInput):
        offline_store.experts("go", after="not-a-cursor")
    with pytest.raises(BadInput):
        offline_store.influencers(skill="go", community_id="slack:eng")
    with pytest.raises(BadInput):
        offline_store.introduction_path("hr:E0001", "hr:E0002", max_hops=-1)
    offline_store.close()
