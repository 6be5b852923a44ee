"""Lazy references between the node type modules (they refer to each other both ways)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

if TYPE_CHECKING:
    from api.graphql.types.committees import (
        Committee,
        EnvironmentPropertyCommittee,
        OwnersCommittee,
        RedStation,
        ResidentsCommittee,
        SelfManagementCommittee,
        ServiceCentre,
    )
    from api.graphql.types.one_plus_one import BranchView, MemberCard
    from api.graphql.types.orgs import Employer, PartyOrg, PropertyFirm
    from api.graphql.types.people import Person
    from api.graphql.types.places import Building, Community, Compound, Entrance, Grid, Place

_PLACES = "api.graphql.types.places"
_PEOPLE = "api.graphql.types.people"
_ORGS = "api.graphql.types.orgs"
_COMMITTEES = "api.graphql.types.committees"

PlaceRef: TypeAlias = Annotated["Place", strawberry.lazy(_PLACES)]
CommunityRef: TypeAlias = Annotated["Community", strawberry.lazy(_PLACES)]
GridRef: TypeAlias = Annotated["Grid", strawberry.lazy(_PLACES)]
CompoundRef: TypeAlias = Annotated["Compound", strawberry.lazy(_PLACES)]
BuildingRef: TypeAlias = Annotated["Building", strawberry.lazy(_PLACES)]
EntranceRef: TypeAlias = Annotated["Entrance", strawberry.lazy(_PLACES)]
PersonRef: TypeAlias = Annotated["Person", strawberry.lazy(_PEOPLE)]
PartyOrgRef: TypeAlias = Annotated["PartyOrg", strawberry.lazy(_ORGS)]
EmployerRef: TypeAlias = Annotated["Employer", strawberry.lazy(_ORGS)]
PropertyFirmRef: TypeAlias = Annotated["PropertyFirm", strawberry.lazy(_ORGS)]
CommitteeRef: TypeAlias = Annotated["Committee", strawberry.lazy(_COMMITTEES)]
OwnersCommitteeRef: TypeAlias = Annotated["OwnersCommittee", strawberry.lazy(_COMMITTEES)]
SelfManagementCommitteeRef: TypeAlias = Annotated["SelfManagementCommittee", strawberry.lazy(_COMMITTEES)]
ResidentsCommitteeRef: TypeAlias = Annotated["ResidentsCommittee", strawberry.lazy(_COMMITTEES)]
EnvironmentPropertyCommitteeRef: TypeAlias = Annotated[
    "EnvironmentPropertyCommittee", strawberry.lazy(_COMMITTEES)
]
ServiceCentreRef: TypeAlias = Annotated["ServiceCentre", strawberry.lazy(_COMMITTEES)]
RedStationRef: TypeAlias = Annotated["RedStation", strawberry.lazy(_COMMITTEES)]
MemberCardRef: TypeAlias = Annotated["MemberCard", strawberry.lazy("api.graphql.types.one_plus_one")]
BranchViewRef: TypeAlias = Annotated["BranchView", strawberry.lazy("api.graphql.types.one_plus_one")]
