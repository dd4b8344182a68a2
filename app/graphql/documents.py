"""Parse, measure and validate GraphQL documents once, off the event loop, with bounded work; cache the outcome.

Every request's document goes through ``Documents.prepare`` before strawberry executes it:

1. parse with a token cap (``MAX_TOKENS``), so parsing is bounded by the document's length;
2. measure it in linear time (app/graphql/analysis.py): fragments, selections after expansion, depth, aliases, cost;
   a document over a cap stops here, before any rule that expands fragments could run;
3. validate it with graphql-core's rules (plus strawberry's, each mutation at most once per operation
   (app/graphql/mutations.py) and, when switched off, no introspection); within the caps of step 2 these are
   bounded too.

Steps 1-3 run in a worker thread of a small pool of their own, so even a slow validation cannot hold the event loop
(``/healthz`` and other requests keep being served). The outcome, errors included, is cached by document text; the
strawberry extension ``UsePrepared`` then hands the prepared document to strawberry, which neither parses nor
validates it again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    specified_rules,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.rules import overlapping_fields_can_be_merged
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from app.graphql.analysis import Analysis, Limits, analyze, long_string_literal, over_cost
from app.graphql.mutations import OneOfEachMutation

MAX_TOKENS = 5000  # lexer tokens per document: bounds parse work before any other check
CACHE_SIZE = 512
# and at most this many characters of document text: 512 documents padded to the body limit with a comment (which
# costs no tokens) held 128 MB; the pages' and clients' documents are a few KB, so only padded ones are evicted early
CACHE_CHARS = 16 * 1024 * 1024
LIGHT_FLOOR = 200  # below this bound a document is cheap whatever its variables say
WORKERS = 2
# Documents up to this many characters are prepared in a lane of their own: a fresh large document can take a
# few hundred milliseconds to validate (700 fields of one name: about 0.25 s), and eight clients sending such
# documents kept a fresh one-field query waiting 1.6 s in the prepare queue. A short document's validation is
# bounded by its length (at most a few hundred fields to compare: milliseconds), so that lane stays quick.
SMALL_DOCUMENT = 1000
# graphql-core's budget for comparing fields that must merge (its OverlappingFieldsCanBeMergedRule), read when each
# validation starts. Its default, 500,000 units, let one 15 KB document of 200 identical nested selections
# (``experts { edges { node { person { manager { name } } } } }``, within every cap above) take 1-3 s of a
# worker's CPU, holding the GIL the event loop needs, and a fresh copy (one more space) costs it again. Every
# document of the pages and the test suite spends at most 16 units; 20 copies of that nested selection 3,420.
VALIDATION_BUDGET = 25_000
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = VALIDATION_BUDGET


@dataclass(frozen=True)
class Operation:
    """One operation of a document: its kind (query, mutation, subscription), metrics label and variables."""

    kind: str
    label: str
    has_variables: bool


@dataclass(frozen=True)
class Prepared:
    """A parsed, measured and validated document, or the errors that stop it."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    analysis: Analysis | None = None
    operations: Mapping[str | None, Operation] = field(default_factory=dict)

    def operation(self, name: str | None) -> Operation | None:
        """The operation ``name`` selects (the only one when None); None when there is no such single one."""
        if name is None:
            return next(iter(self.operations.values())) if len(self.operations) == 1 else None
        return self.operations.get(name)


class Documents:
    """The prepared-document cache of one schema, and the bounded pool that fills it."""

    def __init__(self, limits: Limits, introspection: bool = True) -> None:
        self.limits = limits
        rules: list[type[ASTValidationRule]] = [*specified_rules, OneOfEachMutation]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self.schema: GraphQLSchema | None = None
        self._cache: OrderedDict[str, Prepared] = OrderedDict()
        self._cache_chars = 0
        self._limiter = anyio.CapacityLimiter(WORKERS)
        self._small = anyio.CapacityLimiter(WORKERS)

    def bind(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    async def prepare(self, query: str) -> Prepared:
        """The cached outcome for ``query``, or a new one computed in the documents' worker pool."""
        hit = self._cache.get(query)
        if hit is not None:
            self._cache.move_to_end(query)
            return hit
        prepared = await anyio.to_thread.run_sync(self._prepare, query, abandon_on_cancel=True,
                                                  limiter=self.lane(query))
        self._remember(query, prepared)
        return prepared

    def lane(self, query: str) -> anyio.CapacityLimiter:
        """The worker lane that prepares ``query``: short documents never queue behind long ones."""
        return self._small if len(query) <= SMALL_DOCUMENT else self._limiter

    def prepare_sync(self, query: str) -> Prepared:
        """As ``prepare``, in the caller's thread (strawberry's own entry points, tests)."""
        hit = self._cache.get(query)
        if hit is None:
            hit = self._prepare(query)
            self._remember(query, hit)
        return hit

    def cost(self, prepared: Prepared, variables: Mapping[str, Any] | None) -> int:
        """The document's cost for this request's variables (page sizes given as variables).

        Measured once with such page sizes at their largest; measured again with the request's variables only when
        that bound is above ``LIGHT_FLOOR`` and some variable sets a page size (linear, well under a millisecond for
        ordinary documents, but a quarter of a millisecond is worth saving on every request of a hot query).
        """
        analysis = prepared.analysis
        bound = analysis.cost if analysis is not None else 0
        if bound <= LIGHT_FLOOR or prepared.document is None or self.schema is None:
            return bound
        if analysis is None or not analysis.page_variables:
            return bound
        return analyze(prepared.document, self.schema, self.limits, variables).cost

    def _remember(self, query: str, prepared: Prepared) -> None:
        old = self._cache.pop(query, None)
        if old is not None:
            self._cache_chars -= len(query)
        self._cache[query] = prepared
        self._cache_chars += len(query)
        while len(self._cache) > CACHE_SIZE or self._cache_chars > CACHE_CHARS:
            dropped, _ = self._cache.popitem(last=False)
            self._cache_chars -= len(dropped)

    def _prepare(self, query: str) -> Prepared:
        assert self.schema is not None, "Documents.bind(schema) first"
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError as exc:
            # kept in the cache without its traceback: the parser's frames held every token read and the nodes
            # built so far (3 MB for a document stopped at the token cap), so 512 such documents held 1.5 GB and
            # the collector's full passes over them stalled every request for seconds (up to 11 s on the demo)
            return Prepared(None, (exc.with_traceback(None),))
        except RecursionError:
            return Prepared(None, (GraphQLError("the document is nested too deeply"),))
        analysis = analyze(document, self.schema, self.limits)
        if (message := long_string_literal(document)) is not None:
            analysis.problems.append(message)
        if not _has_variables(document) and (message := over_cost(analysis.cost, self.limits)) is not None:
            analysis.problems.append(message)
        if analysis.problems:
            return Prepared(None, tuple(GraphQLError(p) for p in analysis.problems), analysis)
        try:
            errors = [_explained(e) for e in validate_document(self.schema, document, self.rules)]
        except RecursionError:
            errors = [GraphQLError("the document is nested too deeply")]
        if errors:
            return Prepared(None, tuple(errors), analysis)
        return Prepared(document, (), analysis, _operations(document, self.schema))


TOO_COMPLEX = (
    "the document is too complex to validate: too many fields of the same name (or alias) at one place, which "
    "would all have to be compared; ask for each field once"
)


def _explained(error: GraphQLError) -> GraphQLError:
    """graphql-core's bare 'Validation aborted.' (its budget for comparing same-named fields spent, or its nesting
    guard) replaced by a message a client can act on; any other error as the document's own (BAD_USER_INPUT).

    A validation error is always about the document, whatever raised it: a rule that catches a Python exception
    keeps it as the error's cause, and a cause that is no GraphQLError read as a fault of ours. An integer literal
    of 5,000 digits (``first: 999...``) failed Python's int() digit limit inside graphql-core's Int parser, and the
    request was answered INTERNAL_SERVER_ERROR. The message keeps its first sentence, not the Python advice or the
    echo of the whole literal."""
    if isinstance(error, ValidationAbortedError):
        return GraphQLError(TOO_COMPLEX)
    cause = error.original_error
    if cause is None or isinstance(cause, GraphQLError):
        return error
    return GraphQLError(_shortened(error.message), error.nodes, error.source, error.positions, error.path)


def _shortened(message: str, limit: int = 300) -> str:
    """A validation message without what graphql-core appends after its first clause from the caught exception
    (``...; use sys.set_int_max_str_digits() ...'; found: <the literal>``), at most ``limit`` characters.

    >>> _shortened("Expected value of type 'Int', but encountered error 'Exceeds the limit (4300 digits) for "
    ...            "integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits()'; found: 99")
    "Expected value of type 'Int', but encountered error 'Exceeds the limit (4300 digits) for integer string \
conversion: value has 5000 digits'"
    """
    head, sep, _ = message.partition(";")
    text = head + ("'" if sep and head.count("'") % 2 else "")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _has_variables(document: DocumentNode) -> bool:
    return any(isinstance(d, OperationDefinitionNode) and d.variable_definitions for d in document.definitions)


def _operations(document: DocumentNode, schema: GraphQLSchema) -> dict[str | None, Operation]:
    roots = {
        name for t in (schema.query_type, schema.mutation_type) if t is not None for name in t.fields
    }
    out: dict[str | None, Operation] = {}
    for d in document.definitions:
        if not isinstance(d, OperationDefinitionNode):
            continue
        fields = {s.name.value for s in d.selection_set.selections if isinstance(s, FieldNode)}
        names = sorted(fields & roots)
        if names:  # a bounded metrics label: the root fields asked for, never the client's operation name
            label = "+".join(names[:3]) + ("+more" if len(names) > 3 else "")
        else:
            label = "introspection" if fields & {"__schema", "__type"} else "unknown"
        out[d.name.value if d.name else None] = Operation(d.operation.value, label, bool(d.variable_definitions))
    return out


class UsePrepared(SchemaExtension):
    """Strawberry runs the prepared document as it is: no second parse, no second validation.

    The executor puts the request's ``Prepared`` on the context; anything else calling ``schema.execute`` gets the
    same checks through ``Documents.prepare_sync``.
    """

    def __init__(self, *, documents: Documents) -> None:
        super().__init__()
        self.documents = documents

    def _prepared(self) -> Prepared:
        ec = self.execution_context
        prepared = getattr(ec.context, "prepared", None)
        if isinstance(prepared, Prepared):
            return prepared
        return self.documents.prepare_sync(ec.query or "")

    def on_parse(self) -> Iterator[None]:
        prepared = self._prepared()
        if prepared.document is not None:
            self.execution_context.graphql_document = prepared.document
        else:  # strawberry will fail to parse it, or validation below reports why it was stopped
            self.execution_context.graphql_document = parse("{ __typename }")
        yield

    def on_validate(self) -> Iterator[None]:
        self.execution_context.pre_execution_errors = list(self._prepared().errors)
        yield


__all__ = ["MAX_TOKENS", "Documents", "Operation", "Prepared", "UsePrepared"]
