"""Labels checked against the outputs before TensorFlow starts: E705 at the output's node."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from graphspec import check
from graphspec.cli.main import main
from graphspec.errors import SpecError
from graphspec.tools.train.data import Dataset, load_data
from graphspec.tools.train.settings import TrainSettings
from graphspec.tools.train.targets import check_targets

ROOT = Path(__file__).resolve().parents[2]


def _result(nodes: str, train: str = "") -> object:
    text = "inputs: {x: {shape: [8, 8, 1]}}\nnodes:\n" + nodes + train
    return check(text)


def _data(labels: np.ndarray) -> Dataset:
    x = np.zeros((len(labels), 8, 8, 1), np.float32)
    return Dataset("d.npz", ["x"], ["out"], [x], [labels], [x], [labels])


CLASSIFIER = """\
  flat: {type: Flatten}
  out: {type: Dense, units: 3, activation: softmax}
"""


def test_labels_that_fit_pass() -> None:
    check_targets(_result(CLASSIFIER), _data(np.array([0, 1, 2, 2])), TrainSettings())
    check_targets(_result(CLASSIFIER), _data(np.array([[0], [2]])), TrainSettings())


@pytest.mark.parametrize(
    ("labels", "loss", "says", "hint"),
    [
        (
            np.arange(10),
            None,
            "the labels go up to 9 (10 classes) but output `out` has 3 units",
            "units: 10",
        ),
        (
            np.zeros((4, 8, 8)),
            None,
            "sparse_categorical_crossentropy wants labels of one class id",
            "",
        ),
        (np.array([-1, 0]), None, "the labels hold -1", ""),
        (np.array([0.5, 1.0]), None, "the labels are fractions", "categorical_crossentropy"),
        (
            np.array([0, 1, 2]),
            "categorical_crossentropy",
            "wants labels of the output's shape",
            "sparse_categorical",
        ),
        (np.zeros((3, 4)), "mse", "the labels are (3, 4) but output `out` is (None, 3)", ""),
    ],
)
def test_labels_that_do_not_fit_are_located_at_the_output(
    labels: np.ndarray, loss: str | None, says: str, hint: str
) -> None:
    settings = TrainSettings(loss=loss) if loss else TrainSettings()
    result = _result(CLASSIFIER)
    with pytest.raises(SpecError) as info:
        check_targets(result, _data(labels), settings)
    (diag,) = info.value.diagnostics
    assert diag.code == "E705" and diag.node == "out" and (diag.line, diag.column) == (4, 3)
    assert says in diag.message and hint in (diag.hint or "")


def test_per_output_losses_are_used() -> None:
    text = """\
    inputs: {x: {shape: [4]}}
    nodes:
      a: {type: Dense, units: 2, inputs: x}
      b: {type: Dense, units: 1, inputs: x}
    outputs: {cls: a, reg: b}
    train: {loss: {cls: sparse_categorical_crossentropy, reg: mse}}
    """
    result = check(textwrap.dedent(text))
    x = np.zeros((3, 4), np.float32)
    ok = Dataset("d", ["x"], ["cls", "reg"], [x], [np.array([0, 1, 1]), np.zeros(3)], [x], [])
    check_targets(
        result, ok, TrainSettings(loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    )
    bad = Dataset("d", ["x"], ["cls", "reg"], [x], [np.array([0, 1, 5]), np.zeros((3, 2))], [x], [])
    with pytest.raises(SpecError) as info:
        check_targets(
            result,
            bad,
            TrainSettings(loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"}),
        )
    assert [d.node for d in info.value.diagnostics] == ["a", "b"]


def test_fit_of_a_unet_on_digits_fails_before_tensorflow(tmp_path: Path) -> None:
    """`graphspec fit specs/unet.yaml --data digits`: located E705, TensorFlow never imported."""
    program = (
        "import sys\n"
        "from graphspec.cli.main import main\n"
        f"status = main(['fit', {str(ROOT / 'specs/unet.yaml')!r}, '--data', 'digits'])\n"
        "assert status == 1, status\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "unet.yaml:35:3: error[E705]: digits does not fit output `mask`" in done.stderr
    assert "GlobalAveragePooling2D" in done.stderr


def test_compare_checks_labels_before_training(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(ROOT / "specs/unet.yaml"), "--data", "digits", "--seeds", "1"]) == 1
    assert "error[E705]" in capsys.readouterr().err


def test_digits_on_a_three_class_head(tmp_path: Path) -> None:
    spec = tmp_path / "small.yaml"
    spec.write_text(
        "inputs: {x: {shape: [64]}}\nnodes:\n  out: {type: Dense, units: 3, activation: softmax}\n"
    )
    result = check(spec)
    with pytest.raises(SpecError, match="labels go up to 9"):
        check_targets(result, load_data("digits", result.graph), TrainSettings())
