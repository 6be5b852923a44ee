"""User-facing text of the CLI and pages, in Chinese with English available.

The language comes from ``--lang`` or ``GONGZHI_LANG`` (``zh`` by default). Keep every
sentence an organizer reads here, keyed by a short id, so the two languages stay side by side.
"""

from __future__ import annotations

import os
import re
from typing import Literal

Lang = Literal["zh", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    "app": (
        "共治：党建引领社区治理组织图谱",
        "Gongzhi: the organization graph of party-led community governance",
    ),
    "error": ("错误", "error"),
    "generated": (
        "已生成 {scale} 规模数据集（种子 {seed}）到 {out}：{rows} 行",
        "generated a {scale} dataset (seed {seed}) in {out}: {rows|row}",
    ),
    "template": ("已写出导入模板：{out}", "wrote the input templates to {out}"),
    "schema": (
        "已应用 {n} 个约束和索引（重复执行无副作用）",
        "applied {n|constraint or index|constraints and indexes} (idempotent)",
    ),
    "bulk_done": (
        "已批量导入 {nodes} 个节点、{rels} 条关系到 {dir}（校验与规划 {plan} 秒，导入工具 {tool} 秒）。"
        "下一步：启动 Neo4j（scripts/neo4j.sh start 或 docker compose start neo4j），再执行 gongzhi schema 建立约束和索引",
        "bulk-imported {nodes} nodes and {rels} relationships into {dir} (validation and plan {plan} s, import tool {tool} s). "
        "Next: start Neo4j (scripts/neo4j.sh start, or docker compose start neo4j), then run gongzhi schema to create "
        "the constraints and indexes",
    ),
    "bulk_options": (
        "--bulk 只做空数据库的首次导入，不能与 --prune、--prefer、--check 或 --recover 同用",
        "--bulk is a first load into an empty database: it does not go with --prune, --prefer, --check or --recover",
    ),
    "schema_embedded": ("内置存储无需建立索引", "the embedded store needs no schema"),
    "loaded": ("导入完成", "load finished"),
    "warning": ("注意", "warning"),
    "load_needs_path": ("请给出输入目录或文件（或使用 --recover）", "give an input directory or file (or --recover)"),
    "load_in_progress": (
        "一次导入正在分批写入（{id}，开始于 {started}，已写 {done}/{total} 批），"
        "所见数据可能只包含其中一部分",
        "a load is being written in chunks ({id}, started {started}, {done}/{total} chunks written): "
        "what is shown may hold part of it",
    ),
    "recover_none": ("没有需要恢复的导入", "no load to recover"),
    "recover_rolled_back": (
        "已回滚未完成的导入 {id}（进程 {pid}，主机 {host}，开始于 {started}）：撤销 {n} 批，数据恢复到导入之前",
        "rolled back the unfinished load {id} (process {pid} on {host}, started {started}): "
        "{n} chunk(s) undone, the store is as before it",
    ),
    "recover_finished": (
        "导入 {id} 已提交，已清理其剩余的回滚记录",
        "the load {id} had committed; its leftover undo records were deleted",
    ),
    "recover_running": (
        "导入 {id} 仍在进行（进程 {pid}，主机 {host}，已写 {done}/{total} 批，{age} 秒前仍有心跳），未做处理",
        "the load {id} is still running (process {pid} on {host}, {done}/{total} chunks written, "
        "heartbeat {age} s ago); left alone",
    ),
    "invalid": ("输入数据有 {n} 处错误，未写入任何数据", "{n|problem} in the input; nothing was written"),
    "invalid_more": (
        "……另有 {n} 处错误未显示（使用 --json 查看全部）",
        "... and {n} more (use --json to see all)",
    ),
    "prune_confirm": ("确认删除以上 {n} 项？", "delete the {n|item} listed above?"),
    "prune_unconfirmed": (
        "将删除 {n} 项，未经确认，未写入任何数据（确认无误后加 --yes 重新执行）",
        "the load would delete {n|item}; nothing was written (run again with --yes to delete them)",
    ),
    "stats_label": ("节点标签", "label"),
    "stats_type": ("关系类型", "relationship type"),
    "stats_count": ("数量", "count"),
    "stats_title": ("{store} 存储统计", "{store} store counts"),
    "serve_workers_embedded": (
        "多个工作进程仅支持 Neo4j 存储（嵌入式存储请用一个进程）",
        "several worker processes need the Neo4j store (serve the embedded store with one)",
    ),
    "serve": ("服务已启动：http://{host}:{port}/", "serving at http://{host}:{port}/"),
    "serve_graphql": (
        "GraphQL 接口：http://{host}:{port}/graphql（请求须带 Authorization: Bearer 令牌）",
        "GraphQL at http://{host}:{port}/graphql (requests need Authorization: Bearer <token>)",
    ),
    "serve_dev": (
        "开发模式：GraphiQL 与自省已开启，请勿用于生产",
        "development mode: GraphiQL and introspection are on; do not use in production",
    ),
    "token_issued": (
        "已签发令牌 {id}（用户 {user}，辖区 {area}，角色 {role}）。令牌只显示这一次，请妥善保存：",
        "issued token {id} (user {user}, area {area}, role {role}). It is shown only this once; keep it safe:",
    ),
    "token_revoked": ("已吊销令牌 {id}", "revoked token {id}"),
    "token_id": ("令牌编号", "token id"),
    "token_user": ("用户", "user"),
    "token_area": ("辖区", "area"),
    "token_role": ("角色", "role"),
    "token_created": ("签发时间", "issued"),
    "token_revoked_at": ("吊销时间", "revoked"),
    "token_none": ("尚未签发任何令牌：{path}", "no tokens issued yet: {path}"),
    "file": ("文件", "file"),
    "row": ("行", "row"),
    "column": ("列", "column"),
    "value": ("值", "value"),
    "reason": ("原因", "reason"),
    "progress_read": ("读取文件", "reading files"),
    "progress_validate": ("校验", "validating"),
    "progress_diff": ("比对现有数据", "comparing with the store"),
    "progress_write": ("写入", "writing"),
    "indicator": ("指标", "indicator"),
    "total": ("总数", "total"),
    "covered": ("已覆盖", "covered"),
    "rate": ("覆盖率", "rate"),
    "as_of": ("截至", "as of"),
    "child_area": ("下级区域", "child area"),
    "mean_rate": ("平均覆盖率", "mean rate"),
    "children_title": ("下级区域（落后者在前）", "child areas (furthest behind first)"),
    "furthest_behind": ("最落后的指标", "furthest behind"),
    "item": ("未覆盖项", "uncovered item"),
    "suggestions": ("建议人选", "suggested candidates"),
    "xlsx_written": ("已写出报表 {out}（{n} 项未覆盖）", "wrote {out} ({n|uncovered item})"),
    "ledger_written": ("已写出台账 {out}（{n} 行）", "wrote the ledger {out} ({n|row})"),
    "unmask_needs_file": (
        "--unmask 只用于导出文件：请同时给出 --xlsx 或 --pdf",
        "--unmask is for the exported files: give --xlsx or --pdf with it",
    ),
    "unmask_audited": (
        "已按 {role} 角色导出未脱敏的{fields}（{n} 行），已记入审计日志",
        "exported {fields} in full for the {role} role ({n|row}); noted in the audit log",
    ),
    "phones_masked": (
        "电话仍为脱敏：完整电话仅限专员、管理员，并须以 --reason 说明理由",
        "phones stay masked: full phones need the officer or admin role and a --reason",
    ),
    "branch_title": ("{name}（{id}）截至 {day}", "{name} ({id}) as of {day}"),
    "side": ("类别", "side"),
    "member_id": ("党员编号", "member id"),
    "name": ("姓名", "name"),
    "one_plus_one_title": (
        "{name}（{id}）截至 {day}：党员 {total} 名，1+1 待完善 {n} 名",
        "{name} ({id}) as of {day}: {total|member}, {n|incomplete 1+1|incomplete 1+1s}",
    ),
    "home": ("居住地", "home"),
    "membership_side": ("组织关系所在党支部", "membership branch"),
    "residence_side": ("居住地党支部", "residence-side branch"),
    "status": ("状态", "status"),
    "reported_to": ("双报到社区", "reported to (dual reporting)"),
    "notice": ("提示", "note"),
    "errors_out": (
        "已写出错误工作簿 {out}（{n} 处问题，错误单元格已标出并批注原因），可发回给台账填报人修改",
        "wrote the error workbook {out} ({n|issue}, each bad cell highlighted with its reason): send it back to whoever keeps the sheet",
    ),
    "bad_date": ("{option} 的值 {value!r} {reason}", "{option}: {value!r} is {reason}"),
    "bad_choice": ("{option} 的值应为 {allowed} 之一，而不是 {value!r}", "{option} must be one of {allowed}, not {value!r}"),
}


def current_lang() -> Lang:
    return "en" if os.environ.get("GONGZHI_LANG", "zh").lower().startswith("en") else "zh"


#: ``{n|item}`` or ``{n|index|indexes}`` in an English message: the count with its noun in the
#: right number ("1 item", "2 items"), so that no message says "1 items" or "item(s)".
_COUNTED = re.compile(r"\{(\w+)\|([^|{}]+)(?:\|([^|{}]+))?\}")


def _counted(text: str, values: dict[str, object]) -> str:
    def one(m: re.Match[str]) -> str:
        raw = values[m.group(1)]
        n = raw if isinstance(raw, int) else int(str(raw).replace(",", ""))
        from queries.indicators.spec import count_en  # the indicators only when a message counts

        return count_en(n, m.group(2), m.group(3))

    return _COUNTED.sub(one, text)


def t(key: str, lang: Lang | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``values``."""
    zh, en = MESSAGES[key]
    text = _counted(en, values) if (lang or current_lang()) == "en" else zh
    return text.format(**values)
