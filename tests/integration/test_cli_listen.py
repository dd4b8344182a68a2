"""``serve`` and ``demo`` refuse an address they cannot listen on as bad usage (exit 2), before building anything."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.clirun import cli as _cli
from tests.integration.clirun import made_store
from tests.integration.clirun import one_error_line as _one_error_line


@pytest.fixture
def store(tmp_path: Path) -> str:
    return made_store(tmp_path)


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_serve_on_a_port_in_use_is_bad_usage(store: str, taken_port: int) -> None:
    result = _cli("serve", "--store", store, "--port", str(taken_port), timeout=60)
    assert result.returncode == 2, result.stderr
    line = _one_error_line(result)
    assert f"cannot listen on 127.0.0.1:{taken_port}" in line
    assert "another server is listening there" in line


def test_serve_on_a_host_that_does_not_resolve_is_bad_usage(store: str) -> None:
    result = _cli("serve", "--store", store, "--host", "no-such-host.invalid", "--port", "8879", timeout=60)
    assert result.returncode == 2, result.stderr
    assert "--host 'no-such-host.invalid' does not resolve" in _one_error_line(result)


def test_demo_refuses_bad_usage_before_building_anything(tmp_path: Path, taken_port: int) -> None:
    workdir = tmp_path / "demo"
    for args, says in ((("--people", "0"), "--people must be between"),
                       (("--people", "1000000000"), "--people must be between"),
                       (("--port", str(taken_port)), "another server is listening there")):
        result = _cli("demo", "--workdir", str(workdir), *args)
        assert result.returncode == 2, result.stderr
        assert says in _one_error_line(result)
        assert not workdir.exists()  # nothing created, no progress bar, no store
