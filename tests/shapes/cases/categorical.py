"""Cases for categorical and text preprocessing, and the audio spectrograms."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, shape_of_rank

_MODES = ["int", "one_hot", "multi_hot", "count", "tf_idf"]


def _ids(draw: st.DrawFn) -> tuple[Any, ...]:
    return shape_of_rank(draw, draw(st.sampled_from([1, 2, 2, 2, 3])), st.integers(1, 4))


@cases("StringLookup", "IntegerLookup")
@st.composite
def lookup(draw: st.DrawFn, name: str) -> Case:
    strings = name == "StringLookup"
    token = st.sampled_from(["a", "b", "c", "d", "[UNK]", ""]) if strings else st.integers(-1, 6)
    args: dict[str, Any] = {"output_mode": draw(st.sampled_from(_MODES))}
    vocabulary = draw(st.one_of(st.none(), st.lists(token, min_size=1, max_size=5)))
    if vocabulary is not None:
        args["vocabulary"] = vocabulary
        if args["output_mode"] == "tf_idf":
            args["idf_weights"] = [0.5] * len(vocabulary)
    if draw(st.booleans()):
        args["num_oov_indices"] = draw(st.integers(0, 2))
    if draw(st.booleans()):
        args["mask_token"] = draw(token)
    if draw(st.booleans()):
        args["max_tokens"] = draw(st.integers(2, 9))
        args["pad_to_max_tokens"] = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        args["invert"] = True
    dtype = "string" if strings else "int64"
    if args.get("invert"):
        dtype = "int64"
    return Case(LayerCall(name, args), [_ids(draw)], (dtype,))


@cases("TextVectorization")
@st.composite
def text_vectorization(draw: st.DrawFn, name: str) -> Case:
    mode = draw(st.sampled_from(_MODES))
    args: dict[str, Any] = {"output_mode": mode}
    vocabulary = draw(
        st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", "c", "[UNK]"]), max_size=4))
    )
    if vocabulary:
        args["vocabulary"] = vocabulary
        if mode == "tf_idf":
            args["idf_weights"] = [0.5] * len(vocabulary)
    if mode == "int" and draw(st.booleans()):
        args["output_sequence_length"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        args["split"] = None
    if draw(st.booleans()):
        args["max_tokens"] = draw(st.integers(2, 9))
        args["pad_to_max_tokens"] = draw(st.booleans())
    rank = draw(st.sampled_from([1, 2]))
    shape = (None,) if rank == 1 else (None, draw(st.sampled_from([1, 1, 2])))
    return Case(LayerCall(name, args), [shape], ("string",))


@cases("Hashing")
@st.composite
def hashing(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {"num_bins": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        args["output_mode"] = draw(st.sampled_from(["int", "one_hot", "multi_hot", "count"]))
    return Case(LayerCall(name, args), [_ids(draw)], (draw(st.sampled_from(["string", "int64"])),))


@cases("HashedCrossing")
@st.composite
def hashed_crossing(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {"num_bins": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        args["output_mode"] = draw(st.sampled_from(["int", "one_hot"]))
    first = (None, *draw(st.lists(st.integers(1, 3), max_size=1)))
    second = first if draw(st.integers(0, 3)) else (None, 2)
    return Case(LayerCall(name, args), [first, second], ("string", "int64"))


@cases("Discretization")
@st.composite
def discretization(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["bin_boundaries"] = sorted(draw(st.lists(st.floats(-2, 2), max_size=4, unique=True)))
    else:
        args["num_bins"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        args["output_mode"] = draw(st.sampled_from(["int", "one_hot", "multi_hot", "count"]))
    return Case(LayerCall(name, args), [_ids(draw)])


@cases("CategoryEncoding")
@st.composite
def category_encoding(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {"num_tokens": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        args["output_mode"] = draw(st.sampled_from(["one_hot", "multi_hot", "count"]))
    return Case(LayerCall(name, args), [_ids(draw)], ("int32",))


@cases("MelSpectrogram")
@st.composite
def mel(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {
        "fft_length": draw(st.sampled_from([32, 64])),
        "sequence_stride": draw(st.integers(4, 40)),
        "num_mel_bins": draw(st.integers(2, 16)),
    }
    if draw(st.booleans()):
        args["sequence_length"] = draw(st.integers(16, 32))
    rank = draw(st.sampled_from([2, 2, 2, 3]))
    shape = shape_of_rank(draw, rank, st.one_of(st.integers(64, 300), st.none()))
    return Case(LayerCall(name, args), [shape])


@cases("STFTSpectrogram")
@st.composite
def stft(draw: st.DrawFn, name: str) -> Case:
    frame = draw(st.integers(4, 40))
    args: dict[str, Any] = {"frame_length": frame}
    if draw(st.booleans()):
        args["mode"] = draw(st.sampled_from(["log", "magnitude", "psd", "real", "imag", "stft"]))
    if draw(st.booleans()):
        args["frame_step"] = draw(st.integers(1, frame))
    if draw(st.booleans()):
        args["fft_length"] = frame + draw(st.integers(0, 20))
    if draw(st.booleans()):
        args["padding"] = draw(st.sampled_from(["valid", "same"]))
    if draw(st.booleans()):
        args["expand_dims"] = draw(st.booleans())
    if draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    time = draw(st.one_of(st.integers(2, 200), st.none()))
    channels = draw(st.integers(1, 3))
    first = args.get("data_format") == "channels_first"
    shape = (None, channels, time) if first else (None, time, channels)
    if draw(st.integers(0, 9)) == 0:
        shape = (None, time)
    return Case(LayerCall(name, args), [shape])
