"""``graphspec export``'s choices, refused before Keras is imported: formats, shapes, options."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphspec.backends.export.formats import FORMATS, format_for, missing_packages
from graphspec.backends.export.signature import parse_input_shape, resolve_signature
from graphspec.errors import UsageError

Run = Callable[..., Any]


def test_the_suffix_chooses_the_format() -> None:
    assert [format_for(p).name for p in ("a.onnx", "a.tflite", "a_saved", "out/sm/")] == [
        "onnx",
        "litert",
        "saved_model",
        "saved_model",
    ]
    assert format_for("a.bin", "onnx").name == "onnx"
    with pytest.raises(UsageError, match=r"cannot tell the export format from 'a.pt'.*--format"):
        format_for("a.pt")


def test_every_format_has_its_runtime_installed() -> None:
    """The dev extra installs every converter and runtime (make test runs every check)."""
    assert {name: missing_packages(fmt) for name, fmt in FORMATS.items()} == {
        name: [] for name in FORMATS
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("image", r"expected NAME=DxDx\.\.\."),
        ("image=1xAx3", r"expected NAME=DxDx\.\.\."),
        ("=1x2", r"expected NAME=DxDx\.\.\."),
        ("image=0x4", r"a dimension of size 0"),
    ],
)
def test_bad_input_shapes(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_input_shape(text)


def test_an_override_may_only_fix_free_sizes() -> None:
    inputs = [("image", (None, None, 32, 3), "float32")]
    sig = resolve_signature(inputs, {"image": (1, 64, None, 3)}, None)
    assert sig[0].shape == (1, 64, 32, 3)
    with pytest.raises(UsageError, match=r"dimension 2 is 16, the model fixes it at 32"):
        resolve_signature(inputs, {"image": (1, 64, 16, 3)}, None)
    with pytest.raises(UsageError, match=r"3 dimensions given, the input has 4"):
        resolve_signature(inputs, {"image": (1, 64, 3)}, None)
    with pytest.raises(UsageError, match=r"names meta, which the model has no input of"):
        resolve_signature(inputs, {"meta": (1, 8)}, None)
    with pytest.raises(
        UsageError, match=r"--batch-size 4 contradicts input `image`'s batch size 1"
    ):
        resolve_signature(inputs, {"image": (1, 64, 32, 3)}, 4)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "m.pt"], r"cannot tell the export format from '.*m.pt'"),
        (["-o", "m.bin", "--format", "onnx"], r"-o '.*m.bin' does not end in .onnx"),
        (["-o", "m.onnx", "--quantize", "float16"], r"--quantize applies to LiteRT"),
        (["-o", "m.tflite", "--opset", "13"], r"--opset applies to ONNX only"),
        (["-o", "m.onnx", "--input-shape", "image"], r"expected NAME=DxDx"),
        (
            ["-o", "m.onnx", "--input-shape", "image=1x16x28x1"],
            r"--input-shape image: dimension 1 is 16, the model fixes it at 28",
        ),
        (["-o", "m.onnx", "--input-shape", "label=1x4"], r"names label, which the model has no"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(
    run_cli: Run, specs_dir: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    argv = [str(tmp_path / a) if a.startswith("m.") else a for a in extra]
    run = run_cli("export", specs_dir / "seed_sequential.yaml", *argv)
    assert run.status == 2, run.err
    assert re.search(message, run.err), run.err
    assert list(tmp_path.iterdir()) == []


def test_a_backend_that_cannot_write_the_format(
    run_cli: Run, specs_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    run = run_cli("export", specs_dir / "seed_sequential.yaml", "-o", tmp_path / "m.tflite")
    assert run.status == 2
    assert "[E623] the jax backend cannot export litert (Keras exports it on tensorflow)" in run.err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_foreign_file_is_refused_before_building(
    run_cli: Run, specs_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "m.onnx"
    target.write_bytes(b"mine")
    run = run_cli("export", specs_dir / "seed_sequential.yaml", "-o", target)
    assert run.status == 2
    assert "the file exists and graphspec did not write it (add --force" in run.err
    assert target.read_bytes() == b"mine"


def test_a_converter_that_would_run_out_of_memory_is_refused_first(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E625 before converting: parameters x the converter's measured bytes each > available."""
    from graphspec.backends.export import precheck

    spec = tmp_path / "m.yaml"
    spec.write_text("inputs: {x: {shape: [8]}}\nnodes: {d: {type: Dense, units: 4}}\n")
    monkeypatch.setattr(precheck, "available_memory", lambda: 1000)  # 36 params x 200 bytes
    run = run_cli("export", spec, "-o", tmp_path / "m.onnx")
    assert run.status == 1
    assert "error: [E625] m is not exported to onnx: the onnx converter needs about" in run.err
    assert "36 parameters (200 bytes each, measured)" in run.err
    assert "hint: export to saved_model, litert" in run.err
    assert not (tmp_path / "m.onnx").exists()
    assert precheck.memory_refusal(36, "onnx", None) is None  # memory unknown: no guess
