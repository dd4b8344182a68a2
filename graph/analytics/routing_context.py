"""The history routing reads besides expertise rows: who answered which question, related skills, recent answerers.

Related skills are tag co-occurrence on questions: ``w(a -> b) = n(a, b) / (n(a) + 1)`` (the chance that a
question on ``a`` is also on ``b``, shrunk for rare tags), so a rare tag reaches the people of its neighbours.
Recent answerers measure availability: answers in the recent window (the last 30 days, widened to hold at least
the forum's latest 200 answers so that quiet forums have a window too) and the median time they take to answer.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from graph.analytics.posts import PostLike
from graph.analytics.routing_features import Activity


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


def thread_answers(posts: Sequence[PostLike]) -> list[tuple[PostLike, dict[str, int]]]:
    """Each question with who answered it (2 for the accepted answer, 1 for the others; the asker left out),
    in question time order; questions nobody else answered are left out.

    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> q = P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None, tags=("x",))
    >>> a = P(id="a", kind="answer", author_id="bob", created_at=t, thread_id="q", parent_id="q", accepted=True)
    >>> [(x.id, who) for x, who in thread_answers([q, a])]
    [('q', {'bob': 2})]
    """
    who: dict[str, dict[str, int]] = defaultdict(dict)
    roots: dict[str, PostLike] = {}
    for a, q in _answers(posts):
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


def recent_activity(
    posts: Sequence[PostLike], *, as_of: datetime, days: float = 30.0, min_answers: int = 200, top: int = 200
) -> dict[str, Activity]:
    """The ``top`` people with the most answers in the recent window, with their median response time (hours,
    over their latest 20 answers).

    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> q = P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None)
    >>> a = P(id="a", kind="answer", author_id="bob", created_at=t.replace(hour=2), thread_id="q", parent_id="q")
    >>> recent_activity([q, a], as_of=t.replace(day=2))
    {'bob': Activity(recent_answers=1, response_hours=2.0)}
    """
    now = _ts(as_of)
    # (answer time, answer id, author, delay in hours): times converted once, sorted as (time, id)
    pairs = []
    for a, q in _answers(posts):
        ta = _ts(a.created_at)
        if ta <= now and a.author_id != q.author_id:
            pairs.append((ta, a.id, a.author_id, max(ta - _ts(q.created_at), 0.0) / 3600.0))
    if not pairs:
        return {}
    pairs.sort(key=lambda t: (t[0], t[1]))
    start = now - days * 86400.0
    start = min(start, pairs[-min_answers][0] if len(pairs) > min_answers else pairs[0][0])
    counts: Counter[str] = Counter()
    for ta, _, author, _ in pairs:
        if ta >= start:
            counts[author] += 1
    best = sorted(counts.items(), key=lambda t: (-t[1], t[0]))[:top]
    # each chosen person's latest 20 answers, walking back from the newest
    latest: dict[str, list[float]] = {p: [] for p, _ in best}
    wanted = len(latest)
    for _, _, author, delay in reversed(pairs):
        mine = latest.get(author)
        if mine is not None and len(mine) < 20:
            mine.append(delay)
            if len(mine) == 20:
                wanted -= 1
                if not wanted:
                    break
    return {p: Activity(c, round(statistics.median(latest[p]), 4)) for p, c in best}


__all__ = ["interaction_ties", "recent_activity", "related_skills", "thread_answers"]
