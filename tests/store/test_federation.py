"""A federation of stores, each holding whole cities of a province, answers like one store
holding the whole province: the province's roll-up and every indicator's gaps, a city's, and
the errors, equal to a single store's answer on both kinds of store (graph/federated.py).

The province is three generated cities (one community each), written one directory per city
(``generate(..., per_city=True)``): one store loads them all, and the parts load some each.
On Neo4j a part is the suite's one server, so the federation there is mixed: the server holds
one city and an embedded part the two others.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import NotFound, StoreError, Unsupported
from graph.federated import FederatedStore, open_parts
from graph.select import Scope, Select
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.generate import generate
from loaders.load import load
from queries.coverage import coverage, gaps
from queries.indicators import INDICATOR_IDS
from queries.rollup import rollup
from tests.api.client import Api

CITIES = 3

COVERAGE = """query($area: ID!) { coverage(area: $area, asOf: "2026-06-30") {
  area { key placeKind } meanRate indicators { indicator total covered rate }
  children { area { key placeKind } meanRate indicators { indicator total covered rate } } } }"""
GAPS = """query($area: ID!, $indicator: Indicator!) { gaps(area: $area, indicator: $indicator, asOf: "2026-06-30", first: 50) {
  indicator { total covered uncovered } area { key }
  gaps { totalCount nodes { item { key } status evidenceZh evidenceEn facts
    suggestions { rank reason whyZh candidate { key } via { key } } } } } }"""


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Path]]:
    """The province's id and its cities' input directories, in city order."""
    out = tmp_path_factory.mktemp("province")
    generate("community", 13, out, cities=CITIES, per_city=True)
    dirs = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(dirs) == CITIES
    province_id = (dirs[0] / "provinces.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")[0]
    return province_id, dirs


def _embedded(path: Path) -> Store:
    return open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=path))  # type: ignore[call-arg]


def _load_all(store: Store, dirs: list[Path]) -> Store:
    for d in dirs:
        load(store, d, source=d.name)
    return store


def _answers(store: Store, province_id: str, dirs: list[Path]) -> dict[str, object]:
    """What the test compares: the province's roll-up (both sorts), every indicator's gaps in
    the province, each city's coverage with gaps, a city's roll-up, and an unknown area."""
    cities = [r.area.id for r in rollup(store, province_id, sort="id").children]
    out: dict[str, object] = {
        "rollup": rollup(store, province_id),
        "rollup_by_id": rollup(store, province_id, sort="id"),
        "cities": cities,
        "city_rollup": rollup(store, cities[-1]),
    }
    for ind in INDICATOR_IDS:
        out[f"gaps {ind}"] = gaps(store, province_id, ind)
    for city in cities:
        out[f"coverage {city}"] = coverage(store, city, with_gaps=True)
    with pytest.raises(NotFound):
        rollup(store, "C-9999")
    return out


def _api_answers(store: Store, province_id: str, cities: list[str], tmp: Path) -> dict[str, object]:
    """The same questions through the GraphQL API over HTTP: an organizer of the province, and
    one of a city asking about the province (outside their area: the same refusal)."""
    api = Api(store, tmp, area=province_id)
    out: dict[str, object] = {}
    for area in (province_id, cities[0]):
        out[f"coverage {area}"] = api.post(COVERAGE, {"area": area}, api.token(province_id)).json()
    for ind in INDICATOR_IDS:
        out[f"gaps {ind}"] = api.post(GAPS, {"area": province_id, "indicator": ind}, api.token(province_id)).json()
    out["outside"] = api.post(COVERAGE, {"area": province_id}, api.token(cities[0])).json()
    return out


@pytest.fixture(scope="module")
def single(province: tuple[str, list[Path]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The answers of one embedded store holding the whole province."""
    province_id, dirs = province
    store = _load_all(_embedded(tmp_path_factory.mktemp("single")), dirs)
    try:
        answers = _answers(store, province_id, dirs)
        answers["api"] = _api_answers(store, province_id, answers["cities"], tmp_path_factory.mktemp("api"))  # type: ignore[arg-type]
        yield answers
    finally:
        store.close()


def test_the_province_holds_its_cities(province: tuple[str, list[Path]], single: dict[str, object]) -> None:
    """The test means something: three cities under the province, each with items and gaps,
    and the API answering about the province."""
    province_id = province[0]
    assert len(single["cities"]) == CITIES  # type: ignore[arg-type]
    r = single["rollup"]
    assert r.area.area.kind == "Province"  # type: ignore[attr-defined]
    totals = {i.indicator: i.total for i in r.area.indicators}  # type: ignore[attr-defined]
    assert all(totals.values()), totals
    assert any(g.gaps for k, g in single.items() if k.startswith("gaps "))  # type: ignore[attr-defined]
    api = single["api"]
    assert api[f"coverage {province_id}"]["data"]["coverage"]["area"]["placeKind"] == "Province"  # type: ignore[index]
    assert "errors" not in api[f"gaps {INDICATOR_IDS[0]}"]  # type: ignore[operator,index]
    assert api["outside"]["data"]["coverage"] is None  # type: ignore[index]  # not in their area: does not exist


def test_a_federation_of_embedded_parts_answers_like_one_store(
    province: tuple[str, list[Path]], single: dict[str, object], tmp_path: Path
) -> None:
    province_id, dirs = province
    first = _load_all(_embedded(tmp_path / "a"), dirs[:1])
    rest = _load_all(_embedded(tmp_path / "b"), dirs[1:])
    first.close()
    rest.close()
    settings = Settings(GONGZHI_STORE="federated", GONGZHI_PARTS=f"embedded:{tmp_path / 'a'},embedded:{tmp_path / 'b'}")  # type: ignore[call-arg]
    with open_store(settings) as fed:
        assert isinstance(fed, FederatedStore)
        assert len(fed.holders(province_id)) == 2
        answers = _answers(fed, province_id, dirs)
        answers["api"] = _api_answers(fed, province_id, answers["cities"], tmp_path / "api")  # type: ignore[arg-type]
        assert answers == single
        # the generated API's compiled reads are refused as a limit of the deployment, said so
        api = Api(fed, tmp_path / "api-graph", area=province_id)
        body = api.post("{ graph { cities { nodes { id } } } }", token=api.token(province_id)).json()
        assert body["data"] is None or body["data"]["graph"] is None
        assert "联合" in body["errors"][0]["message"] and "federation" in body["errors"][0]["message"]


@pytest.mark.neo4j
def test_neo4j_alone_and_a_federation_with_a_neo4j_part_answer_like_one_store(
    province: tuple[str, list[Path]], single: dict[str, object], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Both stores, one answer: the whole province in Neo4j, then Neo4j holding one city beside
    an embedded part holding the others."""
    province_id, dirs = province
    neo4j: Store = request.getfixturevalue("_neo4j_store")
    neo4j.clear()
    alone = _answers(_load_all(neo4j, dirs), province_id, dirs)
    alone["api"] = _api_answers(neo4j, province_id, alone["cities"], tmp_path / "api-alone")  # type: ignore[arg-type]
    assert alone == single
    neo4j.clear()
    _load_all(neo4j, dirs[:1])
    embedded = _load_all(_embedded(tmp_path / "rest"), dirs[1:])
    fed = FederatedStore([neo4j, embedded])
    try:
        answers = _answers(fed, province_id, dirs)
        answers["api"] = _api_answers(fed, province_id, answers["cities"], tmp_path / "api")  # type: ignore[arg-type]
        assert answers == single
    finally:
        embedded.close()
        fed._pool.shutdown()


def test_a_federation_refuses_what_it_cannot_answer_exactly(
    province: tuple[str, list[Path]], tmp_path: Path
) -> None:
    """Writes and compiled reads are refused, with a message in both languages; a part named
    wrongly is a configuration error."""
    province_id, dirs = province
    a = _load_all(_embedded(tmp_path / "a"), dirs[:1])
    b = _load_all(_embedded(tmp_path / "b"), dirs[1:])
    fed = FederatedStore([a, b])
    try:
        with pytest.raises(StoreError) as e:
            fed.clear()
        assert "federation" in str(e.value) and "联合" in e.value.message_zh and isinstance(e.value, Unsupported)
        with pytest.raises(StoreError):
            fed.select(Select.__new__(Select), Scope.__new__(Scope))
        assert fed.stats().labels["Province"] == 2  # the province is in both parts
        assert fed.find_ids("Province", [province_id]) == {province_id}
    finally:
        fed.close()
    with pytest.raises(Exception, match="GONGZHI_PARTS"):
        open_parts(Settings(GONGZHI_STORE="federated", GONGZHI_PARTS=""))  # type: ignore[call-arg]
