"""Shape rules for categorical preprocessing: lookups, hashing, binning, encoding, text vectorization."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from graphspec.base.shape_types import Dim, LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import not_counted
from graphspec.passes.shapes.registry import (
    arg,
    bool_arg,
    choice_arg,
    expect_input_count,
    int_arg,
    is_int,
    opt_int_arg,
    result,
    shape_rule,
    single_input,
)

__all__ = [
    "category_encoding_rule",
    "discretization_rule",
    "hashed_crossing_rule",
    "hashing_rule",
    "lookup_rule",
    "text_vectorization_rule",
]

_MODES: Final = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_OOV_DEFAULT: Final = {"StringLookup": "[UNK]", "IntegerLookup": -1, "TextVectorization": "[UNK]"}


def _encoded(call: LayerCall, shape: Shape, mode: str, depth: Dim) -> Shape:
    """Keras's encoding of a lookup/hashing result into ``depth`` slots.

    ``one_hot`` adds an axis (replacing a trailing axis of size 1); ``multi_hot``, ``count`` and
    ``tf_idf`` read the last axis as the sample's tokens and replace it.
    """
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return (*shape[:-1], depth)
        return (*shape, depth)
    _need_sample_axis(call, shape, mode)
    return (*shape[:-1], depth)


def _need_sample_axis(call: LayerCall, shape: Shape, mode: str) -> None:
    """``multi_hot``/``count`` encode the last axis; a rank-1 input would lose the batch axis."""
    if len(shape) < 2:
        raise ShapeFault(
            f"{call.type} with output_mode '{mode}' encodes the last axis of each sample; "
            f"got {format_shape(shape)}, which has no axis besides the batch",
            hint="give the input a token axis, e.g. shape: [1] or shape: [tokens]",
        )


# ------------------------------------------------------------------------------- vocabularies


def _vocabulary_size(call: LayerCall, mode: str, mask_token: Any, oov_token: Any) -> Dim:
    """The lookup's vocabulary size (mask and OOV slots included), ``None`` until adapted."""
    vocabulary = arg(call, "vocabulary")
    if vocabulary is None or isinstance(vocabulary, str):
        return None  # adapted from data, or read from a file when the model is built
    if not isinstance(vocabulary, list | tuple) or not vocabulary:
        raise ShapeFault(
            f"{call.type} argument 'vocabulary' must be a non-empty list of tokens; "
            f"got {vocabulary!r}",
            arg="vocabulary",
        )
    oov = int_arg(call, "num_oov_indices", 1, minimum=0)
    oov_start = 1 if mask_token is not None and mode == "int" else 0
    special = [mask_token] * oov_start + [oov_token] * oov
    tokens = list(vocabulary)
    if tokens[: len(special)] == special:
        tokens = tokens[len(special) :]
    if not tokens:
        raise ShapeFault(
            f"{call.type} argument 'vocabulary' holds only the reserved (mask and OOV) tokens",
            hint="list the real tokens; the mask and OOV slots are added for you",
            arg="vocabulary",
        )
    if len(set(map(repr, tokens))) != len(tokens):
        raise ShapeFault(
            f"{call.type} argument 'vocabulary' repeats a token",
            hint="list every token once",
            arg="vocabulary",
        )
    invert = bool_arg(call, "invert", False)
    if (mask_token is not None and mask_token in tokens) or (invert and oov_token in tokens):
        raise ShapeFault(
            f"{call.type} argument 'vocabulary' holds a reserved (mask or OOV) token",
            hint="leave the mask and OOV tokens out of the vocabulary",
            arg="vocabulary",
        )
    size = oov_start + oov + len(tokens)
    max_tokens = arg(call, "max_tokens")
    if max_tokens is not None and size > max_tokens:
        raise ShapeFault(
            f"{call.type} has a vocabulary of {size} (with mask/OOV slots), more than "
            f"max_tokens {max_tokens}",
            hint="raise max_tokens or shorten the vocabulary",
            arg="max_tokens",
        )
    return size


def _lookup_depth(call: LayerCall, mode: str, mask_token: Any, oov_token: Any) -> Dim:
    """Encoding depth of a lookup: ``max_tokens`` when padded, else the vocabulary size."""
    max_tokens = opt_int_arg(call, "max_tokens", minimum=2)
    pad = bool_arg(call, "pad_to_max_tokens", False)
    if pad and max_tokens is None:
        raise ShapeFault(
            f"{call.type} with pad_to_max_tokens: true needs max_tokens",
            arg="pad_to_max_tokens",
        )
    idf = arg(call, "idf_weights")
    if idf is not None and mode != "tf_idf":
        raise ShapeFault(
            f"{call.type} takes idf_weights only with output_mode 'tf_idf'", arg="idf_weights"
        )
    size = _vocabulary_size(call, mode, mask_token, oov_token)
    if mode == "tf_idf" and arg(call, "vocabulary") is not None and idf is None:
        raise ShapeFault(
            f"{call.type} with output_mode 'tf_idf' and a vocabulary needs idf_weights",
            arg="idf_weights",
        )
    if mode == "int":
        return None
    return max_tokens if pad else size


def _mode(call: LayerCall) -> str:
    """``output_mode``, with Keras's spellings ``binary`` and ``tf-idf`` accepted."""
    value = arg(call, "output_mode", "int")
    value = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(value, value)
    if value not in _MODES:
        raise ShapeFault(
            f"{call.type} argument 'output_mode' must be one of "
            f"{', '.join(repr(m) for m in _MODES)}; got {arg(call, 'output_mode')!r}",
            arg="output_mode",
        )
    return str(value)


@shape_rule("StringLookup", "IntegerLookup")
def lookup_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``StringLookup``/``IntegerLookup(vocabulary, max_tokens, num_oov_indices, output_mode)``.

    ``int`` keeps the shape; the encodings add or replace the last axis with the vocabulary
    size (``max_tokens`` with ``pad_to_max_tokens``), unknown (``None``) until the layer is
    adapted when no vocabulary is given.
    """
    shape = single_input(call, inputs)
    mode = _mode(call)
    if bool_arg(call, "invert", False) and mode != "int":
        raise ShapeFault(
            f"{call.type} with invert: true needs output_mode 'int'; got '{mode}'",
            arg="invert",
        )
    mask_token = arg(call, "mask_token")
    oov_token = arg(call, "oov_token", _OOV_DEFAULT[call.type])
    depth = _lookup_depth(call, mode, mask_token, oov_token)
    if mode == "int":
        return result(shape)
    return result(_encoded(call, shape, mode, depth))


@shape_rule("TextVectorization")
def text_vectorization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``TextVectorization(max_tokens, output_mode, output_sequence_length, split, vocabulary)``.

    ``int`` gives ``(batch, output_sequence_length)`` — unknown when that is null, because the
    length then depends on the text. The other modes encode the tokens into the vocabulary size.
    """
    shape = single_input(call, inputs)
    mode = _mode(call)
    length = arg(call, "output_sequence_length")
    if length is not None and mode != "int":
        raise ShapeFault(
            f"{call.type} takes output_sequence_length only with output_mode 'int'",
            arg="output_sequence_length",
        )
    if mode == "int":
        length = opt_int_arg(call, "output_sequence_length")
    depth = _lookup_depth(call, mode, "", "[UNK]")
    if mode == "int":
        return result((shape[0], length))
    if arg(call, "split", "whitespace") is None:
        words = shape if len(shape) > 1 else (*shape, 1)
    else:
        words = (*shape, None)
    return result(_encoded(call, words, mode, depth))


# ------------------------------------------------------------------------- hashing and bins


@shape_rule("Hashing")
def hashing_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Hashing(num_bins, output_mode='int')``: ``int`` keeps the shape; the encodings
    replace the last axis with ``num_bins``."""
    shape = single_input(call, inputs)
    bins = int_arg(call, "num_bins")
    mode = choice_arg(call, "output_mode", "int", ("int", "one_hot", "multi_hot", "count"))
    if mode == "int":
        return result(shape)
    _need_sample_axis(call, shape, mode)
    return result((*shape[:-1], bins))


@shape_rule("HashedCrossing")
def hashed_crossing_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``HashedCrossing(num_bins, output_mode='int')`` crosses two inputs of the same shape."""
    expect_input_count(call, inputs, 2, 2)
    first, second = (tuple(s) for s in inputs)
    bins = int_arg(call, "num_bins")
    mode = choice_arg(call, "output_mode", "int", ("int", "one_hot"))
    if first[-1] != second[-1]:
        raise ShapeFault(
            f"{call.type} crosses two inputs of the same shape; got {format_shape(first)} and "
            f"{format_shape(second)}",
            hint="feed it two features of the same shape",
            input_index=1,
        )
    if mode == "int":
        return result(first)
    if first[-1] != 1:
        return result((*first, bins))
    return result((*first[:-1], bins))


def _bins(call: LayerCall) -> int:
    """Number of bins: ``len(bin_boundaries) + 1`` or ``num_bins`` (exactly one is given)."""
    boundaries = arg(call, "bin_boundaries")
    bins = arg(call, "num_bins")
    if (boundaries is None) == (bins is None):
        raise ShapeFault(
            f"{call.type} needs exactly one of 'bin_boundaries' and 'num_bins'",
            hint="give bin_boundaries: [...] (or num_bins and adapt the layer)",
            arg="bin_boundaries" if boundaries is not None else "num_bins",
        )
    if boundaries is not None:
        if not isinstance(boundaries, list | tuple):
            raise ShapeFault(
                f"{call.type} argument 'bin_boundaries' must be a list of numbers; "
                f"got {boundaries!r}",
                arg="bin_boundaries",
            )
        return len(boundaries) + 1
    return int_arg(call, "num_bins", minimum=0)


@shape_rule("Discretization")
def discretization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Discretization(bin_boundaries | num_bins, output_mode='int')``.

    ``int`` keeps the shape; ``one_hot`` adds an axis of the bin count (replacing a trailing 1);
    ``multi_hot``/``count`` drop axis 1 and append the bin count, as Keras does.
    """
    shape = single_input(call, inputs)
    depth = _bins(call)
    mode = choice_arg(call, "output_mode", "int", ("int", "one_hot", "multi_hot", "count"))
    if mode == "int":
        return result(shape)
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return result((*shape[:-1], depth))
        return result((*shape, depth))
    _need_sample_axis(call, shape, mode)
    return result((shape[0], *shape[2:], depth))


@shape_rule("CategoryEncoding")
def category_encoding_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``CategoryEncoding(num_tokens, output_mode='multi_hot')``: integer ids to slots."""
    shape = single_input(call, inputs)
    tokens = arg(call, "num_tokens")
    if not is_int(tokens) or tokens < 1:
        raise ShapeFault(
            f"{call.type} needs num_tokens, a positive integer; got {tokens!r}",
            hint="set num_tokens to the number of distinct ids",
            arg="num_tokens",
        )
    mode = choice_arg(call, "output_mode", "multi_hot", ("one_hot", "multi_hot", "count"))
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return result((*shape[:-1], tokens))
        return result((*shape, tokens))
    _need_sample_axis(call, shape, mode)
    return result((*shape[:-1], tokens))


not_counted(
    "lookups, hashing and binning of integers or strings: table and bucket searches, not "
    "floating-point arithmetic",
    "StringLookup",
    "IntegerLookup",
    "TextVectorization",
    "Hashing",
    "HashedCrossing",
    "Discretization",
    "CategoryEncoding",
)
