"""How incomplete the generated coverage is, and the shuffled decks that apply those rates.

A ``Deck`` deals categories in shuffled blocks whose make-up follows the rates, so every
category with a non-zero rate occurs at least once in every block (a subdistrict has enough
compounds, buildings and members for each gap to appear, whatever the seed), while the order
within a block stays random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class GapRates:
    """Shares of items generated uncovered (or in each alternative state), per indicator.

    Rates of one item kind that exclude each other (for example a compound's property service)
    should add up to at most 1; the remainder is the covered, ordinary case.
    """

    # COMPOUND_BRANCH / BUILDING_GROUP
    compound_no_branch: float = 0.15
    building_no_group: float = 0.18
    building_partial_entrance_groups: float = 0.04
    # MEMBER_ONE_PLUS_ONE
    member_no_residence: float = 0.12
    member_moved: float = 0.06
    member_two_registrations: float = 0.03
    member_no_membership: float = 0.006
    # DUAL_REPORTING_MEMBERS / DUAL_REPORTING_ORGS
    member_not_reported: float = 0.18
    member_reported_elsewhere: float = 0.05
    member_report_ended: float = 0.04
    employer_no_org: float = 0.1
    employer_not_reported: float = 0.15
    employer_reported_elsewhere: float = 0.1
    # FIRM_PARTY_COVERAGE (the rest have their own party org)
    firm_joint_org: float = 0.15
    firm_instructor_only: float = 0.2
    firm_mass_org_only: float = 0.15
    firm_nothing: float = 0.2
    firm_instructor_ended: float = 0.1
    # COMPOUND_OWNERS_COMMITTEE / COMMITTEE_PARTY_SHARE
    compound_not_eligible: float = 0.3
    compound_no_owners_committee: float = 0.2
    compound_no_self_committee: float = 0.25
    committee_term_ended: float = 0.12
    committee_low_party_share: float = 0.35
    committee_chair_not_member: float = 0.3
    # BUILDING_HEAD
    building_no_head: float = 0.12
    building_head_ended: float = 0.04
    building_entrance_heads_only: float = 0.1
    # COMPOUND_PROPERTY_SERVICE
    compound_no_property_service: float = 0.1
    compound_contract_ended: float = 0.08
    compound_self_managed: float = 0.12
    compound_guaranteed: float = 0.12
    # COMPOUND_QUALITY_SUPERVISOR / COMPOUND_LIAISON
    compound_no_supervisor: float = 0.2
    compound_supervisor_ended: float = 0.06
    compound_no_liaison: float = 0.15
    compound_liaison_ended: float = 0.05
    # COMMUNITY_ENV_PROPERTY_COMMITTEE / COMMUNITY_RED_STATION
    community_no_env_committee: float = 0.15
    community_no_service_centre: float = 0.1
    community_no_red_station: float = 0.15

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"GapRates.{name} must be between 0 and 1, not {value}")


class Deck:
    """Deal category names in shuffled blocks of ``size`` whose counts follow the weights.

    Each category with a positive weight gets at least one card per block (blocks grow so
    that rare categories keep their rate); the first category (the ordinary case) takes
    whatever the others leave.
    """

    def __init__(self, rng: random.Random, weights: dict[str, float], size: int = 20) -> None:
        names = list(weights)
        smallest = min((w for w in weights.values() if w > 0), default=1.0)
        if smallest * size < 0.5:  # too rare for one card per block: grow the block
            size = min(1000, round(1 / smallest))
        counts = {n: (max(1, round(weights[n] * size)) if weights[n] > 0 else 0) for n in names[1:]}
        rest = size - sum(counts.values())
        if rest < 0:
            raise ValueError(f"rates {weights} leave nothing for {names[0]!r}")
        self._block = [names[0]] * rest + [n for n in names[1:] for _ in range(counts[n])]
        self._rng = rng
        self._pile: list[str] = []

    def draw(self) -> str:
        if not self._pile:
            self._pile = self._block[:]
            self._rng.shuffle(self._pile)
        return self._pile.pop()


def flag_deck(rng: random.Random, rate: float, size: int = 20) -> Deck:
    """A deck of 'no'/'yes' where 'yes' comes at ``rate``."""
    return Deck(rng, {"no": 1 - rate, "yes": rate}, size)
