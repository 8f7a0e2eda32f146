"""``graphspec import --list`` and "did you mean" for application names (no TensorFlow needed)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphspec.plugins.nested.applications import application_names


def test_list_prints_every_application(run_cli: Callable[..., Any]) -> None:
    run = run_cli("import", "--list")
    assert run.status == 0
    names = [line.strip() for line in run.out.splitlines() if line.startswith("    keras.")]
    assert names == [f"keras.applications.{n}" for n in application_names()]
    assert len(names) == 40 and "keras.applications.ResNet50" in names
    assert "FILE.keras" in run.out and "FILE.json" in run.out


def test_list_does_not_import_tensorflow() -> None:
    code = (
        "import sys; from graphspec.cli.main import main; main(['import', '--list']); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_misspelt_application_gets_a_suggestion(run_cli: Callable[..., Any]) -> None:
    run = run_cli("import", "keras.applications.ResNet5O", "-o", "never.yaml")
    assert run.status == 2
    assert run.err.strip().endswith(
        "keras.applications has no model `ResNet5O`; did you mean `ResNet50`? "
        "(`graphspec import --list` lists all 40)"
    )
    run = run_cli("import", "keras.applications.mobilenet_v2", "-o", "never.yaml")
    assert "did you mean `MobileNetV2`?" in run.err


def test_import_without_source_or_output_is_a_usage_error(run_cli: Callable[..., Any]) -> None:
    run = run_cli("import")
    assert run.status == 2 and "import needs SOURCE" in run.err
    run = run_cli("import", "keras.applications.ResNet50")
    assert run.status == 2 and "import needs -o SPEC" in run.err


def test_import_writes_blocks_and_flat_on_request(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    """A user's `.keras` file with repeated, named stages: blocks by default, `--flat` one node
    per layer; both compile to the same layer names."""
    keras = pytest.importorskip("keras")
    import graphspec

    inputs = keras.Input((16,), name="features")
    x = inputs
    for i in range(1, 5):
        x = keras.layers.Dense(16, name=f"stage{i}_dense")(x)
        x = keras.layers.LayerNormalization(name=f"stage{i}_norm")(x)
        x = keras.layers.Activation("gelu", name=f"stage{i}_act")(x)
    model = keras.Model(inputs, keras.layers.Dense(3, name="head")(x))
    source = tmp_path / "model.keras"
    model.save(source)
    run = run_cli("import", str(source), "-o", str(tmp_path / "blocks.yaml"))
    assert run.status == 0, run.err
    assert "13 layers in 1 block (1 instance)" in run.out
    text = (tmp_path / "blocks.yaml").read_text()
    assert 'names: "stage${copy + 1}"' in text and "repeat: 4" in text
    flat = run_cli("import", str(source), "-o", str(tmp_path / "flat.yaml"), "--flat")
    assert flat.status == 0, flat.err
    assert "blocks:" not in (tmp_path / "flat.yaml").read_text()
    for name in ("blocks.yaml", "flat.yaml"):
        built = graphspec.compile(graphspec.load(tmp_path / name), api="functional")
        assert [layer.name for layer in built.layers] == [layer.name for layer in model.layers]
