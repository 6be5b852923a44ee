"""A compound's self-governance: committee elections (seats, roles, term) and property contracts."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry

from api.graphql.context import ctx
from api.graphql.mutations.common import existing, find, fresh_id, new_id, run, write
from api.graphql.mutations.results import InvalidInput, NotAllowed, NotFound, Unavailable, invalid
from api.graphql.reads import links as L
from api.graphql.types.base import wrap
from api.graphql.types.committees import Committee
from api.graphql.types.enums import SeatRole, code
from api.graphql.types.places import Compound
from api.graphql.types.refs import PropertyFirmRef


@strawberry.enum(description="the committees a compound elects")
class CompoundCommittee(Enum):
    OWNERS = "owners_committees"
    SELF_MANAGEMENT = "self_management_committees"


LABELS = {"owners_committees": ("OwnersCommittee", "OC"), "self_management_committees": ("SelfManagementCommittee", "SM")}


@strawberry.input(description="one seat of an election")
class SeatInput:
    person: strawberry.ID
    role: SeatRole  # type: ignore[valid-type]


@strawberry.input(description="an election of an owners' or self-management committee (业委会/自管委换届选举)")
class ElectionInput:
    kind: CompoundCommittee
    compound: strawberry.ID
    name: str
    since: date = strawberry.field(description="elected on (当选日期): the term starts")
    until: date | None = strawberry.field(default=None, description="the term ends (任期届满)")
    seats: list[SeatInput]
    id: str | None = strawberry.field(
        default=None,
        description="an existing committee of your area to record again; a new one's id is derived from compound and date",
    )


@strawberry.type(description="the committee after the election")
class ElectionPayload:
    committee: Committee | None
    changed: bool


@strawberry.type(description="a property contract after the change")
class ContractPayload:
    firm: PropertyFirmRef | None
    compound: Compound | None
    changed: bool


def _result(name: str, payload: type) -> Any:
    return Annotated[payload | InvalidInput | NotFound | NotAllowed | Unavailable, strawberry.union(name)]


ElectionResult = _result("ElectionResult", ElectionPayload)
ContractResult = _result("ContractResult", ContractPayload)


async def record_election(info: Any, election: ElectionInput) -> Any:
    async def work() -> ElectionPayload:
        table = str(election.kind.value)
        label, prefix = LABELS[table]
        compound = await find(info, election.compound, "Compound")
        if not election.seats:
            raise invalid("an election fills at least one seat", "选举至少产生一名委员", field="seats")
        found = await existing(info, election.id, label)
        key = found.id if found is not None else new_id(prefix, compound.id, election.since)
        if found is None:
            await fresh_id(info, key, label)
        rows: list[tuple[str, dict[str, Any]]] = [
            (table, {"id": key, "name": election.name, "compound_id": compound.id, "since": election.since,
                     "until": election.until}),
        ]
        for seat in election.seats:
            person = await find(info, seat.person, "Person")
            rows.append(("committee_seats", {"person_id": person.id, "committee_id": key, "role": code(seat.role),
                                             "since": election.since, "until": election.until}))
        written = await write(info, rows)
        return ElectionPayload(committee=wrap(await ctx(info).data.node(key)), changed=written.changed)

    return await run(info, work)


async def sign_contract(
    info: Any, firm: strawberry.ID, compound: strawberry.ID, since: date, until: date | None, contract_no: str | None
) -> Any:
    async def work() -> ContractPayload:
        f = await find(info, firm, "PropertyFirm")
        c = await find(info, compound, "Compound")
        row = {"provider_id": f.id, "compound_id": c.id, "mode": "firm", "contract_no": contract_no, "since": since,
               "until": until}
        written = await write(info, [("property_services", row)])
        data = ctx(info).data
        return ContractPayload(firm=wrap(await data.node(f.id)), compound=wrap(await data.node(c.id)), changed=written.changed)

    return await run(info, work)


async def end_contract(info: Any, firm: strawberry.ID, compound: strawberry.ID, on: date) -> Any:
    """End the firm's contracts with the compound current on ``on``; ``on`` is the last day."""

    async def work() -> ContractPayload:
        f = await find(info, firm, "PropertyFirm")
        c = await find(info, compound, "Compound")
        data = ctx(info).data
        current = [e for e in await data.own_links(L.FIRM_SERVES, f.id) if e.node.id == c.id and e.current(on)]
        rows = [("property_services", {"provider_id": f.id, "compound_id": c.id, **e.rel, "until": on}) for e in current]
        changed = (await write(info, rows)).changed if rows else False
        return ContractPayload(firm=wrap(await data.node(f.id)), compound=wrap(await data.node(c.id)), changed=changed)

    return await run(info, work)
