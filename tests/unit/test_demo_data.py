"""The demo-data generator: deterministic, well-formed real-shaped exports, and a truth.json that matches them.

Small organisations (300 people) check formats and consistency; one of 2,000 people checks that the planted
signal is in the files themselves (planted experts are the top answerers of their skill, groups talk mostly
inside, brokers talk across), independently of the analytics that will later have to find it.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from defusedxml.ElementTree import iterparse, parse

from ingest.demo import GENERATOR, MANIFEST, generate_demo_data, simulate
from ingest.demo.org import ascii_fold, build_org
from ingest.demo.sampling import allocate, draw_grouped, make_pool, make_timeline
from ingest.demo.writers import HRIS_COLUMNS, slack_code, xml_attr
from schema.errors import BadInput
from schema.models import Person
from schema.skills import canonical_skill, parse_level

SMALL = 300
SE_FILES = {"Posts.xml": "posts", "Users.xml": "users", "Tags.xml": "tags", "Votes.xml": "votes",
            "Comments.xml": "comments"}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small") / "org"
    generate_demo_data(out, people=SMALL, seed=42)
    return out


@pytest.fixture(scope="module")
def truth(small: Path) -> dict:
    return json.loads((small / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hris(small: Path) -> dict[str, dict[str, str]]:
    with (small / "hris.csv").open(encoding="utf-8", newline="") as f:
        return {f"hr:{row['id']}": row for row in csv.DictReader(f)}


def rows(path: Path) -> list[dict[str, str]]:
    out = []
    for _, el in iterparse(str(path)):
        if el.tag == "row":
            out.append(dict(el.attrib))
            el.clear()
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def slack_messages(folder: Path) -> dict[str, list[dict]]:
    """Channel name -> its messages in file order."""
    out: dict[str, list[dict]] = {}
    for ch in sorted(p for p in folder.iterdir() if p.is_dir()):
        msgs: list[dict] = []
        for day in sorted(ch.glob("*.json")):
            msgs.extend(json.loads(day.read_text(encoding="utf-8")))
        out[ch.name] = msgs
    return out


# --- determinism -------------------------------------------------------------------------------------


def test_same_seed_writes_identical_bytes_and_another_seed_differs(small: Path, tmp_path: Path) -> None:
    generate_demo_data(tmp_path / "again", people=SMALL, seed=42)
    generate_demo_data(tmp_path / "other", people=SMALL, seed=43)
    first, again, other = tree_bytes(small), tree_bytes(tmp_path / "again"), tree_bytes(tmp_path / "other")
    assert len(first) > 50
    assert first.keys() == again.keys()
    assert [k for k in first if first[k] != again[k]] == []
    assert first["hris.csv"] != other["hris.csv"]
    assert first["stackexchange/Posts.xml"] != other["stackexchange/Posts.xml"]


def test_rerun_in_place_replaces_the_earlier_output(tmp_path: Path) -> None:
    out = tmp_path / "org"
    generate_demo_data(out, people=SMALL, seed=1)
    stale = out / "slack" / "old-channel"
    stale.mkdir()
    (stale / "2020-01-01.json").write_text("[]", encoding="utf-8")
    generate_demo_data(out, people=SMALL, seed=2)
    assert not stale.exists()
    assert json.loads((out / "truth.json").read_text(encoding="utf-8"))["seed"] == 2
    assert not list(out.glob(".demo-data-*"))


def test_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="between"):
        generate_demo_data(tmp_path / "x", people=0)
    a_file = tmp_path / "file.txt"
    a_file.write_text("hello", encoding="utf-8")
    with pytest.raises(BadInput, match="not a folder"):
        generate_demo_data(a_file, people=SMALL)
    with pytest.raises(BadInput, match="not empty"):
        generate_demo_data(tmp_path, people=SMALL)
    assert a_file.read_text(encoding="utf-8") == "hello"


# --- formats -----------------------------------------------------------------------------------------


def test_manifest_lists_the_ingest_steps(small: Path) -> None:
    manifest = json.loads((small / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == MANIFEST
    for step in manifest:
        assert (small / step["path"]).exists()
        if "identities" in step:
            assert (small / step["identities"]).is_file()


def test_hris_csv_has_the_fixed_columns_and_valid_rows(hris: dict[str, dict[str, str]]) -> None:
    assert len(hris) == SMALL
    first = next(iter(hris.values()))
    assert tuple(first) == HRIS_COLUMNS
    emails = set()
    for pid, row in hris.items():
        person = Person(id=pid, name=row["name"], email=row["email"], title=row["title"],
                        department=row["department"], location=row["location"],
                        hired_on=row["hire_date"], active=row["active"] == "true", opted_out=row["opted_out"] == "true")
        emails.add(person.email)
        assert row["opted_out"] in ("true", "false")
        assert row["active"] in ("true", "false")
        if row["manager_id"]:
            assert f"hr:{row['manager_id']}" in hris
        for entry in filter(None, row["skills"].split(";")):
            name, _, level = entry.partition(":")
            canonical_skill(name)
            parse_level(level or None)
    assert len(emails) == SMALL
    ceos = [r for r in hris.values() if not r["manager_id"]]
    assert len(ceos) == 1
    assert any(any(ord(c) > 127 for c in r["name"]) for r in hris.values())
    assert any(r["location"] == "São Paulo" for r in hris.values())


def test_hierarchy_is_a_tree_with_spans_of_at_most_ten(hris: dict[str, dict[str, str]]) -> None:
    reports = Counter(r["manager_id"] for r in hris.values() if r["manager_id"])
    assert max(reports.values()) <= 10
    for pid in hris:
        seen, cur = set(), pid
        while hris[cur]["manager_id"]:
            assert cur not in seen
            seen.add(cur)
            cur = f"hr:{hris[cur]['manager_id']}"
        assert not hris[cur]["manager_id"]


def test_stackexchange_dump_is_well_formed_and_consistent(small: Path) -> None:
    se = small / "stackexchange"
    for name, root in SE_FILES.items():
        raw = (se / name).read_bytes()
        assert raw.startswith(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n')
        assert parse(str(se / name)).getroot().tag == root
    users = {r["Id"] for r in rows(se / "Users.xml")}
    assert "-1" in users
    assert all("Email" not in r for r in rows(se / "Users.xml"))
    posts = {r["Id"]: r for r in rows(se / "Posts.xml")}
    tag_counts = Counter()
    for r in posts.values():
        assert r["PostTypeId"] in ("1", "2")
        assert "OwnerUserId" not in r or r["OwnerUserId"] in users
        if r["PostTypeId"] == "1":
            assert r["Tags"].startswith("|")
            assert r["Tags"].endswith("|")
            tags = r["Tags"].strip("|").split("|")
            tag_counts.update(tags)
            answers = [a for a in posts.values() if a.get("ParentId") == r["Id"]] if r["AnswerCount"] != "0" else []
            assert len(answers) == int(r["AnswerCount"])
            if "AcceptedAnswerId" in r:
                assert posts[r["AcceptedAnswerId"]]["ParentId"] == r["Id"]
        else:
            question = posts[r["ParentId"]]
            assert question["PostTypeId"] == "1"
            assert question["CreationDate"] < r["CreationDate"]
    assert any("OwnerUserId" not in r for r in posts.values()) or len(posts) < 1000
    votes = Counter()
    for v in rows(se / "Votes.xml"):
        assert v["PostId"] in posts
        assert v["VoteTypeId"] in ("2", "3")
        votes[v["PostId"]] += 1 if v["VoteTypeId"] == "2" else -1
    assert all(int(p["Score"]) == votes[i] for i, p in posts.items())
    for c in rows(se / "Comments.xml"):
        assert c["PostId"] in posts
        assert c["UserId"] in users
        assert c["CreationDate"] > posts[c["PostId"]]["CreationDate"]
    assert {t["TagName"]: int(t["Count"]) for t in rows(se / "Tags.xml")} == dict(tag_counts)


def test_identities_map_accounts_to_hr_people_and_leave_contractors_unmapped(
    small: Path, hris: dict[str, dict[str, str]]
) -> None:
    with (small / "identities.csv").open(encoding="utf-8", newline="") as f:
        mapping = list(csv.DictReader(f))
    users = {r["Id"] for r in rows(small / "stackexchange" / "Users.xml")} - {"-1"}
    assert {m["source"] for m in mapping} == {"stackexchange/demo"}
    assert all(m["person_id"] in hris and m["handle"] in users for m in mapping)
    assert len({m["handle"] for m in mapping}) == len(mapping)
    unmapped = users - {m["handle"] for m in mapping}
    assert 0 < len(unmapped) < 0.1 * len(users)


def test_slack_export_is_well_formed_and_threads_are_consistent(small: Path, hris: dict) -> None:
    slack = small / "slack"
    users = json.loads((slack / "users.json").read_text(encoding="utf-8"))
    channels = json.loads((slack / "channels.json").read_text(encoding="utf-8"))
    uid = {u["id"]: u for u in users}
    assert len(uid) == len(users)
    assert all(u["id"].startswith("U") for u in users)
    bots = {u["id"] for u in users if u["is_bot"]}
    assert len(bots) >= 2
    hr_emails = {r["email"] for r in hris.values()}
    emails = [u["profile"]["email"] for u in users if "email" in u["profile"]]
    assert sum(e.casefold() in hr_emails for e in emails) >= 0.95 * len(hris)
    assert any(e != e.casefold() for e in emails)  # some differ in case only
    names = {c["name"] for c in channels}
    assert {"general", "random"} <= names
    assert any(n.startswith("team-") for n in names)
    assert all(set(c["members"]) <= uid.keys() and c["id"].startswith("C") for c in channels)
    msgs = slack_messages(slack)
    assert set(msgs) == names
    subtypes = Counter(m.get("subtype") for ms in msgs.values() for m in ms)
    assert subtypes["channel_join"] > 0
    assert subtypes["bot_message"] > 0
    for name, ms in msgs.items():
        by_ts = {m["ts"]: m for m in ms}
        assert len(by_ts) == len(ms), f"duplicate ts in {name}"
        members = set(next(c for c in channels if c["name"] == name)["members"])
        for m in ms:
            assert m["type"] == "message"
            if "user" in m:
                assert m["user"] in uid
                assert m["user"] in members or m["user"] in bots
            if "parent_user_id" in m:
                root = by_ts[m["thread_ts"]]
                assert root["user"] == m["parent_user_id"]
                assert float(root["ts"]) < float(m["ts"])
                assert {"user": m["user"], "ts": m["ts"]} in root["replies"]
            if "reply_count" in m:
                assert m["thread_ts"] == m["ts"]
                assert m["reply_count"] == len(m["replies"])
            for r in m.get("reactions", ()):
                assert r["count"] == len(r["users"])
                assert set(r["users"]) <= uid.keys()
    days = sorted(p.name for p in (slack / "general").glob("*.json"))
    assert all(len(d) == len("2025-01-02.json") for d in days)


def test_endorsements_jsonl_names_people_before_endorsing_them(small: Path, hris: dict) -> None:
    lines = [json.loads(x) for x in (small / "endorsements.jsonl").read_text(encoding="utf-8").splitlines()]
    people = {x["handle"]: x for x in lines if x["type"] == "person"}
    endorsements = [x for x in lines if x["type"] == "endorsement"]
    assert endorsements
    assert {x["type"] for x in lines} == {"person", "endorsement"}
    first_endorsement = next(i for i, x in enumerate(lines) if x["type"] == "endorsement")
    assert all(x["type"] == "endorsement" for x in lines[first_endorsement:])
    for handle, person in people.items():
        assert hris[f"hr:{handle}"]["email"] == person["email"]
    for e in endorsements:
        assert e["from"] in people
        assert e["to"] in people
        assert e["from"] != e["to"]
        canonical_skill(e["skill"])
        assert e["created_at"].endswith("Z")
    assert [e["created_at"] for e in endorsements] == sorted(e["created_at"] for e in endorsements)


# --- truth.json --------------------------------------------------------------------------------------


def test_truth_matches_the_hris_file(truth: dict, hris: dict[str, dict[str, str]]) -> None:
    assert truth["generator"] == GENERATOR
    assert truth["seed"] == 42
    assert truth["people"] == SMALL
    assert len(truth["skills"]) >= 20 or SMALL < 1200
    for skill, info in truth["skills"].items():
        assert canonical_skill(skill) == skill
        assert 10 <= len(info["experts"]) <= 20
        assert len(set(info["experts"])) == len(info["experts"])
        for pid in info["experts"]:
            assert hris[pid]["active"] == "true"
            assert hris[pid]["opted_out"] == "false"
        for pid in info["self_declared_only"]:
            declared = [canonical_skill(e.partition(":")[0]) for e in hris[pid]["skills"].split(";") if e]
            assert skill in declared
            assert pid not in info["experts"]
    members = [p for ms in truth["communities"].values() for p in ms]
    assert set(members) == set(hris)
    assert len(members) == len(hris) + sum(len(v) - 1 for v in truth["broker_communities"].values())
    for broker in truth["brokers"]:
        labels = truth["broker_communities"][broker]
        assert len(labels) >= 2
        assert all(broker in truth["communities"][lab] for lab in labels)
        assert hris[broker]["active"] == "true"
    assert truth["influencers"]
    assert all(hris[p]["opted_out"] == "false" for p in truth["influencers"])
    assert set(truth["opted_out"]) == {p for p, r in hris.items() if r["opted_out"] == "true"}
    assert set(truth["leavers"]) == {p for p, r in hris.items() if r["active"] == "false"}
    assert 0 < len(truth["opted_out"]) < 0.1 * SMALL
    assert 0 < len(truth["leavers"]) < 0.1 * SMALL
    cohorts = [c for c in truth["channels"].values() if c["kind"] == "cohort"]
    assert {c["keeps_talking"] for c in cohorts} == {True, False}


def test_truth_counts_match_the_files(small: Path, truth: dict) -> None:
    counts = truth["counts"]
    se = small / "stackexchange"
    assert counts["se_posts"] == len(rows(se / "Posts.xml"))
    assert counts["se_comments"] == len(rows(se / "Comments.xml"))
    assert counts["slack_messages"] == sum(len(v) for v in slack_messages(small / "slack").values())
    assert counts["forum_posts"] == counts["se_posts"] + counts["se_comments"] + counts["slack_messages"]
    # about 30 per person, Slack 25 of them: enough that big channels and guilds are busy every week (issue 11.3)
    assert 20 * SMALL <= counts["forum_posts"] <= 45 * SMALL


def test_opted_out_people_and_leavers_still_post(small: Path, truth: dict) -> None:
    with (small / "identities.csv").open(encoding="utf-8", newline="") as f:
        person_of = {m["handle"]: m["person_id"] for m in csv.DictReader(f)}
    authors = {person_of.get(r.get("OwnerUserId", "")) for r in rows(small / "stackexchange" / "Posts.xml")}
    assert authors & set(truth["opted_out"])
    assert authors & set(truth["leavers"])


# --- the planted signal, measured on the files of a 2,000-person organisation -----------------------


@pytest.fixture(scope="module")
def mid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mid") / "org"
    generate_demo_data(out, people=2000, seed=42)
    return out


def _interactions(folder: Path) -> tuple[dict, list[tuple[str, str]]]:
    """Answer counts per (skill, person) and person-person reply pairs, read straight from the files."""
    with (folder / "identities.csv").open(encoding="utf-8", newline="") as f:
        person_of = {m["handle"]: m["person_id"] for m in csv.DictReader(f)}
    posts = {r["Id"]: r for r in rows(folder / "stackexchange" / "Posts.xml")}
    answers: dict[tuple[str, str], float] = defaultdict(float)
    pairs: list[tuple[str, str]] = []
    accepted = {p["AcceptedAnswerId"] for p in posts.values() if "AcceptedAnswerId" in p}
    for pid, p in posts.items():
        if p["PostTypeId"] != "2" or "OwnerUserId" not in p:
            continue
        q = posts[p["ParentId"]]
        who = person_of.get(p["OwnerUserId"])
        for tag in q["Tags"].strip("|").split("|"):
            answers[canonical_skill(tag), who] += 1 + 2 * (pid in accepted)
        if "OwnerUserId" in q:
            pairs.append((who, person_of.get(q["OwnerUserId"])))
    with (folder / "hris.csv").open(encoding="utf-8", newline="") as f:
        by_email = {r["email"]: f"hr:{r['id']}" for r in csv.DictReader(f)}
    users = json.loads((folder / "slack" / "users.json").read_text(encoding="utf-8"))
    slack_person = {u["id"]: by_email.get(u["profile"].get("email", "").casefold()) for u in users}
    for msgs in slack_messages(folder / "slack").values():
        for m in msgs:
            if "parent_user_id" in m:
                pairs.append((slack_person.get(m["user"]), slack_person.get(m["parent_user_id"])))
    return answers, [(a, b) for a, b in pairs if a and b and a != b]


def test_planted_experts_are_the_top_answerers_of_their_skill(mid: Path) -> None:
    truth = json.loads((mid / "truth.json").read_text(encoding="utf-8"))
    answers, _ = _interactions(mid)
    hidden = set(truth["opted_out"]) | set(truth["leavers"])
    precision = {}
    for skill, info in truth["skills"].items():
        ranked = sorted(((v, p) for (s, p), v in answers.items() if s == skill and p and p not in hidden),
                        key=lambda x: (-x[0], x[1]))[:10]
        precision[skill] = sum(p in set(info["experts"]) for _, p in ranked) / 10
        # over-claimers never answer on the skill they claim
        assert not {p for _, p in ranked} & set(info["self_declared_only"])
    assert len(precision) >= 30
    assert sum(precision.values()) / len(precision) >= 0.85, precision
    assert min(precision.values()) >= 0.5, precision


def test_groups_talk_mostly_inside_and_brokers_across(mid: Path) -> None:
    truth = json.loads((mid / "truth.json").read_text(encoding="utf-8"))
    home = {p: label for label, ms in truth["communities"].items() for p in ms}
    for broker, labels in truth["broker_communities"].items():
        home[broker] = labels[0]
    _, pairs = _interactions(mid)
    pairs = [(a, b) for a, b in pairs if a in home and b in home]
    inside = sum(home[a] == home[b] for a, b in pairs) / len(pairs)
    assert inside >= 0.6, inside
    reach: dict[str, Counter] = defaultdict(Counter)
    for a, b in pairs:
        reach[a][home[b]] += 1
        reach[b][home[a]] += 1

    def participation(p: str) -> float:
        total = sum(reach[p].values())
        return 1 - sum((v / total) ** 2 for v in reach[p].values())

    active = [p for p in reach if sum(reach[p].values()) >= 10]
    typical = float(np.median([participation(p) for p in active]))
    for broker, labels in truth["broker_communities"].items():
        assert sum(reach[broker][lab] > 0 for lab in labels) >= 2
        assert participation(broker) > typical
    degree = Counter()
    for _, b in pairs:
        degree[b] += 1
    top = {p for p, _ in degree.most_common(20)}
    assert len(top & set(truth["influencers"])) >= len(truth["influencers"]) // 2


# --- pure helpers ------------------------------------------------------------------------------------


def test_allocate_keeps_the_total_and_the_minimum() -> None:
    parts = allocate(1001, [0.3, 0.3, 0.2, 0.1, 0.1], minimum=5)
    assert parts.sum() == 1001
    assert parts.min() >= 5
    with pytest.raises(ValueError, match="at least"):
        allocate(3, [1, 1, 1, 1], minimum=1)


def test_grouped_draws_come_from_their_own_pool() -> None:
    rng = np.random.default_rng(0)
    pools = [make_pool(np.array([1, 2, 3]), np.array([1.0, 1.0, 0.0])), make_pool(np.array([7]), np.array([1.0]))]
    keys = np.array([0, 1, -1, 0, 1] * 50)
    got = draw_grouped(rng, keys, pools)
    assert set(got[keys == 0].tolist()) <= {1, 2}
    assert set(got[keys == 1].tolist()) == {7}
    assert (got[keys == -1] == -1).all()


def test_slack_codes_are_distinct_and_ascii_fold_makes_email_safe_names() -> None:
    codes = {slack_code(k, 17) for k in range(50_000)}
    assert len(codes) == 50_000
    assert all(len(c) == 8 and c.isalnum() and c.isupper() or c.isdigit() for c in codes)
    assert ascii_fold("Søren Ødegård") == "sorenodegard"
    assert xml_attr('a<b & "c"\n') == "a&lt;b &amp; &quot;c&quot;&#xA;"


def test_org_hierarchy_and_plants_scale_with_the_headcount() -> None:
    for people in (50, 1000):
        org = build_org(people, np.random.default_rng(3), make_timeline(np.datetime64("2026-11-01")))
        assert org.n_hr == people
        assert (org.manager[1:people] >= 0).all()
        assert org.manager[0] == -1
        assert len(org.skills) >= 8
        assert all(10 <= e.size <= 20 for e in org.experts)
        planted = np.concatenate([*org.experts, org.brokers, org.influencers])
        assert org.active[planted].all()
        assert not org.opted_out[planted].any()
        assert all(any(s in g.focus for g in org.groups) for s in range(len(org.skills)))


def test_activity_is_heavy_tailed_and_spread_over_two_years() -> None:
    sim = simulate(2000, 5)
    posts = np.bincount(np.r_[sim.se.owner[sim.se.owner >= 0], sim.slack.user[sim.slack.user >= 0]])
    posts = np.sort(posts)[::-1]
    top_share = posts[: len(posts) // 20].sum() / posts.sum()
    assert 0.2 < top_share < 0.8  # the top 5% write a large share, most people little or nothing
    assert (posts == 0).sum() > 0.1 * 2000
    weeks = np.bincount(((sim.se.t - sim.org.tl.t0) // (7 * 86_400)).astype(int))
    assert len(weeks) >= 104
    assert (weeks[:104] > 0).all()
    assert weeks[-20:-1].mean() > weeks[1:20].mean()  # activity grows over the window
    assert math.isclose(sim.se.t.max(), sim.org.tl.t1, abs_tol=30 * 86_400)
