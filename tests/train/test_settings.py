"""The ``train:`` section: overrides, and optimizer/loss/metric names with "did you mean" errors."""

from __future__ import annotations

import textwrap

import pytest

from graphspec import load
from graphspec.errors import SpecError, UsageError
from graphspec.tools.train.settings import known_names, resolve_settings, train_diagnostics

BASE = """\
inputs: {x: {shape: [4]}}
nodes: {d: {type: Dense, units: 2}}
train:
"""


def _spec(train: str, outputs: str = ""):
    return load(BASE + textwrap.indent(textwrap.dedent(train), "  ") + outputs)


def test_defaults_without_train_section() -> None:
    spec = load("inputs: {x: {shape: [4]}}\nnodes: {d: {type: Dense, units: 2}}\n")
    settings = resolve_settings(spec)
    assert (settings.optimizer, settings.loss, settings.metrics) == (
        "adam",
        "sparse_categorical_crossentropy",
        ["accuracy"],
    )
    assert (settings.batch_size, settings.epochs) == (32, 5)


def test_command_line_overrides_the_section() -> None:
    settings = resolve_settings(_spec("epochs: 9\nbatch_size: 8\n"), epochs=2)
    assert (settings.epochs, settings.batch_size) == (2, 8)
    assert resolve_settings(_spec("epochs: 9\n"), batch_size=4).batch_size == 4


def test_override_must_be_positive() -> None:
    with pytest.raises(UsageError, match="--batch-size must be a positive integer"):
        resolve_settings(_spec("epochs: 1\n"), batch_size=0)


def test_unknown_optimizer_suggests_and_is_located() -> None:
    with pytest.raises(
        SpecError, match=r"E701.*unknown optimizer `adamm`[\s\S]*did you mean `adam`"
    ):
        resolve_settings(_spec("optimizer: adamm\n"))
    (diag,) = train_diagnostics(_spec("optimizer: adamm\n"))
    assert (diag.code, diag.line, diag.column) == ("E701", 4, 14)


def test_optimizer_mapping_is_checked() -> None:
    with pytest.raises(SpecError, match=r"unknown optimizer `Adamm`[\s\S]*did you mean `Adam`"):
        resolve_settings(_spec("optimizer: {type: Adamm, learning_rate: 0.01}\n"))
    with pytest.raises(SpecError, match="an optimizer mapping needs `type`"):
        resolve_settings(_spec("optimizer: {learning_rate: 0.01}\n"))
    settings = resolve_settings(_spec("optimizer: {type: SGD, learning_rate: 0.1}\n"))
    assert settings.optimizer_name == "SGD"


def test_optimizer_names_ignore_case_like_keras() -> None:
    for name in ("adam", "Adam", "RMSprop", "rmsprop", "sgd"):
        assert train_diagnostics(_spec(f"optimizer: {name}\n")) == []


def test_unusable_optimizer_says_why() -> None:
    with pytest.raises(SpecError, match="`MultiOptimizer` cannot be used: it takes Python"):
        resolve_settings(_spec("optimizer: MultiOptimizer\n"))


def test_unknown_loss_suggests() -> None:
    with pytest.raises(
        SpecError,
        match=r"E702.*unknown loss `sparse_categorical_crossentropi`[\s\S]*"
        r"did you mean `sparse_categorical_crossentropy`",
    ):
        resolve_settings(_spec("loss: sparse_categorical_crossentropi\n"))


def test_unknown_metric_suggests_and_points_at_the_item() -> None:
    spec = _spec("metrics: [accuracy, acuracy]\n")
    with pytest.raises(
        SpecError, match=r"E703.*unknown metric `acuracy`[\s\S]*did you mean `accuracy`"
    ):
        resolve_settings(spec)
    (diag,) = train_diagnostics(spec)
    assert (diag.line, diag.column) == (4, 23)


def test_metric_needing_arguments_is_refused() -> None:
    with pytest.raises(SpecError, match="metric `MeanIoU` cannot be used: it needs constructor"):
        resolve_settings(_spec("metrics: [MeanIoU]\n"))


def test_every_problem_is_reported_at_once() -> None:
    spec = _spec("optimizer: adamx\nloss: mse2\nmetrics: [acc, maee]\n")
    with pytest.raises(SpecError) as info:
        resolve_settings(spec)
    assert info.value.codes == ["E701", "E702", "E703"]


def test_per_output_loss_and_metrics() -> None:
    outputs = "outputs: {label: d, score: d}\n"
    good = _spec("loss: {label: mse, score: mae}\nmetrics: {label: [mae]}\n", outputs)
    assert train_diagnostics(good) == []
    bad = _spec("loss: {lable: mse}\n", outputs)
    with pytest.raises(SpecError, match=r"loss for unknown output `lable`[\s\S]*`label`"):
        resolve_settings(bad)


def test_common_names_are_known() -> None:
    assert {"adam", "sgd", "rmsprop", "adamw"} <= set(known_names("optimizer"))
    assert {"mse", "sparse_categorical_crossentropy", "Huber"} <= set(known_names("loss"))
    assert {"accuracy", "acc", "mae", "sparse_categorical_accuracy", "AUC"} <= set(
        known_names("metric")
    )
