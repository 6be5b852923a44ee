"""People and members: register or update a person, transfer a membership, dual reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from api.graphql.context import ctx
from api.graphql.mutations.common import day_before, existing, find, fresh_id, request_id, run, write
from api.graphql.mutations.results import InvalidInput, NotAllowed, NotFound, Unavailable, invalid
from api.graphql.reads import links as L
from api.graphql.scope import Obj
from api.graphql.types.base import wrap
from api.graphql.types.enums import Gender, PoliticalStatus, code
from api.graphql.types.people import Person
from api.graphql.types.refs import CommunityRef, PartyOrgRef

PERSON_FIELDS = ("name", "gender", "id_number", "phone", "is_owner", "political_status", "in_service", "joined_on", "skills")


@strawberry.input(description="a person as the persons table holds them (人员)")
class PersonInput:
    id: str | None = strawberry.field(
        default=None,
        description="an existing person of your area to register again (their whole record is replaced); "
        "a new person's id is made by the server",
    )
    request_key: str | None = strawberry.field(
        default=None,
        description="any text of yours naming this request: the same key again finds the person it made (idempotent retry)",
    )
    name: str
    political_status: PoliticalStatus  # type: ignore[valid-type]
    building: strawberry.ID = strawberry.field(description="the building they live in (居住楼栋)")
    entrance: strawberry.ID | None = None
    gender: Gender | None = None  # type: ignore[valid-type]
    id_number: str | None = None
    phone: str | None = None
    is_owner: bool | None = None
    in_service: bool | None = None
    employer: strawberry.ID | None = strawberry.field(default=None, description="work unit: Employer or PropertyFirm")
    joined_on: date | None = None
    skills: str | None = None


@strawberry.input(description="changes to a person; a field left out keeps its value, null clears it")
class PersonPatch:
    name: str | None = strawberry.UNSET
    political_status: PoliticalStatus | None = strawberry.UNSET  # type: ignore[valid-type]
    building: strawberry.ID | None = strawberry.UNSET
    entrance: strawberry.ID | None = strawberry.UNSET
    gender: Gender | None = strawberry.UNSET  # type: ignore[valid-type]
    id_number: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    is_owner: bool | None = strawberry.UNSET
    in_service: bool | None = strawberry.UNSET
    employer: strawberry.ID | None = strawberry.UNSET
    joined_on: date | None = strawberry.UNSET
    skills: str | None = strawberry.UNSET


@strawberry.type(description="the person as stored after the change")
class PersonPayload:
    person: Person | None
    changed: bool = strawberry.field(description="false when the store already held exactly this")


@strawberry.type(description="a member's memberships after a transfer")
class MembershipPayload:
    member: Person | None
    org: PartyOrgRef | None
    changed: bool


@strawberry.type(description="a dual report (双报到) after the change")
class DualReportPayload:
    reporter: Person | None = strawberry.field(description="the reporting member (null when an org reported)")
    reporting_org: PartyOrgRef | None
    community: CommunityRef | None
    changed: bool


def _result(name: str, payload: type) -> Any:
    return Annotated[payload | InvalidInput | NotFound | NotAllowed | Unavailable, strawberry.union(name)]


PersonResult = _result("PersonResult", PersonPayload)
MembershipResult = _result("MembershipResult", MembershipPayload)
DualReportResult = _result("DualReportResult", DualReportPayload)


def _code(value: Any) -> Any:
    return code(value) if hasattr(value, "value") else value


async def _refs(info: Any, building: Any, entrance: Any, employer: Any) -> dict[str, str | None]:
    """The REF cells of a person row, each a visible node of the right kind."""
    return {
        "building_id": (await find(info, building, "Building")).id,
        "entrance_id": None if entrance is None else (await find(info, entrance, "Entrance")).id,
        "employer_id": None if employer is None else (await find(info, employer, "Employer", "PropertyFirm")).id,
    }


async def _payload(info: Any, key: str, changed: bool) -> PersonPayload:
    return PersonPayload(person=wrap(await ctx(info).data.node(key)), changed=changed)


async def register_person(info: Any, person: PersonInput) -> Any:
    async def work() -> PersonPayload:
        # no personal value goes into a generated id; a request key makes a retry idempotent
        found = await existing(info, person.id, "Person")
        key = found.id if found is not None else request_id(info, "R", person.request_key)
        if found is None:
            await fresh_id(info, key, "Person")
        row = {
            "id": key,
            **{f: _code(getattr(person, f)) for f in PERSON_FIELDS},
            **await _refs(info, person.building, person.entrance, person.employer),
        }
        written = await write(info, [("persons", row)])
        return await _payload(info, key, written.changed)

    return await run(info, work)


async def _current_row(info: Any, obj: Obj) -> dict[str, Any]:
    data = ctx(info).data
    row: dict[str, Any] = {"id": obj.id, **{f: obj.get(f) for f in PERSON_FIELDS}}
    for column, link in (("building_id", L.PERSON_HOME), ("entrance_id", L.PERSON_ENTRANCE), ("employer_id", L.PERSON_WORKPLACE)):
        edges = await data.own_links(link, obj.id)
        row[column] = edges[0].node.id if edges else None
    return row


async def update_person(info: Any, id: strawberry.ID, patch: PersonPatch) -> Any:
    async def work() -> PersonPayload:
        obj = await find(info, id, "Person")
        row = await _current_row(info, obj)
        for f in PERSON_FIELDS:
            value = getattr(patch, f)
            if value is not strawberry.UNSET:
                row[f] = _code(value)
        for field, column, labels in (
            ("building", "building_id", ("Building",)),
            ("entrance", "entrance_id", ("Entrance",)),
            ("employer", "employer_id", ("Employer", "PropertyFirm")),
        ):
            value = getattr(patch, field)
            if value is not strawberry.UNSET:
                row[column] = None if value is None else (await find(info, value, *labels)).id
        written = await write(info, [("persons", row)])
        return await _payload(info, obj.id, written.changed)

    return await run(info, work)


async def transfer_membership(info: Any, member: strawberry.ID, to_org: strawberry.ID, on: date) -> Any:
    """End the member's current memberships the day before ``on`` and start one in ``to_org``.

    ``on`` must come after the start of every membership the member has had: a transfer dated
    before a later membership began would leave that one open beside the new one (two current
    orgs) or rewrite the end of a closed one."""

    async def work() -> MembershipPayload:
        person = await find(info, member, "PartyMember")
        org = await find(info, to_org, "PartyOrg")
        rows: list[tuple[str, dict[str, Any]]] = []
        links = await ctx(info).data.own_links(L.PERSON_MEMBERSHIPS, person.id)
        current = [e for e in links if e.current(on)]
        if not any(e.node.id == org.id for e in current):
            started = [(since, e) for e in links if (since := e.rel.get("since")) is not None and since >= on]
            if started:
                since, latest = max(started, key=lambda p: (p[0], p[1].node.id))
                raise await _late_transfer(info, latest.node, since)
            for e in current:
                rows.append(("memberships", {"person_id": person.id, "org_id": e.node.id, **e.rel, "until": day_before(on)}))
            rows.append(("memberships", {"person_id": person.id, "org_id": org.id, "since": on}))
        changed = (await write(info, rows)).changed if rows else False
        data = ctx(info).data
        return MembershipPayload(member=wrap(await data.node(person.id)), org=wrap(await data.node(org.id)), changed=changed)

    return await run(info, work)


async def _late_transfer(info: Any, org: Obj, since: date) -> Exception:
    """The refusal of a transfer dated on or before a membership's start. The org is named only
    when the user may see it: a member's branch elsewhere stays unnamed."""
    if await ctx(info).data.visible(org) is None:
        where, where_zh = "a membership", "一项组织关系"
    else:
        where, where_zh = f"the membership in {org.id}", f"在 {org.id} 的组织关系"
    return invalid(
        f"{where} starts on {since}: transfer on a later day",
        f"{where_zh}自 {since} 起，转接日期须晚于此日",
        field="on",
    )


async def _reporter(info: Any, reporter: strawberry.ID) -> Obj:
    return await find(info, reporter, "PartyMember", "PartyOrg")


async def _report_payload(info: Any, reporter: Obj, community: Obj, changed: bool) -> DualReportPayload:
    data = ctx(info).data
    node = wrap(await data.node(reporter.id))
    person = node if reporter.has("Person") else None
    org = node if reporter.has("PartyOrg") else None
    return DualReportPayload(reporter=person, reporting_org=org, community=wrap(await data.node(community.id)), changed=changed)


async def record_dual_report(info: Any, reporter: strawberry.ID, community: strawberry.ID, since: date) -> Any:
    async def work() -> DualReportPayload:
        who = await _reporter(info, reporter)
        where = await find(info, community, "Community")
        row = {"reporter_id": who.id, "community_id": where.id, "since": since}
        written = await write(info, [("dual_reports", row)])
        return await _report_payload(info, who, where, written.changed)

    return await run(info, work)


async def end_dual_report(info: Any, reporter: strawberry.ID, community: strawberry.ID, on: date) -> Any:
    """End the reporter's reports to ``community`` that are current on ``on``; ``on`` is their last day."""

    async def work() -> DualReportPayload:
        who = await _reporter(info, reporter)
        where = await find(info, community, "Community")
        link = L.PERSON_REPORTS if who.has("Person") else L.ORG_REPORTS
        current = [e for e in await ctx(info).data.own_links(link, who.id) if e.node.id == where.id and e.current(on)]
        rows = [("dual_reports", {"reporter_id": who.id, "community_id": where.id, **e.rel, "until": on}) for e in current]
        changed = (await write(info, rows)).changed if rows else False
        return await _report_payload(info, who, where, changed)

    return await run(info, work)
