"""The README's and docs' links resolve in a clone: every relative link names a file or
directory of the repository (a link to ``../shared/...`` outside it would not)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def documents() -> list[Path]:
    return [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("api/static/vendor-src/*.md"))]


def test_every_relative_link_resolves_inside_the_repository() -> None:
    broken = []
    checked = 0
    for doc in documents():
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor of the same page
            path = (doc.parent / target.split("#", 1)[0]).resolve()
            checked += 1
            if not path.exists() or ROOT not in (path, *path.parents):
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert checked > 10, "the check found too few links to be looking at the right files"
    assert not broken, broken


def test_no_document_points_outside_the_clone() -> None:
    for doc in documents():
        assert "../shared/" not in doc.read_text(encoding="utf-8"), doc
