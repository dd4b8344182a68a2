"""Messages stay whole lines when the output is a log file or the terminal is narrow."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.clirun import cli as _cli
from tests.integration.clirun import one_error_line as _one_error_line


@pytest.mark.parametrize("columns", [None, "40"])
def test_a_long_error_stays_one_line_in_a_log_or_a_narrow_terminal(tmp_path: Path, columns: str | None) -> None:
    deep = tmp_path / ("a-rather-long-folder-name-" * 3) / "people.csv"
    deep.parent.mkdir()
    deep.write_text("x\n", encoding="utf-8")
    env = {"COLUMNS": columns} if columns else {}
    result = _cli("ingest", "forum", str(deep), "--format", "stackexchange", env=env)
    assert result.returncode == 2
    line = _one_error_line(result)
    assert str(deep) in line  # the path whole, for grep and copy-paste
    assert "\x1b[" not in result.stderr


def test_a_table_in_a_log_keeps_its_natural_width(tmp_path: Path) -> None:
    from tests.integration.clirun import hris_csv

    env = {"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}"}
    assert _cli("ingest", "hris", str(hris_csv(tmp_path / "people.csv")), env=env).returncode == 0
    result = _cli("analyze", env=env)  # to a pipe, as cron would log it
    assert result.returncode == 0, result.stderr
    # a stage's label on one row, not folded to fit 80 columns
    assert "│ question router (learning to rank on past questions) │" in result.stdout, result.stdout
