"""API test fixtures: a real SQLite store on disk, a real uvicorn on a free loopback port, real HTTP.

People, their declared skills, managers, opt-outs and leavers come through the real HRIS ingest
(``ingest.pipeline.ingest_hris`` reading a CSV written here); communities and memberships through
``store.write_batch``; and the analytics results through ``store.write_analytics``, so the tests know exactly who
should rank where. tests/api/test_end_to_end.py covers the whole path: demo generator, ingest, analytics.

Privacy fixtures: ``hr:E0007`` is opted out and is the best-scored person on every ranking, the best broker,
a member of every community and the only short link between E0001 and E0003; ``hr:E0008`` has left (inactive).
``hr:E0009`` reports to E0007. ``slack:tiny`` has 3 members (health withheld); ``slack:sales-floor`` has 16
members but 2 active contributors (contributor figures withheld).
"""

from __future__ import annotations

import csv
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.auth import Role, mint_token
from app.main import create_app
from app.server import uvicorn_config
from app.settings import Settings, load_settings
from graph.store.base import AnalyticsSnapshot, Batch, GraphStore
from graph.store.opt_outs import OPTED_OUT_DIGEST, opted_out_digest
from graph.store.sqlite import SQLiteStore
from schema.labels import BrokerRole, EvidenceKind, HealthPeriod, ScoreScope
from schema.models import (
    AnalyticsRun,
    CommunityHealth,
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
from tests.factories import community, person

SECRET = "api-test-secret-7f3a9c1e5b2d4f60"
N_PEOPLE = 30
OPTED_OUT = "hr:E0007"
LEAVER = "hr:E0008"
NOW = datetime.now(UTC).replace(microsecond=0)


def pid(n: int) -> str:
    return f"hr:E{n:04d}"


def org_batch() -> Batch:
    people = []
    for i in range(N_PEOPLE):
        people.append(
            person(
                i,
                name=f"Person {i}",
                department="Engineering" if i % 2 else "Sales",
                location="Berlin" if i % 3 else "Paris",
                manager_id=None if i == 0 else (OPTED_OUT if i == 9 else pid(0)),
                opted_out=pid(i) == OPTED_OUT,
                active=pid(i) != LEAVER,
            )
        )
    comms = [community("k8s-guild"), community("tiny", kind="group"), community("sales-floor")]
    members = [MemberOf(person_id=p.id, community_id="slack:k8s-guild", since=NOW - timedelta(days=90))
               for p in people[:25]]
    members += [MemberOf(person_id=pid(i), community_id="slack:tiny") for i in (1, 2, 7)]
    members += [MemberOf(person_id=pid(i), community_id="slack:sales-floor") for i in range(0, N_PEOPLE, 2)]
    members.append(MemberOf(person_id=OPTED_OUT, community_id="slack:sales-floor"))
    return Batch(
        people=people,
        skills=[
            Skill(name="kubernetes", aliases=("k8s", "kube")),
            Skill(name="python", aliases=("py",)),
            Skill(name="postgresql", aliases=("postgres", "pg")),
            Skill(name="go", aliases=("golang",)),
        ],
        communities=comms,
        reports_to=[ReportsTo(person_id=p.id, manager_id=p.manager_id) for p in people if p.manager_id],
        # postgresql and go have a holder so they are listed (a skill no one visible gives is not:
        # graph/store/shown.py); basque only the opted-out E0007 declares, so it is listed nowhere
        has_skill=[HasSkill(person_id=pid(1), skill="kubernetes", level=4, declared_at=date(2024, 5, 1)),
                   HasSkill(person_id=pid(2), skill="python", level=3),
                   HasSkill(person_id=pid(20), skill="postgresql"), HasSkill(person_id=pid(20), skill="go"),
                   HasSkill(person_id=OPTED_OUT, skill="basque", level=5)],
        memberships=members,
    )


def org_snapshot() -> AnalyticsSnapshot:
    ids = [pid(i) for i in range(N_PEOPLE)]
    # E0007 (opted out) gets the best score everywhere; others descend by index
    score = {i: (10.0 if i == OPTED_OUT else 1.0 / (k + 1)) for k, i in enumerate(ids)}
    recent = NOW - timedelta(days=3)
    expertise = [
        ExpertIn(
            person_id=i, skill="kubernetes", score=score[i], last_active=recent,
            evidence=(
                Evidence(kind=EvidenceKind.ACCEPTED_ANSWERS, count=12, last_at=recent),
                Evidence(kind=EvidenceKind.ANSWERS, count=30, last_at=recent),
                Evidence(kind=EvidenceKind.DECLARED, count=4),
            ) if i == pid(1) else (Evidence(kind=EvidenceKind.ANSWERS, count=k + 1, last_at=recent),),
        )
        for k, i in enumerate(ids)
    ]
    expertise += [ExpertIn(person_id=pid(i), skill="python", score=1.0 - i / 100) for i in (2, 3, 4, 7)]
    # interaction chain: 1-7-3 is short but goes through the opted-out person; 1-10-11-3 avoids it
    pairs = [(1, 7), (7, 3), (1, 10), (10, 11), (11, 3), (4, 5), (5, 6)]
    interactions = [
        Interaction(source_id=pid(a), target_id=pid(b), weight=1.0, count=1, last_at=recent) for a, b in pairs
    ]
    interactions += [
        Interaction(source_id=pid(a), target_id=pid(b), weight=1.0, count=1, last_at=recent)
        for a in (12, 13, 14) for b in (15, 16, 17, 18, 19) if a != b
    ]
    weeks = [
        CommunityHealth(
            community_id="slack:k8s-guild", period=HealthPeriod.WEEK, start=date(2025, 1, 6) + timedelta(weeks=w),
            members=25, active_members=8, posts=10 if w < 4 else 15, threads=4, replied_threads=3, reply_rate=0.75,
            unanswered_share=0.25, contributor_gini=0.3,
        )
        for w in range(8)
    ]
    health = [
        CommunityHealth(community_id="slack:k8s-guild", period=HealthPeriod.CURRENT, start=date(2025, 2, 3),
                        days=30.0, members=25, active_members=9, posts=60, posts_per_week=14.0, threads=20,
                        replied_threads=17, newcomers=6, leaders=5, cross_department_people=8, reply_rate=0.85,
                        median_first_response_hours=2.5, unanswered_share=0.15, contributor_gini=0.35,
                        absence_factor=3, newcomer_retention=0.5, managers_active_share=0.4,
                        cross_department_share=0.6),
        *weeks,
        *[CommunityHealth(community_id="slack:tiny", period=HealthPeriod.WEEK, members=3, active_members=2,
                          start=date(2025, 1, 6) + timedelta(weeks=w), posts=w, contributor_gini=0.1)
          for w in range(8)],
        CommunityHealth(community_id="slack:tiny", period=HealthPeriod.CURRENT, start=date(2025, 2, 3),
                        members=3, active_members=3, posts=9, contributor_gini=0.2, absence_factor=1),
        CommunityHealth(community_id="slack:sales-floor", period=HealthPeriod.CURRENT, start=date(2025, 2, 3),
                        members=16, active_members=2, posts=3, contributor_gini=0.5, absence_factor=1,
                        reply_rate=0.5),
    ]
    return AnalyticsSnapshot(
        run=AnalyticsRun(
            id="run-api", started_at=NOW - timedelta(minutes=1), finished_at=NOW,
            stats={"people": 30, OPTED_OUT_DIGEST: opted_out_digest([OPTED_OUT])},  # computed without E0007
        ),
        person_scores=[
            PersonScores(person_id=i, pagerank=score[i], degree=score[i] * 10, betweenness=score[i],
                         constraint=0.5, effective_size=2.0, participation=0.4, within_z=1.1,
                         role=BrokerRole.CONNECTOR, articulation=i == OPTED_OUT, community="d0")
            for i in ids
        ],
        influence=[
            InfluenceScore(scope=scope, scope_id=sid, person_id=i, score=score[i])
            for scope, sid in ((ScoreScope.GLOBAL, ""), (ScoreScope.SKILL, "kubernetes"),
                               (ScoreScope.COMMUNITY, "slack:k8s-guild"))
            for i in ids
        ],
        interactions=interactions,
        expertise=expertise,
        health=health,
    )


def write_hris_csv(path: Path, batch: Batch) -> Path:
    """The batch's people as an HRIS export (the format ``whoknows ingest hris`` reads)."""
    skills: dict[str, list[str]] = {}
    for h in batch.has_skill:
        skills.setdefault(h.person_id, []).append(f"{h.skill}:{h.level}" if h.level else h.skill)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "email", "title", "department", "location", "manager_id", "hire_date", "skills",
                    "opted_out", "active"])
        for p in batch.people:
            w.writerow([p.id.split(":", 1)[1], p.name, p.email or "", p.title or "", p.department or "",
                        p.location or "", (p.manager_id or ":").split(":", 1)[1],
                        p.hired_on.isoformat() if p.hired_on else "", ";".join(skills.get(p.id, [])),
                        str(p.opted_out).lower(), str(p.active).lower()])
    return path


def load_org(store: GraphStore, workdir: Path | None = None) -> None:
    """People through the real HRIS ingest, then communities, memberships and an analytics snapshot."""
    from ingest.pipeline import ingest_hris

    batch = org_batch()
    with tempfile.TemporaryDirectory() as tmp:
        folder = workdir or Path(tmp)
        summary = ingest_hris(store, write_hris_csv(folder / "hris.csv", batch), rejects=folder / "rejects.jsonl")
        assert summary.rejected == 0, summary.first_rejects
    assert store.person_ids() == {p.id for p in batch.people}
    store.write_batch(Batch(skills=batch.skills, communities=batch.communities, memberships=batch.memberships))
    store.write_analytics(org_snapshot())


class CountingStore:
    """Delegates every call to a real store and counts the calls by method name (not a mock)."""

    def __init__(self, inner: GraphStore) -> None:
        self._inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return target(*args, **kwargs)

        return counted


def reserve_socket() -> socket.socket:
    """A socket bound to a free 127.0.0.1 port, for a LiveServer whose settings must name its address before the app
    is built (``WHOKNOWS_PUBLIC_URL``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LiveServer:
    """uvicorn serving an app on a free 127.0.0.1 port in a background thread; a whoknows app as ``whoknows serve``
    serves it (app/server.py: read deadlines, head bound, connection cap), anything else (a fake identity provider)
    with uvicorn's defaults."""

    def __init__(self, app: Any, sock: socket.socket | None = None) -> None:
        self.sock = sock or reserve_socket()
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        settings = getattr(getattr(app, "state", None), "settings", None)
        if isinstance(settings, Settings):
            config = uvicorn_config(app, settings, log_level="warning", access_log=False)
        else:
            config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


def api_settings(tmp: Path, **overrides: Any) -> Settings:
    # the response cache is off unless a test is about it, so every request reads the store
    values: dict[str, Any] = {"env": "test", "jwt_secret": SECRET, "store": f"sqlite:///{tmp / 'whoknows.db'}",
                              "response_cache_ttl_s": 0.0}
    return load_settings(**{**values, **overrides})


class Api:
    """A small GraphQL client over real HTTP with a token per role."""

    def __init__(self, base_url: str, settings: Settings) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.tokens = {r: mint_token(settings, sub=f"test-{r.name.lower()}", role=r) for r in Role}

    def post(self, query: str, variables: dict[str, Any] | None = None, role: Role | None = Role.EMPLOYEE,
             **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role is not None else {}
        return self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers, **kw)

    def gql(self, query: str, variables: dict[str, Any] | None = None, role: Role | None = Role.EMPLOYEE
            ) -> dict[str, Any]:
        r = self.post(query, variables, role)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, role: Role = Role.EMPLOYEE
             ) -> dict[str, Any]:
        body = self.gql(query, variables, role)
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def codes(self, query: str, variables: dict[str, Any] | None = None, role: Role = Role.EMPLOYEE) -> list[str]:
        body = self.gql(query, variables, role)
        return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture(scope="module")
def org_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    path = tmp_path_factory.mktemp("api") / "whoknows.db"
    store = SQLiteStore(path)
    load_org(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def counting_store(org_store: SQLiteStore) -> CountingStore:
    return CountingStore(org_store)


@pytest.fixture(scope="module")
def api(counting_store: CountingStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = api_settings(tmp_path_factory.mktemp("settings"))
    app = create_app(settings, store=counting_store)  # type: ignore[arg-type]
    with LiveServer(app) as server:
        client = Api(server.url, settings)
        yield client
        client.http.close()


def serve_filled(request: pytest.FixtureRequest | None, tmp: Path, fill: Callable[[GraphStore], None]
                 ) -> Iterator[Api]:
    """The API over HTTP on a store ``fill`` writes: SQLite, or the real Neo4j test server when the fixture's
    ``request.param`` is "neo4j" (for fixtures parametrised over both stores; ``request`` None: SQLite)."""
    if request is None or request.param == "sqlite":
        store: GraphStore = SQLiteStore(tmp / "whoknows.db")
    else:
        from tests.contract.neo4j_factory import make_neo4j_store

        store = make_neo4j_store(request.getfixturevalue("neo4j_target"))
    try:
        fill(store)
        settings = api_settings(tmp)
        with LiveServer(create_app(settings, store=store)) as server:
            client = Api(server.url, settings)
            yield client
            client.http.close()
    finally:
        store.close()


@pytest.fixture
def live_app() -> Callable[..., LiveServer]:
    """Start a server for an app built by the test (each test gets its own)."""
    return LiveServer
