"""Fixtures of the attack suite: the API tests' small street (three communities, so a user
of one has neighbours whose data must stay out of sight), and the attack scale.

``GONGZHI_ATTACK_SCALE`` (default 1) multiplies the number of generated attempts: a normal
run makes at least 2,000 jurisdiction attempts per store; ``GONGZHI_ATTACK_SCALE=10`` ten
times as many.
"""

from __future__ import annotations

import os

from tests.api.conftest import street_dir, street_store

__all__ = ["SCALE", "street_dir", "street_store"]

SCALE = max(1, int(os.environ.get("GONGZHI_ATTACK_SCALE", "1") or "1"))
