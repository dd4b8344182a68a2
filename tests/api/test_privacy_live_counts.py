"""Over real HTTP, the response cache on: what an opted-out person gave counts nowhere, at once.

- A skill only they declared is offered by no skill read: ``skills`` (prefix, alias and fuzzy: the search page's
  suggestions), an expert search for it answers as for a skill no one has, and "did you mean" never names it.
  E0007 is opted out in HR and alone declares basque; E0012 alone declares esperanto and hides herself.
- An expert's endorsement count ("endorsed by 2 colleagues", ``evidence``) leaves out an endorser who hid
  themselves after the analysis, in the directory and on the expert's page, before any ``whoknows analyze``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.auth import Role, mint_token
from app.main import create_app
from app.settings import Settings
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.labels import EvidenceKind
from schema.models import Endorsement, Evidence, HasSkill
from tests.api.conftest import NOW, LiveServer, api_settings, load_org, org_snapshot, pid

HIDE = "mutation($h: Boolean!) { setMyVisibility(hidden: $h) { hidden } }"
SKILLS = "query($q: String!) { skills(query: $q, first: 20) { name match } }"
EXPERTS = """query($s: String!) { experts(skill: $s, first: 50) {
  edges { node { person { id } explanation evidence { kind count } } } } }"""
PAGE = "query($id: ID!) { person(id: $id) { expertise { skill explanation evidence { kind count } } } }"
EXPERT, FAN, OTHER_FAN, SPEAKER = pid(3), pid(5), pid(6), pid(12)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Settings]]:
    settings = api_settings(tmp_path_factory.mktemp("settings"), response_cache_ttl_s=60.0)  # cached, as deployed
    app = create_app(settings)
    app.state.services.choices.interval_s = 0.0
    store = SQLiteStore(settings.store.removeprefix("sqlite:///"))
    try:
        load_org(store, tmp_path_factory.mktemp("org"))
        when = NOW - timedelta(days=10)
        store.write_batch(Batch(
            has_skill=[HasSkill(person_id=SPEAKER, skill="esperanto", level=3)],
            endorsements=[Endorsement(from_id=f, to_id=EXPERT, skill="kubernetes", created_at=when + timedelta(days=k))
                          for k, f in enumerate((FAN, OTHER_FAN))],
        ))
        snap = org_snapshot()  # as analysed: E0003's two endorsers counted
        endorsed = Evidence(kind=EvidenceKind.ENDORSEMENTS, count=2, last_at=when + timedelta(days=1))
        store.write_analytics(replace(snap, expertise=[
            x.model_copy(update={"evidence": (*x.evidence, endorsed)})
            if (x.person_id, x.skill) == (EXPERT, "kubernetes") else x for x in snap.expertise]))
        with LiveServer(app) as server:
            yield server, settings
    finally:
        store.close()


def ask(served: tuple[LiveServer, Settings], sub: str, query: str, **variables: Any) -> dict[str, Any]:
    server, settings = served
    token = mint_token(settings, sub=sub, role=Role.EMPLOYEE)
    r = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables},
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def offered(served: tuple[LiveServer, Settings], typed: str) -> list[str]:
    return [s["name"] for s in ask(served, pid(1), SKILLS, q=typed)["data"]["skills"]]


def not_found(served: tuple[LiveServer, Settings], skill: str) -> str:
    [error] = ask(served, pid(1), EXPERTS, s=skill)["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND", error
    return str(error["message"])


def test_a_skill_only_an_opted_out_person_declared_is_offered_nowhere(served: tuple[LiveServer, Settings]) -> None:
    for typed in ("basque", "basq", "basqeu"):  # exact, prefix, a typo (fuzzy)
        assert "basque" not in offered(served, typed), typed
    assert "basque" not in offered(served, "b") + [s["name"] for s in ask(
        served, pid(1), "{ skills(first: 100) { name } }")["data"]["skills"]]
    assert not_found(served, "basque") == "no skill named 'basque'"  # as for a skill no one has
    assert "did you mean" not in not_found(served, "basqe")


def test_a_skill_goes_with_the_only_person_who_declared_it_at_once(served: tuple[LiveServer, Settings]) -> None:
    assert offered(served, "esper") == ["esperanto"]  # now cached
    assert ask(served, SPEAKER, HIDE, h=True)["data"]["setMyVisibility"]["hidden"] is True
    try:
        assert offered(served, "esper") == []
        assert "esperanto" not in offered(served, "esperamto")  # the fuzzy index too
        assert "did you mean" not in not_found(served, "esperanto")
    finally:
        assert ask(served, SPEAKER, HIDE, h=False)["data"]["setMyVisibility"]["hidden"] is False
    assert offered(served, "esper") == ["esperanto"]


def _endorsed(served: tuple[LiveServer, Settings]) -> list[tuple[int | None, str]]:
    """E0003's endorsement count and explanation on kubernetes, in the directory and on the expert's page."""
    edges = ask(served, pid(1), EXPERTS, s="kubernetes")["data"]["experts"]["edges"]
    [hit] = [e["node"] for e in edges if e["node"]["person"]["id"] == EXPERT]
    [mine] = [x for x in ask(served, pid(1), PAGE, id=EXPERT)["data"]["person"]["expertise"]
              if x["skill"] == "kubernetes"]
    return [(next((e["count"] for e in x["evidence"] if e["kind"] == "ENDORSEMENTS"), None), x["explanation"])
            for x in (hit, mine)]


def test_an_endorsement_count_leaves_out_an_endorser_who_hid_after_the_analysis(
    served: tuple[LiveServer, Settings],
) -> None:
    before = _endorsed(served)
    assert [n for n, _ in before] == [2, 2]
    assert all("endorsed by 2 colleagues" in text for _, text in before)
    assert ask(served, OTHER_FAN, HIDE, h=True)["data"]["setMyVisibility"]["hidden"] is True
    try:
        after = _endorsed(served)
        assert [n for n, _ in after] == [1, 1]
        assert all("endorsed by 1 colleague" in text for _, text in after)
    finally:
        assert ask(served, OTHER_FAN, HIDE, h=False)["data"]["setMyVisibility"]["hidden"] is False
    assert [n for n, _ in _endorsed(served)] == [2, 2]
