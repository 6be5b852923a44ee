"""A domain query written once per store, side by side.

Every query the product answers is a ``Query``: a Cypher text (parameters only, never
string-built from input) and its networkx twin, a function over the embedded store's
read-only ``GraphView``. Both sides return a list of plain dicts in the same, declared
order, with plain Python values (``datetime.date`` for dates), so that tests can compare
the two stores' answers with ``==``.

Example::

    COUNT_BY_LABEL = Query(
        name="count_by_label",
        cypher="MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label",
        networkx=lambda g, p: [{"label": k, "n": v} for k, v in sorted(g.label_counts().items())],
    )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.embedded import GraphView

Row = dict[str, Any]
NxFunction = Callable[["GraphView", Mapping[str, Any]], list[Row]]


@dataclass(frozen=True)
class Query:
    name: str
    cypher: str
    networkx: NxFunction
    doc: str = ""
    #: How a federation (``graph/federated.py``) joins the answers of the parts that hold the
    #: query's ``$area`` when more than one does (the area above the split, e.g. the province
    #: over parts holding its cities): ``"sum"`` (one row of counts, added up), ``"union"``
    #: (rows ordered by ``id``, merged, an id kept once), ``"first"`` (every holder answers
    #: the same), ``"merge_lists"`` (one row whose lists are united, sorted), ``"by_item"``
    #: (rows grouped by ``item``, each item in one part). ``None``:
    #: the query is not answered across parts; it is sent to the one part holding its area.
    federate: str | None = None
