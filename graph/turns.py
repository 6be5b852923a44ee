"""Short work first: a heavy read on the embedded store steps aside for short ones.

The embedded store answers in Python, so its reads take turns on the interpreter lock with
everything else the process runs: one user's heavy domain question (an area's 1+1 list on
many dates) and another user's small read share the processor evenly, and the small one,
which would take a few milliseconds alone, takes many times that. Fair queues of calls
(``api/graphql/fair.py``) decide which calls run; this decides who computes among those that
do, the way a time-sharing scheduler favours short jobs:

* a call run through ``run_call`` is *young* for its first ``QUANTUM`` (wall time), then old;
* a request being worked on outside the store (the server parsing, checking and executing
  its document on the event loop between its store calls) is *present* (``Presence``) and
  young for its first ``PRESENT_QUANTUM`` each time it comes back: most of a small request's
  time is spent there, not in the store;
* an old call, at its next ``checkpoint`` (the graph's adjacency reads call one), waits while
  anything young runs, for at most ``MAX_WAIT`` each time.

Youth is wall time, not work done, so whatever a young call waits for (a lock held by a heavy
reader that is itself waiting) it stops holding others up after its quantum: nothing can
deadlock, and heavy calls always progress. A small request thus runs almost as if alone, and a
heavy one loses only the time small ones take. Code not run through ``run_call`` (the CLI,
loaders, tests) is never young and never waits. While nothing is young (no small work in the
process), ``checkpoint`` costs one read of a module global.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: How long a store call counts as short (seconds).
QUANTUM = 0.02
#: How long a request's stretch of work outside the store counts as short (seconds).
PRESENT_QUANTUM = 0.05
#: The longest an old call waits at one checkpoint (seconds).
MAX_WAIT = 0.05

_cond = threading.Condition()
_local = threading.local()
#: The young spans running: owner -> (started, quantum). A span leaves when it ends or when
#: its own call finds itself old; read without the lock on the fast path.
_young: dict[object, tuple[float, float]] = {}


class _Call:
    __slots__ = ("started",)

    def __init__(self, started: float) -> None:
        self.started = started


def run_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` in this thread as one call, young for its first ``QUANTUM``."""
    call = _Call(time.perf_counter())
    previous = getattr(_local, "call", None)
    _local.call = call
    with _cond:
        _young[call] = (call.started, QUANTUM)
    try:
        return fn(*args, **kwargs)
    finally:
        _local.call = previous
        _end(call)


def checkpoint() -> None:
    """A point where an old call lets young work compute first (in the graph's loops)."""
    if not _young:
        return
    call: _Call | None = getattr(_local, "call", None)
    if call is None:
        return
    now = time.perf_counter()
    if now - call.started < QUANTUM:
        return
    if call in _young:
        _end(call)  # old now: it no longer holds anyone up
    wait = _youngest_left(now)
    if wait is not None:
        with _cond:
            _cond.wait(min(wait, MAX_WAIT))


def paced(items: Iterable[T]) -> Iterator[T]:
    """``items``, with a ``checkpoint`` before each: for the domain layer's long Python loops
    over rows (explaining thousands of gaps), which touch no adjacency and so would otherwise
    compute for hundreds of milliseconds without letting short work first."""
    for item in items:
        checkpoint()
        yield item


def _youngest_left(now: float) -> float | None:
    """How long the youngest span still counts as young, or None when none does."""
    left = None
    for started, quantum in list(_young.values()):
        remaining = started + quantum - now
        if remaining > 0 and (left is None or remaining > left):
            left = remaining
    return left


def _end(owner: object) -> None:
    with _cond:
        if _young.pop(owner, None) is not None:
            _cond.notify_all()


class Presence:
    """One request's work on the event loop (``start`` to ``stop``, minus the spans between
    ``away`` and ``back`` while it waits for its store calls), young for ``PRESENT_QUANTUM``
    after each ``back``.

    Only the document's own work counts (from parsing to the end of execution): reading a
    slow client's body or writing to it does not. Every method is idempotent; ``stop`` ends it
    for good."""

    def __init__(self) -> None:
        self._active = False
        #: Set once the request enters a heavy stretch on the loop (``api/graphql/loop_turns.py``):
        #: from then on it is no longer light work that heavy stretches wait for.
        self.heavy = False

    def start(self) -> None:
        self._active = True
        self.back()

    def stop(self) -> None:
        self.away()
        self._active = False

    def away(self) -> None:
        _end(self)

    def back(self) -> None:
        if self._active:
            with _cond:
                _young[self] = (time.perf_counter(), PRESENT_QUANTUM)


def light_present(now: float | None = None) -> bool:
    """Whether short work is running: a young store call, or a young ``Presence`` (a request
    on the event loop) that never entered a heavy stretch. Read without the lock.

    A heavy stretch on the loop waits for either (``api/graphql/loop_turns.py``): a small
    request's store call shares the interpreter lock with the loop, and its next step needs
    the loop as soon as the call returns."""
    now = time.perf_counter() if now is None else now
    for owner, (started, quantum) in list(_young.items()):
        if started + quantum > now and not (isinstance(owner, Presence) and owner.heavy):
            return True
    return False


def young_spans() -> int:
    """How many young spans are registered (for tests)."""
    return len(_young)
