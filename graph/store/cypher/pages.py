"""Web page reads (graph/store/base.py: "Page reads") and introduction paths.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    CHOICE,
    COMMUNITY,
    ENDORSED,
    ENGAGED,
    EXPERT_IN,
    HAS_SKILL,
    INTERACTS,
    MEMBER_OF,
    PERSON,
    POST,
    REPORTS_TO,
    SCORES,
    SKILL,
    Statement,
    _read,
)

WEB_FACETS = _read(
    "WEB_FACETS",
    f"""
    MATCH (p:{PERSON}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN collect(DISTINCT p.department) AS departments, collect(DISTINCT p.location) AS locations,
           collect(DISTINCT p.title) AS titles
    """,
)
WEB_ROSTER = _read(
    "WEB_ROSTER",
    f"""
    MATCH (p:{PERSON}) WHERE p.active AND NOT p.opted_out AND NOT p.bot AND p.title IS NOT NULL
    RETURN p.id AS id, p.title AS title, p.department AS department, p.location AS location ORDER BY id
    """,
)
WEB_NAMES = _read(
    "WEB_NAMES",
    f"""
    MATCH (p:{PERSON}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN p.id AS id, p.name AS name ORDER BY id
    """,
)
WEB_COMMUNITY_SIZES = _read(
    "WEB_COMMUNITY_SIZES",
    f"""
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN c.id AS id, count(p) AS members
    """,
)
WEB_COMMUNITY_SIZES_OF = _read(
    "WEB_COMMUNITY_SIZES_OF",
    f"""
    UNWIND $ids AS cid
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY} {{id: cid}}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN c.id AS id, count(p) AS members
    """,
    ids="LIST<STRING>",
)
WEB_COMMUNITY_DEPARTMENTS = _read(
    "WEB_COMMUNITY_DEPARTMENTS",
    f"""
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(:{COMMUNITY} {{id: $id}}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN p.department AS department, count(p) AS members
    """,
    id="STRING",
)
WEB_COMMUNITY_CONTRIBUTORS = _read(
    "WEB_COMMUNITY_CONTRIBUTORS",
    f"""
    MATCH (t:{POST} {{community_id: $id}})
    WHERE t.created_at >= $since AND t.author_id IS NOT NULL
    OPTIONAL MATCH (root:{POST} {{id: t.thread_id}})
    WITH t, t.kind IN $helping AND coalesce(root.author_id <> t.author_id, true) AS helping
    WITH t.author_id AS author, count(t) AS posts,
         sum(CASE WHEN helping THEN 1 ELSE 0 END) AS answers,
         sum(CASE WHEN helping AND t.accepted THEN 1 ELSE 0 END) AS accepted, max(t.created_at) AS last_at
    MATCH (p:{PERSON} {{id: author}}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN properties(p) AS props, posts, answers, accepted, last_at
    ORDER BY posts DESC, accepted DESC, p.id
    LIMIT $limit
    """,
    id="STRING",
    since="DATETIME",
    helping="LIST<STRING>",
    limit="INTEGER",
)
WEB_PERSON_ACTIVITY = _read(
    "WEB_PERSON_ACTIVITY",
    f"""
    MATCH (p:{PERSON} {{id: $id}}) WHERE NOT p.opted_out
    MATCH (t:{POST} {{author_id: $id}}) WHERE t.created_at >= $since
    WITH date.truncate($unit, t.created_at) AS week, t.kind AS kind, t.source AS source
    RETURN week, kind, source, count(*) AS posts
    ORDER BY week, kind, source
    """,
    id="STRING",
    since="DATETIME",
    unit="STRING",
)
WEB_INTERACTIONS_AMONG = _read(
    "WEB_INTERACTIONS_AMONG",
    f"""
    UNWIND $ids AS id
    MATCH (a:{PERSON} {{id: id}})-[r:{INTERACTS} {{gen: $gen}}]->(b:{PERSON})
    WHERE b.id IN $ids AND a.id <> b.id AND NOT a.opted_out AND NOT b.opted_out
    RETURN a.id AS a, b.id AS b, r.weight AS weight
    """,
    ids="LIST<STRING>",
    gen="STRING",
)
PATH_ENDS = _read(
    "PATH_ENDS",
    f"UNWIND $ids AS id MATCH (p:{PERSON} {{id: id}}) WHERE NOT p.opted_out RETURN p.id AS id",
    ids="LIST<STRING>",
)

MAX_LITERAL_HOPS = 8  # above this the unbounded search is used and its length checked by the caller; same answer


def _hops(max_hops: int) -> str:
    """The variable-length bound of the path pattern: a validated int, the one non-enum value pasted into text."""
    if isinstance(max_hops, bool) or not isinstance(max_hops, int) or not 1 <= max_hops <= MAX_LITERAL_HOPS:
        raise ValueError(f"hop bound must be an int in 1..{MAX_LITERAL_HOPS}, got {max_hops!r}")
    return f"*1..{max_hops}"


def _path_text(bound: str) -> str:
    # allShortestPaths keeps every shortest path so ties are broken by the smallest id sequence (ORDER BY a list is
    # lexicographic). The per-node and per-relationship `all(...)` predicates are universal, so Neo4j evaluates them
    # during its bidirectional breadth-first search instead of falling back to exhaustive search (Cypher manual,
    # "Shortest path planning"). Steps are active, not opted-out people; the first node (checked by the caller)
    # may be a leaver. INTERACTS of other generations are skipped; REPORTS_TO has no generation. No predicate on the
    # whole path (such as its length) is added: that would make the planner add an exhaustive fallback search; the
    # hop bound is in the pattern, and the unbounded variant's length is checked by the caller.
    return f"""
    MATCH (a:{PERSON} {{id: $from_id}})
    MATCH (b:{PERSON} {{id: $to_id}})
    MATCH route = allShortestPaths((a)-[:{INTERACTS}|{REPORTS_TO}{bound}]-(b))
    WHERE all(n IN nodes(route) WHERE n = a OR (n.active AND NOT n.opted_out))
      AND all(r IN relationships(route) WHERE r.gen IS NULL OR r.gen = $gen)
    RETURN [n IN nodes(route) | properties(n)] AS people
    ORDER BY [n IN nodes(route) | n.id]
    LIMIT 1
    """


def _path_statement(name: str, bound: str) -> Statement:
    return _read(name, _path_text(bound), (), from_id="STRING", to_id="STRING", gen="STRING")


# built at import, one per bound, so the registry holds every statement the store can send
_PATH_BOUNDED: dict[int, Statement] = {
    max_hops: _path_statement(f"INTRODUCTION_PATH_{max_hops}", _hops(max_hops))
    for max_hops in range(1, MAX_LITERAL_HOPS + 1)
}
# only for a bound above the cap (no introduction needs that many steps, but the contract has no cap): the server's
# warning about unbounded shortest paths is why the bounded statements exist
_PATH_UNBOUNDED = _read(
    "INTRODUCTION_PATH_UNBOUNDED",
    _path_text("*"),
    ("unbounded pattern",),
    from_id="STRING",
    to_id="STRING",
    gen="STRING",
)


def introduction_path(max_hops: int) -> Statement:
    """The shortest-path statement for a hop bound >= 1 (above the cap: unbounded, the caller checks the length)."""
    if max_hops < 1:
        raise ValueError(f"hop bound must be at least 1, got {max_hops}")
    return _PATH_BOUNDED.get(max_hops, _PATH_UNBOUNDED)


COUNTS = _read(
    "COUNTS",
    f"""
    RETURN
      COUNT {{ (p:{PERSON}) }} AS people,
      COUNT {{ (p:{PERSON}) WHERE p.active AND NOT p.opted_out }} AS active_people,
      COUNT {{ (p:{PERSON}) WHERE p.opted_out }} AS opted_out,
      COUNT {{ (:{CHOICE}) }} AS hidden_by_choice,
      COUNT {{ (:{SKILL}) }} AS skills,
      COUNT {{ (:{COMMUNITY}) }} AS communities,
      COUNT {{ (:{POST}) }} AS posts,
      COUNT {{ ()-[:{MEMBER_OF}]->() }} AS memberships,
      COUNT {{ ()-[:{HAS_SKILL}]->() }} AS skill_claims,
      COUNT {{ ()-[:{ENDORSED}]->() }} AS endorsements,
      COUNT {{ ()-[:{ENGAGED}]->() }} AS engagements,
      COUNT {{ ()-[:{REPORTS_TO}]->() }} AS reports_to,
      COUNT {{ ()-[r:{INTERACTS}]->() WHERE r.gen = $gen }} AS interactions,
      COUNT {{ ()-[r:{EXPERT_IN}]->() WHERE r.gen = $gen }} AS expertise,
      COUNT {{ (s:{SCORES}) WHERE s.gen = $gen }} AS scored_people
    """,
    gen="STRING",
)
