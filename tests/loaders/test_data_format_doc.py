"""docs/data-format.md is generated from the model (loaders/docs.py) and must not go stale."""

from __future__ import annotations

from graph.model import TABLES
from loaders.docs import DOC_PATH, render_data_format
from loaders.names import columns_of


def test_the_committed_data_format_is_the_rendering_of_the_model() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_data_format(), (
        "docs/data-format.md is stale: regenerate it with `python -m loaders.docs`"
    )


def test_every_table_and_column_is_documented() -> None:
    text = render_data_format()
    for kind in TABLES:
        assert f"### `{kind.table}` ({kind.zh})" in text
        for column in columns_of(kind):
            assert f"| `{column.name}` | {column.zh} |" in text


def test_the_topics_are_covered() -> None:
    text = render_data_format()
    for topic in (
        "GB18030",
        "BOM",
        "YYYY年M月D日",
        "是/y/yes/true/1",
        "GB 11643",
        "--prune",
        "--accept-valid",
    ):
        assert topic in text
