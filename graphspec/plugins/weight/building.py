"""Learned tensors to Keras: one :class:`~graphspec.plugins.weight.layer.LearnedTensor` each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.ir.build import BuildContext
from graphspec.ir.graph import IRNode
from graphspec.ir.kinds import KINDS, Stage
from graphspec.plugins.weight.checks import settings_of
from graphspec.plugins.weight.settings import OBJECT_KINDS

__all__ = ["make_weight"]


@KINDS["weight"].hook(Stage.MAKE_LAYER)
def make_weight(builder: BuildContext, node: IRNode) -> Any:
    """The layer of a learned tensor, named after its node (the compiler calls it on the
    model's first input, which only joins it to the graph)."""
    from graphspec.plugins.weight.layer import LearnedTensor

    settings = settings_of(node)
    kwargs: dict[str, Any] = {
        key: _keras_object(kind, settings[key]) for key, kind in OBJECT_KINDS.items()
    }
    if settings["dtype"] is not None:
        kwargs["dtype"] = settings["dtype"]
    return LearnedTensor(
        shape=tuple(settings["shape"]),
        batched=settings["batched"],
        trainable=settings["trainable"],
        name=builder.layer_name(node),
        **kwargs,
    )


def _keras_object(kind: str, value: Any) -> Any:
    """A checked name passes through; ``{type: NAME, ...}`` is made (NAME is catalogued)."""
    if not isinstance(value, Mapping):
        return value
    import keras

    rest = {k: v for k, v in value.items() if k != "type"}
    return getattr(getattr(keras, kind), str(value["type"]))(**rest)
