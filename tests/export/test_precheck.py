"""Static pre-checks and the measured support table they read."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphspec.backends.export import precheck
from graphspec.cli.commands import export_cmd

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., Any]


def test_the_docs_show_the_committed_table() -> None:
    text = (ROOT / "docs/export.md").read_text(encoding="utf-8")
    assert precheck.support_markdown() in text, "run: python scripts/gen_export_support.py --docs"


def test_every_row_names_every_format() -> None:
    table = precheck.support_table()
    assert len(table) >= 40
    assert {frozenset(row) for row in table.values()} == {
        frozenset({"saved_model", "onnx", "litert"})
    }


@pytest.mark.slow
@pytest.mark.keras
def test_a_row_re_derived_matches_the_table() -> None:
    """The table is measured: the generator re-exports a sample in a fresh process and compares
    (about a minute: `make test-all`; a refused row is re-derived below)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run(
        [sys.executable, "scripts/gen_export_support.py", "--check", "Dense"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.keras
def test_a_refused_row_re_derived_matches_the_table() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run(
        [sys.executable, "scripts/gen_export_support.py", "--check", "GRU", "activation=gelu"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]


def _write(tmp_path: Path, text: str) -> Path:
    spec = tmp_path / "net.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def test_a_layer_refused_only_with_a_free_dimension(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = {
        **precheck.support_table(),
        "Conv1D@dynamic": {"saved_model": None, "onnx": None, "litert": "dynamic sizes"},
    }
    monkeypatch.setattr(precheck, "support_table", lambda: table)
    spec = _write(
        tmp_path,
        "inputs:\n  x: {shape: [null, 3]}\nnodes:\n"
        "  c: {type: Conv1D, filters: 4, kernel_size: 3}\n  g: {type: GlobalMaxPooling1D}\n",
    )
    out = tmp_path / "net.tflite"
    run = run_cli("export", spec, "-o", out, "--check")
    assert run.status == 1
    assert (
        "net.yaml:4:3: error[E621]: `c` (Conv1D) cannot be exported to litert while a "
        "dimension of `x` is free: dynamic sizes" in run.err
    )
    assert "hint: fix the size: --input-shape x=?x..." in run.err
    fixed = run_cli("export", spec, "-o", out, "--check", "--input-shape", "x=?x16x3")
    assert fixed.status == 0, fixed.err


def test_an_activation_a_format_cannot_take(run_cli: Run, tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "inputs:\n  x: {shape: [8]}\nnodes:\n  d: {type: Dense, units: 4, activation: gelu}\n",
    )
    run = run_cli("export", spec, "-o", tmp_path / "net.onnx")
    assert run.status == 1
    assert (
        "net.yaml:4:3: error[E620]: `d`'s activation 'gelu' cannot be exported to onnx: the "
        "TensorFlow op Erfc has no ONNX mapping" in run.err
    )
    assert "hint: choose another activation, or export to saved_model, litert" in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.yaml"]


def test_a_missing_converter_is_named(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_cmd, "missing_packages", lambda fmt, verify: ["onnxruntime"])
    spec = _write(tmp_path, "inputs:\n  x: {shape: [8]}\nnodes:\n  d: {type: Dense, units: 4}\n")
    run = run_cli("export", spec, "-o", tmp_path / "net.onnx")
    assert run.status == 2
    assert "[E624] exporting to onnx needs onnxruntime: pip install 'graphspec[export]'" in run.err


@pytest.mark.slow
@pytest.mark.keras
def test_a_keras_file_is_checked_layer_by_layer(run_cli: Run, tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "inputs:\n  x: {shape: [5, 3]}\nnodes:\n  rec: {type: GRU, units: 4}\n",
    )
    model = tmp_path / "net.keras"
    assert run_cli("compile", spec, "-o", model).status == 0
    run = run_cli("export", model, "-o", tmp_path / "net.tflite")
    assert run.status == 1
    assert (
        f"{model}: error[E620]: layer `rec` (GRU) cannot be exported to litert: it converts to "
        "TensorFlow (Flex) ops" in run.err
    )
    assert not (tmp_path / "net.tflite").exists()


def test_a_nested_application_is_refused_at_its_node(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = {
        **precheck.support_table(),
        "Normalization": {
            "saved_model": None,
            "onnx": "its statistics become inputs",
            "litert": None,
        },
    }
    monkeypatch.setattr(precheck, "support_table", lambda: table)
    spec = _write(
        tmp_path,
        "graphspec: 1.1\ninputs:\n  image: {shape: [224, 224, 3]}\nnodes:\n"
        "  net: {model: keras.applications.EfficientNetB0, inputs: image}\n",
    )
    run = run_cli("export", spec, "-o", tmp_path / "net.onnx", "--check")
    assert run.status == 1
    assert (
        "net.yaml:5:3: error[E620]: `net` (keras.applications.EfficientNetB0) cannot be "
        "exported to onnx: its layer `normalization` (Normalization): its statistics become "
        "inputs" in run.err
    ), run.err
    assert "hint: export to saved_model, litert (docs/export.md)" in run.err
