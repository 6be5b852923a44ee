"""Query plans on the real Neo4j: the hot queries start from an index, never scan every node,
and their anti-joins run as (anti-)semi-applies of ``EXISTS { }`` subqueries.

The plans are taken with ``EXPLAIN`` over a generated community, so that the planner sees
real label and relationship counts rather than an empty database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from neo4j import GraphDatabase

from graph.settings import Settings
from graph.store import Store
from loaders.generate import NOW, generate
from loaders.load import load
from queries.indicators import INDICATORS
from queries.registry import QUERIES

pytestmark = pytest.mark.neo4j

#: The queries organizers and dashboards run all the time.
HOT = sorted(
    [q.name for ind in INDICATORS.values() for q in (ind.count, ind.gaps)]
    + ["one_plus_one.member_card", "one_plus_one.branch_members", "area.path", "area.children"]
)
SEMI_APPLY = {
    "SemiApply",
    "AntiSemiApply",
    "LetSemiApply",
    "LetAntiSemiApply",
    "SelectOrSemiApply",
    "SelectOrAntiSemiApply",
    "LetSelectOrSemiApply",
    "LetSelectOrAntiSemiApply",
}
ANTI = {op for op in SEMI_APPLY if "Anti" in op}
PARAMS: dict[str, Any] = {"date": NOW, "ids": ["x"], "limit": 5, "person": "x", "org": "x"}


def operators(plan: Any) -> Iterator[str]:
    yield plan["operatorType"].split("@")[0]
    for child in plan.get("children", []):
        yield from operators(child)


@pytest.fixture(scope="module")
def session(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, neo4j_settings: Settings
) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("generated")
    generate("community", 1, out)
    store: Store = request.getfixturevalue("_neo4j_store")
    store.clear()
    load(store, out)
    s = neo4j_settings
    driver = GraphDatabase.driver(s.neo4j_uri, auth=(s.neo4j_user, s.neo4j_password.get_secret_value()))
    with driver.session(database=s.neo4j_database) as sess:
        area = sess.run("MATCH (c:Community) RETURN c.id AS id LIMIT 1").single()
        assert area is not None
        PARAMS["area"] = area["id"]
        yield sess
    driver.close()


@pytest.mark.parametrize("name", HOT)
def test_hot_query_plan(session: Any, name: str) -> None:
    q = QUERIES[name]
    plan = session.run("EXPLAIN " + q.cypher, PARAMS).consume().plan
    ops = set(operators(plan))
    assert "AllNodesScan" not in ops, f"{name} scans every node: {sorted(ops)}"
    assert "NodeByLabelScan" not in ops, f"{name} scans a whole label instead of starting from an index: {sorted(ops)}"
    assert "CartesianProduct" not in ops, f"{name} has a cartesian product: {sorted(ops)}"
    text = re.sub(r"//[^\n]*", "", q.cypher)
    if "EXISTS {" in text:
        assert ops & SEMI_APPLY, f"{name}: EXISTS {{ }} is not planned as a semi-apply: {sorted(ops)}"
    if "NOT EXISTS {" in text:
        assert ops & ANTI, f"{name}: NOT EXISTS {{ }} is not planned as an anti-semi-apply: {sorted(ops)}"


def test_date_parameter_is_a_date(session: Any) -> None:
    """The day travels as a Neo4j Date, so that comparisons with stored dates use the index order."""
    (row,) = list(session.run("RETURN $date AS d", {"date": date(2024, 6, 30)}))
    assert str(row["d"]) == "2024-06-30"
