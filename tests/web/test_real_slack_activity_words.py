"""A Slack person's activity is worded as chat (messages and thread replies), not as questions, on the Slack sample
(../shared/data; skipped, saying so, where absent) ingested by the CLI, the person page over HTTP; a Stack Exchange
person's keeps its wording.

Before, the person page read "In all: 33 questions" for someone who had posted 33 channel messages: a chat's
top-level message starts a thread or says something, it asks nothing.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.settings import load_settings
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.api.test_real_forum_explanations import run_whoknows
from tests.factories import T0, person, post
from tests.web.conftest import sign_in_link

SLACK = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "slack-sample" / "testarchive.zip"
IN_ALL = re.compile(r"In all: ([^.]*)\.")


def _in_all(db: Path, person_id: str) -> str:
    """The person page's "In all" sentence, over HTTP, signed in as an employee."""
    settings = load_settings(env="development", store=f"sqlite:///{db}", response_cache_ttl_s=0.0,
                             session_secret="web-test-session-secret-0123456789abcdef")
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        signed_in = client.get(sign_in_link(settings, server.url, "employee:1", "Em Ployee", Role.EMPLOYEE))
        assert signed_in.status_code == 303, signed_in.text
        page = client.get(f"/people/{quote(person_id, safe='')}")
        assert page.status_code == 200, page.text[:300]
    found = IN_ALL.search(html.unescape(page.text))
    assert found, "no 'In all' sentence on the page"
    return found.group(1)


def test_a_slack_person_posts_messages_not_questions(tmp_path: Path) -> None:
    if not SLACK.is_file():
        pytest.skip(f"{SLACK} is absent: the shared Slack sample is not on this machine")
    with zipfile.ZipFile(SLACK) as z:
        said = Counter(m.get("user") for n in z.namelist() if n.count("/") == 1 and n.endswith(".json")
                       for m in json.loads(z.read(n)) if m.get("subtype") in (None, "file_share")
                       and m.get("thread_ts", m.get("ts")) == m.get("ts"))
    user, n = said.most_common(1)[0]
    assert n > 1, "the premise: someone posted several top-level messages"
    for args in (("ingest", "forum", str(SLACK), "--format", "slack"), ("analyze",)):
        done = run_whoknows(tmp_path, *args)
        assert done.returncode == 0, done.stderr + done.stdout
    assert _in_all(tmp_path / "whoknows.db", f"slack:{user}") == f"{n} messages"


def test_a_person_in_a_forum_and_a_chat_gets_each_wording(tmp_path: Path) -> None:
    """Runs without the sample: a forum's questions and answers keep their words beside a chat's messages."""
    db = tmp_path / "whoknows.db"
    store = SQLiteStore(db)
    me = person(1)
    posts = [post(1, me.id, kind="question"), post(2, me.id, kind="answer", parent_id="stackexchange/demo:9"),
             post(3, me.id, kind="answer", parent_id="stackexchange/demo:9"),
             *(post(10 + i, me.id, id=f"slack:eng/{i}", source="slack", kind="reply" if i else "question",
                    created_at=T0, thread_id="slack:eng/0", parent_id="slack:eng/0" if i else None)
               for i in range(3))]
    try:
        store.write_batch(Batch(people=[me], posts=posts))
    finally:
        store.close()
    assert _in_all(db, me.id) == "2 answers, 1 question, 1 message, 2 thread replies"
