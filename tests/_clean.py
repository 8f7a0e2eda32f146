"""What a clean import means, measured with Keras: re-importing changes nothing, no key is a default."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["redundant_keys", "reimported_text"]

_NOT_ARGS = frozenset({"type", "inputs", "share", "call", "model", "expr", "block", "repeat"})


def reimported_text(text: str, original: Any) -> str:
    """The YAML of importing the model compiled from ``text`` (which it must equal)."""
    from graphspec import compile as compile_spec
    from graphspec import load
    from graphspec.backends.importer import from_keras

    api = "auto" if type(original).__name__ == "Sequential" else "functional"
    return from_keras(compile_spec(load(text), api=api)).to_yaml()


def _layer_nodes(data: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every layer node of a spec's data, nested models' included (named by path)."""
    for name, node in (data.get("nodes") or {}).items():
        if isinstance(node.get("model"), Mapping):
            yield from _layer_nodes(node["model"], f"{path}{name}.")
        elif isinstance(node.get("type"), str):
            yield f"{path}{name}", node


def _config(layer: Any) -> str:
    config = layer.get_config()
    config.pop("name", None)
    return json.dumps(config, sort_keys=True, default=str)


def redundant_keys(text: str) -> list[tuple[str, str]]:
    """``(node, key)`` for each argument whose removal leaves Keras's layer config unchanged.

    Keras is the judge: the layer is made with all the node's arguments and again without one;
    equal configs mean the spec wrote a default. Nodes with the same arguments are judged once.
    """
    import yaml

    from graphspec.backends.keras.compiler import _layer_class, _layer_kwargs

    data = yaml.safe_load(text)
    judged: dict[str, list[str]] = {}
    found = []
    for name, node in _layer_nodes(data):
        type_name = node["type"]
        args = {k: v for k, v in node.items() if k not in _NOT_ARGS}
        key = json.dumps([type_name, args], sort_keys=True, default=str)
        if key not in judged:
            cls = _layer_class(type_name)
            full = _config(cls(**_layer_kwargs(type_name, args)))
            judged[key] = []
            for arg in args:
                rest = {k: v for k, v in args.items() if k != arg}
                try:
                    without = _config(cls(**_layer_kwargs(type_name, rest)))
                except Exception:  # a required argument
                    continue
                if without == full:
                    judged[key].append(arg)
        found += [(name, arg) for arg in judged[key]]
    return found
