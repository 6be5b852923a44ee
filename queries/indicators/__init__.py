"""The 14 coverage indicators of the notice, by their stable public ids (DOMAIN.md).

Grouped by subject: ``places`` (branches, groups, heads, liaisons, red stations), ``members``
(1+1, dual reporting), ``committees`` (owners', party share, environment and property) and
``firms`` (two coverages, property service, quality supervisors).
"""

from __future__ import annotations

from queries.indicators import committees, firms, members, places
from queries.indicators.spec import Explanation, Indicator

_ALL = {i.id: i for i in (*places.INDICATORS, *members.INDICATORS, *committees.INDICATORS, *firms.INDICATORS)}

#: The indicator ids in the order of DOMAIN.md's table; the public names in CLI, API and exports.
INDICATOR_IDS = (
    "COMPOUND_BRANCH",
    "BUILDING_GROUP",
    "MEMBER_ONE_PLUS_ONE",
    "DUAL_REPORTING_MEMBERS",
    "DUAL_REPORTING_ORGS",
    "FIRM_PARTY_COVERAGE",
    "COMPOUND_OWNERS_COMMITTEE",
    "BUILDING_HEAD",
    "COMMITTEE_PARTY_SHARE",
    "COMPOUND_PROPERTY_SERVICE",
    "COMPOUND_QUALITY_SUPERVISOR",
    "COMPOUND_LIAISON",
    "COMMUNITY_ENV_PROPERTY_COMMITTEE",
    "COMMUNITY_RED_STATION",
)

#: Every indicator by id, in the order of ``INDICATOR_IDS``.
INDICATORS: dict[str, Indicator] = {i: _ALL[i] for i in INDICATOR_IDS}

if set(_ALL) != set(INDICATOR_IDS):  # pragma: no cover - a declaration error
    raise RuntimeError(f"indicator ids out of step: {sorted(set(_ALL) ^ set(INDICATOR_IDS))}")

__all__ = ["INDICATORS", "INDICATOR_IDS", "Explanation", "Indicator"]
