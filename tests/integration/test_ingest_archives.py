"""Archives and links (issue 9.5): a member's decompressed size is capped (header first, then what comes out),
members are read in pieces, and symbolic links that leave an export folder are refused, saying so.

The zip bombs are built here in tmp_path (zeros compress about 1000:1); peak memory is measured in a child
process with ``resource`` (max RSS of the whoknows CLI run under a tiny wrapper, so nothing else counts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum
from ingest.rejects import read_rejects
from schema.errors import UnreadableInput

MiB = 1 << 20
USERS = [{"id": "U1", "name": "ann", "profile": {"email": "ann@x.com"}}, {"id": "U2", "name": "bob"}]
CHANNELS = [{"id": "C1", "name": "general", "members": ["U1", "U2"]}]
DAY = [{"type": "message", "user": "U1", "ts": "1700000000.000100"},
       {"type": "message", "user": "U2", "ts": "1700000001.000100", "thread_ts": "1700000000.000100"}]


def bomb(path: Path, member: str, size: int, extra: dict[str, str] | None = None) -> Path:
    """A zip whose ``member`` decompresses to ``size`` bytes (a JSON list padded with blanks), written in
    1 MiB pieces so building it costs no memory either."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("users.json", json.dumps(USERS))
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("general/2023-11-14.json", json.dumps(DAY))
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
        with zf.open(member, "w", force_zip64=True) as fh:
            fh.write(b"[")
            blank = b" " * MiB
            left = size - 2
            while left > 0:
                fh.write(blank[: min(left, MiB)])
                left -= MiB
            fh.write(b"]")
    return path


def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str, int]:
    """(exit code, output, peak RSS in KiB) of ``whoknows ARGS`` in a child process."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(p.stdout + p.stderr)\n"
        "print('@@RSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(p.returncode)\n"
    )
    exe = Path(sys.executable).with_name("whoknows")
    p = subprocess.run([sys.executable, "-c", wrapper, str(exe), *args], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "200", **env}, timeout=300)
    out, _, rss = p.stdout.rpartition("@@RSS ")
    return p.returncode, out + p.stderr, int(rss.strip())


def test_a_day_file_over_the_cap_is_rejected_by_name_with_flat_memory(tmp_path: Path) -> None:
    """200 MiB of blanks in a 200 KiB zip, with a 16 MiB cap: refused on the header's word, the other days load,
    and the process stays small (it read the member into memory whole before: 2.2 GB for 1 GiB)."""
    z = bomb(tmp_path / "bomb.zip", "general/2023-11-15.json", 200 * MiB)
    assert z.stat().st_size < 2 * MiB
    code, out, rss_kib = run_cli(
        ["ingest", "forum", str(z), "--format", "slack", "--rejects", str(tmp_path / "r.jsonl")],
        {"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}", "WHOKNOWS_MAX_MEMBER_BYTES": str(16 * MiB)},
    )
    assert code == 1, out
    (rej,) = read_rejects(tmp_path / "r.jsonl")
    assert rej.file == f"{z}:general/2023-11-15.json"
    assert "more than 16,777,216 bytes" in rej.reason
    assert "WHOKNOWS_MAX_MEMBER_BYTES" in rej.reason
    assert rss_kib < 200 * 1024, f"peak RSS {rss_kib} KiB"
    st = SQLiteStore(tmp_path / "w.db")
    try:
        assert st.counts()["posts"] == 2
    finally:
        st.close()


def test_a_lying_header_is_refused_by_name(tmp_path: Path) -> None:
    """A member whose central directory claims 1 MiB while it inflates to 4 MiB: reading stops at the declared
    size (the cap holds whatever the data says) and the member is rejected as damaged, with the reason."""
    z = tmp_path / "liar.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("users.json", json.dumps(USERS))
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("general/2023-11-14.json", json.dumps(DAY))
        zf.writestr("general/2023-11-15.json", "[" + " " * (4 * MiB - 2) + "]")
    raw = bytearray(z.read_bytes())
    name = b"general/2023-11-15.json"
    for sig, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central directory, local header
        i = raw.find(sig)
        while i >= 0:
            name_at = 46 if sig == b"PK\x01\x02" else 30
            if raw[i + name_at:i + name_at + len(name)] == name:
                raw[i + size_at:i + size_at + 4] = (1 * MiB).to_bytes(4, "little")
            i = raw.find(sig, i + 4)
    z.write_bytes(bytes(raw))
    st = SQLiteStore(tmp_path / "w.db")
    try:
        s = ingest_forum(st, z, "slack", rejects=tmp_path / "r.jsonl", max_member_bytes=2 * MiB)
        assert s.exit_code == 1
        (rej,) = read_rejects(tmp_path / "r.jsonl")
        assert rej.file == f"{z}:general/2023-11-15.json"
        assert "Bad CRC-32" in rej.reason
        assert s.posts == 2
    finally:
        st.close()


def test_users_json_over_the_cap_stops_the_ingest_naming_it(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "big-users.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("users.json", json.dumps(USERS * 20_000))
    st = SQLiteStore(tmp_path / "w.db")
    try:
        with pytest.raises(UnreadableInput, match=r"users\.json.*more than 100,000 bytes"):
            ingest_forum(st, tmp_path / "big-users.zip", "slack", rejects=tmp_path / "r.jsonl",
                         max_member_bytes=100_000)
    finally:
        st.close()
    code, out, _ = run_cli(
        ["ingest", "forum", str(tmp_path / "big-users.zip"), "--format", "slack", "--max-member-bytes", "100000"],
        {"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w2.db'}"},
    )
    assert code == 2, out
    assert "users.json" in out
    assert "Traceback" not in out


def export_folder(root: Path) -> Path:
    (root / "general").mkdir(parents=True)
    (root / "users.json").write_text(json.dumps(USERS))
    (root / "channels.json").write_text(json.dumps(CHANNELS))
    (root / "general" / "2023-11-14.json").write_text(json.dumps(DAY))
    return root


def test_links_leaving_a_slack_folder_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps([{"type": "message", "user": "U9", "ts": "1700000009.000100"}]))
    root = export_folder(tmp_path / "export")
    (root / "general" / "2023-11-15.json").symlink_to(outside)
    (root / "general" / "2023-11-16.json").symlink_to("/etc/passwd")
    (root / "general" / "2023-11-17.json").symlink_to(root / "general" / "2023-11-14.json")  # inside: fine
    (root / "general" / "2023-11-18.json").symlink_to(tmp_path / "missing.json")  # dangling
    st = SQLiteStore(tmp_path / "w.db")
    try:
        s = ingest_forum(st, root, "slack", rejects=tmp_path / "r.jsonl")
        assert s.exit_code == 1
        rej = read_rejects(tmp_path / "r.jsonl")
        assert sorted(Path(r.file).name for r in rej) == ["2023-11-15.json", "2023-11-16.json", "2023-11-18.json"]
        assert all("symbolic link" in r.reason and "outside the export folder" in r.reason for r in rej)
        assert "slack:U9" not in st.person_ids()  # nothing of the linked file was loaded
        assert s.posts == 2  # the in-folder link repeats the same messages (same ids)
    finally:
        st.close()


def test_links_leaving_stackexchange_discourse_and_viva_folders_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text('<posts><row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" /></posts>')
    se = tmp_path / "se"
    se.mkdir()
    (se / "Posts.xml").symlink_to(secret)
    st = SQLiteStore(tmp_path / "w.db")
    try:
        with pytest.raises(UnreadableInput, match="Posts.xml is a symbolic link to a place outside"):
            ingest_forum(st, se, "stackexchange", rejects=tmp_path / "r.jsonl")
        topics = tmp_path / "topics"
        topics.mkdir()
        topic = {"id": 1, "post_stream": {"posts": [
            {"id": 1, "post_number": 1, "username": "ann", "created_at": "2024-01-01T00:00:00Z"}]}}
        (topics / "1.json").write_text(json.dumps(topic))
        (tmp_path / "elsewhere.json").write_text(json.dumps({**topic, "id": 2}))
        (topics / "2.json").symlink_to(tmp_path / "elsewhere.json")
        s = ingest_forum(st, topics, "discourse", rejects=tmp_path / "r2.jsonl")
        assert s.posts == 1
        (rej,) = read_rejects(tmp_path / "r2.jsonl")
        assert rej.file == str(topics / "2.json")
        assert "outside the export folder" in rej.reason
        viva = tmp_path / "viva"
        viva.mkdir()
        (viva / "Messages.csv").symlink_to("/etc/passwd")
        with pytest.raises(UnreadableInput, match="symbolic link"):
            ingest_forum(st, viva, "vivaengage", rejects=tmp_path / "r3.jsonl")
    finally:
        st.close()
