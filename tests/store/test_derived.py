"""Derived properties (graph/derived.py) on both stores: computed by every writer, no part of an
item's content, and given to a store written before them by a reload of unchanged data, by
``gongzhi schema`` and by a server start.

The values are checked against each declaration's own function over the stored sources, and
the initials against pypinyin directly (``test_initials_are_pypinyins``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypinyin import Style, lazy_pinyin, pinyin

from api.app import create_app
from graph import model
from graph.captions import units
from graph.derived import DERIVED_NAMES, backfill, derivation_stamp
from graph.pinyin import name_initials
from graph.records import NodeRecord, WriteBatch
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.load import load
from tests.api.datasets import small_street


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_street(tmp_path_factory.mktemp("derived") / "input")


def _derived_kinds() -> list[model.NodeKind]:
    return [k for k in model.NODE_KINDS if k.derived]


def _stored(store: Store, kind: model.NodeKind) -> dict[str, dict[str, Any]]:
    names = sorted({"id", *(c.name for c in kind.property_columns), *(d.name for d in kind.derived)})
    return store.node_values(kind.label, names)


def _missing_or_wrong(store: Store) -> list[tuple[str, str, str]]:
    """(label, id, property) of every derived value that is absent or not what its function gives."""
    out = []
    for kind in _derived_kinds():
        for node_id, props in _stored(store, kind).items():
            for d in kind.derived:
                if props.get(d.name) != d.value(props):
                    out.append((kind.label, node_id, d.name))
    return out


def _strip(store: Store) -> int:
    """Make ``store`` look written before derived properties: every node without them, no stamp."""
    batch = WriteBatch()
    for kind in _derived_kinds():
        nodes = store.fetch_nodes(kind.label, sorted(store.node_values(kind.label, ["id"])))
        for node_id, node in nodes.items():
            props = {k: v for k, v in node.props.items() if k not in DERIVED_NAMES}
            batch.nodes.append(NodeRecord(kind.label, node.labels, node_id, props))
    store.write(batch)
    store.set_derivation_stamp("before-derived")
    return len(batch.nodes)


def test_every_node_a_load_writes_has_its_derived_values(store: Store, street: Path) -> None:
    load(store, street, source="street")
    assert _missing_or_wrong(store) == []
    persons = _stored(store, model.PERSON)
    assert persons and all(p["name_initials"] for p in persons.values())
    assert store.derivation_stamp() == derivation_stamp()
    for kind in _derived_kinds():
        (caption,) = [d for d in kind.derived if d.name == "caption"]
        width = caption.compute.args[0]
        for node_id, props in _stored(store, kind).items():
            assert units(props["caption"]) <= width, (node_id, props["caption"])
    for props in persons.values():  # a person's caption comes from the id, never the name
        assert props["caption"] in props["id"] and props["name"] not in props["caption"]


def test_derived_values_are_no_content_an_unchanged_reload_writes_nothing(store: Store, street: Path) -> None:
    load(store, street, source="street")
    version = store.version()
    summary = load(store, street, source="street")
    assert store.version() == version and summary.written == 0


def test_a_changed_name_changes_its_initials(store: Store, street: Path, tmp_path: Path) -> None:
    load(store, street, source="street")
    changed = tmp_path / "input"
    changed.mkdir()
    for f in street.glob("*.csv"):
        (changed / f.name).write_bytes(f.read_bytes())
    with open(changed / "persons.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    person = rows[1][0]
    rows[1][1] = "单雄信"
    with open(changed / "persons.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    load(store, changed, source="street")
    stored = store.fetch_nodes("Person", [person])[person].props
    assert stored["name_initials"] == name_initials("单雄信") == "dxx cxx sxx"
    assert _missing_or_wrong(store) == []


def test_an_old_store_gets_its_values_on_a_reload_of_unchanged_data(store: Store, street: Path) -> None:
    load(store, street, source="street")
    assert _strip(store) > 0
    assert _missing_or_wrong(store) != []
    version = store.version()
    summary = load(store, street, source="street")
    assert _missing_or_wrong(store) == []
    assert summary.written == 0 and store.version() == version + 1  # the backfill only
    assert store.derivation_stamp() == derivation_stamp()
    assert backfill(store) == 0  # up to date: nothing read, nothing written
    assert store.version() == version + 1


def test_gongzhi_schema_gives_an_old_store_its_values(store: Store, street: Path) -> None:
    load(store, street, source="street")
    stripped = _strip(store)
    store.apply_schema()
    assert backfill(store) == stripped
    assert _missing_or_wrong(store) == []


def test_a_server_start_gives_an_old_embedded_store_its_values(street: Path, tmp_path: Path) -> None:
    settings = Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path / "store")  # type: ignore[call-arg]
    store = open_store(settings)
    load(store, street, source="street")
    _strip(store)
    assert _missing_or_wrong(store) != []
    app = create_app(settings, auth_path=tmp_path / "tokens", audit_path=tmp_path / "audit.log")
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
    assert _missing_or_wrong(open_store(settings)) == []


@pytest.mark.neo4j
def test_a_server_start_gives_an_old_neo4j_store_its_values(
    neo4j_settings: Settings, _neo4j_store: Store, street: Path, tmp_path: Path
) -> None:
    _neo4j_store.clear()
    load(_neo4j_store, street, source="street")
    _strip(_neo4j_store)
    app = create_app(neo4j_settings, auth_path=tmp_path / "tokens", audit_path=tmp_path / "audit.log")
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
    assert _missing_or_wrong(_neo4j_store) == []


def test_initials_are_pypinyins(street: Path) -> None:
    """The oracle: pypinyin's own default reading starts the value; each other value differs
    from it only by another reading pypinyin gives the surname."""
    with open(street / "persons.csv", encoding="utf-8", newline="") as f:
        names = [r["name"] for r in csv.DictReader(f)]
    assert len(names) > 50
    alternatives = 0
    for name in {*names, "张三丰", "单雄信", "曾国藩", "欧阳娜娜"}:
        default = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
        first, *others = name_initials(name).split(" ")  # type: ignore[union-attr]
        assert first == default, name
        readings = set(pinyin(name[0], style=Style.FIRST_LETTER, heteronym=True)[0])
        for other in others:
            assert other[1:] == default[1:] and other[0] in readings and other != default, name
        alternatives += len(others)
    assert alternatives  # the surname readings are exercised
    assert name_initials("张三丰") == "zsf"
    assert name_initials("Tom Li") == "tl" and name_initials("·") is None
