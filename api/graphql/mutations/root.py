"""The root ``Mutation``: the everyday organizer actions, each validated by the loaders' rules
and written in one transaction, scoped to the user's area, answering a typed result union.

Allowed to organizers, officers and admins (viewers get ``NotAllowed``). Every id named must
lie in the user's area (else ``NotFound``). Dates: ``since`` is the first day of a fact,
``on`` in an end mutation its last day; a replaced holder's last day is the day before.
"""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql.mutations import compounds, orgs, people


@strawberry.type(description="the everyday changes organizers record (日常变动)")
class Mutation:
    @strawberry.mutation(description="register a person or member, or replace their whole record (登记人员/党员)")
    async def register_person(self, info: strawberry.Info, person: people.PersonInput) -> people.PersonResult:
        return await people.register_person(info, person)

    @strawberry.mutation(description="change some fields of a person (修改人员信息)")
    async def update_person(
        self, info: strawberry.Info, id: strawberry.ID, patch: people.PersonPatch
    ) -> people.PersonResult:
        return await people.update_person(info, id, patch)

    @strawberry.mutation(description="transfer a membership: end the current ones the day before, start the new (组织关系转接)")
    async def transfer_membership(
        self, info: strawberry.Info, member: strawberry.ID, to_org: strawberry.ID, on: date
    ) -> people.MembershipResult:
        return await people.transfer_membership(info, member, to_org, on)

    @strawberry.mutation(description="record a dual report of a member or an employer org to a community (双报到)")
    async def record_dual_report(
        self, info: strawberry.Info, reporter: strawberry.ID, community: strawberry.ID, since: date
    ) -> people.DualReportResult:
        return await people.record_dual_report(info, reporter, community, since)

    @strawberry.mutation(description="end a dual report; on is its last day")
    async def end_dual_report(
        self, info: strawberry.Info, reporter: strawberry.ID, community: strawberry.ID, on: date
    ) -> people.DualReportResult:
        return await people.end_dual_report(info, reporter, community, on)

    @strawberry.mutation(description="form a party group for one or several buildings and appoint its leader (组建楼栋党小组)")
    async def form_party_group(self, info: strawberry.Info, group: orgs.PartyGroupInput) -> orgs.PartyGroupResult:
        return await orgs.form_party_group(info, group)

    @strawberry.mutation(description="appoint or replace the building head (楼栋长)")
    async def appoint_building_head(
        self, info: strawberry.Info, building: strawberry.ID, person: strawberry.ID, since: date
    ) -> orgs.AppointmentResult:
        return await orgs.appoint(info, "building_head", building, person, since, replace=True)

    @strawberry.mutation(description="appoint or replace the entrance head (单元长)")
    async def appoint_entrance_head(
        self, info: strawberry.Info, entrance: strawberry.ID, person: strawberry.ID, since: date
    ) -> orgs.AppointmentResult:
        return await orgs.appoint(info, "entrance_head", entrance, person, since, replace=True)

    @strawberry.mutation(description="send a party-building instructor to a firm (党建工作指导员)")
    async def appoint_instructor(
        self, info: strawberry.Info, firm: strawberry.ID, person: strawberry.ID, since: date
    ) -> orgs.AppointmentResult:
        return await orgs.appoint(info, "instructor", firm, person, since, replace=False)

    @strawberry.mutation(description="appoint or replace a compound's quality supervisor (物业服务质量监督员)")
    async def appoint_quality_supervisor(
        self, info: strawberry.Info, compound: strawberry.ID, person: strawberry.ID, since: date
    ) -> orgs.AppointmentResult:
        return await orgs.appoint(info, "quality_supervisor", compound, person, since, replace=True)

    @strawberry.mutation(description="appoint a liaison cadre to a compound or grid (包联干部)")
    async def appoint_liaison(
        self, info: strawberry.Info, target: strawberry.ID, person: strawberry.ID, since: date
    ) -> orgs.AppointmentResult:
        return await orgs.appoint(info, "liaison", target, person, since, replace=False)

    @strawberry.mutation(description="end an appointment; on is its last day (免职)")
    async def end_appointment(
        self, info: strawberry.Info, role: orgs.Appointable, target: strawberry.ID, person: strawberry.ID, on: date
    ) -> orgs.AppointmentResult:
        return await orgs.end_appointment(info, str(role.value), target, person, on)

    @strawberry.mutation(description="record an owners' or self-management committee election: seats, roles, term (换届选举)")
    async def record_committee_election(
        self, info: strawberry.Info, election: compounds.ElectionInput
    ) -> compounds.ElectionResult:
        return await compounds.record_election(info, election)

    @strawberry.mutation(description="sign a property-service contract between a firm and a compound (签订物业服务合同)")
    async def sign_property_contract(
        self,
        info: strawberry.Info,
        firm: strawberry.ID,
        compound: strawberry.ID,
        since: date,
        until: date | None = None,
        contract_no: str | None = None,
    ) -> compounds.ContractResult:
        return await compounds.sign_contract(info, firm, compound, since, until, contract_no)

    @strawberry.mutation(description="end a property-service contract; on is its last day (终止物业服务合同)")
    async def end_property_contract(
        self, info: strawberry.Info, firm: strawberry.ID, compound: strawberry.ID, on: date
    ) -> compounds.ContractResult:
        return await compounds.end_contract(info, firm, compound, on)
