"""A full re-import of a forum source takes back what its export no longer holds (graph/store/source_facts.py):
the source's stored keys, read inside the write transaction, then deletes of those the run did not write and of
the source's people nothing names any more.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    AUTHORED,
    CHOICE,
    COMMUNITY,
    ENDORSED,
    ENGAGED,
    HAS_SKILL,
    INFLUENCE,
    MEMBER_OF,
    PERSON,
    POST,
    REPORTS_TO,
    SCORES,
    _read,
    _write,
)

POST_IDS_OF_SOURCE = _read(
    "POST_IDS_OF_SOURCE",
    f"MATCH (p:{POST}) WHERE p.source = $source RETURN collect(p.id) AS ids",
    source="STRING",
)
MEMBER_OF_OF_SOURCE = _read(
    "MEMBER_OF_OF_SOURCE",
    f"""
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY})
    WHERE c.source = $source
    RETURN p.id AS person_id, c.id AS community_id
    """,
    source="STRING",
)
ENGAGED_OF_SOURCE = _read(
    "ENGAGED_OF_SOURCE",
    f"""
    MATCH (a:{PERSON})-[r:{ENGAGED}]->(p:{POST})
    WHERE p.source = $source
    RETURN a.id AS person_id, p.id AS post_id, r.kind AS kind
    """,
    source="STRING",
)
# per person of the source: the ties a retraction may take away, and whether anything else still names them
TIES_OF_SOURCE_PEOPLE = _read(
    "TIES_OF_SOURCE_PEOPLE",
    f"""
    MATCH (p:{PERSON})
    WHERE p.source = $source
    OPTIONAL MATCH (p)-[r:{AUTHORED}|{MEMBER_OF}|{ENGAGED}]->(x)
    WITH p, collect([type(r), x.id, r.kind]) AS ties
    RETURN p.id AS id, ties,
           EXISTS {{ (p)-[:{ENDORSED}|{REPORTS_TO}|{HAS_SKILL}]-() }}
           OR EXISTS {{ MATCH (c:{CHOICE} {{person_id: p.id}}) }} AS held
    """,
    source="STRING",
)
POSTS_DELETE = _write(
    "POSTS_DELETE",
    f"UNWIND $ids AS id MATCH (p:{POST} {{id: id}}) DETACH DELETE p",
    ids="LIST<STRING>",
)
MEMBER_OF_DELETE = _write(
    "MEMBER_OF_DELETE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})-[r:{MEMBER_OF}]->(c:{COMMUNITY} {{id: row.community_id}})
    DELETE r
    """,
    rows="LIST<MAP>",
)
ENGAGED_DELETE = _write(
    "ENGAGED_DELETE",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON} {{id: row.person_id}})-[r:{ENGAGED} {{kind: row.kind}}]->(p:{POST} {{id: row.post_id}})
    DELETE r
    """,
    rows="LIST<MAP>",
)
# the person with every relationship (the last analysis' INTERACTS and EXPERT_IN among them) and their score nodes
PEOPLE_DELETE = _write(
    "PEOPLE_DELETE",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})
    CALL (id) {{ MATCH (s:{SCORES} {{person_id: id}}) DETACH DELETE s }}
    CALL (id) {{ MATCH (i:{INFLUENCE} {{person_id: id}}) DETACH DELETE i }}
    DETACH DELETE p
    """,
    ids="LIST<STRING>",
)

__all__ = [
    "ENGAGED_DELETE", "ENGAGED_OF_SOURCE", "MEMBER_OF_DELETE", "MEMBER_OF_OF_SOURCE", "PEOPLE_DELETE",
    "POSTS_DELETE", "POST_IDS_OF_SOURCE", "TIES_OF_SOURCE_PEOPLE",
]
