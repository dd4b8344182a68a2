"""The GraphQL layer: schema (queries, mutation, errors), types (one per concept, ``from_domain()``), loaders
(per-request DataLoaders), limits, the store gateway and request context, the response cache, and the pure
helpers behind explanations and health privacy."""

from app.graphql.schema import Mutation, Query, build_schema, format_error

__all__ = ["Mutation", "Query", "build_schema", "format_error"]
