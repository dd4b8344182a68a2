"""The API's limits (DESIGN.md): query depth <= 10, aliases <= 20, ``first``/``count`` <= 100, bounded tokens and
hops; beyond them a BAD_USER_INPUT error, never a 500.

Depth and alias limits are GraphQL validation rules (strawberry's QueryDepthLimiter and MaxAliasesLimiter build
them); they are built once per schema so strawberry's ValidationCache can recognise a document it has validated.
"""

from __future__ import annotations

from graphql import ASTValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from app.settings import Settings
from graph.store.base import MAX_PAGE
from schema.errors import BadInput
from schema.ids import check_id

MAX_TOKENS = 5000  # lexer tokens per document: bounds parse work before any other check
MAX_HOPS = 8  # introductionPath


def validation_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Depth and alias limits, and no introspection when it is switched off."""
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


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


__all__ = ["MAX_HOPS", "MAX_TOKENS", "hops", "node_id", "page_size", "validation_rules"]
