"""Party organizations (党组织), employers (单位) and property-service firms (物业服务企业)."""

from __future__ import annotations

import asyncio
from datetime import date

import strawberry

from api.graphql import nav
from api.graphql.connection import Connection
from api.graphql.context import day
from api.graphql.reads import links as L
from api.graphql.types.base import Node, register
from api.graphql.types.enums import EmployerKind, OrgKind, OrgLevel, member
from api.graphql.types.refs import CommunityRef, CompoundRef, PersonRef


def _on(as_of: date | None, current: bool) -> date | None:
    return day(as_of) if current else None


@register("PartyOrg")
@strawberry.type(description="a party organization at any level (党组织): committee, branch, group ...")
class PartyOrg(Node):
    @strawberry.field(description="name (名称)")
    def name(self) -> str:
        return str(self._obj.get("name") or self._obj.id)

    @strawberry.field(description="level (层级)")
    def level(self) -> OrgLevel | None:  # type: ignore[valid-type]
        return member(OrgLevel, self._obj.get("level"))

    @strawberry.field(description="kind (类型): area, employer, firm, joint")
    def org_kind(self) -> OrgKind | None:  # type: ignore[valid-type]
        return member(OrgKind, self._obj.get("kind"))

    @strawberry.field(description="established on (成立日期)")
    def established_on(self) -> date | None:
        return self._obj.get("established_on")

    @strawberry.field(description="the org it is subordinate to (上级党组织)")
    async def parent(self, info: strawberry.Info) -> PartyOrg | None:
        return await nav.one(info, self._obj, L.ORG_PARENT)

    @strawberry.field(description="orgs subordinate to it (下级党组织)")
    async def subordinates(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[PartyOrg]:
        return await nav.many(info, self._obj, L.ORG_CHILDREN, first, after)

    @strawberry.field(description="members whose membership it holds (党员, the work-unit side of 1+1)")
    async def members(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        return await nav.many(info, self._obj, L.ORG_MEMBERS, first, after, on=_on(as_of, current))

    @strawberry.field(description="members registered with it on the residence side (编入居住地党组织的党员)")
    async def residence_members(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        return await nav.many(info, self._obj, L.ORG_RESIDENCE_MEMBERS, first, after, on=_on(as_of, current))

    @strawberry.field(
        description="its residence-side members who currently report to a community under 双报到 (双报到党员)"
    )
    async def dual_reported_members(
        self, info: strawberry.Info, as_of: date | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[PersonRef]:
        on = day(as_of)
        registered = await nav.edges(info, self._obj, L.ORG_RESIDENCE_MEMBERS, on=on)
        reports = await asyncio.gather(*(nav.edges(info, e.node, L.PERSON_REPORTS, on=on) for e in registered))
        kept = [e.node for e, r in zip(registered, reports, strict=True) if r]
        return nav.page_of(info, nav.wrap_unique(kept), first, after)

    @strawberry.field(description="what it covers (覆盖对象): places, firms, employers")
    async def covers(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Node]:
        return await nav.many(info, self._obj, L.ORG_COVERS, first, after, on=_on(as_of, current))

    @strawberry.field(description="communities it reports to (单位党组织双报到)")
    async def reported_to(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CommunityRef]:
        return await nav.many(info, self._obj, L.ORG_REPORTS, first, after, on=_on(as_of, current))

    @strawberry.field(description="its secretary on asOf (书记)")
    async def secretary(self, info: strawberry.Info, as_of: date | None = None) -> PersonRef | None:
        return await nav.one(info, self._obj, L.ORG_ROLES, on=day(as_of), role="secretary")

    @strawberry.field(description="its group leader on asOf (党小组长)")
    async def leader(self, info: strawberry.Info, as_of: date | None = None) -> PersonRef | None:
        return await nav.one(info, self._obj, L.ORG_ROLES, on=day(as_of), role="group_leader")


@register("Employer")
@strawberry.type(description="an employer, 'work unit' (单位)")
class Employer(Node):
    @strawberry.field(description="name (名称)")
    def name(self) -> str:
        return str(self._obj.get("name") or self._obj.id)

    @strawberry.field(description="kind (单位类型)")
    def employer_kind(self) -> EmployerKind | None:  # type: ignore[valid-type]
        return member(EmployerKind, self._obj.get("kind"))

    @strawberry.field(description="unified social credit code (统一社会信用代码)")
    def credit_code(self) -> str | None:
        return self._obj.get("credit_code")

    @strawberry.field(description="the community it is located in (所在社区)")
    async def community(self, info: strawberry.Info) -> CommunityRef | None:
        return await nav.one(info, self._obj, L.EMPLOYER_COMMUNITY)

    @strawberry.field(description="its party orgs (单位党组织)")
    async def party_orgs(
        self, info: strawberry.Info, as_of: date | None = None, current: bool = True
    ) -> list[PartyOrg]:
        found = await nav.edges(info, self._obj, L.EMPLOYER_COVERED_BY, on=_on(as_of, current))
        return nav.wrap_unique(e.node for e in found)

    @strawberry.field(description="people working there (职工)")
    async def staff(
        self,
        info: strawberry.Info,
        party_members_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        labels = ("PartyMember",) if party_members_only else ()
        return await nav.many(info, self._obj, L.EMPLOYER_STAFF, first, after, labels=labels)


@register("PropertyFirm")
@strawberry.type(description="a property-service firm (物业服务企业)")
class PropertyFirm(Node):
    @strawberry.field(description="name (企业名称)")
    def name(self) -> str:
        return str(self._obj.get("name") or self._obj.id)

    @strawberry.field(description="unified social credit code (统一社会信用代码)")
    def credit_code(self) -> str | None:
        return self._obj.get("credit_code")

    @strawberry.field(description="trade union or other mass organization (群团组织)")
    def mass_organization(self) -> str | None:
        return self._obj.get("mass_organization")

    @strawberry.field(description="compounds it serves (服务小区); the edge carries mode, contract and dates")
    async def compounds(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CompoundRef]:
        return await nav.many(info, self._obj, L.FIRM_SERVES, first, after, on=_on(as_of, current))

    @strawberry.field(description="party orgs covering it, own or joint (企业党组织, 组织覆盖)")
    async def party_orgs(
        self, info: strawberry.Info, as_of: date | None = None, current: bool = True
    ) -> list[PartyOrg]:
        found = await nav.edges(info, self._obj, L.FIRM_COVERED_BY, on=_on(as_of, current))
        return nav.wrap_unique(e.node for e in found)

    @strawberry.field(description="people working there (员工)")
    async def staff(
        self,
        info: strawberry.Info,
        party_members_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonRef]:
        labels = ("PartyMember",) if party_members_only else ()
        return await nav.many(info, self._obj, L.FIRM_STAFF, first, after, labels=labels)

    @strawberry.field(description="party-building instructors sent to it (党建工作指导员)")
    async def instructors(
        self, info: strawberry.Info, as_of: date | None = None, current: bool = True
    ) -> list[PersonRef]:
        found = await nav.edges(info, self._obj, L.FIRM_ROLES, on=_on(as_of, current), role="instructor")
        return nav.wrap_unique(e.node for e in found)
