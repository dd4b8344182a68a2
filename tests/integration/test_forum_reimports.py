"""Re-downloading a forum export month after month, through ``whoknows ingest forum`` and ``whoknows analyze``
(subprocesses, an on-disk store): the store then holds and serves what a fresh import of the latest export gives.

A Stack Exchange dump is the whole site as it is now. Between two dumps a question and a comment were deleted,
an account was deleted (its posts keep a display name and no owner), the accepted answer changed, a new answer came,
and a new ``--identities`` row matches an account to an HR person who opted out. Before, the store kept the
deleted posts, the deleted account's person and membership, and a second, visible person of the forum's own for the
newly matched account (under its forum name, a member of the site, though the HR person behind it opted out).
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from graph.store.sqlite import SQLiteStore
from tests.integration.clirun import cli, ingest_in
from tests.integration.test_ingest_dry_run import assert_unchanged, digest

HR = "id,name,email,opted_out\nE1,Ann Lee,ann@x.org,true\nE2,Bo Roy,bo@x.org,false\n"
SITE = "stackexchange:bikes"
OWN = "stackexchange/bikes:"  # the site's own people's ids


def _xml(root: str, rows: list[dict[str, str]]) -> str:
    lines = ["  <row " + " ".join(f"{k}={quoteattr(v)}" for k, v in r.items()) + " />" for r in rows]
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n' + "\n".join(lines) + f"\n</{root}>\n"


def _q(i: int, user: str | None, day: int, **kw: str) -> dict[str, str]:
    row = {"Id": str(i), "PostTypeId": "1", "CreationDate": f"2024-03-{day:02d}T10:00:00.000", "Score": "1",
           "Title": f"Question {i}", "Tags": "<brakes><wheels>", **kw}
    return {**row, "OwnerUserId": user} if user else row


def _a(i: int, parent: int, user: str | None, day: int, **kw: str) -> dict[str, str]:
    row = {"Id": str(i), "PostTypeId": "2", "ParentId": str(parent), "CreationDate": f"2024-03-{day:02d}T12:00:00.000",
           "Score": "2", **kw}
    return {**row, "OwnerUserId": user} if user else row


def _user(i: str, name: str) -> dict[str, str]:
    return {"Id": i, "DisplayName": name, "CreationDate": "2020-01-01T00:00:00.000"}


def _dump(folder: Path, posts: list[dict[str, str]], comments: list[dict[str, str]],
          users: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True)
    (folder / "Posts.xml").write_text(_xml("posts", posts), encoding="utf-8")
    (folder / "Comments.xml").write_text(_xml("comments", comments), encoding="utf-8")
    (folder / "Users.xml").write_text(_xml("users", users), encoding="utf-8")
    return folder


def _march(tmp: Path) -> Path:
    posts = [_q(1, "13", 1, AcceptedAnswerId="4"), _a(3, 1, "10", 2), _a(4, 1, "11", 3), _q(2, "12", 4),
             _a(5, 2, "14", 5), _q(6, "14", 6)]
    comments = [{"Id": "50", "PostId": "3", "UserId": "12", "CreationDate": "2024-03-02T13:00:00.000", "Score": "0"}]
    users = [_user("10", "annie"), _user("11", "bo"), _user("12", "cy"), _user("13", "di"), _user("14", "ed")]
    return _dump(tmp / "march" / "bikes", posts, comments, users)


def _april(tmp: Path) -> Path:
    """Question 2 (with its answer) and the comment deleted, account 14 deleted (question 6 keeps a display name),
    answer 3 now the accepted one, a new answer 7."""
    posts = [_q(1, "13", 1, AcceptedAnswerId="3"), _a(3, 1, "10", 2), _a(4, 1, "11", 3),
             _q(6, None, 6, OwnerDisplayName="ed"), _a(7, 1, "11", 20)]
    users = [_user("10", "annie"), _user("11", "bo"), _user("12", "cy"), _user("13", "di")]
    return _dump(tmp / "april" / "bikes", posts, [], users)


def _ids(tmp: Path, name: str, rows: str) -> Path:
    path = tmp / name
    path.write_text("source,handle,person_id\n" + rows, encoding="utf-8")
    return path


def _facts(db: Path) -> dict[str, list[tuple]]:
    store = SQLiteStore(db)
    try:
        facts = store.dump()
    finally:
        store.close()
    facts.pop("AnalyticsRun")  # its times and run id differ between two runs; everything it computed must not
    return facts


def _ingest(tmp: Path, db: str, dump: Path, ids: Path, *extra: str) -> str:
    done = ingest_in(tmp, "forum", str(dump), "--format", "stackexchange", "--identities", str(ids), *extra, db=db)
    assert done.returncode == 0, done.stdout + done.stderr
    return " ".join(done.stdout.split())


def _analyze(tmp: Path, db: str) -> None:
    done = cli("analyze", "--store", f"sqlite:///{tmp / db}")
    assert done.returncode == 0, done.stderr


def test_a_later_dump_gives_the_store_a_fresh_import_of_it_gives(tmp_path: Path) -> None:
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    march, april = _march(tmp_path), _april(tmp_path)
    ids_march = _ids(tmp_path, "ids-march.csv", "stackexchange,11,E2\n")
    ids_april = _ids(tmp_path, "ids-april.csv", "stackexchange,11,E2\nstackexchange,10,E1\n")
    for db in ("months.db", "fresh.db"):
        assert ingest_in(tmp_path, "hris", "hr.csv", db=db).returncode == 0
    _ingest(tmp_path, "months.db", march, ids_march)
    _analyze(tmp_path, "months.db")
    summary = _ingest(tmp_path, "months.db", april, ids_april)
    _analyze(tmp_path, "months.db")
    _ingest(tmp_path, "fresh.db", april, ids_april)
    _analyze(tmp_path, "fresh.db")

    months, fresh = _facts(tmp_path / "months.db"), _facts(tmp_path / "fresh.db")
    assert {k: v for k, v in months.items() if v != fresh.get(k)} == {}
    # question 2, its answer, the comment; cy (only the comment and question 2 left) and ed (deleted) are no longer
    # people of the site's own, and annie's person is now Ann Lee's (opted out)
    assert "posts removed (no longer in the export) │ 3" in summary
    assert "forum people removed (nothing of theirs left) │ 2" in summary
    assert "merged into the person now matched │ 1" in summary
    store = SQLiteStore(tmp_path / "months.db")
    try:
        people = {p[0] for p in months["Person"]}
        assert people == {"hr:E1", "hr:E2", f"{OWN}13"}
        # nobody the site lists is the opted-out Ann under her forum name
        assert [p.id for p in store.community_members(SITE, first=10).items] == ["hr:E2", f"{OWN}13"]
    finally:
        store.close()


def test_a_dump_cut_short_takes_nothing_back_and_says_so(tmp_path: Path) -> None:
    users = [_user("13", "di")]
    whole = _dump(tmp_path / "whole" / "bikes", [_q(i, "13", 1) for i in range(1, 16)], [], users)
    ids = _ids(tmp_path, "ids.csv", "")
    _ingest(tmp_path, "w.db", whole, ids)
    short = _dump(tmp_path / "short" / "bikes", [_q(1, "13", 1)], [], users)  # a download that stopped early
    db = tmp_path / "w.db"
    before = _facts(db)
    done = ingest_in(tmp_path, "forum", str(short), "--format", "stackexchange", db="w.db")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "looks cut short" in done.stderr
    assert "--allow-mass-removal" in done.stderr
    assert _facts(db) == before
    # a dry run of the real thing says what would go and writes nothing
    digest_before, dump_before = digest(db), SQLiteStore(db).dump()
    preview = ingest_in(tmp_path, "forum", str(short), "--format", "stackexchange", "--allow-mass-removal",
                        "--dry-run", db="w.db")
    assert preview.returncode == 0, preview.stderr
    assert "posts would be removed (no longer in the export) │ 14" in " ".join(preview.stdout.split())
    assert_unchanged(db, digest_before, dump_before)
    taken = ingest_in(tmp_path, "forum", str(short), "--format", "stackexchange", "--allow-mass-removal", db="w.db")
    assert taken.returncode == 0, taken.stderr
    assert [p[0] for p in _facts(db)["Post"]] == ["stackexchange/bikes:post/1"]


def test_a_partial_export_takes_nothing_back(tmp_path: Path) -> None:
    """``--partial`` (the default of date-ranged formats such as Slack): a later export of fewer posts adds and
    updates only."""
    march = _march(tmp_path)
    ids = _ids(tmp_path, "ids.csv", "")
    _ingest(tmp_path, "w.db", march, ids)
    before = _facts(tmp_path / "w.db")
    summary = _ingest(tmp_path, "w.db", _april(tmp_path), ids, "--partial")
    assert "removed" not in summary
    after = _facts(tmp_path / "w.db")
    assert {p[0] for p in before["Post"]} < {p[0] for p in after["Post"]}
    assert {p[0] for p in before["Person"]} == {p[0] for p in after["Person"]}


def _slack(folder: Path, days: dict[str, list[dict[str, str]]]) -> Path:
    """A Slack export of one channel, ``general``, with Ann and Bo; ``days``: date -> that day's messages."""
    (folder / "general").mkdir(parents=True)
    users = [{"id": "U1", "name": "ann", "real_name": "Ann Lee", "profile": {"email": "ann@x.org"}},
             {"id": "U2", "name": "bo", "real_name": "Bo Roy", "profile": {"email": "bo@x.org"}}]
    (folder / "users.json").write_text(json.dumps(users), encoding="utf-8")
    channels = [{"id": "C1", "name": "general", "created": 1700000000, "members": ["U1", "U2"]}]
    (folder / "channels.json").write_text(json.dumps(channels), encoding="utf-8")
    for day, messages in days.items():
        (folder / "general" / f"{day}.json").write_text(json.dumps(messages), encoding="utf-8")
    return folder


def _thread(ts: str, asker: str, answerer: str) -> list[dict[str, str]]:
    return [{"type": "message", "user": asker, "text": "how do I?", "ts": ts, "thread_ts": ts},
            {"type": "message", "user": answerer, "text": "like so", "ts": f"{ts[:-1]}9", "thread_ts": ts}]


def test_accounts_loaded_before_their_hr_record_become_that_person_and_stay_hidden(tmp_path: Path) -> None:
    """Slack exported in January and loaded before any HR export: its accounts are people of Slack's own. HR then
    lists them (Ann opted out), and February's export, a date range of its own (partial: January's messages are
    not in it), is loaded. Before, Slack's own Ann stayed: a member of general under her name, visible though she
    opted out, with her January messages; the store held two of everyone."""
    january = _slack(tmp_path / "jan", {"2024-01-08": _thread("1704708000.000100", "U1", "U2")})
    february = _slack(tmp_path / "feb", {"2024-02-05": _thread("1707127200.000100", "U2", "U1")})
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    for step in (("forum", str(january), "--format", "slack"), ("hris", "hr.csv"),
                 ("forum", str(february), "--format", "slack")):
        done = ingest_in(tmp_path, *step, db="months.db")
        assert done.returncode == 0, done.stdout + done.stderr
    summary = " ".join(done.stdout.split())
    for step in (("hris", "hr.csv"), ("forum", str(january), "--format", "slack"),
                 ("forum", str(february), "--format", "slack")):
        assert ingest_in(tmp_path, *step, db="fresh.db").returncode == 0
    months, fresh = _facts(tmp_path / "months.db"), _facts(tmp_path / "fresh.db")
    assert {k: v for k, v in months.items() if v != fresh.get(k)} == {}
    assert {p[0] for p in months["Person"]} == {"hr:E1", "hr:E2"}
    assert "merged into the person now matched │ 2" in summary
    store = SQLiteStore(tmp_path / "months.db")
    try:
        assert [p.id for p in store.community_members("slack:channel/C1", first=10).items] == ["hr:E2"]
    finally:
        store.close()
