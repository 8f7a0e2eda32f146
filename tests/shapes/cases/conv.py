"""Cases for convolutions: plain, transposed, depthwise, separable, and ConvLSTM."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases


def _shape(draw: st.DrawFn, n: int, channels_first: bool, max_size: int = 9) -> tuple[Any, ...]:
    spatial = draw(st.lists(st.one_of(st.integers(1, max_size), st.none()), min_size=n, max_size=n))
    channels = draw(st.one_of(st.integers(1, 6), st.none()))
    # A few draws with the wrong rank check the rank fault against Keras' own failure.
    if draw(st.integers(0, 9)) == 0:
        spatial = spatial[:-1] if n > 1 else [*spatial, 3]
    return (None, channels, *spatial) if channels_first else (None, *spatial, channels)


def int_or_tuple(draw: st.DrawFn, n: int, low: int, high: int) -> Any:
    """An int, or a list of ``n`` ints, in ``[low, high]``."""
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return draw(st.lists(st.integers(low, high), min_size=n, max_size=n))


def window(draw: st.DrawFn, n: int, args: dict[str, Any], *, causal: bool = False) -> None:
    """Draw kernel_size, strides, dilation_rate, padding, data_format and use_bias into args."""
    args["kernel_size"] = int_or_tuple(draw, n, 1, 4)
    if draw(st.booleans()):
        args["strides"] = int_or_tuple(draw, n, 1, 3)
    if draw(st.booleans()):
        args["dilation_rate"] = int_or_tuple(draw, n, 1, 3)
    pads = ["valid", "same", "SAME", *(["causal"] if causal else [])]
    args["padding"] = draw(st.sampled_from(pads))
    if draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    if draw(st.booleans()):
        args["use_bias"] = draw(st.booleans())


@cases("Conv1D", "Conv2D", "Conv3D")
@st.composite
def conv(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    args: dict[str, Any] = {"filters": draw(st.integers(0, 8))}
    window(draw, n, args, causal=n == 1)
    if draw(st.booleans()):
        args["groups"] = draw(st.integers(1, 4))
    if draw(st.integers(0, 4)) == 0:
        args["lora_rank"] = draw(st.integers(1, 2))
    cf = args.get("data_format") == "channels_first"
    return Case(LayerCall(name, args), [_shape(draw, n, cf)])


@cases("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
@st.composite
def conv_transpose(draw: st.DrawFn, name: str) -> Case:
    n = int(name[4])
    args: dict[str, Any] = {"filters": draw(st.integers(1, 8))}
    window(draw, n, args)
    if draw(st.booleans()):
        args["output_padding"] = int_or_tuple(draw, n, 0, 2)
    cf = args.get("data_format") == "channels_first"
    return Case(LayerCall(name, args), [_shape(draw, n, cf)])


@cases("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D")
@st.composite
def depthwise(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    args: dict[str, Any] = {}
    if name.startswith("Separable"):
        args["filters"] = draw(st.integers(1, 8))
    if draw(st.booleans()):
        args["depth_multiplier"] = draw(st.integers(1, 3))
    window(draw, n, args)
    # Keras builds depthwise/separable layers with strides > 1 *and* dilation > 1 (only the
    # backend op rejects them when run); the rule reports it at once, so such draws are skipped.
    strides, dilation = args.get("strides", 1), args.get("dilation_rate", 1)
    strided = max(strides if isinstance(strides, list) else [strides]) > 1
    dilated = max(dilation if isinstance(dilation, list) else [dilation]) > 1
    if strided and dilated:
        args.pop("dilation_rate")
    cf = args.get("data_format") == "channels_first"
    return Case(LayerCall(name, args), [_shape(draw, n, cf)])


@cases("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
@st.composite
def conv_lstm(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    args: dict[str, Any] = {"filters": draw(st.integers(1, 4))}
    window(draw, n, args)
    if args["padding"] == "SAME":
        args["padding"] = "same"
    for flag in ("return_sequences", "return_state"):
        if draw(st.booleans()):
            args[flag] = draw(st.booleans())
    cf = args.get("data_format") == "channels_first"
    frame = _shape(draw, n, cf, max_size=6)
    time = draw(st.one_of(st.integers(1, 3), st.none()))
    return Case(LayerCall(name, args), [(None, time, *frame[1:])])
