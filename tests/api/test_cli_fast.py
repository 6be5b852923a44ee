"""The CLI's front door (api/cli_fast.py): ``member`` and ``coverage`` as one request to a
running ``gongzhi serve``, printing exactly what the full CLI prints reading the files itself.

Real processes on the embedded store of a small generated world: each command run with no
server (the files read directly) and again with one (the front door asks it), compared byte
for byte, in both languages, as JSON, and with colours on a terminal-like console; what the
server declines (a bad date, an unknown member, an export, ``--unmask``) is the full CLI's,
with the same error, exit code and role rules whether a server runs or not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli_fast import parse
from graph.wire import connect, exchange, socket_path
from tests.api import test_cli_remote as remote
from tests.api.test_cli import run
from tests.api.test_cli_remote import Server, first

DAY = "2024-06-30"
#: the generated world, its loaded store and a copy for each test (tests/api/test_cli_remote.py)
world, loaded, env = remote.world, remote.loaded, remote.env


def _commands(world: Path) -> list[list[str]]:
    community, city, member = first(world / "communities.csv"), first(world / "cities.csv"), first(world / "persons.csv")
    return [
        ["coverage", community, "--as-of", DAY],
        ["coverage", city, "--sort", "id", "--json", f"--as-of={DAY}"],
        ["--lang", "zh", "coverage", community, "--as-of", "2024/6/30"],
        ["coverage", community],  # today: the CLI's today
        ["member", member, "--as-of", DAY],
        ["member", "--json", member, "--lang", "en", "--as-of", DAY],
        ["member", member, "--lang=zh"],
    ]


def test_one_request_each_and_the_same_output_as_reading_the_files(world: Path, env: dict[str, str]) -> None:
    colour = {**env, "FORCE_COLOR": "1", "COLUMNS": "100", "COLORTERM": "truecolor"}
    cases = [(cmd, env) for cmd in _commands(world)] + [(cmd, colour) for cmd in _commands(world)[:1] + _commands(world)[4:5]]
    direct = [run(*cmd, env=e).stdout for cmd, e in cases]
    assert "\x1b[" in direct[-1], "FORCE_COLOR makes the console a colour terminal"
    server = Server(env)
    try:
        for (cmd, e), expected in zip(cases, direct, strict=True):
            before = server.served()
            assert run(*cmd, env=e).stdout == expected, cmd
            assert server.served() == before + 1, f"{cmd}: one request for the whole command"
            assert run(*cmd, env=e).stdout == expected, f"{cmd}: the kept answer"
    finally:
        server.stop()
    log = server.proc.stderr.read().decode() if server.proc.stderr else ""
    member = first(world / "persons.csv")
    assert member not in log and "coverage" not in log, "the server logs nothing of what the CLI asked"


def test_what_the_server_declines_the_full_cli_answers_alike(world: Path, env: dict[str, str], tmp_path: Path) -> None:
    """Errors and everything the front door does not read: the same stdout, stderr and exit
    code with a server running as without; roles decide ``--unmask`` the same way."""
    community, member = first(world / "communities.csv"), first(world / "persons.csv")
    auth = {**env, "GONGZHI_AUTH_FILE": str(tmp_path / "auth.json")}
    viewer = run("token", "issue", "--user", "v", "--area", community, "--role", "viewer", env=auth).stdout.strip()
    cases = [
        ["member", "R-999999", "--as-of", DAY],
        ["member", member, "--as-of", "2024-13-45"],
        ["member", member, "--as-of="],
        ["coverage", community, "--sort", "nope"],
        ["coverage", "CM-9999"],
        ["--lang", "fr", "member", member],
        ["member", member, "--unmask", "--token", viewer],  # --unmask without a file: usage error
        ["member", member, "--xlsx", str(tmp_path / "card.xlsx"), "--unmask", "--token", viewer],
        ["member", member, "--xlsx", str(tmp_path / "card.xlsx"), "--unmask"],
    ]
    direct = [run(*cmd, env=auth, ok=False) for cmd in cases]
    assert all(p.returncode != 0 for p in direct), [p.returncode for p in direct]
    assert "viewer" in direct[-2].stderr and not (tmp_path / "card.xlsx").exists(), "a viewer is refused"
    server = Server(env)
    try:
        for cmd, expected in zip(cases, direct, strict=True):
            got = run(*cmd, env=auth, ok=False)
            assert (got.returncode, got.stdout, got.stderr) == (expected.returncode, expected.stdout, expected.stderr), cmd
        assert not (tmp_path / "card.xlsx").exists()
        masked = run("member", member, "--as-of", DAY, env=auth).stdout
        with_token = run("member", member, "--as-of", DAY, env={**auth, "GONGZHI_TOKEN": viewer}).stdout
        assert with_token == masked, "a token changes nothing on the screen: names are masked for every role"
    finally:
        server.stop()


def test_the_server_refuses_odd_requests_for_the_cli_to_answer(world: Path, env: dict[str, str]) -> None:
    member = first(world / "persons.csv")
    console = {"width": 80, "height": 25, "terminal": False, "color": None, "no_color": False, "lang": "zh"}
    params = {"id": member, "as_of": DAY, "json": True}
    server = Server(env)
    try:
        sock = connect(socket_path(server.data_dir))
        assert sock is not None
        try:
            shown = exchange(sock, {"method": "cli", "args": ["member", params, console]})["ok"]
            assert json.loads(shown)["id"] == member
            odd = [
                ["member", params, {**console, "width": True}],
                ["member", params, {**console, "color": "windows"}],
                ["member", params, {**console, "extra": 1}],
                ["member", {**params, "id": 5}, console],
                ["member", {**params, "sort": "id"}, console],
                ["member", {**params, "as_of": "soon"}, console],
                ["branch", params, console],
                ["coverage", {"area": "CM-0001", "as_of": DAY, "sort": "nope", "json": False}, console],
            ]
            for args in odd:
                reply = exchange(sock, {"method": "cli", "args": args})
                assert reply["error"]["fallback"], args
        finally:
            sock.close()
    finally:
        server.stop()


@pytest.mark.parametrize(
    "argv",
    [
        ["member"], ["member", "a", "b"], ["member", "a", "--xlsx", "f"], ["member", "a", "--unmask"],
        ["member", "a", "--token", "t"], ["member", "a", "--store", "embedded"], ["member", "a", "--data-dir", "d"],
        ["member", "a", "--help"], ["member", "a", "-h"], ["member", "a", "--json", "--json"], ["member", "--", "a"],
        ["member", "a", "--as-of"], ["member", "a", "--sort", "id"], ["coverage", "a", "--pdf", "f"],
        ["gaps", "a", "-i", "X"], ["stats"], ["--help"], [], ["--lang"], ["--langx", "en", "member", "a"],
    ],
)
def test_the_front_door_leaves_what_it_does_not_read_to_the_full_cli(argv: list[str]) -> None:
    assert parse(argv) is None


def test_the_front_door_reads_its_arguments_as_typer_does() -> None:
    assert parse(["--lang", "en", "member", "R-1", "--as-of=2024-06-30", "--json"]) == (
        "member", {"id": "R-1", "as_of": "2024-06-30", "json": True}, "en"
    )
    assert parse(["--lang=en", "coverage", "--sort", "id", "CM-1", "--lang", "zh", "--as-of", "2024/6/30"]) == (
        "coverage", {"area": "CM-1", "as_of": "2024/6/30", "json": False, "sort": "id"}, "zh"
    )
