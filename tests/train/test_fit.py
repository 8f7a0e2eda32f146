"""``fit``: determinism, Sequential versus functional identity, outputs, multi-input data."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from graphspec.cli.main import main
from graphspec.errors import TrainError
from graphspec.tools.train.fit import fit_spec

from .conftest import SPECS

pytestmark = pytest.mark.keras


def test_same_seed_same_history(tiny_a: Path) -> None:
    first = fit_spec(tiny_a, "digits", seed=3, epochs=2)
    second = fit_spec(tiny_a, "digits", seed=3, epochs=2)
    other = fit_spec(tiny_a, "digits", seed=4, epochs=2)
    assert first.history == second.history
    assert first.test == second.test
    assert first.history != other.history
    assert set(first.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert len(first.epoch_seconds) == 2


def test_sequential_and_functional_are_the_same_computation() -> None:
    spec = SPECS / "seed_sequential.yaml"
    seq = fit_spec(spec, "digits", api="sequential", epochs=1, keep_initial_weights=True)
    fun = fit_spec(spec, "digits", api="functional", epochs=1, keep_initial_weights=True)
    assert (seq.kind, fun.kind) == ("Sequential", "Functional")
    assert seq.initial_weights is not None and fun.initial_weights is not None
    assert len(seq.initial_weights) == len(fun.initial_weights) == 6
    for a, b in zip(seq.initial_weights, fun.initial_weights, strict=True):
        assert np.array_equal(a, b)
    assert seq.history == fun.history
    assert seq.test == fun.test
    assert seq.test["accuracy"] > 0.5  # one epoch on 1,347 digits: far above chance (0.1)


def test_cli_fit_writes_model_and_history(
    tiny_a: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, history = tmp_path / "out" / "m.keras", tmp_path / "h.json"
    argv = ["fit", str(tiny_a), "--data", "digits", "--epochs", "2", "--batch-size", "128"]
    assert main([*argv, "--seed", "1", "-o", str(model), "--mkdir", "--history", str(history)]) == 0
    out = capsys.readouterr().out
    assert "training tiny_a on digits: 1347 train / 450 test samples" in out
    assert "test: accuracy " in out and "Sequential model, 1,210 parameters, 1 replica" in out
    assert zipfile.is_zipfile(model)
    data = json.loads(history.read_text())
    assert (data["seed"], data["api"], data["replicas"], data["params"]) == (
        1,
        "sequential",
        1,
        1210,
    )
    assert data["settings"]["epochs"] == 2 and data["settings"]["batch_size"] == 128
    assert len(data["history"]["val_accuracy"]) == 2
    assert data["test"]["accuracy"] == data["history"]["val_accuracy"][-1]
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]  # no temporary files left


def test_multi_input_named_outputs_from_npz(two_heads: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 64), ("test", 32)):
        left = rng.random((n, 4), dtype=np.float32)
        arrays[f"x_{split}_left"] = left
        arrays[f"x_{split}_right"] = rng.random((n, 3), dtype=np.float32)
        arrays[f"y_{split}_label"] = (left[:, 0] * 3).astype(int)
        arrays[f"y_{split}_score"] = left.sum(axis=1, keepdims=True)
    path = tmp_path / "two.npz"
    np.savez(path, **arrays)
    run = fit_spec(two_heads, str(path), seed=0)
    assert run.kind == "Functional"
    assert len(run.history["loss"]) == 2
    assert {"label_accuracy", "score_mae"} <= set(run.test)


def test_bad_optimizer_argument_is_a_train_error(tiny_a: Path, tmp_path: Path) -> None:
    text = tiny_a.read_text().replace("optimizer: adam", "optimizer: {type: Adam, speed: 2}")
    spec = tmp_path / "bad_opt.yaml"
    spec.write_text(text)
    with pytest.raises(TrainError, match=r"optimizer `Adam`: .*speed"):
        fit_spec(spec, "digits")


def test_labels_the_model_cannot_take_are_a_train_error(tiny_a: Path, tmp_path: Path) -> None:
    path = tmp_path / "d.npz"
    rng = np.random.default_rng(0)
    np.savez(
        path,
        x_train=rng.random((8, 64), dtype=np.float32),
        y_train=np.full(8, 42),
        x_test=rng.random((4, 64), dtype=np.float32),
        y_test=np.full(4, 42),
    )
    with pytest.raises(TrainError, match="training failed"):
        fit_spec(tiny_a, str(path))
