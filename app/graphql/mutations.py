"""A validation rule: each mutation field at most once per operation.

A mutation's root fields run one after another, each with its full effect, so one document with 20 aliases of
``runAnalytics`` ran the analysis 20 times back to back (holding the analytics lock all along), and 20 aliases of
``setMyVisibility`` wrote 20 times. Every mutation here does one whole thing, so asking for it twice in one
operation is never needed; the rule refuses such a document before anything runs (a validation error, which the
API reports as BAD_USER_INPUT).

Fields are collected as graphql-core executes them: through inline fragments and fragment spreads, selections of
the same response key merged into one. ``@skip``/``@include`` are not evaluated (their variables are not known at
validation time), so a field counts whenever it may run.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)


class OneOfEachMutation(ASTValidationRule):
    """Refuse an operation that asks for the same mutation field under more than one response key."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        if node.operation != OperationType.MUTATION:
            return
        keys: dict[str, set[str]] = defaultdict(set)
        nodes: dict[str, list[FieldNode]] = defaultdict(list)
        self._collect(node.selection_set, keys, nodes, set())
        for name, seen in keys.items():
            if len(seen) > 1:
                self.report_error(GraphQLError(
                    f"the mutation field {name!r} is asked for {len(seen)} times in one operation "
                    f"(as {', '.join(sorted(seen))}); each mutation runs at most once per request: ask for it once",
                    nodes[name],
                ))

    def _collect(self, selection_set: SelectionSetNode, keys: dict[str, set[str]],
                 nodes: dict[str, list[FieldNode]], spread: set[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                keys[name].add(selection.alias.value if selection.alias else name)
                nodes[name].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, keys, nodes, spread)
            elif isinstance(selection, FragmentSpreadNode):
                fragment_name = selection.name.value
                if fragment_name in spread:  # each fragment once per operation, as execution does (and no cycles)
                    continue
                spread.add(fragment_name)
                fragment = self.context.get_fragment(fragment_name)
                if fragment is not None:
                    self._collect(fragment.selection_set, keys, nodes, spread)


__all__ = ["OneOfEachMutation"]
