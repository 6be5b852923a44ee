"""The root ``Query``: nodes by id, who am I, the lists of an area, and the domain questions."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql import listing as lst
from api.graphql.connection import Connection
from api.graphql.context import ctx
from api.graphql.generated.root import GENERATED, resolve
from api.graphql.ids import from_global
from api.graphql.search import SearchQuery
from api.graphql.types.base import Node, label_of_type, wrap
from api.graphql.types.coverage import CoverageQuery
from api.graphql.types.one_plus_one import OnePlusOneQuery
from api.graphql.types.orgs import PartyOrg, PropertyFirm
from api.graphql.types.people import Person
from api.graphql.types.places import Building, Compound, Place

#: The generated namespace type (``api/graphql/generated/``), named for the annotation below.
GraphQuery = GENERATED.graph_query


@strawberry.type(description="the user a request is made for")
class Me:
    user: str
    role: str
    area: Place | None


async def _node(info: strawberry.Info, value: str) -> Node | None:
    type_name, key = from_global(value)
    label = label_of_type(type_name) if type_name else None
    return wrap(await ctx(info).data.node(key, label))


@strawberry.type
class BaseQuery:
    @strawberry.field(description="any object by global id or ledger id (台账编号); null when not found")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="several objects by id, in the order asked; null where not found")
    async def nodes(self, info: strawberry.Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > ctx(info).limits.max_page:
            from api.graphql.errors import ClientError

            raise ClientError(f"at most {ctx(info).limits.max_page} ids")
        return [wrap(o) for o in await ctx(info).data.nodes(from_global(i)[1] for i in ids)]

    @strawberry.field(
        description="every item of the model, generated from it: lists with filters, sorts, counts, "
        "aggregates and groups, compiled to one plan per list (模型查询; docs/api.md)"
    )
    async def graph(self, info: strawberry.Info) -> GraphQuery | None:  # type: ignore[valid-type]
        return await resolve(GENERATED, info)  # type: ignore[return-value]  # a Precompleted response

    @strawberry.field(description="the user of the token, their role and area (辖区)")
    async def me(self, info: strawberry.Info) -> Me:
        p = ctx(info).principal
        return Me(user=p.user, role=p.role.value, area=wrap(await ctx(info).data.node(p.area, "Place")))

    @strawberry.field(description="buildings of an area (default: yours), filtered and sorted (楼栋)")
    async def buildings(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        filter: lst.BuildingFilter | None = None,
        order_by: lst.BuildingSort = lst.BuildingSort.ID,
        descending: bool = False,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Building]:
        return await lst.listing(info, "api.list.buildings", area, filter, order_by, descending, as_of, first, after)

    @strawberry.field(description="compounds of an area, filtered and sorted (小区)")
    async def compounds(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        filter: lst.CompoundFilter | None = None,
        order_by: lst.CompoundSort = lst.CompoundSort.ID,
        descending: bool = False,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Compound]:
        return await lst.listing(info, "api.list.compounds", area, filter, order_by, descending, as_of, first, after)

    @strawberry.field(description="property firms serving compounds of an area, filtered and sorted (物业服务企业)")
    async def property_firms(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        filter: lst.FirmFilter | None = None,
        order_by: lst.FirmSort = lst.FirmSort.ID,
        descending: bool = False,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PropertyFirm]:
        return await lst.listing(info, "api.list.firms", area, filter, order_by, descending, as_of, first, after)

    @strawberry.field(description="party members living in an area, filtered and sorted (党员)")
    async def members(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        filter: lst.MemberFilter | None = None,
        order_by: lst.MemberSort = lst.MemberSort.ID,
        descending: bool = False,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Person]:
        return await lst.listing(info, "api.list.members", area, filter, order_by, descending, as_of, first, after)

    @strawberry.field(description="party orgs anchored in an area, filtered and sorted (党组织)")
    async def party_orgs(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        filter: lst.OrgFilter | None = None,
        order_by: lst.OrgSort = lst.OrgSort.ID,
        descending: bool = False,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PartyOrg]:
        return await lst.listing(info, "api.list.orgs", area, filter, order_by, descending, as_of, first, after)


@strawberry.type(description="the questions of organizers, analysts and dashboards")
class Query(BaseQuery, CoverageQuery, OnePlusOneQuery, SearchQuery):
    pass
