"""The pure helpers behind explanations, health privacy and trends (and their doctests)."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta

import pytest

import app.graphql.explain as explain_mod
from app.graphql.explain import STALE_REASON, explain_expertise, recency_phrase, withheld_figures
from graph.analytics.health_release import FIGURES
from schema.labels import EvidenceKind, HealthPeriod
from schema.models import CommunityHealth, Evidence

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def test_doctests() -> None:
    result = doctest.testmod(explain_mod)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ([Evidence(kind=EvidenceKind.ANSWERS, count=1)], "1 answer on go"),
        ([Evidence(kind=EvidenceKind.ANSWERS, count=3), Evidence(kind=EvidenceKind.ACCEPTED_ANSWERS, count=3)],
         "3 accepted answers on go"),
        ([Evidence(kind=EvidenceKind.DECLARED, count=2)], "declared intermediate"),
        ([Evidence(kind=EvidenceKind.ENDORSEMENTS, count=4)], "endorsed by 4 colleagues"),
        ([Evidence(kind=EvidenceKind.EXPERTISE_RANK, count=2)], "#2 in the go answer network"),
        ([Evidence(kind=EvidenceKind.EXPERTISE_RANK, count=50)], "ranked on go by the interaction graph alone"),
        ([Evidence(kind=EvidenceKind.QUESTIONS, count=2)], "asked 2 questions on go"),
        ([Evidence(kind=EvidenceKind.VOTES, count=-3)], "ranked on go by the interaction graph alone"),
    ],
)
def test_explanation_phrases(evidence: list[Evidence], expected: str) -> None:
    assert explain_expertise("go", evidence, None, NOW) == expected


def test_recency_uses_latest_evidence() -> None:
    ev = [Evidence(kind=EvidenceKind.ANSWERS, count=2, last_at=NOW - timedelta(days=400)),
          Evidence(kind=EvidenceKind.ACCEPTED_ANSWERS, count=1, last_at=NOW - timedelta(days=2))]
    assert explain_expertise("go", ev, None, NOW).endswith("latest answer this week")
    assert recency_phrase(NOW - timedelta(days=60), NOW) == "active in the last 3 months"
    assert recency_phrase(NOW - timedelta(days=200), NOW) == "active in the last year"
    assert recency_phrase(None, NOW) is None


def _week(members: int, active: int, posts: int = 1) -> CommunityHealth:
    return CommunityHealth(community_id="x:1", period=HealthPeriod.WEEK, start=date(2026, 1, 5), members=members,
                           active_members=active, posts=posts)


def test_withheld_thresholds() -> None:
    assert withheld_figures(_week(5, 5), 5) == ((), None)
    hidden, reason = withheld_figures(_week(4, 4), 5)
    assert hidden == FIGURES
    assert reason == "fewer than 5 members"
    hidden, reason = withheld_figures(_week(50, 4), 5)
    assert hidden == FIGURES  # counts over four contributors point at them too
    assert reason == "fewer than 5 people contributed in this period"


def test_everything_withheld_after_an_opt_out_until_the_next_analyze() -> None:
    assert withheld_figures(_week(50, 50), 5, opted_out_changed=True) == (FIGURES, STALE_REASON)


def test_an_old_last_activity_names_the_skill() -> None:
    """The date is the latest activity on the skill: a bare "last active in 2015" read as gone for someone who
    posted on other skills until 2017 (user 268 on beer)."""
    ev = [Evidence(kind=EvidenceKind.ANSWERS, count=3, last_at=NOW - timedelta(days=800))]
    assert explain_expertise("go", ev, None, NOW).endswith(f"latest answer on go in {NOW - timedelta(days=800):%b %Y}")
