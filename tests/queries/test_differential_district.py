"""Differential test at a generated scale: both stores give the same answers.

A generated world (by default the subdistrict: 8 communities, ~7,000 persons; with
``GZ_DIFFERENTIAL_SCALE=district`` the district: 6 streets, ~50 communities, ~40,000 members,
whose Neo4j load is written in chunks) is loaded into a fresh embedded store and into the real
Neo4j; then every indicator's count and gap list for the district, its streets and its
communities (a sample of them at district scale), the suggestions for every gap, and the 1+1
cards and branch views of a sample of members and orgs must be equal on both. The district
costs minutes of the suite, so it runs on demand:
``GZ_DIFFERENTIAL_SCALE=district make test PYTEST_ARGS=tests/queries/test_differential_district.py``.
``GZ_DISTRICT_SEEDS`` (default ``1``) names the seeds; more seeds run in the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest

from graph.settings import Settings
from graph.store import Store, open_store
from loaders.generate import NOW, generate
from loaders.load import load
from queries import coverage, rollup
from queries.indicators import INDICATORS
from queries.registry import QUERIES
from tests.queries.test_differential import ids

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

SEEDS = [int(s) for s in os.environ.get("GZ_DISTRICT_SEEDS", "1").split(",") if s.strip()]
SCALE = os.environ.get("GZ_DIFFERENTIAL_SCALE", "subdistrict")
#: every n-th community is asked about: all of the subdistrict's 8, a seventh of the district's
COMMUNITY_STEP = 7 if SCALE == "district" else 1
DAYS = (NOW, date(2021, 12, 31))


@pytest.fixture(scope="module", params=SEEDS)
def district(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store]]:
    out = tmp_path_factory.mktemp(f"{SCALE}-{request.param}")
    generate(SCALE, request.param, out)
    embedded = open_store(
        Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path_factory.mktemp("embedded"))  # type: ignore[call-arg]
    )
    neo4j: Store = request.getfixturevalue("_neo4j_store")
    neo4j.clear()
    load(embedded, out)
    load(neo4j, out)
    assert embedded.stats() == neo4j.stats()
    yield embedded, neo4j
    neo4j.clear()


def same(embedded: Store, neo4j: Store, name: str, params: dict[str, object]) -> list[dict[str, object]]:
    q = QUERIES[name]
    mine, theirs = embedded.run(q, params), neo4j.run(q, params)
    assert mine == theirs, f"{name} {params}: embedded {mine[:2]} ... != neo4j {theirs[:2]} ..."
    return mine


def test_district_indicators_gaps_and_suggestions_agree(district: tuple[Store, Store]) -> None:
    embedded, neo4j = district
    areas = [*ids(embedded, "District"), *ids(embedded, "Subdistrict"), *ids(embedded, "Community")[::COMMUNITY_STEP]]
    assert len(areas) > 8
    for day in DAYS:
        for ind in INDICATORS.values():
            gap_items: set[str] = set()
            for area in areas:
                (counts,) = same(embedded, neo4j, ind.count.name, {"area": area, "date": day})
                rows = same(embedded, neo4j, ind.gaps.name, {"area": area, "date": day})
                assert len(rows) == counts["total"] - counts["covered"]
                gap_items.update(str(r["id"]) for r in rows)
            if ind.suggest is not None and gap_items:
                same(embedded, neo4j, ind.suggest.name, {"ids": sorted(gap_items), "date": day, "limit": 5})


def test_district_one_plus_one_views_agree(district: tuple[Store, Store]) -> None:
    embedded, neo4j = district
    members = ids(embedded, "PartyMember")[::97]
    orgs = ids(embedded, "PartyOrg")[::23]
    assert members and orgs
    for day in DAYS:
        for person in members:
            same(embedded, neo4j, "one_plus_one.member_card", {"person": person, "date": day})
        for org in orgs:
            same(embedded, neo4j, "one_plus_one.branch_info", {"org": org, "date": day})
            same(embedded, neo4j, "one_plus_one.branch_members", {"org": org, "date": day})


def test_district_rollup_sums_children_exactly(district: tuple[Store, Store]) -> None:
    """The roll-up's own counts, summed from the streets' where exact, are the counts the
    district gives when asked directly; on both stores, and the stores agree."""
    embedded, neo4j = district
    # the highest area with several children (the district; at subdistrict scale the street)
    top = next(a for level in ("District", "Subdistrict") for a in ids(embedded, level) if len(rollup(embedded, a, NOW).children) > 1)
    got = {}
    for store in (embedded, neo4j):
        r = rollup(store, top, NOW)
        assert r.area == coverage(store, top, NOW), store.kind
        assert len(r.children) > 1
        got[store.kind] = r
    assert got["embedded"] == got["neo4j"]
