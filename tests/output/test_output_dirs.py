"""Folder outputs (a SavedModel): atomic replacement, provenance, inputs inside, --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphspec.base.output import OutputError, OutputPolicy


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSPEC_STATE_DIR", str(tmp_path / "state"))


def _fill(tmp: Path, text: str) -> None:
    os.mkdir(tmp)
    (tmp / "variables").mkdir()
    (tmp / "saved_model.pb").write_text(text)
    (tmp / "variables" / "data").write_text(text * 2)


def _siblings(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_new_then_refresh_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "model"
    policy = OutputPolicy()
    with policy.writing_dir(out) as tmp:
        _fill(tmp, "one")
        (tmp / "stale").write_text("x")
    with policy.writing_dir(out) as tmp:
        _fill(tmp, "two")
    assert (out / "saved_model.pb").read_text() == "two"
    assert not (out / "stale").exists()
    assert _siblings(tmp_path) == ["model", "state"]


def test_a_folder_graphspec_did_not_write_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(OutputError, match="folder exists and graphspec did not write it"):
        OutputPolicy().check(out, directory=True)
    with OutputPolicy(force=True).writing_dir(out) as tmp:
        _fill(tmp, "new")
    assert not (out / "mine.txt").exists()


def test_a_changed_folder_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "model"
    with OutputPolicy().writing_dir(out) as tmp:
        _fill(tmp, "one")
    (out / "variables" / "data").write_text("edited")
    with pytest.raises(OutputError, match="folder was changed since graphspec wrote it"):
        OutputPolicy().check(out, directory=True)


def test_an_input_inside_the_folder_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    spec = out / "net.yaml"
    spec.write_text("x")
    with pytest.raises(OutputError, match=r"the input .*net.yaml is inside it"):
        OutputPolicy(inputs=(spec,), force=True).check(out, directory=True)


def test_a_file_is_not_a_folder_output(tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.write_text("x")
    with pytest.raises(OutputError, match="it is a file, and this output is a folder"):
        OutputPolicy(force=True).check(out, directory=True)


def test_a_failed_writer_leaves_the_old_folder_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "model"
    with OutputPolicy().writing_dir(out) as tmp:
        _fill(tmp, "one")
    with pytest.raises(RuntimeError, match="converter"), OutputPolicy().writing_dir(out) as tmp:
        _fill(tmp, "half")
        raise RuntimeError("converter failed")
    assert (out / "saved_model.pb").read_text() == "one"
    assert _siblings(tmp_path) == ["model", "state"]


def test_a_writer_that_makes_no_folder_is_an_error(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputError, match="left no folder"),
        OutputPolicy().writing_dir(tmp_path / "model"),
    ):
        pass
    assert _siblings(tmp_path) == []
