"""Committees (业委会, 自管委, 居委会, 环境和物业管理委员会) and service sites (党群服务中心, 红色驿站)."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql import nav
from api.graphql.connection import Connection
from api.graphql.context import day
from api.graphql.reads import links as L
from api.graphql.types.base import Node, register
from api.graphql.types.enums import SeatRole, code
from api.graphql.types.refs import CommunityRef, CompoundRef, PersonRef, PlaceRef


@strawberry.interface(description="a committee with a term (委员会)")
class Committee(Node):
    @strawberry.field(description="name (名称)")
    def name(self) -> str:
        return str(self._obj.get("name") or self._obj.id)

    @strawberry.field(description="elected or set up on (成立(当选)日期)")
    def since(self) -> date | None:
        return self._obj.get("since")

    @strawberry.field(description="term ends (任期届满日期)")
    def until(self) -> date | None:
        return self._obj.get("until")

    @strawberry.field(description="whether its term is current on asOf (today by default)")
    def is_current(self, as_of: date | None = None) -> bool:
        return nav.current_node(self._obj, day(as_of))

    @strawberry.field(description="its seats (委员); the edge carries the role and the seat's dates")
    async def seats(
        self,
        info: strawberry.Info,
        role: SeatRole | None = None,  # type: ignore[valid-type]
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        on = day(as_of) if current else None
        return await nav.many(info, self._obj, L.COMMITTEE_SEATS, first, after, on=on, role=code(role))


@register("OwnersCommittee")
@strawberry.type(description="owners' committee (业委会)")
class OwnersCommittee(Committee):
    @strawberry.field(description="its compound (所属小区)")
    async def compound(self, info: strawberry.Info) -> CompoundRef | None:
        return await nav.one(info, self._obj, L.COMMITTEE_OF, labels=("Compound",))


@register("SelfManagementCommittee")
@strawberry.type(description="self-management committee (自管委)")
class SelfManagementCommittee(Committee):
    @strawberry.field(description="its compound (所属小区)")
    async def compound(self, info: strawberry.Info) -> CompoundRef | None:
        return await nav.one(info, self._obj, L.COMMITTEE_OF, labels=("Compound",))


@register("ResidentsCommittee")
@strawberry.type(description="residents' committee (居委会)")
class ResidentsCommittee(Committee):
    @strawberry.field(description="its community (所属社区)")
    async def community(self, info: strawberry.Info) -> CommunityRef | None:
        return await nav.one(info, self._obj, L.COMMITTEE_OF, labels=("Community",))

    @strawberry.field(description="its environment and property management committee (环境和物业管理委员会)")
    async def environment_property_committee(self, info: strawberry.Info) -> EnvironmentPropertyCommittee | None:
        return await nav.one(info, self._obj, L.COMMITTEE_SUBCOMMITTEES, labels=("EnvironmentPropertyCommittee",))


@register("EnvironmentPropertyCommittee")
@strawberry.type(description="environment and property management committee (环境和物业管理委员会)")
class EnvironmentPropertyCommittee(Committee):
    @strawberry.field(description="the residents' committee it belongs to (所属居委会)")
    async def residents_committee(self, info: strawberry.Info) -> ResidentsCommittee | None:
        return await nav.one(info, self._obj, L.COMMITTEE_OF, labels=("ResidentsCommittee",))


@strawberry.interface(description="a service site (服务阵地)")
class Site(Node):
    @strawberry.field(description="name (名称)")
    def name(self) -> str:
        return str(self._obj.get("name") or self._obj.id)

    @strawberry.field(description="in use since (启用日期)")
    def since(self) -> date | None:
        return self._obj.get("since")


@register("ServiceCentre")
@strawberry.type(description="party-mass service centre (党群服务中心)")
class ServiceCentre(Site):
    @strawberry.field(description="where it is (所在位置)")
    async def place(self, info: strawberry.Info) -> PlaceRef | None:
        return await nav.one(info, self._obj, L.CENTRE_PLACE)


@register("RedStation")
@strawberry.type(description="red station (红色驿站)")
class RedStation(Site):
    @strawberry.field(description="where it is (所在位置)")
    async def place(self, info: strawberry.Info) -> PlaceRef | None:
        return await nav.one(info, self._obj, L.STATION_PLACE)
