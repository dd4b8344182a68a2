"""Each mutation field runs at most once per operation: aliases of one mutation are refused before anything runs."""

from __future__ import annotations

import pytest

from app.auth import Role
from tests.api.conftest import Api, CountingStore

TWENTY_RUNS = "mutation { " + " ".join(f"r{i}: runAnalytics {{ id }}" for i in range(20)) + " }"
DOCUMENTS = [
    TWENTY_RUNS,
    "mutation { runAnalytics { id } again: runAnalytics { id } }",
    # the same field reached through fragments counts too
    "mutation { a: runAnalytics { id } ... on Mutation { b: runAnalytics { id } } }",
    "mutation { ...A ...B } fragment A on Mutation { a: runAnalytics { id } } "
    "fragment B on Mutation { b: runAnalytics { id } }",
    "mutation($s: Boolean!) { a: runAnalytics { id } b: runAnalytics @skip(if: $s) { id } }",
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_repeated_run_analytics_is_refused_before_it_runs(api: Api, counting_store: CountingStore,
                                                          document: str) -> None:
    before = counting_store.calls["read_projection"]
    body = api.gql(document, {"s": True} if "$s" in document else None, role=Role.ADMIN)
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    message = body["errors"][0]["message"]
    assert "'runAnalytics'" in message
    assert "at most once" in message
    assert counting_store.calls["read_projection"] == before  # no analysis ran


def test_repeated_set_my_visibility_is_refused_before_it_writes(api: Api, counting_store: CountingStore) -> None:
    writes = sum(n for name, n in counting_store.calls.items() if name.startswith(("set_", "write_")))
    document = "mutation { a: setMyVisibility(hidden: true) { hidden } b: setMyVisibility(hidden: false) { hidden } }"
    body = api.gql(document, role=Role.EMPLOYEE)
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert "'setMyVisibility'" in body["errors"][0]["message"]
    assert sum(n for name, n in counting_store.calls.items() if name.startswith(("set_", "write_"))) == writes


def test_one_of_each_mutation_and_repeated_query_fields_still_pass_validation(api: Api) -> None:
    # one setMyVisibility by a token naming no person: the resolver answers (NOT_FOUND), validation let it through
    assert api.codes("mutation { v: setMyVisibility(hidden: false) { hidden } }") == ["NOT_FOUND"]
    # the same fragment spread twice is one field at execution, so it is one run
    both = "mutation { ...A ...A } fragment A on Mutation { a: setMyVisibility(hidden: false) { hidden } }"
    assert api.codes(both) == ["NOT_FOUND"]
    # queries may repeat a field under aliases: they change nothing
    assert api.codes("{ a: skills(first: 1) { name } b: skills(first: 2) { name } }") == []
