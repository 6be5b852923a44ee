"""Bounded work per request and per token, on both stores: the domain questions priced by
their work, a deadline after which no store call starts, and per-token limits on requests
in flight and requests per second (429 with Retry-After). No timing is asserted: the rate
limit is tested with a refill so slow that time cannot matter, concurrency with a store call
held open until the test lets it go."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.graphql.limits import DEFAULT_LIMITS
from graph.query import Query
from graph.store import Store
from tests.api.client import Api
from tests.api.test_graphql_types import Counting

DATES = [f"2026-0{1 + i // 28}-{1 + i % 28:02d}" for i in range(30)]


@pytest.fixture
def counting(street_store: Store) -> Counting:
    return Counting(street_store)


def test_many_domain_questions_in_one_request_are_refused_before_the_store(counting: Counting, tmp_path: Path) -> None:
    api = Api(counting, tmp_path)
    for field in ("areaOnePlusOne(first: 100", "dualReporting(", "gaps(indicator: BUILDING_GROUP, first: 100",
                  "coverage("):
        selection = "{ __typename }"
        flood = " ".join(f'a{i}: {field}{"" if field.endswith("(") else ", "}asOf: "{d}") {selection}'
                         for i, d in enumerate(DATES))
        counting.calls = 0
        r = api.post("{ " + flood + " }", token=api.token("C-0001"))
        body = r.json()
        assert body.get("data") is None and "too expensive" in body["errors"][0]["message"], (field, body)
        assert counting.calls == 0
    # one question with its page fits
    one = api.ask('{ areaOnePlusOne(asOf: "2026-06-30", first: 100) { total inconsistent { totalCount } } }')
    assert one["areaOnePlusOne"]["total"] > 0


def test_a_request_past_its_deadline_starts_no_store_call(counting: Counting, tmp_path: Path) -> None:
    api = Api(counting, tmp_path, limits=DEFAULT_LIMITS.with_(deadline_seconds=1e-9))
    counting.calls = 0
    r = api.post("{ me { user area { key } } }", token=api.token("C-0001"))
    body = r.json()
    assert body["data"] is None or body["data"].get("me") is None
    assert any("deadline" in e["message"] for e in body["errors"]), body
    assert counting.calls == 0


def test_a_token_over_its_rate_gets_429_with_retry_after(counting: Counting, tmp_path: Path) -> None:
    api = Api(counting, tmp_path, throttle=True, limits=DEFAULT_LIMITS.with_(rate_per_token=0.001, burst_per_token=3))
    mine, theirs = api.token("C-0001"), api.token("C-0001", "viewer")
    assert [api.post("{ me { user } }", token=mine).status_code for _ in range(3)] == [200, 200, 200]
    counting.calls = 0
    over = api.post("{ me { user } }", token=mine)
    assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1
    assert over.json()["errors"][0]["message"] and counting.calls == 0
    assert api.post("{ me { user } }", token=theirs).status_code == 200  # another token is not held up


class Held(Counting):
    """Holds the first store call of a request open until ``release`` is set."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.hold, self.entered, self.release = False, threading.Event(), threading.Event()

    def run(self, query: Query, params: Any = None) -> Any:
        if self.hold:
            self.hold = False
            self.entered.set()
            self.release.wait(60)
        return super().run(query, params)


def test_a_token_with_too_many_requests_in_flight_gets_429(street_store: Store, tmp_path: Path) -> None:
    held = Held(street_store)
    api = Api(held, tmp_path, throttle=True, limits=DEFAULT_LIMITS.with_(max_concurrent_per_token=1, rate_per_token=0))
    mine, theirs = api.token("C-0001"), api.token("C-0001", "viewer")
    query = {"query": "{ me { user } }"}

    async def scenario() -> tuple[int, int, int, int, str]:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            held.hold = True
            first = asyncio.create_task(client.post("/graphql", json=query, headers={"Authorization": f"Bearer {mine}"}))
            while not held.entered.is_set():  # wait until the first request is inside the store
                await asyncio.sleep(0.01)
            second = await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {mine}"})
            other = await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {theirs}"})
            held.release.set()
            done = await first
            again = await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {mine}"})
            return done.status_code, second.status_code, other.status_code, again.status_code, second.headers.get("retry-after", "")

    done, second, other, again, retry = asyncio.run(scenario())
    assert (done, second, other, again) == (200, 429, 200, 200)
    assert int(retry) >= 1
