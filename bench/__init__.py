"""Benchmarks: both stores side by side, in one run, on the generator's four scales.

    .venv/bin/python -m bench [--scales community,subdistrict,district,city] [--repeat N]
                              [--stores embedded,neo4j] [--out BENCHMARKS.md] [--profile SCALES]
                              [--report-only .cache/bench/last-run.json]

``make bench`` runs it against the Neo4j server ``scripts/neo4j.sh`` starts (or the one
``NEO4J_URI`` names). The Neo4j database it points at is CLEARED: never aim it at data you
keep.

For each scale the input is generated once (``loaders.generate.generate``, seed 1) into a
cache directory (``.cache/bench``, keyed by the generator's source), then each store is
measured in a fresh child process (so that the peak RSS is that store's alone):

* the first load (``loaders.load.load``) with its read / validate / diff / write stages,
* a second, identical load, which must report every item unchanged and write nothing,
* ``store.stats()`` (median of ``--repeat``), which must be identical on both stores,
* warm domain queries (median of ``--repeat`` after one warm-up call): the coverage of the
  top area (the city) and of one community, and one member's 1+1 card; on Neo4j once more
  after ``db.clearQueryCaches()``, since plans cached before a load can outlive it,
* for Neo4j: the transaction's heap during the first load (sampled with ``SHOW
  TRANSACTIONS``), which is what ``dbms.memory.transaction.total.max`` limits,
* for the embedded store: the snapshot's size on disk and the time to reopen it
  (``EmbeddedStore(data_dir).stats()`` in a new store object).

Before the first scale, untimed community and subdistrict loads warm the Neo4j server up.
With ``--profile SCALES`` the first and second loads run once more under cProfile.

Results are printed and written to ``BENCHMARKS.md`` (machine, date, command, one table per
scale with the ratio neo4j / embedded, and the hand-written ``bench/NOTES.md``); the raw
numbers go to ``.cache/bench/last-run.json``, from which ``--report-only`` renders the
report again. Durations are ``time.perf_counter``; peak memory is ``resource.getrusage`` of
the child process. Absolute numbers belong here, never in tests.
"""
