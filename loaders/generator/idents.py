"""Identifiers for generated rows: node ids, ID-card numbers, mobile numbers, credit codes.

Everything draws from the caller's ``random.Random`` so that one seed gives one dataset.
Check characters come from ``graph.identifiers`` (the same code the loaders validate with).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from graph.identifiers import credit_code_check_char, id_number_check_char

#: Zero-padded width of each id kind; the prefixes follow the model's examples.
ID_WIDTHS: dict[str, int] = {
    "PV": 4,
    "C": 4,
    "D": 4,
    "S": 4,
    "CM": 4,
    "G": 5,
    "P": 5,
    "B": 6,
    "E": 6,
    "R": 6,
    "O": 6,
    "U": 5,
    "F": 4,
    "OC": 5,
    "SM": 5,
    "RC": 4,
    "EP": 4,
    "SC": 4,
    "RS": 5,
}


class IdCounter:
    """Sequential ids per kind prefix: ``B-000001``, ``B-000002``, ... (one counter for a whole
    dataset, so that ids stay unique across its cities; a count past the width just grows)."""

    def __init__(self) -> None:
        self._next = dict.fromkeys(ID_WIDTHS, 0)

    def new(self, prefix: str) -> str:
        n = self._next[prefix] + 1
        self._next[prefix] = n
        return f"{prefix}-{n:0{ID_WIDTHS[prefix]}d}"


#: County-level codes of Xiangyang used as the first six digits of residents' ID numbers
#: (birthplace registration), with rough weights. 420621 was 襄阳县 before it became 襄州区.
BIRTH_AREAS: tuple[tuple[str, int], ...] = (
    ("420602", 14),
    ("420606", 18),
    ("420607", 14),
    ("420601", 6),
    ("420621", 6),
    ("420624", 6),
    ("420625", 6),
    ("420626", 3),
    ("420682", 7),
    ("420683", 10),
    ("420684", 6),
)


@dataclass(frozen=True)
class BirthAreas:
    """County-level codes a city's residents were born in, and their weights."""

    codes: tuple[str, ...]
    weights: tuple[int, ...]

    @classmethod
    def of(cls, areas: tuple[tuple[str, int], ...]) -> BirthAreas:
        return cls(tuple(a for a, _ in areas), tuple(w for _, w in areas))


XIANGYANG_BIRTH_AREAS = BirthAreas.of(BIRTH_AREAS)

#: Mainland mobile prefixes in use (China Mobile, Unicom, Telecom, Broadnet).
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "198",
    "199",
)


class PersonalIds:
    """Unique ID-card and mobile numbers for one dataset (all of its cities: a mobile number
    says nothing of its city, so two cities could otherwise draw the same one)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        # kept as ints: a province holds millions of them (the check character of an ID
        # number follows from its first 17 digits, so these are the number)
        self._ids: set[int] = set()
        self._phones: set[int] = set()

    def id_number(
        self, born: date, male: bool, home_area: str | None = None, areas: BirthAreas = XIANGYANG_BIRTH_AREAS
    ) -> str:
        """A new ID number: born in ``home_area`` about half the time, else in one of ``areas``."""
        rng = self._rng
        ymd = born.strftime("%Y%m%d")
        while True:
            if home_area is not None and rng.random() < 0.45:
                area = home_area
            else:
                area = rng.choices(areas.codes, areas.weights)[0]
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd: male, even: female
            first17 = f"{area}{ymd}{seq:03d}"
            value = first17 + id_number_check_char(first17)
            key = int(first17)
            if key not in self._ids:
                self._ids.add(key)
                return value

    def mobile(self) -> str:
        rng = self._rng
        while True:
            value = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            key = int(value)
            if key not in self._phones:
                self._phones.add(key)
                return value


# ---------------------------------------------------------------- unified social credit codes

_CC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organization code body."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)
    )
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


#: Registration authority and category (the first two characters) per employer kind.
CREDIT_PREFIX = {"organ": "11", "institution": "12", "social": "51", "enterprise": "91", "firm": "91"}


class CreditCodes:
    """Unique, valid unified social credit codes (GB 32100) with the caller's area codes."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def new(self, kind: str, area: str) -> str:
        rng = self._rng
        prefix = CREDIT_PREFIX[kind]
        while True:
            if prefix == "91":  # registered after 2015: the organization code starts with MA
                body = "MA" + "".join(rng.choice(_CC_ALPHABET) for _ in range(6))
            else:
                body = "".join(rng.choice("0123456789") for _ in range(8))
            first17 = prefix + area + body + _org_code_check(body)
            value = first17 + credit_code_check_char(first17)
            if value not in self._seen:
                self._seen.add(value)
                return value
