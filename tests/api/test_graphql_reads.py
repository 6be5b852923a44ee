"""The API's registered reads keep the registry's rules and answer alike on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.graphql.reads import READS
from api.graphql.reads.links import LINKS
from graph.model import NODE_KINDS
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.load import load
from tests.queries.test_registry import problems

PARAMETERS = {"area", "date", "ids"}
DAYS = (date(2019, 1, 1), date(2024, 6, 30), date(2026, 6, 30))


@pytest.mark.parametrize("name", sorted(READS))
def test_read_keeps_the_registry_rules(name: str) -> None:
    q = READS[name]
    assert q.name == name
    found = [p for p in problems(q) if not (p.startswith("unknown parameter $") and p.split("$")[1] in PARAMETERS)]
    assert found == []


@pytest.fixture(scope="module")
def both(street_dir: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Store, Store]:
    embedded = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path_factory.mktemp("e")))  # type: ignore[call-arg]
    load(embedded, street_dir, source="street")
    neo4j: Store = request.getfixturevalue("_neo4j_store")
    neo4j.clear()
    load(neo4j, street_dir, source="street")
    return embedded, neo4j


def _all_ids(store: Store) -> list[str]:
    rows = store.run(READS["api.subtree"], {"area": "C-0001"})
    places = rows[0]["ids"]
    people = [r["id"] for r in store.run(READS["api.list.members"], {"area": "C-0001", "date": DAYS[1]})]
    return places + people


@pytest.mark.neo4j
def test_every_read_agrees_on_both_stores(both: tuple[Store, Store]) -> None:
    embedded, neo4j = both
    snap = embedded.stats()
    ids = sorted(
        {
            *_all_ids(embedded),
            *(r["id"] for r in embedded.run(READS["api.list.orgs"], {"area": "C-0001", "date": DAYS[1]})),
            *(r["id"] for r in embedded.run(READS["api.list.firms"], {"area": "C-0001", "date": DAYS[1]})),
        }
    )
    assert len(ids) > 500 and snap == neo4j.stats()
    # every node by id, committees and sites included (reached through links below)
    nodes_e = embedded.run(READS["api.nodes"], {"ids": [*ids, "nope"]})
    assert nodes_e == neo4j.run(READS["api.nodes"], {"ids": [*ids, "nope"]})
    assert len(nodes_e) == len(ids)
    reached: set[str] = set(ids)
    for link in LINKS:
        q = READS[link.name]
        a = embedded.run(q, {"ids": ids})
        assert a == neo4j.run(q, {"ids": ids}), link.name
        reached |= {r["id"] for r in a}
    extra = sorted(reached - set(ids))
    assert embedded.run(READS["api.nodes"], {"ids": extra}) == neo4j.run(READS["api.nodes"], {"ids": extra})
    for area in ("C-0001", "S-0001", "CM-0001", "CM-0002"):
        assert embedded.run(READS["api.subtree"], {"area": area}) == neo4j.run(READS["api.subtree"], {"area": area})
        for name in ("api.list.buildings", "api.list.compounds", "api.list.firms", "api.list.members", "api.list.orgs"):
            for day in DAYS:
                p = {"area": area, "date": day}
                assert embedded.run(READS[name], p) == neo4j.run(READS[name], p), (name, p)


def test_every_link_is_exercised_by_the_generated_street(street_dir: Path, tmp_path: Path) -> None:
    store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path))  # type: ignore[call-arg]
    load(store, street_dir, source="street")
    ids = _all_ids(store)
    ids += [r["id"] for r in store.run(READS["api.list.orgs"], {"area": "C-0001", "date": DAYS[1]})]
    ids += [r["id"] for r in store.run(READS["api.list.firms"], {"area": "C-0001", "date": DAYS[1]})]
    more = {r["id"] for link in LINKS for r in store.run(READS[link.name], {"ids": ids})}
    ids = sorted(set(ids) | more)
    empty = [link.name for link in LINKS if not store.run(READS[link.name], {"ids": ids})]
    assert empty == []


@pytest.mark.neo4j
def test_relationship_counts_agree_on_both_stores(both: tuple[Store, Store]) -> None:
    """The cost limit's counts (``Store.degrees``) are the same on both stores, and each
    relationship is counted once per label of each end."""
    embedded, neo4j = both
    degrees = embedded.degrees()
    assert degrees == neo4j.degrees()
    stats = embedded.stats()
    base = {k.label for k in NODE_KINDS}
    for rel_type, n in stats.rel_types.items():
        assert sum(c for (label, t), c in degrees.out.items() if t == rel_type and label in base) == n
        assert sum(c for (label, t), c in degrees.into.items() if t == rel_type and label in base) == n
    # every building is part of exactly one compound; only party members hold memberships
    assert degrees.out[("Building", "PART_OF")] == stats.labels["Building"]
    assert degrees.out[("PartyMember", "MEMBER_OF")] == stats.rel_types["MEMBER_OF"]
