"""Where a shape rule deliberately refuses what Keras's symbolic shape computation lets through.

Each entry says when (a predicate on the call and the input shapes) and why. The oracle accepts
a rule fault where Keras builds only in these cases; docs/spec-format.md lists the same classes
(a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from graphspec.base.catalog import canonical_type
from graphspec.passes.shapes import LayerCall, Shape

__all__ = ["STRICTER", "Stricter", "stricter_reason"]


@dataclass(frozen=True)
class Stricter:
    """One deliberate refusal: when it applies and why."""

    applies: Callable[[LayerCall, Sequence[Shape]], bool]
    reason: str


def _rank_is_not(rank: int) -> Callable[[LayerCall, Sequence[Shape]], bool]:
    return lambda call, inputs: len(inputs) == 1 and len(inputs[0]) != rank


def _encodes_rank1(call: LayerCall, inputs: Sequence[Shape]) -> bool:
    mode = call.args.get("output_mode", "multi_hot" if call.type == "CategoryEncoding" else "int")
    # Hashing drops the last axis for one_hot too; the lookups and bins append one.
    keeps = ("int",) if call.type == "Hashing" else ("int", "one_hot")
    return len(inputs) == 1 and len(inputs[0]) == 1 and mode not in keeps


def _longer_than_table(call: LayerCall, inputs: Sequence[Shape]) -> bool:
    length = call.args.get("sequence_length")
    seq = inputs[0][1] if len(inputs) == 1 and len(inputs[0]) > 1 else None
    return isinstance(length, int) and seq is not None and seq > length


def _adaptive(call: LayerCall, inputs: Sequence[Shape]) -> bool:
    n = int(call.type[-2])
    return len(inputs) == 1 and len(inputs[0]) != n + 2


_IMAGE_BATCH = (
    "Keras reads a rank-3 tensor as one unbatched image (the batch axis becomes the height) and "
    "computes nonsense for other ranks; graphspec asks for (batch, height, width, channels)"
)
_SAMPLE_AXIS = (
    "this encoding reads the last axis as each sample's tokens; on a rank-1 input Keras's output "
    "loses the batch axis"
)

STRICTER: Final[dict[str, Stricter]] = {
    "Resizing": Stricter(_rank_is_not(4), _IMAGE_BATCH),
    "CenterCrop": Stricter(_rank_is_not(4), _IMAGE_BATCH),
    "RandomCrop": Stricter(_rank_is_not(4), _IMAGE_BATCH),
    "MelSpectrogram": Stricter(
        _rank_is_not(2),
        "Keras's shape reads axis 1 as the samples whatever the rank, and fails when run",
    ),
    "GroupQueryAttention": Stricter(
        lambda call, inputs: any(len(s) != 3 for s in inputs),
        "Keras builds it on rank-4 inputs with wrongly sized projections; its einsums are "
        "(batch, sequence, features)",
    ),
    "AlibiBias": Stricter(
        _rank_is_not(4),
        "its call refuses every rank but 4 (batch, heads, query, key); Keras's symbolic shape "
        "never runs it",
    ),
    **{
        name: Stricter(
            _longer_than_table,
            "KerasHub's symbolic shape ignores the table's length; slicing positions beyond "
            "sequence_length fails when run",
        )
        for name in ("PositionEmbedding", "TokenAndPositionEmbedding")
    },
    **{
        f"Adaptive{kind}Pooling{n}D": Stricter(
            _adaptive,
            "Keras's shape ignores the input's rank; the pooling op fails on the wrong rank",
        )
        for kind in ("Max", "Average")
        for n in (1, 2, 3)
    },
    **{
        name: Stricter(_encodes_rank1, _SAMPLE_AXIS)
        for name in (
            "CategoryEncoding",
            "Hashing",
            "StringLookup",
            "IntegerLookup",
            "Discretization",
        )
    },
}
"""Class name -> the deliberate refusal."""


def stricter_reason(call: LayerCall, inputs: Sequence[Shape]) -> str | None:
    """Why the rule may refuse ``call`` on ``inputs`` where Keras builds, or ``None``."""
    entry = STRICTER.get(canonical_type(call.type))
    if entry is None or not entry.applies(call, inputs):
        return None
    return entry.reason
