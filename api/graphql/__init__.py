"""The GraphQL API (strawberry on FastAPI): schema, jurisdiction, reads, mutations, limits.

Layout: ``schema.py`` assembles ``query.py`` (root reads), ``mutations/`` and ``types/``
(one module per group of node types); every read goes through ``scope.py`` (the one place
where jurisdiction is enforced, with the request's DataLoaders) and the registered reads of
``reads/``; ``personal.py`` masks and audits personal data; ``limits.py``, ``cost.py`` and
``errors.py`` guard the endpoint. See docs/api.md.
"""
