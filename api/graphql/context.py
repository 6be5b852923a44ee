"""The per-request context: who asks, their scoped data access (with its DataLoaders), the
limits, and the audit entries to write when the operation ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from strawberry.fastapi import BaseContext

from api.audit import AuditEntry, AuditLog, now
from api.auth import Principal
from api.graphql.limits import Limits
from api.graphql.scope import ScopedData
from graph.records import Degrees
from graph.store import Store

if TYPE_CHECKING:
    from strawberry.types import Info


@dataclass
class Context(BaseContext):
    principal: Principal
    data: ScopedData
    store: Store
    limits: Limits
    audit_log: AuditLog
    #: the store's relationship counts (``api/graphql/fanout.py``): what a compiled plan is
    #: priced by before it runs (``api/graphql/generated/root.py``); ``None``: no counts
    degrees: Callable[[], Degrees | None] | None = None
    operation: str | None = None
    audit: dict[tuple[str, str, str], AuditEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def record(self, record: str, field_name: str, reason: str) -> None:
        """Note one unmasked read (written when the operation ends; never the value)."""
        key = (record, field_name, reason)
        if key not in self.audit:
            p = self.principal
            self.audit[key] = AuditEntry(now(), p.user, p.token_id, record, field_name, reason, self.operation)

    def flush_audit(self) -> None:
        entries = list(self.audit.values())
        self.audit.clear()
        self.audit_log.write(entries)


def ctx(info: Info[Any, Any]) -> Context:
    context: Context = info.context
    return context


def day(as_of: date | None) -> date:
    return date.today() if as_of is None else as_of
