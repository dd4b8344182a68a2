"""The analytics job end to end on a real SQLite store: write facts, run, read every result back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from graph.jobs import STAGES, AnalyticsParams, run_analytics
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.labels import HealthPeriod
from schema.models import Community, Endorsement, HasSkill, MemberOf, Person, Post, ReportsTo
from tests.factories import T0, person


def _org() -> Batch:
    """Two teams that talk inside, one broker between them, an expert, an opted-out person and a bot."""
    people = [person(i, department="Eng" if i < 8 else "Sales") for i in range(16)]
    ghost = person(90, opted_out=True)
    bot = person(91, bot=True)
    everyone = [*people, ghost, bot]
    comms = [Community(id="forum:eng", name="eng", kind="forum", source="forum"),
             Community(id="forum:sales", name="sales", kind="forum", source="forum")]
    posts: list[Post] = []

    def thread(n: int, asker: Person, answerers: list[Person], community: str, tag: str, accepted: int = 0) -> None:
        qid = f"forum:q{n}"
        at = T0 + timedelta(days=n)
        posts.append(Post(id=qid, kind="question", author_id=asker.id, created_at=at, community_id=community,
                          thread_id=qid, tags=(tag,), source="forum"))
        for k, who in enumerate(answerers):
            posts.append(Post(id=f"forum:a{n}-{k}", kind="answer", author_id=who.id,
                              created_at=at + timedelta(hours=k + 1), community_id=community, thread_id=qid,
                              parent_id=qid, accepted=k == accepted, score=2, source="forum"))

    n = 0
    for i in range(1, 8):  # the Eng team asks, people[0] (the kubernetes expert) answers
        n += 1
        thread(n, people[i], [people[0], people[(i % 7) + 1]], "forum:eng", "kubernetes")
    for i in range(9, 16):  # the Sales team talks among itself
        n += 1
        thread(n, people[i], [people[8 + (i % 7) + 1]], "forum:sales", "negotiation")
    # people[7] bridges: answers in Sales too
    for i in (9, 11, 13):
        n += 1
        thread(n, people[i], [people[7]], "forum:sales", "kubernetes")
    # the opted-out person and the bot answer a lot: they must not appear anywhere
    for i in (1, 2, 3, 4):
        n += 1
        thread(n, people[i], [ghost, bot], "forum:eng", "kubernetes", accepted=0)
    return Batch(
        people=everyone,
        communities=comms,
        posts=posts,
        reports_to=[ReportsTo(person_id=p.id, manager_id=people[0].id) for p in people[1:8]]
        + [ReportsTo(person_id=p.id, manager_id=people[8].id) for p in people[9:16]],
        has_skill=[HasSkill(person_id=people[15].id, skill="kubernetes", level=5),
                   HasSkill(person_id=people[0].id, skill="kubernetes", level=4)],
        memberships=[MemberOf(person_id=p.id, community_id="forum:eng" if i < 8 else "forum:sales", since=T0)
                     for i, p in enumerate(people)] + [MemberOf(person_id=ghost.id, community_id="forum:eng")],
        endorsements=[Endorsement(from_id=people[2].id, to_id=people[0].id, skill="kubernetes", created_at=T0),
                      Endorsement(from_id=ghost.id, to_id=people[15].id, skill="kubernetes", created_at=T0)],
    )


@pytest.fixture
def store(tmp_path: Path):
    st = SQLiteStore(tmp_path / "whoknows.db")
    st.write_batch(_org())
    yield st
    st.close()


def test_run_writes_every_result_and_respects_privacy(store: SQLiteStore) -> None:
    seen: list[str] = []
    run = run_analytics(store, AnalyticsParams(seed=7), progress=lambda stage, i, total: seen.append(stage))
    assert seen == [*STAGES, "done"]
    assert set(run.stats["timings_s"]) == set(STAGES)
    assert store.last_run() is not None
    assert store.last_run().id == run.id

    experts = store.experts("kubernetes", first=20).items
    ids = [h.person.id for h in experts]
    assert ids[0] == "hr:E0000"  # answers everything, endorsed, declared
    assert "hr:E0090" not in ids
    assert "hr:E0091" not in ids
    declared_only = next(h for h in experts if h.person.id == "hr:E0015")
    assert declared_only.score < min(h.score for h in experts if h.person.id != "hr:E0015")
    kinds = {e.kind for e in experts[0].evidence}
    assert {"answers", "accepted_answers", "endorsements", "declared", "expertise_rank"} <= {str(k) for k in kinds}

    for scope in (None, "kubernetes"):
        ranked = store.influencers(skill=scope, first=50)
        assert ranked
        assert {"hr:E0090", "hr:E0091"}.isdisjoint(r.person.id for r in ranked)
    assert store.influencers(community_id="forum:sales", first=5)

    brokers = store.brokers(first=3)
    assert "hr:E0007" in [b.person.id for b in brokers]  # the one answering in both forums
    bridges = store.brokers(first=5, community_ids=["forum:eng", "forum:sales"])
    assert bridges[0].person.id in {"hr:E0007", "hr:E0000", "hr:E0008"}

    report = store.community_health("forum:eng")
    assert report.current is not None
    assert report.current.period == HealthPeriod.CURRENT
    assert report.weekly
    assert report.current.members == 8  # the opted-out member is not counted as a person
    detected = store.dump()["DetectedCommunity"]  # rows (id, size, declared, skills)
    assert len(detected) >= 2
    assert sum(d[1] for d in detected) == 16

    counts = store.counts()
    assert counts["scored_people"] == 16
    assert counts["interactions"] == run.stats["interactions"]


def test_rerun_replaces_the_previous_run_and_is_reproducible(store: SQLiteStore) -> None:
    first = run_analytics(store, AnalyticsParams(seed=3))
    dump_a = {k: v for k, v in store.dump().items() if k != "AnalyticsRun"}
    second = run_analytics(store, AnalyticsParams(seed=3))
    dump_b = {k: v for k, v in store.dump().items() if k != "AnalyticsRun"}
    assert first.id != second.id
    assert store.last_run().id == second.id
    assert dump_a == dump_b


def test_influence_scope_rows_are_bounded(store: SQLiteStore) -> None:
    run_analytics(store, AnalyticsParams(influence_top=3))
    assert len(store.influencers(skill="kubernetes", first=100)) <= 3
    assert len(store.influencers(first=100)) == 16  # global: everyone scored


def _whoknows() -> list[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]


def test_cli_analyze_subprocess(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    st = SQLiteStore(db)
    st.write_batch(_org())
    st.close()
    env = {**os.environ, "WHOKNOWS_STORE": "sqlite:///nowhere/else.db", "COLUMNS": "200"}
    proc = subprocess.run([*_whoknows(), "analyze", "--store", f"sqlite:///{db}", "--half-life-days", "90",
                           "--seed", "5"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "betweenness" in proc.stdout
    assert "total" in proc.stdout
    # a forum this small leaves the hand-set ranking in charge of expertsFor, and the admin is told why
    assert "question routing: hand-set ranking (fewer than 40 past answered questions" in proc.stdout
    st = SQLiteStore(db)
    try:
        run = st.last_run()
        assert run is not None
        assert run.stats["params"]["half_life_days"] == 90
        assert run.stats["params"]["seed"] == 5
    finally:
        st.close()


def test_cli_analyze_json_has_every_stage_with_time_cpu_and_peak_rss(tmp_path: Path) -> None:
    import json

    db = tmp_path / "cli.db"
    st = SQLiteStore(db)
    st.write_batch(_org())
    st.close()
    proc = subprocess.run([*_whoknows(), "analyze", "--store", f"sqlite:///{db}", "--json"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["run"].startswith("run-")
    assert report["people"] == 16  # neither the opted-out person nor the bot is projected
    for key in ("timings_s", "cpu_s", "peak_rss_mib"):
        assert set(report[key]) == set(STAGES), key
    assert all(v > 0 for v in report["peak_rss_mib"].values())
    assert report["total_wall_s"] >= sum(report["timings_s"].values()) * 0.5


def test_cli_analyze_bad_half_life_is_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run([*_whoknows(), "analyze", "--store", f"sqlite:///{tmp_path / 'x.db'}",
                           "--half-life-days", "-3"], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2


def test_structure_in_a_second_process_gives_the_same_snapshot(store: SQLiteStore) -> None:
    from graph.jobs import compute_snapshot

    data = store.read_projection()
    serial = compute_snapshot(data, AnalyticsParams(seed=4))
    parallel = compute_snapshot(data, AnalyticsParams(seed=4, parallel_min_nodes=1))
    assert parallel.run.stats["structure_in_parallel"] is True
    assert serial.run.stats["structure_in_parallel"] is False
    assert list(parallel.person_scores) == list(serial.person_scores)
    assert list(parallel.detected_communities) == list(serial.detected_communities)
    assert list(parallel.expertise) == list(serial.expertise)
