"""Parsed and validated documents kept per query text, so a repeated request skips both.

Clients send the same few documents again and again (the dashboard's, the bench's), with
other variables. Parsing and validating one of a hundred fields took 40-60 ms of the
server's CPU per request on the shared 2-core machine (cProfile, figure 10's compound
request): graphql-core's visitor over every rule, the cost rule's walk included, more than
the compiled read itself. Neither depends on the variables or on the user: the rules see
the document and the schema only, and the cost rule the store's relationship counts
(``api/graphql/fanout.py``), which are part of the key (a recount makes every document be
checked again against the new counts). Only documents that parsed and validated without an
error are kept, in a bounded LRU: a client cannot fill memory with failing or unique texts
beyond ``MAX_DOCUMENTS``; a refused document is checked again each time, with the same
answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

from graph.records import Degrees

#: Documents kept per schema (each a parsed AST of a few hundred kilobytes at most).
MAX_DOCUMENTS = 256


class Documents:
    """The LRU of one schema: query text (and parse options) -> (document, counts it was
    validated against)."""

    def __init__(self, degrees: Callable[[], Degrees | None] | None, size: int = MAX_DOCUMENTS) -> None:
        self._degrees = degrees
        self._size = size
        self._lock = threading.Lock()
        self._docs: OrderedDict[tuple[str, tuple[tuple[str, Any], ...]], tuple[DocumentNode, object]] = OrderedDict()

    def counts(self) -> object:
        """What the cost rule prices with now (the object itself: a recount is a new one)."""
        return self._degrees() if self._degrees is not None else None

    def get(self, key: tuple[str, tuple[tuple[str, Any], ...]]) -> tuple[DocumentNode, object] | None:
        with self._lock:
            hit = self._docs.get(key)
            if hit is not None:
                self._docs.move_to_end(key)
            return hit

    def put(self, key: tuple[str, tuple[tuple[str, Any], ...]], doc: DocumentNode, counts: object) -> None:
        with self._lock:
            self._docs[key] = (doc, counts)
            self._docs.move_to_end(key)
            while len(self._docs) > self._size:
                self._docs.popitem(last=False)


class DocumentCache(SchemaExtension):
    """Hands strawberry the cached document (parsing skipped) and, when it was validated
    against the counts in force, no validation errors (validation skipped); stores what
    passed both."""

    def __init__(self, documents: Documents, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self.documents = documents
        self.key: tuple[str, tuple[tuple[str, Any], ...]] | None = None
        self.hit: tuple[DocumentNode, object] | None = None

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.query and ec.graphql_document is None:
            self.key = (ec.query, tuple(sorted(ec.parse_options.items())))
            self.hit = self.documents.get(self.key)
            if self.hit is not None:
                ec.graphql_document = self.hit[0]
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        counts = self.documents.counts()
        if self.hit is not None and self.hit[1] is counts and ec.pre_execution_errors is None:
            ec.pre_execution_errors = []  # validated before, against these counts
            yield
            return
        yield
        if self.key is not None and ec.graphql_document is not None and ec.pre_execution_errors == []:
            self.documents.put(self.key, ec.graphql_document, counts)
