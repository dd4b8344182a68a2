"""``whoknows demo-data`` as a real subprocess, and its output ingested into a real SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.store.sqlite import SQLiteStore
from ingest.demo import generate_demo_data
from ingest.manifest import ingest_manifest

ROOT = Path(__file__).resolve().parents[2]


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_cli_writes_the_organisation_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "org"
    proc = run_cli("demo-data", str(out), "--people", "200", "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    for name in ("hris.csv", "identities.csv", "endorsements.jsonl", "manifest.json", "truth.json"):
        assert (out / name).is_file(), name
    assert (out / "stackexchange" / "Posts.xml").is_file()
    assert (out / "slack" / "users.json").is_file()
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 7
    assert truth["people"] == 200
    assert "forum posts in total" in proc.stdout
    assert f"{truth['counts']['forum_posts']:,}" in proc.stdout
    assert "Traceback" not in proc.stderr
    # another process (another hash seed) writes the same bytes: nothing depends on set or dict hashing order
    again = tmp_path / "again"
    assert run_cli("demo-data", str(again), "--people", "200", "--seed", "7").returncode == 0
    assert tree_bytes(again) == tree_bytes(out)
    # and the same command over the earlier output replaces it
    assert run_cli("demo-data", str(out), "--people", "200", "--seed", "7").returncode == 0
    assert tree_bytes(out) == tree_bytes(again)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "0"], "--people must be between"),
        (["--people", "-5"], "--people must be between"),
        (["--end-date", "2026-02-30"], "--end-date"),
    ],
)
def test_cli_bad_arguments_exit_2_with_a_clear_message(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_cli("demo-data", str(tmp_path / "org"), *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "org").exists()


def test_cli_refuses_a_file_or_a_foreign_folder(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me", encoding="utf-8")
    proc = run_cli("demo-data", str(a_file), "--people", "100")
    assert proc.returncode == 2
    assert "is not a folder" in proc.stderr
    proc = run_cli("demo-data", str(tmp_path), "--people", "100")
    assert proc.returncode == 2
    assert "not empty" in proc.stderr
    assert a_file.read_text(encoding="utf-8") == "keep me"
    assert "Traceback" not in proc.stderr


def test_cli_not_a_number_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("demo-data", str(tmp_path / "org"), "--people", "lots")
    assert proc.returncode == 2
    assert "Invalid value for '--people'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_org_ingests_into_sqlite_with_identities_matched(tmp_path: Path) -> None:
    out = tmp_path / "org"
    summary = generate_demo_data(out, people=300, seed=11)
    counts = summary.counts
    store = SQLiteStore(tmp_path / "whoknows.db")
    try:
        steps = ingest_manifest(store, out, rejects_dir=tmp_path / "rejects")
        assert [s.kind for s in steps] == ["hris", "stackexchange", "slack", "jsonl"]
        assert sum(s.rejected for s in steps) == 0, [s.first_rejects for s in steps]
        hris, se, slack, jsonl = steps
        # Stack Exchange: every mapped account attached to its HR person, only contractors left over
        assert se.matched_mapping == counts["se_identities_mapped"]
        assert se.unmatched == counts["se_accounts_unmapped"]
        assert se.matched_mapping >= 0.9 * (se.matched_mapping + se.unmatched)
        # Slack: matched by e-mail despite differences in case; guests and bots stay apart
        assert slack.matched_email >= 0.9 * (slack.matched_email + slack.unmatched)
        assert slack.matched_email >= 0.95 * (counts["slack_users"] - slack.unmatched)
        assert jsonl.unmatched == 0
        stored = store.counts()
        assert stored["people"] == 300 + se.unmatched + slack.unmatched
        assert stored["opted_out"] == counts["opted_out"]
        assert stored["active_people"] >= counts["active_people"]
        assert stored["posts"] == (counts["se_posts"] + counts["se_comments"] + counts["slack_messages"]
                                   - counts["slack_membership_events"])
        assert stored["endorsements"] == counts["endorsements"]
        assert stored["reports_to"] == 299
        truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
        for info in truth["skills"].values():
            for pid in info["experts"]:
                person = store.people([pid]).get(pid)
                assert person is not None
                assert person.active
                assert not person.opted_out
        assert {s.name for s in store.all_skills()} >= set(truth["skills"])
    finally:
        store.close()
