"""The Python API of the output policy (graphspec.base.output): the rules other modules rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

import graphspec
from graphspec.base.output import (
    OutputPolicy,
    _records,
    check_output,
    state_dir,
    write_text,
    writing,
)
from graphspec.errors import OutputError, UsageError

from ._sandbox import snapshot
from .test_commands import SPEC


class Boom(RuntimeError):
    pass


def test_output_error_is_a_usage_error_with_path_and_reason(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        check_output(tmp_path)
    assert isinstance(info.value, UsageError)
    assert (info.value.path, info.value.reason) == (
        str(tmp_path),
        "it is a folder (name a file inside it)",
    )
    assert str(info.value) == f"cannot write {tmp_path}: it is a folder (name a file inside it)"


def test_check_skips_none_and_returns_targets(tmp_path: Path) -> None:
    policy = OutputPolicy()
    targets = policy.check(None, tmp_path / "a.svg", None)
    assert [t.state for t in targets] == ["new"]
    assert targets[0].real == tmp_path / "a.svg" and targets[0].mode is None


def test_with_inputs_protects_more_files(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    policy = OutputPolicy(force=True).with_inputs(None, spec)
    with pytest.raises(OutputError, match="it is the input"):
        policy.write_text(spec, "x")
    assert spec.read_text() == SPEC


def test_a_file_with_the_same_bytes_counts_as_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "x.txt"
    write_text(out, "same\n")
    out.unlink()
    out.write_text("same\n")  # another file, but exactly what graphspec wrote: nothing to lose
    assert write_text(out, "next\n").state == "refresh"


def test_exception_in_writer_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "x.bin"
    with pytest.raises(Boom), writing(out, mkdir=True) as tmp:
        tmp.write_bytes(b"half")
        raise Boom
    assert list(tmp_path.iterdir()) == []  # neither the temporary file nor the new folder


def test_keyboard_interrupt_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "x.bin"
    write_text(out, "old")
    with pytest.raises(KeyboardInterrupt), writing(out) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "x.txt"
    with pytest.raises(OutputError, match="graphspec did not write it"), writing(out) as tmp:
        tmp.write_bytes(b"mine")
        out.write_text("someone else's, created meanwhile")
    assert out.read_text() == "someone else's, created meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_an_os_error_while_writing_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info, writing(tmp_path / "x.keras") as tmp:
        raise OSError(28, "No space left on device", str(tmp))
    assert str(info.value) == f"cannot write {tmp_path / 'x.keras'}: no space left on device"
    assert list(tmp_path.iterdir()) == []


def test_records_live_in_the_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSPEC_STATE_DIR", str(tmp_path / "state"))
    assert state_dir() == tmp_path / "state"
    monkeypatch.delenv("GRAPHSPEC_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "graphspec"
    write_text(tmp_path / "a.svg", "<svg/>")
    [record] = (tmp_path / "xdg" / "graphspec" / "outputs").iterdir()
    assert _records.lookup(tmp_path / "a.svg") == _records.Record(
        str(tmp_path / "a.svg"), _records.digest_of(tmp_path / "a.svg"), 6
    )
    assert record.suffix == ".json"


def test_unrecordable_write_succeeds_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("GRAPHSPEC_STATE_DIR", str(blocker))
    notes: list[str] = []
    out = tmp_path / "a.svg"
    OutputPolicy(notify=notes.append).write_text(out, "<svg/>")
    assert out.read_text() == "<svg/>"
    assert notes == [
        f"could not record {out} as written by graphspec ({blocker}/outputs: Not a directory); "
        "replacing it later will need --force"
    ]
    with pytest.raises(OutputError, match="graphspec did not write it"):
        write_text(out, "again")
    with pytest.warns(RuntimeWarning, match="could not record"):
        write_text(tmp_path / "b.svg", "<svg/>")


def test_records_stay_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSPEC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(_records, "MAX_RECORDS", 8)
    for i in range(5):
        write_text(tmp_path / f"gone{i}.txt", "x")
        (tmp_path / f"gone{i}.txt").unlink()
    for i in range(8):
        write_text(tmp_path / f"kept{i}.txt", "x")
    records = list((tmp_path / "state" / "outputs").iterdir())
    assert len(records) <= 8
    assert all(_records.lookup(tmp_path / f"gone{i}.txt") is None for i in range(5))


def test_python_render_never_overwrites_its_spec(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match="it is the input"):
        graphspec.render(spec, spec, format="svg", force=True)
    with pytest.raises(OutputError, match="graphspec did not write it"):
        (tmp_path / "mine.dot").write_text("mine")
        before = snapshot(tmp_path)
        graphspec.render(str(spec), tmp_path / "mine.dot")
    assert snapshot(tmp_path) == before
    result = graphspec.render(str(spec), tmp_path / "d" / "x.dot", mkdir=True)
    assert result.path == tmp_path / "d" / "x.dot"
    graphspec.render(str(spec), tmp_path / "d" / "x.dot")  # refresh in a notebook loop


def test_an_unexpected_os_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from graphspec.cli.main import main

    def broken() -> str:
        raise PermissionError(13, "Permission denied", "/somewhere/catalog.json")

    monkeypatch.setattr("graphspec.frontend.schema.schema_text", broken)
    assert main(["schema"]) == 2
    assert capsys.readouterr().err == (
        "graphspec schema: error: Permission denied: /somewhere/catalog.json\n"
    )
