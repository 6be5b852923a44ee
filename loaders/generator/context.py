"""The generator's shared state: the seeded random source, id counters, writers, rates and
the registries that keep identifiers and names unique for the whole dataset (``Ctx``), and
the few city-wide registries (employers, firms, communities) that outlive one community but
not their city (``City``)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from loaders.generator.cities import XIANGYANG
from loaders.generator.idents import CreditCodes, IdCounter, PersonalIds
from loaders.generator.names import CityNames, Unique
from loaders.generator.output import Output
from loaders.generator.rates import Deck, GapRates, flag_deck

#: "Now" for every generated dataset: nothing depends on the real clock.
NOW = date(2026, 6, 30)


def rand_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in [start, end] (start when the range is empty)."""
    span = (end - start).days
    return start if span <= 0 else start + timedelta(days=rng.randint(0, span))


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Org:
    """A party organization as the generator tracks it."""

    __slots__ = ("children", "established", "full", "id", "kind", "level", "name", "parent", "secretary")

    def __init__(
        self, id: str, name: str, level: str, kind: str, parent: Org | None, established: date
    ) -> None:
        self.id = id
        self.name = name
        self.level = level
        self.kind = kind
        self.parent = parent
        self.established = established
        self.full = 0  # full members holding membership here
        self.secretary: str | None = None
        self.children: list[Org] = []


@dataclass
class Employer:
    id: str
    name: str
    kind: str
    community_id: str
    district: int
    weight: float
    top: Org | None = None
    branches: list[Org] = field(default_factory=list)
    reported: bool = False


@dataclass
class Firm:
    id: str
    name: str
    district: int
    category: str
    org: Org | None = None


@dataclass
class City:
    """The city being generated and what its communities draw on: nothing here is shared
    with another city (cities are independent worlds), and all of it goes with the city."""

    names: CityNames = XIANGYANG
    community_ids: list[str] = field(default_factory=list)
    employers: list[Employer] = field(default_factory=list)
    employers_by_district: dict[int, list[Employer]] = field(default_factory=dict)
    firms_by_district: dict[int, list[Firm]] = field(default_factory=dict)
    firm_orgs_to_fill: dict[int, list[tuple[Org, Firm]]] = field(default_factory=dict)
    #: (person id, district index) of people who could be sent to a firm as instructor
    instructor_pool: list[tuple[str, int]] = field(default_factory=list)
    #: the district (index into ``names.districts``) of the community being generated
    current_district: int = 0


@dataclass
class Ctx:
    rng: random.Random
    out: Output
    rates: GapRates
    ids: IdCounter = field(default_factory=IdCounter)
    personal: PersonalIds = field(init=False)
    credit: CreditCodes = field(init=False)
    decks: dict[str, Deck] = field(default_factory=dict)
    #: names of employers and property firms: one registered name is one organization, whatever its city
    employer_names: Unique = field(default_factory=Unique)
    firm_names: Unique = field(default_factory=Unique)
    #: contracts written so far (contract numbers are unique across the dataset)
    contracts: int = 0
    #: replaced by a new one for every city of the dataset
    city: City = field(default_factory=City)

    def __post_init__(self) -> None:
        self.personal = PersonalIds(self.rng)
        self.credit = CreditCodes(self.rng)

    def deck(self, name: str, weights: dict[str, float], size: int = 20) -> Deck:
        """The named deck, made on first use (decks live for the whole dataset)."""
        d = self.decks.get(name)
        if d is None:
            d = self.decks[name] = Deck(self.rng, weights, size)
        return d

    def flag(self, name: str, size: int = 20) -> bool:
        """Draw from the yes/no deck of rate ``GapRates.<name>``."""
        d = self.decks.get(name)
        if d is None:
            d = self.decks[name] = flag_deck(self.rng, getattr(self.rates, name), size)
        return d.draw() == "yes"

    def day(self, start: date, end: date) -> date:
        return rand_date(self.rng, start, end)

    def org(self, name: str, level: str, kind: str, parent: Org | None, established: date) -> Org:
        """Create a party org and write its row."""
        o = Org(self.ids.new("O"), name, level, kind, parent, established)
        if parent is not None:
            parent.children.append(o)
        self.out.party_orgs.row(
            id=o.id,
            name=name,
            level=level,
            kind=kind,
            parent_id=parent.id if parent else None,
            established_on=established,
        )
        return o

    def covers(self, org: Org, target_id: str, since: date, until: date | None = None) -> None:
        self.out.org_coverage.row(org_id=org.id, target_id=target_id, since=since, until=until)

    def appoint(
        self, person_id: str, target_id: str, role: str, since: date, until: date | None = None
    ) -> None:
        self.out.appointments.row(
            person_id=person_id, target_id=target_id, role=role, since=since, until=until
        )

    def secretary(self, org: Org, person_id: str, since: date) -> None:
        if org.secretary is None:
            org.secretary = person_id
            self.appoint(person_id, org.id, "secretary", max(since, org.established))
