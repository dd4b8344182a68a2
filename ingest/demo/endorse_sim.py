"""Simulated peer endorsements ("+1 for Python"): mostly for planted experts on their skill, the rest for
colleagues on skills they declared. Over-claimers are never endorsed on the skill they over-claim. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.demo.org import Org, pools_by_group
from ingest.demo.sampling import PoolBank, make_pool, place_in_day, sample_days

ENDORSEMENTS_PER_PERSON = 0.3


@dataclass
class Endorsements:
    src: np.ndarray  # endorser person index
    dst: np.ndarray  # endorsee person index
    skill: np.ndarray
    t: np.ndarray  # sorted


def simulate_endorsements(org: Org, rng: np.random.Generator) -> Endorsements:
    n_hr, n_sk = org.n_hr, len(org.skills)
    total = round(ENDORSEMENTS_PER_PERSON * n_hr)
    n_expert = round(total * 0.55)
    # endorsements of experts: the skill weighted by the number of experts, the expert by strength
    ex_person = np.concatenate(org.experts)
    ex_skill = np.concatenate([np.full(e.size, s) for s, e in enumerate(org.experts)])
    ex_w = np.concatenate(org.strength)
    pick = rng.choice(ex_person.size, n_expert, p=ex_w / ex_w.sum())
    dst = [ex_person[pick]]
    skill = [ex_skill[pick]]
    # endorsements of colleagues on a declared skill (over-claimed skills excluded)
    over = {(int(p), s) for s, ps in enumerate(org.overclaimers) for p in ps.tolist()}
    decl_p, decl_s = [], []
    for i, entries in enumerate(org.declared):
        for s, _ in entries:
            if (i, s) not in over:
                decl_p.append(i)
                decl_s.append(s)
    dp, ds = np.array(decl_p, np.int64), np.array(decl_s, np.int64)
    if dp.size:
        w = org.w_reply[dp] + 0.1
        pick = rng.choice(dp.size, total - n_expert, p=w / w.sum())
        dst.append(dp[pick])
        skill.append(ds[pick])
    dst_a = np.concatenate(dst)
    skill_a = np.concatenate(skill)
    # the endorser: a colleague from the endorsee's group, sometimes anyone in the company
    bank = PoolBank()
    hr_weights = np.where(np.arange(org.n) < n_hr, org.w_reply + 0.2, 0.0)
    bank.add("group", pools_by_group(org, hr_weights))
    bank.add("all", [make_pool(np.arange(n_hr), hr_weights[:n_hr])])
    keys = np.where(rng.random(dst_a.size) < 0.8, bank.key("group", org.group[dst_a]), bank.key("all", 0))
    src_a = bank.draw(rng, keys)
    day = sample_days(org.tl, rng, dst_a.size, 0.3)
    t = place_in_day(org.tl, rng, day, org.utc_offset[dst_a], org.start_t[dst_a], org.end_t[dst_a])
    ok = (src_a >= 0) & (src_a != dst_a) & (src_a < n_hr) & (dst_a < n_hr)
    ok &= (t >= org.start_t[np.maximum(src_a, 0)]) & (t < org.end_t[np.maximum(src_a, 0)])
    key = (src_a * org.n + dst_a) * n_sk + skill_a
    first = np.zeros(key.size, bool)
    first[np.unique(np.where(ok, key, -1), return_index=True)[1]] = True
    ok &= first
    src_a, dst_a, skill_a, t = src_a[ok], dst_a[ok], skill_a[ok], t[ok]
    order = np.argsort(t, kind="stable")
    return Endorsements(src_a[order], dst_a[order], skill_a[order], t[order])
