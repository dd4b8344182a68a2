"""A first load through Neo4j's offline importer leaves exactly the graph the online path leaves.

One small demo organisation (``whoknows demo-data``) is loaded twice: by ``whoknows ingest manifest --bulk-dir`` (a
subprocess, as a user runs it) and the launcher's ``--import`` mode on a server of its own, and by the normal online
ingest into the session's server. Every node with its labels and properties and every relationship with its type,
ends and properties are compared, then what the API reads (people, skills, memberships, community members, paths and
the analytics projection). Refusals: a database that exists, a store that is not empty, bad input.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import neo4j.time
import pytest

from graph.store.neo4j import Neo4jStore
from graph.store.neo4j.bulk import ARGS_FILE
from ingest.demo.generate import generate_demo_data
from ingest.manifest import ingest_manifest
from tests.conftest import Neo4jTarget
from tests.contract.neo4j_factory import make_neo4j_store
from tests.neo4j_server import Neo4jTestServer, ServerUnavailable

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 300
SEED = 11

# every node but the data-version counter, which starts at a random number in each database and counts its writes
NODES = "MATCH (n) WHERE NOT (n:Meta AND n.key = 'data_version') RETURN labels(n) AS labels, properties(n) AS props"
RELS = """
MATCH (a)-[r]->(b)
RETURN type(r) AS type, coalesce(a.id, a.name, a.key) AS start, coalesce(b.id, b.name, b.key) AS end,
       properties(r) AS props
"""


def run_cli(*args: str, cwd: Path = ROOT, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1", **(extra or {})}
    env.pop("WHOKNOWS_STORE", None)
    return subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _value(v: Any) -> Any:
    """A property value with its Neo4j type kept (a zoned datetime is not a local one, a date not a string)."""
    if isinstance(v, neo4j.time.DateTime):
        return ("datetime", v.iso_format(), v.utcoffset())
    if isinstance(v, neo4j.time.Date):
        return ("date", v.iso_format())
    if isinstance(v, list):
        return ("list", tuple(_value(x) for x in v))
    return (type(v).__name__, v)


def _props(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, _value(v)) for k, v in props.items()))


def graph_of(uri: str, auth: tuple[str, str | None], database: str | None) -> tuple[Counter[Any], Counter[Any]]:
    """Every node and relationship as comparable values (a Counter: a duplicate shows up as a count of 2)."""
    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:  # type: ignore[arg-type]
        nodes, _, _ = driver.execute_query(NODES, database_=database)
        rels, _, _ = driver.execute_query(RELS, database_=database)
    return (
        Counter((tuple(sorted(r["labels"])), _props(r["props"])) for r in nodes),
        Counter((r["type"], r["start"], r["end"], _props(r["props"])) for r in rels),
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk-demo") / "org"
    generate_demo_data(out, people=PEOPLE, seed=SEED)
    return out


@pytest.fixture(scope="module")
def bulk_server(demo: Path, neo4j_target: Neo4jTarget,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTestServer]:
    if neo4j_target.server is None:
        pytest.skip("the bulk load starts a server of its own with the repository's launcher; not with an external one")
    tmp = tmp_path_factory.mktemp("bulk")
    proc = run_cli("ingest", "manifest", str(demo), "--bulk-dir", str(tmp / "csv"), "--rejects-dir", str(tmp))
    assert proc.returncode in (0, 1), proc.stderr + proc.stdout  # 1: the demo data rejects a few rows on purpose
    assert "neo4j-admin database import full @" in proc.stdout
    assert "docker compose run" in proc.stdout
    server = Neo4jTestServer.start(tmp / "home", import_args=tmp / "csv" / ARGS_FILE)
    store = Neo4jStore.connect(server.uri, user=server.user, password=server.password)  # its schema setup
    store.await_indexes(600)
    store.close()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def online(demo: Path, neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jStore]:
    store = make_neo4j_store(neo4j_target)
    ingest_manifest(store, demo, rejects_dir=tmp_path_factory.mktemp("online-rejects"))
    store.await_indexes(600)  # on any server (an external one too), so the statement runs in every whole suite
    yield store
    store.close()


def test_bulk_load_gives_exactly_the_online_graph(bulk_server: Neo4jTestServer, online: Neo4jStore,
                                                 neo4j_target: Neo4jTarget) -> None:
    bulk_nodes, bulk_rels = graph_of(bulk_server.uri, (bulk_server.user, bulk_server.password), None)
    online_nodes, online_rels = graph_of(neo4j_target.uri, (neo4j_target.user, neo4j_target.password),
                                         neo4j_target.database)
    assert sum(online_nodes.values()) > PEOPLE
    assert sum(online_rels.values()) > 10 * PEOPLE
    assert {labels for labels, _ in online_nodes} >= {("Person",), ("Post",), ("Skill",), ("Community",)}
    assert {t for t, *_ in online_rels} >= {"AUTHORED", "IN", "TAGGED", "REPLY_TO", "REPORTS_TO", "HAS_SKILL",
                                            "MEMBER_OF", "ENDORSED"}
    assert bulk_nodes - online_nodes == Counter()
    assert online_nodes - bulk_nodes == Counter()
    assert bulk_rels - online_rels == Counter()
    assert online_rels - bulk_rels == Counter()


def test_bulk_load_answers_what_the_api_reads_the_same(bulk_server: Neo4jTestServer, online: Neo4jStore) -> None:
    bulk = Neo4jStore.connect(bulk_server.uri, user=bulk_server.user, password=bulk_server.password)
    try:
        assert bulk.counts() == online.counts()
        assert bulk.read_projection() == online.read_projection()
        ids = sorted(online.person_ids())[:: max(1, PEOPLE // 40)]
        assert bulk.people(ids) == online.people(ids)
        assert bulk.person_skills(ids) == online.person_skills(ids)
        assert bulk.memberships(ids) == online.memberships(ids)
        assert bulk.all_skills() == online.all_skills()
        assert bulk.skills("k", first=10) == online.skills("k", first=10)
        communities = online.communities(first=100)
        assert bulk.communities(first=100) == communities
        for c in communities[:5]:
            assert bulk.community_members(c.id, first=20) == online.community_members(c.id, first=20)
        for a, b in zip(ids, reversed(ids), strict=True):
            assert bulk.introduction_path(a, b) == online.introduction_path(a, b)
        assert bulk.email_index() == online.email_index()
    finally:
        bulk.close()


def test_importer_refuses_a_database_that_exists(bulk_server: Neo4jTestServer) -> None:
    bulk_server.stop()
    args = next(bulk_server.home.parent.glob(f"csv/{ARGS_FILE}"))
    with pytest.raises(ServerUnavailable, match="already exists: the offline importer only loads an empty database"):
        Neo4jTestServer.start(bulk_server.home, import_args=args, timeout=120)


def test_bulk_dir_refuses_a_store_that_is_not_empty(demo: Path, online: Neo4jStore, neo4j_target: Neo4jTarget,
                                                     tmp_path: Path) -> None:
    credentials = {"WHOKNOWS_NEO4J_USER": neo4j_target.user, "WHOKNOWS_NEO4J_PASSWORD": neo4j_target.password or "",
                   **({"WHOKNOWS_NEO4J_DATABASE": neo4j_target.database} if neo4j_target.database else {})}
    proc = run_cli("ingest", "manifest", str(demo), "--bulk-dir", str(tmp_path / "csv"), "--store", neo4j_target.uri,
                   extra=credentials)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = " ".join((proc.stdout + proc.stderr).split())
    assert "is not empty" in message
    assert "people" in message
    assert "only loads an empty database" in message
    assert not any((tmp_path / "csv").glob("*.csv"))


def test_bulk_dir_names_the_file_row_and_reason_of_bad_input(tmp_path: Path) -> None:
    org = tmp_path / "org"
    generate_demo_data(org, people=50, seed=3)
    hris = org / "hris.csv"
    lines = hris.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace("@", "#", 1)  # the file's row 6 (header = row 1): an e-mail address without its @
    hris.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("ingest", "manifest", str(org), "--bulk-dir", str(tmp_path / "csv"), "--rejects-dir", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rejects = (tmp_path / "whoknows-rejects-hris.csv.jsonl").read_text(encoding="utf-8")
    assert '"row": 6' in rejects
    assert "hris.csv" in rejects
    assert "email" in rejects
    (tmp_path / "truncated").mkdir()
    (tmp_path / "truncated" / "manifest.json").write_text('[{"kind": "hris", "path": "hris.csv"}]', encoding="utf-8")
    (tmp_path / "truncated" / "hris.csv").write_bytes(b"\xff\xfe\x00broken")
    proc = run_cli("ingest", "manifest", str(tmp_path / "truncated"), "--bulk-dir", str(tmp_path / "csv2"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "hris.csv" in proc.stdout + proc.stderr


def test_importer_names_the_file_and_line_of_a_bad_csv_row(tmp_path: Path) -> None:
    org = tmp_path / "org"
    generate_demo_data(org, people=50, seed=3)
    proc = run_cli("ingest", "manifest", str(org), "--bulk-dir", str(tmp_path / "csv"), "--rejects-dir", str(tmp_path))
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    people = tmp_path / "csv" / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    lines[3] = re.sub(r",\d{4}-\d\d-\d\d,", ",2024-13-45,", lines[3], count=1)  # hand-edited: no such date
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ServerUnavailable) as failed:
        Neo4jTestServer.start(tmp_path / "home", import_args=tmp_path / "csv" / ARGS_FILE, timeout=120)
    assert "IMPORT FAILED: neo4j-admin database import full exited" in str(failed.value)
    report = (tmp_path / "home" / "server.log").read_text(errors="replace")  # the importer's own report
    assert "people.csv" in report
    assert "hired_on:date" in report
    assert "raw field value: 2024-13-45" in report
    assert "Invalid value for MonthOfYear" in report
