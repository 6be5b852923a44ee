"""How graphql-core completes a response, changed in one place: long lists take turns.

Completing a result (running each field's resolver, checking types, building the response
dict) happens on the event loop, the one thread every request of the process shares. A
heavy request that is allowed (six aliases of ``areaOnePlusOne(first: 100)``: 600 members
with their explanations) gets all of its results back from the store at once and completes
them in one stretch of about 100 ms, during which no other request moves: that stretch was
what still held another user's small query's p99 at 5x its p99 alone (issue 11).

So a list longer than ``LIST_TURN`` items is completed ``LIST_TURN`` items at a time, giving
the loop back in between (``asyncio.sleep(0)``): every other request ready to run goes
first, and the heavy one resumes. The loop is given back only while none of the request's
DataLoaders holds unsent keys (``ScopedData.loads_pending``): a part whose items asked for
nodes is followed at once by the next, so their loads still go in one batch and the round
trips stay those of the query's shape (tests/api/test_graphql_types.py). Items keep their
index in error paths. Lists that ``@stream`` would serve (not enabled here) are left to
graphql-core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

#: Items completed before the loop is given back (about 2 ms of resolvers for a member row).
LIST_TURN = 25


class _Shifted:
    """A list's path whose item keys start at ``offset`` (a later part of a long list)."""

    __slots__ = ("_offset", "_path", "key")

    def __init__(self, path: Path, offset: int) -> None:
        self._path, self._offset, self.key = path, offset, path.key

    def add_key(self, key: str | int, typename: str | None = None) -> Path:
        return self._path.add_key(key + self._offset if isinstance(key, int) else key, typename)


class TurnTakingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        if (
            not isinstance(items, list | tuple)
            or len(items) <= LIST_TURN
            or self.get_stream_usage(field_details_list, path) is not None
        ):
            return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)
        return self._in_turns(item_type, field_details_list, info, path, items, position_context)

    async def _in_turns(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> list[Any]:
        """Complete the parts one after another, then wait for all their async fields at
        once: the async resolvers of every part start together, as graphql-core starts
        those of one list, so their DataLoader keys still go in one batch."""
        data = getattr(self.context_value, "data", None)
        complete = super().complete_iterable_value
        parts: list[Any] = []
        for start in range(0, len(items), LIST_TURN):
            if start and not (data is not None and data.loads_pending()):
                await asyncio.sleep(0)  # everyone else ready to run goes first
            shifted: Any = _Shifted(path, start)
            parts.append(complete(item_type, field_details_list, info, shifted, items[start : start + LIST_TURN], position_context))
        waiting = [i for i, part in enumerate(parts) if self.is_awaitable(part)]
        if waiting:
            settled = await asyncio.gather(*(parts[i] for i in waiting), return_exceptions=True)
            for i, done in zip(waiting, settled, strict=True):
                if isinstance(done, BaseException):
                    raise done  # the first failed part, as graphql-core would raise it; the rest settled
                parts[i] = done
        return [item for part in parts for item in part]
