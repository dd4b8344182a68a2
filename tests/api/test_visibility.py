"""``myVisibility`` and ``setMyVisibility`` over real HTTP, the response cache on: a person hides themselves from
every answer at once and shows themselves again; the answer about oneself is never served to someone else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.auth import Role, mint_token
from app.graphql.services import CHOICE_INTERVAL_S
from app.main import create_app
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import OPTED_OUT, LiveServer, api_settings, load_org, pid

MINE = "{ myVisibility { hidden byChoice bySource chosenAt } }"
HIDE = "mutation($h: Boolean!) { setMyVisibility(hidden: $h) { hidden byChoice bySource chosenAt } }"
EXPERTS = '{ experts(skill: "kubernetes", first: 50) { edges { node { person { id } } } } }'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = api_settings(tmp_path_factory.mktemp("settings"), response_cache_ttl_s=60.0)  # cached, as in production
    app = create_app(settings)
    app.state.services.choices.interval_s = 0.0  # the tests change their minds at once; the last test puts it back
    return app


@pytest.fixture(scope="module")
def served(app: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Settings, SQLiteStore]]:
    settings: Settings = app.state.settings
    store = SQLiteStore(settings.store.removeprefix("sqlite:///"))
    load_org(store, tmp_path_factory.mktemp("org"))
    try:
        with LiveServer(app) as server:
            yield server, settings, store
    finally:
        store.close()


def ask(served: tuple[LiveServer, Settings, SQLiteStore], sub: str, query: str, **variables: Any) -> dict[str, Any]:
    server, settings, _ = served
    token = mint_token(settings, sub=sub, role=Role.EMPLOYEE)
    r = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables},
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def experts(served: tuple[LiveServer, Settings, SQLiteStore]) -> set[str]:
    body = ask(served, pid(5), EXPERTS)
    return {e["node"]["person"]["id"] for e in body["data"]["experts"]["edges"]}


def test_a_person_hides_themselves_and_shows_themselves_again(
    served: tuple[LiveServer, Settings, SQLiteStore],
) -> None:
    me, other = pid(3), pid(4)
    listed = {"hidden": False, "byChoice": False, "bySource": False, "chosenAt": None}
    assert ask(served, me, MINE)["data"]["myVisibility"] == listed
    assert ask(served, other, MINE)["data"]["myVisibility"] == listed
    assert me in experts(served)

    hidden = ask(served, me, HIDE, h=True)["data"]["setMyVisibility"]
    assert (hidden["hidden"], hidden["byChoice"], hidden["bySource"]) == (True, True, False)
    assert hidden["chosenAt"]
    assert ask(served, me, MINE)["data"]["myVisibility"] == hidden
    assert ask(served, other, MINE)["data"]["myVisibility"] == listed  # cached per asker: never someone else's
    assert me not in experts(served)  # at once, though the directory was cached before
    assert ask(served, other, f'{{ person(id: "{me}") {{ id }} }}')["data"]["person"] is None

    assert ask(served, me, HIDE, h=False)["data"]["setMyVisibility"] == listed
    assert me in experts(served)


def test_an_opt_out_from_hr_is_said_and_stands(served: tuple[LiveServer, Settings, SQLiteStore]) -> None:
    mine = ask(served, OPTED_OUT, MINE)["data"]["myVisibility"]
    assert mine == {"hidden": True, "byChoice": False, "bySource": True, "chosenAt": None}
    # withdrawing a choice they never made changes nothing: HR's opt-out still hides them
    assert ask(served, OPTED_OUT, HIDE, h=False)["data"]["setMyVisibility"] == mine


def test_a_token_that_names_no_person_has_nothing_to_hide(served: tuple[LiveServer, Settings, SQLiteStore]) -> None:
    assert ask(served, "svc-dashboard", MINE)["data"]["myVisibility"] is None
    body = ask(served, "svc-dashboard", HIDE, h=True)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    _, _, store = served
    assert store.visibility("svc-dashboard") is None


def test_changes_come_at_most_one_per_person_every_few_seconds(
    app: Any, served: tuple[LiveServer, Settings, SQLiteStore],
) -> None:
    """Each change bumps the data version (every cached answer goes cold): a script toggling its own visibility in a
    loop is refused with a clear message, and a request that changes nothing is answered and never refused."""
    gate = app.state.services.choices
    gate.interval_s = CHOICE_INTERVAL_S
    me = pid(11)
    try:
        assert ask(served, me, HIDE, h=True)["data"]["setMyVisibility"]["hidden"] is True
        again = ask(served, me, HIDE, h=True)["data"]["setMyVisibility"]  # nothing to change: answered
        assert again["byChoice"] is True
        toggled = ask(served, me, HIDE, h=False)
        assert [e["extensions"]["code"] for e in toggled["errors"]] == ["BAD_USER_INPUT"]
        assert "try again in" in toggled["errors"][0]["message"]
        assert ask(served, me, MINE)["data"]["myVisibility"]["hidden"] is True  # refused means unchanged
    finally:
        gate.interval_s = 0.0
        assert ask(served, me, HIDE, h=False)["data"]["setMyVisibility"]["hidden"] is False
