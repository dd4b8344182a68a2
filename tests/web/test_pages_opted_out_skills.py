"""The search page offers no skill only an opted-out person gave, over plain HTTP with the response cache on: the
skill box's suggestions (``/suggest/skills``) and a search for it, from the moment they hide themselves on the
Privacy page (graph/store/shown.py). Before, the suggestions went on offering it until a 30-second index expired,
and HR's opt-out never took it away."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx

from app.auth import Role
from app.main import create_app
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import HasSkill
from tests.api.conftest import LiveServer, load_org, pid
from tests.web.conftest import sign_in_link
from tests.web.test_pages_bounds import page_settings

SPEAKER = pid(12)  # alone declares esperanto; E0007 (opted out in HR) alone declares basque (tests/api/conftest.py)


def _suggested(client: httpx.Client, typed: str) -> list[str]:
    r = client.get("/suggest/skills", params={"q": typed})
    assert r.status_code == 200, r.text[:300]
    return [s["name"] for s in r.json()]


def test_the_skill_box_offers_no_skill_only_a_hidden_person_gave(tmp_path: Path) -> None:
    settings = page_settings(tmp_path, response_cache_ttl_s=60.0)
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    store.write_batch(Batch(has_skill=[HasSkill(person_id=SPEAKER, skill="esperanto", level=3)]))
    app = create_app(settings, store=store)
    app.state.services.choices.interval_s = 0.0
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            link = sign_in_link(settings, server.url, SPEAKER, "Person 12", Role.EMPLOYEE)
            assert client.get(link).status_code == 303
            assert _suggested(client, "basq") == []
            assert "basque" not in _suggested(client, "basqe")  # nor as a typo's "did you mean"
            assert _suggested(client, "esper") == ["esperanto"]  # and the index and answers are warm now
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/me/privacy").text)
            assert csrf is not None
            assert client.post("/me/privacy", data={"hide": "yes", "csrf": csrf.group(1)}).status_code == 303
            assert store.visibility(SPEAKER).hidden  # type: ignore[union-attr]
            assert _suggested(client, "esper") == []
            assert "esperanto" not in _suggested(client, "esperamto")
            page = client.get("/search", params={"skill": "esperanto"})
            assert page.status_code == 200
            # as for a skill no one has
            assert "No one in this organisation has a skill named “esperanto”" in html.unescape(page.text)
    finally:
        store.close()
