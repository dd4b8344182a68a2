"""Where rejects go and how a run with rejects reads: --rejects naming a folder, a bad alias file named once, and
a finished step shown whole even when rows were rejected."""

from __future__ import annotations

from pathlib import Path

from tests.integration.clirun import cli, one_error_line

BAD_ROWS = ("employee_id,name,email,department,manager_id\nE1,Ann Lee,ann@example.org,Eng,\n"
            "E2,,bo@example.org,Sales,E1\nE1,Dup,dup@example.org,Eng,\n")


def test_rejects_naming_a_folder_puts_the_reject_file_inside_it(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(BAD_ROWS, encoding="utf-8")
    folder = tmp_path / "rejects"
    folder.mkdir()
    result = cli("ingest", "hris", str(tmp_path / "bad.csv"), "--rejects", str(folder),
                 env={"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}"})
    assert result.returncode == 1, result.stderr
    inside = folder / "whoknows-rejects-bad.csv.jsonl"
    assert f"2 problem(s) reported; reasons in {inside}" in result.stderr  # not a file in the temporary directory
    assert len(inside.read_text(encoding="utf-8").splitlines()) == 2
    bars = [line for line in result.stderr.splitlines() if line.startswith("HR bad.csv")]
    assert "3/3 rows" in bars[-1]  # the finished step shown whole, not stuck at the one row loaded


def test_an_unreadable_alias_file_is_named_once(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(BAD_ROWS, encoding="utf-8")
    result = cli("ingest", "hris", str(tmp_path / "bad.csv"), "--aliases", str(tmp_path),
                 env={"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}"})
    assert result.returncode == 2
    assert one_error_line(result) == (f"error: {tmp_path}: cannot read alias file: not a regular file (a directory): "
                                      "give a file saved on disk")
