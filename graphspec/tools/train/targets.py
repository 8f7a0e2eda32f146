"""Labels checked against the model's outputs and losses before TensorFlow starts.

Keras finds a label array that does not fit an output only once the model is built and the
first batch runs, and says so in its own words (``target.ndim - 1``). The static shapes of
the spec's outputs are known without Keras: :func:`check_targets` compares each label array
with its output under its loss (rank, sizes, number of classes) and reports a mismatch at the
output's node in the spec (E705), with what to change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np

from graphspec.api import CheckResult
from graphspec.base.shape_types import Shape, format_shape
from graphspec.errors import Diagnostic, SpecError
from graphspec.tools.train.data import Dataset
from graphspec.tools.train.settings import TrainSettings

__all__ = ["LABEL_RULES", "check_targets", "loss_of"]

Rule = Callable[[np.ndarray, Shape, str], tuple[str, str] | None]
"""A loss's label rule: ``(labels, output shape, output name)`` -> ``(problem, hint)`` or None."""


def _dims(shape: Sequence[Any]) -> str:
    return format_shape(tuple(shape))


def _sparse(labels: np.ndarray, output: Shape, name: str) -> tuple[str, str] | None:
    """One class id per output position: labels have the output's shape without its last axis."""
    want = output[1:-1]
    found = labels.shape[1:]
    if found[-1:] == (1,) and len(found) == len(want) + 1:
        found = found[:-1]  # (n, 1) is read as (n,)
    fits = len(found) == len(want) and all(
        w is None or w == f for w, f in zip(want, found, strict=True)
    )
    if not fits:
        per = "one class id per sample" if not found else f"{_dims(found)} per sample"
        return (
            f"the labels are {_dims(labels.shape)} ({per}) but output `{name}` is "
            f"{format_shape(output)}: sparse_categorical_crossentropy wants labels of "
            f"{_dims(want) if want else 'one class id'} per sample, its output without the "
            "class axis",
            _sparse_hint(found, output),
        )
    if labels.dtype.kind == "f" and labels.size and not np.all(np.mod(labels, 1) == 0):
        return (
            f"the labels are fractions ({labels.dtype}) but sparse_categorical_crossentropy "
            "wants class ids",
            "use integer class ids, or `loss: categorical_crossentropy` with one-hot labels",
        )
    classes = output[-1]
    top = int(labels.max()) if labels.size else 0
    if labels.size and int(labels.min()) < 0:
        return (f"the labels hold {int(labels.min())}; class ids start at 0", "shift the labels")
    if isinstance(classes, int) and top >= classes:
        return (
            f"the labels go up to {top} ({top + 1} classes) but output `{name}` has {classes} "
            f"unit{'s' * (classes != 1)} on its last axis",
            f"give `{name}` {top + 1} units (one per class), e.g. `units: {top + 1}` on its Dense",
        )
    return None


def _sparse_hint(found: Sequence[int], output: Shape) -> str:
    if not found and len(output) > 2:
        return (
            "these are one label per sample (classification): end the model with one score per "
            "class, e.g. `{type: GlobalAveragePooling2D}` then `{type: Dense, units: N, "
            "activation: softmax}`; or train on labels of the output's shape"
        )
    return "make the output's shape, less its class axis, match the labels' shape per sample"


def _same_shape(loss: str) -> Rule:
    def rule(labels: np.ndarray, output: Shape, name: str) -> tuple[str, str] | None:
        want = output[1:]
        found = labels.shape[1:]
        if len(found) + 1 == len(want) and want[-1] == 1:
            found = (*found, 1)  # Keras adds a trailing axis of 1
        fits = len(found) == len(want) and all(
            w is None or w == f for w, f in zip(want, found, strict=True)
        )
        if fits:
            return None
        return (
            f"the labels are {_dims(labels.shape)} but output `{name}` is {format_shape(output)}: "
            f"{loss} wants labels of the output's shape per sample ({_dims(want)})",
            "one class id per sample wants `loss: sparse_categorical_crossentropy`"
            if not labels.shape[1:] and len(want) == 1
            else "change the output's shape or the labels so they agree",
        )

    return rule


LABEL_RULES: Final[dict[str, Rule]] = {
    "sparse_categorical_crossentropy": _sparse,
    "SparseCategoricalCrossentropy": _sparse,
    **{
        name: _same_shape(name)
        for name in (
            "categorical_crossentropy",
            "CategoricalCrossentropy",
            "binary_crossentropy",
            "BinaryCrossentropy",
            "bce",
            "mean_squared_error",
            "MeanSquaredError",
            "mse",
            "mean_absolute_error",
            "MeanAbsoluteError",
            "mae",
        )
    },
}
"""Losses whose labels can be checked statically, by name; other losses are left to Keras."""


def loss_of(settings: TrainSettings, index: int, name: str) -> str | None:
    """The loss of output ``index`` (named ``name``): one for all, a list, or a mapping.

    >>> loss_of(TrainSettings(loss=["mse", "mae"]), 1, "b"), loss_of(TrainSettings(), 0, "a")
    ('mae', 'sparse_categorical_crossentropy')
    """
    loss = settings.loss
    if isinstance(loss, str):
        return loss
    if isinstance(loss, list):
        return loss[index] if index < len(loss) else None
    return loss.get(name)


def check_targets(result: CheckResult, data: Dataset, settings: TrainSettings) -> None:
    """Raise :class:`SpecError` (E705, at each output's node) when labels cannot fit an output."""
    found: list[Diagnostic] = []
    graph, shapes = result.graph, result.shapes
    if shapes is None:
        return
    for index, ((name, node_name), labels) in enumerate(
        zip(graph.outputs, data.y_train, strict=False)
    ):
        port = graph.output_ports[index] if index < len(graph.output_ports) else 0
        known = shapes.nodes.get(node_name)
        if known is None or not known.outputs or port >= len(known.outputs):
            continue
        loss = loss_of(settings, index, name)
        rule = LABEL_RULES.get(loss or "")
        if rule is None:
            continue
        problem = rule(labels, known.outputs[port], name)
        if problem is None:
            continue
        node = graph.nodes[node_name]
        found.append(
            Diagnostic(
                "E705",
                f"{data.name} does not fit output `{name}`: {problem[0]}",
                file=node.file or graph.file,
                loc=node.loc,
                hint=problem[1],
                node=node_name,
            )
        )
    if found:
        raise SpecError(found)
