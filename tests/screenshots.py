"""Where the browser tests save their screenshots.

The README shows ``docs/screenshots/*.png``, made by the browser tests themselves. A test run
writes them there only when asked (``GONGZHI_SCREENSHOTS=1 make test``): otherwise every run
would leave the clone changed (a screenshot is never byte-for-byte the same twice), so they
go to a folder under the system's temporary directory, still written, so that taking them is
tested on every run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def screenshot_dir() -> Path:
    """``docs/screenshots`` with ``GONGZHI_SCREENSHOTS=1``, else a temporary folder."""
    if os.environ.get("GONGZHI_SCREENSHOTS") == "1":
        return DOCS
    return Path(tempfile.gettempdir()) / "gongzhi-screenshots"
