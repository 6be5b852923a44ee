"""Generated datasets for the API tests: small enough to load into Neo4j in a few seconds.

``small_street`` is the synthetic generator (loaders/generate.py) run at a scale of its own:
one district, one street, three communities of two to three compounds each, so that a user
bound to one community has neighbours whose data must stay out of sight. Seed 9 gives every
link of the API something to walk.
"""

from __future__ import annotations

import random
from pathlib import Path

from loaders.generate import _instructors
from loaders.generator.community import build_community
from loaders.generator.context import Ctx
from loaders.generator.output import Output
from loaders.generator.people import EmployerPicker
from loaders.generator.rates import GapRates
from loaders.generator.world import Scale, build_world

SMALL_STREET = Scale("small_street", ((1, 1),), (3, 3), (2, 3))


def small_street(out: Path, seed: int = 9) -> Path:
    """Write the CSV tables of a small street (three communities) into ``out``."""
    output = Output(Path(out), "en")
    try:
        ctx = Ctx(random.Random(seed), output, GapRates())
        plans = build_world(ctx, SMALL_STREET)
        picker = EmployerPicker(ctx)
        for plan in plans:
            build_community(ctx, SMALL_STREET, plan, picker)
        _instructors(ctx)
    finally:
        output.close()
    return Path(out)
