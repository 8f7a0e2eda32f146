"""`validate`, `summary` and `schema` never import TensorFlow or Keras, nor `validate` and `summary` pydantic (subprocesses)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
from graphspec.cli.main import main
status = main({argv!r})
heavy = sorted(m for m in {watched!r} if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
sys.exit(status)
"""


def assert_never_imported(
    argv: list[str], watched: tuple[str, ...], statuses: tuple[int, ...] = (0, 1)
) -> None:
    """Run the command line with ``argv`` in a fresh process: it exits with one of ``statuses``
    and none of ``watched`` was imported."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, watched=watched)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "HEAVY:\n" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode in statuses, proc.stderr


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
        ["sweep", "specs/sweep_cnn.yaml", "--plan"],
        ["summary", "specs/sweep_cnn.yaml", "--scales"],
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
        "sweep-plan",
        "summary-scales",
        "compile-invalid",
    ],
)
def test_no_tensorflow_import(argv: list[str]) -> None:
    assert_never_imported(argv, ("tensorflow", "keras", "pygls"))


def test_package_import_is_light() -> None:
    code = "import graphspec, sys; print(sorted(m for m in ('tensorflow','keras') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# -- the README's command table says which commands import TensorFlow: it must be true ---------

ROOT = Path(__file__).resolve().parent.parent

_LIGHT_RUNS = {
    "validate": [["validate", "specs/seed_skip.yaml"]],
    "summary": [["summary", "specs/multi_io.yaml"]],
    "schema": [["schema"]],
    "render": [["render", "specs/seed_skip.yaml", "-o", "{tmp}/x.svg"]],
    "import": [
        ["import", "tests/output/data/tiny_model.json", "-o", "{tmp}/a.yaml"],
        ["import", "{tmp}/tiny.keras", "-o", "{tmp}/b.yaml"],
    ],
    "codegen": [["codegen", "specs/seed_skip.yaml", "-o", "{tmp}/m.py"]],
    "diff": [
        ["diff", "specs/seed_sequential.yaml", "specs/seed_functional.yaml", "-o", "{tmp}/d.svg"],
        ["diff", "specs/seed_skip.yaml", "specs/seed_skip.yaml", "--format", "markdown"],
    ],
    "doctor": [["doctor"]],
    "sweep": [["sweep", "specs/sweep_cnn.yaml", "--plan"]],  # "no for --plan"
}
"""One run per command the table says needs no TensorFlow (view and lsp are servers; their
own tests check them)."""

MULTI_PROBE = """
import sys
from graphspec.cli.main import main
for argv in {runs!r}:
    status = main(argv)
    heavy = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
    print("PROBE:", " ".join(argv[:2]), status, ",".join(heavy) or "-")
"""


def _table() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    rows = {}
    for line in text.split("## Commands", 1)[1].split("\n\n", 2)[1].splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        name = cells[0].strip("`").split()[1]
        rows[name] = cells[-1]
    return rows


def test_readme_tensorflow_column_is_true(tmp_path: Path) -> None:
    import zipfile

    table = _table()
    assert table["import"].startswith("no for a `.keras` or JSON file")
    assert table["compile"] == "yes" and table["validate"] == "only with `--deep`"
    archive = tmp_path / "tiny.keras"
    with zipfile.ZipFile(archive, "w") as zf:  # what Keras writes: config.json and weights
        zf.write(ROOT / "tests/output/data/tiny_model.json", "config.json")
        zf.writestr("metadata.json", "{}")
    light = [name for name, says in table.items() if says.startswith(("no", "only with"))]
    runs = [
        [a.replace("{tmp}", str(tmp_path)) for a in argv]
        for name in light
        for argv in _LIGHT_RUNS.get(name, [])
    ]
    assert {"validate", "summary", "schema", "render", "import", "codegen"} <= set(light)
    proc = subprocess.run(
        [sys.executable, "-c", MULTI_PROBE.format(runs=runs)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE:")]
    assert len(lines) == len(runs), proc.stdout + proc.stderr
    for line in lines:
        assert line.endswith(" 0 -"), line  # ran fine, and nothing heavy imported so far


def test_validating_a_valid_spec_imports_only_what_it_needs() -> None:
    """Start-up is most of a `graphspec validate` run: networkx (graph algorithms, for naming a
    cycle), the output policy, YAML error explanations and the fix rules stay unimported."""
    watched = (
        "networkx",
        "graphspec.base.output",
        "graphspec.frontend.yaml_errors",
        "graphspec.passes.fixes",
        "subprocess",
    )
    assert_never_imported(["validate", "-q", "specs/resnet_mini.yaml"], watched, statuses=(0,))


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "specs/seed_skip.yaml", "specs/resnet_mini.yaml", "specs/vit_tiny.yaml"],
        ["validate", "specs/bad/seed_skip_original.yaml"],
        ["summary", "specs/multi_io.yaml"],
    ],
    ids=["validate", "validate-bad", "summary"],
)
def test_checking_commands_never_import_pydantic(argv: list[str]) -> None:
    """pydantic costs about 100 ms of start-up: the spec records validate without it (it writes
    the JSON Schema only), which keeps `graphspec validate` under 0.2 s (docs/performance.md)."""
    assert_never_imported(argv, ("pydantic",))
