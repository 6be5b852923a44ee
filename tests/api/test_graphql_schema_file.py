"""schema.graphql is the API's SDL as the code defines it; a stale file fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.graphql.export import DEFAULT_PATH, main, sdl


def test_the_committed_schema_file_is_current() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == sdl(), "schema.graphql is stale: run python -m api.graphql.export"


def test_export_writes_and_checks(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    assert main([str(target), "--check"]) == 1
    run = subprocess.run([sys.executable, "-m", "api.graphql.export", str(target)], capture_output=True, text=True)
    assert run.returncode == 0 and target.read_text(encoding="utf-8") == sdl()
    assert main([str(target), "--check"]) == 0
    target.write_text(sdl().replace("totalCount", "total"), encoding="utf-8")
    assert main([str(target), "--check"]) == 1


def test_the_schema_names_the_organizer_questions() -> None:
    text = sdl()
    for name in ("coverage(", "gaps(", "memberCard(", "formPartyGroup(", "interface Node", "totalCount", "union PartyGroupResult"):
        assert name in text
