"""Constraints and indexes created at start-up, and the lifecycle statements.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    CHOICE,
    COMMUNITY,
    DETECTED,
    EXPERT_IN,
    HEALTH,
    INFLUENCE,
    META,
    PERSON,
    POST,
    REVOCATION,
    RUN,
    SCORES,
    SKILL,
    Statement,
    _read,
    _stmt,
    _write,
)

# Uniqueness constraints back every MERGE key (and give the index for lookups by that key); range indexes serve the
# API read paths: experts by skill and score, people by department/location/email/source, brokers by betweenness,
# influence by scope, health by community, posts by parent/community/author, and every analytics row by generation.

_SCHEMA_TEXT: tuple[tuple[str, str], ...] = (
    ("CONSTRAINT_PERSON_ID", f"CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:{PERSON}) REQUIRE n.id IS UNIQUE"),
    ("CONSTRAINT_SKILL_NAME", f"CREATE CONSTRAINT skill_name IF NOT EXISTS FOR (n:{SKILL}) REQUIRE n.name IS UNIQUE"),
    (
        "CONSTRAINT_COMMUNITY_ID",
        f"CREATE CONSTRAINT community_id IF NOT EXISTS FOR (n:{COMMUNITY}) REQUIRE n.id IS UNIQUE",
    ),
    ("CONSTRAINT_POST_ID", f"CREATE CONSTRAINT post_id IF NOT EXISTS FOR (n:{POST}) REQUIRE n.id IS UNIQUE"),
    (
        "CONSTRAINT_OWN_CHOICE_PERSON",
        f"CREATE CONSTRAINT own_choice_person IF NOT EXISTS FOR (n:{CHOICE}) REQUIRE n.person_id IS UNIQUE",
    ),
    (
        "CONSTRAINT_SESSION_REVOCATION_KEY",
        f"CREATE CONSTRAINT session_revocation_key IF NOT EXISTS FOR (n:{REVOCATION}) REQUIRE n.key IS UNIQUE",
    ),
    ("CONSTRAINT_META_KEY", f"CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (n:{META}) REQUIRE n.key IS UNIQUE"),
    ("CONSTRAINT_RUN_GEN", f"CREATE CONSTRAINT run_gen IF NOT EXISTS FOR (n:{RUN}) REQUIRE n.gen IS UNIQUE"),
    (
        "CONSTRAINT_SCORES_KEY",
        f"CREATE CONSTRAINT person_scores_key IF NOT EXISTS FOR (n:{SCORES}) REQUIRE (n.gen, n.person_id) IS UNIQUE",
    ),
    (
        "CONSTRAINT_INFLUENCE_KEY",
        f"CREATE CONSTRAINT influence_key IF NOT EXISTS FOR (n:{INFLUENCE}) "
        "REQUIRE (n.gen, n.scope, n.scope_id, n.person_id) IS UNIQUE",
    ),
    (
        "CONSTRAINT_DETECTED_KEY",
        f"CREATE CONSTRAINT detected_key IF NOT EXISTS FOR (n:{DETECTED}) REQUIRE (n.gen, n.id) IS UNIQUE",
    ),
    (
        "CONSTRAINT_HEALTH_KEY",
        f"CREATE CONSTRAINT health_key IF NOT EXISTS FOR (n:{HEALTH}) "
        "REQUIRE (n.gen, n.community_id, n.period, n.start) IS UNIQUE",
    ),
    ("INDEX_PERSON_EMAIL", f"CREATE INDEX person_email IF NOT EXISTS FOR (n:{PERSON}) ON (n.email)"),
    ("INDEX_PERSON_DEPARTMENT", f"CREATE INDEX person_department IF NOT EXISTS FOR (n:{PERSON}) ON (n.department)"),
    ("INDEX_PERSON_LOCATION", f"CREATE INDEX person_location IF NOT EXISTS FOR (n:{PERSON}) ON (n.location)"),
    ("INDEX_PERSON_SOURCE", f"CREATE INDEX person_source IF NOT EXISTS FOR (n:{PERSON}) ON (n.source, n.active)"),
    # who is opted out now, read by every community-health request (a scan of all people otherwise)
    ("INDEX_PERSON_OPTED_OUT", f"CREATE INDEX person_opted_out IF NOT EXISTS FOR (n:{PERSON}) ON (n.opted_out)"),
    # expired session revocations, pruned on every sign-out (the key lookup of every page request has the constraint)
    (
        "INDEX_SESSION_REVOCATION_UNTIL",
        f"CREATE INDEX session_revocation_until IF NOT EXISTS FOR (n:{REVOCATION}) ON (n.until)",
    ),
    ("INDEX_POST_PARENT", f"CREATE INDEX post_parent IF NOT EXISTS FOR (n:{POST}) ON (n.parent_id)"),
    # a community's posts of the last weeks (its leaderboard, its influencers): a seek on the window, not a walk of
    # every post of the community (the largest channel at 100,000 people: 99k db hits, 125 ms -> 1 db hit, 19 ms)
    (
        "INDEX_POST_COMMUNITY_TIME",
        f"CREATE INDEX post_community_time IF NOT EXISTS FOR (n:{POST}) ON (n.community_id, n.created_at)",
    ),
    ("DROP_INDEX_POST_COMMUNITY", "DROP INDEX post_community IF EXISTS"),  # its prefix; older versions made it
    ("INDEX_POST_AUTHOR", f"CREATE INDEX post_author IF NOT EXISTS FOR (n:{POST}) ON (n.author_id)"),
    ("INDEX_RUN_STATE", f"CREATE INDEX run_state IF NOT EXISTS FOR (n:{RUN}) ON (n.state)"),
    (
        "INDEX_SCORES_BETWEENNESS",
        f"CREATE INDEX person_scores_betweenness IF NOT EXISTS FOR (n:{SCORES}) ON (n.gen, n.betweenness)",
    ),
    # influence rows of one ranking in score order: INFLUENCERS reads the first few (a PartialTop) instead of
    # sorting the whole ranking (99,693 rows of the global one at 100,000 people: 1 s a request)
    (
        "INDEX_INFLUENCE_RANK",
        f"CREATE INDEX influence_rank IF NOT EXISTS FOR (n:{INFLUENCE}) ON (n.gen, n.scope, n.scope_id, n.score)",
    ),
    ("DROP_INDEX_INFLUENCE_SCOPE", "DROP INDEX influence_scope IF EXISTS"),  # its prefix; older versions made it
    (
        "INDEX_HEALTH_COMMUNITY",
        f"CREATE INDEX health_community IF NOT EXISTS FOR (n:{HEALTH}) ON (n.gen, n.community_id)",
    ),
    ("INDEX_DETECTED_GEN", f"CREATE INDEX detected_gen IF NOT EXISTS FOR (n:{DETECTED}) ON (n.gen)"),
    # a skill's experts in score order, the same way (EXPERTS): 8,452 experts of one skill at 100,000 people
    (
        "INDEX_EXPERT_IN_RANK",
        f"CREATE INDEX expert_in_rank IF NOT EXISTS FOR ()-[r:{EXPERT_IN}]-() ON (r.skill, r.gen, r.score)",
    ),
    ("DROP_INDEX_EXPERT_IN_SCORE", "DROP INDEX expert_in_score IF EXISTS"),  # served no read; older versions made it
    # no index on the generation of INTERACTS / EXPERT_IN: the MERGE of a new generation's relationship then planned
    # a seek on it (planned while the generation had no rows) and scanned every row already written for each row
    # written, quadratic (a 2,000-person run's second 5,000-row chunk ran over 6 minutes); without it MERGE expands
    # between its two bound ends. Dropped where an older version created them.
    ("DROP_INDEX_EXPERT_IN_GEN", "DROP INDEX expert_in_gen IF EXISTS"),
    ("DROP_INDEX_INTERACTS_GEN", "DROP INDEX interacts_gen IF EXISTS"),
)
SCHEMA: tuple[Statement, ...] = tuple(_stmt(name, text, "schema") for name, text in _SCHEMA_TEXT)
# EXPERT_IN edges written before they carried their skill's name (which the expert_in_rank index orders by): named
# from their skill at start-up, a batch at a time, so a store upgraded in place answers before its next analyze.
EXPERT_IN_NAME_SKILL = _write(
    "EXPERT_IN_NAME_SKILL",
    f"""
    MATCH ()-[e:{EXPERT_IN}]->(s:{SKILL}) WHERE e.skill IS NULL
    WITH e, s LIMIT $limit
    SET e.skill = s.name
    RETURN count(*) AS named
    """,
    limit="INTEGER",
)

# --- lifecycle ---------------------------------------------------------------------------------------------------

PING = _read("PING", "RETURN 1 AS ok")
# after a first load by the offline importer every index populates at once, in the background: wait for them
AWAIT_INDEXES = _read("AWAIT_INDEXES", "CALL db.awaitIndexes($seconds)", seconds="INTEGER")
