"""The GraphStore protocol: what ingest writes, what analytics reads and writes, what the API reads.

Every implementation (embedded SQLite, Neo4j) passes the same contract suite in ``tests/contract``.

Rules every implementation follows:
- Upserts are idempotent on the record's stable key; a second write of the same key overwrites its fields.
  Each batch is deduplicated per key in Python first (:func:`dedupe`): the last version of a key wins.
- ``write_batch`` is atomic: a reader, or a run killed part-way, sees all of a batch or none of it.
- ``write_analytics`` replaces every analytics result in one step: readers see the old run or the new one.
- Person-returning reads never return opted-out people; directory reads (experts, influencers, brokers, seeds)
  also leave out inactive people (leavers). ``people(ids)`` returns inactive people, flagged.
- Closed or unreachable: every call raises :class:`schema.errors.StoreUnavailable`; ``reopen()`` reconnects.

Method semantics (the contract suite checks them):
- Writes: posts, skill claims and endorsements create missing Skill nodes for their tags/skills (no aliases).
  A post's author and community, a membership's, skill claim's, endorsement's and report's people and
  community must exist (earlier or in the same batch), else StoreError naming the missing keys (the first five
  by code point, as Python sorts). A post's parent and thread need not exist yet (answers may arrive before their
  question).
- ``deactivate_missing(source, keep)``: active people of ``source`` not in ``keep`` become inactive; returns
  their ids, sorted. ``remove_reports_to(ids)``: the REPORTS_TO edges of those people are deleted (a later export
  says they have no manager); ``remove_skill_claims(source, keep)``: for each person in ``keep`` (id -> canonical
  skill names), their HAS_SKILL of that ``source`` whose skill is not listed are deleted, other sources and people
  untouched. Both return what went (sorted ids; sorted (person id, skill) pairs); ``dry_run=True`` writes nothing
  and returns what would go. ``retract_source(source, keep)`` (a forum export that is the whole of its source):
  the posts of ``source``, memberships of its communities, engagements of its posts and endorsements whose
  ``source`` it is that ``keep`` does not hold are deleted (an endorsement of no source stays), then the people
  of ``source`` nothing names any more, with their analytics rows (graph/store/source_facts.py).
  ``merge_people(moves)`` (old id -> new id, both stored): the old person's posts, memberships, engagements and
  endorsements (both ends; none of oneself; an endorsement keeps its source) move to the new one (the new one's
  own row of a key stays), then the old ones nothing names any more (nor a choice of theirs) are deleted with
  their analytics rows; returns those ids, sorted.
  ``person_ids(source)`` includes inactive and opted-out people. ``email_index()`` maps
  case-folded email -> person id for every person with an email (records sharing an address: an active one
  first, then the lowest id, so a rehire's forum accounts and sign-ins meet the current record).
  ``reporting_lines()`` maps person id -> manager id for every stored REPORTS_TO (an HR import settles its lines
  against them: kept lines, cycles across files).
- ``experts(skill)``: EXPERT_IN rows of the canonical ``skill``, active, not opted-out, not bots, filtered by
  department/location compared folded (``schema.facets``: case, spacing, Unicode form, accents; every stored spelling
  that folds alike matches; a job title: every stored title holding its folded words in a row), ordered by
  score DESC then person id ASC; keyset cursor from ``encode_cursor``;
  ``total`` counts all matches of the filters; ``next_cursor`` None on the last page; ``first`` in 1..100.
- ``skills(prefix)``: listed skills whose name or an alias starts with the canonicalised prefix, by name; no
  prefix: all listed ones; ``all_skills()`` and ``skill(name)`` list the same. A skill is listed while someone not
  opted out gives it (graph/store/shown.py): claims it, holds EXPERT_IN on it in the current run, is endorsed on it
  by someone not opted out, or a post tagged with it has an author not opted out (or none); a Skill node nobody
  gives (only an opted-out person's, or only a tag catalogue's) is listed by none of them, from the opt-out on.
- ``experts`` and ``person_expertise``: an ENDORSEMENTS evidence counts at most the endorsers not opted out, not
  bots and not the person now (the analytics' rule), dated by the latest of them not after its stored date; it is
  left out when none is left (graph/store/shown.py). Scores stay as the last run computed them.
- ``communities``: declared communities by id; ``community_members``: active, not opted-out, not bot members (a
  leaver is no longer a member, as in community_sizes), by person id, cursor = person id.
- ``community_health(id)``: the current snapshot and the weekly ones, oldest first, of the last run, built with
  ``opt_outs.health_report`` from the last run's stats and the ids of the people opted out now, read in one
  snapshot.
- ``influencers(skill|community_id|neither)``: InfluenceScore of that scope (skill / community / global), by
  score DESC then id; active, not opted-out, not bots. Both given: BadInput.
- ``brokers(first, community_ids)``: people with PersonScores, by betweenness DESC, then constraint ASC
  (None last), then id. With ``community_ids``: only people who touch at least min(2, len(ids)) of them
  (member of it, or an INTERACTS neighbour who is a member), ordered by that span DESC first, then by the
  ties summed over the asked communities DESC.
  Each hit's ``sides`` say, per asked community, whether the person is a member and how many of its members
  they interact with. With two or more ids a hit must be a member of at least one of them (someone in neither
  community does not connect them, however many neighbours they have there).
- Page reads (active, not opted-out, not bot people only): ``directory_facets()`` the distinct departments,
  locations and job titles (keys department, location, title), sorted; ``people_titled(title, first, after,
  department, location)`` the people whose title matches as ``experts`` matches it, by id, cursor = person id;
  ``community_sizes(ids=None)`` members per community (communities without such members absent);
  ``community_departments(id)`` members per department (None: no department);
  ``community_contributors(id, first, since)`` people by posts in it (created_at >= since) DESC, then accepted
  DESC, then id; ``person_activity(id, since)`` posts per (ISO week Monday, kind, source), in that order, empty for
  an opted-out person; ``interactions_among(ids)`` INTERACTS pairs with both ends in ``ids``, each unordered
  pair once as (smaller id, larger id, summed weight), sorted.
- ``reach(ids)``: INTERACTS neighbours in either direction (not opted-out) and MEMBER_OF communities.
- ``introduction_path(a, b, max_hops)``: a shortest path over INTERACTS and REPORTS_TO taken in either
  direction, through active, not opted-out people; [a, ..., b] inclusive; [a] when a == b; None when either
  end is unknown or opted-out, or no path has at most ``max_hops`` edges. Ties broken by smallest ids.
- ``visibility(id)`` / ``choose_visibility(id, hidden, at, former)``: a person's own choice to be hidden, apart from the
  source's ``opted_out``; every write of people folds a recorded choice into ``opted_out`` (a re-import never
  undoes it), and withdrawing the choice restores the source's latest value (graph/store/visibility.py).
- ``revoke_session(revocation, now)`` / ``session_revoked(keys, issued_at, now)``: web sessions signed out before
  they expire, by session id or by subject (graph/store/sessions.py), honoured by every instance sharing the store;
  each write prunes expired ones, and neither changes the data version.
- ``counts()``: keys people, active_people, opted_out (hidden_by_choice of them by their own choice), skills,
  communities, posts, memberships, skill_claims, endorsements, engagements, reports_to, interactions, expertise,
  scored_people.
- ``dump()`` (StoreInspection): every stored fact as sorted tuples per table/kind, for comparing two stores in tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from graph.store.paging import MAX_PAGE, check_page_size, decode_cursor, decode_id_cursor, encode_cursor
from graph.store.projection_rows import (
    AnalyticsSnapshot,
    EndorsementRow,
    EngagementRow,
    MembershipRow,
    PersonRow,
    PostRow,
    Projection,
    SkillClaimRow,
)
from graph.store.sessions import Revocation
from graph.store.source_facts import SourceKeep, SourceRetraction
from graph.store.visibility import Visibility
from schema.errors import SchemaError
from schema.models import (
    AnalyticsRun,
    Community,
    CommunityHealth,
    Endorsement,
    Engagement,
    Evidence,
    ExpertIn,
    HasSkill,
    MemberOf,
    Person,
    PersonScores,
    Post,
    ReportsTo,
    Skill,
)
from schema.numbers import INT64_MAX, INT64_MIN

T = TypeVar("T")


# --- write side ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """One atomic unit of ingest: records of every kind, written nodes first, then relationships."""

    people: Sequence[Person] = ()
    skills: Sequence[Skill] = ()
    communities: Sequence[Community] = ()
    posts: Sequence[Post] = ()
    reports_to: Sequence[ReportsTo] = ()
    has_skill: Sequence[HasSkill] = ()
    memberships: Sequence[MemberOf] = ()
    endorsements: Sequence[Endorsement] = ()
    engagements: Sequence[Engagement] = ()
    # ingest bookkeeping written in the same transaction (e.g. a resume checkpoint)
    meta: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(
            len(x)
            for x in (
                self.people, self.skills, self.communities, self.posts,
                self.reports_to, self.has_skill, self.memberships, self.endorsements, self.engagements,
            )
        )


@dataclass
class WriteResult:
    """Counts per record kind: inserted (new key), updated (key existed, a field changed), unchanged."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, inserted: int, updated: int, unchanged: int) -> None:
        self.inserted[kind] = self.inserted.get(kind, 0) + inserted
        self.updated[kind] = self.updated.get(kind, 0) + updated
        self.unchanged[kind] = self.unchanged.get(kind, 0) + unchanged

    def merge(self, other: WriteResult) -> WriteResult:
        for kind in set(other.inserted) | set(other.updated) | set(other.unchanged):
            self.add(
                kind,
                other.inserted.get(kind, 0),
                other.updated.get(kind, 0),
                other.unchanged.get(kind, 0),
            )
        return self

    @property
    def total_inserted(self) -> int:
        return sum(self.inserted.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())


# keys by which each record kind is deduplicated and upserted
RECORD_KEYS: dict[type, Callable[[object], Hashable]] = {
    Person: lambda r: r.id,  # type: ignore[attr-defined]
    Skill: lambda r: r.name,  # type: ignore[attr-defined]
    Community: lambda r: r.id,  # type: ignore[attr-defined]
    Post: lambda r: r.id,  # type: ignore[attr-defined]
    ReportsTo: lambda r: r.person_id,  # type: ignore[attr-defined]  # one manager per person
    HasSkill: lambda r: (r.person_id, r.skill),  # type: ignore[attr-defined]
    MemberOf: lambda r: (r.person_id, r.community_id),  # type: ignore[attr-defined]
    Endorsement: lambda r: (r.from_id, r.to_id, r.skill),  # type: ignore[attr-defined]
    Engagement: lambda r: (r.person_id, r.post_id, r.kind),  # type: ignore[attr-defined]
}


def dedupe(rows: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """One row per key, the last version winning, in first-seen key order.

    >>> dedupe([("a", 1), ("b", 2), ("a", 3)], key=lambda r: r[0])
    [('a', 3), ('b', 2)]
    """
    out: dict[Hashable, T] = {}
    for row in rows:
        out[key(row)] = row
    return list(out.values())


def dedupe_skills(rows: Iterable[Skill]) -> list[Skill]:
    """Skills merge their alias sets rather than the last one winning."""
    merged: dict[str, set[str]] = {}
    for s in rows:
        merged.setdefault(s.name, set()).update(s.aliases)
    return [Skill(name=n, aliases=tuple(sorted(a))) for n, a in merged.items()]


# --- read side -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # None on the last page
    total: int


@dataclass(frozen=True)
class ExpertHit:
    person: Person
    skill: str
    score: float
    evidence: tuple[Evidence, ...]
    cursor: str
    rank: int  # place in the whole ranking under the same filters; equal scores share it ("1, 1, 3")


@dataclass(frozen=True)
class RankedPerson:
    person: Person
    score: float
    rank: int


@dataclass(frozen=True)
class BridgeSide:
    """How a broker touches one of the communities asked about: a member of it, and/or in conversation with
    ``ties`` of its members (distinct INTERACTS neighbours, either direction, other than the broker, who are still
    here and not opted out: a leaver is no way into a community now)."""

    community_id: str
    member: bool
    ties: int


@dataclass(frozen=True)
class BrokerHit:
    person: Person
    scores: PersonScores
    rank: int
    sides: tuple[BridgeSide, ...] = ()  # one per community asked about, in the order of the sorted ids


@dataclass(frozen=True)
class Contributor:
    """One person's posts in a community since a date (a forum leaderboard row)."""

    person: Person
    posts: int
    answers: int  # answers, replies and comments: posts that help someone else's thread
    accepted: int
    last_at: datetime | None


@dataclass(frozen=True)
class WeekCount:
    """Posts of one kind from one source by one person in one ISO week (``week`` is its Monday). ``source`` is the
    posts' (``Post.source``, "slack", "stackexchange/bicycles"): the person page words a chat's top-level posts as
    messages, not questions."""

    week: date
    kind: str
    posts: int
    source: str = ""


@dataclass(frozen=True)
class HealthReport:
    current: CommunityHealth | None
    weekly: list[CommunityHealth]  # oldest first
    # True when someone who opted out, or back in, since the snapshot was computed is a member of this community or
    # posted in it (every community, when the run cannot say who: it predates the id list, or the check): its
    # figures may count an opted-out person's activity or membership, so readers withhold them until the next analyze.
    opted_out_changed: bool = False


@dataclass(frozen=True)
class Reach:
    """Who and what a person reaches directly: interaction neighbours and communities (for seeding).

    ``neighbours``: people still here (active in HR) and not opted out; a former colleague is reached no more, though
    the ties with them stay in historical figures (community health, degree "at any time").

    ``last_active``: the person's latest own act in the store (a post of any kind, or a tie they made: an answer,
    reply, endorsement, reaction, mention or edit); None when there is no dated one. Ties made to them (someone
    answering their old question) are not theirs, so they do not count.
    """

    neighbours: frozenset[str]
    communities: frozenset[str]
    last_active: datetime | None = None


def dump_rows(records: Iterable[Any]) -> list[tuple]:
    """Records as sorted tuples of their JSON-mode field values: the shape of ``StoreInspection.dump()``."""
    rows = [tuple(r.model_dump(mode="json").values()) for r in records]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


# --- the protocol ----------------------------------------------------------------------------------


@runtime_checkable
class GraphStore(Protocol):
    """What ingest, analytics and the API call on a store, and nothing else. See the module docstring for the rules.

    Tests write through ``write_batch`` like ingest does, and inspect a store through :class:`StoreInspection`.
    """

    url: str

    # lifecycle
    def close(self) -> None: ...
    def reopen(self) -> None: ...
    def ping(self) -> None: ...

    # ingest
    def write_batch(self, batch: Batch) -> WriteResult: ...
    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]: ...
    def remove_reports_to(self, person_ids: Iterable[str], *, dry_run: bool = False) -> list[str]: ...
    def remove_skill_claims(
        self, source: str, keep: Mapping[str, Iterable[str]], *, dry_run: bool = False
    ) -> list[tuple[str, str]]: ...
    def retract_source(self, source: str, keep: SourceKeep, *, dry_run: bool = False) -> SourceRetraction: ...
    def merge_people(self, moves: Mapping[str, str]) -> list[str]: ...
    def person_ids(self, source: str | None = None) -> set[str]: ...
    def email_index(self) -> dict[str, str]: ...
    def stored_people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        """People as stored, opted-out ones included (for ingest only: never an answer to a user)."""
    def reporting_lines(self) -> dict[str, str]: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str | None) -> None: ...

    # a person's own choice to be hidden (graph/store/visibility.py): kept apart from what their source says
    def visibility(self, person_id: str) -> Visibility | None: ...
    def choose_visibility(self, person_id: str, hidden: bool, at: datetime, former: Sequence[str] = ()
                          ) -> Visibility | None:
        """Record (``hidden``) or withdraw a person's own choice, and the same on their ``former`` records
        (:meth:`former_records`), in one transaction that bumps the data version (none when there is nothing to
        change): a choice answered done is whole, one refused (StoreBusy) changed nothing. The person's new
        visibility, or None for an unknown person (then nothing is written)."""
    def former_records(self, person_id: str) -> list[str]:
        """Ids of the inactive people who share ``person_id``'s email address (a rehire's earlier records), sorted;
        [] for an unknown person or one without an address. A choice made on the current record covers them."""

    # web sessions signed out before they expire (graph/store/sessions.py): not graph data, so no data-version bump
    def revoke_session(self, revocation: Revocation, now: datetime) -> int:
        """Record ``revocation`` (a key revoked before keeps the later ``issued_before`` and ``until`` of the two),
        then delete up to ``PRUNE_BATCH`` revocations whose ``until`` is not after ``now``, in one transaction;
        returns how many it deleted."""
    def session_revoked(self, keys: Sequence[str], issued_at: datetime, now: datetime) -> bool:
        """Whether a revocation of one of ``keys`` still kept at ``now`` (``until`` after it) covers a session
        issued at ``issued_at`` (``issued_before`` after it): one indexed lookup per key."""

    # analytics
    def read_projection(self) -> Projection: ...
    def write_analytics(self, snapshot: AnalyticsSnapshot) -> None: ...
    def last_run(self) -> AnalyticsRun | None: ...

    # API reads
    def people(self, person_ids: Sequence[str]) -> dict[str, Person]: ...
    def person_scores(self, person_ids: Sequence[str]) -> dict[str, PersonScores]: ...
    def person_skills(self, person_ids: Sequence[str]) -> dict[str, list[HasSkill]]: ...
    def person_expertise(self, person_ids: Sequence[str]) -> dict[str, list[ExpertIn]]: ...
    def memberships(self, person_ids: Sequence[str]) -> dict[str, list[Community]]: ...
    def experts(
        self,
        skill: str,
        first: int = 10,
        after: str | None = None,
        department: str | None = None,
        location: str | None = None,
        title: str | None = None,
    ) -> Page[ExpertHit]: ...
    def skills(self, prefix: str | None = None, first: int = 20) -> list[Skill]: ...
    def all_skills(self) -> list[Skill]: ...
    def skill(self, name: str) -> Skill | None: ...
    def communities(self, first: int = 50, after: str | None = None) -> list[Community]: ...
    def community(self, community_id: str) -> Community | None: ...
    def community_members(self, community_id: str, first: int = 50, after: str | None = None) -> Page[Person]: ...
    def community_health(self, community_id: str) -> HealthReport: ...
    def influencers(
        self, skill: str | None = None, community_id: str | None = None, first: int = 10
    ) -> list[RankedPerson]: ...
    def brokers(self, first: int = 10, community_ids: Sequence[str] | None = None) -> list[BrokerHit]: ...
    def reach(self, person_ids: Sequence[str], since: datetime | None = None) -> dict[str, Reach]:
        """Each person's reach (neighbours who are still here and not opted out); ``since``: only through
        interaction ties whose latest event is at or after it (an undated tie counts, as the projection weighs it as
        new)."""
    def introduction_path(self, from_id: str, to_id: str, max_hops: int = 4) -> list[Person] | None: ...

    # web page reads
    def directory_facets(self) -> dict[str, list[str]]: ...
    def people_named(self, text: str, first: int = 10) -> list[Person]: ...
    def people_titled(self, title: str, first: int = 10, after: str | None = None, department: str | None = None,
                      location: str | None = None) -> Page[Person]: ...
    def community_sizes(self, community_ids: Sequence[str] | None = None) -> dict[str, int]: ...
    def community_departments(self, community_id: str) -> dict[str | None, int]: ...
    def community_contributors(
        self, community_id: str, first: int = 10, since: datetime | None = None
    ) -> list[Contributor]: ...
    def person_activity(self, person_id: str, since: date | None = None) -> list[WeekCount]: ...
    def interactions_among(self, person_ids: Sequence[str]) -> list[tuple[str, str, float]]: ...

    # the CLI's store status and start-up summary
    def counts(self) -> dict[str, int]: ...


@runtime_checkable
class StoreInspection(Protocol):
    """Every stored fact, for tests that compare two stores' states (parity, reopen, idempotence); both stores
    implement it, nothing in ingest, analytics, the API or the CLI calls it."""

    def dump(self) -> dict[str, list[tuple]]: ...



def check_ranges(batch: Batch) -> None:
    """Refuse, before anything is written, a batch holding an integer no store can hold (SQLite and Neo4j both
    keep signed 64-bit integers; their drivers would fail mid-transaction with OverflowError or ValueError).
    Ingest rejects such rows where it parses them; this is the store's own guard for any other writer."""
    for p in batch.posts:
        score = p.score
        if not INT64_MIN <= score <= INT64_MAX:
            shown = str(score) if abs(score) < 10**24 else f"a {len(str(abs(score)))}-digit number"
            raise SchemaError(f"post {p.id}: score {shown} is outside the signed 64-bit range the store holds; "
                              "nothing of this batch was written")

__all__ = [
    "check_ranges",
    "MAX_PAGE",
    "RECORD_KEYS",
    "AnalyticsSnapshot",
    "Batch",
    "BridgeSide",
    "BrokerHit",
    "Contributor",
    "EndorsementRow",
    "EngagementRow",
    "ExpertHit",
    "GraphStore",
    "HealthReport",
    "MembershipRow",
    "Page",
    "PersonRow",
    "PostRow",
    "Projection",
    "RankedPerson",
    "Reach",
    "SkillClaimRow",
    "StoreInspection",
    "WeekCount",
    "WriteResult",
    "check_page_size",
    "decode_cursor",
    "decode_id_cursor",
    "dedupe",
    "dedupe_skills",
    "dump_rows",
    "encode_cursor",
]
