"""Smoke test of the API bench (bench/api.py) on the small generated street in the real Neo4j:
every figure comes out, with no errors, and the raw driver gets the API's rows."""

from __future__ import annotations

import pytest

from bench.api import measure_api, nearest_rank, page_indicator
from graph.store import Store
from tests.api.conftest import loaded_store
from tests.api.datasets import small_street

AS_OF = "2026-06-30"


def test_nearest_rank_p99_of_few_samples_is_their_max() -> None:
    assert nearest_rank([3.0, 1.0, 2.0], 0.99) == 3.0
    assert nearest_rank([3.0, 1.0, 2.0], 0.50) == 2.0
    assert nearest_rank([float(i) for i in range(1, 201)], 0.99) == 198.0
    assert nearest_rank([], 0.5) is None


@pytest.fixture(scope="module")
def street_in_neo4j(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Store:
    """The API tests' small street (one city, one district, one street), loaded into Neo4j."""
    street = small_street(tmp_path_factory.mktemp("street") / "input")
    return loaded_store("neo4j", street, tmp_path_factory.mktemp("data"), request)


@pytest.mark.neo4j
def test_measure_api_on_the_small_street(street_in_neo4j: Store) -> None:
    store = street_in_neo4j
    indicator = page_indicator(store, "C-0001", AS_OF)

    result = measure_api("C-0001", indicator, AS_OF, samples=3, clients=2)

    assert result.errors == []
    assert [r.name for r in result.requests] == ["city roll-up", "gaps page of 100", "gaps page of 1000"]
    for r in result.requests:
        assert r.same_result is True, r.name
        assert r.statements > 0 and r.store_calls >= r.statements
        for lat in (r.http, r.raw):
            assert len(lat.samples) == 3 and all(s > 0 for s in lat.samples)
            assert lat.p50 is not None and lat.p99 is not None and 0 < lat.p50 <= lat.p99
    assert result.round_trips_page_1000 is not None
    assert result.round_trips_page_1000 == result.round_trips_page_10
    assert result.one_client is not None and result.concurrent is not None
    assert len(result.one_client.samples) == 3 and len(result.concurrent.samples) == 2 * 3
    for lat in (result.one_client, result.concurrent):
        assert all(s > 0 for s in lat.samples)
        assert lat.p50 is not None and lat.p99 is not None and 0 < lat.p50 <= lat.p99
    assert result.one_client_rps and result.concurrent_rps and result.clients == 2
    assert "uvicorn" in result.server
