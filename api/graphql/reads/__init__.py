"""Every read of the GraphQL API, registered once by name.

Like ``queries/registry.py`` for the domain questions, each read is a ``graph.query.Query``:
a Cypher constant taking its values as parameters, beside its networkx twin. The API's tests
hold every one to the registry's rules and run each on both stores
(tests/api/test_graphql_reads.py). Besides these the API calls the domain functions of
``queries/`` (coverage, gaps, 1+1, dual reporting), which run registered queries of their own.
"""

from __future__ import annotations

from api.graphql.reads import links, lists, nodes
from graph.query import Query


def _collect() -> dict[str, Query]:
    found = [*nodes.QUERIES, *links.QUERIES.values(), *lists.QUERIES]
    registry: dict[str, Query] = {}
    for q in found:
        if q.name in registry:
            raise RuntimeError(f"two API reads are registered as {q.name!r}")
        registry[q.name] = q
    return registry


#: Every API read by name.
READS: dict[str, Query] = _collect()
