"""How an indicator is declared: its public id, wording, and the queries that answer it.

Each indicator has three queries, each a Cypher constant beside its networkx twin:

* ``count``: one row ``{total, covered}`` for ``$area`` on ``$date``;
* ``gaps``: one row per uncovered item, by id, with the evidence as data fields;
* ``suggest`` (optional): for the gap items ``$ids``, the candidates who could close each gap,
  ``{item, id, name, phone, kind, reason, via, grp, sub}``, ranked by ``grp, sub, id``, at most
  ``$limit`` per item.

The count and the gaps of one indicator share their coverage predicate (the same text on the
Cypher side, the same function on the networkx side), so ``len(gaps) == total - covered``.
Turning rows into explained ``Gap`` objects (``explain``) is store-independent Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from graph.query import Query, Row


@dataclass(frozen=True)
class Explanation:
    status: str
    zh: str
    en: str


@dataclass(frozen=True)
class Indicator:
    id: str
    title_zh: str
    title_en: str
    unit_zh: str
    unit_en: str
    item_kind: str  # the label of the items counted
    rule_zh: str
    rule_en: str
    count: Query
    gaps: Query
    explain: Callable[[Row], Explanation]
    suggest: Query | None = None
    #: which gap rows to ask ``suggest`` about (default: all of them)
    suggest_for: Callable[[Row], bool] | None = None
    #: suggestions read straight off the gap row (e.g. the community to report to)
    row_suggestions: Callable[[Row], list[Row]] | None = None
    #: whether item names are personal (the items are people)
    personal_items: bool = False
    #: The place label every counted row hangs on, one place of that kind per row (a member's
    #: building, a committee's compound). Rows then split cleanly between child areas, so an
    #: area's counts are the sum of its children's and a roll-up need not ask again
    #: (``queries.rollup``). ``None`` when one item can count in several child areas, as an
    #: employer org or a firm serving compounds in two streets does (counted once, DISTINCT).
    anchor: str | None = None

    def __post_init__(self) -> None:
        # Every indicator's queries have the same shapes, so a federation joins them the same
        # way: counts add up, gap rows (one per item, by id) merge, suggestions stay per item.
        # Exact when no counted item lies in two parts (docs/scale.md).
        for name, how in (("count", "sum"), ("gaps", "union"), ("suggest", "by_item")):
            q = getattr(self, name)
            if q is not None and q.federate is None:
                object.__setattr__(self, name, replace(q, federate=how))

    @property
    def queries(self) -> tuple[Query, ...]:
        return (self.count, self.gaps) + ((self.suggest,) if self.suggest is not None else ())


def count_en(n: int, noun: str, plural: str | None = None) -> str:
    """``1 member``, ``2 members``: an English count with its noun in the right number (the
    explanations and the CLI's English say "1 member", never "1 members")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
