"""``graphspec render`` and ``doctor``: exit codes, files written, no TensorFlow import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphspec.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SKIP = str(ROOT / "specs" / "seed_skip.yaml")
BAD = ROOT / "specs" / "bad" / "seed_skip_original.yaml"

PROBE = """
import sys
from graphspec.cli.main import main
status = main({argv!r})
heavy = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
sys.exit(status)
"""


def _run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env=env,
    )


def test_render_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.svg"
    assert main(["render", SKIP, "-o", str(out), "--rankdir", "LR", "--set", "width=8"]) == 0
    assert "rankdir=LR" not in out.read_text() and "<svg" in out.read_text()
    assert "wrote" in capsys.readouterr().out


def test_render_format_option_overrides_extension(tmp_path: Path) -> None:
    out = tmp_path / "m.txt"
    assert main(["render", SKIP, "-o", str(out), "--format", "mmd", "--no-shapes"]) == 0
    assert out.read_text().count("flowchart TB") == 1


def test_render_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["render", SKIP, "-o", str(tmp_path / "m.txt")]) == 2
    assert not (tmp_path / "m.txt").exists()


def test_render_bad_spec_writes_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    assert main(["render", str(BAD), "-o", str(out), "--blocks", "collapse"]) == 1
    assert "E501" in out.read_text()


def test_render_unloadable_spec_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("inputs: [unclosed\n")
    out = tmp_path / "x.svg"
    assert main(["render", str(spec), "-o", str(out)]) == 1
    assert not out.exists()
    assert "error" in capsys.readouterr().err


def test_missing_dot_program(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "m.png"
    env = {**os.environ, "PATH": str(empty)}
    proc = _run(["render", SKIP, "-o", str(out)], env=env)
    assert proc.returncode == 1, proc.stderr
    assert "the Graphviz `dot` program was not found" in proc.stderr
    assert "sudo apt-get install graphviz" in proc.stderr and "brew install graphviz" in proc.stderr
    assert str(tmp_path / "m.dot") in proc.stderr
    assert not out.exists() and (tmp_path / "m.dot").read_text().startswith("digraph")
    doctor = _run(["doctor"], env=env)
    assert doctor.returncode == 0 and "not found" in doctor.stdout


def test_render_and_doctor_never_import_tensorflow(tmp_path: Path) -> None:
    proc = _run(["render", SKIP, "-o", str(tmp_path / "m.svg")])
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY:\n" in proc.stdout, proc.stdout
    doctor = _run(["doctor"])
    assert doctor.returncode == 0 and "HEAVY:\n" in doctor.stdout, doctor.stdout
    for label in ("python", "graphspec", "pydantic", "networkx", "PyYAML", "graphviz dot"):
        assert label in doctor.stdout
    assert "keras" in doctor.stdout and "tensorflow" in doctor.stdout
