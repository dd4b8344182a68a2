"""``expertsFor`` with a title, over real HTTP: posts with titles go into a real SQLite store, the analytics job
learns the router from them, and the question's title words decide between people its tags cannot tell apart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.main import create_app
from graph.expert_routing import load_router
from graph.jobs import run_analytics
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import Person, Post
from tests.api.conftest import Api, LiveServer, api_settings
from tests.factories import person
from tests.unit.test_routing_text import forum

ROUTE = """
query($title: String) {
  expertsFor(question: {skills: ["coffee"], title: $title}, first: 3) {
    experts { rank explanation strongestEvidence person { id } }
  }
}"""


def _people_and_posts(start: datetime) -> tuple[list[Person], list[Post]]:
    rows = forum()
    names = sorted({r.author_id for r in rows if r.author_id})
    ids = {n: f"hr:{n}" for n in names}
    people = [person(n, id=ids[n], email=f"{n}@example.com") for n in names]
    shift = start - rows[0].created_at
    posts = [Post(id=f"forum:{r.id}", kind=r.kind, author_id=ids[r.author_id or ""], created_at=r.created_at + shift,
                  thread_id=f"forum:{r.thread_id}", parent_id=f"forum:{r.parent_id}" if r.parent_id else None,
                  tags=("coffee",), score=r.score, accepted=r.accepted, source="forum", title=r.title)
             for r in rows]
    return people, posts


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp: Path = tmp_path_factory.mktemp("titles")
    settings = api_settings(tmp)
    store = SQLiteStore(tmp / "whoknows.db")
    people, posts = _people_and_posts(datetime.now(UTC) - timedelta(days=130))
    store.write_batch(Batch(people=people, posts=posts))
    run_analytics(store, settings)
    router = load_router(store)
    assert router.kind == "lambdamart"
    assert router.context.titles is not None  # the titles went through the store into the analysis
    with LiveServer(create_app(settings, store=store)) as server:
        client = Api(server.url, settings)
        yield client
        client.http.close()
    store.close()


def test_the_title_routes_between_people_the_tag_cannot_tell_apart(api: Api) -> None:
    grind = api.data(ROUTE, {"title": "My burr grinder clogs with oily beans"})["expertsFor"]["experts"]
    milk = api.data(ROUTE, {"title": "Froth milk without a steam wand"})["expertsFor"]["experts"]
    assert grind[0]["person"]["id"] == "hr:g", grind
    assert milk[0]["person"]["id"] == "hr:m", milk
    top = grind[0]
    assert top["strongestEvidence"].startswith("answered ")
    assert "whose titles mention burr or grinder" in top["explanation"], top["explanation"]
    untitled = api.data(ROUTE, {"title": None})["expertsFor"]["experts"]
    assert {"hr:g", "hr:m"} <= {e["person"]["id"] for e in untitled}  # without it, no title evidence either way
    assert not any("titles mention" in e["explanation"] for e in untitled)
