"""The names a user reads for the codes the queries return: statuses, evidence keys, values.

Codes (``residence_mismatch``, ``full_members``, ``BUILDING_GROUP``) are the stable public
vocabulary of ``--json`` and the API's enums; every screen, CLI line and export shows their
label instead, in Chinese or English. The labels live where the codes are declared:
indicator titles on the indicators (``queries/indicators``), suggestion reasons in
``queries/indicators/reasons.py``, enum values on the model's ``Choice`` declarations
(``graph/model.py``), node kinds on the model's ``NodeKind``; the gap statuses and evidence
keys, which have no declaration of their own elsewhere, are named here. ``codes()`` collects
them all, so that a test can hold every Chinese output free of raw codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from graph.declare import Choice, NodeKind
from graph.model import NODE_KINDS, ORG_LEVEL, POLITICAL_STATUS, TABLES
from queries.indicators import INDICATORS
from queries.indicators.reasons import REASONS
from queries.indicators.spec import count_en as count_en

#: Why a gap is a gap (``Gap.status``, ``MemberCard.status``, ``ReportStatus.status``).
STATUSES: dict[str, tuple[str, str]] = {
    "uncovered": ("未覆盖", "not covered"),
    "complete": ("完整", "complete"),
    "missing_membership": ("无组织关系", "no membership branch"),
    "multiple_membership": ("组织关系重复", "several membership branches"),
    "missing_residence": ("未编入居住地党组织", "not registered where they live"),
    "multiple_residence": ("居住地党组织重复登记", "registered with several residence-side orgs"),
    "residence_mismatch": ("居住地党组织不覆盖住处", "residence-side org does not cover their home"),
    "not_reported": ("未报到", "not reported"),
    "reported_elsewhere": ("报到社区不符", "reported to another community"),
    "needs_owners_committee": ("应成立业委会", "owners' committee needed"),
    "needs_self_management_committee": ("应成立自管委", "self-management committee needed"),
    "no_residents_committee": ("无居委会", "no residents' committee"),
    "no_env_property_committee": ("未设环境和物业管理委员会", "no environment and property committee"),
    "no_seats": ("无在任成员记录", "no current seats recorded"),
    "below_half": ("党员占比不足一半", "party share below half"),
    "no_service_centre": ("无党群服务中心", "no service centre"),
    "no_red_station": ("无红色驿站", "no red station"),
    "no_centre_no_station": ("无服务中心和红色驿站", "neither a service centre nor a red station"),
}

#: The evidence of a gap (``Gap.facts``): each key a gap query may return.
FACTS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "name": ("名称", "name"),
    "status": ("状态", "status"),
    "since": ("起始日期", "since"),
    "level": ("层级", "level"),
    "places": ("覆盖地点", "places covered"),
    "covers_home": ("覆盖住处", "covers their home"),
    "community": ("社区", "community"),
    "community_name": ("社区名称", "community name"),
    "community_names": ("社区名称", "community names"),
    "communities": ("所在社区", "communities"),
    "grid": ("网格", "grid"),
    "compound": ("小区", "compound"),
    "compounds": ("服务小区", "compounds served"),
    "building": ("楼栋", "building"),
    "entrance": ("单元", "entrance"),
    "entrances": ("单元数", "entrances"),
    "entrances_covered": ("有党小组的单元数", "entrances with a party group"),
    "entrances_with_head": ("有单元长的单元数", "entrances with an entrance head"),
    "members": ("党员数", "party members"),
    "full_members": ("正式党员数", "full members"),
    "political_status": ("政治面貌", "political status"),
    "membership": ("组织关系所在党组织", "membership orgs"),
    "membership_orgs": ("组织关系所在党组织(详情)", "membership orgs (detail)"),
    "residence": ("居住地党组织", "residence-side orgs"),
    "residence_orgs": ("居住地党组织(详情)", "residence-side orgs (detail)"),
    "residence_places": ("居住地党组织覆盖地点", "places the residence-side orgs cover"),
    "reported_to": ("已报到社区", "reported to"),
    "employers": ("所在单位", "employers"),
    "ended": ("已结束的覆盖", "ended coverage"),
    "ended_orgs": ("已结束覆盖的党组织", "orgs whose coverage ended"),
    "other_orgs": ("其他党组织", "other orgs"),
    "eligible": ("具备成立业委会条件", "eligible for an owners' committee"),
    "has_self_management_committee": ("已有自管委", "has a self-management committee"),
    "owners_committee_ended": ("业委会任期结束日期", "owners' committee ended"),
    "owner_members": ("业主中的党员数", "owners who are party members"),
    "committee_kind": ("委员会类别", "committee kind"),
    "seats": ("在任成员数", "current seats"),
    "member_seats": ("党员成员数", "seats held by party members"),
    "members_needed": ("尚需党员成员数", "member seats still needed"),
    "chair": ("主任", "chair"),
    "chair_is_member": ("主任是党员", "chair is a party member"),
    "dual_reported_seats": ("“双报到”党员成员数", "seats held by dual-reported members"),
    "households": ("户数", "households"),
    "service_ended": ("物业服务结束日期", "property service ended"),
    "service_starts": ("物业服务开始日期", "property service starts"),
    "former_supervisors": ("原质量监督员", "former quality supervisors"),
    "residents_committees": ("居委会", "residents' committees"),
    "residents_committee_names": ("居委会名称", "residents' committee names"),
    "centres": ("党群服务中心数", "service centres"),
    "stations": ("红色驿站数", "red stations"),
}

#: Evidence keys whose values are enum codes of the model, named by its ``Choice`` labels.
_CHOICES: dict[str, tuple[Choice, ...]] = {"political_status": POLITICAL_STATUS, "level": ORG_LEVEL}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def status_label(code: str, lang: str = "zh") -> str:
    """The name of a status code (the code itself only if it is not declared)."""
    return _pick(STATUSES[code], lang) if code in STATUSES else code


def fact_label(key: str, lang: str = "zh") -> str:
    return _pick(FACTS[key], lang) if key in FACTS else key


def indicator_title(indicator_id: str, lang: str = "zh") -> str:
    ind = INDICATORS[indicator_id]
    return ind.title_en if lang == "en" else ind.title_zh


def kind_label(label: str, lang: str = "zh") -> str:
    """A node label by name: the model's Chinese name, or the label's words in English."""
    for k in NODE_KINDS:
        if k.label == label:
            return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z]*", label)) if lang == "en" else k.zh
    return label


def _value(key: str, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if isinstance(value, date):
        return value.isoformat()
    if key == "status" and isinstance(value, str):
        return status_label(value, lang)
    if key == "committee_kind" and isinstance(value, str):
        return kind_label(value, lang)
    if key in _CHOICES and isinstance(value, str):
        for c in _CHOICES[key]:
            if c.code == value:
                return c.en if lang == "en" else c.zh
    return str(value)


def fact_text(key: str, value: Any, lang: str = "zh") -> str:
    """The value of the evidence ``key`` as a user reads it: lists joined, yes/no, enum codes
    by their labels, an org given as ``name (层级：党支部；起始日期：...)``."""
    if isinstance(value, list | tuple | set | frozenset):
        if not value:
            return "none" if lang == "en" else "无"
        return ("; " if lang == "en" else "；").join(fact_text(key, v, lang) for v in value)
    if isinstance(value, Mapping):
        name = value.get("name") or value.get("id") or ""
        rest = [
            f"{fact_label(k, lang)}{': ' if lang == 'en' else '：'}{fact_text(k, v, lang)}"
            for k, v in value.items()
            if k not in ("name", "id") or (k == "id" and value.get("name"))
        ]
        inner = (", " if lang == "en" else "，").join(rest)
        return f"{name} ({inner})" if lang == "en" else f"{name}（{inner}）"
    return _value(key, value, lang)


def facts_text(facts: Mapping[str, Any], lang: str = "zh") -> list[tuple[str, str]]:
    """Every evidence entry as (label, text), in the order the query gave them."""
    return [(fact_label(k, lang), fact_text(k, v, lang)) for k, v in facts.items()]


def codes() -> frozenset[str]:
    """Every code a Chinese screen must name by its label: indicator ids, statuses, evidence
    keys, suggestion reasons and the model's enum codes; of three letters or more (``M``/``F``
    or ``id`` would match inside ids and words)."""
    found = set(INDICATORS) | set(STATUSES) | set(FACTS) | set(REASONS)
    for t in TABLES:
        for column in t.columns if isinstance(t, NodeKind) else t.all_columns:
            found.update(c.code for c in column.choices)
    return frozenset(c for c in found if len(c) > 2)
