"""Shape rules for audio front ends: mel and short-time Fourier transform spectrograms."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import not_counted
from graphspec.passes.shapes.registry import (
    arg,
    bool_arg,
    choice_arg,
    data_format_arg,
    int_arg,
    known_dim,
    padding_arg,
    result,
    shape_rule,
    single_input,
    window_dims,
)

__all__ = ["mel_spectrogram_rule", "stft_spectrogram_rule"]

_STFT_MODES: Final = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


@shape_rule("MelSpectrogram")
def mel_spectrogram_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``MelSpectrogram(fft_length, sequence_stride, sequence_length, num_mel_bins)``.

    ``(batch, samples)`` becomes ``(batch, num_mel_bins, (samples + stride + 1) // stride)``,
    Keras's own frame count.
    """
    shape = single_input(call, inputs)
    if len(shape) != 2:
        raise ShapeFault(
            f"{call.type} expects a batch of mono waveforms (batch, samples); "
            f"got {format_shape(shape)}",
            hint="drop the channel axis first (a Reshape to [samples]) or use STFTSpectrogram",
        )
    fft = int_arg(call, "fft_length", 2048)
    stride = int_arg(call, "sequence_stride", 512)
    length = arg(call, "sequence_length")
    if length is not None and int_arg(call, "sequence_length") > fft:
        raise ShapeFault(
            f"{call.type} sequence_length ({length}) must not exceed fft_length ({fft})",
            arg="sequence_length",
        )
    bins = int_arg(call, "num_mel_bins", 128)
    samples = shape[1]
    frames = None if samples is None else (samples + stride + 1) // stride
    return result((shape[0], bins, frames))


@shape_rule("STFTSpectrogram")
def stft_spectrogram_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``STFTSpectrogram(mode, frame_length, frame_step, fft_length, padding, expand_dims)``.

    A strided convolution over time with ``fft_length // 2 + 1`` frequency bins per channel
    (twice that in ``stft`` mode). Its weights are the real and imaginary Fourier kernels,
    ``(frame_length, 1, fft_length // 2 + 1)`` each (only one in ``real``/``imag`` mode).
    """
    shape = single_input(call, inputs)
    mode = choice_arg(call, "mode", "log", _STFT_MODES)
    frame = int_arg(call, "frame_length", 256)
    step = arg(call, "frame_step")
    if step is not None and int_arg(call, "frame_step") > frame:
        raise ShapeFault(
            f"{call.type} frame_step ({step}) must not exceed frame_length ({frame})",
            arg="frame_step",
        )
    step = step or frame // 2
    fft = arg(call, "fft_length")
    if fft is not None and int_arg(call, "fft_length") < frame:
        raise ShapeFault(
            f"{call.type} fft_length ({fft}) must be at least frame_length ({frame})",
            arg="fft_length",
        )
    fft = fft or 2 ** math.ceil(math.log2(frame))
    padding = padding_arg(call)
    expand = bool_arg(call, "expand_dims", False)
    fmt = data_format_arg(call)
    if len(shape) != 3:
        layout = "(batch, time, channels)" if fmt == "channels_last" else "(batch, channels, time)"
        raise ShapeFault(
            f"{call.type} expects a rank-3 input {layout}; got {format_shape(shape)}",
            hint="add a channel axis (a Reshape to [samples, 1])",
        )
    time_axis, channel_axis = (1, 2) if fmt == "channels_last" else (2, 1)
    channels = known_dim(call, shape, channel_axis, "channel dimension")
    if step < 1:
        raise ShapeFault(f"{call.type} frame_step must be positive", arg="frame_step")
    (time,) = window_dims(
        call, shape, time_axis, (frame,), (step,), padding, window_arg="frame_length"
    )
    freqs = fft // 2 + 1
    kernels = 1 if mode in ("real", "imag") else 2
    params = kernels * frame * freqs
    out_freqs = 2 * freqs if mode == "stft" else freqs
    if expand:
        if fmt == "channels_last":
            return result((shape[0], time, out_freqs, channels), trainable=params)
        return result((shape[0], channels, time, out_freqs), trainable=params)
    if fmt == "channels_last":
        return result((shape[0], time, out_freqs * channels), trainable=params)
    return result((shape[0], out_freqs * channels, time), trainable=params)


not_counted(
    "a Fourier transform of the waveform (frames, window, FFT, mel filters): a fixed front end "
    "whose cost XLA does not count as FLOPs either",
    "MelSpectrogram",
    "STFTSpectrogram",
)
