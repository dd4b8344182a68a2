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
# the endorsements written with the source's name (Endorsement.source): one of no source is never taken back
ENDORSED_OF_SOURCE = _read(
    "ENDORSED_OF_SOURCE",
    f"""
    MATCH (a:{PERSON})-[r:{ENDORSED}]->(b:{PERSON})
    WHERE r.source = $source
    RETURN a.id AS from_id, b.id AS to_id, r.skill AS skill
    """,
    source="STRING",
)
# per person of the source: the ties a retraction may take away (endorsements given or received as (from, to,
# skill)), and whether anything else still names them
TIES_OF_SOURCE_PEOPLE = _read(
    "TIES_OF_SOURCE_PEOPLE",
    f"""
    MATCH (p:{PERSON})
    WHERE p.source = $source
    OPTIONAL MATCH (p)-[r:{AUTHORED}|{MEMBER_OF}|{ENGAGED}]->(x)
    WITH p, collect([type(r), x.id, r.kind]) AS ties
    RETURN p.id AS id, ties,
           COLLECT {{ MATCH (p)-[e:{ENDORSED}]-(:{PERSON}) RETURN [startNode(e).id, endNode(e).id, e.skill] }}
           AS endorsed,
           EXISTS {{ (p)-[:{REPORTS_TO}|{HAS_SKILL}]-() }}
           OR EXISTS {{ MATCH (c:{CHOICE} {{person_id: p.id}}) }} AS held
    """,
    source="STRING",
)
# which of these people something still names (what TIES_OF_SOURCE_PEOPLE counts, or a choice of their own)
NAMED_PEOPLE = _read(
    "NAMED_PEOPLE",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})
    WHERE EXISTS {{ (p)-[:{AUTHORED}|{MEMBER_OF}|{ENGAGED}|{ENDORSED}|{REPORTS_TO}|{HAS_SKILL}]-() }}
       OR EXISTS {{ MATCH (c:{CHOICE} {{person_id: p.id}}) }}
    RETURN p.id AS id
    """,
    ids="LIST<STRING>",
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
ENDORSED_DELETE = _write(
    "ENDORSED_DELETE",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON} {{id: row.from_id}})-[r:{ENDORSED} {{skill: row.skill}}]->(b:{PERSON} {{id: row.to_id}})
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


# an account a later run matches to another person: what its own person held moves to that person
# (graph/store/source_facts.py: ``merge_people``), then the empty person goes like any other nobody names
MERGE_AUTHORED = _write(
    "MERGE_AUTHORED",
    f"""
    UNWIND $rows AS row
    MATCH (o:{PERSON} {{id: row.old}})-[r:{AUTHORED}]->(p:{POST})
    MATCH (n:{PERSON} {{id: row.new}})
    MERGE (n)-[:{AUTHORED}]->(p)
    SET p.author_id = n.id
    DELETE r
    """,
    rows="LIST<MAP>",
)
MERGE_MEMBER_OF = _write(
    "MERGE_MEMBER_OF",
    f"""
    UNWIND $rows AS row
    MATCH (o:{PERSON} {{id: row.old}})-[r:{MEMBER_OF}]->(c:{COMMUNITY})
    MATCH (n:{PERSON} {{id: row.new}})
    MERGE (n)-[k:{MEMBER_OF}]->(c)
    ON CREATE SET k = properties(r)
    DELETE r
    """,
    rows="LIST<MAP>",
)
MERGE_ENGAGED = _write(
    "MERGE_ENGAGED",
    f"""
    UNWIND $rows AS row
    MATCH (o:{PERSON} {{id: row.old}})-[r:{ENGAGED}]->(p:{POST})
    MATCH (n:{PERSON} {{id: row.new}})
    MERGE (n)-[k:{ENGAGED} {{kind: r.kind}}]->(p)
    ON CREATE SET k = properties(r)
    DELETE r
    """,
    rows="LIST<MAP>",
)
MERGE_ENDORSED_FROM = _write(
    "MERGE_ENDORSED_FROM",
    f"""
    UNWIND $rows AS row
    MATCH (o:{PERSON} {{id: row.old}})-[r:{ENDORSED}]->(b:{PERSON})
    MATCH (n:{PERSON} {{id: row.new}})
    CALL (n, r, b) {{ WITH n, r, b WHERE b <> n MERGE (n)-[k:{ENDORSED} {{skill: r.skill}}]->(b)
                     ON CREATE SET k = properties(r) }}
    DELETE r
    """,
    rows="LIST<MAP>",
)
MERGE_ENDORSED_TO = _write(
    "MERGE_ENDORSED_TO",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON})-[r:{ENDORSED}]->(o:{PERSON} {{id: row.old}})
    MATCH (n:{PERSON} {{id: row.new}})
    CALL (n, r, a) {{ WITH n, r, a WHERE a <> n MERGE (a)-[k:{ENDORSED} {{skill: r.skill}}]->(n)
                     ON CREATE SET k = properties(r) }}
    DELETE r
    """,
    rows="LIST<MAP>",
)

__all__ = [
    "ENDORSED_DELETE", "ENDORSED_OF_SOURCE", "ENGAGED_DELETE", "ENGAGED_OF_SOURCE", "MEMBER_OF_DELETE",
    "MEMBER_OF_OF_SOURCE", "MERGE_AUTHORED", "MERGE_ENDORSED_FROM", "MERGE_ENDORSED_TO", "MERGE_ENGAGED",
    "MERGE_MEMBER_OF", "NAMED_PEOPLE", "PEOPLE_DELETE", "POSTS_DELETE", "POST_IDS_OF_SOURCE", "TIES_OF_SOURCE_PEOPLE",
]
