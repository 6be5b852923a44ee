"""A community's party organizations and the members' two sides of "1+1", and 双报到.

The community 党委 covers the community; under it, branches (or a general branch with
compound branches) cover grids or compounds, and party groups under those branches cover
buildings or entrances. Some compounds and buildings are deliberately left uncovered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from loaders.generator.context import NOW, Ctx, Org
from loaders.generator.places import Building, Compound, Grid, Person
from loaders.generator.world import CommunityPlan

LAPSED_BY = date(2026, 5, 31)


@dataclass
class Structure:
    committee: Org
    direct: Org
    #: (org, ids of the compounds it covers) for every area branch, for "registered elsewhere"
    areas: list[tuple[Org, frozenset[str]]] = field(default_factory=list)


def build_structure(ctx: Ctx, plan: CommunityPlan, grids: list[Grid]) -> Structure:
    rng = ctx.rng
    est = ctx.day(date(2003, 1, 1), date(2014, 12, 31))
    committee = ctx.org(f"中共{plan.name}委员会", "committee", "area", plan.working_committee, est)
    ctx.covers(committee, plan.id, est)
    direct = ctx.org(f"中共{plan.name}综合党支部", "branch", "area", committee, est)
    s = Structure(committee, direct)
    for g in grids:
        viable = [c for c in g.compounds if _full_count(c) >= 3]
        covered = [c for c in viable if not ctx.flag("compound_no_branch")]
        if covered and len(covered) == len(g.compounds):
            scheme = rng.choices(("grid", "general", "compounds"), (45, 25, 30))[0]
            if len(covered) == 1:
                scheme = rng.choice(("grid", "compounds"))
        else:
            scheme = "compounds"
        since = ctx.day(date(2008, 1, 1), date(2022, 12, 31))
        if scheme == "grid":
            # a compound with no grid (g.direct, alone in g): the branch covers the compound itself
            name = g.compounds[0].name if g.direct else g.name
            g.org = ctx.org(f"中共{name}支部委员会", "branch", "area", committee, since)
            ctx.covers(g.org, g.compounds[0].id if g.direct else g.id, since)
            s.areas.append((g.org, frozenset(c.id for c in g.compounds)))
            continue
        parent = committee
        if scheme == "general":
            g.org = parent = ctx.org(f"中共{g.name}总支部委员会", "general_branch", "area", committee, since)
            ctx.covers(g.org, g.id, since)
        for c in covered:
            c_since = max(since, ctx.day(date(2010, 1, 1), date(2024, 6, 30)))
            c.branch = ctx.org(f"中共{c.name}支部委员会", "branch", "area", parent, c_since)
            ctx.covers(c.branch, c.id, c_since)
            s.areas.append((c.branch, frozenset((c.id,))))
        for c in g.compounds:
            if c not in covered and g.org is None and rng.random() < 0.2:
                # a branch that once covered the compound was merged away (too few members left)
                old = ctx.org(f"中共{c.name}支部委员会", "branch", "area", committee, since)
                ctx.covers(old, c.id, since, ctx.day(max(since, date(2020, 1, 1)), LAPSED_BY))
    for g in grids:
        for c in g.compounds:
            branch = c.residence_branch
            if branch is not None:
                _groups(ctx, c, branch)
    return s


def _full_count(c: Compound) -> int:
    return sum(1 for b in c.buildings for p in b.people if p.full)


def _groups(ctx: Ctx, c: Compound, branch: Org) -> None:
    """Party groups in the buildings of a covered compound (some buildings left without)."""
    rng, r = ctx.rng, ctx.rates
    deck = ctx.deck(
        "building_group",
        {
            "group": 1 - r.building_no_group - r.building_partial_entrance_groups,
            "none": r.building_no_group,
            "partial": r.building_partial_entrance_groups,
        },
    )
    for i, b in enumerate(c.buildings):
        if b.group is not None:  # shares the group of the building before it
            continue
        full = b.full_members()
        if not full:
            continue
        what = deck.draw()
        if what == "none":
            continue
        est = max(branch.established, ctx.day(date(2016, 1, 1), date(2025, 6, 30)))
        many = len(b.entrances) >= 2
        if what == "partial" and many:
            for e in b.entrances[: rng.randint(1, len(b.entrances) - 1)]:
                _entrance_group(ctx, c, b, e, branch, est)
        elif what == "group" and many and len(full) >= 6 and rng.random() < 0.3:
            for e in b.entrances:
                _entrance_group(ctx, c, b, e, branch, est)
        else:
            nxt = c.buildings[i + 1] if i + 1 < len(c.buildings) else None
            shared = (
                len(full) <= 2 and nxt is not None and len(nxt.full_members()) <= 2 and rng.random() < 0.5
            )
            name = f"{c.name}{b.name}{'、' + nxt.name if shared and nxt else ''}党小组"
            b.group = ctx.org(name, "group", "area", branch, est)
            ctx.covers(b.group, b.id, est)
            _leader(ctx, b.group, full, est)
            if shared and nxt is not None:
                nxt.group = b.group
                ctx.covers(b.group, nxt.id, est)


def _entrance_group(ctx: Ctx, c: Compound, b: Building, entrance: str, branch: Org, est: date) -> None:
    k = b.entrances.index(entrance) + 1
    org = ctx.org(f"{c.name}{b.name}{k}单元党小组", "group", "area", branch, est)
    ctx.covers(org, entrance, est)
    b.entrance_groups[entrance] = org
    _leader(ctx, org, b.full_members(entrance) or b.full_members(), est)


def _leader(ctx: Ctx, group: Org, candidates: list[Person], est: date) -> None:
    if candidates:
        ctx.appoint(candidates[0].id, group.id, "group_leader", max(est, candidates[0].joined or est))


# ---------------------------------------------------------------- the work-unit side: memberships


def memberships(ctx: Ctx, plan: CommunityPlan, grids: list[Grid], s: Structure) -> None:
    rng = ctx.rng
    chosen: list[tuple[Person, Org]] = []
    per_branch: dict[str, list[int]] = {}
    for g in grids:
        for c in g.compounds:
            home = c.branch or (g.org if g.org is not None and g.org.level == "branch" else None)
            for b in c.buildings:
                for p in b.people:
                    if not p.member or ctx.flag("member_no_membership"):
                        continue
                    org = _membership_org(ctx, plan, p, s, home)
                    if home is not None and org is home and p.full:
                        per_branch.setdefault(home.id, []).append(len(chosen))
                    chosen.append((p, org))
    # a branch needs three full members: bring home retired members held by the community's branch
    for org, _ in s.areas:
        have = len(per_branch.get(org.id, ()))
        if have >= 3:
            continue
        for k, (p, held) in enumerate(chosen):
            if have >= 3:
                break
            if held is s.direct and p.full and not p.in_service and _home_branch(p) is org:
                chosen[k] = (p, org)
                have += 1
    for p, org in chosen:
        _write_membership(ctx, p, org, rng.random())


def _home_branch(p: Person) -> Org | None:
    c = p.building.compound
    return c.branch or (c.grid.org if c.grid.org is not None and c.grid.org.level == "branch" else None)


def _membership_org(ctx: Ctx, plan: CommunityPlan, p: Person, s: Structure, home: Org | None) -> Org:
    rng = ctx.rng
    if p.cadre == "community":
        return s.direct
    if p.cadre == "street":
        return plan.street_office.top  # type: ignore[return-value]
    if p.firm_org is not None:
        return p.firm_org
    if p.in_service:
        e = p.employer
        return rng.choice(e.branches) if e is not None and e.branches else s.direct
    x = rng.random()
    if x < 0.6 and home is not None:
        return home
    if x < 0.85:
        return s.direct
    employers = ctx.city.employers
    retired_from = employers[rng.randrange(len(employers))]
    return rng.choice(retired_from.branches) if retired_from.branches else s.direct


def _write_membership(ctx: Ctx, p: Person, org: Org, x: float) -> None:
    rng, out = ctx.rng, ctx.out
    joined = p.joined or NOW
    start = max(joined, org.established)
    if p.full and x < 0.45 and start < NOW - timedelta(days=60):
        since = ctx.day(start, NOW - timedelta(days=30))
    else:
        since = start
    if since > joined + timedelta(days=400) and x < 0.3:
        # the membership was transferred from the community's branch or another employer
        employers = ctx.city.employers
        prior_e = employers[rng.randrange(len(employers))]
        prior = rng.choice(prior_e.branches) if prior_e.branches else None
        if prior is not None and prior is not org:
            prior_since = max(joined, prior.established)
            if prior_since < since - timedelta(days=1):
                out.memberships.row(
                    person_id=p.id, org_id=prior.id, since=prior_since, until=since - timedelta(days=1)
                )
    out.memberships.row(person_id=p.id, org_id=org.id, since=since)
    if p.full:
        org.full += 1
        _maybe_secretary(ctx, p, org, since)


def _maybe_secretary(ctx: Ctx, p: Person, org: Org, since: date) -> None:
    """The first full member of a branch becomes its secretary (or its parent's, first)."""
    if org.kind != "area" and not p.in_service:
        return  # retired members do not lead an employer's or a firm's branch
    parent = org.parent
    if (
        parent is not None
        and parent.secretary is None
        and (parent.level == "general_branch" if org.kind == "area" else parent.kind == org.kind)
    ):
        target = parent
    elif org.secretary is None:
        target = org
    else:
        return
    ctx.secretary(target, p.id, since)
    e = p.employer
    if e is not None and e.reported and e.top is target:
        ctx.city.instructor_pool.append((p.id, e.district))


# ---------------------------------------------------------------- the residence side


def residence(ctx: Ctx, grids: list[Grid], s: Structure) -> None:
    rng, r = ctx.rng, ctx.rates
    deck = ctx.deck(
        "residence",
        {
            "ok": 1 - r.member_no_residence - r.member_moved - r.member_two_registrations,
            "none": r.member_no_residence,
            "moved": r.member_moved,
            "two": r.member_two_registrations,
        },
    )
    for g in grids:
        for c in g.compounds:
            others = [org for org, covered in s.areas if c.id not in covered]
            for b in c.buildings:
                for p in b.people:
                    if not p.member:
                        continue
                    kind = deck.draw()
                    home = _residence_org(p)
                    if home is None and kind in ("ok", "two"):
                        kind = "none" if rng.random() < 0.5 else "moved"
                    other = rng.choice(others) if others else None
                    if kind == "ok" and home is not None:
                        if other is not None and rng.random() < 0.08:  # moved here, registered again
                            _moved_in(ctx, p, other, home)
                        else:
                            _register(ctx, p, home)
                    elif kind == "moved" and other is not None:
                        _register(ctx, p, other)
                    elif kind == "two" and home is not None:
                        _register(ctx, p, home)
                        if other is not None:
                            _register(ctx, p, other)


def _residence_org(p: Person) -> Org | None:
    b = p.building
    if p.entrance is not None and p.entrance in b.entrance_groups:
        return b.entrance_groups[p.entrance]
    return b.group or b.compound.residence_branch


def _register(ctx: Ctx, p: Person, org: Org) -> None:
    start = max(p.joined or NOW, org.established, date(2015, 1, 1))
    since = ctx.day(start, NOW - timedelta(days=1))
    ctx.out.residence_registrations.row(person_id=p.id, org_id=org.id, since=since)


def _moved_in(ctx: Ctx, p: Person, before: Org, now: Org) -> None:
    """Registered where they used to live, then again here after moving (the old one ended)."""
    w = ctx.out.residence_registrations
    start = max(p.joined or NOW, before.established, now.established, date(2015, 1, 1))
    if start >= NOW - timedelta(days=120):
        _register(ctx, p, now)
        return
    old = ctx.day(start, NOW - timedelta(days=120))
    new = ctx.day(old + timedelta(days=60), NOW - timedelta(days=1))
    w.row(person_id=p.id, org_id=before.id, since=old, until=new - timedelta(days=1))
    w.row(person_id=p.id, org_id=now.id, since=new)


# ---------------------------------------------------------------- 双报到 of in-service members


def dual_reports(ctx: Ctx, plan: CommunityPlan, grids: list[Grid]) -> None:
    rng, r = ctx.rng, ctx.rates
    deck = ctx.deck(
        "member_report",
        {
            "ok": 1 - r.member_not_reported - r.member_reported_elsewhere - r.member_report_ended,
            "none": r.member_not_reported,
            "elsewhere": r.member_reported_elsewhere,
            "ended": r.member_report_ended,
        },
    )
    w = ctx.out.dual_reports
    communities = ctx.city.community_ids  # "elsewhere" is another community of the same city
    for g in grids:
        for c in g.compounds:
            for b in c.buildings:
                for p in b.people:
                    if not (p.member and p.in_service):
                        continue
                    kind = deck.draw()
                    since = ctx.day(max(p.joined or NOW, date(2015, 6, 1)), NOW - timedelta(days=1))
                    if kind == "elsewhere" and len(communities) > 1:
                        other = plan.id
                        while other == plan.id:
                            other = rng.choice(communities)
                        w.row(reporter_id=p.id, community_id=other, since=since)
                    elif kind == "ended" and since < LAPSED_BY - timedelta(days=30):
                        until = ctx.day(since + timedelta(days=30), LAPSED_BY)
                        w.row(reporter_id=p.id, community_id=plan.id, since=since, until=until)
                    elif kind == "ok":
                        w.row(reporter_id=p.id, community_id=plan.id, since=since)
