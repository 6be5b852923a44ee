"""The ``graph`` root field: the whole subtree compiled, run in one turn, returned complete.

The resolver walks its own selection (``compile.py``), runs one ``Select`` per aliased
root list through the request's scoped data, in the user's turn, all in one store call
(``ScopedData.select``; the jurisdiction is inside each plan), then shapes the rows
(``shape.py``) and returns them as ``Precompleted``: ``GraphExecutionContext`` hands such a
value to the response as it is, so graphql-core does not walk the subtree again field by
field. The SDL still shows the generated types, and validation (including the cost rule)
runs against them as for any field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql.execution.values import VariableValues
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.graphql.context import ctx, day
from api.graphql.cost import check_plans
from api.graphql.generated.compile import ConnSpec, Request, children, compile_graph
from api.graphql.generated.shape import Shaper, group_places
from api.graphql.generated.types import Generated, generate
from graph.select import Cmp, Select, SelectResult


@dataclass(frozen=True)
class Precompleted:
    """A field's response already complete and serialised (taken as is by the executor)."""

    value: Any


class GraphExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, except that a ``Precompleted`` result is
    the response as it is."""

    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(result, Precompleted):
            return result.value
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)


#: The generated types of the model (``graph/model.py``).
GENERATED: Generated = generate()


async def resolve(gen: Generated, info: Any) -> Precompleted:
    """The response of one ``graph { ... }`` field."""
    raw = info._raw_info
    c = ctx(info)
    variables = raw.variable_values  # strawberry hands resolvers the coerced dict only
    if not isinstance(variables, VariableValues):
        variables = VariableValues({}, dict(variables or {}))
    req = Request(raw.schema, raw.fragments, variables, day(None), c.limits)
    roots = compile_graph(gen, children(list(raw.field_nodes)), req)
    plans = [p for _, p, _ in roots if p is not None]
    check_plans(plans, c.degrees() if c.degrees is not None else None, c.limits)
    results = await c.data.select(*plans) if plans else []
    found: dict[str, set[str]] = {}
    by_key: dict[str, tuple[ConnSpec, SelectResult]] = {}
    it = iter(results)
    for key, plan, spec in roots:
        if plan is not None and spec is not None:
            res = next(it)
            by_key[key] = (spec, res)
            group_places(spec, res, found)
    names: dict[str, str | None] = {}
    if found:
        lookups = [
            Select(
                label=level, where=Cmp("id", "in", tuple(sorted(ids))), first=len(ids), fields=("id", "name")
            )
            for level, ids in found.items()
        ]
        for res in await c.data.select(*lookups):
            names.update({r["id"]: r["props"].get("name") for r in res.rows})
    shaper = Shaper(gen, info, names)
    out: dict[str, Any] = {}
    for key, plan, _spec in roots:
        if plan is None:
            out[key] = "GraphQuery"
        else:
            spec, res = by_key[key]
            out[key] = shaper.connection(spec, res)
    return Precompleted(out)


def standalone_schema(gen: Generated) -> Any:
    """A schema of just ``graph`` over ``gen`` (tests build one from a modified model)."""
    import strawberry

    async def graph(info: strawberry.Info) -> Any:
        return await resolve(gen, info)

    graph.__annotations__ = {"info": strawberry.Info, "return": gen.graph_query | None}
    query = strawberry.type(type("Query", (), {"graph": strawberry.field(resolver=graph)}))
    return strawberry.Schema(query=query, execution_context_class=GraphExecutionContext)
