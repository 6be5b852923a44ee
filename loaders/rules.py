"""The declared cross-row rules (``RelKind.rules``, ``ROLE_TARGETS``) and the place rules.

* memberships and residence registrations: the person is a party member;
* dual reports: a reporting person is a party member;
* property services: mode ``firm`` if and only if the provider is a PropertyFirm;
* appointments: the target's label suits the role (``ROLE_TARGETS``);
* persons: the entrance lived in belongs to the building lived in, and is given only with it
  (no building at all is allowed: someone living outside every loaded area);
* party orgs: the parent chain has no cycle (of any length), and each level sits under the
  levels ``ORG_PARENT_LEVELS`` allows (a group under a branch, a branch under a general
  branch or a committee, ...);
* compounds: exactly one parent, a grid or (with no grid) a community;
* relationship tables: no two rows with the same key (both ends and the key columns).

Facts about rows not in the input (a person's political status, an entrance's building, a
party org's level and parent, up the chain) come from the store. A fact that is unknown
(its own row is invalid) is not held against a row: that row is reported on its own.

The place tree needs no rule of its own: each place's ``PART_OF`` column refers to the next
level up only (``graph.model``), so a cycle cannot be written (``tests/loaders/test_trees.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from graph.declare import Column, FieldType, NodeKind, RelKind, rel_key
from graph.model import (
    APPOINTMENT,
    BUILDING,
    COMMUNITY,
    COMPOUND,
    DUAL_REPORT,
    ENTRANCE,
    GRID,
    MEMBER_CODES,
    MEMBERSHIP,
    ORG_LEVEL,
    PARTY_ORG,
    PERSON,
    PROPERTY_FIRM,
    PROPERTY_SERVICE,
    RESIDENCE_REGISTRATION,
    ROLE,
    ROLE_TARGETS,
    SERVICE_MODE,
    node_kind,
)
from loaders.lookup import StoreLookup
from loaders.refs import IdIndex, labels_en, labels_zh
from loaders.rows import RowItem


def _ref_column(kind: NodeKind, target: NodeKind) -> Column:
    return next(c for c in kind.columns if c.type is FieldType.REF and c.ref == (target.label,))


def _enum_column(kind: RelKind, choices: tuple[object, ...]) -> Column:
    return next(c for c in kind.columns if c.choices == choices)


MEMBER_LABEL = next(cl for cl in PERSON.conditional_labels if cl.codes == MEMBER_CODES)
PERSON_BUILDING = _ref_column(PERSON, BUILDING)
PERSON_ENTRANCE = _ref_column(PERSON, ENTRANCE)
ENTRANCE_BUILDING = _ref_column(ENTRANCE, BUILDING)
ENTRANCE_PARENT = next(r.type for r in ENTRANCE.inline_rels if r.column == ENTRANCE_BUILDING.name)
SERVICE_MODE_COLUMN = _enum_column(PROPERTY_SERVICE, SERVICE_MODE)
FIRM_MODE = next(c for c in SERVICE_MODE if c.code == "firm")
ROLE_COLUMN = _enum_column(APPOINTMENT, ROLE)
ORG_PARENT = PARTY_ORG.column("parent_id")
ORG_LEVEL_COLUMN = PARTY_ORG.column("level")
ORG_PARENT_REL = next(r.type for r in PARTY_ORG.inline_rels if r.column == ORG_PARENT.name)
_COMMITTEES = ("committee", "working_committee")
#: The levels a party org of each level may sit under (the Party Constitution's tiers: committees
#: over general branches over branches over groups; a committee may sit under a committee, e.g. a
#: community's 大党委 under a street's 党工委; a party group sits under a branch only).
ORG_PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "committee": _COMMITTEES,
    "working_committee": _COMMITTEES,
    "general_branch": _COMMITTEES,
    "branch": (*_COMMITTEES, "general_branch"),
    "group": ("branch",),
}
_LEVELS = {c.code: c for c in ORG_LEVEL}
CYCLE_ARROW = " → "
MEMBER_STATUSES_ZH = "或".join(
    c.zh for c in PERSON.column(MEMBER_LABEL.column).choices if c.code in MEMBER_CODES
)


@dataclass
class Facts:
    """What the rules need to know about nodes, from the input or the store."""

    members: dict[str, bool] = field(default_factory=dict)
    entrance_building: dict[str, str] = field(default_factory=dict)
    org_level: dict[str, str] = field(default_factory=dict)
    """A party org's level code, from its input row or the store."""
    org_parent: dict[str, str | None] = field(default_factory=dict)
    """A party org's parent (None: it has none), from its input row or the store."""
    org_cycles: dict[str, list[str]] = field(default_factory=dict)
    """For each input party org on a parent cycle: the cycle from it back to it."""


Rule = Callable[[RowItem, Facts], None]


def _person_is_member(item: RowItem, column: Column, facts: Facts) -> None:
    person = item.values.get(column.name)
    if item.targets.get(column.name) == PERSON.label and facts.members.get(str(person)) is False:
        item.add_issue(
            column,
            f"{person} is not a party member ({MEMBER_LABEL.column} must be one of {', '.join(MEMBER_CODES)})",
            f"{person} 不是党员（政治面貌须为{MEMBER_STATUSES_ZH}）",
        )


def _from_is_member(item: RowItem, facts: Facts) -> None:
    kind = item.kind
    assert isinstance(kind, RelKind)
    _person_is_member(item, kind.from_column, facts)


def _mode_matches_provider(item: RowItem, facts: Facts) -> None:
    mode = item.values.get(SERVICE_MODE_COLUMN.name)
    provider = item.targets.get(PROPERTY_SERVICE.from_column.name)
    if mode is None or provider is None:
        return
    if mode == FIRM_MODE.code and provider != PROPERTY_FIRM.label:
        item.add_issue(
            SERVICE_MODE_COLUMN,
            f"mode {FIRM_MODE.code} ({FIRM_MODE.zh}) needs {labels_en([PROPERTY_FIRM.label])} provider, "
            f"not {labels_en([provider])}",
            f"管理方式为“{FIRM_MODE.zh}”时服务提供方须为{PROPERTY_FIRM.zh}，而不是{node_kind(provider).zh}",
        )
    elif mode != FIRM_MODE.code and provider == PROPERTY_FIRM.label:
        item.add_issue(
            SERVICE_MODE_COLUMN,
            f"a {PROPERTY_FIRM.label} provider needs mode {FIRM_MODE.code} ({FIRM_MODE.zh})",
            f"服务提供方为{PROPERTY_FIRM.zh}时管理方式须为“{FIRM_MODE.zh}”",
        )


def _role_suits_target(item: RowItem, facts: Facts) -> None:
    role = item.values.get(ROLE_COLUMN.name)
    target_column = APPOINTMENT.to_column
    target = item.targets.get(target_column.name)
    if role is None or target is None:
        return
    allowed = ROLE_TARGETS[str(role)]
    if target not in allowed:
        choice = next(c for c in ROLE_COLUMN.choices if c.code == role)
        item.add_issue(
            target_column,
            f"a {choice.en} is appointed to {labels_en(allowed)}, not to {labels_en([target])}",
            f"{choice.zh}应任职于{labels_zh(allowed)}，而不是{node_kind(target).zh}",
        )


def _entrance_in_building(item: RowItem, facts: Facts) -> None:
    building = item.values.get(PERSON_BUILDING.name)
    entrance = item.values.get(PERSON_ENTRANCE.name)
    if building is None or PERSON_ENTRANCE.name not in item.targets:
        return
    actual = facts.entrance_building.get(str(entrance))
    if actual is not None and actual != building:
        item.add_issue(
            PERSON_ENTRANCE,
            f"entrance {entrance} belongs to building {actual}, not to building {building}",
            f"单元 {entrance} 属于楼栋 {actual}，而不是楼栋 {building}",
        )


def _org_in_tree(item: RowItem, facts: Facts) -> None:
    """A party org's parent chain does not come back to it, and its parent's level may hold its level."""
    if item.node_id is None or item.targets.get(ORG_PARENT.name) != PARTY_ORG.label:
        return
    cycle = facts.org_cycles.get(item.node_id)
    if cycle is not None:
        path = CYCLE_ARROW.join(cycle)
        item.add_issue(
            ORG_PARENT,
            f"the parent chain comes back to this party org: {path} (a party org cannot be above itself)",
            f"上级党组织形成循环：{path}（党组织不能是自己的上级）",
        )
    parent = str(item.values[ORG_PARENT.name])
    level, parent_level = item.values.get(ORG_LEVEL_COLUMN.name), facts.org_level.get(parent)
    if level is None or parent_level is None or parent_level in ORG_PARENT_LEVELS[str(level)]:
        return
    child, above = _LEVELS[str(level)], _LEVELS[parent_level]
    allowed = ORG_PARENT_LEVELS[child.code]
    item.add_issue(
        ORG_PARENT,
        f"a {child.en} sits under a {' or '.join(_LEVELS[a].en for a in allowed)}, "
        f"not under {parent}, a {above.en}",
        f"{child.zh}的上级应为{'或'.join(_LEVELS[a].zh for a in allowed)}，而 {parent} 是{above.zh}",
    )


#: The check behind each declared rule, by table; tests hold every declared rule to one.
RULES: dict[str, Rule] = {
    MEMBERSHIP.table: _from_is_member,
    RESIDENCE_REGISTRATION.table: _from_is_member,
    DUAL_REPORT.table: lambda item, facts: _person_is_member(item, DUAL_REPORT.from_column, facts),
    PROPERTY_SERVICE.table: _mode_matches_provider,
    APPOINTMENT.table: _role_suits_target,
    PERSON.table: _entrance_in_building,
    PARTY_ORG.table: _org_in_tree,
}


def gather_facts(items: Sequence[RowItem], index: IdIndex, lookup: StoreLookup) -> Facts:
    facts = Facts()
    status_column = MEMBER_LABEL.column
    for item in items:
        if item.kind is PERSON and item.node_id is not None and status_column in item.values:
            facts.members[item.node_id] = item.values[status_column] in MEMBER_CODES
        elif item.kind is ENTRANCE and item.node_id is not None and ENTRANCE_BUILDING.name in item.values:
            facts.entrance_building[item.node_id] = str(item.values[ENTRANCE_BUILDING.name])
    people: set[str] = set()
    entrances: set[str] = set()
    for item in items:
        for column, target in item.refs():
            if target in index.first or item.targets.get(column.name) is None:
                continue
            if item.targets[column.name] == PERSON.label:
                people.add(target)
            elif item.targets[column.name] == ENTRANCE.label:
                entrances.add(target)
    for person, node in lookup.nodes(PERSON.label, people).items():
        facts.members[person] = MEMBER_LABEL.label in node.labels
    facts.entrance_building.update(lookup.targets(ENTRANCE_PARENT, ENTRANCE.label, entrances))
    _gather_org_tree(items, index, lookup, facts)
    return facts


def _gather_org_tree(items: Sequence[RowItem], index: IdIndex, lookup: StoreLookup, facts: Facts) -> None:
    """Levels and parents of the input's party orgs, then of their ancestors in the store, and the cycles."""
    for item in items:
        if item.kind is not PARTY_ORG or item.node_id is None or index.first.get(item.node_id) is not item:
            continue
        if ORG_LEVEL_COLUMN.name in item.values:
            facts.org_level[item.node_id] = str(item.values[ORG_LEVEL_COLUMN.name])
        if item.targets.get(ORG_PARENT.name) == PARTY_ORG.label:
            facts.org_parent[item.node_id] = str(item.values[ORG_PARENT.name])
        elif ORG_PARENT.name in item.table.headers and ORG_PARENT.name not in item.failed:
            facts.org_parent[item.node_id] = None  # an empty cell: the row says it has no parent
    # up the chain through the store, one question per step up, until it ends or comes round
    wanted = {p for p in facts.org_parent.values() if p is not None and p not in facts.org_parent}
    asked: set[str] = set()
    while wanted:
        asked |= wanted
        for org, node in lookup.nodes(PARTY_ORG.label, wanted).items():
            level = node.props.get(ORG_LEVEL_COLUMN.name)
            if level is not None:
                facts.org_level.setdefault(org, str(level))
        parents = lookup.targets(ORG_PARENT_REL, PARTY_ORG.label, wanted - facts.org_parent.keys())
        for org in wanted:
            facts.org_parent.setdefault(org, parents.get(org))
        wanted = {p for p in parents.values() if p not in asked and p not in facts.org_parent}
    facts.org_cycles = _cycles(facts.org_parent, index)


def _cycles(parent: dict[str, str | None], index: IdIndex) -> dict[str, list[str]]:
    """Each input org on a cycle of ``parent``, with the cycle read from it (``[a, b, c, a]``).

    One walk up from each org, never repeating a node already walked: linear in the orgs.
    """
    out: dict[str, list[str]] = {}
    done: set[str] = set()
    for start in parent:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parent.get(node)
        if node is not None and node in on_path:
            ring = path[on_path[node] :]
            for position, org in enumerate(ring):
                if org in index.first:
                    out[org] = [*ring[position:], *ring[:position], org]
        done.update(path)
    return out


def check_rules(items: Sequence[RowItem], index: IdIndex, lookup: StoreLookup) -> None:
    facts = gather_facts(items, index, lookup)
    for item in items:
        rule = RULES.get(item.kind.table)
        if rule is not None and not item.sample:
            rule(item, facts)
    check_duplicate_keys(items)


def check_duplicate_keys(items: Sequence[RowItem]) -> None:
    """Two rows of a relationship table with the same ends and key columns are one fact twice."""
    seen: dict[tuple[str, str], RowItem] = {}
    for item in items:
        kind = item.kind
        if not isinstance(kind, RelKind):
            continue
        key = item.key = relationship_key(item)
        if key is None:
            continue
        first = seen.setdefault((kind.table, key), item)
        if first is not item:
            names = "、".join(kind.column(k).zh for k in kind.key)
            item.add_issue(
                kind.to_column,
                f"the same relationship as {first.where} (same ends and {', '.join(kind.key)})",
                f"与 {first.where_zh} 重复（两端与{names}均相同）",
            )


def relationship_key(item: RowItem) -> str | None:
    """The ``_key`` of a relationship-table row, or None when an end or key cell is unusable."""
    kind = item.kind
    assert isinstance(kind, RelKind)
    ends = (item.values.get(kind.from_column.name), item.values.get(kind.to_column.name))
    if ends[0] is None or ends[1] is None or any(k in item.failed for k in kind.key):
        return None
    return rel_key(str(ends[0]), str(ends[1]), tuple(item.values.get(k) for k in kind.key))


# ---------------------------------------------------------------- homes and parents that may be absent


COMPOUND_GRID = _ref_column(COMPOUND, GRID)
COMPOUND_COMMUNITY = _ref_column(COMPOUND, COMMUNITY)


def _one_compound_parent(item: RowItem, facts: Facts) -> None:
    """A compound lies in a grid or, with no grid, directly in a community: exactly one of the two.

    A cell that could not be read is reported on its own and counts as given here."""
    given = [c for c in (COMPOUND_GRID, COMPOUND_COMMUNITY) if c.name in item.values or c.name in item.failed]
    if not given:
        item.add_issue(
            COMPOUND_GRID,
            f"a compound needs its grid ({COMPOUND_GRID.name}) or, with no grid, its community "
            f"({COMPOUND_COMMUNITY.name})",
            f"小区须填写{COMPOUND_GRID.zh}，无网格时填写{COMPOUND_COMMUNITY.zh}",
        )
    elif len(given) > 1:
        item.add_issue(
            COMPOUND_COMMUNITY,
            f"give {COMPOUND_GRID.name} or {COMPOUND_COMMUNITY.name}, not both "
            f"({COMPOUND_COMMUNITY.name} is only for a compound with no grid)",
            f"{COMPOUND_GRID.zh}与{COMPOUND_COMMUNITY.zh}只能填一个（{COMPOUND_COMMUNITY.zh}仅用于无网格的小区）",
        )


def _person_home(item: RowItem, facts: Facts) -> None:
    """A person may live outside every loaded area (no building), but an entrance is a part of a
    building: an entrance without its building is refused rather than guessed."""
    if PERSON_ENTRANCE.name in item.values and PERSON_BUILDING.name not in item.values:
        if PERSON_BUILDING.name not in item.failed:
            item.add_issue(
                PERSON_ENTRANCE,
                f"an entrance without a building ({PERSON_BUILDING.name}): give the building too, "
                "or leave both empty for someone living outside the loaded area",
                f"填写了{PERSON_ENTRANCE.zh}却未填写{PERSON_BUILDING.zh}：请一并填写楼栋；居住在本辖区外的人员两项均留空",
            )
        return
    _entrance_in_building(item, facts)


RULES[COMPOUND.table] = _one_compound_parent
RULES[PERSON.table] = _person_home
