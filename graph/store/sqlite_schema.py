"""The embedded store's schema as numbered migrations (``PRAGMA user_version`` holds the applied number).

Every API read path has an index: experts by (skill, score), influence by (scope, score), brokers by betweenness,
people by department/location/email, members by community, interactions by either end.
"""

from __future__ import annotations

V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE person (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    title      TEXT,
    department TEXT,
    location   TEXT,
    manager_id TEXT,
    hired_on   TEXT,
    active     INTEGER NOT NULL,
    opted_out  INTEGER NOT NULL,
    bot        INTEGER NOT NULL,
    source     TEXT NOT NULL
);
CREATE INDEX person_email ON person(email) WHERE email IS NOT NULL;
CREATE INDEX person_department ON person(department);
CREATE INDEX person_location ON person(location);
CREATE INDEX person_source ON person(source, active);

CREATE TABLE skill (
    name    TEXT PRIMARY KEY,
    aliases TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;

CREATE TABLE skill_alias (
    alias TEXT NOT NULL,
    skill TEXT NOT NULL REFERENCES skill(name),
    PRIMARY KEY (alias, skill)
) WITHOUT ROWID;
CREATE INDEX skill_alias_skill ON skill_alias(skill);

CREATE TABLE community (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    source TEXT NOT NULL
) WITHOUT ROWID;

-- Posts have no secondary index and TAGGED is the space-separated ``tags`` column: no API read path reads posts
-- (they are read only by analytics, as a full scan), and each index would cost a third of bulk-load speed.
CREATE TABLE post (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    author_id    TEXT REFERENCES person(id),
    created_at   TEXT NOT NULL,
    community_id TEXT REFERENCES community(id),
    thread_id    TEXT,
    parent_id    TEXT,
    tags         TEXT NOT NULL DEFAULT '',
    score        INTEGER NOT NULL,
    accepted     INTEGER NOT NULL,
    source       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE reports_to (
    person_id  TEXT PRIMARY KEY REFERENCES person(id),
    manager_id TEXT NOT NULL REFERENCES person(id)
) WITHOUT ROWID;
CREATE INDEX reports_to_manager ON reports_to(manager_id);

CREATE TABLE has_skill (
    person_id   TEXT NOT NULL REFERENCES person(id),
    skill       TEXT NOT NULL REFERENCES skill(name),
    level       INTEGER,
    source      TEXT NOT NULL,
    declared_at TEXT,
    PRIMARY KEY (person_id, skill)
) WITHOUT ROWID;
CREATE INDEX has_skill_skill ON has_skill(skill);

CREATE TABLE member_of (
    person_id    TEXT NOT NULL REFERENCES person(id),
    community_id TEXT NOT NULL REFERENCES community(id),
    since        TEXT,
    role         TEXT NOT NULL,
    PRIMARY KEY (person_id, community_id)
) WITHOUT ROWID;
CREATE INDEX member_of_community ON member_of(community_id, person_id);

CREATE TABLE endorsed (
    from_id    TEXT NOT NULL REFERENCES person(id),
    to_id      TEXT NOT NULL REFERENCES person(id),
    skill      TEXT NOT NULL REFERENCES skill(name),
    created_at TEXT,
    PRIMARY KEY (from_id, to_id, skill)
) WITHOUT ROWID;
CREATE INDEX endorsed_to ON endorsed(to_id, skill);

-- written by analytics, replaced as a whole by each run
CREATE TABLE analytics_run (
    id          TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    stats       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE interacts (
    source_id TEXT NOT NULL REFERENCES person(id),
    target_id TEXT NOT NULL REFERENCES person(id),
    weight    REAL NOT NULL,
    count     INTEGER NOT NULL,
    last_at   TEXT,
    PRIMARY KEY (source_id, target_id)
) WITHOUT ROWID;
CREATE INDEX interacts_target ON interacts(target_id, source_id);

CREATE TABLE expert_in (
    skill          TEXT NOT NULL REFERENCES skill(name),
    person_id      TEXT NOT NULL REFERENCES person(id),
    score          REAL NOT NULL,
    evidence       TEXT NOT NULL,
    expertise_rank REAL NOT NULL,
    last_active    TEXT,
    PRIMARY KEY (skill, person_id)
) WITHOUT ROWID;
CREATE INDEX expert_in_rank ON expert_in(skill, score DESC, person_id);
CREATE INDEX expert_in_person ON expert_in(person_id);

CREATE TABLE person_score (
    person_id      TEXT PRIMARY KEY REFERENCES person(id),
    pagerank       REAL NOT NULL,
    degree         REAL NOT NULL,
    betweenness    REAL NOT NULL,
    "constraint"   REAL,
    effective_size REAL,
    participation  REAL NOT NULL,
    within_z       REAL NOT NULL,
    role           TEXT,
    articulation   INTEGER NOT NULL,
    community      TEXT
) WITHOUT ROWID;
CREATE INDEX person_score_betweenness ON person_score(betweenness DESC, person_id);

CREATE TABLE influence (
    scope     TEXT NOT NULL,
    scope_id  TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES person(id),
    score     REAL NOT NULL,
    PRIMARY KEY (scope, scope_id, person_id)
) WITHOUT ROWID;
CREATE INDEX influence_rank ON influence(scope, scope_id, score DESC, person_id);

CREATE TABLE detected_community (
    id       TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    declared TEXT NOT NULL,
    skills   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE community_health (
    community_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    start        TEXT NOT NULL,
    figures      TEXT NOT NULL,
    PRIMARY KEY (community_id, period, start)
) WITHOUT ROWID;
"""

# The web pages read posts by author (a person's activity by week) and by community (its leaderboard): without
# these, each page view would scan every post. They cost some bulk-load speed; reads would otherwise cost seconds.
V2 = """
CREATE INDEX post_author ON post(author_id, created_at) WHERE author_id IS NOT NULL;
CREATE INDEX post_community ON post(community_id, created_at) WHERE community_id IS NOT NULL;
"""

# ENGAGED (issue 12.7): reactions, likes, mentions and edits of posts (Teams, SharePoint)
V3 = """
CREATE TABLE engaged (
    person_id  TEXT NOT NULL REFERENCES person(id),
    post_id    TEXT NOT NULL REFERENCES post(id),
    kind       TEXT NOT NULL,
    created_at TEXT,
    PRIMARY KEY (person_id, post_id, kind)
) WITHOUT ROWID;
CREATE INDEX engaged_post ON engaged(post_id, person_id);
"""

# a question's title: the words routing reads beside its tags (issue 10.2)
V4 = """
ALTER TABLE post ADD COLUMN title TEXT;
"""

# a person's own choice to be hidden, apart from the source's opted_out (graph/store/visibility.py): one row per
# person who chose it, holding what their source said at the last write
V5 = """
CREATE TABLE person_choice (
    person_id        TEXT PRIMARY KEY REFERENCES person(id),
    source_opted_out INTEGER NOT NULL,
    chosen_at        TEXT NOT NULL
) WITHOUT ROWID;
"""

# web sessions signed out before they expire (graph/store/sessions.py): read by key on every page request, pruned by
# ``until`` on every write
V6 = """
CREATE TABLE session_revocation (
    key           TEXT PRIMARY KEY,
    issued_before TEXT NOT NULL,
    until         TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_revocation_until ON session_revocation(until);
"""

# the forum source whose export holds an endorsement (graph/store/source_facts.py): a full re-import of that
# source takes back the ones it no longer holds. Rows written before keep NULL: of unknown source, never taken back.
# No index: only a full re-import reads by it, once, as it reads posts by source (no index either).
V7 = """
ALTER TABLE endorsed ADD COLUMN source TEXT;
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5, V6, V7)
LATEST = len(MIGRATIONS)

__all__ = ["LATEST", "MIGRATIONS"]
