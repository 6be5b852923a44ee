"""Figure 10: Gongzhi's GraphQL API against ``@neo4j/graphql`` and one raw Cypher statement.

On the graph the Neo4j database holds (the bench's generated data, loaded before), the
seven requests of ``bench.peer_requests`` are sent to three sides:

* **Gongzhi**: the API server of the other figures (``bench.server.Server``: uvicorn,
  ``create_app``, one worker per core), as an organizer whose area is the whole city, so
  that it sees what the peer sees. Its generated API (``graph { ... }``) is used for a
  request when the served schema has it and the request's document validates against it;
  otherwise the hand-written one. The figure says which.
* **the peer**: ``@neo4j/graphql`` (``bench.peer_server``) over the model's type definitions,
  a full-access user, no authorization;
* **raw**: the bare driver running the request's one statement in a read transaction.

Before timing, each side's answer is normalised (``canon``) and compared: a request whose
answers differ is still timed but marked. Statements per request: Gongzhi's are recorded
in-process over a ``RecordingStore`` (``bench.api.capture_requests``), the peer's counted by
its server. Then the three sides are sampled interleaved, request by request, up to
``samples`` each or until the request's time budget is spent (at least ``MIN_SAMPLES``).
"""

from __future__ import annotations

import csv
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.api import Latency, capture_requests, graphql_errors, latency
from bench.machine import open_driver
from bench.peer_requests import PeerRequest, PeerTargets, graphql_variables, requests
from bench.server import Request, Server
from bench.worker import AS_OF_ISO, describe

if TYPE_CHECKING:
    import httpx
    from graphql import GraphQLSchema
    from neo4j import Driver

#: untimed calls of each side before a request's samples
WARMUP = 1
#: a request's samples stop once its three sides have taken this long together ...
BUDGET_SECONDS = 45.0
#: ... but not before this many
MIN_SAMPLES = 5


@dataclass
class PeerRequestFigures:
    name: str
    variant: str  # "generated" or "current": which of Gongzhi's APIs answered
    gongzhi: Latency
    peer: Latency
    raw: Latency
    root_fields: int
    gongzhi_statements: int | None = None
    peer_statements: int | None = None
    same_answer: bool | None = None


@dataclass
class PeerResult:
    requests: list[PeerRequestFigures] = field(default_factory=list)
    scale: str = ""
    samples: int = 0
    versions: str = ""
    gongzhi_server: str = ""
    has_generated_api: bool = False
    errors: list[str] = field(default_factory=list)
    #: the machine's load average (1, 5, 15 min) before and after: a shared machine's noise
    load_before: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)


# ---------------------------------------------------------------- what is asked about


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f)
        next(r)  # the Chinese headers; the columns are in the model's order
        return list(r)


def peer_targets(input_dir: Path) -> PeerTargets:
    """The first district, its subdistricts, the first community and compound of the input."""
    district = _rows(input_dir / "districts.csv")[0][0]
    subs = tuple(r[0] for r in _rows(input_dir / "subdistricts.csv") if r[2] == district)
    return PeerTargets(
        district=district,
        community=_rows(input_dir / "communities.csv")[0][0],
        compound=_rows(input_dir / "compounds.csv")[0][0],
        subdistricts=subs,
        day=AS_OF_ISO,
    )


# ---------------------------------------------------------------- one call of each side


def gongzhi_call(client: httpx.Client, document: str, variables: dict[str, Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = client.post("/graphql", json={"query": document, "variables": variables})
    elapsed = time.perf_counter() - started
    problem = graphql_errors(answer.status_code, answer.content)
    if problem:
        raise RuntimeError(problem)
    return elapsed, answer.json()["data"]


def peer_call(client: httpx.Client, document: str, variables: dict[str, Any]) -> tuple[float, Any, int]:
    started = time.perf_counter()
    answer = client.post("/graphql", json={"query": document, "variables": variables})
    elapsed = time.perf_counter() - started
    problem = graphql_errors(answer.status_code, answer.content)
    if problem:
        raise RuntimeError(problem)
    return elapsed, answer.json()["data"], int(answer.headers.get("x-statements", "-1"))


def raw_params(request: PeerRequest) -> dict[str, Any]:
    """The variables as Cypher parameters: the day as a date (stored dates are dates)."""
    return {k: date.fromisoformat(v) if k == "day" else v for k, v in request.variables.items()}


def raw_call(driver: Driver, database: str, cypher: str, params: dict[str, Any]) -> tuple[float, Any]:
    from graph.neo4j_store import to_plain

    started = time.perf_counter()
    with driver.session(database=database) as session:
        records = session.execute_read(lambda tx: list(tx.run(cypher, params)))
    elapsed = time.perf_counter() - started
    return elapsed, [{k: to_plain(v) for k, v in r.items()} for r in records]


# ---------------------------------------------------------------- choosing Gongzhi's API


def gongzhi_schema() -> GraphQLSchema:
    """The API's schema as the code defines it (what the server serves; introspection is
    limited there), as graphql-core's schema for validating documents."""
    from graphql import build_schema

    from api.graphql.export import sdl

    return build_schema(sdl())


def has_graph_root(schema: GraphQLSchema) -> bool:
    return schema.query_type is not None and "graph" in schema.query_type.fields


def validates(schema: GraphQLSchema, document: str) -> list[str]:
    from graphql import parse, validate

    return [e.message for e in validate(schema, parse(document))]


def root_fields(document: str) -> int:
    """Root fields of a request: the top selection's fields, those of ``graph { }`` counted within."""
    from graphql import FieldNode, OperationDefinitionNode, parse

    op = next(d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode))
    n = 0
    for sel in op.selection_set.selections:
        if isinstance(sel, FieldNode) and sel.name.value == "graph" and sel.selection_set:
            n += len(sel.selection_set.selections)
        else:
            n += 1
    return n


# ---------------------------------------------------------------- measuring


def measure_peer(
    input_dir: Path, top_area: str, scale: str, samples: int, workers: int, only: str | None = None
) -> PeerResult:
    """Figure 10 on what the database holds (``input_dir``'s data, loaded); never raises."""
    from bench import peer_server

    result = PeerResult(scale=scale, samples=samples, load_before=list(os.getloadavg()))
    tmp = Path(tempfile.mkdtemp(prefix="gz-bench-peer-"))
    # the requests use properties the generated data may not hold (full_on): Neo4j's
    # notifications about them would flood the console, for every side alike
    notifications = logging.getLogger("neo4j.notifications")
    level = notifications.level
    notifications.setLevel(logging.ERROR)
    try:
        result.versions = peer_server.install()
        _measure(result, input_dir, top_area, samples, workers, tmp, only)
    except Exception as exc:
        result.errors.append(f"{describe(exc)}\n{traceback.format_exc(limit=4)}")
    finally:
        notifications.setLevel(level)
        result.load_after = list(os.getloadavg())
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _measure(
    result: PeerResult, input_dir: Path, top_area: str, samples: int, workers: int, tmp: Path, only: str | None
) -> None:
    from api.auth import Role, TokenFile
    from bench.peer_server import PeerServer
    from bench.peer_typedefs import type_defs

    _, token = TokenFile(tmp / "auth.json").issue("bench-peer", top_area, Role.ORGANIZER)
    reqs = [r for r in requests(peer_targets(input_dir)) if only is None or only in r.name]
    driver, database = open_driver()
    server = Server(tmp, workers)
    result.gongzhi_server = server.description
    try:
        with server, PeerServer(type_defs(), tmp) as peer, server.client(token) as gz, peer.client() as pc:
            schema = gongzhi_schema()
            result.has_generated_api = has_graph_root(schema)
            chosen: list[tuple[PeerRequest, str]] = []
            for r in reqs:
                variant = "current"
                if result.has_generated_api:
                    problems = validates(schema, r.generated.document)
                    if problems:
                        result.errors.append(f"{r.name}: the generated API refuses its document: {problems[0]}")
                    else:
                        variant = "generated"
                chosen.append((r, variant))
            figures = [_check(r, v, gz, pc, driver, database, result.errors) for r, v in chosen]
            _count_gongzhi(chosen, figures, token, tmp, result.errors)
            result.requests = figures
            for (r, v), f in zip(chosen, figures, strict=True):
                _sample(r, v, f, gz, pc, driver, database, samples, result.errors)
    finally:
        driver.close()


def _side(r: PeerRequest, variant: str) -> tuple[str, Any]:
    s = r.generated if variant == "generated" else r.current
    return s.document, s.canon


def _check(
    r: PeerRequest, variant: str, gz: httpx.Client, pc: httpx.Client, driver: Driver, database: str,
    errors: list[str],
) -> PeerRequestFigures:  # fmt: skip
    """The request's figures so far: its answers compared, the peer's statements counted."""
    doc, canon = _side(r, variant)
    f = PeerRequestFigures(r.name, variant, latency([]), latency([]), latency([]), root_fields(doc))
    try:
        _, gdata = gongzhi_call(gz, doc, graphql_variables(r, doc))
        _, pdata, _ = peer_call(pc, r.peer.document, graphql_variables(r, r.peer.document))
        _, pdata, f.peer_statements = peer_call(pc, r.peer.document, graphql_variables(r, r.peer.document))
        _, rows = raw_call(driver, database, r.raw.document, raw_params(r))
        ours, theirs, floor = canon(gdata), r.peer.canon(pdata), r.raw.canon(rows)
    except Exception as exc:
        errors.append(f"{r.name}: {describe(exc)}")
        return f
    f.same_answer = ours == theirs == floor
    if not f.same_answer:
        errors.append(f"{r.name}: answers differ: " + _difference(ours, theirs, floor))
    return f


def _difference(ours: Any, theirs: Any, floor: Any) -> str:
    def short(x: Any) -> str:
        text = repr(x)
        return text if len(text) < 160 else text[:160] + "..."

    def first_diff(a: Any, b: Any) -> str:
        if isinstance(a, list | tuple) and isinstance(b, list | tuple):
            if len(a) != len(b):
                return f"{len(a)} items vs {len(b)}"
            for x, y in zip(a, b, strict=True):
                if x != y:
                    return first_diff(x, y)
        return f"{short(a)} vs {short(b)}"

    parts = []
    if ours != floor:
        parts.append(f"Gongzhi / raw: {first_diff(ours, floor)}")
    if theirs != floor:
        parts.append(f"peer / raw: {first_diff(theirs, floor)}")
    return "; ".join(parts)


def _count_gongzhi(
    chosen: list[tuple[PeerRequest, str]], figures: list[PeerRequestFigures], token: str, tmp: Path,
    errors: list[str],
) -> None:  # fmt: skip
    """Gongzhi's statements per request: sent once in-process over a recording store."""
    reqs = []
    for r, v in chosen:
        doc, _ = _side(r, v)
        reqs.append(Request(r.name, doc, graphql_variables(r, doc)))
    found: list[str] = []
    captured = capture_requests(reqs, token, tmp, found)
    # figure 4 replays only ``run`` calls and complains of others; here they are counted:
    # a compiled read (``Store.select``) is one statement, the cached fan-out counts
    # (``Store.degrees``) none
    errors += [e for e in found if "store calls other than run" not in e]
    for f in figures:
        if f.name in captured:
            c = captured[f.name]
            f.gongzhi_statements = len(c.statements) + c.other_calls.count("select")


def _sample(
    r: PeerRequest, variant: str, f: PeerRequestFigures, gz: httpx.Client, pc: httpx.Client,
    driver: Driver, database: str, samples: int, errors: list[str],
) -> None:  # fmt: skip
    doc, _ = _side(r, variant)
    gvars, pvars, params = graphql_variables(r, doc), graphql_variables(r, r.peer.document), raw_params(r)
    g_times: list[float] = []
    p_times: list[float] = []
    r_times: list[float] = []
    started = time.perf_counter()
    try:
        for _ in range(WARMUP):
            gongzhi_call(gz, doc, gvars)
            peer_call(pc, r.peer.document, pvars)
            raw_call(driver, database, r.raw.document, params)
        for i in range(samples):
            if i >= MIN_SAMPLES and time.perf_counter() - started > BUDGET_SECONDS:
                break
            g_times.append(gongzhi_call(gz, doc, gvars)[0])
            p_times.append(peer_call(pc, r.peer.document, pvars)[0])
            r_times.append(raw_call(driver, database, r.raw.document, params)[0])
    except Exception as exc:
        errors.append(f"{r.name}: sampling failed after {len(g_times)} samples: {describe(exc)}")
    f.gongzhi, f.peer, f.raw = latency(g_times), latency(p_times), latency(r_times)
    print(
        f"  [peer] {r.name}: {len(g_times)} samples in {time.perf_counter() - started:.0f}s",
        file=sys.stderr,
        flush=True,
    )
