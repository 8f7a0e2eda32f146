"""``graphspec diff``: what changed between two specs, compared on their checked graphs, not text.

:func:`diff` checks both sides (never importing TensorFlow), matches their nodes (by name, then
renames by structure, block instances as units) and returns a :class:`DiffResult`: added,
removed, renamed and changed nodes, the shape changes they cause, the parameter totals, the
Sequential/functional decision and spec-level changes. :func:`format_diff` prints it as text,
JSON or Markdown; :mod:`graphspec.backends.diff.diagram` draws it.

>>> old = "inputs: {x: {shape: [8]}}\\nnodes: {h: {type: Dense, units: 4}, o: {type: Dense, units: 2}}"
>>> result = diff(old, old.replace("units: 4", "units: 16"))
>>> result.equal, result.changed[0].arguments["units"], result.summary()
(False, Pair(old=4, new=16), '1 changed, 1 node with new shapes or parameters, params 46 → 178 (+132)')
>>> diff(old, old.replace("h: {type: Dense, units: 4}, ", "") + "\\nedges: [x -> o]").exit_status
1
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphspec.api import CheckResult, check, load
from graphspec.backends.diff import markdown as _markdown
from graphspec.backends.diff import text as _text
from graphspec.backends.diff.compare import compare_checked
from graphspec.backends.diff.formats import FORMATS, format_diff
from graphspec.backends.diff.result import (
    Count,
    DiffResult,
    NodeChange,
    NodeRef,
    Pair,
    ParamTotals,
    Rename,
    ShapeChange,
    ShapeGroup,
    Side,
    SpecChanges,
)
from graphspec.backends.diff.sources import Opened, open_spec
from graphspec.base.gc_pause import GcPause
from graphspec.errors import Diagnostic, SpecError, UsageError
from graphspec.frontend.paths import looks_like_path
from graphspec.frontend.spec import Spec

__all__ = [
    "FORMATS",
    "Count",
    "DiffResult",
    "NodeChange",
    "NodeRef",
    "Pair",
    "ParamTotals",
    "Rename",
    "ShapeChange",
    "ShapeGroup",
    "Side",
    "SpecChanges",
    "check_side",
    "diff",
    "diff_checked",
    "format_diff",
]

_FORMATTERS = (_text, _markdown)  # imported for their registrations in FORMATS

SpecLike = Spec | CheckResult | str | Path | bytes


def check_side(
    source: SpecLike | Opened, params: Mapping[str, Any] | None = None
) -> tuple[CheckResult | None, Side]:
    """Check one side; a side that cannot be loaded gives ``None`` and its diagnostics."""
    if isinstance(source, CheckResult):
        return source, _side(source.spec.file, source)
    opened = source if isinstance(source, Opened) else None
    label = opened.label if opened is not None else _label(source)
    try:
        target = opened.path if opened is not None else source
        assert not isinstance(target, Opened)  # an Opened is its path by now
        result = check(load(target), params=params)
    except SpecError as err:
        found = list(err.diagnostics)
        return None, Side(label, None, False, opened.relabel(found) if opened else found)
    except UsageError as err:
        return None, Side(label, None, False, [Diagnostic("E001", str(err), file=label)])
    if result.spec.is_library:
        problem = Diagnostic(
            "E313",
            "a block library has no model to compare",
            file=label,
            line=1,
            hint="compare specs that include it (`include: [this file]`)",
        )
        return None, Side(label, result.spec.name, False, [problem])
    side = _side(label, result)
    if opened is not None:
        side.diagnostics = opened.relabel(side.diagnostics)
    return result, side


def _in(source: SpecLike, cwd: str | Path | None) -> SpecLike:
    """A relative path given with ``cwd``: that path under ``cwd``."""
    if cwd is None:
        return source
    if isinstance(source, str) and looks_like_path(source) and not Path(source).is_absolute():
        return Path(cwd) / source
    if isinstance(source, Path) and not source.is_absolute():
        return Path(cwd) / source
    return source


def _label(source: Any) -> str:
    if isinstance(source, Spec):
        return source.file
    if isinstance(source, Path):
        return str(source)
    if isinstance(source, str) and "\n" not in source and len(source) < 4096:
        return source if ":" not in source or Path(source).exists() else "<spec>"
    return "<spec>"


def _side(label: str, result: CheckResult) -> Side:
    return Side(label, result.spec.name or result.graph.name, True, list(result.diagnostics))


def diff_checked(old: CheckResult | None, new: CheckResult | None, *sides: Side) -> DiffResult:
    """Compare two checked specs (what :func:`diff` does once both sides are checked)."""
    old_side, new_side = sides if sides else (_plain(old), _plain(new))
    with GcPause():
        return compare_checked(old, new, old_side, new_side)


def _plain(result: CheckResult | None) -> Side:
    if result is None:
        return Side("<spec>", loaded=False)
    return _side(result.spec.file, result)


def diff(
    old: SpecLike,
    new: SpecLike,
    *,
    params: Mapping[str, Any] | None = None,
    cwd: str | Path | None = None,
) -> DiffResult:
    """Compare two specs (objects, paths, YAML texts, checked results, or ``REV:path`` read from
    git); relative paths are relative to ``cwd`` (default: the working folder), as in git;
    ``params`` (``--set``) apply to both.

    Never raises for an invalid or unreadable side: its diagnostics are in
    :attr:`DiffResult.old`/``new`` and :attr:`DiffResult.exit_status` is 2; an invalid side is
    still compared where it can be. Raises :class:`UsageError` for a ``REV:path`` git cannot read.
    """
    opened = [open_spec(side, cwd=cwd) for side in (old, new)]
    with GcPause():  # nothing built here is cyclic: one collection afterwards, not dozens
        try:
            checked = [
                check_side(o if o is not None else _in(s, cwd), params)
                for o, s in zip(opened, (old, new), strict=True)
            ]
        finally:
            for o in opened:
                if o is not None:
                    o.close()
        (a, side_a), (b, side_b) = checked
        return compare_checked(a, b, side_a, side_b)
