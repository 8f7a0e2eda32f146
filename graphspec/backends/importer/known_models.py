"""Recognise a nested model as a keras.applications architecture (import only: it uses Keras).

Candidates come from the shipped application specs (same layer classes, counted); a candidate
is confirmed by building it with ``weights=None`` and the arguments read from the nested config
(``include_top``, ``input_shape``, ``pooling``, ``classes``, ``classifier_activation``) and
comparing the two configs exactly, layer names aside.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

from graphspec.plugins.nested.applications import (
    application_args,
    application_names,
    shipped_variants,
)

__all__ = ["match_application"]

_POOLING: Final = {"GlobalAveragePooling2D": "avg", "GlobalMaxPooling2D": "max"}


def _layer_classes(layers: list[Mapping[str, Any]]) -> Counter[str]:
    return Counter(
        str(layer.get("class_name"))
        for layer in layers
        if layer.get("module") == "keras.layers" and layer.get("class_name") != "InputLayer"
    )


def match_application(layer: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """``(name, arguments)`` when the nested model ``layer`` is a keras.applications model."""
    body = layer.get("config") or {}
    layers = [x for x in body.get("layers") or [] if isinstance(x, Mapping)]
    if layer.get("class_name") not in ("Functional", "Model") or not layers:
        return None
    found = _layer_classes(layers)
    for name in application_names():
        for top, data in shipped_variants(name):
            shipped = Counter(str(n["type"]) for n in data["nodes"].values() if "type" in n)
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
            args = _arguments(name, top, pooling, data, layers)
            if _builds_the_same(name, args, body, layers):
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


def _builds_the_same(
    name: str, args: dict[str, Any], body: Mapping[str, Any], layers: list[Mapping[str, Any]]
) -> bool:
    import keras

    kwargs = dict(args)
    if "input_shape" in kwargs:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    try:
        model = getattr(keras.applications, name)(**kwargs)
    except Exception:  # not this application after all (e.g. an input too small for it)
        return False
    if body.get("trainable") is False:
        model.trainable = False
    config = json.loads(model.to_json())["config"]
    theirs = [x for x in config.get("layers") or [] if isinstance(x, Mapping)]
    if len(theirs) != len(layers):
        return False
    names = {str(t.get("name")): str(o.get("name")) for t, o in zip(theirs, layers, strict=True)}
    renamed = _renamed(theirs, names)
    ours = [{k: v for k, v in x.items() if k != "build_config"} for x in layers]
    return [{k: v for k, v in x.items() if k != "build_config"} for x in renamed] == ours


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, Mapping):
        return {k: _renamed(v, names) for k, v in value.items()}
    return value
