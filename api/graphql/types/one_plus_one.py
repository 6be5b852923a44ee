""""1+1" management and dual reporting (双报到): thin wrappers over ``queries.one_plus_one``.

The member, branch or area asked about must be inside the user's jurisdiction (else
``null``); orgs and places named by the answer are resolved through the scoped data, so one
outside the jurisdiction is ``null`` (its id is not shown, and texts name it as outside).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from api.graphql import redact
from api.graphql.connection import Connection, check_page, window
from api.graphql.context import ctx, day
from api.graphql.ids import key_of
from api.graphql.scope import Obj
from api.graphql.types.base import Node, wrap
from api.graphql.types.coverage import Suggestion
from api.graphql.types.refs import (
    BuildingRef,
    CommunityRef,
    CompoundRef,
    EntranceRef,
    GridRef,
    PartyOrgRef,
    PersonRef,
    PlaceRef,
)
from queries import area_one_plus_one, dual_reporting
from queries import branch_view as q_branch_view
from queries import member_card as q_member_card
from queries.common import AREA_KINDS, MEMBER_STATUSES
from queries.results import OrgSide as OrgSideResult

#: The 1+1 status codes (queries.common.MEMBER_STATUSES); docs/indicators.md says which applies first.
STATUS_DOC = "1+1 status, one of: " + ", ".join(MEMBER_STATUSES) + " (see docs/indicators.md)"


@strawberry.type(description="one side of a member's 1+1: an org and whether it covers where they live")
class OrgSide:
    org: PartyOrgRef | None = strawberry.field(description="null when the org is outside your area")
    covers_home: bool
    places: list[PlaceRef] = strawberry.field(description="what it covers (inside your area)")


@strawberry.type(description="a member's 1+1 card (党员1+1双重管理卡)")
class MemberCard:
    member: PersonRef
    as_of: date
    status: str = strawberry.field(description=STATUS_DOC)
    explanation_zh: str
    explanation_en: str
    building: BuildingRef | None
    entrance: EntranceRef | None
    compound: CompoundRef | None
    grid: GridRef | None
    community: CommunityRef | None
    membership: list[OrgSide] = strawberry.field(description="the work-unit side (组织关系所在党组织)")
    residence: list[OrgSide] = strawberry.field(description="the residence side (居住地党组织)")
    reported_to: list[CommunityRef] = strawberry.field(description="communities reported to (双报到)")


@strawberry.type(description="a member as a branch sees them")
class BranchMember:
    member: PersonRef
    side: str = strawberry.field(description="membership, residence or unregistered")
    status: str = strawberry.field(description=STATUS_DOC)
    covers_home: bool
    building: BuildingRef | None
    compound: CompoundRef | None


@strawberry.type(description="a branch's view (支部视图): own members, residence-side members, unregistered residents")
class BranchView:
    org: PartyOrgRef
    as_of: date
    places: list[Node] = strawberry.field(description="what it currently covers (inside your area)")
    members: list[BranchMember]
    residence_members: list[BranchMember]
    unregistered_residents: list[BranchMember]


@strawberry.type(description="a member whose 1+1 is not complete, explained")
class MemberStatus:
    member: PersonRef
    status: str = strawberry.field(description=STATUS_DOC)
    explanation_zh: str
    explanation_en: str
    membership: list[PartyOrgRef]
    residence: list[PartyOrgRef]
    suggestions: list[Suggestion]


@strawberry.type(description="count of members by 1+1 status")
class StatusCount:
    status: str = strawberry.field(description=STATUS_DOC)
    count: int


@strawberry.type(description="the 1+1 state of an area (区域1+1情况)")
class AreaOnePlusOne:
    area: PlaceRef | None
    as_of: date
    total: int
    by_status: list[StatusCount]
    inconsistent: Connection[MemberStatus] = strawberry.field(description="the members not complete, by id")


@strawberry.type(description="an in-service member or employer org that has not reported where it should")
class ReportStatus:
    subject: Node
    status: str = strawberry.field(description="not_reported or reported_elsewhere")
    should_report_to: list[CommunityRef]
    reported_to: list[CommunityRef]
    explanation_zh: str
    explanation_en: str


@strawberry.type(description="dual reporting in an area (双报到情况)")
class DualReporting:
    area: PlaceRef | None
    as_of: date
    members_total: int
    members_reported: int
    orgs_total: int
    orgs_reported: int
    members: list[ReportStatus]
    orgs: list[ReportStatus]


class Resolver:
    """Turns ids of a domain answer into visible objects, and redacts the rest."""

    def __init__(self, visible: dict[str, Obj], hidden: set[str]) -> None:
        self.visible, self.hidden = visible, hidden

    def one(self, node_id: str | None) -> Any:
        return wrap(self.visible.get(node_id)) if node_id else None

    def many(self, ids: Any) -> list[Any]:
        return [wrap(self.visible[i]) for i in ids if i in self.visible]

    def text(self, value: str) -> str:
        return redact.text(value, self.hidden)


async def resolver(info: Any, ids: Any) -> Resolver:
    data = ctx(info).data
    wanted = {i for i in redact.strings(ids) if i}
    hidden = await data.hidden_ids(wanted)
    objs = await data.nodes(sorted(wanted - hidden))
    return Resolver({o.id: o for o in objs if o is not None}, hidden)


def _side(r: Resolver, s: OrgSideResult) -> OrgSide:
    return OrgSide(org=r.one(s.id), covers_home=s.covers_home, places=r.many(s.places))


async def member_card(info: Any, member: str, as_of: date | None) -> MemberCard | None:
    data = ctx(info).data
    if await data.node(member, "PartyMember") is None:
        return None
    c = await data.call(q_member_card, member, day(as_of))
    sides = [*c.membership, *c.residence]
    r = await resolver(info, [c.id, c.building, c.entrance, c.compound, c.grid, c.community, *c.reported_to,
                              *(s.id for s in sides), *(p for s in sides for p in s.places)])
    return MemberCard(
        member=r.one(c.id), as_of=c.as_of, status=c.status,
        explanation_zh=r.text(c.explanation_zh), explanation_en=r.text(c.explanation_en),
        building=r.one(c.building), entrance=r.one(c.entrance), compound=r.one(c.compound),
        grid=r.one(c.grid), community=r.one(c.community),
        membership=[_side(r, s) for s in c.membership], residence=[_side(r, s) for s in c.residence],
        reported_to=r.many(c.reported_to),
    )


async def branch_view(info: Any, org: str, as_of: date | None) -> BranchView | None:
    data = ctx(info).data
    if await data.node(org, "PartyOrg") is None:
        return None
    v = await data.call(q_branch_view, org, day(as_of))
    everyone = [*v.members, *v.residence_members, *v.unregistered_residents]
    r = await resolver(info, [v.id, *v.places, *((m.id, m.building, m.compound) for m in everyone)])
    await data.heavy()  # a branch's members are built and completed in one stretch: light requests first

    def members(ms: Any) -> list[BranchMember]:
        return [
            BranchMember(member=r.one(m.id), side=m.side, status=m.status, covers_home=m.covers_home,
                         building=r.one(m.building), compound=r.one(m.compound))
            for m in ms if m.id in r.visible
        ]

    return BranchView(
        org=r.one(v.id), as_of=v.as_of, places=r.many(v.places), members=members(v.members),
        residence_members=members(v.residence_members), unregistered_residents=members(v.unregistered_residents),
    )


async def _area(info: Any, area: strawberry.ID | None) -> str | None:
    c = ctx(info)
    obj = await c.data.node(key_of(area) if area is not None else c.principal.area, "Place")
    return obj.id if obj is not None and obj.kind in AREA_KINDS else None


@strawberry.type
class OnePlusOneQuery:
    @strawberry.field(description="a member's 1+1 card (党员1+1双重管理卡); null if not a member in your area")
    async def member_card(
        self, info: strawberry.Info, member: strawberry.ID, as_of: date | None = None
    ) -> MemberCard | None:
        return await member_card(info, key_of(member), as_of)

    @strawberry.field(description="a branch's view (支部视图); null if not an org in your area")
    async def branch_view(self, info: strawberry.Info, org: strawberry.ID, as_of: date | None = None) -> BranchView | None:
        return await branch_view(info, key_of(org), as_of)

    @strawberry.field(description="the 1+1 state of an area with its inconsistent members (区域1+1)")
    async def area_one_plus_one(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AreaOnePlusOne | None:
        start, size = check_page(first, after, ctx(info).limits)
        key = await _area(info, area)
        if key is None:
            return None
        a = await ctx(info).data.call(area_one_plus_one, key, day(as_of), start=start, size=size)
        page = list(a.members)  # only this page is explained (the counts are the whole area's)
        inconsistent = sum(a.by_status.values()) - a.by_status["complete"]
        r = await resolver(
            info,
            [key, *((m.id, *m.membership, *m.residence, *(s.id for s in m.suggestions)) for m in page)],
        )
        await ctx(info).data.heavy()  # hundreds of explained members in one stretch: light requests first
        statuses = [
            MemberStatus(
                member=r.one(m.id), status=m.status, explanation_zh=r.text(m.explanation_zh),
                explanation_en=r.text(m.explanation_en), membership=r.many(m.membership),
                residence=r.many(m.residence),
                suggestions=[
                    Suggestion(candidate=r.one(s.id), kind=s.kind, reason=s.reason, why_zh=r.text(s.why_zh),
                               why_en=r.text(s.why_en), rank=s.rank, via=r.one(s.via))
                    for s in m.suggestions if s.id in r.visible
                ],
            )
            for m in page if m.id in r.visible
        ]
        return AreaOnePlusOne(
            area=r.one(key), as_of=a.as_of, total=a.total,
            by_status=[StatusCount(status=k, count=v) for k, v in a.by_status.items()],
            inconsistent=window(statuses, start, size, inconsistent, lambda x: x),
        )

    @strawberry.field(description="dual reporting in an area (双报到): who has not reported where they should")
    async def dual_reporting(
        self, info: strawberry.Info, area: strawberry.ID | None = None, as_of: date | None = None
    ) -> DualReporting | None:
        key = await _area(info, area)
        if key is None:
            return None
        d = await ctx(info).data.call(dual_reporting, key, day(as_of))
        everyone = [*d.members, *d.orgs]
        r = await resolver(info, [key, *((s.id, *s.should_report_to, *s.reported_to) for s in everyone)])
        await ctx(info).data.heavy()

        def statuses(items: Any) -> list[ReportStatus]:
            return [
                ReportStatus(subject=r.one(s.id), status=s.status, should_report_to=r.many(s.should_report_to),
                             reported_to=r.many(s.reported_to), explanation_zh=r.text(s.explanation_zh),
                             explanation_en=r.text(s.explanation_en))
                for s in items if s.id in r.visible
            ]

        return DualReporting(
            area=r.one(key), as_of=d.as_of, members_total=d.members_total, members_reported=d.members_reported,
            orgs_total=d.orgs_total, orgs_reported=d.orgs_reported, members=statuses(d.members), orgs=statuses(d.orgs),
        )
