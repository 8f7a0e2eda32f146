"""Generated Python writes each block as a function (params as arguments) and a repeat as a loop."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec import load
from graphspec.backends.codegen import generate_python

BLOCKS = textwrap.dedent(
    """\
    graphspec: 1
    name: towers
    params: {width: 8}
    blocks:
      fuse:                         # two inputs, a computed default, a named activation
        params: {units: null, wide: "${units * 2}", act: relu}
        inputs: [a, b]
        nodes:
          fa:   {type: Dense, units: "${wide}", activation: "${act}", inputs: a}
          fb:   {type: Dense, units: "${wide}", inputs: b}
          sum:  {type: Add, inputs: [fa, fb]}
          out:  {type: Dense, units: "${units}", use_bias: false}
        outputs: [out]
      unit:
        params: {units: null, rate: 0.1}
        nodes:
          fc:   {type: Dense, units: "${units}", activation: gelu}
          drop: {type: Dropout, rate: "${rate}"}
          norm: {type: LayerNormalization}
      outer:                        # a block using a block: written inline
        params: {units: null}
        nodes:
          inner: {block: unit, units: "${units}"}
          proj:  {type: Dense, units: "${width}"}
    inputs:
      left:  {shape: [6]}
      right: {shape: [5]}
    nodes:
      mixed:  {block: fuse, units: "${width}", inputs: [left, right]}
      stack:  {block: unit, units: "${width}", repeat: 3}
      tail:   {block: unit, units: 4, rate: 0.3}
      nested: {block: outer, units: 4}
      head:   {type: Dense, units: 1}
    """
)


def _source(spec: Any) -> str:
    return generate_python(load(spec) if isinstance(spec, str) else spec)


def test_one_function_per_block_params_as_arguments() -> None:
    text = _source(BLOCKS)
    assert 'def fuse(a, b, units, wide, act="relu", *, name: str):' in text
    assert "def unit(x, units, rate=0.1, *, name: str):" in text
    assert 'fa = keras.layers.Dense(units=wide, activation=act, name=f"{name}.fa")(a)' in text
    assert "    return out\n" in text
    assert 'mixed = fuse(left, right, units=8, wide=16, name="mixed")' in text


def test_repeat_is_a_loop_and_defaults_are_left_out() -> None:
    text = _source(BLOCKS)
    assert "    stack = mixed\n    for i in range(3):\n" in text
    assert '        stack = unit(stack, units=8, name=f"stack.{i}")\n' in text
    assert 'tail = unit(stack, units=4, rate=0.3, name="tail")' in text


def test_a_block_holding_a_block_is_written_inline() -> None:
    text = _source(BLOCKS)
    assert "def outer(" not in text
    assert 'name="nested.inner.fc"' in text


def test_resnet_mini_reads_like_hand_written_keras(specs_dir: Path) -> None:
    text = _source(graphspec.load(specs_dir / "resnet_mini.yaml"))
    assert "def residual(x, filters, *, name: str):" in text
    assert "def downsample(x, filters, stride=2, *, name: str):" in text
    assert '        stage1 = residual(stage1, filters=16, name=f"stage1.{i}")' in text
    assert 'down2 = downsample(stage1, filters=32, name="down2")' in text
    assert (
        text.count("keras.layers.Conv2D(") == 6
    )  # 2 + 3 in the block bodies, the stem (17 unrolled)


def test_generated_code_is_ruff_clean(tmp_path: Path) -> None:
    path = tmp_path / "towers.py"
    path.write_text(_source(BLOCKS))
    for args in (["check"], ["format", "--check"]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, str(path), "--no-cache"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.keras
def test_it_builds_the_compiled_model(tmp_path: Path) -> None:
    from tests._roundtrip import assert_same_model

    spec = load(BLOCKS)
    namespace: dict[str, Any] = {}
    exec(compile(_source(spec), "towers.py", "exec"), namespace)  # our own generated code
    built = namespace["build_model"]()
    compiled = graphspec.compile(spec)
    assert [x.name for x in built.layers] == [x.name for x in compiled.layers]
    assert_same_model(built, compiled)
