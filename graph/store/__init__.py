"""Graph stores: one protocol (``base.GraphStore``), an embedded SQLite store and a Neo4j store."""

from __future__ import annotations

from graph.store.base import (
    AnalyticsSnapshot,
    Batch,
    GraphStore,
    Page,
    Projection,
    WriteResult,
)
from schema.errors import ConfigError


def open_store(
    url: str,
    *,
    neo4j_user: str = "neo4j",
    neo4j_password: str | None = None,
    neo4j_database: str | None = None,
) -> GraphStore:
    """Open the store a URL names: ``sqlite:///path.db`` (default) or ``neo4j://``, ``bolt://``, ``neo4j+s://``..."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "sqlite":
        from graph.store.sqlite import SQLiteStore

        return SQLiteStore.from_url(url)
    if scheme in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore.connect(url, user=neo4j_user, password=neo4j_password, database=neo4j_database)
    raise ConfigError(f"unsupported store URL {url!r}: use sqlite:///path.db or neo4j://host:7687")


__all__ = ["AnalyticsSnapshot", "Batch", "GraphStore", "Page", "Projection", "WriteResult", "open_store"]
