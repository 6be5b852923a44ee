"""The city skeleton: scales, districts, streets, communities, employers and property firms.

Everything here is small (hundreds of communities, a few thousand employers) and is written
before the city's communities are filled in one by one; a dataset of several cities builds
the skeleton of each in turn (``ctx.city``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loaders.generator import names
from loaders.generator.context import NOW, Ctx, Employer, Firm, Org


@dataclass(frozen=True)
class Scale:
    name: str
    #: (index into the city's districts, number of streets); None takes every district with
    #: the city's count of streets (``CityNames.streets``)
    districts: tuple[tuple[int, int], ...] | None
    communities_per_street: tuple[int, int]
    compounds_per_community: tuple[int, int]
    #: independent cities of this size, each with its own districts (more than one: a province)
    cities: int = 1


SCALES: dict[str, Scale] = {
    "community": Scale("community", ((0, 1),), (1, 1), (6, 10)),
    "subdistrict": Scale("subdistrict", ((1, 1),), (8, 8), (6, 9)),
    "district": Scale("district", ((1, 6),), (7, 10), (6, 10)),
    "city": Scale("city", None, (6, 10), (6, 9)),
    "province": Scale("province", None, (6, 10), (6, 9), cities=10),
}


@dataclass
class CommunityPlan:
    id: str
    name: str
    district: int  # index into the city's districts
    district_name: str
    subdistrict_id: str
    subdistrict_name: str
    working_committee: Org
    street_office: Employer
    employers: list[Employer]


EMPLOYER_KINDS = {"enterprise": 0.42, "organ": 0.22, "institution": 0.26, "social": 0.10}
KIND_WEIGHT = {"organ": 3.0, "institution": 2.5, "enterprise": 1.5, "social": 0.4}


def build_world(ctx: Ctx, scale: Scale, province_id: str | None = None) -> list[CommunityPlan]:
    """Write the skeleton of ``ctx.city`` (in ``province_id``, if any) and plan its communities."""
    rng, out, city = ctx.rng, ctx.out, ctx.city.names
    city_id = ctx.ids.new("C")
    out.cities.row(id=city_id, name=city.name, code=city.code, province_id=province_id)
    picks = scale.districts or tuple(enumerate(city.streets))
    street_names = names.Unique()
    community_names = names.Unique()
    plans: list[CommunityPlan] = []
    for d_index, n_streets in picks:
        d_name, d_code, real_streets = city.districts[d_index]
        d_id = ctx.ids.new("D")
        out.districts.row(id=d_id, name=d_name, city_id=city_id, code=d_code)
        district_plans: list[CommunityPlan] = []
        for s_index in range(n_streets):
            if s_index < len(real_streets) and street_names.take(real_streets[s_index]):
                s_name = real_streets[s_index]
            else:
                s_name = street_names.pick(rng, lambda r: names.street_name(r, city), d_name[:2] + "街道")
            s_id = ctx.ids.new("S")
            out.subdistricts.row(id=s_id, name=s_name, district_id=d_id)
            wc = ctx.org(
                f"中共{city.name}{d_name}{s_name}工作委员会",
                "working_committee",
                "area",
                None,
                date(2003, 1, 1),
            )
            ctx.covers(wc, s_id, wc.established)
            n_comm = rng.randint(*scale.communities_per_street)
            communities: list[tuple[str, str]] = []
            for c_index in range(n_comm):
                c_id = ctx.ids.new("CM")
                first = city.first_community
                if scale.name == "community" and c_index == 0 and first and community_names.take(first):
                    c_name = first
                else:
                    c_name = community_names.pick(
                        rng, lambda r: names.community_name(r, city), s_name[:2] + "社区"
                    )
                out.communities.row(id=c_id, name=c_name, subdistrict_id=s_id)
                ctx.city.community_ids.append(c_id)
                communities.append((c_id, c_name))
            office = _street_office(ctx, s_name, communities[0][0], d_index, wc)
            street_plans = [
                CommunityPlan(c_id, c_name, d_index, d_name, s_id, s_name, wc, office, [])
                for c_id, c_name in communities
            ]
            for plan in street_plans:
                plan.employers = [_employer(ctx, plan) for _ in range(rng.randint(3, 6))]
            district_plans.extend(street_plans)
        plans.extend(district_plans)
        _firms(ctx, d_index, d_name, d_code, district_plans)
    _report_orgs(ctx)
    return plans


def _street_office(ctx: Ctx, s_name: str, community_id: str, district: int, wc: Org) -> Employer:
    e = Employer(ctx.ids.new("U"), f"{s_name}办事处", "organ", community_id, district, 0.0)
    ctx.out.employers.row(
        id=e.id,
        name=e.name,
        kind="organ",
        credit_code=ctx.credit.new("organ", ctx.city.names.districts[district][1]),
        community_id=community_id,
    )
    e.top = ctx.org(f"{s_name}办事处机关党支部", "branch", "employer", wc, date(2004, 3, 1))
    e.branches = [e.top]
    ctx.covers(e.top, e.id, e.top.established)
    e.reported = True
    ctx.out.dual_reports.row(reporter_id=e.top.id, community_id=community_id, since=date(2016, 3, 1))
    return e


def _employer(ctx: Ctx, plan: CommunityPlan) -> Employer:
    rng, city = ctx.rng, ctx.city.names
    kind = ctx.deck("employer_kind", EMPLOYER_KINDS).draw()
    name = ctx.employer_names.pick(
        rng,
        lambda r: names.employer_name(r, city, kind, plan.district_name),
        plan.district_name + "单位",
    )
    weight = KIND_WEIGHT[kind] * rng.uniform(0.3, 1.7)
    e = Employer(ctx.ids.new("U"), name, kind, plan.id, plan.district, weight)
    ctx.out.employers.row(
        id=e.id,
        name=name,
        kind=kind,
        credit_code=ctx.credit.new(kind, city.districts[plan.district][1]),
        community_id=plan.id,
    )
    ctx.city.employers.append(e)
    ctx.city.employers_by_district.setdefault(plan.district, []).append(e)
    if ctx.flag("employer_no_org"):
        return e
    founded = ctx.day(date(1985, 1, 1), date(2018, 12, 31))
    big = weight > 2.5 and kind != "social"
    if big:
        level = "committee" if rng.random() < 0.6 else "general_branch"
        suffix = "委员会" if level == "committee" else "总支部委员会"
        e.top = ctx.org(f"中共{name}{suffix}", level, "employer", None, founded)
        for i in range(rng.randint(2, 4)):
            e.branches.append(
                ctx.org(f"中共{name}第{_cn(i + 1)}支部委员会", "branch", "employer", e.top, founded)
            )
    else:
        e.top = ctx.org(f"中共{name}支部委员会", "branch", "employer", None, founded)
        e.branches.append(e.top)
    ctx.covers(e.top, e.id, founded)
    return e


def _report_orgs(ctx: Ctx) -> None:
    """Employer party orgs report to the community where the employer is located (双报到), or
    to another community of the same city."""
    deck = {
        "yes": 1 - ctx.rates.employer_not_reported - ctx.rates.employer_reported_elsewhere,
        "no": ctx.rates.employer_not_reported,
        "elsewhere": ctx.rates.employer_reported_elsewhere,
    }
    communities = ctx.city.community_ids
    for e in ctx.city.employers:
        if e.top is None:
            continue
        what = ctx.deck("employer_report", deck).draw()
        since = ctx.day(max(e.top.established, date(2015, 6, 1)), date(2025, 12, 31))
        if what == "elsewhere" and len(communities) > 1:
            other = e.community_id
            while other == e.community_id:
                other = ctx.rng.choice(communities)
            ctx.out.dual_reports.row(reporter_id=e.top.id, community_id=other, since=since)
        elif what == "yes":
            e.reported = True
            ctx.out.dual_reports.row(reporter_id=e.top.id, community_id=e.community_id, since=since)
        elif ctx.rng.random() < 0.3:  # reported once, the report lapsed
            until = ctx.day(max(since, date(2021, 1, 1)), NOW.replace(month=5, day=31))
            ctx.out.dual_reports.row(
                reporter_id=e.top.id, community_id=e.community_id, since=since, until=until
            )


FIRM_CATEGORIES = ("own", "joint", "instructor", "instructor_ended", "mass", "nothing")


def _firms(ctx: Ctx, d_index: int, d_name: str, d_code: str, plans: list[CommunityPlan]) -> None:
    rng, r, city = ctx.rng, ctx.rates, ctx.city.names
    weights = {
        "own": 1
        - r.firm_joint_org
        - r.firm_instructor_only
        - r.firm_mass_org_only
        - r.firm_nothing
        - r.firm_instructor_ended,
        "joint": r.firm_joint_org,
        "instructor": r.firm_instructor_only,
        "instructor_ended": r.firm_instructor_ended,
        "mass": r.firm_mass_org_only,
        "nothing": r.firm_nothing,
    }
    deck = ctx.deck("firm_category", weights, size=10)
    firms: list[Firm] = []
    joint: list[Firm] = []
    own: list[tuple[Org, Firm]] = []
    shared: list[tuple[Org, Firm]] = []
    for _ in range(max(10, round(0.9 * len(plans)))):
        name = ctx.firm_names.pick(rng, lambda r_: names.firm_name(r_, city), f"{city.short}物业服务有限公司")
        f = Firm(ctx.ids.new("F"), name, d_index, deck.draw())
        mass = None
        if f.category == "mass" or (f.category in ("own", "instructor") and rng.random() < 0.4):
            mass = rng.choice(names.MASS_ORGS)
        ctx.out.property_firms.row(
            id=f.id, name=name, credit_code=ctx.credit.new("firm", d_code), mass_organization=mass
        )
        home = rng.choice(plans).working_committee
        if f.category == "own":
            est = ctx.day(date(2014, 1, 1), date(2024, 12, 31))
            f.org = ctx.org(f"中共{name}支部委员会", "branch", "firm", home, est)
            ctx.covers(f.org, f.id, est)
            own.append((f.org, f))
        elif f.category == "joint":
            joint.append(f)
        firms.append(f)
    # firms of the "joint" kind share a joint branch, two or three at a time
    i, n = 0, 0
    while i < len(joint):
        group = joint[i : i + rng.choice((2, 3))]
        i += len(group)
        n += 1
        est = ctx.day(date(2017, 1, 1), date(2024, 12, 31))
        org = ctx.org(
            f"{d_name}物业服务行业第{_cn(n)}联合党支部",
            "branch",
            "joint",
            rng.choice(plans).working_committee,
            est,
        )
        for f in group:
            f.org = org
            ctx.covers(org, f.id, est)
        shared.extend((org, group[k % len(group)]) for k in range(3))
    ctx.city.firms_by_district[d_index] = firms
    # the first in-service full members of the district fill these orgs, three each
    ctx.city.firm_orgs_to_fill[d_index] = own * 3 + shared


_DIGITS = "一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return _DIGITS[n - 1]
    if n < 20:
        return "十" + _DIGITS[n - 11]
    return _DIGITS[n // 10 - 1] + "十" + (_DIGITS[n % 10 - 1] if n % 10 else "")


def cn_number(n: int) -> str:
    return _cn(n)
