"""The content hash's JSON is ``json.dumps``'s, byte for byte: the hashes stored by earlier
loads must compare equal to those computed now, or every reload would see every item changed."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from graph.provenance import _json, _plain

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.dates(), st.just(date(2021, 3, 5))
)
PAYLOADS = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4))
)


@given(PAYLOADS)
def test_the_hash_json_is_json_dumps(payload: object) -> None:
    assert _json(payload) == json.dumps(
        payload, ensure_ascii=False, sort_keys=True, default=_plain, separators=(",", ":")
    )
