"""The strawberry schema: root types, every node type, and the extensions that guard it.

``build_schema(limits, dev=False)``: in production (the default) introspection is off and
field suggestions are not shown; in development (``gongzhi serve --dev``) both are on. The
SDL is the same either way (``python -m api.graphql.export`` writes it to schema.graphql).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from api.graphql.cost import cost_rule
from api.graphql.doc_cache import DocumentCache, Documents
from api.graphql.errors import LOG, ClientError, OwnRequestError, Schema, mask_errors
from api.graphql.generated.root import GraphExecutionContext
from api.graphql.limits import DEFAULT_LIMITS, Limits
from api.graphql.mutations.root import Mutation
from api.graphql.query import Query
from api.graphql.types import committees, orgs, people, places
from graph.records import Degrees

SEVERAL_OPERATIONS = "请求含多个操作，须给出 operationName / the document has several operations: send operationName"
AUDIT_FAILED = "审计日志暂不可写，未返回结果，请稍后重试 / the audit log cannot be written; no result was returned, try again"


class AuditFlush(SchemaExtension):
    """Names the operation in the audit entries and writes them before the result leaves.

    The operation is the ``operationName`` the client sent, else the name of the document's
    operation (known once the document is parsed, so it is taken when execution starts).
    When the entries cannot be written the result is withheld: the client gets one generic
    error (no path, no OS message) and the log gets the cause, because an unmasked value may
    only be shown when its reading is on record."""

    def on_execute(self) -> Iterator[None]:
        context: Any = self.execution_context.context
        if hasattr(context, "operation"):
            context.operation = self.execution_context.operation_name
        yield
        if not hasattr(context, "flush_audit"):
            return
        try:
            context.flush_audit()
        except OSError as exc:
            LOG.error("audit log not written (%s: errno %s); the result was withheld", type(exc).__name__, exc.errno)
            result: Any = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [GraphQLError(AUDIT_FAILED, original_error=ClientError(AUDIT_FAILED))]


class OnLoop(SchemaExtension):
    """The request is present (``graph/turns.py``) while its document is parsed, checked and
    executed, except while it waits for the store: heavy store calls step aside meanwhile."""

    def on_operation(self) -> Iterator[None]:
        data = getattr(self.execution_context.context, "data", None)
        presence = getattr(data, "presence", None)
        if presence is not None:
            presence.start()
        try:
            yield
        finally:
            if presence is not None:
                presence.stop()


class OneOperation(SchemaExtension):
    """A document with several operations and no ``operationName`` is refused (GraphQL spec,
    "GetOperation"): strawberry would run the first one. Checked as validation starts (an
    error set then skips the rules), for documents kept by ``DocumentCache`` too: the name
    sent is no part of the document."""

    def on_validate(self) -> Iterator[None]:
        ec: Any = self.execution_context
        document = ec.graphql_document
        if (
            not ec.pre_execution_errors
            and document is not None
            and getattr(ec, "_provided_operation_name", None) is None
            and sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1
        ):
            ec.pre_execution_errors = [OwnRequestError(SEVERAL_OPERATIONS)]
        yield


class LoadNotice(SchemaExtension):
    """``extensions.loadInProgress`` on a response read while a Neo4j load was writing in
    chunks, at the start or at the end of the operation: such a response may show part of that
    load (docs/api.md). Neo4j is asked twice per operation (one small read each); the
    embedded store, whose writes are atomic, is not asked."""

    def __init__(self, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self.seen: dict[str, Any] | None = None

    async def _check(self) -> None:
        context = self.execution_context.context
        store, data = getattr(context, "store", None), getattr(context, "data", None)
        if store is None or data is None or not store.partial_writes or self.seen is not None:
            return  # no thread hop at all on the embedded store
        status = await data.call(_load_status)  # in the user's turn, like every store call
        if status is not None:
            shown = {k: v for k, v in status.as_dict().items() if k not in ("pid", "host")}  # operators' business
            self.seen = {**shown, "message": LOAD_NOTICE}

    async def on_execute(self) -> AsyncIterator[None]:
        await self._check()
        yield
        await self._check()

    def get_results(self) -> dict[str, Any]:
        return {} if self.seen is None else {"loadInProgress": self.seen}


def _load_status(store: Any) -> Any:
    return store.load_in_progress()


LOAD_NOTICE = (
    "一次导入正在分批写入，本次结果可能只包含其中一部分 / a load is being written in chunks: "
    "this result may hold part of it"
)


#: Every concrete node type (reached through interfaces, so listed for the schema).
NODE_TYPES: list[Any] = [
    places.Province,
    places.City,
    places.District,
    places.Subdistrict,
    places.Community,
    places.Grid,
    places.Compound,
    places.Building,
    places.Entrance,
    people.Person,
    orgs.PartyOrg,
    orgs.Employer,
    orgs.PropertyFirm,
    committees.OwnersCommittee,
    committees.SelfManagementCommittee,
    committees.ResidentsCommittee,
    committees.EnvironmentPropertyCommittee,
    committees.ServiceCentre,
    committees.RedStation,
]


def build_schema(
    limits: Limits = DEFAULT_LIMITS, *, dev: bool = False, degrees: Callable[[], Degrees | None] | None = None
) -> strawberry.Schema:
    """``degrees``: the store's relationship counts for the cost limit (``api/graphql/fanout.py``);
    ``None`` prices every nested list at its page size."""
    cost = cost_rule(limits.max_cost, limits.max_page, limits.default_page, degrees)
    documents = Documents(degrees)  # parsed and validated once per text (api/graphql/doc_cache.py)
    extensions: list[Any] = [
        lambda: DocumentCache(documents),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: AddValidationRules([cost]),
        OneOperation,
        mask_errors,
        AuditFlush,
        OnLoop,
        LoadNotice,
    ]
    if not dev:
        extensions.insert(0, DisableIntrospection)
    return Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not dev),
        # graph { } arrives complete (api/graphql/generated/root.py)
        execution_context_class=GraphExecutionContext,
    )
