"""Docs stay honest: every diagnostic code the package emits is documented in docs/errors.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_is_documented() -> None:
    used = set()
    for path in (ROOT / "graphspec").rglob("*.py"):
        used |= set(re.findall(r'"([EWN]\d{3})"', path.read_text()))
    documented = set(
        re.findall(r"^\| ([EWN]\d{3}) \|", (ROOT / "docs/errors.md").read_text(), re.M)
    )
    assert used, "no codes found"
    assert sorted(used - documented) == [], "add these codes to docs/errors.md"


def test_readme_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quick start", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    assert block.strip().splitlines() == ["make demo", "make test"]
