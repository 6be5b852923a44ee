"""Hypothesis-generated filter trees (comparisons, And/Or/Not, relationship quantifiers and
counts) over fields and values drawn from the generated street: each store equals the
oracle, so the two stores equal each other. Place labels only, whose statements Neo4j plans
quickly, and few examples, so the module stays fast."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.select import (
    IN,
    OUT,
    And,
    Cmp,
    CountFilter,
    Filter,
    Hop,
    Not,
    Or,
    RelFilter,
    Scope,
    Select,
    SortKey,
)
from graph.store import Store
from tests.store.select_oracle import Oracle, World

FIELDS = {"Building": ("residents", "name", "id"), "Entrance": ("name", "id"), "Compound": ("households", "name",
          "eligible_for_owners_committee", "address")}
HOPS = {
    "Building": (Hop("PART_OF", IN, "Entrance"), Hop("PART_OF", OUT, "Compound")),
    "Compound": (Hop("PART_OF", IN, "Building"),),
    "Entrance": (Hop("PART_OF", OUT, "Building"),),
}
OPS = ("eq", "ne", "in", "lt", "lte", "gt", "gte", "contains", "starts_with", "is_null")


def comparison(world: World, label: str) -> st.SearchStrategy[Filter]:
    def build(field: str, op: str, pick: int) -> Filter:
        vs = sorted({p[field] for n, p in world.props.items() if label in world.labels[n] and field in p}, key=repr)
        value: Any = vs[pick % len(vs)]
        if op == "in":
            return Cmp(field, op, [value, vs[(pick * 7) % len(vs)]])
        if op == "is_null":
            return Cmp(field, op, pick % 2 == 0)
        if op in ("contains", "starts_with"):
            text = str(value)
            return Cmp(field, op, text[1:2] if op == "contains" else text[:1]) if isinstance(value, str) else Cmp(
                field, "eq", value)
        return Cmp(field, op, value)

    return st.builds(build, st.sampled_from(FIELDS[label]), st.sampled_from(OPS), st.integers(0, 10_000))


def filters(world: World, label: str, depth: int = 2) -> st.SearchStrategy[Filter]:
    leaf = comparison(world, label)
    if depth == 0:
        return leaf
    inner = st.deferred(lambda: filters(world, label, depth - 1))
    hop = st.sampled_from(HOPS[label])

    def rel(h: Hop, q: str, with_where: bool, data: Any) -> Filter:
        return RelFilter(h, q, data if with_where else None)

    rels = hop.flatmap(lambda h: st.builds(
        rel, st.just(h), st.sampled_from(("some", "none", "all", "single")), st.booleans(),
        filters(world, h.label, depth - 1)))
    counts = hop.flatmap(lambda h: st.builds(
        CountFilter, st.just(h), st.sampled_from(("eq", "ne", "lt", "lte", "gt", "gte")), st.integers(0, 6),
        st.one_of(st.none(), comparison(world, h.label))))
    return st.one_of(
        leaf,
        st.builds(lambda xs: And(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(Not, inner),
        rels,
        counts,
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_filter_trees_equal_the_oracle(world_store: Store, world: World, data: st.DataObject) -> None:
    label = data.draw(st.sampled_from(("Building", "Compound", "Entrance")))
    where = data.draw(filters(world, label))
    desc = data.draw(st.booleans())
    plan = Select(label, where=where, order=(SortKey(FIELDS[label][0], descending=desc),), first=7, total=True,
                  fields=FIELDS[label])
    for scope in (Scope("C-0001"), Scope("CM-0002")):
        assert world_store.select(plan, scope) == Oracle(world, scope).select(plan)
