"""Validating and diffing a large input with the cyclic garbage collector paused.

Why: a load builds millions of small objects that live until it ends (rows, typed values,
issues, records, the plan). CPython's cyclic collector runs a pass every few hundred
allocations and, since they all survive, ever longer full passes over every one of them: at
district scale that was half of validation's time (7.0 s with it, 3.9 s paused). None of
them needs the collector: they are plain dicts, lists and dataclasses without cycles, freed by
reference counting as soon as the load drops them. So the collector is paused while a load's
steps run and resumed after, where it catches up in one pass.

It is a process-wide switch, so the pause is counted: a step inside another (or a second
thread's load) keeps it paused until the last one ends, and it is never enabled if it was
off before. Other threads' garbage waits too, for the seconds a step lasts; memory freed by
reference counting is freed at once all the same.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with ``gc`` disabled (counted across nesting and threads; see above)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
