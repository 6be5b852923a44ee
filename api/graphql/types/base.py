"""The ``Node`` interface and the mapping from a graph node to its GraphQL type."""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.ids import TYPE_NAMES, to_global
from api.graphql.scope import Obj

#: GraphQL type class by the node kind's base label.
TYPES: dict[str, type[Any]] = {}


@strawberry.interface(description="Relay node: anything with a global id (全局编号).")
class Node:
    _obj: strawberry.Private[Obj]

    @strawberry.field(description="global id (全局编号); pass it back to node(id:)")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global(type(self).__name__, self._obj.id))

    @strawberry.field(description="ledger id (台账编号), e.g. B-0001")
    def key(self) -> str:
        return self._obj.id


def register(label: str) -> Any:
    """Class decorator: the GraphQL type of nodes whose base label is ``label``."""

    def deco(cls: type[Any]) -> type[Any]:
        TYPES[label] = cls
        TYPE_NAMES.add(cls.__name__)
        return cls

    return deco


def wrap(obj: Obj | None) -> Any:
    """The GraphQL object of a (visible) node, or None."""
    if obj is None:
        return None
    cls = TYPES.get(obj.kind)
    return None if cls is None else cls(_obj=obj)


def label_of_type(type_name: str) -> str | None:
    for label, cls in TYPES.items():
        if cls.__name__ == type_name:
            return label
    return None
