"""specs/vit_tiny.yaml: a ViT with a class token and a learned position table, no size by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import graphspec
from graphspec import check

VIT = Path(__file__).resolve().parents[2] / "specs" / "vit_tiny.yaml"


def test_every_size_follows_the_params_and_the_shapes() -> None:
    result = check(VIT)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.shapes is not None
    assert result.shapes["tokens"].outputs == ((None, 65, 32),)  # 8 x 8 patches + the class token
    assert result.shapes["pos"].outputs == ((65, 32),)
    other = check(VIT, params={"patch": 8, "dim": 48, "heads": 6})
    assert other.ok, [d.format() for d in other.diagnostics]
    assert other.shapes is not None
    assert other.shapes["pos"].outputs == ((17, 48),)
    assert other.graph.nodes["encoder.1.attn"].args["key_dim"] == 8
    assert other.graph.nodes["encoder.0.up"].args["units"] == 96
    text = VIT.read_text()
    assert "65" not in text and "64" not in text  # no token count or id list written by hand


@pytest.mark.keras
def test_it_compiles_and_one_step_moves_the_class_token_and_positions() -> None:
    keras = pytest.importorskip("keras")
    model = graphspec.compile(VIT)
    result = check(VIT)
    assert result.shapes is not None and model.count_params() == result.shapes.total == 21_162
    before = {n: model.get_layer(n).get_weights()[0].copy() for n in ("cls", "pos")}
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    images = rng.random((16, 32, 32, 3), dtype="float32")
    loss = model.train_on_batch(images, rng.integers(0, 10, 16))
    assert np.isfinite(loss)
    for name, value in before.items():
        assert not np.allclose(model.get_layer(name).get_weights()[0], value), name


@pytest.mark.slow
@pytest.mark.keras
def test_it_learns_the_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graphspec.cli.main import main

    history = tmp_path / "history.json"
    assert main(["fit", str(VIT), "--data", "digits", "--history", str(history)]) == 0
    out = capsys.readouterr().out
    assert "training vit_tiny on digits: 1347 train / 450 test samples" in out
    accuracy = float(out.split("test: accuracy ")[1].split(",")[0])
    assert accuracy > 0.6  # 2 epochs; chance is 0.1 (measured: 0.85)


@pytest.mark.keras
def test_it_imports_back_to_the_same_model() -> None:
    from tests._roundtrip import assert_round_trip

    spec = assert_round_trip(graphspec.compile(VIT))
    assert spec.nodes["cls"].weight == {"shape": [1, 32], "initializer": "zeros", "batched": True}
    assert spec.nodes["pos"].weight is not None and spec.nodes["pos"].weight["shape"] == [65, 32]
    assert spec.nodes["embed"].expr == "concatenate([cls, seq], axis=1) + pos"
