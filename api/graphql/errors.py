"""Errors: what a client may read, what is masked, and what the server's log may hold.

``ClientError`` carries a message written for the client (a bad cursor, a page too large);
any other exception raised while executing is shown only as ``内部错误 / internal error``
(strawberry's ``MaskErrors``): no stack trace, no Cypher, no personal value leaves the
server. Expected domain failures are not errors at all: mutations return them as members of
their result unions (``api/graphql/mutations/results.py``).

Errors of the request itself (a document that does not parse or validate, a variable of the
wrong type) are shown to the client, by shape only: ``shape`` removes every value the request
carried (quoted strings, numbers, the objects graphql-core prints after ``found:``), so an
ID number sent as a phone is neither echoed back nor written to the log. ``Schema`` logs
every error that way (``process_errors``): request errors as one line of their shape,
errors raised while executing by their type and stack frames, never their message.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

MASKED_MESSAGE = "内部错误 / internal error"
LOG = logging.getLogger("gongzhi.api")


class ClientError(Exception):
    """An error whose message is meant for the client (it never holds personal data)."""


class OwnRequestError(GraphQLError):
    """A refusal of the request written by Gongzhi itself (the cost limit, several operations
    with no name): its text holds no value the request carried, so the client reads it and
    the log holds it as written, both languages."""


def _own(error: GraphQLError) -> bool:
    """Whether the message was written by Gongzhi (shown as it is, not by its shape)."""
    return isinstance(error, OwnRequestError) or isinstance(error.original_error, ClientError)


def should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return False  # syntax and validation errors: about the document, safe to show
    if isinstance(original, GraphQLError) and not error.path:
        return False  # a variable that does not coerce: a request error, shown by its shape
    return not isinstance(original, ClientError)


def mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)


# ---------------------------------------------------------------- shapes

#: What graphql-core prints after the reason: the value itself (an object, a list, a literal).
_TAILS = re.compile(r"(?:[,.;]?\s*(?:found|Found)\s*:.*$)|(?:, but encountered error .*$)", re.S)
_SCALAR_VALUE = re.compile(r"(cannot represent [^:]*?value)\s*:.*$", re.S)
_ENUM_VALUE = re.compile(r"\bValue '[^']*'")
_DOUBLE = re.compile(r'"(?:[^"\\]|\\.)*"')
_SINGLE = re.compile(r"'([^']*)'")
_NAME = re.compile(r"^\$?[_A-Za-z][_0-9A-Za-z]*[\[\]!]*$|^\[?[_A-Za-z][_0-9A-Za-z]*[\[\]!]*$")
_DIGITS = re.compile(r"\d{5,}")
#: graphql-core names an unexpected character by its code point: a name typed bare (U+6B27 for 欧)
_CODE_POINT = re.compile(r"U\+[0-9A-Fa-f]{4,6}")
_NON_ASCII = re.compile(r"[^\x20-\x7e\n]+")
MAX_SHAPE = 300


def shape(message: str) -> str:
    """``message`` without any value the request carried: what a client is told about a
    refused request and all the log ever holds of it. GraphQL names (fields, types, enum
    and variable names) stay: they say where the problem is."""
    text = _TAILS.sub(".", message)
    text = _SCALAR_VALUE.sub(r"\1.", text)
    text = _ENUM_VALUE.sub("Value …", text)
    text = _DOUBLE.sub('"…"', text)
    text = _SINGLE.sub(lambda m: m.group(0) if _NAME.match(m.group(1)) else "'…'", text)
    text = _DIGITS.sub("#", text)
    text = _CODE_POINT.sub("U+…", text)
    text = _NON_ASCII.sub("…", text)
    text = text.split("\n\n")[0]  # graphql-core appends the document's source lines
    return text if len(text) <= MAX_SHAPE else text[:MAX_SHAPE] + "…"


def _path(error: GraphQLError) -> str:
    return ".".join(str(p) for p in error.path or ())


def log_error(error: GraphQLError) -> None:
    """One line per request error (its shape); an execution error's type and stack frames.
    Neither the document, nor the variables, nor an exception's message are written."""
    original = error.original_error
    where = " ".join(f"{loc.line}:{loc.column}" for loc in error.locations or ())
    if not error.path:
        LOG.info("request refused (%s): %s", where or "-", error.message if _own(error) else shape(error.message))
        return
    if isinstance(original, ClientError):
        LOG.info("request refused at %s: %s", _path(error), str(original))
        return
    kind = type(original).__name__ if original is not None else "GraphQLError"
    # where it happened, by file, line and function only: a source line may quote a literal
    frames = "".join(
        f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
        for f in (traceback.extract_tb(original.__traceback__) if original is not None else ())
    )
    LOG.error("internal error at %s: %s (message not logged)\n%s", _path(error), kind, frames.rstrip())


class Schema(strawberry.Schema):
    """strawberry's schema with errors shaped for the client and logged by shape only."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if not error.path and not _own(error):
                error.message = shape(error.message)  # what the client reads of a refused request
            log_error(error)
