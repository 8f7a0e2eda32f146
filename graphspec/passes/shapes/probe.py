"""What a layer does to the last axis, found by asking its own shape rule (no table of layers).

A fault seen at a merge was made earlier: a ``Conv2D`` set 32 channels, a ``BatchNormalization``
and a ``ReLU`` passed them on, an ``Add`` met 16 on its other input. Which layers pass the width
on and which set it is not listed anywhere: the layer's shape rule is run on a slightly
different input width and the output says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault
from graphspec.passes.shapes.registry import infer_layer, is_int

__all__ = ["WIDTH_ARGS", "keeps_last_axis", "width_argument"]

WIDTH_ARGS: Final = ("filters", "units", "output_dim", "embed_dim", "key_dim")
"""Arguments tried first when looking for the one that sets the width (any other integer
argument is tried after them)."""
_NUDGES: Final = (5, 11)


def _last(call: LayerCall, inputs: Sequence[Shape]) -> int | None:
    try:
        found = infer_layer(call, inputs)
    except ShapeFault:
        return None
    if found is None or not found.outputs or not found.outputs[0]:
        return None
    return found.outputs[0][-1]


def keeps_last_axis(call: LayerCall, inputs: Sequence[Shape]) -> bool:
    """Whether the layer's output has the last-axis size of its (one) input, whatever it is.

    >>> keeps_last_axis(LayerCall("BatchNormalization"), [(None, 8, 8, 16)])
    True
    >>> keeps_last_axis(LayerCall("Conv2D", {"filters": 16, "kernel_size": 3}), [(None, 8, 8, 16)])
    False
    >>> keeps_last_axis(LayerCall("MaxPooling2D"), [(None, 8, 8, 16)])
    True
    """
    if len(inputs) != 1 or not inputs[0] or len(inputs[0]) < 2:
        return False
    shape = inputs[0]
    base = shape[-1] if is_int(shape[-1]) else 8
    for nudge in _NUDGES:
        width = base + nudge
        if _last(call, [(*shape[:-1], width)]) != width:
            return False
    return True


def width_argument(call: LayerCall, inputs: Sequence[Shape], width: int) -> str | None:
    """The integer argument (equal to ``width``) that sets the output's last axis, if any.

    >>> width_argument(LayerCall("Conv2D", {"filters": 32, "kernel_size": 3}), [(None, 8, 8, 3)], 32)
    'filters'
    >>> width_argument(LayerCall("Dense", {"units": 4}), [(None, 3)], 4)
    'units'
    >>> width_argument(LayerCall("Flatten"), [(None, 2, 2)], 4) is None
    True
    """
    names = [n for n in WIDTH_ARGS if n in call.args]
    names += [n for n in call.args if n not in WIDTH_ARGS]
    for name in names:
        value = call.args[name]
        if not is_int(value) or value != width:
            continue
        moved = value + _NUDGES[0]
        if _last(replace(call, args={**call.args, name: moved}), inputs) == moved:
            return name
    return None
