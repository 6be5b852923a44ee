"""A writer process for the journal tests: ``python -m tests.store.journal_child DATA_DIR WRITES [--kill-at POINT:N] [--compact-min BYTES]``.

It writes ``step(k)`` batches, each bringing the store from version ``k`` to ``k + 1`` (the
base batch is version 1), and prints each version ``write`` returned (committed), one a line.
With ``--kill-at`` it SIGKILLs itself at the Nth time it reaches a point of the write path,
so a test can check what a kill exactly there leaves:

* ``frame-half``: half of a journal frame written;
* ``frame-unsynced``: the whole frame written, not fsynced;
* ``snapshot-unrenamed``: a compaction's temporary snapshot written and fsynced, not renamed;
* ``snapshot-renamed``: the new snapshot renamed into place, the journal not reset yet;
* ``reset-unrenamed``: the empty journal written, not renamed over the old one.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any

from graph.records import WriteBatch
from tests.store.test_conformance import place, rel, small_batch

POINTS = ("frame-half", "frame-unsynced", "snapshot-unrenamed", "snapshot-renamed", "reset-unrenamed")


def base() -> WriteBatch:
    return small_batch()


def step(k: int) -> WriteBatch:
    """The batch that brings the store from version ``k`` (>= 1) to ``k + 1``: a new building in
    compound P1, B1's residents changed, and every third step an earlier building deleted."""
    building = place("Building", f"X{k}", residents=k)
    batch = WriteBatch(
        nodes=[place("Building", "B1", residents=100 + k)],
        new_nodes=[building],
        new_rels=[rel("PART_OF", ("Building", f"X{k}"), ("Compound", "P1"))],
    )
    if k % 3 == 0 and k > 2:
        batch.delete_nodes.append(("Building", f"X{k - 2}"))
    return batch


def _kill() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _arm(point: str, nth: int) -> None:
    """Patch the write path so that the ``nth`` arrival at ``point`` kills this process."""
    from graph import embedded, journal

    count = [0]

    def due() -> bool:
        count[0] += 1
        return count[0] >= nth

    real_pwrite, real_fsync, real_replace, real_reset = os.pwrite, os.fsync, os.replace, journal.reset

    if point == "frame-half":

        def pwrite(fd: int, data: Any, offset: int) -> int:
            if due():
                real_pwrite(fd, bytes(data)[: len(data) // 2], offset)
                os.fsync(fd)
                _kill()
            return real_pwrite(fd, data, offset)

        os.pwrite = pwrite
    elif point == "frame-unsynced":
        armed = [False]

        def pwrite2(fd: int, data: Any, offset: int) -> int:
            armed[0] = due()
            return real_pwrite(fd, data, offset)

        def fsync(fd: Any) -> None:
            if armed[0]:
                _kill()
            real_fsync(fd)

        os.pwrite = pwrite2
        os.fsync = fsync
    elif point in ("snapshot-unrenamed", "reset-unrenamed"):
        target = embedded.SNAPSHOT if point == "snapshot-unrenamed" else journal.JOURNAL

        def replace(src: Any, dst: Any) -> None:
            if Path(dst).name == target and due():
                _kill()
            real_replace(src, dst)

        os.replace = replace  # type: ignore[assignment]
    elif point == "snapshot-renamed":

        def reset(path: Path) -> None:
            if due():
                _kill()
            real_reset(path)

        journal.reset = reset
    else:
        raise SystemExit(f"unknown point {point}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("writes", type=int)
    parser.add_argument("--kill-at", default=None)
    parser.add_argument("--compact-min", type=int, default=None)
    args = parser.parse_args()

    from graph import embedded

    if args.compact_min is not None:
        embedded.COMPACT_MIN_BYTES = args.compact_min
    if args.kill_at:
        point, nth = args.kill_at.split(":")
        _arm(point, int(nth))
    store = embedded.EmbeddedStore(args.data_dir)
    for _ in range(args.writes):
        k = store.version()
        print(store.write(step(k), expect_version=k), flush=True)


if __name__ == "__main__":
    main()
