"""The caller's own visibility over the API: ``myVisibility`` and ``setMyVisibility`` (graph/store/visibility.py).

The same choice as the web app's Privacy page, for clients that are not the web app (a chat bot, an intranet
profile page): a person hides themselves from whoknows, or withdraws that choice. The caller is the token's subject,
taken as a person id; a token that names no person has nothing to hide (NOT_FOUND). ``myVisibility`` depends on who
asks, so the response cache keys it by the asker (app/graphql/analysis.py, ``PER_ASKER``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from app.auth import Role
from app.graphql.context import Context
from graph.store import visibility as domain
from schema.errors import BadInput, NotFound


@strawberry.type(description="Whether a person is hidden from whoknows, and why.")
class Visibility:
    hidden: bool = strawberry.field(
        description="Hidden from every answer, ranking and figure (their own choice or their source's)."
    )
    by_choice: bool = strawberry.field(
        description="They chose it themselves (setMyVisibility or the web app's Privacy page); they can withdraw it."
    )
    by_source: bool = strawberry.field(
        description="Their HR record (or forum account) says they opted out; only that source can change it."
    )
    chosen_at: datetime | None = strawberry.field(description="When they chose it; null without a choice of theirs.")

    @classmethod
    def from_domain(cls, v: domain.Visibility) -> Visibility:
        return cls(hidden=v.hidden, by_choice=v.by_choice, by_source=v.by_source, chosen_at=v.chosen_at)


async def my_visibility(info: Info[Context, None]) -> Visibility | None:
    info.context.require(Role.EMPLOYEE, "myVisibility")
    me = info.context.principal.sub
    found = await info.context.gateway.run(lambda s: s.visibility(me))
    return Visibility.from_domain(found) if found is not None else None


async def set_my_visibility(info: Info[Context, None], hidden: bool) -> Visibility:
    info.context.require(Role.EMPLOYEE, "setMyVisibility")
    me = info.context.principal.sub
    gateway = info.context.gateway
    found = await gateway.run(lambda s: s.visibility(me))
    if found is None:
        raise NotFound("your token names no person in whoknows: there is nothing of yours to hide")
    if found.by_choice == hidden:  # nothing to change
        return Visibility.from_domain(found)
    left = info.context.services.choices.wait(me)
    if left:
        raise BadInput(f"you changed this a moment ago; try again in {math.ceil(left)} s")
    at = datetime.now(UTC)
    chosen = await gateway.run(lambda s: s.choose_visibility(me, hidden, at))
    if chosen is None:
        raise NotFound("your token names no person in whoknows: there is nothing of yours to hide")
    return Visibility.from_domain(chosen)


__all__ = ["Visibility", "my_visibility", "set_my_visibility"]
