"""The CLI's ledger exports (``--xlsx FILE``, ``--pdf FILE``, ``--unmask``): who may see what.

The CLI reads the store directly and has no user of its own, so by default every export is
masked. ``--unmask`` needs the caller's API token (``--token`` or ``GONGZHI_TOKEN``), checked
against the token file as the API checks it: the role and area come from the token an
administrator issued, never from an option the caller could simply claim. Then, as in the API
(``api/graphql/personal.py``):

* viewer: refused (``Forbidden``, in Chinese and English);
* organizer: names in full, phones masked;
* officer, admin: names in full, phones in full too when ``--reason`` is given;

and only for an export about something inside the token's area. Each unmasked export appends
one line to the audit log (``api/audit.py``): user, token id, the export, the record it is
about, the fields shown and how many rows showed them, never the values. The line is written
before the files, so that no unmasked ledger exists without its audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from api.audit import AuditEntry, AuditLog, audit_file, now
from api.auth import Principal, TokenFile
from api.auth import auth_file as default_auth_file
from graph.errors import Forbidden
from graph.settings import Settings
from graph.store import Store
from queries.areas import AREA_PATH
from queries.ledger.books import Reveal
from queries.ledger.layout import Book
from queries.ledger.pdf import write_pdf
from queries.ledger.xlsx import write_xlsx


@dataclass(frozen=True)
class Caller:
    """Who asked for an unmasked export, and what it may show."""

    principal: Principal
    reveal: Reveal
    reason: str


def caller(
    settings: Settings,
    store: Store,
    *,
    token: str | None,
    reason: str | None,
    anchors: Iterable[str],
    auth_file: Path | None = None,
) -> Caller:
    """The caller of ``--unmask``, checked: a valid token whose role sees names and whose area
    holds one of ``anchors`` (the export's area, the member's home, the branch's places)."""
    if not token:
        raise Forbidden(
            "--unmask needs your API token (--token or GONGZHI_TOKEN): the role and area it was issued "
            "for decide what you may see",
            message_zh="--unmask 需要您的 API 令牌（--token 或环境变量 GONGZHI_TOKEN）：由令牌的角色和辖区决定可见内容",
        )
    principal = TokenFile(auth_file or default_auth_file(settings)).verify(token)
    if principal is None:
        raise Forbidden("the token is not valid or was revoked", message_zh="令牌无效或已吊销")
    if not principal.role.sees_names:
        raise Forbidden(
            f"the {principal.role.value} role may not see names and phones unmasked; leave out --unmask "
            "for a masked export",
            message_zh=f"{_ROLE_ZH[principal.role.value]}（{principal.role.value}）角色无权导出未脱敏的姓名和电话；"
            "去掉 --unmask 可导出脱敏版本",
        )
    places = [a for a in anchors if a]
    if not any(principal.area in _path(store, a) for a in places):
        raise Forbidden(
            f"outside your area {principal.area}: an unmasked export only covers what lies in it",
            message_zh=f"不在您的辖区 {principal.area} 内：只能导出辖区内的未脱敏台账",
        )
    why = (reason or "").strip()[:200]
    phones = principal.role.may_reveal and bool(why)
    return Caller(principal, Reveal(names=True, phones=phones), why)


_ROLE_ZH = {"viewer": "查看者", "organizer": "组织员", "officer": "专员", "admin": "管理员"}


def _path(store: Store, place: str) -> set[str]:
    """The place and every place above it."""
    return {r["id"] for r in store.run(AREA_PATH, {"area": place})}


def audit(settings: Settings, who: Caller, operation: str, record: str) -> AuditEntry:
    """One line for an unmasked export: who, which export, about what, how many rows."""
    fields = "name,phone" if who.reveal.phones else "name"
    why = who.reason if who.reveal.phones else f"role:{who.principal.role.value}"
    entry = AuditEntry(now(), who.principal.user, who.principal.token_id, record, fields, why, operation,
                       rows=who.reveal.count)
    AuditLog(audit_file(settings)).write([entry])
    return entry


def write(book: Book, xlsx: Path | None, pdf: Path | None) -> list[Path]:
    """The ledger to the files asked for (both from the one layout)."""
    written = []
    if xlsx is not None:
        written.append(write_xlsx(book, xlsx))
    if pdf is not None:
        written.append(write_pdf(book, pdf).path)
    return written
