"""The history routing reads besides expertise rows: who answered which question, related skills, recent answerers.

Related skills are tag co-occurrence on questions: ``w(a -> b) = n(a, b) / (n(a) + 1)`` (the chance that a
question on ``a`` is also on ``b``, shrunk for rare tags), so a rare tag reaches the people of its neighbours.
Recent answerers measure availability: answers in the recent window (the last 30 days, widened to hold at least
the forum's latest 200 answers so that quiet forums have a window too) and the median time they take to answer.

Answer records hold each answerer's whole record (questions answered, tagged or not, accepted among them, the
latest) and their pace: their answers weighted ``2 ** (-k / h)``, ``k`` the number of answers the forum received
after each one and ``h`` = 100 answers. The clock is the forum's own answers, not days, so a busy and a quiet forum
keep the same memory, and a newcomer who has just started answering much (as the regulars of a young forum do) stands
out before their totals catch up: who answered lately predicts who answers next (Chang & Pal 2013; Li & King 2010).

References
----------
.. [1] Chang, S. & Pal, A. (2013). Routing questions for collaborative answering in community question answering.
   Proc. ASONAM 2013, 494-501.
.. [2] Li, B. & King, I. (2010). Routing questions to appropriate answerers in community question answering
   services. Proc. CIKM 2010, 1585-1588.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

import numpy as np

from graph.analytics.posts import PostLike
from graph.analytics.routing_features import Activity, AnswerRecord

PACE_HALF_LIFE = 100.0  # answers: an answer weighs half once the forum has had 100 more


def _ts(t: datetime) -> float:
    return (t if t.tzinfo is not None else t.replace(tzinfo=UTC)).timestamp()


def _answers(posts: Iterable[PostLike]) -> list[tuple[PostLike, PostLike]]:
    """(answer, its question) for every answer or reply to a question, both with authors known for the answer."""
    questions = {p.id: p for p in posts if p.kind == "question"}
    out = []
    for p in posts:
        if p.kind not in ("answer", "reply") or p.author_id is None:
            continue
        root = questions.get(p.thread_id or "") if p.thread_id != p.id else None
        if root is None and p.parent_id:
            root = questions.get(p.parent_id)
        if root is not None:
            out.append((p, root))
    return out


class History:
    """Answers and interaction ties of a time-sorted post list, found in one pass, so that those of any prefix
    ``posts[:n]`` (what a snapshot of the history at that point sees) are read without another pass.

    ``answers(n)`` is ``_answers(posts[:n])`` and ``ties(n)`` is ``interaction_ties(posts[:n])``, exactly, for post
    ids that are unique (the store's key): an answer's root is its thread's question when that question is in the
    prefix, else its parent question when that is; a tie exists once both of its posts are in the prefix.
    """

    def __init__(self, posts: Sequence[PostLike]) -> None:
        self.posts = posts
        position = {p.id: i for i, p in enumerate(posts)}
        question = {p.id: i for i, p in enumerate(posts) if p.kind == "question"}
        a_pos: list[int] = []
        by_thread: list[int] = []
        by_parent: list[int] = []
        names: dict[str, int] = {}
        t_from: list[int] = []
        t_to: list[int] = []
        t_at: list[int] = []
        for i, p in enumerate(posts):
            kind, author = p.kind, p.author_id
            if kind == "question" or author is None:
                continue
            parent = p.parent_id or (p.thread_id if p.thread_id != p.id else None)
            j = position.get(parent, -1) if parent else -1
            other = posts[j].author_id if j >= 0 else None
            if other is not None and other != author:
                t_from.append(names.setdefault(author, len(names)))
                t_to.append(names.setdefault(other, len(names)))
                t_at.append(max(i, j))
            if kind in ("answer", "reply"):
                r1 = question.get(p.thread_id or "", -1) if p.thread_id != p.id else -1
                r2 = question.get(p.parent_id, -1) if p.parent_id else -1
                if r1 >= 0 or r2 >= 0:
                    a_pos.append(i)
                    by_thread.append(r1)
                    by_parent.append(r2)
        self._a_pos = np.asarray(a_pos, dtype=np.int64)
        self._by_thread = np.asarray(by_thread, dtype=np.int64)
        self._by_parent = np.asarray(by_parent, dtype=np.int64)
        self._names = list(names)
        self._code = names
        # both directions, grouped by person, each group in order of the position the tie appears at
        src = np.asarray(t_from + t_to, dtype=np.int64)
        dst = np.asarray(t_to + t_from, dtype=np.int64)
        at = np.asarray(t_at + t_at, dtype=np.int64)
        order = np.lexsort((at, src))
        self._t_src, self._t_dst, self._t_at = src[order], dst[order], at[order]

    def answers(self, n: int) -> list[tuple[PostLike, PostLike]]:
        """``_answers(posts[:n])``: (answer, its question), in post order."""
        k = int(np.searchsorted(self._a_pos, n, side="left"))
        a, r1, r2 = self._a_pos[:k], self._by_thread[:k], self._by_parent[:k]
        root = np.where((r1 >= 0) & (r1 < n), r1, np.where((r2 >= 0) & (r2 < n), r2, -1))
        keep = root >= 0
        posts = self.posts
        return [(posts[i], posts[j]) for i, j in zip(a[keep].tolist(), root[keep].tolist(), strict=True)]

    def ties(self, n: int) -> PrefixTies:
        """``interaction_ties(posts[:n])``, as a mapping that builds each person's set when asked."""
        return PrefixTies(self, n)

    def _neighbours(self, person: str, n: int) -> frozenset[str]:
        code = self._code.get(person)
        if code is None:
            return frozenset()
        lo = int(np.searchsorted(self._t_src, code, side="left"))
        hi = int(np.searchsorted(self._t_src, code, side="right"))
        cut = lo + int(np.searchsorted(self._t_at[lo:hi], n, side="left"))
        return frozenset(self._names[c] for c in self._t_dst[lo:cut].tolist())


class PrefixTies(Mapping[str, frozenset[str]]):
    """The ties of ``History.posts[:n]``: person -> the people they interacted with (only people with ties)."""

    def __init__(self, history: History, n: int) -> None:
        self._h, self._n = history, n

    def __getitem__(self, person: str) -> frozenset[str]:
        found = self._h._neighbours(person, self._n)
        if not found:
            raise KeyError(person)
        return found

    def __iter__(self) -> Iterator[str]:
        h = self._h
        people = np.unique(h._t_src[h._t_at < self._n])
        return iter([h._names[c] for c in people.tolist()])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def thread_answers(
    posts: Sequence[PostLike], pairs: Iterable[tuple[PostLike, PostLike]] | None = None
) -> list[tuple[PostLike, dict[str, int]]]:
    """Each question with who answered it (2 for the accepted answer, 1 for the others; the asker left out),
    in question time order; questions nobody else answered are left out. ``pairs``: ``_answers(posts)`` when
    already found (a :class:`History` has them).

    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> q = P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None, tags=("x",))
    >>> a = P(id="a", kind="answer", author_id="bob", created_at=t, thread_id="q", parent_id="q", accepted=True)
    >>> [(x.id, who) for x, who in thread_answers([q, a])]
    [('q', {'bob': 2})]
    """
    who: dict[str, dict[str, int]] = defaultdict(dict)
    roots: dict[str, PostLike] = {}
    for a, q in _answers(posts) if pairs is None else pairs:
        if a.author_id == q.author_id or a.author_id is None:
            continue
        roots[q.id] = q
        label = 2 if a.accepted else 1
        who[q.id][a.author_id] = max(who[q.id].get(a.author_id, 0), label)
    return sorted(((roots[k], v) for k, v in who.items()), key=lambda t: (_ts(t[0].created_at), t[0].id))


def interaction_ties(posts: Iterable[PostLike]) -> dict[str, frozenset[str]]:
    """Who has interacted with whom (either way): each answer, reply or comment ties its author to the author of
    the post it answers (its parent, else its thread's root), as the projection's INTERACTS ties do.

    >>> from types import SimpleNamespace as P
    >>> q = P(id="q", kind="question", author_id="ann", thread_id="q", parent_id=None)
    >>> a = P(id="a", kind="answer", author_id="bob", thread_id="q", parent_id="q")
    >>> sorted(interaction_ties([q, a])["ann"])
    ['bob']
    """
    posts = list(posts)
    author = {p.id: p.author_id for p in posts}
    ties: dict[str, set[str]] = defaultdict(set)
    for p in posts:
        if p.kind == "question" or p.author_id is None:
            continue
        parent = p.parent_id or (p.thread_id if p.thread_id != p.id else None)
        other = author.get(parent) if parent else None
        if other is not None and other != p.author_id:
            ties[p.author_id].add(other)
            ties[other].add(p.author_id)
    return {k: frozenset(v) for k, v in ties.items()}


def related_skills(posts: Iterable[PostLike], top: int = 5) -> dict[str, list[tuple[str, float]]]:
    """For each question tag, the ``top`` tags most often asked about with it, weighted as in the module docstring.

    >>> from types import SimpleNamespace as P
    >>> qs = [P(kind="question", tags=("gate", "circuit")), P(kind="question", tags=("circuit",))]
    >>> related_skills(qs)["gate"]
    [('circuit', 0.5)]
    """
    n: Counter[str] = Counter()
    pair: Counter[tuple[str, str]] = Counter()
    for p in posts:
        if p.kind != "question" or not p.tags:
            continue
        tags = sorted(set(p.tags))
        n.update(tags)
        for i, a in enumerate(tags):
            for b in tags[i + 1:]:
                pair[(a, b)] += 1
                pair[(b, a)] += 1
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), c in pair.items():
        out[a].append((b, round(c / (n[a] + 1), 6)))
    return {a: sorted(v, key=lambda t: (-t[1], t[0]))[:top] for a, v in sorted(out.items())}


def _recent_events(posts: Sequence[PostLike], as_of: datetime, pairs: Iterable[tuple[PostLike, PostLike]] | None
                   ) -> list[tuple[float, str, str, float]]:
    """(answer time, answer id, author, delay in hours) of the answers up to ``as_of`` by someone other than the
    asker, sorted as (time, id)."""
    now = _ts(as_of)
    events: list[tuple[float, str, str, float]] = []
    for a, q in _answers(posts) if pairs is None else pairs:
        ta = _ts(a.created_at)
        if ta <= now and a.author_id is not None and a.author_id != q.author_id:
            events.append((ta, a.id, a.author_id, max(ta - _ts(q.created_at), 0.0) / 3600.0))
    events.sort(key=lambda t: (t[0], t[1]))
    return events


def _window_start(events: Sequence[tuple[float, str, str, float]], now: float, days: float, min_answers: int) -> float:
    """The recent window's start: ``days`` before ``now``, earlier when that holds fewer than ``min_answers``."""
    start = now - days * 86400.0
    return min(start, events[-min_answers][0] if len(events) > min_answers else events[0][0])


def recent_activity(
    posts: Sequence[PostLike], *, as_of: datetime, days: float = 30.0, min_answers: int = 200, top: int = 200,
    pairs: Iterable[tuple[PostLike, PostLike]] | None = None,
) -> dict[str, Activity]:
    """The ``top`` people with the most answers in the recent window, with their median response time (hours,
    over their latest 20 answers). ``pairs``: ``_answers(posts)`` when already found.

    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> q = P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None)
    >>> a = P(id="a", kind="answer", author_id="bob", created_at=t.replace(hour=2), thread_id="q", parent_id="q")
    >>> recent_activity([q, a], as_of=t.replace(day=2))
    {'bob': Activity(recent_answers=1, response_hours=2.0)}
    """
    return recent_activity_window(posts, as_of=as_of, days=days, min_answers=min_answers, top=top, pairs=pairs)[0]


def recent_activity_window(
    posts: Sequence[PostLike], *, as_of: datetime, days: float = 30.0, min_answers: int = 200, top: int = 200,
    pairs: Iterable[tuple[PostLike, PostLike]] | None = None,
) -> tuple[dict[str, Activity], float | None]:
    """:func:`recent_activity` and where its window starts (POSIX seconds; None without answers): what an
    explanation names when it counts someone's recent answers, so "35 answers" is never read as their whole record.

    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> q = P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None)
    >>> a = P(id="a", kind="answer", author_id="bob", created_at=t.replace(hour=2), thread_id="q", parent_id="q")
    >>> _, since = recent_activity_window([q, a], as_of=datetime(2024, 3, 1, tzinfo=UTC))
    >>> datetime.fromtimestamp(since, UTC).isoformat()
    '2024-01-01T02:00:00+00:00'
    """
    events = _recent_events(posts, as_of, pairs)
    if not events:
        return {}, None
    start = _window_start(events, _ts(as_of), days, min_answers)
    counts: Counter[str] = Counter()
    for ta, _, author, _ in events:
        if ta >= start:
            counts[author] += 1
    best = sorted(counts.items(), key=lambda t: (-t[1], t[0]))[:top]
    # each chosen person's latest 20 answers, walking back from the newest
    latest: dict[str, list[float]] = {p: [] for p, _ in best}
    wanted = len(latest)
    for _, _, author, delay in reversed(events):
        mine = latest.get(author)
        if mine is not None and len(mine) < 20:
            mine.append(delay)
            if len(mine) == 20:
                wanted -= 1
                if not wanted:
                    break
    return {p: Activity(c, round(statistics.median(latest[p]), 4)) for p, c in best}, start


def answer_records(
    posts: Sequence[PostLike], *, as_of: datetime, top: int = 5000, pace_half_life: float = PACE_HALF_LIFE,
    pairs: Iterable[tuple[PostLike, PostLike]] | None = None,
) -> dict[str, AnswerRecord]:
    """The ``top`` answerers by questions answered up to ``as_of`` (self-answers left out) and the ``top`` by
    pace, each with accepted answers among them, the time of the latest and their pace (see the module
    docstring). ``pairs``: ``_answers(posts)`` when already found.

    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> q = P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None)
    >>> a = P(id="a", kind="answer", author_id="bob", created_at=t, thread_id="q", parent_id="q", accepted=True)
    >>> answer_records([q, a], as_of=t)["bob"].answered
    1
    """
    now = _ts(as_of)
    answered: dict[str, set[str]] = defaultdict(set)
    accepted: dict[str, set[str]] = defaultdict(set)
    last: dict[str, float] = {}
    pace: dict[str, float] = defaultdict(float)
    mine = [(a, q) for a, q in (_answers(posts) if pairs is None else pairs)
            if a.author_id is not None and a.author_id != q.author_id and _ts(a.created_at) <= now]
    mine.sort(key=lambda t: (_ts(t[0].created_at), t[0].id))
    n = len(mine)
    for i, (a, q) in enumerate(mine):
        author = a.author_id
        assert author is not None
        when = _ts(a.created_at)
        pace[author] += 2.0 ** (-(n - 1 - i) / pace_half_life)
        answered[author].add(q.id)
        if getattr(a, "accepted", False):
            accepted[author].add(q.id)
        last[author] = max(last.get(author, when), when)
    most = sorted(answered, key=lambda p: (-len(answered[p]), p))[:top]
    busiest = sorted(answered, key=lambda p: (-pace[p], p))[:top]  # newcomers answering much, not yet many
    best = list(dict.fromkeys(most + busiest))
    return {p: AnswerRecord(len(answered[p]), len(accepted.get(p, ())), last[p], round(pace[p], 4)) for p in best}


__all__ = ["History", "PrefixTies", "answer_records", "interaction_ties", "recent_activity", "recent_activity_window",
           "related_skills", "thread_answers"]
