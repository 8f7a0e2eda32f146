"""``graphspec summary``: every output of a multi-output node, model outputs by port, ``--deep``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from graphspec import check
from graphspec.backends.summary import summary_data, summary_text
from graphspec.passes.shapes import SHAPE_RULES, LayerCall, Shape, ShapeResult

SEQ = """graphspec: 1
name: seq
inputs:
  x: {shape: [12, 8]}
nodes:
  enc: {type: LSTM, units: 16, return_state: true}
  hidden: {type: Dense, units: 4, inputs: "enc:1"}
outputs: [hidden, "enc:2"]
"""


def test_every_output_of_a_multi_output_node_is_listed() -> None:
    data = summary_data(check(SEQ))
    enc = next(row for row in data["nodes"] if row["node"] == "enc")
    assert enc["output_shapes"] == [[None, 16], [None, 16], [None, 16]]
    assert enc["output_shape"] == [None, 16]
    hidden = next(row for row in data["nodes"] if row["node"] == "hidden")
    assert hidden["inputs"] == ["enc:1"] and hidden["output_shapes"] == [[None, 4]]


def test_model_outputs_name_their_port_and_shape() -> None:
    data = summary_data(
        check(SEQ.replace('hidden, "enc:2"', '"enc:2"').replace("units: 16", "units: 6"))
    )
    assert data["outputs"] == [
        {"name": "enc:2", "node": "enc", "port": 2, "output_shape": [None, 6]}
    ]


def test_text_has_one_line_per_output() -> None:
    text = summary_text(check(SEQ))
    lines = text.splitlines()
    enc = next(i for i, line in enumerate(lines) if line.startswith("enc (LSTM)"))
    assert lines[enc + 1].split() == ["enc:1", "(None,", "16)"]
    assert lines[enc + 2].split() == ["enc:2", "(None,", "16)"]
    assert lines[-1] == " Outputs: hidden (None, 4), enc:2 (None, 16)"


def test_stacked_cell_states_are_numbered_flat(specs_dir: Path) -> None:
    data = summary_data(check(specs_dir / "sequence_wrappers.yaml"))
    rnn = next(row for row in data["nodes"] if row["node"] == "rnn")
    assert rnn["output_shapes"] == [[None, 12, 4], [None, 8], [None, 8], [None, 4]]


@pytest.mark.keras
def test_deep_agrees_with_keras(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    spec = tmp_path / "seq.yaml"
    spec.write_text(SEQ)
    run = run_cli("summary", spec, "--deep")
    assert run.status == 0, run.err
    lines = run.out.splitlines()
    assert lines[2].split()[-1] == "Keras"
    assert [line.split()[-1] for line in lines if line.startswith(("enc", "  enc"))] == ["="] * 3
    assert " Keras: built the model; every shape and parameter count agrees" in lines
    data = json.loads(run_cli("summary", spec, "--deep", "--format", "json").out)
    enc = next(row for row in data["nodes"] if row["node"] == "enc")
    assert enc["keras"] == {
        "output_shapes": [[None, 16]] * 3,
        "trainable": 1600,
        "non_trainable": 0,
    }
    assert data["keras_built"] and data["keras_agrees"]


@pytest.mark.keras
def test_deep_marks_a_disagreement_and_fails(
    run_cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def wrong(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
        return ShapeResult(((None, 5),), trainable=3)

    monkeypatch.setitem(SHAPE_RULES, "Dense", wrong)
    spec = tmp_path / "seq.yaml"
    spec.write_text(SEQ)
    run = run_cli("summary", spec, "--deep")
    assert run.status == 1
    hidden = next(line for line in run.out.splitlines() if line.startswith("hidden"))
    assert hidden.endswith("≠ (None, 4)")
    assert "error[E505]: node `hidden`: static inference says (None, 5)" in run.err


@pytest.mark.keras
def test_deep_fills_in_what_static_inference_left_unknown(
    run_cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(SHAPE_RULES, "Dense")
    spec = tmp_path / "seq.yaml"
    spec.write_text(SEQ)
    run = run_cli("summary", spec, "--deep")
    assert run.status == 0
    hidden = next(line for line in run.out.splitlines() if line.startswith("hidden"))
    assert hidden.split()[2:4] == ["?", "?"]  # static shape and parameters unknown
    assert hidden.endswith("(None, 4)")
    assert "note[N505]: node `hidden`: Keras gives the output shape (None, 4)" in run.err


@pytest.mark.keras
def test_an_application_is_one_row_with_the_params_keras_counts() -> None:
    keras = pytest.importorskip("keras")
    model = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(160, 160, 3)
    )
    result = check(Path(__file__).parents[1] / "specs" / "transfer_mobilenet.yaml")
    rows = {row["node"]: row for row in summary_data(result)["nodes"]}
    base = rows["base"]
    assert base["params"] == base["non_trainable"] == model.count_params()
    inner = base["model"]["nodes"]
    assert {r["node"] for r in inner[1:]} == {layer.name for layer in model.layers[1:]}
    assert sum(r["params"] for r in inner) == model.count_params()
    text = summary_text(result)
    assert "base (Model(keras.applications.MobileNetV2))  (None, 5, 5, 1280)" in text
    assert "Conv1 (Conv2D)" not in text  # one row; the layers only in --format json
