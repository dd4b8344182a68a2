"""Node labels, relationship types and the closed vocabularies of the graph model.

Labels and relationship types are pasted into Cypher only from these enums, never from user input.
"""

from __future__ import annotations

from enum import StrEnum


class NodeLabel(StrEnum):
    PERSON = "Person"
    SKILL = "Skill"
    COMMUNITY = "Community"
    POST = "Post"


class RelType(StrEnum):
    REPORTS_TO = "REPORTS_TO"
    HAS_SKILL = "HAS_SKILL"
    MEMBER_OF = "MEMBER_OF"
    AUTHORED = "AUTHORED"
    REPLY_TO = "REPLY_TO"
    IN = "IN"
    TAGGED = "TAGGED"
    ENDORSED = "ENDORSED"
    ENGAGED = "ENGAGED"
    # written by analytics
    INTERACTS = "INTERACTS"
    EXPERT_IN = "EXPERT_IN"


class EngagementKind(StrEnum):
    """How a person engaged with a post without writing one (ENGAGED, Person->Post)."""

    REACTION = "reaction"  # a reaction or like on the post (Teams reactions, SharePoint LikedBy)
    MENTION = "mention"  # the person is @mentioned in the post
    EDIT = "edit"  # the person edited someone else's post (SharePoint Editor: wiki pages)


class StoreLabel(StrEnum):
    """Bookkeeping labels a store may add beside the graph model: analytics results and store metadata.

    Not entities of the model; they let a graph store keep one analytics run per generation (see graph/store).
    """

    META = "Meta"
    ANALYTICS_RUN = "AnalyticsRun"
    PERSON_SCORES = "PersonScores"
    INFLUENCE_SCORE = "InfluenceScore"
    DETECTED_COMMUNITY = "DetectedCommunity"
    COMMUNITY_HEALTH = "CommunityHealth"
    OWN_CHOICE = "OwnChoice"  # a person's own choice to be hidden (graph/store/visibility.py)
    SESSION_REVOCATION = "SessionRevocation"  # a web session signed out before it expires (graph/store/sessions.py)


class PostKind(StrEnum):
    QUESTION = "question"
    ANSWER = "answer"
    REPLY = "reply"
    COMMENT = "comment"


class CommunityKind(StrEnum):
    FORUM = "forum"
    CHANNEL = "channel"
    TAG = "tag"
    GROUP = "group"
    COHORT = "cohort"
    DETECTED = "detected"


class MemberRole(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    OWNER = "owner"


class BrokerRole(StrEnum):
    """Guimerà–Amaral node roles (Nature 433, 895-900, 2005), R1-R7."""

    ULTRA_PERIPHERAL = "ultra_peripheral"  # R1
    PERIPHERAL = "peripheral"  # R2
    CONNECTOR = "connector"  # R3
    KINLESS = "kinless"  # R4
    PROVINCIAL_HUB = "provincial_hub"  # R5
    CONNECTOR_HUB = "connector_hub"  # R6
    KINLESS_HUB = "kinless_hub"  # R7


class EvidenceKind(StrEnum):
    """Kinds of evidence behind an expertise score, kept so every ranking can be explained."""

    DECLARED = "declared"  # count = declared level (1-5)
    ANSWERS = "answers"
    ACCEPTED_ANSWERS = "accepted_answers"
    QUESTIONS = "questions"
    VOTES = "votes"  # net score received on answers
    ENDORSEMENTS = "endorsements"
    EXPERTISE_RANK = "expertise_rank"  # count = rank position in the skill's asker->answerer graph


class ScoreScope(StrEnum):
    """Scope of an influence score: the whole graph, one skill, or one community."""

    GLOBAL = "global"
    SKILL = "skill"
    COMMUNITY = "community"


class HealthPeriod(StrEnum):
    CURRENT = "current"  # the last 30 days up to the run
    WEEK = "week"  # one ISO week, Monday to Sunday


__all__ = [
    "BrokerRole",
    "CommunityKind",
    "EngagementKind",
    "EvidenceKind",
    "HealthPeriod",
    "MemberRole",
    "NodeLabel",
    "PostKind",
    "RelType",
    "ScoreScope",
    "StoreLabel",
]
