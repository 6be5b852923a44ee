"""One community's places (grids, compounds, buildings, entrances) and its people.

People are only those who matter to governance: party members (about 6-8% of a building's
residents), the community's cadres, and, added later, heads and committee members who are
not members. They are kept in memory for one community and written when it is done.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from functools import partial

from loaders.generator import names
from loaders.generator.context import NOW, Ctx, Employer, Firm, Org, add_years
from loaders.generator.world import CommunityPlan, cn_number

#: The share of single-compound patches that are a compound with no grid, directly in its community.
DIRECT_COMPOUND_SHARE = 0.15
#: The share of street cadres who live outside every loaded area (sent down from the street).
OUTSIDE_SHARE = 0.3


def stable_share(key: str) -> float:
    """A number in [0, 1) fixed by ``key``: the choices above take no draw from the seeded
    random source, so every other part of a generated world stays as it was."""
    return zlib.crc32(key.encode()) / 2**32


class Person:
    __slots__ = (
        "born",
        "building",
        "cadre",
        "employer",
        "entrance",
        "firm",
        "firm_org",
        "id",
        "idn",
        "in_service",
        "joined",
        "male",
        "name",
        "outside",
        "owner",
        "phone",
        "skills",
        "status",
    )

    id: str
    name: str
    male: bool
    born: date
    idn: str | None
    phone: str | None
    building: Building
    entrance: str | None
    status: str
    owner: bool

    def __init__(self) -> None:
        self.employer: Employer | None = None
        self.firm: Firm | None = None  # works at a property firm
        self.firm_org: Org | None = None
        self.cadre = ""  # "community" or "street" for cadres
        self.joined: date | None = None
        self.in_service: bool | None = None
        self.skills: str | None = None
        #: lives outside every loaded area: written with no building or entrance (the generator
        #: still places them in a building, so that nothing else of the world changes)
        self.outside = False

    @property
    def member(self) -> bool:
        return self.status in ("member", "probationary")

    @property
    def full(self) -> bool:
        return self.status == "member"


class Building:
    __slots__ = ("compound", "entrance_groups", "entrances", "group", "id", "name", "people", "residents")

    def __init__(self, id: str, name: str, compound: Compound) -> None:
        self.id = id
        self.name = name
        self.compound = compound
        self.entrances: list[str] = []
        self.people: list[Person] = []
        self.residents = 0
        self.group: Org | None = None
        self.entrance_groups: dict[str, Org] = {}

    @property
    def members(self) -> list[Person]:
        return [p for p in self.people if p.member]

    def full_members(self, entrance: str | None = None) -> list[Person]:
        return [p for p in self.people if p.full and (entrance is None or p.entrance == entrance)]


class Compound:
    __slots__ = ("branch", "buildings", "eligible", "grid", "households", "id", "name", "old")

    def __init__(self, id: str, name: str, grid: Grid, eligible: bool, old: bool) -> None:
        self.id = id
        self.name = name
        self.grid = grid
        self.eligible = eligible
        self.old = old
        self.buildings: list[Building] = []
        self.households = 0
        self.branch: Org | None = None  # the branch covering the compound itself

    @property
    def residence_branch(self) -> Org | None:
        """The branch a member living here registers with: the compound's, else its grid's."""
        return self.branch or self.grid.org

    def people(self) -> list[Person]:
        return [p for b in self.buildings for p in b.people]


class Grid:
    """A grid, or (``direct``) the stand-in for a compound with no grid, alone in it: its id is
    then the community's and no grid row is written; a "grid" branch covers the compound and a
    red station placed "in the grid" is in the community."""

    __slots__ = ("compounds", "direct", "id", "name", "org")

    def __init__(self, id: str, name: str, direct: bool = False) -> None:
        self.id = id
        self.name = name
        self.direct = direct
        self.compounds: list[Compound] = []
        self.org: Org | None = None  # a branch or general branch covering the grid


def build_places(ctx: Ctx, plan: CommunityPlan, n_compounds: int) -> list[Grid]:
    rng, out = ctx.rng, ctx.out
    grids: list[Grid] = []
    left = n_compounds
    compound_names = names.Unique()
    numbered = 0
    while left > 0:
        size = min(left, rng.choice((1, 1, 2, 2, 2, 3)))
        left -= size
        if size == 1 and stable_share(f"{plan.id}/{len(grids)}") < DIRECT_COMPOUND_SHARE:
            g = Grid(plan.id, plan.name, direct=True)  # a compound with no grid, directly in the community
        else:
            numbered += 1
            g = Grid(ctx.ids.new("G"), f"{plan.name}第{cn_number(numbered)}网格")
            out.grids.row(id=g.id, name=g.name, community_id=plan.id)
        grids.append(g)
        for _ in range(size):
            eligible = not ctx.flag("compound_not_eligible")
            old = rng.random() < (0.15 if eligible else 0.85)
            name = compound_names.pick(
                rng, partial(names.compound_name, city=ctx.city.names, old=old), "小区"
            )
            c = Compound(ctx.ids.new("P"), name, g, eligible, old)
            g.compounds.append(c)
            _buildings(ctx, c)
            out.compounds.row(
                id=c.id,
                name=name,
                grid_id=None if g.direct else g.id,
                community_id=plan.id if g.direct else None,
                address=names.address(rng, ctx.city.names, plan.district_name),
                eligible_for_owners_committee=eligible,
                households=c.households,
            )
    return grids


def _buildings(ctx: Ctx, c: Compound) -> None:
    rng, out = ctx.rng, ctx.out
    n = rng.randint(2, 8) if c.old else rng.choice((6, 8, 10, 12, 14, 16, 18, 20, 24, 28, 32))
    for i in range(n):
        kind = "walkup" if c.old else rng.choices(("walkup", "high", "low"), (45, 40, 15))[0]
        if kind == "walkup":
            entrances, floors, per_floor = rng.randint(1, 4), rng.randint(5, 7), 2
        elif kind == "high":
            entrances, floors, per_floor = rng.randint(1, 2), rng.randint(11, 33), rng.choice((2, 3, 4))
        else:
            entrances, floors, per_floor = 1, 3, 2
        households = round(entrances * floors * per_floor * rng.uniform(0.82, 0.97))
        b = Building(ctx.ids.new("B"), f"{i + 1}号楼" if c.old else f"{i + 1}栋", c)
        b.residents = round(households * rng.uniform(2.3, 2.9))
        c.households += households
        out.buildings.row(id=b.id, name=b.name, compound_id=c.id, residents=b.residents)
        for k in range(entrances):
            e_id = ctx.ids.new("E")
            b.entrances.append(e_id)
            out.entrances.row(id=e_id, name=f"{k + 1}单元", building_id=b.id)
        c.buildings.append(b)


# ---------------------------------------------------------------- people


def new_person(ctx: Ctx, b: Building, status: str, age: int, entrance: str | None = "any") -> Person:
    """A person living in ``b`` (in ``entrance``, or a random one of its entrances)."""
    rng = ctx.rng
    p = Person()
    p.id = ctx.ids.new("R")
    p.male = rng.random() < (0.55 if status != "masses" else 0.48)
    p.name = names.person_name(rng, p.male)
    p.born = NOW - timedelta(days=age * 365 + rng.randint(0, 364))
    city = ctx.city.names
    district_code = city.districts[ctx.city.current_district][1]
    if district_code[4] == "7":  # development zones register births in the old districts
        district_code = city.births_in
    p.idn = (
        ctx.personal.id_number(p.born, p.male, district_code, city.birth_areas)
        if rng.random() < 0.97
        else None
    )
    p.phone = ctx.personal.mobile() if rng.random() < 0.96 else None
    p.building = b
    if entrance == "any":
        entrance = rng.choice(b.entrances) if b.entrances and rng.random() < 0.93 else None
    p.entrance = entrance
    p.status = status
    p.owner = rng.random() < 0.75
    b.people.append(p)
    return p


def make_member(ctx: Ctx, b: Building, in_service: bool, probationary: bool) -> Person:
    rng = ctx.rng
    if probationary:
        age = rng.randint(20, 40)
    elif in_service:
        age = min(rng.randint(23, 60), rng.randint(23, 60)) if rng.random() < 0.5 else rng.randint(23, 60)
    elif rng.random() < 0.85:
        age = round(rng.triangular(56, 93, 68))
    else:
        age = rng.randint(19, 55)
    p = new_person(ctx, b, "probationary" if probationary else "member", age)
    p.in_service = in_service
    if probationary:
        p.joined = ctx.day(NOW - timedelta(days=360), NOW - timedelta(days=7))
    else:
        earliest = add_years(p.born, 18)
        latest = min(add_years(p.born, min(age - 1, 45)), NOW - timedelta(days=400))
        p.joined = ctx.day(earliest, max(earliest, latest))
    if rng.random() < 0.22:
        p.skills = rng.choice(names.SKILLS)
    if in_service:
        p.owner = rng.random() < 0.65
    return p


def make_masses(ctx: Ctx, b: Building, entrance: str | None = "any", owner: bool | None = None) -> Person:
    rng = ctx.rng
    p = new_person(ctx, b, "masses" if rng.random() < 0.93 else "other", rng.randint(28, 78), entrance)
    if owner is not None:
        p.owner = owner
    return p


def write_people(ctx: Ctx, grids: list[Grid]) -> None:
    w = ctx.out.persons
    for p in (p for g in grids for c in g.compounds for b in c.buildings for p in b.people):
        w.row(
            id=p.id,
            name=p.name,
            gender="M" if p.male else "F",
            id_number=p.idn,
            phone=p.phone,
            building_id=None if p.outside else p.building.id,
            entrance_id=None if p.outside else p.entrance,
            is_owner=p.owner,
            political_status=p.status,
            in_service=p.in_service,
            employer_id=p.firm.id if p.firm else p.employer.id if p.employer else None,
            joined_on=p.joined,
            skills=p.skills,
        )
