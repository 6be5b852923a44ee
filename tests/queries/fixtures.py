"""Hand-built graphs with known answers, as ``WriteBatch`` objects, for the query tests.

``World`` is a tiny builder over the model's declarations (labels come from
``graph.model.node_kind(...).labels_for``, relationship keys from ``graph.declare.rel_key``),
so a fixture reads like the ledger it stands for. ``skeleton()`` is the shared tree::

    C1 city
    └─ D1 district
       └─ S1 street
          ├─ CM1 community
          │  ├─ G1 grid ── P1 (eligible for an owners' committee), P2 (eligible)
          │  └─ G2 grid ── P3
          └─ CM2 community
             └─ G3 grid ── P4

Every test asks about day ``D``; ``BEFORE`` and ``AFTER`` are the days either side, for the
boundary cases of "current" (``since == D`` and ``until == D`` count; ``until == BEFORE`` and
``since == AFTER`` do not).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from graph.declare import rel_key
from graph.model import node_kind
from graph.records import NodeRecord, RelRecord, WriteBatch

D = date(2024, 6, 30)
BEFORE = D - timedelta(days=1)
AFTER = D + timedelta(days=1)
SOURCE = "test"


class World:
    """A graph under construction; ``batch`` is what a test writes."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.batch = WriteBatch()
        self._phone = 0
        self._keys: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        nodes = ", ".join(f"{n.label}:{n.id}" for n in self.batch.nodes)
        rels = ", ".join(f"{r.type}:{r.key}:{r.props.get('role', '')}" for r in self.batch.rels)
        return f"World(nodes=[{nodes}], rels=[{rels}])"

    # ------------------------------------------------------------ generic

    def node(self, label: str, node_id: str, **props: Any) -> str:
        values = {"id": node_id, **{k: v for k, v in props.items() if v is not None}}
        labels = node_kind(label).labels_for(values)
        self.batch.nodes.append(NodeRecord(label, labels, node_id, {**values, "_source": SOURCE}))
        self.labels[node_id] = label
        return node_id

    def rel(self, rel_type: str, a: str, b: str, key: tuple[object, ...] = (), **props: Any) -> None:
        k = rel_key(a, b, key)
        if (rel_type, k) in self._keys:
            return  # the same fact twice: keep the first
        self._keys.add((rel_type, k))
        values = {k2: v for k2, v in props.items() if v is not None}
        self.batch.rels.append(
            RelRecord(rel_type, k, self.labels[a], a, self.labels[b], b, {**values, "_key": k, "_source": SOURCE})
        )

    def dated(self, rel_type: str, a: str, b: str, since: date | None = None, until: date | None = None) -> None:
        self.rel(rel_type, a, b, (since,), since=since, until=until)

    # ------------------------------------------------------------ places

    def place(self, label: str, node_id: str, parent: str | None = None, **props: Any) -> str:
        self.node(label, node_id, name=props.pop("name", f"{node_id}名"), **props)
        if parent is not None:
            self.rel("PART_OF", node_id, parent)
        return node_id

    def compound(self, node_id: str, grid: str, eligible: bool = True, **props: Any) -> str:
        return self.place("Compound", node_id, grid, eligible_for_owners_committee=eligible, **props)

    def building(self, node_id: str, compound: str, *entrances: str) -> str:
        self.place("Building", node_id, compound)
        for e in entrances:
            self.place("Entrance", e, node_id)
        return node_id

    # ------------------------------------------------------------ people and orgs

    def person(
        self,
        node_id: str,
        building: str | None,
        status: str = "member",
        *,
        entrance: str | None = None,
        employer: str | None = None,
        name: str | None = None,
        **props: Any,
    ) -> str:
        self._phone += 1
        self.node(
            "Person",
            node_id,
            name=name or f"张{node_id}",
            phone=f"1380000{self._phone:04d}",
            political_status=status,
            **props,
        )
        if building is not None:  # None: living outside every loaded area
            self.rel("LIVES_IN", node_id, building)
        if entrance is not None:
            self.rel("LIVES_IN_ENTRANCE", node_id, entrance)
        if employer is not None:
            self.rel("WORKS_AT", node_id, employer)
        return node_id

    def org(self, node_id: str, level: str, kind: str = "area", parent: str | None = None) -> str:
        self.node("PartyOrg", node_id, name=f"{node_id}党组织", level=level, kind=kind)
        if parent is not None:
            self.rel("SUBORDINATE_TO", node_id, parent)
        return node_id

    def employer(self, node_id: str, community: str) -> str:
        self.node("Employer", node_id, name=f"{node_id}单位", kind="enterprise")
        self.rel("LOCATED_IN", node_id, community)
        return node_id

    def firm(self, node_id: str, mass_organization: str | None = None) -> str:
        return self.node("PropertyFirm", node_id, name=f"{node_id}物业", mass_organization=mass_organization)

    def committee(
        self, label: str, node_id: str, parent: str, since: date | None = None, until: date | None = None
    ) -> str:
        self.node(label, node_id, name=f"{node_id}委员会", since=since, until=until)
        self.rel("BELONGS_TO", node_id, parent)
        return node_id

    def site(self, label: str, node_id: str, place: str, since: date | None = None) -> str:
        self.node(label, node_id, name=f"{node_id}站点", since=since)
        self.rel("LOCATED_IN", node_id, place)
        return node_id

    # ------------------------------------------------------------ dated relationships

    def covers(self, org: str, target: str, since: date | None = None, until: date | None = None) -> None:
        self.dated("COVERS", org, target, since, until)

    def member_of(self, person: str, org: str, since: date | None = None, until: date | None = None) -> None:
        self.dated("MEMBER_OF", person, org, since, until)

    def registered(self, person: str, org: str, since: date | None = None, until: date | None = None) -> None:
        self.dated("REGISTERED_AT_RESIDENCE", person, org, since, until)

    def reports(self, reporter: str, community: str, since: date | None = None, until: date | None = None) -> None:
        self.dated("REPORTED_TO", reporter, community, since, until)

    def seat(
        self, person: str, committee: str, role: str = "member", since: date | None = None, until: date | None = None
    ) -> None:
        self.rel("SEATED_ON", person, committee, (role, since), role=role, since=since, until=until)

    def role(
        self, person: str, target: str, role: str, since: date | None = None, until: date | None = None
    ) -> None:
        self.rel("HOLDS_ROLE", person, target, (role, since), role=role, since=since, until=until)

    def serves(
        self, provider: str, compound: str, mode: str = "firm", since: date | None = None, until: date | None = None
    ) -> None:
        self.rel("SERVES", provider, compound, (since,), mode=mode, since=since, until=until)


def skeleton() -> World:
    w = World()
    w.place("City", "C1")
    w.place("District", "D1", "C1")
    w.place("Subdistrict", "S1", "D1")
    w.place("Community", "CM1", "S1")
    w.place("Community", "CM2", "S1")
    w.place("Grid", "G1", "CM1")
    w.place("Grid", "G2", "CM1")
    w.place("Grid", "G3", "CM2")
    w.compound("P1", "G1", eligible=True)
    w.compound("P2", "G1", eligible=True)
    w.compound("P3", "G2", eligible=False)
    w.compound("P4", "G3", eligible=False)
    return w
