"""Navigation: from a batch of nodes along one relationship type, one query per link.

A ``Link`` names the label the walk starts from (one with an indexed id), the relationship
type, the direction and, optionally, the label of what it reaches. Each link is one
registered query, generated here from the model's labels and types (never from input):
for every ``$ids`` it returns the relationships' properties and the full node at the other
end, with its anchors, so one round trip serves a whole level of a GraphQL selection and
primes the node loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.graphql.reads.anchors import anchors_cypher
from api.graphql.reads.nodes import node_row
from graph.declare import KEY_PROPERTY
from graph.model import all_labels, all_relationship_types
from graph.query import Query, Row

if TYPE_CHECKING:
    from graph.embedded import GraphView

OUT, IN = "out", "in"


@dataclass(frozen=True)
class Link:
    start: str  # label of the nodes walked from
    rel: str
    direction: str  # out: (start)-[rel]->(end); in: (start)<-[rel]-(end)
    end: str | None = None  # label of the nodes reached; None: any

    @property
    def name(self) -> str:
        return f"api.link.{self.start}.{self.direction}.{self.rel}" + (f".{self.end}" if self.end else "")

    def cypher(self) -> str:
        for label in (self.start, self.end):
            if label is not None and label not in all_labels():
                raise ValueError(f"unknown label {label}")
        if self.rel not in all_relationship_types():
            raise ValueError(f"unknown relationship type {self.rel}")
        end = f"(m:{self.end})" if self.end else "(m)"
        arrow = f"-[r:{self.rel}]->" if self.direction == OUT else f"<-[r:{self.rel}]-"
        return f"""
UNWIND $ids AS wanted
MATCH (n:{self.start} {{id: wanted}}){arrow}{end}
RETURN n.id AS source, properties(r) AS rel, m.id AS id,
  COLLECT {{ UNWIND labels(m) AS l RETURN l ORDER BY l }} AS labels, properties(m) AS props,
  {anchors_cypher("m", self.end)} AS anchors
ORDER BY source, id, rel._key
"""

    def networkx(self, g: GraphView, p: Mapping[str, Any]) -> list[Row]:
        rows: list[Row] = []
        for source in sorted(set(p["ids"])):
            if not g.has(source) or not g.has_label(source, self.start):
                continue
            for other, key, rel in g.walk(source, self.rel, self.direction):
                if self.end is not None and not g.has_label(other, self.end):
                    continue
                rows.append({"source": source, "rel": {**rel, KEY_PROPERTY: key}, **node_row(g, other)})
        rows.sort(key=lambda r: (r["source"], r["id"], r["rel"].get("_key", "")))
        return rows

    def query(self) -> Query:
        return Query(self.name, self.cypher(), self.networkx, doc="params: ids")


# ---------------------------------------------------------------- the links of the schema

PARENT = Link("Place", "PART_OF", OUT, "Place")
CHILDREN = Link("Place", "PART_OF", IN, "Place")
RESIDENTS = Link("Building", "LIVES_IN", IN, "Person")
ENTRANCE_RESIDENTS = Link("Entrance", "LIVES_IN_ENTRANCE", IN, "Person")
PLACE_COVERED_BY = Link("Place", "COVERS", IN, "PartyOrg")
PLACE_ROLES = Link("Place", "HOLDS_ROLE", IN, "Person")
PLACE_COMMITTEES = Link("Place", "BELONGS_TO", IN, "Committee")
PLACE_SERVED_BY = Link("Place", "SERVES", IN)
PLACE_LOCATED = Link("Place", "LOCATED_IN", IN)
PLACE_SERVES = Link("Place", "SERVES", OUT, "Compound")
COMMUNITY_REPORTERS = Link("Community", "REPORTED_TO", IN)

PERSON_HOME = Link("Person", "LIVES_IN", OUT, "Building")
PERSON_ENTRANCE = Link("Person", "LIVES_IN_ENTRANCE", OUT, "Entrance")
PERSON_WORKPLACE = Link("Person", "WORKS_AT", OUT)
PERSON_MEMBERSHIPS = Link("Person", "MEMBER_OF", OUT, "PartyOrg")
PERSON_RESIDENCE = Link("Person", "REGISTERED_AT_RESIDENCE", OUT, "PartyOrg")
PERSON_REPORTS = Link("Person", "REPORTED_TO", OUT, "Community")
PERSON_SEATS = Link("Person", "SEATED_ON", OUT, "Committee")
PERSON_ROLES = Link("Person", "HOLDS_ROLE", OUT)

ORG_PARENT = Link("PartyOrg", "SUBORDINATE_TO", OUT, "PartyOrg")
ORG_CHILDREN = Link("PartyOrg", "SUBORDINATE_TO", IN, "PartyOrg")
ORG_MEMBERS = Link("PartyOrg", "MEMBER_OF", IN, "Person")
ORG_RESIDENCE_MEMBERS = Link("PartyOrg", "REGISTERED_AT_RESIDENCE", IN, "Person")
ORG_COVERS = Link("PartyOrg", "COVERS", OUT)
ORG_REPORTS = Link("PartyOrg", "REPORTED_TO", OUT, "Community")
ORG_ROLES = Link("PartyOrg", "HOLDS_ROLE", IN, "Person")

EMPLOYER_COMMUNITY = Link("Employer", "LOCATED_IN", OUT, "Community")
EMPLOYER_COVERED_BY = Link("Employer", "COVERS", IN, "PartyOrg")
EMPLOYER_STAFF = Link("Employer", "WORKS_AT", IN, "Person")

FIRM_SERVES = Link("PropertyFirm", "SERVES", OUT, "Compound")
FIRM_COVERED_BY = Link("PropertyFirm", "COVERS", IN, "PartyOrg")
FIRM_STAFF = Link("PropertyFirm", "WORKS_AT", IN, "Person")
FIRM_ROLES = Link("PropertyFirm", "HOLDS_ROLE", IN, "Person")

COMMITTEE_OF = Link("Committee", "BELONGS_TO", OUT)
COMMITTEE_SEATS = Link("Committee", "SEATED_ON", IN, "Person")
COMMITTEE_SUBCOMMITTEES = Link("Committee", "BELONGS_TO", IN, "Committee")
COMMITTEE_SERVES = Link("Committee", "SERVES", OUT, "Compound")

CENTRE_PLACE = Link("ServiceCentre", "LOCATED_IN", OUT, "Place")
STATION_PLACE = Link("RedStation", "LOCATED_IN", OUT, "Place")

LINKS: tuple[Link, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Link))
QUERIES: dict[Link, Query] = {link: link.query() for link in LINKS}
