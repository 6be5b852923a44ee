"""The rows of ``Select`` plans shaped into the response of ``graph { ... }``, serialised.

Keys are the response keys (aliases) of the document; values what graphql-core would have
made of them: global ids (``api/graphql/ids.py``), ISO dates, enums by name, personal values
masked by the caller's role and their unmasked reads audited, by the same functions the
hand-written types use (``api/graphql/personal.py``). The result is handed to graphql-core
complete (``root.py``), so no per-field resolver runs inside the subtree.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from api.graphql import personal
from api.graphql.generated.compile import ConnSpec, ItemSpec, encode_cursor
from api.graphql.generated.names import type_name
from api.graphql.generated.types import Generated
from api.graphql.ids import to_global
from graph.declare import Column, FieldType
from graph.select import SelectResult


class Shaper:
    def __init__(self, gen: Generated, info: Any, place_names: dict[str, str | None]) -> None:
        self.gen = gen
        self.info = info  # the root field's info: the request's context (role, audit)
        self.place_names = place_names
        self._enum_names: dict[int, dict[str, str]] = {}

    def value(self, owner: str, column: Column, v: Any) -> Any:
        if v is None:
            return None
        if column.type is FieldType.ENUM:
            enum = self.gen.enums.get(f"{owner}.{column.name}")
            return None if enum is None else self.enum_name(enum, v)
        if isinstance(v, date):
            return v.isoformat()
        return v

    def enum_name(self, enum: type[Enum], code: Any) -> str | None:
        names = self._enum_names.get(id(enum))
        if names is None:
            names = self._enum_names[id(enum)] = {str(m.value): m.name for m in enum}
        return names.get(str(code))

    def personal(self, row_id: str, column: Column, v: Any, reason: str | None) -> Any:
        if column.type in (FieldType.PHONE, FieldType.ID_NUMBER):
            return personal.sensitive(self.info, row_id, column.name, v, reason, column)
        return personal.name(self.info, row_id, v, column)

    def item(self, spec: ItemSpec, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        props = row.get("props", {})
        for key, what, payload in spec.out:
            if what == "typename":
                out[key] = payload
            elif what == "id":
                out[key] = to_global(spec.label, row["id"])
            elif what == "key":
                out[key] = row["id"]
            elif what == "prop":
                column, reason = payload
                v = props.get(column.name)
                out[key] = (
                    self.personal(row["id"], column, v, reason)
                    if column.personal
                    else self.value(spec.label, column, v)
                )
            elif what == "flag":
                out[key] = payload in row.get("labels", ())
            elif what == "one":
                alias, inner = payload
                res: SelectResult | None = row.get(alias)
                out[key] = self.item(inner, res.rows[0]) if res is not None and res.rows else None
            elif what == "many":
                alias, conn = payload
                out[key] = self.connection(conn, row.get(alias) or SelectResult())
        return out

    def connection(self, spec: ConnSpec, res: SelectResult) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, what, payload in spec.out:
            if what == "typename":
                out[key] = payload
            elif what == "totalCount":
                out[key] = res.total if res.total is not None else 0
            elif what == "nodes":
                out[key] = [self.item(payload, r) for r in res.rows]
            elif what == "edges":
                out[key] = [
                    self.edge(payload, r, res.cursors[i] if i < len(res.cursors) else ())
                    for i, r in enumerate(res.rows)
                ]
            elif what == "pageInfo":
                page: dict[str, Any] = {}
                for pkey, name, tname in payload:
                    if name == "hasNextPage":
                        page[pkey] = res.has_next
                    elif name == "endCursor":
                        page[pkey] = encode_cursor(res.cursors[-1]) if res.cursors else None
                    else:
                        page[pkey] = tname
                out[key] = page
            elif what == "aggregate":
                out[key] = self.aggregate(spec.label, payload, res.aggregates or {})
            elif what == "groupBy":
                level, group = payload
                out[key] = [self.group(level, group, pid, n) for pid, n in res.groups or ()]
        return out

    def edge(
        self, spec: list[tuple[str, str, Any]], row: dict[str, Any], cursor: tuple[Any, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, what, payload in spec:
            if what == "typename":
                out[key] = payload
            elif what == "cursor":
                out[key] = encode_cursor(cursor)
            elif what == "node":
                out[key] = self.item(payload, row)
            elif what == "rel":
                rel = row.get("_rel", {})
                r: dict[str, Any] = {}
                for rkey, rwhat, rpayload in payload:
                    if rwhat == "typename":
                        r[rkey] = rpayload
                    elif rwhat == "exists":
                        r[rkey] = True
                    else:
                        owner, column = rpayload
                        r[rkey] = self.value(owner, column, rel.get(column.name))
                out[key] = r
        return out

    def aggregate(
        self, label: str, spec: list[tuple[str, str, Any]], values: dict[str, Any]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, what, payload in spec:
            if what == "typename":
                out[key] = payload
            elif what == "count":
                out[key] = values.get(payload) or 0
            else:
                f: dict[str, Any] = {}
                for fkey, fwhat, alias in payload:
                    v = alias if fwhat == "typename" else values.get(alias)
                    f[fkey] = v.isoformat() if isinstance(v, date) else v
                out[key] = f
        return out

    def group(
        self, level: str, spec: list[tuple[str, str, Any]], place_id: str, count: int
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, what, payload in spec:
            if what == "count":
                out[key] = count
            elif what == "__typename":
                out[key] = type_name("PlaceGroup")
            elif what == "place":
                p: dict[str, Any] = {}
                for pkey, name in payload:
                    if name == "id":
                        p[pkey] = to_global(level, place_id)
                    elif name == "key":
                        p[pkey] = place_id
                    elif name == "name":
                        p[pkey] = self.place_names.get(place_id)
                    else:
                        p[pkey] = type_name("Place")
                out[key] = p
        return out


def group_places(spec: ConnSpec | ItemSpec, res: Any, found: dict[str, set[str]]) -> None:
    """The place ids (by level) whose names the groups of the response show."""
    if isinstance(spec, ItemSpec):
        for _, what, payload in spec.out:
            if what == "many":
                alias, conn = payload
                if res.get(alias) is not None:
                    group_places(conn, res[alias], found)
            elif what == "one":
                alias, inner = payload
                for r in res.get(alias).rows if res.get(alias) is not None else ():
                    group_places(inner, r, found)
        return
    for _, what, payload in spec.out:
        if what == "groupBy":
            level, group = payload
            if any(w == "place" and any(n == "name" for _, n in p) for _, w, p in group):
                found.setdefault(level, set()).update(pid for pid, _ in res.groups or ())
        elif what == "nodes":
            for r in res.rows:
                group_places(payload, r, found)
        elif what == "edges":
            for _, ewhat, epayload in payload:
                if ewhat == "node":
                    for r in res.rows:
                        group_places(epayload, r, found)
