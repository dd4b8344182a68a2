"""Schema fuzzing with hypothesis-graphql over real HTTP: thousands of generated documents, none may produce a 5xx,
a stack trace or an internal error; every error carries one of the public ``extensions.code`` values.

Sizes: ``WHOKNOWS_FUZZ_SCALE`` multiplies the example counts (default 1: 2,100 generated requests in all).
"""

from __future__ import annotations

import base64
import os
from typing import Any

import hypothesis_graphql as hg
import pytest
from graphql import (
    Undefined,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode

from app.auth import Role
from app.main import create_app
from app.settings import load_settings
from tests.api.conftest import SECRET, Api

SCALE = float(os.environ.get("WHOKNOWS_FUZZ_SCALE", "1"))
# every code a client may see (app/graphql/schema.py), never INTERNAL_...; TIMEOUT is a coded answer too: a valid query
# may outlast the request timeout on a loaded machine, and that is the defence working, not a fault
PUBLIC = {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "STORE_UNAVAILABLE", "TIMEOUT"}
SDL = create_app(load_settings(env="test", jwt_secret=SECRET)).state.schema.as_str()


def _examples(n: int) -> Any:
    return settings(
        max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def _check(api: Api, query: Any, role: Role) -> None:
    text = query.decode("utf-8", "replace") if isinstance(query, bytes) else str(query)
    r = api.post(text, role=role)
    assert r.status_code < 500, (r.status_code, text, r.text[:500])
    assert "Traceback" not in r.text
    body = r.json()
    for error in body.get("errors") or ():
        code = error.get("extensions", {}).get("code")
        assert code in PUBLIC, (text, error)
        assert set(error) <= {"message", "locations", "path", "extensions"}


@given(query=hg.queries(SDL))
@_examples(1000)
def test_fuzz_valid_queries_as_admin(api: Api, query: str) -> None:
    _check(api, query, Role.ADMIN)


@given(query=hg.queries(SDL))
@_examples(300)
def test_fuzz_valid_queries_as_employee(api: Api, query: str) -> None:
    _check(api, query, Role.EMPLOYEE)


@given(query=hg.queries(SDL, mode=Mode.NEGATIVE))
@_examples(400)
def test_fuzz_invalid_queries(api: Api, query: str) -> None:
    _check(api, query, Role.ADMIN)


@given(query=hg.mutations(SDL))
@_examples(100)
def test_fuzz_mutations_as_analyst(api: Api, query: str) -> None:
    """An analyst gets FORBIDDEN for runAnalytics (or a validation error), never a run; setMyVisibility names the
    token's subject, here no person (NOT_FOUND), so no one is hidden by the fuzzing."""
    _check(api, query, Role.ANALYST)


@given(text=st.text(max_size=300))
@_examples(300)
def test_fuzz_arbitrary_text(api: Api, text: str) -> None:
    _check(api, text, Role.EMPLOYEE)


# --- every query shape, and hostile values for every argument (issue 9.2) --------------------------------------

ROOTS = sorted(create_app(load_settings(env="test", jwt_secret=SECRET)).state.schema._schema.query_type.fields)


@pytest.mark.parametrize("root", ROOTS)
def test_fuzz_each_query_shape(api: Api, root: str) -> None:
    """Every root field on its own, so each one's shapes are generated whatever the schema grows to."""

    @given(query=hg.queries(SDL, fields=[root]))
    @_examples(60)
    def run(query: str) -> None:
        _check(api, query, Role.ADMIN)

    run()


def _hostile_strings() -> st.SearchStrategy[str]:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    nested = st.integers(1, 5000).map(lambda n: b64(b"[" * n + b"]" * n))
    return st.one_of(
        st.text(max_size=40), st.text(min_size=1, max_size=5).map(lambda s: s * 20_000),
        st.just("x" * 50_001), st.just("%" * 50_001), st.just("*" * 60_000), nested,
        st.binary(max_size=60).map(b64), st.just(b64(b'["nan","hr:E0001"]')), st.just(b64(b'["1e999","x"]')),
        st.sampled_from(["hr:", ":", "hr:E0001", "slack:k8s-guild", "\x00", "🦀" * 300, "' OR 1=1 --", "%_", ""]),
    )


SCHEMA = create_app(load_settings(env="test", jwt_secret=SECRET)).state.schema._schema
PATHS = {"Query": "", "Community": 'community(id: "slack:k8s-guild")', "Person": 'person(id: "hr:E0001")'}
VALID = {"String": '"kubernetes"', "ID": '"hr:E0001"', "Int": "1", "Boolean": "true", "Float": "1.0"}


def _wrong() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
                     st.lists(st.integers(), max_size=3),
                     st.recursive(st.integers(), lambda c: st.lists(c, max_size=3), max_leaves=50))


def _hostile(gtype: Any) -> st.SearchStrategy[Any]:
    """Values for an argument of a GraphQL input type, hostile and otherwise, including the wrong JSON type."""
    inner = get_nullable_type(gtype)
    if is_list_type(inner):
        return st.one_of(st.lists(_hostile(inner.of_type), max_size=4), _wrong())
    if is_input_object_type(inner):
        return st.one_of(st.fixed_dictionaries({}, optional={n: _hostile(f.type) for n, f in inner.fields.items()}),
                         _wrong())
    name = inner.name
    if name == "Int":
        right: st.SearchStrategy[Any] = st.one_of(
            st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 1, 100, 101, 2**31 - 1, -(2**31)]),
            st.integers(2**31, 2**70),
        )
    elif name == "Boolean":
        right = st.booleans()
    elif name == "Float":
        right = st.floats(allow_nan=False, allow_infinity=False)
    else:  # String, ID, enums and anything new: strings
        right = _hostile_strings()
    return st.one_of(right, right, _wrong())


def _valid_literal(gtype: Any) -> str:
    """A literal of the type that validation accepts (required input fields filled), for the other arguments."""
    inner = get_nullable_type(gtype)
    if is_list_type(inner):
        return f"[{_valid_literal(inner.of_type)}]"
    if is_input_object_type(inner):
        fields = [(n, f) for n, f in inner.fields.items() if is_non_null_type(f.type)] or list(inner.fields.items())[:1]
        return "{" + ", ".join(f"{n}: {_valid_literal(f.type)}" for n, f in fields) + "}"
    return VALID.get(inner.name, '"x"')


def _arguments() -> list[tuple[str, str, str]]:
    """(owner type, field, argument) for every argument of every object type in the schema."""
    out = []
    for type_name, gtype in sorted(SCHEMA.type_map.items()):
        if type_name.startswith("__") or not is_object_type(gtype) or type_name == "Mutation":
            continue
        for fname, fdef in sorted(gtype.fields.items()):
            for aname in sorted(fdef.args):
                assert type_name in PATHS, f"add a path to {type_name} so its arguments are fuzzed"
                out.append((type_name, fname, aname))
    return out


@pytest.mark.parametrize(("owner", "field", "arg"), _arguments())
def test_fuzz_each_argument(api: Api, owner: str, field: str, arg: str) -> None:
    """Hostile values (50,001-character strings, nested-JSON cursors, 2^70, wrong types) for every argument."""
    fdef = SCHEMA.type_map[owner].fields[field]  # type: ignore[attr-defined]
    others = [f"{o}: {_valid_literal(d.type)}" for o, d in fdef.args.items()
              if o != arg and is_non_null_type(d.type) and d.default_value is Undefined]
    args = ", ".join([f"{arg}: $v", *others])
    selection = " { __typename }" if not is_leaf_type(get_named_type(fdef.type)) else ""
    inner = f"{field}({args}){selection}"
    path = PATHS[owner]
    var_type = str(fdef.args[arg].type)
    query = f"query($v: {var_type}) {{ {path} {{ {inner} }} }}" if path else f"query($v: {var_type}) {{ {inner} }}"

    @given(value=_hostile(fdef.args[arg].type))
    @_examples(40)
    def run(value: Any) -> None:
        r = api.post(query, {"v": value}, role=Role.ADMIN)
        assert r.status_code < 500, (r.status_code, query, r.text[:300])
        for error in r.json().get("errors") or ():
            assert error["extensions"]["code"] in PUBLIC, (query, value if len(str(value)) < 200 else "...", error)

    run()
