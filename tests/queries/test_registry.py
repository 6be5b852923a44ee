"""The registry: every query has both sides, and every Cypher text takes its values as parameters."""

from __future__ import annotations

import re

import pytest

from graph import model
from graph.query import Query
from queries import common
from queries.indicators import INDICATOR_IDS, INDICATORS
from queries.indicators.committees import ENV_STATUSES, OWNERS_STATUSES
from queries.indicators.reasons import REASONS
from queries.registry import QUERIES, get

#: The parameters queries may take.
PARAMETERS = {"area", "date", "ids", "limit", "person", "org"}

#: What a Cypher text may spell as a quoted literal: the model's enum codes, labels and
#: relationship types, and the status and suggestion vocabulary the queries return.
VOCABULARY = (
    {c.code for k in model.TABLES for col in (k.all_columns if isinstance(k, model.RelKind) else k.columns) for c in col.choices}
    | set(model.all_labels())
    | set(model.all_relationship_types())
    | set(common.MEMBER_STATUSES)
    | set(common.REPORT_STATUSES)
    | set(common.SUGGESTION_KINDS)
    | set(common.BRANCH_SIDES)
    | set(OWNERS_STATUSES)
    | set(ENV_STATUSES)
    | set(REASONS)
    | {""}
)

_LITERAL = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_COMMENT = re.compile(r"//[^\n]*")
_PARAM = re.compile(r"\$(\w+)")
_FORMAT_FIELD = re.compile(r"\{\w*\}")
_ID_LITERAL = re.compile(r"\{\s*id\s*:\s*[\d'\"]")
_OPTIONAL = re.compile(r"OPTIONAL MATCH ([^\n]*)")
_NEW_VAR = re.compile(r"\((\w+)(?::|\))")


def problems(q: Query) -> list[str]:
    """Why ``q`` breaks the rules of the registry (empty when it keeps them)."""
    out = []
    if not isinstance(q.cypher, str) or not q.cypher.strip():
        out.append("empty Cypher side")
    if not callable(q.networkx):
        out.append("networkx side is not callable")
    if out:
        return out
    text = _COMMENT.sub("", q.cypher)
    for m in _LITERAL.finditer(text):
        value = m.group(1) if m.group(1) is not None else m.group(2)
        if value not in VOCABULARY:
            out.append(f"literal {value!r} is neither a declared code nor a query status: pass it as a parameter")
    for name in _PARAM.findall(text):
        if name not in PARAMETERS:
            out.append(f"unknown parameter ${name}")
    if _FORMAT_FIELD.search(text):
        out.append(f"a str.format field {_FORMAT_FIELD.search(text).group(0)!r} was left in the text")  # type: ignore[union-attr]
    if _ID_LITERAL.search(text):
        out.append("a node is looked up by a literal id, not a parameter")
    for clause in _OPTIONAL.findall(text):
        for var in _NEW_VAR.findall(clause):
            if re.search(rf"\b{var}\s+IS\s+NULL", text):
                out.append(f"OPTIONAL MATCH ... {var} IS NULL: write the anti-join as NOT EXISTS {{ }}")
    return out


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_registered_query_keeps_the_rules(name: str) -> None:
    q = QUERIES[name]
    assert q.name == name
    assert problems(q) == []


def test_every_indicator_is_registered_with_count_and_gaps() -> None:
    assert list(INDICATORS) == list(INDICATOR_IDS)
    assert len(INDICATOR_IDS) == 14
    for ind in INDICATORS.values():
        for q in ind.queries:
            assert QUERIES[q.name] is q
        assert ind.count.name == f"indicator.{ind.id}.count"
        assert ind.gaps.name == f"indicator.{ind.id}.gaps"
        assert ind.rule_zh and ind.rule_en and ind.title_zh and ind.title_en


def test_checker_catches_a_missing_side_and_interpolated_values() -> None:
    def twin(g: object, p: object) -> list[dict[str, object]]:
        return []

    assert problems(Query("x", "", twin)) == ["empty Cypher side"]
    assert problems(Query("x", "MATCH (n) RETURN n", None)) == ["networkx side is not callable"]  # type: ignore[arg-type]
    area = "CM-0001"
    bad = Query("x", f"MATCH (a:Place {{id: '{area}'}}) WHERE a.since <= $date RETURN a", twin)
    assert any("literal 'CM-0001'" in p for p in problems(bad))
    assert any("literal id" in p for p in problems(Query("x", "MATCH (a {id: 7}) RETURN $date", twin)))
    assert problems(Query("x", "MATCH (a {id: $area}) WHERE a.name = {name} RETURN $date", twin))
    anti = "MATCH (c:Compound) OPTIONAL MATCH (c)<-[:COVERS]-(o:PartyOrg) WITH c, o WHERE o IS NULL RETURN c, $date"
    assert any("NOT EXISTS" in p for p in problems(Query("x", anti, twin)))
    assert problems(Query("x", "MATCH (o:PartyOrg {id: $org}) WHERE o.level = 'branch' RETURN $date", twin)) == []


def test_get_unknown_query() -> None:
    from graph.errors import NotFound

    assert get("area.path") is QUERIES["area.path"]
    with pytest.raises(NotFound):
        get("nope")
