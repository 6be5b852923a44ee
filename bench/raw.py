"""The raw results of a run as JSON (``.cache/bench/last-run.json``), and back.

``python -m bench --report-only .cache/bench/last-run.json`` renders BENCHMARKS.md again
from them, e.g. after editing ``bench/NOTES.md``, without measuring anything.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import peer_report
from bench.admin_import import AdminImportResult, BulkResult
from bench.api import ApiResult, Latency, RequestFigures
from bench.cli_reads import CliReads, as_dict, from_dict
from bench.machine import Machine
from bench.peer import PeerResult
from bench.report import ScaleRun
from bench.worker import LoadResult, StoreResult, Targets


@dataclasses.dataclass
class Run:
    machine: Machine
    command: str
    repeat: int
    started: datetime
    finished: datetime
    runs: list[ScaleRun]
    #: the scale of the eight figures, and the smaller one figure 8 divides by
    main_scale: str = ""
    base_scale: str | None = None
    admin: AdminImportResult | None = None
    api: ApiResult | None = None
    #: the CLI reads figure, per scale (bench/cli_reads.py)
    cli: list[CliReads] = dataclasses.field(default_factory=list)
    #: figure 10 (``bench.peer``), when measured
    peer: PeerResult | None = None
    bulk: BulkResult | None = None


def save(path: Path, run: Run) -> None:
    data = {
        "machine": dataclasses.asdict(run.machine),
        "command": run.command,
        "repeat": run.repeat,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat(),
        "runs": [dataclasses.asdict(r) for r in run.runs],
        "main_scale": run.main_scale,
        "base_scale": run.base_scale,
        "admin": None if run.admin is None else dataclasses.asdict(run.admin),
        "api": None if run.api is None else dataclasses.asdict(run.api),
        "cli": [as_dict(r) for r in run.cli],
        "peer": None if run.peer is None else dataclasses.asdict(run.peer),
        "bulk": None if run.bulk is None else dataclasses.asdict(run.bulk),
    }
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


def load(path: Path) -> Run:
    data = json.loads(path.read_text(encoding="utf-8"))
    m = data["machine"]
    for key in ("load_before", "load_after"):
        if m.get(key) is not None:
            m[key] = tuple(m[key])
    return Run(
        machine=Machine(**m),
        command=data["command"],
        repeat=data["repeat"],
        started=datetime.fromisoformat(data["started"]),
        finished=datetime.fromisoformat(data["finished"]),
        runs=[_scale_run(r) for r in data["runs"]],
        main_scale=data.get("main_scale") or data["runs"][-1]["scale"],
        base_scale=data.get("base_scale"),
        admin=AdminImportResult(**data["admin"]) if data.get("admin") else None,
        api=_api(data["api"]) if data.get("api") else None,
        cli=[from_dict(r) for r in data.get("cli") or []],
        peer=peer_report.from_dict(data["peer"]) if data.get("peer") else None,
        bulk=BulkResult(**data["bulk"]) if data.get("bulk") else None,
    )


def _latency(d: dict[str, Any] | None) -> Latency | None:
    return None if d is None else Latency(**d)


def _api(d: dict[str, Any]) -> ApiResult:
    d = dict(d)
    d["requests"] = [
        RequestFigures(**{**r, "http": _latency(r["http"]), "raw": _latency(r["raw"])}) for r in d["requests"]
    ]
    d["one_client"] = _latency(d.get("one_client"))
    d["concurrent"] = _latency(d.get("concurrent"))
    return ApiResult(**d)


def _scale_run(d: dict[str, Any]) -> ScaleRun:
    d = dict(d)
    d["targets"] = Targets(**d["targets"])
    d["results"] = {kind: _store_result(r) for kind, r in d["results"].items()}
    return ScaleRun(**d)


def _store_result(d: dict[str, Any]) -> StoreResult:
    from graph.records import Stats

    d = dict(d)
    d["load1"] = LoadResult(**d["load1"])
    d["load2"] = LoadResult(**d["load2"])
    if d.get("stats") is not None:
        d["stats"] = Stats(**d["stats"])
    d["profiles"] = {k: (float(v[0]), str(v[1])) for k, v in d.get("profiles", {}).items()}
    return StoreResult(**d)
