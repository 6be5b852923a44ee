"""Short work first (graph/turns.py): an old (heavy) call stops computing at its checkpoints
while a young call or a present request runs; youth ends after its quantum whatever the young
work waits for (no deadlock), and code outside ``run_call`` never waits. Progress is counted
in checkpoints passed: while something young runs, an old call passes at most one checkpoint
per ``MAX_WAIT``; otherwise hundreds of thousands in the same span."""

from __future__ import annotations

import threading
import time

import pytest

from graph import turns

SPAN = 0.2
HELD = SPAN / turns.MAX_WAIT + 3  # the most checkpoints an old call passes in SPAN while held


class Heavy:
    """An old call: loops over checkpoints until told to stop, counting them."""

    def __init__(self) -> None:
        self.passed = 0
        self.running = threading.Event()
        self.stop = threading.Event()

    def work(self) -> None:
        turns._local.call.started -= 1000.0  # it has run for long: it is old from the start
        turns._end(turns._local.call)
        self.running.set()
        while not self.stop.is_set():
            turns.checkpoint()
            self.passed += 1

    def passed_during(self, span: float = SPAN) -> int:
        before = self.passed
        time.sleep(span)
        return self.passed - before


@pytest.fixture
def heavy() -> object:
    h = Heavy()
    thread = threading.Thread(target=turns.run_call, args=(h.work,))
    thread.start()
    assert h.running.wait(5)
    yield h
    h.stop.set()
    thread.join(5)
    assert turns.young_spans() == 0


def test_an_old_call_steps_aside_while_a_young_one_runs(heavy: Heavy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turns, "QUANTUM", 60.0)
    free = heavy.passed_during()
    inside: list[int] = []
    turns.run_call(lambda: inside.append(heavy.passed_during()))
    after = heavy.passed_during()
    assert free > 1000 and after > 1000, (free, after)
    assert inside[0] < HELD, inside


def test_youth_ends_after_its_quantum_whatever_the_young_call_waits_for(
    heavy: Heavy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns, "QUANTUM", 0.05)
    inside: list[int] = []

    def blocked() -> None:  # a young call that waits (say, for a lock a heavy reader holds)
        time.sleep(0.1)
        inside.append(heavy.passed_during())

    turns.run_call(blocked)
    assert inside[0] > 1000, inside


def test_a_present_request_holds_old_calls_up_until_it_steps_away(
    heavy: Heavy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns, "PRESENT_QUANTUM", 60.0)
    presence = turns.Presence()
    try:
        presence.start()
        present = heavy.passed_during()
        presence.away()  # waiting for its own store call
        away = heavy.passed_during()
        presence.back()
        back = heavy.passed_during()
        presence.stop()
        presence.back()  # after stop, nothing counts any more
        done = heavy.passed_during()
    finally:
        presence.stop()
    assert present < HELD and back < HELD, (present, back)
    assert away > 1000 and done > 1000, (away, done)


def test_old_calls_do_not_hold_each_other_up(heavy: Heavy) -> None:
    other = Heavy()
    thread = threading.Thread(target=turns.run_call, args=(other.work,))
    thread.start()
    try:
        assert other.running.wait(5)
        assert heavy.passed_during() > 1000 and other.passed_during() > 1000
    finally:
        other.stop.set()
        thread.join(5)


def test_code_outside_run_call_never_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float | None] = []

    class Counting(threading.Condition):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout)
            return super().wait(timeout)

    monkeypatch.setattr(turns, "_cond", Counting())
    monkeypatch.setattr(turns, "QUANTUM", 60.0)
    presence = turns.Presence()
    presence.start()
    try:
        for _ in range(10_000):
            turns.checkpoint()
        inside: list[None] = []
        turns.run_call(lambda: inside.extend(turns.checkpoint() for _ in range(1_000)))
    finally:
        presence.stop()
    assert waits == []  # neither the thread outside nor a young call waits
    assert len(inside) == 1_000


def test_paced_passes_a_checkpoint_before_each_item(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(turns, "checkpoint", lambda: seen.append("checkpoint"))
    for item in turns.paced(["a", "b", "c"]):
        seen.append(item)
    assert seen == ["checkpoint", "a", "checkpoint", "b", "checkpoint", "c"]


def test_a_young_store_call_is_light_work_and_a_heavy_presence_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turns, "PRESENT_QUANTUM", 60.0)
    monkeypatch.setattr(turns, "QUANTUM", 60.0)
    assert not turns.light_present()
    assert turns.run_call(turns.light_present)  # a young call: a heavy loop stretch waits for it
    presence = turns.Presence()
    presence.start()
    assert turns.light_present()
    presence.heavy = True
    assert not turns.light_present()
    presence.stop()
    assert turns.young_spans() == 0
