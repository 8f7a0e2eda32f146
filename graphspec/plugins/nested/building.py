"""Nested-model nodes to Keras: the nested model is made once, named after its node, and called."""

from __future__ import annotations

from typing import Any

from graphspec.ir.build import BuildContext
from graphspec.ir.graph import IRNode, ModelInfo
from graphspec.ir.kinds import KINDS, Stage

__all__ = ["make_nested", "make_nested_model"]


@KINDS["model"].hook(Stage.MAKE_LAYER)
def make_nested(builder: BuildContext, node: IRNode) -> Any:
    """The nested model a node calls (``share`` nodes call the same object)."""
    assert node.model is not None
    return make_nested_model(builder, node.layer_name, node.model)


def make_nested_model(builder: BuildContext, name: str, info: ModelInfo) -> Any:
    """The Keras model of a nested-model node, named ``name`` (frozen when not trainable)."""
    import keras

    if info.source == "application":
        kwargs = {"weights": None, **info.args}
        if isinstance(kwargs.get("input_shape"), list):
            kwargs["input_shape"] = tuple(kwargs["input_shape"])
        factory = getattr(keras.applications, info.name)  # a catalogued application name
        model = factory(**kwargs, name=name)
    else:
        model = builder.build_nested(info.checked, name)
    if not info.trainable:
        model.trainable = False
    return model
