"""The place tree: Province > City > District > Subdistrict > Community > Grid > Compound > Building > Entrance."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql import nav
from api.graphql.connection import Connection
from api.graphql.context import day
from api.graphql.reads import links as L
from api.graphql.types.base import Node, register
from api.graphql.types.enums import OrgLevel, RoleKind, code
from api.graphql.types.refs import (
    BuildingRef,
    CommunityRef,
    CompoundRef,
    EmployerRef,
    EntranceRef,
    GridRef,
    OwnersCommitteeRef,
    PartyOrgRef,
    PersonRef,
    PropertyFirmRef,
    RedStationRef,
    ResidentsCommitteeRef,
    SelfManagementCommitteeRef,
    ServiceCentreRef,
)

BRANCH_LEVELS = ("branch", "general_branch")


def _on(as_of: date | None, current: bool) -> date | None:
    return day(as_of) if current else None


@strawberry.interface(description="A place of the tree (地点): an area or a building or entrance.")
class Place(Node):
    @strawberry.field(description="name (名称)")
    def name(self) -> str:
        return str(self._obj.get("name") or self._obj.id)

    @strawberry.field(description="the kind of place: Province, City, District, Subdistrict, Community, Grid, Compound, Building, Entrance")
    def place_kind(self) -> str:
        return self._obj.kind

    @strawberry.field(description="the place it is part of (上级地点)")
    async def parent(self, info: strawberry.Info) -> Place | None:
        return await nav.one(info, self._obj, L.PARENT)

    @strawberry.field(description="the places one level down (下级地点)")
    async def children(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[Place]:
        return await nav.many(info, self._obj, L.CHILDREN, first, after)

    @strawberry.field(description="party orgs covering this place (覆盖本地点的党组织), current on asOf unless current is false")
    async def covered_by(
        self,
        info: strawberry.Info,
        level: OrgLevel | None = None,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PartyOrgRef]:
        levels = () if level is None else (code(level),)
        return await nav.many(info, self._obj, L.PLACE_COVERED_BY, first, after, on=_on(as_of, current), levels=levels)

    @strawberry.field(description="people appointed to this place (岗位任命): heads, supervisors, liaison cadres")
    async def appointees(
        self,
        info: strawberry.Info,
        role: RoleKind | None = None,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        return await nav.many(info, self._obj, L.PLACE_ROLES, first, after, on=_on(as_of, current), role=code(role))

    @strawberry.field(description="red stations located here (红色驿站)")
    async def red_stations(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[RedStationRef]:
        return await nav.many(info, self._obj, L.PLACE_LOCATED, first, after, labels=("RedStation",))


@register("Province")
@strawberry.type(description="province, autonomous region or municipality (省(自治区、直辖市))")
class Province(Place):
    @strawberry.field(description="administrative division code (行政区划代码)")
    def code(self) -> str | None:
        return self._obj.get("code")


@register("City")
@strawberry.type(description="city (市)")
class City(Place):
    @strawberry.field(description="administrative division code (行政区划代码)")
    def code(self) -> str | None:
        return self._obj.get("code")


@register("District")
@strawberry.type(description="county, district or development zone (县(市、区))")
class District(Place):
    @strawberry.field(description="administrative division code (行政区划代码)")
    def code(self) -> str | None:
        return self._obj.get("code")


@register("Subdistrict")
@strawberry.type(description="subdistrict, 'street' (街道)")
class Subdistrict(Place):
    @strawberry.field(description="its communities (社区)")
    async def communities(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[CommunityRef]:
        return await nav.many(info, self._obj, L.CHILDREN, first, after, labels=("Community",))


@register("Community")
@strawberry.type(description="community (社区)")
class Community(Place):
    @strawberry.field(description="its grids (网格)")
    async def grids(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[GridRef]:
        return await nav.many(info, self._obj, L.CHILDREN, first, after, labels=("Grid",))

    @strawberry.field(description="its residents' committee (居委会)")
    async def residents_committee(self, info: strawberry.Info) -> ResidentsCommitteeRef | None:
        return await nav.one(info, self._obj, L.PLACE_COMMITTEES, labels=("ResidentsCommittee",))

    @strawberry.field(description="employers located here (驻区单位)")
    async def employers(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[EmployerRef]:
        return await nav.many(info, self._obj, L.PLACE_LOCATED, first, after, labels=("Employer",))

    @strawberry.field(description="its party-mass service centre (党群服务中心)")
    async def service_centre(self, info: strawberry.Info) -> ServiceCentreRef | None:
        return await nav.one(info, self._obj, L.PLACE_LOCATED, labels=("ServiceCentre",))

    @strawberry.field(description="members who report here under dual reporting (双报到党员)")
    async def reported_members(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        return await nav.many(
            info, self._obj, L.COMMUNITY_REPORTERS, first, after, on=_on(as_of, current), labels=("Person",)
        )

    @strawberry.field(description="employer party orgs that report here (双报到单位党组织)")
    async def reported_orgs(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PartyOrgRef]:
        return await nav.many(
            info, self._obj, L.COMMUNITY_REPORTERS, first, after, on=_on(as_of, current), labels=("PartyOrg",)
        )


@register("Grid")
@strawberry.type(description="grid (网格)")
class Grid(Place):
    @strawberry.field(description="its compounds (小区)")
    async def compounds(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[CompoundRef]:
        return await nav.many(info, self._obj, L.CHILDREN, first, after, labels=("Compound",))


@strawberry.type(description="the three parties of a compound (三方): residents' committee, owners' side, property firm")
class ThreeParties:
    residents_committee: ResidentsCommitteeRef | None
    owners_committee: OwnersCommitteeRef | None
    self_management_committee: SelfManagementCommitteeRef | None
    property_firms: list[PropertyFirmRef]


@register("Compound")
@strawberry.type(description="residential compound (小区)")
class Compound(Place):
    @strawberry.field(description="address (地址)")
    def address(self) -> str | None:
        return self._obj.get("address")

    @strawberry.field(description="households (户数)")
    def households(self) -> int | None:
        return self._obj.get("households")

    @strawberry.field(description="meets the conditions to form an owners' committee (具备成立业委会条件)")
    def eligible_for_owners_committee(self) -> bool | None:
        return self._obj.get("eligible_for_owners_committee")

    @strawberry.field(description="its buildings (楼栋)")
    async def buildings(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[BuildingRef]:
        return await nav.many(info, self._obj, L.CHILDREN, first, after, labels=("Building",))

    @strawberry.field(description="branches covering the compound or its grid (小区(网格)党支部)")
    async def branches(
        self, info: strawberry.Info, as_of: date | None = None, current: bool = True
    ) -> list[PartyOrgRef]:
        on = _on(as_of, current)
        own = await nav.edges(info, self._obj, L.PLACE_COVERED_BY, on=on, levels=BRANCH_LEVELS)
        grid = await nav.edges(info, self._obj, L.PARENT, labels=("Grid",))  # not a grid-less compound's community
        up = await nav.edges(info, grid[0].node, L.PLACE_COVERED_BY, on=on, levels=BRANCH_LEVELS) if grid else []
        return nav.wrap_unique([e.node for e in own + up])

    @strawberry.field(description="its owners' committee, current on asOf (业委会)")
    async def owners_committee(self, info: strawberry.Info, as_of: date | None = None) -> OwnersCommitteeRef | None:
        return nav.wrap_first(await nav.committees(info, self._obj, "OwnersCommittee", day(as_of)))

    @strawberry.field(description="its self-management committee, current on asOf (自管委)")
    async def self_management_committee(
        self, info: strawberry.Info, as_of: date | None = None
    ) -> SelfManagementCommitteeRef | None:
        return nav.wrap_first(await nav.committees(info, self._obj, "SelfManagementCommittee", day(as_of)))

    @strawberry.field(description="who provides property service (物业服务): firms, committees, community or street")
    async def property_service(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Node]:
        return await nav.many(info, self._obj, L.PLACE_SERVED_BY, first, after, on=_on(as_of, current))

    @strawberry.field(description="the three parties (三方联动) on asOf: residents' committee, owners' side, firms")
    async def three_parties(self, info: strawberry.Info, as_of: date | None = None) -> ThreeParties:
        return await nav.three_parties(info, self._obj, day(as_of), ThreeParties)


@register("Building")
@strawberry.type(description="building (楼栋)")
class Building(Place):
    @strawberry.field(description="resident population (常住人口)")
    def population(self) -> int | None:
        return self._obj.get("residents")

    @strawberry.field(description="the compound it belongs to (所属小区)")
    async def compound(self, info: strawberry.Info) -> CompoundRef | None:
        return await nav.one(info, self._obj, L.PARENT, labels=("Compound",))

    @strawberry.field(description="its entrances (单元)")
    async def entrances(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[EntranceRef]:
        return await nav.many(info, self._obj, L.CHILDREN, first, after, labels=("Entrance",))

    @strawberry.field(description="the people recorded as living here (居住人员); partyMembersOnly for 党员")
    async def residents(
        self,
        info: strawberry.Info,
        party_members_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        labels = ("PartyMember",) if party_members_only else ()
        return await nav.many(info, self._obj, L.RESIDENTS, first, after, labels=labels)

    @strawberry.field(description="party groups covering the building or one of its entrances (楼栋(单元)党小组)")
    async def party_groups(
        self, info: strawberry.Info, as_of: date | None = None, current: bool = True
    ) -> list[PartyOrgRef]:
        return await nav.building_groups(info, self._obj, _on(as_of, current))

    @strawberry.field(description="the building head on asOf (楼栋长)")
    async def head(self, info: strawberry.Info, as_of: date | None = None) -> PersonRef | None:
        return await nav.one(info, self._obj, L.PLACE_ROLES, on=day(as_of), role="building_head")


@register("Entrance")
@strawberry.type(description="entrance, the stairwell section of a building (单元)")
class Entrance(Place):
    @strawberry.field(description="the building it belongs to (所属楼栋)")
    async def building(self, info: strawberry.Info) -> BuildingRef | None:
        return await nav.one(info, self._obj, L.PARENT, labels=("Building",))

    @strawberry.field(description="the people recorded as living in this entrance")
    async def residents(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[PersonRef]:
        return await nav.many(info, self._obj, L.ENTRANCE_RESIDENTS, first, after)

    @strawberry.field(description="the entrance head on asOf (单元长)")
    async def head(self, info: strawberry.Info, as_of: date | None = None) -> PersonRef | None:
        return await nav.one(info, self._obj, L.PLACE_ROLES, on=day(as_of), role="entrance_head")
