"""A rehire who opted out, through the real path: an HR export with her old (terminated) record and her new one
(opted out, by HR or by her own choice), a forum export where she answers a colleague, the analytics job, and the
API over HTTP. Whatever record of hers the data names, she appears nowhere and her answer ties her to no one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.auth import Role, mint_token
from app.main import create_app
from graph.jobs import run_analytics
from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum, ingest_hris
from tests.api.conftest import Api, LiveServer, api_settings
from tests.factories import REHIRE_FORUM, REHIRE_HR

HIDE = "mutation($h: Boolean!) { setMyVisibility(hidden: $h) { hidden byChoice } }"

PERSON = "query($id: ID!) { person(id: $id) { id name } }"
FOX = "query { person(id: \"hr:300\") { id scores { degree } } }"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("rehire")
    (tmp / "hr.csv").write_text(REHIRE_HR, encoding="utf-8")
    (tmp / "team.jsonl").write_text(REHIRE_FORUM, encoding="utf-8")
    settings = api_settings(tmp)
    store = SQLiteStore(tmp / "whoknows.db")
    assert ingest_hris(store, tmp / "hr.csv", rejects=tmp / "r1.jsonl").rejected == 0
    assert ingest_forum(store, tmp / "team.jsonl", "jsonl", rejects=tmp / "r2.jsonl").rejected == 0
    run_analytics(store, settings)
    with LiveServer(create_app(settings, store=store)) as server:
        client = Api(server.url, settings)
        yield client
        client.http.close()
    store.close()


@pytest.mark.parametrize("record", ["hr:100", "hr:200"])
def test_neither_record_of_a_rehire_who_opted_out_is_shown(api: Api, record: str) -> None:
    """Before, her old record (the one her forum address named) had a page, her answer and its expertise."""
    assert api.data(PERSON, {"id": record})["person"] is None


def test_her_answer_ties_her_colleague_to_no_one(api: Api) -> None:
    """Fox's only tie was her answer: with her out of the graph he has talked with no one (degree 0)."""
    fox = api.data(FOX, role=Role.ANALYST)["person"]
    assert fox["scores"] is None or fox["scores"]["degree"] == 0.0, fox


@pytest.fixture(scope="module")
def before_the_rehire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Dana (hr:100) answered Fox; HR then lists hr:100 as terminated and rehires her as hr:200. No opt-out."""
    tmp = tmp_path_factory.mktemp("rehire-choice")
    first = "\n".join(REHIRE_HR.splitlines()[:2] + REHIRE_HR.splitlines()[3:]).replace("Terminated", "Active")
    (tmp / "m1.csv").write_text(first + "\n", encoding="utf-8")
    (tmp / "m2.csv").write_text(REHIRE_HR.replace(",yes\n", ",no\n"), encoding="utf-8")
    (tmp / "team.jsonl").write_text(REHIRE_FORUM, encoding="utf-8")
    settings = api_settings(tmp)
    store = SQLiteStore(tmp / "whoknows.db")
    assert ingest_hris(store, tmp / "m1.csv", rejects=tmp / "r1.jsonl").rejected == 0
    assert ingest_forum(store, tmp / "team.jsonl", "jsonl", rejects=tmp / "r2.jsonl").rejected == 0
    assert ingest_hris(store, tmp / "m2.csv", rejects=tmp / "r3.jsonl").rejected == 0
    run_analytics(store, settings)
    app = create_app(settings, store=store)
    app.state.services.choices.interval_s = 0.0  # she changes her mind at once
    with LiveServer(app) as server:
        client = Api(server.url, settings)
        client.tokens[Role.EMPLOYEE] = mint_token(settings, sub="hr:200", role=Role.EMPLOYEE)
        yield client
        client.http.close()
    store.close()


def test_her_own_choice_on_her_current_record_hides_her_former_one_at_once(before_the_rehire: Api) -> None:
    """hr:100 holds her earlier answer. Before, hiding herself (as hr:200, the record she signs in as) left hr:100
    on its page, in the network and in every figure until HR's next export; showing herself again restores both."""
    api = before_the_rehire
    assert api.data(PERSON, {"id": "hr:100"})["person"] is not None
    assert api.data(HIDE, {"h": True})["setMyVisibility"] == {"hidden": True, "byChoice": True}
    assert api.data(PERSON, {"id": "hr:100"})["person"] is None
    assert api.data(PERSON, {"id": "hr:200"})["person"] is None
    assert api.data(HIDE, {"h": False})["setMyVisibility"] == {"hidden": False, "byChoice": False}
    assert api.data(PERSON, {"id": "hr:100"})["person"] == {"id": "hr:100", "name": "Dana Scully"}
