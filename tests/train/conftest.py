"""Small specs written to a temporary folder, for the training tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"


def run_graphspec(folder: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``graphspec ARGS`` in a child process working in ``folder`` (this checkout's package)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "graphspec.cli.main", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


TINY_A = """
    graphspec: 1
    name: tiny_a
    inputs:
      pixels: {shape: [64]}
    nodes:
      hidden: {type: Dense, units: 16, activation: relu}
      probs: {type: Dense, units: 10, activation: softmax}
    train: {optimizer: adam, epochs: 1, batch_size: 64}
"""

TINY_B = """
    graphspec: 1
    name: tiny_b
    inputs:
      x: {shape: [64]}
    nodes:
      h: {type: Dense, units: 16, activation: relu}
      out: {type: Dense, units: 10, activation: softmax}
    edges: [x -> h -> out]
    train: {optimizer: adam, epochs: 1, batch_size: 64}
"""

TINY_WIDE = TINY_A.replace("tiny_a", "tiny_wide").replace("units: 16", "units: 32")

TWO_IN_TWO_OUT = """
    graphspec: 1
    name: two_heads
    inputs:
      left: {shape: [4]}
      right: {shape: [3]}
    nodes:
      lf: {type: Dense, units: 8, activation: relu}
      rf: {type: Dense, units: 8, activation: relu}
      cat: {type: Concatenate}
      cls: {type: Dense, units: 3, activation: softmax}
      reg: {type: Dense, units: 1}
    edges:
      - left -> lf -> cat
      - right -> rf -> cat
      - cat -> cls
      - cat -> reg
    outputs: {label: cls, score: reg}
    train:
      optimizer: {type: Adam, learning_rate: 0.01}
      loss: {label: sparse_categorical_crossentropy, score: mse}
      metrics: {label: [accuracy], score: [mae]}
      batch_size: 16
      epochs: 2
"""


def write_spec(folder: Path, text: str, name: str) -> Path:
    """Write dedented spec text to ``folder/name.yaml``."""
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def tiny_a(tmp_path: Path) -> Path:
    return write_spec(tmp_path, TINY_A, "tiny_a")


@pytest.fixture
def tiny_b(tmp_path: Path) -> Path:
    return write_spec(tmp_path, TINY_B, "tiny_b")


@pytest.fixture
def tiny_wide(tmp_path: Path) -> Path:
    return write_spec(tmp_path, TINY_WIDE, "tiny_wide")


@pytest.fixture
def two_heads(tmp_path: Path) -> Path:
    return write_spec(tmp_path, TWO_IN_TWO_OUT, "two_heads")
