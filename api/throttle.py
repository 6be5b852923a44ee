"""Per-token limits of the GraphQL endpoint: requests in flight and requests per second.

One user (one API token) must not be able to starve the others within the per-request
limits, so each token may have at most ``Limits.max_concurrent_per_token`` requests in
flight and make ``Limits.rate_per_token`` requests per second on average (a token bucket of
``Limits.burst_per_token``). A request over either limit is answered at once with ``429`` and
``Retry-After`` (whole seconds), before its body is parsed or the store is asked anything.
The limits are per server process (each ``--workers`` process keeps its own); 0 turns one off.
Requests without a token pass through (they get their 401 further in).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import bearer
from api.graphql.limits import Limits

MESSAGE = "too many requests for this token; retry after {seconds} s / 该令牌请求过于频繁，请 {seconds} 秒后重试"


@dataclass
class Bucket:
    tokens: float
    at: float
    in_flight: int = 0


class Throttle:
    def __init__(self, app: ASGIApp, path: str, limits: Limits) -> None:
        self.app, self.path, self.limits = app, path, limits
        self.buckets: dict[str, Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        token = bearer(raw or None)
        if token is None:
            await self.app(scope, receive, send)
            return
        key = hashlib.sha256(token.encode()).hexdigest()
        bucket = self._bucket(key)
        wait = self._admit(bucket)
        if wait is not None:
            await self._refuse(send, wait)
            return
        bucket.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            bucket.in_flight -= 1

    def _bucket(self, key: str) -> Bucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) > 10_000:  # forget idle tokens: the table stays small
                self.buckets = {k: b for k, b in self.buckets.items() if b.in_flight}
            bucket = self.buckets[key] = Bucket(float(self.limits.burst_per_token), time.monotonic())
        return bucket

    def _admit(self, bucket: Bucket) -> float | None:
        """None when the request may run (one token taken), else the seconds to wait."""
        limits = self.limits
        if limits.max_concurrent_per_token and bucket.in_flight >= limits.max_concurrent_per_token:
            return 1.0
        if not limits.rate_per_token:
            return None
        now = time.monotonic()
        bucket.tokens = min(float(limits.burst_per_token), bucket.tokens + (now - bucket.at) * limits.rate_per_token)
        bucket.at = now
        if bucket.tokens < 1.0:
            return (1.0 - bucket.tokens) / limits.rate_per_token
        bucket.tokens -= 1.0
        return None

    async def _refuse(self, send: Send, wait: float) -> None:
        seconds = max(1, math.ceil(wait))
        body = json.dumps({"errors": [{"message": MESSAGE.format(seconds=seconds)}]}, ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(seconds).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
