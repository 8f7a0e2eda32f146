"""Where ``file:line`` links of the viewer go: a URL pattern that opens the user's editor.

The pattern comes from ``--editor-url``, else ``$GRAPHSPEC_EDITOR_URL``, else ``editor-url`` in
``[tool.graphspec]`` of the nearest ``pyproject.toml``; without one, ``file:line`` stays text.
The page fills in ``{path}`` (the absolute path, URL-quoted; after a ``/`` without its own
leading ``/``), ``{line}`` and ``{column}``, e.g.
``vscode://file/{path}:{line}:{column}``, ``idea://open?file={path}&line={line}``,
``subl://open?url=file://{path}&line={line}``.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from graphspec.errors import UsageError

__all__ = ["ENV_VAR", "FIELDS", "check_pattern", "editor_url"]

ENV_VAR: Final = "GRAPHSPEC_EDITOR_URL"
FIELDS: Final = frozenset({"path", "line", "column"})
_SCHEME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_REFUSED: Final = frozenset({"javascript", "data", "vbscript", "blob"})
_EXAMPLE: Final = "vscode://file/{path}:{line}:{column}"


def check_pattern(pattern: str, origin: str = "--editor-url") -> str:
    """``pattern`` when it is a usable editor URL pattern; else :class:`UsageError` saying why.

    >>> check_pattern("vscode://file/{path}:{line}")
    'vscode://file/{path}:{line}'
    >>> check_pattern("javascript:alert(1)//{path}")
    Traceback (most recent call last):
    ...
    graphspec.errors.UsageError: --editor-url: a javascript: URL cannot open an editor; give a pattern such as vscode://file/{path}:{line}:{column}
    """
    scheme = _SCHEME.match(pattern)
    if scheme is None:
        raise UsageError(
            f"{origin}: {pattern!r} does not start with a URL scheme (vscode:, idea:, …); "
            f"give a pattern such as {_EXAMPLE}"
        )
    name = scheme.group(0)[:-1].lower()
    if name in _REFUSED:
        raise UsageError(
            f"{origin}: a {name}: URL cannot open an editor; give a pattern such as {_EXAMPLE}"
        )
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError as err:
        raise UsageError(f"{origin}: {pattern!r} is not a valid pattern ({err})") from None
    unknown = sorted(fields - FIELDS)
    if unknown:
        raise UsageError(
            f"{origin}: unknown field {{{unknown[0]}}} in {pattern!r}; the fields are "
            "{path}, {line} and {column}"
        )
    if "path" not in fields:
        raise UsageError(f"{origin}: {pattern!r} has no {{path}}; e.g. {_EXAMPLE}")
    return pattern


def editor_url(
    flag: str | None = None, *, env: Mapping[str, str] | None = None, start: Path | None = None
) -> str | None:
    """The editor URL pattern in force: the flag, the environment, then ``pyproject.toml``.

    >>> editor_url(None, env={ENV_VAR: "idea://open?file={path}&line={line}"}, start=Path("/"))
    'idea://open?file={path}&line={line}'
    >>> editor_url(None, env={}, start=Path("/")) is None
    True
    """
    if flag:
        return check_pattern(flag)
    from_env = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    if from_env:
        return check_pattern(from_env, f"${ENV_VAR}")
    return _from_pyproject((start or Path.cwd()).resolve())


def _from_pyproject(start: Path) -> str | None:
    for folder in (start, *start.parents):
        path = folder / "pyproject.toml"
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise UsageError(f"{path}: cannot read it: {err}") from None
        table = data.get("tool", {}).get("graphspec", {})
        value = table.get("editor-url") if isinstance(table, dict) else None
        if value is None:
            return None
        if not isinstance(value, str):
            raise UsageError(
                f"{path}: [tool.graphspec] editor-url must be a string such as "
                f'"{_EXAMPLE}"; found {value!r}'
            )
        return check_pattern(value, f"{path}: [tool.graphspec] editor-url")
    return None
