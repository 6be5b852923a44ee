"""What a read will cost, estimated from the store's own counts before it runs.

The cost limit (``api/graphql/cost.py``) refuses a request whose estimate is over
``Limits.max_cost`` before anything is executed. A fixed guess per nested list (its page
size) refuses honest requests (a district's tree of places at ``first: 50`` a level is
50^3 = 125,000 places by that guess, about 600 in fact) and says nothing true about real
abuse. So each level's length is estimated from the data: the average fan-out of the
relationship it follows (``Degrees``: relationships per label and type, counted by the store),
never more than the page asked. The unit is one field of one returned item, as in the rule
for the hand-written fields; a filtered or sorted list also pays ``SCAN_WEIGHT`` per item it
must look at (the store does that work, not the GraphQL layer, so it is cheaper per item),
and a relationship filter multiplies that by the items it reaches, each ``REACH_WEIGHT``: nested
``some``/``none``/``all`` filters are a product of fan-outs however short the page.
"""

from __future__ import annotations

import math

from graph.records import Degrees
from graph.select import And, CountFilter, CountKey, Filter, Hop, Not, Or, RelFilter, Select

#: The price of looking at one item while filtering, sorting or counting (one returned field is 1).
SCAN_WEIGHT = 0.01


#: What one item a relationship filter reaches costs, in items looked at: its own test and
#: the jurisdiction's (a filter counts only what the user may see, so each reached item is
#: also tested for lying in the user's area, a walk up the place tree).
REACH_WEIGHT = 3.0


#: The fan-out assumed for a label the counts know no node of (an empty or not yet counted
#: store): what a page holds by default, so an estimate is never low for want of counts.
UNKNOWN_FAN_OUT = 20.0


def fan_out(degrees: Degrees, label: str, hop: Hop) -> float:
    """The average number of items ``hop`` reaches from an item of ``label``."""
    if not degrees.labels.get(label):
        return UNKNOWN_FAN_OUT
    return degrees.fan_out(label, hop.rel, hop.direction)


def _filter_cost(where: Filter | None, label: str, degrees: Degrees) -> float:
    """The items one evaluation of ``where`` looks at, besides the item itself."""
    if where is None:
        return 0.0
    if isinstance(where, And | Or):
        return sum(_filter_cost(w, label, degrees) for w in where.items)
    if isinstance(where, Not):
        return _filter_cost(where.item, label, degrees)
    if isinstance(where, RelFilter | CountFilter):
        reached = fan_out(degrees, label, where.hop)
        return reached * (REACH_WEIGHT + _filter_cost(where.where, where.hop.label, degrees))
    return 0.0


def _length(pool: float, first: int | None, default_page: int) -> float:
    page = default_page if first is None else first
    return min(float(page), math.ceil(pool)) if pool > 0 else 0.0


def _scans(plan: Select) -> bool:
    """Whether the store must look at every candidate, not just the page."""
    return bool(plan.where or plan.total or plan.aggregates or plan.group_by or plan.order)


def _select_cost(plan: Select, pool: float, degrees: Degrees, default_page: int) -> float:
    """The cost of ``plan`` run once, over ``pool`` candidate items."""
    per_candidate = 1 + _filter_cost(plan.where, plan.label, degrees)
    for key in plan.order:
        if isinstance(key.key, CountKey):
            per_candidate += fan_out(degrees, plan.label, key.key.hop)
    scan = pool * per_candidate * SCAN_WEIGHT if _scans(plan) else 0.0
    rows = _length(pool, plan.first, default_page)
    per_row = float(len(plan.fields) + len(plan.rel_fields))
    for _alias, nested in plan.nested:
        reached = fan_out(degrees, plan.label, nested.hop)
        per_row += 1 + _select_cost(nested.select, reached, degrees, default_page)
    return scan + rows * per_row + len(plan.aggregates) + (1 if plan.total else 0)


def estimate(plan: Select, degrees: Degrees, *, default_page: int = 20) -> float:
    """The estimated cost of running ``plan`` as a root list (the whole label as candidates:
    the user's area is at most that; a label not counted yet, its page)."""
    pool = degrees.labels.get(plan.label) or max(plan.first or default_page, default_page)
    return _select_cost(plan, float(pool), degrees, default_page)
