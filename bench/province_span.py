"""The markers of the province figure in BENCHMARKS.md (written by ``bench/province.py``, kept
by the main report's rewrite, ``bench/report.py``)."""

from __future__ import annotations

from bench.spans import Span

BEGIN = "<!-- Province: written by python -m bench --province (bench/province.py); do not edit by hand -->"
END = "<!-- /Province -->"
SPAN = Span(BEGIN, END)
