"""Plain-data leaf fields (a score, a name, an evidence count) completed without graphql-core's per-field steps.

Why: an experts page of ten people with their evidence resolves about 280 fields, four in five of them scalars read
straight off a Python object. For each, graphql-core builds a resolve-info object, calls strawberry's attribute
resolver through two wrappers, checks twice whether the result is awaitable and coerces it: about 10 µs a field,
most of the request's CPU. ``LeafExecutionContext`` completes such a field in one attribute read and one coercion.

Which fields: those strawberry itself resolves as *basic* (``_get_basic_result``: no resolver, no field extensions
or permission classes, no exception handlers) whose type is a scalar or an enum, or a list of them (a health
period's ``withheld`` names), nullable or not, with no arguments. Anything else, and any value the shortcut cannot
complete exactly as graphql-core would (a null, a null item, a coercion that fails or returns nothing), goes through
graphql-core's own ``execute_field``, which then reports it the usual way; the shortcut never answers differently,
it only answers sooner (tests/api/test_leaves.py compares).
Directives (``@skip``, ``@include``) are applied before fields execute, so they are unaffected.

Objects whose selected fields are all such leaves (a piece of evidence, a person's name and place, page info: two
in three objects of a directory page) are completed whole, in one loop, without the per-field path, dispatch and
awaitable checks; the same rule applies to every field, and any field the shortcut cannot complete sends the whole
object back to graphql-core. Never for an object type with an ``is_type_of`` check, under ``@defer``, or when a
directive was forbidden where it stood (graphql-core reports those).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# (attribute reader, python attribute name, output coercion, a list of leaves?, nullable?) per object type name,
# then field name
Leaf = tuple[Callable[[Any, str], Any], str, Callable[[Any], Any], bool, bool]
Leaves = dict[str, dict[str, Leaf]]
_FAILED = object()  # the shortcut could not complete a value: graphql-core completes it (and reports any error)
_BY_SCHEMA: weakref.WeakKeyDictionary[GraphQLSchema, Leaves] = weakref.WeakKeyDictionary()


def plain_leaves(schema: GraphQLSchema) -> Leaves:
    """The fields of ``schema`` the shortcut may complete, found once per schema."""
    found = _BY_SCHEMA.get(schema)
    if found is not None:
        return found
    out: Leaves = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            leaf = get_nullable_type(field.type)
            is_list = isinstance(leaf, GraphQLList)
            if is_list:
                leaf = get_nullable_type(leaf.of_type)
            if field.args or not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                continue
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            resolve = field.resolve
            if (
                not isinstance(definition, StrawberryField)
                or getattr(resolve, "__name__", "") != "_get_basic_result"  # strawberry's own shortcut, see above
                or not definition.is_basic_field
            ):
                continue
            out.setdefault(type_.name, {})[name] = (
                definition.default_resolver, definition.python_name, leaf.coerce_output_value, is_list,
                not isinstance(field.type, GraphQLNonNull),
            )
    _BY_SCHEMA[schema] = out
    return out


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain-data leaf fields completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # strawberry passes a manager on every request; it only wraps resolvers when an extension hooks ``resolve``
        manager = self.middleware_manager
        self._leaves = {} if manager is not None and manager.middlewares else plain_leaves(self.schema)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, *rest: Any) -> Any:
        fields = self._leaves.get(parent_type.name)
        if fields is not None:
            first = field_details_list[0]
            leaf = fields.get(getattr(first, "node", first).name.value)  # field details (3.3) or nodes (3.2)
            if leaf is not None:
                value = _complete_leaf(leaf, source)
                if value is not _FAILED and value is not None:
                    return value
        return super().execute_field(parent_type, source, field_details_list, *rest)

    def complete_value(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, *rest: Any
    ) -> Any:
        if self._leaves and result is not None and not isinstance(result, Exception) and rest == (None,):
            object_type = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(object_type, GraphQLObjectType) and object_type.is_type_of is None:
                completed = self._plain_object(object_type, field_details_list, result)
                if completed is not None:
                    return completed
        return super().complete_value(return_type, field_details_list, info, path, result, *rest)

    def _plain_object(self, object_type: GraphQLObjectType, field_details_list: Any, source: Any
                      ) -> dict[str, Any] | None:
        """An object whose selected fields are all plain leaves, completed in one loop; None to leave it to
        graphql-core (another kind of field, a value the shortcut cannot complete, @defer, a forbidden directive)."""
        fields = self._leaves.get(object_type.name)
        if fields is None:
            return None
        collected = self.collect_subfields(object_type, field_details_list)  # memoised per request by graphql-core
        if not isinstance(collected, tuple) or len(collected) != 3 or collected[1] or collected[2]:
            return None  # graphql-core 3.2's shape, new @defer usages, or directives it will report
        out: dict[str, Any] = {}
        for response_name, details in collected[0].items():
            leaf = fields.get(details[0].node.name.value)
            if leaf is None:
                return None
            value = _complete_leaf(leaf, source)
            if value is _FAILED or (value is None and not leaf[4]):
                return None
            out[response_name] = value
        return out


def _complete_leaf(leaf: Leaf, source: Any) -> Any:
    """The leaf's value coerced for output, None for a null (nullable or not: the caller decides), or ``_FAILED``."""
    read, attribute, coerce, is_list, _nullable = leaf
    try:
        value = read(source, attribute)
        if value is None:
            return None
        if is_list:
            if isinstance(value, list | tuple):
                items = [coerce(v) for v in value if v is not None]
                if len(items) == len(value) and Undefined not in items and None not in items:
                    return items
            return _FAILED
        coerced = coerce(value)
        if coerced is not None and coerced is not Undefined:
            return coerced
    except Exception:  # noqa: BLE001 - graphql-core completes it again and reports the error, with path and location
        pass
    return _FAILED


__all__ = ["LeafExecutionContext", "plain_leaves"]
