"""The caller's own visibility over the API: ``myVisibility`` and ``setMyVisibility`` (graph/store/visibility.py).

The same choice as the web app's Privacy page, for clients that are not the web app (a chat bot, an intranet
profile page): a person hides themselves from whoknows, or withdraws that choice. The caller is the token's subject,
taken as a person id; a token that names no person has nothing to hide (NOT_FOUND). ``myVisibility`` depends on who
asks, so the response cache keys it by the asker (app/graphql/analysis.py, ``PER_ASKER``).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import strawberry
from strawberry.types import Info

from app.auth import Role
from app.graphql.context import Context
from app.graphql.services import ChoiceGate
from graph.store import visibility as domain
from graph.store.base import GraphStore
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


class TooSoon(BadInput):
    """A change of one's visibility within ``ChoiceGate.interval_s`` of the last one."""

    def __init__(self, left: float) -> None:
        super().__init__(f"you changed this a moment ago; try again in {math.ceil(left)} s")
        self.left = left


Run = Callable[[Callable[[GraphStore], Any]], Awaitable[Any]]


async def change_visibility(run: Run, write: Run, gate: ChoiceGate, person_id: str, hidden: bool
                            ) -> domain.Visibility | None:
    """A person's choice, read through ``run`` and recorded through ``write`` (the API's gateway, or a page's store
    call, on its write workers); None for an unknown person. A request that changes nothing is answered and never
    held back; a change waits for the gate (TooSoon).

    The choice covers the person's former records too (a rehire's terminated record with the same address, which
    still holds their earlier forum activity): before, hiding oneself left that record on its page, in the
    network and in every figure until HR's next export. All records change in one transaction, bounded by the
    caller's deadline (graph/store/deadline.py): behind another writer it is StoreBusy and nothing changed."""
    found: domain.Visibility | None = await run(lambda s: s.visibility(person_id))
    if found is None or found.by_choice == hidden:
        return found
    left = gate.wait(person_id)
    if left:
        raise TooSoon(left)
    at = datetime.now(UTC)
    try:
        former: list[str] = await run(lambda s: s.former_records(person_id))
        # one transaction for every record: a refused write (STORE_BUSY behind an ingest) changed none of them
        chosen: domain.Visibility | None = await write(lambda s: s.choose_visibility(person_id, hidden, at, former))
    except Exception:
        gate.forget(person_id)  # nothing changed: "try again in a moment" must not be answered "too soon"
        raise
    return chosen


async def set_my_visibility(info: Info[Context, None], hidden: bool) -> Visibility:
    info.context.require(Role.EMPLOYEE, "setMyVisibility")
    gateway = info.context.gateway
    chosen = await change_visibility(gateway.run, partial(gateway.run, write=True), info.context.services.choices,
                                     info.context.principal.sub, hidden)
    if chosen is None:
        raise NotFound("your token names no person in whoknows: there is nothing of yours to hide")
    return Visibility.from_domain(chosen)


__all__ = ["TooSoon", "Visibility", "change_visibility", "my_visibility", "set_my_visibility"]
