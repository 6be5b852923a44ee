"""The API's figures: what GraphQL over HTTP costs on top of the Cypher it runs, on Neo4j.

The database must already hold the loaded data; nothing here clears or writes it.

* **GraphQL over HTTP / the raw driver** (per request: the city roll-up, a gaps page of 100
  and one of 1,000): each request is first sent once through the app in-process over a store
  that records every call (``RecordingStore``). Its Cypher statements, with the same
  parameters, are then replayed by the bare ``neo4j`` driver in read transactions, and the
  rows compared once with what the store returned: "the same Cypher with the same result".
  HTTP and raw samples are taken interleaved, so that both see the same machine.
* **Store round trips per request**: the store calls of a gaps page of 1,000 and of 10. The
  API's DataLoaders should make them equal (one call per level of the query, not per item).
* **Concurrency**: p99 of the gaps page of 100 with ``clients`` clients at once over p99
  with one, on the same server.

The server is a real ``uvicorn`` subprocess on 127.0.0.1 serving ``create_app`` exactly as
``gongzhi serve --workers N`` builds it (``python -m bench`` uses one worker process per
core; access log on), except for the limits:
the default page limit (100) and cost limit would refuse a page of 1,000 (``bench_limits``).
Every step records its failure as a string instead of raising, so that one failed request
leaves the other figures standing.

The raw replay runs the statements one after the other; the API runs the calls of one
"wave" in threads at once (``ScopedData._in_wave``), which only the first two reads of these
requests share. Plans compiled before a load (on empty statistics) could make a count
hundreds of times slower, for the API and the raw driver alike; the Neo4j store drops the
cached plans after every large write (``graph.neo4j_store.REPLAN_AFTER_ITEMS``).
"""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bench.machine import neo4j_settings, open_driver
from bench.recording import Capture, RawReplay, RecordingStore
from bench.server import HTTP_TIMEOUT, Request, Server, bench_limits, http_call
from bench.worker import describe
from graph.store import Store

if TYPE_CHECKING:
    import httpx
    from neo4j import Driver


#: Untimed calls of each request (HTTP and raw) before its samples.
WARMUP = 2
ROLLUP = "city roll-up"
PAGE_100 = "gaps page of 100"
PAGE_1000 = "gaps page of 1000"
PAGE_10 = "gaps page of 10"
#: The requests timed over HTTP and raw (the page of 10 is only counted, for the round trips).
TIMED = (ROLLUP, PAGE_100, PAGE_1000)

_INDICATOR_FIELDS = "indicator titleZh titleEn unitZh unitEn total covered uncovered rate"
_PLACE_FIELDS = "id key name placeKind"

#: The roll-up: every indicator of the area, and of each child area.
ROLLUP_DOCUMENT = f"""query Rollup($area: ID!, $asOf: Date!) {{
  coverage(area: $area, asOf: $asOf) {{
    area {{ {_PLACE_FIELDS} }}
    asOf meanRate
    indicators {{ {_INDICATOR_FIELDS} }}
    children {{
      area {{ {_PLACE_FIELDS} }}
      asOf meanRate
      indicators {{ {_INDICATOR_FIELDS} }}
    }}
  }}
}}"""

#: A page of gaps with everything a gap says; ``first`` is a literal so that the cost rule
#: estimates the page asked for (a variable counts as the largest page).
GAPS_DOCUMENT = """query Gaps($indicator: Indicator!, $area: ID!, $asOf: Date!) {
  gaps(indicator: $indicator, area: $area, asOf: $asOf, first: FIRST) {
    indicator { INDICATOR_FIELDS }
    area { PLACE_FIELDS }
    asOf
    gaps {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node {
          indicator status ruleZh ruleEn evidenceZh evidenceEn facts
          item { __typename id key ... on Place { name placeKind } }
          suggestions {
            kind reason whyZh whyEn rank
            candidate { __typename id key }
            via { __typename id key }
          }
        }
      }
    }
  }
}"""


def gaps_document(first: int) -> str:
    return (
        GAPS_DOCUMENT.replace("FIRST", str(first))
        .replace("INDICATOR_FIELDS", _INDICATOR_FIELDS)
        .replace("PLACE_FIELDS", _PLACE_FIELDS)
    )


# ---------------------------------------------------------------- results


@dataclass
class Latency:
    samples: list[float]  # seconds
    p50: float | None
    p99: float | None


@dataclass
class RequestFigures:
    name: str  # "city roll-up", "gaps page of 100", "gaps page of 1000"
    http: Latency
    raw: Latency
    statements: int  # Cypher statements replayed
    store_calls: int  # all store calls of the request (round trips)
    same_result: bool | None


@dataclass
class ApiResult:
    requests: list[RequestFigures]
    round_trips_page_10: int | None
    round_trips_page_1000: int | None
    one_client: Latency | None
    concurrent: Latency | None
    clients: int
    one_client_rps: float | None
    concurrent_rps: float | None
    server: str  # how the server ran (command line, workers)
    errors: list[str]


def nearest_rank(samples: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest sample with at least ``fraction`` of all at
    or below it. With fewer than 100 samples p99 is therefore the largest sample, and p50 of
    an even count the lower of the two middle ones."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def latency(samples: Sequence[float]) -> Latency:
    """p50 and p99 by nearest rank (see ``nearest_rank``: p99 of few samples is their max)."""
    return Latency(list(samples), nearest_rank(samples, 0.50), nearest_rank(samples, 0.99))


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


# ---------------------------------------------------------------- the indicator asked about


def page_indicator(store: Store, area: str, as_of: str | date, need: int = 1000) -> str:
    """The indicator whose gaps fill a page of ``need`` with the fewest gaps over: a gaps
    request fetches the indicator's whole gap list before paging (``api.graphql.listing``),
    so a fuller list only adds the same cost to both sides. Without one that fills the
    page, the indicator with the most gaps. Its id is also its GraphQL enum value."""
    from queries.coverage import coverage

    day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    found = coverage(store, area, day)
    full = [r for r in found.indicators if r.uncovered >= need]
    if full:  # the first of equals: INDICATOR_IDS order
        return min(full, key=lambda r: r.uncovered).indicator
    return max(found.indicators, key=lambda r: r.uncovered).indicator


# ---------------------------------------------------------------- the requests


def requests_for(top_area: str, indicator: str, as_of: str) -> dict[str, Request]:
    gaps_vars = {"indicator": indicator, "area": top_area, "asOf": as_of}
    return {
        ROLLUP: Request(ROLLUP, ROLLUP_DOCUMENT, {"area": top_area, "asOf": as_of}),
        PAGE_100: Request(PAGE_100, gaps_document(100), gaps_vars),
        PAGE_1000: Request(PAGE_1000, gaps_document(1000), gaps_vars),
        PAGE_10: Request(PAGE_10, gaps_document(10), gaps_vars),
    }


def graphql_errors(status: int, body: bytes) -> str | None:
    """Why a GraphQL answer is not a success, or None when it is one."""
    import json

    if status != 200:
        return f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}"
    try:
        data = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:300].decode('utf-8', 'replace')}"
    if data.get("errors"):
        return "GraphQL errors: " + "; ".join(str(e.get("message")) for e in data["errors"][:3])
    if not isinstance(data.get("data"), dict) or any(v is None for v in data["data"].values()):
        return f"no data: {str(data)[:300]}"
    return None


def capture_requests(
    requests: Sequence[Request], token: str, tmp: Path, errors: list[str]
) -> dict[str, Capture]:
    """Each request sent once through the app in-process over a recording Neo4j store."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette prefers httpx2; httpx is what we have
        from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.store import open_store

    settings = neo4j_settings()
    store = RecordingStore(open_store(settings))
    captured: dict[str, Capture] = {}
    try:
        app = create_app(
            settings.with_(data_dir=tmp),
            limits=bench_limits(),
            store=store,
            auth_path=tmp / "auth.json",
            audit_path=tmp / "audit.jsonl",
        )
        with TestClient(app) as client:
            for r in requests:
                capture = store.start()
                try:
                    answer = client.post(
                        "/graphql", json=r.body, headers={"Authorization": f"Bearer {token}"}
                    )
                except Exception as exc:
                    errors.append(f"{r.name}: in-process request failed: {describe(exc)}")
                    continue
                problem = graphql_errors(answer.status_code, answer.content)
                if problem:
                    errors.append(f"{r.name}: in-process request: {problem}")
                    continue
                if capture.other_calls:
                    errors.append(
                        f"{r.name}: {len(capture.other_calls)} store calls other than run "
                        f"({', '.join(sorted(set(capture.other_calls)))}), which the raw replay leaves out"
                    )
                captured[r.name] = capture
    finally:
        store.close()
    return captured


# ---------------------------------------------------------------- measuring


def measure_api(
    top_area: str, indicator: str, as_of: str, samples: int, clients: int = 8, *, workers: int = 1
) -> ApiResult:
    """Every API figure for ``top_area`` on ``as_of``; the gaps are those of ``indicator``
    (pick one with at least 1,000 gaps there, e.g. ``page_indicator``). ``workers``: the
    server's worker processes (``gongzhi serve --workers``); 1 is what ``gongzhi serve`` runs
    by default."""
    result = ApiResult(
        requests=[],
        round_trips_page_10=None,
        round_trips_page_1000=None,
        one_client=None,
        concurrent=None,
        clients=clients,
        one_client_rps=None,
        concurrent_rps=None,
        server="",
        errors=[],
    )
    if samples < 1 or clients < 1 or workers < 1:
        result.errors.append(
            f"samples ({samples}), clients ({clients}) and workers ({workers}) must be at least 1"
        )
        return result
    tmp = Path(tempfile.mkdtemp(prefix="gz-bench-api-"))
    try:
        _measure(result, top_area, indicator.strip().upper(), as_of, samples, clients, workers, tmp)
    except Exception as exc:  # anything unforeseen: keep what was measured
        result.errors.append(f"{describe(exc)}\n{traceback.format_exc(limit=4)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _measure(
    result: ApiResult,
    top_area: str,
    indicator: str,
    as_of: str,
    samples: int,
    clients: int,
    workers: int,
    tmp: Path,
) -> None:
    from api.auth import Role, TokenFile

    _, token = TokenFile(tmp / "auth.json").issue("bench", top_area, Role.VIEWER)
    reqs = requests_for(top_area, indicator, as_of)

    captured = capture_requests(list(reqs.values()), token, tmp, result.errors)
    if PAGE_10 in captured:
        result.round_trips_page_10 = captured[PAGE_10].store_calls
    if PAGE_1000 in captured:
        result.round_trips_page_1000 = captured[PAGE_1000].store_calls

    driver, database = open_driver()
    try:
        prepared = [
            _prepare(reqs[name], captured.get(name), driver, database, result.errors) for name in TIMED
        ]
        result.requests = [figures for figures, _ in prepared]
        server = Server(tmp, workers)
        result.server = server.description
        try:
            with server:
                with server.client(token) as client:
                    for name, (figures, raw) in zip(TIMED, prepared, strict=True):
                        if raw is not None:
                            _sample(figures, reqs[name], client, raw, samples, result.errors)
                _concurrency(result, server, token, reqs[PAGE_100], samples, clients)
        except Exception as exc:
            result.errors.append(f"server: {describe(exc)}")
    finally:
        driver.close()


def _prepare(
    request: Request, capture: Capture | None, driver: Driver, database: str, errors: list[str]
) -> tuple[RequestFigures, RawReplay | None]:
    """The request's figures so far (its store calls, whether the raw driver gets the same
    rows) and its raw replay; no replay when it cannot be compared."""
    figures = RequestFigures(request.name, latency([]), latency([]), 0, 0, None)
    if capture is None:
        return figures, None  # the capture's error is recorded already
    figures.statements = len(capture.statements)
    figures.store_calls = capture.store_calls
    raw = RawReplay(driver, database, capture.statements)
    try:
        difference = raw.same_as(capture.statements)
    except Exception as exc:
        errors.append(f"{request.name}: raw replay failed: {describe(exc)}")
        return figures, None
    figures.same_result = difference is None
    if difference:
        errors.append(f"{request.name}: not the same result: {difference}")
    return figures, raw


def _sample(
    figures: RequestFigures,
    request: Request,
    client: httpx.Client,
    raw: RawReplay,
    samples: int,
    errors: list[str],
) -> None:
    """HTTP and raw samples of one request, interleaved, after ``WARMUP`` calls of each."""
    http_times: list[float] = []
    raw_times: list[float] = []
    try:
        for _ in range(WARMUP):
            http_call(client, request)
            raw.timed()
        for _ in range(samples):
            http_times.append(http_call(client, request))
            raw_times.append(raw.timed())
    except Exception as exc:
        errors.append(f"{request.name}: sampling failed after {len(http_times)} samples: {describe(exc)}")
    figures.http, figures.raw = latency(http_times), latency(raw_times)


def _concurrency(
    result: ApiResult, server: Server, token: str, request: Request, samples: int, clients: int
) -> None:
    """p99 and throughput of ``samples`` requests by one client, then by ``clients`` at once."""
    try:
        with server.client(token) as client:
            http_call(client, request)  # the connection, and a warm server
            started = time.perf_counter()
            one = [http_call(client, request) for _ in range(samples)]
            wall = time.perf_counter() - started
        result.one_client = latency(one)
        result.one_client_rps = samples / wall if wall > 0 else None
    except Exception as exc:
        result.errors.append(f"one client: {describe(exc)}")

    times: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client_thread(i: int) -> None:
        try:
            with server.client(token) as client:
                http_call(client, request)  # its own connection, opened before the start
                barrier.wait()
                for _ in range(samples):
                    times[i].append(http_call(client, request))
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            failures.append(f"client {i + 1}: {describe(exc)}")
            barrier.abort()

    threads = [threading.Thread(target=client_thread, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    try:
        barrier.wait(timeout=HTTP_TIMEOUT)
    except threading.BrokenBarrierError:
        failures.append("the clients did not all start")
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    all_times = [x for ts in times for x in ts]
    if failures:
        result.errors.append(f"{clients} clients: " + "; ".join(failures[:3]))
    if all_times:
        result.concurrent = latency(all_times)
        result.concurrent_rps = len(all_times) / wall if wall > 0 and not failures else None


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f}ms"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def summary(result: ApiResult) -> str:
    """A few lines for the console: each request's ratios, the round trips, concurrency."""
    lines = []
    for r in result.requests:
        lines.append(
            f"{r.name}: HTTP p50 {_ms(r.http.p50)} p99 {_ms(r.http.p99)}, "
            f"raw p50 {_ms(r.raw.p50)} p99 {_ms(r.raw.p99)}, "
            f"ratio p50 {_x(ratio(r.http.p50, r.raw.p50))} p99 {_x(ratio(r.http.p99, r.raw.p99))}; "
            f"{r.statements} statements, {r.store_calls} store calls, same result {r.same_result}"
        )
    lines.append(
        f"store round trips: page of 1000 {result.round_trips_page_1000}, page of 10 {result.round_trips_page_10}"
    )
    one = result.one_client.p99 if result.one_client else None
    many = result.concurrent.p99 if result.concurrent else None
    lines.append(
        f"p99 1 client {_ms(one)}, {result.clients} clients {_ms(many)}, ratio {_x(ratio(many, one))}; "
        f"{_x(result.one_client_rps)} / {_x(result.concurrent_rps)} requests/s"
    )
    lines += [f"error: {e.splitlines()[0]}" for e in result.errors]
    return "\n".join(lines)
