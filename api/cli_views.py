"""What the read commands ``member`` and ``coverage`` print, for the CLI and for the server.

The CLI prints these itself when it reads a store (``api/cli.py``); a running ``gongzhi
serve`` prints them into a buffer for a CLI that asked it over its socket
(``api/cli_socket.py``, ``api/cli_fast.py``), with the console's width, colours and the
language the CLI would have used (``api.cli_fast.console_options``). One function does both, so the two cannot print different
things. Nothing here reads the environment or a module-level console: the server answers
several callers at once, each in its own language and width.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from api.cli_fast import COLOR_SYSTEMS, CONSOLE_KEYS
from api.messages import Lang, t

if TYPE_CHECKING:
    from api.names import PlaceNames
    from graph.store import Store
    from queries.results import MemberCard, Rollup

def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def table(*headers: str, **options: object) -> Table:
    """A table whose long cells wrap instead of being cut off."""
    shown = Table(**options)  # type: ignore[arg-type]
    for header in headers:
        shown.add_column(header, overflow="fold")
    return shown


def print_json(console: Console, data: object) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


# ---------------------------------------------------------------- coverage


def print_coverage(console: Console, result: Rollup, lang: Lang, *, as_json: bool) -> None:
    """An area's indicators and its children ranked (``gongzhi coverage``)."""
    from queries.labels import indicator_title

    if as_json:
        print_json(console, result.as_dict())
        return
    own = result.area
    shown = Table(
        t("indicator", lang), t("total", lang), t("covered", lang), t("rate", lang),
        title=f"{own.area.name} ({own.area.id}) {t('as_of', lang)} {own.as_of}",
    )
    for r in own.indicators:
        shown.add_row(indicator_title(r.indicator, lang), str(r.total), str(r.covered), rate(r.rate))
    console.print(shown)
    if result.children:
        children = Table(
            t("child_area", lang), t("mean_rate", lang), t("furthest_behind", lang), title=t("children_title", lang)
        )
        for c in result.children:
            rated = [r for r in c.indicators if r.rate is not None]
            worst = min(rated, key=lambda r: (r.rate, r.indicator)) if rated else None
            behind = "—" if worst is None else f"{indicator_title(worst.indicator, lang)} {rate(worst.rate)}"
            children.add_row(f"{c.area.name} ({c.area.id})", rate(c.mean_rate), behind)
        console.print(children)


# ---------------------------------------------------------------- member


def member_home(card: MemberCard) -> list[str]:
    """The member's places from the community down; the last is where the member lives."""
    return [x for x in (card.community, card.grid, card.compound, card.building, card.entrance) if x]


def member_names(store: Store, card: MemberCard) -> PlaceNames:
    """The names of every place the card shows, read in one pair of look-ups per level."""
    from api.names import PlaceNames

    names = PlaceNames(store)
    sides = [o for side in (card.membership, card.residence) for o in side]
    names.prefetch([*member_home(card), *card.reported_to, *(p for o in sides for p in o.places)])
    return names


def print_member(console: Console, card: MemberCard, names: PlaceNames, lang: Lang, *, as_json: bool) -> None:
    """A member's "1+1" card (``gongzhi member``): names masked, as for every role."""
    from queries.labels import status_label

    if as_json:
        print_json(console, card.as_dict())
        return
    home = member_home(card)
    shown = table("", "", show_header=False, title=f"{card.name} ({card.id})")
    shown.add_row(t("home", lang), names.name(home[-1]) if home else "—")
    for label, side in ((t("membership_side", lang), card.membership), (t("residence_side", lang), card.residence)):
        shown.add_row(
            label, "\n".join(f"{o.name or o.id} → {'、'.join(names.names(o.places)) or '—'}" for o in side) or "—"
        )
    explanation = card.explanation_en if lang == "en" else card.explanation_zh
    shown.add_row(t("status", lang), f"{status_label(card.status, lang)}: {explanation}")
    shown.add_row(t("reported_to", lang), "、".join(names.names(card.reported_to)) or "—")
    console.print(shown)


# ---------------------------------------------------------------- for the server


class NotForTheServer(Exception):
    """A request the server leaves to the CLI itself (a bad date, an unknown member, an odd
    console): the CLI then runs the command as usual, which prints the usual error."""


def buffer_console(options: Any) -> tuple[Console, Lang]:
    """A console printing into a buffer as the CLI's console described by ``options`` would."""
    if not isinstance(options, dict) or set(options) != set(CONSOLE_KEYS):
        raise NotForTheServer
    if any(not isinstance(options[k], kind) or isinstance(options[k], bool) != (kind is bool)
           for k, kind in CONSOLE_KEYS.items()):
        raise NotForTheServer  # (a bool is an int to isinstance: a width of True is refused too)
    if options["color"] not in COLOR_SYSTEMS or options["lang"] not in ("zh", "en"):
        raise NotForTheServer
    if not (1 <= options["width"] <= 10_000 and 1 <= options["height"] <= 10_000):
        raise NotForTheServer
    from io import StringIO

    console = Console(  # the server's own environment (TERM, NO_COLOR, FORCE_COLOR) must not count
        file=StringIO(), width=options["width"], height=options["height"], force_terminal=options["terminal"],
        color_system=options["color"], no_color=options["no_color"], soft_wrap=True, force_jupyter=False,
        force_interactive=False, legacy_windows=False, _environ={},
    )
    return console, options["lang"]


def _day(value: Any) -> date:
    from loaders.convert import CellProblem, parse_date

    if not isinstance(value, str):
        raise NotForTheServer
    try:
        return parse_date(value)
    except CellProblem:
        raise NotForTheServer from None


def answer(store: Store, command: Any, params: Any, console: Console, lang: Lang) -> str:
    """What ``gongzhi <command>`` prints on ``store`` (the server's), into ``console``'s buffer.
    ``params`` is what the CLI read from its arguments (``api/cli_fast.py``); the date is the
    CLI's, its today when none was given."""
    from graph.errors import GongzhiError

    if not isinstance(params, dict) or not isinstance(params.get("json"), bool):
        raise NotForTheServer
    day = _day(params.get("as_of"))
    try:
        if command == "member" and set(params) == {"id", "as_of", "json"} and isinstance(params["id"], str):
            from queries.one_plus_one import member_card

            card = member_card(store, params["id"], day)
            print_member(console, card, member_names(store, card), lang, as_json=params["json"])
        elif command == "coverage" and set(params) == {"area", "as_of", "sort", "json"} and isinstance(
            params["area"], str
        ) and params["sort"] in ("rate", "id"):
            from queries.rollup import rollup

            print_coverage(console, rollup(store, params["area"], day, params["sort"]), lang, as_json=params["json"])
        else:
            raise NotForTheServer
    except GongzhiError:
        raise NotForTheServer from None  # the CLI prints the error as it always does
    file = console.file
    assert hasattr(file, "getvalue")
    return str(file.getvalue())
