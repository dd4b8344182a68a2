"""The GraphQL schema: the queries and the mutation of DESIGN.md, with their roles, privacy rules and limits.

Resolvers are thin: validate arguments, check the role, make one store call through the gateway (or the
request's DataLoaders), and wrap the records with ``from_domain()``. Privacy filtering of opted-out people
happens in the store (its contract); the API adds a second guard on every person it returns.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from app.auth import Role
from app.clock import data_clock
from app.graphql import rankings
from app.graphql.documents import Documents, UsePrepared
from app.graphql.leaves import LeafExecutionContext
from app.graphql.limits import hops, limits, node_id, page_size
from app.graphql.routing_types import QuestionInput, QuestionRouting, RoutedExpert
from app.graphql.seed_types import SeedPlan, seed_plan
from app.graphql.seeds import recent_window
from app.graphql.services import Services, SkillIndex
from app.graphql.types import (
    AnalyticsRun,
    Broker,
    Community,
    Evidence,
    ExpertConnection,
    Info,
    Measure,
    Person,
    RankedPerson,
    Skill,
    SkillArg,
)
from app.graphql.visibility import Visibility, my_visibility, set_my_visibility
from app.settings import Settings
from graph.expert_routing import title_skills
from graph.store import base
from graph.store.base import GraphStore
from graph.store.common import shared_ranks
from graph.store.paging import MAX_PAGE
from schema import models
from schema.errors import BadInput, NotFound, SchemaError, WhoknowsError
from schema.skills import canonical_skill
from schema.understand import MIN_TYPO_LEN, understand

log = logging.getLogger("whoknows.graphql")

SEED_FETCH = 100  # experts read to choose the seed pool from (app/graphql/seeds.py)
MAX_QUESTION_SKILLS = 20
MAX_TITLE = 500
NO_KNOWN_SKILL = "the question names no known skill: give skills, or a title with skill names"
PUBLIC_CODES = frozenset(
    {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "STORE_UNAVAILABLE", "STORE_BUSY",
     "TIMEOUT"}
)


# --- app-wide helpers --------------------------------------------------------------------------------


def _canonical(skill: str) -> str:
    try:
        return canonical_skill(skill)
    except SchemaError as exc:
        raise BadInput(f"skill {skill[:80]!r}: {exc}") from exc


async def _known_skill_or_404(info: Info, raw: str, canon: str) -> None:
    """NOT_FOUND, with what was likely meant, when a skill does not exist at all: the skills the words name
    ("kubernetes in Berlin", "react 18") and the ones a word is a letter or two from ("pyhton"). Before, the
    suggestions were the best partial-string matches, so "the" offered terraform and "who knows" offered aws."""
    if await info.context.gateway.skill(canon) is not None:
        return
    index = info.context.services.skill_index
    await index.refresh(info.context.gateway)
    read = understand(raw, index.vocabulary)
    suggestions = list(dict.fromkeys([*read.skills, *(c.meant for c in read.typos)]))[:3]
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise NotFound(f"no skill named {raw[:80]!r}{hint}")


def _visible(people: Sequence[Any], get: Any = lambda x: x.person) -> list[Any]:
    """Second guard behind the store's contract: never return an opted-out person."""
    return [x for x in people if not get(x).opted_out]


# --- queries -----------------------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="People who know a skill, best first, with the evidence (employee).")
    async def experts(
        self,
        info: Info,
        skill: SkillArg,
        first: int = 10,
        after: str | None = None,
        department: str | None = None,
        location: str | None = None,
        title: Annotated[str | None, strawberry.argument(
            description="Only people whose job title holds these words in a row, case and accents aside "
            "(\"site reliability engineer\" is also \"Senior Site Reliability Engineer\")")] = None,
    ) -> ExpertConnection:
        page_size(first, info.context.settings.max_page)
        canon = _canonical(skill)
        page = await info.context.gateway.experts(
            canon, first=first, after=after, department=department, location=location, title=title
        )
        if page.total == 0 and after is None:
            await _known_skill_or_404(info, skill, canon)
        if any(h.person.opted_out for h in page.items):
            page = base.Page(items=_visible(page.items), next_cursor=page.next_cursor, total=page.total)
        return ExpertConnection.from_domain(canon, page, {"department": department, "location": location})

    my_visibility: Visibility | None = strawberry.field(
        resolver=my_visibility,
        description="Whether you (the token's subject, as a person id) are hidden from whoknows, and why; null when "
        "your token names no person (employee).",
    )

    @strawberry.field(description="One person by id; null when unknown or opted out (employee; scores: analyst).")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        found = await info.context.loaders.people.load(node_id(id))
        return Person.from_domain(found) if found is not None and not found.opted_out else None

    @strawberry.field(description="Skills by prefix of name or alias, then by fuzzy match; all when no query.")
    async def skills(self, info: Info, query: str | None = None, first: int = 20) -> list[Skill]:
        page_size(first, info.context.settings.max_page)
        gw = info.context.gateway
        if query is None or not query.strip():
            return [Skill.from_domain(s) for s in await gw.skills(None, first=first)]
        out: dict[str, Skill] = {}
        try:
            canon: str | None = canonical_skill(query)
        except SchemaError:
            canon = None
        if canon is not None:
            exact = await gw.skill(canon)
            if exact is not None:
                out[exact.name] = Skill.from_domain(exact, match="exact", similarity=100.0)
        for s in await gw.skills(query, first=first):
            out.setdefault(s.name, Skill.from_domain(s, match="prefix"))
        if len(out) < first and len(query.strip()) >= MIN_TYPO_LEN:  # "tea" is no typo of theodolite
            index = info.context.services.skill_index
            await index.refresh(gw)
            for s, sim in index.fuzzy(canon or query.strip().casefold(), first):
                out.setdefault(s.name, Skill.from_domain(s, match="fuzzy", similarity=sim))
        return list(out.values())[:first]

    @strawberry.field(description="Declared communities by id (employee); `after`: the id of the last community of "
                                  "the page before (any other string: BAD_USER_INPUT \"invalid cursor\").")
    async def communities(self, info: Info, first: int = 50, after: str | None = None) -> list[Community]:
        page_size(first, info.context.settings.max_page)
        rows = await info.context.gateway.communities(first=first, after=after)
        return [Community.from_domain(c) for c in rows]

    @strawberry.field(description="One community; its health needs the analyst role.")
    async def community(self, info: Info, id: strawberry.ID) -> Community | None:
        found = await info.context.gateway.community(node_id(id))
        return Community.from_domain(found) if found is not None else None

    @strawberry.field(description="Most influential people, globally, on a skill or in a community, each with "
                                  "evidence and a one-line explanation; score: personalised PageRank (analyst).")
    async def influencers(
        self, info: Info, skill: str | None = None, community_id: strawberry.ID | None = None, first: int = 10
    ) -> list[RankedPerson]:
        info.context.require(Role.ANALYST, "influencers")
        page_size(first, info.context.settings.max_page)
        if skill is not None and community_id is not None:
            raise BadInput("give skill or communityId, not both")
        canon = _canonical(skill) if skill is not None else None
        cid = node_id(community_id, "communityId") if community_id is not None else None
        # one more than asked, to tell whether the last one shown shares its rank with the next
        rows = await info.context.gateway.influencers(skill=canon, community_id=cid, first=min(first + 1, MAX_PAGE))
        shared = Counter(r.rank for r in rows)
        rows = rows[:first]
        if not rows:
            if canon is not None:
                await _known_skill_or_404(info, skill or "", canon)
            elif cid is not None and await info.context.gateway.community(cid) is None:
                raise NotFound(f"no community {cid!r}")
        tied = {k for k, n in shared.items() if n > 1}
        return await _explained_influencers(info, _visible(rows), canon, cid, tied)

    @strawberry.field(description="Brokers: who bridges groups (betweenness, constraint; people on no shortest "
                                  "path between others are none), optionally between "
                                  "given communities: then only members of at least one who touch at least two "
                                  "(as members or through ties to members), each with the sides it connects and "
                                  "why (analyst).")
    async def bridges(
        self, info: Info, first: int = 10, community_ids: list[strawberry.ID] | None = None
    ) -> list[Broker]:
        info.context.require(Role.ANALYST, "bridges")
        page_size(first, info.context.settings.max_page)
        ids = None
        if community_ids is not None:
            if len(community_ids) > info.context.settings.max_page:
                raise BadInput(f"at most {info.context.settings.max_page} communityIds")
            ids = sorted({node_id(c, "communityIds") for c in community_ids})
        # the ids first (a lookup each): an unknown one used to be NOT_FOUND only after the walk of every tie of the
        # others' members (1.5 s on the demo)
        names: dict[str, str] = {}
        for c in ids or []:
            found = await info.context.gateway.community(c)
            if found is None:
                raise NotFound(f"no community {c!r}")
            names[c] = found.name
        # one more than asked, to tell whether the last one shown shares its rank with the next
        rows = await info.context.gateway.brokers(first=min(first + 1, MAX_PAGE), community_ids=ids)
        shared = Counter(r.rank for r in rows)
        rows = rows[:first]
        return [Broker.from_domain(b, names, tied=shared[b.rank] > 1) for b in _visible(rows)]

    @strawberry.field(description="People ranked for a whole question (several skills, and title words naming "
                                  "skills), each with the question's skills they cover and on what evidence "
                                  "(employee). The asking user is never suggested.")
    async def experts_for(
        self,
        info: Info,
        question: QuestionInput,
        first: int = 10,
        department: str | None = None,
        location: str | None = None,
    ) -> QuestionRouting:
        page_size(first, info.context.settings.max_page)
        if len(question.skills) > MAX_QUESTION_SKILLS:
            raise BadInput(f"a question has at most {MAX_QUESTION_SKILLS} skills, got {len(question.skills)}")
        title = question.title or ""
        if len(title) > MAX_TITLE:
            raise BadInput(f"the title has at most {MAX_TITLE} characters, got {len(title)}")
        given = list(dict.fromkeys(_canonical(sk) for sk in question.skills))
        index = info.context.services.skill_index
        await index.refresh(info.context.gateway)
        known = [sk for sk in given if sk in index.skills or await info.context.gateway.skill(sk) is not None]
        # the title's words as the pages read them too: three-word names ("amazon web services"), names typed
        # without their hyphen ("datascience") or split ("kube rnetes"), after the one- and two-word phrases
        named = [*title_skills(title, index.names), *understand(title, index.vocabulary).skills]
        from_title = [sk for sk in dict.fromkeys(named) if sk not in given]
        skills = known + from_title
        if not skills:
            if given:
                await _known_skill_or_404(info, question.skills[0], given[0])
            raise BadInput(NO_KNOWN_SKILL)
        hits = await info.context.gateway.route_question(
            skills, first=first, asker=info.context.principal.sub, department=department, location=location,
            title=title or None,
        )
        shown = _visible(hits, get=lambda x: x[1])
        # equal scores share a place, as in every ranking: the scores as served (six places), which a reader compares
        ranks = shared_ranks([(round(h.score, 6),) for h, _ in shown])
        return QuestionRouting(
            skills=skills, unknown_skills=[sk for sk in given if sk not in known],
            experts=[RoutedExpert.from_domain(k, h, p, skills) for k, (h, p) in zip(ranks, shown, strict=True)],
            filters={"department": department, "location": location},
        )

    @strawberry.field(description="People who know the topic, were active in the recent window (the analysis' "
                                  "half-life up to the data's last post) and together reach the most distinct "
                                  "people (through ties in that window) and communities: greedy maximum coverage "
                                  "among the skill's strongest active experts (the top 20, or 4 per seed asked for "
                                  "when more, with answers, a declared level or endorsements of their own on it); "
                                  "score: marginal gain; each with evidence, what it adds, and why. seedPlan also "
                                  "says who was left out for inactivity (analyst).")
    async def seed_candidates(self, info: Info, skill: SkillArg, count: int = 5) -> list[RankedPerson]:
        plan = await _seed_plan(info, skill, count, "seedCandidates")
        return plan.seeds if plan is not None else []

    @strawberry.field(description="seedCandidates with what they were judged on: the data's clock, the recent "
                                  "window, and the credible experts left out for having no activity in it, with a "
                                  "note in words; null when no one knows the topic (analyst).")
    async def seed_plan(self, info: Info, skill: SkillArg, count: int = 5) -> SeedPlan | None:
        return await _seed_plan(info, skill, count, "seedPlan")

    @strawberry.field(description="A shortest chain of colleagues from one person to another, both ends included; "
                                  "null when there is none within maxHops (employee).")
    async def introduction_path(
        self, info: Info, from_id: strawberry.ID, to_id: strawberry.ID, max_hops: int = 4
    ) -> list[Person] | None:
        path = await info.context.gateway.introduction_path(
            node_id(from_id, "fromId"), node_id(to_id, "toId"), hops(max_hops)
        )
        if path is None or any(p.opted_out for p in path):
            return None
        return [Person.from_domain(p) for p in path]


async def _explained_influencers(
    info: Info, rows: list[base.RankedPerson], skill: str | None, community_id: str | None, tied: set[int]
) -> list[RankedPerson]:
    """Influencers with their evidence: expertise on the skill, posts in the community, or global ties."""
    gw = info.context.gateway
    ids = [r.person.id for r in rows]
    expertise: dict[str, models.ExpertIn] = {}
    contributors: dict[str, base.Contributor] = {}
    scores: dict[str, models.PersonScores] = {}
    scope = "global"
    until: datetime | None = None
    # every scope's PageRank runs on the decayed ties: say so, with the run's half-life and clock
    last = await gw.run(lambda s: s.last_run())
    stats = last.stats if last is not None else None
    window = recent_window(stats, datetime.now(UTC))
    now = window.until  # the data's clock: "active last month" in an expertise line is the data's last month
    counted = (stats or {}).get("interactions")
    interactions = counted if isinstance(counted, int) else None
    # only conversation ties decay (reporting and membership ties do not): with none, no weight was time-weighted
    weighting = rankings.recency_weighting(window.days, window.until) \
        if stats and "as_of" in stats and interactions != 0 else None
    if skill is not None:
        scope = skill
        for pid, xs in (await gw.person_expertise(ids)).items():
            for x in xs:
                if x.skill == skill:
                    expertise[pid] = x
    elif community_id is not None:
        found = await gw.community(community_id)
        scope = found.name if found is not None else community_id
        # the data's clock, as the health figures and the community page: from the wall clock, every community of
        # an export older than 90 days had no contributors, and its influencers fell back to "ranked by ties"
        until = data_clock(stats, datetime.now(UTC))
        since = until - timedelta(days=90)
        contributors = {c.person.id: c for c in await gw.community_contributors(community_id, first=100, since=since)}
    else:
        scores = await gw.person_scores(ids)
    out = []
    for r in rows:
        found_x = expertise.get(r.person.id)
        out.append(RankedPerson(
            person=Person.from_domain(r.person), score=r.score, rank=r.rank, score_meaning=rankings.INFLUENCE_MEANING,
            explanation=rankings.explain_influencer(r.rank, r.score, scope, found_x, contributors.get(r.person.id),
                                                    scores.get(r.person.id), tied=r.rank in tied, until=until,
                                                    weighting=weighting, now=now, interactions=interactions),
            evidence=[Evidence.from_domain(e) for e in found_x.evidence] if found_x is not None else [],
            measures=[Measure(name="influence", value=r.score, meaning=rankings.INFLUENCE_MEANING)],
        ))
    return out


async def _seed_plan(info: Info, skill: str, count: int, field: str) -> SeedPlan | None:
    info.context.require(Role.ANALYST, field)
    page_size(count, info.context.settings.max_page)
    canon = _canonical(skill)
    page = await info.context.gateway.experts(canon, first=SEED_FETCH)
    if page.total == 0:
        await _known_skill_or_404(info, skill, canon)
        return None
    return await seed_plan(info, canon, _visible(page.items), count)


@strawberry.type
class Mutation:
    set_my_visibility: Visibility = strawberry.field(
        resolver=set_my_visibility,
        description="Hide yourself from whoknows (hidden: true) at once, in every answer, or withdraw that choice "
        "(false). An opt-out in your HR record still applies; the health of your communities is withheld until the "
        "next analysis (employee; NOT_FOUND when your token names no person).",
    )

    @strawberry.mutation(description="Run every analytics job now and write the results back (admin).")
    async def run_analytics(self, info: Info) -> AnalyticsRun:
        info.context.require(Role.ADMIN, "runAnalytics")
        services = info.context.services
        if services.analytics_lock.locked():
            raise BadInput("an analytics run is already in progress")
        async with services.analytics_lock:
            settings = info.context.settings
            run = await info.context.gateway.run_long(lambda store: _run_analytics(store, settings))
        services.skill_index.loaded_at, services.skill_index.version = -1e18, None
        services.response_cache.clear()
        return AnalyticsRun.from_domain(run)


def _run_analytics(store: GraphStore, settings: Settings) -> models.AnalyticsRun:
    """Imported when first run: the analytics jobs pull in NetworkX, which the API does not need at start-up."""
    from graph.jobs import run_analytics

    return run_analytics(store, settings)


# --- errors ------------------------------------------------------------------------------------------


def error_code(error: GraphQLError) -> str:
    """The public ``extensions.code`` of an error: ours by class, validation errors as BAD_USER_INPUT."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str) and code in PUBLIC_CODES:
        return code
    original = error.original_error
    if original is None:
        return "BAD_USER_INPUT"  # syntax, validation, variable coercion, limits
    if isinstance(original, WhoknowsError) and original.code in PUBLIC_CODES:
        return original.code
    if isinstance(original, TimeoutError):
        return "TIMEOUT"
    if isinstance(original, GraphQLError):
        return error_code(original)
    return "INTERNAL_SERVER_ERROR"


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """An error as the client sees it: message, locations, path, extensions.code; never a trace or internals."""
    code = error_code(error)
    message = f"internal error (request id {request_id})" if code == "INTERNAL_SERVER_ERROR" else error.message
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    out["extensions"] = {"code": code}
    return out


class WhoknowsSchema(strawberry.Schema):
    """Logs unexpected resolver errors with their traceback (server side only); expected ones at debug level."""

    documents: Documents

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if error_code(error) == "INTERNAL_SERVER_ERROR":
                log.error("unexpected error in resolver", exc_info=error.original_error or error)
            elif log.isEnabledFor(logging.DEBUG):
                log.debug("graphql error", extra={"fields": {"error": error.message, "code": error_code(error)}})


def build_schema(settings: Settings) -> WhoknowsSchema:
    """The schema with its limits; documents are parsed, measured and validated once by ``schema.documents``."""
    documents = Documents(limits(settings), introspection=settings.introspection)
    schema = WhoknowsSchema(
        query=Query, mutation=Mutation, extensions=[partial(UsePrepared, documents=documents)],
        execution_context_class=LeafExecutionContext,
    )
    documents.bind(schema._schema)
    schema.documents = documents
    return schema


__all__ = ["NO_KNOWN_SKILL", "Mutation", "Query", "Services", "SkillIndex", "WhoknowsSchema", "build_schema",
           "error_code", "format_error"]
