"""Canary: specs that would write a file or import a module if anything in them were executed.

Each runs from an empty temporary working directory that also holds a booby-trapped module
(``canary_mod_7f3a.py``, which writes ``CANARY`` when imported) on ``sys.path``. Afterwards no
``CANARY`` file may exist, and ``importlib.import_module`` / ``builtins.__import__`` must never
have been called with a name taken from the spec.
"""

from __future__ import annotations

import builtins
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphspec.cli.main import main
from graphspec.errors import SpecError

TRAP = "canary_mod_7f3a"
"""A module name that only ever appears in hostile specs."""

H = "inputs:\n  x: {shape: [16]}\n"
E11 = "graphspec: 1.1\n" + H + "nodes:\n"

HOSTILE = {
    "apply-os-system": '!!python/object/apply:os.system ["touch CANARY"]\n',
    "apply-open": '!!python/object/apply:builtins.open ["CANARY", "w"]\n',
    "apply-trap": f"x: !!python/object/apply:{TRAP}.run []\n",
    "new-type-exec": "x: !!python/object/new:type\n"
    "  args: [z, !!python/tuple [], {extend: !!python/name:exec }]\n"
    "  listitems: \"__import__('os').system('touch CANARY')\"\n",
    "name-trap": f"x: !!python/name:{TRAP}.run\n",
    "module-tag-trap": f"x: !!python/module:{TRAP}\n",
    "type-os-system": H + "nodes:\n  d: {type: os.system, command: touch CANARY}\n",
    "type-trap": H + f"nodes:\n  d: {{type: {TRAP}.Layer}}\n",
    "type-trap-colon": H + f"nodes:\n  d: {{type: '{TRAP}>Layer'}}\n",
    "expr-import-system": H
    + "nodes:\n  d: {type: Dense, units: \"${__import__('os').system('touch CANARY')}\"}\n",
    "expr-import-trap": H + f"nodes:\n  d: {{type: Dense, units: \"${{__import__('{TRAP}')}}\"}}\n",
    "expr-open": H + "nodes:\n  d: {type: Dense, units: \"${open('CANARY', 'w')}\"}\n",
    "initializer-module": H
    + f"nodes:\n  d: {{type: Dense, units: 4, kernel_initializer: {{module: {TRAP}, "
    "class_name: system, config: {command: touch CANARY}}}}\n",
    "initializer-os": H
    + "nodes:\n  d: {type: Dense, units: 4, kernel_initializer: {module: os, class_name: system, "
    "config: {command: touch CANARY}}}\n",
    "activation-dotted": H + f"nodes:\n  d: {{type: Dense, units: 4, activation: {TRAP}.relu}}\n",
    "node-module-keys": H
    + f"nodes:\n  d: {{type: Dense, units: 4, module: {TRAP}, class_name: Dense, "
    f"registered_name: {TRAP}>Dense, function: {TRAP}.f}}\n",
    "lambda": H + f"nodes:\n  d: {{type: Lambda, function: {TRAP}.f}}\n",
    "train-optimizer": H
    + "nodes:\n  d: {type: Dense, units: 4}\n"
    + f"train: {{optimizer: {{module: {TRAP}, class_name: Opt}}, loss: {TRAP}.loss}}\n",
    "nested-layer-trap": "inputs:\n  s: {shape: [5, 4]}\nnodes:\n"
    + f"  b: {{type: Bidirectional, layer: {{type: {TRAP}.LSTM, units: 4}}}}\n",
    "expr-node-import-system": E11 + "  e: {expr: \"__import__('os').system('touch CANARY')\"}\n",
    "expr-node-trap-call": E11 + f'  e: {{expr: "{TRAP}.run(x)"}}\n',
    "expr-node-trap-backticks": E11 + f'  e: {{expr: "`{TRAP}`.run(x)"}}\n',
    "expr-node-open": E11 + "  e: {expr: \"open('CANARY', 'w')\"}\n",
    "expr-node-getattr": E11 + "  e: {expr: \"getattr(x, '__class__')\"}\n",
    "include-trap-module": f"graphspec: 1.1\ninclude: [{TRAP}.py]\n"
    + H
    + "nodes:\n  d: {type: Dense, units: 4}\n",
    "model-trap-module": E11 + f"  m: {{model: {TRAP}.py}}\n",
    "model-application-trap": E11 + f"  m: {{model: keras.applications.{TRAP}}}\n",
    "include-etc-passwd": "graphspec: 1.1\ninclude: [/etc/passwd]\n"
    + H
    + "nodes:\n  d: {type: Dense, units: 4}\n",
    "expr-node-eval": E11 + '  e: {expr: "eval(\'__import__(\\"os\\")\')"}\n',
}


@pytest.fixture
def trap_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cwd with a module that leaves ``CANARY`` behind if it is ever imported."""
    (tmp_path / f"{TRAP}.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('CANARY').write_text('imported')\n"
        "def run(*a, **k):\n    Path('CANARY').write_text('called')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop(TRAP, None)
    assert not (tmp_path / "CANARY").exists(), "a hostile spec ran code"


@pytest.fixture
def imported(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every module name passed to ``builtins.__import__`` or ``importlib.import_module``."""
    names: list[str] = []
    real_import = builtins.__import__
    real_import_module = importlib.import_module

    def spy_import(name: str, *args: Any, **kwargs: Any) -> Any:
        names.append(name)
        fromlist = args[2] if len(args) > 2 else kwargs.get("fromlist")
        names.extend(f"{name}.{item}" for item in fromlist or ())
        return real_import(name, *args, **kwargs)

    def spy_import_module(name: str, package: str | None = None) -> Any:
        names.append(name)
        return real_import_module(name, package)

    monkeypatch.setattr(builtins, "__import__", spy_import)
    monkeypatch.setattr(importlib, "import_module", spy_import_module)
    return names


def _no_spec_names(names: list[str]) -> None:
    bad = [n for n in names if TRAP in n]
    assert not bad, bad
    assert "os.system" not in names
    assert TRAP not in sys.modules


def _spec_file(directory: Path, text: str) -> Path:
    path = directory / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_check_runs_nothing(text: str, trap_dir: Path, imported: list[str]) -> None:
    from graphspec import check

    try:
        result = check(_spec_file(trap_dir, text))
        assert not result.ok
    except SpecError as err:
        assert err.diagnostics
    _no_spec_names(imported)


def _commands(spec: Path) -> list[list[str]]:
    commands = [["validate", str(spec)], ["validate", "--format", "json", str(spec)]]
    commands.append(["summary", str(spec)])
    commands.append(["render", str(spec), "-o", str(spec.with_suffix(".dot"))])
    # every spec here is refused before Keras would be imported
    commands.append(["compile", str(spec), "-o", str(spec.with_suffix(".keras"))])
    commands.append(["export", str(spec), "-o", str(spec.with_suffix(".onnx"))])
    return commands


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_cli_runs_nothing(
    text: str,
    trap_dir: Path,
    imported: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = _spec_file(trap_dir, text)
    for argv in _commands(spec):
        status = main(argv)
        assert status == 1, (argv, capsys.readouterr())
    _no_spec_names(imported)


def test_the_trap_works(trap_dir: Path) -> None:
    """The canary really sings: importing the trap module leaves the file behind."""
    importlib.import_module(TRAP)
    assert (trap_dir / "CANARY").exists()
    (trap_dir / "CANARY").unlink()


# -- layer packages: imported only when the user declares them, never because a spec names them --

SPEC_NAMES_TRAP = {
    "dotted": f"{TRAP}.Layer",
    "colon": f"{TRAP}:Layer",
    "registered-name": f"{TRAP}>Layer",
    "bare-class": "Layer",
    "os-system": "os.system",
}


@pytest.mark.parametrize("type_", list(SPEC_NAMES_TRAP.values()), ids=list(SPEC_NAMES_TRAP))
def test_a_spec_naming_a_module_imports_nothing_even_with_layer_packages(
    type_: str,
    trap_dir: Path,
    imported: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With a (benign) layer package declared, a spec naming another module still imports
    nothing: the refusal says how to declare a package instead."""
    from graphspec.backends.keras import packages

    spec = _spec_file(trap_dir, H + f"nodes:\n  d: {{type: '{type_}'}}\n")
    try:
        for argv in _commands(spec):
            status = main([*argv, "--layers", "tests.layer_packages.keras_io_fixed"])
            assert status == 1, (argv, capsys.readouterr())
        err = capsys.readouterr().err
        if "." in type_ or ":" in type_ or ">" in type_:
            assert "never imports modules named in a spec" in err
        if type_ == f"{TRAP}.Layer":
            assert f"declare the package (e.g. `--layers {TRAP}`" in err
    finally:
        packages.reset()
    _no_spec_names(imported)


def test_a_pyproject_can_be_ignored(
    trap_dir: Path, imported: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A pyproject.toml is configuration the user trusts like code; `--no-project-layers` reads
    none (for specs from elsewhere), and the trap it names stays unimported."""
    (trap_dir / "pyproject.toml").write_text(f'[tool.graphspec]\nlayers = ["{TRAP}"]\n')
    spec = _spec_file(trap_dir, H + "nodes:\n  d: {type: Dense, units: 2}\n")
    assert main(["validate", str(spec), "--no-project-layers"]) == 0
    _no_spec_names(imported)


def test_a_declared_package_is_imported_it_is_the_users_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other side of the boundary: a module the user declares is imported (and this one,
    which defines no layer, is then refused with one line)."""
    from graphspec.backends.keras import packages

    name = "declared_canary_3c1d"
    (tmp_path / f"{name}.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('SANG').write_text('imported')\n"
    )
    monkeypatch.chdir(tmp_path)
    spec = _spec_file(tmp_path, H + "nodes:\n  d: {type: Dense, units: 2}\n")
    try:
        assert main(["validate", str(spec), "--layers", name]) == 2
    finally:
        packages.reset()
        sys.modules.pop(name, None)
    assert (tmp_path / "SANG").exists()
    assert f"the layer package `{name}`" in capsys.readouterr().err
