"""App-wide state shared by GraphQL requests: the skill index, the analytics lock and the response cache."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import anyio
from rapidfuzz import fuzz, process

from app.gateway import StoreGateway
from app.graphql.cache import ResponseCache
from schema import models
from schema.understand import Vocabulary

SKILL_INDEX_TTL_S = 30.0


@dataclass
class SkillIndex:
    """Every listed skill name and alias, for fuzzy search with rapidfuzz and for reading typed words, kept per data
    version of the store (briefly, for a store without one).

    Why per version and not for a while: the store lists only skills someone not opted out gives
    (graph/store/shown.py), and an opt-out takes effect at once; kept 30 s, the index went on offering a skill only
    the person who just hid themselves had ("did you mean basque?") after every other answer had dropped it."""

    names: dict[str, str] = field(default_factory=dict)  # name or alias -> canonical name
    skills: dict[str, models.Skill] = field(default_factory=dict)
    loaded_at: float = -1e18
    version: int | None = None  # the store's data version the index was read at
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary.build({}, (), ()))  # the names, for reading text

    async def refresh(self, gateway: StoreGateway) -> None:
        version = await gateway.data_version()
        if version is not None and version == self.version:
            return
        if version is None and time.monotonic() - self.loaded_at < SKILL_INDEX_TTL_S:
            return
        rows = await gateway.all_skills()
        if list(self.skills.values()) == rows:  # a write that changed no skill: the index stands
            self.version, self.loaded_at = version, time.monotonic()
            return
        names: dict[str, str] = {}
        for s in rows:
            names[s.name] = s.name
            for a in s.aliases:
                names.setdefault(a, s.name)
        self.vocabulary = Vocabulary.build(names, (), ())
        self.names, self.skills, self.loaded_at = names, {s.name: s for s in rows}, time.monotonic()
        self.version = version

    def fuzzy(self, query: str, limit: int, cutoff: float = 70.0) -> list[tuple[models.Skill, float]]:
        """Best fuzzy matches of ``query`` over names and aliases, one per canonical skill."""
        out: dict[str, float] = {}
        for text, score, _ in process.extract(
            query, list(self.names), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=cutoff
        ):
            canon = self.names[text]
            out[canon] = max(out.get(canon, 0.0), float(score))
        ranked = sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(self.skills[n], round(s, 1)) for n, s in ranked]


CHOICE_INTERVAL_S = 5.0


@dataclass
class ChoiceGate:
    """At most one visibility change per person every ``CHOICE_INTERVAL_S`` (in this process).

    Why: each change is a write that bumps the store's data version, which makes every cached answer unreachable;
    a script toggling its own visibility in a loop would keep the response cache cold for everyone.
    """

    interval_s: float = CHOICE_INTERVAL_S
    last: dict[str, float] = field(default_factory=dict)

    def wait(self, person_id: str, now: float | None = None) -> float:
        """0.0 when ``person_id`` may change now (the change is recorded), else the seconds left to wait.

        >>> gate = ChoiceGate(interval_s=5.0)
        >>> gate.wait("hr:1", now=100.0), gate.wait("hr:1", now=102.0), gate.wait("hr:2", now=102.0)
        (0.0, 3.0, 0.0)
        """
        now = time.monotonic() if now is None else now
        if len(self.last) > 10_000:  # forget changes past the interval, so the table stays small
            self.last = {k: t for k, t in self.last.items() if now - t < self.interval_s}
        left = self.last.get(person_id, now - self.interval_s) + self.interval_s - now
        if left > 0:
            return left
        self.last[person_id] = now
        return 0.0

    def forget(self, person_id: str) -> None:
        """Undo the change :meth:`wait` let through, for one the store refused (busy, down): it never happened."""
        self.last.pop(person_id, None)


@dataclass
class Services:
    """App-wide state shared by requests: the skill index and the one-analytics-run-at-a-time lock."""

    skill_index: SkillIndex = field(default_factory=SkillIndex)
    analytics_lock: anyio.Lock = field(default_factory=anyio.Lock)
    response_cache: ResponseCache = field(default_factory=lambda: ResponseCache(0.0))
    choices: ChoiceGate = field(default_factory=ChoiceGate)  # visibility changes (app/graphql/visibility.py)


__all__ = ["ChoiceGate", "Services", "SkillIndex"]
