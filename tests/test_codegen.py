"""Generated Python: ruff-clean, and it builds the very model ``graphspec compile`` builds."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec import load
from graphspec.backends.codegen import generate_python
from graphspec.cli.main import main

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SPECS = sorted(Path("specs").glob("*.yaml"))

EXTRA = textwrap.dedent(
    """\
    name: extras
    inputs:
      raw:  {shape: [12, 3], dtype: float64}
      side: {shape: [12, 4]}
    nodes:
      proj:    {type: Dense, units: 4, use_bias: false, inputs: raw}
      both:    {type: Concatenate, axis: -1, inputs: [side, proj]}
      bi:      {type: Bidirectional, layer: {type: LSTM, units: 6, return_sequences: true}}
      attend:  {type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [bi, bi]}
      pool:    {type: GlobalAveragePooling1D}
      fc:      {type: Dense, units: 12, kernel_initializer: {type: HeNormal, seed: 1},
                kernel_regularizer: {type: L2, l2: 0.001}, activation: gelu}
      fc_again: {share: fc, inputs: fc}
      out:     {type: Dense, units: 1, bias_initializer: {type: Constant, value: 0.5}}
    edges: [attend -> pool -> fc, both -> bi, fc_again -> out]
    outputs: {score: out, hidden: fc}
    """
)


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )


def _load_module(path: Path) -> Any:
    module_spec = importlib.util.spec_from_file_location(f"generated_{path.stem}", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def _write(tmp_path: Path, name: str, spec: Any) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(generate_python(spec))
    return path


@pytest.mark.parametrize("path", [*SPECS, "extras"], ids=[*(p.stem for p in SPECS), "extras"])
def test_generated_code_is_ruff_clean(path: Path | str, tmp_path: Path) -> None:
    spec = load(EXTRA) if path == "extras" else load(path)
    out = _write(tmp_path, "model", spec)
    checked = _ruff("check", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = _ruff("format", "--check", str(out))
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.keras
@pytest.mark.parametrize("path", [*SPECS, "extras"], ids=[*(p.stem for p in SPECS), "extras"])
def test_generated_code_builds_the_compiled_model(path: Path | str, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    spec = load(EXTRA) if path == "extras" else load(path)
    built = _load_module(_write(tmp_path, "model", spec)).build_model()
    compiled = graphspec.compile(spec)
    assert type(built) is type(compiled)
    assert [(x.name, type(x).__name__) for x in built.layers] == [
        (x.name, type(x).__name__) for x in compiled.layers
    ]
    assert built.count_params() == compiled.count_params()
    for layer in compiled.layers:
        built.get_layer(layer.name).set_weights(layer.get_weights())
    rng = np.random.default_rng(0)
    batch = [
        rng.random((2, *(d or 5 for d in x.shape[1:]))).astype(x.dtype) for x in compiled.inputs
    ]
    feed = batch[0] if len(batch) == 1 else batch
    want, got = compiled(feed, training=False), built(feed, training=False)
    pairs = (
        [(want[k], got[k]) for k in want]
        if isinstance(want, dict)
        else list(zip(want, got, strict=True))
        if isinstance(want, list)
        else [(want, got)]
    )
    for a, b in pairs:
        assert float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) < 1e-6


def test_generated_code_reads_like_keras_code() -> None:
    text = generate_python(load(EXTRA))
    assert "def build_model() -> keras.Model:" in text
    assert 'if __name__ == "__main__":\n    build_model().summary()\n' in text
    assert "fc_layer = keras.layers.Dense(" in text  # a shared layer: one object ...
    assert "fc = fc_layer(pool)" in text and "fc_again = fc_layer(fc)" in text  # ... called twice
    assert "kernel_initializer=keras.initializers.HeNormal(seed=1)" in text
    assert "layer=keras.layers.LSTM(units=6, return_sequences=True)" in text
    assert "attend = keras.layers.MultiHeadAttention(" in text and ")(bi, bi)" in text
    assert 'outputs={"score": out, "hidden": fc}' in text
    assert 'keras.Input(shape=(12, 3), dtype="float64", name="raw")' in text


def test_sequential_chain_is_a_keras_sequential() -> None:
    text = generate_python(load(Path("specs/seed_sequential.yaml")))
    assert "return keras.Sequential(" in text
    assert 'keras.Input(shape=(28, 28, 1), name="image"),' in text
    assert 'keras.layers.MaxPooling2D(pool_size=2, name="pool1"),' in text


def test_identifiers_are_made_from_node_names() -> None:
    spec = load(
        "inputs: {In-Put: {shape: [2]}}\n"
        "nodes:\n  class: {type: Dense, units: 2, inputs: In-Put}\n"
        "  Class: {type: Dense, units: 2}\n  keras: {type: Dense, units: 1}\n"
        "  if: {type: Dense, units: 1}\n"
        "edges: [class -> Class -> keras, Class -> if]\noutputs: [keras, if]\n"
    )
    text = generate_python(spec)
    assert "in_put = keras.Input(" in text
    assert "class_ = keras.layers.Dense(" in text and "class__2 = keras" in text
    assert "keras_2 = keras.layers.Dense(" in text and "if_ = keras.layers.Dense(" in text


def test_codegen_never_imports_keras() -> None:
    code = (
        "import sys; from graphspec.backends.codegen import generate_python; "
        "generate_python('specs/siamese.yaml'); "
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_codegen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codegen", "specs/seed_skip.yaml"]) == 0
    printed = capsys.readouterr().out
    assert printed == generate_python(load(Path("specs/seed_skip.yaml")))
    out = tmp_path / "model.py"
    assert main(["codegen", "specs/seed_skip.yaml", "-o", str(out), "--set", "width=8"]) == 0
    assert "filters=16" in out.read_text()
    assert main(["codegen", "specs/bad/seed_skip_original.yaml", "-o", str(tmp_path / "x.py")]) == 1
    assert not (tmp_path / "x.py").exists()
