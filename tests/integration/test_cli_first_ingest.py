"""A first ingest refused for bad usage leaves no empty store behind, and says plainly when a file is given where
a folder is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.clirun import cli as _cli
from tests.integration.clirun import hris_csv as _hris
from tests.integration.clirun import one_error_line as _one_error_line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("ingest", "hris", "{tmp}/typo.csv"), "typo.csv: no such file"),
        (("ingest", "forum", "{tmp}/hris.csv", "--format", "stackexchange"), "a Stack Exchange dump is a directory"),
        (("ingest", "forum", "{tmp}", "--format", "bogus"), "unknown format 'bogus'"),
        (("ingest", "manifest", "{tmp}/nowhere"), "no manifest.json"),
    ],
)
def test_a_refused_first_ingest_leaves_no_empty_store(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    _hris(tmp_path / "hris.csv")
    db = tmp_path / "new.db"
    result = _cli(*(a.format(tmp=tmp_path) for a in args), env={"WHOKNOWS_STORE": f"sqlite:///{db}"})
    assert result.returncode == 2, result.stderr
    assert says in _one_error_line(result)
    assert not list(tmp_path.glob("new.db*"))  # else stats and serve would take it for a store ingest made
    stats = _cli("stats", env={"WHOKNOWS_STORE": f"sqlite:///{db}"})
    assert stats.returncode == 3
    assert "never created" in _one_error_line(stats)


def test_a_refused_ingest_keeps_a_store_that_holds_data(tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    env = {"WHOKNOWS_STORE": f"sqlite:///{db}"}
    assert _cli("ingest", "hris", str(_hris(tmp_path / "hris.csv")), env=env).returncode == 0
    result = _cli("ingest", "hris", str(tmp_path / "typo.csv"), env=env)
    assert result.returncode == 2
    assert db.exists()
    assert "people" in _cli("stats", env=env).stdout


@pytest.mark.parametrize(("name", "hint"), [("manifest.json", "give the folder that holds it"),
                                            ("hris.csv", "ingest a single file with `whoknows ingest hris|forum`")])
def test_manifest_given_a_file_says_it_wants_the_folder(tmp_path: Path, name: str, hint: str) -> None:
    given = tmp_path / name
    given.write_text("[]", encoding="utf-8")
    result = _cli("ingest", "manifest", str(given), env={"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}"})
    assert result.returncode == 2
    line = _one_error_line(result)
    assert f"{given}: is a file, expected a folder holding a manifest.json ({hint})" in line
    assert "Errno" not in line
