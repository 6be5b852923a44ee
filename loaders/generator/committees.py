"""Self-governance in a compound: owners' and self-management committees with their seats.

Owners' committees serve terms (five years, some three) and are re-elected as a chain of
committees; some chains end without a successor. Seats go to owners living in the compound,
with the party share of the current committee deliberately below 50% in some compounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from loaders.generator.context import NOW, Ctx, add_years
from loaders.generator.places import Compound, Person, make_masses
from loaders.generator.world import cn_number


@dataclass
class Current:
    """The compound's committees current on NOW (for property service and supervisors)."""

    owners: str | None = None
    self_management: str | None = None
    chair: Person | None = None


def compound_committees(ctx: Ctx, c: Compound) -> Current:
    r = ctx.rates
    cur = Current()
    pools = _Pools(ctx, c)
    if c.eligible:
        kind = ctx.deck(
            "owners_committee",
            {
                "ok": 1 - r.compound_no_owners_committee - r.committee_term_ended,
                "none": r.compound_no_owners_committee,
                "ended": r.committee_term_ended,
            },
        ).draw()
        if kind == "none":
            if ctx.deck("self_management_instead", {"no": 0.65, "yes": 0.35}, size=3).draw() == "yes":
                # not yet an owners' committee: a self-management committee acts for one
                _self_management(ctx, c, pools, cur, ctx.day(date(2018, 1, 1), date(2025, 6, 30)), None)
            return cur
        if kind == "ended":
            first = ctx.day(date(2016, 1, 1), date(2021, 5, 31))
        else:
            first = ctx.day(date(2015, 1, 1), date(2025, 12, 31))
        if first.year >= 2020 and ctx.rng.random() < 0.35:  # a self-management committee came first
            _self_management(ctx, c, pools, Current(), ctx.day(date(2017, 1, 1), date(2019, 6, 30)), first)
        _owners_chain(ctx, c, pools, cur, first, renew=kind == "ok")
    else:
        kind = ctx.deck(
            "self_committee",
            {
                "ok": 1 - r.compound_no_self_committee - r.committee_term_ended,
                "none": r.compound_no_self_committee,
                "ended": r.committee_term_ended,
            },
        ).draw()
        if kind == "ok":
            _self_management(ctx, c, pools, cur, ctx.day(date(2018, 1, 1), date(2025, 12, 31)), None)
        elif kind == "ended":
            since = ctx.day(date(2017, 1, 1), date(2022, 6, 30))
            _self_management(
                ctx, c, pools, Current(), since, ctx.day(since + timedelta(days=365), date(2026, 5, 31))
            )
    return cur


def _owners_chain(ctx: Ctx, c: Compound, pools: _Pools, cur: Current, since: date, renew: bool) -> None:
    term = 1
    previous: list[Person] = []
    while True:
        years = 5 if ctx.rng.random() < 0.7 else 3
        until = add_years(since, years) - timedelta(days=1)
        oc_id = ctx.ids.new("OC")
        ctx.out.owners_committees.row(
            id=oc_id,
            name=f"{c.name}第{cn_number(term)}届业主委员会",
            compound_id=c.id,
            since=since,
            until=until,
        )
        last = until >= NOW or not renew
        chair = _seats(ctx, oc_id, pools, since, until, (5, 7, 9), previous, decide=last)
        if until >= NOW:
            cur.owners, cur.chair = oc_id, chair
        if last:
            return
        previous = pools.last
        since = until + timedelta(days=ctx.rng.randint(1, 90))
        term += 1


def _self_management(
    ctx: Ctx, c: Compound, pools: _Pools, cur: Current, since: date, until: date | None
) -> None:
    """A self-management committee from ``since``; with ``until``, it ended the day before."""
    end = None if until is None else max(since, until - timedelta(days=1))
    sm_id = ctx.ids.new("SM")
    ctx.out.self_management_committees.row(
        id=sm_id, name=f"{c.name}居民自治管理委员会", compound_id=c.id, since=since, until=end
    )
    current = end is None or end >= NOW
    chair = _seats(ctx, sm_id, pools, since, end, (3, 5, 7), [], decide=current)
    if current:
        cur.self_management, cur.chair = sm_id, chair


class _Pools:
    """Owners of one compound who could sit on its committees: members and non-members."""

    def __init__(self, ctx: Ctx, c: Compound) -> None:
        self.ctx = ctx
        self.compound = c
        owners = [p for p in c.people() if p.owner and not p.cadre]
        ctx.rng.shuffle(owners)
        self.members = [p for p in owners if p.member]
        self.others = [p for p in owners if not p.member]
        self.last: list[Person] = []

    def other(self, taken: set[str]) -> Person:
        for p in self.others:
            if p.id not in taken:
                return p
        b = self.ctx.rng.choice(self.compound.buildings)
        p = make_masses(self.ctx, b, owner=True)
        self.others.append(p)
        return p


def _seats(
    ctx: Ctx,
    committee_id: str,
    pools: _Pools,
    since: date,
    until: date | None,
    sizes: tuple[int, ...],
    previous: list[Person],
    decide: bool,
) -> Person:
    """Fill a committee; ``decide`` applies the party-share and chair decks (current committees)."""
    rng, r = ctx.rng, ctx.rates
    n = rng.choice(sizes)
    half = (n + 1) // 2
    if decide:
        low = ctx.flag("committee_low_party_share")
        member_chair = not ctx.flag("committee_chair_not_member")
    else:
        low, member_chair = rng.random() < r.committee_low_party_share, rng.random() < 0.6
    want = rng.randint(max(0, half - 3), half - 1) if low else rng.randint(half, n)
    kept = [p for p in previous if rng.random() < 0.6]
    chosen = [p for p in kept if p.member][:want] + [p for p in kept if not p.member][: n - want]
    taken = {p.id for p in chosen}
    have = sum(1 for p in chosen if p.member)
    for p in pools.members:
        if have >= want or len(chosen) >= n:
            break
        if p.id not in taken:
            chosen.append(p)
            taken.add(p.id)
            have += 1
    while len(chosen) < n:
        p = pools.other(taken)
        chosen.append(p)
        taken.add(p.id)
    members = [p for p in chosen if p.member]
    others = [p for p in chosen if not p.member]
    chair = members[0] if member_chair and members else others[0] if others else chosen[0]
    rest = [p for p in chosen if p is not chair]
    w = ctx.out.committee_seats
    w.row(person_id=chair.id, committee_id=committee_id, role="chair", since=since, until=until)
    for i, p in enumerate(rest):
        role = "vice_chair" if i < (2 if n >= 7 else 1) else "member"
        w.row(person_id=p.id, committee_id=committee_id, role=role, since=since, until=until)
    pools.last = chosen
    return chair
