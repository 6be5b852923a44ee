"""Abuse limits of the GraphQL endpoint, on by default.

Every limit is checked before anything is executed, so a refused document never reaches
the store:

* the request body size (``max_body_bytes``, HTTP 413, by the app's middleware);
* the number of tokens of the document (``max_tokens``: the parser stops there);
* the depth of any operation, fragments followed (``max_depth``);
* the number of aliases (``max_aliases``): an alias flood multiplies work;
* the estimated cost (``max_cost``): each connection field multiplies the cost of what it
  selects by its page size (``first``/``last``, or the default page size), so nested pages
  cannot multiply into millions of objects (``api/graphql/cost.py``);
* the page size of every connection (``max_page``), refused before any store call;
* query batching (a JSON array of operations) is off: HTTP 400.

Circular fragments are refused by GraphQL's own validation (``NoFragmentCycles``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 3000
    max_body_bytes: int = 64 * 1024
    max_page: int = 100
    default_page: int = 20
    max_cost: int = 20_000

    def with_(self, **changes: int) -> Limits:
        return Limits(**{**self.__dict__, **changes})


DEFAULT_LIMITS = Limits()
