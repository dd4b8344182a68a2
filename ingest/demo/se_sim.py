"""Simulated internal Stack Exchange site: questions, answers, acceptances, votes and comments.

Askers come mostly from groups that work with the question's skill; answers come from the skill's planted
experts (weighted by their strength), from the asker's own group, and from the skill's wider community; planted
experts answer faster, get accepted and upvoted more. Pure: returns arrays, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.demo.catalog import GENERAL_TAGS, OBJECTS, TASKS
from ingest.demo.org import Org, pools_by_group
from ingest.demo.sampling import (
    DAY,
    PoolBank,
    draw,
    lognormal_delay,
    lookup_pairs,
    make_pool,
    place_in_day,
    sample_days,
)

QUESTIONS_PER_PERSON = 1.45
COMMENTS_PER_PERSON = 1.6


@dataclass
class StackExchangeSim:
    """Posts sorted by time (post Id = index + 1) and comments sorted by time (comment Id = index + 1)."""

    kind: np.ndarray  # 1 question, 2 answer
    owner: np.ndarray  # person index; -1 for a deleted account
    t: np.ndarray  # Unix seconds
    parent: np.ndarray  # post index of an answer's question, -1 for questions
    accepted: np.ndarray  # post index of a question's accepted answer, -1
    up: np.ndarray
    down: np.ndarray
    skill: np.ndarray  # the question's main skill (answers: their question's)
    tag2: np.ndarray  # a second skill tag or -1 (questions)
    gtag: np.ndarray  # a general tag index or -1 (questions)
    title: np.ndarray  # title template seed (questions)
    answer_count: np.ndarray
    comment_count: np.ndarray
    last_activity: np.ndarray
    c_post: np.ndarray
    c_user: np.ndarray
    c_t: np.ndarray
    c_score: np.ndarray

    @property
    def score(self) -> np.ndarray:
        return self.up - self.down


def expert_index(org: Org) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys ``person * n_skills + skill`` of planted experts and their strengths, for vectorised lookup."""
    n_sk = len(org.skills)
    keys = np.concatenate([e * n_sk + s for s, e in enumerate(org.experts)] or [np.empty(0, np.int64)])
    vals = np.concatenate(org.strength or [np.empty(0)])
    order = np.argsort(keys, kind="stable")
    return keys[order], vals[order]


def context_groups(org: Org, rng: np.random.Generator, author: np.ndarray) -> np.ndarray:
    """The group a post is written for: the author's group, or for a broker one of the groups they bridge."""
    ctx = org.group[author].copy()
    for b, gs in org.broker_groups.items():
        idx = np.flatnonzero(author == b)
        if idx.size:
            ctx[idx] = np.array(gs)[rng.integers(0, len(gs), idx.size)]
    return ctx


def simulate_stackexchange(org: Org, rng: np.random.Generator) -> StackExchangeSim:
    tl = org.tl
    n_sk = len(org.skills)
    group_dept = np.array([g.dept for g in org.groups])
    focus_members = [
        np.flatnonzero(np.isin(org.group, [g for g, gr in enumerate(org.groups) if s in gr.focus])) for s in range(n_sk)
    ]
    everyone = np.arange(org.n)
    bank = PoolBank()
    bank.add("ask", [make_pool(m, org.w_root[m]) for m in focus_members] + [make_pool(everyone, org.w_root)])
    bank.add("skill", [make_pool(m, org.w_reply[m]) for m in focus_members])
    bank.add("expert", [make_pool(e, st) for e, st in zip(org.experts, org.strength, strict=True)])
    bank.add("group", pools_by_group(org, org.w_reply))
    depts = range(int(group_dept.max()) + 1)
    bank.add("dept", [make_pool(np.flatnonzero(org.dept == d), org.w_reply[org.dept == d]) for d in depts])
    ex_keys, ex_vals = expert_index(org)
    is_infl = np.zeros(org.n, bool)
    is_infl[org.influencers] = True

    # questions
    n_q = round(QUESTIONS_PER_PERSON * org.n_hr)
    rank = rng.permutation(n_sk)
    popularity = (rank + 5.0) ** -0.5 * np.sqrt([m.size + 20.0 for m in focus_members])
    popularity = np.maximum(popularity / popularity.sum(), 0.5 / n_sk)  # every skill keeps a fair share
    q_skill = rng.choice(n_sk, n_q, p=popularity / popularity.sum())
    ask_key = np.where(rng.random(n_q) < 0.75, q_skill, n_sk)
    asker = bank.draw(rng, bank.key("ask", ask_key))
    missing = asker < 0
    asker[missing] = draw(bank.pools[bank.offset["ask"] + n_sk], rng, int(missing.sum()))
    ctx = context_groups(org, rng, asker)
    skill_trend = rng.uniform(-0.3, 1.2, n_sk)
    day = sample_days(tl, rng, n_q, skill_trend[q_skill])
    t_q = place_in_day(tl, rng, day, org.utc_offset[asker], org.start_t[asker], org.end_t[asker])
    tag2 = np.where(rng.random(n_q) < 0.3, rng.integers(0, n_sk, n_q), -1)
    tag2[tag2 == q_skill] = -1
    gtag = np.where(rng.random(n_q) < 0.3, rng.integers(0, len(GENERAL_TAGS), n_q), -1)

    # answers
    unanswered = rng.uniform(0.04, 0.22, n_sk)[q_skill]
    infl_q = is_infl[asker]
    unanswered[infl_q] = 0.02
    answered = rng.random(n_q) >= unanswered
    n_ans = np.where(answered, 1 + rng.poisson(np.where(infl_q, 2.5, 0.8)), 0).clip(0, 10)
    a_q = np.repeat(np.arange(n_q), n_ans)
    u = rng.random(a_q.size)
    infl_a = infl_q[a_q]
    ctx_a = ctx[a_q]
    skill_a = q_skill[a_q]
    # sources: 0 an expert of the skill (one in the asker's group when there is one, 75%), 1 the asker's group,
    # 2 the asker's department, 3 the skill's wider community
    src = np.where(
        infl_a,
        np.select([u < 0.35, u < 0.6, u < 0.9], [0, 1, 2], 3),
        np.select([u < 0.5, u < 0.92], [0, 1], 3),
    )
    n_groups = len(org.groups)
    combo = np.concatenate([s * n_groups + org.group[e] for s, e in enumerate(org.experts)])
    combo_keys = np.unique(combo)
    local_pools = []
    for k in combo_keys.tolist():
        s, g = divmod(k, n_groups)
        sel = org.group[org.experts[s]] == g
        local_pools.append(make_pool(org.experts[s][sel], org.strength[s][sel]))
    bank.add("local_expert", local_pools)

    def answer_keys(src: np.ndarray, skill: np.ndarray, ctx: np.ndarray) -> np.ndarray:
        dept = group_dept[ctx]
        local = lookup_pairs(combo_keys, np.arange(combo_keys.size), skill * n_groups + ctx, -1).astype(np.int64)
        use_local = (local >= 0) & (rng.random(src.size) < 0.75)
        return np.select(
            [(src == 0) & use_local, src == 0, src == 1, (src == 2) & (dept >= 0), src == 2],
            [bank.key("local_expert", local), bank.key("expert", skill), bank.key("group", ctx),
             bank.key("dept", dept), bank.key("group", ctx)],
            bank.key("skill", skill),
        )

    keys = answer_keys(src, skill_a, ctx_a)
    answerer = bank.draw(rng, keys)

    def answer_times(who: np.ndarray) -> np.ndarray:
        strength = lookup_pairs(ex_keys, ex_vals, who * n_sk + skill_a)
        median = np.where(strength > 0, 1.5 * 3600, 4 * 3600)
        return t_q[a_q] + 60 + lognormal_delay(rng, who.size, median, 1.4)

    t_a = answer_times(answerer)
    asker_a = asker[a_q]
    for attempt in range(2):
        bad = (answerer < 0) | (answerer == asker_a)
        bad |= (t_a >= tl.t1) | (t_a < org.start_t[answerer]) | (t_a >= org.end_t[answerer])
        if attempt == 1 or not bad.any():
            break
        redo = np.flatnonzero(bad)
        answerer[redo] = bank.draw(rng, keys[redo])
        t_a[redo] = answer_times(answerer)[redo]
    keep = ~bad
    # one answer per person per question
    pair = a_q.astype(np.int64) * (org.n + 1) + answerer
    first = np.zeros(a_q.size, bool)
    first[np.unique(np.where(keep, pair, -1), return_index=True)[1]] = True
    keep &= first
    a_q, answerer, t_a, skill_a = a_q[keep], answerer[keep], t_a[keep], skill_a[keep]
    a_strength = lookup_pairs(ex_keys, ex_vals, answerer * n_sk + skill_a)

    # acceptance: the asker accepts one answer on 65% of answered questions, experts' answers more often
    gumbel = np.log(1.0 + 3.0 * a_strength) - np.log(-np.log(rng.random(a_q.size)))
    order = np.lexsort((-gumbel, a_q))
    heads = order[np.r_[True, a_q[order][1:] != a_q[order][:-1]]] if a_q.size else order
    accepts = heads[rng.random(heads.size) < 0.65]
    a_accepted = np.zeros(a_q.size, bool)
    a_accepted[accepts] = True
    q_accepted = np.full(n_q, -1, np.int64)
    q_accepted[a_q[accepts]] = accepts  # answer index for now

    a_up = rng.poisson(0.5 + np.where(a_strength > 0, 0.6 + 0.9 * a_strength, 0.0) + 0.8 * a_accepted)
    a_down = rng.poisson(0.1, a_q.size)
    q_up = rng.poisson(np.where(infl_q, 2.5, 0.8))
    q_down = rng.poisson(0.12, n_q)

    # deleted accounts own a few non-expert posts (the dump then has no OwnerUserId)
    q_owner = np.where(rng.random(n_q) < 0.003, -1, asker)
    a_owner = np.where((rng.random(a_q.size) < 0.003) & (a_strength == 0), -1, answerer)

    # comments on questions and answers
    n_c = round(COMMENTS_PER_PERSON * org.n_hr)
    on_answer = (rng.random(n_c) < 0.55) & (a_q.size > 0)
    target_a = rng.integers(0, max(a_q.size, 1), n_c)
    target_q = rng.integers(0, n_q, n_c)
    aq_lookup = a_q if a_q.size else np.zeros(1, np.int64)  # no answers at all: every comment is on a question
    ta_lookup = t_a if a_q.size else np.zeros(1)
    tq = np.where(on_answer, aq_lookup[target_a], target_q)
    t_target = np.where(on_answer, ta_lookup[target_a], t_q[target_q])
    u = rng.random(n_c)
    c_src = np.where(on_answer, np.where(u < 0.45, 4, 1), np.select([u < 0.6, u < 0.8], [1, 3], 0))
    c_keys = answer_keys(np.where(c_src == 4, 1, c_src), q_skill[tq], ctx[tq])
    commenter = bank.draw(rng, c_keys)
    commenter = np.where(c_src == 4, asker[tq], commenter)
    c_t = t_target + 30 + lognormal_delay(rng, n_c, 2 * 3600, 1.5)
    for attempt in range(2):
        bad = (commenter < 0) | (c_t >= tl.t1) | (c_t < org.start_t[commenter]) | (c_t >= org.end_t[commenter])
        if attempt == 1 or not bad.any():
            break
        redo = np.flatnonzero(bad)
        commenter[redo] = bank.draw(rng, c_keys[redo])
    keep = ~bad
    on_answer, target_a, target_q = on_answer[keep], target_a[keep], target_q[keep]
    commenter, c_t = commenter[keep], c_t[keep]
    c_score = rng.poisson(0.25, c_t.size)

    # one post table sorted by time: questions then answers before the sort
    n_a = a_q.size
    kind = np.r_[np.ones(n_q, np.int64), np.full(n_a, 2)]
    t_all = np.r_[t_q, t_a]
    order = np.argsort(t_all, kind="stable")
    new_index = np.empty(order.size, np.int64)
    new_index[order] = np.arange(order.size)
    parent = np.r_[np.full(n_q, -1), new_index[a_q]][order]
    acc_old = np.r_[np.where(q_accepted >= 0, new_index[n_q + np.maximum(q_accepted, 0)], -1), np.full(n_a, -1)]
    c_post = np.where(on_answer, new_index[np.minimum(n_q + target_a, order.size - 1)], new_index[target_q])
    c_order = np.argsort(c_t, kind="stable")
    c_post, commenter, c_t, c_score = c_post[c_order], commenter[c_order], c_t[c_order], c_score[c_order]

    n_posts = order.size
    skill_all = np.r_[q_skill, skill_a][order]
    answer_count = np.bincount(parent[parent >= 0], minlength=n_posts)
    comment_count = np.bincount(c_post, minlength=n_posts)
    t_sorted = t_all[order]
    last = t_sorted.copy()
    np.maximum.at(last, c_post, c_t)
    has_parent = parent >= 0
    np.maximum.at(last, parent[has_parent], last[has_parent])

    return StackExchangeSim(
        kind=kind[order],
        owner=np.r_[q_owner, a_owner][order],
        t=t_sorted,
        parent=parent,
        accepted=acc_old[order],
        up=np.r_[q_up, a_up][order],
        down=np.r_[q_down, a_down][order],
        skill=skill_all,
        tag2=np.r_[tag2, np.full(n_a, -1)][order],
        gtag=np.r_[gtag, np.full(n_a, -1)][order],
        title=np.r_[rng.integers(0, len(TASKS) * len(OBJECTS) * 4, n_q), np.zeros(n_a, np.int64)][order],
        answer_count=answer_count,
        comment_count=comment_count,
        last_activity=last,
        c_post=c_post,
        c_user=commenter,
        c_t=c_t,
        c_score=c_score,
    )


def vote_table(se: StackExchangeSim, rng: np.random.Generator, t1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Votes behind each post's score: (post index, VoteTypeId 2 up / 3 down, day as datetime64[D]), by date."""
    post = np.r_[np.repeat(np.arange(se.t.size), se.up), np.repeat(np.arange(se.t.size), se.down)]
    vtype = np.r_[np.full(int(se.up.sum()), 2), np.full(int(se.down.sum()), 3)]
    t = np.minimum(se.t[post] + rng.exponential(5 * DAY, post.size), t1 - 1)
    day = (t // DAY).astype("int64").astype("datetime64[D]")
    order = np.lexsort((post, day))
    return post[order], vtype[order], day[order]
