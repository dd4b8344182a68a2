"""The plain-leaf shortcut (app/graphql/leaves.py) answers exactly as strawberry's own execution does.

Each query runs twice on the same real SQLite store: through the app's schema (shortcut on) and through the same
schema with strawberry's execution context (shortcut off); data and formatted errors must be identical, including
the error cases the shortcut hands back to graphql-core (a null in a non-null field, a value that cannot coerce).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.auth import Principal, Role
from app.gateway import StoreGateway
from app.graphql.context import Context
from app.graphql.leaves import LeafExecutionContext, plain_leaves
from app.graphql.schema import build_schema, format_error
from app.graphql.services import Services
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import OPTED_OUT, api_settings, pid

QUERIES: list[tuple[str, dict[str, Any], Role]] = [
    ("""query($s: String!) { experts(skill: $s, first: 5) { totalCount skill
         edges { cursor node { score skill explanation evidence { kind count lastAt }
                 person { id name email title department location hiredOn active manager { id name } } } }
         pageInfo { hasNextPage endCursor } } }""", {"s": "kubernetes"}, Role.EMPLOYEE),
    ("""query($id: ID!) { person(id: $id) { id name skills { skill level source declaredOn }
         expertise { skill score explanation evidence { kind count } } scores { pagerank role articulationPoint }
         communities { id name kind source } } }""", {"id": pid(1)}, Role.ANALYST),
    ("""query($id: ID!) { person(id: $id) { id name scores { pagerank } } }""", {"id": pid(1)}, Role.EMPLOYEE),
    ("""{ communities { id name kind source health { current { period start days members activeMembers posts
         replyRate withheld withheldReason } weekly { start posts withheld } trend { posts reason } } } }""", {},
     Role.ANALYST),
    ("""{ influencers(first: 5) { rank score scoreMeaning explanation person { id name }
         measures { name value meaning } } bridges(first: 5) { rank betweenness constraint role articulationPoint
         explanation person { id } } }""", {}, Role.ANALYST),
    ("""query($skip: Boolean!) { a: experts(skill: "kubernetes", first: 2) { totalCount @skip(if: $skip)
         edges { node { score @include(if: $skip) person { id n: name } } } } __typename }""", {"skip": True},
     Role.EMPLOYEE),
    ("""{ skills(query: "kube") { name aliases match similarity } }""", {}, Role.EMPLOYEE),
    # objects of leaves only, completed whole: __typename, fragments, aliases, a repeated field, directives inside
    ("""query($no: Boolean!) { experts(skill: "kubernetes", first: 3) { edges { node {
         evidence { __typename kind ...E count @skip(if: $no) }  person { ...P id @include(if: $no) email } } }
         pageInfo { ...PI hasNextPage } } }
       fragment E on Evidence { lastAt k: kind kind } fragment P on Person { name title location }
       fragment PI on PageInfo { hasNextPage endCursor }""", {"no": False}, Role.EMPLOYEE),
]


def _run(schema: Any, store: SQLiteStore, settings: Any, query: str, variables: dict[str, Any],
         role: Role) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        gateway = StoreGateway(store)
        try:
            ctx = Context(principal=Principal(sub="t", role=role), gateway=gateway, settings=settings,
                          services=Services())
            result = await schema.execute(query, variable_values=variables, context_value=ctx)
            return {"data": result.data, "errors": [format_error(e, "-") for e in result.errors or []]}
        finally:
            gateway.shutdown()

    with ThreadPoolExecutor(1) as pool:  # a thread of its own: a browser test may leave a loop on this one
        return pool.submit(asyncio.run, go()).result()


@pytest.mark.parametrize(("query", "variables", "role"), QUERIES)
def test_app_queries_answer_the_same_with_and_without_the_shortcut(
    org_store: SQLiteStore, tmp_path: Path, query: str, variables: dict[str, Any], role: Role
) -> None:
    settings = api_settings(tmp_path)
    fast = build_schema(settings)
    plain = build_schema(settings)
    plain.execution_context_class = StrawberryGraphQLCoreExecutionContext
    assert fast.execution_context_class is LeafExecutionContext
    answer = _run(fast, org_store, settings, query, variables, role)
    assert answer == _run(plain, org_store, settings, query, variables, role)
    assert answer["data"] is not None
    assert OPTED_OUT not in repr(answer)


def test_the_shortcut_covers_plain_leaves_and_leaves_resolvers_alone(tmp_path: Path) -> None:
    leaves = plain_leaves(build_schema(api_settings(tmp_path))._schema)
    assert set(leaves["Evidence"]) == {"kind", "count", "lastAt"}
    assert {"id", "name", "title", "department", "location"} <= set(leaves["Person"])
    assert {"score", "skill"} <= set(leaves["Expert"])
    assert {"withheld", "members", "start"} <= set(leaves["HealthFigures"])
    assert "aliases" in leaves["Skill"]
    # fields with a resolver (role checks, loaders, explanations built on demand) are never short-cut
    assert not {"scores", "manager", "communities", "skills", "expertise"} & set(leaves["Person"])
    assert "explanation" not in leaves["Expert"]
    assert not {"health", "members"} & set(leaves["Community"])
    assert "Query" not in leaves


@dataclass
class Row:
    name: Any
    count: Any


@strawberry.type
class Item:
    name: str
    count: int | None
    tags: list[str] | None = None


@strawberry.type
class Q:
    # wrong values on purpose (a null name, a text count, a count over 32 bits): the errors must match
    @strawberry.field
    def good(self) -> list[Item] | None:
        return [Row("a", 1), Row("d", None)]  # type: ignore[list-item]

    @strawberry.field
    def null_name(self) -> list[Item] | None:
        return [Row("a", 1), Row(None, 2)]  # type: ignore[list-item]

    @strawberry.field
    def text_count(self) -> list[Item] | None:
        return [Row("c", "not a number")]  # type: ignore[list-item]

    @strawberry.field
    def big_count(self) -> list[Item] | None:
        return [Row("e", 2**40)]  # type: ignore[list-item]

    @strawberry.field
    def tagged(self) -> list[Item] | None:
        return [Item(name="f", count=1, tags=["a", "b"]), Item(name="g", count=2, tags=[]),
                Item(name="h", count=3, tags=None), Item(name="i", count=4, tags=["a", None])]  # type: ignore[list-item]


def test_bad_values_are_reported_exactly_as_graphql_core_reports_them() -> None:
    query = ("{ good { name count } nullName { name count } textCount { name count } bigCount { count } "
             "tagged { name tags } }")
    fast = strawberry.Schema(query=Q, execution_context_class=LeafExecutionContext)
    plain = strawberry.Schema(query=Q)
    got = fast.execute_sync(query)
    want = plain.execute_sync(query)
    assert got.data == want.data
    assert got.data == {"good": [{"name": "a", "count": 1}, {"name": "d", "count": None}], "nullName": None,
                        "textCount": [{"name": "c", "count": None}], "bigCount": [{"count": None}],
                        "tagged": [{"name": "f", "tags": ["a", "b"]}, {"name": "g", "tags": []},
                                   {"name": "h", "tags": None}, {"name": "i", "tags": None}]}
    assert [(e.message, e.path) for e in got.errors or []] == [(e.message, e.path) for e in want.errors or []]
    assert len(got.errors or []) == 4  # and the null tag in a list of non-null tags
