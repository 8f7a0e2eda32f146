"""`compare --backends tensorflow,B`: the seed CNN trained on TensorFlow and B (JAX; PyTorch
under `make test-torch`), side by side; B's accuracy lies within the seed spread of
TensorFlow's (the proof that `fit` trains on B)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import SEED_CNN, needs

pytestmark = pytest.mark.keras

SEEDS = 3


@pytest.fixture(scope="module", params=[pytest.param(b, marks=needs(b)) for b in ("jax", "torch")])
def compared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    from graphspec.cli.main import main

    out = tmp_path_factory.mktemp("compare") / "c.json"
    argv = ["compare", str(SEED_CNN), "--data", "digits", "--epochs", "2", "--seeds", str(SEEDS)]
    status = main([*argv, "--backends", f"tensorflow,{request.param}", "--json", str(out)])
    return status, request.param, json.loads(out.read_text())


def test_both_backends_side_by_side(
    compared: tuple[int, str, dict],  # type: ignore[type-arg]
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, other, data = compared
    assert status == 0
    labels = [m["label"] for m in data["models"]]
    assert labels == [
        "seed_sequential [sequential, tensorflow]",
        f"seed_sequential [sequential, {other}]",
    ]
    assert [m["backend"] for m in data["models"]] == ["tensorflow", other]
    assert data["args"]["backends"] == ["tensorflow", other]
    for model in data["models"]:
        assert [r["backend"] for r in model["runs"]] == [model["backend"]] * SEEDS
        assert model["seconds_per_epoch_median"] > 0
    (pair,) = data["pairs"]
    assert pair["same_graph"] and not pair["same_initial_weights"]  # each backend's own RNG


def test_accuracy_is_within_the_seed_spread_of_tensorflow(
    compared: tuple[int, str, dict],  # type: ignore[type-arg]
) -> None:
    _, other, data = compared
    by_backend = {m["backend"]: m for m in data["models"]}
    t, o = by_backend["tensorflow"]["test_accuracy"], by_backend[other]["test_accuracy"]
    spread = 2 * math.hypot(t["std"], o["std"]) + 0.01  # docs/training.md
    assert abs(o["mean"] - t["mean"]) <= spread, (t, o)
    assert min(o["values"]) > 0.8  # every seed trained: chance is 0.1


def test_seeds_differ_on_every_backend(compared: tuple[int, str, dict]) -> None:  # type: ignore[type-arg]
    _, _, data = compared
    for model in data["models"]:
        assert len({r["initial_weights_sha256"] for r in model["runs"]}) == SEEDS
        assert [r["seed"] for r in model["runs"]] == list(range(SEEDS))


def test_an_unknown_or_missing_backend_is_refused_before_training(
    run_cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    run = run_cli("compare", SEED_CNN, "--data", "digits", "--backends", "tensorflow,theano")
    assert run.status == 2 and "invalid choice" not in run.err  # type: ignore[attr-defined]
    assert "expected backends from tensorflow, jax, torch" in run.err  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", None)
    run = run_cli("compare", SEED_CNN, "--data", "digits", "--backends", "jax,torch")
    assert run.status == 2  # type: ignore[attr-defined]
    assert "[E710] --backends names backends that are not installed (torch: pip install torch)" in (
        run.err  # type: ignore[attr-defined]
    )


def test_path_is_kept(compared: tuple[int, str, dict]) -> None:  # type: ignore[type-arg]
    _, _, data = compared
    assert all(Path(m["spec"]) == SEED_CNN for m in data["models"])
