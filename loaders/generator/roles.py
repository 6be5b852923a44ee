"""Appointments and services of one community: heads, central households, the residents'
committee, property service, supervisors, liaison cadres, the environment-property committee,
the service centre and red stations."""

from __future__ import annotations

from datetime import date, timedelta

from loaders.generator.committees import Current
from loaders.generator.context import NOW, Ctx, add_years
from loaders.generator.places import Building, Compound, Grid, Person, make_masses
from loaders.generator.world import CommunityPlan

LAPSED_BY = date(2026, 5, 31)


def _ended(ctx: Ctx, since: date) -> date:
    return ctx.day(since + timedelta(days=90), LAPSED_BY)


# ---------------------------------------------------------------- building and entrance heads


def heads(ctx: Ctx, b: Building) -> None:
    rng, r = ctx.rng, ctx.rates
    kind = ctx.deck(
        "building_head",
        {
            "head": 1 - r.building_no_head - r.building_head_ended - r.building_entrance_heads_only,
            "none": r.building_no_head,
            "ended": r.building_head_ended,
            "entrances": r.building_entrance_heads_only,
        },
    ).draw()
    since = ctx.day(date(2015, 1, 1), date(2025, 12, 31))
    if kind in ("head", "ended"):
        p = _resident(ctx, b, None)
        if kind == "ended":
            since = ctx.day(date(2015, 1, 1), date(2024, 6, 30))
        ctx.appoint(p.id, b.id, "building_head", since, _ended(ctx, since) if kind == "ended" else None)
    entrances: list[str] = []
    if kind == "entrances" or (kind == "head" and rng.random() < 0.25):
        entrances = b.entrances
    elif kind == "none" and len(b.entrances) >= 2 and rng.random() < 0.5:
        entrances = b.entrances[: rng.randint(1, len(b.entrances) - 1)]
    for e in entrances:
        p = _resident(ctx, b, e)
        ctx.appoint(p.id, e, "entrance_head", ctx.day(date(2015, 1, 1), date(2025, 12, 31)))
    if rng.random() < 0.08:
        full = b.full_members()
        if full:
            p = rng.choice(full)
            target = p.entrance if p.entrance is not None and rng.random() < 0.3 else b.id
            ctx.appoint(
                p.id, target, "central_household", ctx.day(max(date(2019, 1, 1), p.joined or NOW), NOW)
            )


def _resident(ctx: Ctx, b: Building, entrance: str | None) -> Person:
    """A person living in ``b`` (in ``entrance``): a member half the time, else a neighbour."""
    rng = ctx.rng
    if rng.random() < 0.5:
        fits = [
            p for p in b.people if p.member and not p.cadre and (entrance is None or p.entrance == entrance)
        ]
        if fits:
            return rng.choice(fits)
    return make_masses(ctx, b, entrance if entrance is not None else "any")


# ---------------------------------------------------------------- residents' committee


def residents_committee(ctx: Ctx, plan: CommunityPlan, cadres: list[Person]) -> str:
    out = ctx.out
    rc_id = ctx.ids.new("RC")
    out.residents_committees.row(
        id=rc_id,
        name=f"{plan.name}居民委员会",
        community_id=plan.id,
        since=ctx.day(date(2000, 1, 1), date(2012, 12, 31)),
    )
    elected = ctx.day(date(2021, 3, 1), date(2021, 6, 30))
    community = [p for p in cadres if p.cadre == "community"]
    before = ctx.day(date(2018, 3, 1), date(2018, 6, 30))  # the previous term, for the re-elected
    for i, p in enumerate(community):
        role = "chair" if i == 0 else "vice_chair" if i <= 2 else "member"
        if ctx.rng.random() < 0.6:
            out.committee_seats.row(
                person_id=p.id,
                committee_id=rc_id,
                role="member" if i else "chair",
                since=before,
                until=elected - timedelta(days=1),
            )
        out.committee_seats.row(person_id=p.id, committee_id=rc_id, role=role, since=elected)
    return rc_id


# ---------------------------------------------------------------- property service


def property_service(ctx: Ctx, plan: CommunityPlan, c: Compound, cur: Current, rc_id: str) -> None:
    rng, r = ctx.rng, ctx.rates
    kind = ctx.deck(
        "property_service",
        {
            "firm": 1
            - r.compound_no_property_service
            - r.compound_contract_ended
            - r.compound_self_managed
            - r.compound_guaranteed,
            "none": r.compound_no_property_service,
            "ended": r.compound_contract_ended,
            "self": r.compound_self_managed,
            "guaranteed": r.compound_guaranteed,
        },
    ).draw()
    w = ctx.out.property_services
    if kind == "firm":
        _contracts(ctx, plan, c, ctx.day(date(2008, 1, 1), date(2024, 12, 31)), None)
    elif kind == "ended":
        since = ctx.day(date(2008, 1, 1), date(2021, 12, 31))
        _contracts(
            ctx, plan, c, since, ctx.day(max(since + timedelta(days=180), date(2021, 6, 1)), LAPSED_BY)
        )
    elif kind == "self":
        since = ctx.day(date(2019, 1, 1), date(2025, 12, 31))
        if rng.random() < 0.3:
            _contracts(ctx, plan, c, ctx.day(date(2008, 1, 1), date(2015, 12, 31)), since - timedelta(days=1))
        provider = cur.self_management or cur.owners or rc_id
        w.row(provider_id=provider, compound_id=c.id, mode="self_managed", since=since)
    elif kind == "guaranteed":
        since = ctx.day(date(2020, 1, 1), date(2025, 12, 31))
        provider = plan.id if rng.random() < 0.6 else plan.subdistrict_id
        w.row(provider_id=provider, compound_id=c.id, mode="guaranteed", since=since)
    elif ctx.deck("firm_left_long_ago", {"no": 0.67, "yes": 0.33}, size=3).draw() == "yes":
        # a firm left long ago and nobody took over
        _contracts(
            ctx,
            plan,
            c,
            ctx.day(date(2008, 1, 1), date(2014, 12, 31)),
            ctx.day(date(2016, 1, 1), date(2019, 12, 31)),
        )


def _contracts(ctx: Ctx, plan: CommunityPlan, c: Compound, since: date, stop: date | None) -> None:
    """Successive firm contracts from ``since``: current on NOW, or ending at ``stop``."""
    rng = ctx.rng
    firms = ctx.city.firms_by_district[plan.district]
    firm = rng.choice(firms)
    w = ctx.out.property_services
    while True:
        end = add_years(since, rng.choice((1, 2, 3, 3, 5))) - timedelta(days=1)
        done = False
        if stop is not None and end >= stop:
            end, done = max(since, stop), True
        elif stop is None and end >= NOW:
            done = True
        until = None if done and stop is None and since.year >= 2020 and rng.random() < 0.1 else end
        ctx.contracts += 1
        w.row(
            provider_id=firm.id,
            compound_id=c.id,
            mode="firm",
            contract_no=f"{ctx.city.names.abbr}WY-{since.year}-{ctx.contracts:06d}",
            since=since,
            until=until,
        )
        if done:
            return
        since = end + timedelta(days=1)
        if rng.random() < 0.25:
            firm = rng.choice(firms)


# ---------------------------------------------------------------- supervisors and liaison cadres


def supervisor(ctx: Ctx, c: Compound, cur: Current, cadres: list[Person]) -> None:
    r = ctx.rates
    kind = ctx.deck(
        "supervisor",
        {
            "ok": 1 - r.compound_no_supervisor - r.compound_supervisor_ended,
            "none": r.compound_no_supervisor,
            "ended": r.compound_supervisor_ended,
        },
    ).draw()
    if kind == "none":
        return
    x = ctx.rng.random()
    if x < 0.5 or (x < 0.8 and cur.chair is None):
        p = ctx.rng.choice(cadres)
    elif x < 0.8 and cur.chair is not None:
        p = cur.chair
    else:
        p = _resident(ctx, ctx.rng.choice(c.buildings), None)
    since = ctx.day(date(2021, 1, 1), date(2025, 12, 31) if kind == "ok" else date(2024, 6, 30))
    ctx.appoint(p.id, c.id, "quality_supervisor", since, _ended(ctx, since) if kind == "ended" else None)


def liaisons(ctx: Ctx, g: Grid, cadres: list[Person]) -> None:
    rng, r = ctx.rng, ctx.rates
    deck = ctx.deck(
        "liaison",
        {
            "ok": 1 - r.compound_no_liaison - r.compound_liaison_ended,
            "none": r.compound_no_liaison,
            "ended": r.compound_liaison_ended,
        },
    )
    kinds = [deck.draw() for _ in g.compounds]
    targets: list[tuple[str, str]] = list(zip((c.id for c in g.compounds), kinds, strict=True))
    if len(g.compounds) > 1 and all(k == "ok" for k in kinds) and rng.random() < 0.6:
        targets = [(g.id, "ok")]
    for target, kind in targets:
        if kind == "none":
            continue
        p = rng.choice(cadres)
        since = ctx.day(date(2021, 1, 1), date(2025, 12, 31) if kind == "ok" else date(2024, 6, 30))
        ctx.appoint(p.id, target, "liaison", since, _ended(ctx, since) if kind == "ended" else None)


# ---------------------------------------------------------------- community facilities


def facilities(
    ctx: Ctx, plan: CommunityPlan, grids: list[Grid], rc_id: str, cadres: list[Person], chairs: list[Person]
) -> None:
    rng, out = ctx.rng, ctx.out
    if not ctx.flag("community_no_env_committee", size=6):
        ep_id = ctx.ids.new("EP")
        since = ctx.day(date(2021, 3, 1), date(2024, 12, 31))
        out.env_property_committees.row(
            id=ep_id, name=f"{plan.name}环境和物业管理委员会", residents_committee_id=rc_id, since=since
        )
        seated = [cadres[0], *rng.sample(cadres[1:], min(2, len(cadres) - 1)), *chairs[:2]]
        for i, p in enumerate(dict.fromkeys(seated)):
            out.committee_seats.row(
                person_id=p.id, committee_id=ep_id, role="chair" if i == 0 else "member", since=since
            )
    if not ctx.flag("community_no_service_centre", size=6):
        out.service_centres.row(
            id=ctx.ids.new("SC"),
            name=f"{plan.name}党群服务中心",
            place_id=plan.id,
            since=ctx.day(date(2012, 1, 1), date(2020, 12, 31)),
        )
    if not ctx.flag("community_no_red_station", size=6):
        places = [(plan.id, plan.name)]
        places += [(g.id, g.name) for g in grids] + [(c.id, c.name) for g in grids for c in g.compounds]
        picked = [places[0], *rng.sample(places[1:], min(len(places) - 1, rng.randint(0, 3)))]
        for place_id, name in picked:
            out.red_stations.row(
                id=ctx.ids.new("RS"),
                name=f"{name}红色驿站",
                place_id=place_id,
                since=ctx.day(date(2019, 6, 1), date(2025, 12, 31)),
            )
