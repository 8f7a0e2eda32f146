"""Error-code documentation for hovers and links: docs/errors.md, shipped inside the package.

A wheel carries a copy at ``graphspec/tools/lsp/data/errors.md`` (``setup.py`` copies it at build
time); a source checkout reads ``docs/errors.md`` itself. A diagnostic's ``codeDescription`` is a
``file://`` URI of that file with the code's row as fragment (``#L135``): the URI works offline
and always matches the installed version, and editors that follow the fragment (VS Code, GitHub
viewers) open the file at that row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

__all__ = ["CODE", "CodeDoc", "code_doc", "docs_file", "docs_uri", "explain"]

CODE: Final = re.compile(r"\b[EWN]\d{3}\b")
_ROW: Final = re.compile(r"^\|\s*([EWN]\d{3})\s*\|(.*)\|\s*$")
_HEADING: Final = re.compile(r"^#{2,3}\s+(.*\S)\s*$")
_HERE: Final = Path(__file__).resolve().parent
_PLACES: Final = (
    _HERE / "data" / "errors.md",  # an installed wheel (copied there at build time)
    _HERE.parents[2] / "docs" / "errors.md",  # a source checkout
)


@dataclass(frozen=True)
class CodeDoc:
    """One row of the error-code tables: what the code means, an example, where it is written."""

    code: str
    meaning: str
    example: str
    section: str
    line: int

    @property
    def text(self) -> str:
        """The meaning, with the example when there is one."""
        return self.meaning + (f" (e.g. {self.example})" if self.example else "")


@cache
def docs_file() -> Path | None:
    """The error-code documentation this installation has, or ``None`` (never for a wheel)."""
    return next((p for p in _PLACES if p.is_file()), None)


@cache
def _table() -> dict[str, CodeDoc]:
    found = docs_file()
    if found is None:
        return {}
    out: dict[str, CodeDoc] = {}
    section = ""
    for number, line in enumerate(found.read_text("utf-8").splitlines(), 1):
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(1)
            continue
        row = _ROW.match(line)
        if row and row.group(1) not in out:  # the first row of a code is its definition
            cells = [c.strip() for c in row.group(2).split("|")]
            example = cells[1] if len(cells) > 1 else ""
            out[row.group(1)] = CodeDoc(row.group(1), cells[0], example, section, number)
    return out


def code_doc(code: str) -> CodeDoc | None:
    """The documentation of a diagnostic code, when docs/errors.md has a row for it.

    >>> doc = code_doc("E501")
    >>> doc.section.startswith("Shapes"), doc.meaning.startswith("a layer cannot take")
    (True, True)
    """
    return _table().get(code)


def explain(code: str) -> str | None:
    """What a diagnostic code means (and an example), from the tables of docs/errors.md."""
    doc = code_doc(code)
    return doc.text if doc is not None else None


def docs_uri(code: str) -> str | None:
    """``file:///…/errors.md#L135``: the documentation of ``code`` at its row (``None`` when the
    code has no row).

    >>> docs_uri("E501").rsplit("/", 1)[-1].startswith("errors.md#L")
    True
    """
    doc = code_doc(code)
    found = docs_file()
    if doc is None or found is None:
        return None
    return f"{found.as_uri()}#L{doc.line}"
