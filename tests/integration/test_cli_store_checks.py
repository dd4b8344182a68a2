"""A store that is not there, a folder, a malformed URL or a Neo4j with nothing listening: the documented exit code
and one line, and no empty store left at a mistyped path."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.integration.clirun import cli as _cli
from tests.integration.clirun import hris_csv as _hris
from tests.integration.clirun import one_error_line as _one_error_line


@pytest.mark.parametrize("command", [("stats",), ("analyze",), ("serve", "--port", "8879")])
def test_reading_commands_refuse_a_store_never_created(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "typo.db"
    result = _cli(*command, env={"WHOKNOWS_STORE": f"sqlite:///{missing}"})
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"no store at {missing}: it was never created" in _one_error_line(result)
    assert not missing.exists()  # a mistyped path leaves no empty store behind


@pytest.mark.parametrize("command", [("stats",), ("analyze",), ("serve", "--port", "8879")])
def test_reading_commands_refuse_a_folder_as_store(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = _cli(*command, env={"WHOKNOWS_STORE": f"sqlite:///{tmp_path}"})
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"{tmp_path} is a folder, not a store file" in _one_error_line(result)


@pytest.mark.parametrize("url", ["garbage", "http://localhost/x", "sqlite://relative.db"])
def test_a_malformed_store_url_is_bad_usage(tmp_path: Path, url: str) -> None:
    csv = _hris(tmp_path / "hris.csv")
    result = _cli("ingest", "hris", str(csv), env={"WHOKNOWS_STORE": url})
    assert result.returncode == 2, result.stderr
    assert f"store URL {url}:" in _one_error_line(result)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_neo4j_with_nothing_listening_fails_fast_with_one_line(closed_port: int) -> None:
    result = _cli("stats", env={"WHOKNOWS_STORE": f"neo4j://127.0.0.1:{closed_port}"}, timeout=60)
    assert result.returncode == 3, result.stderr
    line = _one_error_line(result)  # the driver's own "Unable to retrieve routing information" is not printed
    assert f"cannot open store neo4j://127.0.0.1:{closed_port}: Neo4j is unreachable" in line
