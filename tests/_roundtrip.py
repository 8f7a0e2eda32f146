"""Round trips against Keras: import a model, compile the spec back, compare with the original."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from graphspec import to_yaml

__all__ = ["assert_round_trip", "assert_same_model", "copy_weights", "inputs_for", "structure"]


def inputs_for(model: Any, seed: int = 0, batch: int = 2, size: int = 5) -> list[np.ndarray]:
    """A random batch for every input of ``model`` (integers for integer inputs)."""
    rng = np.random.default_rng(seed)
    out = []
    for tensor in model.inputs:
        shape = (batch, *(d or size for d in tensor.shape[1:]))  # variable sizes
        if "int" in str(tensor.dtype):
            out.append(rng.integers(0, 8, shape).astype(str(tensor.dtype)))
        else:
            out.append(rng.random(shape, dtype="float32"))
    return out


def structure(model: Any) -> list[tuple[str, Any]]:
    """Each operation's class and config (names left out), in the model's order."""
    rows = []
    for op in getattr(model, "operations", None) or model.layers:  # Sequential: its layers
        config = _unnamed(json.loads(json.dumps(op.get_config(), default=str)))
        if isinstance(config.get("layer"), dict):  # a nested model: compare its own structure
            config["layer"] = None
        rows.append((type(op).__name__, config if not hasattr(op, "operations") else structure(op)))
    return rows


def _unnamed(config: Any) -> Any:
    """A config without generated names, its inner layers' too (``Bidirectional``'s backward)."""
    if isinstance(config, dict) and config.get("class_name") == "__numpy__":
        return config["config"]["value"]  # an array argument (Constant(np.eye(3))): its numbers
    if isinstance(config, dict):
        return {k: _unnamed(v) for k, v in config.items() if k != "name"}
    return [_unnamed(v) for v in config] if isinstance(config, list) else config


def _predict(model: Any, batch: list[np.ndarray]) -> list[np.ndarray]:
    out = model(batch if len(batch) > 1 else batch[0], training=False)
    out = list(out.values()) if isinstance(out, dict) else out
    return [np.asarray(o) for o in (out if isinstance(out, list | tuple) else [out])]


def copy_weights(target: Any, source: Any) -> None:
    """Each layer's weights into the layer at the same place of ``target`` (nested models
    layer by layer): a model that made its layers in another order gets them right too."""
    assert len(target.layers) == len(source.layers)
    for into, layer in zip(target.layers, source.layers, strict=True):
        if hasattr(layer, "layers"):
            copy_weights(into, layer)
        else:
            into.set_weights(layer.get_weights())


def assert_same_model(
    built: Any, original: Any, *, atol: float = 1e-5, size: int = 5, by_layer: bool = False
) -> None:
    """Same operations and configs, same parameter count, the same predictions (weights copied,
    ``by_layer`` rather than in the order the model holds them)."""
    assert structure(built) == structure(original)
    assert built.count_params() == original.count_params()
    if by_layer:
        copy_weights(built, original)
    else:
        built.set_weights(original.get_weights())
    batch = inputs_for(original, size=size)
    for got, want in zip(_predict(built, batch), _predict(original, batch), strict=True):
        assert got.shape == want.shape
        assert float(np.max(np.abs(got.astype("float64") - want.astype("float64")))) < atol


def assert_round_trip(original: Any, *, size: int = 5) -> Any:
    """Import ``original``, compile the spec (through its YAML text) and compare; the spec."""
    from graphspec import compile as compile_spec
    from graphspec import load
    from graphspec.backends.importer import from_keras
    from tests._clean import redundant_keys

    spec = from_keras(original)
    text = to_yaml(spec)
    assert to_yaml(load(text)) == text  # stable: a second pass writes the same text
    assert redundant_keys(text) == []  # a clean import: only what differs from the defaults
    api = "auto" if type(original).__name__ == "Sequential" else "functional"
    built = compile_spec(load(text), api=api)
    assert_same_model(built, original, size=size)
    assert to_yaml(from_keras(built)) == text  # re-imported: byte-identical
    return spec
