"""What a mutation answers: its success payload or one of these typed errors, in a union.

Expected failures are never GraphQL errors: the client reads ``__typename`` and the fields of
the error, for example ``... on InvalidInput { issues { field reason } }``. Values quoted in
issues are masked when they are personal (the loaders' rule). An id outside the user's
jurisdiction is ``NotFound``, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from graph.errors import Issue


@strawberry.type(description="one problem with the input, as the loaders' validation found it")
class InputIssue:
    field: str | None = strawberry.field(description="the input field (the table column it fills)")
    value: str | None = strawberry.field(description="the value given, masked when personal")
    reason: str
    reason_zh: str


@strawberry.type(description="the input breaks a rule of the data; nothing was written (输入不符合规则，未写入)")
class InvalidInput:
    message: str
    message_zh: str
    issues: list[InputIssue]


@strawberry.type(description="an id that does not exist or is outside your area (未找到)")
class NotFound:
    message: str
    message_zh: str
    id: str = strawberry.field(description="the id as given")


@strawberry.type(description="your role may not do this (无权操作)")
class NotAllowed:
    message: str
    message_zh: str


@strawberry.type(description="the store is busy or unreachable; nothing was written, try again (存储暂不可用)")
class Unavailable:
    message: str
    message_zh: str


Failure = InvalidInput | NotFound | NotAllowed | Unavailable


class Refused(Exception):
    """Raised inside a mutation to end it with one of the typed failures."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def not_found(node_id: str, what: str = "object", what_zh: str = "对象") -> Refused:
    return Refused(NotFound(message=f"no {what} {node_id} in your area", message_zh=f"辖区内未找到{what_zh} {node_id}", id=node_id))


def invalid(message: str, message_zh: str, issues: Sequence[Issue] = (), field: str | None = None) -> Refused:
    shown = [
        InputIssue(field=i.column, value=i.value, reason=i.reason, reason_zh=i.reason_zh or i.reason) for i in issues
    ]
    if not shown:
        shown = [InputIssue(field=field, value=None, reason=message, reason_zh=message_zh)]
    return Refused(InvalidInput(message=message, message_zh=message_zh, issues=shown))


def not_allowed() -> Refused:
    return Refused(
        NotAllowed(
            message="this token's role may only read (viewer)", message_zh="该令牌的角色只能查询（viewer），不能修改数据"
        )
    )


def unavailable(message_zh: str, message: str = "the store is busy or unavailable; nothing was written") -> Refused:
    return Refused(Unavailable(message=message, message_zh=message_zh))
