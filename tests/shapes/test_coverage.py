"""The coverage figure: every spec-able catalog class has a rule, and the docs say so (generated)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphspec.base.catalog import canonical_type, layer_aliases
from graphspec.passes.shapes.coverage import coverage, coverage_markdown

from .stricter import STRICTER

ROOT = Path(__file__).resolve().parents[2]


def test_coverage_is_complete() -> None:
    cov = coverage()
    assert cov.missing == ()
    assert cov.percent == 100.0
    assert len(cov.spec_able) == len(cov.covered) >= 150
    assert "Lambda" in cov.refused and "Lambda" not in cov.spec_able


def test_aliases_are_generated_from_keras_class_identity() -> None:
    aliases = layer_aliases()
    assert aliases["MaxPool2D"] == "MaxPooling2D"
    assert aliases["SeparableConvolution2D"] == "SeparableConv2D"
    assert all(canonical_type(a) != a for a in aliases)
    assert "Conv2D" not in aliases  # a class name is never an alias of itself


def test_the_docs_section_is_generated_and_current() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_coverage.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    text = (ROOT / "docs" / "spec-format.md").read_text()
    assert coverage_markdown() in text
    assert coverage().headline() in text


def test_every_deliberate_refusal_is_documented() -> None:
    text = (ROOT / "docs" / "spec-format.md").read_text()
    section = text.split("### Where static checking is stricter than Keras", 1)[1]
    table = section.split("\n\n## ", 1)[0]
    for name in STRICTER:
        short = name[:-2] if name.startswith("Adaptive") else name
        assert f"`{short}" in table, f"{name} is refused more strictly than Keras: document it"
