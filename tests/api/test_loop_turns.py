"""Heavy stretches on the event loop take turns, light requests first
(``api/graphql/loop_turns.py``). Checked by the order in which steps run, never by timing:
at most one heavy stretch per pass of the loop, none while a light request is on the loop
(until it leaves or ``MAX_WAIT`` passes), a request's own presence never holds it up, and a
stretch cancelled while waiting passes its turn on."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from api.graphql import loop_turns as lt
from graph import turns


def test_heavy_stretches_ready_together_run_in_separate_passes_with_other_work_between() -> None:
    order: list[str] = []

    async def heavy(i: int) -> None:
        await lt.loop_turns().turn()
        order.append(f"heavy{i}")  # the stretch: everything up to the next await

    async def other() -> None:
        for _ in range(12):
            order.append("other")
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(heavy(i) for i in range(4)), other())

    asyncio.run(main())
    heavies = [i for i, step in enumerate(order) if step.startswith("heavy")]
    assert sorted(order[i] for i in heavies) == ["heavy0", "heavy1", "heavy2", "heavy3"]
    assert all(b - a > 1 for a, b in itertools.pairwise(heavies)), order  # never two back to back


def test_a_light_request_on_the_loop_holds_heavy_stretches_until_it_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turns, "PRESENT_QUANTUM", 60.0)
    monkeypatch.setattr(lt, "MAX_WAIT", 60.0)
    ran: list[str] = []

    async def heavy() -> None:
        await lt.loop_turns().turn(turns.Presence())
        ran.append("heavy")

    async def main() -> None:
        light = turns.Presence()
        light.start()
        task = asyncio.ensure_future(heavy())
        for _ in range(20):
            await asyncio.sleep(0.001)
        assert ran == []  # the light request is still on the loop
        light.away()  # it waits for its store call now
        await asyncio.wait_for(task, 10)
        assert ran == ["heavy"]
        light.stop()

    asyncio.run(main())
    assert turns.young_spans() == 0


def test_a_light_request_holds_heavy_stretches_for_at_most_max_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turns, "PRESENT_QUANTUM", 60.0)
    monkeypatch.setattr(lt, "MAX_WAIT", 0.01)

    async def main() -> None:
        light = turns.Presence()
        light.start()
        try:
            await asyncio.wait_for(lt.loop_turns().turn(), 10)  # it proceeds though light stays
        finally:
            light.stop()

    asyncio.run(main())


def test_a_requests_own_presence_never_holds_its_heavy_stretch_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turns, "PRESENT_QUANTUM", 60.0)
    monkeypatch.setattr(lt, "MAX_WAIT", 60.0)

    async def main() -> None:
        mine = turns.Presence()
        mine.start()
        try:
            await asyncio.wait_for(lt.loop_turns().turn(mine), 10)
            assert mine.heavy
            assert not turns.light_present()
        finally:
            mine.stop()

    asyncio.run(main())


def test_a_stretch_cancelled_while_waiting_passes_its_turn_on() -> None:
    order: list[str] = []

    async def heavy(name: str) -> None:
        await lt.loop_turns().turn()
        order.append(name)

    async def main() -> None:
        first = asyncio.ensure_future(heavy("first"))
        second = asyncio.ensure_future(heavy("second"))
        third = asyncio.ensure_future(heavy("third"))
        await asyncio.sleep(0)  # all three started in this pass: first holds the baton
        assert lt.loop_turns().waiting == 2
        second.cancel()
        await asyncio.wait_for(asyncio.gather(first, third), 10)
        with pytest.raises(asyncio.CancelledError):
            await second
        assert order == ["first", "third"]
        await asyncio.sleep(0)
        assert lt.loop_turns().waiting == 0
        await asyncio.wait_for(heavy("later"), 10)  # the baton is free again

    asyncio.run(main())
    assert order == ["first", "third", "later"]
