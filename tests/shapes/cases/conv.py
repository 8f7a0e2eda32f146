"""Cases for convolutions: plain, transposed, depthwise, separable, and ConvLSTM.

Input shapes are derived from the drawn window, so a draw fits unless it is broken on purpose:
each spatial size is at least the dilated kernel under ``valid`` padding, channels are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault


def int_or_tuple(draw: st.DrawFn, n: int, low: int, high: int) -> Any:
    """An int, or a list of ``n`` ints, in ``[low, high]``."""
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return draw(st.lists(st.integers(low, high), min_size=n, max_size=n))


def per_axis(value: Any, n: int) -> tuple[int, ...]:
    """An int-or-list argument as ``n`` ints (``3`` -> ``(3, 3)`` for ``n = 2``)."""
    return tuple(value) if isinstance(value, list) else (value,) * n


@dataclass(frozen=True)
class Window:
    """A drawn convolution window, per axis."""

    kernel: tuple[int, ...]
    strides: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: str
    channels_first: bool

    def least(self, axis: int) -> int:
        """The smallest input size the window fits on ``axis`` (the dilated kernel if valid)."""
        if self.padding != "valid":
            return 1
        return (self.kernel[axis] - 1) * self.dilation[axis] + 1


def window(
    draw: st.DrawFn, n: int, args: dict[str, Any], *, causal: bool = False, upper: bool = True
) -> Window:
    """Draw kernel_size, strides or dilation_rate (never both above 1), padding, data_format
    and use_bias into ``args``; ``upper`` allows ``'SAME'`` (Keras lowercases it)."""
    args["kernel_size"] = int_or_tuple(draw, n, 1, 4)
    if draw(st.booleans()):
        args["strides"] = int_or_tuple(draw, n, 1, 3)
    if max(per_axis(args.get("strides", 1), n)) == 1 and draw(st.booleans()):
        args["dilation_rate"] = int_or_tuple(draw, n, 1, 3)
    pads = ["valid", "same", *(["SAME"] if upper else []), *(["causal"] if causal else [])]
    args["padding"] = draw(st.sampled_from(pads))
    if draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    if draw(st.booleans()):
        args["use_bias"] = draw(st.booleans())
    return Window(
        per_axis(args["kernel_size"], n),
        per_axis(args.get("strides", 1), n),
        per_axis(args.get("dilation_rate", 1), n),
        args["padding"].lower(),
        args.get("data_format") == "channels_first",
    )


def frame(
    draw: st.DrawFn, win: Window, channels: int | None, *, unknown: bool = True, least: int = 1
) -> list[Any]:
    """Spatial sizes the window fits (some unknown when ``unknown``) and the channel axis."""
    spatial: list[Any] = []
    for axis in range(len(win.kernel)):
        low = max(win.least(axis), least)
        size = draw(st.integers(low, low + 5))
        spatial.append(None if unknown and draw(st.integers(0, 3)) == 0 else size)
    return [channels, *spatial] if win.channels_first else [*spatial, channels]


def break_frame(draw: st.DrawFn, dims: list[Any], how: str, win: Window) -> list[Any]:
    """``dims`` (spatial and channel axes) broken on purpose: ``rank`` drops or adds an axis,
    ``small`` makes one spatial size one below the window, ``channels`` unknown channels."""
    n = len(win.kernel)
    first = 1 if win.channels_first else 0
    if how == "rank":
        return dims[:-1] if draw(st.booleans()) else [*dims, 3]
    if how == "small":
        axis = draw(st.integers(0, n - 1))
        dims[first + axis] = (win.kernel[axis] - 1) * win.dilation[axis]  # one below the window
        return dims
    if how == "channels":
        dims[0 if win.channels_first else -1] = None
    return dims


def _small_window(args: dict[str, Any], n: int) -> Window:
    """The window of ``args`` made able to overflow: valid padding, kernels at least 2."""
    kernel = [max(k, 2) for k in per_axis(args["kernel_size"], n)]
    args["kernel_size"], args["padding"] = kernel, "valid"
    dilation = per_axis(args.get("dilation_rate", 1), n)
    strides = per_axis(args.get("strides", 1), n)
    first = args.get("data_format") == "channels_first"
    return Window(tuple(kernel), strides, dilation, "valid", first)


@cases("Conv1D", "Conv2D", "Conv3D")
@st.composite
def conv(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    broken = fault(draw, "rank", "small", "channels", "filters", "groups", "strided_dilation")
    groups = draw(st.sampled_from([1, 1, 1, 2, 3]))
    args: dict[str, Any] = {"filters": groups * draw(st.integers(1, 3))}
    win = window(draw, n, args, causal=n == 1)
    if groups > 1 or draw(st.booleans()):
        args["groups"] = groups
    if draw(st.sampled_from([False, False, False, True])):
        args["lora_rank"] = draw(st.integers(1, 2))
    channels = groups * draw(st.integers(1, 3))
    if broken == "small":
        win = _small_window(args, n)
    dims = frame(draw, win, channels)
    if broken == "filters":
        args["filters"] = draw(st.integers(-1, 0))
    elif broken == "groups":
        args["groups"], args["filters"] = 2, 3
    elif broken == "strided_dilation":
        args["strides"], args["dilation_rate"] = 2, 2
    elif broken is not None:
        dims = break_frame(draw, dims, broken, win)
    return Case(LayerCall(name, args), [(None, *dims)])


@cases("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
@st.composite
def conv_transpose(draw: st.DrawFn, name: str) -> Case:
    n = int(name[4])
    broken = fault(draw, "rank", "channels", "filters", "output_padding")
    args: dict[str, Any] = {"filters": draw(st.integers(1, 8))}
    win = window(draw, n, args)
    if draw(st.booleans()):
        # Each below its stride; sizes of 2 or more keep even 'same' outputs non-empty.
        args["output_padding"] = [draw(st.integers(0, s - 1)) for s in win.strides]
    dims = frame(draw, win, draw(st.integers(1, 6)), least=2)
    if broken == "filters":
        args["filters"] = 0
    elif broken == "output_padding":
        args["output_padding"] = list(win.strides)
    elif broken is not None:
        dims = break_frame(draw, dims, broken, win)
    return Case(LayerCall(name, args), [(None, *dims)])


@cases("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D")
@st.composite
def depthwise(draw: st.DrawFn, name: str) -> Case:
    # Keras builds depthwise/separable layers with strides > 1 *and* dilation > 1 (only the
    # backend op rejects them when run) where the rule reports it at once, so window() never
    # draws both.
    n = int(name[-2])
    broken = fault(draw, "rank", "small", "channels", "depth_multiplier")
    args: dict[str, Any] = {}
    if name.startswith("Separable"):
        args["filters"] = draw(st.integers(1, 8))
    if draw(st.booleans()):
        args["depth_multiplier"] = draw(st.integers(1, 3))
    win = window(draw, n, args)
    if broken == "small":
        win = _small_window(args, n)
    dims = frame(draw, win, draw(st.integers(1, 6)))
    if broken == "depth_multiplier":
        args["depth_multiplier"] = 0
    elif broken is not None:
        dims = break_frame(draw, dims, broken, win)
    return Case(LayerCall(name, args), [(None, *dims)])


@cases("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
@st.composite
def conv_lstm(draw: st.DrawFn, name: str) -> Case:
    # ConvLSTM needs static frames: every spatial size is known.
    n = int(name[-2])
    broken = fault(draw, "rank", "small", "channels", "filters", "frame")
    args: dict[str, Any] = {"filters": draw(st.integers(1, 4))}
    win = window(draw, n, args, upper=False)
    for flag in ("return_sequences", "return_state"):
        if draw(st.booleans()):
            args[flag] = draw(st.booleans())
    if broken == "small":
        win = _small_window(args, n)
    dims = frame(draw, win, draw(st.integers(1, 4)), unknown=False)
    time = draw(st.one_of(st.integers(1, 3), st.none()))
    if broken == "filters":
        args["filters"] = 0
    elif broken == "frame":
        dims[1 if win.channels_first else 0] = None
    elif broken is not None:
        dims = break_frame(draw, dims, broken, win)
    return Case(LayerCall(name, args), [(None, time, *dims)])
