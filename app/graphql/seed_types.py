"""The GraphQL side of seeding: ``seedCandidates`` (the seeds) and ``seedPlan`` (the seeds, the recent window they
were judged on, and the credible experts left out for inactivity). The choice itself is app/graphql/seeds.py."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from app.graphql import rankings, seeds
from app.graphql.types import Evidence, Info, Measure, Person, RankedPerson
from graph.store import base


@strawberry.type(description="A credible expert on the topic left out of the seeds: no activity in the window.")
class LeftOutExpert:
    person: Person
    expert_rank: int = strawberry.field(description="Place among the topic's credible experts (1 = strongest).")
    last_active: datetime = strawberry.field(description="Their latest post or tie anywhere in the data.")
    explanation: str


@strawberry.type(description="Seeds for a new forum on a topic, and what they were judged on.")
class SeedPlan:
    seeds: list[RankedPerson] = strawberry.field(description="The seeds, in pick order (as seedCandidates).")
    as_of: datetime = strawberry.field(description="The data's clock: the last analysis' latest post.")
    recent_days: float = strawberry.field(
        description="The recent window (the analysis' half-life): seeds acted in it, reach counts ties in it.")
    left_out: list[LeftOutExpert] = strawberry.field(
        description="Credible experts among the strongest left out for having no activity in the window.")
    note: str = strawberry.field(description="What the plan means and who it left out, in words.")


async def seed_plan(info: Info, canon: str, hits: list[base.ExpertHit], count: int) -> SeedPlan:
    """The plan for ``hits`` (the topic's experts, best first, opted-out people already removed)."""
    gw = info.context.gateway
    last = await gw.run(lambda s: s.last_run())
    window = seeds.recent_window(last.stats if last is not None else None, datetime.now(UTC))
    credible = rankings.credible(hits)
    plan = await gw.run(lambda s: seeds.plan_seeds(credible, count, window,
                                                   lambda ids, since: s.reach(ids, since=since)))
    phrase = window.phrase()
    out = []
    for i, seed in enumerate(plan.seeds, start=1):
        hit = seed.hit
        measures = [
            Measure(name="new_people", value=float(seed.new_people),
                    meaning=f"people this seed has a tie with {phrase} that earlier seeds do not reach (itself "
                            "included)"),
            Measure(name="new_communities", value=float(seed.new_communities),
                    meaning="communities this seed is a member of that earlier seeds are not"),
            Measure(name="expertise", value=round(hit.score, 6), meaning=f"expertise score on {canon}"),
        ]
        if seed.last_active is not None:
            measures.append(Measure(
                name="days_since_active", value=round(max((window.until - seed.last_active).total_seconds(), 0)
                                                      / 86400, 1),
                meaning="days from this seed's latest post or tie to the data's last post"))
        out.append(RankedPerson(
            person=Person.from_domain(hit.person), score=round(float(seed.gain), 6), rank=i,
            score_meaning=rankings.SEED_MEANING,
            explanation=rankings.explain_seed(canon, hit, seed.new_people, seed.new_communities, first=i == 1,
                                              last_active=seed.last_active, until=window.until, window=phrase),
            evidence=[Evidence.from_domain(e) for e in hit.evidence],
            measures=measures,
        ))
    left = [
        LeftOutExpert(person=Person.from_domain(x.hit.person), expert_rank=x.expert_rank, last_active=x.last_active,
                      explanation=f"#{x.expert_rank} by expertise on {canon}, last active "
                                  f"{rankings.day(x.last_active)}: no post or tie {phrase}")
        for x in plan.left_out
    ]
    return SeedPlan(seeds=out, as_of=window.until, recent_days=window.days, left_out=left, note=plan.note())


__all__ = ["LeftOutExpert", "SeedPlan", "seed_plan"]
