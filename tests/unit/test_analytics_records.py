"""Records the analytics build without re-validation equal the validated ones (so the shortcut is safe)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graph.analytics.backend import trusted
from schema.labels import BrokerRole, EvidenceKind, HealthPeriod, ScoreScope
from schema.models import CommunityHealth, Evidence, ExpertIn, InfluenceScore, Interaction, PersonScores

T = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
EV = (Evidence(kind=EvidenceKind.ANSWERS, count=3, last_at=T), Evidence(kind=EvidenceKind.DECLARED, count=4))

CASES = [
    (Interaction, {"source_id": "hr:E1", "target_id": "hr:E2", "weight": 1.5, "count": 2, "last_at": T}),
    (Evidence, {"kind": EvidenceKind.VOTES, "count": -2, "last_at": None}),
    (ExpertIn, {"person_id": "hr:E1", "skill": "c++", "score": 0.7, "evidence": EV, "expertise_rank": 1.2,
                "last_active": T}),
    (InfluenceScore, {"scope": ScoreScope.SKILL, "scope_id": "python", "person_id": "hr:E1", "score": 0.01}),
    (PersonScores, {"person_id": "hr:E1", "pagerank": 0.1, "degree": 3.0, "betweenness": 0.2, "constraint": None,
                    "effective_size": 2.5, "participation": 0.4, "within_z": 1.0, "role": BrokerRole.CONNECTOR,
                    "articulation": True, "community": "dc-0"}),
    (CommunityHealth, {"community_id": "slack:c1", "period": HealthPeriod.WEEK, "start": date(2025, 1, 6),
                       "days": 7.0, "members": 9, "active_members": 4, "posts": 12, "posts_per_week": 12.0,
                       "threads": 4, "replied_threads": 2, "newcomers": 1, "leaders": 2, "cross_department_people": 3,
                       "reply_rate": 0.5, "median_first_response_hours": 1.5, "unanswered_share": 0.5,
                       "contributor_gini": 0.3,
                       "absence_factor": 2, "newcomer_retention": None, "managers_active_share": 1.0,
                       "cross_department_share": 0.0}),
]


@pytest.mark.parametrize(("cls", "values"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_trusted_equals_validated(cls, values) -> None:
    fast = trusted(cls, **values)
    slow = cls(**values)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert hash(fast) == hash(slow)
    with pytest.raises(ValueError, match="frozen"):
        fast.score = 1  # type: ignore[misc]  # still frozen
