"""Figure 10's parts without timing or npm: the peer's type definitions cover the model, and
every request is well formed on each side (parsed and checked against the schemas)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    parse,
    validate,
)

from bench import peer_report
from bench.api import latency
from bench.cli import parse_args
from bench.peer import PeerRequestFigures, PeerResult, root_fields
from bench.peer_requests import PeerTargets, graphql_variables, requests
from bench.peer_typedefs import PARSE_PRELUDE, camel, type_defs
from graph.declare import FieldType
from graph.model import NODE_KINDS, REL_KINDS

ROOT = Path(__file__).resolve().parents[2]
TARGETS = PeerTargets("D-0001", "CM-0001", "P-00001", ("S-0001", "S-0002", "S-0003"), "2026-06-30")


@pytest.fixture(scope="module")
def peer_sdl() -> GraphQLSchema:
    return build_schema(PARSE_PRELUDE + type_defs())


@pytest.fixture(scope="module")
def gongzhi_sdl() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _rel_fields(schema: GraphQLSchema, label: str) -> set[tuple[str, str, str]]:
    """(type, direction, other label) of every @relationship field of ``label``."""
    out = set()
    obj = schema.get_type(label)
    assert isinstance(obj, GraphQLObjectType)
    for f in obj.fields.values():
        node = f.ast_node
        assert node is not None
        for d in node.directives or ():
            if d.name.value == "relationship":
                args = {a.name.value: getattr(a.value, "value", None) for a in d.arguments}
                out.add((args["type"], args["direction"], _named(f.type).name))
    return out


def test_every_node_kind_is_a_type_with_its_properties(peer_sdl: GraphQLSchema) -> None:
    scalars = {FieldType.INT: "Int", FieldType.BOOL: "Boolean", FieldType.DATE: "Date"}
    for kind in NODE_KINDS:
        obj = peer_sdl.get_type(kind.label)
        assert isinstance(obj, GraphQLObjectType), kind.label
        for col in kind.columns:
            if col.type is FieldType.REF:
                assert col.name not in obj.fields, f"{kind.label}.{col.name} is a relationship, not a property"
                continue
            assert col.name in obj.fields, f"{kind.label} lacks {col.name}"
            want = "ID" if col.name == "id" else scalars.get(col.type, "String")
            assert _named(obj.fields[col.name].type).name == want, f"{kind.label}.{col.name}"


def test_every_relationship_of_the_model_is_on_both_ends(peer_sdl: GraphQLSchema) -> None:
    expected: set[tuple[str, str, str]] = set()  # (rel type, from label, to label)
    for kind in NODE_KINDS:
        for rel in kind.inline_rels:
            expected |= {(rel.type, kind.label, t) for t in kind.column(rel.column).ref}
    for rk in REL_KINDS:
        expected |= {(rk.type, a, b) for a in rk.from_column.ref for b in rk.to_column.ref}
    assert expected
    for rel_type, a, b in expected:
        assert (rel_type, "OUT", b) in _rel_fields(peer_sdl, a), f"{a} -[{rel_type}]-> {b} missing on {a}"
        assert (rel_type, "IN", a) in _rel_fields(peer_sdl, b), f"{a} -[{rel_type}]-> {b} missing on {b}"
    found = {(t, label, other) for k in NODE_KINDS for t, d, other in _rel_fields(peer_sdl, k.label) if d == "OUT"
             for label in [k.label]}  # fmt: skip
    assert found == expected, "the peer has relationships the model does not declare"


def test_relationship_tables_have_their_properties(peer_sdl: GraphQLSchema) -> None:
    for rk in REL_KINDS:
        props = peer_sdl.get_type(camel(rk.type)[0].upper() + camel(rk.type)[1:] + "Props")
        assert isinstance(props, GraphQLObjectType), rk.type
        assert set(props.fields) == {c.name for c in rk.columns}


# ---------------------------------------------------------------- the requests


def _walk(schema: GraphQLSchema, obj: GraphQLObjectType, sel: SelectionSetNode, where: str) -> None:
    """Every field selected exists on the peer's type, through its list or ``...Connection``."""
    for s in sel.selections:
        if isinstance(s, InlineFragmentNode):
            _walk(schema, obj, s.selection_set, where)
            continue
        assert isinstance(s, FieldNode)
        name = s.name.value
        if name in obj.fields:
            target = _named(obj.fields[name].type)
            if s.selection_set is not None:
                assert isinstance(target, GraphQLObjectType), f"{where}: {obj.name}.{name} is a scalar"
                _walk(schema, target, s.selection_set, f"{where}.{name}")
            continue
        assert name.endswith("Connection") and name[: -len("Connection")] in obj.fields, f"{where}: {obj.name}.{name}"
        target = _named(obj.fields[name[: -len("Connection")]].type)
        _connection(schema, target, s, f"{where}.{name}")


def _connection(schema: GraphQLSchema, target: GraphQLObjectType, conn: FieldNode, where: str) -> None:
    assert conn.selection_set is not None
    for s in conn.selection_set.selections:
        assert isinstance(s, FieldNode)
        if s.name.value == "edges":
            assert s.selection_set is not None
            for e in s.selection_set.selections:
                assert isinstance(e, FieldNode) and e.name.value == "node" and e.selection_set is not None
                _walk(schema, target, e.selection_set, where)
        else:
            assert s.name.value in {"totalCount", "aggregate", "pageInfo"}, f"{where}: {s.name.value}"


def _plural(label: str) -> str:
    """The peer's root list of a type (``pluralize`` of the lower-cased name)."""
    if label == "Person":
        return "people"
    head = label[0].lower() + label[1:]
    return head[:-1] + "ies" if head.endswith("y") else head + "s"


def test_peer_documents_select_what_the_type_definitions_have(peer_sdl: GraphQLSchema) -> None:
    roots = {_plural(k.label): k.label for k in NODE_KINDS}
    for r in requests(TARGETS):
        op = parse(r.peer.document).definitions[0]
        assert isinstance(op, OperationDefinitionNode)
        for s in op.selection_set.selections:
            assert isinstance(s, FieldNode)
            name = s.name.value
            list_name = name[: -len("Connection")] if name.endswith("Connection") else name
            assert list_name in roots, f"{r.name}: no root list {name}"
            obj = peer_sdl.get_type(roots[list_name])
            assert isinstance(obj, GraphQLObjectType)
            if name.endswith("Connection"):
                _connection(peer_sdl, obj, s, r.name)
            else:
                assert s.selection_set is not None
                _walk(peer_sdl, obj, s.selection_set, r.name)


def test_gongzhi_documents_validate_against_schema_graphql(gongzhi_sdl: GraphQLSchema) -> None:
    has_graph = gongzhi_sdl.query_type is not None and "graph" in gongzhi_sdl.query_type.fields
    for r in requests(TARGETS):
        assert validate(gongzhi_sdl, parse(r.current.document)) == [], r.name
        parse(r.generated.document)  # well formed; checked against the schema once it has `graph`
        if has_graph:  # (the bench would fall back to the current document, and say so)
            assert validate(gongzhi_sdl, parse(r.generated.document)) == [], r.name


def test_every_side_gets_the_variables_it_declares() -> None:
    for r in requests(TARGETS):
        for doc in (r.current.document, r.generated.document, r.peer.document):
            declared = set(re.findall(r"\$(\w+):", doc))
            used = set(re.findall(r"\$(\w+)\b", doc)) - declared
            assert not used, f"{r.name}: {used} used but not declared"
            assert set(graphql_variables(r, doc)) == declared, r.name
        assert set(re.findall(r"\$(\w+)", r.raw.document)) <= set(r.variables), r.name


def test_seven_requests_with_their_root_fields() -> None:
    reqs = requests(TARGETS)
    assert len(reqs) == 7
    assert len({r.name for r in reqs}) == 7
    r4 = next(r for r in reqs if r.name.startswith("count of buildings"))
    assert root_fields(r4.current.document) == root_fields(r4.generated.document) == 2
    r7 = reqs[-1]
    assert root_fields(r7.current.document) == 2 * len(TARGETS.subdistricts)


# ---------------------------------------------------------------- the report


def _figures(gz: float, peer: float, raw: float, statements: int) -> PeerRequestFigures:
    return PeerRequestFigures(
        "r", "current", latency([gz] * 3), latency([peer] * 3), latency([raw] * 3), 1, statements, 1, True
    )


def test_verdicts_follow_the_goals() -> None:
    assert peer_report.verdict(_figures(0.010, 0.011, 0.006, 1)) == "holds"
    assert "peer" in peer_report.verdict(_figures(0.020, 0.011, 0.015, 1))
    assert "raw" in peer_report.verdict(_figures(0.010, 0.011, 0.004, 1))
    assert "statements" in peer_report.verdict(_figures(0.010, 0.011, 0.006, 3))
    differ = _figures(0.010, 0.011, 0.006, 1)
    differ.same_answer = False
    assert "differ" in peer_report.verdict(differ)


def test_the_figure_replaces_itself_and_leaves_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n## The eight figures\n\nx\n\n## district\n\nd\n\n## Notes\n\nstale-notes\n")
    result = PeerResult(requests=[_figures(0.01, 0.02, 0.005, 1)], scale="district", samples=3)
    lines = peer_report.section(result, "python -m bench --only peer", datetime.now().astimezone(), "abc", "m")
    peer_report.update(out, lines, "## Notes\n\nfresh-notes\n")
    first = out.read_text()
    assert first.index("## The eight figures") < first.index(peer_report.TITLE) < first.index("## district")
    assert "fresh-notes" in first and "stale-notes" not in first
    peer_report.update(out, lines, "## Notes\n\nfresh-notes\n")
    assert out.read_text() == first
    assert peer_report.previous(out) == lines


def test_only_peer_measures_the_district_by_default() -> None:
    args = parse_args(["--only", "peer"])
    assert args.only == "peer" and args.scale_list == ["district"] and args.peer_samples == 60
