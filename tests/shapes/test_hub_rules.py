"""KerasHub's layers (keras_hub.layers) against KerasHub itself: shapes and parameter counts."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.base.catalog import catalog, is_hub_layer
from graphspec.passes.shapes import LayerCall, has_rule

pytestmark = pytest.mark.keras

_SEQ = [(None, 12, 16)]
_INT = ["int32"]

CASES: dict[str, list[tuple[dict[str, Any], list[Any], list[str | None]]]] = {
    "TransformerEncoder": [
        ({"intermediate_dim": 32, "num_heads": 2}, _SEQ, []),
        ({"intermediate_dim": 8, "num_heads": 3}, [(None, None, 16)], []),
        ({"intermediate_dim": 8, "num_heads": 4, "normalize_first": True}, [(2, 5, 8)], []),
        ({"intermediate_dim": 8, "num_heads": 32}, _SEQ, []),
        ({"intermediate_dim": 8, "num_heads": 2}, [(None, 16)], []),
        ({"intermediate_dim": 8, "num_heads": 2}, [(None, 4, 3, 16)], []),
        ({"intermediate_dim": 8, "num_heads": 2}, [(None,)], []),
    ],
    "TransformerDecoder": [
        ({"intermediate_dim": 32, "num_heads": 2}, _SEQ, []),
        ({"intermediate_dim": 32, "num_heads": 2}, [(None, 12, 16), (None, 7, 24)], []),
        ({"intermediate_dim": 8, "num_heads": 4}, [(None, None, 8), (None, None, 8)], []),
        ({"intermediate_dim": 8, "num_heads": 32}, _SEQ, []),
    ],
    "FNetEncoder": [
        ({"intermediate_dim": 32}, _SEQ, []),
        ({"intermediate_dim": 4}, [(3, 5, 6)], []),
    ],
    "PositionEmbedding": [
        ({"sequence_length": 12}, _SEQ, []),
        ({"sequence_length": 20}, _SEQ, []),
        ({"sequence_length": 20}, [(None, None, 16)], []),
        ({"sequence_length": 8}, _SEQ, []),
    ],
    "TokenAndPositionEmbedding": [
        ({"vocabulary_size": 50, "sequence_length": 12, "embedding_dim": 8}, [(None, 12)], _INT),
        (
            {
                "vocabulary_size": 50,
                "sequence_length": 20,
                "embedding_dim": 8,
                "tie_weights": False,
            },
            [(None, 12)],
            _INT,
        ),
        ({"vocabulary_size": 50, "sequence_length": 20, "embedding_dim": 8}, [(None, None)], _INT),
        ({"vocabulary_size": 50, "sequence_length": 8, "embedding_dim": 8}, [(None, 12)], _INT),
    ],
    "SinePositionEncoding": [({}, _SEQ, []), ({"max_wavelength": 100}, [(None, None, 6)], [])],
    "RotaryEmbedding": [({}, _SEQ, []), ({"max_wavelength": 100}, [(None, 5, 2, 8)], [])],
    "AlibiBias": [({}, [(None, 4, 6, 6)], []), ({"alibi_bias_max": 4}, [(2, 8, 3, 5)], [])],
    "CachedMultiHeadAttention": [
        ({"num_heads": 2, "key_dim": 4}, [(None, 8, 16), (None, 5, 12)], []),
        ({"num_heads": 2, "key_dim": 4, "value_dim": 3}, [(None, 8, 16), (None, 8, 16)], []),
    ],
}


def test_every_hub_layer_has_a_rule_and_cases() -> None:
    hub = sorted(name for name in catalog()["layers"] if is_hub_layer(name))
    assert hub == sorted(CASES)
    assert all(has_rule(name) for name in hub)
    assert len(hub) == 9


@pytest.mark.parametrize(
    ("type_", "args", "inputs", "dtypes"),
    [(t, a, i, d) for t, cases in CASES.items() for a, i, d in cases],
    ids=[f"{t}-{n}" for t, cases in CASES.items() for n in range(len(cases))],
)
def test_hub_rule_against_keras_hub(
    oracle: Any, type_: str, args: dict[str, Any], inputs: list[Any], dtypes: list[str | None]
) -> None:
    pytest.importorskip("keras_hub")
    oracle.check(LayerCall(type_, args), inputs, dtypes)
