"""Keras as the oracle for the shape rules: build the real layer and compare with the rule."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from graphspec.shapes import LayerCall, Shape, ShapeFault, ShapeResult, infer_layer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# Layers called on a list of tensors rather than a single tensor.
_LIST_INPUT = {
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "Attention",
    "AdditiveAttention",
}


@dataclass(frozen=True)
class Outcome:
    """What Keras (or a rule) produced: output shapes and parameter counts, or an error."""

    outputs: tuple[Shape, ...] = ()
    trainable: int = 0
    non_trainable: int = 0
    error: str | None = None


class Oracle:
    """Builds Keras layers from :class:`LayerCall` and compares them with the shape rules."""

    def __init__(self, keras: Any) -> None:
        self.keras = keras

    def layer(self, call: LayerCall) -> Any:
        """Instantiate the Keras layer for ``call`` (nested ``layer`` mappings included)."""
        args = dict(call.args)
        for key in ("layer", "backward_layer"):
            if isinstance(args.get(key), Mapping):
                inner = dict(args[key])
                args[key] = self.layer(LayerCall(inner.pop("type"), inner))
        return getattr(self.keras.layers, call.type)(**args)

    def run(self, call: LayerCall, inputs: Sequence[Shape]) -> Outcome:
        """Build and call the Keras layer; any exception becomes ``Outcome.error``."""
        keras = self.keras
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if call.type == "Input":
                    out = keras.Input(**call.args)
                    return Outcome(outputs=(tuple(out.shape),))
                layer = self.layer(call)
                if call.type == "InputLayer":
                    return Outcome(outputs=(tuple(layer.output.shape),))
                tensors = [keras.Input(batch_shape=tuple(s)) for s in inputs]
                # List-input layers take one list; MultiHeadAttention takes (query, value, key).
                out = layer(tensors) if call.type in _LIST_INPUT else layer(*tensors)
        except Exception as exc:  # Keras signals invalid layers with many exception types
            return Outcome(error=f"{type(exc).__name__}: {exc}")
        outs = out if isinstance(out, list | tuple) else [out]
        shapes = tuple(tuple(o.shape) for o in outs)
        if any(d == 0 for s in shapes for d in s):
            return Outcome(error=f"empty dimension in Keras output {shapes}")
        return Outcome(
            outputs=shapes,
            trainable=_count(layer.trainable_weights),
            non_trainable=_count(layer.non_trainable_weights),
        )

    def rule(self, call: LayerCall, inputs: Sequence[Shape]) -> Outcome:
        """Apply the graphspec rule; a :class:`ShapeFault` becomes ``Outcome.error``."""
        try:
            res = infer_layer(call, inputs)
        except ShapeFault as fault:
            return Outcome(error=fault.message)
        assert isinstance(res, ShapeResult), f"no rule for {call.type}"
        return Outcome(res.outputs, res.trainable, res.non_trainable)

    def check(self, call: LayerCall, inputs: Sequence[Shape]) -> Outcome:
        """Assert the rule agrees with Keras: same outputs and counts, or both fail."""
        want = self.run(call, inputs)
        got = self.rule(call, inputs)
        where = f"{call.type}({dict(call.args)}) on {list(inputs)}"
        if want.error is not None:
            assert got.error is not None, (
                f"Keras failed ({want.error}) but rule gave {got}: {where}"
            )
        else:
            assert got.error is None, f"rule faulted ({got.error}) but Keras gave {want}: {where}"
            assert got == want, f"{where}: rule {got} != keras {want}"
        return want


def _count(weights: Sequence[Any]) -> int:
    """Total number of scalars in ``weights``."""
    return sum(math.prod(w.shape) for w in weights)


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    """The Keras oracle (skips the test when Keras is not installed)."""
    keras = pytest.importorskip("keras")
    return Oracle(keras)
