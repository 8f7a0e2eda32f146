"""keras.applications architectures as nested models: their signatures and shipped specs (no TF).

``scripts/gen_applications.py`` imports every application (``weights=None``, with and without its
top) and ships the spec data under ``graphspec/data/applications/``; this module reads it and
applies the arguments that change shapes in a known way: ``input_shape``, ``classes`` (the
``predictions`` layer) and ``pooling`` (a global pooling layer on top). Beside each spec the data
holds what Keras itself said of the same model (:func:`keras_figures`), the oracle that static
inference is tested against without TensorFlow.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from graphspec.base.catalog import catalog
from graphspec.base.shape_types import Shape

__all__ = [
    "PREFIX",
    "REFUSED_ARGS",
    "KerasFigures",
    "LayerFigures",
    "application_args",
    "application_names",
    "keras_figures",
    "shipped_variants",
    "static_spec_data",
]

PREFIX: Final = "keras.applications."

REFUSED_ARGS: Final = {
    "input_tensor": "a spec connects the model with edges or `inputs:`",
    "name": "graphspec names the nested model after its node",
}
"""Application arguments a spec may not set, with the reason."""

_KNOWN_EFFECT: Final = frozenset({"include_top", "input_shape", "pooling", "classes"})
_NO_SHAPE_EFFECT: Final = frozenset(
    {"weights", "classifier_activation", "dropout", "dropout_rate", "trainable"}
)
_POOLING: Final = {"avg": "GlobalAveragePooling2D", "max": "GlobalMaxPooling2D"}


def application_names() -> list[str]:
    """Every keras.applications model function (from the catalog).

    >>> "MobileNetV2" in application_names(), "Lambda" in application_names()
    (True, False)
    """
    return sorted(catalog().get("applications", {}))


def application_args(name: str) -> dict[str, Any]:
    """``{argument: {"default": ...}}`` of an application function, or ``{}`` if unknown."""
    entry = catalog().get("applications", {}).get(name)
    return dict(entry["args"]) if entry else {}


@cache
def _shipped(name: str) -> dict[str, Any]:
    import gzip  # only a spec with a keras.applications model needs it

    folder = resources.files("graphspec").joinpath("data/applications")
    path = folder.joinpath(f"{name}.json.gz")
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return data


def shipped_variants(name: str) -> list[tuple[bool, dict[str, Any]]]:
    """``(include_top, spec data)`` of each shipped variant of an application."""
    shipped = _shipped(name)
    return [(top, shipped[key]) for key, top in (("top", True), ("notop", False)) if key in shipped]


@cache
def _index() -> dict[str, Any]:
    path = resources.files("graphspec").joinpath("data/applications/index.json")
    index: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    return index


@dataclass(frozen=True)
class LayerFigures:
    """One layer (or ``keras.ops`` call) as Keras reported it: output shapes and parameters."""

    outputs: tuple[Shape, ...]
    trainable: int
    non_trainable: int

    @property
    def params(self) -> int:
        """Keras's ``count_params()``: trainable plus non-trainable."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class KerasFigures:
    """What Keras said of a shipped application variant when graphspec's data was generated."""

    keras_version: str
    params: int
    trainable: int
    non_trainable: int
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    layers: dict[str, LayerFigures]
    """Every operation of ``model.operations`` by name, in Keras's order: the layers, and the
    ``keras.ops`` calls a spec writes as expressions (no parameters)."""


def _shape_tuples(shapes: list[list[int | None]]) -> tuple[Shape, ...]:
    return tuple(tuple(shape) for shape in shapes)


def keras_figures(name: str, top: bool = True) -> KerasFigures | None:
    """Keras's parameter counts and output shapes of ``NAME(weights=None, include_top=top)``.

    Recorded by ``scripts/gen_applications.py`` from the model it imported; ``None`` when no
    spec of that variant is shipped.

    >>> figures = keras_figures("MobileNetV2")
    >>> figures.outputs, figures.params == figures.trainable + figures.non_trainable
    (((None, 1000),), True)
    >>> figures.layers["predictions"].outputs, len(figures.layers) > 100
    (((None, 1000),), True)
    """
    key = "top" if top else "notop"
    layers = _shipped(name).get("keras", {}).get(key)
    index = _index()
    totals = index.get("applications", {}).get(name, {}).get(key, {}).get("keras")
    if layers is None or totals is None:
        return None
    return KerasFigures(
        keras_version=index["keras_version"],
        params=totals["params"],
        trainable=totals["trainable"],
        non_trainable=totals["non_trainable"],
        inputs=_shape_tuples(totals["inputs"]),
        outputs=_shape_tuples(totals["outputs"]),
        layers={
            layer: LayerFigures(_shape_tuples(shapes), trainable, fixed)
            for layer, shapes, trainable, fixed in layers
        },
    )


def static_spec_data(name: str, args: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The spec data of ``keras.applications.NAME(**args)``, or ``None`` and why it is unknown."""
    defaults = application_args(name)
    changed = [
        k
        for k, v in args.items()
        if k not in _KNOWN_EFFECT | _NO_SHAPE_EFFECT and v != defaults.get(k, {}).get("default")
    ]
    if changed:
        shown = ", ".join(f"`{k}: {args[k]!r}`" for k in changed)
        return None, f"{shown} changes the architecture of keras.applications.{name}"
    top = args.get("include_top", defaults.get("include_top", {}).get("default", True))
    key = "top" if top else "notop"
    shipped = _shipped(name).get(key)
    if shipped is None:
        why = _index().get("applications", {}).get(name, {}).get(key, {}).get("reason")
        return None, f"graphspec ships no spec of keras.applications.{name}" + (
            f" ({'with' if top else 'without'} its top: {why})" if why else ""
        )
    data = copy.deepcopy(shipped)
    data.pop("graphspec", None)
    if args.get("input_shape") is not None:
        first = next(iter(data["inputs"]))
        data["inputs"][first]["shape"] = list(args["input_shape"])
    if top and args.get("classes") is not None:
        predictions = data["nodes"].get("predictions")
        if predictions is None:
            return None, f"keras.applications.{name} has no `predictions` layer to resize"
        predictions["units"] = args["classes"]
    pooling = args.get("pooling")
    if not top and pooling is not None:
        if pooling not in _POOLING:
            return None, f"`pooling: {pooling!r}` is not one of avg, max, null"
        outputs = data.get("outputs") or [list(data["nodes"])[-1]]
        name_ = f"{pooling}_pool"
        data["nodes"][name_] = {"type": _POOLING[pooling], "inputs": outputs[0]}
        data["outputs"] = [name_]
    return data, None
