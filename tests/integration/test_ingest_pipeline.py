"""Ingest into a real SQLite store on disk: every format, identity matching, skills meeting tags, idempotence,
resuming after a failure, leavers, and salvage of what precedes unreadable input."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store.sqlite import SQLiteStore
from ingest import pipeline
from ingest.forum import stackexchange as se_mod
from ingest.manifest import ingest_manifest
from ingest.pipeline import ingest_forum, ingest_hris
from ingest.rejects import read_rejects
from ingest.synthetic import write_hris_csv, write_identities, write_stackexchange_dump
from schema.errors import UnreadableInput

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SE_SAMPLE = DATA / "stackexchange-bicycles-meta"
SLACK_SAMPLE = DATA / "slack-sample" / "testarchive.zip"
HEADER = "id,name,email,title,department,location,manager_id,hire_date,skills,opted_out,active\n"
HR = HEADER + (
    "E1,Ann Lee,ann@x.com,CTO,Eng,Berlin,,2020-01-02,python:expert;k8s:3,no,yes\n"
    "E2,Bob Roy,bob@x.com,Dev,Eng,Paris,E1,2021-05-06,js:2,no,yes\n"
    "E3,Cy Doe,cy@x.com,Dev,Sales,Paris,E1,2021-05-06,,yes,yes\n"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "w.db")
    yield s
    s.close()


def fresh(tmp_path: Path, name: str) -> SQLiteStore:
    return SQLiteStore(tmp_path / f"{name}.db")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_hris_people_skills_managers_and_idempotence(store: SQLiteStore, tmp_path: Path) -> None:
    f = write(tmp_path / "hris.csv", HR)
    s1 = ingest_hris(store, f, rejects=tmp_path / "r.jsonl")
    assert s1.exit_code == 0
    assert s1.rejected == 0
    c = store.counts()
    assert (c["people"], c["skill_claims"], c["reports_to"], c["opted_out"]) == (3, 3, 2, 1)
    assert store.email_index()["bob@x.com"] == "hr:E2"
    assert {s.skill for s in store.person_skills(["hr:E1"])["hr:E1"]} == {"python", "kubernetes"}
    assert "k8s" in store.skill("kubernetes").aliases
    before = store.dump()
    s2 = ingest_hris(store, f, rejects=tmp_path / "r.jsonl")
    assert store.dump() == before
    assert (s2.inserted, s2.updated) == (0, 0)
    assert not (tmp_path / "r.jsonl").exists()  # no rejects, no file


def test_hris_leavers_inactive_never_deleted(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_hris(store, write(tmp_path / "hris.csv", HR))
    later = write(tmp_path / "hris2.csv", HEADER + "E1,Ann Lee,ann@x.com,CTO,Eng,Berlin,,,,no,yes\n"
                  "E2,Bob Roy,bob@x.com,Dev,Eng,Paris,E1,,,no,false\n")
    s = ingest_hris(store, later, full=True)
    assert s.deactivated == 1
    active = {p.id: p.active for p in store.read_projection().people}
    assert active == {"hr:E1": True, "hr:E2": False, "hr:E3": False}  # E3 absent: inactive, still there


def test_hris_full_does_not_deactivate_a_rejected_row(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_hris(store, write(tmp_path / "hris.csv", HR))
    bad = write(tmp_path / "hris2.csv", HR.replace("2021-05-06,,yes", "2021-02-30,,yes"))
    s = ingest_hris(store, bad, full=True, rejects=tmp_path / "r.jsonl")
    assert s.rejected == 1
    assert s.deactivated == 0
    assert all(p.active for p in store.read_projection().people)


def test_hris_unknown_manager_loads_person_and_rejects_link(store: SQLiteStore, tmp_path: Path) -> None:
    f = write(tmp_path / "hris.csv", HR + "E4,Dee,dee@x.com,,,,E99,,,,\nE5,Eve,eve@,,,,,,,,\n")
    s = ingest_hris(store, f, rejects=tmp_path / "r.jsonl")
    assert s.exit_code == 1
    assert (s.rows_read, s.rows_loaded, s.rows_rejected, s.rejected) == (5, 4, 1, 1)  # rows and links apart
    assert (s.links["linked"], s.links["unresolved"], s.problems) == (2, 1, 2)
    assert s.reject_file == str(tmp_path / "r.jsonl")
    assert store.people(["hr:E4"]).get("hr:E4") is not None
    assert store.people(["hr:E5"]).get("hr:E5") is None
    rej = {r.row: r for r in read_rejects(tmp_path / "r.jsonl")}
    assert "manager (id 'E99') matches no person" in rej[5].reason
    assert rej[5].kind == "link:unresolved"
    assert "email" in rej[6].reason
    assert all(r.file == str(f) for r in rej.values())


@pytest.mark.skipif(not SE_SAMPLE.exists(), reason=f"real Stack Exchange sample absent: {SE_SAMPLE}")
def test_real_stackexchange_dump(store: SQLiteStore, tmp_path: Path) -> None:
    s = ingest_forum(store, SE_SAMPLE, "stackexchange", community="bicycles.meta", rejects=tmp_path / "r.jsonl")
    assert s.rejected == 0
    proj = store.read_projection()
    kinds: dict[str, int] = {}
    for p in proj.posts:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    assert kinds == {"question": 453, "answer": 971, "comment": 2448}
    assert sum(p.accepted for p in proj.posts) > 100
    answers = [p for p in proj.posts if p.kind == "answer" and p.tags]
    assert len(answers) > 800  # answers inherit their question's tags
    assert store.community("stackexchange:bicycles.meta").kind == "forum"
    assert s.unmatched == store.counts()["people"] == store.counts()["memberships"]
    before = store.dump()
    ingest_forum(store, SE_SAMPLE, "stackexchange", community="bicycles.meta", rejects=tmp_path / "r.jsonl")
    assert store.dump() == before


@pytest.mark.skipif(not SLACK_SAMPLE.exists(), reason=f"real Slack sample absent: {SLACK_SAMPLE}")
def test_real_slack_export(store: SQLiteStore, tmp_path: Path) -> None:
    s = ingest_forum(store, SLACK_SAMPLE, "slack", rejects=tmp_path / "r.jsonl")
    assert s.rejected == 0
    assert [c.name for c in store.communities()] == ["enrique", "traveling-sailor"]
    c = store.counts()
    assert c["posts"] == 146
    assert c["memberships"] == 8
    people = store.people(sorted(store.person_ids("slack")))
    assert sum(p.bot for p in people.values()) == 3
    assert people["slack:U0BMYT2FL"].name == "Harry Potter"
    before = store.dump()
    ingest_forum(store, SLACK_SAMPLE, "slack", rejects=tmp_path / "r.jsonl")
    assert store.dump() == before


def slack_folder(root: Path) -> Path:
    (root / "general").mkdir(parents=True)
    write(root / "users.json", json.dumps([
        {"id": "U1", "name": "ann", "real_name": "Ann L.", "profile": {"email": "ANN@x.com"}},
        {"id": "U2", "name": "bob", "real_name": "Bobby", "profile": {}},
        {"id": "U3", "name": "ann2", "real_name": "Ann Lee", "profile": {}},
    ]))
    write(root / "channels.json", json.dumps([{"id": "C1", "name": "general", "members": ["U1", "U2", "U3"]}]))
    write(root / "general" / "2024-01-01.json", json.dumps([
        {"type": "message", "user": "U3", "ts": "1704100000.000100", "text": "how do I python?"},
        {"type": "message", "user": "U1", "ts": "1704100100.000200", "thread_ts": "1704100000.000100",
         "reactions": [{"name": "+1", "count": 2, "users": ["U2", "U3"]}]},
    ]))
    write(root / "general" / "2024-01-02.json", "[{not json")
    return root


def test_identity_by_email_then_mapping_and_never_by_name(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_hris(store, write(tmp_path / "hris.csv", HR))
    ids = write_identities(tmp_path / "ids.csv", "slack", [("bob", "E2")])
    s = ingest_forum(store, slack_folder(tmp_path / "slack"), "slack", identities=ids, rejects=tmp_path / "r.jsonl")
    assert (s.matched_email, s.matched_mapping, s.unmatched) == (1, 1, 1)
    posts = {p.id: p for p in store.read_projection().posts}
    reply = posts["slack:C1/1704100100.000200"]
    assert reply.author_id == "hr:E1"
    assert reply.score == 2
    assert reply.parent_id == "slack:C1/1704100000.000100"
    assert posts["slack:C1/1704100000.000100"].author_id == "slack:U3"  # "Ann Lee" by name only: not merged
    members = {p.id for p in store.community_members("slack:channel/C1").items}
    assert members == {"hr:E1", "hr:E2", "slack:U3"}
    assert store.people(["slack:U1"]).get("slack:U1") is None
    # the corrupt day file is rejected alone, naming the file
    assert s.rejected == 1
    assert "2024-01-02.json" in s.first_rejects[0].file


def test_an_identities_id_in_another_case_names_the_hr_person_and_their_opt_out_holds(
    store: SQLiteStore, tmp_path: Path
) -> None:
    """``jsonl,cy,e3`` names HR's ``E3`` (Cy Doe, opted out). Before, the row was refused as "not in the store"
    and the account stayed a forum person of its own, "Cy" with Cy's posts, in every answer."""
    ingest_hris(store, write(tmp_path / "hris.csv", HR))
    events = write(tmp_path / "guild.jsonl", "\n".join(json.dumps(o) for o in [
        {"type": "person", "handle": "cy", "name": "Cy"},
        {"type": "post", "id": "p1", "author": "cy", "created_at": "2024-01-02T10:00:00Z", "tags": ["python"]},
    ]) + "\n")
    ids = write(tmp_path / "ids.csv", "source,handle,person_id\n*,cy,e3\n")
    s = ingest_forum(store, events, "jsonl", identities=ids, rejects=tmp_path / "r.jsonl")
    assert (s.rejected, s.matched_mapping, s.unmatched) == (0, 1, 0)
    assert {p.id: p.author_id for p in store.read_projection().posts} == {"jsonl/guild:post/p1": "hr:E3"}
    assert store.people(["hr:E3", "jsonl/guild:cy"]) == {}  # hidden, and no forum person stands in for them


def test_skills_and_tags_meet_on_one_skill(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_hris(store, write(tmp_path / "hris.csv", HR))
    events = write(tmp_path / "guild.jsonl", "\n".join(json.dumps(o) for o in [
        {"type": "person", "handle": "a", "name": "Ann", "email": "ann@x.com"},
        {"type": "post", "id": "p1", "author": "a", "created_at": "2024-01-02T10:00:00Z", "tags": ["Python 3", "K8S"]},
        {"type": "endorsement", "from": "a", "to": "a", "skill": "py"},
    ]) + "\n")
    ingest_forum(store, events, "jsonl")
    names = {s.name for s in store.all_skills()}
    assert {"python", "kubernetes"} <= names
    assert not {"python-3", "k8s", "py"} & names
    (post,) = store.read_projection().posts
    assert post.tags == ("kubernetes", "python")
    assert post.author_id == "hr:E1"


def test_skills_in_the_organisation_s_own_languages_meet_their_tags(store: SQLiteStore, tmp_path: Path) -> None:
    """A German HR profile's skills and a Spanish or Russian forum's tags load (they were dropped as "empty after
    canonicalisation", or lost their accented letters), and meet whatever way they are typed."""
    hr = HEADER + "E1,Ann Lee,ann@x.com,CTO,Eng,Berlin,,2020-01-02,Qualitätsmanagement:4;Машинное обучение:3,no,yes\n"
    ingest_hris(store, write(tmp_path / "hris.csv", hr))
    events = write(tmp_path / "foro.jsonl", "\n".join(json.dumps(o) for o in [
        {"type": "person", "handle": "a", "name": "Ann", "email": "ann@x.com"},
        {"type": "post", "id": "p1", "author": "a", "created_at": "2024-01-02T10:00:00Z",
         "tags": ["QUALITATSMANAGEMENT", "машинное_обучение", "programación"]},
    ]) + "\n")
    assert ingest_forum(store, events, "jsonl", rejects=tmp_path / "r.jsonl").rejected == 0
    names = {s.name for s in store.all_skills()}
    assert names == {"qualitatsmanagement", "машинное-обучение", "programacion"}
    (post,) = store.read_projection().posts
    assert post.tags == ("programacion", "qualitatsmanagement", "машинное-обучение")
    assert {s.skill for s in store.person_skills(["hr:E1"])["hr:E1"]} == {"qualitatsmanagement", "машинное-обучение"}
    assert [s.name for s in store.skills("Qualitäts")] == ["qualitatsmanagement"]
    assert [s.name for s in store.skills("машин")] == ["машинное-обучение"]
    assert store.skills("ééé") == []  # a prefix of accented letters is a prefix, not "every skill"


def test_discourse_vivaengage_and_jsonl_are_idempotent(store: SQLiteStore, tmp_path: Path) -> None:
    topics = tmp_path / "meta"
    topics.mkdir()
    write(topics / "7.json", json.dumps({
        "id": 7, "category_id": 3, "tags": ["go"], "accepted_answer": {"post_number": 2},
        "post_stream": {"posts": [
            {"id": 70, "post_number": 1, "username": "ann", "created_at": "2024-01-02T10:00:00Z"},
            {"id": 71, "post_number": 2, "username": "bob", "created_at": "2024-01-02T11:00:00Z", "like_count": 2},
        ]}}))
    viva = write(tmp_path / "Messages.csv",
                 "id,replied_to_id,thread_id,group_id,group_name,sender_id,sender_email,created_at\n"
                 "1,,1,10,Data,500,ann@x.com,2019-04-01T10:00:00Z\n2,1,1,10,Data,501,,2019-04-01T11:00:00Z\n")
    events = write(tmp_path / "ev.jsonl", '{"type":"community","id":"c1","name":"Guild"}\n'
                   '{"type":"membership","person":"u1","community":"c1"}\n')
    runs = [(topics, "discourse"), (viva, "vivaengage"), (events, "jsonl")]
    for path, fmt in runs:
        assert ingest_forum(store, path, fmt).rejected == 0
    c = store.counts()
    assert (c["posts"], c["communities"]) == (4, 3)
    accepted = [p for p in store.read_projection().posts if p.accepted]
    assert [p.id for p in accepted] == ["discourse/meta:post/71"]
    before = store.dump()
    for path, fmt in runs:
        ingest_forum(store, path, fmt)
    assert store.dump() == before


def test_unknown_format_is_unreadable(store: SQLiteStore, tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="unknown format 'reddit'"):
        ingest_forum(store, tmp_path, "reddit")


def test_truncated_posts_keep_what_came_before(store: SQLiteStore, tmp_path: Path) -> None:
    dump = write_stackexchange_dump(tmp_path / "se", questions=300, users=50)
    posts = dump / "Posts.xml"
    data = posts.read_bytes()
    posts.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(UnreadableInput) as err:
        ingest_forum(store, dump, "stackexchange", chunk_size=100)
    assert "Posts.xml" in err.value.file
    assert "records before it were loaded" in err.value.reason
    loaded = store.counts()["posts"]
    assert 500 < loaded < 900
    posts.write_bytes(data)
    clean = fresh(tmp_path, "clean")
    ingest_forum(clean, dump, "stackexchange")
    ingest_forum(store, dump, "stackexchange")
    assert store.dump() == clean.dump()
    clean.close()


def test_failure_mid_run_resumes_from_the_checkpoint(store: SQLiteStore, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    dump = write_stackexchange_dump(tmp_path / "se", questions=400, users=60)
    real = se_mod.parse_posts

    def failing(*args, **kwargs):  # input that breaks off part-way, as a killed reader would
        for n, item in enumerate(real(*args, **kwargs)):
            if n == 700:
                raise UnreadableInput("Posts.xml", "simulated failure")
            yield item

    monkeypatch.setattr(se_mod, "parse_posts", failing)
    with pytest.raises(UnreadableInput):
        ingest_forum(store, dump, "stackexchange", chunk_size=200)
    assert store.counts()["posts"] > 0
    monkeypatch.setattr(se_mod, "parse_posts", real)
    s = ingest_forum(store, dump, "stackexchange", chunk_size=200)
    assert s.resumed
    assert s.chunks_skipped >= 3
    clean = fresh(tmp_path, "clean")
    ingest_forum(clean, dump, "stackexchange", chunk_size=200)
    assert store.dump() == clean.dump()
    clean.close()
    with sqlite3.connect(tmp_path / "w.db") as conn:  # the finished run left no checkpoint behind
        assert conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'ingest.checkpoint:%'").fetchone()[0] == 0


def test_manifest_runs_steps_in_order(store: SQLiteStore, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    write_hris_csv(out / "hris.csv", 40)
    write_stackexchange_dump(out / "stackexchange", questions=30, users=40)
    write_identities(out / "identities.csv", "stackexchange", [(str(u), f"E{u}") for u in range(1, 41)])
    slack_folder(out / "slack")
    with zipfile.ZipFile(out / "slack.zip", "w") as z:
        for f in (out / "slack").rglob("*"):
            if f.is_file():
                z.write(f, f.relative_to(out / "slack").as_posix())
    shutil.rmtree(out / "slack")
    write(out / "manifest.json", json.dumps([
        {"kind": "hris", "path": "hris.csv"},
        {"kind": "forum", "format": "stackexchange", "path": "stackexchange", "identities": "identities.csv",
         "community": "demo"},
        {"kind": "forum", "format": "slack", "path": "slack.zip", "identities": "identities.csv"},
    ]))
    summaries = ingest_manifest(store, out)
    assert [s.kind for s in summaries] == ["hris", "stackexchange", "slack"]
    assert summaries[1].matched_mapping == 40
    assert summaries[1].unmatched == 0
    assert summaries[2].rejected == 1
    assert Path(summaries[2].reject_file).parent == out
    authors = {p.author_id for p in store.read_projection().posts if p.id.startswith("stackexchange/demo:")}
    assert authors
    assert all(a.startswith("hr:") for a in authors)


def test_manifest_missing_is_unreadable(store: SQLiteStore, tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match=r"no manifest\.json"):
        ingest_manifest(store, tmp_path)


def test_default_reject_file_is_named_after_the_input(tmp_path: Path) -> None:
    assert pipeline.default_reject_path("/x/hris.csv", tmp_path) == tmp_path / "whoknows-rejects-hris.csv.jsonl"


def test_parallel_manifest_gives_the_same_store(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    write_hris_csv(out / "hris.csv", 30)
    write_stackexchange_dump(out / "stackexchange", questions=200, users=30)
    write_identities(out / "identities.csv", "stackexchange", [(str(u), f"E{u}") for u in range(1, 31)])
    slack_folder(out / "slack")
    write(out / "ev.jsonl", '{"type":"person","handle":"a","email":"person3@example.com"}\n'
                            '{"type":"endorsement","from":"a","to":"a","skill":"Go"}\n')
    write(out / "manifest.json", json.dumps([
        {"kind": "hris", "path": "hris.csv"},
        {"kind": "forum", "format": "stackexchange", "path": "stackexchange", "identities": "identities.csv"},
        {"kind": "forum", "format": "slack", "path": "slack"},
        {"kind": "forum", "format": "jsonl", "path": "ev.jsonl"},
    ]))
    one, two = fresh(tmp_path, "one"), fresh(tmp_path, "two")
    a = ingest_manifest(one, out, chunk_size=150)
    b = ingest_manifest(two, out, chunk_size=150, workers=2)
    assert [s.kind for s in b] == [s.kind for s in a] == ["hris", "stackexchange", "slack", "jsonl"]
    assert [s.records for s in b] == [s.records for s in a]
    assert one.dump() == two.dump()
    one.close()
    two.close()


def test_overlapped_writes_stay_in_order_and_raise_their_errors(store: SQLiteStore) -> None:
    """With ``overlap`` a chunk is written while the next is read: still one at a time, in order, errors raised."""
    from ingest.load import Loader
    from schema.errors import StoreError
    from tests.factories import person, post

    written: list[int] = []
    loader = Loader(store, chunk_size=2, overlap=True, on_chunk=written.append)
    loader.add_person(person(1))
    loader.add_person(person(2))  # chunk 1: the people
    loader.add_post(post(1, person(1).id))  # chunk 2 needs chunk 1 committed: its author must exist
    loader.add_post(post(2, person(2).id))
    loader.add_post(post(3, "hr:ghost"))  # chunk 3 fails in the writer thread
    loader.add_post(post(4, person(1).id))
    with pytest.raises(StoreError, match="ghost"):
        loader.finish()
    assert written == [2, 2]
    assert store.counts()["people"] == 2
    assert store.counts()["posts"] == 2
