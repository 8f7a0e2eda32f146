"""The output policy when a write goes ahead: modes, refreshes, --force, --mkdir, per command."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from graphspec.cli.main import main

from ._sandbox import snapshot, umask
from .test_commands import DATA, SPEC

Argv = Callable[[Path, Path], list[str]]

CHEAP: dict[str, Argv] = {
    "render-dot": lambda i, o: ["render", str(i), "-o", str(o)],
    "render-mmd": lambda i, o: ["render", str(i), "-o", str(o.with_suffix(".mmd"))],
    "codegen": lambda i, o: ["codegen", str(i), "-o", str(o)],
    "import": lambda i, o: ["import", str(DATA / "tiny_model.json"), "-o", str(o)],
    "schema": lambda i, o: ["schema", "-o", str(o)],
}
SUFFIX = {"render-dot": ".dot", "render-mmd": ".mmd", "codegen": ".py", "import": ".yaml"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _setup(tmp_path: Path, name: str) -> tuple[Path, Path]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    return spec, tmp_path / f"out{SUFFIX.get(name, '.json')}"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(argv)
    return status, capsys.readouterr().err


@pytest.mark.parametrize("name", CHEAP)
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_new_file_gets_the_umask_mode(
    name: str, mask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = _setup(tmp_path, name)
    with umask(mask):
        status, err = _run(CHEAP[name](spec, out), capsys)
    assert (status, err) == (0, "") or (status == 0 and "error" not in err)
    written = [p for p in tmp_path.iterdir() if p.name != "spec.yaml"]
    assert len(written) == 1
    assert _mode(written[0]) == 0o666 & ~mask


@pytest.mark.parametrize("name", CHEAP)
def test_own_output_is_refreshed_but_an_edited_one_is_not(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = _setup(tmp_path, name)
    argv = CHEAP[name](spec, out)
    target = Path(argv[argv.index("-o") + 1])
    assert _run(argv, capsys)[0] == 0
    first = target.read_bytes()
    target.chmod(0o640)
    assert _run(argv, capsys)[0] == 0  # a make-style rerun: no --force needed
    assert target.read_bytes() == first and _mode(target) == 0o640
    target.write_bytes(first + b"\n# my edit\n")
    status, err = _run(argv, capsys)
    assert status == 2
    assert err == (
        f"graphspec {argv[0]}: error: cannot write {target}: the file was changed since "
        "graphspec wrote it (add --force to replace it)\n"
    )
    assert target.read_bytes().endswith(b"# my edit\n")
    assert _run([*argv, "--force"], capsys)[0] == 0
    assert target.read_bytes() == first and _mode(target) == 0o640
    assert _run(argv, capsys)[0] == 0  # written with --force: graphspec's own again


@pytest.mark.parametrize("name", CHEAP)
@pytest.mark.parametrize("mode", [0o600, 0o644, 0o755, 0o444])
def test_force_replaces_a_foreign_file_and_keeps_its_mode(
    name: str, mode: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = _setup(tmp_path, name)
    argv = CHEAP[name](spec, out)
    target = Path(argv[argv.index("-o") + 1])
    target.write_bytes(b"someone else's file\n")
    target.chmod(mode)
    status, err = _run(argv, capsys)
    reason = (
        "the file is read-only"
        if mode == 0o444
        else "the file exists and graphspec did not write it"
    )
    assert (status, err) == (
        2,
        f"graphspec {argv[0]}: error: cannot write {target}: {reason} (add --force to replace it)\n",
    )
    assert _run([*argv, "--force"], capsys)[0] == 0
    assert target.read_bytes() != b"someone else's file\n"
    assert _mode(target) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["spec.yaml", target.name])


@pytest.mark.parametrize("name", CHEAP)
def test_mkdir_creates_missing_folders(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = _setup(tmp_path, name)
    nested = tmp_path / "a" / "b" / out.name
    argv = CHEAP[name](spec, nested)
    with umask(0o022):
        assert _run([*argv, "--mkdir"], capsys)[0] == 0
    target = Path(argv[argv.index("-o") + 1])
    assert target.is_file()
    assert _mode(tmp_path / "a") == _mode(tmp_path / "a" / "b") == 0o755


def test_symlinked_output_is_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, _ = _setup(tmp_path, "codegen")
    (tmp_path / "real").mkdir()
    link = tmp_path / "model.py"
    link.symlink_to("real/model.py")
    (tmp_path / "real" / "model.py").write_text("# old\n")
    assert _run(["codegen", str(spec), "-o", str(link), "--force"], capsys)[0] == 0
    assert link.is_symlink()  # the link stays a link; its target got the code
    assert (tmp_path / "real" / "model.py").read_text().startswith('"""')


def test_failed_render_with_mkdir_leaves_no_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, _ = _setup(tmp_path, "render-dot")
    before = snapshot(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    target = tmp_path / "new" / "deeper" / "x.dot"
    status, err = _run(["render", str(spec), "-o", str(target), "--mkdir"], capsys)
    assert (status, err) == (
        2,
        f"graphspec render: error: cannot write {target}: no space left on device\n",
    )
    assert snapshot(tmp_path) == before


# -- the commands that import TensorFlow: one run each, every rule checked on its files ----------


@pytest.mark.keras
def test_compile_modes_refresh_and_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    new, kept = tmp_path / "new.keras", tmp_path / "kept.keras"
    kept.write_bytes(b"an old model")
    kept.chmod(0o600)
    with umask(0o022):
        assert _run(["compile", str(spec), "-o", str(new)], capsys)[0] == 0
        assert _run(["compile", str(spec), "-o", str(new)], capsys)[0] == 0  # refresh
        assert _run(["compile", str(spec), "-o", str(kept), "--force"], capsys)[0] == 0
    assert _mode(new) == 0o644 and zipfile.is_zipfile(new)
    assert _mode(kept) == 0o600 and zipfile.is_zipfile(kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.keras", "new.keras", "spec.yaml"]


@pytest.mark.keras
def test_fit_and_compare_outputs_follow_the_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    history = tmp_path / "h.json"
    history.write_text("{}")
    history.chmod(0o600)
    fit = ["fit", str(spec), "--data", "digits", "--epochs", "1"]
    with umask(0o027):
        assert _run([*fit, "-o", str(tmp_path / "m" / "m.keras"), "--mkdir", "--force",
                     "--history", str(history)], capsys)[0] == 0  # fmt: skip
        compare = ["compare", str(spec), "--data", "digits", "--seeds", "1", "--epochs", "1"]
        out, plot = tmp_path / "c.json", tmp_path / "c.png"
        assert _run([*compare, "--json", str(out), "--plot", str(plot)], capsys)[0] == 0
    assert _mode(tmp_path / "m" / "m.keras") == 0o640
    assert _mode(history) == 0o600 and json.loads(history.read_text())["seed"] == 0
    assert _mode(out) == _mode(plot) == 0o640
    assert plot.read_bytes().startswith(b"\x89PNG")
