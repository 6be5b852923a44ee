"""Party groups and appointments: form a group for buildings and appoint its leader; appoint
or replace building and entrance heads; appoint instructors, quality supervisors, liaisons."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry

from api.graphql.context import ctx
from api.graphql.mutations.common import day_before, existing, find, fresh_id, new_id, run, write
from api.graphql.mutations.results import InvalidInput, NotAllowed, NotFound, Unavailable, invalid
from api.graphql.reads import links as L
from api.graphql.scope import Obj
from api.graphql.types.base import Node, wrap
from api.graphql.types.orgs import PartyOrg
from api.graphql.types.people import Person
from graph.model import ROLE_TARGETS

BRANCH_LEVELS = ("branch", "general_branch")

#: The start links that reach a target's appointees, by the target's label family.
ROLE_LINKS = {"Place": L.PLACE_ROLES, "PropertyFirm": L.FIRM_ROLES, "PartyOrg": L.ORG_ROLES}


@strawberry.input(description="a party group to form (组建党小组) for one or several buildings")
class PartyGroupInput:
    name: str
    parent: strawberry.ID = strawberry.field(description="the branch (or general branch) it sits under")
    buildings: list[strawberry.ID] = strawberry.field(description="the buildings (or entrances) it covers")
    since: date
    leader: strawberry.ID | None = strawberry.field(default=None, description="its leader (党小组长), a party member")
    id: str | None = strawberry.field(
        default=None, description="an existing group of your area to form again; a new group's id is derived from the rest"
    )


@strawberry.type(description="the party group after the change")
class PartyGroupPayload:
    party_group: PartyOrg | None
    changed: bool


@strawberry.enum(description="roles appointed by these mutations")
class Appointable(Enum):
    BUILDING_HEAD = "building_head"
    ENTRANCE_HEAD = "entrance_head"
    INSTRUCTOR = "instructor"
    QUALITY_SUPERVISOR = "quality_supervisor"
    LIAISON = "liaison"
    CENTRAL_HOUSEHOLD = "central_household"
    SECRETARY = "secretary"
    GROUP_LEADER = "group_leader"


@strawberry.type(description="an appointment after the change")
class AppointmentPayload:
    person: Person | None
    target: Node | None
    role: str
    replaced: list[Person] = strawberry.field(description="the holders whose appointment ended")
    changed: bool


def _result(name: str, payload: type) -> Any:
    return Annotated[payload | InvalidInput | NotFound | NotAllowed | Unavailable, strawberry.union(name)]


PartyGroupResult = _result("PartyGroupResult", PartyGroupPayload)
AppointmentResult = _result("AppointmentResult", AppointmentPayload)


async def form_party_group(info: Any, group: PartyGroupInput) -> Any:
    async def work() -> PartyGroupPayload:
        parent = await find(info, group.parent, "PartyOrg")
        if parent.get("level") not in BRANCH_LEVELS:
            raise invalid("a party group sits under a branch or general branch", "党小组须设在党支部或党总支之下", field="parent")
        if not group.buildings:
            raise invalid("name at least one building", "至少指定一个楼栋", field="buildings")
        places = [await find(info, b, "Building", "Entrance") for b in group.buildings]
        covered = sorted({p.id for p in places})
        found = await existing(info, group.id, "PartyOrg")
        key = found.id if found is not None else new_id("O", parent.id, *covered, group.since)
        if found is None:
            await fresh_id(info, key, "PartyOrg")
        rows: list[tuple[str, dict[str, Any]]] = [
            ("party_orgs", {"id": key, "name": group.name, "level": "group", "kind": "area", "parent_id": parent.id,
                            "established_on": group.since}),
            *(("org_coverage", {"org_id": key, "target_id": p, "since": group.since}) for p in covered),
        ]
        if group.leader is not None:
            leader = await find(info, group.leader, "PartyMember")
            rows.append(("appointments", {"person_id": leader.id, "target_id": key, "role": "group_leader", "since": group.since}))
        written = await write(info, rows)
        return PartyGroupPayload(party_group=wrap(await ctx(info).data.node(key)), changed=written.changed)

    return await run(info, work)


def _family(target: Obj) -> str:
    for family in ROLE_LINKS:
        if target.has(family):
            return family
    return ""


async def appoint(info: Any, role: str, target: strawberry.ID, person: strawberry.ID, since: date, replace: bool) -> Any:
    """Appoint ``person`` to ``target`` from ``since``; with ``replace``, end the current holders
    of the same role the day before. Appointing the current holder again changes nothing."""

    async def work() -> AppointmentPayload:
        where = await find(info, target, *ROLE_TARGETS[role])
        who = await find(info, person, "Person")
        data = ctx(info).data
        holders = [
            e for e in await data.own_links(ROLE_LINKS[_family(where)], where.id)
            if e.rel.get("role") == role and e.current(since)
        ]
        rows: list[tuple[str, dict[str, Any]]] = []
        ended: list[str] = []
        if not any(e.node.id == who.id for e in holders):
            for e in holders if replace else []:
                if e.rel.get("since") is not None and e.rel["since"] >= since:
                    raise invalid(
                        f"the current {role} started on {e.rel['since']}: appoint from a later day",
                        f"现任自 {e.rel['since']} 起任职，新任命日期须晚于此日",
                        field="since",
                    )
                rows.append(("appointments", {"person_id": e.node.id, "target_id": where.id, **e.rel, "until": day_before(since)}))
                ended.append(e.node.id)
            rows.append(("appointments", {"person_id": who.id, "target_id": where.id, "role": role, "since": since}))
        changed = (await write(info, rows)).changed if rows else False
        return AppointmentPayload(
            person=wrap(await data.node(who.id)),
            target=wrap(await data.node(where.id)),
            role=role,
            replaced=[p for p in [wrap(o) for o in await data.nodes(ended)] if p is not None],
            changed=changed,
        )

    return await run(info, work)


async def end_appointment(info: Any, role: str, target: strawberry.ID, person: strawberry.ID, on: date) -> Any:
    """End ``person``'s current ``role`` on ``target``; ``on`` is the last day."""

    async def work() -> AppointmentPayload:
        where = await find(info, target, *ROLE_TARGETS[role])
        who = await find(info, person, "Person")
        data = ctx(info).data
        current = [
            e for e in await data.own_links(ROLE_LINKS[_family(where)], where.id)
            if e.node.id == who.id and e.rel.get("role") == role and e.current(on)
        ]
        rows = [("appointments", {"person_id": who.id, "target_id": where.id, **e.rel, "until": on}) for e in current]
        changed = (await write(info, rows)).changed if rows else False
        return AppointmentPayload(
            person=wrap(await data.node(who.id)), target=wrap(await data.node(where.id)), role=role,
            replaced=[wrap(await data.node(who.id))] if current else [], changed=changed,
        )

    return await run(info, work)
