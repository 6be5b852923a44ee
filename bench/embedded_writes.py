"""The embedded store's small writes: what one mutation-sized batch costs, and what catching up
with it costs a reader in another process (issue 12: writes O(change)).

Run as ``python -m bench.embedded_writes DATA_DIR [WRITES]`` on a loaded store (the bench
worker runs it in a fresh interpreter after its other embedded figures, so that only its two
handles are resident). Each write renames one building (one node, as a GraphQL mutation of
one row writes), the next one names it back, so the store ends with the data it started with
(its version moved on). Times are medians:

* ``write_seconds``: ``store.write`` of that batch, commit and fsync included;
* ``catch_up_seconds``: a second, read-only handle on the directory (as a reader process
  has) answering ``version()`` after each write, which makes it read what was committed;
* ``reopen_seconds``: a fresh handle plus ``stats()`` once the writes are in.

It prints one JSON object; the same script run against an older checkout (``PYTHONPATH``)
gives the figures before a change, side by side.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from graph.records import WriteBatch

WRITES = 10  # even: every rename is followed by its undoing


def measure(data_dir: Path, writes: int = WRITES) -> dict[str, float | int]:
    from graph.embedded import EmbeddedStore
    from graph.records import NodeRecord

    writes += writes % 2
    store = EmbeddedStore(data_dir)
    reader = EmbeddedStore(data_dir, read_only=True)
    building = min(store._by_label["Building"])
    original = store.fetch_nodes("Building", [building])[building]
    write_times, catch_up_times = [], []
    for i in range(writes):
        props = dict(original.props)
        if i % 2 == 0:
            props["name"] = f"{props.get('name', '')} (bench {i})"
        batch = WriteBatch(nodes=[NodeRecord("Building", original.labels, building, props)])
        started = time.perf_counter()
        version = store.write(batch)
        write_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        seen = reader.version()
        catch_up_times.append(time.perf_counter() - started)
        if seen != version:
            raise AssertionError(f"the reader saw version {seen}, not {version}")
    if store.fetch_nodes("Building", [building])[building] != original:
        raise AssertionError("the bench's writes did not leave the building as it was")
    started = time.perf_counter()
    EmbeddedStore(data_dir, read_only=True).stats()
    reopen = time.perf_counter() - started
    return {
        "writes": writes,
        "write_seconds": statistics.median(write_times),
        "catch_up_seconds": statistics.median(catch_up_times),
        "reopen_seconds": reopen,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else WRITES)))
