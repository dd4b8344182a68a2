"""Hostile option files (``whoknows ingest`` as a real subprocess): tomllib raises RecursionError on deep arrays
and ValueError on a 5,000-digit integer, and a NUL in ``[options] encoding`` raised ValueError from the codec
lookup; each printed a traceback. Each is now a clear error naming the file, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_ingest_cli import no_traceback, run


@pytest.mark.parametrize(
    ("option", "text", "said"),
    [
        ("--mapping", "a = " + "[" * 10_000 + "]" * 10_000 + "\n",
         "m.toml: not a valid UTF-8 TOML file: nested too deeply"),
        ("--mapping", "[options]\nheader_row = " + "9" * 5000 + "\n",
         "m.toml: not a valid UTF-8 TOML file: Exceeds the limit (4300 digits) for integer string conversion"),
        ("--mapping", '[options]\nencoding = "utf-8\\u0000"\n', "m.toml: [options] encoding 'utf-8\\x00' is unknown"),
        ("--aliases", "x = " + "[" * 10_000 + "]" * 10_000 + "\n", "not valid UTF-8 TOML: nested too deeply"),
    ],
    ids=["mapping-deep", "mapping-5000-digits", "mapping-nul-encoding", "aliases-deep"],
)
def test_a_hostile_toml_file_is_a_clear_error(tmp_path: Path, option: str, text: str, said: str) -> None:
    (tmp_path / "hris.csv").write_text("id,name\nE1,Ann\n")
    (tmp_path / "m.toml").write_text(text)
    p = run(tmp_path, "hris", "hris.csv", option, "m.toml")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    assert said in " ".join(p.stderr.split())
