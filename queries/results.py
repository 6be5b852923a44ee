"""The typed answers of the domain queries: frozen dataclasses with ``as_dict()`` for JSON.

Personal values (a person's name or phone) are held as ``Personal``: shown masked
(``graph/privacy.py``) by ``str``, ``repr``, ``as_dict()`` and the XLSX export, unless the
caller asks for them unmasked (``as_dict(unmask=True)``, ``write_gaps_xlsx(..., unmask=True)``)
at the boundary where a user's role allows it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.model import PERSON
from graph.privacy import mask

AREA_KIND_ZH = {
    "Province": "省",
    "City": "市",
    "District": "县(市、区)",
    "Subdistrict": "街道",
    "Community": "社区",
    "Grid": "网格",
    "Compound": "小区",
    "Building": "楼栋",
    "Entrance": "单元",
}


@dataclass(frozen=True)
class Personal:
    """A personal value (``column`` of ``persons``: ``name`` or ``phone``), masked unless asked."""

    raw: str = field(repr=False)
    column: str = "name"

    @property
    def masked(self) -> str:
        return str(mask(PERSON.column(self.column), self.raw))

    def show(self, unmask: bool = False) -> str:
        return self.raw if unmask else self.masked

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Personal({self.masked!r})"


def personal(value: Any, column: str = "name") -> Personal | None:
    return None if value is None else Personal(str(value), column)


def plain(value: Any, unmask: bool = False) -> Any:
    """``value`` as JSON-ready data: dates as ISO strings, personal values masked unless asked."""
    if isinstance(value, Personal):
        return value.show(unmask)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), unmask) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v, unmask) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [plain(v, unmask) for v in items]
    return value


class _AsDict:
    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        """JSON-ready; personal values masked unless ``unmask``."""
        out: dict[str, Any] = plain(self, unmask)
        return out


@dataclass(frozen=True)
class AreaRef(_AsDict):
    id: str
    name: str
    kind: str  # a place label: Province, City, District, Subdistrict, Community, Grid, Compound

    @property
    def kind_zh(self) -> str:
        return AREA_KIND_ZH.get(self.kind, self.kind)


@dataclass(frozen=True)
class Area(_AsDict):
    """An area and its path from the top of the tree (the area itself last)."""

    id: str
    name: str
    kind: str
    path: tuple[AreaRef, ...]

    @property
    def ref(self) -> AreaRef:
        return AreaRef(self.id, self.name, self.kind)

    @property
    def path_zh(self) -> str:
        return " / ".join(p.name for p in self.path)


@dataclass(frozen=True)
class Suggestion(_AsDict):
    """Someone or something that could close a gap, and why they fit."""

    id: str
    name: str | Personal | None
    kind: str  # person, org, place, committee, firm, community
    reason: str  # a stable code, e.g. resident_full_member
    why_zh: str
    why_en: str
    rank: int  # 1 = best fit
    via: str | None = None  # the id of what links the candidate to the gap (their building, ...)
    phone: Personal | None = None


@dataclass(frozen=True)
class Gap(_AsDict):
    """One uncovered item: why it counts as a gap (rule and evidence) and who could close it."""

    indicator: str
    item_id: str
    item_name: str | Personal | None
    item_kind: str  # a label: Compound, Building, Person, PartyOrg, PropertyFirm, Committee, Community
    status: str  # why exactly: a stable code, e.g. residence_mismatch, not_reported, uncovered
    rule_zh: str
    rule_en: str
    evidence_zh: str
    evidence_en: str
    facts: Mapping[str, Any]  # the evidence as data: counts, ids, dates
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class IndicatorResult(_AsDict):
    """One indicator for one area on one day: total, covered, rate and (when asked) the gaps."""

    indicator: str
    title_zh: str
    title_en: str
    unit_zh: str
    unit_en: str
    area: AreaRef
    as_of: date
    total: int
    covered: int
    gaps: tuple[Gap, ...] = ()
    gaps_included: bool = False

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def rate(self) -> float | None:
        """covered / total, or None when the area has no such items."""
        return None if self.total == 0 else self.covered / self.total

    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        out = super().as_dict(unmask)
        out["rate"] = self.rate
        out["uncovered"] = self.uncovered
        return out


@dataclass(frozen=True)
class AreaCoverage(_AsDict):
    """Every indicator (or the ones asked for) for one area on one day."""

    area: Area
    as_of: date
    indicators: tuple[IndicatorResult, ...]

    def indicator(self, indicator_id: str) -> IndicatorResult:
        for r in self.indicators:
            if r.indicator == indicator_id:
                return r
        raise KeyError(indicator_id)

    @property
    def mean_rate(self) -> float | None:
        """The unweighted mean of the rates of the indicators that have items here."""
        rates = [r.rate for r in self.indicators if r.rate is not None]
        return None if not rates else sum(rates) / len(rates)

    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        out = super().as_dict(unmask)
        out["indicators"] = [r.as_dict(unmask) for r in self.indicators]
        out["mean_rate"] = self.mean_rate
        return out


@dataclass(frozen=True)
class Rollup(_AsDict):
    """An area's indicators and each child area's, the children sorted as asked."""

    area: AreaCoverage
    children: tuple[AreaCoverage, ...]
    sort: str
    sort_indicator: str | None = None

    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        return {
            "area": self.area.as_dict(unmask),
            "children": [c.as_dict(unmask) for c in self.children],
            "sort": self.sort,
            "sort_indicator": self.sort_indicator,
        }


@dataclass(frozen=True)
class TrendPoint(_AsDict):
    as_of: date
    total: int
    covered: int

    @property
    def rate(self) -> float | None:
        return None if self.total == 0 else self.covered / self.total

    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        out = super().as_dict(unmask)
        out["rate"] = self.rate
        return out


@dataclass(frozen=True)
class TrendSeries(_AsDict):
    indicator: str
    title_zh: str
    title_en: str
    points: tuple[TrendPoint, ...]

    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "points": [p.as_dict(unmask) for p in self.points],
        }


@dataclass(frozen=True)
class Trend(_AsDict):
    area: Area
    start: date
    end: date
    step: str
    dates: tuple[date, ...]
    series: tuple[TrendSeries, ...]

    def indicator(self, indicator_id: str) -> TrendSeries:
        for s in self.series:
            if s.indicator == indicator_id:
                return s
        raise KeyError(indicator_id)

    def as_dict(self, unmask: bool = False) -> dict[str, Any]:
        out = super().as_dict(unmask)
        out["series"] = [s.as_dict(unmask) for s in self.series]
        return out


# ---------------------------------------------------------------- 1+1 and dual reporting


@dataclass(frozen=True)
class OrgSide(_AsDict):
    """One side of a member's 1+1: a party org and the places it currently covers."""

    id: str
    name: str | None
    level: str | None
    places: tuple[str, ...]
    covers_home: bool


@dataclass(frozen=True)
class MemberCard(_AsDict):
    """A member's 1+1 card: where they live, both managing sides, the status, dual reporting."""

    id: str
    name: str | Personal | None
    political_status: str | None  # on ``as_of``: member (full) or probationary (see queries.common.full_on)
    in_service: bool
    as_of: date
    building: str | None
    entrance: str | None
    compound: str | None
    grid: str | None
    community: str | None
    membership: tuple[OrgSide, ...]
    residence: tuple[OrgSide, ...]
    status: str  # one of queries.common.MEMBER_STATUSES
    explanation_zh: str
    explanation_en: str
    reported_to: tuple[str, ...]  # communities the member currently reports to (双报到)


@dataclass(frozen=True)
class BranchMember(_AsDict):
    id: str
    name: str | Personal | None
    political_status: str | None  # on the view's day: member (full) or probationary
    side: str  # membership, residence, unregistered
    building: str | None
    compound: str | None
    status: str
    covers_home: bool  # whether this branch covers where the member lives


@dataclass(frozen=True)
class BranchView(_AsDict):
    """A branch's own members, the members registered with it on the residence side, and the
    members living where it covers who are registered nowhere on the residence side."""

    id: str
    name: str | None
    level: str | None
    kind: str | None
    as_of: date
    places: tuple[str, ...]  # what it currently covers
    members: tuple[BranchMember, ...]  # side == membership
    residence_members: tuple[BranchMember, ...]  # side == residence
    unregistered_residents: tuple[BranchMember, ...]  # side == unregistered


@dataclass(frozen=True)
class MemberStatus(_AsDict):
    id: str
    name: str | Personal | None
    status: str
    building: str | None
    compound: str | None
    membership: tuple[str, ...]
    residence: tuple[str, ...]
    explanation_zh: str
    explanation_en: str
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class AreaOnePlusOne(_AsDict):
    area: Area
    as_of: date
    total: int
    by_status: Mapping[str, int]
    members: tuple[MemberStatus, ...]  # the inconsistent ones, by id


@dataclass(frozen=True)
class ReportStatus(_AsDict):
    """One in-service member or employer org that has not reported where it should."""

    id: str
    name: str | Personal | None
    kind: str  # person or org
    status: str  # not_reported or reported_elsewhere
    should_report_to: tuple[str, ...]  # the community where they live / the employer is located
    reported_to: tuple[str, ...]
    explanation_zh: str
    explanation_en: str


@dataclass(frozen=True)
class DualReporting(_AsDict):
    area: Area
    as_of: date
    members_total: int
    members_reported: int
    orgs_total: int
    orgs_reported: int
    members: tuple[ReportStatus, ...]
    orgs: tuple[ReportStatus, ...]
