"""The CLI's fast path: read commands ask a running ``gongzhi serve`` over its Unix socket.

A real server process on an embedded store of a small generated world, and the CLI run as
a user runs it: through the socket the commands print exactly what they print reading the
files themselves; a server killed with ``kill -9`` leaves a stale socket the CLI steps past;
a write from the CLI is seen by the next read through the server; the socket is 0600 and
answers only registered reads. On Neo4j the CLI talks to the database, and no socket is made.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import stat
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.errors import StoreError
from graph.remote import RemoteStore
from graph.settings import Settings
from graph.store import Store
from graph.wire import (
    PROTOCOL,
    WireError,
    bindable,
    connect,
    decode,
    encode,
    exchange,
    hello,
    pack,
    socket_path,
)
from queries.areas import AREA_PATH
from queries.indicators import INDICATORS
from queries.one_plus_one import MEMBER_CARD
from queries.registry import QUERIES
from tests.api.test_cli import run
from tests.api.test_serve_workers import free_port, serve

WORLD = "world"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / WORLD
    run("generate", out, "--scale", "community", "--seed", "5")
    return out


def first(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return next(rows)[0]


@pytest.fixture(scope="module")
def loaded(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("loaded") / "data"
    run("load", world, env={"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(data)})
    return data


@pytest.fixture()
def env(loaded: Path, tmp_path: Path) -> dict[str, str]:
    """A store of its own for each test: a copy of the loaded one."""
    shutil.copytree(loaded, tmp_path / "data")
    return {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "data")}


class Server:
    """A ``gongzhi serve`` process on the env's store, ready once its socket answers."""

    def __init__(self, env: dict[str, str]) -> None:
        self.data_dir = Path(env["GONGZHI_DATA_DIR"])
        self.port = free_port()
        self.proc = serve({**os.environ, "GONGZHI_LANG": "en", **env}, "--port", str(self.port))
        deadline = time.monotonic() + 90
        while self.greeting() is None or not self._ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(self.proc.stderr.read().decode() if self.proc.stderr else "did not start")
            time.sleep(0.2)

    def _ready(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def greeting(self) -> dict[str, Any] | None:
        sock = connect(socket_path(self.data_dir))
        if sock is None:
            return None
        try:
            return hello(sock)
        finally:
            sock.close()

    def served(self) -> int:
        info = self.greeting()
        assert info is not None, "the server's socket answers"
        return int(info["served"])

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=60)


@pytest.fixture()
def server(env: dict[str, str]) -> Iterator[Server]:
    s = Server(env)
    try:
        yield s
    finally:
        s.stop()


def reads(world: Path) -> list[list[str]]:
    """A read command of each kind the CLI has (token issue only checks the area)."""
    community, city, member = first(world / "communities.csv"), first(world / "cities.csv"), first(world / "persons.csv")
    return [
        ["coverage", community],
        ["coverage", city, "--json", "--as-of", "2024-06-30"],
        ["gaps", community, "-i", "BUILDING_GROUP"],
        ["gaps", community, "-i", "MEMBER_ONE_PLUS_ONE", "--json"],
        ["member", member],
        ["member", member, "--json"],
        ["stats", "--json"],
    ]


def test_reads_through_the_server_print_what_reading_the_files_prints(
    world: Path, env: dict[str, str], tmp_path: Path
) -> None:
    direct = {tuple(cmd): run(*cmd, env=env).stdout for cmd in reads(world)}
    server = Server(env)
    try:
        for cmd in reads(world):
            before = server.served()
            assert run(*cmd, env=env).stdout == direct[tuple(cmd)], cmd
            assert server.served() > before, f"{cmd} went through the socket"
        before = server.served()
        auth = {**env, "GONGZHI_AUTH_FILE": str(tmp_path / "auth.json")}
        run("token", "issue", "--user", "u", "--area", first(world / "communities.csv"), env=auth)
        assert server.served() > before, "token issue checks the area through the socket"
        refused = run("token", "issue", "--user", "u", "--area", "CM-9999", env=auth, ok=False)
        assert refused.returncode == 1 and "CM-9999" in refused.stderr
    finally:
        server.stop()


def test_a_killed_servers_socket_is_stepped_past_and_replaced(world: Path, env: dict[str, str]) -> None:
    cmd = ["coverage", first(world / "communities.csv")]
    expected = run(*cmd, env=env).stdout
    server = Server(env)
    remote = RemoteStore.connect(server.data_dir)
    assert remote is not None
    counts = remote.stats()
    server.stop(signal.SIGKILL)
    assert remote.stats() == counts and not remote.remote, "a command whose server dies reads the files"
    remote.close()
    path = socket_path(server.data_dir)
    assert stat.S_ISSOCK(os.lstat(path).st_mode), "kill -9 leaves the socket behind"
    assert connect(path) is None
    assert run(*cmd, env=env).stdout == expected  # read from the files
    again = Server(env)  # the stale socket is replaced, not in the way
    try:
        assert again.greeting()["pid"] == again.proc.pid  # type: ignore[index]
        before = again.served()
        assert run(*cmd, env=env).stdout == expected
        assert again.served() > before
        other = Server(env)  # a second server on the same store leaves the live socket alone
        other.stop()
        assert again.greeting()["pid"] == again.proc.pid  # type: ignore[index]
    finally:
        again.stop()
    assert not path.exists(), "a server stopped normally removes its socket"


def test_a_write_from_the_cli_is_seen_by_the_next_read_through_the_server(
    world: Path, env: dict[str, str], server: Server, tmp_path: Path
) -> None:
    community = first(world / "communities.csv")
    old_version = server.greeting()["version"]  # type: ignore[index]
    changed = tmp_path / "copy" / WORLD  # the same source name: a reload of the same files
    shutil.copytree(world, changed)
    table = changed / "communities.csv"
    with table.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][0] == community
    rows[1][1] = "改名社区"
    with table.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert "改名社区" not in run("coverage", community, env=env).stdout  # through the server: kept
    run("load", changed, env=env)  # the writer opens the store itself while the server runs
    before = server.served()
    shown = run("coverage", community, env=env).stdout
    assert "改名社区" in shown
    assert server.served() > before
    assert server.greeting()["version"] > old_version  # type: ignore[index]


def test_the_socket_is_the_users_alone_and_answers_registered_reads_only(server: Server) -> None:
    path = socket_path(server.data_dir)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    sock = connect(path)
    assert sock is not None
    try:
        unknown = exchange(sock, {"method": "run", "args": ["no.such.query", "0" * 16, {}]})
        assert unknown["error"]["type"] == "NotFound" and unknown["error"]["fallback"]
        forged = exchange(sock, {"method": "run", "args": [AREA_PATH.name, "0" * 16, {"area": "CM-0001"}]})
        assert "differs" in forged["error"]["message"], "a query of the same name but another text is not run"
        for method in ("write", "clear", "apply_schema", "__class__", "_reload_if_changed"):
            refused = exchange(sock, {"method": method, "args": []})
            assert "not a read" in refused["error"]["message"], method
        assert exchange(sock, {"method": "version", "args": []})["ok"] == server.greeting()["version"]  # type: ignore[index]
        sock.sendall(b"\x00\x00\x00\x05[1,2]")  # not an object: refused, then the connection ends
        assert b"WireError" in sock.recv(4096)
        assert sock.recv(4096) == b""
    finally:
        sock.close()
    remote = RemoteStore.connect(server.data_dir)
    assert remote is not None
    with remote:
        assert remote.run(QUERIES[AREA_PATH.name], {"area": "CM-0001"}) and remote.remote_calls == 1
        with pytest.raises(StoreError, match="writes open the store themselves"):
            remote.clear()


def test_values_cross_the_wire_as_they_are(street_store: Store) -> None:
    """Rows of both stores (dates, nested lists, None) and the store's records come back equal
    and of the same types; what the format does not know is refused, never guessed."""
    day = date(2026, 6, 30)
    ind = INDICATORS["BUILDING_GROUP"]
    gaps = street_store.run(ind.gaps, {"area": "CM-0001", "date": day})
    asked = [
        (AREA_PATH, {"area": "CM-0001"}),
        (ind.count, {"area": "CM-0001", "date": day}),
        (ind.suggest, {"ids": [g["id"] for g in gaps], "date": day, "limit": 3}),
        (MEMBER_CARD, {"person": "R-000001", "date": day}),
    ]
    rows = [gaps, *(street_store.run(q, p) for q, p in asked)]
    assert all(rows), "every query answers something to carry"
    sample: list[Any] = [rows, street_store.stats(), street_store.degrees(), {("a", "b"): 1, "$x": (1, {2}), "d": day}]
    for value in sample:
        back = decode(encode(value))
        assert back == value and repr(back) == repr(value)
    with pytest.raises(WireError):
        encode(object())
    with pytest.raises(WireError):
        decode({"$eval": "1"})


@pytest.mark.neo4j
def test_no_socket_on_neo4j(neo4j_settings: Settings, tmp_path: Path) -> None:
    """On Neo4j the CLI already asks the database server: the web server makes no socket."""
    env = {**neo4j_settings.as_env(), "GONGZHI_STORE": "neo4j", "GONGZHI_DATA_DIR": str(tmp_path)}
    port = free_port()
    proc = serve({**os.environ, **env, "GONGZHI_AUTH_FILE": str(tmp_path / "auth.json")}, "--port", str(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the server starts"
            time.sleep(0.3)
        assert not socket_path(tmp_path).exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_protocol_mismatch_is_not_spoken_to(tmp_path: Path) -> None:
    """A socket that answers in another protocol (an older server) is treated as absent."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    name, fd = bindable(socket_path(tmp_path))
    try:
        listener.bind(name)
    finally:
        if fd is not None:
            os.close(fd)
    listener.listen(1)

    def answer() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(pack({"ok": {"protocol": PROTOCOL + 1, "version": 1}}))
        conn.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        assert RemoteStore.connect(tmp_path) is None
    finally:
        thread.join(timeout=10)
        listener.close()
