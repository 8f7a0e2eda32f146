"""``graphspec export`` end to end: each format written, run in its own runtime, compared."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

Run = Callable[..., Any]
_VERIFIED = re.compile(
    r"verified in (?P<runtime>.+?): max abs difference (?P<diff>\S+) .*tolerance (?P<tol>\S+)"
    r".*: (?P<verdict>ok|EXCEEDED)"
)


def _verified(out: str) -> re.Match[str]:
    found = _VERIFIED.search(out)
    assert found, out
    return found


@pytest.mark.parametrize(
    ("suffix", "runtime", "tolerance"),
    [
        ("_saved", "TensorFlow (tf.saved_model.load)", "1e-05"),
        (".onnx", "ONNX Runtime", "0.0001"),
        (".tflite", "LiteRT interpreter (ai_edge_litert)", "0.0001"),
    ],
    ids=["saved_model", "onnx", "litert"],
)
def test_each_format_is_written_and_verified(
    run_cli: Run, specs_dir: Path, tmp_path: Path, suffix: str, runtime: str, tolerance: str
) -> None:
    target = tmp_path / f"seed{suffix}"
    run = run_cli("export", specs_dir / "seed_sequential.yaml", "-o", target)
    assert run.status == 0, run.err
    assert run.out.startswith(f"wrote {target} (")
    found = _verified(run.out)
    assert (found["runtime"], found["tol"], found["verdict"]) == (runtime, tolerance, "ok")
    assert float(found["diff"]) <= float(tolerance)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # nothing else left


def test_onnx_is_named_after_the_spec_its_inputs_and_outputs(
    run_cli: Run, specs_dir: Path, tmp_path: Path
) -> None:
    import onnx
    import onnxruntime

    target = tmp_path / "multi_io.onnx"
    run = run_cli("export", specs_dir / "multi_io.yaml", "-o", target, "--opset", "17")
    assert run.status == 0, run.err
    assert "inputs: image ?x32x32x3 float32, meta ?x8 float32; outputs: label, score" in run.out
    proto = onnx.load(str(target))
    assert proto.graph.name == "multi_io"
    assert {op.version for op in proto.opset_import if op.domain in ("", "ai.onnx")} == {17}
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["image", "meta"]
    assert [o.name for o in session.get_outputs()] == ["label", "score"]
    assert session.get_inputs()[0].shape == ["batch", 32, 32, 3]


def test_a_fixed_signature_and_a_refreshed_saved_model(
    run_cli: Run, specs_dir: Path, tmp_path: Path
) -> None:
    import tensorflow as tf

    target = tmp_path / "sm"
    spec = specs_dir / "multi_io.yaml"
    args = ("export", spec, "-o", target, "--batch-size", "3", "--input-shape", "meta=3x8")
    assert run_cli(*args).status == 0
    serve = tf.saved_model.load(str(target)).signatures["serving_default"]
    inputs = serve.structured_input_signature[1]
    assert {k: tuple(v.shape) for k, v in inputs.items()} == {
        "image": (3, 32, 32, 3),
        "meta": (3, 8),
    }
    assert sorted(serve.structured_outputs) == ["label", "score"]
    again = run_cli(*args)  # graphspec's own unchanged folder: refreshed without --force
    assert again.status == 0, again.err
    (target / "extra.txt").write_text("mine")
    changed = run_cli(*args)
    assert changed.status == 2
    assert "the folder was changed since graphspec wrote it (add --force" in changed.err


def test_quantized_litert_reports_its_difference_and_the_tolerance_gate(
    run_cli: Run, specs_dir: Path, tmp_path: Path
) -> None:
    spec = specs_dir / "seed_sequential.yaml"
    target = tmp_path / "seed_int8.tflite"
    run = run_cli("export", spec, "-o", target, "--quantize", "dynamic")
    assert run.status == 0, run.err
    assert "(litert, dynamic quantized, " in run.out
    found = _verified(run.out)
    assert (found["tol"], found["verdict"]) == ("0.1", "ok")
    assert 0 < float(found["diff"]) <= 0.1  # int8 weights: close, but not exact
    float_size = tmp_path / "seed.tflite"
    assert run_cli("export", spec, "-o", float_size, "--no-verify").status == 0
    assert target.stat().st_size < float_size.stat().st_size / 2
    strict = run_cli("export", spec, "-o", target, "--quantize", "dynamic", "--tolerance", "1e-9")
    assert strict.status == 1
    assert _verified(strict.out)["verdict"] == "EXCEEDED"
    assert re.search(r"\[E622\] .*seed_int8.tflite differs from the Keras model by", strict.err)
    assert target.exists()  # kept for inspection


def test_a_keras_file_exports_too(run_cli: Run, specs_dir: Path, tmp_path: Path) -> None:
    import onnxruntime

    model = tmp_path / "skip.keras"
    assert run_cli("compile", specs_dir / "seed_skip.yaml", "-o", model).status == 0
    target = tmp_path / "skip.onnx"
    run = run_cli("export", model, "-o", target)
    assert run.status == 0, run.err
    assert _verified(run.out)["verdict"] == "ok"
    loaded = keras.saving.load_model(model)
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).uniform(size=(2, *loaded.inputs[0].shape[1:])).astype("float32")
    (found,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(found, np.asarray(loaded(x)), atol=1e-5)
