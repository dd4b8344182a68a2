"""Why each ranking ranks someone where it does: one-line explanations and named measures for influencers,
bridges (brokers) and seed candidates. Pure functions over store records, tested with plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.graphql.explain import explain_expertise, isolated
from graph.store import base
from schema.labels import EvidenceKind
from schema.models import ExpertIn, PersonScores

INFLUENCE_MEANING = ("personalised PageRank (Brin & Page 1998; Haveliwala 2002): the share of attention that "
                     "reaches this person when questions in the scope are passed on to whoever answers them, over "
                     "ties that count half as much for every half-life they are older than the data's last post; "
                     "scores of one scope sum to 1")
SEED_POOL_MIN = 20  # the topic's strongest experts that seeds are chosen among...
SEED_POOL_PER_SEED = 4  # ...or four per seed asked for, when that is more
# evidence that a person knows a topic themselves: what they answered, declared or were endorsed for (not questions
# asked, nor a place in the answer network or the interaction graph alone)
KNOWS_TOPIC = frozenset({EvidenceKind.ANSWERS, EvidenceKind.ACCEPTED_ANSWERS, EvidenceKind.DECLARED,
                         EvidenceKind.ENDORSEMENTS})
SEED_MEANING = ("marginal gain of greedy maximum coverage: people (1 each) this seed has a tie with in the last "
                "half-life to the data's last post and communities (5 each) it is in, that earlier seeds do not "
                "reach, plus its expertise score; only experts active in that window are seeds")
# what base.Contributor.answers counts (the stores' helping kinds: answers, thread replies and comments in someone
# else's thread), in words: "5 answers or replies" was 1 answer and 4 comments on a Stack Exchange site, where a
# comment is neither; a self-answer and follow-ups in one's own thread help no one else and are not counted
HELPING_WORDS = ("answer, reply or comment to others", "answers, replies or comments to others")
BETWEENNESS_MEANING = ("betweenness centrality (Freeman 1977; Brandes 2001): share of shortest paths between "
                       "other people that pass through this person")
CONSTRAINT_MEANING = ("Burt's constraint (1992), 0..1: low when a person's contacts are not tied to each other, "
                      "i.e. they broker between groups")


@dataclass(frozen=True)
class Measure:
    name: str
    value: float
    meaning: str


def _plural(n: int, word: str, many: str | None = None) -> str:
    """``1 answer``, ``2 answers``; ``many``: the plural when it is not the word plus s.

    >>> _plural(1, "child", "children"), _plural(0, "child", "children"), _plural(2, "answer")
    ('1 child', '0 children', '2 answers')
    """
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _percent(share: float) -> str:
    """A share as a percentage a reader can trust: small shares keep two significant digits, so a few contacts
    or a few shortest paths never read 0 % (or 0.0 %).

    >>> _percent(0.12), _percent(0.073), _percent(0.0027), _percent(0.0003), _percent(1e-9), _percent(0.0)
    ('12 %', '7.3 %', '0.27 %', '0.03 %', 'under 0.01 %', '0 %')
    """
    pct = 100 * share
    if pct >= 10 or pct == 0:
        return f"{pct:.0f} %"
    if pct >= 1:
        return f"{pct:.1f} %"
    return f"{pct:.2g} %" if pct >= 0.01 else "under 0.01 %"


def day(t: datetime) -> str:
    """A date as the explanations write it.

    >>> day(datetime(2023, 8, 3))
    '3 Aug 2023'
    """
    return f"{t.day} {t:%b %Y}"


def recency_weighting(half_life_days: float, as_of: datetime) -> str:
    """How the ties behind every influence score are weighted, with the numbers: PageRank runs on the projection's
    decayed graph (graph/projection.py), so someone with a few recent answers can outrank someone with many old ones.

    >>> recency_weighting(180, datetime(2023, 8, 31)).split(", the ")  # doctest: +NORMALIZE_WHITESPACE
    ["ties weighted towards recent activity: a tie's weight halves every 180 days before 31 Aug 2023",
     "data's last post (a year-old tie counts 25 %, a two-year-old one 6.0 %)"]
    """
    year, two = (_percent(2.0 ** (-d / half_life_days)) for d in (365, 730))
    return (f"ties weighted towards recent activity: a tie's weight halves every {half_life_days:g} days before "
            f"{day(as_of)}, the data's last post (a year-old tie counts {year}, a two-year-old one {two})")


def explain_influencer(
    rank: int, score: float, scope: str, expertise: ExpertIn | None = None,
    contributor: base.Contributor | None = None, scores: PersonScores | None = None, tied: bool = False,
    until: datetime | None = None, weighting: str | None = None, now: datetime | None = None,
    interactions: int | None = None,
) -> str:
    """One line: the rank (said to be shared when others have the same score), what it is a rank of, how its ties
    are weighted (``weighting``, from :func:`recency_weighting`), and the evidence of the scope. ``now``: the data's
    clock, that an expertise line's "last month" is relative to. ``interactions``: how many person-to-person
    interactions the analysis found (its run's stats); with none, the line says what the data lacks rather than a
    "0 %" that reads as a judgement of the person (see :func:`talked_with`).

    >>> explain_influencer(2, 0.031, "global", scores=PersonScores(person_id="x:1", pagerank=0.031, degree=0.12,
    ...                    betweenness=0.2, participation=0.4, within_z=1.0))
    '#2 by PageRank over the whole organisation (0.0310); has talked with 12 % of colleagues (at any time)'
    >>> from schema.models import Person
    >>> who = base.Contributor(Person(id="x:2", name="B"), 7, 5, 2, None)
    >>> explain_influencer(3, 0.02, "beer", contributor=who, until=datetime(2017, 3, 13)).split("; ")[1]
    '7 posts there in the 90 days to 13 Mar 2017 (5 answers, replies or comments to others, 2 accepted)'
    >>> explain_influencer(1, 0.25, "global", tied=True)
    '#1 (tied) by PageRank over the whole organisation (0.2500); ranked by ties to the people of this scope'
    >>> explain_influencer(1, 0.25, "global", weighting="ties weighted towards recent activity").split("; ")[1]
    'ties weighted towards recent activity'
    """
    where = "over the whole organisation" if scope == "global" else f"personalised to {scope}"
    head = f"#{rank}{' (tied)' if tied else ''} by PageRank {where} ({score:.4f})"
    if weighting:
        head = f"{head}; {weighting}"
    if expertise is not None:
        return f"{head}; {explain_expertise(expertise.skill, expertise.evidence, expertise.last_active, now)}"
    if contributor is not None:
        window = "in the last 90 days" if until is None else f"in the 90 days to {until.day} {until:%b %Y}"
        return f"{head}; {_plural(contributor.posts, 'post')} there {window}{_helped(contributor)}"
    if scores is not None:
        return f"{head}; {talked_with(scores.degree, interactions)}"
    return f"{head}; ranked by ties to the people of this scope"


def talked_with(degree: float, interactions: int | None = None) -> str:
    """Whom a person has talked with, as a share of colleagues: a share of nothing is said as what is missing.

    A Slack export without thread replies holds no conversation between two people, and every person read "has
    talked with 0 % of colleagues": true by definition, read as a verdict on each of them.

    >>> talked_with(0.12)
    'has talked with 12 % of colleagues (at any time)'
    >>> talked_with(0.0, 40)
    'has talked with no colleague in the data (no reply or answer to or from them)'
    >>> talked_with(0.0, 0)
    'the data holds no replies or answers between people, so conversations cannot be measured'
    """
    if degree > 0:
        return f"has talked with {_percent(degree)} of colleagues (at any time)"
    if interactions == 0:
        return "the data holds no replies or answers between people, so conversations cannot be measured"
    return "has talked with no colleague in the data (no reply or answer to or from them)"


def _helped(contributor: base.Contributor) -> str:
    """What of a contributor's posts helped others, in brackets; nothing when none did. A chat channel without
    thread replies read "25 posts there (0 answers, replies or comments to others, 0 accepted)": zeros that say
    only that the data has no replies, and a chat has no accepted answers at all.

    >>> from schema.models import Person
    >>> who = base.Contributor(Person(id="x:2", name="B"), 7, 5, 0, None)
    >>> _helped(who), _helped(base.Contributor(who.person, 7, 0, 0, None))
    (' (5 answers, replies or comments to others)', '')
    """
    parts = [_plural(contributor.answers, *HELPING_WORDS)] if contributor.answers else []
    if contributor.accepted:
        parts.append(f"{contributor.accepted} accepted")
    return f" ({', '.join(parts)})" if parts else ""


def explain_bridge(hit: base.BrokerHit, names: Mapping[str, str], tied: bool = False) -> str:
    """One line: how a broker connects the communities asked about, or why they broker in general; ``tied``: others
    share the rank (equal on everything the list is ordered by), said first as the influencers' lines say it. On
    no shortest path at all is said in words: "0 % of shortest paths" read as a measured judgement.

    >>> from schema.models import Person
    >>> hit = base.BrokerHit(person=Person(id="x:1", name="A", source="t"), rank=1,
    ...     scores=PersonScores(person_id="x:1", pagerank=0.1, degree=0.1, betweenness=0.05, participation=0.6,
    ...                         within_z=0.0, constraint=0.2),
    ...     sides=(base.BridgeSide("c:a", True, 3), base.BridgeSide("c:b", False, 7)))
    >>> explain_bridge(hit, {"c:a": "Python", "c:b": "Sales"})
    'member of Python (talks with 3 of its members); talks with 7 members of Sales; on 5.0 % of shortest paths'
    >>> few = base.BrokerHit(hit.person, hit.scores.model_copy(update={"betweenness": 0.0003}), 1, hit.sides)
    >>> explain_bridge(few, {}).rsplit("; ", 1)[1]
    'on 0.03 % of shortest paths'
    >>> explain_bridge(hit, {"c:a": "Python\u202e", "c:b": "Sales"}).split(";")[0]  # isolated: the rest reads on
    'member of \u2068Python\u202e\u2069 (talks with 3 of its members)'
    >>> none = base.BrokerHit(hit.person, hit.scores.model_copy(update={"betweenness": 0.0}), 1,
    ...     (base.BridgeSide("c:a", True, 0), base.BridgeSide("c:b", True, 0)))
    >>> explain_bridge(none, {"c:a": "Python", "c:b": "Sales"}, tied=True)
    'tied for #1; member of Python; member of Sales; on no shortest path between others'
    """
    s = hit.scores
    tail = (f"on {_percent(s.betweenness)} of shortest paths" if s.betweenness > 0
            else "on no shortest path between others")
    head = [f"tied for #{hit.rank}"] if tied else []
    if not hit.sides:
        parts = [tail]
        if s.constraint is not None:
            parts.append(f"constraint {s.constraint:.2f}" + (" (ties into separate groups)" if s.constraint < 0.3
                                                              else ""))
        if s.role is not None:
            parts.append(f"role: {str(s.role).replace('_', ' ')}")
        return "; ".join([*head, *parts])
    parts = head
    for side in hit.sides:
        name = isolated(names.get(side.community_id, side.community_id))
        if side.member:
            parts.append(f"member of {name}" + (f" (talks with {side.ties} of its members)" if side.ties else ""))
        elif side.ties:
            parts.append(f"talks with {_plural(side.ties, 'member')} of {name}")
    return "; ".join([*parts, tail])


def bridge_measures(hit: base.BrokerHit) -> list[Measure]:
    s = hit.scores
    out = [Measure("betweenness", round(s.betweenness, 6), BETWEENNESS_MEANING)]
    if s.constraint is not None:
        out.append(Measure("constraint", round(s.constraint, 6), CONSTRAINT_MEANING))
    for side in hit.sides:
        out.append(Measure(f"ties_into:{side.community_id}", float(side.ties),
                           "distinct members of that community this person has interacted with"))
    return out


def seed_marginals(
    picks: Sequence[tuple[str, float]], reach: Mapping[str, base.Reach]
) -> list[tuple[int, int]]:
    """For each pick in order: (people, communities) it reaches that earlier picks did not (itself included).

    >>> r = {"a": base.Reach(frozenset({"b", "c"}), frozenset({"k"})), "b": base.Reach(frozenset({"a"}), frozenset())}
    >>> seed_marginals([("a", 9.0), ("b", 1.0)], r)
    [(3, 1), (0, 0)]
    """
    people: set[str] = set()
    communities: set[str] = set()
    out = []
    for pid, _ in picks:
        r = reach.get(pid, base.Reach(frozenset(), frozenset()))
        new_people = ({pid} | r.neighbours) - people
        new_communities = set(r.communities) - communities
        people |= new_people
        communities |= new_communities
        out.append((len(new_people), len(new_communities)))
    return out


def seed_pool(hits: Sequence[base.ExpertHit], count: int) -> list[base.ExpertHit]:
    """The experts seeds are chosen among: the topic's strongest, in expertise order, with evidence of their own.

    Reach alone would pick the best-connected people who once answered on the topic; a forum's seeds must be
    credible on it, so coverage is maximised only among the top ``max(SEED_POOL_MIN, SEED_POOL_PER_SEED * count)``
    experts who answered, declared or were endorsed on the topic.

    >>> from schema.models import Evidence, Person
    >>> def hit(i, *kinds):
    ...     ev = tuple(Evidence(kind=k, count=1) for k in kinds)
    ...     return base.ExpertHit(Person(id=f"hr:{i}", name=str(i)), "go", 1.0 - i / 100, ev, str(i), i + 1)
    >>> hits = [hit(i, EvidenceKind.ANSWERS) for i in range(30)] + [hit(30, EvidenceKind.QUESTIONS)]
    >>> len(seed_pool(hits, 5)), len(seed_pool(hits, 7)), [h.person.id for h in seed_pool([hits[-1]], 1)]
    (20, 28, [])
    """
    return credible(hits)[:seed_pool_size(count)]


def seed_pool_size(count: int) -> int:
    return max(SEED_POOL_MIN, SEED_POOL_PER_SEED * count)


def credible(hits: Sequence[base.ExpertHit]) -> list[base.ExpertHit]:
    """The hits with evidence of knowing the topic themselves (``KNOWS_TOPIC``), in their order."""
    return [h for h in hits if any(e.kind in KNOWS_TOPIC and e.count > 0 for e in h.evidence)]


def explain_seed(
    skill: str, hit: base.ExpertHit, new_people: int, new_communities: int, first: bool,
    last_active: datetime | None = None, until: datetime | None = None, window: str | None = None,
) -> str:
    """One line: why this seed (knows the topic; when it last acted; what it adds to the set, and over which
    window its ties were counted). ``until``: the data's clock, so "active this month" is the data's month.

    >>> from schema.models import Evidence, Person
    >>> hit = base.ExpertHit(Person(id="x:1", name="A"), "go", 1.0, (Evidence(kind="answers", count=3),), "c", 1)
    >>> line = explain_seed("go", hit, 4, 1, True, datetime(2023, 8, 3), datetime(2023, 8, 31),
    ...                     "in the 180 days to 31 Aug 2023")
    >>> line.split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['3 answers on go', 'latest activity anywhere 3 Aug 2023',
     'reaches 4 people (ties in the 180 days to 31 Aug 2023) and 1 community']
    """
    knows = explain_expertise(skill, hit.evidence, now=until)
    if last_active is not None:
        knows = f"{knows}; latest activity anywhere {day(last_active)}"
    people = f"{new_people} {'person' if new_people == 1 else 'people'}"
    if window:
        people = f"{people} (ties {window})"
    communities = f"{new_communities} {'community' if new_communities == 1 else 'communities'}"
    if first:
        return f"{knows}; reaches {people} and {communities}"
    return f"{knows}; adds {people} and {communities} not reached by earlier seeds"


__all__ = ["BETWEENNESS_MEANING", "CONSTRAINT_MEANING", "HELPING_WORDS", "INFLUENCE_MEANING", "SEED_MEANING", "Measure",
           "bridge_measures", "credible", "day", "explain_bridge", "explain_influencer", "explain_seed",
           "recency_weighting", "seed_marginals", "seed_pool", "seed_pool_size", "talked_with"]
