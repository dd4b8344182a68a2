"""``whoknows evaluate experts`` on exports unlike the five Stack Exchange dumps in ../shared/data, written by the
test and run through the real command in a subprocess: answers merged in from a closed duplicate (older than their
question), rows the ingest rejects, chat exports with nothing to score, one site in two dump eras."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from ingest.synthetic import write_stackexchange_dump
from tests.integration.clirun import whoknows_argv

SLACK = Path(__file__).resolve().parents[3] / "shared" / "data" / "slack-sample" / "testarchive.zip"


def _whoknows(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "WHOKNOWS_STORE": f"sqlite:///{cwd / 'untouched.db'}"}
    done = subprocess.run([*whoknows_argv(), "evaluate", "experts", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _row(i: int, kind: int, user: str | None, day: int, **extra: str) -> str:
    owner = f' OwnerUserId="{user}"' if user is not None else ""
    attrs = "".join(f' {k}="{v}"' for k, v in extra.items())
    return (f'  <row Id="{i}" PostTypeId="{kind}" CreationDate="2024-01-{day:02d}T10:00:00.000" Score="1"'
            f'{owner}{attrs} />')


def _dump(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "Posts.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "\n".join(rows)
                                      + "\n</posts>\n", encoding="utf-8")
    return folder


def _regulars(days: range, first_id: int = 1) -> list[str]:
    """A question a day on ``bikes`` by user 1, answered (and accepted) by user 2 the same day: the history before
    the cut-off."""
    rows, i = [], first_id
    for day in days:
        rows += [_row(i, 1, "1", day, Tags="&lt;bikes&gt;", AcceptedAnswerId=str(i + 1), Title=f"Q{i}"),
                 _row(i + 1, 2, "2", day, ParentId=str(i))]
        i += 2
    return rows


def test_an_answer_older_than_its_later_question_does_not_train(tmp_path: Path) -> None:
    """On a real site a closed duplicate's answers are merged into the question it duplicates, keeping their own
    dates, so an answer can be older than its question. A test question's accepted answer dated before the cut-off
    used to enter training with the question's tags and its accepted mark (known only after the cut-off): its
    author, who never posted anything else, was "seen" and ranked 2nd on a tag nobody else had (no baseline could
    rank them: they count answers to questions asked before the cut-off). Every post of a
    test question's thread now stays out of training, whatever its date."""
    rows = _regulars(range(1, 11))
    # user 9's only post is an answer dated day 3, merged into question 100 asked on day 12 and accepted there
    rows += [_row(100, 1, "1", 12, Tags="&lt;saddles&gt;", AcceptedAnswerId="101", Title="Saddle?"),
             _row(101, 2, "9", 3, ParentId="100"),
             _row(102, 1, "3", 11, Tags="&lt;bikes&gt;", AcceptedAnswerId="103", Title="Bikes?"),
             _row(103, 2, "2", 11, ParentId="102")]
    dump = _dump(tmp_path / "merged", rows)
    done = _whoknows(tmp_path, str(dump), "--format", "stackexchange", "--target", "accepted", "--split", "0.85",
                     "--json", "--cases")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["reports"][0]
    assert report["cutoff"].startswith("2024-01-11"), report["cutoff"]  # 12 questions: the 11th (index 10.2 -> 10)
    assert report["train_posts"] == 20  # the ten day-1..10 threads; not the merged answer of day 3
    cases = {row["question"].rpartition("/")[2]: row for row in report["cases_detail"]}
    assert set(cases) == {"100", "102"}
    merged = cases["100"]
    assert merged["cold"], "user 9 posted nothing before the cut-off but an answer to a later question"
    assert all(rank is None for rank in merged["ranks"].values()), merged
    assert cases["102"]["ranks"]["whoknows"] == 1  # user 2, who answered every earlier bikes question
    assert report["cold"] == 1


def _slack_export(folder: Path, threads: bool) -> Path:
    """A Slack export folder: one public channel, twelve days of messages; with ``threads`` each day's second
    message replies in the first one's thread."""
    (folder / "general").mkdir(parents=True)
    users = [{"id": f"U{i}", "name": f"user{i}", "real_name": f"User {i}", "profile": {}} for i in range(1, 5)]
    (folder / "users.json").write_text(json.dumps(users), encoding="utf-8")
    (folder / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general", "members": ["U1", "U2"]}]),
                                          encoding="utf-8")
    for day in range(1, 13):
        ts = 1704096000 + day * 86400
        msgs = [{"type": "message", "user": "U1", "text": "how do I?", "ts": f"{ts}.000100"},
                {"type": "message", "user": "U2", "text": "like this", "ts": f"{ts + 60}.000200",
                 **({"thread_ts": f"{ts}.000100"} if threads else {})}]
        (folder / "general" / f"2024-01-{day:02d}.json").write_text(json.dumps(msgs), encoding="utf-8")
    return folder


def test_an_export_with_nothing_to_score_says_why(tmp_path: Path) -> None:
    """A chat export without threads (the shared Slack sample is one) or a forum without accepted answers has no
    case to score: the run said only "none ... has a target answerer". It now says what the export lacks, in the
    text and in the JSON notes, and what would score instead."""
    flat = _slack_export(tmp_path / "flat", threads=False)
    done = _whoknows(tmp_path, str(flat), "--format", "slack")
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())
    assert "flat: nothing to score" in said
    assert "none of the export's 24 questions has an answer or a reply by someone other than its asker" in said
    threaded = _slack_export(tmp_path / "threaded", threads=True)
    accepted = _whoknows(tmp_path, str(threaded), "--format", "slack", "--target", "accepted", "--json")
    assert accepted.returncode == 0, accepted.stderr
    report = json.loads(accepted.stdout)["reports"][0]
    assert report["cases"] == 0
    assert "has an accepted answer" in report["notes"]["nothing_to_score"]
    assert "3 have other answers: --target first scores those" in report["notes"]["nothing_to_score"]
    first = _whoknows(tmp_path, str(threaded), "--format", "slack", "--target", "first", "--json")
    report = json.loads(first.stdout)["reports"][0]
    assert report["cases"] == 3  # the last three days' threads, answered by user 2, who answered every earlier one
    assert "nothing_to_score" not in report["notes"]


def test_rows_the_ingest_rejects_are_said_not_silently_left_out(tmp_path: Path) -> None:
    """The scratch store's reject file is deleted with it: a dump whose rows are rejected (here a question dated
    the European way) was scored on what was left without a word. The report now says how many rows, why, and
    the first of them (file and row), in the text and in the JSON notes."""
    rows = _regulars(range(1, 13))
    rows[4] = rows[4].replace('CreationDate="2024-01-03T10:00:00.000"', 'CreationDate="03/01/2024 10:00"')
    dump = _dump(tmp_path / "eu", rows)
    done = _whoknows(tmp_path, str(dump), "--format", "stackexchange", "--json")
    assert done.returncode == 0, done.stderr
    rejected = json.loads(done.stdout)["reports"][0]["notes"]["rejected"]
    assert rejected["rows"] == 1
    [reason] = rejected["reasons"]
    assert reason["first"].endswith("Posts.xml, row 5: CreationDate '03/01/2024 10:00' is not an ISO 8601 date-time")
    text = _whoknows(tmp_path, str(dump), "--format", "stackexchange", "--split", "0.6", "--split", "0.8")
    said = " ".join(text.stdout.split())
    assert said.count("eu: 1 row(s) of the export rejected, in no figure: 1 like ") == 1, said
    assert "row 5: CreationDate '03/01/2024 10:00'" in said


def test_the_real_slack_sample_says_it_has_no_threads(tmp_path: Path) -> None:
    """The shared Slack sample (slack-export-viewer's fixtures) holds 146 messages and no thread reply."""
    if not SLACK.exists():
        pytest.skip(f"{SLACK} is absent: the shared Slack sample is not on this machine")
    done = _whoknows(tmp_path, str(SLACK), "--format", "slack", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["reports"][0]
    assert report["cases"] == 0
    assert report["notes"]["nothing_to_score"].startswith(
        "none of the export's 146 questions has an answer or a reply by someone other than its asker")


def test_one_site_in_two_dump_eras_evaluates_the_same(tmp_path: Path) -> None:
    """The same site as two dump eras write it: ``<a><b>`` tags, millisecond dates and lower-case file names in a
    folder of the site's name (a .7z unpacked), or ``|a|b|`` tags and ``Z`` dates without milliseconds; the
    figures must not move."""
    src = write_stackexchange_dump(tmp_path / "src", questions=80, users=25, seed=11)
    old = tmp_path / "old" / "site.stackexchange.com"
    new = tmp_path / "new"
    old.mkdir(parents=True)
    new.mkdir()
    for f in src.iterdir():
        text = f.read_text(encoding="utf-8")
        pipes = re.sub(r'Tags="&lt;([^"]*)&gt;"', lambda m: 'Tags="|' + m.group(1).replace("&gt;&lt;", "|") + '|"',
                       text)
        angles = re.sub(r'Tags="\|([^"]*)\|"', lambda m: 'Tags="&lt;' + m.group(1).replace("|", "&gt;&lt;")
                        + '&gt;"', text)
        (old / f.name.lower()).write_text(angles, encoding="utf-8")
        (new / f.name).write_text(re.sub(r'Date="([0-9T:-]{19})\.000"', r'Date="\1Z"', pipes), encoding="utf-8")
    assert "|" not in (old / "posts.xml").read_text(encoding="utf-8").split("Tags=")[1][:3]
    assert ".000" not in (new / "Posts.xml").read_text(encoding="utf-8")
    reports = []
    for dump in (old.parent, new):
        done = _whoknows(tmp_path, str(dump), "--format", "stackexchange", "--community", "site", "--json",
                         "--cases")
        assert done.returncode == 0, done.stderr
        reports.append(json.loads(done.stdout)["reports"][0])
    a, b = ({k: v for k, v in r.items() if k != "name"} for r in reports)
    assert a["cases"] > 5
    assert a == b


def _votes(folder: Path, votes: list[tuple[int, int, str]]) -> None:
    """Votes.xml rows (post, VoteTypeId, day) dated as the dumps date them: by day, at midnight."""
    rows = [f'  <row Id="{i}" PostId="{post}" VoteTypeId="{kind}" CreationDate="{day}T00:00:00.000" />'
            for i, (post, kind, day) in enumerate(votes, 1)]
    (folder / "Votes.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<votes>\n' + "\n".join(rows)
                                      + "\n</votes>\n", encoding="utf-8")


def test_training_scores_and_acceptances_are_those_known_at_the_cut_off(tmp_path: Path) -> None:
    """A dump gives each post its score and accepted mark as of the dump date: a training answer carried the votes
    of the years after the cut-off, and an acceptance made after it. Where Votes.xml dates the votes, the replay
    recounts them as of the cut-off (votes of the days wholly before it); without one, the report says the marks
    are the dump date's."""
    from app.cli.evaluate_cmd import _votes_at_cutoff
    from graph.evaluation import split_history
    from graph.store import open_store
    from ingest.pipeline import ingest_forum

    dump = _dump(tmp_path / "site", [*_regulars(range(1, 11)), *_regulars(range(11, 14), first_id=21)])
    plain = _whoknows(tmp_path, str(dump), "--split", "0.8", "--json")
    assert plain.returncode == 0, plain.stderr
    assert "as of the dump date (no Votes.xml" in json.loads(plain.stdout)["reports"][0]["notes"]["votes"]

    # answer 2 (day 1): two votes before the cut-off, three after; answer 4 (day 2): accepted only after it
    _votes(dump, [(2, 2, "2024-01-01"), (2, 2, "2024-01-05"), (2, 3, "2024-01-06"), (2, 2, "2024-01-06"),
                  *[(2, 2, "2024-02-01")] * 3, (4, 1, "2024-03-01"), (6, 1, "2024-01-03")])
    dated = _whoknows(tmp_path, str(dump), "--split", "0.8", "--json")
    assert dated.returncode == 0, dated.stderr
    report = json.loads(dated.stdout)["reports"][0]
    assert report["notes"]["votes"] == "scores and accepted marks as of the cut-off (9 dated votes in Votes.xml)"

    store = open_store(f"sqlite:///{tmp_path / 'replay.db'}")
    try:
        ingested = ingest_forum(store, dump, "stackexchange", community=None, rejects=tmp_path / "r.jsonl")
        sp = split_history(store.read_projection().posts, 0.8, "accepted")
        before = {p.id.rpartition("/")[2]: p for p in sp.train}
        assert (before["2"].score, before["4"].accepted) == (1, True)  # the dump's own marks
        _votes_at_cutoff(dump, "stackexchange", ingested.source, sp)
    finally:
        store.close()
    train = {p.id.rpartition("/")[2]: p for p in sp.train}
    assert report["cutoff"].startswith("2024-01-11")
    assert train["2"].score == 2  # +1 +1 -1 +1 in January's first week; February's three are after the cut-off
    assert not train["4"].accepted  # accepted on 1 March, after the cut-off
    assert train["6"].accepted  # accepted before it
    assert train["8"].accepted  # no dated acceptance: the dump's own mark
    assert train["8"].score == 1  # no dated vote: the dump's own score
