"""API tokens: issued and revoked by an administrator with the CLI, checked on every request.

A token is ``gz_<token id>_<secret>``: the id is public (``gongzhi token list`` shows it and
``gongzhi token revoke`` takes it), the secret is 32 random bytes. Only the SHA-256 of the
whole token is stored, never the token itself, in a JSON file: ``GONGZHI_AUTH_FILE``, or
``auth.json`` in the data directory (``GONGZHI_DATA_DIR``). The file is written atomically
(temporary file, fsync, rename) with mode 0600 and re-read when it changes, so a revocation
takes effect on the next request without a restart.

Each token is bound to a user name, an area (the root of the user's jurisdiction: a city,
district, street, community, grid or compound) and a role:

========== ==================================================================================
viewer     reads, personal data masked (names, phones, ID numbers)
organizer  reads with names shown (audited) + the mutations of organizers
officer    as organizer; may ask for full phone and ID numbers with a reason (audited)
admin      everything an officer may do; still bound to its area (issue it for the city)
========== ==================================================================================
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from graph.errors import ConfigError, NotFound
from graph.settings import Settings

AUTH_FILE_NAME = "auth.json"
PREFIX = "gz"


class Role(StrEnum):
    VIEWER = "viewer"
    ORGANIZER = "organizer"
    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def sees_names(self) -> bool:
        return self is not Role.VIEWER

    @property
    def may_write(self) -> bool:
        return self is not Role.VIEWER

    @property
    def may_reveal(self) -> bool:
        """Full phone and ID numbers, with a reason."""
        return self in (Role.OFFICER, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """Who makes a request: the user a token is bound to, their area and role."""

    token_id: str
    user: str
    area: str
    role: Role


@dataclass(frozen=True)
class TokenEntry:
    id: str
    user: str
    area: str
    role: str
    sha256: str
    created: str
    revoked: str | None = None

    def principal(self) -> Principal:
        return Principal(self.id, self.user, self.area, Role(self.role))


def auth_file(settings: Settings) -> Path:
    """``GONGZHI_AUTH_FILE`` if set, else ``auth.json`` in the data directory."""
    return settings.auth_file or Path(settings.data_dir) / AUTH_FILE_NAME


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenFile:
    """The tokens of one file; reads are cached until the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int, int] | None = None
        self._by_hash: dict[str, TokenEntry] = {}
        self._entries: list[TokenEntry] = []

    # ------------------------------------------------------------ reading

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def entries(self) -> list[TokenEntry]:
        stamp = self._file_stamp()
        if stamp != self._stamp or stamp is None:
            self._entries = self._read() if stamp is not None else []
            self._by_hash = {e.sha256: e for e in self._entries}
            self._stamp = stamp
        return list(self._entries)

    def _read(self) -> list[TokenEntry]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [TokenEntry(**e) for e in data["tokens"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"the token file {self.path} cannot be read ({type(exc).__name__})",
                message_zh=f"令牌文件 {self.path} 无法读取",
            ) from None

    def verify(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None otherwise."""
        if not token.startswith(PREFIX + "_"):
            return None
        self.entries()
        entry = self._by_hash.get(digest(token))
        if entry is None or entry.revoked is not None:
            return None
        return entry.principal()

    # ------------------------------------------------------------ writing

    def _write(self, entries: list[TokenEntry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        payload = json.dumps({"tokens": [asdict(e) for e in entries]}, ensure_ascii=False, indent=2)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._stamp = None

    def issue(self, user: str, area: str, role: Role) -> tuple[TokenEntry, str]:
        """A new token for ``user``; the token itself is returned once and never stored."""
        if not user.strip():
            raise ConfigError("a token needs a user name", message_zh="令牌须指定用户名")
        token_id = secrets.token_hex(4)
        existing = {e.id for e in self.entries()}
        while token_id in existing:
            token_id = secrets.token_hex(4)
        token = f"{PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
        entry = TokenEntry(
            id=token_id,
            user=user.strip(),
            area=area,
            role=Role(role).value,
            sha256=digest(token),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self._write([*self.entries(), entry])
        return entry, token

    def revoke(self, token_id: str) -> TokenEntry:
        entries = self.entries()
        for i, e in enumerate(entries):
            if e.id == token_id:
                if e.revoked is None:
                    e = TokenEntry(
                        **{**asdict(e), "revoked": datetime.now(UTC).isoformat(timespec="seconds")}
                    )
                    entries[i] = e
                    self._write(entries)
                return e
        raise NotFound(f"no token with id {token_id!r}", message_zh=f"没有编号为 {token_id} 的令牌")


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
