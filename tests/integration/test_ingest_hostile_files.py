"""Inputs that are not files (``whoknows ingest`` as a real subprocess): a named pipe given as the export, the
mapping, the aliases, the identities file, the manifest or the reject file made the command wait forever (open()
of a FIFO waits for a writer); a reject file path naming a folder printed IsADirectoryError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.rejects import read_rejects
from tests.integration.test_ingest_cli import no_traceback, run

HR = "id,name\nE1,Ann\nE2,\n"  # E2 is rejected (no name): a reject file is written
FIFO_SAID = "not a regular file (a named pipe (FIFO))"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["hris", "pipe"], f"pipe: {FIFO_SAID}"),
        (["hris", "hris.csv", "--mapping", "pipe"], f"pipe: cannot read mapping file: {FIFO_SAID}"),
        (["hris", "hris.csv", "--aliases", "pipe"], f"cannot read alias file: {FIFO_SAID}"),
        (["hris", "hris.csv", "--dry-run", "--mapping", "pipe"], f"pipe: cannot read mapping file: {FIFO_SAID}"),
        (["forum", "pipe", "--format", "jsonl"], f"pipe: {FIFO_SAID}"),
        (["forum", "pipe", "--format", "slack"], f"pipe: {FIFO_SAID}"),
        (["forum", "s.jsonl", "--format", "jsonl", "--identities", "pipe"],
         f"pipe: cannot read identities file: {FIFO_SAID}"),
        (["manifest", "m"], f"manifest.json: unreadable manifest: {FIFO_SAID}"),
    ],
    ids=["hris", "mapping", "aliases", "dry-run-mapping", "jsonl", "slack", "identities", "manifest"],
)
def test_a_named_pipe_is_refused_at_once(tmp_path: Path, args: list[str], said: str) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "m").mkdir()
    os.mkfifo(tmp_path / "m" / "manifest.json")
    (tmp_path / "hris.csv").write_text(HR)
    (tmp_path / "s.jsonl").write_text('{"type":"post","id":"p1","created_at":"2024-01-02T10:00:00Z"}\n')
    p = run(tmp_path, *args)  # the helper's timeout (300 s) would fail a hang; this takes a second
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    assert said in " ".join(p.stderr.split())


def test_a_reject_file_path_that_is_a_fifo_falls_back_to_a_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "hris.csv").write_text(HR)
    os.mkfifo(tmp_path / "r.jsonl")
    p = run(tmp_path, "hris", "hris.csv", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    said = " ".join(p.stdout.split() + p.stderr.split())
    where = said.split("reasons in ")[1].split()[0]
    assert Path(where).name.startswith("r.jsonl-")
    [r] = read_rejects(where)
    assert (r.file, r.row) == ("hris.csv", 3)
    os.unlink(where)


def test_a_reject_path_that_is_a_folder_gets_the_reject_file_inside(tmp_path: Path) -> None:
    """``--rejects DIR`` names a folder for the reject file (it was written to a temporary file, or before that,
    failed with IsADirectoryError)."""
    (tmp_path / "hris.csv").write_text(HR)
    (tmp_path / "r.jsonl").mkdir()
    p = run(tmp_path, "hris", "hris.csv", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    [inside] = list((tmp_path / "r.jsonl").iterdir())
    [r] = read_rejects(inside)
    assert (r.file, r.row) == ("hris.csv", 3)


def test_an_unreadable_folder_inside_an_export_is_a_clear_error(tmp_path: Path) -> None:
    """A Slack export folder holding a folder the user may not read printed PermissionError from os.scandir."""
    d = tmp_path / "slack"
    (d / "general").mkdir(parents=True)
    (d / "users.json").write_text('[{"id": "U1", "name": "ann"}]')
    (d / "channels.json").write_text('[{"id": "C1", "name": "general"}]')
    (d / "general" / "2024-01-01.json").write_text('[{"type": "message", "user": "U1", "ts": "1704100000.1"}]')
    (d / "secret").mkdir()
    (d / "secret" / "2024-01-01.json").write_text("[]")
    (d / "secret").chmod(0)
    try:
        if os.access(d / "secret", os.R_OK):  # root reads everything: drop the capability to, as a user would be
            import shutil
            import subprocess

            from tests.integration.test_ingest_cli import whoknows
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: a folder cannot be made unreadable")
            caps = "-dac_override,-dac_read_search"
            env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}", "COLUMNS": "200"}
            p = subprocess.run(["setpriv", f"--inh-caps={caps}", f"--ambient-caps={caps}", f"--bounding-set={caps}",
                                *whoknows(), "ingest", "forum", "slack", "--format", "slack"],
                               capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300, check=False)
        else:
            p = run(tmp_path, "forum", "slack", "--format", "slack")
        no_traceback(p)
        assert p.returncode == 2, p.stderr
        assert "slack/secret: cannot read folder: Permission denied" in " ".join(p.stderr.split())
    finally:
        (d / "secret").chmod(0o755)
