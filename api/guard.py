"""The GraphQL endpoint's first look at a request: malformed ones end here as 400s.

Before strawberry sees a request to ``/graphql``, ``RequestGuard`` reads its body whole (the
``BodyLimit`` outside it caps the size) and refuses, with ``400`` and a GraphQL error body
(``{"errors": [{"message": ...}]}``), what would otherwise end in a 500 or a stack trace:

* a body that is not UTF-8, or not JSON, or JSON nested deeper than ``MAX_JSON_DEPTH``
  (a 10,000-deep array would exhaust the parser's recursion);
* a body that is not a JSON object (a bare ``null``, number or string; an array is a batch,
  and batching is off);
* an object whose ``query``, ``operationName``, ``variables`` or ``extensions`` has the wrong
  JSON type, or any text holding a lone surrogate (``"\\ud800"``: not Unicode);
* an object with no document (no ``query``, or an empty one);
* the same for the ``query``/``variables``/``extensions`` parameters of a GET.

The router's own plain-text refusals (an unknown ``operationName``, a mutation over GET) are
turned into GraphQL error bodies too, keeping their status.

A client that disconnects before its body is read is logged as one quiet INFO line. Nothing
of the request (body, document, variables) is ever logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.graphql.errors import shape

LOG = logging.getLogger("gongzhi.api")
MAX_JSON_DEPTH = 64

FIELDS: dict[str, tuple[type, ...]] = {
    "query": (str,),
    "operationName": (str,),
    "variables": (dict,),
    "extensions": (dict,),
}


class Malformed(Exception):
    """A request that is refused before GraphQL sees it; the message is for the client."""


def _depth_ok(value: Any) -> None:
    """Refuse nesting beyond ``MAX_JSON_DEPTH`` and texts that are not Unicode (iteratively)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise Malformed(f"JSON nested deeper than {MAX_JSON_DEPTH} levels / JSON 嵌套过深")
        if isinstance(item, str):
            _unicode(item)
        elif isinstance(item, dict):
            for k, v in item.items():
                _unicode(k)
                stack.append((v, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Malformed("a text of the request is not valid Unicode / 请求含无效的 Unicode 字符") from None


def parse_json(raw: bytes | str) -> Any:
    """``raw`` decoded as strict UTF-8 JSON, checked for depth and Unicode; else ``Malformed``."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise Malformed("the request body is not valid UTF-8 / 请求体不是有效的 UTF-8") from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed("the request body is not valid JSON / 请求体不是有效的 JSON") from None
    _depth_ok(value)
    return value


def check_body(raw: bytes) -> None:
    value = parse_json(raw)
    if isinstance(value, list):
        raise Malformed("query batching is not enabled / 不支持批量请求")
    if not isinstance(value, dict):
        raise Malformed("the request body must be a JSON object / 请求体须为 JSON 对象")
    check_fields(value)
    if not (value.get("query") or "").strip():
        raise Malformed("no GraphQL document in the request / 请求中没有 GraphQL 文档")


def check_fields(value: dict[str, Any]) -> None:
    for name, kinds in FIELDS.items():
        item = value.get(name)
        if item is not None and not isinstance(item, kinds):
            raise Malformed(f"'{name}' has the wrong type / 字段 {name} 的类型不正确")


def check_query_string(raw: bytes) -> None:
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Malformed("the query string is not valid UTF-8 / 查询参数不是有效的 UTF-8") from None
    params = dict(pairs)
    for name in ("variables", "extensions"):
        if params.get(name):
            parsed = parse_json(params[name])
            if not isinstance(parsed, dict):
                raise Malformed(f"'{name}' must be a JSON object / 参数 {name} 须为 JSON 对象")
    for text in params.values():
        _unicode(text)


async def refuse(send: Send, message: str, status: int = 400) -> None:
    body = json.dumps({"errors": [{"message": message}]}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        try:
            if method == "GET":
                check_query_string(scope.get("query_string", b""))
        except Malformed as exc:
            await refuse(send, str(exc))
            return
        if method != "POST":
            await self.app(scope, receive, as_graphql_errors(send))
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                LOG.info("client disconnected before its request was read")
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type in (b"", b"application/json") or content_type.endswith(b"+json"):
            try:
                check_body(body)
            except Malformed as exc:
                await refuse(send, str(exc))
                return
        await self.app(scope, _replay(body, receive), as_graphql_errors(send))


def as_graphql_errors(send: Send) -> Send:
    """A ``send`` that turns the plain-text refusals of the GraphQL router (an unknown
    operation name, a mutation over GET) into GraphQL error bodies, by their shape."""
    state: dict[str, Any] = {}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if message.get("status", 200) >= 400 and headers.get(b"content-type", b"").startswith(b"text/plain"):
                state["start"], state["chunks"] = message, []
                return
        elif message["type"] == "http.response.body" and "start" in state:
            state["chunks"].append(message.get("body", b""))
            if message.get("more_body", False):
                return
            text = b"".join(state["chunks"]).decode("utf-8", "replace")
            await refuse(send, shape(text) or "bad request", status=state["start"]["status"])
            return
        await send(message)

    return wrapped


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the body read already, then waits on the client as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
