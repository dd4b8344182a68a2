"""docker-compose.yml and the Dockerfile hold what the deployment relies on.

No Docker engine runs here, so the compose file is read as data (and, where the docker-compose client is installed,
validated by it); the entry script itself is exercised in tests/integration/test_docker_ingest.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def test_neo4j_is_version_5_with_a_healthcheck_a_volume_and_a_required_password(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    assert re.match(r"neo4j:5(\.\d+)*(-community|-enterprise)?$", neo4j["image"])
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    named = {v.split(":")[0] for v in neo4j["volumes"]}
    assert "neo4j-data" in named
    assert "neo4j-data" in compose["volumes"]
    assert all(not p.startswith(("7474", "7687")) for p in neo4j["ports"])  # bound to 127.0.0.1, not all interfaces
    # read deadlines end as transaction timeouts, which the server checks every 2 s unless told otherwise
    assert neo4j["environment"]["NEO4J_db_transaction_monitor_check_interval"] == "100ms"


def test_the_api_waits_for_a_healthy_neo4j_and_refuses_to_start_without_secrets(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["build"] == "."
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = api["environment"]
    assert env["WHOKNOWS_STORE"] == "neo4j://neo4j:7687"
    assert env["WHOKNOWS_ENV"] == "production"
    assert env["WHOKNOWS_JWT_SECRET"].startswith("${WHOKNOWS_JWT_SECRET:?")
    assert env["WHOKNOWS_NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD:?")
    assert api["command"][:4] == ["whoknows", "serve", "--host", "0.0.0.0"]
    assert "/readyz" in " ".join(api["healthcheck"]["test"])


def test_ingest_is_a_one_shot_over_mounted_exports(compose: dict[str, Any]) -> None:
    ingest = compose["services"]["ingest"]
    assert ingest["profiles"] == ["ingest"]  # not started by a plain `docker compose up`
    assert ingest["restart"] == "no"
    assert "./exports:/exports:ro" in ingest["volumes"]
    assert ingest["entrypoint"] == ["/usr/local/bin/whoknows-ingest"]
    assert ingest["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert ingest["environment"] == compose["services"]["api"]["environment"]


def test_the_dockerfile_installs_the_package_and_serves() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in text
    assert "RUN pip install ." in text
    assert "COPY docker/ingest.sh /usr/local/bin/whoknows-ingest" in text
    assert re.search(r"^USER whoknows$", text, re.MULTILINE)
    cmd = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert cmd is not None
    assert json.loads(cmd.group(1)) == ["whoknows", "serve", "--host", "0.0.0.0", "--port", "8000"]
    for path in re.findall(r"^COPY (\S+) ", text, re.MULTILINE):
        assert (ROOT / path).exists(), path


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", "tests", "*.db", "exports", "tools"} <= ignored
    assert "docker" not in ignored  # the entry script is copied from there


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="the docker-compose client is not installed")
def test_docker_compose_accepts_the_file_and_requires_the_secrets() -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "WHOKNOWS_JWT_SECRET")}
    cmd = ["docker-compose", "--profile", "ingest", "config", "--services"]
    missing = subprocess.run(cmd, cwd=ROOT, env=base, capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode != 0
    assert "NEO4J_PASSWORD" in missing.stderr
    env = {**base, "NEO4J_PASSWORD": "a-long-password", "WHOKNOWS_JWT_SECRET": "0123456789abcdef"}
    ok = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr
    assert set(ok.stdout.split()) == {"neo4j", "api", "ingest"}
