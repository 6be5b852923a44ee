"""Talking to the real HTTP app in tests: tokens in a temporary file, requests through
Starlette's TestClient (the ASGI app itself, no network)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette prefers httpx2; httpx is what we have
    from fastapi.testclient import TestClient

from api.app import create_app
from api.audit import AuditLog
from api.auth import Role, TokenFile
from api.graphql.limits import DEFAULT_LIMITS, Limits
from graph.settings import Settings
from graph.store import Store

#: The server's limits with a deadline of five minutes instead of 30 s: on a loaded 2-core CI
#: machine a slow answer must fail as wrong, not as late. The deadline itself is tested with its
#: own limits (tests/security/test_api_bounded.py).
TEST_LIMITS: Limits = DEFAULT_LIMITS.with_(deadline_seconds=300.0)


class Api:
    def __init__(
        self,
        store: Store,
        tmp: Path,
        *,
        dev: bool = False,
        limits: Limits | None = None,
        area: str = "C-0001",
        throttle: bool = False,
    ) -> None:
        """``throttle=False`` (the default) turns the per-token limits off: the tests send many
        requests with one token as fast as they can (tests/security/test_api_throttle.py
        checks the limits themselves). ``limits`` defaults to ``TEST_LIMITS``."""
        limits = TEST_LIMITS if limits is None else limits
        if not throttle:
            limits = limits.with_(max_concurrent_per_token=0, rate_per_token=0)
        self.area = area
        self.tokens = TokenFile(tmp / "auth.json")
        self.audit = AuditLog(tmp / "audit.jsonl")
        settings = Settings(GONGZHI_DATA_DIR=tmp)  # type: ignore[call-arg]
        self.app = create_app(
            settings, dev=dev, limits=limits, store=store, auth_path=self.tokens.path, audit_path=self.audit.path
        )
        self.client = TestClient(self.app)
        self._tokens: dict[tuple[str, str], str] = {}

    def token(self, area: str, role: str = "organizer", user: str = "tester") -> str:
        key = (area, role)
        if key not in self._tokens:
            self._tokens[key] = self.tokens.issue(f"{user}-{role}", area, Role(role))[1]
        return self._tokens[key]

    def post(self, document: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return self.client.post("/graphql", json={"query": document, "variables": variables or {}}, headers=headers)

    def ask(
        self, document: str, variables: dict[str, Any] | None = None, *, area: str | None = None, role: str = "organizer"
    ) -> dict[str, Any]:
        """The ``data`` of a query that must succeed (no errors), by default as an organizer of ``self.area``."""
        r = self.post(document, variables, self.token(area or self.area, role))
        assert r.status_code == 200, r.text
        body = r.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data
