"""Recognise a nested model as a keras.applications architecture, from plain data (no Keras).

Candidates come from the shipped application specs (same layer classes, counted); a candidate
is confirmed by comparing the nested model's imported spec data with the shipped spec of that
application under the arguments read from the nested config (``include_top``, ``input_shape``,
``pooling``, ``classes``, ``classifier_activation``): every node, argument and edge must be the
same, layer names aside. The shipped specs were made by this importer from Keras's own models
(``make applications``), so the comparison is exact without building anything: a ``.keras``
file is read without importing TensorFlow, and the ``shared_object_id`` keys a saved file
carries cannot defeat it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

from graphspec.plugins.nested.applications import (
    application_args,
    application_names,
    shipped_variants,
    static_spec_data,
)

__all__ = ["match_application"]

_POOLING: Final = {"GlobalAveragePooling2D": "avg", "GlobalMaxPooling2D": "max"}


def _layer_classes(layers: list[Mapping[str, Any]]) -> Counter[str]:
    return Counter(
        str(layer.get("class_name"))
        for layer in layers
        if layer.get("module") == "keras.layers" and layer.get("class_name") != "InputLayer"
    )


def match_application(
    layer: Mapping[str, Any], data: Mapping[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """``(name, arguments)`` when the nested model ``layer``, imported as spec ``data``, is a
    keras.applications model."""
    body = layer.get("config") or {}
    layers = [x for x in body.get("layers") or [] if isinstance(x, Mapping)]
    if layer.get("class_name") not in ("Functional", "Model") or not layers:
        return None
    ours = _comparable(data, frozen=body.get("trainable") is False)
    if ours is None:
        return None
    found = _layer_classes(layers)
    for name in application_names():
        for top, shipped_data in shipped_variants(name):
            shipped = Counter(str(n["type"]) for n in shipped_data["nodes"].values() if "type" in n)
            extra = found - shipped
            if found == shipped:
                pooling = None
            elif (
                not top
                and len(extra) == 1
                and sum(extra.values()) == 1
                and set(extra) <= set(_POOLING)
                and found - extra == shipped
            ):
                pooling = _POOLING[next(iter(extra))]
            else:
                continue
            args = _arguments(name, top, pooling, shipped_data, layers)
            theirs, _why = static_spec_data(name, args)
            if theirs is not None and _comparable(theirs, frozen=False) == ours:
                return name, {k: v for k, v in args.items() if k != "weights"}
    return None


def _arguments(
    name: str, top: bool, pooling: str | None, data: dict[str, Any], layers: list[Mapping[str, Any]]
) -> dict[str, Any]:
    defaults = {k: v.get("default") for k, v in application_args(name).items()}
    args: dict[str, Any] = {"weights": None}
    if not top:
        args["include_top"] = False
    if pooling is not None:
        args["pooling"] = pooling
    first = next((x for x in layers if x.get("class_name") == "InputLayer"), None)
    shape = (first or {}).get("config", {}).get("batch_shape")
    shipped = next(iter(data["inputs"].values()))["shape"]
    if isinstance(shape, list) and list(shape[1:]) != list(shipped):
        args["input_shape"] = list(shape[1:])
    predictions = next((x for x in layers if x.get("name") == "predictions"), None)
    if top and predictions is not None:
        config = predictions.get("config") or {}
        if config.get("units") != defaults.get("classes"):
            args["classes"] = config.get("units")
        activation = config.get("activation")
        if isinstance(activation, str) and activation != defaults.get("classifier_activation"):
            args["classifier_activation"] = activation
    return args


def _comparable(data: Mapping[str, Any], *, frozen: bool) -> list[Any] | None:
    """Spec data with every name replaced by its position: what must match, names aside.

    A frozen nested model (``trainable: false``) marks every layer frozen; that is taken off
    (``None`` when some layer is not frozen: then it is not the application as Keras makes it).
    """
    order = [*data.get("inputs", {}), *data.get("nodes", {})]
    names = {name: f"#{index}" for index, name in enumerate(order)}
    nodes = []
    for node in data.get("nodes", {}).values():
        entry = dict(node)
        if frozen and entry.pop("trainable", True) is not False:
            return None
        nodes.append(_renamed(entry, names))
    return [
        [_renamed(v, names) for v in data.get("inputs", {}).values()],
        nodes,
        _renamed(data.get("edges", []), names),
        _renamed(data.get("outputs", []), names),
    ]


def _renamed(value: Any, names: Mapping[str, str]) -> Any:
    """Node names in ``value`` (chains ``a -> b``, ports ``a:1`` included) replaced by ``names``."""
    if isinstance(value, str):
        if " -> " in value:
            return " -> ".join(_renamed(part, names) for part in value.split(" -> "))
        head, colon, port = value.rpartition(":")
        if colon and head in names and port.isdigit():
            return f"{names[head]}:{port}"
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, Mapping):
        return {k: _renamed(v, names) for k, v in value.items()}
    return value
