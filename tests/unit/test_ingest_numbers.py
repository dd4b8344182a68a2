"""Integers past 64 bits (issue 9.4): rejected row by row, naming file, row and reason, in every format; the good
rows of the same chunk still load; the store refuses what the parsers would have let through."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from ingest.forum.common import fill
from ingest.numbers import BigInt, int_text, int_value, loads
from ingest.pipeline import ingest_forum, ingest_hris
from ingest.rejects import read_rejects
from schema.errors import SchemaError
from schema.labels import PostKind
from schema.models import Post

BIG = 9223372036854775808  # 2**63: one past the largest signed 64-bit integer
D400 = "7" * 400
D5000 = "8" * 5000  # past Python's 4,300-digit int() limit


def scores(store: SQLiteStore) -> list[int]:
    """Stored post scores, read with plain sqlite3 (what is on disk, not what a store method makes of it)."""
    with sqlite3.connect(store.path) as conn:
        return sorted(r[0] for r in conn.execute("SELECT score FROM post"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "w.db")
    yield s
    s.close()


def test_loads_never_converts_a_huge_integer() -> None:
    got = loads('{"a": 9223372036854775807, "b": 9223372036854775808, "c": -9223372036854775809, "d": ' + D5000 + "}")
    assert got["a"] == 2**63 - 1
    assert isinstance(got["b"], BigInt)
    assert isinstance(got["c"], BigInt)
    assert isinstance(got["d"], BigInt)
    assert got["d"].digits == 5000
    assert got["d"].raw == D5000


@pytest.mark.parametrize(("value", "reason"), [
    (BigInt(str(BIG)), "out of range"), (2**64, "out of range"), (-(2**63) - 1, "out of range"),
    (float("inf"), "not a whole number"), (float("nan"), "not a whole number"), (1.5, "not a whole number"),
    (1e300, "out of range"), (True, "not true"), ("3", "must be a whole number"),
])
def test_int_value_refuses(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match="score") as exc:
        int_value(value, "score")
    assert reason in str(exc.value)


def test_int_text() -> None:
    assert int_text(" 42 ", "Score") == 42
    assert int_text("-9223372036854775808", "Score") == -(2**63)
    assert int_text("000000000000000000000000001", "Score") == 1
    for bad in (D400, D5000, "9223372036854775808"):
        with pytest.raises(ValueError, match=r"Score .* is out of range"):
            int_text(bad, "Score")
    with pytest.raises(ValueError, match="not a whole number"):
        int_text("1e5", "Score")
    with pytest.raises(ValueError, match="not a whole number"):
        int_text("\u0663", "Score")  # an Arabic-Indic digit: isdigit() but not a number we accept


def test_jsonl_rows_past_64_bits_are_rejected_and_the_rest_loads(store: SQLiteStore, tmp_path: Path) -> None:
    good = {"type": "post", "id": "p1", "author": "u1", "created_at": "2024-01-01T00:00:00Z", "score": 3}
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": "p2", "score": BIG}),
        json.dumps({**good, "id": "p3"}).replace('"score": 3', f'"score": {D5000}'),
        json.dumps({**good, "id": "p4"}).replace('"score": 3', f'"score": -{D400}'),
        json.dumps({**good, "id": "p5", "created_at": BIG}),
        json.dumps({**good, "id": "p6", "score": -(2**63)}),
    ]
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = ingest_forum(store, f, "jsonl", rejects=tmp_path / "r.jsonl")
    assert s.exit_code == 1
    assert s.posts == 2
    rej = read_rejects(tmp_path / "r.jsonl")
    assert [(r.row, r.file) for r in rej] == [(2, str(f)), (3, str(f)), (4, str(f)), (5, str(f))]
    assert "score 9223372036854775808 is out of range" in rej[0].reason
    assert "5000 digits" in rej[1].reason
    assert "out of range" in rej[2].reason
    assert "created_at" in rej[3].reason
    assert scores(store) == [-(2**63), 3]


def _se_dump(root: Path, scores: list[str]) -> Path:
    root.mkdir()
    rows = "\n".join(
        f'  <row Id="{i}" PostTypeId="1" CreationDate="2020-01-0{i}T10:00:00.000" Score="{s}" OwnerUserId="{i}" '
        f'Tags="&lt;python&gt;" />' for i, s in enumerate(scores, start=1)
    )
    (root / "Posts.xml").write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<posts>\n{rows}\n</posts>\n')
    (root / "Comments.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<comments>\n'
        f'  <row Id="{D400}" PostId="1" Score="0" CreationDate="2020-01-01T11:00:00.000" UserId="2" />\n'
        '  <row Id="2" PostId="1" Score="99999999999999999999" CreationDate="2020-01-01T11:00:00.000" UserId="2" />\n'
        '  <row Id="3" PostId="1" Score="1" CreationDate="2020-01-01T11:00:00.000" UserId="2" />\n</comments>\n'
    )
    return root


def test_stackexchange_scores_past_64_bits(store: SQLiteStore, tmp_path: Path) -> None:
    dump = _se_dump(tmp_path / "site", ["5", D400, D5000, "-9223372036854775809", "7"])
    s = ingest_forum(store, dump, "stackexchange", rejects=tmp_path / "r.jsonl")
    assert s.exit_code == 1
    rej = read_rejects(tmp_path / "r.jsonl")
    posts_file = str(dump / "Posts.xml")
    assert [(r.file, r.row) for r in rej if r.file == posts_file] == [(posts_file, 2), (posts_file, 3),
                                                                       (posts_file, 4)]
    assert all("Score" in r.reason and "out of range" in r.reason for r in rej if r.file == posts_file)
    # a 400-digit Id is out of range as well (a dump's ids are integers); the comment with a good score loads
    assert sorted(r.row for r in rej if r.file.endswith("Comments.xml")) == [1, 2]
    assert scores(store) == [1, 5, 7]


def test_slack_and_discourse_numbers_past_64_bits(store: SQLiteStore, tmp_path: Path) -> None:
    z = tmp_path / "slack.zip"
    day = (
        '[{"type": "message", "user": "U1", "ts": "1700000000.000100"},'
        ' {"type": "message", "user": "U1", "ts": "1700000001.000100",'
        f'  "reactions": [{{"name": "+1", "users": ["U2"], "count": {D5000}}}]}},'
        f' {{"type": "message", "user": "U1", "ts": {BIG}}},'
        ' {"type": "message", "user": "U2", "ts": "1700000002.000100",'
        '  "reactions": [{"name": "+1", "users": ["U1"], "count": 9223372036854775807},'
        '                {"name": "tada", "users": ["U1"], "count": 9223372036854775807}]}]'
    )
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("users.json", '[{"id": "U1", "name": "ann"}, {"id": "U2", "name": "bob"}]')
        zf.writestr("channels.json", '[{"id": "C1", "name": "general", "members": ["U1", "U2"]}]')
        zf.writestr("general/2023-11-14.json", day)
    s = ingest_forum(store, z, "slack", rejects=tmp_path / "r.jsonl")
    rej = read_rejects(tmp_path / "r.jsonl")
    assert [r.row for r in rej] == [2, 3, 4]
    assert "count" in rej[0].reason
    assert "out of range" in rej[0].reason
    assert "score" in rej[2].reason  # two counts that fit add up to one that does not
    assert s.posts == 1

    topic = tmp_path / "t1.json"
    topic.write_text(
        '{"id": 1, "category_id": 5, "post_stream": {"posts": ['
        '{"id": 11, "post_number": 1, "username": "ann", "created_at": "2024-01-01T00:00:00Z", "like_count": 2},'
        '{"id": 12, "post_number": 2, "username": "bob", "created_at": "2024-01-02T00:00:00Z",'
        f' "like_count": {D400}}},'
        f'{{"id": 13, "post_number": {D5000}, "username": "bob", "created_at": "2024-01-02T00:00:00Z"}},'
        '{"id": 14, "post_number": 4, "username": "bob", "created_at": "2024-01-03T00:00:00Z", "score": 1e400}]}}'
    )
    s = ingest_forum(store, topic, "discourse", rejects=tmp_path / "r2.jsonl")
    assert s.posts == 1
    assert [r.row for r in read_rejects(tmp_path / "r2.jsonl")] == [2, 3, 4]


def test_hris_json_with_a_huge_number_does_not_crash(store: SQLiteStore, tmp_path: Path) -> None:
    f = tmp_path / "hris.json"
    f.write_text('{"employees": [{"id": "E1", "name": "Ann", "email": "ann@x.com"},'
                 f' {{"id": {D5000}, "name": "Bob", "email": "bob@x.com"}}]}}')
    s = ingest_hris(store, f, rejects=tmp_path / "r.jsonl")
    assert store.person_ids() >= {"hr:E1"}
    assert s.exit_code == 1
    assert read_rejects(tmp_path / "r.jsonl")[0].row == 2


def test_the_store_refuses_an_out_of_range_score_naming_the_post(store: SQLiteStore) -> None:
    from datetime import UTC, datetime

    post = fill(Post, {"id": "x:p1", "kind": PostKind.QUESTION, "author_id": None,
                       "created_at": datetime(2024, 1, 1, tzinfo=UTC), "community_id": None, "thread_id": None,
                       "parent_id": None, "tags": (), "score": 2**64, "accepted": False, "source": "x"})
    with pytest.raises(SchemaError, match=r"x:p1.*score"):
        store.write_batch(Batch(posts=[post]))
    assert scores(store) == []
    with pytest.raises(ValueError, match="less than or equal"):
        Post(id="x:p2", kind=PostKind.QUESTION, author_id=None, created_at=datetime(2024, 1, 1, tzinfo=UTC),
             source="x", score=2**63)
