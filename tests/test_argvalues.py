"""Argument value rules, checked against Keras itself: what Keras refuses, graphspec refuses.

Each case builds the layer in Keras (constructor and a symbolic call) and asks graphspec's value
pass; both must give the same verdict. A second table lists values Keras silently accepts but
that are type mistakes (``return_sequences: maybe``): graphspec refuses those, on purpose.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from graphspec.base.catalog import layer_signature
from graphspec.passes.validate.values import VALUE_RULES, check_arg_value, yaml_text


class Case(NamedTuple):
    layer: str
    arg: str
    value: Any
    base: dict[str, Any]
    shape: tuple[int, ...]


def _c(kind: str, arg: str, value: Any, shape: tuple[int, ...], **base: Any) -> Case:
    return Case(kind, arg, value, base, shape)


IMG, SEQ, VEC = (8, 8, 3), (10, 4), (16,)

AGREE = [
    *(_c("Dense", "units", v, VEC) for v in (4, 0, -1, 2.5, "16", None)),
    *(_c("Conv2D", "filters", v, IMG, kernel_size=3) for v in (8, 0, "16", None)),
    *(_c("Conv2D", "kernel_size", v, IMG, filters=4) for v in (3, [3, 3], [3], "abc", [3, 3, 3])),
    *(_c("Conv2D", "padding", v, IMG, filters=4, kernel_size=3) for v in ("same", "SAME", "smae")),
    _c("Conv2D", "padding", "causal", IMG, filters=4, kernel_size=3),
    _c("Conv1D", "padding", "causal", SEQ, filters=4, kernel_size=3),
    *(_c("Conv2D", "strides", v, IMG, filters=4, kernel_size=3) for v in (2, [1, 2], "x")),
    *(_c("Conv2D", "data_format", v, IMG, filters=4, kernel_size=1) for v in ("channels_middle",)),
    *(_c("Conv2D", "groups", v, IMG, filters=3, kernel_size=1) for v in (1, 3, 0)),
    *(_c("MaxPooling2D", "pool_size", v, IMG) for v in (2, [2, 2], "big")),
    *(_c("Dropout", "rate", v, VEC) for v in (0.5, 0, 1, 1.5, -0.1)),
    *(_c("SpatialDropout1D", "rate", v, SEQ) for v in (0.2, 2)),
    *(_c("GaussianNoise", "stddev", v, VEC) for v in (0.1, 2.0)),
    *(_c("UpSampling2D", "interpolation", v, IMG) for v in ("bilinear", "cubic")),
    *(_c("UpSampling2D", "size", v, IMG) for v in (2, [2, 3])),
    *(_c("Embedding", "output_dim", v, (5,), input_dim=10) for v in (4, 0)),
    *(_c("RepeatVector", "n", v, VEC) for v in (3, 0)),
    *(_c("LSTM", "units", v, SEQ) for v in (8, 0, -3)),
    *(_c("LSTM", "dropout", v, SEQ, units=2) for v in (0.2, "high")),
    *(_c("Reshape", "target_shape", v, VEC) for v in ([4, 4], [-1, 4], [-1, -1])),
    *(_c("Permute", "dims", v, (2, 3)) for v in ([2, 1], [1, 1], [0, 1])),
    *(_c("ZeroPadding2D", "padding", v, IMG) for v in (1, [1, 2], [[1, 0], [0, 1]], -1)),
    *(_c("GroupNormalization", "groups", v, IMG) for v in (-1, 3, 0)),
    *(
        _c("Bidirectional", "merge_mode", v, SEQ, layer={"type": "LSTM", "units": 2})
        for v in ("concat", "sum", None, "add")
    ),
]

STRICTER = [
    _c("LSTM", "return_sequences", "maybe", SEQ, units=2),
    _c("Dense", "use_bias", "no", VEC, units=2),
]
"""Keras takes these without complaint (truthy strings); they are mistakes all the same."""


def _keras_accepts(case: Case) -> bool:
    import keras
    import numpy as np

    def build(spec: Any) -> Any:
        if isinstance(spec, dict):
            kind = getattr(keras.layers, spec["type"])
            return kind(**{k: build(v) for k, v in spec.items() if k != "type"})
        return spec

    kind = getattr(keras.layers, case.layer)
    kwargs = {k: build(v) for k, v in case.base.items()}
    kwargs[case.arg] = case.value
    try:
        layer = kind(**kwargs)
        layer(keras.Input(case.shape))  # building
        layer(np.zeros((1, *case.shape), dtype="float32"))  # running: some checks wait till then
    except Exception:  # any refusal by Keras counts
        return False
    return True


def _ours(case: Case) -> bool:
    sig = layer_signature(case.layer)
    assert sig is not None
    info = sig.arg(case.arg)
    default = info.default if info else None
    required = bool(info and info.required)
    return check_arg_value(case.layer, case.arg, case.value, default, required=required) is None


@pytest.mark.keras
@pytest.mark.parametrize(
    "case", AGREE, ids=[f"{c.layer}-{c.arg}-{yaml_text(c.value)}" for c in AGREE]
)
def test_same_verdict_as_keras(case: Case) -> None:
    assert _ours(case) == _keras_accepts(case)


@pytest.mark.keras
@pytest.mark.parametrize("case", STRICTER, ids=[f"{c.layer}-{c.arg}" for c in STRICTER])
def test_type_mistakes_keras_lets_through(case: Case) -> None:
    assert _keras_accepts(case) and not _ours(case)


def test_every_rule_is_exercised() -> None:
    """Each rule function meets Keras in AGREE, or is checked word for word in MESSAGES."""
    tested = {c.arg for c in AGREE} | {m[1] for m in MESSAGES}
    assert {VALUE_RULES[n] for n in tested if n in VALUE_RULES} == set(VALUE_RULES.values())


MESSAGES = [
    ("Conv2D", "padding", "smae", "one of 'valid', 'same'", "did you mean `same`?"),
    ("Conv1D", "padding", "casual", "one of 'valid', 'same', 'causal'", "did you mean `causal`?"),
    ("Dense", "units", "16", "a positive integer", "write `16` without quotes: a quoted number is a string"),
    ("Dense", "units", 10.0, "a positive integer", "write `10`: Keras wants an integer, not a float"),
    ("Conv2D", "kernel_size", [3], "a positive integer or a list of 2 such integers",
     "Conv2D has 2 spatial axes: give 2 numbers, or one for all"),
    ("MultiHeadAttention", "value_dim", 0, "a positive integer or null", None),
    ("Bidirectional", "merge_mode", "add", "one of 'concat', 'sum', 'mul', 'ave', null", None),
    ("RandomRotation", "fill_mode", "mirror", "one of 'reflect', 'wrap', 'constant', 'nearest'", None),
    ("LSTM", "use_cudnn", "yes", "one of 'auto', True, False", None),
    ("LayerNormalization", "axis", "last", "an integer axis (or a list of them)", None),
    ("Dropout", "noise_shape", [0], "null or a list of positive integers and nulls (one per axis, batch included)", None),
    ("Dense", "use_bias", "no", "true or false", "the Keras default is `true`"),
    ("Attention", "score_mode", "cosine", "one of 'dot', 'concat'", None),
]  # fmt: skip


@pytest.mark.parametrize(("layer", "arg", "value", "expected", "hint"), MESSAGES)
def test_messages(layer: str, arg: str, value: Any, expected: str, hint: str | None) -> None:
    sig = layer_signature(layer)
    info = sig.arg(arg) if sig else None
    problem = check_arg_value(
        layer, arg, value, info.default if info else None, required=bool(info and info.required)
    )
    assert problem is not None
    assert (problem.expected, problem.hint) == (expected, hint)
