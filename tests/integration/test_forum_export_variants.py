"""Forum exports as real sites write them, through the real CLI: what loads is counted against the file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from ingest.forum.discourse import contribution, missing_posts
from ingest.rejects import read_rejects
from tests.integration.test_ingest_cli import no_traceback, run

FIXTURES = Path(__file__).parent.parent / "fixtures"


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as c:
        return c.execute(sql).fetchall()


def test_discourse_posts_that_are_no_contribution_are_told_apart() -> None:
    assert contribution({"post_type": 1})
    assert contribution({})
    assert not contribution({"post_type": 3, "action_code": "closed.enabled"})
    assert not contribution({"post_type": 2})
    assert not contribution({"post_type": 4})
    assert not contribution({"post_type": 1, "deleted_at": "2024-01-04T00:00:00Z"})
    assert not contribution({"post_type": 1, "action_code": "split_topic"})
    assert missing_posts([1, 2, 3], [{"id": 1}, {"id": 2}]) == 1
    assert missing_posts(None, [{"id": 1}]) == 0


def test_discourse_actions_whispers_deleted_and_cut_topics(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "discourse_actions", tmp_path / "site")
    p = run(tmp_path, "forum", "site", "--format", "discourse", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stdout + p.stderr
    db = tmp_path / "w.db"
    # topic 101 holds 6 posts: a question, an answer, then a small action, a whisper, a moderator action and a
    # deleted post, none of which is anyone's answer; topic 102 is the system's category description
    assert rows(db, "SELECT id, kind, author_id FROM post ORDER BY id") == [
        ("discourse/site:post/1001", "question", "discourse/site:ann"),
        ("discourse/site:post/1002", "answer", "discourse/site:bob"),
        ("discourse/site:post/2001", "question", "discourse/site:system"),
        ("discourse/site:post/2002", "answer", "discourse/site:ann"),
    ]
    assert rows(db, "SELECT id, bot FROM person ORDER BY id") == [
        ("discourse/site:ann", 0), ("discourse/site:bob", 0), ("discourse/site:system", 1)]
    [cut] = read_rejects(tmp_path / "r.jsonl")
    assert cut.file.endswith("101.json")
    assert cut.row is None
    assert cut.reason.startswith("the topic lists 2 post(s) in post_stream.stream that post_stream.posts does not hold")
