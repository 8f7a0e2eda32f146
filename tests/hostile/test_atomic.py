"""Nothing lost: a failing write never leaves a partial file or destroys an existing one.

Every write goes through :mod:`graphspec.base.output`; an existing target is replaced only with
``force`` (or when graphspec wrote it), so these tests pass it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec.base.output import write_bytes, write_text, writing
from graphspec.cli.main import main

OLD = b"precious old content\n"
VALID = "inputs:\n  x: {shape: [4]}\nnodes:\n  d: {type: Dense, units: 2}\n"
UNLOADABLE = {
    "yaml-syntax": "inputs: [\n",
    "object-tag": '!!python/object/apply:os.system ["touch CANARY"]\n',
    "not-a-mapping": "- a\n- b\n",
}
INVALID = "inputs:\n  x: {shape: [4]}\nnodes:\n  d: {type: Dense, units: 2, bogus: 1}\n"


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


class Boom(RuntimeError):
    pass


def test_exception_inside_atomic_path_keeps_target(tmp_path: Path) -> None:
    target = tmp_path / "model.keras"
    target.write_bytes(OLD)
    with pytest.raises(Boom), writing(target, force=True) as tmp:
        tmp.write_bytes(b"half a model")
        assert tmp.parent == tmp_path and tmp != target
        raise Boom
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path, {"model.keras"}) == []


def test_exception_before_anything_is_written_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.svg"
    with pytest.raises(Boom), writing(target):
        raise Boom
    assert _leftovers(tmp_path, set()) == []


def test_writer_failing_after_partial_write(tmp_path: Path) -> None:
    target = tmp_path / "out.dot"
    target.write_bytes(OLD)

    def writer(path: Path) -> None:
        path.write_text("digraph {", encoding="utf-8")
        raise Boom

    with pytest.raises(Boom), writing(target, force=True) as tmp:
        writer(tmp)
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path, {"out.dot"}) == []


def test_success_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(OLD * 100)
    write_text(target, "new", force=True)
    assert target.read_bytes() == b"new"
    write_bytes(target, b"newer")  # graphspec's own output: refreshed without force
    assert target.read_bytes() == b"newer"
    assert _leftovers(tmp_path, {"a.txt"}) == []


def test_keyboard_interrupt_is_also_cleaned_up(tmp_path: Path) -> None:
    target = tmp_path / "t.json"
    target.write_bytes(OLD)
    with pytest.raises(KeyboardInterrupt), writing(target, force=True) as tmp:
        tmp.write_bytes(b"{")
        raise KeyboardInterrupt
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path, {"t.json"}) == []


# -- the CLI ------------------------------------------------------------------------------


def test_schema_output_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "schema.json"
    target.write_bytes(OLD)

    def broken() -> str:
        raise Boom("schema generation failed")

    monkeypatch.setattr("graphspec.frontend.schema.schema_text", broken)
    with pytest.raises(Boom):
        main(["schema", "-o", str(target), "--force"])
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path, {"schema.json"}) == []
    monkeypatch.undo()
    assert main(["schema", "-o", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith("{")
    assert _leftovers(tmp_path, {"schema.json"}) == []


@pytest.mark.parametrize("bad", list(UNLOADABLE.values()), ids=list(UNLOADABLE))
@pytest.mark.parametrize("suffix", [".svg", ".dot", ".mmd"])
def test_render_of_unloadable_spec_writes_nothing(
    tmp_path: Path, bad: str, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``render`` draws invalid-but-loadable specs on purpose (faults in red); a spec that
    cannot be loaded at all must write nothing and keep an existing file."""
    spec = tmp_path / "bad.yaml"
    spec.write_text(bad, encoding="utf-8")
    fresh, existing = tmp_path / f"fresh{suffix}", tmp_path / f"existing{suffix}"
    existing.write_bytes(OLD)
    assert main(["render", str(spec), "-o", str(fresh)]) == 1
    assert main(["render", str(spec), "-o", str(existing), "--force"]) == 1
    assert not fresh.exists()
    assert existing.read_bytes() == OLD
    assert _leftovers(tmp_path, {"bad.yaml", existing.name}) == []
    assert "error[" in capsys.readouterr().err


@pytest.mark.keras
@pytest.mark.parametrize("bad", [INVALID, *UNLOADABLE.values()], ids=["invalid", *UNLOADABLE])
def test_compile_of_invalid_spec_writes_nothing(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(bad, encoding="utf-8")
    fresh, existing = tmp_path / "fresh.keras", tmp_path / "existing.keras"
    existing.write_bytes(OLD)
    assert main(["compile", str(spec), "-o", str(fresh)]) == 1
    assert main(["compile", str(spec), "-o", str(existing), "--force"]) == 1
    assert not fresh.exists()
    assert existing.read_bytes() == OLD
    assert _leftovers(tmp_path, {"bad.yaml", existing.name}) == []
    capsys.readouterr()


@pytest.mark.keras
@pytest.mark.parametrize("suffix", [".onnx", ".tflite", ""], ids=["onnx", "litert", "saved_model"])
@pytest.mark.parametrize("bad", [INVALID, *UNLOADABLE.values()], ids=["invalid", *UNLOADABLE])
def test_export_of_invalid_spec_writes_nothing(
    tmp_path: Path, bad: str, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(bad, encoding="utf-8")
    fresh, existing = tmp_path / f"fresh{suffix}", tmp_path / f"existing{suffix}"
    if suffix:
        existing.write_bytes(OLD)
    else:
        existing.mkdir()
        (existing / "saved_model.pb").write_bytes(OLD)
    assert main(["export", str(spec), "-o", str(fresh)]) == 1
    assert main(["export", str(spec), "-o", str(existing), "--force"]) == 1
    assert not fresh.exists()
    kept = existing if suffix else existing / "saved_model.pb"
    assert kept.read_bytes() == OLD
    assert _leftovers(tmp_path, {"bad.yaml", existing.name}) == []
    assert "error[" in capsys.readouterr().err


def test_valid_spec_still_renders(tmp_path: Path) -> None:
    spec = tmp_path / "ok.yaml"
    spec.write_text(VALID, encoding="utf-8")
    target = tmp_path / "ok.dot"
    target.write_bytes(OLD)
    assert main(["render", str(spec), "-o", str(target)]) == 2  # not graphspec's file
    assert target.read_bytes() == OLD
    assert main(["render", str(spec), "-o", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith("digraph")
    assert _leftovers(tmp_path, {"ok.yaml", "ok.dot"}) == []
