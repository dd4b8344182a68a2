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
