"""The API's limits (DESIGN.md): query depth <= 10, aliases <= 20, cost, fragments and selections bounded,
``first``/``count`` <= 100, bounded tokens, argument lengths and hops; beyond them a BAD_USER_INPUT error, never a
500. Document-wide limits are measured in linear time by app/graphql/analysis.py (see app/graphql/documents.py);
the argument checks here run in the resolvers.
"""

from __future__ import annotations

from app.graphql.analysis import MAX_PATH_HOPS, Limits
from app.graphql.documents import MAX_TOKENS
from app.settings import Settings
from graph.store.paging import MAX_PAGE
from schema.errors import BadInput
from schema.ids import check_id

MAX_HOPS = MAX_PATH_HOPS  # introductionPath


def limits(settings: Settings) -> Limits:
    """The document limits of ``settings``."""
    return Limits(
        max_depth=settings.max_depth, max_aliases=settings.max_aliases, max_fragments=settings.max_fragments,
        max_selections=settings.max_selections, max_cost=settings.max_cost, max_page=settings.max_page,
    )


def page_size(first: int, limit: int = MAX_PAGE) -> int:
    """Validate a ``first``/``count`` argument (1..limit) with an error naming the limit."""
    if not 1 <= first <= limit:
        raise BadInput(f"first/count must be between 1 and {limit}, got {first}")
    return first


def hops(max_hops: int) -> int:
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadInput(f"maxHops must be between 1 and {MAX_HOPS}, got {max_hops}")
    return max_hops


def node_id(value: str, what: str = "id") -> str:
    """Validate an ID argument (``namespace:local``) before it reaches the store."""
    try:
        return check_id(value)
    except ValueError as exc:
        raise BadInput(f"{what} {value[:80]!r} is not a valid id (expected 'namespace:local')") from exc


__all__ = ["MAX_HOPS", "MAX_TOKENS", "hops", "limits", "node_id", "page_size"]
