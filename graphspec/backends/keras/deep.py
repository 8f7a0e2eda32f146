"""``validate --deep``: build the model with Keras and compare its shapes with static inference."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphspec.base.shape_types import Shape
from graphspec.errors import CompileError, Diagnostic, Severity
from graphspec.ir.graph import IRNode, node_diagnostic

if TYPE_CHECKING:
    from graphspec.api import CheckResult
    from graphspec.passes.shapes.infer import NodeShape

__all__ = ["DeepReport", "deep_check", "deep_report"]

_BUG: str = "this is a bug in graphspec's static shape rules; please report it with the spec"


@dataclass
class DeepReport:
    """What Keras built, node by node, and where it disagrees with static inference."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    shapes: dict[str, tuple[Shape, ...]] = field(default_factory=dict)
    params: dict[str, tuple[int, int]] = field(default_factory=dict)
    built: bool = False


def deep_check(result: CheckResult) -> list[Diagnostic]:
    """Build ``result``'s model with Keras (imports TensorFlow) and check the static shapes.

    Returns a note (``N505``) with the Keras shape of each node the static rules left unknown or
    partly unknown, an error (``E505``, a graphspec bug) for each node where static inference and
    Keras disagree on shapes or parameter counts, and the compiler's diagnostics (``E6xx``) when
    Keras cannot build the model. ``result`` must be free of errors.
    """
    return deep_report(result).diagnostics


def deep_report(result: CheckResult) -> DeepReport:
    """:func:`deep_check`'s findings plus Keras's output shapes and parameter counts per node."""
    from graphspec.backends.keras.compiler import build_model

    report = DeepReport()
    try:
        built = build_model(result, api="functional")
    except CompileError as err:
        report.diagnostics = list(err.diagnostics)
        return report
    report.built = True
    for node in result.graph.layers:
        static = _static(result, node.name)
        keras_shapes = _keras_shapes(built.tensors[node.name])
        report.shapes[node.name] = keras_shapes
        report.diagnostics += _compare_shapes(result, node, static, keras_shapes)
        if node.share:
            continue
        layer = built.layers.get(node.name)
        if layer is None:
            continue
        report.params[node.name] = _counts(layer)
        if static is not None and static.known:
            report.diagnostics += _compare_params(result, node, static, layer)
    return report


def _counts(layer: Any) -> tuple[int, int]:
    """(trainable, non-trainable) scalars of a built Keras layer."""
    trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
    return trainable, sum(math.prod(w.shape) for w in layer.non_trainable_weights)


def _static(result: CheckResult, name: str) -> NodeShape | None:
    if result.shapes is None:
        return None
    return result.shapes.nodes.get(name)


def _keras_shapes(output: Any) -> tuple[Shape, ...]:
    """The shape of each output tensor of a node (most nodes have one)."""
    from graphspec.backends.keras.compiler import flat_outputs

    return tuple(tuple(tensor.shape) for tensor in flat_outputs(output))


def _fmt(shapes: tuple[Shape, ...]) -> str:
    from graphspec.base.shape_types import format_shape

    return ", ".join(format_shape(shape) for shape in shapes)


def _compare_shapes(
    result: CheckResult, node: IRNode, static: NodeShape | None, keras_shapes: tuple[Shape, ...]
) -> list[Diagnostic]:
    statics = static.outputs if static is not None else None
    if not statics:
        why = f" ({static.reason})" if static is not None and static.reason else ""
        return [
            _diag(
                result,
                node,
                "N505",
                f"node `{node.name}`: Keras gives the output shape {_fmt(keras_shapes)}; "
                f"static inference did not know it{why}",
                severity=Severity.NOTE,
            )
        ]
    if len(statics) != len(keras_shapes) or any(
        not _agree(s, k) for s, k in zip(statics, keras_shapes, strict=True)
    ):
        return [
            _diag(
                result,
                node,
                "E505",
                f"node `{node.name}`: static inference says {_fmt(statics)} but Keras builds "
                f"{_fmt(keras_shapes)}",
                hint=_BUG,
            )
        ]
    if any(None in s[1:] and None not in k[1:] for s, k in zip(statics, keras_shapes, strict=True)):
        return [
            _diag(
                result,
                node,
                "N505",
                f"node `{node.name}`: Keras settles the output shape to {_fmt(keras_shapes)}; "
                f"static inference had {_fmt(statics)}",
                severity=Severity.NOTE,
            )
        ]
    return []


def _agree(static: Shape, keras_shape: Shape) -> bool:
    """Same rank, and every dimension both sides know is equal."""
    if len(static) != len(keras_shape):
        return False
    return all(s is None or k is None or s == k for s, k in zip(static, keras_shape, strict=True))


def _compare_params(
    result: CheckResult, node: IRNode, static: NodeShape, layer: Any
) -> list[Diagnostic]:
    trainable, non_trainable = _counts(layer)
    if (trainable, non_trainable) == (static.trainable, static.non_trainable):
        return []
    return [
        _diag(
            result,
            node,
            "E505",
            f"node `{node.name}`: static inference counts {static.trainable:,} trainable and "
            f"{static.non_trainable:,} non-trainable parameters but Keras has {trainable:,} and "
            f"{non_trainable:,}",
            hint=_BUG,
        )
    ]


def _diag(
    result: CheckResult,
    node: IRNode,
    code: str,
    message: str,
    *,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return node_diagnostic(result.graph, node, code, message, hint=hint, severity=severity)
