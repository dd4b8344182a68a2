"""The vocabulary pasted into statement text, the statement type and its registry (every other module of
the package registers its statements here).

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from schema.labels import NodeLabel, RelType, StoreLabel

# --- vocabulary (the only names pasted into statement text) ---------------------------------------------------

PERSON = NodeLabel.PERSON
SKILL = NodeLabel.SKILL
COMMUNITY = NodeLabel.COMMUNITY
POST = NodeLabel.POST
META = StoreLabel.META
RUN = StoreLabel.ANALYTICS_RUN
SCORES = StoreLabel.PERSON_SCORES
INFLUENCE = StoreLabel.INFLUENCE_SCORE
DETECTED = StoreLabel.DETECTED_COMMUNITY
HEALTH = StoreLabel.COMMUNITY_HEALTH
CHOICE = StoreLabel.OWN_CHOICE
REVOCATION = StoreLabel.SESSION_REVOCATION

REPORTS_TO = RelType.REPORTS_TO
HAS_SKILL = RelType.HAS_SKILL
MEMBER_OF = RelType.MEMBER_OF
AUTHORED = RelType.AUTHORED
REPLY_TO = RelType.REPLY_TO
IN = RelType.IN
TAGGED = RelType.TAGGED
ENDORSED = RelType.ENDORSED
ENGAGED = RelType.ENGAGED
INTERACTS = RelType.INTERACTS
EXPERT_IN = RelType.EXPERT_IN

# run states of an analytics generation, written as literals in the statements below
RUN_STATES = ("pending", "current", "previous", "stale")


ParamType = Literal[
    "STRING", "INTEGER", "FLOAT", "BOOLEAN", "MAP", "ANY", "DATETIME",
    "LIST<STRING>", "LIST<MAP>",
]
Mode = Literal["schema", "read", "write"]


@dataclass(frozen=True)
class Statement:
    """One Cypher statement: its text, the parameters it takes (name -> type) and how it is run."""

    name: str
    text: str
    params: Mapping[str, ParamType] = field(default_factory=dict)
    mode: Mode = "read"
    # server notifications accepted on purpose (substrings of the description); each use says why
    allow: tuple[str, ...] = ()


_REGISTRY: dict[str, Statement] = {}


def _stmt(
    name: str, text: str, mode: Mode = "read", allow: tuple[str, ...] = (), /, **params: ParamType
) -> Statement:
    statement = Statement(name=name, text=" ".join(text.split()), params=dict(params), mode=mode, allow=allow)
    if name in _REGISTRY:
        raise ValueError(f"duplicate Cypher statement name {name}")
    _REGISTRY[name] = statement
    return statement


def _read(name: str, text: str, allow: tuple[str, ...] = (), /, **params: ParamType) -> Statement:
    return _stmt(name, text, "read", allow, **params)


def _write(name: str, text: str, /, **params: ParamType) -> Statement:
    return _stmt(name, text, "write", (), **params)
