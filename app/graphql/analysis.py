"""What a GraphQL document asks for, measured in time linear in its size: depth, selections, aliases and cost.

Why: strawberry's depth and alias limiters walk every fragment spread again at every place it is spread, so a
1.6 KB document of 40 fragments, each spreading the next twice, costs 2^40 steps and held the event loop for
minutes (issue 9). Here each fragment is measured once per (fragment, paging context) and memoised, so the whole
analysis is O(document) however the fragments nest, and the figures it returns are those of the document *after*
expansion (a fragment spread twice counts twice), computed with saturating arithmetic so they stay small numbers.

Cost: one unit per field resolved, multiplied through lists. A field with a ``first`` or ``count`` argument
multiplies its sub-selection by that page size (the literal, the variable's value, or the argument's default);
a connection's own list (``edges``) under it then counts once per item, not again. Any other list field multiplies
by ``list_estimate`` (person's communities, skills, weekly health, introspection lists). Leaves cost one. Root
fields whose store read is not bounded by their page (``STORE_WORK``) add ``STORE_CALL_COST``.
Depth follows strawberry's definition (top-level fields are depth 0; introspection fields do not add depth), so
the limit ``WHOKNOWS_MAX_DEPTH`` means what it meant before. Introspection is bounded instead by how many of its
lists nest (types > fields > args is three) and costs ``introspection_list_estimate`` per list item.

The analysis never raises on a bad document: unknown fragments, fragment cycles and over-deep nesting come back
as messages, which the caller reports as BAD_USER_INPUT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_list_type,
    visit,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

MAX_ARGUMENT_CHARS = 1024  # any string argument or variable: ids are at most 512, cursors under 800
# An alias is repeated in the answer once per item of every list around it: 20 aliases of 10,000 characters under
# communities(first: 100) { members(first: 10) } made a 200 KB request into a 53 MB answer (and a cache entry of
# that size). Names in the schema are under 30 characters; an alias a client means to read is no longer than this.
MAX_ALIAS_CHARS = 100
MAX_VARIABLE_NESTING = 5
MAX_VARIABLE_ITEMS = 1000
LONE_SURROGATE = "a string in the variables is not valid Unicode (a lone surrogate such as \\ud800)"
SATURATE = 10**12  # figures saturate here: an exponential document yields a big, not a huge, number
PAGE_ARGUMENTS = ("first", "count")
# Root fields whose store read does work their page size does not bound (root field -> the argument that makes it
# so; None: always): bridges between given communities walk every tie of those communities' members (1.7 s for
# all 63 communities of the 2,000-person demo, whatever ``first``), and a question is scored for every candidate
# on each of its skills and title words. Each such call costs STORE_CALL_COST on top of its fields: over
# app/graphql/fairness.py's LIGHT_COST (1,000), so the cost gate admits it as expensive work and it never holds
# one of the cheap queries' slots or store workers; with max_cost 25,000 a document makes at most 12 of them.
# A seed plan (seedCandidates, seedPlan) reads the skill's top 100 experts and their recent reach whatever its
# ``count``: twenty of them at count 1 cost 40 and took 0.23 s, and sixteen clients sending that document held the
# light slots so a ten-expert directory query waited 3.5-4.5 s (0.02 s behind as many expensive ones).
STORE_WORK: dict[str, str | None] = {
    "bridges": "communityIds", "expertsFor": None, "seedCandidates": None, "seedPlan": None,
}
STORE_CALL_COST = 2_000
# introductionPath is a bidirectional search, maxHops / 2 hops from each end. Up to two hops a side (the default 4,
# what the pages ask) it stays near the two people; beyond, each side reaches most of an organisation whatever the
# ends (a colleague has ~50 ties on the demo): 20 aliases at maxHops 8 held the cheap queries' four slots and their
# store workers for seconds, and { __typename } and /readyz waited 3-5 s behind them. Deeper searches count as
# STORE_WORK; maxHops given as a variable is read from the request (unknown: the deepest, MAX_PATH_HOPS).
PATH_FIELD = "introductionPath"
SHALLOW_PATH_HOPS = 4
MAX_PATH_HOPS = 8  # the most maxHops allows (app/graphql/limits.py)
# Root fields whose argument lists what every item's own lists hold one entry per (root field -> argument): a broker
# between given communities has a side, and a measure, for each of them. Counted as list_estimate (10), the 63
# communities of the demo made a cost-9,401 call answer 44,700 fields (1.8 MB, 2 s), so the budget of expensive work
# in flight admitted five times the work it meant to. Lists under such a field count the argument's length instead
# (a literal, the variable's value; unknown: the most it may hold, max_page), plus a few fixed entries.
ITEM_LISTS: dict[str, str] = {"bridges": "communityIds"}
ITEM_LIST_EXTRA = 2  # a broker's measures: betweenness and constraint, besides one per community

# Root fields whose answer depends on who asks, not only on the role: a question is never routed to its asker, and
# ties to the asker weigh in the rank ("has worked with you"). The response cache keys such documents by the asker.
PER_ASKER = frozenset({"expertsFor", "myVisibility"})  # and one's own visibility


@dataclass(frozen=True)
class Limits:
    """The caps a document must stay within (settings: WHOKNOWS_MAX_DEPTH, _MAX_ALIASES, _MAX_COST...)."""

    max_depth: int = 10
    max_aliases: int = 20
    max_fragments: int = 100
    max_selections: int = 2000
    max_cost: int = 25_000
    max_page: int = 100
    list_estimate: int = 10
    introspection_list_estimate: int = 3  # the schema's own types and fields: small, in memory
    max_introspection_nesting: int = 3  # lists inside lists in introspection (types > fields > args)


@dataclass(frozen=True)
class Stats:
    """Figures of one selection set after expansion."""

    selections: int = 0
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    introspection_nesting: int = 0


@dataclass
class Analysis:
    """The whole document's figures (the maximum over its operations) and what is wrong with it."""

    selections: int = 0
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    introspection_nesting: int = 0
    fragments: int = 0
    problems: list[str] = field(default_factory=list)
    # variables that set a page size (``first: $n``) or an introduction path's depth (``maxHops: $h``): only these
    # make the cost depend on the request's variables
    page_variables: frozenset[str] = frozenset()
    # some operation asks for a ``PER_ASKER`` root field (directly or through fragments)
    per_asker: bool = False


def _add(a: int, b: int) -> int:
    return min(a + b, SATURATE)


def _mul(a: int, b: int) -> int:
    return min(a * b, SATURATE)


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], limits: Limits,
        variables: Mapping[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.limits = limits
        self.variables = variables
        self.memo: dict[tuple[str, bool, int], Stats] = {}
        self.list_estimate = limits.list_estimate  # of unpaged lists here (ITEM_LISTS raises it under its field)
        self.active: set[str] = set()
        self.problems: list[str] = []
        self.page_variables: set[str] = set()
        self.per_asker = False

    def fragment(self, name: str, paged: bool) -> Stats:
        key = (name, paged, self.list_estimate)
        done = self.memo.get(key)
        if done is not None:
            return done
        node = self.fragments.get(name)
        if node is None:
            self.problems.append(f'unknown fragment "{name}"')
            stats = Stats()
        elif name in self.active:
            self.problems.append(f'fragment "{name}" spreads itself (a cycle)')
            return Stats()
        else:
            self.active.add(name)
            parent = self.schema.get_type(node.type_condition.name.value)
            stats = self.selection_set(node.selection_set, parent, paged)
            self.active.discard(name)
        self.memo[key] = stats
        return stats

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None, paged: bool) -> Stats:
        selections = depth = aliases = cost = nesting = 0
        if not node.selections:  # graphql-core parses "{ }", which the GraphQL grammar does not allow
            self.problems.append("a selection set is empty: name at least one field between the braces")
        for sel in node.selections:
            if isinstance(sel, FieldNode):
                child = self.field(sel, parent, paged)
            elif isinstance(sel, FragmentSpreadNode):
                child = self.fragment(sel.name.value, paged)
            elif isinstance(sel, InlineFragmentNode):
                inner = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                child = self.selection_set(sel.selection_set, inner, paged)
            else:  # pragma: no cover - the grammar has no other selection
                continue
            selections = _add(selections, child.selections)
            depth = max(depth, child.depth)
            aliases = _add(aliases, child.aliases)
            cost = _add(cost, child.cost)
            nesting = max(nesting, child.introspection_nesting)
        return Stats(selections, depth, aliases, cost, nesting)

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, paged: bool) -> Stats:
        name = node.name.value
        definition = self._definition(parent, name)
        aliases = 1 if node.alias else 0
        if node.alias and len(node.alias.value) > MAX_ALIAS_CHARS:
            self.problems.append(
                f"an alias of {len(node.alias.value)} characters; at most {MAX_ALIAS_CHARS} are allowed"
            )
        if parent is self.schema.query_type and name in PER_ASKER:
            self.per_asker = True
        if node.selection_set is None:
            return Stats(1, 0, aliases, 1)
        child_type: GraphQLNamedType | None = None
        is_list = False
        page: int | None = None
        if definition is not None:
            child_type = get_named_type(definition.type)
            is_list = is_list_type(get_nullable_type(definition.type))  # type: ignore[arg-type]
            page = self._page_size(node, definition)
        introspection = name.startswith("__") or (parent is not None and parent.name.startswith("__"))
        if page is not None:
            multiplier = page
        elif is_list and introspection:
            multiplier = self.limits.introspection_list_estimate
        elif is_list and not paged:
            multiplier = self.list_estimate
        else:
            multiplier = 1
        outer = self.list_estimate
        if parent is self.schema.query_type and name in ITEM_LISTS:
            self.list_estimate = max(outer, self._items(node, ITEM_LISTS[name]) + ITEM_LIST_EXTRA)
        try:
            child = self.selection_set(node.selection_set, child_type, paged=page is not None and not is_list)
        finally:
            self.list_estimate = outer
        depth = 0 if introspection else 1 + child.depth
        nesting = child.introspection_nesting + (1 if is_list and introspection else 0)
        own = 1 + (STORE_CALL_COST if parent is self.schema.query_type and self._store_work(node) else 0)
        return Stats(
            _add(1, child.selections), depth, _add(aliases, child.aliases), _add(own, _mul(multiplier, child.cost)),
            nesting,
        )

    def _definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        fields = getattr(parent, "fields", None)
        return fields.get(name) if isinstance(fields, Mapping) else None

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page a field asks for (literal, variable or default), clamped to 1..max_page; None if unpaged."""
        for arg_name in PAGE_ARGUMENTS:
            arg = definition.args.get(arg_name)
            if arg is None:
                continue
            value: Any = arg.default_value
            for given in node.arguments or ():
                if given.name.value != arg_name:
                    continue
                if isinstance(given.value, IntValueNode):
                    value = given.value.value
                elif isinstance(given.value, VariableNode):
                    # unknown until the request's variables are known: assume the largest page
                    self.page_variables.add(given.value.name.value)
                    value = (self.variables or {}).get(given.value.name.value, self.limits.max_page)
            try:
                size = int(value)
            except (TypeError, ValueError, OverflowError):
                size = self.limits.max_page
            return max(1, min(size, self.limits.max_page))
        return None

    def _items(self, node: FieldNode, argument: str) -> int:
        """How many items a list argument holds: the literal's, the variable's value's (recorded, so the cost is
        measured again with the request's variables), 0 when not given or null; max_page before the variables are
        known."""
        for given in node.arguments or ():
            if given.name.value != argument:
                continue
            if isinstance(given.value, ListValueNode):
                return min(len(given.value.values), self.limits.max_page)
            if isinstance(given.value, VariableNode):
                self.page_variables.add(given.value.name.value)
                if self.variables is None:  # measured before the request's variables are known
                    return self.limits.max_page
                value = self.variables.get(given.value.name.value)
                return min(len(value), self.limits.max_page) if isinstance(value, list) else 0
            return 0  # null
        return 0

    def _store_work(self, node: FieldNode) -> bool:
        """Whether this root field's store read is one ``STORE_WORK`` names (with its argument given, if it needs
        one), or an introduction path searched deeper than ``SHALLOW_PATH_HOPS``."""
        name = node.name.value
        if name == PATH_FIELD:
            return self._hops(node) > SHALLOW_PATH_HOPS
        if name not in STORE_WORK:
            return False
        argument = STORE_WORK[name]
        return argument is None or any(a.name.value == argument for a in node.arguments or ())

    def _hops(self, node: FieldNode) -> int:
        """An introduction path's maxHops: the literal, the variable's value (recorded, so the cost is measured
        again with the request's variables), or the default; the deepest allowed when it cannot be read."""
        value: Any = SHALLOW_PATH_HOPS
        for given in node.arguments or ():
            if given.name.value != "maxHops":
                continue
            if isinstance(given.value, IntValueNode):
                value = given.value.value
            elif isinstance(given.value, VariableNode):
                self.page_variables.add(given.value.name.value)
                value = (self.variables or {}).get(given.value.name.value, MAX_PATH_HOPS)
            else:
                value = MAX_PATH_HOPS
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            return MAX_PATH_HOPS


def analyze(
    document: DocumentNode, schema: GraphQLSchema, limits: Limits, variables: Mapping[str, Any] | None = None
) -> Analysis:
    """Measure ``document`` against ``limits``; ``problems`` says, in words a client can act on, what is over."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    out = Analysis(fragments=len(fragments))
    if len(fragments) > limits.max_fragments:
        out.problems.append(f"{len(fragments)} fragments; at most {limits.max_fragments} are allowed")
        return out
    walker = _Walker(schema, fragments, limits, variables)
    roots = {"query": schema.query_type, "mutation": schema.mutation_type, "subscription": schema.subscription_type}
    try:
        for op in operations:
            stats = walker.selection_set(op.selection_set, roots.get(op.operation.value), paged=False)
            out.selections = max(out.selections, stats.selections)
            out.depth = max(out.depth, stats.depth)
            out.aliases = max(out.aliases, stats.aliases)
            out.cost = max(out.cost, stats.cost)
            out.introspection_nesting = max(out.introspection_nesting, stats.introspection_nesting)
    except RecursionError:
        out.problems.append("the document is nested too deeply")
        return out
    out.problems.extend(dict.fromkeys(walker.problems))  # each problem once, in order
    out.page_variables = frozenset(walker.page_variables)
    out.per_asker = walker.per_asker
    if out.selections > limits.max_selections:
        out.problems.append(
            f"the query selects {_shown(out.selections)} fields once fragments are expanded; "
            f"at most {limits.max_selections} are allowed"
        )
    if out.depth > limits.max_depth:
        out.problems.append(f"the query exceeds maximum operation depth of {limits.max_depth} (depth {out.depth})")
    if out.introspection_nesting > limits.max_introspection_nesting:
        out.problems.append(
            f"the introspection query nests {out.introspection_nesting} lists; at most "
            f"{limits.max_introspection_nesting} are allowed"
        )
    if out.aliases > limits.max_aliases:
        out.problems.append(f"{_shown(out.aliases)} aliases found; at most {limits.max_aliases} are allowed")
    return out


class _LongStrings(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.longest = 0

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.longest = max(self.longest, len(node.value))


def long_string_literal(document: DocumentNode) -> str | None:
    """The message when a string literal in the document is longer than any argument may be, else None."""
    finder = _LongStrings()
    visit(document, finder)
    if finder.longest <= MAX_ARGUMENT_CHARS:
        return None
    return f"a string argument of {finder.longest} characters; at most {MAX_ARGUMENT_CHARS} are allowed"


def check_variables(variables: Mapping[str, Any] | None) -> str | None:
    """The message when request variables are out of bounds (long strings, deep nesting, many items), else None.

    Iterative, so no variables document can exhaust the stack; JSON parsing already bounded its size. Strings,
    object keys included, must be valid Unicode: JSON can escape a lone UTF-16 surrogate ("\\ud800"), which neither
    store's driver nor the response encoder takes (it surfaced as an internal error).

    Values are what the message says: strings, numbers, booleans, nulls, and empty lists and objects. The lists
    and objects around them are not counted (a list of 999 ids was refused as 1,001 "values" with its wrappers),
    but an empty one is, so any variables within the limit hold at most (MAX_VARIABLE_NESTING + 1) nodes per value.
    """
    stack: list[tuple[Any, int]] = [(variables or {}, 0)]
    items = 0
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, Mapping | list) or not value:
            items += 1
            if items > MAX_VARIABLE_ITEMS:
                return f"the variables hold more than {MAX_VARIABLE_ITEMS} values"
        if isinstance(value, str):
            if len(value) > MAX_ARGUMENT_CHARS:
                return f"a string variable of {len(value)} characters; at most {MAX_ARGUMENT_CHARS} are allowed"
            if not _unicode(value):
                return LONE_SURROGATE
        elif isinstance(value, Mapping | list):
            if depth >= MAX_VARIABLE_NESTING:
                return f"variables nested more than {MAX_VARIABLE_NESTING} levels deep"
            if isinstance(value, Mapping):
                if not all(_unicode(str(k)) for k in value):
                    return LONE_SURROGATE
                stack.extend((child, depth + 1) for child in value.values())
            else:
                stack.extend((child, depth + 1) for child in value)
    return None


def _unicode(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (it holds no lone surrogate); ASCII, the common case, is checked fastest."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def over_cost(cost: int, limits: Limits) -> str | None:
    """The message when a document's cost is over the limit, else None."""
    if cost <= limits.max_cost:
        return None
    return (
        f"the query's cost is {_shown(cost)} (one per field, times the page size of lists); the limit is "
        f"{limits.max_cost}: ask for smaller pages or fewer fields"
    )


def _shown(n: int) -> str:
    return f"over {SATURATE:.0e}" if n >= SATURATE else str(n)


__all__ = [
    "ITEM_LISTS", "MAX_ALIAS_CHARS", "MAX_ARGUMENT_CHARS", "MAX_PATH_HOPS", "PER_ASKER", "STORE_CALL_COST",
    "STORE_WORK", "Analysis", "Limits", "Stats", "analyze", "check_variables", "long_string_literal", "over_cost",
]
