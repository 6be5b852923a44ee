"""Figure 6: resident memory the embedded store takes per node plus relationship.

Run as ``python -m bench.memory DATA_DIR`` in a fresh process, so that nothing but the
imports and the opened store is resident: the figure is the growth of the process's
*current* resident set (``/proc/self/statm``, after a full garbage collection) from just
before ``EmbeddedStore(DATA_DIR)`` to just after, divided by the store's nodes plus
relationships. The peak while unpickling the snapshot is higher and reported beside it: the
process's own high-water mark (``VmHWM``), not ``getrusage``'s ``ru_maxrss``, which Linux
carries over ``exec`` from the process that spawned the probe (the bench worker, several GiB
after its loads). It prints one JSON object.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path


def current_rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """The high-water mark of this process's resident set since its ``exec``."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


def measure(data_dir: Path) -> dict[str, float | int]:
    from graph.embedded import EmbeddedStore
    from graph.model import base_labels

    gc.collect()
    before = current_rss_bytes()
    started = time.perf_counter()
    store = EmbeddedStore(data_dir, read_only=True)
    opened = time.perf_counter() - started
    stats = store.stats()
    gc.collect()
    after = current_rss_bytes()
    nodes = sum(v for k, v in stats.labels.items() if k in base_labels())
    rels = sum(stats.rel_types.values())
    return {
        "rss_before": before,
        "rss_after": after,
        "peak_rss": peak_rss_bytes(),
        "nodes": nodes,
        "rels": rels,
        "bytes_per_item": (after - before) / max(1, nodes + rels),
        "open_seconds": opened,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
