"""Hostile inputs, second pass: ``whoknows ingest`` as a user runs it (a real subprocess). Each case was a traceback,
a hang or data loaded that should not be; each asserts the exit code, the reject reasons and what loaded."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

from ingest.rejects import read_rejects
from tests.integration.test_ingest_cli import no_traceback, run, whoknows

Q = '<row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" OwnerUserId="5" Tags="&lt;python&gt;"/>\n'


def _posts(tmp_path: Path, db: str = "w.db") -> set[str]:
    with sqlite3.connect(tmp_path / db) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM post")}


def _dump(tmp_path: Path, rows: str) -> Path:
    d = tmp_path / "site"
    d.mkdir()
    (d / "Posts.xml").write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<posts>\n{Q}{rows}</posts>\n')
    return d


def test_times_past_the_calendar_after_their_offset_are_rejected_not_a_traceback(tmp_path: Path) -> None:
    """0001-01-01 at +14:00 is still year 0 in UTC (and 9999-12-31 at -14:00 year 10000): astimezone overflowed."""
    rows = "".join(
        f'<row Id="{i}" PostTypeId="1" CreationDate="{t}" OwnerUserId="5"/>\n'
        for i, t in ((2, "0001-01-01T00:00:00+14:00"), (3, "9999-12-31T23:59:59-14:00"),
                     (4, "2020-01-01T00:00:00-23:59"))
    )
    _dump(tmp_path, rows)
    p = run(tmp_path, "forum", "site", "--format", "stackexchange", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    reasons = {r.row: r.reason for r in read_rejects(tmp_path / "r.jsonl")}
    assert set(reasons) == {2, 3}  # the <row> record numbers
    assert "CreationDate '0001-01-01T00:00:00+14:00' is out of range" in reasons[2]
    assert "CreationDate '9999-12-31T23:59:59-14:00' is out of range" in reasons[3]
    assert _posts(tmp_path) == {"stackexchange/site:post/1", "stackexchange/site:post/4"}


def test_a_post_dated_in_the_future_is_rejected_and_analyze_still_runs(tmp_path: Path) -> None:
    """One post in year 9999 made every other post look 8,000 years old and the weekly health figures overflow."""
    _dump(tmp_path, '<row Id="2" PostTypeId="1" CreationDate="9999-12-31T23:59:59" OwnerUserId="6"/>\n')
    (tmp_path / "s.jsonl").write_text(
        '{"type":"post","id":"p1","author":"u1","created_at":"2024-01-02T10:00:00Z"}\n'
        '{"type":"post","id":"p2","author":"u1","created_at":253402300799}\n'
        '{"type":"membership","person":"u1","community":"c1","since":"3000-01-01T00:00:00Z"}\n'
    )
    (tmp_path / "slack").mkdir()
    (tmp_path / "slack" / "users.json").write_text('[{"id": "U1", "name": "ann"}]')
    (tmp_path / "slack" / "channels.json").write_text('[{"id": "C1", "name": "general", "members": ["U1"]}]')
    (tmp_path / "slack" / "general").mkdir()
    (tmp_path / "slack" / "general" / "2024-01-01.json").write_text(
        '[{"type": "message", "user": "U1", "ts": "1704100000.1"},'
        ' {"type": "message", "user": "U1", "ts": "99999999999.5"}]'
    )
    p = run(tmp_path, "forum", "site", "--format", "stackexchange", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    [r] = read_rejects(tmp_path / "r.jsonl")
    assert r.row == 2
    assert "CreationDate '9999-12-31T23:59:59' is in the future" in r.reason
    p = run(tmp_path, "forum", "s.jsonl", "--format", "jsonl", "--rejects", "j.jsonl")
    assert p.returncode == 1, p.stderr
    assert [(r.row, "in the future" in r.reason) for r in read_rejects(tmp_path / "j.jsonl")] == [(2, True), (3, True)]
    p = run(tmp_path, "forum", "slack", "--format", "slack", "--rejects", "k.jsonl")
    assert p.returncode == 1, p.stderr
    [r] = read_rejects(tmp_path / "k.jsonl")
    assert "ts '99999999999.5' is in the future" in r.reason
    assert len(_posts(tmp_path)) == 3  # one of each format
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}"}
    a = subprocess.run([*whoknows(), "analyze"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
                       check=False)
    no_traceback(a)
    assert a.returncode == 0, a.stderr


def test_a_lone_surrogate_escape_rejects_its_line_and_the_rest_loads(tmp_path: Path) -> None:
    """``"\\ud800"`` is valid to Python's json but no Unicode text: it reached pydantic's Rust validator outside
    any handler and printed a traceback."""
    lines = [
        {"type": "person", "handle": "u1", "name": "Ann", "email": "ann@x.com"},
        '{"type":"post","id":"p\\ud800","author":"u\\udfff","created_at":"2024-01-02T10:00:00Z"}',
        '{"type":"person","handle":"u\\udc00","name":"X","email":"x@x.com"}',
        '{"type":"post","id":"p2","author":"u1","created_at":"2024-01-02T10:00:00Z","title":"\\ud83d\\ude00 ok"}',
    ]
    (tmp_path / "s.jsonl").write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    p = run(tmp_path, "forum", "s.jsonl", "--format", "jsonl", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    assert [(r.row, r.reason) for r in read_rejects(tmp_path / "r.jsonl")] == [
        (2, "invalid JSON: lone surrogate escape (not Unicode text) (column 23)"),
        (3, "invalid JSON: lone surrogate escape (not Unicode text) (column 29)"),
    ]
    assert _posts(tmp_path) == {"jsonl/s:post/p2"}  # an escaped pair (an emoji) is Unicode text


def test_a_lone_surrogate_in_a_slack_day_file_rejects_that_file_alone(tmp_path: Path) -> None:
    d = tmp_path / "slack"
    (d / "general").mkdir(parents=True)
    (d / "users.json").write_text('[{"id": "U1", "name": "ann"}]')
    (d / "channels.json").write_text('[{"id": "C1", "name": "general", "members": ["U1"]}]')
    (d / "general" / "2024-01-01.json").write_text('[{"type": "message", "user": "U\\ud800", "ts": "1704100000.1"}]')
    (d / "general" / "2024-01-02.json").write_text('[{"type": "message", "user": "U1", "ts": "1704200000.1"}]')
    p = run(tmp_path, "forum", "slack", "--format", "slack", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    [r] = read_rejects(tmp_path / "r.jsonl")
    assert r.file.endswith("2024-01-01.json")
    assert "lone surrogate" in r.reason
    assert len(_posts(tmp_path)) == 1


def _slack_zip(path: Path, extra: list[tuple[str, str]]) -> None:
    import warnings
    import zipfile

    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as z:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name this test writes on purpose
        z.writestr("users.json", '[{"id": "U1", "name": "ann"}]')
        z.writestr("channels.json", '[{"id": "C1", "name": "general", "members": ["U1"]}]')
        z.writestr("general/2024-01-01.json", '[{"type": "message", "user": "U1", "ts": "1704100000.1"}]')
        for name, data in extra:
            z.writestr(name, data)


def test_zip_members_with_unsafe_or_repeated_names_are_refused_by_name(tmp_path: Path) -> None:
    """``/general/2024-01-04.json`` was read as a day of #general, and of two members of one name zipfile silently
    read the last: a hand-made archive could slip in or replace a day file."""
    day = '[{"type": "message", "user": "U1", "ts": "%s"}]'
    _slack_zip(tmp_path / "ws.zip", [
        ("/general/2024-01-04.json", day % "1704300000.1"),
        ("general/../general/2024-01-05.json", day % "1704400000.1"),
        ("general\\2024-01-06.json", day % "1704500000.1"),
        ("general/2024-01-02.json", day % "1704200000.1"),
        ("general/2024-01-02.json", day % "1704200001.1"),
        ("general/2024-01-03.json", day % "1704250000.1"),
    ])
    p = run(tmp_path, "forum", "ws.zip", "--format", "slack", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    got = sorted((r.file.partition(":")[2], r.reason.split(" (")[0].split(":")[0]) for r in
                 read_rejects(tmp_path / "r.jsonl"))
    assert got == [
        ("/general/2024-01-04.json", "not a plain relative name"),
        ("general/../general/2024-01-05.json", "not a plain relative name"),
        ("general/2024-01-02.json", "the archive holds 2 members of this name"),  # said once, neither read
        ("general\\2024-01-06.json", "not a plain relative name"),
    ]
    assert _posts(tmp_path) == {"slack:C1/1704100000.1", "slack:C1/1704250000.1"}


def test_a_zip_with_two_users_json_is_unreadable_input(tmp_path: Path) -> None:
    _slack_zip(tmp_path / "ws.zip", [("users.json", '[{"id": "U9", "name": "mallory"}]')])
    p = run(tmp_path, "forum", "ws.zip", "--format", "slack")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    assert "ws.zip:users.json: the archive holds 2 members of this name" in " ".join(p.stderr.split())
    assert not (tmp_path / "w.db").exists()  # a refused first ingest takes back the store it created: nothing loaded


def test_a_jsonl_line_past_the_member_limit_is_rejected_without_being_held(tmp_path: Path) -> None:
    """A 300 MB line took 770 MB of memory (a 10 GB one-line file would take the machine): lines are read in pieces
    that stop at the limit, and the rest of a longer one is skipped."""
    post = '{"type":"post","id":"%s","author":"u1","created_at":"2024-01-02T10:00:00Z","title":"%s"}\n'
    (tmp_path / "s.jsonl").write_text(post % ("p1", "a") + post % ("p2", "x" * 5000) + post % ("p3", "b")
                                      + post % ("p4", "y" * 3000))  # the last line, without its newline too
    (tmp_path / "s.jsonl").write_bytes((tmp_path / "s.jsonl").read_bytes().rstrip(b"\n"))
    p = run(tmp_path, "forum", "s.jsonl", "--format", "jsonl", "--max-member-bytes", "1000", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    assert [(r.row, r.reason.split(",")[0]) for r in read_rejects(tmp_path / "r.jsonl")] == [
        (2, "a line of 5"), (4, "a line of 3"),
    ]
    assert "over the 1,000-byte limit (WHOKNOWS_MAX_MEMBER_BYTES, --max-member-bytes); not read" in \
        read_rejects(tmp_path / "r.jsonl")[0].reason
    assert _posts(tmp_path) == {"jsonl/s:post/p1", "jsonl/s:post/p3"}


def test_a_dry_run_stopped_by_bad_xml_says_nothing_was_written(tmp_path: Path) -> None:
    """It said "(2 records before it were loaded)" while a dry run writes nothing."""
    _dump(tmp_path, '<row Id="2" PostTypeId="1" CreationDate="2020-01-01" <<<bad/>\n')
    p = run(tmp_path, "forum", "site", "--format", "stackexchange", "--dry-run")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    said = " ".join(p.stderr.split())
    assert "records before it would have been loaded (dry run: nothing was written)" in said
    assert "were loaded" not in said
    p = run(tmp_path, "forum", "site", "--format", "stackexchange")
    assert "records before it were loaded" in " ".join(p.stderr.split())
