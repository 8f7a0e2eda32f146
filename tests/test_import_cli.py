"""``graphspec import --list`` and "did you mean" for application names (no TensorFlow needed)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from graphspec.plugins.nested.applications import application_names


def test_list_prints_every_application(run_cli: Callable[..., Any]) -> None:
    run = run_cli("import", "--list")
    assert run.status == 0
    names = [line.strip() for line in run.out.splitlines() if line.startswith("    keras.")]
    assert names == [f"keras.applications.{n}" for n in application_names()]
    assert len(names) == 40 and "keras.applications.ResNet50" in names
    assert "FILE.keras" in run.out and "FILE.json" in run.out


def test_list_does_not_import_tensorflow() -> None:
    code = (
        "import sys; from graphspec.cli.main import main; main(['import', '--list']); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_misspelt_application_gets_a_suggestion(run_cli: Callable[..., Any]) -> None:
    run = run_cli("import", "keras.applications.ResNet5O", "-o", "never.yaml")
    assert run.status == 2
    assert run.err.strip().endswith(
        "keras.applications has no model `ResNet5O`; did you mean `ResNet50`? "
        "(`graphspec import --list` lists all 40)"
    )
    run = run_cli("import", "keras.applications.mobilenet_v2", "-o", "never.yaml")
    assert "did you mean `MobileNetV2`?" in run.err


def test_import_without_source_or_output_is_a_usage_error(run_cli: Callable[..., Any]) -> None:
    run = run_cli("import")
    assert run.status == 2 and "import needs SOURCE" in run.err
    run = run_cli("import", "keras.applications.ResNet50")
    assert run.status == 2 and "import needs -o SPEC" in run.err
