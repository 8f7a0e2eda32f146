"""Shell completion (shtab): every command and option is in every shell's script, and bash
really completes commands, options, choices and file names."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from graphspec.cli.completion import SHELLS
from graphspec.cli.main import build_parser, main


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("shell", SHELLS)
def test_every_command_and_option_is_in_the_script(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--print-completion", shell]) == 0
    script = capsys.readouterr().out
    commands = _commands(build_parser())
    assert len(commands) >= 12
    for name, sub in commands.items():
        assert name in script, name
        for action in sub._actions:
            for option in action.option_strings:  # fish and tcsh write them without dashes
                written = option if shell in ("bash", "zsh") else option.lstrip("-")
                assert written in script, f"{name} {option}"


def _complete(script: Path, words: list[str], cwd: Path) -> list[str]:
    """What bash offers for the last of ``words`` (the completion function run as bash does)."""
    line = " ".join(words)
    program = (
        f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
        f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; "
        '_shtab_graphspec; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        ["bash", "-c", program], cwd=cwd, capture_output=True, text=True, check=True
    )
    return sorted(filter(None, done.stdout.splitlines()))


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_choices_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--print-completion", "bash"])
    script = tmp_path / "graphspec.bash"
    script.write_text(capsys.readouterr().out)
    (tmp_path / "model.yaml").write_text("")
    assert _complete(script, ["graphspec", "val"], tmp_path) == ["validate"]
    assert _complete(script, ["graphspec", "validate", "--fo"], tmp_path) == ["--format"]
    assert _complete(script, ["graphspec", "validate", "--format", ""], tmp_path) == [
        "json",
        "text",
    ]
    assert "model.yaml" in _complete(script, ["graphspec", "validate", "mo"], tmp_path)
    assert "model.yaml" in _complete(script, ["graphspec", "render", "m"], tmp_path)


def test_completion_needs_a_known_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--print-completion", "cmd.exe"]) == 2
    assert "invalid choice: 'cmd.exe'" in capsys.readouterr().err
