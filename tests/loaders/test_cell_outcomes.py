"""The fast, cached cell converter of a table's plan (``loaders.rows.outcomes``) gives what
``loaders.convert.convert`` gives, value or reason, for every column, first time and from
its cache: the speed-up may not change a single value or message."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.declare import FieldType
from graph.model import TABLES
from loaders.convert import CellProblem, convert
from loaders.issues import Cell
from loaders.names import columns_of
from loaders.rows import INT64_MAX, _id_columns, _Problem, outcomes
from loaders.template import is_sample_id, sample_ref_reason
from tests.loaders.loader_samples import ID_1

COLUMNS = [
    (column, column.name in _id_columns(kind.table)) for kind in TABLES for column in columns_of(kind)
]
PIECES = st.sampled_from(
    [
        "", " ", "\t", "B-0001", "b-1", "S-1", "SAMPLE-1", "示例-1", "ｓample-2", "a|b", "\u200b", "２０２１",
        "2021-03-05", "2021-3-5", "20210305", "2021年3月5日", "2021-02-30", "2021-03-05 25:00", "是", "否",
        "Y", "no", "1", "0", "320", "3.0", "1e3", "x", "党委", "branch", "中共党员", "13800001234",
        "+86 138-0000-1234", ID_1, ID_1.lower(), "4.20602E+17", "99999999999999999999", "檀溪", "Ｘ", "R-1 ",
    ]
)
RAW: st.SearchStrategy[Cell] = st.one_of(
    st.lists(PIECES, min_size=1, max_size=3).map("".join),
    st.text(max_size=6),
    st.none(),
    st.integers(min_value=-5, max_value=INT64_MAX + 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.just(date(2021, 3, 5)),
)


def reference(column_index: int, raw: Cell) -> tuple[str, object]:
    """What convert_row made of a cell before the plan: a value, nothing, or a reason."""
    column, identifier = COLUMNS[column_index]
    try:
        value = convert(column, raw, identifier=identifier)
    except CellProblem as problem:
        return ("problem", (problem.reason, problem.reason_zh))
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value <= INT64_MAX:
        return ("problem", ("a number too large to store", "数字过大，无法存储"))
    if value is not None and column.type is FieldType.REF and is_sample_id(str(value)):
        return ("problem", sample_ref_reason(str(value)))
    return ("value", value)


def shown(outcome: object) -> tuple[str, object]:
    if isinstance(outcome, _Problem):
        return ("problem", (outcome.reason, outcome.reason_zh))
    return ("value", outcome)


@settings(max_examples=400, deadline=None)
@given(column_index=st.integers(min_value=0, max_value=len(COLUMNS) - 1), raws=st.lists(RAW, min_size=1, max_size=4))
def test_the_plan_converts_as_convert_does(column_index: int, raws: list[Cell]) -> None:
    column, identifier = COLUMNS[column_index]
    for cached in (True, False):
        outcome_of = outcomes(column, identifier, cached)
        for raw in raws + raws:  # the second time from the cache
            got = shown(outcome_of(raw))
            want = reference(column_index, raw)
            assert got == want and type(got[1]) is type(want[1]), (column.name, raw)
