"""Random sequences of file loads (with random edits) and app edits, held against an
independent model of the three-way rules after every step, on both stores.

The model knows nothing of hashes or meta properties: per item it keeps the stored value and
the value the file last loaded (the base), and applies DOMAIN's rule literally. No step may
lose an app edit without a reported conflict.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graphql.mutations.write import apply_rows
from graph.errors import MergeConflicts
from graph.store import Store
from loaders.load import load
from loaders.merge import Prefer
from tests.loaders.loader_samples import sample, write_dir

PEOPLE = ("R-1", "R-2", "R-3")
VALUES = st.sampled_from([None, "法律咨询", "理发", "维修", "心理疏导"])
FILE_STEP = st.tuples(
    st.just("file"),
    st.fixed_dictionaries({p: VALUES for p in PEOPLE}),
    st.sampled_from([None, None, Prefer.FILE, Prefer.APP]),
)
APP_STEP = st.tuples(st.just("app"), st.sampled_from(PEOPLE), VALUES)
STEPS = st.lists(st.one_of(FILE_STEP, APP_STEP), min_size=1, max_size=6)


@dataclass
class Model:
    stored: dict[str, str | None] = field(default_factory=dict)
    base: dict[str, str | None] = field(default_factory=dict)

    def load(self, values: dict[str, str | None], prefer: Prefer | None) -> bool:
        """Apply a file load; False when it is refused as a conflict (nothing changes)."""
        after, base = dict(self.stored), dict(self.base)
        for item, new in values.items():
            current, last = self.stored[item], self.base[item]
            if new == current:
                base[item] = new
            elif last == current:  # the app did not change it: the file's value
                after[item] = base[item] = new
            elif last == new:  # the file did not change it: the app's value stays
                pass
            elif prefer is None:
                return False
            elif prefer is Prefer.FILE:
                after[item] = base[item] = new
            else:
                base[item] = new
        self.stored, self.base = after, base
        return True


def _persons(values: dict[str, str | None]) -> list[dict[str, object]]:
    rows = []
    for row in sample()["persons"]:
        row = dict(row)
        row.pop("skills", None)
        if values[str(row["id"])] is not None:
            row["skills"] = values[str(row["id"])]
        rows.append(row)
    return rows


def _skills(store: Store) -> dict[str, object]:
    nodes = store.fetch_nodes("Person", list(PEOPLE))
    return {p: nodes[p].props.get("skills") for p in PEOPLE}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.fixed_dictionaries({p: VALUES for p in PEOPLE}), steps=STEPS)
def test_loads_and_app_edits_follow_the_three_way_rules(
    store: Store, tmp_path: Path, first: dict[str, str | None], steps: list[tuple[object, ...]]
) -> None:
    store.clear()
    folder = tmp_path / "ledger"

    def file_load(values: dict[str, str | None], prefer: Prefer | None) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        tables = sample()
        tables["persons"] = _persons(values)
        load(store, write_dir(folder, tables), prefer=prefer)

    model = Model(stored=dict(first), base=dict(first))
    file_load(first, None)
    assert _skills(store) == model.stored
    for step in steps:
        if step[0] == "app":
            _, person, value = step
            row = next(r for r in _persons(model.stored) if r["id"] == person)
            row.pop("skills", None)
            if value is not None:
                row["skills"] = value
            apply_rows(store, [("persons", row)], "organizer-1")
            model.stored[str(person)] = value  # type: ignore[assignment]
        else:
            _, values, prefer = step
            accepted = model.load(values, prefer)  # type: ignore[arg-type]
            try:
                file_load(values, prefer)  # type: ignore[arg-type]
                refused = False
            except MergeConflicts:
                refused = True
            assert refused is not accepted
        assert _skills(store) == model.stored
