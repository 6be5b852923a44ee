"""Heavy stretches on the event loop take turns, light requests first.

A domain question's answer (an area's 1+1 list of hundreds of members, explained, with
suggestions) is turned into GraphQL objects and completed by the executor on the event loop,
in one stretch of about 20 ms per field, without an ``await`` in between. Six aliases of one
request come back from the store together, so their stretches ran back to back: a small
request arriving meanwhile (``{ me { user } }``) waited 120 ms for the loop, and the p99 of
small requests under four such requests was four times its p99 alone (issue 11).

So a resolver about to start such a stretch first awaits its ``turn``:

* at most one heavy stretch starts per pass of the loop: between two of them the loop polls
  its sockets and runs whatever else is ready, so other requests' steps interleave;
* a heavy stretch does not start while a light request is being worked on on the loop
  (``graph.turns.light_present``: a request that has not entered a heavy stretch, young for
  its first ``PRESENT_QUANTUM`` after each return from the store), for at most ``MAX_WAIT``,
  so heavy requests always progress.

The turn lasts from its grant to the task's next ``await`` (its release is scheduled with
``call_soon``, which runs after the current step). A request that never calls ``turn`` is
unaffected; one that is cancelled while waiting gives its grant back.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque

from graph.turns import Presence, light_present

#: The longest a heavy stretch waits for light requests before it starts anyway (seconds).
MAX_WAIT = 0.05
#: How often a waiting heavy stretch looks again whether light work is still present (seconds).
POLL = 0.002


class LoopTurns:
    """The heavy-stretch baton of one event loop."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def turn(self, presence: Presence | None = None) -> None:
        """Wait until this task may run a heavy stretch (it ends at the task's next await)."""
        if presence is not None:
            presence.heavy = True
        loop = asyncio.get_running_loop()
        await self._acquire(loop)
        try:
            deadline = time.perf_counter() + MAX_WAIT
            while light_present() and time.perf_counter() < deadline:
                await asyncio.sleep(POLL)
        except BaseException:
            self._release()
            raise
        loop.call_soon(self._release)

    async def _acquire(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._held and not self._waiting:
            self._held = True
            return
        fut: asyncio.Future[None] = loop.create_future()
        self._waiting.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._release()  # granted just before the cancel: pass it on
            raise

    def _release(self) -> None:
        """Hand the baton to the next waiter still waiting (it runs in a later pass)."""
        while self._waiting:
            fut = self._waiting.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self._held = False

    @property
    def waiting(self) -> int:
        """Heavy stretches waiting for the baton (for tests)."""
        return sum(1 for f in self._waiting if not f.done())


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopTurns] = weakref.WeakKeyDictionary()


def loop_turns() -> LoopTurns:
    """The running loop's baton."""
    loop = asyncio.get_running_loop()
    turns = _BY_LOOP.get(loop)
    if turns is None:
        turns = _BY_LOOP[loop] = LoopTurns()
    return turns
