"""Cases for categorical and text preprocessing, and the audio spectrograms.

Modes that read the last axis as each sample's tokens (``multi_hot``, ``count``, ``tf_idf``) get
inputs of rank 2 or more: on a rank-1 input the rule refuses them on purpose (stricter.py).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, shape_of_rank

_MODES = ["int", "one_hot", "multi_hot", "count", "tf_idf"]


def _ids(draw: st.DrawFn, mode: str) -> tuple[Any, ...]:
    """Ids of rank 1 to 3; rank 2 or more when ``mode`` encodes each sample's last axis."""
    low = 1 if mode in ("int", "one_hot") else 2
    ranks = [r for r in (1, 2, 2, 2, 3) if r >= low]
    return shape_of_rank(draw, draw(st.sampled_from(ranks)), st.integers(1, 4))


def _vocabulary(
    draw: st.DrawFn, args: dict[str, Any], tokens: list[Any], reserved: int, broken: str | None
) -> None:
    """Maybe draw a vocabulary of distinct ``tokens`` (with the idf weights tf_idf needs) and
    max_tokens that hold it and the ``reserved`` (mask and OOV) slots; ``repeat`` and
    ``max_tokens`` break it."""
    words = st.lists(st.sampled_from(tokens), min_size=1, max_size=4, unique=True)
    vocabulary = draw(st.one_of(st.none(), words))
    if broken in ("repeat", "max_tokens") and vocabulary is None:
        vocabulary = tokens[:2]
    if vocabulary is not None:
        if broken == "repeat":
            vocabulary = [*vocabulary, vocabulary[0]]
        args["vocabulary"] = vocabulary
        if args["output_mode"] == "tf_idf":
            args["idf_weights"] = [0.5] * len(vocabulary)
    size = reserved + len(vocabulary or [])
    if draw(st.booleans()) or broken == "max_tokens":
        args["max_tokens"] = max(size, 2) + draw(st.integers(0, 3))
        if broken == "max_tokens":
            args["max_tokens"] = size - 1
        args["pad_to_max_tokens"] = draw(st.booleans())


@cases("StringLookup", "IntegerLookup")
@st.composite
def lookup(draw: st.DrawFn, name: str) -> Case:
    strings = name == "StringLookup"
    mode = draw(st.sampled_from(_MODES))
    broken = fault(draw, "output_mode", "repeat", "max_tokens")
    args: dict[str, Any] = {"output_mode": mode}
    if draw(st.booleans()):
        args["num_oov_indices"] = draw(st.integers(0, 2))
    # The mask token, when given, is never a vocabulary token ("" and 0 are not drawn as those).
    if draw(st.booleans()):
        args["mask_token"] = "" if strings else 0
    if mode == "int" and draw(st.integers(0, 5)) == 0:
        args["invert"] = True
    reserved = args.get("num_oov_indices", 1) + (1 if "mask_token" in args and mode == "int" else 0)
    tokens = ["a", "b", "c", "d", "e"] if strings else [1, 2, 3, 4, 5, 6]
    _vocabulary(draw, args, tokens, reserved, broken)
    if broken == "output_mode":
        args["output_mode"] = "bag_of_words"
    dtype = "string" if strings and not args.get("invert") else "int64"
    return Case(LayerCall(name, args), [_ids(draw, mode)], (dtype,))


@cases("TextVectorization")
@st.composite
def text_vectorization(draw: st.DrawFn, name: str) -> Case:
    mode = draw(st.sampled_from(_MODES))
    broken = fault(draw, "output_mode", "repeat", "max_tokens", "sequence_length")
    args: dict[str, Any] = {"output_mode": mode}
    if mode == "int" and draw(st.booleans()):
        args["output_sequence_length"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        args["split"] = None
    # The mask ("", in int mode) and OOV ("[UNK]") slots come first.
    _vocabulary(draw, args, ["a", "b", "c", "d"], 2 if mode == "int" else 1, broken)
    if broken == "output_mode":
        args["output_mode"] = "bag_of_words"
    elif broken == "sequence_length":  # only the int mode pads to a length
        args = {"output_mode": "count", "output_sequence_length": 3}
    rank = draw(st.sampled_from([1, 2]))
    shape = (None,) if rank == 1 else (None, draw(st.sampled_from([1, 1, 2])))
    return Case(LayerCall(name, args), [shape], ("string",))


@cases("Hashing")
@st.composite
def hashing(draw: st.DrawFn, name: str) -> Case:
    mode = draw(st.sampled_from(["int", "int", "one_hot", "multi_hot", "count"]))
    broken = fault(draw, "num_bins", "output_mode")
    args: dict[str, Any] = {"num_bins": draw(st.integers(1, 6)) if broken != "num_bins" else 0}
    if mode != "int" or draw(st.booleans()):
        args["output_mode"] = mode if broken != "output_mode" else "tf_idf"
    # Hashing drops the last axis for one_hot as well: rank 2 or more for every encoding.
    ids = _ids(draw, "int" if mode == "int" else "count")
    return Case(LayerCall(name, args), [ids], (draw(st.sampled_from(["string", "int64"])),))


@cases("HashedCrossing")
@st.composite
def hashed_crossing(draw: st.DrawFn, name: str) -> Case:
    # num_bins: 0 is not drawn: Keras builds it in int mode, where the rule refuses it.
    broken = fault(draw, "mismatch")
    args: dict[str, Any] = {"num_bins": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        args["output_mode"] = draw(st.sampled_from(["int", "one_hot"]))
    first = (None, *draw(st.lists(st.integers(1, 3), max_size=1)))
    second = (None, first[-1] % 3 + 1 if first[-1] else 2) if broken == "mismatch" else first
    return Case(LayerCall(name, args), [first, second], ("string", "int64"))


@cases("Discretization")
@st.composite
def discretization(draw: st.DrawFn, name: str) -> Case:
    mode = draw(st.sampled_from(["int", "one_hot", "multi_hot", "count"]))
    broken = fault(draw, "both", "output_mode")
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["bin_boundaries"] = sorted(draw(st.lists(st.floats(-2, 2), max_size=4, unique=True)))
    else:
        args["num_bins"] = draw(st.integers(1, 5))
    if mode != "int" or draw(st.booleans()):
        args["output_mode"] = mode
    if broken == "both":  # bin_boundaries and num_bins exclude each other
        args["bin_boundaries"], args["num_bins"] = [0.0, 1.0], 3
    elif broken == "output_mode":
        args["output_mode"] = "tf_idf"
    return Case(LayerCall(name, args), [_ids(draw, mode)])


@cases("CategoryEncoding")
@st.composite
def category_encoding(draw: st.DrawFn, name: str) -> Case:
    mode = draw(st.sampled_from(["one_hot", "multi_hot", "count"]))
    broken = fault(draw, "num_tokens", "output_mode")
    args: dict[str, Any] = {"num_tokens": draw(st.integers(1, 6)) if broken != "num_tokens" else 0}
    if mode != "multi_hot" or draw(st.booleans()):
        args["output_mode"] = mode if broken != "output_mode" else "tf_idf"
    return Case(LayerCall(name, args), [_ids(draw, mode)], ("int32",))


@cases("MelSpectrogram")
@st.composite
def mel(draw: st.DrawFn, name: str) -> Case:
    # A rank-3 input is a deliberate refusal (stricter.py): Keras builds it, the rule refuses.
    broken = fault(draw, "rank", "sequence_length")
    args: dict[str, Any] = {
        "fft_length": draw(st.sampled_from([32, 64])),
        "sequence_stride": draw(st.integers(4, 40)),
        "num_mel_bins": draw(st.integers(2, 16)),
    }
    if draw(st.booleans()):
        args["sequence_length"] = draw(st.integers(16, 32))
    if broken == "sequence_length":  # longer than the FFT
        args["sequence_length"] = args["fft_length"] + 1
    rank = 3 if broken == "rank" else 2
    shape = shape_of_rank(draw, rank, st.one_of(st.integers(64, 300), st.none()))
    return Case(LayerCall(name, args), [shape])


@cases("STFTSpectrogram")
@st.composite
def stft(draw: st.DrawFn, name: str) -> Case:
    frame = draw(st.integers(4, 40))
    broken = fault(draw, "rank", "small", "channels")
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
    # At least one frame fits under 'valid' padding (the default).
    time = draw(st.one_of(st.integers(frame, 200), st.none()))
    channels: int | None = draw(st.integers(1, 3))
    if broken == "small":
        args["padding"], time = "valid", frame - 1
    elif broken == "channels":
        channels = None
    first = args.get("data_format") == "channels_first"
    shape = (None, channels, time) if first else (None, time, channels)
    if broken == "rank":
        shape = (None, time)
    return Case(LayerCall(name, args), [shape])
