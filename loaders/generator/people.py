"""Who lives in a community's buildings: party members (with their work), and its cadres."""

from __future__ import annotations

import bisect
from itertools import accumulate

from loaders.generator.context import Ctx, Employer
from loaders.generator.places import (
    OUTSIDE_SHARE,
    Building,
    Grid,
    Person,
    make_masses,
    make_member,
    stable_share,
)
from loaders.generator.world import CommunityPlan

PROBATIONARY_SHARE = 0.03
IN_SERVICE_SHARE = 0.49
FIRM_STAFF_SHARE = 0.025


class EmployerPicker:
    """Employers of the city weighted by size: mostly in the member's district, sometimes
    anywhere in the city (one picker per city: made after its ``build_world``)."""

    def __init__(self, ctx: Ctx) -> None:
        self._all = ctx.city.employers
        self._all_cum = list(accumulate(e.weight for e in self._all))
        self._by_district = {
            d: (es, list(accumulate(e.weight for e in es)))
            for d, es in sorted(ctx.city.employers_by_district.items())
        }

    def pick(self, ctx: Ctx, district: int) -> Employer:
        rng = ctx.rng
        es, cum = self._all, self._all_cum
        if district in self._by_district and rng.random() < 0.7:
            es, cum = self._by_district[district]
        return es[bisect.bisect_right(cum, rng.random() * cum[-1])]


def populate(ctx: Ctx, plan: CommunityPlan, grids: list[Grid], picker: EmployerPicker) -> list[Person]:
    """Members in every building, then the community's cadres; returns the cadres."""
    rng = ctx.rng
    buildings: list[Building] = [b for g in grids for c in g.compounds for b in c.buildings]
    for b in buildings:
        for _ in range(round(b.residents * rng.uniform(0.055, 0.08))):
            probationary = rng.random() < PROBATIONARY_SHARE
            in_service = rng.random() < (0.8 if probationary else IN_SERVICE_SHARE)
            p = make_member(ctx, b, in_service, probationary)
            if in_service:
                _work(ctx, plan, p, picker)
    cadres: list[Person] = []
    for i in range(rng.randint(5, 7)):
        b = rng.choice(buildings)
        p = make_member(ctx, b, True, False) if i == 0 or rng.random() < 0.85 else make_masses(ctx, b)
        p.cadre = "community"
        p.employer = plan.street_office if p.member else None
        cadres.append(p)
    p = make_member(ctx, rng.choice(buildings), True, False)
    p.cadre = "street"
    p.employer = plan.street_office
    p.outside = stable_share(p.id) < OUTSIDE_SHARE
    ctx.city.instructor_pool.append((p.id, plan.district))
    cadres.append(p)
    return cadres


def _work(ctx: Ctx, plan: CommunityPlan, p: Person, picker: EmployerPicker) -> None:
    """Where an in-service member works: a property firm (first filling the firms' party orgs
    up to three full members each), or an employer."""
    rng = ctx.rng
    fill = ctx.city.firm_orgs_to_fill.get(plan.district)
    if p.full and fill:
        p.firm_org, p.firm = fill.pop(0)
        return
    firms = ctx.city.firms_by_district.get(plan.district)
    if firms and rng.random() < FIRM_STAFF_SHARE:
        p.firm = rng.choice(firms)
        p.firm_org = p.firm.org
        return
    p.employer = picker.pick(ctx, plan.district)
