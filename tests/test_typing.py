"""Every ``type: ignore`` in the package names its error codes and says why, on the same line."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graphspec"

_IGNORE = re.compile(r"type:\s*ignore\b")
_EXPLAINED = re.compile(r"#\s*type:\s*ignore\[[a-z][a-z-]*(?:,\s*[a-z][a-z-]*)*\]  # \S")
"""``# type: ignore[code, ...]`` then two spaces, ``#`` and a reason."""


def unexplained_ignores(source: str) -> list[int]:
    """The lines of ``source`` whose comment holds a ``type: ignore`` without codes or reason.

    >>> unexplained_ignores("x = f()  # type: ignore[misc]  # f is untyped\\n")
    []
    >>> unexplained_ignores("x = 1  # type: ignore\\ny = 2  # type: ignore[misc]\\n")
    [1, 2]
    """
    return [
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
        and _IGNORE.search(token.string)
        and not _EXPLAINED.search(token.string)
    ]


@pytest.mark.parametrize(
    ("comment", "ok"),
    [
        ("# type: ignore[misc]  # keras is untyped", True),
        ("# type: ignore[misc,valid-type]  # two codes, one reason", True),
        ("# type: ignore[arg-type, call-arg]  # with a space", True),
        ("# type: ignore", False),
        ("# type: ignore  # a reason but no code", False),
        ("# type: ignore[misc]", False),
        ("# type: ignore[misc] # one space only", False),
        ("# type: ignore[misc]  #", False),
        ("# type: ignore[]  # no code", False),
        ("# noqa: E501  # type: ignore", False),
        ("# noqa: E501  # type: ignore[misc]  # after another comment", True),
    ],
)
def test_the_rule(comment: str, ok: bool) -> None:
    assert unexplained_ignores(f"x = 1  {comment}\n") == ([] if ok else [1])


def test_a_string_saying_type_ignore_is_no_comment() -> None:
    assert unexplained_ignores('text = "# type: ignore"\n') == []


def test_every_type_ignore_in_the_package_has_codes_and_a_reason() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in unexplained_ignores(path.read_text("utf-8"))
    ]
    assert not found, (
        "write `# type: ignore[code]  # why` (the error code, two spaces, the reason):\n"
        + "\n".join(found)
    )
