"""Community health: activity, responsiveness, concentration and growth, per community, per week and now.

Figures follow the CHAOSS community-health metrics where one exists (CHAOSS 2023: "Time to First Response",
"Bus Factor" here called absence factor, "Contributor Absence Factor", "Inclusivity"), computed over the posts
of one community. Definitions, for a period ``[start, end)``:

- members: declared members who joined before ``end`` plus anyone who posted there before ``end``;
- active members: distinct authors posting in the 30 days before ``end``;
- posts, threads: posts created / threads started in the period;
- reply rate: share of the period's threads that got a response from someone other than their author (ever);
- median first response (hours): over those threads, time from the start to the first response by another person;
- unanswered share: share of the period's threads with no answer by another person (for a question: an answer;
  for any other thread start: any response);
- contributor Gini: inequality of posts per author in the period (0 equal, towards 1 one person posts all);
- absence factor: the fewest authors who together made at least half of the period's posts;
- newcomer retention: of the authors whose first post there fell in the period-long window just before the
  period, the share who posted again during the period;
- managers active: of the members who manage someone, the share active (30 days before ``end``);
- cross-department share: of the responses in the period between two people with a known department, the share
  that crosses departments.

Posts without an author (deleted or opted-out accounts) count as activity but for no person.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from graph.analytics.backend import trusted
from graph.analytics.posts import PostLike
from schema.labels import HealthPeriod
from schema.models import CommunityHealth

ACTIVE_DAYS = 30


def gini(values: Sequence[float]) -> float | None:
    """Gini coefficient of non-negative values (None when there are none or all are zero).

    References
    ----------
    .. [1] Gini, C. (1912). Variabilità e mutabilità. Tipografia di Paolo Cuppini, Bologna.
    .. [2] Damgaard, C. & Weiner, J. (2000). Describing inequality in plant size or fecundity. Ecology 81(4),
       1139-1142 (the sorted-rank formula used here).

    Examples
    --------
    >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4]), gini([1, 3])
    (0.0, 0.75, 0.25)
    """
    xs = sorted(values)
    if any(x < 0 for x in xs):
        raise ValueError("gini needs non-negative values")
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return None
    weighted = sum(i * x for i, x in enumerate(xs, start=1))
    return round(2 * weighted / (n * total) - (n + 1) / n, 12)


def absence_factor(counts: Iterable[int], share: float = 0.5) -> int | None:
    """The fewest contributors who together account for at least ``share`` of all contributions.

    References
    ----------
    .. [1] CHAOSS (2023). Contributor Absence Factor. https://chaoss.community/kb/metric-contributor-absence-factor/

    Examples
    --------
    >>> absence_factor([10, 5, 3, 2]), absence_factor([1, 1, 1, 1]), absence_factor([])
    (1, 2, None)
    """
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    xs = sorted((c for c in counts if c > 0), reverse=True)
    total = sum(xs)
    if total == 0:
        return None
    running = 0
    for k, x in enumerate(xs, start=1):
        running += x
        if running >= share * total:
            return k
    return len(xs)  # pragma: no cover - the loop always returns


@dataclass
class _Thread:
    start: datetime
    author: str | None
    is_question: bool
    first_response: datetime | None = None
    answered: bool = False


@dataclass
class _Community:
    posts: list[tuple[datetime, str | None]] = field(default_factory=list)  # (time, author), sorted later
    threads: dict[str, _Thread] = field(default_factory=dict)
    responses: list[tuple[datetime, str | None, str | None]] = field(default_factory=list)  # (time, from, to)
    joined: dict[str, datetime] = field(default_factory=dict)  # person -> first membership or post
    first_post: dict[str, datetime] = field(default_factory=dict)


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def community_health(
    posts: Iterable[PostLike],
    memberships: Iterable[tuple[str, str, datetime | None]],
    *,
    departments: Mapping[str, str | None],
    managers: Iterable[str],
    as_of: datetime,
    weeks: int = 26,
    communities: Iterable[str] | None = None,
) -> list[CommunityHealth]:
    """Current (30 days up to ``as_of``) and weekly (ISO weeks, newest last) health of every community.

    Parameters
    ----------
    posts : iterable of post rows
        Posts with a ``community_id``; the others are ignored. Posts after ``as_of`` are ignored.
    memberships : iterable of (person id, community id, since)
        Declared members (``since`` None: member from the start).
    departments : mapping
        Person id -> department, for the cross-department share.
    managers : iterable of person ids
        People who manage someone.
    weeks : int
        How many ISO weeks back from the week of ``as_of`` (weeks before a community's first activity are skipped).
    communities : iterable of ids, optional
        Also report these communities when they have no activity at all.

    Returns
    -------
    list of CommunityHealth
        Per community: the weekly rows oldest first, then the current row.

    References
    ----------
    .. [1] CHAOSS Project (2023). Community health analytics metrics: Time to First Response, Contributor Absence
       Factor, Inclusivity. https://chaoss.community/kb-metrics-and-metrics-models/
    .. [2] Goggins, S., Lumbard, K. & Germonprez, M. (2021). Open source community health: analytical metrics and
       their corresponding narratives. Proc. SoHeal 2021, IEEE.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 3, 1, tzinfo=UTC)
    >>> posts = [P(id="q", kind="question", author_id="a", created_at=t, community_id="c", thread_id=None,
    ...            parent_id=None),
    ...          P(id="r", kind="answer", author_id="b", created_at=t + timedelta(hours=2), community_id="c",
    ...            thread_id="q", parent_id="q")]
    >>> now = [h for h in community_health(posts, [], departments={}, managers=[], as_of=t + timedelta(days=1))
    ...        if h.period == "current"][0]
    >>> now.posts, now.reply_rate, now.median_first_response_hours, now.absence_factor
    (2, 1.0, 2.0, 1)
    """
    if weeks < 0:
        raise ValueError(f"weeks must be >= 0, got {weeks}")
    as_of = _aware(as_of)
    managers = set(managers)
    data: dict[str, _Community] = defaultdict(_Community)
    author_of: dict[str, str | None] = {}
    thread_of: dict[str, tuple[str, str]] = {}  # post id -> (community, thread root id)
    rows: list[tuple[datetime, str, PostLike]] = []
    for p in posts:
        if p.community_id is None:
            continue
        t = p.created_at
        if t.tzinfo is None:
            t = t.replace(tzinfo=UTC)
        if t <= as_of:
            rows.append((t, p.id, p))
            author_of[p.id] = p.author_id
    rows.sort(key=lambda r: (r[0], r[1]))
    for t, pid, p in rows:
        c = data[p.community_id]  # type: ignore[index]
        author = p.author_id
        c.posts.append((t, author))
        if author is not None:
            c.first_post.setdefault(author, t)  # rows are in time order: the first seen is the earliest
            c.joined.setdefault(author, t)
        thread_id = p.thread_id
        root_id = thread_id if thread_id and thread_id != pid else None
        if root_id is None and p.parent_id:
            root_id = thread_of.get(p.parent_id, (None, p.parent_id))[1]
        if root_id is None:
            c.threads[pid] = _Thread(t, author, p.kind == "question")
            thread_of[pid] = (p.community_id, pid)  # type: ignore[assignment]
            continue
        th = c.threads.get(root_id)
        if th is None:
            continue  # a response to a thread we do not hold (other community or missing): no thread figures
        thread_of[pid] = (p.community_id, root_id)  # type: ignore[assignment]
        target = author_of.get(p.parent_id, th.author) if p.parent_id else th.author
        if author is None or author != th.author:
            if th.first_response is None:
                th.first_response = t
            if not th.is_question or p.kind == "answer":
                th.answered = True
        if author is None or target is None or author != target:
            c.responses.append((t, author, target))
    for person, cid, since in memberships:
        c = data[cid]
        t = _aware(since) if since is not None else _EPOCH
        if person not in c.joined or t < c.joined[person]:
            c.joined[person] = t
    for cid in communities or ():
        data[cid]  # noqa: B018 - touch: report communities without activity too

    week0 = (as_of - timedelta(days=as_of.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    out: list[CommunityHealth] = []
    for cid in sorted(data):
        c = data[cid]
        idx = _Index.build(c, managers)
        firsts = ([idx.times[0]] if idx.times else []) + idx.joined[:1]
        first_activity = min(firsts) if firsts else None
        periods: list[tuple[HealthPeriod, datetime, datetime]] = []
        for k in range(weeks, -1, -1):
            start = week0 - timedelta(weeks=k)
            end = min(start + timedelta(weeks=1), as_of + timedelta(microseconds=1))
            if first_activity is None or end <= first_activity:
                continue
            periods.append((HealthPeriod.WEEK, start, end))
        periods.append((HealthPeriod.CURRENT, as_of - timedelta(days=ACTIVE_DAYS), as_of + timedelta(microseconds=1)))
        for period, start, end in periods:
            out.append(_figures(cid, c, idx, period, start, end, departments))
    return out


@dataclass
class _Index:
    """Time-sorted views of one community, so each period is a few bisections, not a scan."""

    times: list[datetime]
    joined: list[datetime]
    thread_starts: list[datetime]
    threads: list[_Thread]
    response_times: list[datetime]
    firsts: list[tuple[datetime, str]]
    managers: list[tuple[datetime, str]]

    @classmethod
    def build(cls, c: _Community, managers: set[str]) -> _Index:
        threads = sorted(c.threads.values(), key=lambda th: th.start)
        firsts = sorted((t, p) for p, t in c.first_post.items())
        return cls(
            times=[t for t, _ in c.posts],
            joined=sorted(c.joined.values()),
            thread_starts=[th.start for th in threads],
            threads=threads,
            response_times=[r[0] for r in c.responses],
            firsts=firsts,
            managers=sorted((t, p) for p, t in c.joined.items() if p in managers),
        )


def _figures(
    cid: str,
    c: _Community,
    ix: _Index,
    period: HealthPeriod,
    start: datetime,
    end: datetime,
    departments: Mapping[str, str | None],
) -> CommunityHealth:
    lo, hi = bisect_left(ix.times, start), bisect_left(ix.times, end)
    in_period = c.posts[lo:hi]
    a_lo = bisect_left(ix.times, end - timedelta(days=ACTIVE_DAYS))
    active = {a for _, a in c.posts[a_lo:hi] if a is not None}
    members = bisect_left(ix.joined, end)
    per_author = Counter(a for _, a in in_period if a is not None)

    threads = ix.threads[bisect_left(ix.thread_starts, start) : bisect_left(ix.thread_starts, end)]
    replied = [th for th in threads if th.first_response is not None]
    delays = [(th.first_response - th.start).total_seconds() / 3600 for th in replied]  # type: ignore[operator]

    length = end - start
    f_lo = bisect_left(ix.firsts, (start - length, ""))
    f_hi = bisect_left(ix.firsts, (start, ""))
    newcomers = {p for _, p in ix.firsts[f_lo:f_hi]}
    retained = newcomers & set(per_author)

    mgr_members = {p for t, p in ix.managers if t < end}
    responses = c.responses[bisect_left(ix.response_times, start) : bisect_left(ix.response_times, end)]
    known = [
        (departments.get(a), departments.get(b))
        for _, a, b in responses
        if a is not None and b is not None and departments.get(a) and departments.get(b)
    ]
    return trusted(
        CommunityHealth,
        community_id=cid,
        period=period,
        start=_as_date(start),
        members=members,
        active_members=len(active),
        posts=len(in_period),
        threads=len(threads),
        reply_rate=round(len(replied) / len(threads), 6) if threads else None,
        median_first_response_hours=round(median(delays), 6) if delays else None,
        unanswered_share=round(sum(not th.answered for th in threads) / len(threads), 6) if threads else None,
        contributor_gini=gini(list(per_author.values())),
        absence_factor=absence_factor(per_author.values()),
        newcomer_retention=round(len(retained) / len(newcomers), 6) if newcomers else None,
        managers_active_share=round(len(mgr_members & active) / len(mgr_members), 6) if mgr_members else None,
        cross_department_share=round(sum(x != y for x, y in known) / len(known), 6) if known else None,
    )


def _as_date(t: datetime) -> date:
    return t.astimezone(UTC).date()


__all__ = ["ACTIVE_DAYS", "absence_factor", "community_health", "gini"]
