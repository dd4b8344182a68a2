"""A person's network scores on the Slack sample (../shared/data; skipped, saying so, where absent), ingested and
analysed by the CLI, the page over HTTP.

The sample's channels have four members and no thread replies: no one interacted with anyone, so everyone's
degree is 0 %, yet constraint and effective size are over the whole tie graph, where the members of a small channel
are tied. The page showed "Degree 0 %" beside "Effective size 1.0" and "Constraint 0.93" with nothing saying where
those ties came from; it now says which scores count which ties.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.settings import load_settings
from graph.projection import TieWeights
from tests.api.conftest import LiveServer
from tests.api.test_real_forum_explanations import run_whoknows
from tests.web.conftest import sign_in_link

SLACK = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "slack-sample" / "testarchive.zip"


def test_scores_say_which_ties_they_count(tmp_path: Path) -> None:
    if not SLACK.is_file():
        pytest.skip(f"{SLACK} is absent: the shared Slack sample is not on this machine")
    with zipfile.ZipFile(SLACK) as z:
        channels = json.loads(z.read("channels.json"))
        threaded = [m for n in z.namelist() if n.count("/") == 1 and n.endswith(".json")
                    for m in json.loads(z.read(n)) if "thread_ts" in m or "replies" in m]
    assert not threaded, "the premise: no thread replies, so no interactions"
    assert all(2 <= len(c["members"]) <= TieWeights().clique_max for c in channels), "the premise: small channels"
    for args in (("ingest", "forum", str(SLACK), "--format", "slack"), ("analyze",)):
        done = run_whoknows(tmp_path, *args)
        assert done.returncode == 0, done.stderr + done.stdout
    settings = load_settings(env="development", store=f"sqlite:///{tmp_path / 'whoknows.db'}",
                             response_cache_ttl_s=0.0, session_secret="web-test-session-secret-0123456789abcdef")
    person = f"slack:{channels[0]['creator']}"
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        signed_in = client.get(sign_in_link(settings, server.url, "analyst:1", "Ana Lyst", Role.ANALYST))
        assert signed_in.status_code == 303, signed_in.text
        page = html.unescape(client.get(f"/people/{quote(person, safe='')}").text)
    section = page.split('id="sc-h"', 1)[1]
    cells = dict(re.findall(r'<th scope="row">(.*?)</th><td class="n">(.*?)</td>', section, re.S))
    assert cells["Degree"].strip() == "0 %", cells
    assert float(cells["Effective size"]) > 0, cells  # ties from sharing a small channel
    assert "Degree counts only the people interacted with" in section
    assert f"membership of the same community of up to {TieWeights().clique_max} people" in section
