"""Generate graphspec/data/keras_catalog.json from the installed Keras and
graphspec/data/keras_hub_catalog.json from the installed KerasHub (run: make catalog)."""

from __future__ import annotations

import inspect
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "graphspec" / "data" / "keras_catalog.json"
OUT_HUB = OUT.with_name("keras_hub_catalog.json")
_HUB_MODELING = "keras_hub.src.layers.modeling."
_HUB_LEFT_OUT = {
    "AnchorGenerator": "it makes anchor boxes for object detection from an image batch, as a "
    "dictionary per feature level, not a tensor",
    "BoxMatcher": "it matches boxes to ground truth for training object detectors, not a "
    "model layer",
    "NonMaxSuppression": "it post-processes detections into a dictionary of boxes",
    "MaskedLMHead": "it takes a layer object (`token_embedding`) and a second tensor as the "
    "`mask_positions` call argument",
}
"""The modeling layers of keras_hub.layers that are not graph nodes here, with the reason (shown
when a spec names one). KerasHub's preprocessing layers (tokenizers, packers, image and audio
converters) run on the data before a model and are not catalogued."""
_EMPTY = inspect.Parameter.empty
_SKIP_CLASSES = {"Layer", "InputSpec", "Input"}
_FORWARDED = ("data_format",)
"""Arguments a layer takes through ``**kwargs`` for a base class and writes into its config
(``RandomContrast(0.1)`` saves ``data_format``): catalogued as the layer's own."""


def _jsonable(value: Any) -> Any:
    """A JSON form of a default value: tuples become lists, objects their repr."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return {"repr": repr(value)}


def _signature(cls: type) -> dict[str, Any]:
    found = _parameters(cls.__init__, skip=1)
    if found["kwargs"]:
        found["args"].update(_forwarded(cls, found["args"]))
    return found


def _forwarded(cls: type, own: dict[str, Any]) -> dict[str, Any]:
    """The :data:`_FORWARDED` arguments a base class takes from ``cls``'s ``**kwargs``."""
    out: dict[str, Any] = {}
    for parent in cls.__mro__[1:]:
        init = vars(parent).get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters
        for name in _FORWARDED:
            if name in params and name not in own and name not in out:
                out[name] = {"default": _jsonable(params[name].default)}
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            break
    return out


def _parameters(fn: Any, *, skip: int = 0) -> dict[str, Any]:
    """``{"args": {name: {"default": ...} | {"required": true}}, "kwargs": bool}`` of ``fn``."""
    sig = inspect.signature(fn)
    args: dict[str, Any] = {}
    var_kwargs = False
    for name, p in list(sig.parameters.items())[skip:]:
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            var_kwargs = True
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        entry: dict[str, Any] = {}
        if p.default is _EMPTY:
            entry["required"] = True
        else:
            entry["default"] = _jsonable(p.default)
        args[name] = entry
    return {"args": args, "kwargs": var_kwargs}


def _summary(cls: type) -> str:
    """The first sentence of a class's docstring, on one line (hover text in `graphspec lsp`)."""
    doc = inspect.getdoc(cls) or ""
    para = " ".join(doc.strip().split("\n\n", 1)[0].split())
    sentence = re.split(r"(?<=[.!?])\s", para, maxsplit=1)[0]
    return sentence if len(sentence) <= 200 else sentence[:197] + "..."


def _names(module: Any, kind: type | None = None) -> list[str]:
    out = []
    for name in dir(module):
        if name.startswith("_"):
            continue
        obj = getattr(module, name)
        if (kind is None and callable(obj) and not inspect.isclass(obj)) or (
            kind is not None and inspect.isclass(obj) and issubclass(obj, kind)
        ):
            out.append(name)
    return sorted(out)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _gettable(module: Any, kind: type) -> list[str]:
    """Class names of ``kind`` in ``module`` plus every snake_case alias ``module.get`` accepts."""
    names = {n for n in _names(module, kind) if n not in {kind.__name__}}
    for name in list(names) + [n for n in dir(module) if n.islower() and not n.startswith("_")]:
        for candidate in (name, _snake(name)):
            try:
                if module.get(candidate) is not None:
                    names.add(candidate)
            except Exception:
                continue
    return sorted(names)


def _call_signature(cls: type) -> dict[str, Any]:
    """The parameters of ``cls.call`` after the first (the tensor the node's input gives)."""
    params = _parameters(cls.call, skip=1)
    names = list(params["args"])
    first = names[0] if names else None
    if first is not None:
        del params["args"][first]
    return {"first": first, **params}


def _applications(keras: Any) -> dict[str, Any]:
    """Every keras.applications model function and its parameters."""
    apps = keras.applications
    out = {}
    for name in dir(apps):
        fn = getattr(apps, name)
        if name[:1].isupper() and callable(fn) and not inspect.isclass(fn):
            out[name] = _parameters(fn)
    return out


def _aliases(keras: Any, names: list[str]) -> dict[str, str]:
    """Alias -> class name, for every exported name bound to a class exported under another name.

    ``keras.layers.MaxPool2D is keras.layers.MaxPooling2D``: the same class object makes an alias.
    """
    out = {}
    for name in names:
        cls = getattr(keras.layers, name)
        canonical = cls.__name__
        if canonical != name and getattr(keras.layers, canonical, None) is cls:
            out[name] = canonical
    return out


def _cells(keras: Any, names: list[str]) -> list[str]:
    """Recurrent cells: layers whose ``call`` takes ``states`` (one time step, used inside RNN)."""
    return sorted(
        name
        for name in names
        if "states" in inspect.signature(getattr(keras.layers, name).call).parameters
    )


def _application_layers(keras: Any) -> dict[str, Any]:
    """Layer classes Keras defines inside ``keras.applications`` (``LayerScale``, …).

    The models Keras ships serialize them; a spec may name them because this list says where
    Keras keeps each one (the module is never taken from a file or a spec).
    """
    import importlib
    import pkgutil

    import keras.src.applications as package

    found: dict[str, Any] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.endswith("_test"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, obj in sorted(vars(module).items()):
            if (
                inspect.isclass(obj)
                and issubclass(obj, keras.layers.Layer)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
                and not hasattr(keras.layers, name)
            ):
                found[name] = {
                    **_signature(obj),
                    "doc": _summary(obj),
                    "call": _call_signature(obj),
                    "module": module.__name__,
                }
    return found


def _object_classes(module: Any, names: list[str]) -> dict[str, str]:
    """Each name ``module.get`` accepts -> the class it makes (``uniform`` -> ``RandomUniform``)."""
    out = {}
    for name in names:
        try:
            obj = module.get(name)
        except Exception:
            continue
        cls = obj if inspect.isclass(obj) else type(obj)
        out[name] = cls.__name__
    return out


def _defaults_named(layers: dict[str, Any], kind: str) -> set[str]:
    """The string defaults of every ``*_<kind>`` argument (``uniform`` for Embedding)."""
    return {
        info["default"]
        for entry in layers.values()
        for arg, info in entry["args"].items()
        if arg.endswith(f"_{kind}") and isinstance(info.get("default"), str)
    }


def build() -> dict[str, Any]:
    """The catalog as a dict (sorted keys, stable across runs)."""
    import keras

    layers = {}
    for name in dir(keras.layers):
        obj = getattr(keras.layers, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, keras.layers.Layer)
            and name not in _SKIP_CLASSES
            and not name.startswith("_")
        ):
            layers[name] = {**_signature(obj), "doc": _summary(obj), "call": _call_signature(obj)}
    layers.update(_application_layers(keras))
    base = _signature(keras.layers.Layer)["args"]
    base.update({"input_dim": {"default": None}, "input_shape": {"default": None}})
    losses = [n for n in _names(keras.losses, keras.losses.Loss) if n not in {"Loss", "Reduction"}]
    loss_fns = [n for n in _names(keras.losses) if n not in {"get", "serialize", "deserialize"}]
    return {
        "keras_version": keras.__version__,
        "applications": _applications(keras),
        "layers": layers,
        "aliases": _aliases(keras, sorted(n for n in layers if "module" not in layers[n])),
        "cells": _cells(keras, sorted(n for n in layers if "module" not in layers[n])),
        "base_args": base,
        "activations": [
            n for n in _names(keras.activations) if n not in {"get", "serialize", "deserialize"}
        ],
        "initializers": _gettable(keras.initializers, keras.initializers.Initializer),
        "regularizers": _gettable(keras.regularizers, keras.regularizers.Regularizer),
        "constraints": _gettable(keras.constraints, keras.constraints.Constraint),
        "object_classes": {
            kind: _object_classes(
                getattr(keras, kind),
                sorted(
                    set(_gettable(getattr(keras, kind), base_class))
                    | _defaults_named(layers, kind[:-1])
                ),
            )
            for kind, base_class in (
                ("initializers", keras.initializers.Initializer),
                ("regularizers", keras.regularizers.Regularizer),
                ("constraints", keras.constraints.Constraint),
            )
        },
        "optimizers": [
            n
            for n in _names(keras.optimizers, keras.optimizers.Optimizer)
            if n not in {"Optimizer", "LossScaleOptimizer"}
        ],
        "losses": sorted(set(losses) | set(loss_fns)),
        "metrics": [n for n in _names(keras.metrics, keras.metrics.Metric) if n != "Metric"],
        "dtypes": sorted(
            [
                "float16",
                "float32",
                "float64",
                "bfloat16",
                "int8",
                "int16",
                "int32",
                "int64",
                "uint8",
                "uint16",
                "uint32",
                "uint64",
                "bool",
                "string",
                "complex64",
                "complex128",
            ]
        ),
    }


def build_hub() -> dict[str, Any]:
    """The KerasHub layers a spec may name: every modeling layer of ``keras_hub.layers`` (those
    in :data:`_HUB_LEFT_OUT` listed with the reason), with where saved files say it lives."""
    import keras
    import keras_hub

    left_out = dict(_HUB_LEFT_OUT)
    for name in dir(keras_hub.layers):
        if hasattr(keras.layers, name) and not name.startswith("_"):
            left_out[name] = (
                f"keras.layers has a {name} of its own: `type: {name}` names Keras's, from "
                "a file too"
            )
    layers: dict[str, Any] = {}
    for name in sorted(dir(keras_hub.layers)):
        obj = getattr(keras_hub.layers, name)
        if not (
            inspect.isclass(obj)
            and issubclass(obj, keras.layers.Layer)
            and obj.__module__.startswith(_HUB_MODELING)
            and name not in left_out
        ):
            continue
        layers[name] = {
            **_signature(obj),
            "doc": _summary(obj),
            "call": _call_signature(obj),
            "module": "keras_hub.layers",
            "saved_module": obj.__module__,
            "registered_name": keras.saving.get_registered_name(obj),
        }
    missing = sorted(set(_HUB_LEFT_OUT) - set(dir(keras_hub.layers)))
    if missing:
        raise SystemExit(f"keras_hub.layers has no {missing}: update _HUB_LEFT_OUT")
    return {"keras_hub_version": keras_hub.__version__, "layers": layers, "left_out": left_out}


def render() -> str:
    """The catalog as the exact text written to disk."""
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def render_hub() -> str:
    """The KerasHub catalog as the exact text written to disk."""
    return json.dumps(build_hub(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    outputs = ((OUT, render(), "Keras"), (OUT_HUB, render_hub(), "KerasHub"))
    if "--check" in sys.argv:
        stale = [
            path for path, text, _ in outputs if (path.read_text() if path.exists() else "") != text
        ]
        for path in stale:
            print(f"{path} is out of date; run: make catalog", file=sys.stderr)
        if stale:
            return 1
        print("catalogs match the installed Keras and KerasHub")
        return 0
    for path, text, _ in outputs:
        path.write_text(text)
        print(f"wrote {path} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
