"""The naming rule of the generated API: every type, field and enum name derived from the model.

* Root lists: the table's name in camelCase (``party_orgs`` -> ``partyOrgs``).
* Types: ``Graph`` + the label (``GraphBuilding``), and from it ``GraphBuildingWhere``,
  ``GraphBuildingSort``, ``GraphBuildingSortField``, ``GraphBuildingConnection``...
* Properties: the column's name in camelCase (``id_number`` -> ``idNumber``); an extra label
  carried on a condition gives ``is<Label>`` (``isPartyMember``).
* An inline REF column (``Building.compound_id`` -> ``PART_OF``): a single item forward named
  by the column without ``_id`` (``compound``), a list back on the target named by the source's
  table (``Compound.buildings``).
* A relationship table: a list forward from the ``from`` end and a list back from the ``to``
  end, both named by the table (``Person.memberships``), unless the model declares a name
  (``RelKind.forward``/``back``, ``InlineRel.forward``/``back``: ``PartyOrg.members``).
* An end that may be of several labels gives one field per label, the label (singular) or its
  table (list) appended: ``RedStation.placeCommunity``, ``PartyOrg.coversBuildings``. So every
  field reaches items of one label and compiles to one ``Select`` (``graph/select.py``).
* Sort keys: the property in UPPER_SNAKE (``RESIDENTS``), a list's count as
  ``<LIST>_COUNT`` (``BUILDINGS_COUNT``).

A clash (two fields of one type with one name) is refused when the schema is built, naming the
type and the field: declare a name in the model then, never special-case it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from graph.declare import NodeKind, RelKind
from graph.select import IN, OUT, Hop

PREFIX = "Graph"


def camel(name: str) -> str:
    """``party_orgs`` -> ``partyOrgs``; a name already in camelCase is kept."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def upper_snake(name: str) -> str:
    """``buildingsCount`` / ``id_number`` -> ``BUILDINGS_COUNT`` / ``ID_NUMBER``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def type_name(label: str, suffix: str = "") -> str:
    return f"{PREFIX}{label}{suffix}"


@dataclass(frozen=True)
class RelField:
    """One relationship field of a generated type: from items of ``source`` along ``rel``
    (``direction`` as seen from the source) to items of ``target``. ``many``: a list (else the
    single item an inline REF points at); ``table``: the relationship table whose properties the
    edges carry (None for inline REFs)."""

    source: str
    name: str
    rel: str
    direction: Literal["out", "in"]
    target: str
    many: bool
    table: RelKind | None = None

    @property
    def dated(self) -> bool:
        return self.table is not None and self.table.dated

    def hop(self, as_of: object = None) -> Hop:
        return Hop(self.rel, self.direction, self.target, as_of)  # type: ignore[arg-type]


def _tables(kinds: tuple[NodeKind, ...]) -> dict[str, str]:
    return {k.label: k.table for k in kinds}


def _suffix(labels: tuple[str, ...], label: str, many: bool, tables: dict[str, str]) -> str:
    if len(labels) <= 1:
        return ""
    return cap(camel(tables[label])) if many else label


def rel_fields(kinds: tuple[NodeKind, ...], rels: tuple[RelKind, ...]) -> dict[str, list[RelField]]:
    """Every relationship field of every kind, by the kind's label, in declaration order."""
    labels = {k.label for k in kinds}
    tables = _tables(kinds)
    out: dict[str, list[RelField]] = {k.label: [] for k in kinds}
    for k in kinds:
        for r in k.inline_rels:
            column = k.column(r.column)
            targets = tuple(t for t in column.ref if t in labels)
            forward = r.forward or camel(re.sub(r"_id$", "", r.column))
            back = r.back or camel(k.table)
            for t in targets:
                out[k.label].append(
                    RelField(k.label, forward + _suffix(targets, t, False, tables), r.type, OUT, t, False)
                )
                out[t].append(RelField(t, back, r.type, IN, k.label, True))
    for rk in rels:
        sources = tuple(t for t in rk.from_column.ref if t in labels)
        targets = tuple(t for t in rk.to_column.ref if t in labels)
        forward = rk.forward or camel(rk.table)
        back = rk.back or camel(rk.table)
        for s in sources:
            for t in targets:
                out[s].append(
                    RelField(s, forward + _suffix(targets, t, True, tables), rk.type, OUT, t, True, rk)
                )
                out[t].append(RelField(t, back + _suffix(sources, s, True, tables), rk.type, IN, s, True, rk))
    return out
