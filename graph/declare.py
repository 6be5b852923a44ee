"""The small frozen dataclasses the graph model is declared with.

Everything else is derived from these declarations: the input tables and their Chinese and
English headers (loaders, templates, ``docs/data-format.md``), validation rules, the Neo4j
constraints and indexes (``gongzhi schema``), the write statements of both stores, and the
generator's output. Declare a thing once in ``graph/model.py``; never spell a label,
relationship type or column name a second time elsewhere.

A node table becomes nodes of one label; a REF column on a node table becomes a relationship
from that node (for example ``buildings.compound_id`` -> ``(:Building)-[:PART_OF]->(:Compound)``).
A relationship table becomes relationships with properties; rows are identified by a key made of
the two ends and the declared key columns, so that loading the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any


class FieldType(StrEnum):
    STR = "str"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    ENUM = "enum"
    ID_NUMBER = "id_number"  # 18-digit resident identity card number, GB 11643
    PHONE = "phone"  # mainland mobile number
    CREDIT_CODE = "credit_code"  # 18-character unified social credit code, GB 32100
    REF = "ref"  # the id of a node of one of ``Column.ref`` labels


@dataclass(frozen=True)
class Choice:
    """One allowed value of an ENUM column: the stored code and its Chinese and English labels.

    Input files may use any of the three spellings, or one of ``aliases``: other spellings
    organizers use for the same value (``党员`` and ``正式党员`` for ``中共党员``); the code is
    what is stored. Aliases are declared here, not guessed, so that ``docs/data-format.md``
    can list every accepted spelling.
    """

    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling: the Chinese label, the code, the English label, the aliases."""
        return (self.zh, self.code, self.en, *self.aliases)


@dataclass(frozen=True)
class Column:
    """One column of an input table and, unless it is a REF, one property of the item.

    ``name`` is the English header and the property name; ``zh`` the Chinese header.
    ``personal`` columns are masked in every error, log line and default export.
    """

    name: str
    zh: str
    type: FieldType = FieldType.STR
    required: bool = False
    choices: tuple[Choice, ...] = ()
    ref: tuple[str, ...] = ()
    personal: bool = False
    indexed: bool = False
    en_doc: str = ""
    zh_doc: str = ""
    example: str = ""

    def choice(self, raw: str) -> Choice | None:
        """The Choice matching ``raw`` in any of its spellings (``Choice.spellings``), ignoring
        case and surrounding spaces (``m`` is ``M``; ``Party Member`` is ``party member``)."""
        return self.spelling_index.get(raw.strip().casefold())

    @cached_property
    def spelling_index(self) -> dict[str, Choice]:
        """Each case-folded spelling of a choice, to its Choice (first declared wins; a test
        holds every column to spellings that name one choice only)."""
        index: dict[str, Choice] = {}
        for c in self.choices:
            for spelling in c.spellings:
                index.setdefault(spelling.casefold(), c)
        return index


@dataclass(frozen=True)
class InlineRel:
    """A REF column of a node table that becomes a relationship from the node.

    ``forward``/``back``: the names of the generated API's fields along it (the single item
    it points at, the list back on the target); empty: derived by the rule of
    ``api/graphql/generated/names.py`` (the column without ``_id``; the source's table)."""

    column: str
    type: str
    forward: str = ""
    back: str = ""


@dataclass(frozen=True)
class ConditionalLabel:
    """An extra label a node carries when ``column`` holds one of ``codes``.

    Example: a Person whose 政治面貌 is 中共党员 or 中共预备党员 is also a ``PartyMember``.
    """

    label: str
    column: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Derived:
    """A stored property computed from other properties of the same node, never read from input.

    ``compute`` is pure: it is given the values of ``sources`` (in that order, ``None`` where
    absent) and returns the value, or ``None`` for none. Every writer stores it: the loaders
    compute it where a node's properties are assembled (``loaders/build.py``, which every load,
    bulk load and mutation goes through), and ``graph/derived.py`` brings stores written before
    (or by an older ``revision``) up to date. It is no input column and no part of an item's
    content hash (``graph/provenance.py``): a reload of unchanged data writes nothing.

    ``personal``: derived from a personal value, so treated as one (never in the generated API,
    logs or exports). ``revision``: changed whenever ``compute`` would give other values for the
    same sources, so that stores holding the old ones are recomputed (``graph/derived.py``).
    """

    name: str
    sources: tuple[str, ...]
    compute: Callable[..., Any]
    indexed: bool = False
    personal: bool = False
    revision: str = "1"
    en_doc: str = ""
    zh_doc: str = ""

    def value(self, props: dict[str, Any]) -> Any:
        return self.compute(*(props.get(s) for s in self.sources))


@dataclass(frozen=True)
class NodeKind:
    label: str
    table: str
    zh: str
    en_doc: str
    columns: tuple[Column, ...]
    inline_rels: tuple[InlineRel, ...] = ()
    extra_labels: tuple[str, ...] = ()
    conditional_labels: tuple[ConditionalLabel, ...] = ()
    derived: tuple[Derived, ...] = ()

    def __post_init__(self) -> None:
        names = {c.name for c in self.columns}
        for d in self.derived:
            if d.name in names or not set(d.sources) <= names:
                raise ValueError(f"{self.table}: derived {d.name!r} clashes with a column or has unknown sources")
            names.add(d.name)

    @property
    def id_column(self) -> Column:
        return self.columns[0]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.table} has no column {name!r}")

    @property
    def property_columns(self) -> tuple[Column, ...]:
        """Columns stored as node properties (every column but the REF ones)."""
        return tuple(c for c in self.columns if c.type is not FieldType.REF)

    def labels_for(self, props: dict[str, object]) -> tuple[str, ...]:
        """Every label a node of this kind carries given its properties, base label first."""
        extra = [cl.label for cl in self.conditional_labels if props.get(cl.column) in cl.codes]
        return (self.label, *self.extra_labels, *extra)

    @property
    def all_labels(self) -> tuple[str, ...]:
        return (
            self.label,
            *self.extra_labels,
            *(cl.label for cl in self.conditional_labels),
        )


@dataclass(frozen=True)
class RelKind:
    """A relationship table: ``from_column`` -> ``to_column`` with property columns.

    ``key`` names the property columns that, with both ends, identify a row: two rows with
    the same ends and key are the same fact (a membership restarted later has another
    ``since`` and so is another row).
    """

    type: str
    table: str
    zh: str
    en_doc: str
    from_column: Column
    to_column: Column
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()
    dated: bool = False
    rules: tuple[str, ...] = field(default=())
    #: names of the generated API's list fields from the ``from`` end and back from the ``to``
    #: end; empty: the table's name (``api/graphql/generated/names.py``)
    forward: str = ""
    back: str = ""

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (self.from_column, self.to_column, *self.columns)

    def column(self, name: str) -> Column:
        for c in self.all_columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.table} has no column {name!r}")


def rel_key(from_id: str, to_id: str, key_values: tuple[object, ...] = ()) -> str:
    """The identity of one relationship, stored as its ``_key`` property.

    >>> rel_key("P1", "O1", ("2020-01-01",))
    'P1|O1|2020-01-01'
    """
    parts = [from_id, to_id, *("" if v is None else str(v) for v in key_values)]
    return "|".join(parts)


SOURCE_PROPERTY = "_source"
KEY_PROPERTY = "_key"
