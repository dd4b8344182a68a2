"""``whoknows stats --json``: what the store holds, as JSON on stdout and nothing else there."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.clirun import cli, hris_csv


def test_stats_json_is_the_counts_and_the_last_run(tmp_path: Path) -> None:
    env = {"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 's.db'}"}
    assert cli("ingest", "hris", str(hris_csv(tmp_path / "hris.csv")), env=env).returncode == 0
    result = cli("stats", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # the whole of stdout is the JSON
    assert report["store"] == env["WHOKNOWS_STORE"]
    assert report["counts"]["people"] == 2
    assert report["last_run"] is None
    table = cli("stats", env=env)
    assert "no analytics run yet: run `whoknows analyze`" in table.stdout  # and what to do about it
    assert "skill claims" in table.stdout  # labels a person reads, not field names
