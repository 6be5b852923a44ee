"""Personal data in responses: masked unless the user's role allows it, every full read audited.

* Names: masked (``张*``) for viewers; shown to organizers, officers and admins, each shown
  name noted in the audit log (reason: the role).
* Phone and ID numbers: always masked (``138****1234``, ``420602********1234``) unless the
  role may reveal them (officer, admin) and the client gives a ``reason``; each full value
  is noted in the audit log with that reason. A reason from a role without the right changes
  nothing: the value stays masked.
"""

from __future__ import annotations

from typing import Any

from api.graphql.context import ctx
from graph.declare import Column
from graph.model import PERSON
from graph.privacy import mask

NAME = PERSON.column("name")
PHONE = PERSON.column("phone")
ID_NUMBER = PERSON.column("id_number")


def name(info: Any, record: str, value: Any, column: Column = NAME) -> str | None:
    """A personal text (a name): shown by role, audited. ``column``: the declared column
    (the generated API passes its own; the masking rule is this one either way)."""
    if value is None:
        return None
    c = ctx(info)
    if not c.principal.role.sees_names:
        return str(mask(column, value))
    c.record(record, column.name, f"role:{c.principal.role.value}")
    return str(value)


def sensitive(
    info: Any, record: str, field_name: str, value: Any, reason: str | None, column: Column | None = None
) -> str | None:
    """A phone or ID number: full only for a role that may reveal it and a non-empty reason."""
    if value is None:
        return None
    if column is None:
        column = PHONE if field_name == "phone" else ID_NUMBER
    c = ctx(info)
    why = (reason or "").strip()
    if not (c.principal.role.may_reveal and why):
        return str(mask(column, value))
    c.record(record, field_name, why[:200])
    return str(value)
