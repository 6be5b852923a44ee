"""Search (检索): people by name, full phone or full ID number; buildings and compounds by name.

One ``search(text:)`` field reads the text the way an organizer types it:

* 11 digits starting 1 (spaces, dashes and +86 allowed): a **full phone** number;
* 17 digits and a digit or X: a **full ID number**;
* other runs of 4 to 17 digits: **part of a phone or ID number**, only for a role that may
  see those numbers unmasked (officer, admin; ``Role.may_reveal``) and with a ``reason``,
  the rule for showing such a number in full (``api/graphql/personal.py``): anyone else is
  refused, so a partial number cannot be used to walk the numbers of an area;
* Latin letters only (``zsf``): the start of a person's name or of its **pinyin initials**
  (张三丰; ``Person.name_initials``, ``graph/pinyin.py``: a surname's other readings count
  too, so ``sxx`` finds 单雄信 as ``dxx`` does), for the same roles and as a name is searched,
  and part of a building's or compound's name;
* anything else: the **start of a person's name** (roles that see names: organizer and
  up; a viewer sees names masked, so a viewer's name search lists no people) and **part of a
  building's or compound's name** (everyone).

What is found is what the user may see: each search is a compiled plan (``graph/select.py``)
whose jurisdiction is the user's area, so an item outside it is never matched, counted or
hinted at. People come back as ``Person`` objects and so masked as everywhere else: a viewer
who searches by a full phone number learns that the person lives in their area, masked.

Every search of people (by name or number) is written to the audit log: who, when, how the
text was read, and an HMAC of the text under the installation's key (``search.key`` next to
the audit log, created once, mode 0600), never the text itself: the entry can be matched
against a known value by whoever holds the key, and cannot be read back into one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from enum import Enum
from pathlib import Path
from typing import Any

import strawberry

from api.graphql.context import Context, ctx
from api.graphql.errors import ClientError
from api.graphql.types.base import wrap
from api.graphql.types.people import Person
from api.graphql.types.places import Building, Compound
from graph.identifiers import normalize_mobile
from graph.pinyin import INITIALS_TEXT
from graph.select import Cmp, Filter, Or, Select, SortKey

FULL_PHONE = re.compile(r"^1[3-9]\d{9}$")
FULL_ID = re.compile(r"^\d{17}[\dX]$")
PART_NUMBER = re.compile(r"^\d{4,17}$")
MAX_TEXT = 50
KEY_FILE = "search.key"

PARTIAL_REFUSED = (
    "按号码片段检索仅限可查看完整号码的角色，并需说明理由 / searching by part of a phone or ID number "
    "is only for roles that may see those numbers, with a reason"
)


@strawberry.enum(description="how a search text was read (检索方式)")
class SearchBy(Enum):
    NAME = "name"  # 姓名开头 / 名称
    INITIALS = "initials"  # 姓名或拼音首字母开头 / 名称
    PHONE = "phone"  # 完整手机号
    ID_NUMBER = "id_number"  # 完整身份证号
    PART_NUMBER = "part_number"  # 号码片段


@strawberry.type(description="what a search found, within your area (检索结果)")
class SearchResults:
    by: SearchBy
    persons: list[Person]
    buildings: list[Building]
    compounds: list[Compound]


def read_text(text: str) -> tuple[SearchBy, str]:
    """How ``text`` is searched and the value searched for."""
    compact = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"(\+?86)?1\d{10}", compact):
        phone = normalize_mobile(compact)
        if FULL_PHONE.match(phone):
            return SearchBy.PHONE, phone
    if FULL_ID.match(compact.upper()):
        return SearchBy.ID_NUMBER, compact.upper()
    if PART_NUMBER.match(compact):
        return SearchBy.PART_NUMBER, compact
    if INITIALS_TEXT.fullmatch(text.strip()):
        return SearchBy.INITIALS, text.strip()
    return SearchBy.NAME, text.strip()


def _person_filter(by: SearchBy, value: str) -> Filter:
    if by is SearchBy.PHONE:
        return Cmp("phone", "eq", value)
    if by is SearchBy.ID_NUMBER:
        return Cmp("id_number", "eq", value)
    if by is SearchBy.PART_NUMBER:
        return Or((Cmp("phone", "contains", value), Cmp("id_number", "contains", value)))
    if by is SearchBy.INITIALS:
        # the default reading starts the value; the surname's other readings follow a space
        initials = value.lower()
        return Or((
            Cmp("name", "starts_with", value),
            Cmp("name_initials", "starts_with", initials),
            Cmp("name_initials", "contains", f" {initials}"),
        ))
    return Cmp("name", "starts_with", value)


def _place(label: str, value: str, first: int) -> Select:
    return Select(label, where=Cmp("name", "contains", value), order=(SortKey("name"),), first=first)


def _key(path: Path) -> bytes:
    """The installation's search key, created once (exclusive create: two servers agree)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        key = secrets.token_bytes(32)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        return key


def text_digest(c: Context, value: str) -> str:
    key = _key(c.audit_log.path.parent / KEY_FILE)
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


async def search(info: Any, text: str, first: int, reason: str | None) -> SearchResults:
    c = ctx(info)
    if not text.strip() or len(text) > MAX_TEXT:
        raise ClientError(f"检索内容须为1至{MAX_TEXT}个字符 / the search text must be 1 to {MAX_TEXT} characters")
    if not 1 <= first <= c.limits.max_page:
        raise ClientError(f"first must be between 1 and {c.limits.max_page}")
    by, value = read_text(text)
    role = c.principal.role
    why = (reason or "").strip()
    if by is SearchBy.PART_NUMBER and not (role.may_reveal and why):
        raise ClientError(PARTIAL_REFUSED)
    plans: list[Select] = []
    by_name = by in (SearchBy.NAME, SearchBy.INITIALS)
    people = not by_name or role.sees_names
    if people:
        plans.append(Select("Person", where=_person_filter(by, value), order=(SortKey("id"),), first=first))
    places = by_name
    if places:
        plans += [_place("Building", value, first), _place("Compound", value, first)]
    results = await c.data.select(*plans) if plans else []
    found = iter(results)
    persons: list[Any] = []
    if people:
        c.record("search", by.value, f"hmac:{text_digest(c, value)}" + (f" reason:{why[:200]}" if why else ""))
        persons = [wrap(o) for o in await c.data.nodes([r["id"] for r in next(found).rows], "Person") if o]
    buildings: list[Any] = []
    compounds: list[Any] = []
    if places:
        buildings = [wrap(o) for o in await c.data.nodes([r["id"] for r in next(found).rows], "Building") if o]
        compounds = [wrap(o) for o in await c.data.nodes([r["id"] for r in next(found).rows], "Compound") if o]
    return SearchResults(by=by, persons=persons, buildings=buildings, compounds=compounds)


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="search your area (检索): people by the start of their name or its pinyin initials, "
        "a full phone or ID number "
        "(part of a number: officers and admins, with a reason); buildings and compounds by part of their name"
    )
    async def search(
        self, info: strawberry.Info, text: str, first: int = 20, reason: str | None = None
    ) -> SearchResults:
        return await search(info, text, first, reason)
