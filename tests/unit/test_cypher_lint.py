"""Every Cypher statement of the Neo4j store, checked offline by Neo4j's own parser and semantic analysis.

No Neo4j server runs here, so ``tools/cypherlint`` (npm ``@neo4j-cypher/language-support``, ``lintCypherQuery``)
lints every statement of ``graph/store/cypher.py`` with its parameters declared and the schema (labels,
relationship types, property keys) given; a syntax or semantic error fails the suite. The check is shown to be able
to fail: deliberately broken statements must be caught. Static checks of the module itself follow (labels only from
the enums, no formatted values, MERGE only on constrained keys).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from graph.store import cypher
from schema.labels import NodeLabel, RelType, StoreLabel

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = ROOT / "tools" / "cypherlint"
LINTER = LINT_DIR / "lint.mjs"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
SCHEMA = {
    "labels": list(cypher.LABELS),
    "relationshipTypes": list(cypher.RELATIONSHIP_TYPES),
    "propertyKeys": sorted(cypher.PROPERTY_KEYS | cypher.ROW_KEYS),
    "builtins": True,  # Neo4j 5's built-in functions and procedures: a misspelt or APOC-only one is an error
}


def node_or_fail() -> str:
    """The node binary, the linter installed; otherwise the test fails saying what to run (never skips)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (>= 20) is not on PATH: the Cypher linter needs it")
    if not PACKAGE.is_dir():
        pytest.fail(
            f"{PACKAGE.relative_to(ROOT)} is missing: run `npm ci --prefix tools/cypherlint` "
            "(the offline Cypher check cannot be skipped)"
        )
    return node


def lint(statements: Iterable[dict[str, Any]], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run tools/cypherlint/lint.mjs on statements; its JSON report."""
    node = node_or_fail()
    payload = {"schema": SCHEMA if schema is None else schema, "statements": list(statements)}
    proc = subprocess.run(
        [node, str(LINTER)], input=json.dumps(payload), capture_output=True, text=True, timeout=900, check=False
    )
    if proc.returncode not in (0, 1):
        pytest.fail(f"the Cypher linter failed to run (exit {proc.returncode}): {proc.stderr.strip()}")
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["linted"] == len(payload["statements"])
    return report


def as_input(statement: cypher.Statement) -> dict[str, Any]:
    return {"name": statement.name, "query": statement.text, "params": dict(statement.params)}


@pytest.fixture(scope="module")
def registry_report() -> dict[str, Any]:
    """One linter run over the whole registry (semantic analysis is slow: share it)."""
    return lint(as_input(s) for s in cypher.ALL_STATEMENTS.values())


def _diagnostics(report: dict[str, Any], severity: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for result in report["results"]:
        messages = [d["message"] for d in result["diagnostics"] if d["severity"] == severity]
        if messages:
            out[result["name"]] = messages
    return out


# --- the registry passes Neo4j's linter ------------------------------------------------------------------------


def test_every_statement_is_linted(registry_report: dict[str, Any]) -> None:
    assert [r["name"] for r in registry_report["results"]] == list(cypher.ALL_STATEMENTS)
    assert len(cypher.ALL_STATEMENTS) > 100  # schema, writes, reads, path bounds: the whole adapter


def test_no_statement_has_a_syntax_or_semantic_error(registry_report: dict[str, Any]) -> None:
    errors = _diagnostics(registry_report, "error")
    assert errors == {}, json.dumps(errors, indent=2)


def test_warnings_are_only_the_accepted_ones(registry_report: dict[str, Any]) -> None:
    unexpected: dict[str, list[str]] = {}
    for name, messages in _diagnostics(registry_report, "warning").items():
        allow = cypher.ALL_STATEMENTS[name].allow
        extra = [m for m in messages if not any(a in m for a in allow)]
        if extra:
            unexpected[name] = extra
    assert unexpected == {}, json.dumps(unexpected, indent=2)


def test_every_accepted_warning_still_happens(registry_report: dict[str, Any]) -> None:
    """An allowance that no longer matches a warning is stale and must go (it would hide a future one)."""
    warnings = _diagnostics(registry_report, "warning")
    stale = {
        s.name: [a for a in s.allow if not any(a in m for m in warnings.get(s.name, []))]
        for s in cypher.ALL_STATEMENTS.values()
        if s.allow
    }
    assert {k: v for k, v in stale.items() if v} == {}


# --- the check can fail ----------------------------------------------------------------------------------------

BROKEN = [
    {"name": "syntax", "query": "MATCH (n RETURN n", "params": {}},
    {"name": "undefined_variable", "query": "MATCH (n:Person) RETURN m", "params": {}},
    {"name": "undeclared_parameter", "query": "MATCH (n:Person {id: $id}) RETURN n.name", "params": {}},
    {"name": "unknown_label", "query": "MATCH (n:Persn) RETURN n.id", "params": {}},
    {"name": "unknown_relationship", "query": "MATCH (:Person)-[:KNOWS]->(m:Person) RETURN m.id", "params": {}},
    {"name": "misspelt_property", "query": "MATCH (n:Person) RETURN n.emial", "params": {}},
    {"name": "aggregation_mix", "query": "MATCH (n:Person) RETURN n.id, count(*) + n.name", "params": {}},
    {"name": "misspelt_function", "query": "MATCH (n:Person) RETURN propertes(n) AS p", "params": {}},
    {"name": "plugin_function", "query": "MATCH (n:Person) RETURN apoc.coll.sum([1, 2]) AS s", "params": {}},
    {"name": "control", "query": "MATCH (n:Person {id: $id}) RETURN n.name", "params": {"id": "STRING"}},
]


@pytest.fixture(scope="module")
def broken_report() -> dict[str, Any]:
    return lint(BROKEN)


@pytest.mark.parametrize("name", [b["name"] for b in BROKEN if b["name"] != "control"])
def test_a_broken_statement_is_caught(broken_report: dict[str, Any], name: str) -> None:
    assert name in _diagnostics(broken_report, "error"), broken_report["results"]


def test_the_control_statement_is_clean(broken_report: dict[str, Any]) -> None:
    control = next(r for r in broken_report["results"] if r["name"] == "control")
    assert control["diagnostics"] == []


def test_the_linter_exits_non_zero_on_errors() -> None:
    payload = json.dumps({"statements": [{"name": "bad", "query": "MATCH (n RETURN n", "params": {}}]})
    proc = subprocess.run(
        [node_or_fail(), str(LINTER), "--jobs", "1"], input=payload, capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["errors"] == 1


def test_the_linter_refuses_unknown_parameter_types() -> None:
    payload = json.dumps([{"name": "x", "query": "RETURN $a", "params": {"a": "COLOUR"}}])
    proc = subprocess.run(
        [node_or_fail(), str(LINTER)], input=payload, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 2
    assert "unknown type COLOUR" in proc.stderr


# --- static checks of the module (no linter needed) ------------------------------------------------------------

PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
NODE_LABEL_USE = re.compile(r"\(\s*[A-Za-z_]*\s*:\s*([A-Za-z_][A-Za-z0-9_]*)")
REL_TYPE_USE = re.compile(r"\[\s*[A-Za-z_]*\s*:\s*([A-Z_|`]+)")
MERGE_NODE = re.compile(r"MERGE \((\w+):(\w+) \{([^}]*)\}\)")
CONSTRAINT = re.compile(r"FOR \(n:(\w+)\) REQUIRE (?:n\.(\w+)|\(([^)]*)\)) IS UNIQUE")
ENUM_TYPES = (NodeLabel, RelType, StoreLabel)


@pytest.mark.parametrize("name", list(cypher.ALL_STATEMENTS))
def test_parameters_used_are_exactly_those_declared(name: str) -> None:
    statement = cypher.ALL_STATEMENTS[name]
    assert set(PARAM.findall(statement.text)) == set(statement.params)


def test_labels_and_types_in_texts_come_from_the_enums() -> None:
    labels = {x.value for x in (*NodeLabel, *StoreLabel)}
    types = {x.value for x in RelType}
    for statement in cypher.ALL_STATEMENTS.values():
        for label in NODE_LABEL_USE.findall(statement.text):
            assert label in labels, (statement.name, label)
        for group in REL_TYPE_USE.findall(statement.text):
            for rel in filter(None, group.replace("`", "").split("|")):
                assert rel in types, (statement.name, rel)


def test_keyword_named_types_are_quoted() -> None:
    """The Cypher manual advises against keywords as relationship types unless quoted: IN is one."""
    for statement in cypher.ALL_STATEMENTS.values():
        assert not re.search(r":\s*IN\b", statement.text), statement.name
    assert any("`IN`" in s.text for s in cypher.ALL_STATEMENTS.values())


def test_no_values_in_statement_texts() -> None:
    """Values travel as $parameters; the only literals are the fixed run states of an analytics generation."""
    for statement in cypher.ALL_STATEMENTS.values():
        literals = {a or b for a, b in QUOTED.findall(statement.text)}
        assert literals <= set(cypher.RUN_STATES), (statement.name, literals)


def _module_constant_is_enum_or_fragment(name: str) -> bool:
    value = getattr(cypher, name, None)
    if isinstance(value, ENUM_TYPES):
        return True
    # a Cypher fragment shared by statements (itself an f-string of the module, so checked by the same rule)
    return name.startswith("_") and name.isupper() and isinstance(value, str)


def test_formatted_values_are_only_enum_members_fragments_or_the_hop_bound() -> None:
    """Static check of graph/store/cypher.py: no value is formatted into Cypher text."""
    tree = ast.parse(Path(cypher.__file__).read_text(encoding="utf-8"))
    # error messages are not Cypher
    exempt = {id(n) for r in ast.walk(tree) if isinstance(r, ast.Raise) for n in ast.walk(r)}
    # parameters of the small builders, which take only these (the hop bound is an int checked by _hops itself)
    builder_args = {"label", "rel", "bound", "max_hops"}
    checked = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr != "format", f"line {node.lineno}: str.format in the Cypher module"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            assert not isinstance(node.left, ast.Constant), f"line {node.lineno}: %-formatting in the Cypher module"
        if not isinstance(node, ast.JoinedStr) or id(node) in exempt:
            continue
        for part in node.values:
            if not isinstance(part, ast.FormattedValue):
                continue
            checked += 1
            expr = part.value
            if isinstance(expr, ast.Name):
                ok = _module_constant_is_enum_or_fragment(expr.id) or expr.id in builder_args
            elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
                # `label.name` / `rel.name` build statement *names*; `NodeLabel.PERSON` style members are fine too
                ok = expr.value.id in builder_args or expr.value.id in {t.__name__ for t in ENUM_TYPES}
            else:
                ok = False
            assert ok, f"line {node.lineno}: {ast.unparse(expr)} is formatted into Cypher text"
    assert checked > 100


def test_builders_validate_what_they_paste() -> None:
    """The builder arguments allowed above: labels and types are enum members, the bound an int in range."""
    for statement in cypher.GC_BATCHES:
        assert statement.name.removeprefix("GC_") in {*StoreLabel.__members__, *RelType.__members__}
    assert cypher._hops(3) == "*1..3"


def test_the_hop_bound_is_a_validated_int() -> None:
    assert "*1..4]" in cypher.introduction_path(4).text
    assert cypher.introduction_path(cypher.MAX_LITERAL_HOPS + 50).name == "INTRODUCTION_PATH_UNBOUNDED"
    with pytest.raises(ValueError, match="at least 1"):
        cypher.introduction_path(0)
    for bad in (True, 2.0, "3", 0, cypher.MAX_LITERAL_HOPS + 1):
        with pytest.raises(ValueError, match="hop bound"):
            cypher._hops(bad)  # type: ignore[arg-type]


def _constraints() -> dict[str, set[frozenset[str]]]:
    out: dict[str, set[frozenset[str]]] = {}
    for statement in cypher.SCHEMA:
        m = CONSTRAINT.search(statement.text)
        if m:
            keys = [m.group(2)] if m.group(2) else [k.strip().removeprefix("n.") for k in m.group(3).split(",")]
            out.setdefault(m.group(1), set()).add(frozenset(keys))
    return out


def test_constraints_cover_the_model_keys() -> None:
    constraints = _constraints()
    assert frozenset({"id"}) in constraints["Person"]
    assert frozenset({"name"}) in constraints["Skill"]
    assert frozenset({"id"}) in constraints["Community"]
    assert frozenset({"id"}) in constraints["Post"]
    assert all("IF NOT EXISTS" in s.text for s in cypher.SCHEMA)


def test_every_write_is_unwind_merge_on_a_constrained_key() -> None:
    constraints = _constraints()
    merges = 0
    for statement in cypher.ALL_STATEMENTS.values():
        text = statement.text
        if statement.mode != "write":
            assert not re.search(r"\b(MERGE|CREATE|SET|DELETE)\b", text) or statement.mode == "schema", statement.name
            continue
        assert not re.search(r"(?<!ON )\bCREATE\b", text), f"{statement.name}: writes MERGE on keys, never CREATE"
        if "MERGE" in text:
            assert text.startswith("UNWIND $"), f"{statement.name}: batched writes start with UNWIND $rows"
        for _var, label, keymap in MERGE_NODE.findall(text):
            keys = frozenset(k.split(":")[0].strip() for k in keymap.split(","))
            assert keys in constraints.get(label, set()), f"{statement.name}: MERGE on {label}{set(keys)} unconstrained"
            merges += 1
    assert merges >= 10


def test_indexes_serve_the_api_read_paths() -> None:
    texts = " ".join(s.text for s in cypher.SCHEMA)
    for needle in (
        "(r.score)",  # experts by score
        "(n.email)",
        "(n.department)",
        "(n.location)",
        "(n.gen, n.betweenness)",  # brokers
        "(n.gen, n.scope, n.scope_id)",  # influencers
        "(n.gen, n.community_id)",  # community health
        "(n.parent_id)",  # replies arriving before their parent
    ):
        assert needle in texts, needle


def test_statement_names_match_their_registry_keys() -> None:
    assert all(name == s.name for name, s in cypher.ALL_STATEMENTS.items())
    assert all(isinstance(s, cypher.Statement) for s in cypher.ALL_STATEMENTS.values())
