"""The ``gongzhi`` command's front door: ``member`` and ``coverage`` answered by a running server.

Starting the full CLI costs most of a second before it does anything (typer, pydantic, the
model, every indicator), and reading the embedded store itself several more. When a
``gongzhi serve`` holds the same embedded store (its socket ``<data_dir>/serve.sock``,
``api/cli_socket.py``), these two commands need none of that: this module reads their
arguments, sends them in one request with what the terminal is like (width, colours) and
the language, and prints what the server printed for them (``api/cli_views.py``, the same
code the CLI prints with). It imports only the standard library, the wire format and rich's
console.

Everything else goes to the full CLI (``api/cli.py``) unchanged: another command, an option
this front does not read (``--xlsx``, ``--pdf``, ``--unmask``, ``--token``, ``--store``,
``--data-dir``, ``--help``, ...), the Neo4j store, no server, a server that declines (a bad
date, an unknown member: the full CLI then prints the error as always). So nothing a role
decides goes through here: the answers are the masked ones every caller gets, and anything
that asks for more is the full CLI's, under its token rules.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

#: the options each command's fast path reads (value-taking, or a flag)
_VALUED = {"member": ("--as-of", "--lang"), "coverage": ("--as-of", "--lang", "--sort")}
_FLAGS = ("--json",)
_POSITIONAL = {"member": "id", "coverage": "area"}

#: what the CLI's console tells the server about itself (``console_options``, ``api.cli_views.buffer_console``)
CONSOLE_KEYS: dict[str, type | tuple[type, ...]] = {
    "width": int, "height": int, "terminal": bool, "color": (str, type(None)), "no_color": bool, "lang": str,
}
COLOR_SYSTEMS = ("standard", "256", "truecolor", None)


def _env(name: str) -> str | None:
    """A setting's variable as ``graph.settings.Settings`` reads it (names case-insensitive);
    None if unset; ``KeyError`` if set twice with different values (left to the full CLI)."""
    values = {v for k, v in os.environ.items() if k.lower() == name.lower()}
    if len(values) > 1:
        raise KeyError(name)
    return values.pop() if values else None


def parse(argv: list[str]) -> tuple[str, dict[str, Any], str | None] | None:
    """``(command, params, --lang)`` of a command this front answers, or None."""
    lang: str | None = None
    args = list(argv)
    while args and args[0].startswith("--lang"):  # the global option, before the command
        name, _, value = args.pop(0).partition("=")
        if name != "--lang" or (not value and not args):
            return None
        lang = value or args.pop(0)
    if not args or args[0] not in _VALUED:
        return None
    command, rest = args[0], args[1:]
    seen: dict[str, Any] = {}
    positional: list[str] = []
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if name in _VALUED[command]:
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if name in seen:
                return None
            seen[name] = value
        elif token in _FLAGS and token not in seen:
            seen[token] = True
        elif not token.startswith("-") and not positional:
            positional.append(token)
        else:
            return None  # anything else, -h and -- included: the full CLI reads it
    if len(positional) != 1:
        return None
    lang = seen.get("--lang", lang)
    params: dict[str, Any] = {
        _POSITIONAL[command]: positional[0],
        "as_of": seen["--as-of"] if "--as-of" in seen else date.today().isoformat(),  # the CLI's today
        "json": bool(seen.get("--json")),
    }
    if command == "coverage":
        params["sort"] = seen.get("--sort", "rate")
    return command, params, lang


def _lang(option: str | None) -> str | None:
    """The language as ``api.messages.current_lang`` would read it after ``--lang``."""
    if option is not None:
        return option.lower() if option.lower() in ("zh", "en") else None
    return "en" if os.environ.get("GONGZHI_LANG", "zh").lower().startswith("en") else "zh"


def quick(argv: list[str]) -> str | None:
    """What the server prints for ``argv``, or None: the full CLI answers."""
    parsed = parse(argv)
    if parsed is None:
        return None
    command, params, option = parsed
    lang = _lang(option)
    try:
        store, data_dir = _env("GONGZHI_STORE"), _env("GONGZHI_DATA_DIR")
    except KeyError:
        return None
    if lang is None or (store or "embedded") != "embedded" or data_dir == "":
        return None
    from graph.wire import REPLY_TIMEOUT_SECONDS, WireError, connect, exchange, hello, socket_path

    sock = connect(socket_path(Path(data_dir or "data")))
    if sock is None:
        return None
    try:
        if hello(sock) is None:
            return None
        from rich.console import Console

        console = Console(soft_wrap=True)  # as api.cli's: what it would print on
        if console.legacy_windows or not console.encoding.startswith("utf"):
            return None
        sock.settimeout(REPLY_TIMEOUT_SECONDS)
        reply = exchange(sock, {"method": "cli", "args": [command, params, console_options(console, lang)]})
    except (OSError, WireError):
        return None
    finally:
        sock.close()
    shown = reply.get("ok")
    return shown if isinstance(shown, str) else None


def console_options(console: Console, lang: str) -> dict[str, Any]:
    """What a server needs to print as ``console`` would (the CLI sends it)."""
    return {
        "width": console.width, "height": console.height, "terminal": console.is_terminal,
        "color": console.color_system, "no_color": console.no_color, "lang": lang,
    }


def main() -> None:
    """Console entry point (``gongzhi``)."""
    try:
        shown = quick(sys.argv[1:])
        if shown is not None:
            sys.stdout.write(shown)
            sys.stdout.flush()
            return
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    from api.cli import main as full

    full()


if __name__ == "__main__":
    main()
