"""Shape rules for core layers: inputs, dense projections, activations, noise and embeddings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import (
    Flops,
    activation_flops,
    elements,
    flop_rule,
    free,
    macs,
    ops,
    softmax_flops,
)
from graphspec.passes.shapes.registry import (
    REQUIRED,
    arg,
    bool_arg,
    expect_input_count,
    float_arg,
    int_arg,
    is_int,
    kernel_counts,
    known_dim,
    lora_rank_arg,
    product,
    result,
    shape_rule,
    single_input,
)

__all__ = [
    "dense_flops",
    "dense_rule",
    "dropout_rule",
    "einsum_dense_rule",
    "einsum_kernel",
    "embedding_rule",
    "gaussian_noise_rule",
    "identity_rule",
    "input_rule",
    "leaky_relu_rule",
    "prelu_rule",
    "relu_rule",
    "reversible_embedding_rule",
    "spatial_dropout_rule",
]


# ------------------------------------------------------------------------------------- inputs


def _dims_arg(call: LayerCall, name: str, value: Any) -> tuple[int | None, ...]:
    """A shape-valued argument: a list of positive ints or nulls."""
    ok = isinstance(value, list | tuple) and all(d is None or (is_int(d) and d >= 1) for d in value)
    if not ok:
        raise ShapeFault(
            f"{call.type} argument '{name}' must be a list of positive integers or nulls; "
            f"got {value!r}",
            hint="e.g. shape: [28, 28, 1] (the batch dimension is not included)",
            arg=name,
        )
    return tuple(value)


@shape_rule("Input", "InputLayer")
def input_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Input(shape=..., batch_size=...)`` or ``Input(batch_shape=...)``; takes no inputs."""
    expect_input_count(call, inputs, 0, 0)
    batch_shape = arg(call, "batch_shape", arg(call, "batch_input_shape"))
    shape = arg(call, "shape", arg(call, "input_shape"))
    if batch_shape is not None:
        if shape is not None:
            raise ShapeFault(
                f"{call.type} takes either 'shape' or 'batch_shape', not both",
                hint="drop 'batch_shape' and give the batch size as 'batch_size'",
                arg="batch_shape",
            )
        full = _dims_arg(call, "batch_shape", batch_shape)
        if not full:
            raise ShapeFault(
                f"{call.type} argument 'batch_shape' must include the batch dimension",
                arg="batch_shape",
            )
        return result(full)
    if shape is None:
        raise ShapeFault(
            f"{call.type} needs the argument 'shape'",
            hint="e.g. shape: [28, 28, 1] (the batch dimension is not included)",
            arg="shape",
        )
    dims = _dims_arg(call, "shape", shape)
    batch = arg(call, "batch_size")
    if batch is not None:
        batch = int_arg(call, "batch_size")
    return result((batch, *dims))


# -------------------------------------------------------------------------------------- dense


def _last_dim(call: LayerCall, shape: Shape) -> int:
    """The known feature (last) dimension of a rank >= 2 input."""
    if len(shape) < 2:
        raise ShapeFault(
            f"{call.type} expects an input of rank >= 2 (batch, ..., features); "
            f"got {format_shape(shape)}",
            hint="add a Reshape before this layer",
        )
    return known_dim(call, shape, -1, "last (feature) dimension")


@shape_rule("Dense")
def dense_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Dense(units)`` on the last axis: kernel ``(in, units)`` plus bias."""
    shape = single_input(call, inputs)
    units = int_arg(call, "units")
    use_bias = bool_arg(call, "use_bias", True)
    features = _last_dim(call, shape)
    trainable, frozen = kernel_counts(call, (features, units))
    trainable += units if use_bias else 0
    return result((*shape[:-1], units), trainable=trainable, non_trainable=frozen)


_EINSUM_FORMS = (
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
    (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
    (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
)


def _einsum_specs(call: LayerCall) -> tuple[str, str, str, bool]:
    """Split the ``equation`` into (input, weight, output) specs and whether ``...`` leads."""
    equation = arg(call, "equation")
    if isinstance(equation, str):
        replaced = equation.replace("...", "0")
        for pattern, left in _EINSUM_FORMS:
            match = re.fullmatch(pattern, replaced)
            if match:
                return match.group(1), match.group(2), match.group(3), left
    raise ShapeFault(
        f"EinsumDense argument 'equation' must look like 'ab,bc->ac', '...b,bc->...c' or "
        f"'ab...,bc->ac...'; got {equation!r}",
        arg="equation",
    )


def _einsum_partial_output(call: LayerCall) -> list[int | None]:
    """The ``output_shape`` argument (without batch) as a list."""
    value = arg(call, "output_shape", REQUIRED)
    if is_int(value):
        value = [value]
    ok = isinstance(value, list | tuple) and all(d is None or is_int(d) for d in value)
    if not ok:
        raise ShapeFault(
            f"EinsumDense argument 'output_shape' must be an integer or a list of integers "
            f"or nulls; got {value!r}",
            arg="output_shape",
        )
    return list(value)


def _einsum_output(
    call: LayerCall, shape: Shape, specs: tuple[str, str, str, bool]
) -> tuple[list[int | None], dict[str, int], dict[str, int]]:
    """Full output shape and the input/output position of each equation letter."""
    input_spec, _, output_spec, left = specs
    elided = len(shape) - len(input_spec)
    if elided < 0 or (elided > 0 and "..." not in arg(call, "equation")):
        raise ShapeFault(
            f"EinsumDense equation input '{input_spec}' has {len(input_spec)} axes but the input "
            f"{format_shape(shape)} has {len(shape)}",
            hint="write one letter per input axis (batch included), or use '...'",
            arg="equation",
        )
    output = [shape[0], *_einsum_partial_output(call)]
    if elided > 0 and left:
        for i in range(1, elided):
            output.insert(1, shape[i])
    elif elided > 0:
        output.extend(shape[len(shape) - elided :])
    if left:
        in_map = {d: i + elided - len(shape) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    if max(out_map.values(), default=-1) >= len(output):
        raise ShapeFault(
            f"EinsumDense 'output_shape' {arg(call, 'output_shape')!r} does not cover the "
            f"output axes '{output_spec}' of the equation",
            hint="give one output_shape entry per non-batch output letter",
            arg="output_shape",
        )
    for dim in input_spec:
        if dim in out_map:
            out_dim, in_dim = output[out_map[dim]], shape[in_map[dim]]
            if out_dim is not None and out_dim != in_dim:
                raise ShapeFault(
                    f"EinsumDense axis '{dim}' is {in_dim} in the input but {out_dim} in "
                    f"'output_shape'",
                    hint="shared letters keep their size; set that output_shape entry to null",
                    arg="output_shape",
                )
    return output, in_map, out_map


def einsum_kernel(call: LayerCall, shape: Shape) -> tuple[list[int | None], list[int]]:
    """EinsumDense's (output shape, kernel shape) for an input ``shape``."""
    specs = _einsum_specs(call)
    input_spec, weight_spec, output_spec, _ = specs
    output, in_map, out_map = _einsum_output(call, shape, specs)
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ShapeFault(
                f"EinsumDense output letter '{dim}' appears in neither the input nor the weight",
                arg="equation",
            )
    kernel: list[int | None] = []
    for dim in weight_spec:
        if dim in out_map:
            kernel.append(output[out_map[dim]])
        elif dim in in_map:
            kernel.append(shape[in_map[dim]])
        else:
            raise ShapeFault(
                f"EinsumDense weight letter '{dim}' appears in neither the input nor the output",
                arg="equation",
            )
    if any(d is None for d in kernel):
        raise ShapeFault(
            f"EinsumDense needs known sizes for every weight axis '{weight_spec}'; got "
            f"{tuple(kernel)} from input {format_shape(shape)}",
            hint="give the input a fixed size on the contracted axes",
        )
    return output, [int(d) for d in kernel if d is not None]


@shape_rule("EinsumDense")
def einsum_dense_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``EinsumDense(equation, output_shape, bias_axes=None)``, mirroring Keras' analysis."""
    shape = single_input(call, inputs)
    input_spec, _, output_spec, left = _einsum_specs(call)
    output, kernel = einsum_kernel(call, shape)
    trainable, frozen = kernel_counts(call, kernel)
    trainable += _einsum_bias(call, output, output_spec, len(shape) - len(input_spec), left)
    return result(tuple(output), trainable=trainable, non_trainable=frozen)


def _einsum_bias(
    call: LayerCall, output: list[int | None], output_spec: str, elided: int, left: bool
) -> int:
    """Number of bias parameters for ``bias_axes``."""
    bias_axes = arg(call, "bias_axes")
    if bias_axes is None:
        return 0
    if not isinstance(bias_axes, str) or not bias_axes:
        raise ShapeFault(
            f"EinsumDense argument 'bias_axes' must be a string of output letters; "
            f"got {bias_axes!r}",
            arg="bias_axes",
        )
    offset = elided if left else 0
    sizes = {c: output[i + offset] for i, c in enumerate(output_spec)}
    for char in bias_axes:
        if char not in output_spec:
            raise ShapeFault(
                f"EinsumDense bias axis '{char}' is not an output letter of '{output_spec}'",
                arg="bias_axes",
            )
        if sizes[char] is None:
            raise ShapeFault(
                f"EinsumDense bias axis '{char}' has an unknown size",
                hint="give the input a fixed size on that axis",
                arg="bias_axes",
            )
    return product(int(sizes[c] or 1) for c in bias_axes)


# -------------------------------------------------------------------------------- activations


@shape_rule(
    "Activation",
    "ELU",
    "Softmax",
    "Identity",
    "Rescaling",
    "Masking",
    "ActivityRegularization",
)
def identity_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """Element-wise layers without weights: the output shape is the input shape."""
    return result(single_input(call, inputs))


@shape_rule("ReLU")
def relu_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``ReLU(max_value=None, negative_slope=0, threshold=0)``: all non-negative."""
    shape = single_input(call, inputs)
    if arg(call, "max_value") is not None:
        float_arg(call, "max_value", low=0.0)
    float_arg(call, "negative_slope", 0.0, low=0.0)
    float_arg(call, "threshold", 0.0, low=0.0)
    return result(shape)


@shape_rule("LeakyReLU")
def leaky_relu_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``LeakyReLU(negative_slope=0.3)``: the slope must be non-negative."""
    shape = single_input(call, inputs)
    float_arg(call, "negative_slope", 0.3, low=0.0)
    return result(shape)


def _shared_axes(call: LayerCall, rank: int) -> set[int]:
    """PReLU's ``shared_axes`` (int or list, each in ``1..rank-1``)."""
    value = arg(call, "shared_axes")
    if value is None:
        return set()
    axes = [value] if is_int(value) else value
    if not isinstance(axes, list | tuple) or not all(is_int(a) and 1 <= a < rank for a in axes):
        raise ShapeFault(
            f"PReLU argument 'shared_axes' must be axes between 1 and {rank - 1}; got {value!r}",
            hint="axis 0 is the batch; e.g. shared_axes: [1, 2] for images",
            arg="shared_axes",
        )
    return set(axes)


@shape_rule("PReLU")
def prelu_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``PReLU(shared_axes=None)``: one learned slope per element of ``input.shape[1:]``."""
    shape = single_input(call, inputs)
    shared = _shared_axes(call, len(shape))
    alpha = [
        1 if i in shared else known_dim(call, shape, i, f"dimension {i}")
        for i in range(1, len(shape))
    ]
    return result(shape, trainable=product(alpha))


# ------------------------------------------------------------------------------ regularization


@shape_rule("Dropout", "GaussianDropout", "AlphaDropout")
def dropout_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Dropout(rate)`` and friends: ``rate`` in ``[0, 1]``; shape unchanged."""
    shape = single_input(call, inputs)
    float_arg(call, "rate", low=0.0, high=1.0)
    return result(shape)


@shape_rule("GaussianNoise")
def gaussian_noise_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``GaussianNoise(stddev)``: Keras requires ``0 <= stddev <= 1``."""
    shape = single_input(call, inputs)
    float_arg(call, "stddev", low=0.0, high=1.0)
    return result(shape)


_SPATIAL_LAYOUTS = {
    "SpatialDropout1D": (3, "(batch, steps, channels)"),
    "SpatialDropout2D": (4, "(batch, height, width, channels)"),
    "SpatialDropout3D": (5, "(batch, depth, height, width, channels)"),
}


@shape_rule(*_SPATIAL_LAYOUTS)
def spatial_dropout_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``SpatialDropoutND(rate)``: needs a rank ``N + 2`` input; shape unchanged."""
    shape = single_input(call, inputs)
    float_arg(call, "rate", low=0.0, high=1.0)
    rank, layout = _SPATIAL_LAYOUTS[call.type]
    if len(shape) != rank:
        raise ShapeFault(
            f"{call.type} expects a rank-{rank} input {layout}; got {format_shape(shape)}",
            hint=f"use SpatialDropout{len(shape) - 2}D or Dropout"
            if 3 <= len(shape) <= 5
            else "use Dropout",
        )
    return result(shape)


# --------------------------------------------------------------------------------- embeddings


@shape_rule("Embedding")
def embedding_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Embedding(input_dim, output_dim)``: appends a feature axis of size ``output_dim``."""
    shape = single_input(call, inputs)
    input_dim = int_arg(call, "input_dim")
    output_dim = int_arg(call, "output_dim")
    trainable, frozen = kernel_counts(call, (input_dim, output_dim))
    return result((*shape, output_dim), trainable=trainable, non_trainable=frozen)


@shape_rule("ReversibleEmbedding")
def reversible_embedding_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``ReversibleEmbedding(input_dim, output_dim, tie_weights=True)``: an Embedding whose
    reverse projection (to logits) reuses the embeddings, or has its own with
    ``tie_weights: false``. Called forwards, as a node is, it appends ``output_dim``."""
    shape = single_input(call, inputs)
    input_dim = int_arg(call, "input_dim")
    output_dim = int_arg(call, "output_dim")
    tied = bool_arg(call, "tie_weights", True)
    if not tied and lora_rank_arg(call) is not None:
        raise ShapeFault(
            f"{call.type} cannot combine lora_rank with tie_weights: false (Keras fails to "
            "build it)",
            hint="drop lora_rank, or keep the weights tied",
            arg="lora_rank",
        )
    trainable, frozen = kernel_counts(call, (input_dim, output_dim))
    if not tied:
        trainable += output_dim * input_dim
    return result((*shape, output_dim), trainable=trainable, non_trainable=frozen)


# -- FLOPs ------------------------------------------------------------------------------------

free(
    "Input",
    "InputLayer",
    "Identity",
    "ActivityRegularization",
    "Dropout",
    "GaussianDropout",
    "AlphaDropout",
    "GaussianNoise",
    *_SPATIAL_LAYOUTS,
    "Embedding",
    "ReversibleEmbedding",
)
"""Inference passes these through (noise and dropout act only in training), or looks a row up."""


@flop_rule("Dense")
def dense_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Every output value is a dot product over the input's last axis, plus bias."""
    out = outputs[0]
    features = inputs[0][-1] or 0
    cost = macs(elements(out) * features)
    if bool_arg(call, "use_bias", True):
        cost += ops(elements(out))
    return cost + activation_flops(call, out)


@flop_rule("EinsumDense")
def einsum_dense_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Every output value sums over the contracted letters (input and weight, not output)."""
    specs = _einsum_specs(call)
    input_spec, weight_spec, output_spec, _ = specs
    shape, out = inputs[0], outputs[0]
    _, in_map, _ = _einsum_output(call, shape, specs)
    contracted = 1
    for letter in (set(input_spec) & set(weight_spec)) - set(output_spec):
        contracted *= shape[in_map[letter]] or 0
    cost = macs(elements(out) * contracted)
    if arg(call, "bias_axes"):
        cost += ops(elements(out))
    return cost + activation_flops(call, out)


@flop_rule("Activation")
def activation_layer_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """The activation function on every value (see ACTIVATION_FLOPS)."""
    return activation_flops(call, outputs[0])


_PER_VALUE = {"ELU": 3, "LeakyReLU": 3, "PReLU": 6, "Masking": 3}


@flop_rule(*_PER_VALUE)
def per_value_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """A fixed number of operations per value (ELU 3, LeakyReLU 3, PReLU 6, Masking 3)."""
    return ops(_PER_VALUE[call.type] * elements(outputs[0]))


@flop_rule("ReLU")
def relu_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """One comparison per value; a slope adds two, a threshold one."""
    per = 1
    if arg(call, "negative_slope"):
        per += 2
    if arg(call, "threshold"):
        per += 1
    return ops(per * elements(outputs[0]))


@flop_rule("Softmax")
def softmax_layer_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Max, subtract, sum and divide along the axis."""
    shape = outputs[0]
    axis = arg(call, "axis", -1)
    size = shape[axis] if is_int(axis) and -len(shape) <= axis < len(shape) else None
    return softmax_flops(shape, size)


@flop_rule("Rescaling")
def rescaling_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """A multiplication per value, and an addition when ``offset`` is not 0."""
    per = 1 + (1 if arg(call, "offset", 0.0) else 0)
    return ops(per * elements(outputs[0]))
