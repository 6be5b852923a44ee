"""Fair turns at the store: one user's store calls cannot queue everyone else's behind them.

Every store call of a request runs in a worker thread (the stores' drivers and networkx are
blocking). With one shared first-in-first-out pool, a user who sends a few heavy requests at
once (each within every per-request limit) fills the pool, and another user's small read
waits behind all of it: the outside campaign measured a ``{ me { user } }`` waiting 25-48 s.

So calls are queued per user and taken in turns: at most ``per_user`` of one user's calls run
at once (the rest of theirs wait in their own queue), and a free worker takes the next call of
the next user in rotation who has one waiting. A user alone still gets ``per_user`` calls at a
time (the request's DataLoader waves batch most of its work into few calls anyway); a heavy
user and a light one each get their turn, so the light one waits for at most the calls that
are running, never for the heavy user's backlog.

``per_user`` is ``Limits.store_calls_per_user``, 1 by default on both stores: on the
embedded store a second thread of the same user would only take turns on the interpreter lock
with the first; on Neo4j a second heavy query of one user took the server's other core from
everyone else (with 2, a small read's p50 under four abusive requests was twice that with 1,
bench/abuse.py). The pool has ``workers`` threads, enough that other users find one free while
a few heavy users run.

Among the calls that run, short ones compute first (``graph/turns.py``): on the embedded
store a heavy call steps aside at the graph's inner loops while a short call of anyone runs.

A call still waiting when its request is cancelled (the client went away, the deadline) is
dropped from its queue without running.
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph.turns import run_call

T = TypeVar("T")


@dataclass
class _Call:
    fn: Callable[[], Any]
    done: asyncio.Future[Any]


@dataclass
class _Queue:
    waiting: deque[_Call] = field(default_factory=deque)
    running: int = 0


class FairScheduler:
    """Per-user queues of blocking calls over one thread pool, served in rotation.

    Used from one event loop (the server's); ``run`` is the only entry point."""

    def __init__(self, *, workers: int = 8, per_user: int = 1) -> None:
        if workers < 1 or per_user < 1:
            raise ValueError("workers and per_user must be at least 1")
        self.workers, self.per_user = workers, per_user
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gongzhi-store")
        self._queues: dict[str, _Queue] = {}
        self._turns: deque[str] = deque()  # users with a call waiting and room, in serving order
        self._running = 0

    async def run(self, user: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        call = _Call(functools.partial(fn, *args, **kwargs), loop.create_future())
        queue = self._queues.setdefault(user, _Queue())
        queue.waiting.append(call)
        if queue.running < self.per_user and user not in self._turns:
            self._turns.append(user)
        self._dispatch(loop)
        try:
            return await call.done  # type: ignore[no-any-return]
        except asyncio.CancelledError:  # call.done is cancelled with the request
            if call in queue.waiting:  # not started: it never runs
                queue.waiting.remove(call)
                self._forget(user)
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start waiting calls while workers are free, one per user in turn.

        ``_turns`` holds the users who have a call waiting and room to run it, in the order
        they will be served; a user at their limit leaves it and comes back, at the end, when
        one of their calls ends (``_settle``)."""
        while self._running < self.workers and self._turns:
            user = self._turns.popleft()
            queue = self._queues[user]
            if queue.running >= self.per_user or not queue.waiting:
                continue
            call = queue.waiting.popleft()
            queue.running += 1
            self._running += 1
            if queue.waiting and queue.running < self.per_user:
                self._turns.append(user)  # their next call waits for everyone else's turn
            future = self._pool.submit(run_call, call.fn)
            future.add_done_callback(functools.partial(self._finished, loop, user, call))

    def _finished(self, loop: asyncio.AbstractEventLoop, user: str, call: _Call, future: Future[Any]) -> None:
        """A worker's call ended (in the worker thread): hand the outcome to the loop."""
        loop.call_soon_threadsafe(self._settle, loop, user, call, future)

    def _settle(self, loop: asyncio.AbstractEventLoop, user: str, call: _Call, future: Future[Any]) -> None:
        queue = self._queues[user]
        queue.running -= 1
        self._running -= 1
        if queue.waiting and user not in self._turns:
            self._turns.append(user)
        if not call.done.cancelled():
            exc = future.exception()
            if exc is not None:
                call.done.set_exception(exc)
            else:
                call.done.set_result(future.result())
        self._forget(user)
        self._dispatch(loop)

    def _forget(self, user: str) -> None:
        """Drop an idle user's queue, so the table holds only users with calls."""
        queue = self._queues.get(user)
        if queue is not None and not queue.waiting and not queue.running:
            del self._queues[user]
            if user in self._turns:
                self._turns.remove(user)
