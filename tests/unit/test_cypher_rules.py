"""The rules of graph/store/cypher/, checked on its text: parameters declared, labels only from the enums, no
formatted values, MERGE only on constrained keys, indexes for the API's read paths.

The server itself checks the statements in tests/contract: every one runs (test_statement_coverage.py) and is planned
with only its accepted notifications (test_cypher_on_server.py).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from graph.store import cypher
from graph.store.cypher.pages import _hops
from schema.labels import NodeLabel, RelType, StoreLabel

# --- static checks of the module -----------------------------------------------------------------------------

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
    """Values travel as $parameters; the only literals are the fixed run states of an analytics generation and the
    fixed key of the data-version counter."""
    for statement in cypher.ALL_STATEMENTS.values():
        literals = {a or b for a, b in QUOTED.findall(statement.text)}
        assert literals <= {*cypher.RUN_STATES, cypher.DATA_VERSION_KEY}, (statement.name, literals)
    assert f"{{key: '{cypher.DATA_VERSION_KEY}'}}" in cypher.DATA_VERSION_GET.text  # the key the store bumps


def _modules() -> list[ModuleType]:
    """Every module of the package (the statements are split by what they serve, the rules hold in each)."""
    folder = Path(cypher.__file__).parent
    return [importlib.import_module(f"graph.store.cypher.{p.stem}") if p.stem != "__init__" else cypher
            for p in sorted(folder.glob("*.py"))]


def test_the_package_is_every_module_walked() -> None:
    assert {m.__name__.rsplit(".", 1)[-1] for m in _modules()} >= {"cypher", "_base", "ingest", "api", "pages"}


def _module_constant_is_enum_or_fragment(module: ModuleType, name: str) -> bool:
    value = getattr(module, name, None)
    if isinstance(value, ENUM_TYPES):
        return True
    # a Cypher fragment shared by statements (itself an f-string of the module, so checked by the same rule)
    return name.startswith("_") and name.isupper() and isinstance(value, str)


def test_formatted_values_are_only_enum_members_fragments_or_the_hop_bound() -> None:
    """Static check of every module of graph/store/cypher/: no value is formatted into Cypher text."""
    checked = 0
    for module in _modules():
        checked += _check_formatted_values(module)
    assert checked > 100


def _check_formatted_values(module: ModuleType) -> int:
    """The f-string parts of ``module`` checked (each asserted to be an enum member, a fragment or a builder's)."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    # error messages are not Cypher
    exempt = {id(n) for r in ast.walk(tree) if isinstance(r, ast.Raise) for n in ast.walk(r)}
    # parameters of the small builders, which take only these (the hop bound is an int checked by _hops itself)
    builder_args = {"label", "rel", "bound", "max_hops"}
    checked = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr != "format", f"{module.__name__} line {node.lineno}: str.format in Cypher"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            assert not isinstance(node.left, ast.Constant), f"{module.__name__} line {node.lineno}: %-formatting"
        if not isinstance(node, ast.JoinedStr) or id(node) in exempt:
            continue
        for part in node.values:
            if not isinstance(part, ast.FormattedValue):
                continue
            checked += 1
            expr = part.value
            if isinstance(expr, ast.Name):
                ok = _module_constant_is_enum_or_fragment(module, expr.id) or expr.id in builder_args
            elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
                # `label.name` / `rel.name` build statement *names*; `NodeLabel.PERSON` style members are fine too
                ok = expr.value.id in builder_args or expr.value.id in {t.__name__ for t in ENUM_TYPES}
            else:
                ok = False
            assert ok, f"{module.__name__} line {node.lineno}: {ast.unparse(expr)} is formatted into Cypher text"
    return checked


def test_builders_validate_what_they_paste() -> None:
    """The builder arguments allowed above: labels and types are enum members, the bound an int in range."""
    for statement in cypher.GC_BATCHES:
        assert statement.name.removeprefix("GC_") in {*StoreLabel.__members__, *RelType.__members__}
    assert _hops(3) == "*1..3"


def test_the_hop_bound_is_a_validated_int() -> None:
    assert "*1..4]" in cypher.introduction_path(4).text
    assert cypher.introduction_path(cypher.MAX_LITERAL_HOPS + 50).name == "INTRODUCTION_PATH_UNBOUNDED"
    with pytest.raises(ValueError, match="at least 1"):
        cypher.introduction_path(0)
    for bad in (True, 2.0, "3", 0, cypher.MAX_LITERAL_HOPS + 1):
        with pytest.raises(ValueError, match="hop bound"):
            _hops(bad)  # type: ignore[arg-type]


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
    assert all("IF NOT EXISTS" in s.text or s.text.startswith("DROP INDEX") and "IF EXISTS" in s.text
               for s in cypher.SCHEMA)


# Analytics edges and nodes written under a fresh generation id: none can exist yet, so CREATE is exact and MERGE
# only walked the older generations' edges between the same two nodes, or seeked and locked the node's key
# (graph/store/cypher/analytics.py says so above the statements).
GENERATION_CREATES = {"INTERACTS_WRITE", "EXPERT_IN_WRITE"}
GENERATION_NODE_CREATES = {"SCORES_WRITE", "INFLUENCE_WRITE", "DETECTED_WRITE", "HEALTH_WRITE"}
# Ingest keys the batch's own transaction read as absent: the node is CREATEd with its key (the uniqueness
# constraint refuses it if another writer got there first, and the store runs the batch again as an update), and
# edges are CREATEd only from a node created in that same transaction, which no other transaction can see yet
# (cypher/ingest.py above PEOPLE_CREATE; tests/contract prove re-ingest and the lost race give the same store).
NEW_KEY_CREATES = {
    "PEOPLE_CREATE", "POSTS_CREATE", "POSTS_CREATE_PARENT", "REPORTS_TO_CREATE", "HAS_SKILL_CREATE", "MEMBER_OF_CREATE",
}
CREATE_NODE = re.compile(r"CREATE \((\w+):(\w+)\) SET \1 = row\b")


def test_every_write_is_unwind_merge_on_a_constrained_key() -> None:
    constraints = _constraints()
    keyed = 0
    for statement in cypher.ALL_STATEMENTS.values():
        text = statement.text
        if statement.mode != "write":
            assert not re.search(r"\b(MERGE|CREATE|SET|DELETE)\b", text) or statement.mode == "schema", statement.name
            continue
        if statement.name in GENERATION_CREATES:
            # the one exception: edges of an analytics generation that is new in this write (see cypher/analytics.py)
            assert text.startswith("UNWIND $rows"), statement.name
            assert re.search(r"\bCREATE \(\w+\)-\[r:\w+ \{gen: row\.gen\}\]->\(\w+\)", text), statement.name
            continue
        if statement.name in GENERATION_NODE_CREATES:
            # a generation's node, created with its whole row; its label's uniqueness constraint starts with gen
            assert text.startswith("UNWIND $rows AS row"), statement.name
            assert "MERGE" not in text, statement.name
            [(_var, label)] = CREATE_NODE.findall(text)
            assert any("gen" in keys for keys in constraints.get(label, set())), f"{statement.name}: {label}"
            keyed += 1
            continue
        if statement.name in NEW_KEY_CREATES:
            assert text.startswith("UNWIND $rows AS row"), statement.name
            assert "MERGE" not in text, statement.name
            for _var, label in CREATE_NODE.findall(text):  # a node is created with its whole row, key included
                assert frozenset({"id"}) in constraints.get(label, set()), f"{statement.name}: {label} unconstrained"
                keyed += 1
            nodes = len(CREATE_NODE.findall(text))
            assert nodes == len(re.findall(r"CREATE \(\w+:", text)), f"{statement.name}: a node CREATE without its row"
            continue
        assert not re.search(r"(?<!ON )\bCREATE\b", text), f"{statement.name}: writes MERGE on keys, never CREATE"
        if "MERGE" in text:
            assert text.startswith("UNWIND $"), f"{statement.name}: batched writes start with UNWIND $rows"
        for _var, label, keymap in MERGE_NODE.findall(text):
            keys = frozenset(k.split(":")[0].strip() for k in keymap.split(","))
            assert keys in constraints.get(label, set()), f"{statement.name}: MERGE on {label}{set(keys)} unconstrained"
            keyed += 1
    assert keyed >= 10  # node writes checked against a constraint: MERGEs, and the CREATEs of the named exceptions


def test_indexes_serve_the_api_read_paths() -> None:
    texts = " ".join(s.text for s in cypher.SCHEMA)
    for needle in (
        "(r.skill, r.gen, r.score)",  # a skill's experts by score
        "(n.email)",
        "(n.department)",
        "(n.location)",
        "(n.gen, n.betweenness)",  # brokers
        "(n.gen, n.scope, n.scope_id, n.score)",  # influencers by score
        "(n.gen, n.community_id)",  # community health
        "(n.parent_id)",  # replies arriving before their parent
        "(n.community_id, n.created_at)",  # a community's recent posts (leaderboards)
    ):
        assert needle in texts, needle


def test_statement_names_match_their_registry_keys() -> None:
    assert all(name == s.name for name, s in cypher.ALL_STATEMENTS.items())
    assert all(isinstance(s, cypher.Statement) for s in cypher.ALL_STATEMENTS.values())


@pytest.mark.parametrize(
    ("statement", "fields"),
    [
        ("PROJECTION_PEOPLE", "PersonRow"),
        ("PROJECTION_POSTS", "PostRow"),
        ("PROJECTION_MEMBERSHIPS", "MembershipRow"),
        ("PROJECTION_SKILLS", "SkillClaimRow"),
        ("PROJECTION_ENDORSEMENTS", "EndorsementRow"),
        ("PROJECTION_ENGAGEMENTS", "EngagementRow"),
        ("PROJECTION_REPORTS_TO", ("person_id", "manager_id")),
    ],
)
def test_paged_projection_reads_return_their_row_fields_in_order(statement: str, fields: str | tuple[str]) -> None:
    """The Neo4j store reads each PROJECTION_* page as the page's last key, then one column per field of its row
    type, and unpacks them by position."""
    from graph.store import base

    expected = fields if isinstance(fields, tuple) else getattr(base, fields)._fields
    text = cypher.ALL_STATEMENTS[statement].text
    aliases = re.findall(r"\bAS (\w+)", text.rsplit("RETURN", 1)[1])
    assert tuple(aliases) == ("last", *expected)
    assert dict(cypher.ALL_STATEMENTS[statement].params) == {"after": "STRING", "limit": "INTEGER"}
