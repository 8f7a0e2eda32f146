"""How a nested model looks as one box: a second call of it, or its collapsed (expandable) unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from graphspec.backends.diagram._style import FAMILIES, Family
from graphspec.ir.graph import BlockInstance, ModelInfo

__all__ = ["EXPANDABLE", "EXPAND_HINTS", "ModelLook", "model_look", "unit_look"]

EXPANDABLE: Final = "⊞"
"""The mark of a box that opens into a cluster of its layers."""

EXPAND_HINTS: Final = {
    True: "drawn collapsed: `graphspec render --applications expand`, or a double-click in "
    "`graphspec view`, shows its layers",
    False: "drawn collapsed: `graphspec render --blocks expand`, or a double-click in "
    "`graphspec view`, shows its layers",
}
"""What expands a collapsed model unit, by whether it is ``folded`` (an application)."""


@dataclass(frozen=True)
class ModelLook:
    """The type line, family, argument lines and tooltip lines of a nested model's box."""

    type: str
    family: Family
    args: list[str] = field(default_factory=list)
    tip: list[str] = field(default_factory=list)


def model_look(model: ModelInfo) -> ModelLook:
    """A nested model as one box: ``model keras.applications.MobileNetV2 · frozen``.

    >>> look = model_look(ModelInfo("application", "MobileNetV2", {"alpha": 1.0}, False))
    >>> look.type, look.args, look.tip
    ('model keras.applications.MobileNetV2', ['frozen'], ['model: keras.applications.MobileNetV2', 'alpha: 1.0'])
    """
    tip = [f"model: {model.label}"] + [f"{k}: {v!r}" for k, v in model.args.items()]
    args = [] if model.trainable else ["frozen"]
    return ModelLook(f"model {model.label}", FAMILIES["model"], args, tip)


def unit_look(inst: BlockInstance, layers: int) -> ModelLook | None:
    """The collapsed unit of an opened-up nested model, marked expandable (``None``: a block)."""
    if inst.model is None:
        return None
    look = model_look(inst.model)
    mark = f"{EXPANDABLE} {layers:,} layer{'s' * (layers != 1)}"
    tip = [*look.tip, f"{layers:,} layers, {EXPAND_HINTS[inst.folded]}"]
    return ModelLook(look.type, look.family, [*look.args, mark], tip)
