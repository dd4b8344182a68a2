"""The bulk load's files without a server: what the importer reads (the server-side parity is
tests/integration/test_neo4j_bulk.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from graph.store.base import Batch
from graph.store.neo4j.bulk import BulkLoad
from graph.store.neo4j.bulk_csv import Table, importer_type
from ingest.bulk import bulk_manifest
from ingest.demo.generate import generate_demo_data
from schema.errors import StoreError
from schema.models import Community, CommunityKind, Person, Post, PostKind, Skill

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_strings_are_always_quoted_and_none_is_an_empty_field() -> None:
    t = Table([("id", "string"), ("name", "string"), ("n", "long"), ("ok", "boolean"), ("on", "date"),
               ("at", "datetime"), ("tags", "string[]")], id_space="X")
    assert t.header == "id:ID(X),name:string,n:long,ok:boolean,on:date,at:datetime,tags:string[]\n"
    row = {"id": 'a"b', "name": "", "n": 7, "ok": False, "on": date(2024, 2, 3), "at": T0, "tags": ["x", "y"]}
    assert t.line(row) == '"a""b","",7,false,2024-02-03,2025-03-01T12:00:00+00:00,"x;y"\n'
    assert t.line({"id": "a"}) == '"a",,,,,,\n'  # absent = no property; "" would be the empty string
    assert not t.multiline
    t.line({"id": "a", "name": "two\nlines"})
    assert t.multiline  # the importer is then told --multiline-fields=true
    edge = Table([], ends=("A", "B"))
    assert edge.edge('x"y', "z") == edge.line({}, 'x"y', "z") == '"x""y","z"\n'
    with pytest.raises(StoreError, match="array delimiter"):
        t.line({"id": "a", "tags": ["x;y"]})


def test_importer_types_follow_the_record_annotations() -> None:
    assert [importer_type(Post.model_fields[f].annotation) for f in ("id", "kind", "created_at", "tags", "score",
                                                                      "accepted", "parent_id")] == [
        "string", "string", "datetime", "string[]", "long", "boolean", "string"]
    assert importer_type(Person.model_fields["hired_on"].annotation) == "date"


def _post(pid: str, author: str | None, tags: tuple[str, ...] = (), parent: str | None = None) -> Post:
    return Post(id=pid, kind=PostKind.ANSWER if parent else PostKind.QUESTION, author_id=author, created_at=T0,
                community_id="forum:c", parent_id=parent, tags=tags, source="forum")


def test_a_post_met_again_keeps_its_last_version_and_replies_need_their_parent(tmp_path: Path) -> None:
    load = BulkLoad(tmp_path)
    people = [Person(id="hr:a", name="A"), Person(id="hr:b", name="B")]
    load.write_batch(Batch(people=people, communities=[Community(id="forum:c", name="c", kind=CommunityKind.FORUM,
                                                                 source="forum")],
                           skills=[Skill(name="go", aliases=("golang",))],
                           posts=[_post("forum:p1", "hr:a", ("go",)), _post("forum:p2", "hr:b", parent="forum:p1"),
                                  _post("forum:p3", "hr:b", parent="forum:gone")]))
    result = load.write_batch(Batch(posts=[_post("forum:p1", "hr:b", ("rust",))]))
    assert result.updated["posts"] == 1
    with pytest.raises(StoreError, match="unknown post author: hr:nobody"):
        load.write_batch(Batch(posts=[_post("forum:p9", "hr:nobody")]))
    files = load.finish()
    assert files.counts["posts"] == 3
    posts = lines(tmp_path / "posts.csv")
    p1 = [line for line in posts if line.startswith('"forum:p1",')]
    assert len(p1) == 1
    assert '"hr:b"' in p1[0]
    assert '"rust"' in p1[0]
    assert lines(tmp_path / "authored.csv")[1:] == ['"hr:b","forum:p2"', '"hr:b","forum:p3"', '"hr:b","forum:p1"']
    assert lines(tmp_path / "tagged.csv")[1:] == ['"forum:p1","rust"']
    assert lines(tmp_path / "reply_to.csv")[1:] == ['"forum:p2","forum:p1"']  # forum:gone never arrived
    assert lines(tmp_path / "skills.csv")[1:] == ['"go","golang"', '"rust",""']  # a tag only: no aliases
    assert (tmp_path / "neo4j-admin-import.args").read_text().splitlines()[-1] == "neo4j"


def test_forum_exports_in_parallel_write_what_one_process_writes(tmp_path: Path) -> None:
    org = tmp_path / "org"
    generate_demo_data(org, people=60, seed=9)

    def content(workers: int) -> dict[str, list[str]]:
        _, files = bulk_manifest(org, tmp_path / f"w{workers}", rejects_dir=tmp_path / f"r{workers}", workers=workers)
        assert bool(files.parts) == (workers > 1)
        out: dict[str, list[str]] = {}
        for f in (tmp_path / f"w{workers}").rglob("*.csv"):
            out.setdefault(f.name, []).extend(lines(f)[1:])
        return {k: sorted(v) for k, v in out.items()}

    one, two = content(1), content(2)
    assert one == two
    assert len(one["posts.csv"]) > 100
    assert len(one["people.csv"]) >= 60
