"""The lists of an area: buildings, compounds, firms, members and party orgs, with filters
("has no party group", "has no party org" ...) and sorts by counts.

Each list is one registered read (``api/graphql/reads/lists.py``) returning every item of the
area with its counts; ``ScopedData.listing`` keeps what the user may see, then this module
filters, sorts and pages, so ``totalCount`` is the count after filtering. Counts of things
that may lie outside the user's area come from the read as lists of ids and are counted here
over the ones the user may see (``visible_counts``): ``partyOrgs(filter: {hasMembers: true})``
keeps exactly the orgs whose ``members { totalCount }`` is above 0 for that user, and
``propertyFirms(orderBy: COMPOUNDS)`` sorts by the compounds the user sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import strawberry

from api.graphql.connection import Connection, check_page, connection
from api.graphql.context import ctx, day
from api.graphql.ids import key_of
from api.graphql.scope import Obj, ScopedData
from api.graphql.types.base import wrap
from api.graphql.types.enums import OrgLevel, code
from graph.query import Row


@strawberry.input(description="filters on buildings; a null field does not filter")
class BuildingFilter:
    has_party_group: bool | None = strawberry.field(default=None, description="covered by a party group (有党小组)")
    has_head: bool | None = strawberry.field(default=None, description="has a building head (有楼栋长)")
    min_members: int | None = strawberry.field(default=None, description="at least this many resident members")


@strawberry.enum(description="what buildings are sorted by")
class BuildingSort(Enum):
    ID = "id"
    MEMBERS = "members"
    FULL_MEMBERS = "full_members"
    PARTY_GROUPS = "party_groups"
    ENTRANCES = "entrances"


@strawberry.input(description="filters on compounds; a null field does not filter")
class CompoundFilter:
    has_branch: bool | None = strawberry.field(default=None, description="covered by a branch (有党支部)")
    has_owners_committee: bool | None = strawberry.field(default=None, description="has a current owners' committee")
    has_property_firm: bool | None = strawberry.field(default=None, description="served by a firm under contract")


@strawberry.enum(description="what compounds are sorted by")
class CompoundSort(Enum):
    ID = "id"
    BUILDINGS = "buildings"
    MEMBERS = "members"
    BRANCHES = "branches"
    FIRMS = "firms"


@strawberry.input(description="filters on property firms; a null field does not filter")
class FirmFilter:
    has_party_org: bool | None = strawberry.field(default=None, description="covered by a party org of its own or joint")


@strawberry.enum(description="what firms are sorted by")
class FirmSort(Enum):
    ID = "id"
    PARTY_ORGS = "party_orgs"
    COMPOUNDS = "compounds"
    MEMBERS = "members"
    FULL_MEMBERS = "full_members"


@strawberry.input(description="filters on party members; a null field does not filter")
class MemberFilter:
    in_service: bool | None = strawberry.field(default=None, description="in-service (在职)")
    full: bool | None = strawberry.field(default=None, description="full member (正式党员); false: probationary")
    has_membership: bool | None = strawberry.field(default=None, description="has a current membership branch")
    has_residence_branch: bool | None = strawberry.field(default=None, description="registered on the residence side")


@strawberry.enum(description="what members are sorted by")
class MemberSort(Enum):
    ID = "id"
    MEMBERSHIPS = "memberships"
    RESIDENCE = "residence"


@strawberry.input(description="filters on party orgs; a null field does not filter")
class OrgFilter:
    level: OrgLevel | None = None  # type: ignore[valid-type]
    has_members: bool | None = strawberry.field(default=None, description="has current members")


@strawberry.enum(description="what party orgs are sorted by")
class OrgSort(Enum):
    ID = "id"
    MEMBERS = "members"
    COVERS = "covers"


@dataclass(frozen=True)
class Rule:
    """A filter field: ``flag`` compares a boolean column (``count`` columns: > 0), ``minimum`` a count."""

    column: str
    how: str = "flag"  # flag, count, minimum, equals


RULES: Mapping[str, Mapping[str, Rule]] = {
    "api.list.buildings": {
        "has_party_group": Rule("has_party_group"),
        "has_head": Rule("has_head"),
        "min_members": Rule("members", "minimum"),
    },
    "api.list.compounds": {
        "has_branch": Rule("branches", "count"),
        "has_owners_committee": Rule("has_owners_committee"),
        "has_property_firm": Rule("firms", "count"),
    },
    "api.list.firms": {"has_party_org": Rule("party_orgs", "count")},
    "api.list.members": {
        "in_service": Rule("in_service"),
        "full": Rule("full"),
        "has_membership": Rule("memberships", "count"),
        "has_residence_branch": Rule("residence", "count"),
    },
    "api.list.orgs": {"level": Rule("level", "equals"), "has_members": Rule("members", "count")},
}


#: The columns of each list that the read returns as id lists (things possibly outside).
ID_LISTS: Mapping[str, tuple[str, ...]] = {
    "api.list.firms": ("compounds", "members", "full_members"),
    "api.list.members": ("memberships", "residence"),
    "api.list.orgs": ("members", "covers"),
}


async def visible_counts(
    data: ScopedData, read: str, items: list[tuple[Obj, Row]], wanted: set[str]
) -> list[tuple[Obj, Row]]:
    """``items`` with each id-list column of ``wanted`` replaced by the number of its ids the
    user may see (only the columns a filter or the sort uses: the others are never shown)."""
    columns = [c for c in ID_LISTS.get(read, ()) if c in wanted]
    if not columns or not items:
        return items
    seen = await data.visible_ids(i for _, row in items for c in columns for i in row[c])
    return [(obj, {**row, **{c: sum(1 for i in row[c] if i in seen) for c in columns}}) for obj, row in items]


def _used(rules: Mapping[str, Rule], filters: Any, sort: Enum) -> set[str]:
    """The columns the filter and the sort read."""
    used = {str(sort.value)}
    for name, rule in rules.items():
        if filters is not None and getattr(filters, name, None) is not None:
            used.add(rule.column)
    return used


def _passes(row: Row, rules: Mapping[str, Rule], filters: Any) -> bool:
    for name, rule in rules.items():
        wanted = getattr(filters, name, None) if filters is not None else None
        if wanted is None:
            continue
        value = row[rule.column]
        if rule.how == "flag" and bool(value) != wanted:
            return False
        if rule.how == "count" and (value > 0) != wanted:
            return False
        if rule.how == "minimum" and value < wanted:
            return False
        if rule.how == "equals" and value != code(wanted):
            return False
    return True


async def listing(
    info: Any,
    read: str,
    area: strawberry.ID | None,
    filters: Any,
    sort: Enum,
    descending: bool,
    as_of: date | None,
    first: int | None,
    after: str | None,
) -> Connection[Any]:
    c = ctx(info)
    start, size = check_page(first, after, c.limits)
    area_key = key_of(area) if area is not None else c.principal.area
    rules = RULES[read]
    items = await visible_counts(c.data, read, await c.data.listing(read, area_key, day(as_of)), _used(rules, filters, sort))
    kept = [(obj, row) for obj, row in items if _passes(row, rules, filters)]
    column = str(sort.value)
    kept.sort(key=lambda item: item[0].id)
    if column != "id":
        kept.sort(key=lambda item: item[1][column] or 0, reverse=descending)
    elif descending:
        kept.reverse()
    return connection(kept, start, size, lambda item: wrap(item[0]))
