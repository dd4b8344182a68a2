"""Community health: activity, responsiveness, concentration and growth, per community, per week and now.

Every figure is defined in ``docs/health.md``; this module computes exactly those definitions, and
``tests/unit/test_health_invariants.py`` checks the relations that bind them on random communities. In short, for
one community and a period ``[start, end)`` (an ISO week, or the 30 days up to the run):

- a *thread* is a post of the community with no parent (its root); the other posts belong to their root's thread;
- a *response* is a post in a thread by someone other than the thread's author; a *reply* is a response of kind
  ``answer`` or ``reply`` (a ``comment`` is a response but no reply);
- *contributors* (``active_members``) are the distinct people who posted in the period;
- *members* are the people who joined before ``end``: declared members, and anyone who posted there before ``end``;
- *reply rate* is the share of the period's threads that got a reply (ever, up to the run); *unanswered share* is
  the share that got none, so the two add up to 1;
- *median first response* is over the period's threads that got a response of any kind (CHAOSS "Time to First
  Response"), in hours;
- *contributor Gini* and *absence factor* are over the period's contributors and their post counts.

The caller removes opted-out people before calling (their posts and memberships are not passed at all: their
activity counts in no figure). Posts without an author (deleted accounts) count as posts but for no person.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from graph.analytics.backend import trusted
from graph.analytics.posts import PostLike
from schema.labels import HealthPeriod
from schema.models import CommunityHealth

ACTIVE_DAYS = 30
REPLY_KINDS = frozenset({"answer", "reply"})


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
    return max(0.0, round(2 * weighted / (n * total) - (n + 1) / n, 12))


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
    first_response: datetime | None = None  # any kind, by someone else
    first_reply: datetime | None = None  # an answer or reply, by someone else


@dataclass
class _Community:
    posts: list[tuple[datetime, str | None]] = field(default_factory=list)  # (time, author), in time order
    threads: dict[str, _Thread] = field(default_factory=dict)
    responses: list[tuple[datetime, str, str]] = field(default_factory=list)  # (time, from, to): two known people
    joined: dict[str, datetime] = field(default_factory=dict)  # person -> first membership or post
    first_post: dict[str, datetime] = field(default_factory=dict)


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)


def _other(author: str | None, thread_author: str | None) -> bool:
    """Whether a post in a thread is by someone other than its author (an unknown account counts as another)."""
    return author is None or thread_author is None or author != thread_author


def thread_roots(posts: Mapping[str, PostLike]) -> dict[str, str]:
    """Post id -> the id of its thread's root (itself for a root), whatever order the posts were written in.

    A post's root is its ``thread_id`` when that names another post, else its parent's root (the parent itself when
    it is not held), else the post itself. Time order cannot be relied on: a Stack Exchange answer merged in from an
    older duplicate keeps its date, earlier than its new question's, and a comment may then precede its answer.

    >>> from types import SimpleNamespace as P
    >>> posts = {"q": P(thread_id=None, parent_id=None), "a": P(thread_id=None, parent_id="q"),
    ...          "c": P(thread_id=None, parent_id="a"), "x": P(thread_id=None, parent_id="gone")}
    >>> thread_roots(posts)
    {'q': 'q', 'a': 'q', 'c': 'q', 'x': 'gone'}
    >>> thread_roots({"a": P(thread_id=None, parent_id="b"), "b": P(thread_id=None, parent_id="a")})
    {'a': '', 'b': ''}
    """
    out: dict[str, str] = {}
    for pid in posts:
        chain: dict[str, None] = {}  # in order, with O(1) membership
        cur = pid
        root = cur
        while True:
            if cur in out:
                root = out[cur]
                break
            if cur in chain:  # a cycle of parents: no root, so no thread
                root = ""
                break
            p = posts.get(cur)
            if p is None:  # not held: its id, which names no thread here
                root = cur
                break
            chain[cur] = None
            nxt = p.thread_id if p.thread_id and p.thread_id != cur else p.parent_id
            if not nxt:
                root = cur
                break
            cur = nxt
        for q in chain:
            out[q] = root
    return out


def community_health(
    posts: Iterable[PostLike],
    memberships: Iterable[tuple[str, str, datetime | None]],
    *,
    departments: Mapping[str, str | None],
    managers: Iterable[str],
    as_of: datetime,
    weeks: int = 26,
    communities: Iterable[str] | None = None,
    leavers: Collection[str] = (),
) -> list[CommunityHealth]:
    """Current (30 days up to ``as_of``) and weekly (ISO weeks, newest last) health of every community.

    Parameters
    ----------
    posts : iterable of post rows
        Posts with a ``community_id``; the others are ignored, and so are posts after ``as_of``. Opted-out people's
        posts must not be passed.
    memberships : iterable of (person id, community id, since)
        Declared members (``since`` None: member from the start), opted-out people left out.
    departments : mapping
        Person id -> department, for the cross-department share.
    managers : iterable of person ids
        People who manage someone (the community's leaders, for leader participation).
    weeks : int
        How many ISO weeks back from the week of ``as_of`` (weeks before a community's first activity are skipped).
    communities : iterable of ids, optional
        Also report these communities when they have no activity at all.
    leavers : collection of person ids
        People who have left the organisation. The store keeps no leaving date, so past weeks count them as they
        were; the current period does not count a leaver as a member unless they posted in it (then they were one
        in it, and ``activeMembers <= members`` holds), as the community's member list leaves them out.

    Returns
    -------
    list of CommunityHealth
        Per community: the weekly rows oldest first (the last one is the week still running), then the current row.

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
    >>> now.posts, now.reply_rate, now.unanswered_share, now.median_first_response_hours, now.absence_factor
    (2, 1.0, 0.0, 2.0, 1)
    """
    if weeks < 0:
        raise ValueError(f"weeks must be >= 0, got {weeks}")
    as_of = _aware(as_of)
    data: dict[str, _Community] = defaultdict(_Community)
    rows: list[tuple[datetime, str, PostLike]] = []
    for p in posts:
        if p.community_id is None:
            continue
        t = _aware(p.created_at)
        if t <= as_of:
            rows.append((t, p.id, p))
    # time order; at one instant a thread's root before its responses (an answer may share its question's second)
    rows.sort(key=lambda r: (r[0], bool(r[2].parent_id or (r[2].thread_id and r[2].thread_id != r[1])), r[1]))
    author_of = {pid: p.author_id for _, pid, p in rows}
    root_of = thread_roots({pid: p for _, pid, p in rows})
    for t, pid, p in rows:
        if root_of[pid] == pid:  # every thread first: a response may be dated before its root (see thread_roots)
            data[p.community_id].threads[pid] = _Thread(t, p.author_id)  # type: ignore[index]
    for t, pid, p in rows:
        c = data[p.community_id]  # type: ignore[index]
        author = p.author_id
        c.posts.append((t, author))
        if author is not None:
            c.first_post.setdefault(author, t)  # rows are in time order: the first seen is the earliest
            c.joined.setdefault(author, t)
        root_id = root_of[pid]
        if root_id == pid:
            continue
        th = c.threads.get(root_id)
        if th is None:
            continue  # its thread is not here (another community, or missing): a post, but no thread figure
        if _other(author, th.author):
            if th.first_response is None:
                th.first_response = t
            if th.first_reply is None and p.kind in REPLY_KINDS:
                th.first_reply = t
        parent = p.parent_id or root_id
        target = author_of.get(parent) if parent in author_of else None
        if author is not None and target is not None and author != target:
            c.responses.append((t, author, target))
    for person, cid, since in memberships:
        c = data[cid]
        t = _aware(since) if since is not None else _EPOCH
        if person not in c.joined or t < c.joined[person]:
            c.joined[person] = t
    for cid in communities or ():
        data[cid]  # noqa: B018 - touch: report communities without activity too

    leaders = set(managers)
    week0 = (as_of - timedelta(days=as_of.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    out: list[CommunityHealth] = []
    for cid in sorted(data):
        c = data[cid]
        idx = _Index.build(c, leaders)
        firsts = ([idx.times[0]] if idx.times else []) + idx.joined[:1]
        first_activity = min(firsts) if firsts else None
        periods: list[tuple[HealthPeriod, datetime, datetime, timedelta]] = []
        for k in range(weeks, -1, -1):
            start = week0 - timedelta(weeks=k)
            end = min(start + timedelta(weeks=1), as_of + _TICK)
            if first_activity is None or end <= first_activity:
                continue
            periods.append((HealthPeriod.WEEK, start, end, timedelta(weeks=1)))
        span = timedelta(days=ACTIVE_DAYS)
        periods.append((HealthPeriod.CURRENT, as_of + _TICK - span, as_of + _TICK, span))
        gone = [(t, p) for p, t in c.joined.items() if p in leavers]
        for period, start, end, nominal in periods:
            out.append(_figures(cid, c, idx, period, start, end, nominal, departments,
                                gone if period == HealthPeriod.CURRENT else ()))
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
    leaders: list[tuple[datetime, str]]

    @classmethod
    def build(cls, c: _Community, leaders: set[str]) -> _Index:
        threads = sorted(c.threads.values(), key=lambda th: th.start)
        return cls(
            times=[t for t, _ in c.posts],
            joined=sorted(c.joined.values()),
            thread_starts=[th.start for th in threads],
            threads=threads,
            response_times=[r[0] for r in c.responses],
            firsts=sorted((t, p) for p, t in c.first_post.items()),
            leaders=sorted((t, p) for p, t in c.joined.items() if p in leaders),
        )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _figures(
    cid: str,
    c: _Community,
    ix: _Index,
    period: HealthPeriod,
    start: datetime,
    end: datetime,
    nominal: timedelta,
    departments: Mapping[str, str | None],
    gone: Sequence[tuple[datetime, str]] = (),
) -> CommunityHealth:
    in_period = c.posts[bisect_left(ix.times, start) : bisect_left(ix.times, end)]
    per_author = Counter(a for _, a in in_period if a is not None)
    # ``gone``: leavers (with the time they joined) no longer counted as members unless they posted in the period
    members = bisect_left(ix.joined, end) - sum(1 for t, p in gone if t < end and p not in per_author)

    threads = ix.threads[bisect_left(ix.thread_starts, start) : bisect_left(ix.thread_starts, end)]
    replied = sum(th.first_reply is not None for th in threads)
    delays = [  # a response dated before its root (merged in from an older question) was there at once: 0 hours
        max(0.0, (th.first_response - th.start).total_seconds() / 3600)
        for th in threads if th.first_response is not None
    ]

    f_lo = bisect_left(ix.firsts, (start - nominal, ""))
    f_hi = bisect_left(ix.firsts, (start, ""))
    newcomers = {p for _, p in ix.firsts[f_lo:f_hi]}
    retained = newcomers & per_author.keys()

    leaders = {p for t, p in ix.leaders if t < end}
    responses = c.responses[bisect_left(ix.response_times, start) : bisect_left(ix.response_times, end)]
    known = [
        (a, b, departments[a], departments[b])
        for _, a, b in responses
        if departments.get(a) and departments.get(b)
    ]
    days = round((end - start).total_seconds() / 86400, 6)
    reply_rate = _share(replied, len(threads))
    return trusted(
        CommunityHealth,
        community_id=cid,
        period=period,
        start=_as_date(start),
        days=days,
        members=members,
        active_members=len(per_author),
        posts=len(in_period),
        posts_per_week=round(len(in_period) * 7 / max(days, 7.0), 6),
        threads=len(threads),
        replied_threads=replied,
        newcomers=len(newcomers),
        leaders=len(leaders),
        cross_department_people=len({a for a, *_ in known} | {b for _, b, *_ in known}),
        reply_rate=reply_rate,
        median_first_response_hours=round(median(delays), 6) if delays else None,
        unanswered_share=_share(len(threads) - replied, len(threads)),
        contributor_gini=gini(list(per_author.values())),
        absence_factor=absence_factor(per_author.values()),
        newcomer_retention=_share(len(retained), len(newcomers)),
        managers_active_share=_share(len(leaders & per_author.keys()), len(leaders)),
        cross_department_share=_share(sum(x != y for *_, x, y in known), len(known)),
    )


def _as_date(t: datetime) -> date:
    return t.astimezone(UTC).date()


__all__ = ["ACTIVE_DAYS", "REPLY_KINDS", "absence_factor", "community_health", "gini", "thread_roots"]
