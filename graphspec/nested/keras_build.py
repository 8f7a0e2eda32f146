"""Nested-model nodes to Keras: the nested model is made once, named after its node, and called."""

from __future__ import annotations

import dataclasses
from typing import Any

from graphspec.compiler import build_model, layer_maker
from graphspec.graph import IRNode, ModelInfo, NodeKind

__all__ = ["make_nested", "make_nested_model"]


@layer_maker(NodeKind.MODEL)
def make_nested(node: IRNode) -> Any:
    """The nested model a node calls (``share`` nodes call the same object)."""
    assert node.model is not None
    return make_nested_model(node.name, node.model)


def make_nested_model(name: str, info: ModelInfo) -> Any:
    """The Keras model of a nested-model node, named ``name`` (frozen when not trainable)."""
    import keras

    if info.source == "application":
        kwargs = {"weights": None, **info.args}
        if isinstance(kwargs.get("input_shape"), list):
            kwargs["input_shape"] = tuple(kwargs["input_shape"])
        factory = getattr(keras.applications, info.name)  # a catalogued application name
        model = factory(**kwargs, name=name)
    else:
        checked = info.checked
        renamed = dataclasses.replace(checked, graph=dataclasses.replace(checked.graph, name=name))
        model = build_model(renamed).model
    if not info.trainable:
        model.trainable = False
    return model
