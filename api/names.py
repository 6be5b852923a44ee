"""Places named as an organizer says them in the CLI: "长虹嘉园 3栋", not "3栋 (B-000003)".

A building's name ("3栋") is ambiguous in a community of twenty compounds, and an id means
nothing to the people who visit it; so a building or entrance is named with its compound, a
compound or grid with its community. The names are read from the store in one or two
look-ups per command (``fetch_nodes`` / ``fetch_rels`` of the store interface).
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.store import Store

#: Which ancestor a place of each kind is named with.
_NAMED_WITH = {"Entrance": "Compound", "Building": "Compound", "Compound": "Community", "Grid": "Community"}
_DEPTH = ("Community", "Grid", "Compound", "Building", "Entrance")


class PlaceNames:
    """The names of places (and, for the ids that are not places, of any node) by id."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._node: dict[str, tuple[str, str | None]] = {}  # id -> (kind, name)
        self._parent: dict[str, str | None] = {}

    def _fetch(self, ids: Iterable[str]) -> None:
        wanted = sorted({i for i in ids if i and i not in self._node})
        if not wanted:
            return
        for i, node in self._store.fetch_nodes("Place", wanted).items():
            kind = next((k for k in _DEPTH if k in node.labels), node.labels[0])
            self._node[i] = (kind, node.props.get("name"))
        for rel in self._store.fetch_rels("PART_OF", "Place", wanted).values():
            self._parent.setdefault(rel.from_id, rel.to_id)
        for i in wanted:
            self._node.setdefault(i, ("", None))
            self._parent.setdefault(i, None)

    def prefetch(self, places: Iterable[str]) -> None:
        """Read ``places`` and their ancestors up to the community, a level at a time (one pair
        of look-ups per level, whatever the number of places)."""
        frontier = [p for p in places if p]
        for _ in range(len(_DEPTH)):
            self._fetch(frontier)
            frontier = [
                parent
                for p in frontier
                if self._node[p][0] not in ("", "Community") and (parent := self._parent.get(p)) is not None
            ]
            if not frontier:
                break

    def name(self, place: str | None) -> str:
        """The place's name with its compound or community ("长虹嘉园 3栋 2单元"); its id when it
        has no name or is not a place."""
        if not place:
            return ""
        self.prefetch([place])
        kind, own = self._node[place]
        if not kind or not own:
            return place
        target = _NAMED_WITH.get(kind)
        parts = [own]
        current = self._parent.get(place)
        while target is not None and current is not None and current in self._node:
            a_kind, a_name = self._node[current]
            if a_kind in ("Building", target) and a_name and not own.startswith(a_name):
                parts.append(a_name)
            if a_kind in (target, "Community", ""):
                break
            current = self._parent.get(current)
        return " ".join(reversed(parts))

    def names(self, places: Iterable[str]) -> list[str]:
        items = list(places)
        self.prefetch(items)
        return [self.name(p) for p in items]
