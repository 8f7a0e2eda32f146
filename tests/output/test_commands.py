"""The output policy, command by command: every refusal case, with its exact line and exit 2.

Each writing command names its output with a suffix of its own (``compile -o x.keras``,
``fit --history x.json`` ...). The input it reads is written as ``input{suffix}`` so that "the
output is the input" can be said on every command. Every refusal happens before any work (no
TensorFlow, no training), so the whole table runs in seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphspec.cli.main import main

from ._sandbox import snapshot

DATA = Path(__file__).parent / "data"

SPEC = (
    "graphspec: 1\nname: tiny\ninputs:\n  x: {shape: [64]}\nnodes:\n"
    "  h: {type: Dense, units: 4, activation: relu}\n"
    "  probs: {type: Dense, units: 10, activation: softmax}\n"
    "train: {optimizer: adam, epochs: 1, batch_size: 256}\n"
)


@dataclass(frozen=True)
class Writer:
    """A writing command: how to call it with input ``i`` and output ``o``."""

    name: str
    suffix: str
    argv: Callable[[str, str], list[str]]
    reads: str | None = SPEC

    def input_text(self) -> str | None:
        if self.name == "import":
            return (DATA / "tiny_model.json").read_text()
        return self.reads


WRITERS = [
    Writer("compile", ".keras", lambda i, o: ["compile", i, "-o", o]),
    Writer("render", ".dot", lambda i, o: ["render", i, "-o", o, "--format", "dot"]),
    Writer("codegen", ".py", lambda i, o: ["codegen", i, "-o", o]),
    Writer("diff", ".dot", lambda i, o: ["diff", i, i, "-o", o]),
    Writer("import", ".yaml", lambda i, o: ["import", i, "-o", o]),
    Writer("schema", ".json", lambda i, o: ["schema", "-o", o], reads=None),
    Writer("export", ".onnx", lambda i, o: ["export", i, "-o", o]),
    Writer("export-litert", ".tflite", lambda i, o: ["export", i, "-o", o]),
    Writer("fit", ".keras", lambda i, o: ["fit", i, "--data", "digits", "-o", o]),
    Writer("fit-history", ".json", lambda i, o: ["fit", i, "--data", "digits", "--history", o]),
    Writer(
        "compare",
        ".json",
        lambda i, o: ["compare", i, "--data", "digits", "--seeds", "1", "--json", o],
    ),
    Writer(
        "compare-plot",
        ".png",
        lambda i, o: ["compare", i, "--data", "digits", "--seeds", "1", "--plot", o],
    ),
]


@dataclass(frozen=True)
class Case:
    """A refused output: how to prepare it and the reason printed after ``cannot write PATH:``."""

    id: str
    prepare: Callable[[Path, Path, str], str]
    reason: Callable[[Path, Path], str]
    needs_input: bool = False
    with_force: bool = True


def _same(d: Path, i: Path, s: str) -> str:
    return str(i)


def _symlink(d: Path, i: Path, s: str) -> str:
    (d / f"link{s}").symlink_to(i.name)
    return str(d / f"link{s}")


def _hardlink(d: Path, i: Path, s: str) -> str:
    os.link(i, d / f"hard{s}")
    return str(d / f"hard{s}")


def _foreign(d: Path, i: Path, s: str) -> str:
    (d / f"mine{s}").write_bytes(b"the user's own file\n")
    return str(d / f"mine{s}")


def _folder(d: Path, i: Path, s: str) -> str:
    (d / f"folder{s}").mkdir()
    return str(d / f"folder{s}")


def _missing_parent(d: Path, i: Path, s: str) -> str:
    return str(d / "nodir" / "sub" / f"out{s}")


def _parent_is_file(d: Path, i: Path, s: str) -> str:
    (d / "afile").write_bytes(b"x")
    return str(d / "afile" / f"out{s}")


def _device(d: Path, i: Path, s: str) -> str:
    (d / f"null{s}").symlink_to("/dev/null")
    return str(d / f"null{s}")


def _dangling(d: Path, i: Path, s: str) -> str:
    (d / f"dangling{s}").symlink_to("nowhere/at/all")
    return str(d / f"dangling{s}")


NEVER = "; graphspec never overwrites an input (choose another output file)"

CASES = [
    Case("same-path", _same, lambda d, i: f"it is the input {i}{NEVER}", needs_input=True),
    Case(
        "symlink-to-input",
        _symlink,
        lambda d, i: f"it is a symbolic link to the input {i}{NEVER}",
        needs_input=True,
    ),
    Case(
        "hard-link-to-input",
        _hardlink,
        lambda d, i: f"it is a hard link to the input {i}{NEVER}",
        needs_input=True,
    ),
    Case(
        "existing-file-not-written-by-graphspec",
        _foreign,
        lambda d, i: "the file exists and graphspec did not write it (add --force to replace it)",
        with_force=False,
    ),
    Case("folder", _folder, lambda d, i: "it is a folder (name a file inside it)"),
    Case(
        "missing-parent",
        _missing_parent,
        lambda d, i: f"folder {d}/nodir/sub does not exist (create it first, or add --mkdir)",
    ),
    Case("parent-is-a-file", _parent_is_file, lambda d, i: f"{d}/afile is not a folder"),
    Case(
        "unwritable-folder",
        lambda d, i, s: f"/proc/graphspec-out{s}",
        lambda d, i: "/proc does not accept new files",
    ),
    Case(
        "link-to-a-device",
        _device,
        lambda d, i: "it is a character device, not a regular file",
    ),
    Case(
        "dangling-symlink",
        _dangling,
        lambda d, i: (
            "it is a symbolic link to nowhere/at/all, which does not exist "
            "(graphspec does not create files through dangling links)"
        ),
    ),
]


def _params() -> list[object]:
    out = []
    for writer in WRITERS:
        for case in CASES:
            if case.needs_input and writer.reads is None:
                continue
            for force in (False, True) if case.with_force else (False,):
                out.append(
                    pytest.param(
                        writer, case, force, id=f"{writer.name}-{case.id}{'-force' * force}"
                    )
                )
    return out


@pytest.mark.parametrize(("writer", "case", "force"), _params())
def test_refused_output(
    writer: Writer, case: Case, force: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = writer.suffix
    source = tmp_path / f"input{suffix}"
    text = writer.input_text()
    if text is not None:
        source.write_text(text)
    target = case.prepare(tmp_path, source, suffix)
    before = snapshot(tmp_path)
    argv = writer.argv(str(source), target) + (["--force"] if force else [])
    status = main(argv)
    captured = capsys.readouterr()
    command = argv[0]
    assert captured.err == (
        f"graphspec {command}: error: cannot write {target}: {case.reason(tmp_path, source)}\n"
    )
    assert (status, captured.out) == (2, "")
    assert snapshot(tmp_path) == before  # nothing written, no temporary file, input intact


def test_two_outputs_of_one_run_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out, plot = tmp_path / "tiny.yaml", tmp_path / "out.json", tmp_path / "x.png"
    spec.write_text(SPEC)
    out.write_bytes(b"{}")
    plot.symlink_to("out.json")
    argv = ["compare", str(spec), "--data", "digits", "--json", str(out), "--plot", str(plot)]
    assert main([*argv, "--force"]) == 2
    assert capsys.readouterr().err == (
        f"graphspec compare: error: cannot write {plot}: it is also the output {out}\n"
    )
    assert out.read_bytes() == b"{}"


def test_data_file_is_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, data = tmp_path / "tiny.yaml", tmp_path / "data.json"
    spec.write_text(SPEC)
    data.write_bytes(b"not really data")
    argv = ["fit", str(spec), "--data", str(data), "--history", str(data), "--force"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"graphspec fit: error: cannot write {data}: it is the input {data}; graphspec never "
        "overwrites an input (choose another output file)\n"
    )
    assert data.read_bytes() == b"not really data"


def test_same_file_reason_names_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's data-loss report, verbatim: codegen and render onto the spec."""
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    for argv in (["codegen", "s.yaml", "-o", "s.yaml"], ["render", "s.yaml", "-o", "s.yaml"]):
        cwd = Path.cwd()
        os.chdir(tmp_path)
        try:
            status = main([*argv, "--format", "svg"] if argv[0] == "render" else argv)
        finally:
            os.chdir(cwd)
        assert status == 2
        assert capsys.readouterr().err == (
            f"graphspec {argv[0]}: error: cannot write s.yaml: it is the input s.yaml; graphspec "
            "never overwrites an input (choose another output file)\n"
        )
    assert spec.read_text() == SPEC


_WRITES_AFTER_A_STUDY = {
    "sweep": "`--best -o` and `--plots` write from a study's trials: its writes go through the "
    "same policy and are tested with a real study in tests/train/test_sweep_run.py (slow)"
}
"""Writing commands whose output needs state the writer table cannot make in a second."""


def test_every_writing_command_has_force_and_mkdir() -> None:
    from graphspec.cli import commands  # noqa: F401 - registers the sub-commands
    from graphspec.cli.main import build_parser
    from graphspec.cli.registry import COMMANDS

    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[union-attr]
    writers = {w.name.split("-")[0] for w in WRITERS} | set(_WRITES_AFTER_A_STUDY)
    for name in COMMANDS:
        options = {o for a in subs[name]._actions for o in a.option_strings}
        writes = bool(options & {"-o", "--history", "--json", "--plot"})
        assert writes == (name in writers), name
        if writes:
            assert {"--force", "--mkdir"} <= options, name


TOWER = "inputs: {x: {shape: [8]}}\nnodes:\n  d: {type: Dense, units: 4}\n"
MAIN = (
    "graphspec: 1.1\ninputs: {a: {shape: [8]}}\nnodes:\n"
    "  tower: {model: tower.yaml, inputs: a}\n  out: {type: Dense, units: 2}\n"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "main.yaml", "-o", "tower.yaml", "--format", "dot", "--force"],
        ["codegen", "main.yaml", "-o", "tower.yaml", "--force"],
    ],
    ids=["render", "codegen"],
)
def test_nested_spec_files_are_inputs_too(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "tower.yaml").write_text(TOWER)
    (tmp_path / "main.yaml").write_text(MAIN)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"graphspec {argv[0]}: error: cannot write tower.yaml: it is the input tower.yaml; "
        "graphspec never overwrites an input (choose another output file)\n"
    )
    assert (tmp_path / "tower.yaml").read_text() == TOWER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.yaml", "tower.yaml"]


def test_codegen_of_a_nested_spec_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tower.yaml").write_text(TOWER)
    (tmp_path / "main.yaml").write_text(MAIN)
    monkeypatch.chdir(tmp_path)
    assert main(["codegen", "main.yaml", "-o", "model.py"]) == 0
    code = (tmp_path / "model.py").read_text()
    assert 'def build_tower(*, name: str = "tower") -> keras.Model:' in code
    assert 'tower_model = build_tower(name="tower")' in code


LIBRARY = "graphspec: 1.1\nblocks:\n  mlp:\n    nodes:\n      d: {type: Dense, units: 4}\n"
USES = (
    "graphspec: 1.1\ninclude: [lib.yaml]\ninputs: {a: {shape: [8]}}\nnodes:\n"
    "  body: {block: mlp}\n  out: {type: Dense, units: 2}\n"
)


def test_included_files_are_inputs_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lib.yaml").write_text(LIBRARY)
    (tmp_path / "main.yaml").write_text(USES)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "main.yaml"]) == 0
    for argv in (
        ["render", "main.yaml", "-o", "lib.yaml", "--format", "dot", "--force"],
        ["codegen", "main.yaml", "-o", "lib.yaml", "--force"],
    ):
        capsys.readouterr()
        assert main(argv) == 2
        assert capsys.readouterr().err == (
            f"graphspec {argv[0]}: error: cannot write lib.yaml: it is the input lib.yaml; "
            "graphspec never overwrites an input (choose another output file)\n"
        )
    assert (tmp_path / "lib.yaml").read_text() == LIBRARY
