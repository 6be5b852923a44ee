"""A figure's section of BENCHMARKS.md between two marker comments.

What a figure measured alone rewrites (``--only peer``, ``--only cli``) and what a full run
that did not measure it keeps as the file has it, so the two paths find the section the same way.
"""

from __future__ import annotations

import re
from pathlib import Path


class Span:
    def __init__(self, begin: str, end: str) -> None:
        self.begin, self.end = begin, end
        self._re = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)

    def previous(self, path: Path) -> list[str] | None:
        """The section as the report at ``path`` has it, if it has one."""
        if not path.exists():
            return None
        m = self._re.search(path.read_text(encoding="utf-8"))
        return m.group(0).splitlines() if m else None

    def put(self, text: str, lines: list[str], at: int) -> str:
        """``text`` with the section in place of the previous one, else inserted at ``at``."""
        block = "\n".join(lines)
        if self._re.search(text):
            return self._re.sub(lambda _: block, text, count=1)
        return text[:at] + block + "\n\n" + text[at:]
