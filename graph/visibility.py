"""Jurisdiction inside a compiled read: which items a scope area sees, per label, for both stores.

An item lies in an area when one of its *anchors* is the area or lies under it along
``PART_OF``; an item with no anchor at all lies only in a root area (a place with no parent).
The anchors of each node kind are the table of ``api/graphql/reads/anchors.py``, declared here
once as data (``KIND_ANCHORS``: paths from the item to an anchor place), and both sides are
derived from that one declaration:

* ``visible_cypher(var, label, place, root)``: a Cypher boolean over the node variable ``var``:
  one of its anchors is the place whose id is ``place`` or lies under it (patterns walking
  *up* from the item; the place tree is a tree, so the walk up is a handful of hops, never
  a subtree read, and it stops at the first anchor found); ``root`` is the Cypher boolean
  "that place is a root", for the items with no anchor. ``down_cypher`` is its mirror for a
  root list: the items lying in a place, found by walking *down* from it along the same
  paths (a district's members without testing every member of the city). ``implied`` says
  when a step from a visible item needs no test at all (a building's entrances, residents
  and covering orgs; a place's children). ``anchors_cypher(var)`` lists the anchor nodes
  (what ``GroupBy`` walks up from).
* ``Visibility`` (networkx): the same paths followed over a ``GraphView``, with the answer
  "is this anchor under the scope" memoised per anchor, so a page costs what its items touch.

``tests/store/test_visibility.py`` holds the anchors of every node of a generated world equal
to ``api.graphql.reads.anchors`` (both sides) and the visibility equal to the API's
``Jurisdiction``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from graph.model import NODE_KINDS, PLACE_LABELS

if TYPE_CHECKING:
    from graph.embedded import GraphView

#: How far above an anchor (at most a building) the scope can be: Building -> Province is 7 hops.
UP_DEPTH = PLACE_LABELS.index("Building")


@dataclass(frozen=True)
class Step:
    """One relationship step: to a node with ``label`` (``None``: any), not ``not_label``."""

    rel: str
    direction: Literal["out", "in"]
    label: str | None
    not_label: str | None = None


#: A path from the item to one of its anchors; ``()`` is the item itself.
Path = tuple[Step, ...]


@dataclass(frozen=True)
class Anchors:
    """How one node kind is anchored: ``primary`` paths, and ``fallback`` paths used only when
    the item has no ``unless`` path at all (a person living nowhere loaded, say)."""

    primary: tuple[Path, ...]
    fallback: tuple[Path, ...] = ()
    unless: Path = ()
    #: the item itself, when it is a place other than an entrance
    itself: bool = False


def _s(rel: str, label: str | None, direction: Literal["out", "in"] = "out", not_label: str | None = None) -> Step:
    return Step(rel, direction, label, not_label)


_ENTRANCE_BUILDING = _s("PART_OF", "Building")
_PLACE: tuple[Path, ...] = ()  # places other than entrances are their own anchor
#: What a place reached by some step anchors: itself (not an entrance) or an entrance's building.
def _place_via(*steps: Step) -> tuple[Path, ...]:
    *head, last = steps
    return (
        (*head, Step(last.rel, last.direction, "Place", "Entrance")),
        (*head, Step(last.rel, last.direction, "Entrance"), _ENTRANCE_BUILDING),
    )


_COMMITTEE = ((_s("BELONGS_TO", "Place"),),)
_EPC = ((_s("BELONGS_TO", "ResidentsCommittee"), _s("BELONGS_TO", "Community")),)

KIND_ANCHORS: dict[str, Anchors] = {
    **{label: Anchors(_PLACE, itself=True) for label in PLACE_LABELS if label != "Entrance"},
    "Entrance": Anchors(((_ENTRANCE_BUILDING,),)),
    "Person": Anchors(
        ((_s("LIVES_IN", "Building"),),),
        fallback=(
            *_place_via(_s("HOLDS_ROLE", "Place")),
            (_s("HOLDS_ROLE", "PropertyFirm"), _s("SERVES", "Compound")),
            *_place_via(_s("HOLDS_ROLE", "PartyOrg"), _s("COVERS", "Place")),
            (_s("SEATED_ON", "Committee"), _s("BELONGS_TO", "Place")),
            (_s("SEATED_ON", "EnvironmentPropertyCommittee"), *_EPC[0]),
        ),
        unless=(_s("LIVES_IN", "Building"),),
    ),
    "Employer": Anchors(((_s("LOCATED_IN", "Community"),),)),
    "ServiceCentre": Anchors(((_s("LOCATED_IN", "Place"),),)),
    "RedStation": Anchors(((_s("LOCATED_IN", "Place"),),)),
    "PropertyFirm": Anchors(
        ((_s("SERVES", "Compound"),),),
        fallback=((_s("WORKS_AT", "Person", "in"), _s("LIVES_IN", "Building")),),
        unless=(_s("SERVES", "Compound"),),
    ),
    "PartyOrg": Anchors(
        (
            *_place_via(_s("COVERS", "Place")),
            (_s("COVERS", "Employer"), _s("LOCATED_IN", "Community")),
            (_s("COVERS", "PropertyFirm"), _s("SERVES", "Compound")),
        ),
        fallback=((_s("MEMBER_OF", "Person", "in"), _s("LIVES_IN", "Building")),),
        unless=(_s("COVERS", None),),
    ),
    "OwnersCommittee": Anchors(_COMMITTEE),
    "SelfManagementCommittee": Anchors(_COMMITTEE),
    "ResidentsCommittee": Anchors(_COMMITTEE),
    "EnvironmentPropertyCommittee": Anchors(_COMMITTEE + _EPC),
}


def kinds_of(label: str) -> tuple[str, ...]:
    """The base labels of the node kinds that carry ``label`` (``Place``: every place kind)."""
    return tuple(k.label for k in NODE_KINDS if label in k.all_labels)


# ---------------------------------------------------------------- Cypher


def _label_text(label: str | None, var: str = "") -> str:
    return f"({var}{':' + label if label else ''})"


def _pattern(var: str, path: Path, end: str) -> tuple[str, list[str]]:
    """``(var)-[:R]->(:L)...->(end)`` and the label exclusions it needs (on the named end)."""
    text = f"({var})"
    where: list[str] = []
    for i, step in enumerate(path):
        last = i == len(path) - 1
        name = end if last else ""
        if step.not_label and not last:
            name = f"{end}_{i}"
        node = _label_text(step.label, name)
        if step.not_label:
            where.append(f"NOT {name}:{step.not_label}")
        text += f"-[:{step.rel}]->{node}" if step.direction == "out" else f"<-[:{step.rel}]-{node}"
    return text, where


def _up_to(node: str, place: str) -> str:
    """``node`` is the place whose id is ``place`` or lies under it: a walk *up* from ``node``
    (the end is unlabelled and matched by its id's value, so that the planner expands from
    the item's side, never down the place's subtree)."""
    return f"({node})-[:PART_OF*0..{UP_DEPTH}]->(up_{node}) WHERE up_{node}.id = {place}"


def _exists(var: str, path: Path, up_to: str | None, guard: str | None = None, prefix: str = "ax") -> str:
    """EXISTS: ``var`` reaches an anchor by ``path`` (lying under the place whose id is
    ``up_to``, when given); ``guard``: a condition on ``var`` alone, checked first. The
    anchor's variable is named after ``var``, so that it never captures a variable of an
    enclosing pattern."""
    end = f"{prefix}_{var}_{'up' if up_to else 'any'}"
    text, where = _pattern(var, path, end)
    if guard:
        where.insert(0, guard)
    if up_to is not None:
        walk = _up_to(end, up_to)
        text += ", " + walk.split(" WHERE ")[0]
        where.append(walk.split(" WHERE ")[1])
    cond = f" WHERE {' AND '.join(where)}" if where else ""
    return f"EXISTS {{ MATCH {text}{cond} }}"


def visible_cypher(var: str, label: str, place: str, root: str) -> str:
    """Whether node ``var`` (known to carry ``label``) lies in the place whose id is the
    Cypher expression ``place`` (a parameter such as ``$p0``); ``root``: a Cypher boolean,
    whether that place is a root. Every name here is a fixed variable of the calling
    statement or a declared label, never input.

    One ``EXISTS`` over a ``UNION ALL`` of the anchor paths, each walking *up* from the item
    to the place (the place tree is a tree, so a handful of hops, never a subtree read), so
    that it stops at the first anchor found there (an org covering a hundred buildings is
    not walked a hundred times); fallback paths carry their guard first. Only for a root
    place, and only when no anchor lies there, whether the item has any anchor at all
    (``_anchorless``). (A ``COLLECT`` of every anchor's ancestors, tried before, read the
    whole list for each item: a membership's org 1,700 db hits instead of a few.)"""
    kinds = kinds_of(label)
    if not kinds:
        raise KeyError(label)
    if all(KIND_ANCHORS[k].itself for k in kinds):  # a place other than an entrance: itself
        return f"EXISTS {{ MATCH {_up_to(var, place)} }}"
    walk = f"-[:PART_OF*0..{UP_DEPTH}]->(u)"
    branches: list[str] = []
    for kind in kinds:
        spec = KIND_ANCHORS[kind]
        guard = [f"{var}:{kind}"] if len(kinds) > 1 else []
        if spec.itself:
            branches.append(f"MATCH ({var}){walk} WHERE {' AND '.join([*guard, f'u.id = {place}'])} RETURN 1 AS x")
        unless = [f"NOT {_exists(var, spec.unless, None, prefix='gx')}"] if spec.fallback else []
        for path, extra in [*((p, []) for p in spec.primary), *((p, unless) for p in spec.fallback)]:
            text, where = _pattern(var, path, "ax")
            conds = [*guard, *extra, *where, f"u.id = {place}"]
            branches.append(f"MATCH {text}, (ax){walk} WHERE {' AND '.join(conds)} RETURN 1 AS x")
    anchorless = " OR ".join(
        f"({var}:{k} AND {_anchorless(var, k)})" if len(kinds) > 1 else _anchorless(var, k)
        for k in kinds if not KIND_ANCHORS[k].itself
    ) or "false"
    some = f"EXISTS {{ CALL ({var}) {{ {' UNION ALL '.join(branches)} }} RETURN x }}"
    return f"({some} OR ({root} AND ({anchorless})))"


def _always(kind: str, label: str | None) -> bool:
    """Whether every node of ``kind`` carries ``label`` (``None``: any node)."""
    if label is None:
        return True
    k = next(k for k in NODE_KINDS if k.label == kind)
    return label in (k.label, *k.extra_labels)


def kind_labels(kind: str) -> tuple[str, ...]:
    """Every label a node of ``kind`` may carry (conditional ones included)."""
    return next(k.all_labels for k in NODE_KINDS if k.label == kind)


def implied(src_label: str | None, rel: str, direction: str, label: str) -> bool:
    """Whether an item of ``label`` reached along ``rel`` (``direction`` from the source) from
    a *visible* item of ``src_label`` is visible for certain, so that the hop needs no check.

    Holds when every source kind is a place anchored by itself (so the source is under the
    scope) and every target kind has that source as an anchor: a place one ``PART_OF`` below
    it (the place tree is a tree of at most ``UP_DEPTH`` levels, so the child is under the
    scope too), or a kind whose one-step primary anchor path is this hop walked back (a
    building's entrances and residents, the orgs covering it). Primary paths hold whatever
    else the item has, so the source is one of its anchors."""
    src_kinds = kinds_of(src_label) if src_label is not None else ()
    kinds = kinds_of(label)
    if not src_kinds or not kinds or not all(KIND_ANCHORS[k].itself for k in src_kinds):
        return False
    back = "out" if direction == "in" else "in"
    for kind in kinds:
        spec = KIND_ANCHORS[kind]
        if spec.itself:
            ok = rel == "PART_OF" and direction == "in"
        else:
            ok = any(
                len(path) == 1
                and path[0].rel == rel
                and path[0].direction == back
                and all(_always(k, path[0].label) for k in src_kinds)
                and not any(path[0].not_label in kind_labels(k) for k in src_kinds if path[0].not_label)
                for path in spec.primary
            )
        if not ok:
            return False
    return True


def _anchorless(var: str, kind: str) -> str:
    """Cypher: ``var`` (of ``kind``) has no anchor at all (``anchors`` would be empty)."""
    spec = KIND_ANCHORS[kind]
    if spec.itself:
        return "false"
    conds = [f"NOT {_exists(var, p, None, prefix='nx')}" for p in spec.primary]
    if spec.fallback:
        none = " AND ".join(f"NOT {_exists(var, p, None, prefix='nx')}" for p in spec.fallback)
        conds.append(f"({_exists(var, spec.unless, None, prefix='gx')} OR ({none}))")
    return " AND ".join(conds)


def down_cypher(var: str, label: str, walk: str, walk_root: str) -> list[str]:
    """The body of a subquery returning ``var``: every item of ``label`` lying in the place
    node ``walk`` (``walk_root``: whether it is a root), found by walking *down* from it, the
    mirror of ``visible_cypher``'s walk up (the same anchor paths, the same depth): the places
    under ``walk``, then each anchor path followed back from them to the items. For a root,
    the items with no anchor at all too (a label scan, as only a root area holds them).
    A null ``walk`` (no such place) yields nothing."""
    kinds = kinds_of(label)
    if not kinds:
        raise KeyError(label)
    walk_down = f"({walk})<-[:PART_OF*0..{UP_DEPTH}]-"
    if all(KIND_ANCHORS[k].itself for k in kinds):
        # each step up the tree goes one level up at least (Province 0 ... Building 7), so a
        # place of level L lies at most L steps below anything above it: no deeper walk
        # (a district's own district, not its 15,000 places)
        depth = min(UP_DEPTH, max(PLACE_LABELS.index(k) for k in kinds))
        return [f"MATCH ({walk})<-[:PART_OF*0..{depth}]-({var}:{label})", f"RETURN DISTINCT {var}"]
    branches: list[str] = []
    for kind in kinds:
        spec = KIND_ANCHORS[kind]
        if spec.itself:
            branches.append(f"WITH ax AS {var} WHERE {var}:{kind} RETURN {var}")
        unless = [f"NOT {_exists(var, spec.unless, None, prefix='gx')}"] if spec.fallback else []
        for path, extra in [*((p, []) for p in spec.primary), *((p, unless) for p in spec.fallback)]:
            text, where = _pattern(var, path, "ax")
            conds = " AND ".join([f"{var}:{kind}", *where, *extra])
            branches.append(f"MATCH {text} WHERE {conds} RETURN {var}")
    anchorless = " OR ".join(f"({var}:{k} AND {_anchorless(var, k)})" for k in kinds if not KIND_ANCHORS[k].itself)
    return [
        f"MATCH {walk_down}(ax)",
        "WITH DISTINCT ax",
        "CALL (ax) { " + " UNION ".join(branches) + " }",
        f"RETURN {var}",
        "UNION",
        # only a root holds the items with no anchor: no scan otherwise (an empty UNWIND)
        f"UNWIND CASE WHEN {walk_root} THEN [1] ELSE [] END AS one_{var}",
        f"MATCH ({var}:{label}) WHERE {anchorless}",
        f"RETURN {var}",
    ]


def anchors_cypher(var: str, label: str) -> str:
    """A Cypher list of the anchor *nodes* of ``var`` (known to carry ``label``)."""
    branches: list[str] = []
    for kind in kinds_of(label):
        spec = KIND_ANCHORS[kind]
        guard = f"{var}:{kind}"
        if spec.itself:
            branches.append(f"WITH {var} AS ax WHERE {guard} RETURN ax")
        for p in spec.primary:
            text, where = _pattern(var, p, "ax")
            branches.append(f"MATCH {text} WHERE {' AND '.join([guard, *where])} RETURN ax")
        for p in spec.fallback:
            text, where = _pattern(var, p, "ax")
            unless = _exists(var, spec.unless, None, prefix="gx")
            branches.append(f"MATCH {text} WHERE {' AND '.join([guard, *where, 'NOT ' + unless])} RETURN ax")
    return "COLLECT { " + " UNION ".join(branches) + " }"


# ---------------------------------------------------------------- networkx


def _follow(g: GraphView, node: str, path: Path) -> Iterator[str]:
    level = [node]
    for step in path:
        nxt: list[str] = []
        for n in level:
            edges = g.out(n, step.rel) if step.direction == "out" else g.into(n, step.rel)
            for other, _ in edges:
                if (step.label is None or g.has_label(other, step.label)) and not (
                    step.not_label and g.has_label(other, step.not_label)
                ):
                    nxt.append(other)
        level = nxt
    yield from level


def kind_of(g: GraphView, node: str) -> str | None:
    for k in NODE_KINDS:
        if g.has_label(node, k.label):
            return k.label
    return None


def anchors(g: GraphView, node: str) -> list[str]:
    """The sorted anchor ids of ``node``: the networkx side of ``anchors_cypher``."""
    if not g.has(node):
        return []
    kind = kind_of(g, node)
    if kind is None:
        return []
    spec = KIND_ANCHORS[kind]
    out: set[str] = {node} if spec.itself else set()
    for p in spec.primary:
        out.update(_follow(g, node, p))
    if spec.fallback and next(_follow(g, node, spec.unless), None) is None:
        for p in spec.fallback:
            out.update(_follow(g, node, p))
    return sorted(out)


class Visibility:
    """What one scope area sees on the embedded store (the twin of ``visible_cypher``); the
    answer per anchor is memoised, so each place is walked up at most once per plan."""

    def __init__(self, g: GraphView, area: str) -> None:
        self.g = g
        self.area = area
        self.exists = g.has(area) and g.has_label(area, "Place")
        self.root = self.exists and not any(g.has_label(t, "Place") for t, _ in g.out(area, "PART_OF"))
        self._under: dict[str, bool] = {}

    def under(self, place: str) -> bool:
        """Whether ``place`` is the area or lies under it (up to ``UP_DEPTH`` hops up)."""
        got = self._under.get(place)
        if got is None:
            got = False
            if self.exists:
                level = [place]
                for depth in range(UP_DEPTH + 1):
                    if self.area in level:
                        got = True
                        break
                    if depth == UP_DEPTH:
                        break
                    level = [t for n in level for t, _ in self.g.out(n, "PART_OF")]
            self._under[place] = got
        return got

    def sees(self, node: str) -> bool:
        found = anchors(self.g, node)
        if not found:
            return self.root
        return any(self.under(a) for a in found)
