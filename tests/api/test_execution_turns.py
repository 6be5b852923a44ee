"""Long lists are completed in turns (api/graphql/execution.py): other requests run between
the parts, items keep their index in errors, and the answer is the one graphql-core gives."""

from __future__ import annotations

import asyncio

import strawberry

from api.graphql.execution import LIST_TURN, TurnTakingExecutionContext


@strawberry.type
class Item:
    n: int

    @strawberry.field
    def checked(self) -> int:
        if self.n == LIST_TURN * 2 + 3:
            raise ValueError("item failed")
        return self.n * 2


@strawberry.type
class Query:
    @strawberry.field
    def items(self, count: int) -> list[Item]:
        return [Item(n=i) for i in range(count)]


def _doc(count: int, fields: str) -> str:
    return "{ items(count: " + str(count) + ") { " + fields + " } }"


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    return strawberry.Schema(Query), strawberry.Schema(Query, execution_context_class=TurnTakingExecutionContext)


def test_the_answer_and_error_paths_are_graphql_cores() -> None:
    plain, turns = _schemas()
    doc = _doc(LIST_TURN * 4 + 1, "n checked")
    expected = asyncio.run(plain.execute(doc))
    got = asyncio.run(turns.execute(doc))
    assert got.data == expected.data and got.data is None  # the non-null failure nulls the root
    assert [e.path for e in got.errors or []] == [e.path for e in expected.errors or []]
    assert (got.errors or [])[0].path == ["items", LIST_TURN * 2 + 3, "checked"]
    doc = _doc(LIST_TURN * 3, "n")
    assert asyncio.run(turns.execute(doc)).data == asyncio.run(plain.execute(doc)).data


def test_other_work_runs_between_the_parts() -> None:
    """Another task gets the loop once between each part of a long list: three more times
    for a list of four parts than while graphql-core's own executor completes it."""
    plain, turns = _schemas()

    async def scenario() -> tuple[int, int]:
        runs = 0

        async def other() -> None:
            nonlocal runs
            while True:
                runs += 1
                await asyncio.sleep(0)

        task = asyncio.ensure_future(other())
        await asyncio.sleep(0)
        counted = []
        for schema in (turns, plain):
            before = runs
            await schema.execute(_doc(LIST_TURN * 4, "n"))
            counted.append(runs - before)
        task.cancel()
        return counted[0], counted[1]

    with_turns, without = asyncio.run(scenario())
    assert with_turns - without >= 3
