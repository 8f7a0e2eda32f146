"""Generated Python reads like Keras code: one variable per node, shared layers as one object.

That it is ruff-clean and builds the very model ``graphspec compile`` builds is checked for
every spec of the project and its tests (these included) by tests/test_codegen_oracle.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graphspec import load
from graphspec.backends.codegen import generate_python
from graphspec.cli.main import main

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

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
    assert "def build_model(width=8) -> keras.Model:" in out.read_text()
    assert main(["codegen", "specs/bad/seed_skip_original.yaml", "-o", str(tmp_path / "x.py")]) == 1
    assert not (tmp_path / "x.py").exists()


def test_the_example_of_the_docs_is_what_codegen_writes() -> None:
    """docs/import.md shows a spec and the whole file `graphspec codegen` writes for it."""
    import re

    from graphspec.api import load_text

    doc = (Path(__file__).parents[1] / "docs" / "import.md").read_text()
    section = doc.split("## Generated Python (`graphspec codegen`)", 1)[1]
    spec = re.search(r"```yaml\n(.*?)```", section, re.S)
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert spec is not None and code is not None
    written = generate_python(load_text(spec.group(1), file="encoder.yaml", name="encoder"))
    assert written == code.group(1)


def test_a_pinned_backend_keeps_the_file_ruff_clean() -> None:
    from tests._ruff import ruff_problems
    from tests.test_application_layers import SPEC  # layers imported from Keras's modules

    code = generate_python(load(SPEC), backend="jax")
    assert (
        'os.environ["KERAS_BACKEND"] = "jax"  # before Keras is imported\n\nimport keras\n' in code
    )
    assert ruff_problems(code) == []
