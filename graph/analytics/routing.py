"""Route a question to the people most likely to answer it, with a ranking learned from the organisation's history.

At analyse time :func:`train_router` replays the forum history in time order: it takes expertise snapshots at
several points (:func:`~graph.analytics.expertise.compute_expertise` on the posts before each point), and for
every later question computes the features of its candidates from the snapshot, measured at the snapshot's time (so
nothing the question could not have known is used), with the people who actually answered as labels (accepted
answer 2, other answers 1). Serving measures them the same way, at the time of the analysis the stored rows come
from (:meth:`RoutingContext.clock`), however long after it the question is asked. A
LambdaMART model (LightGBM, Burges 2010) is trained on these lists when the history holds enough questions (the
number of trees chosen by early stopping on the most recent quarter of them); otherwise the hand-set ranking
serves. Either way the router explains each hit by the feature that contributed most to its score
(TreeSHAP contributions for the model, Lundberg et al. 2020; weight times value for the hand-set ranking).

References
----------
.. [1] Burges, C. J. C. (2010). From RankNet to LambdaRank to LambdaMART: an overview. Microsoft Research
   Technical Report MSR-TR-2010-82.
.. [2] Ke, G. et al. (2017). LightGBM: a highly efficient gradient boosting decision tree. Proc. NeurIPS 2017.
.. [3] Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable AI for
   trees. Nature Machine Intelligence 2, 56-67.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from graph.analytics.expertise import (
    ClaimLike,
    EndorsementLike,
    ExpertiseFacts,
    compute_expertise,
    expertise_facts,
)
from graph.analytics.posts import PostLike
from graph.analytics.routing_context import (
    History,
    _answers,
    answer_records,
    interaction_ties,
    recent_activity_window,
    related_skills,
    thread_answers,
)
from graph.analytics.routing_features import (
    FEATURES,
    Candidates,
    ExpertiseSource,
    MemorySource,
    RoutingContext,
    SkillEvidence,
    candidate_features,
)
from graph.analytics.routing_holdout import baseline_mrrs, holdout_mrr
from graph.analytics.routing_text import TitleIndex, title_of
from schema.labels import EvidenceKind
from schema.models import ExpertIn

# the hand-set ranking, for histories too short to learn from: the smoothed answer model (Balog et al. 2006, model 1,
# the question as any one of its skills, with related skills) times a candidate prior. ``lm_any - all_answers`` is
# log p(question | person); the prior is (1 + pace) (answers weighted by how recent they are on the forum's own
# clock: who answers lately answers next) x (1 + endorsers on the skills) x e^(declared level / 5), so an organisation
# whose evidence is declared skills and endorsements (no forum) is still ranked by it. Measured on five real Stack
# Exchange dumps and the demo organisation against the previous weights (bench/results/expertise_eval.md).
HANDSET: dict[str, float] = dict.fromkeys(FEATURES, 0.0) | {
    "lm_any": 1.0, "all_answers": -1.0, "pace": 1.0, "tag_endorsements": 1.0, "tag_declared": 0.2,
}
_NEVER = math.log1p(3650.0)
_DAYS = ("tag_days", "all_days", "response_hours")
SNAPSHOT_POST_BUDGET = 2_000_000  # posts summed over the snapshots of one training replay (about)
MIN_QUESTIONS = 40  # fewer usable past questions than this: the hand-set ranking, no model
LGBM_PARAMS: dict[str, Any] = {
    "objective": "lambdarank", "learning_rate": 0.05, "num_leaves": 7, "min_data_in_leaf": 50,
    "bagging_fraction": 0.8, "bagging_freq": 1, "feature_fraction": 0.8, "lambda_l2": 1.0,
    "lambdarank_truncation_level": 20, "deterministic": True, "force_row_wise": True, "num_threads": 1,
    "verbosity": -1,
}
# the direction each feature may move the score (1 up, -1 down, 0 free): more evidence, more recent activity and a
# faster answer never make someone less likely to answer. A short history cannot then teach the model that, say,
# the forum's most active answerer is a bad bet (a split that fits noise); the features left free are those whose
# direction is not settled (questions asked on the skill, share of one's answers on it).
MONOTONE: dict[str, int] = dict.fromkeys(FEATURES, 1) | {
    "tag_days": -1, "all_days": -1, "response_hours": -1, "tag_questions": 0, "tag_share": 0,
}
LGBM_ROUNDS = 300
MIN_TREES = 20
BAG = 5  # models from different seeds (row and feature sampling), averaged: steadier rankings on short histories
BAG_SEPARATOR = "\n#--- next model ---\n"


@dataclass
class TrainingSet:
    """Past questions as ranking lists: features, labels and list sizes, in time order."""

    X: np.ndarray
    y: np.ndarray
    groups: list[int]

    def split(self, at: int) -> tuple[TrainingSet, TrainingSet]:
        """The first ``at`` lists and the rest."""
        rows = sum(self.groups[:at])
        return (TrainingSet(self.X[:rows], self.y[:rows], self.groups[:at]),
                TrainingSet(self.X[rows:], self.y[rows:], self.groups[at:]))


@dataclass
class Router:
    """What routing needs at query time: the model (or the hand-set weights) and the routing context."""

    kind: str  # "lambdamart" or "handset"
    context: RoutingContext
    model_text: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    _booster: Any = field(default=None, repr=False, compare=False)

    def _models(self) -> list[Any]:
        """The bag of boosters (one model text per seed, joined by ``BAG_SEPARATOR``)."""
        if self._booster is None and self.model_text is not None:
            import lightgbm as lgb

            self._booster = [lgb.Booster(model_str=t) for t in self.model_text.split(BAG_SEPARATOR)]
        return self._booster or []

    def score(self, X: np.ndarray) -> np.ndarray:
        """One score per row (higher ranks first)."""
        if len(X) == 0:
            return np.zeros(0)
        if self.kind == "lambdamart":
            models = self._models()
            return np.mean([np.asarray(m.predict(X, num_threads=1), dtype=np.float64) for m in models], axis=0)
        return _handset_matrix(X) @ _handset_vector()

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each feature's contribution to each row's score, shape ``(rows, len(FEATURES))``."""
        if len(X) == 0:
            return np.zeros((0, len(FEATURES)))
        if self.kind == "lambdamart":
            models = self._models()
            c = np.mean([np.asarray(m.predict(X, pred_contrib=True, num_threads=1), dtype=np.float64)
                         for m in models], axis=0)
            return c[:, : len(FEATURES)]
        return _handset_matrix(X) * _handset_vector()

    def to_json(self) -> str:
        return json.dumps({
            "version": 1, "kind": self.kind, "model": self.model_text, "stats": self.stats, "features": list(FEATURES),
            "related": self.context.related, "skill_answers": self.context.skill_answers, "mu": self.context.mu,
            "active": {p: [a.recent_answers, a.response_hours] for p, a in self.context.active.items()},
            "answerers": {p: [r.answered, r.accepted, r.last_at, r.pace] for p, r in self.context.answerers.items()},
            "as_of": self.context.as_of, "recent_since": self.context.recent_since,
            "titles": None if self.context.titles is None else self.context.titles.as_json(),
        }, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Router:
        from graph.analytics.routing_features import Activity, AnswerRecord

        d = json.loads(text)
        ctx = RoutingContext(
            related={k: [(s, float(w)) for s, w in v] for k, v in d.get("related", {}).items()},
            active={p: Activity(int(a[0]), None if a[1] is None else float(a[1])) for p, a in d.get("active",
                                                                                                  {}).items()},
            skill_answers={k: int(v) for k, v in d.get("skill_answers", {}).items()},
            mu=float(d.get("mu", 1.0)),
            answerers={p: AnswerRecord(int(r[0]), int(r[1]), None if r[2] is None else float(r[2]),
                                         float(r[3]) if len(r) > 3 else 0.0)
                       for p, r in d.get("answerers", {}).items()},
            as_of=None if d.get("as_of") is None else float(d["as_of"]),
            recent_since=None if d.get("recent_since") is None else float(d["recent_since"]),
            titles=None if d.get("titles") is None else TitleIndex.from_json(d["titles"]),
        )
        kind, model, stats = d["kind"], d.get("model"), d.get("stats", {})
        if kind == "lambdamart" and d.get("features") != list(FEATURES):
            # a model stored by an older version over other features: rank by hand until the next analysis
            kind, model, stats = "handset", None, {**stats, "why": "stored model predates the current features"}
        return cls(kind=kind, context=ctx, model_text=model, stats=stats)


def _handset_vector() -> np.ndarray:
    return np.asarray([HANDSET[f] for f in FEATURES], dtype=np.float64)


def _handset_matrix(X: np.ndarray) -> np.ndarray:
    M = np.array(X, dtype=np.float64, copy=True)
    for name in _DAYS:
        j = FEATURES.index(name)
        M[:, j] = np.where(np.isnan(M[:, j]), _NEVER if name != "response_hours" else 0.0, M[:, j])
    return np.nan_to_num(M)


def _ts(t: datetime) -> float:
    return (t if t.tzinfo is not None else t.replace(tzinfo=UTC)).timestamp()


def replay(
    posts: Sequence[PostLike],
    claims: Sequence[ClaimLike] = (),
    endorsements: Sequence[EndorsementLike] = (),
    *,
    as_of: datetime,
    half_life_days: float = 180.0,
    snapshots: int = 10,
    max_questions: int = 600,
    visible: set[str] | None = None,
) -> TrainingSet:
    """Past questions as ranking lists, each from a snapshot of everything before it (see the module docstring).

    Snapshots sit at ``snapshots`` evenly spaced points from 20% to 90% of the answered questions' timeline;
    each question after a snapshot is featurised from it at the question's own time. At most ``max_questions``
    questions are used (evenly spread).
    """
    cutoff = _ts(as_of)
    live = sorted((p for p in posts if _ts(p.created_at) <= cutoff), key=lambda p: (_ts(p.created_at), p.id))
    history = History(live)  # each snapshot's answers and ties, found once
    answered = [(q, who) for q, who in thread_answers(live, history.answers(len(live))) if q.tags]
    empty = TrainingSet(np.zeros((0, len(FEATURES))), np.zeros(0), [])
    if len(answered) < MIN_QUESTIONS:
        return empty
    # each snapshot re-runs compute_expertise on the posts before it: fewer snapshots on very large histories
    snapshots = max(3, min(snapshots, SNAPSHOT_POST_BUDGET // max(len(live), 1)))
    cuts = sorted({int(len(answered) * f) for f in np.linspace(0.2, 0.9, snapshots)})
    used = answered[cuts[0]:]
    if len(used) > max_questions:
        keep = set(np.linspace(0, len(used) - 1, max_questions).astype(int).tolist())
        used = [u for i, u in enumerate(used) if i in keep]
    times = [_ts(p.created_at) for p in live]
    Xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    groups: list[int] = []
    bounds = [_ts(answered[c][0].created_at) for c in cuts] + [math.inf]
    for k in range(len(cuts)):
        lo, hi = bounds[k], bounds[k + 1]
        batch = [(q, who) for q, who in used if lo <= _ts(q.created_at) < hi]
        if not batch:
            continue
        n_before = int(np.searchsorted(np.asarray(times), lo, side="left"))
        before = live[:n_before]
        at = datetime.fromtimestamp(lo, UTC)
        source, ctx = snapshot(before, claims, [e for e in endorsements
                                                if e.created_at is None or _ts(e.created_at) < lo],
                               as_of=at, half_life_days=half_life_days, visible=visible,
                               history=(history, n_before))
        for q, who in batch:
            c = candidate_features(q.tags, source, ctx, now=ctx.clock(_ts(q.created_at)), exclude=[q.author_id or ""],
                                   asker=q.author_id, title=title_of(q))
            y = np.asarray([who.get(p, 0) for p in c.ids], dtype=np.float64)
            if not y.any():
                continue  # nobody who answered is among the candidates: nothing to learn from this list
            Xs.append(c.X)
            ys.append(y)
            groups.append(len(c.ids))
    if not groups:
        return empty
    return TrainingSet(np.vstack(Xs), np.concatenate(ys), groups)


def snapshot(
    posts: Sequence[PostLike],
    claims: Iterable[ClaimLike],
    endorsements: Iterable[EndorsementLike],
    *,
    as_of: datetime,
    half_life_days: float,
    visible: set[str] | None = None,
    history: tuple[History, int] | None = None,
) -> tuple[MemorySource, RoutingContext]:
    """What an analytics run at ``as_of`` would store: expertise rows (as a source) and the routing context.

    Built from :func:`~graph.analytics.expertise.expertise_facts`, the numbers the rows are made of, so no record
    is built only to be parsed back (the same :class:`SkillEvidence` as ``skill_evidence`` of the stored row).
    ``history``: a :class:`History` of a longer post list and ``n``, when ``posts`` is its first ``n`` posts (its
    answers and ties are then read from it, not found again).
    """
    facts = expertise_facts(posts, claims, endorsements, as_of=as_of, half_life_days=half_life_days)
    pairs = history[0].answers(history[1]) if history is not None else None
    ctx = routing_context(posts, ((f.person_id, f.skill, f.answers) for f in facts), as_of=as_of, visible=visible,
                          pairs=pairs)
    source = MemorySource(((f.person_id, f.skill, facts_evidence(f)) for f in facts),
                          visible=visible if visible is not None else {p.author_id for p in posts if p.author_id},
                          ties=history[0].ties(history[1]) if history is not None else interaction_ties(posts))
    return source, ctx


def facts_evidence(f: ExpertiseFacts) -> SkillEvidence:
    """``skill_evidence(row.score, row.evidence)`` of the row ``f.row()`` would be, without building the row."""
    last_seen = max((t.timestamp() for t in (f.last_answer, f.last_accepted, f.last_question, f.last_endorsed)
                     if t is not None), default=None)
    return SkillEvidence(
        score=float(f.score),
        answers=f.answers,
        accepted=f.accepted if f.answers else 0,
        votes=f.votes if f.answers else 0,
        questions=f.questions,
        endorsements=f.endorsers,
        declared=(f.level or 0) if f.declared else None,
        er_pos=f.er_pos,
        last_answer=f.last_answer.timestamp() if f.answers and f.last_answer is not None else None,
        last_seen=last_seen,
    )


def routing_context(
    posts: Sequence[PostLike], answers: Iterable[tuple[str, str, int]], *, as_of: datetime,
    visible: set[str] | None = None, pairs: Iterable[tuple[PostLike, PostLike]] | None = None,
) -> RoutingContext:
    """Related skills, recent answerers (people not ``visible`` left out) and answers per skill, from the posts
    up to ``as_of`` and the (person, skill, answers) of each expertise row (``pairs``: the posts' answers with
    their questions, when already found)."""
    pairs = list(_answers(posts)) if pairs is None else list(pairs)
    active, since = recent_activity_window(posts, as_of=as_of, pairs=pairs)
    answerers = answer_records(posts, as_of=as_of, pairs=pairs)
    if visible is not None:
        active = {p: a for p, a in active.items() if p in visible}
        answerers = {p: r for p, r in answerers.items() if p in visible}
    titles = TitleIndex.build(((title_of(q), who) for q, who in thread_answers(posts, pairs)), visible)
    per_skill: dict[str, int] = {}
    per_person: dict[str, int] = {}
    for person, skill, n in answers:
        if n:
            per_skill[skill] = per_skill.get(skill, 0) + n
            per_person[person] = per_person.get(person, 0) + n
    mu = sum(per_person.values()) / len(per_person) if per_person else 1.0
    return RoutingContext(related=related_skills(posts), active=active, skill_answers=per_skill, mu=mu,
                          answerers=answerers, as_of=_ts(as_of), titles=titles if titles.docs else None,
                          recent_since=since)


def answer_counts(rows: Iterable[ExpertIn]) -> Iterable[tuple[str, str, int]]:
    """(person, skill, answers) of stored expertise rows, for :func:`routing_context`."""
    for e in rows:
        yield e.person_id, e.skill, next((x.count for x in e.evidence if x.kind == EvidenceKind.ANSWERS), 0)


def mrr(scores: np.ndarray, data: TrainingSet) -> float:
    """Mean reciprocal rank of the best-labelled candidate of each list under ``scores`` (ties at their expected
    value: :func:`~graph.analytics.routing_holdout.holdout_mrr`)."""
    return holdout_mrr(scores, data.y, data.groups)


def _fit(data: TrainingSet, seed: int, check: TrainingSet | None = None, rounds: int = LGBM_ROUNDS) -> tuple[str, int]:
    """Train LambdaMART; with ``check``, stop adding trees once NDCG@10 on it stops improving for 20 rounds.
    Returns the model text and the number of trees kept."""
    import lightgbm as lgb

    params = {**LGBM_PARAMS, "seed": seed, "metric": "ndcg", "eval_at": [10],
              "monotone_constraints": [MONOTONE[f] for f in FEATURES]}
    train = lgb.Dataset(data.X, data.y, group=data.groups, feature_name=list(FEATURES), free_raw_data=True)
    if check is None:
        booster = lgb.train(params, train, num_boost_round=rounds)
        return str(booster.model_to_string()), rounds
    valid = lgb.Dataset(check.X, check.y, group=check.groups, reference=train)
    booster = lgb.train(params, train, num_boost_round=rounds, valid_sets=[valid],
                        callbacks=[lgb.early_stopping(20, verbose=False)])
    # at least MIN_TREES: on a check set the first trees already rank perfectly, NDCG stops moving at once and a
    # one-tree model would keep none of the finer evidence (related skills, recency) for the questions to come
    best = max(int(booster.best_iteration or rounds), MIN_TREES)
    return str(booster.model_to_string(num_iteration=best)), best


def train_router(
    posts: Sequence[PostLike],
    claims: Sequence[ClaimLike] = (),
    endorsements: Sequence[EndorsementLike] = (),
    *,
    as_of: datetime,
    half_life_days: float = 180.0,
    seed: int = 42,
    visible: set[str] | None = None,
    rows: Sequence[ExpertIn] | None = None,
) -> Router:
    """The router an analytics run stores: LambdaMART where history allows, the hand-set ranking otherwise.

    The number of trees is chosen on the most recent quarter of the past questions (early stopping on NDCG@10),
    then the model is refitted on all of them; the hand-set ranking's and the counting baselines' scores on that
    quarter are kept beside its own (the evidence ``whoknows analyze`` and the ask page show).

    ``rows``: the run's expertise rows when already computed (else computed here).
    """
    if rows is None:
        rows = compute_expertise(posts, claims, endorsements, as_of=as_of, half_life_days=half_life_days)
    ctx = routing_context(posts, answer_counts(rows), as_of=as_of, visible=visible)
    data = replay(posts, claims, endorsements, as_of=as_of, half_life_days=half_life_days, visible=visible)
    stats: dict[str, Any] = {"training_questions": len(data.groups), "training_rows": int(len(data.y)),
                             "trained_at": as_of.isoformat()}
    handset = Router("handset", ctx, stats=stats)
    if len(data.groups) < MIN_QUESTIONS:
        stats["why"] = f"fewer than {MIN_QUESTIONS} past answered questions to learn from"
        return handset
    fit_part, check_part = data.split(int(len(data.groups) * 0.75))
    text, trees = _fit(fit_part, seed, check_part)
    trial = Router("lambdamart", ctx, model_text=text)
    learned, hand = mrr(trial.score(check_part.X), check_part), mrr(handset.score(check_part.X), check_part)
    stats.update(holdout_questions=len(check_part.groups), holdout_mrr_lambdamart=round(learned, 4),
                 holdout_mrr_handset=round(hand, 4), trees=trees,
                 holdout_mrr_baselines=baseline_mrrs(check_part.X, check_part.y, check_part.groups))
    bag = [_fit(data, seed + k, rounds=trees)[0] for k in range(BAG)]
    return Router("lambdamart", ctx, model_text=BAG_SEPARATOR.join(bag), stats=stats)


@dataclass(frozen=True)
class Routed:
    """One ranked person for a question: score, the question's skills they cover, and the strongest evidence."""

    person_id: str
    score: float
    covered: dict[str, Any]  # skill -> SkillEvidence, the question's skills with evidence
    related: dict[str, Any]  # related skill -> SkillEvidence with answers
    strongest: str  # the feature that contributed most
    explanation: str


def route(
    router: Router,
    source: ExpertiseSource,
    skills: Sequence[str],
    *,
    now: datetime,
    exclude: Iterable[str] = (),
    asker: str | None = None,
    first: int = 10,
    title: str | None = None,
) -> list[Routed]:
    """The best ``first`` people for a question on ``skills`` asked by ``asker``, each explained by its strongest
    evidence and the next strongest that says something else (when a signal every hit shares, such as having worked
    with the asker, weighs most, the second names what sets the person apart)."""
    c = candidate_features(skills, source, router.context, now=router.context.clock(_ts(now)), exclude=exclude,
                           asker=asker, title=title)
    if not c.ids:
        return []
    scores = router.score(c.X)
    order = sorted(range(len(c.ids)), key=lambda i: (-scores[i], c.ids[i]))[:first]
    contrib = router.contributions(c.X[order]) if order else np.zeros((0, len(FEATURES)))
    out: list[Routed] = []
    from graph.analytics.routing_explain import explain

    for row, i in enumerate(order):
        by_weight = [FEATURES[int(j)] for j in np.argsort(-contrib[row], kind="stable") if contrib[row, j] > 0]
        strongest = by_weight[0] if by_weight else FEATURES[int(np.argmax(contrib[row]))]
        out.append(Routed(
            person_id=c.ids[i], score=float(1.0 / (1.0 + math.exp(-float(scores[i])))),
            covered=c.covered[i], related=c.related_used[i], strongest=strongest,
            explanation=explain(skills, c, i, strongest, router.context, now=_ts(now), runners_up=by_weight[1:],
                                title=title),
        ))
    return out


def candidate_scores(router: Router, source: ExpertiseSource, skills: Sequence[str], *, now: datetime,
                     exclude: Iterable[str] = (), asker: str | None = None,
                     title: str | None = None) -> dict[str, float]:
    """Every candidate's score, higher is better (for evaluation: no explanations, no cut-off, ties kept)."""
    c: Candidates = candidate_features(skills, source, router.context, now=router.context.clock(_ts(now)),
                                       exclude=exclude, asker=asker, title=title)
    scores = router.score(c.X)
    return {pid: float(scores[i]) for i, pid in enumerate(c.ids)}


def ranked_ids(router: Router, source: ExpertiseSource, skills: Sequence[str], *, now: datetime,
               exclude: Iterable[str] = (), asker: str | None = None) -> list[str]:
    """Every candidate's id, best first (ties by id, as :func:`route` orders them)."""
    scores = candidate_scores(router, source, skills, now=now, exclude=exclude, asker=asker)
    return sorted(scores, key=lambda pid: (-scores[pid], pid))


__all__ = ["HANDSET", "Routed", "Router", "TrainingSet", "answer_counts", "candidate_scores", "facts_evidence", "mrr",
           "replay", "route", "ranked_ids", "routing_context", "snapshot", "train_router"]
