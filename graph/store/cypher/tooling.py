"""Dumps of every stored fact, and wiping a database before a contract run (tests and tooling only).

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    COMMUNITY,
    ENDORSED,
    EXPERT_IN,
    HAS_SKILL,
    HEALTH,
    INFLUENCE,
    INTERACTS,
    MEMBER_OF,
    PERSON,
    POST,
    SCORES,
    SKILL,
    _read,
    _write,
)

DUMP_PEOPLE = _read("DUMP_PEOPLE", f"MATCH (n:{PERSON}) RETURN properties(n) AS props")
DUMP_POSTS = _read("DUMP_POSTS", f"MATCH (n:{POST}) RETURN properties(n) AS props")
DUMP_HAS_SKILL = _read(
    "DUMP_HAS_SKILL",
    f"""
    MATCH (p:{PERSON})-[r:{HAS_SKILL}]->(s:{SKILL})
    RETURN p.id AS person_id, s.name AS skill, properties(r) AS props
    """,
)
DUMP_MEMBER_OF = _read(
    "DUMP_MEMBER_OF",
    f"""
    MATCH (p:{PERSON})-[r:{MEMBER_OF}]->(c:{COMMUNITY})
    RETURN p.id AS person_id, c.id AS community_id, properties(r) AS props
    """,
)
DUMP_ENDORSED = _read(
    "DUMP_ENDORSED",
    f"""
    MATCH (a:{PERSON})-[r:{ENDORSED}]->(b:{PERSON})
    RETURN a.id AS from_id, b.id AS to_id, properties(r) AS props
    """,
)
DUMP_INTERACTS = _read(
    "DUMP_INTERACTS",
    f"""
    MATCH (a:{PERSON})-[r:{INTERACTS} {{gen: $gen}}]->(b:{PERSON})
    RETURN a.id AS source_id, b.id AS target_id, properties(r) AS props
    """,
    gen="STRING",
)
DUMP_EXPERT_IN = _read(
    "DUMP_EXPERT_IN",
    f"""
    MATCH (p:{PERSON})-[r:{EXPERT_IN} {{gen: $gen}}]->(s:{SKILL})
    RETURN p.id AS person_id, s.name AS skill, r.score AS score, r.evidence AS evidence,
           r.expertise_rank AS expertise_rank, r.last_active AS last_active
    """,
    gen="STRING",
)
DUMP_SCORES = _read("DUMP_SCORES", f"MATCH (n:{SCORES} {{gen: $gen}}) RETURN properties(n) AS props", gen="STRING")
DUMP_INFLUENCE = _read(
    "DUMP_INFLUENCE", f"MATCH (n:{INFLUENCE} {{gen: $gen}}) RETURN properties(n) AS props", gen="STRING"
)
DUMP_HEALTH = _read("DUMP_HEALTH", f"MATCH (n:{HEALTH} {{gen: $gen}}) RETURN properties(n) AS props", gen="STRING")

# --- tests: wipe a database before a contract run (never called by the store itself) -----------------------------

# relationships first, a batch at a time: DETACH DELETE of 10,000 nodes of a 2,000-person organisation took every
# one of their relationships into one transaction and passed the test server's transaction memory limit
WIPE_RELATIONSHIPS_BATCH = _write(
    "WIPE_RELATIONSHIPS_BATCH",
    "MATCH ()-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted",
    limit="INTEGER",
)
WIPE_BATCH = _write(
    "WIPE_BATCH",
    "MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
    limit="INTEGER",
)
