"""The root ``Mutation``: the everyday organizer actions (filled in step by step)."""

from __future__ import annotations

import strawberry


@strawberry.type(description="the everyday changes organizers record")
class Mutation:
    @strawberry.field(description="no-op; the mutations come in the following modules")
    def ping(self) -> bool:
        return True
