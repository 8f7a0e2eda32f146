"""The input signature an export fixes: the model's input shapes, ``--input-shape`` and batch."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphspec.errors import UsageError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TensorSig", "parse_input_shape", "random_inputs", "resolve_signature"]

Shape = tuple[int | None, ...]
_DIM = re.compile(r"^(?:\d+|\?|None)$")
_FREE_DIM = 8
"""The size random verification inputs use for a dimension left free (not the batch)."""


@dataclass(frozen=True)
class TensorSig:
    """One input of the exported function: its name, full shape (batch first) and dtype."""

    name: str
    shape: Shape
    dtype: str

    @property
    def shape_text(self) -> str:
        """The shape as ``--input-shape`` writes it (``?`` for a free dimension).

        >>> TensorSig("image", (None, 32, 32, 3), "float32").shape_text
        '?x32x32x3'
        """
        return "x".join("?" if d is None else str(d) for d in self.shape)


def parse_input_shape(text: str) -> tuple[str, Shape]:
    """``NAME=1x224x224x3`` (batch first; ``?`` leaves a dimension free) as name and shape.

    >>> parse_input_shape("image=1x224x224x3")
    ('image', (1, 224, 224, 3))
    >>> parse_input_shape("tokens=?x128")
    ('tokens', (None, 128))
    >>> parse_input_shape("image")
    Traceback (most recent call last):
    ...
    graphspec.errors.UsageError: --input-shape 'image': expected NAME=DxDx... ...
    """
    name, sep, dims = text.partition("=")
    parts = dims.lower().split("x") if dims else []
    if not sep or not name.strip() or not parts or not all(_DIM.match(p) for p in parts):
        raise UsageError(
            f"--input-shape {text!r}: expected NAME=DxDx... with the batch first, each D a "
            "positive size or ? for a free one (e.g. image=1x224x224x3)"
        )
    shape = tuple(None if p in ("?", "none") else int(p) for p in parts)
    if any(d == 0 for d in shape):
        raise UsageError(f"--input-shape {text!r}: a dimension of size 0 is not an input shape")
    return name.strip(), shape


def resolve_signature(
    inputs: Sequence[tuple[str, Shape, str]],
    overrides: Mapping[str, Shape],
    batch_size: int | None,
) -> list[TensorSig]:
    """Each input's exported shape: the model's, with ``overrides`` and ``batch_size`` applied.

    An override must keep the rank and every size the model fixes (it may only fix free ones).

    >>> resolve_signature([("x", (None, None, 3), "float32")], {"x": (1, 16, 3)}, None)
    [TensorSig(name='x', shape=(1, 16, 3), dtype='float32')]
    >>> resolve_signature([("x", (None, 4), "float32")], {}, 2)[0].shape
    (2, 4)
    """
    names = [name for name, _, _ in inputs]
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise UsageError(
            f"--input-shape names {', '.join(unknown)}, which the model has no input of "
            f"(its inputs: {', '.join(names)})"
        )
    found: list[TensorSig] = []
    for name, shape, dtype in inputs:
        wanted = overrides.get(name)
        if wanted is not None:
            _check_override(name, shape, wanted)
            shape = tuple(w if w is not None else s for w, s in zip(wanted, shape, strict=True))
        if batch_size is not None:
            if shape[0] is not None and shape[0] != batch_size:
                raise UsageError(
                    f"--batch-size {batch_size} contradicts input `{name}`'s batch size "
                    f"{shape[0]} from --input-shape"
                )
            shape = (batch_size, *shape[1:])
        found.append(TensorSig(name, shape, dtype))
    return found


def _check_override(name: str, shape: Shape, wanted: Shape) -> None:
    model_text = "x".join("?" if d is None else str(d) for d in shape)
    if len(wanted) != len(shape):
        raise UsageError(
            f"--input-shape {name}: {len(wanted)} dimensions given, the input has {len(shape)} "
            f"(batch first: {model_text})"
        )
    for axis, (w, s) in enumerate(zip(wanted, shape, strict=True)):
        if s is not None and w is not None and w != s:
            raise UsageError(
                f"--input-shape {name}: dimension {axis} is {w}, the model fixes it at {s} "
                f"(the input's shape is {model_text}; only ? dimensions can be chosen)"
            )


def random_inputs(signature: Sequence[TensorSig], seed: int, batch: int) -> dict[str, np.ndarray]:
    """Seeded inputs of the signature's shapes (free batch: ``batch``, other free sizes: 8).

    Floats are uniform in [-1, 1); integers are 0 or 1 (valid indices for any ``Embedding``).

    >>> x = random_inputs([TensorSig("x", (None, 3), "float32")], seed=0, batch=2)["x"]
    >>> x.shape, x.dtype.name
    ((2, 3), 'float32')
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    feeds: dict[str, np.ndarray] = {}
    for sig in signature:
        shape = tuple(
            (batch if axis == 0 else _FREE_DIM) if d is None else d
            for axis, d in enumerate(sig.shape)
        )
        kind = np.dtype(sig.dtype)
        if kind.kind in "iu":
            feeds[sig.name] = rng.integers(0, 2, size=shape).astype(kind)
        elif kind.kind == "b":
            feeds[sig.name] = rng.integers(0, 2, size=shape).astype(bool)
        else:
            feeds[sig.name] = rng.uniform(-1.0, 1.0, size=shape).astype(kind)
    return feeds
