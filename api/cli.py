"""The ``gongzhi`` command line.

Every command reads one ``Settings`` object (environment variables, see graph/settings.py)
and passes it down; nothing below reads the environment itself. Expected failures
(``GongzhiError``) end as one clear line on stderr and a non-zero exit, never a traceback.

Exit codes: 0 success, 1 an expected failure (bad input, store unreachable, ...), 2 usage.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.auth import Role, TokenFile
from api.cli_views import print_json
from api.cli_views import rate as _rate
from api.cli_views import table as _table
from api.messages import current_lang, t
from graph.errors import GongzhiError, MergeConflicts, ValidationFailed, problem_count
from graph.records import Recovery
from graph.settings import Settings
from graph.store import Store, open_store

if TYPE_CHECKING:
    from api.names import PlaceNames
    from queries.ledger.books import Reveal
    from queries.ledger.layout import Book
    from queries.results import Gap

app = typer.Typer(
    name="gongzhi",
    help="共治 Gongzhi：党建引领社区治理组织图谱 / the organization graph of party-led community governance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

MAX_ISSUES_SHOWN = 50

Lang = Annotated[
    str | None,
    typer.Option("--lang", help="界面语言 zh|en / interface language (default: GONGZHI_LANG or zh)"),
]
StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="embedded|neo4j (default: GONGZHI_STORE or embedded)"),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="内置存储目录 / embedded store directory (default: GONGZHI_DATA_DIR or ./data)"
    ),
]


def _settings(store: str | None = None, data_dir: Path | None = None, lang: str | None = None) -> Settings:
    _set_lang(lang)
    settings = Settings()
    changes: dict[str, object] = {}
    if store:
        changes["store"] = _choice("--store", store, ("embedded", "neo4j"))
    if data_dir:
        changes["data_dir"] = data_dir
    return settings.with_(**changes) if changes else settings


def _set_lang(lang: str | None) -> None:
    """``--lang``, given before the command (``gongzhi --lang en coverage ...``) or after it."""
    if lang:
        os.environ["GONGZHI_LANG"] = _choice("--lang", lang.lower(), ("zh", "en"))


@app.callback()
def _global(lang: Lang = None) -> None:
    """共治 Gongzhi：党建引领社区治理组织图谱 / the organization graph of party-led community governance."""
    _set_lang(lang)


def _open(settings: Settings, *, read_only: bool = False) -> Store:
    """The store for a command; a read-only one asks a running ``gongzhi serve`` on the same
    embedded store when there is one (graph/remote.py), instead of reading the whole graph."""
    from graph.remote import open_reader

    store = open_reader(settings) if read_only else open_store(settings)
    store.ping()
    if read_only:
        _warn_if_loading(store)
    return store


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="输出目录 / output directory")],
    scale: Annotated[str, typer.Option(help="community|subdistrict|district|city|province")] = "district",
    seed: Annotated[int, typer.Option(help="随机种子 / random seed (same seed, same files)")] = 1,
    headers: Annotated[str, typer.Option(help="表头语言 zh|en / header language")] = "zh",
    cities: Annotated[
        int | None,
        typer.Option(help="城市数（每个城市为 --scale 的规模，多于一个时同属一个省）/ cities, each of --scale's size (several: one province)"),
    ] = None,
    per_city: Annotated[
        bool, typer.Option("--per-city", help="每个城市写入单独的子目录 / one subdirectory per city")
    ] = False,
    lang: Lang = None,
) -> None:
    """生成确定性的模拟城市数据集 / Write a deterministic synthetic dataset in the input format."""
    _settings(lang=lang)
    from loaders.generate import SCALES
    from loaders.generate import generate as run_generate

    _choice("--scale", scale, tuple(SCALES))
    try:
        summary = run_generate(scale, seed, out_dir, headers=headers, cities=cities, per_city=per_city)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--cities") from e
    out.print(t("generated", scale=scale, seed=seed, out=out_dir, rows=sum(summary.rows.values())))


@app.command()
def template(
    out_file: Annotated[Path, typer.Argument(help="输出的 XLSX 文件 / XLSX file to write")],
    lang: Lang = None,
) -> None:
    """写出空白导入模板（每表一页，中英表头、说明与示例行）/ Write blank XLSX input templates."""
    _settings(lang=lang)
    from loaders.template import write_templates

    write_templates(out_file)
    out.print(t("template", out=out_file))


@app.command()
def schema(store: StoreOpt = None, data_dir: DataDir = None, lang: Lang = None) -> None:
    """建立约束和索引（可重复执行）/ Apply the declared constraints and indexes, idempotently."""
    settings = _settings(store, data_dir, lang)
    from graph.derived import backfill

    with _open(settings) as s:
        names = s.apply_schema()
        backfill(s)  # derived values an older store lacks (graph/derived.py)
    out.print(t("schema", n=len(names)) if settings.store == "neo4j" else t("schema_embedded"))


@app.command()
def load(
    path: Annotated[
        Path | None, typer.Argument(help="输入目录或文件 (CSV/XLSX) / input directory or file")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(help="数据来源名称（默认：目录名，或单个文件的文件名）/ source name (default: the directory's name, or a single file's name)"),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="删除该来源中已不存在的行（先列出，需 --yes 或确认）/ delete this source's rows no longer in the input (listed first; needs --yes or a confirmation)"
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="不再询问，直接删除 / delete without asking")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="只校验并比较，不写入 / validate and compare only; write nothing")
    ] = False,
    prefer: Annotated[
        str | None,
        typer.Option(
            "--prefer",
            help="文件与应用内修改冲突时以哪方为准 file|app / which side wins a conflict between the file and an edit made in the app",
        ),
    ] = None,
    accept_valid: Annotated[
        bool, typer.Option("--accept-valid", help="有错误时仍导入有效行 / load the valid rows despite errors")
    ] = False,
    skip_samples: Annotated[
        bool,
        typer.Option("--skip-samples", help="跳过模板示例行 / leave the template's sample rows out"),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="以 JSON 输出结果 / print the summary as JSON")
    ] = False,
    recover: Annotated[
        bool,
        typer.Option(
            "--recover",
            help="回滚进程已终止的未完成导入，不导入新数据 / roll back loads whose process is gone; load nothing",
        ),
    ] = False,
    errors_out: Annotated[
        Path | None,
        typer.Option(
            "--errors-out",
            help="有错误时写出错误工作簿（标出错误单元格并批注原因，首页列出全部问题）/ on errors, write "
            "a workbook to send back: the input with each bad cell highlighted and commented, all issues listed first",
        ),
    ] = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="空的、已停止的 Neo4j 数据库：校验后用 neo4j-admin database import 导入（GONGZHI_NEO4J_HOME）/ "
            "an empty, stopped Neo4j database: validate, then write through neo4j-admin database import "
            "(GONGZHI_NEO4J_HOME)",
        ),
    ] = False,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """校验并导入数据（全部通过才写入）/ Validate and load input files; nothing is written unless all is valid."""
    from loaders.load import PruneNotConfirmed
    from loaders.load import load as run_load
    from loaders.merge import Prefer
    from loaders.summary import LoadSummary

    settings = _settings(store, data_dir, lang)
    if bulk and recover:
        raise typer.BadParameter(t("bulk_options"), param_hint="--bulk")
    if recover:
        with _open(settings) as s:
            _print_recovery(s.recover(), as_json, quiet=False)
        return
    if path is None:
        raise typer.BadParameter(t("load_needs_path"), param_hint="PATH")
    if prefer is not None:
        _choice("--prefer", prefer, ("file", "app"))
    chosen = None if prefer is None else Prefer(prefer)
    if bulk:
        if prune or prefer is not None or check:
            raise typer.BadParameter(t("bulk_options"), param_hint="--bulk")
        _load_bulk(settings, path, source=source, accept_valid=accept_valid, skip_samples=skip_samples,
                   as_json=as_json, errors_out=errors_out)
        return

    def confirm(summary: LoadSummary) -> bool:
        """Deleting needs --yes, or a 'y' typed at a terminal after seeing the list."""
        if yes:
            return True
        if as_json or not (sys.stdin.isatty() and sys.stdout.isatty()):
            return False
        out.print("\n".join(summary.render_deletions()))
        return typer.confirm(t("prune_confirm", n=summary.deletes), default=False)

    with _open(settings) as s:
        if settings.store == "neo4j" and not check:
            s.apply_schema()
            _print_recovery(s.recover(), as_json=False, quiet=True)
        options = dict(
            source=source, prune=prune, accept_valid=accept_valid, prefer=chosen, check=check, confirm=confirm,
            skip_samples=skip_samples,
        )
        try:
            if as_json or not sys.stderr.isatty():
                summary = run_load(s, path, **options)  # type: ignore[arg-type]
            else:
                with Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=err,
                ) as bar:
                    tasks: dict[str, int] = {}

                    def progress(stage: str, done: int, total: int) -> None:
                        if stage not in tasks:
                            tasks[stage] = bar.add_task(_stage_label(stage), total=total)
                        bar.update(tasks[stage], completed=done, total=total)

                    summary = run_load(s, path, progress=progress, **options)  # type: ignore[arg-type]
        except ValidationFailed as exc:
            _print_issues(exc, as_json)
            if errors_out is not None:
                _write_error_book(exc, path, errors_out, as_json)
            raise typer.Exit(1) from None
        except PruneNotConfirmed as exc:
            if as_json:
                out.print_json(json.dumps({"ok": False, **exc.summary.as_dict()}, ensure_ascii=False, default=str))
            else:
                out.print(exc.summary.render())
                err.print(f"[bold red]{t('error')}[/]: {t('prune_unconfirmed', n=exc.summary.deletes)}")
            raise typer.Exit(1) from None
    if as_json:
        out.print_json(json.dumps(summary.as_dict(), ensure_ascii=False, default=str))
    else:
        out.print(summary.render())
    if check and summary.conflicts:
        raise typer.Exit(1)


def _load_bulk(
    settings: Settings, path: Path, *, source: str | None, accept_valid: bool, skip_samples: bool, as_json: bool,
    errors_out: Path | None,
) -> None:
    """``load --bulk`` (loaders/bulk.py): no store is opened, the database is stopped."""
    from loaders.bulk import bulk_load

    try:
        done = bulk_load(settings, path, source=source, accept_valid=accept_valid, skip_samples=skip_samples)
    except ValidationFailed as exc:
        _print_issues(exc, as_json)
        if errors_out is not None:
            _write_error_book(exc, path, errors_out, as_json)
        raise typer.Exit(1) from None
    if as_json:
        shown = {**done.summary.as_dict(), "bulk": {"nodes": done.nodes, "relationships": done.rels,
                 "database": done.database_dir, "planSeconds": round(done.plan_seconds, 2),
                 "importSeconds": round(done.import_seconds, 2), "totalSeconds": round(done.total_seconds, 2)}}
        out.print_json(json.dumps(shown, ensure_ascii=False, default=str))
        return
    out.print(done.summary.render())
    out.print(t("bulk_done", nodes=f"{done.nodes:,}", rels=f"{done.rels:,}", dir=done.database_dir,
                plan=f"{done.plan_seconds:.1f}", tool=f"{done.import_seconds:.1f}"))


def _print_recovery(done: list[Recovery], as_json: bool, *, quiet: bool) -> None:
    """What recovery did (``gongzhi load --recover``, and before a load or ``serve``, where
    ``quiet`` says nothing when there was nothing to do and writes to stderr)."""
    if as_json:
        shown = [{"action": r.action, "chunksUndone": r.chunks_undone, "load": r.load.as_dict()} for r in done]
        out.print_json(json.dumps({"recovered": shown}, ensure_ascii=False))
        return
    console = err if quiet else out
    if not done and not quiet:
        console.print(t("recover_none"))
    for r in done:
        s = r.load
        console.print(
            t(f"recover_{r.action}", id=s.id, pid=s.pid, host=s.host, started=s.started, n=r.chunks_undone,
              done=s.chunks_done, total=s.chunks_total, age=f"{s.heartbeat_age:.0f}")
        )


def _warn_if_loading(s: Store) -> None:
    """Readers during a chunked load may see part of it (docs/architecture.md): say so."""
    status = s.load_in_progress()
    if status is not None:
        err.print(
            f"[bold yellow]{t('warning')}[/]: "
            + t("load_in_progress", id=status.id, started=status.started, done=status.chunks_done,
                total=status.chunks_total)
        )
def _write_error_book(exc: ValidationFailed, path: Path, target: Path, as_json: bool) -> None:
    from api.error_book import write_error_book

    write_error_book(exc.issues, path, target, lang=current_lang())
    if not as_json:
        err.print(t("errors_out", out=target, n=len(exc.issues)))


def _stage_label(stage: str) -> str:
    key = f"progress_{stage}"
    try:
        return t(key)
    except KeyError:
        return stage


def _print_issues(exc: ValidationFailed, as_json: bool) -> None:
    if as_json:
        out.print_json(
            json.dumps({"ok": False, "issues": [i.as_dict() for i in exc.issues]}, ensure_ascii=False)
        )
        return
    zh = t("error") == "错误"
    if isinstance(exc, MergeConflicts):
        err.print(f"[bold red]{t('error')}[/]: {exc.message_zh if zh else exc.message}")
    else:
        err.print(f"[bold red]{t('error')}[/]: {t('invalid', n=f'{problem_count(exc.issues):,}')}")
    table = _table(t("file"), t("row"), t("column"), t("value"), t("reason"))  # long reasons wrap, never cut
    for issue in exc.issues[:MAX_ISSUES_SHOWN]:
        reason = issue.reason_zh if zh and issue.reason_zh else issue.reason
        table.add_row(issue.file, str(issue.row or ""), issue.column or "", issue.value or "", reason)
    err.print(table)
    if len(exc.issues) > MAX_ISSUES_SHOWN:
        err.print(t("invalid_more", n=len(exc.issues) - MAX_ISSUES_SHOWN))
    for notice in exc.notices:
        err.print(f"{t('notice')}: {notice.file}: {notice.reason_zh if zh and notice.reason_zh else notice.reason}")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """按节点标签和关系类型统计数量 / Counts by label and relationship type."""
    settings = _settings(store, data_dir, lang)
    with _open(settings, read_only=True) as s:
        counts = s.stats()
    if as_json:
        out.print_json(
            json.dumps({"store": settings.store, "labels": counts.labels, "relationships": counts.rel_types})
        )
        return
    table = Table(t("stats_label"), t("stats_count"), title=t("stats_title", store=settings.store))
    for label, n in sorted(counts.labels.items()):
        table.add_row(label, str(n))
    out.print(table)
    rels = Table(t("stats_type"), t("stats_count"))
    for rel_type, n in sorted(counts.rel_types.items()):
        rels.add_row(rel_type, str(n))
    out.print(rels)


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="统计日期，格式同导入文件（2021-06-30、2021/6/30、20210630、2021年6月30日）默认今天 / "
        "the day asked about, in any date format the loader accepts (default today)",
    ),
]


def _day(value: str | None, option: str = "--as-of") -> date | None:
    """A date option, read as the loader reads a date cell (loaders.convert.parse_date:
    2021-06-30, 2021/6/30, 20210630, 2021年6月30日 ...), refused in the chosen language."""
    from loaders.convert import CellProblem, parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except CellProblem as exc:
        zh = current_lang() == "zh"
        _usage_error(t("bad_date", option=option, value=value, reason=exc.reason_zh if zh else exc.reason))


def _choice(option: str, value: str, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``; else a usage error in the chosen language."""
    if value not in allowed:
        _usage_error(t("bad_choice", option=option, value=value, allowed="|".join(allowed)))
    return value


def _usage_error(message: str) -> NoReturn:
    """A usage error as one line in the chosen language, exit 2 (click's own frame is English)."""
    err.print(f"[bold red]{t('error')}[/]: {message}", markup=True, highlight=False)
    raise typer.Exit(2)


def _print_json(data: object) -> None:
    print_json(out, data)


XlsxOpt = Annotated[
    Path | None,
    typer.Option("--xlsx", help="写出可打印的 Excel 台账（A4，标题、页码、签字栏）/ write a printable XLSX ledger (A4)"),
]
PdfOpt = Annotated[
    Path | None,
    typer.Option("--pdf", help="写出 PDF 台账（与 XLSX 同一版式）/ write the ledger as PDF, in the XLSX's layout"),
]
UnmaskOpt = Annotated[
    bool,
    typer.Option(
        "--unmask",
        help="导出未脱敏的姓名（专员、管理员加 --reason 时含电话）：需 --token，查看者无权，记入审计日志 / "
        "names (phones too for officer or admin with --reason) in full in the exported files: needs --token; "
        "refused for viewers; audited",
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="GONGZHI_TOKEN", show_envvar=False,
        help="您的 API 令牌，决定 --unmask 的角色和辖区（或环境变量 GONGZHI_TOKEN）/ your API token: its role and "
        "area decide what --unmask may show (or GONGZHI_TOKEN)",
    ),
]
ReasonOpt = Annotated[
    str | None,
    typer.Option("--reason", help="需要完整电话的理由（记入审计日志）/ why full phones are needed (audited)"),
]


def _export(
    settings: Settings,
    s: Store,
    build: Callable[[Reveal], Book],
    *,
    xlsx: Path | None,
    pdf: Path | None,
    unmask: bool,
    token: str | None,
    reason: str | None,
    anchors: Sequence[str],
    operation: str,
    record: str,
    written: str | None = None,
) -> bool:
    """The ledger to ``--xlsx``/``--pdf`` if asked (False if not), unmasked only for a caller
    whose token allows it (api/ledgers.py), the audit line written before the files."""
    if xlsx is None and pdf is None:
        if unmask:
            _usage_error(t("unmask_needs_file"))
        return False
    from api.ledgers import audit as audit_export  # openpyxl and the PDF fonts: only to write files
    from api.ledgers import caller, write
    from queries.ledger.books import Reveal, ledger_rows

    who = caller(settings, s, token=token, reason=reason, anchors=anchors) if unmask else None
    book = build(who.reveal if who else Reveal())
    if who is not None:
        ops = " ".join(o for o, f in (("--xlsx", xlsx), ("--pdf", pdf)) if f is not None)
        entry = audit_export(settings, who, f"cli {operation} {ops} --unmask", record)
        fields = {"name": "姓名", "name,phone": "姓名和电话"} if current_lang() == "zh" else {"name": "names", "name,phone": "names and phones"}
        err.print(t("unmask_audited", role=who.principal.role.value, fields=fields[entry.field], n=entry.rows or 0))
        if not who.reveal.phones:
            err.print(f"{t('notice')}: {t('phones_masked')}")
    for path in write(book, xlsx, pdf):
        out.print(written.format(out=path) if written else t("ledger_written", out=path, n=ledger_rows(book)))
    return True


@app.command()
def coverage(
    area: Annotated[str, typer.Argument(help="区域编号（市、区、街道、社区、网格、小区）/ area id")],
    as_of: AsOf = None,
    sort: Annotated[str, typer.Option(help="下级区域排序 rate|id / sort children by")] = "rate",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    xlsx: XlsxOpt = None,
    pdf: PdfOpt = None,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """各项覆盖指标及下级区域排名 / Every coverage indicator of an area, with its child areas ranked."""
    from api.cli_views import print_coverage
    from queries.ledger.books import coverage_book
    from queries.rollup import rollup

    settings = _settings(store, data_dir, lang)
    with _open(settings, read_only=True) as s:
        result = rollup(s, area, _day(as_of), sort)
        if _export(settings, s, lambda _: coverage_book(result), xlsx=xlsx, pdf=pdf, unmask=False, token=None,
                   reason=None, anchors=(), operation="coverage", record=area):
            return  # no personal values in a coverage ledger: nothing to unmask
    print_coverage(out, result, current_lang(), as_json=as_json)


@app.command()
def gaps(
    area: Annotated[str, typer.Argument(help="区域编号 / area id")],
    indicator: Annotated[
        str, typer.Option("--indicator", "-i", help="指标编号，如 BUILDING_GROUP / indicator id")
    ],
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    xlsx: XlsxOpt = None,
    pdf: PdfOpt = None,
    unmask: UnmaskOpt = False,
    token: TokenOpt = None,
    reason: ReasonOpt = None,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """未覆盖项清单：原因、依据与建议人选 / The uncovered items of an indicator, explained, with candidates."""
    from api.names import PlaceNames
    from queries.coverage import gaps as find_gaps
    from queries.labels import indicator_title
    from queries.ledger.books import gaps_book

    settings = _settings(store, data_dir, lang)
    with _open(settings, read_only=True) as s:
        result = find_gaps(s, area, indicator, _day(as_of))
        names = PlaceNames(s)
        names.prefetch(
            [g.item_id for g in result.gaps]
            + [x for g in result.gaps for sug in g.suggestions for x in (sug.id, sug.via) if x]
        )
        if _export(
            settings, s, lambda reveal: gaps_book(result, reveal, names.name), xlsx=xlsx, pdf=pdf, unmask=unmask,
            token=token, reason=reason, anchors=(area,), operation=f"gaps {area} -i {indicator}", record=area,
            written=t("xlsx_written", out="{out}", n=len(result.gaps)),
        ):
            return
        if as_json:
            _print_json(result.as_dict())
            return
        lang = current_lang()
        rows = [
            (_gap_item(g, names), g.evidence_en if lang == "en" else g.evidence_zh, _suggestions(g, names, lang))
            for g in result.gaps
        ]
    out.print(f"{indicator_title(result.indicator, lang)}: {result.covered}/{result.total} {_rate(result.rate)}")
    table = _table(t("item"), t("reason"), t("suggestions"))
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _gap_item(g: Gap, names: PlaceNames) -> str:
    """A gap's item as an organizer names it: a place with its compound or community, then
    its id (what the next command takes)."""
    from graph.model import PLACE_LABELS

    shown = names.name(g.item_id) if g.item_kind in PLACE_LABELS else str(g.item_name or "")
    return f"{shown} ({g.item_id})" if shown and shown != g.item_id else g.item_id


def _suggestions(g: Gap, names: PlaceNames, lang: str) -> str:
    """The candidates, one a line, the reason reworded with the place named, not its id."""
    from queries.indicators.reasons import why

    lines = []
    for sug in g.suggestions:
        who = names.name(sug.id) if sug.kind in ("place", "community") else str(sug.name or "")
        zh_why, en_why = why(sug.reason, names.name(sug.via) if sug.via else None)
        lines.append(f"{who} ({sug.id}): {en_why if lang == 'en' else zh_why}")
    return "\n".join(lines)


@app.command()
def member(
    person: Annotated[str, typer.Argument(help="党员编号 / member id")],
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    xlsx: XlsxOpt = None,
    pdf: PdfOpt = None,
    unmask: UnmaskOpt = False,
    token: TokenOpt = None,
    reason: ReasonOpt = None,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """党员"1+1"管理卡片 / A member's "1+1" card: both managing branches and the status."""
    from api.cli_views import member_home, member_names, print_member
    from queries.ledger.books import member_book
    from queries.one_plus_one import member_card

    settings = _settings(store, data_dir, lang)
    with _open(settings, read_only=True) as s:
        card = member_card(s, person, _day(as_of))
        names = member_names(s, card)
        if _export(
            settings, s, lambda reveal: member_book(card, reveal, names.name), xlsx=xlsx, pdf=pdf, unmask=unmask,
            token=token, reason=reason, anchors=member_home(card)[-1:], operation=f"member {person}", record=person,
        ):
            return
        print_member(out, card, names, current_lang(), as_json=as_json)  # names are read on the way


@app.command()
def branch(
    org: Annotated[str, typer.Argument(help="党组织编号 / party org id")],
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    xlsx: XlsxOpt = None,
    pdf: PdfOpt = None,
    unmask: UnmaskOpt = False,
    token: TokenOpt = None,
    reason: ReasonOpt = None,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """党支部名册：本支部党员、居住地登记党员、住在覆盖范围内未登记者 / A branch's members, its
    residence-side members and the unregistered members living where it covers."""
    from api.names import PlaceNames
    from queries.labels import status_label
    from queries.ledger.books import BRANCH_SIDES, branch_book
    from queries.one_plus_one import branch_view

    settings = _settings(store, data_dir, lang)
    with _open(settings, read_only=True) as s:
        view = branch_view(s, org, _day(as_of))
        everyone = [*view.members, *view.residence_members, *view.unregistered_residents]
        names = PlaceNames(s)
        names.prefetch([*view.places, *(m.building or m.compound or "" for m in everyone)])
        if _export(
            settings, s, lambda reveal: branch_book(view, reveal, names.name), xlsx=xlsx, pdf=pdf, unmask=unmask,
            token=token, reason=reason, anchors=view.places, operation=f"branch {org}", record=org,
        ):
            return
        if as_json:
            _print_json(view.as_dict())
            return
        lang = current_lang()
        table = _table(t("side"), t("member_id"), t("name"), t("home"), t("status"),
                       title=t("branch_title", name=view.name or view.id, id=view.id, day=view.as_of))
        for m in everyone:
            side = BRANCH_SIDES.get(m.side, m.side) if lang == "zh" else m.side.replace("_", " ")
            table.add_row(side, m.id, str(m.name or ""), names.name(m.building or m.compound) or "—",
                          status_label(m.status, lang))
    out.print(table)


@app.command("one-plus-one")
def one_plus_one(
    area: Annotated[str, typer.Argument(help="区域编号 / area id")],
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    xlsx: XlsxOpt = None,
    pdf: PdfOpt = None,
    unmask: UnmaskOpt = False,
    token: TokenOpt = None,
    reason: ReasonOpt = None,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """党员"1+1"待完善清单：状态、说明与建议 / An area's members whose "1+1" is incomplete, explained."""
    from api.names import PlaceNames
    from queries.labels import status_label
    from queries.ledger.books import one_plus_one_book
    from queries.one_plus_one import area_one_plus_one

    settings = _settings(store, data_dir, lang)
    with _open(settings, read_only=True) as s:
        result = area_one_plus_one(s, area, _day(as_of))
        names = PlaceNames(s)
        names.prefetch([x for m in result.members for x in (m.building, m.compound, *m.membership, *m.residence) if x])
        if _export(
            settings, s, lambda reveal: one_plus_one_book(result, reveal, names.name), xlsx=xlsx, pdf=pdf,
            unmask=unmask, token=token, reason=reason, anchors=(area,), operation=f"one-plus-one {area}", record=area,
        ):
            return
        if as_json:
            _print_json(result.as_dict())
            return
        lang = current_lang()
        table = _table(t("member_id"), t("name"), t("home"), t("status"), t("reason"),
                       title=t("one_plus_one_title", name=result.area.name, id=result.area.id, day=result.as_of,
                               total=result.total, n=len(result.members)))
        for m in result.members:
            table.add_row(m.id, str(m.name or ""), names.name(m.building or m.compound) or "—",
                          status_label(m.status, lang), m.explanation_en if lang == "en" else m.explanation_zh)
    out.print(table)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="监听地址 / listen address (default: GONGZHI_HOST)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="端口 / port (default: GONGZHI_PORT or 8000)")] = None,
    dev: Annotated[
        bool,
        typer.Option("--dev", help="开发模式：GraphiQL 与自省 / development mode: GraphiQL and introspection"),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="工作进程数（仅 Neo4j 存储）/ worker processes (Neo4j store only): requests run in "
            "parallel across processes instead of sharing one interpreter",
        ),
    ] = 1,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """启动 Web 服务（GraphQL 接口与健康检查）/ Start the web server (the GraphQL API and health checks)."""
    import uvicorn

    from api.app import create_app

    settings = _settings(store, data_dir, lang)
    settings = settings.with_(host=host or settings.host, port=port or settings.port)
    if workers > 1 and settings.store != "neo4j":
        # each embedded worker would hold the whole graph in memory, and only one can write
        raise typer.BadParameter(t("serve_workers_embedded"), param_hint="--workers")
    with _open(settings, read_only=True) as s:
        _print_recovery(s.recover(), as_json=False, quiet=True)
    err.print(t("serve", host=settings.host, port=settings.port))
    err.print(t("serve_graphql", host=settings.host, port=settings.port))
    if dev:
        err.print(t("serve_dev"))
    if workers == 1:
        uvicorn.run(create_app(settings, dev=dev, own_process=True), host=settings.host, port=settings.port, log_level="info")
        return
    # worker processes build the app themselves (api.app.app_from_env), from the environment
    os.environ.update(settings.as_env())
    os.environ["GONGZHI_SERVE_DEV"] = "1" if dev else ""
    from api.nodelay import HTTP

    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        workers=workers,
        http=HTTP,  # TCP_NODELAY: the workers' shared socket misses it (api/nodelay.py)
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


# ---------------------------------------------------------------- API tokens

token_app = typer.Typer(
    help="API 令牌：签发、吊销、列出 / API tokens: issue, revoke, list.", no_args_is_help=True
)
app.add_typer(token_app, name="token")

AuthFile = Annotated[
    Path | None,
    typer.Option(
        "--auth-file",
        help="令牌文件 / token file (default: GONGZHI_AUTH_FILE or auth.json in the data directory)",
    ),
]


def _tokens(settings: Settings, auth_file: Path | None) -> TokenFile:
    from api.auth import auth_file as default_auth_file

    return TokenFile(auth_file or default_auth_file(settings))


@token_app.command("issue")
def token_issue(
    user: Annotated[str, typer.Option("--user", help="用户名 / user name")],
    area: Annotated[str, typer.Option("--area", help="辖区编号（市、区、街道、社区、网格或小区）/ area id")],
    role: Annotated[str, typer.Option("--role", help="viewer|organizer|officer|admin")] = "viewer",
    auth_file: AuthFile = None,
    store: StoreOpt = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """签发令牌，绑定用户、辖区和角色 / Issue a token bound to a user, an area and a role."""
    from queries.areas import resolve_area

    settings = _settings(store, data_dir, lang)
    _choice("--role", role, [r.value for r in Role])
    with _open(settings, read_only=True) as s:
        resolve_area(s, area)
    entry, token = _tokens(settings, auth_file).issue(user, area, Role(role))
    err.print(t("token_issued", id=entry.id, user=entry.user, area=entry.area, role=entry.role))
    out.print(token, soft_wrap=True)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="令牌编号 / token id (gongzhi token list)")],
    auth_file: AuthFile = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """吊销令牌（立即生效）/ Revoke a token (takes effect on the next request)."""
    settings = _settings(None, data_dir, lang)
    entry = _tokens(settings, auth_file).revoke(token_id)
    out.print(t("token_revoked", id=entry.id))


@token_app.command("list")
def token_list(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / print as JSON")] = False,
    auth_file: AuthFile = None,
    data_dir: DataDir = None,
    lang: Lang = None,
) -> None:
    """列出令牌（不含令牌本身）/ List the tokens (never the tokens themselves)."""
    settings = _settings(None, data_dir, lang)
    tokens = _tokens(settings, auth_file)
    entries = tokens.entries()
    if as_json:
        shown = [{k: v for k, v in vars(e).items() if k != "sha256"} for e in entries]
        out.print_json(json.dumps(shown, ensure_ascii=False))
        return
    if not entries:
        out.print(t("token_none", path=tokens.path))
        return
    table = Table(
        t("token_id"), t("token_user"), t("token_area"), t("token_role"), t("token_created"), t("token_revoked_at")
    )
    for e in entries:
        table.add_row(e.id, e.user, e.area, e.role, e.created, e.revoked or "")
    out.print(table)


def main() -> None:
    """Console entry point: expected failures become one line on stderr and exit 1."""
    # Neo4j's notes on a statement (a property key no row has yet, say) are for whoever writes
    # the Cypher, not for an organizer; the driver would print each, with the statement, on stderr
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    try:
        code = app(standalone_mode=False)  # click returns typer.Exit's code instead of raising it
        if isinstance(code, int) and code:
            sys.exit(code)
    except GongzhiError as exc:
        zh = t("error") == "错误"
        err.print(f"[bold red]{t('error')}[/]: {exc.message_zh + '：' + exc.message if zh else exc.message}")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: typer's own one-line message, exit 2
        exc.show()
        sys.exit(getattr(exc, "exit_code", 2))
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, the traceback only on request
        if os.environ.get("GONGZHI_DEBUG"):
            raise
        err.print(
            f"[bold red]内部错误 / internal error[/]: {type(exc).__name__} (GONGZHI_DEBUG=1 shows the traceback)"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
