"""The fast record builders give exactly what pydantic validation gives, and stay frozen."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest

from ingest.forum.common import IdSpace, make_membership, make_post
from schema.labels import PostKind
from schema.models import MemberOf, Post

T = datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)


def test_make_post_equals_a_validated_post() -> None:
    fast = make_post("s:post/2", PostKind.ANSWER, "hr:E1", T, "s", "s:c", "s:post/1", "s:post/1",
                     ("kubernetes", "python"), 3, True)
    slow = Post(id="s:post/2", kind="answer", author_id="hr:E1", created_at=T, source="s", community_id="s:c",
                thread_id="s:post/1", parent_id="s:post/1", tags=("python", "kubernetes"), score=3, accepted=True,
                title=None)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_fields_set == slow.model_fields_set
    with pytest.raises(pydantic.ValidationError):
        fast.score = 4  # type: ignore[misc]


def test_make_post_folds_a_title_as_validation_does() -> None:
    raw = "  Grinder\tfor espresso?  " + "x" * 400
    fast = make_post("s:post/1", PostKind.QUESTION, "hr:E1", T, "s", "s:c", "s:post/1", None, (), 0, False, raw)
    slow = Post(id="s:post/1", kind="question", author_id="hr:E1", created_at=T, source="s", community_id="s:c",
                thread_id="s:post/1", title=raw)
    assert fast == slow
    assert fast.title is not None
    assert fast.title.startswith("Grinder for espresso? x")
    assert len(fast.title) == 300


def test_make_membership_equals_a_validated_one() -> None:
    assert make_membership("hr:E1", "slack:channel/C1", T) == MemberOf(
        person_id="hr:E1", community_id="slack:channel/C1", since=T
    )
    assert make_membership("hr:E1", "c:1", None) == MemberOf(person_id="hr:E1", community_id="c:1")


def test_idspace_validates_like_make_id() -> None:
    ids = IdSpace("stackexchange/demo", "post/")
    assert ids(7) == "stackexchange/demo:post/7"
    assert ids(" 8 ") == "stackexchange/demo:post/8"
    with pytest.raises(ValueError, match="control character"):
        ids("a\x01b")
    with pytest.raises(ValueError, match="invalid id namespace"):
        IdSpace("Bad Namespace")


def test_make_has_skill_equals_a_validated_one() -> None:
    from ingest.forum.common import make_has_skill
    from schema.models import HasSkill

    assert make_has_skill("hr:E1", "python", 4) == HasSkill(person_id="hr:E1", skill="python", level=4)
    assert make_has_skill("hr:E1", "go", None) == HasSkill(person_id="hr:E1", skill="go")


def test_make_reports_to_equals_a_validated_one() -> None:
    from ingest.forum.common import make_reports_to
    from schema.models import ReportsTo

    assert make_reports_to("hr:E2", "hr:E1") == ReportsTo(person_id="hr:E2", manager_id="hr:E1")
