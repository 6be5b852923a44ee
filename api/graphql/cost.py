"""A validation rule that refuses documents whose estimated cost exceeds a limit.

The cost of a selection is one per field, and a connection field (one taking ``first``)
multiplies the cost of its selection by its length: its page size (the literal
``first``/``last`` when given, the largest page when it comes from a variable, since
validation runs before variables are known, the default page otherwise), or, when it is
shorter, the average fan-out the data shows for that step (``graph/select_cost.py``): a
connection from a node type to a node type follows one of the model's relationships between
their labels, and ``Degrees`` (counted by the store, refreshed in the background by
``api/graphql/fanout.py``) says how many such relationships a node of the parent's label has
on average (the largest over the relationship types joining the two labels). So a district's
tree of places at ``first: 50`` a level is priced at its real size, while a city's members
times their memberships times each org's members is still refused, with the estimate in the
error. A plain list field multiplies by the length of its
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

import math
from collections.abc import Callable, Sequence
from functools import cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
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

from api.graphql.errors import ClientError, OwnRequestError
from api.graphql.limits import Limits
from graph.model import all_labels, relationship_ends
from graph.records import Degrees
from graph.select import Select
from graph.select_cost import estimate
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
    "search": 100,
}
INDICATOR_COUNT = len(INDICATOR_IDS)
#: The length assumed for a plain (non-connection) list field.
PLAIN_LIST_GUESS = 5


#: How far past the limit the walk goes before it stops adding (the error then says "more than").
WALK_CAP = 100


def cost_rule(
    max_cost: int, max_page: int, default_page: int, degrees: Callable[[], Degrees | None] | None = None
) -> type[ValidationRule]:
    """The rule class; ``degrees`` gives the store's current counts (``None``: page sizes only)."""

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
                walk = _Walk(
                    fragments,
                    schema.get_type,
                    max_page,
                    default_page,
                    max_cost * WALK_CAP,
                    degrees and degrees(),
                )
                total = walk.cost(op.selection_set, root, (), 1)
                if total > max_cost:
                    shown = f"more than {walk.cap:,}" if total > walk.cap else f"{math.ceil(total):,}"
                    context.report_error(OwnRequestError(too_expensive(shown, max_cost), op))

    return CostLimit


def too_expensive(shown: str, max_cost: int, advice: str = "ask for smaller pages or fewer nested lists") -> str:
    return (
        f"the operation is too expensive: estimated cost {shown}, limit {max_cost:,} "
        f"(查询开销估计为 {shown}，上限 {max_cost:,}); {advice}"
    )


def check_plans(plans: Sequence[Select], degrees: Degrees | None, limits: Limits) -> None:
    """Refuse compiled ``graph { }`` plans whose estimate is over the limit, before they run.

    The rule above prices a document before its variables are known and sees a ``where``
    only as one argument; what a filter makes the store do (every candidate tested, each
    relationship filter reaching its items, each of those tested for the user's area) shows
    only in the compiled plan, literals and variables alike. ``graph.select_cost`` prices it
    from the same counts; with none yet, the unknown fan-outs it assumes are never low."""
    counts = degrees if degrees is not None else Degrees({}, {}, {})
    total = sum(estimate(plan, counts, default_page=limits.default_page) for plan in plans)
    if total > limits.max_cost:
        raise ClientError(
            too_expensive(
                f"{math.ceil(total):,}",
                limits.max_cost,
                "ask with fewer or shallower relationship filters (请减少或简化关系条件)",
            )
        )


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


@cache
def _joins(parent: str, item: str) -> tuple[tuple[str, str], ...]:
    """(relationship type, direction from ``parent``) of every model relationship joining
    the two labels."""
    joins = []
    for rel_type, (starts, ends) in relationship_ends().items():
        if parent in starts and item in ends:
            joins.append((rel_type, "out"))
        if parent in ends and item in starts:
            joins.append((rel_type, "in"))
    return tuple(joins)


def _label(type_name: str) -> str | None:
    """The node label a GraphQL object type shows: the hand-written ``Building`` or the
    generated ``GraphBuilding`` (``api/graphql/generated/names.py``)."""
    if type_name in all_labels():
        return type_name
    if type_name.startswith("Graph") and type_name[5:] in all_labels():
        return type_name[5:]
    return None


def _item_label(connection: GraphQLNamedType | None) -> str | None:
    """The node label a connection type lists, when its items are node types."""
    if not isinstance(connection, GraphQLObjectType) or "nodes" not in connection.fields:
        return None
    return _label(get_named_type(connection.fields["nodes"].type).name)


class _Walk:
    """One walk of an operation's selections, adding up the cost."""

    def __init__(
        self,
        fragments: dict[str, FragmentDefinitionNode],
        get_type: Callable[[str], GraphQLNamedType | None],
        max_page: int,
        default_page: int,
        cap: int,
        degrees: Degrees | None,
    ) -> None:
        self.fragments, self.get_type = fragments, get_type
        self.max_page, self.default_page, self.cap = max_page, default_page, cap
        self.degrees = degrees

    def length(self, node: FieldNode, parent: GraphQLNamedType, field_type: GraphQLNamedType | None) -> float:
        """A connection's length: its page, or the data's average fan-out when shorter."""
        page = _page(node, self.max_page, self.default_page)
        item = _item_label(field_type)
        source = _label(parent.name)
        if self.degrees is None or item is None or source is None or not self.degrees.labels.get(source):
            return page  # no counts, or none yet for that label (an empty store): the page
        joins = _joins(source, item)
        if not joins:
            return page
        fan = max(self.degrees.fan_out(source, rel_type, direction) for rel_type, direction in joins)
        return max(1.0, min(float(page), math.ceil(fan)))

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        path: tuple[str, ...],
        multiplier: float,
    ) -> float:
        if selection_set is None:
            return 0
        total = 0.0
        for sel in selection_set.selections:
            if total > self.cap:
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
                            inner = multiplier * self.length(sel, parent, field_type)
                        elif (
                            isinstance(get_nullable_type(field_def.type), GraphQLList)
                            and sel.selection_set
                            and not parent.name.endswith(("Connection", "Edge"))  # the page counted already
                        ):
                            inner = multiplier * _length(sel, self.max_page, self.default_page)
                total += self.cost(sel.selection_set, field_type, path, inner)
            elif isinstance(sel, InlineFragmentNode):
                cond = self.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                total += self.cost(sel.selection_set, cond, path, multiplier)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = self.fragments.get(name)
                if frag is None or name in path:
                    continue
                total += self.cost(
                    frag.selection_set,
                    self.get_type(frag.type_condition.name.value),
                    (*path, name),
                    multiplier,
                )
        return total
