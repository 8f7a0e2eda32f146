"""`validate`, `summary` and `schema` must never import TensorFlow or Keras (checked in a subprocess)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from graphspec.cli import main
status = main({argv!r})
heavy = sorted(m for m in ("tensorflow", "keras", "pygls") if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
sys.exit(status)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "specs/seed_skip.yaml", "specs/resnet_mini.yaml"],
        [
            "validate",
            "specs/mobilenet_v3_block.yaml",
            "specs/seq2seq.yaml",
            "specs/transfer_mobilenet.yaml",
            "specs/siamese_distance.yaml",
        ],
        ["summary", "specs/transfer_mobilenet.yaml"],
        ["validate", "specs/bad/seed_skip_original.yaml"],
        ["summary", "specs/multi_io.yaml"],
        ["schema"],
        [
            "compile",
            "specs/bad/seed_skip_original.yaml",
            "-o",
            "out/never-written.keras",
            "--mkdir",
        ],
    ],
    ids=[
        "validate",
        "validate-format-1.1",
        "summary-nested-application",
        "validate-bad",
        "summary",
        "schema",
        "compile-invalid",
    ],
)
def test_no_tensorflow_import(argv: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "HEAVY:\n" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), proc.stderr


def test_package_import_is_light() -> None:
    code = "import graphspec, sys; print(sorted(m for m in ('tensorflow','keras') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
