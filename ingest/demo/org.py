"""The synthetic organisation: people, manager hierarchy, groups, declared skills and the planted structure.

Pure: ``build_org(people, rng, timeline)`` returns arrays and lists; nothing here touches files.

Index layout: 0 is the CEO, 1..10 the department VPs, then the staff of each group contiguously; external
contractors (Stack Exchange / Slack accounts with no HR record) follow the ``n_hr`` HR people.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ingest.demo.catalog import (
    CULTURES,
    DEPARTMENTS,
    EMEA,
    FIRST_NAMES,
    LAST_NAMES,
    LEVEL_WORDS,
    LOCATIONS,
    SKILLS,
    SkillDef,
)
from ingest.demo.sampling import DAY, Pool, Timeline, allocate, make_pool

ROLE_IC, ROLE_MANAGER, ROLE_LEAD, ROLE_VP, ROLE_CEO, ROLE_EXTERNAL = range(6)
LEADERSHIP = 0  # group index of the CEO and VPs
HR_DOMAIN = "northwind.example"
PARTNER_DOMAINS = ("contractor.example", "agency.example", "consult.example")
MIN_PEOPLE = 50
MAX_PEOPLE = 2_000_000

_REGION_LOCATIONS = {
    "EMEA Enterprise": EMEA,
    "North America": ("New York", "Toronto"),
    "APAC": ("Singapore", "Tokyo", "Bangalore"),
    "LATAM": ("São Paulo", "Mexico City"),
}
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "đ": "d", "ı": "i"})


@lru_cache(maxsize=4096)
def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters of ``text`` for e-mail local parts.

    >>> ascii_fold("Łukasz"), ascii_fold("Nguyễn"), ascii_fold("O'Brien"), ascii_fold("Mei Ling")
    ('lukasz', 'nguyen', 'obrien', 'meiling')
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return re.sub(r"[^a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower())


def slug(text: str) -> str:
    """>>> slug("FP&A"), slug("Learning & Development")
    ('fp-and-a', 'learning-and-development')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " and ")).strip("-")


@dataclass(frozen=True)
class Group:
    label: str  # community label in truth.json, e.g. "eng/platform-2"
    name: str  # "Platform 2"
    dept: int  # index into DEPARTMENTS; -1 for leadership
    location: int  # main location index
    focus: tuple[int, ...]  # indices into Org.skills


@dataclass
class Org:
    n_hr: int
    tl: Timeline
    skills: tuple[SkillDef, ...]
    groups: list[Group]
    hr_ids: list[str]
    first: list[str]
    last: list[str]
    email: list[str]
    title: list[str]
    dept: np.ndarray
    group: np.ndarray
    location: np.ndarray
    role: np.ndarray
    manager: np.ndarray
    hire_day: np.ndarray
    active: np.ndarray
    opted_out: np.ndarray
    start_t: np.ndarray
    end_t: np.ndarray
    w_root: np.ndarray
    w_reply: np.ndarray
    lurker: np.ndarray
    has_slack: np.ndarray
    experts: list[np.ndarray]  # per skill, person indices best first
    strength: list[np.ndarray]  # per skill, aligned with experts
    overclaimers: list[np.ndarray]  # per skill: declared at the top level, no other evidence
    brokers: np.ndarray
    broker_groups: dict[int, tuple[int, ...]]  # broker -> (home group, bridged groups...)
    influencers: np.ndarray
    declared: list[list[tuple[int, str]]]  # per HR person: (skill index, text written in the export)
    utc_offset: np.ndarray = field(default_factory=lambda: np.empty(0))
    joined_t: np.ndarray = field(default_factory=lambda: np.empty(0))  # hire (or contract start), may precede t0

    @property
    def n(self) -> int:
        return int(self.dept.size)

    @property
    def is_hr(self) -> np.ndarray:
        return np.arange(self.n) < self.n_hr

    def name(self, i: int) -> str:
        return f"{self.first[i]} {self.last[i]}"

    def person_groups(self, i: int) -> tuple[int, ...]:
        return self.broker_groups.get(i, (int(self.group[i]),))


def skill_count(people: int) -> int:
    return int(min(len(SKILLS), max(8, people // 60)))


def experts_per_skill(people: int) -> int:
    return int(min(20, max(10, round(people / 200))))


def build_org(people: int, rng: np.random.Generator, tl: Timeline) -> Org:
    """A CEO, one VP per department, groups of staff under managers (span 5-10), externals; then the plants."""
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be between {MIN_PEOPLE} and {MAX_PEOPLE}, not {people}")
    skills = SKILLS[: skill_count(people)]
    dept_skills = [
        tuple(k for k, s in enumerate(skills) if d.slug in s.departments) for d in DEPARTMENTS
    ]
    n_dept = len(DEPARTMENTS)
    staff = people - 1 - n_dept
    dept_sizes = allocate(staff, [d.share for d in DEPARTMENTS], minimum=1)
    target = min(250.0, max(25.0, people / 40))
    loc_w = np.array([loc.weight for loc in LOCATIONS])
    loc_names = [loc.name for loc in LOCATIONS]

    groups: list[Group] = [Group("leadership", "Leadership", -1, 0, ())]
    group_sizes: list[int] = [1 + n_dept]
    for d_idx, (dept, size) in enumerate(zip(DEPARTMENTS, dept_sizes.tolist(), strict=True)):
        n_groups = max(1, min(round(size / target), size // 3))
        sizes = allocate(size, rng.gamma(5.0, 1.0, n_groups), minimum=min(3, size // n_groups))
        for g in range(n_groups):
            base_name = dept.groups[g % len(dept.groups)]
            name = base_name if g < len(dept.groups) else f"{base_name} {g // len(dept.groups) + 1}"
            region = _REGION_LOCATIONS.get(base_name)
            if region:
                allowed = [loc_names.index(x) for x in region]
                loc = int(allowed[int(rng.integers(len(allowed)))])
            else:
                loc = int(rng.choice(len(LOCATIONS), p=loc_w / loc_w.sum()))
            pool = list(dept_skills[d_idx]) or list(range(len(skills)))
            k = min(len(pool), int(rng.integers(2, 4)))
            focus = [pool[j] for j in sorted(rng.choice(len(pool), size=k, replace=False).tolist())]
            if rng.random() < 0.25:
                extra = int(rng.integers(len(skills)))
                if extra not in focus:
                    focus.append(extra)
            groups.append(Group(f"{dept.slug}/{slug(name)}", name, d_idx, loc, tuple(focus)))
            group_sizes.append(int(sizes[g]))
    groups = _cover_skills(groups, skills, rng)

    n_hr = people
    group_of = np.repeat(np.arange(len(groups)), group_sizes)
    dept_of = np.array([groups[g].dept for g in group_of.tolist()], np.int64)
    dept_of[1 : 1 + n_dept] = np.arange(n_dept)
    dept_of[0] = -1
    role = np.full(n_hr, ROLE_IC, np.int64)
    role[0] = ROLE_CEO
    role[1 : 1 + n_dept] = ROLE_VP
    manager = np.full(n_hr, -1, np.int64)
    manager[1 : 1 + n_dept] = 0

    # hierarchy: group lead -> managers -> ICs, spans of at most 10
    starts = np.r_[0, np.cumsum(group_sizes)]
    leads_by_dept: list[list[int]] = [[] for _ in range(n_dept)]
    for g in range(1, len(groups)):
        members = list(range(int(starts[g]), int(starts[g + 1])))
        lead = members[0]
        role[lead] = ROLE_LEAD
        leads_by_dept[groups[g].dept].append(lead)
        _attach(lead, members[1:], manager, role)
    for d_idx, leads in enumerate(leads_by_dept):
        _attach(1 + d_idx, leads, manager, role, promote=False)

    # externals: contractors attached to a group, with forum accounts but no HR record
    n_ext = max(2, round(people * 0.02))
    ext_group = rng.integers(1, len(groups), n_ext)
    group_of = np.r_[group_of, ext_group]
    dept_of = np.r_[dept_of, [groups[g].dept for g in ext_group.tolist()]].astype(np.int64)
    role = np.r_[role, np.full(n_ext, ROLE_EXTERNAL)]
    n = n_hr + n_ext

    # places and names
    group_loc = np.array([g.location for g in groups])
    location = np.where(rng.random(n) < 0.75, group_loc[group_of], rng.choice(len(LOCATIONS), n, p=loc_w / loc_w.sum()))
    location[0] = 0
    first, last = _names(rng, location)
    email = _emails(first, last, n_hr, rng)
    hr_width = max(5, len(str(people)))
    hr_number = np.r_[1, 2 + rng.permutation(people - 1)]
    hr_ids = [f"E{k:0{hr_width}d}" for k in hr_number.tolist()]
    title = _titles(rng, role[:n_hr], dept_of[:n_hr], group_of[:n_hr], groups)

    # hire dates, leavers, opt-outs; the active interval [start_t, end_t) inside the window
    days_before = np.where(
        rng.random(n_hr) < 0.18, rng.integers(0, tl.days, n_hr), tl.days + rng.exponential(900, n_hr).astype(np.int64)
    )
    days_before = np.minimum(days_before, 365 * 14)
    days_before = np.where(role[:n_hr] >= ROLE_MANAGER, days_before + rng.integers(200, 900, n_hr), days_before)
    days_before[0] = 365 * 12
    end_day = np.datetime64(int(tl.t1 // DAY), "D")
    hire_day = end_day - days_before.astype("timedelta64[D]")
    hire_t = hire_day.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    start_t = np.r_[np.maximum(hire_t, tl.t0), np.zeros(n_ext)]
    end_t = np.full(n, tl.t1)
    ic = np.flatnonzero((role[:n_hr] == ROLE_IC) & (days_before >= 120))
    leavers = np.sort(rng.choice(ic, size=max(1, round(people * 0.04)), replace=False))
    active = np.ones(n_hr, bool)
    active[leavers] = False
    lo = np.maximum(start_t[leavers] + 60 * DAY, tl.t0 + 30 * DAY)
    hi = tl.t1 - 14 * DAY
    end_t[leavers] = np.where(lo < hi, lo + rng.random(leavers.size) * np.maximum(hi - lo, 0), hi)
    start_t[leavers] = np.minimum(start_t[leavers], end_t[leavers] - 30 * DAY)
    opted_out = np.zeros(n_hr, bool)
    opted_out[1 + rng.choice(n_hr - 1, size=max(1, round(people * 0.03)), replace=False)] = True
    ext_start = tl.t0 + rng.random(n_ext) * tl.days * DAY * 0.6
    start_t[n_hr:] = ext_start
    end_t[n_hr:] = np.minimum(tl.t1, ext_start + (0.3 + rng.random(n_ext) * 0.7) * tl.days * DAY)

    # activity: heavy-tailed, a third of people lurk
    lurker = rng.random(n) < 0.35
    lurker[n_hr:] = False
    base = rng.lognormal(0.0, 1.0, n)
    w = np.where(lurker, 0.02, base)
    w[role == ROLE_VP] = 0.3
    w[0] = 0.3
    w_root = w.copy()
    w_reply = np.where(role == ROLE_MANAGER, w * 0.8, w)

    hr_ok = np.zeros(n, bool)
    hr_ok[:n_hr] = active & ~opted_out
    eligible = hr_ok & np.isin(role, (ROLE_IC, ROLE_MANAGER))
    tenured = np.r_[hire_t < tl.t0 + 60 * DAY, np.zeros(n_ext, bool)]

    # planted experts: per skill 10-20 people, mostly from groups focused on the skill
    n_sk = len(skills)
    k_exp = experts_per_skill(people)
    # small organisations need people expert in several skills to plant 10 experts per skill
    slots = n_sk * k_exp * 1.3
    max_skills_per_expert = max(2 if people < 5000 else 1, math.ceil(slots / max(1, int((eligible & tenured).sum()))))
    expert_load = np.zeros(n, np.int64)
    experts: list[np.ndarray] = []
    strength: list[np.ndarray] = []
    focus_groups = [np.array([g for g, gr in enumerate(groups) if s in gr.focus], np.int64) for s in range(n_sk)]
    for s in range(n_sk):
        k = int(np.clip(k_exp + rng.integers(-2, 3), 10, 20))
        ok = eligible & tenured & (expert_load < max_skills_per_expert)
        in_focus = ok & np.isin(group_of, focus_groups[s])
        cand = np.flatnonzero(in_focus)
        if cand.size < 3 * k:
            cand = np.union1d(cand, np.flatnonzero(ok))
        pw = base[cand] + 0.5
        chosen = rng.choice(cand, size=min(k, cand.size), replace=False, p=pw / pw.sum())
        st = np.sort(1.0 + 1.5 * rng.random(chosen.size))[::-1]
        experts.append(chosen.astype(np.int64))
        strength.append(st)
        expert_load[chosen] += 1
    is_expert = expert_load > 0
    lurker &= ~is_expert
    w_root[is_expert] = np.maximum(w_root[is_expert], 1.0)
    w_reply[is_expert] = np.maximum(w_reply[is_expert], 1.5)

    # over-claimers: lurkers declaring the top level of a skill they never show
    overclaimers: list[np.ndarray] = []
    claimed = np.zeros(n, bool)
    for s in range(n_sk):
        m = max(3, len(experts[s]) // 3)
        ok = hr_ok & lurker & ~is_expert & ~claimed & (role < ROLE_LEAD)
        outside = ok & ~np.isin(group_of, focus_groups[s])
        cand = np.flatnonzero(outside) if np.count_nonzero(outside) >= m else np.flatnonzero(ok)
        chosen = np.sort(rng.choice(cand, size=min(m, cand.size), replace=False))
        claimed[chosen] = True
        overclaimers.append(chosen.astype(np.int64))
    w_reply[claimed] = 0.0

    # brokers: active people who work with two or three groups in different departments
    free = eligible & tenured & ~claimed & (group_of != LEADERSHIP)
    preferred = free & ~is_expert & ~lurker
    n_brokers = int(min(100, max(5, round(people / 300))))
    brokers = _pick(rng, preferred, free, n_brokers)
    broker_groups: dict[int, tuple[int, ...]] = {}
    top = float(np.quantile(base[:n_hr], 0.95))
    for b in brokers.tolist():
        others = [g for g in range(1, len(groups)) if groups[g].dept != dept_of[b]]
        if not others:
            others = [g for g in range(1, len(groups)) if g != group_of[b]]
        bridged = rng.choice(others, size=min(len(others), int(rng.integers(1, 3))), replace=False)
        broker_groups[b] = (int(group_of[b]), *sorted(int(x) for x in bridged))
    w_root[brokers] = np.maximum(w_root[brokers], top) * 2.5
    w_reply[brokers] = np.maximum(w_reply[brokers], top) * 2.5

    # influencers: people whose threads many others answer
    free[brokers] = False
    preferred[brokers] = False
    n_infl = int(min(60, max(5, round(people / 400))))
    influencers = _pick(rng, preferred, free, n_infl)
    lurker[np.r_[brokers, influencers]] = False
    w_root[influencers] = np.maximum(w_root[influencers], top) * 4.0

    has_slack = np.ones(n, bool)
    plain = np.flatnonzero(hr_ok & ~is_expert & ~claimed & (role == ROLE_IC))
    plain = np.setdiff1d(plain, np.r_[brokers, influencers])
    has_slack[rng.choice(plain, size=min(plain.size, round(people * 0.02)), replace=False)] = False
    has_slack[n_hr:] = rng.random(n_ext) < 0.5

    declared = _declare(rng, n_hr, skills, groups, group_of, lurker, role, experts, overclaimers)
    utc = np.array([loc.utc_offset for loc in LOCATIONS])[location]
    return Org(
        n_hr=n_hr, tl=tl, skills=skills, groups=groups, hr_ids=hr_ids, first=first, last=last, email=email,
        title=title, dept=dept_of, group=group_of, location=location, role=role, manager=manager,
        hire_day=hire_day, active=active, opted_out=opted_out, start_t=start_t, end_t=end_t, w_root=w_root,
        w_reply=w_reply, lurker=lurker, has_slack=has_slack, experts=experts, strength=strength,
        overclaimers=overclaimers, brokers=brokers, broker_groups=broker_groups, influencers=influencers,
        declared=declared, utc_offset=utc, joined_t=np.r_[hire_t, start_t[n_hr:]],
    )


def _pick(rng: np.random.Generator, preferred: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct people from ``preferred``, topped up from ``allowed`` in tiny organisations; sorted."""
    first = np.flatnonzero(preferred)
    chosen = rng.choice(first, size=min(k, first.size), replace=False)
    if chosen.size < k:
        rest = np.setdiff1d(np.flatnonzero(allowed), chosen)
        chosen = np.r_[chosen, rng.choice(rest, size=min(k - chosen.size, rest.size), replace=False)]
    return np.sort(chosen).astype(np.int64)


def _cover_skills(groups: list[Group], skills: tuple[SkillDef, ...], rng: np.random.Generator) -> list[Group]:
    """Make every skill the focus of at least two groups (one when there is only one group), preferring
    groups of the skill's departments with the fewest focus skills, so every skill has a community to plant in."""
    focus = [list(g.focus) for g in groups]
    want = min(2, len(groups) - 1)
    for s, sk in enumerate(skills):
        have = sum(s in f for f in focus)
        for _ in range(want - have):
            cand = [g for g in range(1, len(groups)) if s not in focus[g] and
                    DEPARTMENTS[groups[g].dept].slug in sk.departments]
            cand = cand or [g for g in range(1, len(groups)) if s not in focus[g]]
            least = min(len(focus[g]) for g in cand)
            cand = [g for g in cand if len(focus[g]) == least]
            focus[cand[int(rng.integers(len(cand)))]].append(s)
    return [Group(g.label, g.name, g.dept, g.location, tuple(f)) for g, f in zip(groups, focus, strict=True)]


def _attach(root: int, members: list[int], manager: np.ndarray, role: np.ndarray, *, promote: bool = True) -> None:
    """Hang ``members`` under ``root`` as a tree whose managers have at most 10 direct reports."""
    stack = [(root, members)]
    while stack:
        r, ms = stack.pop()
        if len(ms) <= 10:
            manager[ms] = r
            continue
        k = min(10, math.ceil(len(ms) / 9))
        direct = max(0, min(len(ms) - k, 7 - k))
        manager[ms[:direct]] = r
        rest = ms[direct:]
        for chunk in np.array_split(np.array(rest), k):
            sub = int(chunk[0])
            manager[sub] = r
            if promote and role[sub] == ROLE_IC and chunk.size > 1:
                role[sub] = ROLE_MANAGER
            stack.append((sub, [int(x) for x in chunk[1:]]))


def _names(rng: np.random.Generator, location: np.ndarray) -> tuple[list[str], list[str]]:
    n = location.size
    local = rng.random(n) < 0.7
    pick_local = rng.random(n)
    pick_any = rng.integers(0, len(CULTURES), n)
    u_first = rng.random(n)
    u_last = rng.random(n)
    first: list[str] = []
    last: list[str] = []
    for i in range(n):
        cultures = LOCATIONS[int(location[i])].cultures
        c = cultures[int(pick_local[i] * len(cultures))] if local[i] else CULTURES[int(pick_any[i])]
        fn, ln = FIRST_NAMES[c], LAST_NAMES[c]
        first.append(fn[int(u_first[i] * len(fn))])
        last.append(ln[int(u_last[i] * len(ln))])
    return first, last


def _emails(first: list[str], last: list[str], n_hr: int, rng: np.random.Generator) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    partner = rng.integers(0, len(PARTNER_DOMAINS), len(first))
    for i, (f, la) in enumerate(zip(first, last, strict=True)):
        local = f"{ascii_fold(f)}.{ascii_fold(la)}"
        k = seen.get(local, 0) + 1
        seen[local] = k
        if k > 1:
            local = f"{local}{k}"
        domain = HR_DOMAIN if i < n_hr else PARTNER_DOMAINS[int(partner[i])]
        out.append(f"{local}@{domain}")
    return out


def _titles(
    rng: np.random.Generator, role: np.ndarray, dept: np.ndarray, group: np.ndarray, groups: list[Group]
) -> list[str]:
    u = rng.random(role.size)
    out: list[str] = []
    for i in range(role.size):
        r = int(role[i])
        if r == ROLE_CEO:
            out.append("Chief Executive Officer")
            continue
        d = DEPARTMENTS[int(dept[i])]
        if r == ROLE_VP:
            out.append(f"VP {d.name}")
        elif r == ROLE_LEAD:
            out.append(f"Director, {groups[int(group[i])].name}")
        elif r == ROLE_MANAGER:
            out.append(d.manager_title)
        else:
            out.append(d.ic_titles[int(u[i] ** 1.5 * len(d.ic_titles))])
    return out


def _declare(
    rng: np.random.Generator,
    n_hr: int,
    skills: tuple[SkillDef, ...],
    groups: list[Group],
    group_of: np.ndarray,
    lurker: np.ndarray,
    role: np.ndarray,
    experts: list[np.ndarray],
    overclaimers: list[np.ndarray],
) -> list[list[tuple[int, str]]]:
    """Declared skills as written in an HR export: aliases, optional levels as numbers or words."""
    declared: list[list[tuple[int, str]]] = [[] for _ in range(n_hr)]
    n_decl = rng.poisson(np.where(lurker[:n_hr], 0.3, 1.3))
    u = rng.random((n_hr, 8))
    for i in range(n_hr):
        focus = groups[int(group_of[i])].focus
        if not focus or role[i] >= ROLE_VP:
            continue
        for j in range(min(int(n_decl[i]), 3)):
            s = focus[int(u[i, j] * len(focus))]
            if any(k == s for k, _ in declared[i]):
                continue
            declared[i].append((s, _entry(skills[s], u[i, 3 + j], u[i, 6], top=False)))
    for s, (chosen, claims) in enumerate(zip(experts, overclaimers, strict=True)):
        for i in chosen.tolist():
            if rng.random() < 0.5 and i < n_hr:
                declared[i] = [(k, t) for k, t in declared[i] if k != s]
                declared[i].append((s, _entry(skills[s], rng.random(), rng.random(), top=True)))
        for i in claims.tolist():
            declared[i] = [(k, t) for k, t in declared[i] if k != s]
            declared[i].append((s, _entry(skills[s], rng.random(), 0.9, top=True)))
    for entries in declared:
        entries.sort()
    return declared


def _entry(skill: SkillDef, u_form: float, u_level: float, *, top: bool) -> str:
    form = skill.hr_forms[int(u_form * len(skill.hr_forms))]
    if top:
        level = ("5", "expert", "4", "5")[int(u_level * 4)]
        return f"{form}:{level}"
    if u_level < 0.3:
        return form
    level = ("1", "2", "3", *LEVEL_WORDS[:3])[int((u_level - 0.3) / 0.7 * 6)]
    return f"{form}:{level}"


def pools_by_group(org: Org, weights: np.ndarray) -> list[Pool]:
    """One weighted pool per group: its members plus the brokers who bridge into it."""
    pairs_p = [np.arange(org.n)]
    pairs_g = [org.group]
    for b, gs in org.broker_groups.items():
        pairs_p.append(np.full(len(gs) - 1, b))
        pairs_g.append(np.array(gs[1:], np.int64))
    p = np.concatenate(pairs_p)
    g = np.concatenate(pairs_g)
    order = np.lexsort((p, g))
    p, g = p[order], g[order]
    bounds = np.searchsorted(g, np.arange(len(org.groups) + 1))
    members = [p[bounds[k] : bounds[k + 1]] for k in range(len(org.groups))]
    return [make_pool(m, weights[m]) for m in members]
