"""One store's measurements on one generated input, run in a child process of its own.

A fresh (spawned) process per store and scale means the peak RSS it reports is that store's
alone, and that nothing (imports, caches, a previous scale's graph) is shared between the
two stores being compared. Every step records its failure instead of raising, so that a
Neo4j load that runs out of transaction memory still leaves the other numbers standing.
"""

from __future__ import annotations

import cProfile
import gc
import io
import logging
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: "as of" day of every query: the generator's NOW, so that answers do not depend on today.
AS_OF_ISO = "2026-06-30"


@dataclass
class Targets:
    """What the domain queries are asked about (ids read from the generated CSVs)."""

    top_area: str
    top_kind: str
    community: str
    member: str


@dataclass
class LoadResult:
    seconds: float | None = None
    stages: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    written: int = 0
    error: str | None = None
    #: Neo4j only: the largest transaction heap estimate sampled during the load
    tx_peak_bytes: int | None = None


@dataclass
class StoreResult:
    kind: str
    scale: str
    clear_seconds: float | None = None
    schema_seconds: float | None = None
    load1: LoadResult = field(default_factory=LoadResult)
    load2: LoadResult = field(default_factory=LoadResult)
    second_load_unchanged: bool | None = None
    stats_seconds: float | None = None
    stats: Any = None  # graph.records.Stats
    queries: dict[str, float] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    query_errors: dict[str, str] = field(default_factory=dict)
    peak_rss_kib: int = 0
    snapshot_bytes: int | None = None
    reopen_seconds: float | None = None
    reopen_peak_rss_kib: int | None = None
    errors: list[str] = field(default_factory=list)
    #: WARNING records of the neo4j driver's logger (e.g. a transaction it retried, with the
    #: server's reason, which the store's one-line errors leave out)
    driver_warnings: list[str] = field(default_factory=list)
    #: "first load" / "second load" -> (seconds under the profiler, top functions)
    profiles: dict[str, tuple[float, str]] = field(default_factory=dict)
    #: embedded only: ``bench.memory`` on the saved store, in a fresh process (figure 6)
    memory: dict[str, float] | None = None
    #: embedded only: ``bench.embedded_writes`` (one small write, a reader's catch-up, reopen)
    small_writes: dict[str, float] | None = None


def log(scale: str, kind: str, message: str) -> None:
    print(f"  [{scale}/{kind}] {message}", file=sys.stderr, flush=True)


def describe(exc: BaseException) -> str:
    """One line: the exception type and its message (the stores' messages are one line)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def staged(stages: dict[str, float]) -> Iterator[None]:
    """Time the steps of ``loaders.load.load`` by wrapping the names it calls.

    ``read`` = read_input, ``validate`` = validate (including its store look-ups),
    ``diff`` = plan_changes (including fetching what the store holds); ``write`` is what
    remains of the load's time (``store.write`` and the summary).
    """
    import loaders.load as load_module

    originals: dict[str, tuple[str, Callable[..., Any]]] = {
        stage: (name, getattr(load_module, name))
        for stage, name in (("read", "read_input"), ("validate", "validate"), ("diff", "plan_changes"))
    }

    def timed(stage: str, fn: Callable[..., T]) -> Callable[..., T]:
        def wrapper(*args: Any, **kwargs: Any) -> T:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - started

        return wrapper

    for stage, (name, fn) in originals.items():
        setattr(load_module, name, timed(stage, fn))
    try:
        yield
    finally:
        for name, fn in originals.values():
            setattr(load_module, name, fn)


class TxMemorySampler:
    """The largest ``estimatedUsedHeapMemory`` of any other transaction on the Neo4j server,
    sampled by a thread on a connection of its own while a load runs (``SHOW TRANSACTIONS``).

    This is the figure ``dbms.memory.transaction.total.max`` is checked against, so it says
    how much heap a load needs; sampling can miss the very last moments of a transaction.
    """

    QUERY = (
        "SHOW TRANSACTIONS YIELD currentQuery, estimatedUsedHeapMemory "
        "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' "
        "RETURN max(estimatedUsedHeapMemory) AS m"
    )

    def __init__(self, interval: float = 0.5) -> None:
        import threading

        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from bench.machine import open_driver

        driver, database = open_driver()
        with driver:
            while not self._stop.is_set():
                try:
                    records, _, _ = driver.execute_query(self.QUERY, database_=database)
                    value = records[0]["m"] if records else None
                    self.peak = max(self.peak, int(value or 0))
                except Exception:  # a sample missed is no failure of the load
                    pass
                self._stop.wait(self.interval)

    def __enter__(self) -> TxMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def timed_load(store: Any, input_dir: Path) -> LoadResult:
    from contextlib import nullcontext

    from loaders.load import load

    result = LoadResult()
    sampler = TxMemorySampler() if store.kind == "neo4j" else None
    started = time.perf_counter()
    try:
        with staged(result.stages), sampler or nullcontext():
            summary = load(store, input_dir)
    except Exception as exc:
        result.error = describe(exc)
        result.seconds = time.perf_counter() - started
        result.tx_peak_bytes = sampler.peak if sampler else None
        return result
    result.seconds = time.perf_counter() - started
    result.tx_peak_bytes = sampler.peak if sampler else None
    result.stages["write"] = max(0.0, result.seconds - sum(result.stages.values()))
    total = summary.total
    result.rows = summary.rows
    result.created, result.updated = total.created, total.updated
    result.unchanged, result.deleted = total.unchanged, total.deleted
    result.written = summary.written
    return result


def open_store(kind: str, data_dir: Path) -> Any:
    from graph.settings import Settings
    from graph.store import open_store as open_configured

    if kind == "neo4j":
        from bench.machine import neo4j_settings

        return open_configured(neo4j_settings())
    return open_configured(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data_dir))  # type: ignore[call-arg]


def fresh(store: Any, result: StoreResult) -> None:
    """Empty the store and apply the schema (the embedded store starts empty)."""
    if store.kind == "neo4j":
        started = time.perf_counter()
        store.clear()
        result.clear_seconds = time.perf_counter() - started
    started = time.perf_counter()
    store.apply_schema()
    result.schema_seconds = time.perf_counter() - started


def query_calls(store: Any, targets: Targets) -> dict[str, Callable[[], object]]:
    from datetime import date

    from bench.floor import FLOOR
    from queries.coverage import coverage
    from queries.one_plus_one import member_card
    from queries.rollup import rollup

    day = date.fromisoformat(AS_OF_ISO)
    top = targets.top_area
    return {
        f"{ROLLUP} {targets.top_kind} {top}": lambda: rollup(store, top, day),
        f"{FLOOR_NAME} {targets.top_kind} {top}": lambda: store.run(FLOOR, {"area": top}),
        f"coverage {targets.top_kind} {top}": lambda: coverage(store, top, day),
        f"coverage community {targets.community}": lambda: coverage(store, targets.community, day),
        f"member card {targets.member}": lambda: member_card(store, targets.member, day),
    }


#: names of the two query timings figure 3 divides (see ``bench.floor``)
ROLLUP = "roll-up (all indicators, area and children)"
FLOOR_NAME = "floor: one pass counting the same items"


def measure(
    kind: str, scale: str, input_dir: str, targets: Targets, repeat: int, profile: bool
) -> StoreResult:
    """Everything the bench measures on one store (runs in the child process)."""
    result = StoreResult(kind, scale)
    tmp = Path(tempfile.mkdtemp(prefix=f"gz-bench-{scale}-"))
    data_dir = tmp / "store"
    try:
        _measure(result, kind, scale, Path(input_dir), targets, repeat, data_dir)
        if profile:
            _profile_loads(result, kind, scale, Path(input_dir), tmp / "profiled")
    except Exception as exc:  # anything unforeseen: keep what was measured
        result.errors.append(f"{describe(exc)}\n{traceback.format_exc(limit=4)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


class _Warnings(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().splitlines()[0] if record.getMessage() else ""
        print(f"  neo4j driver: {text}", file=sys.stderr, flush=True)
        if text and text not in self.into and len(self.into) < 10:
            self.into.append(text)


def _measure(
    result: StoreResult, kind: str, scale: str, input_dir: Path, targets: Targets, repeat: int, data_dir: Path
) -> None:
    logging.getLogger("neo4j").addHandler(_Warnings(result.driver_warnings))
    store = open_store(kind, data_dir)
    try:
        store.ping()
        fresh(store, result)

        log(scale, kind, "first load ...")
        result.load1 = timed_load(store, input_dir)
        if result.load1.error:
            result.errors.append(f"first load failed: {result.load1.error}")
            log(scale, kind, f"first load FAILED after {result.load1.seconds:.1f}s: {result.load1.error}")
            return
        log(scale, kind, f"first load {result.load1.seconds:.2f}s {_stages(result.load1)}")

        result.load2 = timed_load(store, input_dir)
        l2 = result.load2
        if l2.error:
            result.errors.append(f"second load failed: {l2.error}")
        else:
            result.second_load_unchanged = (
                l2.created == l2.updated == l2.deleted == l2.written == 0
                and l2.unchanged == result.load1.created
            )
            if not result.second_load_unchanged:
                result.errors.append(
                    f"second load was not all unchanged: created {l2.created}, updated {l2.updated}, "
                    f"deleted {l2.deleted}, unchanged {l2.unchanged} of {result.load1.created}, written {l2.written}"
                )
            log(scale, kind, f"second load {l2.seconds:.2f}s {_stages(l2)}")

        result.stats = store.stats()
        result.stats_seconds = median_time(store.stats, repeat)

        try:
            calls = query_calls(store, targets)
        except ImportError as exc:
            result.query_errors["(queries)"] = f"queries not importable: {describe(exc)}"
            calls = {}
        for name, call in calls.items():
            try:
                result.answers[name] = repr(call())  # warm-up, and the answer both stores must share
                result.queries[name] = median_time(call, repeat)
            except Exception as exc:
                result.query_errors[name] = describe(exc)
        log(scale, kind, "queries " + ", ".join(f"{k}: {v * 1000:.1f}ms" for k, v in result.queries.items()))
        result.peak_rss_kib = peak_rss_kib()
    finally:
        store.close()
        del store
        gc.collect()

    if kind == "embedded":
        from graph.embedded import SNAPSHOT, EmbeddedStore

        snapshot = data_dir / SNAPSHOT
        result.snapshot_bytes = snapshot.stat().st_size if snapshot.exists() else None
        times = []
        for _ in range(min(repeat, 3)):
            started = time.perf_counter()
            reopened = EmbeddedStore(data_dir)
            reopened_stats = reopened.stats()
            times.append(time.perf_counter() - started)
            if reopened_stats != result.stats:
                result.errors.append("the reopened embedded store gives other stats than before")
            reopened.close()
            del reopened
            gc.collect()
        result.reopen_seconds = statistics.median(times)
        result.reopen_peak_rss_kib = peak_rss_kib()
        log(scale, kind, f"reopen {result.reopen_seconds:.2f}s, snapshot {result.snapshot_bytes} bytes")
        result.memory = resident_memory(data_dir, result)
        if result.memory:
            log(scale, kind, f"resident {result.memory['bytes_per_item']:.0f} bytes per node + relationship")
        result.small_writes = small_writes(data_dir, result)
        if result.small_writes:
            log(scale, kind, f"one small write {result.small_writes['write_seconds'] * 1000:.1f}ms")


def resident_memory(data_dir: Path, result: StoreResult) -> dict[str, float] | None:
    """``bench.memory`` in a fresh interpreter (nothing else resident), as parsed JSON."""
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(data_dir)], capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        result.errors.append("bench.memory failed: " + " | ".join(done.stderr.strip().splitlines()[-2:]))
        return None
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def small_writes(data_dir: Path, result: StoreResult) -> dict[str, float] | None:
    """``bench.embedded_writes`` in a fresh interpreter (its two handles, and nothing of this
    process's loads, resident), as parsed JSON."""
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bench.embedded_writes", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        result.errors.append(
            "bench.embedded_writes failed: " + " | ".join(done.stderr.strip().splitlines()[-2:])
        )
        return None
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def _stages(load: LoadResult) -> str:
    return "(" + ", ".join(f"{k} {v:.2f}" for k, v in load.stages.items()) + ")"


def _profile_loads(result: StoreResult, kind: str, scale: str, input_dir: Path, data_dir: Path) -> None:
    """The first load once more, into an emptied store, then the second, each under cProfile."""
    from loaders.load import load

    store = open_store(kind, data_dir)
    try:
        if kind == "neo4j":
            store.clear()
            store.apply_schema()
        for which in ("first load", "second load"):
            log(scale, kind, f"profiled {which} ...")
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            try:
                load(store, input_dir)
            finally:
                profiler.disable()
            elapsed = time.perf_counter() - started
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.strip_dirs().sort_stats("tottime").print_stats(12)
            stats.sort_stats("cumulative").print_stats(22)
            result.profiles[which] = (elapsed, out.getvalue())
    except Exception as exc:
        result.errors.append(f"profiled load failed: {describe(exc)}")
    finally:
        store.close()
