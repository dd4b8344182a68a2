"""``whoknows demo-data``: a synthetic organisation written as real export files, with the planted truth.

The organisation, its forum activity and the endorsements are simulated by pure functions (``org``, ``se_sim``,
``slack_sim``, ``endorse_sim``), each from its own child of one ``numpy.random.SeedSequence``: one seed gives
byte-identical files. The writers then stream them as an HRIS CSV, a Stack Exchange dump, a Slack export,
generic JSON lines, the ``manifest.json`` of ingest steps, and ``truth.json``.

truth.json ids are the ones the ingestors produce: HR people are ``hr:<id>``; skills are canonical names.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ingest.demo.endorse_sim import Endorsements, simulate_endorsements
from ingest.demo.org import MAX_PEOPLE, MIN_PEOPLE, Org, build_org
from ingest.demo.sampling import make_timeline
from ingest.demo.se_sim import StackExchangeSim, simulate_stackexchange, vote_table
from ingest.demo.slack_sim import KIND_JOIN, KIND_LEAVE, SlackSim, simulate_slack
from ingest.demo.writers import (
    SE_SITE,
    se_accounts,
    write_endorsements,
    write_hris,
    write_identities,
    write_slack,
    write_stackexchange,
)
from schema.errors import BadInput
from schema.skills import canonical_skill

GENERATOR = "whoknows demo-data"
FORMAT_VERSION = 1
DEFAULT_PEOPLE = 2000
DEFAULT_SEED = 42
DEFAULT_END = date(2026, 11, 1)
WINDOW_DAYS = 730
MANAGED = ("hris.csv", "stackexchange", "identities.csv", "slack", "endorsements.jsonl", "manifest.json", "truth.json")
STEPS = ("organisation", "Stack Exchange activity", "Slack activity", "endorsements", "hris.csv", "stackexchange/",
         "identities.csv", "slack/", "endorsements.jsonl", "truth.json")

MANIFEST: list[dict[str, str]] = [
    {"kind": "hris", "path": "hris.csv"},
    {"kind": "forum", "format": "stackexchange", "path": "stackexchange", "identities": "identities.csv",
     "community": SE_SITE},
    {"kind": "forum", "format": "slack", "path": "slack"},
    {"kind": "forum", "format": "jsonl", "path": "endorsements.jsonl", "community": "endorsements"},
]

StepCallback = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    outdir: Path
    people: int
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    files: tuple[str, ...] = MANAGED


@dataclass
class Simulation:
    org: Org
    se: StackExchangeSim
    slack: SlackSim
    endorsements: Endorsements


def simulate(people: int, seed: int, end: date = DEFAULT_END, on_step: StepCallback | None = None) -> Simulation:
    """The whole synthetic organisation in memory (pure; no files)."""
    check_people(people)
    step = on_step or (lambda _name: None)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    tl = make_timeline(np.datetime64(end.isoformat(), "D"), WINDOW_DAYS)
    step(STEPS[0])
    org = build_org(people, rngs[0], tl)
    step(STEPS[1])
    se = simulate_stackexchange(org, rngs[1])
    step(STEPS[2])
    sl = simulate_slack(org, rngs[2])
    step(STEPS[3])
    en = simulate_endorsements(org, rngs[3])
    return Simulation(org, se, sl, en)


def check_people(people: int) -> None:
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise BadInput(f"--people must be between {MIN_PEOPLE} and {MAX_PEOPLE:,}, not {people}")


def check_outdir(outdir: Path) -> None:
    """Refuse a file, or a non-empty folder that an earlier ``demo-data`` run did not write."""
    if outdir.exists() and not outdir.is_dir():
        raise BadInput(f"{outdir} exists and is not a folder")
    if outdir.is_dir():
        entries = [p.name for p in outdir.iterdir() if not p.name.startswith(".demo-data-")]
        if entries and not _written_by_us(outdir / "truth.json"):
            raise BadInput(f"{outdir} is not empty and holds no earlier demo-data output; choose a new or empty folder")


def _written_by_us(truth: Path) -> bool:
    try:
        return json.loads(truth.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def generate_demo_data(
    outdir: str | Path,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    end: date = DEFAULT_END,
    on_step: StepCallback | None = None,
    on_detail: StepCallback | None = None,
) -> DemoSummary:
    """Simulate and write the organisation into ``outdir``; earlier demo-data output there is replaced whole.

    ``on_step(name)`` is called as each of :data:`STEPS` starts; ``on_detail(text)`` reports progress inside the
    longest step (the Slack channels)."""
    outdir = Path(outdir)
    check_people(people)
    check_outdir(outdir)
    step = on_step or (lambda _name: None)
    sim = simulate(people, seed, end, step)
    org = sim.org
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, 1]).spawn(6)]
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = outdir / f".demo-data-{os.getpid()}"
    for stale in outdir.glob(".demo-data-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp.mkdir()
    counts: dict[str, int] = {}
    step(STEPS[4])
    write_hris(tmp / "hris.csv", org)
    step(STEPS[5])
    accounts = se_accounts(org, sim.se, rngs[0])
    votes = vote_table(sim.se, rngs[1], org.tl.t1)
    counts.update(write_stackexchange(tmp / "stackexchange", org, sim.se, accounts, votes, rngs[2]))
    step(STEPS[6])
    mapped, unmapped = write_identities(tmp / "identities.csv", org, accounts)
    step(STEPS[7])
    detail = on_detail or (lambda _text: None)
    counts.update(write_slack(tmp / "slack", org, sim.slack, rngs[3],
                              on_channel=lambda c, n: detail(f"slack/ channel {c + 1} of {n}")))
    step(STEPS[8])
    counts["endorsements"] = write_endorsements(tmp / "endorsements.jsonl", org, sim.endorsements, rngs[4])
    step(STEPS[9])
    counts.update({"se_identities_mapped": mapped, "se_accounts_unmapped": unmapped})
    counts = _counts(sim, counts)
    (tmp / "manifest.json").write_text(json.dumps(MANIFEST, indent=2) + "\n", encoding="utf-8")
    truth = build_truth(sim, seed, counts)
    (tmp / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # swap the new output in; truth.json last, so a folder with our truth.json is always complete
    for name in MANAGED:
        old = outdir / name
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()
    for name in MANAGED:
        (tmp / name).rename(outdir / name)
    tmp.rmdir()
    return DemoSummary(outdir=outdir, people=people, seed=seed, counts=counts)


def _counts(sim: Simulation, written: dict[str, int]) -> dict[str, int]:
    org, se = sim.org, sim.se
    n_q = int((se.kind == 1).sum())
    member_events = int(np.isin(sim.slack.kind, (KIND_JOIN, KIND_LEAVE)).sum())
    counts = {
        "people": org.n_hr,
        "active_people": int(org.active.sum()),
        "opted_out": int(org.opted_out.sum()),
        "leavers": int((~org.active).sum()),
        "external_accounts": org.n - org.n_hr,
        "skills": len(org.skills),
        "communities": len(org.groups),
        "brokers": int(org.brokers.size),
        "influencers": int(org.influencers.size),
        "se_questions": n_q,
        "se_answers": int(se.t.size - n_q),
        "slack_membership_events": member_events,
        **written,
    }
    counts["forum_posts"] = counts["se_posts"] + counts["se_comments"] + counts["slack_messages"]
    return counts


def hr_ref(org: Org, i: int) -> str:
    return f"hr:{org.hr_ids[i]}"


def build_truth(sim: Simulation, seed: int, counts: dict[str, int]) -> dict[str, Any]:
    """The planted structure, in the ids the ingestors produce."""
    org, sl = sim.org, sim.slack
    ref = [f"hr:{x}" for x in org.hr_ids]
    skills: dict[str, Any] = {}
    for s, sk in enumerate(org.skills):
        name = canonical_skill(sk.canonical)
        skills[name] = {
            "experts": [ref[i] for i in org.experts[s].tolist()],
            "self_declared_only": [ref[i] for i in org.overclaimers[s].tolist()],
            "tag": sk.tag,
        }
    communities: dict[str, list[str]] = {g.label: [] for g in org.groups}
    for i in range(org.n_hr):
        for g in org.person_groups(i):
            communities[org.groups[g].label].append(ref[i])
    for members in communities.values():
        members.sort()
    channels: dict[str, Any] = {}
    for ch in sl.channels:
        entry: dict[str, Any] = {"kind": ch.kind, "trend": round(ch.trend, 3)}
        if ch.kind in ("practice", "cohort"):
            entry["members"] = sorted(ref[i] for i in ch.members.tolist() if i < org.n_hr)
        if ch.skills:
            entry["skills"] = [org.skills[s].canonical for s in ch.skills]
        if ch.course is not None:
            entry["course_start"] = _iso(ch.course[0])
            entry["course_end"] = _iso(ch.course[1])
            entry["keeps_talking"] = ch.keeps_talking
        channels[ch.name] = entry
    return {
        "generator": GENERATOR,
        "format_version": FORMAT_VERSION,
        "seed": seed,
        "people": org.n_hr,
        "period": {"start": _iso(org.tl.t0), "end": _iso(org.tl.t1)},
        "skills": skills,
        "communities": communities,
        "community_skills": {g.label: [org.skills[s].canonical for s in g.focus] for g in org.groups},
        "brokers": [ref[i] for i in org.brokers.tolist()],
        "broker_communities": {
            ref[b]: [org.groups[g].label for g in org.broker_groups[b]] for b in org.brokers.tolist()
        },
        "influencers": [ref[i] for i in org.influencers.tolist()],
        "channels": channels,
        "opted_out": sorted(ref[i] for i in np.flatnonzero(org.opted_out).tolist()),
        "leavers": sorted(ref[i] for i in np.flatnonzero(~org.active).tolist()),
        "counts": counts,
    }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
