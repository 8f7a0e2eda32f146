"""``graphspec compile``: exit codes, the written file, and nothing written on failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphspec import check

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.keras

Run = Callable[..., Any]


def _spec(specs_dir: Path, name: str) -> Path:
    return specs_dir / f"{name}.yaml"


def test_compile_writes_a_loadable_model(run_cli: Run, specs_dir: Path, tmp_path: Path) -> None:
    spec = _spec(specs_dir, "seed_sequential")
    target = tmp_path / "out" / "seed.keras"
    run = run_cli("compile", spec, "-o", target, "--mkdir")
    assert run.status == 0, run.err
    model = keras.saving.load_model(target, safe_mode=True)
    assert isinstance(model, keras.Sequential)
    assert run.out.strip() == (
        f"wrote {target} (Sequential, {model.count_params():,} params, backend tensorflow)"
    )
    graph = check(spec).graph
    assert [layer.name for layer in model.layers] == [node.name for node in graph.layers]
    assert sorted(p.name for p in target.parent.iterdir()) == ["seed.keras"]  # no temp left


def test_compile_branching_spec_is_functional_and_predicts_the_same(
    run_cli: Run, specs_dir: Path, tmp_path: Path
) -> None:
    from graphspec.backends.keras.compiler import compile_spec

    spec = _spec(specs_dir, "seed_skip")
    target = tmp_path / "skip.keras"
    keras.utils.set_random_seed(5)
    run = run_cli("compile", spec, "-o", target, "--api", "functional", "--summary")
    assert run.status == 0, run.err
    assert "(Functional," in run.out
    assert "shortcut" in run.out  # the summary lists the layers by node name
    loaded = keras.saving.load_model(target)
    keras.utils.set_random_seed(5)
    again = compile_spec(spec)  # same seed, same initial weights
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), again.predict(x, verbose=0))


def test_set_overrides_params(run_cli: Run, specs_dir: Path, tmp_path: Path) -> None:
    from graphspec.backends.keras.compiler import compile_spec

    spec = _spec(specs_dir, "seed_skip")
    target = tmp_path / "narrow.keras"
    assert run_cli("compile", spec, "-o", target, "--set", "width=8").status == 0
    expected = compile_spec(spec, params={"width": 8}).count_params()
    assert keras.saving.load_model(target).count_params() == expected


def test_output_must_end_in_keras(run_cli: Run, specs_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "model.h5"
    run = run_cli("compile", _spec(specs_dir, "seed_sequential"), "-o", target)
    assert run.status == 2
    assert ".keras" in run.err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_missing_output_option_is_a_usage_error(run_cli: Run, specs_dir: Path) -> None:
    assert run_cli("compile", _spec(specs_dir, "seed_sequential")).status == 2


def test_sequential_api_on_a_branching_spec_fails_and_keeps_the_old_file(
    run_cli: Run, specs_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "skip.keras"
    target.write_bytes(b"previous model")
    run = run_cli(
        "compile", _spec(specs_dir, "seed_skip"), "-o", target, "--api", "sequential", "--force"
    )
    assert run.status == 1
    assert "error[E601]: cannot compile as Sequential: node `add` has 2 inputs" in run.err
    assert target.read_bytes() == b"previous model"
    assert [p.name for p in tmp_path.iterdir()] == ["skip.keras"]


def test_invalid_spec_exits_1_and_writes_nothing(run_cli: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dnse, units: 2}\n")
    target = tmp_path / "bad.keras"
    run = run_cli("compile", bad, "-o", target)
    assert run.status == 1
    assert f"{bad}:3:" in run.err
    assert "error[E201]" in run.err
    assert not target.exists()


def test_keras_failure_exits_1_and_keeps_the_old_file(run_cli: Run, tmp_path: Path) -> None:
    from graphspec.base.custom_layers import register_layer, unregister_layer

    class Picky(keras.layers.Layer):
        """Refuses inputs of width 3 when built."""

        def build(self, input_shape: Any) -> None:
            if input_shape[-1] == 3:
                raise ValueError("Picky refuses width 3")

        def call(self, x: Any) -> Any:
            return x

    spec = tmp_path / "picky.yaml"
    spec.write_text("inputs: {x: {shape: [3]}}\nnodes:\n  p: {type: Picky}\n")
    target = tmp_path / "picky.keras"
    target.write_bytes(b"previous model")
    register_layer(Picky)
    try:
        run = run_cli("compile", spec, "-o", target, "--force")
    finally:
        unregister_layer("Picky")
    assert run.status == 1
    assert f"{spec}:3:3: error[E602]: node `p`" in run.err
    assert "Picky refuses width 3" in run.err
    assert target.read_bytes() == b"previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picky.keras", "picky.yaml"]
