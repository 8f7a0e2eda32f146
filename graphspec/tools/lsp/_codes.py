"""Error-code explanations for hover, read from docs/errors.md when the source tree ships it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Final

__all__ = ["CODE", "docs_uri", "explain"]

CODE: Final = re.compile(r"\b[EWN]\d{3}\b")
_ROW: Final = re.compile(r"^\|\s*([EWN]\d{3})\s*\|(.*)\|\s*$")
_DOCS: Final = Path(__file__).resolve().parents[3] / "docs" / "errors.md"


@cache
def _table() -> dict[str, str]:
    try:
        text = _DOCS.read_text("utf-8")
    except OSError:  # an installed wheel: the docs are not beside the package
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        row = _ROW.match(line)
        if row:
            cells = [c.strip() for c in row.group(2).split("|")]
            meaning = cells[0] if cells else ""
            example = cells[1] if len(cells) > 1 and cells[1] else ""
            out[row.group(1)] = meaning + (f" (e.g. {example})" if example else "")
    return out


def explain(code: str) -> str | None:
    """What a diagnostic code means, from the table in docs/errors.md."""
    return _table().get(code)


def docs_uri() -> str | None:
    """A ``file://`` URI of docs/errors.md, when present (the diagnostics' ``codeDescription``)."""
    return _DOCS.as_uri() if _DOCS.is_file() else None
