"""People (人员) and party members (党员): personal fields masked by role (api/graphql/personal.py)."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql import nav, personal
from api.graphql.connection import Connection
from api.graphql.context import day
from api.graphql.reads import links as L
from api.graphql.types.base import Node, register
from api.graphql.types.enums import Gender, PoliticalStatus, RoleKind, code, member
from api.graphql.types.refs import (
    BuildingRef,
    CommitteeRef,
    CommunityRef,
    EntranceRef,
    PartyOrgRef,
)


def _on(as_of: date | None, current: bool) -> date | None:
    return day(as_of) if current else None


@register("Person")
@strawberry.type(description="a person who matters to governance (人员); party members carry isPartyMember")
class Person(Node):
    @strawberry.field(description="name (姓名): masked (张*) for viewers; shown to other roles, audited")
    def name(self, info: strawberry.Info) -> str:
        return personal.name(info, self._obj.id, self._obj.get("name")) or ""

    @strawberry.field(description="mobile (手机号): masked unless an officer or admin gives a reason (audited)")
    def phone(self, info: strawberry.Info, reason: str | None = None) -> str | None:
        return personal.sensitive(info, self._obj.id, "phone", self._obj.get("phone"), reason)

    @strawberry.field(description="ID-card number (身份证号): masked unless an officer or admin gives a reason (audited)")
    def id_number(self, info: strawberry.Info, reason: str | None = None) -> str | None:
        return personal.sensitive(info, self._obj.id, "id_number", self._obj.get("id_number"), reason)

    @strawberry.field(description="gender (性别)")
    def gender(self) -> Gender | None:  # type: ignore[valid-type]
        return member(Gender, self._obj.get("gender"))

    @strawberry.field(description="political status (政治面貌)")
    def political_status(self) -> PoliticalStatus | None:  # type: ignore[valid-type]
        return member(PoliticalStatus, self._obj.get("political_status"))

    @strawberry.field(description="a party member, full or probationary (党员)")
    def is_party_member(self) -> bool:
        return self._obj.has("PartyMember")

    @strawberry.field(description="in-service (在职)")
    def in_service(self) -> bool | None:
        return self._obj.get("in_service")

    @strawberry.field(description="owner of their home (业主)")
    def is_owner(self) -> bool | None:
        return self._obj.get("is_owner")

    @strawberry.field(description="date of joining the party (入党日期)")
    def joined_on(self) -> date | None:
        return self._obj.get("joined_on")

    @strawberry.field(description="skills (特长)")
    def skills(self) -> str | None:
        return self._obj.get("skills")

    @strawberry.field(description="the building they live in (居住楼栋)")
    async def building(self, info: strawberry.Info) -> BuildingRef | None:
        return await nav.one(info, self._obj, L.PERSON_HOME)

    @strawberry.field(description="the entrance they live in (居住单元)")
    async def entrance(self, info: strawberry.Info) -> EntranceRef | None:
        return await nav.one(info, self._obj, L.PERSON_ENTRANCE)

    @strawberry.field(description="their work unit (工作单位): an Employer or a PropertyFirm")
    async def workplace(self, info: strawberry.Info) -> Node | None:
        return await nav.one(info, self._obj, L.PERSON_WORKPLACE)

    @strawberry.field(description="membership branches (组织关系所在党组织), the work-unit side of 1+1")
    async def memberships(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PartyOrgRef]:
        return await nav.many(info, self._obj, L.PERSON_MEMBERSHIPS, first, after, on=_on(as_of, current))

    @strawberry.field(description="residence-side branches or groups (居住地党组织), the residence side of 1+1")
    async def residence_branches(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PartyOrgRef]:
        return await nav.many(info, self._obj, L.PERSON_RESIDENCE, first, after, on=_on(as_of, current))

    @strawberry.field(description="communities they report to (双报到)")
    async def dual_reports(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CommunityRef]:
        return await nav.many(info, self._obj, L.PERSON_REPORTS, first, after, on=_on(as_of, current))

    @strawberry.field(description="committees they hold a seat on (委员会任职); the edge carries the role")
    async def committees(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CommitteeRef]:
        return await nav.many(info, self._obj, L.PERSON_SEATS, first, after, on=_on(as_of, current))

    @strawberry.field(description="what they are appointed to (岗位任命); the edge carries the role")
    async def appointments(
        self,
        info: strawberry.Info,
        role: RoleKind | None = None,  # type: ignore[valid-type]
        as_of: date | None = None,
        current: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Node]:
        return await nav.many(
            info, self._obj, L.PERSON_ROLES, first, after, on=_on(as_of, current), role=code(role)
        )
