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

from bench.machine import Machine
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


def save(path: Path, run: Run) -> None:
    data = {
        "machine": dataclasses.asdict(run.machine),
        "command": run.command,
        "repeat": run.repeat,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat(),
        "runs": [dataclasses.asdict(r) for r in run.runs],
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
    )


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
