"""File names a user did not choose (``whoknows ingest`` as a real subprocess): a name that is not UTF-8 printed
a UnicodeEncodeError traceback (the checkpoint key), and a name holding ESC or a newline was written raw to the
terminal (a control sequence; one message split in two)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.test_ingest_cli import no_traceback, run

HR = b"id,name\nE1,Ann\nE2,\n"  # E2 is rejected: the name is printed in the reject line too


@pytest.mark.parametrize(
    ("name", "shown"),
    [(b"bad\xff\xfename.csv", r"bad\xff\xfename.csv"),
     (b"esc\x1b[31mred.csv", r"esc\x1b[31mred.csv"),
     (b"new\nline.csv", r"new\x0aline.csv")],
    ids=["not-utf8", "escape-sequence", "newline"],
)
def test_a_hostile_file_name_is_read_and_printed_escaped(tmp_path: Path, name: bytes, shown: str) -> None:
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as fh:
        fh.write(HR)
    p = run(tmp_path, "hris", os.fsdecode(name), "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    assert "\x1b[31mred" not in p.stdout + p.stderr
    assert f"rejected: {shown}, row 3: name is empty" in p.stderr
    assert f"ingest hris {shown}" in p.stdout
