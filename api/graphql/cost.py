"""A validation rule that refuses documents whose estimated cost exceeds a limit.

The cost of a selection is one per field, and a connection field (one taking ``first``)
multiplies the cost of its selection by its page size: the literal ``first``/``last`` when
given, the largest page when it comes from a variable (validation runs before variables are
known), the default page otherwise. A plain list field multiplies by the length of its
literal ``ids`` argument (``nodes(ids:)``), else by ``PLAIN_LIST_GUESS``: such lists are the
short ones of one object (a building's party groups, a gap's suggestions, an area's
indicators), never a whole area's items, which only connections return.
The domain questions of the root ``Query`` add their own price (``DOMAIN_COSTS``): what one
of them costs the store for the largest area a user may ask (a city), in units of one
field, ``coverage`` once per indicator asked (all of them when none is named). So 30 aliases
of ``areaOnePlusOne(asOf: <30 dates>)``, each a full computation, are refused, while one
question with its page fits easily. Fragments are followed (a cycle stops the walk; GraphQL's
own ``NoFragmentCycles`` refuses it). Runs with the other validation rules, before execution.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

from queries.indicators import INDICATOR_IDS

PAGE_ARGS = ("first", "last")

#: The price of each domain question of the root ``Query`` (per indicator for ``coverage``).
DOMAIN_COSTS = {
    "coverage": 250,
    "gaps": 2_000,
    "areaOnePlusOne": 2_500,
    "dualReporting": 2_000,
    "branchView": 300,
    "memberCard": 50,
}
INDICATOR_COUNT = len(INDICATOR_IDS)
#: The length assumed for a plain (non-connection) list field.
PLAIN_LIST_GUESS = 5


def cost_rule(max_cost: int, max_page: int, default_page: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            doc = context.document
            fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
            schema = context.schema
            for op in doc.definitions:
                if not isinstance(op, OperationDefinitionNode):
                    continue
                root = schema.get_root_type(op.operation)
                if root is None:
                    continue
                total = _cost(op.selection_set, root, fragments, schema.get_type, (), 1, max_page, default_page, max_cost)
                if total > max_cost:
                    context.report_error(
                        GraphQLError(
                            f"the operation is too expensive (estimated cost over {max_cost}); "
                            "ask for smaller pages or fewer nested lists",
                            op,
                        )
                    )

    return CostLimit


def _domain_cost(node: FieldNode) -> int:
    price = DOMAIN_COSTS.get(node.name.value, 0)
    if node.name.value == "coverage":
        for arg in node.arguments or ():
            if arg.name.value == "indicators" and isinstance(arg.value, ListValueNode):
                return price * max(len(arg.value.values), 1)
        return price * INDICATOR_COUNT
    return price


def _length(node: FieldNode, max_page: int, default_page: int) -> int:
    for arg in node.arguments or ():
        if arg.name.value == "ids":
            return max(len(arg.value.values), 1) if isinstance(arg.value, ListValueNode) else max_page
    return PLAIN_LIST_GUESS


def _page(node: FieldNode, max_page: int, default_page: int) -> int:
    for arg in node.arguments or ():
        if arg.name.value in PAGE_ARGS:
            if isinstance(arg.value, IntValueNode):
                return max(int(arg.value.value), 1)
            return max_page
    return default_page


def _cost(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType | None,
    fragments: dict[str, FragmentDefinitionNode],
    get_type: Callable[[str], GraphQLNamedType | None],
    path: tuple[str, ...],
    multiplier: int,
    max_page: int,
    default_page: int,
    max_cost: int,
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for sel in selection_set.selections:
        if total > max_cost:
            return total
        if isinstance(sel, FieldNode):
            total += multiplier
            if isinstance(parent, GraphQLObjectType) and parent.name == "Query":
                total += multiplier * _domain_cost(sel)
            field_type: GraphQLNamedType | None = None
            inner = multiplier
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                field_def = parent.fields.get(sel.name.value)
                if field_def is not None:
                    field_type = get_named_type(field_def.type)
                    if any(a in field_def.args for a in PAGE_ARGS):
                        inner = multiplier * _page(sel, max_page, default_page)
                    elif (
                        isinstance(get_nullable_type(field_def.type), GraphQLList)
                        and sel.selection_set
                        and not parent.name.endswith(("Connection", "Edge"))  # the page counted already
                    ):
                        inner = multiplier * _length(sel, max_page, default_page)
            total += _cost(sel.selection_set, field_type, fragments, get_type, path, inner, max_page, default_page, max_cost)
        elif isinstance(sel, InlineFragmentNode):
            cond = get_type(sel.type_condition.name.value) if sel.type_condition else parent
            total += _cost(sel.selection_set, cond, fragments, get_type, path, multiplier, max_page, default_page, max_cost)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            frag = fragments.get(name)
            if frag is None or name in path:
                continue
            cond = get_type(frag.type_condition.name.value)
            total += _cost(
                frag.selection_set, cond, fragments, get_type, (*path, name), multiplier, max_page, default_page, max_cost
            )
    return total
