"""Layer packages the user declares (``--layers``, ``GRAPHSPEC_LAYERS``, ``pyproject.toml``):
every command, the language server and the viewer use them; a package that cannot be used is
one located error, never a traceback."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec.backends.keras import packages
from graphspec.base.custom_layers import custom_layer

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "custom_layers"

DIGITS = """\
graphspec: 1
name: scaled
inputs:
  pixels: {shape: [64]}
nodes:
  hidden: {type: Dense, units: 16, activation: relu}
  scale:  {type: ChannelScale, init: 0.5}
  probs:  {type: Dense, units: 10, activation: softmax}
train: {optimizer: adam, epochs: 1, batch_size: 64}
"""


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test starts and ends with no layer package loaded."""
    packages.reset()
    yield
    packages.reset()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of examples/custom_layers (its pyproject.toml declares `my_layers`)."""
    target = tmp_path / "project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "digits.yaml").write_text(DIGITS)
    return target


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no pyproject.toml above it; `my_layers` importable by name."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.delenv(packages.ENV_VAR, raising=False)
    return folder


def _every_command(spec: Path, digits: Path, out: Path) -> dict[str, list[str]]:
    return {
        "validate": ["validate", str(spec)],
        "validate --deep": ["validate", "--deep", str(spec)],
        "summary": ["summary", str(spec)],
        "render": ["render", str(spec), "-o", str(out / "m.svg")],
        "compile": ["compile", str(spec), "-o", str(out / "m.keras")],
        "codegen": ["codegen", str(spec), "-o", str(out / "m.py")],
        "import": ["import", str(out / "m.keras"), "-o", str(out / "back.yaml")],
        "fit": ["fit", str(digits), "--data", "digits", "-o", str(out / "fit.keras")],
    }


@pytest.mark.parametrize("how", ["flag", "environment", "pyproject"])
def test_every_command_with_each_way_of_declaring(
    how: str,
    project: Path,
    elsewhere: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., Any],
) -> None:
    extra: list[str] = []
    if how == "flag":
        extra = ["--layers", "my_layers", "--no-project-layers"]
    elif how == "environment":
        monkeypatch.setenv(packages.ENV_VAR, "my_layers")
        extra = ["--no-project-layers"]
    else:
        monkeypatch.chdir(project)  # the nearest pyproject.toml says it; nothing on the line
    spec, digits = project / "model.yaml", project / "digits.yaml"
    for name, argv in _every_command(spec, digits, elsewhere).items():
        run = run_cli(*argv, *extra)
        assert run.status == 0, (name, run.err)
        packages.reset()  # each command declares it afresh, as a new process would
    assert "from my_layers import ChannelScale, PatchExtract" in (elsewhere / "m.py").read_text()
    back = (elsewhere / "back.yaml").read_text()
    assert "{type: PatchExtract, patch_size: 4}" in back and "type: ChannelScale" in back


def test_without_a_declaration_a_spec_names_nothing(
    project: Path, elsewhere: Path, run_cli: Callable[..., Any]
) -> None:
    run = run_cli("validate", str(project / "model.yaml"), "--no-project-layers")
    assert run.status == 1
    assert "unknown layer type `PatchExtract`" in run.err
    assert "declared: `--layers MODULE`" in run.err
    scale = graphspec.check("inputs: {x: {shape: [4]}}\nnodes: {s: {type: Scale}}\n").errors[0]
    assert scale.hint == (
        "did you mean `LayerScale`? Or: a layer class of your own is named once its package is "
        "declared: `--layers MODULE`"
    )
    typo = graphspec.check("inputs: {x: {shape: [4]}}\nnodes: {s: {type: Dnse}}\n").errors[0]
    assert typo.hint == "did you mean `Dense`?"
    assert custom_layer("PatchExtract") is None


def test_static_shapes_from_the_rule_and_from_keras(project: Path, elsewhere: Path) -> None:
    """ChannelScale's shape comes from its @graphspec.shape_rule, PatchExtract's from Keras
    (compute_output_shape): both equal the compiled model's."""
    graphspec.use_layers("my_layers")
    result = graphspec.check(project / "model.yaml")
    assert result.ok and result.shapes is not None and result.shapes.complete
    model = graphspec.compile(project / "model.yaml")
    for node in ("patches", "scale"):
        layer = model.get_layer(node)
        assert result.shapes[node].output == tuple(layer.output.shape)
        assert result.shapes[node].params == layer.count_params()
    assert result.shapes.total == model.count_params()


def test_a_rule_fault_is_located(project: Path, elsewhere: Path) -> None:
    graphspec.use_layers("my_layers")
    spec = project / "bad.yaml"
    spec.write_text("inputs: {x: {shape: [4, null]}}\nnodes:\n  s: {type: ChannelScale}\n")
    (error,) = graphspec.check(spec).errors
    assert error.code == "E501" and error.line == 3
    assert error.message == (
        "node `s`: ChannelScale needs a known channel count; got (None, 4, None)"
    )


def _package(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(body))


@pytest.mark.parametrize(
    ("module", "body", "message"),
    [
        (
            "syntax_slip",
            "import keras\nx = (\n",
            r"--layers: cannot import the layer package `syntax_slip`: .*syntax_slip\.py:2: "
            r"SyntaxError: '\(' was never closed$",
        ),
        (
            "raises_early",
            "import keras\n\ndef f():\n    raise RuntimeError('boom')\n\nf()\n",
            r"cannot import the layer package `raises_early`: .*raises_early\.py:4: "
            r"RuntimeError: boom$",
        ),
        (
            "needs_more",
            "import keras\nimport not_installed_anywhere\n",
            r"cannot import the layer package `needs_more`: .*needs_more\.py:2: "
            r"ModuleNotFoundError: No module named 'not_installed_anywhere'$",
        ),
        (
            "no_layers",
            "import keras\nX = 1\n",
            r"the layer package `no_layers` \(.*no_layers\.py\) defines no Keras layer",
        ),
        (
            "not_there",
            None,
            r"cannot import the layer package `not_there`: no module named `not_there` on the "
            r"Python path or .*elsewhere \(install the package, or add its folder to PYTHONPATH\)$",
        ),
        (
            "shadows_dense",
            "import keras\n\nclass Dense(keras.layers.Dense):\n    pass\n",
            r"the layer class shadows_dense\.Dense has the name of a layer graphspec knows",
        ),
        (
            "./my_layers.py",
            None,
            r"`\./my_layers\.py` is not a module name; give the name Python imports it by",
        ),
    ],
    ids=["syntax", "raises", "dependency", "no-layers", "missing", "shadows", "path"],
)
def test_a_package_that_cannot_be_used_is_one_located_line(
    module: str,
    body: str | None,
    message: str,
    elsewhere: Path,
    run_cli: Callable[..., Any],
) -> None:
    if body is not None:
        _package(elsewhere, module, body)
    spec = elsewhere / "s.yaml"
    spec.write_text("inputs: {x: {shape: [3]}}\nnodes: {d: {type: Dense, units: 2}}\n")
    for command in (["validate", str(spec)], ["render", str(spec), "-o", "x.svg"]):
        run = run_cli(*command, "--layers", module)
        assert run.status == 2
        assert "Traceback" not in run.err
        lines = run.err.strip().splitlines()
        assert len(lines) == 1, run.err
        assert lines[0].startswith(f"graphspec {command[0]}: error: --layers: ")
        assert re.search(message, lines[0]), lines[0]


def test_a_bad_pyproject_is_located(elsewhere: Path, run_cli: Callable[..., Any]) -> None:
    (elsewhere / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.graphspec]\nlayers = "my_layers"\n'
    )
    spec = elsewhere / "s.yaml"
    spec.write_text("inputs: {x: {shape: [3]}}\nnodes: {d: {type: Dense, units: 2}}\n")
    run = run_cli("validate", str(spec))
    assert run.status == 2
    assert f"{elsewhere / 'pyproject.toml'}:5: [tool.graphspec] layers must be a list" in run.err


def test_two_classes_under_one_name(elsewhere: Path, run_cli: Callable[..., Any]) -> None:
    for name in ("first_pkg", "second_pkg"):
        _package(
            elsewhere,
            name,
            "import keras\n\nclass Twin(keras.layers.Layer):\n    def call(self, x):\n"
            "        return x\n",
        )
    spec = elsewhere / "s.yaml"
    spec.write_text("inputs: {x: {shape: [3]}}\nnodes: {d: {type: Twin}}\n")
    run = run_cli("validate", str(spec), "--layers", "first_pkg", "--layers", "second_pkg")
    assert run.status == 2
    assert "two layer classes are called `Twin`: first_pkg.Twin and second_pkg.Twin" in run.err


def test_a_class_that_cannot_take_name(elsewhere: Path, run_cli: Callable[..., Any]) -> None:
    """E209 with what to add, not Keras's E602 and its pointer to keras.layers documentation."""
    spec = elsewhere / "s.yaml"
    spec.write_text(
        "inputs: {x: {shape: [4, 4, 8]}}\nnodes:\n  up: {type: DepthToSpace, block_size: 2}\n"
    )
    run = run_cli(
        "compile", str(spec), "-o", "m.keras", "--layers", "tests.layer_packages.keras_io"
    )
    assert run.status == 1
    assert (
        "error[E209]: node `up`: tests.layer_packages.keras_io.DepthToSpace.__init__ takes no "
        in run.err
    )
    assert "add `**kwargs` to DepthToSpace.__init__ and pass them on" in run.err
    assert "E602" not in run.err and "keras.layers.DepthToSpace" not in run.err


def test_a_keras_error_points_to_the_users_class(
    elsewhere: Path, run_cli: Callable[..., Any]
) -> None:
    """A constructor that raises: E602, with the user's class named, not Keras's docs."""
    _package(
        elsewhere,
        "picky_pkg",
        "import keras\n\nclass Picky(keras.layers.Layer):\n"
        "    def __init__(self, size=1, **kwargs):\n        super().__init__(**kwargs)\n"
        "        if size > 3:\n            raise ValueError('size must be at most 3')\n",
    )
    spec = elsewhere / "s.yaml"
    spec.write_text("inputs: {x: {shape: [3]}}\nnodes: {p: {type: Picky, size: 5}}\n")
    run = run_cli("compile", str(spec), "-o", "m.keras", "--layers", "picky_pkg")
    assert run.status == 1
    assert "size must be at most 3" in run.err
    assert (
        "hint: check the arguments of `p` against picky_pkg.Picky.__init__ (your code)" in run.err
    )


def test_signature_checks_with_did_you_mean(project: Path, elsewhere: Path) -> None:
    graphspec.use_layers("my_layers")
    spec = elsewhere / "s.yaml"
    spec.write_text(
        "inputs: {x: {shape: [8, 8, 3]}}\nnodes:\n  p: {type: PatchExtract, patch_sise: 2}\n"
    )
    codes = {d.code: d for d in graphspec.check(spec).errors}
    assert codes["E202"].hint == "did you mean `patch_size`?"
    assert "E207" not in codes  # the typo's hint already names the missing argument


def test_the_language_server_reads_the_pyproject(project: Path, elsewhere: Path) -> None:
    from graphspec.tools.lsp.analysis import analyse

    spec = project / "model.yaml"
    found = analyse(spec.as_uri(), 1, spec.read_text(), str(spec))
    assert found.ok and found.diagnostics == [], [d.format() for d in found.diagnostics]
    assert found.result is not None and found.result.shapes is not None
    assert found.result.shapes["scale"].params == 32


def test_the_language_server_reports_a_broken_package(elsewhere: Path) -> None:
    from graphspec.tools.lsp.analysis import analyse

    (elsewhere / "pyproject.toml").write_text('[tool.graphspec]\nlayers = ["missing_pkg_x"]\n')
    spec = elsewhere / "s.yaml"
    text = "inputs: {x: {shape: [3]}}\nnodes: {d: {type: Dense, units: 2}}\n"
    for _ in range(2):  # reported on every analysis, imported once
        found = analyse(spec.as_uri(), 1, text, str(spec))
        (problem,) = found.diagnostics
        assert problem.code == "E016" and problem.line == 1
        assert "cannot import the layer package `missing_pkg_x`" in problem.message


def test_the_viewer_draws_user_layers(
    project: Path, elsewhere: Path, run_cli: Callable[..., Any]
) -> None:
    from graphspec.tools.view._page import build_page

    run = run_cli("view", str(project / "model.yaml"), "--layers", "not_a_pkg_y", "--no-browser")
    assert run.status == 2 and "not_a_pkg_y" in run.err  # before any server starts
    graphspec.use_layers("my_layers")  # what `graphspec view` does first, from the same places
    page = build_page(project / "model.yaml")
    assert page["svg"] and "ChannelScale" in page["svg"]
    assert not [d for d in page["diagnostics"] if d["severity"] == "error"]


def test_every_command_that_reads_specs_takes_layers() -> None:
    from graphspec.cli.main import build_parser

    subs = next(a for a in build_parser()._actions if a.dest == "command").choices
    readers = sorted(n for n, p in subs.items() if any(a.dest == "layers" for a in p._actions))
    assert readers == sorted(
        [
            "validate",
            "summary",
            "render",
            "view",
            "compile",
            "import",
            "codegen",
            "fit",
            "compare",
            "diff",
            "lsp",
            "sweep",
            "export",
        ]
    )
    assert sorted(set(subs) - set(readers)) == ["doctor", "schema"]


def test_declaring_keras_hub_changes_nothing(elsewhere: Path, run_cli: Callable[..., Any]) -> None:
    """Its layers are catalogued types already: declaring it is accepted, imports nothing, adds none."""
    pytest.importorskip("keras_hub")
    spec = elsewhere / "s.yaml"
    spec.write_text(
        "inputs: {x: {shape: [4, 8]}}\nnodes: {e: {type: TransformerEncoder, "
        "intermediate_dim: 8, num_heads: 2}}\n"
    )
    assert run_cli("validate", str(spec), "--layers", "keras_hub").status == 0
    assert packages.loaded_packages() == {"keras_hub": ()}


def test_the_editor_describes_user_layers(elsewhere: Path) -> None:
    from graphspec.tools.lsp._describe import layer_doc, signature_text

    graphspec.use_layers("my_layers")
    assert layer_doc("ChannelScale") == (
        "Multiply each channel by a learned factor (LayerScale without the fixed axis). "
        "(my_layers.ChannelScale, your layer package)"
    )
    assert signature_text("PatchExtract") is not None
    assert "patch_size" in (signature_text("PatchExtract") or "")


def test_did_you_mean_knows_user_layers(elsewhere: Path) -> None:
    graphspec.use_layers("my_layers")
    result = graphspec.check("inputs: {x: {shape: [4]}}\nnodes: {s: {type: ChanelScale}}\n")
    (error,) = result.errors
    assert error.hint is not None and error.hint.startswith("did you mean `ChannelScale`?")


_WORKER = """
import json, sys, graphspec
from graphspec.backends.keras.packages import load_portable
from graphspec.base.custom_layers import custom_layer
job = json.loads(sys.stdin.read())
assert custom_layer("ChannelScale") is None
load_portable(job["layers"], "the sweep's layer packages")
assert custom_layer("ChannelScale") is not None
print(graphspec.check(graphspec.load(job["spec"])).ok)
"""


def test_a_ray_worker_loads_the_drivers_layer_packages(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sweep --engine ray`: a trial's worker process (its working directory elsewhere) loads the
    layer packages the driver (this process) loaded before it reads the spec, so
    `type: ChannelScale` checks there."""
    from graphspec.tools.train.sweep.ray_engine import trial_job
    from graphspec.tools.train.sweep.trials import Objective

    monkeypatch.chdir(project)
    packages.use_layers("my_layers")
    spec = graphspec.load(project / "digits.yaml")
    job = trial_job(
        spec,
        fixed={},
        data="digits",
        objective=Objective("accuracy", "maximize"),
        seed=0,
        epochs=1,
        batch_size=None,
    )
    [(module, folder)] = job["layers"]  # the folder it was imported from (this one, or the
    assert module == "my_layers"  # example's when an earlier test of this process imported it)
    assert folder is not None and (Path(folder) / "my_layers" / "__init__.py").is_file()
    worker = subprocess.run(
        [sys.executable, "-c", _WORKER],
        cwd=tmp_path,
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip().splitlines()[-1] == "True"
