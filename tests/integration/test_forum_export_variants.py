"""Forum exports as real sites write them, through the real CLI: what loads is counted against the file."""

from __future__ import annotations

import json
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
    # deleted post, none of which is anyone's answer; topic 102 is the system's category description; 103 is a
    # personal message between ann and bob, which no page may show
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
    assert cut.reason.startswith("the topic lists 2 post(s) in post_stream.stream that no file holds")


def test_stackexchange_dump_unpacked_into_its_own_folder_counts_as_the_xml_says(tmp_path: Path) -> None:
    """A .7z unpacked into a folder of its name (given its parent), file names in any case, BOM and CRLF; tag
    wikis, nominations and the other post types are skipped with their comments; a guest's answer loads
    authorless; a deleted user's question loads under a person of that id."""
    shutil.copytree(FIXTURES / "stackexchange_dump", tmp_path / "dump")
    p = run(tmp_path, "forum", "dump", "--format", "stackexchange")
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    db = tmp_path / "w.db"
    assert rows(db, "SELECT id FROM community") == [("stackexchange:example.stackexchange.com",)]
    ns = "stackexchange/example.stackexchange.com:"
    got = [(i.removeprefix(ns), k, a and a.removeprefix(ns), par and par.removeprefix(ns))
           for i, k, a, par in rows(db, "SELECT id, kind, author_id, parent_id FROM post ORDER BY id")]
    assert got == [
        ("comment/1", "comment", "12", "post/1"),
        ("comment/4", "comment", None, "post/2"),
        ("post/1", "question", "10", None),
        ("post/10", "question", "99", None),
        ("post/2", "answer", "11", "post/1"),
        ("post/3", "answer", None, "post/1"),
    ]
    # Dee (13) commented only on a tag wiki, Community (-1) owns only wikis: neither is loaded
    assert [(i.removeprefix(ns), n) for i, n in rows(db, "SELECT id, name FROM person ORDER BY id")] == [
        ("10", "Ann"), ("11", "Bob"), ("12", "Cy"), ("99", "user 99")]


def test_stackexchange_archives_and_parent_folders_say_what_to_give(tmp_path: Path) -> None:
    (tmp_path / "site.7z").write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04")
    p = run(tmp_path, "forum", "site.7z", "--format", "stackexchange")
    assert p.returncode == 2
    assert "site.7z: an archive: a Stack Exchange dump is read unpacked" in " ".join(p.stderr.split())
    for site in ("a.stackexchange.com", "b.stackexchange.com"):
        shutil.copytree(FIXTURES / "stackexchange_dump" / "example.stackexchange.com", tmp_path / "all" / site)
    p = run(tmp_path, "forum", "all", "--format", "stackexchange")
    assert p.returncode == 2
    assert ("holds 2 site dumps (a.stackexchange.com, b.stackexchange.com): ingest each site's folder on its own"
            in " ".join(p.stderr.split()))
    p = run(tmp_path, "forum", "all/a.stackexchange.com/POSTS.XML", "--format", "stackexchange")
    assert p.returncode == 2
    assert "is the directory holding POSTS.XML: give all/a.stackexchange.com instead" in " ".join(p.stderr.split())
    no_traceback(p)


def test_viva_engage_private_messages_are_not_all_company_posts(tmp_path: Path) -> None:
    """The network export's Messages.csv (all its columns) holds private messages too: no group, so they read
    as All Company posts; they are skipped, and so are private groups' messages (no page shows a private group)."""
    shutil.copy(FIXTURES / "vivaengage" / "Messages.csv", tmp_path / "Messages.csv")
    p = run(tmp_path, "forum", "Messages.csv", "--format", "vivaengage")
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    db = tmp_path / "w.db"
    assert rows(db, "SELECT id, name FROM community ORDER BY id") == [
        ("vivaengage:group/100", "Data guild")]
    assert rows(db, "SELECT id, kind FROM post ORDER BY id") == [
        ("vivaengage:message/1", "question"), ("vivaengage:message/2", "reply")]


def _discourse_page(topic: int, numbers: range, stream: list[int], accepted: int) -> dict[str, object]:
    """One ``/t/{topic}.json?page=N`` response: the topic's metadata, the whole stream and the page's posts."""
    posts = [{"id": topic * 100 + n, "post_number": n, "username": "ann" if n == 1 else f"user{n}", "post_type": 1,
              "created_at": f"2024-02-01T10:{n:02d}:00.000Z", "reply_to_post_number": None,
              "accepted_answer": n == accepted} for n in numbers]
    return {"id": topic, "title": "Chain keeps slipping", "category_id": 3, "tags": ["drivetrain"],
            "accepted_answer": {"post_number": accepted}, "post_stream": {"posts": posts, "stream": stream}}


def test_discourse_topic_saved_page_by_page_is_one_thread(tmp_path: Path) -> None:
    """``/t/{id}.json`` serves 20 posts at a time; saved with ``?page=2`` too, a long topic is two files. The
    second page's first post used to become a question of its own (its author the asker, the accepted answer on
    it lost), and each file reported the other's posts as missing. Pages of one topic now make one thread, in
    either order, and only posts no file holds are reported."""
    site = tmp_path / "site"
    site.mkdir()
    stream = [700 + n for n in range(1, 6)]
    # "7-page2.json" sorts before "7.json": the later page is read first
    (site / "7-page2.json").write_text(json.dumps(_discourse_page(7, range(4, 6), stream, 5)), encoding="utf-8")
    (site / "7.json").write_text(json.dumps(_discourse_page(7, range(1, 4), stream, 5)), encoding="utf-8")
    p = run(tmp_path, "forum", "site", "--format", "discourse", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    assert rows(tmp_path / "w.db", "SELECT id, kind, thread_id, accepted FROM post ORDER BY id") == [
        ("discourse/site:post/701", "question", "discourse/site:post/701", 0),
        *((f"discourse/site:post/70{n}", "answer", "discourse/site:post/701", int(n == 5)) for n in range(2, 6))]
    # a page missing: its posts are reported once, on the topic
    (site / "7-page2.json").unlink()
    q = run(tmp_path, "forum", "site", "--format", "discourse", "--rejects", "r2.jsonl", db="w2.db")
    assert q.returncode == 1, q.stdout + q.stderr
    [cut] = read_rejects(tmp_path / "r2.jsonl")
    assert cut.reason.startswith("the topic lists 2 post(s) in post_stream.stream that no file holds")
