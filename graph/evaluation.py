"""Replaying history to measure expert finding: does the ranking name who actually answered a later question?

Protocol: questions sorted by time; the question at the ``split`` point sets the cut-off. Everything created
before it is the training part (ingested and analysed as if the analysis ran at the cut-off), except the posts of a
later question's thread, whatever their dates (answers merged in from a closed duplicate); every later question
with a target answerer (the accepted answer's author, or with ``target="first"`` the first answer by someone else)
is a test case. Each method ranks candidates for the question; the asker is never a candidate, for any method. The
target's 1-based rank gives hit@k, reciprocal rank and NDCG@10 (one relevant person, so NDCG@10 is
``1 / log2(rank + 1)`` within the top 10). A target who never posted before the cut-off cannot be found by any
method: such cases stay in every denominator (counted as misses) and are reported as ``cold``.

Ties: every method scores its candidates, and people with the same score are tied. A tied target is scored by the
expected value of each metric over every order of its tie (McSherry & Najork 2008), not by where an arbitrary
tie-break puts it: counting baselines tie often on a small forum (a dozen people with one answer on a tag), and
breaking ties by person id lets how an export numbers its users (on Stack Exchange, oldest accounts first) decide
the baseline's figures (Cabanac et al. 2010 show such tie-breaks move TREC results).

Baselines on the same split and the same candidates rule: most answers overall; most answers on the question's
tags; most recent answerers on the question's tags.

References
----------
.. [1] Järvelin, K. & Kekäläinen, J. (2002). Cumulated gain-based evaluation of IR techniques. ACM TOIS 20(4).
.. [2] Riahi, F., Zolaktaf, Z., Shafiei, M. & Milios, E. (2012). Finding expert users in community question
   answering. Proc. WWW 2012 Companion, 791-798.
.. [3] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall (ch. 13: percentile
   intervals). Sakai, T. (2006). Evaluating evaluation metrics based on the bootstrap. Proc. SIGIR 2006, 525-532.
.. [4] McSherry, F. & Najork, M. (2008). Computing information retrieval performance measures efficiently in the
   presence of tied scores. Proc. ECIR 2008, 414-421.
.. [5] Cabanac, G., Hubert, G., Boughanem, M. & Chrisment, C. (2010). Tie-breaking bias: effect of an uncontrolled
   parameter on information retrieval evaluation. Proc. CLEF 2010, 112-123.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy.special import digamma
from scipy.stats import bootstrap

from graph.analytics.posts import PostLike
from graph.analytics.routing_context import thread_answers
from graph.analytics.routing_text import title_of

BASELINES: tuple[str, ...] = ("most answers overall", "most answers on the tags", "most recent on the tags")
METRICS: tuple[str, ...] = ("hit@1", "hit@5", "hit@10", "MRR", "NDCG@10")
Rank = int | tuple[int, int] | None
"""Where a method put the target: its 1-based place, the first and last places of a tie it shares, or None (not
among the method's candidates)."""
Scores = Mapping[str, float]
"""A method's answer for one case: each candidate's score, higher is better (the asker left out)."""


@dataclass(frozen=True)
class Case:
    """One test question: its skills, asker, time and the person who answered it (the target)."""

    question_id: str
    skills: tuple[str, ...]
    asker: str | None
    created_at: datetime
    target: str
    known: bool = True  # the target posted before the cut-off (else no method can find them: a cold case)
    title: str | None = None  # the question's title, where the export has titles


@dataclass
class Split:
    cutoff: datetime
    train: list[PostLike]
    cases: list[Case]
    test_questions: int
    cold: int  # cases whose target never posted before the cut-off
    why_none: str | None = None  # when no later question has a target: why, in the export's own terms


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def split_history(posts: Iterable[PostLike], split: float = 0.8, target: str = "accepted") -> Split:
    """Cut the history at the ``split`` point of its questions and collect the later questions' targets.

    ``target``: ``accepted`` (the accepted answer's author), ``first`` (the first answer by someone other than
    the asker) or ``auto`` (accepted when the export marks any accepted answer, else first).
    """
    if not 0.0 < split < 1.0:
        raise ValueError(f"split must be between 0 and 1, got {split}")
    if target not in ("accepted", "first", "auto"):
        raise ValueError(f"target must be accepted, first or auto, got {target!r}")
    ordered = sorted(posts, key=lambda p: (_aware(p.created_at), p.id))
    questions = [p for p in ordered if p.kind == "question"]
    if len(questions) < 10:
        raise ValueError(f"too few questions to split ({len(questions)}; at least 10 are needed)")
    cutoff = _aware(questions[min(int(len(questions) * split), len(questions) - 1)].created_at)
    # a post of a test question's thread stays out of training whatever its date: on a real site a closed
    # duplicate's answers and comments are merged into the question it duplicates keeping their own dates, so a
    # later question can hold an answer (even its accepted one) dated before the cut-off
    later = {q.id for q in questions if _aware(q.created_at) >= cutoff}
    train = [p for p in ordered if _aware(p.created_at) < cutoff and p.thread_id not in later
             and p.parent_id not in later]
    if target == "auto":
        target = "accepted" if any(p.accepted for p in ordered) else "first"
    firsts: dict[str, str] = {}
    for q, who in thread_answers(ordered):
        if _aware(q.created_at) < cutoff:
            continue
        if target == "accepted":
            chosen = [p for p, label in who.items() if label == 2]
            if chosen:
                firsts[q.id] = chosen[0]
        else:
            firsts[q.id] = ""  # filled below from answer times
    if target == "first":
        firsts = _first_answerers(ordered, set(firsts))
    seen = {p.author_id for p in train if p.author_id}
    cases = [
        Case(q.id, tuple(q.tags), q.author_id, _aware(q.created_at), firsts[q.id], firsts[q.id] in seen, title_of(q))
        for q in questions if q.id in firsts and firsts[q.id]
    ]
    return Split(cutoff=cutoff, train=train, cases=cases, test_questions=len(later),
                 cold=sum(1 for c in cases if not c.known),
                 why_none=None if cases else _why_none(ordered, later, target))


def _why_none(ordered: Sequence[PostLike], later: set[str], target: str) -> str:
    """Why none of the ``later`` questions has a target answerer: the export holds no answers at all, none by
    someone other than the asker after the cut-off, or (``accepted``) none marked accepted."""
    answered = thread_answers(ordered)
    if not answered:
        posts = sum(1 for p in ordered if p.kind != "question")
        return (f"none of the export's {sum(1 for p in ordered if p.kind == 'question')} questions has an answer or "
                f"a reply by someone other than its asker ({posts} posts are not questions), so nothing says who "
                f"answered what (in a chat export only thread replies answer a message)")
    late = [who for q, who in answered if q.id in later]
    if not late:
        return (f"none of the {len(later)} questions after the cut-off has an answer or a reply by someone other "
                f"than its asker ({len(answered)} earlier ones have): try an earlier --split")
    return (f"none of the {len(later)} questions after the cut-off has an accepted answer by someone other than its "
            f"asker ({len(late)} have other answers: --target first scores those)")


def _first_answerers(ordered: Sequence[PostLike], qids: set[str]) -> dict[str, str]:
    askers = {p.id: p.author_id for p in ordered if p.kind == "question"}
    out: dict[str, str] = {}
    for p in ordered:  # time order: the first answer by someone else wins
        if p.kind not in ("answer", "reply") or p.author_id is None:
            continue
        root = p.thread_id if p.thread_id in qids else p.parent_id
        if root in qids and root not in out and p.author_id != askers.get(root):
            out[root] = p.author_id
    return out


def baselines(train: Sequence[PostLike]) -> dict[str, Callable[[Case], Scores]]:
    """The three counting baselines, each a function from a case to its candidates' scores (asker left out): the
    count itself, so equal counts tie."""
    overall: Counter[str] = Counter()
    on_tag: dict[str, Counter[str]] = defaultdict(Counter)
    latest: dict[str, dict[str, float]] = defaultdict(dict)
    for question, who in thread_answers(train):
        for person in who:
            overall[person] += 1
            for tag in question.tags:
                on_tag[tag][person] += 1
    answers_at: dict[tuple[str, str], float] = {}
    questions = {p.id: p for p in train if p.kind == "question"}
    for p in train:
        if p.kind in ("answer", "reply") and p.author_id:
            q = questions.get(p.thread_id or "") or questions.get(p.parent_id or "")
            if q is None or q.author_id == p.author_id:
                continue
            for tag in q.tags:
                key = (tag, p.author_id)
                answers_at[key] = max(answers_at.get(key, 0.0), _aware(p.created_at).timestamp())
    for (tag, person), ts in answers_at.items():
        latest[tag][person] = ts

    board = Leaderboard({p: float(n) for p, n in overall.items()})

    def most_overall(c: Case) -> Scores:
        return board.without(c.asker)

    def most_on_tags(c: Case) -> Scores:
        s: dict[str, float] = defaultdict(float)
        for tag in c.skills:
            for p, n in on_tag.get(tag, {}).items():
                s[p] += n
        s.pop(c.asker or "", None)
        return s

    def recent_on_tags(c: Case) -> Scores:
        s: dict[str, float] = {}
        for tag in c.skills:
            for p, ts in latest.get(tag, {}).items():
                s[p] = max(s.get(p, 0.0), ts)
        s.pop(c.asker or "", None)
        return s

    return dict(zip(BASELINES, (most_overall, most_on_tags, recent_on_tags), strict=True))


class Leaderboard(Mapping[str, float]):
    """Scores that are the same for every case but for the one person left out (the asker), ranked by binary search
    over the sorted scores: "most answers overall" copied every answerer for every case, quadratic on a large site
    (4,260 cases x 30,000 answerers: a third of the whole evaluation).

    >>> b = Leaderboard({"a": 3.0, "b": 2.0, "c": 2.0, "d": 1.0})
    >>> [rank_of(p, b.without("b")) for p in "abcdz"], len(b.without("b")), "b" in b.without("b")
    ([1, None, 2, 3, None], 3, False)
    >>> [rank_of(p, b.without(None)) for p in "abcd"]
    [1, (2, 3), (2, 3), 4]
    """

    def __init__(self, scores: Mapping[str, float], left_out: str | None = None,
                 ordered: np.ndarray | None = None) -> None:
        self._scores = scores
        self._out = left_out if left_out in scores else None
        self._sorted = ordered if ordered is not None else np.sort(
            np.fromiter(scores.values(), dtype=np.float64, count=len(scores)))

    def without(self, person: str | None) -> Leaderboard:
        """The same scores with ``person`` left out (no copy)."""
        return Leaderboard(self._scores, person, self._sorted)

    def __getitem__(self, person: str) -> float:
        if person == self._out:
            raise KeyError(person)
        return self._scores[person]

    def __iter__(self) -> Iterator[str]:
        return (p for p in self._scores if p != self._out)

    def __len__(self) -> int:
        return len(self._scores) - (self._out is not None)

    def rank(self, person: str) -> Rank:
        """:func:`rank_of` for ``person``, in O(log n) (the scores are finite counts: no NaN)."""
        if person == self._out or person not in self._scores:
            return None
        v = self._scores[person]
        above = len(self._sorted) - int(np.searchsorted(self._sorted, v, side="right"))
        tied = int(np.searchsorted(self._sorted, v, side="right") - np.searchsorted(self._sorted, v, side="left"))
        if self._out is not None:
            w = self._scores[self._out]
            above -= int(w > v)
            tied -= int(w == v)
        return above + 1 if tied <= 1 else (above + 1, above + tied)


def rank_of(target: str, scores: Scores) -> Rank:
    """Where ``target`` lands among ``scores``: its place, the (first, last) places of the tie it shares, or None.

    A NaN score ranks below every number (tied with the other NaNs), never first by accident of comparison.

    >>> s = {"a": 3.0, "b": 2.0, "c": 2.0, "d": 1.0}
    >>> rank_of("a", s), rank_of("c", s), rank_of("d", s), rank_of("z", s)
    (1, (2, 3), 4, None)
    >>> rank_of("n", {"n": math.nan, "a": 1.0, "m": math.nan})
    (2, 3)
    """
    if isinstance(scores, Leaderboard):
        return scores.rank(target)
    if target not in scores:
        return None
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    return rank_among(values, list(scores).index(target))


def rank_among(values: np.ndarray, i: int) -> Rank:
    """Where row ``i`` of ``values`` lands: its place, or the (first, last) places of the tie it shares. NaN ranks
    below every number, tied with the other NaNs.

    >>> rank_among(np.array([3.0, 2.0, 2.0, 1.0]), 2), rank_among(np.array([0.5, np.nan, 0.7]), 2)
    ((2, 3), 1)
    """
    s = np.where(np.isnan(values), -np.inf, values)
    above = int((s > s[i]).sum())
    tied = int((s == s[i]).sum())
    return above + 1 if tied <= 1 else (above + 1, above + tied)


def places(r: Rank) -> tuple[int, int] | None:
    """The first and last place ``r`` could take (the same for an untied rank)."""
    return None if r is None else (r, r) if isinstance(r, int) else r


def metrics(ranks: Sequence[Rank]) -> dict[str, float]:
    """hit@1/5/10, MRR and NDCG@10 over cases (an unranked target scores 0 on each; a tied one the mean over its
    tie's places, McSherry & Najork 2008).

    >>> {k: round(v, 4) for k, v in metrics([1, 3, None, 12]).items()}
    {'hit@1': 0.25, 'hit@5': 0.5, 'hit@10': 0.5, 'MRR': 0.3542, 'NDCG@10': 0.375}
    >>> {k: round(v, 4) for k, v in metrics([(1, 2), (9, 12)]).items()}
    {'hit@1': 0.25, 'hit@5': 0.5, 'hit@10': 0.75, 'MRR': 0.4232, 'NDCG@10': 0.4815}
    """
    if not ranks:
        return dict.fromkeys(METRICS, math.nan)
    return {m: float(per_case(ranks, m).mean()) for m in METRICS}


def per_case(ranks: Sequence[Rank], metric: str) -> np.ndarray:
    """Each case's value of ``metric``: the one definition :func:`metrics` averages and the bootstrap resamples.
    A tie of places a..b scores the mean of the metric over those places: the expected value when the tie is
    broken at random.

    >>> per_case([1, 3, None, 12], "MRR").round(3).tolist(), per_case([1, 3, None, 12], "hit@10").tolist()
    ([1.0, 0.333, 0.0, 0.083], [1.0, 1.0, 0.0, 0.0])
    >>> per_case([(1, 4), (8, 15)], "hit@10").tolist(), per_case([(1, 3)], "MRR").round(4).tolist()
    ([1.0, 0.375], [0.6111])
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    if metric == "MRR":  # mean of 1/r over r = a..b: (H_b - H_{a-1}) / (b - a + 1), H by the digamma function
        return np.asarray([0.0 if (ab := places(r)) is None else
                           float(digamma(ab[1] + 1) - digamma(ab[0])) / (ab[1] - ab[0] + 1) for r in ranks],
                          dtype=np.float64)
    if metric == "NDCG@10":  # one relevant person: the gain at rank r is 1 / log2(r + 1), within the first ten
        return np.asarray([_mean_gain(places(r), 10, lambda k: 1.0 / math.log2(k + 1)) for r in ranks],
                          dtype=np.float64)
    k = int(metric.partition("@")[2])
    return np.asarray([_mean_gain(places(r), k, lambda _k: 1.0) for r in ranks], dtype=np.float64)


def _mean_gain(ab: tuple[int, int] | None, cut: int, gain: Callable[[int], float]) -> float:
    """The mean over places a..b of ``gain`` at places up to ``cut`` (zero below it)."""
    if ab is None:
        return 0.0
    a, b = ab
    return sum(gain(k) for k in range(a, min(b, cut) + 1)) / (b - a + 1)


@dataclass(frozen=True)
class Difference:
    """A ranking minus a baseline on one metric over the same cases, with a paired bootstrap interval.

    The cases are resampled as pairs (one question, both methods' values), so the interval says how far the
    difference could move on another sample of questions like these: on a forum's 15 test questions a lead of
    one question is well inside it.
    """

    metric: str
    baseline: str
    difference: float
    low: float
    high: float
    level: float = 0.95

    @property
    def clear(self) -> bool:
        """The whole interval lies above zero: better than the baseline beyond the sampling noise."""
        return self.low > 0.0

    @property
    def behind(self) -> bool:
        """The whole interval lies below zero: worse than the baseline beyond the sampling noise."""
        return self.high < 0.0

    def phrase(self) -> str:
        """``+0.045 (95% CI -0.012 to +0.101)``"""
        return f"{self.difference:+.3f} ({self.level:.0%} CI {self.low:+.3f} to {self.high:+.3f})"

    def as_dict(self) -> dict[str, object]:
        return {"baseline": self.baseline, "difference": self.difference, "low": self.low, "high": self.high,
                "level": self.level}


def paired_difference(ours: Sequence[Rank], theirs: Sequence[Rank], metric: str, *, baseline: str = "",
                      level: float = 0.95, resamples: int = 4999, seed: int = 0) -> Difference:
    """Mean per-case ``metric`` of ``ours`` minus ``theirs`` (ranks of the same cases) with a percentile bootstrap
    interval over the cases (Efron & Tibshirani 1993; Sakai 2006 for IR metrics). Seeded, so a rerun prints the
    same interval.

    >>> d = paired_difference([1, 1, 2, None], [2, 1, 2, None], "MRR")
    >>> round(d.difference, 3), d.low <= d.difference <= d.high, d.high <= 0.5
    (0.125, True, True)
    >>> paired_difference([1, 1], [2, 2], "MRR").phrase()
    '+0.500 (95% CI +0.500 to +0.500)'
    """
    if len(ours) != len(theirs):
        raise ValueError(f"ours has {len(ours)} cases, theirs {len(theirs)}")
    d = per_case(ours, metric) - per_case(theirs, metric)
    if len(d) == 0:
        return Difference(metric, baseline, math.nan, math.nan, math.nan, level)
    mean = float(d.mean())
    if len(d) < 2 or float(np.ptp(d)) == 0.0:  # every resample has the same mean
        return Difference(metric, baseline, mean, mean, mean, level)
    ci = bootstrap((d,), np.mean, n_resamples=resamples, batch=500, confidence_level=level, method="percentile",
                   rng=np.random.default_rng(seed)).confidence_interval
    return Difference(metric, baseline, mean, float(ci.low), float(ci.high), level)


@dataclass
class Report:
    """One evaluation: the split, the per-method metrics and every case's rank per method."""

    name: str
    cutoff: datetime
    train_posts: int
    test_questions: int
    cases: int
    cold: int
    table: dict[str, dict[str, float]]
    ranks: dict[str, list[Rank]] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    items: list[Case] = field(default_factory=list)  # the cases, in the order of each method's ranks

    def best_baseline(self, metric: str) -> float:
        return max(self.table[b][metric] for b in BASELINES)

    def versus_best(self, method: str, metric: str) -> Difference:
        """``method`` minus the baseline best on ``metric`` (the first of them on a tie), case by case."""
        best = max(BASELINES, key=lambda b: self.table[b][metric])
        return paired_difference(self.ranks[method], self.ranks[best], metric, baseline=best)

    def misses(self, method: str) -> dict[str, int]:
        """Why ``method`` missed the target (not ranked at all) or ranked it below 10, in cases: ``cold`` (the
        target never posted before the cut-off: no method can find them), ``not_ranked`` (seen before, but not
        among the method's candidates) and ``below_10`` (ranked, but below the first ten even at the best place of
        its tie; a tie reaching into the first ten is a partial hit).

        >>> from dataclasses import replace
        >>> c = Case("q", ("x",), None, datetime(2024, 1, 1, tzinfo=UTC), "t")
        >>> r = Report("r", c.created_at, 0, 3, 3, 1, {}, {"m": [None, None, 12]},
        ...            items=[c, replace(c, known=False), c])
        >>> r.misses("m")
        {'cold': 1, 'not_ranked': 1, 'below_10': 1}
        """
        ranks = self.ranks.get(method, [])
        return {
            "cold": sum(1 for c in self.items if not c.known),
            "not_ranked": sum(1 for c, r in zip(self.items, ranks, strict=True) if c.known and r is None),
            "below_10": sum(1 for r in ranks if (ab := places(r)) is not None and ab[0] > 10),
        }

    def case_rows(self) -> list[dict[str, object]]:
        """One row per case: the question, its skills, whether the target had posted before, each method's rank
        of the target (None: not ranked; ``[a, b]``: tied for places a to b). The target is not named: the rows are
        for finding where a ranking fails, not whom it should have found."""
        return [{"question": c.question_id, "skills": list(c.skills), "cold": not c.known,
                 "ranks": {m: _as_json(r[i]) for m, r in self.ranks.items()}} for i, c in enumerate(self.items)]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "cutoff": self.cutoff.isoformat(), "train_posts": self.train_posts,
            "test_questions": self.test_questions, "cases": self.cases, "cold": self.cold,
            "table": {m: {k: (None if math.isnan(v) else v) for k, v in row.items()} for m, row in self.table.items()},
            "notes": self.notes, "misses": {m: self.misses(m) for m in self.ranks} if self.items else {},
            "versus_best_baseline": {m: {k: self.versus_best(m, k).as_dict() for k in ("MRR", "hit@10")}
                                     for m in self.ranks if m not in BASELINES} if self.cases else {},
        }


def _as_json(r: Rank) -> int | list[int] | None:
    return list(r) if isinstance(r, tuple) else r


def evaluate(name: str, split: Split, methods: dict[str, Callable[[Case], Scores]]) -> Report:
    """Score every case's candidates with every method and find where the target lands."""
    ranks = {m: [rank_of(c.target, fn(c)) for c in split.cases] for m, fn in methods.items()}
    return Report(name=name, cutoff=split.cutoff, train_posts=len(split.train), test_questions=split.test_questions,
                  cases=len(split.cases), cold=split.cold, table={m: metrics(r) for m, r in ranks.items()},
                  ranks=ranks, items=list(split.cases),
                  notes={"nothing_to_score": split.why_none} if split.why_none else {})


def pooled(reports: Sequence[Report]) -> Report:
    """All the reports' cases as one evaluation (metrics over the union of their cases)."""
    methods = list(reports[0].ranks) if reports else []
    ranks = {m: [r for rep in reports for r in rep.ranks.get(m, [])] for m in methods}
    return Report(name="pooled", cutoff=max(r.cutoff for r in reports), train_posts=sum(r.train_posts for r in reports),
                  test_questions=sum(r.test_questions for r in reports), cases=sum(r.cases for r in reports),
                  cold=sum(r.cold for r in reports), table={m: metrics(r) for m, r in ranks.items()}, ranks=ranks,
                  items=[c for rep in reports for c in rep.items])


__all__ = ["BASELINES", "METRICS", "Case", "Difference", "Leaderboard", "Rank", "Report", "Scores", "Split",
           "baselines", "evaluate", "metrics", "paired_difference", "per_case", "places", "pooled", "rank_among",
           "rank_of", "split_history"]
