"""The complete format 1.1 examples of docs/spec-format.md are valid specs (no TensorFlow)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphspec import check

ROOT = Path(__file__).resolve().parent.parent
SECTION = (ROOT / "docs" / "spec-format.md").read_text().split("## Format 1.1", 1)[1]
BLOCKS = [
    block
    for block in re.findall(r"```yaml\n(.*?)```", SECTION, re.S)
    if block.startswith("graphspec: 1.1") and "inputs:" in block and "..." not in block
]


def test_there_are_complete_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("text", BLOCKS, ids=[f"example{i}" for i in range(len(BLOCKS))])
def test_example_is_valid(text: str, tmp_path: Path) -> None:
    if "blocks/tower.yaml" in text:  # the Siamese example names the shipped tower
        (tmp_path / "blocks").mkdir()
        (tmp_path / "blocks" / "tower.yaml").write_text(
            (ROOT / "specs" / "blocks" / "tower.yaml").read_text()
        )
    path = tmp_path / "example.yaml"
    path.write_text(text)
    result = check(path)
    assert result.ok, [d.format() for d in result.errors]
