"""git: ``REV:path`` (includes read from the same revision) and the external diff driver, in a
temporary repository."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from graphspec import diff
from graphspec.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

LIBRARY = """\
graphspec: 1.1
blocks:
  unit:
    params: {units: null}
    nodes:
      dense: {type: Dense, units: "${units}"}
      act:   {type: ReLU}
"""

MODEL = """\
graphspec: 1.1
include: [lib/blocks.yaml]
inputs:
  x: {shape: [16]}
nodes:
  body: {block: unit, units: 8, repeat: 3}
  out:  {type: Dense, units: 2}
"""


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with one commit: specs/model.yaml including specs/lib/blocks.yaml; then the
    library's block edited in the working tree (ReLU -> ELU) and the head widened."""
    root = tmp_path / "repo"
    (root / "specs" / "lib").mkdir(parents=True)
    (root / "specs" / "lib" / "blocks.yaml").write_text(LIBRARY)
    (root / "specs" / "model.yaml").write_text(MODEL)
    (root / "notes.yml").write_text("title: not a spec\nitems: [a, b]\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one")
    (root / "specs" / "lib" / "blocks.yaml").write_text(LIBRARY.replace("ReLU", "ELU"))
    (root / "specs" / "model.yaml").write_text(MODEL.replace("units: 2", "units: 4"))
    (root / "notes.yml").write_text("title: still not a spec\nitems: [a, b]\n")
    return root


def test_rev_path_reads_includes_from_the_same_revision(repo: Path) -> None:
    result = diff("HEAD:specs/model.yaml", "specs/model.yaml", cwd=repo)
    assert result.old.label == "HEAD:specs/model.yaml" and result.old.ok
    changes = {(c.block, c.name): c for c in result.changed}
    act = changes["unit", "act"]  # the library as committed (ReLU) against the working tree's
    assert act.arguments["type"].to_dict() == {"old": "ReLU", "new": "ELU"}
    assert act.everywhere and len(act.instances) == 3
    assert changes[None, "out"].arguments["units"].to_dict() == {"old": 2, "new": 4}
    assert diff("HEAD:specs/model.yaml", "HEAD:specs/model.yaml", cwd=repo).equal


def test_rev_path_is_relative_to_the_working_folder_as_in_git(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo / "specs")
    assert main(["diff", "HEAD:model.yaml", "model.yaml", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"file": "HEAD:specs/model.yaml"' in out


def test_rev_path_diagnostics_name_the_revision(repo: Path) -> None:
    (repo / "specs" / "model.yaml").write_text(MODEL.replace("units: 2", "units: 0"))
    _git(repo, "commit", "-qam", "broken")
    result = diff("HEAD:specs/model.yaml", "HEAD~1:specs/model.yaml", cwd=repo)
    assert result.exit_status == 2
    [error] = [d for d in result.old.diagnostics if d.is_error]
    assert (error.file, error.code, error.line) == ("HEAD:specs/model.yaml", "E203", 7)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["HEAD~5:specs/model.yaml", "specs/model.yaml"], "git has no specs/model.yaml at HEAD~5"),
        (["HEAD:specs/nope.yaml", "specs/model.yaml"], "git has no specs/nope.yaml at HEAD"),
    ],
)
def test_rev_path_errors_are_one_line(
    repo: Path,
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(repo)
    assert main(["diff", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"graphspec diff: error: {argv[0]}: {message} (")
    assert err.count("\n") == 1


def test_rev_path_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(MODEL)
    assert main(["diff", "HEAD:m.yaml", "m.yaml"]) == 2
    assert "HEAD:m.yaml: not in a git repository" in capsys.readouterr().err


def _driver(repo: Path) -> None:
    """The set-up docs/diff.md gives: an attribute and the driver's command."""
    (repo / ".gitattributes").write_text("*.yaml diff=graphspec\n*.yml diff=graphspec\n")
    command = f"{shlex.quote(sys.executable)} -m graphspec.cli.main diff --git-driver"
    _git(repo, "config", "diff.graphspec.command", command)


def _git_diff(repo: Path, *args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        ["git", "--no-pager", "diff", *args],
        cwd=cwd or repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_git_diff_shows_the_architecture_diff_through_the_driver(repo: Path) -> None:
    _driver(repo)
    out = _git_diff(repo)
    assert "graphspec diff a/specs/model.yaml b/specs/model.yaml" in out
    assert "~ out (Dense): units: 2 → 4" in out
    assert "graphspec diff a/specs/lib/blocks.yaml" in out  # a library: not comparable, text
    assert "(not comparable as a spec: the text diff follows)" in out
    assert "-title: not a spec\n+title: still not a spec" in out  # other YAML: a text diff


def test_git_driver_between_two_commits_and_from_a_subfolder(repo: Path) -> None:
    _driver(repo)
    _git(repo, "commit", "-qam", "two")
    out = _git_diff(repo, "HEAD~1", "HEAD", "--", "model.yaml", cwd=repo / "specs")
    assert "graphspec diff a/specs/model.yaml b/specs/model.yaml" in out
    assert "~ out (Dense): units: 2 → 4" in out
    # git hands the driver two blobs and no revision: the includes of both come from the
    # working tree (docs/diff.md says so; `graphspec diff HEAD~1:PATH HEAD:PATH` reads them
    # from each revision)
    assert "act (ReLU)" not in out
    both = diff("HEAD~1:specs/model.yaml", "HEAD:specs/model.yaml", cwd=repo)
    assert {(c.block, c.name) for c in both.changed} == {("unit", "act"), (None, "out")}


def test_textconv_shows_the_summary_diff(repo: Path) -> None:
    """The lighter set-up for specs without includes: `git diff` of two summaries."""
    plain = repo / "plain.yaml"
    plain.write_text(
        MODEL.replace("include: [lib/blocks.yaml]\n", "").replace(
            "block: unit, units: 8, repeat: 3", "type: Dense, units: 8"
        )
    )
    _git(repo, "add", "plain.yaml")
    _git(repo, "commit", "-qm", "plain")
    plain.write_text(plain.read_text().replace("units: 2", "units: 4"))
    (repo / ".gitattributes").write_text("plain.yaml diff=gssummary\n")
    command = f"{shlex.quote(sys.executable)} -m graphspec.cli.main summary"
    _git(repo, "config", "diff.gssummary.textconv", command)
    out = _git_diff(repo, "--", "plain.yaml")
    assert re.search(r"^-out \(Dense\) +\(None, 2\) +18 ", out, re.MULTILINE), out
    assert re.search(r"^\+out \(Dense\) +\(None, 4\) +36 ", out, re.MULTILINE), out


def test_git_driver_argument_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--git-driver", "a", "b", "c"]) == 2
    assert "--git-driver takes the 7 arguments git passes" in capsys.readouterr().err
    assert main(["diff", "--git-driver", "specs/x.yaml"]) == 0  # an unmerged path
    assert capsys.readouterr().out == "graphspec diff: specs/x.yaml: unmerged\n"


def test_git_driver_new_and_deleted_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text(MODEL.replace("include: [lib/blocks.yaml]\n", ""))
    args = ["m.yaml", "/dev/null", ".", ".", str(spec), "abc", "100644"]
    assert main(["diff", "--git-driver", *args]) == 0
    assert capsys.readouterr().out == "graphspec diff a/m.yaml b/m.yaml\nnew spec file\n"
