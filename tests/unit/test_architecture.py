"""The data path goes one way (DESIGN.md): checked on the source, so a stray import fails the build."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schema", "ingest", "graph", "app")

# package -> packages of ours it must never import
FORBIDDEN = {
    "schema": {"ingest", "graph", "app"},
    "ingest": {"app"},
    "graph": {"ingest", "app"},
    "app": set(),  # app may import graph and schema; only its CLI may import ingest (checked below)
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_go_one_way(package: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(package)
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert not bad, bad


def test_only_the_cli_of_app_imports_ingest() -> None:
    bad = [
        str(path.relative_to(ROOT))
        for path in _sources("app")
        if "cli" not in path.relative_to(ROOT).parts
        and any(name.split(".")[0] == "ingest" for name in _imports(path))
    ]
    assert not bad, bad


def test_analytics_never_touch_a_store_or_driver() -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources("graph/analytics")
        for name in _imports(path)
        if name.startswith(("graph.store", "neo4j", "sqlite3"))
    ]
    assert not bad, bad


def test_all_cypher_lives_in_one_package() -> None:
    keywords = ("MERGE (", "MATCH (", "UNWIND $")
    bad = [
        str(path.relative_to(ROOT))
        for path in (*_sources("graph"), *_sources("app"), *_sources("ingest"))
        if path.parent.name != "cypher" and any(k in path.read_text(encoding="utf-8") for k in keywords)
    ]
    assert not bad, bad
