"""The audit log of unmasked reads of personal data.

Every time the API shows a personal value in full (a person's name to an organizer, a phone
or ID number to an officer who gave a reason) one line is appended: who (user and token id),
when, whose record, which field, why (the reason given, or the role that allows it) and the
operation. An unmasked export from the CLI (``--unmask``) writes one line for the export:
the area, org or member it is about as the record, the fields shown and how many rows showed
them. The value itself is never written. The log is JSON Lines in ``GONGZHI_AUDIT_FILE``,
or ``audit.jsonl`` in the data directory; a request's entries are appended together, under an
exclusive lock, and flushed to disk before the response leaves.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.settings import Settings

AUDIT_FILE_NAME = "audit.jsonl"


@dataclass(frozen=True)
class AuditEntry:
    at: str
    user: str
    token_id: str
    record: str  # the id of the person whose value was shown
    field: str  # name, phone, id_number
    reason: str
    operation: str | None = None
    rows: int | None = None  # an export: how many of its rows showed the field in full


def audit_file(settings: Settings) -> Path:
    """``GONGZHI_AUDIT_FILE`` if set, else ``audit.jsonl`` in the data directory."""
    return settings.audit_file or Path(settings.data_dir) / AUDIT_FILE_NAME


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def write(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # vars(): the entry's fields as they are (all plain values); asdict() deep-copies each
        # one, a few milliseconds for the hundred names of one page
        text = "".join(json.dumps(vars(e), ensure_ascii=False) + "\n" for e in entries)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[AuditEntry]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as f:
            return [AuditEntry(**json.loads(line)) for line in f if line.strip()]
