"""GraphQL enums made from the model's declared choices (graph/model.py), so the codes stay one."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph.declare import Choice
from graph.model import (
    EMPLOYER_KIND,
    GENDER,
    ORG_KIND,
    ORG_LEVEL,
    POLITICAL_STATUS,
    ROLE,
    SEAT_ROLE,
    SERVICE_MODE,
)
from queries.indicators import INDICATOR_IDS


def _enum(name: str, choices: tuple[Choice, ...], doc: str) -> type[Enum]:
    members = {c.code.upper(): strawberry.enum_value(c.code, description=f"{c.zh} / {c.en}") for c in choices}
    return strawberry.enum(Enum(name, members), description=doc)  # type: ignore[misc]


OrgLevel = _enum("OrgLevel", ORG_LEVEL, "party org level (层级)")
OrgKind = _enum("OrgKind", ORG_KIND, "party org kind (类型)")
RoleKind = _enum("RoleKind", ROLE, "appointment role (岗位)")
SeatRole = _enum("SeatRole", SEAT_ROLE, "committee seat role (职务)")
ServiceMode = _enum("ServiceMode", SERVICE_MODE, "property service mode (管理方式)")
PoliticalStatus = _enum("PoliticalStatus", POLITICAL_STATUS, "political status (政治面貌)")
Gender = _enum("Gender", GENDER, "gender (性别)")
EmployerKind = _enum("EmployerKind", EMPLOYER_KIND, "employer kind (单位类型)")

Indicator = strawberry.enum(
    Enum("Indicator", {i: i for i in INDICATOR_IDS}),  # type: ignore[misc]
    description="coverage indicator (覆盖指标), the stable ids of DOMAIN.md",
)


def code(value: Enum | None) -> str | None:
    return None if value is None else str(value.value)


def member(enum: type[Enum], value: object) -> Enum | None:
    """The enum member of a stored code (None when absent or unknown)."""
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return None
