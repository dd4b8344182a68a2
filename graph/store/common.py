"""What both stores do the same way, kept once: time as text, JSON-encoded evidence and shares, chunked reads by
id, page assembly, influence scopes and error wording.

Why here and not in each store: the SQLite and Neo4j stores must answer every query identically (a parity test
compares them field by field), so the parts that are not about the database itself are one code path.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from graph.ranks import shared_ranks
from graph.store.base import BrokerHit, ExpertHit, Page, RankedPerson
from graph.store.paging import decode_cursor, encode_cursor
from schema.errors import BadInput
from schema.facets import facet_matches, title_matches
from schema.labels import EvidenceKind, ScoreScope
from schema.models import Evidence, Person

T = TypeVar("T")

CHUNK = 900  # ids per read (under SQLite's default limit of bound parameters; a modest Neo4j UNWIND list)


# --- time ----------------------------------------------------------------------------------------------------------


def utc_text(value: datetime | None) -> str | None:
    """A datetime as ISO text in UTC with microseconds (sorts as time does); records hold UTC already."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def parse_utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# --- nested values as JSON text ------------------------------------------------------------------------------------


def evidence_json(evidence: Iterable[Evidence]) -> str:
    """Evidence as JSON text, ``[[kind, count, last_at], ...]``: the layout both stores keep."""
    return json.dumps([[e.kind.value, e.count, utc_text(e.last_at)] for e in evidence], separators=(",", ":"))


@functools.lru_cache(maxsize=4096)
def evidence_from(text: str) -> tuple[Evidence, ...]:
    """The evidence ``evidence_json`` wrote. Built without pydantic's validation pass (each field converted here as
    the model would: the kind's enum, an int, a UTC time), and memoised by its text (the models are frozen): a
    directory page decodes some seventy of them per request, the same ones request after request (at 100,000
    people the decoding was a sixth of an experts request's time under the GIL)."""
    return tuple(
        Evidence.model_construct(kind=_KINDS.get(k) or EvidenceKind(k), count=int(c), last_at=_as_utc(parse_utc(t)))
        for k, c, t in json.loads(text)
    )


_KINDS = {k.value: k for k in EvidenceKind}  # a dict lookup: calling the enum class costs several times more


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def pairs_json(pairs: Iterable[tuple[str, float]]) -> str:
    """(name, share) pairs, e.g. a detected community's declared communities and skills."""
    return json.dumps([list(x) for x in pairs])


def pairs_from(text: str) -> tuple[tuple[str, float], ...]:
    return tuple((str(a), float(b)) for a, b in json.loads(text))


# --- reads by id ---------------------------------------------------------------------------------------------------


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def id_chunks(ids: Iterable[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    """Distinct ids, sorted (so reads and their results are deterministic), in chunks of at most ``size``."""
    return chunks(sorted(set(ids)), size)


def missing_message(what: str, missing: Sequence[str]) -> str:
    """'unknown post author: a, b, c, d, e and 3 more' (both stores' wording)."""
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return f"unknown {what}: {shown}"


# --- pages and rankings --------------------------------------------------------------------------------------------


def expert_page(
    rows: Sequence[tuple[Person, float, tuple[Evidence, ...]]], skill: str, first: int, total: int,
    ahead: tuple[int, int] = (0, 0),
) -> Page[ExpertHit]:
    """A page of experts from up to ``first + 1`` rows in order (one more than the page says another follows).

    ``ahead``: how many experts (under the same filters) score above the page's first score, and at or above it,
    counting earlier pages: ``(0, 0)`` on a first page. Each hit carries its place in the whole ranking (see
    :func:`page_ranks`), so page two starts at 11, not at 1 again."""
    shown = rows[:first]
    ranks = page_ranks([score for _, score, _ in shown], *ahead)
    hits = [
        ExpertHit(person=p, skill=skill, score=score, evidence=evidence, cursor=encode_cursor(score, p.id), rank=k)
        for (p, score, evidence), k in zip(shown, ranks, strict=True)
    ]
    next_cursor = hits[-1].cursor if len(rows) > first and hits else None
    return Page(items=hits, next_cursor=next_cursor, total=total)


def page_ranks(scores: Sequence[float], above: int = 0, at_or_above: int = 0) -> list[int]:
    """Sport ranks ("1, 1, 3") of one page of a ranking in score order, from two counts over the whole ranking:
    ``above`` people score more than the page's first score, ``at_or_above`` as much or more (both 0 on a first
    page). A page may open inside a tie begun on the page before; everyone scoring less than that tie comes after
    all of it, and whoever scores between them is on this page.

    >>> page_ranks([0.9, 0.9, 0.5, 0.4, 0.4])
    [1, 1, 3, 4, 4]
    >>> page_ranks([0.7, 0.7, 0.6], above=8, at_or_above=11)  # the 0.7 tie began at place 9, on the page before
    [9, 9, 12]
    >>> page_ranks([])
    []
    """
    if not scores:
        return []
    top = scores[0]
    reach = at_or_above or sum(1 for s in scores if s == top)  # a first page holds its whole opening tie
    return [above + 1 if score == top else reach + 1 + sum(1 for s in scores if score < s < top) for score in scores]


Filters = tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...] | None]


def facet_filters(
    facets: Mapping[str, Sequence[str]], department: str | None, location: str | None, title: str | None = None
) -> Filters | None:
    """The stored spellings a department, a location and a job title filter stand for, folded as the web pages fold
    them (``schema.facets``: case, spacing, Unicode form, accents): "berlin" is every stored "Berlin" and "BERLIN";
    a title is every stored title holding its words in a row (:func:`~schema.facets.title_matches`). None for a
    filter not given; the whole answer None when a given filter matches no one.

    ``facets`` is ``directory_facets()``: the values of visible people only, the people ``experts`` may return.

    >>> facet_filters({"department": ["Data"], "location": ["BERLIN", "Berlin"]}, None, " berlin")
    (None, ('BERLIN', 'Berlin'), None)
    >>> facet_filters({"title": ["Senior Tax Adviser", "Tax Adviser", "Taxi Driver"]}, None, None, "tax adviser")
    (None, None, ('Senior Tax Adviser', 'Tax Adviser'))
    >>> facet_filters({"department": ["Data"], "location": []}, "data", "Lima") is None
    True
    """
    out: list[tuple[str, ...] | None] = []
    for name, typed in (("department", department), ("location", location), ("title", title)):
        if typed is None:
            out.append(None)
            continue
        match = title_matches if name == "title" else facet_matches
        found = tuple(match(typed, facets.get(name, ())))
        if not found:
            return None
        out.append(found)
    return out[0], out[1], out[2]


def titled_ids(
    roster: Sequence[tuple[str, str, str | None, str | None]], facets: Mapping[str, Sequence[str]], title: str,
    first: int, after: str | None, department: str | None = None, location: str | None = None,
) -> tuple[list[str], int, str | None]:
    """One page of the people holding a job title (``people_titled``), the same for every store: ``roster`` is the
    visible people's (id, title, department, location), the filters fold as :func:`facet_filters` folds them.
    Ids in code point order, up to ``first``; the total of matches; the cursor after the page (None on the last).

    >>> roster = [("x:b", "Tax Adviser", "Fin", "Oslo"), ("x:a", "Senior Tax Adviser", "Fin", "Bergen"),
    ...           ("x:c", "Taxi Driver", None, "Oslo")]
    >>> facets = {"title": ["Senior Tax Adviser", "Tax Adviser", "Taxi Driver"], "location": ["Bergen", "Oslo"]}
    >>> ids, total, cursor = titled_ids(roster, facets, "tax adviser", 1, None)
    >>> ids, total, titled_ids(roster, facets, "tax adviser", 1, cursor), titled_ids(roster, facets, "TAX", 5, None,
    ...                                                                               location="oslo")
    (['x:a'], 2, (['x:b'], 2, None), (['x:b'], 1, None))
    """
    folded = facet_filters(facets, department, location, title)
    if folded is None:
        return [], 0, None
    departments, locations, titles = (set(v) if v is not None else None for v in folded)
    matched = sorted(pid for pid, t, d, loc in roster if titles is not None and t in titles
                     and (departments is None or d in departments) and (locations is None or loc in locations))
    cut = decode_cursor(after)[1] if after is not None else None
    rest = [pid for pid in matched if cut is None or pid > cut]
    page = rest[:first]
    return page, len(matched), encode_cursor(0.0, page[-1]) if len(rest) > first and page else None


def member_page(people: Sequence[Person], first: int, total: int) -> Page[Person]:
    """A page of community members from up to ``first + 1`` people by id; the cursor carries the last id."""
    items = list(people[:first])
    next_cursor = encode_cursor(0.0, items[-1].id) if len(people) > first and items else None
    return Page(items=items, next_cursor=next_cursor, total=total)


def influence_scope(skill: str | None, community_id: str | None) -> tuple[ScoreScope, str]:
    """Which influence ranking a query asks for: a skill's, a community's or the global one (scope id '')."""
    if skill is not None and community_id is not None:
        raise BadInput("give a skill or a community, not both")
    if skill is not None:
        return ScoreScope.SKILL, skill
    if community_id is not None:
        return ScoreScope.COMMUNITY, community_id
    return ScoreScope.GLOBAL, ""


def ranked(rows: Iterable[tuple[Person, float]]) -> list[RankedPerson]:
    """Rows already ordered by score (best first), ranked as in sport: equal scores share a rank ("1, 1, 3").

    Four people of a Slack export whom nobody had replied to had the same PageRank (0.25) and were shown as
    influencers #1 to #4, an order made by their ids alone. Scores equal to nine significant digits tie (a power
    iteration stops at a tolerance, so the same position can differ in the last bits).

    >>> from schema.models import Person
    >>> [r.rank for r in ranked((Person(id=f"x:{i}", name=str(i)), s) for i, s in enumerate([0.5, 0.25, 0.25, 0.1]))]
    [1, 2, 2, 4]
    """
    people = list(rows)
    return [RankedPerson(person=p, score=score, rank=k)
            for (p, score), k in zip(people, shared_ranks([(s,) for _, s in people]), strict=True)]


def busy_message(detail: str) -> str:
    """What a caller of a write refused for a held write lock is told: what happened, that nothing changed, what
    to do."""
    return ("the store is busy with another write (an ingest or analysis run?); nothing was changed: "
            f"try again in a moment ({detail})")


def broker_ranks(hits: Sequence[BrokerHit]) -> list[BrokerHit]:
    """Brokers in the stores' order, ranked by what that order compares: between given communities, the sides
    touched, the weaker side (members talked with there, plus one for being a member) and all members talked with;
    then betweenness and constraint. Four members of both of two Slack channels whom no one had replied to were
    #1 to #4 on identical figures; they now share #1."""
    def key(h: BrokerHit) -> tuple[object, ...]:
        touched = [s.ties + int(s.member) for s in h.sides if s.member or s.ties]
        span = (len(touched), min(touched, default=0), sum(s.ties for s in h.sides)) if h.sides else ()
        c = h.scores.constraint
        return (*span, h.scores.betweenness, c is None, 0.0 if c is None else c)

    ranks = shared_ranks([key(h) for h in hits])
    return [dataclasses.replace(h, rank=r) for h, r in zip(hits, ranks, strict=True)]


def tied_counts(ranks: Sequence[int]) -> list[int]:
    """For each rank of a list, how many others share it (0: alone).

    >>> tied_counts([1, 1, 3, 4, 4, 4])
    [1, 1, 0, 2, 2, 2]
    """
    counts = Counter(ranks)
    return [counts[r] - 1 for r in ranks]


__all__ = [
    "CHUNK",
    "busy_message",
    "chunks",
    "evidence_from",
    "evidence_json",
    "expert_page",
    "page_ranks",
    "facet_filters",
    "titled_ids",
    "id_chunks",
    "influence_scope",
    "member_page",
    "missing_message",
    "pairs_from",
    "pairs_json",
    "parse_utc",
    "ranked",
    "broker_ranks",
    "shared_ranks",
    "tied_counts",
    "utc_text",
]
