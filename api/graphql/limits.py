"""Abuse limits of the GraphQL endpoint, on by default.

Every limit is checked before anything is executed, so a refused document never reaches
the store:

* the request body size (``max_body_bytes``, HTTP 413, by the app's middleware);
* the number of tokens of the document (``max_tokens``: the parser stops there);
* the depth of any operation, fragments followed (``max_depth``);
* the number of aliases (``max_aliases``): an alias flood multiplies work;
* the estimated cost (``max_cost``): each connection field multiplies the cost of what it
  selects by its page size (``first``/``last``, or the default page size) or, when shorter,
  by the fan-out the store's counts show for it, so nested pages cannot multiply into
  millions of objects while a real tree is priced at its size (``api/graphql/cost.py``);
* the page size of every connection (``max_page``), refused before any store call;
* query batching (a JSON array of operations) is off: HTTP 400;
* the domain questions (``coverage``, ``gaps``, ``areaOnePlusOne``, ``dualReporting``,
  ``memberCard``, ``branchView``) are priced in the cost by the work they do
  (``DOMAIN_COSTS`` in ``api/graphql/cost.py``), so 30 aliases of one of them are refused;
* each token's requests in flight (``max_concurrent_per_token``) and requests per second
  (``rate_per_token``, bursts of ``burst_per_token``): HTTP 429 with ``Retry-After``
  (``api/throttle.py``); 0 turns either off;
* each user's store calls take turns with everyone else's (``api/graphql/fair.py``): at most
  ``store_calls_per_user`` of one user's calls run at once (1; 0: the store's
  ``read_concurrency``) on a pool of ``store_workers`` threads, so a small read never queues
  behind another user's heavy requests;
* a deadline per request (``deadline_seconds``): no store call starts after it, the request
  ends with an error saying so (a store call already running finishes first).

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
    max_concurrent_per_token: int = 8
    rate_per_token: float = 20.0
    burst_per_token: int = 100
    deadline_seconds: float = 30.0
    store_calls_per_user: int = 1
    store_workers: int = 8

    def with_(self, **changes: float) -> Limits:
        return Limits(**{**self.__dict__, **changes})  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits()
