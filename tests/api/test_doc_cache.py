"""A document is parsed and validated once per text, and checked again after a recount.

``api/graphql/doc_cache.py`` keeps what passed every check; the cost rule's input (the
store's relationship counts) is part of what it was checked against, so a recount that
makes the same text too expensive refuses it, and a refused text is never kept.
"""

from __future__ import annotations

import asyncio
from typing import Any

from api.graphql.schema import build_schema
from graph.records import Degrees
from graph.store import Store
from tests.api.test_cost_from_data import TREE


def _too_expensive(schema: Any) -> bool:
    # no context: a document that passes validation fails at execution, with another error
    result = asyncio.run(schema.execute(TREE))
    return any("too expensive" in e.message for e in result.errors or [])


def test_a_kept_document_skips_validation_until_the_counts_change(street_store: Store) -> None:
    real = street_store.degrees()
    current: dict[str, Degrees | None] = {"counts": real}
    asked: list[int] = []

    def degrees() -> Degrees | None:
        asked.append(1)
        return current["counts"]

    schema = build_schema(degrees=degrees)
    assert not _too_expensive(schema)  # priced by the data: accepted, and kept
    first = len(asked)
    assert not _too_expensive(schema)
    # the cached check asks for the counts only to compare them; the cost rule did not run
    assert len(asked) - first < first

    current["counts"] = None  # a recount that knows nothing: every list priced at its page
    assert _too_expensive(schema)
    assert _too_expensive(schema)  # refused texts are not kept: refused again

    current["counts"] = Degrees(real.labels, real.out, real.into)  # a recount: a new object
    assert not _too_expensive(schema)
