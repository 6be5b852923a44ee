"""uvicorn's HTTP protocol with ``TCP_NODELAY`` on every connection, for ``--workers N``.

With several worker processes uvicorn binds the listening socket itself
(``socket.socket(family)``, protocol number 0), and asyncio turns Nagle's algorithm off only
for sockets whose protocol number is TCP's; the accepted connections inherit the 0, so each
response's last small segment waited for the client's delayed ACK: 40-48 ms added to every
request, even ``/readyz`` (measured on the bench's 2-worker server: ``/readyz`` p50 48 ms
with 2 workers, 3 ms with 1; figure 10's compound request 56 ms against 21 ms). One
worker (uvicorn's own ``create_server``) was not affected. Used by ``gongzhi serve
--workers N`` and the bench's server (``http="api.nodelay:NoDelayHTTP"``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

#: uvicorn's import string for this protocol (its ``http`` setting, ``--http`` on its CLI)
HTTP = "api.nodelay:NoDelayHTTP"


class NoDelayHTTP(AutoHTTPProtocol):  # type: ignore[valid-type,misc]  # a class chosen at import
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # a socket that cannot take it: served as before
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
