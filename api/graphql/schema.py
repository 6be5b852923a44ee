"""The strawberry schema: root types, every node type, and the extensions that guard it.

``build_schema(limits, dev=False)``: in production (the default) introspection is off and
field suggestions are not shown; in development (``gongzhi serve --dev``) both are on. The
SDL is the same either way (``python -m api.graphql.export`` writes it to schema.graphql).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import strawberry
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
from api.graphql.errors import mask_errors
from api.graphql.limits import DEFAULT_LIMITS, Limits
from api.graphql.mutations.root import Mutation
from api.graphql.query import Query
from api.graphql.types import committees, orgs, people, places


class AuditFlush(SchemaExtension):
    """Names the operation in the audit entries and writes them when the operation ends."""

    def on_operation(self) -> Iterator[None]:
        context: Any = self.execution_context.context
        if hasattr(context, "operation"):
            context.operation = self.execution_context.operation_name
        yield
        if hasattr(context, "flush_audit"):
            context.flush_audit()


#: Every concrete node type (reached through interfaces, so listed for the schema).
NODE_TYPES: list[Any] = [
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


def build_schema(limits: Limits = DEFAULT_LIMITS, *, dev: bool = False) -> strawberry.Schema:
    cost = cost_rule(limits.max_cost, limits.max_page, limits.default_page)
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: AddValidationRules([cost]),
        mask_errors,
        AuditFlush,
    ]
    if not dev:
        extensions.insert(0, DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not dev),
    )
