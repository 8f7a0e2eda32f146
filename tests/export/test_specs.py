"""Every shipped spec exports to every format with the runtime check passing, or is refused up
front at the nodes the format cannot take (pinned here)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
SUFFIXES = {"saved_model": "_saved", "onnx": ".onnx", "litert": ".tflite"}

REFUSED: dict[tuple[str, str], list[str]] = {
    ("seq2seq", "litert"): [
        "seq2seq.yaml:11:3: error[E620]: `encoder` (LSTM) cannot be exported to litert: it "
        "converts to TensorFlow (Flex) ops, which the LiteRT interpreter does not run",
        "seq2seq.yaml:12:3: error[E620]: `decoder` (LSTM) cannot be exported to litert",
    ],
    ("sequence_wrappers", "litert"): [
        "sequence_wrappers.yaml:11:3: error[E620]: `rnn` (RNN) cannot be exported to litert",
        "sequence_wrappers.yaml:20:3: error[E620]: `both` (Bidirectional) cannot be exported to "
        "litert",
        "hint: replace the layer, or export to another format; Bidirectional exports to "
        "saved_model, onnx (docs/export.md)",
    ],
    ("vit_tiny", "onnx"): [
        "vit_tiny.yaml:32:7: error[E620]: block `encoder_block`: `up`'s activation 'gelu' cannot "
        "be exported to onnx: the TensorFlow op Erfc has no ONNX mapping (in all 2 instances: "
        "encoder.0, encoder.1)",
        "hint: choose another activation, or export to saved_model, litert",
    ],
}
"""(spec, format) -> lines the refusal must print (before anything is built)."""

Run = Callable[..., Any]
CASES = [(spec, fmt) for spec in SPECS for fmt in SUFFIXES]


def _marks(spec: Path, fmt: str) -> list[Any]:
    refused = (spec.stem, fmt) in REFUSED
    return [] if refused else [pytest.mark.slow, pytest.mark.keras]


@pytest.mark.parametrize(
    ("spec", "fmt"),
    [pytest.param(s, f, marks=_marks(s, f), id=f"{s.stem}-{f}") for s, f in CASES],
)
def test_spec_exports_or_is_refused_up_front(
    run_cli: Run, tmp_path: Path, spec: Path, fmt: str
) -> None:
    target = tmp_path / f"{spec.stem}{SUFFIXES[fmt]}"
    run = run_cli("export", spec, "-o", target)
    expected = REFUSED.get((spec.stem, fmt))
    if expected is not None:
        assert run.status == 1, run.out
        for line in expected:
            assert line in run.err, run.err
        assert run.err.count("error[E620]") == sum("error[E620]" in e for e in expected)
        assert list(tmp_path.iterdir()) == []
        return
    assert run.status == 0, run.err
    verdict = re.search(r"verified in .*: (ok|EXCEEDED)$", run.out, re.MULTILINE)
    assert verdict and verdict.group(1) == "ok", run.out


def test_the_refusals_are_static(run_cli: Run, tmp_path: Path) -> None:
    """``--check`` gives the same refusals without building, and passes the rest."""
    run = run_cli("export", ROOT / "specs/seq2seq.yaml", "-o", tmp_path / "s.tflite", "--check")
    assert run.status == 1
    assert run.err.count("error[E620]") == 2
    fine = run_cli("export", ROOT / "specs/seq2seq.yaml", "-o", tmp_path / "s.onnx", "--check")
    assert fine.status == 0, fine.err
    assert fine.out.strip().endswith("seq2seq.yaml: no node stops an export to onnx")
    assert list(tmp_path.iterdir()) == []
