"""Simulated Slack workspace: channels (general, social, team, communities of practice, training cohorts),
threads with replies and reactions, bots, joins and leaves.

Team channels carry most traffic and replies stay mostly inside the root author's group (the planted
communities); practice channels draw answers from the skill's experts; influencers' threads attract many replies
from their whole department; brokers post and reply in every group they bridge. Volumes are set so that the
community-health pages look like a real workspace's: a big channel or a guild has posts from many people every
week, and threads go back and forth (their authors answer back). Pure: arrays only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ingest.demo.catalog import DEPARTMENTS, EMEA, LOCATIONS, PRACTICE_CHANNELS
from ingest.demo.org import ROLE_CEO, ROLE_LEAD, ROLE_MANAGER, ROLE_VP, Org, pools_by_group, slug
from ingest.demo.sampling import (
    DAY,
    Pool,
    PoolBank,
    Timeline,
    draw,
    draw_grouped,
    lognormal_delay,
    make_pool,
    place_in_day,
    sample_days,
)
from ingest.demo.se_sim import expert_index

KIND_ROOT, KIND_REPLY, KIND_JOIN, KIND_LEAVE, KIND_BOT = range(5)
MAX_TEAM_CHANNELS = 110
BOTS: tuple[tuple[str, str], ...] = (("deploybot", "Deploy Bot"), ("github", "GitHub"), ("polly", "Polly"))

# messages per HR person in each family of channels over the window: enough that a team channel of 20 sees a few
# threads a week and a 100-member guild a dozen or more, as in a real workspace (still far below a real one's
# volume, which would make the demo slow to ingest)
BUDGET = {"team": 9.0, "practice": 8.0, "random": 1.6, "general": 0.45, "cohort": 0.3, "leadership": 0.08}
BOT_BUDGET = 0.1
FOLLOW_UP = 0.4  # share of replied threads whose author answers back (thanks, a follow-up question)


def busy_share(members: int) -> float:
    """Share of days a team or practice channel has new threads: small teams talk in bursts, big channels daily.

    >>> busy_share(5), busy_share(30), busy_share(200)
    (0.38, 0.8, 0.95)
    """
    return round(min(0.95, 0.3 + members / 60), 2)
_DEPT = {d.slug: k for k, d in enumerate(DEPARTMENTS)}
# (share of roots without replies, mean replies of the others)
THREADS = {
    "team": (0.35, 2.8), "practice": (0.25, 3.0), "random": (0.5, 2.0), "general": (0.6, 2.5),
    "cohort": (0.3, 2.5), "leadership": (0.4, 2.0),
}


@dataclass
class Channel:
    name: str
    kind: str  # general | random | leadership | team | practice | cohort
    purpose: str
    created: float
    members: np.ndarray
    groups: tuple[int, ...] = ()
    skills: tuple[int, ...] = ()
    trend: float = 0.0
    course: tuple[float, float] | None = None
    keeps_talking: bool | None = None


@dataclass
class SlackSim:
    channels: list[Channel]
    ch: np.ndarray
    t: np.ndarray
    user: np.ndarray  # person index, or -1 - k for bot k of BOTS
    kind: np.ndarray
    root: np.ndarray  # message index of a reply's root, else -1
    text: np.ndarray  # seed for the message text
    skill: np.ndarray  # skill the message is about, or -1
    react_off: np.ndarray  # CSR offsets into react_user, one more than messages
    react_user: np.ndarray
    react_emoji: np.ndarray  # (messages, 2) emoji indices


class _Builder:
    def __init__(self, org: Org, rng: np.random.Generator) -> None:
        self.org = org
        self.rng = rng
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in ("ch", "t", "user", "kind", "root", "text", "skill")}
        self.n_msgs = 0
        w_slack = org.w_reply * org.has_slack
        self.w_root = org.w_root * org.has_slack
        self.w_reply = w_slack
        self.bank = PoolBank()
        self.bank.add("group", pools_by_group(org, w_slack))
        n_dept = len(DEPARTMENTS)
        self.bank.add("dept", [make_pool(np.flatnonzero(org.dept == d), w_slack[org.dept == d]) for d in range(n_dept)])
        self.ex_keys, self.ex_vals = expert_index(org)
        self.is_infl = np.zeros(org.n, bool)
        self.is_infl[org.influencers] = True

    def add(self, ch: int, t: np.ndarray, user: np.ndarray, kind: int | np.ndarray, root: np.ndarray | None = None,
            skill: np.ndarray | int = -1) -> np.ndarray:
        n = t.size
        idx = np.arange(self.n_msgs, self.n_msgs + n)
        self.parts["ch"].append(np.full(n, ch, np.int64))
        self.parts["t"].append(t)
        self.parts["user"].append(np.asarray(user, np.int64))
        self.parts["kind"].append(np.broadcast_to(np.asarray(kind, np.int64), (n,)).copy())
        self.parts["root"].append(np.full(n, -1, np.int64) if root is None else root)
        self.parts["text"].append(self.rng.integers(0, 1 << 30, n))
        self.parts["skill"].append(np.broadcast_to(np.asarray(skill, np.int64), (n,)).copy())
        self.n_msgs += n
        return idx

    def threads(
        self,
        ch: int,
        n_roots: int,
        root_pool: Pool,
        family: str,
        reply_keys: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
        *,
        trend: float = 0.0,
        days: np.ndarray | None = None,
        skills: tuple[int, ...] = (),
        ctx_of: Callable[[np.ndarray], np.ndarray] | None = None,
        busy_share: float = 1.0,
    ) -> None:
        """``n_roots`` thread roots in channel ``ch`` with their replies.

        ``reply_keys(author, ctx, u)`` gives, per reply slot, the pool-bank key to draw the replier from.
        ``busy_share`` < 1 keeps the channel quiet on the other days (team rhythms; fewer day files).
        """
        org, rng, tl = self.org, self.rng, self.org.tl
        author = draw(root_pool, rng, n_roots)
        author = author[author >= 0]
        n_roots = author.size
        if n_roots == 0:
            return
        busy = rng.random(tl.days) < busy_share if busy_share < 1.0 else None
        day = days[:n_roots] if days is not None else sample_days(tl, rng, n_roots, trend, busy)
        t = place_in_day(tl, rng, day, org.utc_offset[author], org.start_t[author], org.end_t[author])
        ctx = ctx_of(author) if ctx_of is not None else org.group[author]
        skill = np.asarray(skills)[rng.integers(0, len(skills), n_roots)] if skills else np.full(n_roots, -1)
        roots = self.add(ch, t, author, KIND_ROOT, skill=skill)
        p0, mean_nz = THREADS[family]
        infl = self.is_infl[author]
        k = np.where(
            rng.random(n_roots) < np.where(infl, 0.05, p0),
            0,
            1 + rng.poisson(np.where(infl, mean_nz * 3.0, mean_nz) - 1.0),
        )
        r_of = np.repeat(np.arange(n_roots), k)
        keys = reply_keys(author[r_of], ctx[r_of], rng.random(r_of.size))
        replier = self.bank.draw(rng, keys)
        t_r = t[r_of] + 5 + lognormal_delay(rng, r_of.size, 25 * 60, 1.6)
        for attempt in range(2):
            bad = (replier < 0) | (replier == author[r_of]) | (t_r >= tl.t1)
            bad |= (t_r < org.start_t[replier]) | (t_r >= org.end_t[replier])
            if attempt == 1 or not bad.any():
                break
            redo = np.flatnonzero(bad)
            replier[redo] = self.bank.draw(rng, keys[redo])
        keep = ~bad
        self.add(ch, t_r[keep], replier[keep], KIND_REPLY, root=roots[r_of[keep]], skill=skill[r_of[keep]])
        # in some replied threads the root's author answers back: real threads go back and forth, so a week's
        # posts are not all by different people
        first = np.full(n_roots, np.inf)
        np.minimum.at(first, r_of[keep], t_r[keep])
        replied = np.flatnonzero(np.isfinite(first))
        back = replied[rng.random(replied.size) < FOLLOW_UP]
        t_b = first[back] + 60 + lognormal_delay(rng, back.size, 20 * 60, 1.2)
        ok = (t_b < tl.t1) & (t_b < org.end_t[author[back]])
        self.add(ch, t_b[ok], author[back[ok]], KIND_REPLY, root=roots[back[ok]], skill=skill[back[ok]])

    def finish(self, channels: list[Channel]) -> SlackSim:
        cat = {k: np.concatenate(v) if v else np.empty(0, np.int64) for k, v in self.parts.items()}
        org, rng = self.org, self.rng
        n = cat["t"].size
        # everybody who wrote in a channel is a member of it
        for c, channel in enumerate(channels):
            writers = cat["user"][(cat["ch"] == c) & (cat["user"] >= 0)]
            channel.members = np.union1d(channel.members, writers)
        # reactions: a few per message, many on influencers' and leaders' roots
        user = cat["user"]
        lam = np.full(n, 0.3)
        human = user >= 0
        is_root = cat["kind"] == KIND_ROOT
        lam[human & is_root & self.is_infl[np.maximum(user, 0)]] = 1.8
        lam[human & is_root & np.isin(org.role[np.maximum(user, 0)], (ROLE_CEO, ROLE_VP))] = 4.0
        lam[(cat["kind"] == KIND_JOIN) | (cat["kind"] == KIND_LEAVE)] = 0.0
        count = rng.poisson(lam)
        react_off = np.zeros(n + 1, np.int64)
        np.cumsum(count, out=react_off[1:])
        msg_of = np.repeat(np.arange(n), count)
        pools = [make_pool(ch.members, self.w_reply[ch.members] + 0.05 * org.has_slack[ch.members]) for ch in channels]
        react_user = draw_grouped(rng, cat["ch"][msg_of], pools)
        return SlackSim(
            channels=channels, ch=cat["ch"], t=cat["t"], user=user, kind=cat["kind"], root=cat["root"],
            text=cat["text"], skill=cat["skill"], react_off=react_off, react_user=react_user,
            react_emoji=rng.integers(0, 8, (n, 2)),
        )


def simulate_slack(org: Org, rng: np.random.Generator) -> SlackSim:
    tl = org.tl
    b = _Builder(org, rng)
    n_hr = org.n_hr
    hr = np.arange(n_hr)
    slack_hr = hr[org.has_slack[:n_hr]]
    group_dept = np.array([g.dept for g in org.groups])
    channels: list[Channel] = []
    old = tl.t0 - 6 * 365 * DAY

    # general, random, leadership
    channels.append(Channel("general", "general", "Company-wide announcements and work-based matters", old, slack_hr))
    channels.append(Channel("random", "random", "Non-work banter and water cooler conversation", old,
                            slack_hr[rng.random(slack_hr.size) < 0.6], trend=0.3))
    leaders = np.flatnonzero(np.isin(org.role, (ROLE_CEO, ROLE_VP)))
    channels.append(Channel("leadership", "leadership", "Leadership team", old, leaders))

    # team channels: one per group, or per few neighbouring groups of a department in large organisations
    per = max(1, math.ceil((len(org.groups) - 1) / MAX_TEAM_CHANNELS))
    team_of_group = np.full(len(org.groups), -1)
    for d, dept in enumerate(DEPARTMENTS):
        gs = [g for g in range(1, len(org.groups)) if org.groups[g].dept == d]
        for j in range(0, len(gs), per):
            cluster = tuple(gs[j : j + per])
            members = np.flatnonzero(np.isin(org.group, cluster) & org.has_slack)
            bridging = [p for p, pg in org.broker_groups.items() if set(pg[1:]) & set(cluster)]
            members = np.union1d(members, np.array(bridging, np.int64))
            name = f"team-{dept.slug}-{slug(org.groups[cluster[0]].name)}"
            team_of_group[list(cluster)] = len(channels)
            channels.append(Channel(name, "team", f"{dept.name}: {', '.join(org.groups[g].name for g in cluster)}",
                                    tl.t0 - rng.uniform(0.5, 4.0) * 365 * DAY, members, groups=cluster,
                                    trend=float(rng.uniform(-0.2, 0.8))))

    # communities of practice
    skill_index = {s.canonical: k for k, s in enumerate(org.skills)}
    declared_by: dict[int, list[int]] = {}
    for i, entries in enumerate(org.declared):
        for s, _ in entries:
            declared_by.setdefault(s, []).append(i)
    for cdef in PRACTICE_CHANNELS:
        sk = tuple(skill_index[s] for s in cdef.skills if s in skill_index)
        if not sk:
            continue
        experts = np.unique(np.concatenate([org.experts[s] for s in sk]))
        if cdef.name == "sales-emea":
            emea = np.array([LOCATIONS[k].name in EMEA for k in range(len(LOCATIONS))])
            base = np.flatnonzero((org.dept[:n_hr] == _DEPT["sales"]) & emea[org.location[:n_hr]])
        else:
            focus = [g for g, gr in enumerate(org.groups) if set(gr.focus) & set(sk)]
            base = np.flatnonzero(np.isin(org.group[:n_hr], focus))
            base = base[rng.random(base.size) < 0.35]
            decl = np.unique(np.array([i for s in sk for i in declared_by.get(s, [])], np.int64))
            base = np.union1d(base, decl[rng.random(decl.size) < 0.6])
        members = np.union1d(base, experts)
        members = members[org.has_slack[members]]
        channels.append(Channel(cdef.name, "practice", cdef.purpose, tl.t0 - rng.uniform(0.2, 3.0) * 365 * DAY,
                                members, skills=sk, trend=cdef.trend))

    # training cohorts: one keeps talking after the course, one goes quiet
    cohort_defs = []
    ok = org.active & ~org.opted_out & org.has_slack[:n_hr]
    for label, start_days, pool_mask, keeps in (
        (org.skills[skill_index.get("machine-learning", 0)].canonical, 420,
         ok & (org.start_t[:n_hr] < tl.t1 - 430 * DAY), True),
        ("new-managers", 250, ok & np.isin(org.role[:n_hr], (ROLE_MANAGER, ROLE_LEAD))
         & (org.start_t[:n_hr] < tl.t1 - 260 * DAY), False),
    ):
        cand = np.flatnonzero(pool_mask)
        if cand.size < 8:
            continue
        size = min(int(cand.size), int(rng.integers(12, 31)))
        members = np.sort(rng.choice(cand, size=size, replace=False))
        c0 = tl.t1 - start_days * DAY
        day0 = np.datetime64(int(c0 // DAY), "D").astype(str)
        name = f"cohort-{label}-{day0[:7]}"
        channels.append(Channel(name, "cohort", f"Training cohort {label}, course from {day0}", c0 - 3 * DAY, members,
                                course=(c0, c0 + 42 * DAY), keeps_talking=keeps))
        cohort_defs.append(len(channels) - 1)

    # ---- traffic
    slack_people = int(slack_hr.size)
    ch_pool = [make_pool(c.members, b.w_root[c.members]) for c in channels]
    reply_pool = [make_pool(c.members, b.w_reply[c.members]) for c in channels]
    b.bank.add("channel", reply_pool)
    ex_pools = []
    for chan in channels:
        if chan.kind == "practice":
            ids = np.concatenate([org.experts[s] for s in chan.skills])
            st = np.concatenate([org.strength[s] for s in chan.skills])
            ex_pools.append(make_pool(ids, st * org.has_slack[ids]))
        else:
            ex_pools.append(make_pool(np.empty(0, np.int64), np.empty(0)))
    b.bank.add("expert", ex_pools)
    everyone = make_pool(slack_hr, b.w_reply[slack_hr])
    b.bank.add("everyone", [everyone])

    def n_roots(family: str, budget: float) -> int:
        p0, mean_nz = THREADS[family]
        return max(1, round(budget / (1.0 + (1.0 - p0) * mean_nz)))

    # team channels, budget by size
    team = [c for c, ch in enumerate(channels) if ch.kind == "team"]
    sizes = np.array([channels[c].members.size for c in team], np.float64)
    for c, size in zip(team, sizes.tolist(), strict=True):
        ch = channels[c]
        groups = np.array(ch.groups)

        def team_ctx(author: np.ndarray, groups: np.ndarray = groups) -> np.ndarray:
            home = org.group[author]
            inside = np.isin(home, groups)
            return np.where(inside, home, groups[rng.integers(0, groups.size, author.size)])

        def team_keys(author: np.ndarray, ctx: np.ndarray, u: np.ndarray, c: int = c) -> np.ndarray:
            infl = b.is_infl[author]
            dept = np.maximum(group_dept[ctx], 0)
            normal = np.where(u < 0.75, b.bank.key("group", ctx), b.bank.key("channel", c))
            wide = np.select([u < 0.4, u < 0.8], [b.bank.key("group", ctx), b.bank.key("dept", dept)],
                             b.bank.key("channel", c))
            return np.where(infl, wide, normal)

        budget = BUDGET["team"] * slack_people * size / max(sizes.sum(), 1.0)
        b.threads(c, n_roots("team", budget), ch_pool[c], "team", team_keys, trend=ch.trend, ctx_of=team_ctx,
                  busy_share=busy_share(ch.members.size))

    # practice channels
    practice = [c for c, ch in enumerate(channels) if ch.kind == "practice"]
    psizes = np.array([channels[c].members.size for c in practice], np.float64)
    for c, size in zip(practice, psizes.tolist(), strict=True):
        ch = channels[c]

        def practice_keys(author: np.ndarray, ctx: np.ndarray, u: np.ndarray, c: int = c) -> np.ndarray:
            infl = b.is_infl[author]
            dept = np.maximum(group_dept[ctx], 0)
            normal = np.select([u < 0.35, u < 0.8], [b.bank.key("expert", c), b.bank.key("group", ctx)],
                               b.bank.key("channel", c))
            wide = np.select([u < 0.3, u < 0.6], [b.bank.key("expert", c), b.bank.key("dept", dept)],
                             b.bank.key("channel", c))
            return np.where(infl, wide, normal)

        budget = BUDGET["practice"] * slack_people * size / max(psizes.sum(), 1.0)
        b.threads(c, n_roots("practice", budget), ch_pool[c], "practice", practice_keys, trend=ch.trend,
                  skills=ch.skills, busy_share=busy_share(ch.members.size))

    def channel_keys_for(c: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        return lambda author, ctx, u: np.full(author.size, b.bank.key("channel", c), np.int64)

    def random_keys(author: np.ndarray, ctx: np.ndarray, u: np.ndarray) -> np.ndarray:
        """#random: half of the chat is with one's own group, half with anyone."""
        return np.where(u < 0.5, b.bank.key("group", ctx), b.bank.key("channel", 1))

    # random, general, leadership
    b.threads(1, n_roots("random", BUDGET["random"] * slack_people), ch_pool[1], "random", random_keys,
              trend=channels[1].trend)
    gen_w = b.w_root[slack_hr] * np.where(org.dept[slack_hr] == _DEPT["hr"], 2.0, 0.05)
    gen_w = np.where(np.isin(org.role[slack_hr], (ROLE_CEO, ROLE_VP)), 6.0, gen_w)
    b.threads(0, n_roots("general", BUDGET["general"] * slack_people), make_pool(slack_hr, gen_w), "general",
              lambda author, ctx, u: np.full(author.size, b.bank.key("everyone", 0), np.int64), trend=0.2)
    lead_pool = make_pool(leaders, np.ones(leaders.size))
    b.threads(2, n_roots("leadership", BUDGET["leadership"] * slack_people), lead_pool, "leadership",
              channel_keys_for(2), busy_share=busy_share(leaders.size))

    # cohorts: busy during the course, then either keep going or fade out
    for c in cohort_defs:
        ch = channels[c]
        assert ch.course is not None
        d0 = int((ch.course[0] - tl.t0) // DAY)
        d1 = int((ch.course[1] - tl.t0) // DAY)
        total = n_roots("cohort", BUDGET["cohort"] * slack_people / max(len(cohort_defs), 1))
        during = total * 2 // 3 if ch.keeps_talking else total * 9 // 10
        after_days = np.arange(d1, tl.days)
        after_w = np.exp(-(after_days - d1) / (400.0 if ch.keeps_talking else 10.0)) * tl.day_weight[after_days]
        days = np.r_[rng.integers(d0, d1, during),
                     rng.choice(after_days, total - during, p=after_w / after_w.sum()) if after_days.size else []]
        days = days.astype(np.int64)
        rng.shuffle(days)
        pool = make_pool(ch.members, 0.5 + org.w_root[ch.members])
        b.bank.add(f"cohort{c}", [make_pool(ch.members, 0.5 + org.w_reply[ch.members])])
        b.threads(c, total, pool, "cohort", _constant_key(b.bank.offset[f"cohort{c}"]), days=days)

    _bots(b, channels, tl)
    _joins_and_leaves(b, channels, tl)
    return b.finish(channels)


def _constant_key(key: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Reply keys that always draw from one pool."""
    return lambda author, ctx, u: np.full(author.size, key, np.int64)


def _bots(b: _Builder, channels: list[Channel], tl: Timeline) -> None:
    """deploybot and github post in engineering team channels, polly runs polls in #general; some get replies."""
    org, rng = b.org, b.rng
    total = max(3, round(BOT_BUDGET * org.n_hr))
    eng = [c for c, ch in enumerate(channels) if ch.kind == "team" and ch.name.startswith("team-eng-")]
    eng += [c for c, ch in enumerate(channels) if ch.name == "k8s-guild"]
    plan = ((0, eng, 0.6), (1, eng, 0.25), (2, [0], 0.15))
    for bot, targets, share in plan:
        if not targets:
            continue
        n = max(1, round(total * share))
        ch = np.array(targets)[rng.integers(0, len(targets), n)]
        day = sample_days(tl, rng, n, 0.5)
        t = place_in_day(tl, rng, day, np.zeros(n), np.full(n, tl.t0), np.full(n, tl.t1))
        for c in np.unique(ch).tolist():
            sel = ch == c
            idx = b.add(c, t[sel], np.full(int(sel.sum()), -1 - bot), KIND_BOT)
            replied = idx[rng.random(idx.size) < 0.05]
            if replied.size:
                ts = t[sel][replied - idx[0]] + 30 + lognormal_delay(rng, replied.size, 600, 1.0)
                who = draw(make_pool(channels[c].members, b.w_reply[channels[c].members]), rng, replied.size)
                ok = (who >= 0) & (ts < tl.t1)
                ok &= (ts >= org.start_t[np.maximum(who, 0)]) & (ts < org.end_t[np.maximum(who, 0)])
                b.add(c, ts[ok], who[ok], KIND_REPLY, root=replied[ok])


def _joins_and_leaves(b: _Builder, channels: list[Channel], tl: Timeline) -> None:
    """channel_join for memberships that start inside the window, channel_leave when a leaver goes."""
    org, rng = b.org, b.rng
    for c, ch in enumerate(channels):
        m = ch.members
        since = np.maximum(ch.created, org.joined_t[m]) + rng.uniform(0, 3 * DAY, m.size)
        join = (since >= tl.t0) & (since < tl.t1) & (since < org.end_t[m])
        if join.any():
            b.add(c, since[join], m[join], KIND_JOIN)
        if ch.kind in ("team", "practice", "cohort"):
            leaving = np.zeros(m.size, bool)
            hr = m < org.n_hr
            leaving[hr] = ~org.active[m[hr]]
            leave_t = org.end_t[m] - rng.uniform(0, DAY, m.size)
            leaving &= leave_t > np.maximum(since, tl.t0)
            if leaving.any():
                b.add(c, leave_t[leaving], m[leaving], KIND_LEAVE)


__all__ = ["BOTS", "KIND_BOT", "KIND_JOIN", "KIND_LEAVE", "KIND_REPLY", "KIND_ROOT", "Channel", "SlackSim",
           "simulate_slack"]
