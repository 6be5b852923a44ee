"""Every domain query, registered once by name.

The registry is what the tests walk: each query must have both sides (a Cypher text and a
callable networkx twin), its Cypher must take every value as a parameter, and on generated
data both stores must return the same rows (tests/queries/). Nothing outside ``queries/``
should build Cypher for domain questions.
"""

from __future__ import annotations

from graph.query import Query
from queries import areas, one_plus_one
from queries.indicators import INDICATORS


def _collect() -> dict[str, Query]:
    found: list[Query] = [*areas.QUERIES, *one_plus_one.QUERIES]
    for ind in INDICATORS.values():
        found.extend(ind.queries)
    registry: dict[str, Query] = {}
    for q in found:
        if q.name in registry:
            raise RuntimeError(f"two queries are registered as {q.name!r}")
        registry[q.name] = q
    return registry


#: Every query by name.
QUERIES: dict[str, Query] = _collect()


def get(name: str) -> Query:
    from graph.errors import NotFound

    try:
        return QUERIES[name]
    except KeyError:
        raise NotFound(f"no query named {name!r}", message_zh=f"没有名为 {name} 的查询") from None
