"""The shell scripts CI and developers run: they parse, and no pipeline can die of SIGPIPE.

Why: the scripts run under ``set -o pipefail``. A pipeline into a reader that stops early
(``head``, ``grep -q``, ``grep -m``) kills the writer with SIGPIPE whenever the writer still
has output to send, and pipefail turns that into exit 141. It depends on timing, so it
passes on one machine and fails CI on another; one such ``make --version | head -n 1``
failed a CI run after two seconds. Readers that read to the end (``sed -n 1p``,
``grep ... >/dev/null``) have no such race.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted([ROOT / ".ci" / "run", *(ROOT / "scripts").glob("*.sh")])

# a pipe into a reader that may exit before its writer is done
EARLY_EXIT_READER = re.compile(r"\|\s*(head\b|grep\s+(-\w*[qm]\w*\b|--quiet|--max-count))")


def _code_lines(path: Path) -> list[tuple[int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, line) for n, line in enumerate(lines, 1) if not line.lstrip().startswith("#")]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_parses(script: Path) -> None:
    subprocess.run(["bash", "-n", str(script)], check=True)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pipe_into_an_early_exiting_reader(script: Path) -> None:
    assert "set -euo pipefail" in script.read_text(encoding="utf-8"), "every script fails fast"
    offending = [f"{n}: {line.strip()}" for n, line in _code_lines(script) if EARLY_EXIT_READER.search(line)]
    assert not offending, f"{script.name}: pipes that can fail with SIGPIPE under pipefail:\n" + "\n".join(
        offending
    )


@pytest.mark.parametrize(
    "line, flagged",
    [
        ("make --version | head -n 1", True),
        ("fc-list | grep -qi wenquanyi || x", True),
        ("tr a b | grep -m1 x", True),
        ("make --version | sed -n 1p", False),
        ('fc-list | grep -i "wenquanyi" >/dev/null || x', False),
    ],
)
def test_the_check_itself(line: str, flagged: bool) -> None:
    assert bool(EARLY_EXIT_READER.search(line)) is flagged
