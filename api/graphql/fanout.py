"""The store's relationship counts as the cost limit sees them, kept fresh off the event loop.

The cost rule (``api/graphql/cost.py``) runs during validation, on the event loop, for every
request: it must not ask the store itself. ``DegreeCache`` keeps the last ``Degrees`` the
store counted and hands them out at once; when they are older than ``max_age`` seconds the
next request starts one recount in a thread (loads and mutations change the counts, and an
estimate half a minute old is still an estimate). Only the very first request of a process,
before any count exists, waits for one (``warm`` does it at server start instead).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from graph.errors import StoreError
from graph.records import Degrees
from graph.store import Store

LOG = logging.getLogger("gongzhi.api")

#: Seconds after which the counts are recounted (in the background) by the next request.
#: Short, so that a load by another process is priced by its own counts soon; until then a
#: label with no counted node is priced at its page sizes, never lower.
MAX_AGE = 30.0


class DegreeCache:
    def __init__(self, store: Callable[[], Store], *, max_age: float = MAX_AGE) -> None:
        self._store = store
        self._max_age = max_age
        self._degrees: Degrees | None = None
        self._taken = 0.0
        self._lock = threading.Lock()
        self._refreshing = False

    def _count(self) -> None:
        try:
            degrees = self._store().degrees()
        except StoreError as exc:  # the estimate falls back to page sizes; the request goes on
            LOG.warning("relationship counts for the cost limit not refreshed: %s", type(exc).__name__)
            degrees = None
        with self._lock:
            if degrees is not None:
                self._degrees, self._taken = degrees, time.monotonic()
            self._refreshing = False

    def warm(self) -> None:
        """Count now, in the calling thread (server start)."""
        with self._lock:
            self._refreshing = True
        self._count()

    def __call__(self) -> Degrees | None:
        """The latest counts (``None`` only if the store could never be counted)."""
        if self._degrees is None:
            self.warm()
            return self._degrees
        with self._lock:
            stale = time.monotonic() - self._taken > self._max_age and not self._refreshing
            if stale:
                self._refreshing = True
        if stale:
            threading.Thread(target=self._count, name="gongzhi-degrees", daemon=True).start()
        return self._degrees
