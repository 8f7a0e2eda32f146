"""Keras as the oracle for the shape rules: build the real layer and compare with the rule."""

from __future__ import annotations

import importlib
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphspec.base.catalog import NESTED_LAYER_ARGS, POSITIONAL_CALLS, TUPLE_ARGS, layer_module
from graphspec.passes.shapes import LayerCall, Shape, ShapeFault, ShapeResult, infer_layer

from .stricter import stricter_reason

__all__ = ["Oracle", "Outcome", "disagreement", "rule_outcome"]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


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
        """Instantiate the Keras layer for ``call`` (nested layer mappings included)."""
        args = dict(call.args)
        for key in NESTED_LAYER_ARGS.get(call.type, ()):
            if isinstance(args.get(key), Mapping):
                args[key] = self._nested(args[key])
            elif isinstance(args.get(key), list):
                args[key] = [self._nested(item) for item in args[key]]
        for key in TUPLE_ARGS & set(args):
            if isinstance(args[key], list):
                args[key] = tuple(args[key])
        module = layer_module(call.type)
        home = self.keras.layers if module is None else importlib.import_module(module)
        return getattr(home, call.type)(**args)

    def _nested(self, mapping: Mapping[str, Any]) -> Any:
        inner = dict(mapping)
        return self.layer(LayerCall(inner.pop("type"), inner))

    def run(
        self, call: LayerCall, inputs: Sequence[Shape], dtypes: Sequence[str | None] = ()
    ) -> Outcome:
        """Build and call the Keras layer as the compiler does; an exception becomes an error."""
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
                kinds = list(dtypes) or [None] * len(inputs)
                tensors = [
                    keras.Input(batch_shape=tuple(s), dtype=d)
                    for s, d in zip(inputs, kinds, strict=True)
                ]
                # The compiler's call conventions: one tensor, positional (query, value, key),
                # or one list.
                if len(tensors) == 1:
                    out = layer(tensors[0])
                elif call.type in POSITIONAL_CALLS:
                    out = layer(*tensors)
                else:
                    out = layer(tensors)
        except Exception as exc:  # Keras signals invalid layers with many exception types
            return Outcome(error=f"{type(exc).__name__}: {exc}")
        shapes = tuple(tuple(o.shape) for o in _flat(out))
        if any(d == 0 for s in shapes for d in s):
            return Outcome(error=f"empty dimension in Keras output {shapes}")
        return Outcome(
            outputs=shapes,
            trainable=_count(layer.trainable_weights),
            non_trainable=_count(layer.non_trainable_weights),
        )

    def rule(self, call: LayerCall, inputs: Sequence[Shape]) -> Outcome:
        """Apply the graphspec rule (see :func:`rule_outcome`)."""
        return rule_outcome(call, inputs)

    def check(
        self, call: LayerCall, inputs: Sequence[Shape], dtypes: Sequence[str | None] = ()
    ) -> Outcome:
        """Assert the rule agrees with Keras: same outputs and counts, or both fail.

        Where graphspec is deliberately stricter than Keras's symbolic shapes (``stricter.py``
        lists each case and why), the rule may fault where Keras builds.
        """
        want = self.run(call, inputs, dtypes)
        problem = disagreement(call, inputs, want, self.rule(call, inputs))
        assert problem is None, problem
        return want


def rule_outcome(call: LayerCall, inputs: Sequence[Shape]) -> Outcome:
    """Apply the graphspec rule; a :class:`ShapeFault` becomes ``Outcome.error``.

    >>> rule_outcome(LayerCall("Dense", {"units": 3}), [(None, 2)])
    Outcome(outputs=((None, 3),), trainable=9, non_trainable=0, error=None)
    >>> rule_outcome(LayerCall("Dense", {"units": 3}), [(None,)]).error is not None
    True
    """
    try:
        res = infer_layer(call, inputs)
    except ShapeFault as fault:
        return Outcome(error=fault.message)
    assert isinstance(res, ShapeResult), f"no rule for {call.type}"
    return Outcome(res.outputs, res.trainable, res.non_trainable)


def disagreement(
    call: LayerCall, inputs: Sequence[Shape], want: Outcome, got: Outcome
) -> str | None:
    """Why the rule's outcome ``got`` disagrees with Keras's ``want``, or ``None`` if it agrees.

    >>> relu, inputs = LayerCall("ReLU"), [(None, 2)]
    >>> disagreement(relu, inputs, Outcome(error="bad rank"), Outcome(error="rank")) is None
    True
    >>> disagreement(relu, inputs, Outcome(error="bad rank"), Outcome(((None, 2),)))[:26]
    'Keras failed (bad rank) bu'
    """
    where = f"{call.type}({dict(call.args)}) on {list(inputs)}"
    if want.error is not None:
        if got.error is None:
            return f"Keras failed ({want.error}) but rule gave {got}: {where}"
    elif got.error is not None:
        if stricter_reason(call, inputs) is None:
            return f"rule faulted ({got.error}) but Keras gave {want}: {where}"
    elif got != want:
        return f"{where}: rule {got} != keras {want}"
    return None


def _flat(out: Any) -> list[Any]:
    """A layer's outputs as a flat list (RNN states may come nested)."""
    if isinstance(out, list | tuple):
        return [t for item in out for t in _flat(item)]
    return [out]


def _count(weights: Sequence[Any]) -> int:
    """Total number of scalars in ``weights``."""
    return sum(math.prod(w.shape) for w in weights)
