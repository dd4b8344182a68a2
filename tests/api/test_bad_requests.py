"""The adversarial pass's 500s and internal errors (issue 9.2), each as a regression test over real HTTP.

Each gets a 4xx or a GraphQL error with a specific ``extensions.code``; tests/api/test_fuzz.py covers their classes
(every argument with hostile values, every query shape).
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib

from app.auth import Role
from tests.api.conftest import Api


def _code(api: Api, query: str, variables: dict[str, object] | None = None) -> tuple[int, str, str]:
    r = api.post(query, variables, role=Role.ADMIN)
    assert r.status_code < 500, r.text
    assert "Traceback" not in r.text
    error = r.json()["errors"][0]
    return r.status_code, error["extensions"]["code"], error["message"]


def test_operation_name_not_in_document_is_400(api: Api) -> None:
    r = api.http.post("/graphql", json={"query": "query A { skills(first: 1) { name } }", "operationName": "B"},
                      headers={"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no operation named 'B'" in r.json()["errors"][0]["message"]


def test_unknown_fragment(api: Api) -> None:
    assert _code(api, '{ person(id: "hr:E0001") { ...Missing } }')[:2] == (200, "BAD_USER_INPUT")


def test_empty_selection_set(api: Api) -> None:
    assert _code(api, '{ person(id: "hr:E0001") { } }')[:2] == (200, "BAD_USER_INPUT")


def test_cursor_decoding_to_deeply_nested_json(api: Api) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 50_000 + b"]" * 50_000).decode()
    status, code, message = _code(api, '{ experts(skill: "kubernetes", after: $c) { totalCount } }'
                                  .replace("{ experts", "query($c: String) { experts"), {"c": cursor})
    assert (status, code) == (200, "BAD_USER_INPUT")
    small = base64.urlsafe_b64encode(b"[" * 300 + b"]" * 300).decode().rstrip("=")
    status, code, message = _code(api, f'{{ experts(skill: "kubernetes", after: "{small}") {{ totalCount }} }}')
    assert (status, code) == (200, "BAD_USER_INPUT")
    assert "invalid cursor" in message


def test_very_long_string_arguments(api: Api) -> None:
    long = "x" * 50_001
    assert _code(api, "query($q: String) { skills(query: $q) { name } }", {"q": long})[:2] == (200, "BAD_USER_INPUT")
    assert _code(api, f'{{ skills(query: "{long}") {{ name }} }}')[:2] == (200, "BAD_USER_INPUT")
    # at the bound, a real (empty) answer
    assert api.codes("query($q: String) { skills(query: $q) { name } }", {"q": "k" * 1024}) == []


def _raw(api: Api, query: str, variables: dict[str, object]) -> tuple[int, str, str]:
    """POST a body json.dumps can write but httpx's json= cannot: strings with lone surrogates (escaped \\ud800)."""
    body = json.dumps({"query": query, "variables": variables})  # ensure_ascii: a lone surrogate as \ud800
    r = api.http.post("/graphql", content=body, headers={"Authorization": f"Bearer {api.tokens[Role.ANALYST]}",
                                                         "Content-Type": "application/json"})
    assert r.status_code < 500, r.text
    error = r.json()["errors"][0]
    return r.status_code, error["extensions"]["code"], error["message"]


def test_lone_surrogates_in_variables(api: Api) -> None:
    """JSON may escape a lone UTF-16 surrogate ("\\ud800"), which no UTF-8 store or encoder takes: it reached SQLite
    (person, experts' department, bridges' ids) or the response encoder (an unknown input field's name echoed in
    the error) as an INTERNAL_SERVER_ERROR with a traceback in the log."""
    cases: list[tuple[str, dict[str, object]]] = [
        ("query($s: ID!) { person(id: $s) { name } }", {"s": "hr:\ud800"}),
        ('query($d: String) { experts(skill: "kubernetes", department: $d) { totalCount } }', {"d": "\ud800"}),
        ("query($c: [ID!]) { bridges(communityIds: $c) { rank } }", {"c": ["forum:\ud800", "forum:b"]}),
        ("query($q: QuestionInput!) { expertsFor(question: $q) { skills } }",
         {"q": {"skills": ["kubernetes"], "ti\udfffle": "x"}}),
    ]
    for query, variables in cases:
        status, code, message = _raw(api, query, variables)
        assert (status, code) == (200, "BAD_USER_INPUT"), (query, message)
        assert "surrogate" in message


def test_a_document_too_complex_to_validate_says_so(api: Api) -> None:
    """900 fields of one name (within the 2,000-selection cap) exhaust graphql-core's budget for comparing fields that
    must merge; the answer was the bare 'Validation aborted.', which tells a client nothing it can act on."""
    status, code, message = _code(api, "{ " + "__typename " * 900 + "}")
    assert (status, code) == (200, "BAD_USER_INPUT")
    assert message != "Validation aborted."
    assert "too complex" in message
    assert "same name" in message


def test_literals_python_cannot_read_are_the_documents_fault(api: Api) -> None:
    """An integer literal of 5,000 digits passed the document caps (one token) and failed Python's int() digit limit
    inside graphql-core's validation, which kept that ValueError as the error's cause: INTERNAL_SERVER_ERROR. Any
    validation error is the document's: BAD_USER_INPUT, saying what, without Python's advice or the literal."""
    digits = "9" * 5000
    documents = [
        f'{{ experts(skill: "kubernetes", first: {digits}) {{ totalCount }} }}',
        f'{{ introductionPath(fromId: "hr:E0001", toId: "hr:E0003", maxHops: {digits}) {{ id }} }}',
        f'query($n: Int = {digits}) {{ experts(skill: "kubernetes", first: $n) {{ totalCount }} }}',
        f'{{ bridges(first: 1, communityIds: [{digits}]) {{ rank }} }}',
    ]
    for document in documents:
        status, code, message = _code(api, document)
        assert (status, code) == (200, "BAD_USER_INPUT"), (document[:60], code, message)
        assert "set_int_max_str_digits" not in message
        assert digits not in message
        assert len(message) <= 300


def test_an_introduction_path_to_a_leaver_is_none(api: Api) -> None:
    """hr:E0008 has left; E0001 and E0008 share a manager. The SQLite search met the leaver from their side but
    could not walk to them from the asker's, and ``introductionPath`` to them answered INTERNAL_SERVER_ERROR."""
    for hops in (2, 4, 8):
        body = api.gql('query($h: Int!) { introductionPath(fromId: "hr:E0001", toId: "hr:E0008", maxHops: $h) '
                       "{ id } }", {"h": hops})
        assert body == {"data": {"introductionPath": None}}, body
    path = api.data('{ introductionPath(fromId: "hr:E0008", toId: "hr:E0001") { id } }')["introductionPath"]
    assert [p["id"] for p in path] == ["hr:E0008", "hr:E0000", "hr:E0001"]


def test_a_compressed_body_is_refused_by_its_encoding(api: Api) -> None:
    """Bodies are never decompressed, so a gzip bomb costs its compressed size; the refusal says why (it said
    "the request body is not JSON", which a client sending gzip could not act on)."""
    body = json.dumps({"query": "{ __typename }"}).encode()
    auth = {"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}", "Content-Type": "application/json"}
    for encoding, sent in (("gzip", gzip.compress(body)), ("deflate", zlib.compress(body)),
                           ("br", body), ("identity, gzip", gzip.compress(body)),
                           ("gzip", gzip.compress(b" " * 20_000_000))):
        r = api.http.post("/graphql", content=sent, headers={**auth, "Content-Encoding": encoding})
        assert r.status_code == 415, (encoding, r.status_code, r.text)
        error = r.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "Content-Encoding" in error["message"]
        assert "uncompressed" in error["message"]
    r = api.http.post("/graphql", content=body, headers={**auth, "Content-Encoding": "identity"})
    assert r.json() == {"data": {"__typename": "Query"}}


def test_a_body_that_cannot_be_read_says_why_and_where(api: Api) -> None:
    """Each was "the request body is not JSON", also for JSON the parser stops reading (nested past its depth, a
    number of 5,000 digits): 400 now says which, and where a syntax error is."""
    auth = {"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}", "Content-Type": "application/json"}
    cases = [
        (b'{"query": "{ __typename }",}', "at character 28"),
        (b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}", "4,300 digits"),
        (b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
         "nested too deeply"),
        (b'{"query": "{ skills(query: \\"\xff\\") { name } }"}', "not UTF-8"),
    ]
    for body, says in cases:
        r = api.http.post("/graphql", content=body, headers=auth)
        assert r.status_code == 400, r.text
        error = r.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert says in error["message"], error["message"]


def test_the_variables_limit_counts_values_not_their_wrappers(api: Api) -> None:
    """"more than 1000 values" counted the variables object and each list too, so a list of 999 ids was refused.
    Exactly 1,000 values pass, however they are wrapped; one more is refused; empty lists and objects count as
    values, so wrappers alone cannot make a huge document pass."""
    limit = "the variables hold more than 1000 values"

    def says(variables: dict[str, object]) -> list[str]:
        body = api.gql("{ __typename }", variables)
        return [e["message"] for e in body.get("errors", [])]

    assert says({"ids": ["x"] * 1000}) == []
    assert says({"ids": [["x"] * 10 for _ in range(100)]}) == []  # 100 lists of 10: 1,000 values in 101 lists
    assert says({"a": ["x"] * 500, "b": {"c": ["y"] * 499, "d": None}}) == []
    assert says({"ids": ["x"] * 1001}) == [limit]
    assert says({"ids": [["x"] * 10 for _ in range(100)], "one": 1}) == [limit]
    assert says({"empties": [[] for _ in range(1001)]}) == [limit]
    assert says({"empties": [{} for _ in range(1001)]}) == [limit]
    # a declared list variable a field reads: 1,000 ids pass the variables' guard and reach the field's own bound
    ids = [f"slack:c{i}" for i in range(1000)]
    query = "query($c: [ID!]) { bridges(first: 1, communityIds: $c) { rank } }"
    assert [e["message"] for e in api.gql(query, {"c": ids}, role=Role.ANALYST)["errors"]] == [
        "at most 100 communityIds"]
    assert [e["message"] for e in api.gql(query, {"c": [*ids, "slack:c"]}, role=Role.ANALYST)["errors"]] == [limit]
