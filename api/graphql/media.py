"""The ``application/graphql-response+json`` media type of the GraphQL-over-HTTP specification.

strawberry answers ``application/json`` only. When a client asks for
``application/graphql-response+json`` (listing it before ``application/json``, or alone),
this middleware answers with that media type and its status codes: a request that fails
before execution (a document that does not parse or validate, variables that do not coerce)
gets ``400`` and no ``data`` entry. Everything else passes through unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEDIA = "application/graphql-response+json"


def prefers_graphql_response(accept: str) -> bool:
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if MEDIA not in kinds:
        return False
    return "application/json" not in kinds or kinds.index(MEDIA) < kinds.index("application/json")


def _request_error(body: Any) -> bool:
    """Errors and no data, and no error raised while executing (those carry a path)."""
    if not isinstance(body, dict) or not body.get("errors") or body.get("data") is not None:
        return False
    return all(not e.get("path") for e in body["errors"] if isinstance(e, dict))


class GraphQLResponseMedia:
    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
        if not prefers_graphql_response(accept):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send(start, b"".join(chunks), send)
            else:
                await send(message)

        await self.app(scope, receive, capture)

    async def _send(self, start: Message, body: bytes, send: Send) -> None:
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-type", b"content-length")]
        status = start.get("status", 200)
        content_type = dict(start.get("headers", [])).get(b"content-type", b"")
        if content_type.startswith(b"application/json"):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if status == 200 and _request_error(parsed):
                status = 400
                parsed.pop("data", None)
                body = json.dumps(parsed, ensure_ascii=False).encode("utf-8")
            content_type = f"{MEDIA}; charset=utf-8".encode()
        headers += [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
