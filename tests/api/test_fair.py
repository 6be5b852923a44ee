"""The store-call turns of the server (api/graphql/fair.py): one user's backlog never queues
another user's calls behind it, one user never has more than their share running, and a
cancelled request's waiting calls never run. Real threads, no clocks: each call blocks on an
event the test releases, so the order in which calls start is what is checked."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from api.graphql.fair import FairScheduler


class Recorder:
    """Blocking calls that note when they start and wait until the test lets them end."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def call(self, name: str) -> Callable[[], str]:
        def fn() -> str:
            with self.lock:
                self.started.append(name)
                self.running += 1
                self.most = max(self.most, self.running)
            self.release.wait(10)
            with self.lock:
                self.running -= 1
            return name

        return fn


async def _until(predicate: Callable[[], bool]) -> None:
    for _ in range(1000):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the scheduler did not get there")


def test_a_backlog_does_not_queue_another_user_behind_it() -> None:
    async def scenario() -> list[str]:
        rec = Recorder()
        turns = FairScheduler(workers=1, per_user=1)
        heavy = [asyncio.ensure_future(turns.run("abuser", rec.call(f"a{i}"))) for i in range(6)]
        await _until(lambda: rec.started == ["a0"])
        light = asyncio.ensure_future(turns.run("victim", rec.call("v")))
        await asyncio.sleep(0.05)
        rec.release.set()
        results = await asyncio.gather(*heavy, light)
        assert results == [f"a{i}" for i in range(6)] + ["v"]
        turns.close()
        return rec.started

    started = asyncio.run(scenario())
    # the victim's call is the next to start after the one that was running, not the last
    assert started[:2] == ["a0", "v"], started


def test_one_user_never_runs_more_than_their_share() -> None:
    async def scenario() -> tuple[int, list[str]]:
        rec = Recorder()
        turns = FairScheduler(workers=4, per_user=2)
        calls = [asyncio.ensure_future(turns.run("one", rec.call(f"c{i}"))) for i in range(8)]
        await _until(lambda: len(rec.started) == 2)
        await asyncio.sleep(0.05)
        first = list(rec.started)
        other = asyncio.ensure_future(turns.run("two", rec.call("t")))
        await _until(lambda: "t" in rec.started)  # a free worker serves the other user at once
        rec.release.set()
        await asyncio.gather(*calls, other)
        turns.close()
        return rec.most, first

    most, first = asyncio.run(scenario())
    assert first == ["c0", "c1"]
    assert most == 3  # two of "one" and the one of "two"


def test_users_are_served_in_rotation() -> None:
    async def scenario() -> list[str]:
        rec = Recorder()
        turns = FairScheduler(workers=1, per_user=1)
        block = asyncio.ensure_future(turns.run("x", rec.call("x0")))
        await _until(lambda: rec.started == ["x0"])
        calls = [asyncio.ensure_future(turns.run(u, rec.call(f"{u}{i}"))) for u in "ab" for i in range(3)]
        await asyncio.sleep(0.02)
        rec.release.set()
        await asyncio.gather(block, *calls)
        turns.close()
        return rec.started

    assert asyncio.run(scenario()) == ["x0", "a0", "b0", "a1", "b1", "a2", "b2"]


def test_a_cancelled_request_s_waiting_calls_never_run() -> None:
    async def scenario() -> list[str]:
        rec = Recorder()
        turns = FairScheduler(workers=1, per_user=1)
        running = asyncio.ensure_future(turns.run("u", rec.call("first")))
        await _until(lambda: rec.started == ["first"])
        waiting = asyncio.ensure_future(turns.run("u", rec.call("never")))
        await asyncio.sleep(0.02)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        after = asyncio.ensure_future(turns.run("u", rec.call("after")))
        rec.release.set()
        await asyncio.gather(running, after)
        turns.close()
        return rec.started

    assert asyncio.run(scenario()) == ["first", "after"]


def test_errors_reach_the_caller_and_the_turns_go_on() -> None:
    def boom() -> None:
        raise ValueError("boom")

    async def scenario() -> str:
        turns = FairScheduler(workers=1, per_user=1)
        with pytest.raises(ValueError, match="boom"):
            await turns.run("u", boom)
        out = await turns.run("u", lambda: "fine")
        turns.close()
        return out

    assert asyncio.run(scenario()) == "fine"
