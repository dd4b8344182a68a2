"""The examples in the analytics docstrings run and hold (they document behaviour, so they must not rot)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "graph.analytics.backend",
    "graph.analytics.brokerage",
    "graph.analytics.communities",
    "graph.analytics.contacts",
    "graph.analytics.expertise",
    "graph.analytics.health",
    "graph.analytics.influence",
    "graph.analytics.routing_context",
    "graph.analytics.routing_explain",
    "graph.analytics.routing_features",
    "graph.analytics.routing_text",
    "graph.analytics.seeding",
    "graph.projection",
    "graph.store.neo4j.keyset",
    "graph.evaluation", "graph.evaluation_votes",
    "graph.expert_routing",
    "app.cli.analyze_cmd",
    "app.cli.text",
    "ingest.hr.read",
    "ingest.hr.cells",
    "ingest.hr.shape",
    "ingest.hr.mapping",
    "ingest.hr.status",
    "ingest.hr.nested",
    "ingest.hr.managers",
    "ingest.hr.idnumbers",
    "ingest.hr.suffixes",
    "ingest.hr.dates",
    "ingest.hr.ldif",
    "ingest.hr.htmltable",
    "ingest.hr.spreadsheetml",
    "ingest.hr.furniture",
    "ingest.hr.carry",
    "ingest.hris",
    "ingest.csvrows",
    "ingest.forum.common",
    "ingest.forum.slack_layout",
    "schema.models",
    "schema.files",
    "schema.facets",
    "schema.facet_match",
    "schema.understand",
    "app.web.understood",
    "app.web.suggest",
    "graph.ranks",
    "graph.store.common",
    "graph.store.visibility",
    "graph.store.sessions",
    "graph.store.base",
    "graph.store.opt_outs",
    "graph.store.shown",
    "graph.store.source_facts",
    "ingest.forum_full",
    "app.graphql.services",
    "app.graphql.explain",
    "app.graphql.rankings",
    "app.graphql.seeds",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_every_measure_cites_its_source() -> None:
    from graph.analytics import brokerage, communities, expertise, health, influence, seeding

    for module in (brokerage, communities, expertise, health, influence, seeding):
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type) and obj.__doc__ and "Examples" in obj.__doc__:
                assert "References" in obj.__doc__ or name in {"coverage", "describe_communities"}, name
