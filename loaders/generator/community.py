"""Fill in one community, start to finish, then forget it (only city-wide registries remain)."""

from __future__ import annotations

from datetime import date

from loaders.generator import party, roles
from loaders.generator.committees import compound_committees
from loaders.generator.context import Ctx
from loaders.generator.people import EmployerPicker, populate
from loaders.generator.places import Person, build_places, write_people
from loaders.generator.world import CommunityPlan, Scale


def build_community(ctx: Ctx, scale: Scale, plan: CommunityPlan, picker: EmployerPicker) -> None:
    ctx.city.current_district = plan.district
    grids = build_places(ctx, plan, ctx.rng.randint(*scale.compounds_per_community))
    cadres = populate(ctx, plan, grids, picker)
    structure = party.build_structure(ctx, plan, grids)
    party.memberships(ctx, plan, grids, structure)
    party.residence(ctx, grids, structure)
    party.dual_reports(ctx, plan, grids)
    secretary = cadres[0]  # the secretary also chairs the residents' committee (一肩挑)
    ctx.secretary(structure.committee, secretary.id, max(date(2021, 3, 1), structure.committee.established))
    rc_id = roles.residents_committee(ctx, plan, cadres)
    chairs: list[Person] = []
    for g in grids:
        for c in g.compounds:
            for b in c.buildings:
                roles.heads(ctx, b)
            current = compound_committees(ctx, c)
            if current.chair is not None:
                chairs.append(current.chair)
            roles.property_service(ctx, plan, c, current, rc_id)
            roles.supervisor(ctx, c, current, cadres)
        roles.liaisons(ctx, g, cadres)
    roles.facilities(ctx, plan, grids, rc_id, cadres, chairs)
    write_people(ctx, grids)
