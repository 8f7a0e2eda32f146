"""Recurrent rules (SimpleRNN, LSTM, GRU, Bidirectional) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras

RNNS = ["SimpleRNN", "LSTM", "GRU"]


@pytest.mark.parametrize("type_", RNNS)
@pytest.mark.parametrize(
    ("args", "shape"),
    [
        ({"units": 16}, (None, 10, 8)),
        ({"units": 16, "return_sequences": True}, (None, None, 8)),
        ({"units": 4, "return_state": True}, (None, 10, 8)),
        ({"units": 4, "return_state": True, "return_sequences": True}, (None, 10, 8)),
        ({"units": 4, "use_bias": False}, (None, 10, 8)),
        ({"units": 4, "go_backwards": True, "dropout": 0.1}, (None, 10, 8)),
        ({"units": 4, "stateful": True}, (3, 10, 8)),
        ({"units": 4, "stateful": True}, (None, 10, 8)),
        ({"units": 4}, (None, 10, None)),
        ({"units": 4}, (None, 10)),
        ({"units": 0}, (None, 10, 8)),
    ],
)
def test_rnn_examples(oracle: Any, type_: str, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall(type_, args), [shape])


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_reset_after(oracle: Any, reset_after: bool) -> None:
    oracle.check(LayerCall("GRU", {"units": 5, "reset_after": reset_after}), [(None, 7, 3)])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize(
    "inner",
    [
        {"type": "LSTM", "units": 8},
        {"type": "GRU", "units": 8, "return_sequences": True},
        {"type": "LSTM", "units": 4, "return_state": True},
        {"type": "SimpleRNN", "units": 4, "return_state": True, "return_sequences": True},
        {"type": "GRU", "units": 3, "reset_after": False, "use_bias": False},
    ],
)
def test_bidirectional(oracle: Any, merge_mode: str | None, inner: dict[str, Any]) -> None:
    call = LayerCall("Bidirectional", {"layer": inner, "merge_mode": merge_mode})
    oracle.check(call, [(None, 6, 5)])


def test_bidirectional_faults() -> None:
    with pytest.raises(ShapeFault, match="mapping with a 'type' key") as info:
        infer_layer(LayerCall("Bidirectional", {"layer": "LSTM"}), [(None, 6, 5)])
    assert info.value.arg == "layer"
    with pytest.raises(ShapeFault, match="can wrap"):
        infer_layer(
            LayerCall("Bidirectional", {"layer": {"type": "Dense", "units": 3}}), [(None, 6, 5)]
        )
    with pytest.raises(ShapeFault, match="'merge_mode' must be one of"):
        infer_layer(
            LayerCall("Bidirectional", {"layer": {"type": "GRU", "units": 3}, "merge_mode": "max"}),
            [(None, 6, 5)],
        )


def test_rnn_rank_fault() -> None:
    with pytest.raises(
        ShapeFault,
        match=r"LSTM expects a rank-3 input \(batch, timesteps, "
        r"features\); got \(None, 10\)",
    ) as info:
        infer_layer(LayerCall("LSTM", {"units": 4}), [(None, 10)])
    assert "Reshape" in (info.value.hint or "")
