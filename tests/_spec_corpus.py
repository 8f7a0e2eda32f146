"""Every spec the project and its tests hold, found without a list kept by hand.

- the shipped specs (``specs/**/*.yaml``) and the complete YAML examples of the docs;
- every YAML file under ``tests/`` (the multi-fault corpus: its valid ones, if any);
- every spec text of the test modules: string constants, and strings the module builds from
  them (``H + "nodes: ..."``, ``textwrap.dedent(...)``, ``text.replace(...)``, calls of its
  one-expression helpers such as the hostile table's ``_dense(", use_bias: on")``), found by
  reading the modules' syntax trees with a tiny evaluator (nothing is imported or run);
- the keras.io example models of ``tests/_keras_examples.py`` that the import test round-trips
  (imported to specs when used, which needs Keras).

:func:`valid_specs` keeps the ones that check without errors and have a model (block
libraries have none), each with an id saying where it was found.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from graphspec import check
from graphspec.api import CheckResult, load_text
from graphspec.errors import SpecError, UsageError

__all__ = ["ROOT", "CorpusSpec", "keras_examples", "spec_texts", "valid_specs"]

ROOT = Path(__file__).resolve().parent.parent
_FENCE = re.compile(r"```yaml\n(.*?)```", re.S)
_LOOKS_LIKE_A_SPEC = re.compile(r"(^|[\s{,])nodes\s*:")


@dataclass(frozen=True)
class CorpusSpec:
    """One spec of the corpus: its id, and its YAML text and the file it is checked as.

    ``file`` is the path the text is checked as (relative references resolve from its folder),
    ``None`` for a text that stands alone (``<spec>``).
    """

    id: str
    text: str
    file: Path | None = None
    parameters: int = 0
    """The model's parameter count (known statically once checked)."""

    def check(self) -> CheckResult:
        """The spec checked as the project would check it."""
        if self.file is None:
            return check(self.text)
        return check(load_text(self.text, file=str(self.file), name=self.file.stem))


def _files() -> Iterator[CorpusSpec]:
    for path in sorted([*(ROOT / "specs").rglob("*.yaml"), *(ROOT / "tests").rglob("*.yaml")]):
        yield CorpusSpec(str(path.relative_to(ROOT)), path.read_text("utf-8"), path)
    for doc in sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")]):
        for i, text in enumerate(_FENCE.findall(doc.read_text("utf-8"))):
            if "..." not in text:  # an excerpt, not a whole spec
                here = ROOT / "specs" / f"{doc.stem}_example{i}.yaml"  # beside the shipped ones
                yield CorpusSpec(f"{doc.relative_to(ROOT)}#{i}", text, here)


# -- spec texts in the test modules ---------------------------------------------------------------


class _Unknown(Exception):
    """The expression's value cannot be known without running the module."""


@dataclass
class _Module:
    """What the evaluator knows of one module: constants and one-expression functions."""

    names: dict[str, Any]
    functions: dict[str, ast.FunctionDef]


_STR_METHODS: dict[str, Callable[..., Any]] = {
    "replace": str.replace,
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
    "format": str.format,
}


def _evaluate(node: ast.expr, module: _Module, local: dict[str, Any], depth: int = 0) -> Any:
    """The value of ``node`` from constants alone; raises :class:`_Unknown` otherwise."""
    if depth > 40:
        raise _Unknown
    again = lambda n: _evaluate(n, module, local, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        for scope in (local, module.names):
            if node.id in scope:
                return scope[node.id]
        raise _Unknown
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mult):
        left, right = again(node.left), again(node.right)
        if not isinstance(left, str | int) or not isinstance(right, str | int):
            raise _Unknown
        if isinstance(node.op, ast.Mult) and _too_long(left, right):
            raise _Unknown  # a hostile test's megabytes of padding: not a spec
        return left + right if isinstance(node.op, ast.Add) else left * right  # type: ignore[operator]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.format_spec is not None or value.conversion != -1:
                    raise _Unknown
                parts.append(str(again(value.value)))
            else:
                parts.append(str(again(value)))
        return "".join(parts)
    if isinstance(node, ast.Call) and not node.keywords:
        return _call(node, module, again)
    raise _Unknown


def _too_long(left: str | int, right: str | int) -> bool:
    text, count = (left, right) if isinstance(left, str) else (right, left)
    return isinstance(text, str) and isinstance(count, int) and len(text) * count > 1_000_000


def _call(node: ast.Call, module: _Module, again: Callable[[ast.expr], Any]) -> Any:
    func = node.func
    args = [again(a) for a in node.args]
    if isinstance(func, ast.Attribute | ast.Name) and _name_of(func) in {
        "dedent",
        "textwrap.dedent",
    }:
        return textwrap.dedent(*args)
    if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:
        owner = again(func.value)
        if isinstance(owner, str):
            return _STR_METHODS[func.attr](owner, *args)
    if isinstance(func, ast.Name) and func.id in module.functions:
        definition = module.functions[func.id]
        params = [a.arg for a in definition.args.args]
        defaults = definition.args.defaults
        bound = dict(zip(params[len(params) - len(defaults) :], defaults, strict=True))
        values = {p: again(d) for p, d in bound.items()} | dict(zip(params, args, strict=False))
        if set(values) != set(params):
            raise _Unknown
        body = [s for s in definition.body if not _is_docstring(s)]
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            return _evaluate(body[0].value, module, values)
    raise _Unknown


def _name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _module(tree: ast.Module) -> _Module:
    """The module's constants (in the order assigned) and its one-expression functions."""
    module = _Module({}, {})
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef):
            module.functions[statement.name] = statement
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        value = getattr(statement, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and isinstance(value, ast.expr):
                try:
                    module.names[target.id] = _evaluate(value, module, {})
                except _Unknown:
                    module.names.pop(target.id, None)
    return module


def spec_texts(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of every string in a Python module that looks like a spec."""
    tree = ast.parse(path.read_text("utf-8"))
    module = _module(tree)
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr) or isinstance(node, ast.Name):
            continue
        try:
            value = _evaluate(node, module, {})
        except (_Unknown, TypeError, ValueError, RecursionError):
            continue
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                continue
        if isinstance(value, str) and _LOOKS_LIKE_A_SPEC.search(value):
            found.setdefault(textwrap.dedent(value), node.lineno)
    return sorted(((line, text) for text, line in found.items()), key=lambda item: item[0])


def _texts() -> Iterator[CorpusSpec]:
    for path in sorted((ROOT / "tests").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        lines: dict[int, int] = {}
        for line, text in spec_texts(path):
            lines[line] = lines.get(line, 0) + 1
            suffix = f"+{lines[line] - 1}" if lines[line] > 1 else ""
            yield CorpusSpec(f"{where}:{line}{suffix}", text)


# -- the corpus ---------------------------------------------------------------------------------


def _checked(spec: CorpusSpec) -> CorpusSpec | None:
    """The spec with its parameter count when it checks without errors and has a model."""
    try:
        result = spec.check()
    except (SpecError, UsageError):  # UsageError: a one-line text is read as a file's path
        return None
    if not result.ok or result.spec.is_library:
        return None
    return replace(spec, parameters=result.shapes.total if result.shapes is not None else 0)


@cache
def valid_specs() -> tuple[CorpusSpec, ...]:
    """Every spec of the project and its tests that checks without errors, one per text."""
    seen: set[str] = set()
    out = []
    for spec in [*_files(), *_texts()]:
        key = spec.text if spec.file is None else f"{spec.file.parent}\n{spec.text}"
        checked = None if key in seen else _checked(spec)
        if checked is not None:
            seen.add(key)
            out.append(checked)
    return tuple(out)


def keras_examples() -> list[tuple[str, bool]]:
    """The keras.io example models the import test round-trips: ``(function name, slow)``, read
    from the ``FAST`` and ``SLOW`` lists of tests/test_keras_examples.py."""
    tree = ast.parse((ROOT / "tests" / "test_keras_examples.py").read_text("utf-8"))
    found: list[tuple[str, bool]] = []
    for statement in tree.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        if statement.target.id in ("FAST", "SLOW") and isinstance(statement.value, ast.List):
            slow = statement.target.id == "SLOW"
            found += [(ast.unparse(e).removeprefix("ex."), slow) for e in statement.value.elts]
    return found
