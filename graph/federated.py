"""Several stores answering as one: a province split over servers, each holding whole cities.

A federation is read-only. Each part is an ordinary store (a Neo4j server, or an embedded
directory) loaded with its own cities; the places above the split (the province) are in every
part, everything else in exactly one. ``run`` sends a query to the parts holding its
``$area``: one part holds any place below the split, and its answer is the answer, verbatim.
For an area several parts hold, the query's declared ``federate`` rule joins their answers
(``graph/query.py``): counts add up, gap rows merge by id, suggestions stay with their item.
That is exact as long as no counted item lies in two parts, which a split by city gives
(cities share no item; docs/scale.md says what a split that shares items would need).

What a federation does not answer it refuses (``Unsupported``, a ``StoreError``) rather than guess: a query
with no rule for an area in several parts, the compiled ``graph { ... }`` reads, and writes
(load each part through its own store).

Settings: ``GONGZHI_STORE=federated`` and ``GONGZHI_PARTS`` a comma-separated list of parts,
each a Neo4j URI (``bolt://host:7687``, the user, password and database of the settings) or
``embedded:<data directory>``.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from graph.errors import ConfigError, StoreError, Unsupported
from graph.query import Query, Row
from graph.records import Degrees, Stats, StoredNode, StoredRel, WriteBatch
from graph.select import Scope, Select, SelectResult
from graph.settings import Settings
from graph.store import Store

__all__ = ["FederatedStore", "join_rows", "open_parts"]

EMBEDDED_PREFIX = "embedded:"


def _refuse(what: str, what_zh: str) -> Unsupported:
    return Unsupported(
        f"a federation of stores cannot {what}; open the part itself",
        message_zh=f"联合多个存储时不能{what_zh}，请直接打开相应的存储",
    )


def join_rows(rule: str | None, name: str, answers: Sequence[list[Row]]) -> list[Row]:
    """One answer from several parts' answers to the same query, by the query's rule."""
    if rule == "first":
        return answers[0]
    if rule == "sum":
        rows = [a[0] for a in answers if a]
        if not rows:
            return []
        return [{key: sum(r[key] for r in rows) for key in rows[0]}]
    if rule == "union":
        seen: set[Any] = set()
        out: list[Row] = []
        for row in heapq.merge(*answers, key=lambda r: r["id"]):
            if row["id"] not in seen:
                seen.add(row["id"])
                out.append(row)
        return out
    if rule == "merge_lists":
        # one row per part: its lists (ids, sorted) united, the other columns as every part has them
        rows = [a[0] for a in answers if a]
        if not rows:
            return []
        return [
            {k: sorted(set().union(*(r[k] for r in rows))) if isinstance(v, list) else v for k, v in rows[0].items()}
        ]
    if rule == "by_item":
        # each item lies in one part, so a stable sort by item keeps every item's own order
        return sorted((r for a in answers for r in a), key=lambda r: r["item"])
    raise StoreError(
        f"query {name} is not answered across the parts of a federation",
        message_zh=f"查询 {name} 不能跨多个存储合并回答",
    )


class FederatedStore(Store):
    kind = "federated"

    def __init__(self, parts: Sequence[Store]) -> None:
        if not parts:
            raise ConfigError("a federation needs at least one part", message_zh="联合查询至少需要一个存储")
        self.parts = tuple(parts)
        # the parts answer at once, and each part as many at a time as it can on its own
        self.read_concurrency = sum(p.read_concurrency for p in self.parts)
        self.partial_writes = any(p.partial_writes for p in self.parts)
        self._pool = ThreadPoolExecutor(len(self.parts), thread_name_prefix="gongzhi-federation")
        #: which parts hold a place (only hits are kept: a place loaded later is found then)
        self._holders: dict[str, tuple[Store, ...]] = {}

    # ------------------------------------------------------------ routing

    def holders(self, place_id: str) -> tuple[Store, ...]:
        """The parts holding the place ``place_id`` (none when no part does)."""
        found = self._holders.get(place_id)
        if found is None:
            hits = self._each(lambda p: bool(p.find_ids("Place", [place_id])))
            found = tuple(p for p, hit in zip(self.parts, hits, strict=True) if hit)
            if found:
                self._holders[place_id] = found
        return found

    def _each(self, call: Any, parts: Sequence[Store] | None = None) -> list[Any]:
        chosen = self.parts if parts is None else parts
        if len(chosen) == 1:
            return [call(chosen[0])]
        return list(self._pool.map(call, chosen))

    def run(self, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        area = (params or {}).get("area")
        parts: Sequence[Store] = self.parts
        if isinstance(area, str):
            parts = self.holders(area)
            if not parts:
                return []
            if len(parts) == 1:
                return parts[0].run(query, params)
        if query.federate is None:
            return join_rows(None, query.name, [])
        return join_rows(query.federate, query.name, self._each(lambda p: p.run(query, params), parts))

    # ------------------------------------------------------------ reads every part answers

    def ping(self) -> None:
        self._each(lambda p: p.ping())

    def close(self) -> None:
        try:
            for p in self.parts:
                p.close()
        finally:
            self._pool.shutdown(wait=False)

    def find_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        return set().union(*self._each(lambda p: p.find_ids(label, ids)))

    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        out: dict[str, StoredNode] = {}
        for found in self._each(lambda p: p.fetch_nodes(label, ids)):
            out.update(found)
        return out

    def version(self) -> int:
        """The sum of the parts' versions: it moves whenever any part is written."""
        return sum(self._each(lambda p: p.version()))

    def stats(self) -> Stats:
        """Counts added up over the parts; the places above the split count once per part."""
        labels: dict[str, int] = {}
        rels: dict[str, int] = {}
        for s in self._each(lambda p: p.stats()):
            for k, v in s.labels.items():
                labels[k] = labels.get(k, 0) + v
            for k, v in s.rel_types.items():
                rels[k] = rels.get(k, 0) + v
        return Stats(labels, rels)

    def degrees(self) -> Degrees:
        labels: dict[str, int] = {}
        out: dict[tuple[str, str], int] = {}
        into: dict[tuple[str, str], int] = {}
        for d in self._each(lambda p: p.degrees()):
            for src, dst in ((d.labels, labels), (d.out, out), (d.into, into)):
                for k, v in src.items():
                    dst[k] = dst.get(k, 0) + v
        return Degrees(labels, out, into)

    def is_empty(self) -> bool:
        return all(self._each(lambda p: p.is_empty()))

    def derivation_stamp(self) -> str | None:
        """The parts' common stamp; None when they differ (each part is brought up to date
        by a load into it, not through the federation)."""
        stamps = set(self._each(lambda p: p.derivation_stamp()))
        return stamps.pop() if len(stamps) == 1 else None

    def set_derivation_stamp(self, stamp: str) -> None:
        raise _refuse("record derived values", "记录派生值")

    def load_in_progress(self) -> Any:
        for status in self._each(lambda p: p.load_in_progress()):
            if status is not None:
                return status
        return None

    # ------------------------------------------------------------ what a federation refuses

    def select(self, plan: Select, scope: Scope) -> SelectResult:
        raise _refuse("run a compiled graph read", "执行 graph 查询")

    def apply_schema(self) -> list[str]:
        raise _refuse("apply the schema", "创建约束和索引")

    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        raise _refuse("read relationships for a load", "为导入读取关系")

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        raise _refuse("read items for a load", "为导入读取数据")

    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        raise _refuse("read relationships for a load", "为导入读取关系")

    def source_items(self, source: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        raise _refuse("list a source's items", "列出某一数据来源的数据")

    def attached_rels(self, label: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        raise _refuse("list attached relationships", "列出相连的关系")

    def write(self, batch: WriteBatch, *, expect_version: int | None = None) -> int:
        raise _refuse("write", "写入")

    def clear(self) -> None:
        raise _refuse("clear", "清空数据")


def open_parts(settings: Settings) -> list[Store]:
    """The stores ``settings.parts`` names, each opened for reading."""
    from graph.store import open_store

    names = [p.strip() for p in settings.parts.split(",") if p.strip()]
    if not names:
        raise ConfigError(
            "GONGZHI_STORE=federated needs GONGZHI_PARTS: comma-separated Neo4j URIs or embedded:<dir>",
            message_zh="GONGZHI_STORE=federated 需要设置 GONGZHI_PARTS(逗号分隔的 Neo4j 地址或 embedded:<目录>)",
        )
    parts: list[Store] = []
    try:
        for name in names:
            if name.startswith(EMBEDDED_PREFIX):
                part = settings.with_(store="embedded", data_dir=Path(name[len(EMBEDDED_PREFIX) :]))
            else:
                part = settings.with_(store="neo4j", neo4j_uri=name)
            parts.append(open_store(part, read_only=True))
    except BaseException:
        for p in parts:
            p.close()
        raise
    return parts
