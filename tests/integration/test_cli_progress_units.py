"""A manifest's progress counts each step in its own unit (HR rows, forum bytes, parallel steps)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.integration.clirun import whoknows_argv as _whoknows


def test_a_manifest_counts_each_step_in_its_own_unit(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    made = subprocess.run([*_whoknows(), "demo-data", str(data), "--people", "50"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert made.returncode == 0, made.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_")}
    result = subprocess.run([*_whoknows(), "ingest", "manifest", str(data), "--store", f"sqlite:///{tmp_path / 'w.db'}",
                             "--rejects-dir", str(tmp_path / "rejects")], capture_output=True, text=True,
                            timeout=300, check=False, env={**env, "COLUMNS": "160"})
    assert result.returncode in (0, 1), result.stderr
    bars = {line.split("━")[0].strip(): line for line in result.stderr.splitlines() if "━" in line}
    hr = next(line for label, line in bars.items() if label.startswith("HR "))
    assert "50/50 rows" in hr  # people counted as rows, not shown as "50/50 bytes"
    forums = next(line for label, line in bars.items() if "forum exports in" in label)
    assert "3/3 steps" in forums
    assert "bytes" not in hr + forums


def test_a_narrow_terminal_cuts_the_amount_and_never_folds_it(tmp_path: Path) -> None:
    import re

    from tests.integration.clirun import cli, hris_csv

    result = cli("ingest", "hris", str(hris_csv(tmp_path / "hris.csv")), "--store", f"sqlite:///{tmp_path / 'w.db'}",
                 env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "40"})  # a 40-column terminal, to rich
    assert result.returncode == 0, result.stderr
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr).replace("\r", "\n")
    bars = [line for line in shown.splitlines() if "━" in line]
    assert bars
    assert all("2/2 rows" in line or "0/2 rows" in line for line in bars), shown  # amount and unit on one line
    assert not any(line.strip() == "rows" for line in shown.splitlines()), shown
