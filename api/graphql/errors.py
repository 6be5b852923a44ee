"""Errors: what a client may read, and what is masked.

``ClientError`` carries a message written for the client (a bad cursor, a page too large);
any other exception raised while executing is shown only as ``内部错误 / internal error``
(strawberry's ``MaskErrors``): no stack trace, no Cypher, no personal value leaves the
server. Expected domain failures are not errors at all: mutations return them as members of
their result unions (``api/graphql/mutations/results.py``).
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

MASKED_MESSAGE = "内部错误 / internal error"


class ClientError(Exception):
    """An error whose message is meant for the client (it never holds personal data)."""


def should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return False  # syntax and validation errors: about the document, safe to show
    return not isinstance(original, ClientError)


def mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)
