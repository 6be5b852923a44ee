"""Nothing personal in the server's log, and malformed traffic logged quietly.

Two runs of hostile and erroneous requests carrying personal values (planted ones, and the
names, phones and ID numbers of the generated street itself):

* in process: every log record of the run (caplog, every logger, every level, with the
  formatted tracebacks) is searched for each value;
* a real ``gongzhi serve`` (uvicorn, in a subprocess): its whole stderr is searched likewise,
  and must hold no ``Exception in ASGI application`` and no traceback; a client that hangs up
  mid-body is one quiet line; access lines are there, without their query strings.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import Role, TokenFile
from api.graphql.errors import MASKED_MESSAGE
from graph.query import Query
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.load import load
from tests.api.client import Api
from tests.api.test_graphql_types import Counting
from tests.security.test_api_hostile import ID_NUMBER, NAME, PERSONAL, PHONE, SHAPES, Shape, send

ERRONEOUS = [
    # a mutation the loaders refuse, with the planted values in it
    Shape("invalid-values", "mutation($p: PersonInput!) { registerPerson(person: $p) { __typename "
          "... on InvalidInput { issues { field value reason } } } }",
          {"p": {"name": NAME, "phone": "1398765", "idNumber": ID_NUMBER[:-1] + "X", "politicalStatus": "MASSES",
                 "building": "B-000001"}}),
    # reads that show names (organizer) and unmask phones and ID numbers (officer with a reason)
    Shape("names", '{ members(area: "CM-0001", first: 100) { nodes { name phone idNumber } } }'),
    Shape("reveal", '{ members(first: 100) { nodes { name phone(reason: "核查") idNumber(reason: "核查") } } }'),
]


def generated_values(store: Store) -> list[str]:
    """The names, phones and ID numbers of every person of the generated street."""
    with store._reader() as g:  # type: ignore[attr-defined]
        people = [g.node(p) for p in g.ids("Person")]
    values = {str(p[f]) for p in people for f in ("name", "phone", "id_number") if p.get(f)}
    assert len(values) > 100
    return sorted(values)


def embedded(data: Path) -> Store:
    return open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data))  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def world(street_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The street in an embedded store's directory, and every personal value in it."""
    data = tmp_path_factory.mktemp("logs") / "data"
    store = embedded(data)
    try:
        load(store, street_dir, source="street")
        return data, [*PERSONAL, *generated_values(store)]
    finally:
        store.close()


def leaks(text: str, values: list[str]) -> list[str]:
    return [v for v in values if v in text]


def test_no_log_record_of_a_hostile_run_holds_a_personal_value(
    world: tuple[Path, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data, values = world
    store = embedded(data)
    api = Api(store, tmp_path)
    caplog.set_level(logging.DEBUG)
    ours = logging.getLogger("gongzhi.api")
    ours.addHandler(caplog.handler)  # also when it does not propagate (under uvicorn)
    try:
        for role in ("organizer", "officer"):
            for shape in [*SHAPES, *ERRONEOUS]:
                send(api, shape, role)
    finally:
        ours.removeHandler(caplog.handler)
        store.close()
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the test's client
    text = "\n".join(formatter.format(r) for r in server)
    assert "request refused" in text, "the run was logged (not vacuous)"
    assert [line for line in text.splitlines() if leaks(line, values)] == []
    assert "Traceback" not in text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_real_server_logs_no_personal_value_and_no_stack_trace(world: tuple[Path, list[str]], tmp_path: Path) -> None:
    data, values = world
    auth = tmp_path / "auth.json"
    token = TokenFile(auth).issue("logs", "C-0001", Role.OFFICER)[1]
    env = {**os.environ, "GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(data),
           "GONGZHI_AUTH_FILE": str(auth), "GONGZHI_AUDIT_FILE": str(tmp_path / "audit.jsonl")}
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for shape in [*SHAPES, *ERRONEOUS]:
                if shape.method == "GET":
                    r = client.get(f"/graphql?{shape.query_string}")
                elif shape.body is not None:
                    r = client.post("/graphql", content=shape.body, headers={"content-type": "application/json"})
                else:
                    r = client.post("/graphql", json={"query": shape.document, "variables": shape.variables or {}})
                assert r.status_code < 500, (shape.name, r.status_code, r.text[:200])
            assert client.get("/graphql", params={"query": "{ me { user } }", "variables": f'{{"x": "{PHONE}"}}'}).status_code == 200
        # a client that sends half a body and hangs up
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + f"Authorization: Bearer {token}\r\nContent-Length: 5000\r\n\r\n".encode()
                + f'{{"query": "{{ me {{ user }} }}", "variables": {{"p": "{NAME}'.encode()
            )
            time.sleep(0.3)
        time.sleep(0.5)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    log = out.decode("utf-8", "replace") + err.decode("utf-8", "replace")  # uvicorn's access lines go to stdout
    assert "POST /graphql" in log and "GET /graphql?…" in log, log[-2000:]
    assert "request refused" in log
    assert "client disconnected" in log
    assert "Exception in ASGI application" not in log and "Traceback" not in log, log[-3000:]
    assert [line for line in log.splitlines() if leaks(line, values)] == []


class Exploding(Counting):
    """A store whose every read fails with an exception whose message holds personal values."""

    def run(self, query: Query, params: Any = None) -> Any:
        raise RuntimeError(f"boom {NAME} {PHONE} {ID_NUMBER}")


def test_an_internal_error_is_logged_by_its_type_and_frames_only(
    world: tuple[Path, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data, _ = world
    store = embedded(data)
    try:
        api = Api(Exploding(store), tmp_path)
        caplog.set_level(logging.DEBUG)
        ours = logging.getLogger("gongzhi.api")
        ours.addHandler(caplog.handler)
        try:
            r = api.post("{ me { user area { key } } }", token=api.token("C-0001"))
        finally:
            ours.removeHandler(caplog.handler)
    finally:
        store.close()
    assert [e["message"] for e in r.json()["errors"]] == [MASKED_MESSAGE]
    text = "\n".join(logging.Formatter("%(message)s").format(rec) for rec in caplog.records if rec.name == "gongzhi.api")
    assert "internal error at me: RuntimeError" in text and "scope.py" in text  # type and frames
    assert leaks(text, list(PERSONAL)) == []  # the frames quote source lines, never the values
