"""``gongzhi load`` as a user runs it: safe prune (listed first, --yes or nothing), --check,
--prefer; a real process, both stores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import open_store
from tests.api.test_cli import run, store_env
from tests.conftest import STORE_KINDS
from tests.loaders.loader_samples import sample, write_dir


def _write(tmp_path: Path, tables: dict[str, list[dict[str, object]]]) -> Path:
    target = tmp_path / "ledger"
    shutil.rmtree(target, ignore_errors=True)
    return write_dir(target, tables)


def _settings(env: dict[str, str]) -> Settings:
    if env["GONGZHI_STORE"] == "neo4j":
        return Settings(GONGZHI_STORE="neo4j")  # type: ignore[call-arg]
    return Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=env["GONGZHI_DATA_DIR"])  # type: ignore[call-arg]


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_prune_lists_first_and_deletes_only_with_yes(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    env = store_env(kind, tmp_path, request)
    run("load", _write(tmp_path, sample()), env=env)
    smaller = sample()
    del smaller["buildings"][1]  # B-2 and its PART_OF go
    path = _write(tmp_path, smaller)

    checked = run("load", path, "--prune", "--check", "--json", env=env)
    plan = json.loads(checked.stdout)
    assert plan["checked"] and plan["deletions"]["buildings"] == ["B-2"]
    assert plan["deletions"]["buildings.compound_id"] == ["B-2|P-1"]

    refused = run("load", path, "--prune", env=env, ok=False)
    assert refused.returncode == 1
    assert "would delete" in refused.stdout and "B-2" in refused.stdout and "--yes" in refused.stderr
    with open_store(_settings(env), read_only=True) as store:
        assert store.find_ids("Building", ["B-2"]) == {"B-2"}

    run("load", path, "--prune", "--yes", env=env)
    with open_store(_settings(env), read_only=True) as store:
        assert store.find_ids("Building", ["B-2"]) == set()


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_a_conflict_is_refused_with_its_cells_and_prefer_resolves_it(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = store_env(kind, tmp_path, request)
    run("load", _write(tmp_path, sample()), env=env)
    from api.graphql.mutations.write import apply_rows

    with open_store(_settings(env)) as store:
        row = dict(sample()["cities"][0])
        apply_rows(store, [("cities", {**row, "name": "襄阳市（应用）"})], "organizer-1")
    changed = sample()
    changed["cities"][0]["name"] = "襄阳市（文件）"
    path = _write(tmp_path, changed)
    refused = run("load", path, "--json", env=env, ok=False)
    assert refused.returncode == 1
    (issue,) = json.loads(refused.stdout)["issues"]
    assert (issue["file"], issue["row"], issue["column"]) == ("cities.csv", 2, "市名称")
    assert "襄阳市（文件）" in issue["value"] and "襄阳市（应用）" in issue["value"]
    run("load", path, "--prefer", "file", env=env)
    with open_store(_settings(env), read_only=True) as store:
        assert store.fetch_nodes("City", ["C-1"])["C-1"].props["name"] == "襄阳市（文件）"
