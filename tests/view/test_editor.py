"""The editor URL pattern of the viewer's file:line links: flag, environment, pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec.errors import UsageError
from graphspec.tools.view.editor import ENV_VAR, check_pattern, editor_url


def test_the_flag_wins_over_the_environment_and_the_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.graphspec]\neditor-url = "idea://open?file={path}"\n'
    )
    env = {ENV_VAR: "subl://open?url=file://{path}&line={line}"}
    assert editor_url("vscode://file/{path}", env=env, start=tmp_path) == "vscode://file/{path}"
    assert editor_url(None, env=env, start=tmp_path) == env[ENV_VAR]
    assert editor_url(None, env={}, start=tmp_path / "sub") == "idea://open?file={path}"


def test_a_bad_project_setting_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.graphspec]\neditor-url = 3\n")
    with pytest.raises(
        UsageError, match=r"pyproject.toml: \[tool.graphspec\] editor-url must be a string"
    ):
        editor_url(None, env={}, start=tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.graphspec]\neditor-url = "data:{path}"\n')
    with pytest.raises(UsageError, match="a data: URL cannot open an editor"):
        editor_url(None, env={}, start=tmp_path)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("/usr/bin/code {path}", "does not start with a URL scheme"),
        ("vscode://file/{path", "is not a valid pattern"),
        ("vscode://file/{path}:{row}", "unknown field {row}"),
    ],
)
def test_bad_patterns_say_what_to_write(pattern: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_pattern(pattern)
