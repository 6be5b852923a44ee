"""Benchmarks: the eight figures of the benchmark issue and both stores side by side, in one run.

    .venv/bin/python -m bench [--quick | --scales district,city] [--repeat N] [--samples N]
                              [--stores embedded,neo4j] [--out BENCHMARKS.md] [--profile SCALES]
                              [--report-only .cache/bench/last-run.json]
                              [--only peer] [--peer-samples N]

``make bench`` runs it against the Neo4j server ``scripts/neo4j.sh`` starts (or the one
``NEO4J_URI`` names). The Neo4j database it points at is CLEARED: never aim it at data you
keep. The default scales are district and city (the city is the main scale, the district
the smaller side of figure 8); ``--quick`` is subdistrict and district.

For each scale the input is generated once (``loaders.generate.generate``, seed 1) into a
cache directory (``.cache/bench``, keyed by the generator's source), then each store is
measured in a fresh child process (``bench.worker``, so that the peak RSS is that store's
alone):

* the first load (``loaders.load.load``) with its read / validate / diff / write stages,
* a second, identical load, which must report every item unchanged and write nothing,
* ``store.stats()`` (median of ``--repeat``), which must be identical on both stores,
* warm domain queries (median of ``--repeat`` after one warm-up call), whose answers must be
  identical on both stores: the roll-up of the top area (the city) and its floor
  (``bench.floor``), the coverage of the city and of one community, one member's 1+1 card,
* for Neo4j: the transaction's heap during the first load (sampled with ``SHOW
  TRANSACTIONS``), which is what ``dbms.memory.transaction.total.max`` limits,
* for the embedded store: the snapshot's size, the time to reopen it, its resident
  memory per item in a fresh process (``bench.memory``), and one small write with another
  handle's catch-up after it (``bench.embedded_writes``).

At the main scale, also: ``neo4j-admin database import`` on the same records
(``bench.admin_import``), and, while the database holds that scale, the API figures
(``bench.api``, with ``bench.recording`` and ``bench.server``). ``bench.figures`` derives the
nine figures from all of it (the ninth, `gongzhi load --bulk` against the tool alone, from ``bench.admin_import``). Then figure 10 (``bench.peer``): seven requests to Gongzhi's API,
to ``@neo4j/graphql`` (``bench/peer/``, installed by ``npm ci``, type definitions generated
from the model by ``bench.peer_typedefs``) and as one raw Cypher statement each
(``bench.peer_requests``), answers checked equal, then sampled interleaved
(``bench.peer_report`` writes it). ``--only peer`` loads one scale (district by default) and
measures figure 10 alone, rewriting only its section of the report.

Before the first scale, untimed community and subdistrict loads warm the Neo4j server up.
With ``--profile SCALES`` the first and second loads run once more under cProfile.

Results are printed and written to ``BENCHMARKS.md`` (machine, date, command, the eight
figures with goals and verdicts, one table per scale with the ratio neo4j / embedded, and
the hand-written ``bench/NOTES.md``); the raw numbers go to ``.cache/bench/last-run.json``,
from which ``--report-only`` renders the report again. Durations are ``time.perf_counter``.
Absolute numbers belong here, never in tests.
"""
