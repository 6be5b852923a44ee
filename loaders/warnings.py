"""Warnings after validation: facts a load may write but that someone should look at.

A warning does not stop a load (unlike an ``Issue`` of validation): the rows are loaded and
the warning is reported in the summary (``LoadSummary.warnings``), naming the rows.

``membership_warnings``: a member whose memberships (MEMBER_OF), from the input and the store
together, are current today in two or more orgs. A member's 组织关系 sits in exactly one branch
(DOMAIN.md), so this is a data error, most often a transfer recorded at the new branch but not
ended at the old one; the 1+1 indicator then reports the member as ``multiple_membership``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.declare import KEY_PROPERTY
from graph.errors import Issue
from graph.model import MEMBERSHIP
from graph.query import Query, Row
from graph.store import Store
from queries.common import current, current_on

if TYPE_CHECKING:
    from graph.embedded import GraphView
    from loaders.validate import Validated

MEMBER_OF = "MEMBER_OF"

STORED_MEMBERSHIPS_CYPHER = f"""
UNWIND $ids AS id
MATCH (p:Person {{id: id}})-[r:MEMBER_OF]->(o:PartyOrg)
WHERE {current_on('r')}
RETURN p.id AS person, o.id AS org, r.{KEY_PROPERTY} AS key
ORDER BY person, org, key
"""


def stored_memberships_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    rows = []
    for person in p["ids"]:
        if not g.has(person) or not g.has_label(person, "Person"):
            continue
        for org, key, r in g.walk(person, MEMBER_OF):
            if g.has_label(org, "PartyOrg") and current(r, p["date"]):
                rows.append({"person": person, "org": org, "key": key})
    return sorted(rows, key=lambda r: (r["person"], r["org"], r["key"]))


#: The stored memberships of some people (``$ids``) that are current on ``$date``.
STORED_MEMBERSHIPS = Query(
    "loaders.stored_memberships", STORED_MEMBERSHIPS_CYPHER, stored_memberships_nx, doc="params: ids, date"
)


def membership_warnings(validated: Validated, store: Store | None, day: date | None = None) -> list[Issue]:
    """One warning per input membership row whose member, counting the input's rows and the
    store's (an input row replaces the stored one with the same key), has current memberships
    in two or more orgs on ``day`` (today by default). Each names the row (file, row, org
    column) and every org the member is current in."""
    day = date.today() if day is None else day
    # (person) -> {(type, key): org}: what the member will hold after the load
    held: dict[str, dict[str, str]] = defaultdict(dict)
    from_input: dict[str, list[tuple[str, str]]] = defaultdict(list)  # person -> [(key, org)]
    for r in validated.rels:
        if r.type == MEMBER_OF and current(r.props, day):
            from_input[r.from_id].append((r.key, r.to_id))
    if not from_input:
        return []
    input_keys = {r.key for r in validated.rels if r.type == MEMBER_OF}
    if store is not None and not store.is_empty():
        for row in store.run(STORED_MEMBERSHIPS, {"ids": sorted(from_input), "date": day}):
            if row["key"] not in input_keys:
                held[row["person"]][row["key"]] = row["org"]
    for person, rels in from_input.items():
        for key, org in rels:
            held[person][key] = org
    warnings = []
    for person in sorted(from_input):
        orgs = sorted(set(held[person].values()))
        if len(orgs) < 2:
            continue
        for key, org in sorted(from_input[person], key=lambda kv: kv[0]):
            item = validated.row_of.get((MEMBER_OF, key))
            file, row, column = (
                ("memberships", None, "org_id")
                if item is None
                else (item.table.file, item.row.number, item.table.header(MEMBERSHIP.to_column))
            )
            others = [o for o in orgs if o != org]
            warnings.append(
                Issue(
                    file=file,
                    row=row,
                    column=column,
                    value=org,
                    reason=(
                        f"warning: member {person} has current memberships in {len(orgs)} orgs today "
                        f"({', '.join(orgs)}): this row's {org} and {', '.join(others)}; a membership sits "
                        f"in exactly one branch: end the one no longer valid (loaded anyway)"
                    ),
                    reason_zh=(
                        f"提示：党员{person}今日同时在{len(orgs)}个党组织有在册组织关系({'、'.join(orgs)})："
                        f"本行的{org}与{'、'.join(others)}；组织关系只能在一个党支部，请结束已失效的一个(已照常导入)"
                    ),
                )
            )
    return sorted(warnings, key=lambda i: (i.file, i.row or 0))
