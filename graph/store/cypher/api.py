"""API reads: people, experts, influence, brokers, communities and their health.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    AUTHORED,
    COMMUNITY,
    DETECTED,
    ENDORSED,
    EXPERT_IN,
    HAS_SKILL,
    HEALTH,
    IN,
    INFLUENCE,
    INTERACTS,
    MEMBER_OF,
    META,
    PERSON,
    POST,
    RUN,
    SCORES,
    SKILL,
    TAGGED,
    _read,
)

# person-returning reads leave out opted-out people; directory reads also leave out leavers and bots

PEOPLE_GET = _read(
    "PEOPLE_GET",
    f"UNWIND $ids AS id MATCH (p:{PERSON} {{id: id}}) WHERE NOT p.opted_out RETURN properties(p) AS props",
    ids="LIST<STRING>",
)
PERSON_SCORES_GET = _read(
    "PERSON_SCORES_GET",
    f"""
    MATCH (r:{RUN} {{state: 'current'}})
    WITH r ORDER BY r.written_at DESC LIMIT 1
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}}) WHERE NOT p.opted_out
    MATCH (s:{SCORES} {{gen: r.gen, person_id: id}})
    RETURN properties(s) AS props
    """,
    ids="LIST<STRING>",
)
PERSON_SKILLS_GET = _read(
    "PERSON_SKILLS_GET",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[r:{HAS_SKILL}]->(s:{SKILL}) WHERE NOT p.opted_out
    RETURN p.id AS person_id, s.name AS skill, r.level AS level, r.source AS source, r.declared_at AS declared_at
    ORDER BY person_id, skill
    """,
    ids="LIST<STRING>",
)
PERSON_EXPERTISE_GET = _read(
    "PERSON_EXPERTISE_GET",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[r:{EXPERT_IN} {{gen: $gen}}]->(s:{SKILL}) WHERE NOT p.opted_out
    RETURN p.id AS person_id, s.name AS skill, r.score AS score, r.evidence AS evidence,
           r.expertise_rank AS expertise_rank, r.last_active AS last_active
    ORDER BY person_id, score DESC, skill
    """,
    ids="LIST<STRING>",
    gen="STRING",
)
MEMBERSHIPS_GET = _read(
    "MEMBERSHIPS_GET",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[:{MEMBER_OF}]->(c:{COMMUNITY}) WHERE NOT p.opted_out
    RETURN p.id AS person_id, properties(c) AS props
    ORDER BY person_id, c.id
    """,
    ids="LIST<STRING>",
)
# One statement for the whole directory page: the current run, the total and the page (no row when there is no
# run yet). Why: as three statements (run, page, count) a request made four round trips with BEGIN and COMMIT, and
# the client's CPU per request was twice the SQLite store's. The skill's experts are expanded and filtered once,
# ranked, and both the total and the page come from that one list (counting in a second subquery expanded them
# twice: 9-10 ms of server CPU a request at 10,000 people against 6-7); property maps only for the page.
# A skill's experts, best first: one page read in the order of the expert_in_rank index (ordering by its whole
# key, equal for every row but the score, lets the planner use that order: a PartialTop over the first rows, where
# ordering by the score alone sorted all 8,452 experts of one skill at 100,000 people, 69,000 db hits a request),
# with the data version its total is memoised under (EXPERTS_COUNT walks every expert of the skill, once a version).
_VERSION = f"OPTIONAL MATCH (m:{META} {{key: 'data_version'}}) WITH coalesce(m.version, 0) AS version"
_VISIBLE_EXPERT = """p.active AND NOT p.opted_out AND NOT p.bot
      AND ($departments IS NULL OR p.department IN $departments)
      AND ($locations IS NULL OR p.location IN $locations)
      AND ($titles IS NULL OR p.title IN $titles)"""
EXPERTS = _read(
    "EXPERTS",
    f"""
    {_VERSION}
    MATCH (r:{RUN} {{state: 'current'}})
    WITH version, r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (p:{PERSON})-[e:{EXPERT_IN}]->()
      WHERE e.skill = $skill AND e.gen = r.gen AND e.score IS NOT NULL
      WITH e, p
      WHERE {_VISIBLE_EXPERT}
        AND ($after_score IS NULL OR e.score < $after_score OR (e.score = $after_score AND p.id > $after_id))
      WITH e, p ORDER BY e.skill DESC, e.gen DESC, e.score DESC, p.id ASC LIMIT $limit
      RETURN collect({{props: properties(p), score: e.score, evidence: e.evidence}}) AS rows
    }}
    RETURN version, rows
    """,
    skill="STRING",
    departments="LIST<STRING>",
    locations="LIST<STRING>",
    titles="LIST<STRING>",
    after_score="FLOAT",
    after_id="STRING",
    limit="INTEGER",
)
EXPERTS_COUNT = _read(
    "EXPERTS_COUNT",
    f"""
    {_VERSION}
    MATCH (r:{RUN} {{state: 'current'}})
    WITH version, r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (:{SKILL} {{name: $skill}})<-[e:{EXPERT_IN} {{gen: r.gen}}]-(p:{PERSON})
      WHERE {_VISIBLE_EXPERT}
      RETURN count(*) AS total
    }}
    RETURN version, total
    """,
    skill="STRING",
    departments="LIST<STRING>",
    locations="LIST<STRING>",
    titles="LIST<STRING>",
)
EXPERTS_AHEAD = _read(
    "EXPERTS_AHEAD",
    f"""
    MATCH (r:{RUN} {{state: 'current'}})
    WITH r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (p:{PERSON})-[e:{EXPERT_IN}]->()
      WHERE e.skill = $skill AND e.gen = r.gen AND e.score >= $score
      WITH e, p
      WHERE {_VISIBLE_EXPERT}
      RETURN count(CASE WHEN e.score > $score THEN 1 END) AS above, count(*) AS at_or_above
    }}
    RETURN above, at_or_above
    """,
    skill="STRING",
    departments="LIST<STRING>",
    locations="LIST<STRING>",
    titles="LIST<STRING>",
    score="FLOAT",
)
SKILLS_ALL = _read(
    "SKILLS_ALL", f"MATCH (s:{SKILL}) RETURN s.name AS name, s.aliases AS aliases ORDER BY name"
)
SKILLS_PREFIX = _read(
    "SKILLS_PREFIX",
    f"""
    MATCH (s:{SKILL})
    WHERE s.name STARTS WITH $prefix OR any(a IN s.aliases WHERE a STARTS WITH $prefix)
    RETURN s.name AS name, s.aliases AS aliases
    ORDER BY name
    """,
    prefix="STRING",
)
# The skills someone not opted out gives (graph/store/shown.py): a claim, expertise of the current run, or a post
# tagged with it whose author is not opted out (or unknown), each found from the skill and stopping at its first
# match. Endorsements have no path from the skill (ENDORSED joins two people): SKILLS_ENDORSED reads them once.
# Both are read once per data version (Neo4jReads._listed_skills).
SKILLS_GIVEN = _read(
    "SKILLS_GIVEN",
    f"""
    MATCH (s:{SKILL})
    WHERE EXISTS {{ MATCH (s)<-[:{HAS_SKILL}]-(p:{PERSON}) WHERE NOT p.opted_out }}
       OR EXISTS {{ MATCH (s)<-[e:{EXPERT_IN}]-(p:{PERSON}) WHERE e.gen = $gen AND NOT p.opted_out }}
       OR EXISTS {{
           MATCH (s)<-[:{TAGGED}]-(post:{POST})
           WHERE NOT EXISTS {{ MATCH (post)<-[:{AUTHORED}]-(a:{PERSON}) WHERE a.opted_out }}
       }}
    RETURN collect(s.name) AS names
    """,
    gen="STRING",
)
SKILLS_ENDORSED = _read(
    "SKILLS_ENDORSED",
    f"""
    MATCH (a:{PERSON})-[d:{ENDORSED}]->(b:{PERSON})
    WHERE NOT a.opted_out AND NOT b.opted_out
    RETURN collect(DISTINCT d.skill) AS names
    """,
)
# When each endorser of the given people (on $skill, or on any skill when null) endorsed them: endorsers not opted
# out now, nor bots, nor the person themselves, the analytics' own rule (graph/store/shown.py: an endorsement count
# shown never counts someone who opted out since the analysis)
ENDORSERS_OF = _read(
    "ENDORSERS_OF",
    f"""
    UNWIND $ids AS id
    MATCH (a:{PERSON})-[d:{ENDORSED}]->(:{PERSON} {{id: id}})
    WHERE ($skill IS NULL OR d.skill = $skill) AND NOT a.opted_out AND NOT a.bot AND a.id <> id
    RETURN id AS to_id, d.skill AS skill, d.created_at AS created_at
    """,
    ids="LIST<STRING>",
    skill="STRING",
)
SKILL_GET = _read(
    "SKILL_GET", f"MATCH (s:{SKILL} {{name: $name}}) RETURN s.name AS name, s.aliases AS aliases", name="STRING"
)
COMMUNITIES_PAGE = _read(
    "COMMUNITIES_PAGE",
    f"MATCH (c:{COMMUNITY}) WHERE c.id > $after RETURN properties(c) AS props ORDER BY c.id LIMIT $limit",
    after="STRING",
    limit="INTEGER",
)
COMMUNITY_GET = _read(
    "COMMUNITY_GET", f"MATCH (c:{COMMUNITY} {{id: $id}}) RETURN properties(c) AS props", id="STRING"
)
# From the community to its members, in a subquery the cursor's filter cannot reach: with `p.id > $after` beside the
# pattern the planner walked the person-id index in order, testing every person for membership (Expand(Into)) until
# it had a page: 1.57M db hits and 716-825 ms for any community at 100,000 people; now the largest community 387k
# db hits and 239 ms, a middle one 44 ms, the smallest 180 db hits and 27 ms (PROFILE, the 100k demo organisation)
# The total walks every membership of the community too (291k db hits, 150-180 ms for the largest): memoised per
# data version, read with each page (Neo4jReads.community_members).
COMMUNITY_MEMBERS_PAGE = _read(
    "COMMUNITY_MEMBERS_PAGE",
    f"""
    {_VERSION}
    MATCH (c:{COMMUNITY} {{id: $id}})
    CALL (c) {{
      MATCH (c)<-[:{MEMBER_OF}]-(p:{PERSON})
      WHERE p.active AND NOT p.opted_out AND NOT p.bot
      RETURN p
    }}
    WITH version, p WHERE p.id > $after
    RETURN version, properties(p) AS props, p.id AS id
    ORDER BY id
    LIMIT $limit
    """,
    id="STRING",
    after="STRING",
    limit="INTEGER",
)
# The same page for a community holding a large share of the organisation: the person-id index walked in order, each
# person tested for membership (Expand(Into)), stopping at the page's last member. It touches about limit x people /
# members persons where the page above expands every member: for the largest channel of the 100k organisation (95,000
# members) 1,442 db hits against 386,625; for one of 1,118 members it would be 84,723 against 5,024. Chosen by
# Neo4jReads.community_members from the community's last counted size (the plan only; both give the same rows).
COMMUNITY_MEMBERS_WALK = _read(
    "COMMUNITY_MEMBERS_WALK",
    f"""
    {_VERSION}
    MATCH (p:{PERSON}) USING INDEX p:{PERSON}(id)
    WHERE p.id > $after
    WITH version, p ORDER BY p.id ASC
    WHERE p.active AND NOT p.opted_out AND NOT p.bot AND EXISTS {{ (p)-[:{MEMBER_OF}]->(:{COMMUNITY} {{id: $id}}) }}
    RETURN version, properties(p) AS props, p.id AS id
    LIMIT $limit
    """,
    id="STRING",
    after="STRING",
    limit="INTEGER",
)
# the community's members and, from the count store (no walk), everyone: the walk above pays when members^2 is
# large against limit x people
COMMUNITY_MEMBERS_COUNT = _read(
    "COMMUNITY_MEMBERS_COUNT",
    f"""
    {_VERSION}
    OPTIONAL MATCH (p:{PERSON})-[:{MEMBER_OF}]->(:{COMMUNITY} {{id: $id}})
    WHERE p.active AND NOT p.opted_out AND NOT p.bot
    WITH version, count(p) AS total
    RETURN version, total, COUNT {{ (:{PERSON}) }} AS people
    """,
    id="STRING",
)
# A community's health report in one statement: the current run, its snapshots of the community (oldest first) and
# who is opted out now, to tell whether a snapshot was computed without exactly them (the index on opted_out keeps
# that a seek, not a scan of every person, on each request). No row when there is no run yet.
COMMUNITY_HEALTH = _read(
    "COMMUNITY_HEALTH",
    f"""
    {_VERSION}
    MATCH (r:{RUN} {{state: 'current'}})
    WITH version, r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (h:{HEALTH} {{gen: r.gen, community_id: $id}})
      WITH h ORDER BY h.start
      RETURN collect(properties(h)) AS rows
    }}
    RETURN version, properties(r) AS run, rows
    """,
    id="STRING",
)
# who is opted out now (a health report says when that changed since its figures were computed), memoised per data
# version: 3,000 ids at 100,000 people were read and hashed on every health request
# the communities of the people whose opt-out changed since the run (members, or authors of a post there): their
# health may count those people until the next analyze (graph/store/opt_outs.py, health_stale)
INVOLVED_COMMUNITIES = _read(
    "INVOLVED_COMMUNITIES",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})
    CALL (p) {{
      MATCH (p)-[:{MEMBER_OF}]->(c:{COMMUNITY}) RETURN c.id AS cid
      UNION
      MATCH (p)-[:{AUTHORED}]->(:{POST})-[:`{IN}`]->(c:{COMMUNITY}) RETURN c.id AS cid
    }}
    RETURN collect(DISTINCT cid) AS ids
    """,
    ids="LIST<STRING>",
)
OPTED_OUT_IDS = _read(
    "OPTED_OUT_IDS",
    f"""
    {_VERSION}
    CALL () {{
      MATCH (p:{PERSON}) WHERE p.opted_out = true
      RETURN collect(p.id) AS ids
    }}
    RETURN version, ids
    """,
)
DETECTED_GET = _read(
    "DETECTED_GET",
    f"MATCH (d:{DETECTED} {{gen: $gen}}) RETURN properties(d) AS props ORDER BY d.size DESC, d.id",
    gen="STRING",
)
# Influence rows of the current run, best first, read in the order of the influence_rank index as EXPERTS does
# (inside a subquery: at the top level the planner sorted the whole ranking): 202 db hits for the global top 10 at
# 100,000 people, where sorting its 99,693 rows took 690,000.
INFLUENCERS = _read(
    "INFLUENCERS",
    f"""
    MATCH (r:{RUN} {{state: 'current'}})
    WITH r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (i:{INFLUENCE})
      WHERE i.gen = r.gen AND i.scope = $scope AND i.scope_id = $scope_id AND i.score IS NOT NULL
      MATCH (p:{PERSON} {{id: i.person_id}})
      WHERE p.active AND NOT p.opted_out AND NOT p.bot
      WITH i, p ORDER BY i.gen DESC, i.scope DESC, i.scope_id DESC, i.score DESC, p.id ASC LIMIT $limit
      RETURN properties(p) AS props, i.score AS score
    }}
    RETURN props, score
    """,
    scope="STRING",
    scope_id="STRING",
    limit="INTEGER",
)
# nulls sort last in ascending order in Cypher, so a missing constraint comes after every known one; a person on no
# shortest path between two others (betweenness 0) connects nobody and is no broker, whatever their constraint
BROKERS = _read(
    "BROKERS",
    f"""
    MATCH (s:{SCORES} {{gen: $gen}})
    MATCH (p:{PERSON} {{id: s.person_id}})
    WHERE p.active AND NOT p.opted_out AND NOT p.bot AND s.betweenness > 0
    RETURN properties(p) AS props, properties(s) AS scores
    ORDER BY s.betweenness DESC, s.constraint ASC, p.id
    LIMIT $limit
    """,
    gen="STRING",
    limit="INTEGER",
)
# span: how many of the given communities a person touches, as a member (own) or through an INTERACTS neighbour
# (either direction, still here and not opted out) who is a member (pairs of [community id, neighbour id]); with
# two or more communities a broker must be a member of at least one of them. Ordered by span, then by the weakest
# side touched (neighbours there, plus one for being a member), then by all pairs: as the SQLite store orders them
BROKERS_SPANNING = _read(
    "BROKERS_SPANNING",
    f"""
    MATCH (s:{SCORES} {{gen: $gen}})
    MATCH (p:{PERSON} {{id: s.person_id}})
    WHERE p.active AND NOT p.opted_out AND NOT p.bot
    WITH p, s,
         COLLECT {{ MATCH (p)-[:{MEMBER_OF}]->(c:{COMMUNITY}) WHERE c.id IN $community_ids RETURN c.id }} AS own,
         COLLECT {{
             MATCH (p)-[i:{INTERACTS}]-(q:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY})
             WHERE i.gen = $gen AND c.id IN $community_ids AND q.active AND NOT q.opted_out AND q.id <> p.id
             RETURN DISTINCT [c.id, q.id]
         }} AS pairs
    WITH p, s, own, pairs,
         reduce(acc = [], cid IN own + [x IN pairs | x[0]] |
              CASE WHEN cid IN acc THEN acc ELSE acc + cid END) AS touched
    WITH p, s, own, pairs, size(touched) AS span,
         [cid IN touched | size([x IN pairs WHERE x[0] = cid]) + CASE WHEN cid IN own THEN 1 ELSE 0 END] AS strength
    WHERE span >= $min_span AND (size(own) > 0 OR $min_span < 2)
    RETURN properties(p) AS props, properties(s) AS scores, own, pairs
    ORDER BY span DESC, reduce(m = strength[0], v IN strength | CASE WHEN v < m THEN v ELSE m END) DESC,
             size(pairs) DESC, s.betweenness DESC, s.constraint ASC, p.id
    LIMIT $limit
    """,
    gen="STRING",
    community_ids="LIST<STRING>",
    min_span="INTEGER",
    limit="INTEGER",
)
REACH_NEIGHBOURS = _read(
    "REACH_NEIGHBOURS",
    f"""
    UNWIND $ids AS id
    MATCH (:{PERSON} {{id: id}})-[r:{INTERACTS} {{gen: $gen}}]-(q:{PERSON})
    WHERE q.active AND NOT q.opted_out AND q.id <> id AND (r.last_at IS NULL OR r.last_at >= $since)
    RETURN id, collect(DISTINCT q.id) AS neighbours
    """,
    ids="LIST<STRING>",
    gen="STRING",
    since="DATETIME",
)
REACH_LAST_ACTIVE = _read(
    "REACH_LAST_ACTIVE",
    f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (t:{POST} {{author_id: id}})
    WITH id, max(t.created_at) AS posted
    OPTIONAL MATCH (:{PERSON} {{id: id}})-[r:{INTERACTS} {{gen: $gen}}]->(:{PERSON})
    RETURN id, posted, max(r.last_at) AS tied
    """,
    ids="LIST<STRING>",
    gen="STRING",
)
REACH_COMMUNITIES = _read(
    "REACH_COMMUNITIES",
    f"""
    UNWIND $ids AS id
    MATCH (:{PERSON} {{id: id}})-[:{MEMBER_OF}]->(c:{COMMUNITY})
    RETURN id, collect(DISTINCT c.id) AS communities
    """,
    ids="LIST<STRING>",
)
