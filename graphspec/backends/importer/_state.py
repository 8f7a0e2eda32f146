"""What one import collects (nodes, inputs, wiring, problems) and the error naming every problem."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.errors import ImportModelError

__all__ = ["LAMBDA_REASON", "TENSOR", "ImportState", "UnsupportedLayersError", "short"]

TENSOR: Final = "__keras_tensor__"
"""The ``class_name`` of a serialized tensor in a call's arguments."""


LAMBDA_REASON: Final = "a Lambda runs Python code, which graphspec never reads"
"""How a refused ``Lambda`` is explained (its own hint: write an expression, not a class)."""

_CLASS_REASONS: Final = ("not a class of keras.layers", ", not one of keras.")
"""What the reasons about a class say (a layer or object of the user's own gets the hint to
declare its package; a refused class such as ``Lambda`` has its reason, not that hint)."""


class UnsupportedLayersError(ImportModelError):
    """The model holds layers a spec cannot name; ``layers`` lists ``(name, class, reason)``."""

    def __init__(self, model: str, layers: list[tuple[str, str, str]]) -> None:
        self.layers = layers
        count = len(dict.fromkeys(name for name, _, _ in layers))  # a layer may have two problems
        lines = [
            f"cannot import model `{model}`: {count} layer{'s' * (count != 1)} cannot be "
            "written in a spec:"
        ]
        lines += [f"  - `{name}` ({cls}): {reason}" for name, cls, reason in layers]
        own = [cls for _, cls, reason in layers if any(s in reason for s in _CLASS_REASONS)]
        lambdas = any(reason.startswith(LAMBDA_REASON) for _, _, reason in layers)
        if own:
            lines.append(
                "hint: a spec names classes of keras.layers, KerasHub and the layer packages you "
                f"declare: declare the package that defines {_classes(own)} with "
                f"`--layers {_package(own)}` (or GRAPHSPEC_LAYERS, or `[tool.graphspec] layers` in "
                "pyproject.toml; from Python, graphspec.use_layers)"
            )
        elif lambdas:
            lines.append(
                "hint: call a Lambda's keras.ops functions directly in the model instead (import "
                "reads them as expression nodes), or write its expression node in the spec"
            )
        else:
            lines.append(
                "hint: each line says what a spec cannot hold; change that part of the model"
            )
        super().__init__("\n".join(lines))


def _classes(found: list[str]) -> str:
    names = list(dict.fromkeys(cls.split(",")[0] for cls in found))
    return ", ".join(f"`{n}`" for n in names[:3]) + (" …" if len(names) > 3 else "")


def _package(found: list[str]) -> str:
    """The module a saved file says defines the classes (only words in a hint: never imported)."""
    for cls in found:
        _, sep, module = cls.partition(", module ")
        if sep and all(p.isidentifier() for p in module.split(".")) and module != "__main__":
            return module
    return "MODULE"


@dataclass
class ImportState:
    """What one import collects: nodes, inputs, wiring and every problem found."""

    name: str
    origin: str | None = None
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    outputs: list[str] | dict[str, str] = field(default_factory=list)
    chain: bool = False
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    dropped_calls: dict[str, list[str]] = field(default_factory=dict)
    depth: int = 0
    """How deep inside nested models this import is (0 for the model itself)."""
    blocks: bool = False
    """Whether repeated sub-graphs are written as blocks (in nested models too)."""
    vocabularies: dict[str, list[Any]] = field(default_factory=dict)
    """Lookup vocabularies kept outside the config (``.keras`` assets, live layers), by layer."""

    def problem(self, name: str, cls: str, reason: str) -> None:
        """Record that layer ``name`` (class ``cls``) cannot be written, and why."""
        self.problems.append((name, cls, reason))


def short(value: Any) -> str:
    """A value as compact JSON, cut at 60 characters (for messages)."""
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
