"""The Python API: load, check, compile and render specs."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, Final

from graphspec import plugins
from graphspec.base.gc_pause import GcPause
from graphspec.base.source import SourceMap
from graphspec.errors import Diagnostic, Severity, SpecError
from graphspec.frontend.includes import INCLUDED, include_context
from graphspec.frontend.loader import decode, load_document, read_text
from graphspec.frontend.paths import looks_like_path, spec_file
from graphspec.frontend.schema import build_spec
from graphspec.frontend.search import SCALE_KEY, read_search, scale_diagnostics, scale_params
from graphspec.frontend.spec import Spec
from graphspec.ir.graph import Graph
from graphspec.passes.cascade import drop_consequences
from graphspec.passes.expand import Checking, expand
from graphspec.passes.expand.libraries import library_includes
from graphspec.passes.instances import merge_instances
from graphspec.passes.shapes.count import FlopInfo, count_flops
from graphspec.passes.shapes.infer import ShapeInfo, infer_shapes
from graphspec.passes.validate import check as check_graph

__all__ = ["PLUGINS", "CheckResult", "check", "load", "load_path", "load_text"]

PLUGINS: Final = plugins.LOADED
"""The node-kind plug-ins, registered when this module is imported (never on first use)."""

_MAX_NESTING: Final = 64


def load(source: str | FsPath | bytes | Spec) -> Spec:
    """Load a spec from a path, YAML text or bytes; raises :class:`SpecError` when unreadable.

    A :class:`~pathlib.Path` is always a file. A string is a file when it is one line naming
    a ``.yaml``/``.yml``/``.json`` file, an existing file, or has no ``:`` (every spec has
    ``key: value`` pairs); otherwise it is YAML text. A file that does not exist or is a folder
    raises :class:`UsageError` — a path is never read as YAML.
    Entries that fail the schema are reported through :attr:`Spec.load_diagnostics` of the
    returned spec when the rest can still be checked.

    >>> spec = load("inputs: {x: {shape: [3]}}\\nnodes: {out: {type: Dense, units: 1}}\\n")
    >>> spec.name, spec.file
    ('model', '<spec>')
    """
    if isinstance(source, Spec):
        return source
    if isinstance(source, bytes):
        text, file, stem = decode(source, "<spec>"), "<spec>", "model"
    elif isinstance(source, FsPath) or looks_like_path(source):
        path = spec_file(source)
        text, file, stem = read_text(path), str(path), path.stem
    else:
        text, file, stem = source, "<spec>", "model"
    return load_text(text, file=file, name=stem)


def load_text(text: str, *, file: str = "<spec>", name: str = "model") -> Spec:
    """Load a spec from YAML text only (never a path), naming ``file`` in its diagnostics.

    What an editor integration calls with a buffer's unsaved text.

    >>> load_text("inputs: {x: {shape: [3]}}\\nnodes: {o: {type: ReLU}}\\n", file="m.yaml").file
    'm.yaml'
    """
    with GcPause():
        try:
            doc = load_document(text, file)
        except SpecError as err:
            raise type(err)(_refine(err.diagnostics, SourceMap(file, text=text))) from None
        try:
            spec, diagnostics = build_spec(doc, default_name=name)
        except SpecError as err:
            raise type(err)(_refine(err.diagnostics, doc.source)) from None
    spec._load_diagnostics = diagnostics
    return spec


def _refine(diagnostics: Iterable[Diagnostic], source: SourceMap) -> list[Diagnostic]:
    """Diagnostics made exact (:func:`graphspec.passes.fixes.refine`; imported only when a spec
    has any, so that checking a valid spec never loads it)."""
    from graphspec.passes.fixes import refine

    return refine(diagnostics, source)


def load_path(path: str | FsPath) -> Spec:
    """Load a spec file (never treats the argument as YAML text)."""
    return load(FsPath(path))


@dataclass
class CheckResult:
    """What checking a spec found: the graph IR, shapes (when inferred) and every diagnostic."""

    spec: Spec
    graph: Graph
    diagnostics: list[Diagnostic] = field(default_factory=list)
    shapes: ShapeInfo | None = None

    @functools.cached_property
    def flops(self) -> FlopInfo:
        """Every node's cost (multiply-accumulates and FLOPs per sample), computed from the
        shapes on first use (``validate`` never pays for it).

        >>> check("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}\\n").flops.flops
        18
        """
        if self.shapes is None:
            return FlopInfo()
        return count_flops(self.graph, self.shapes)

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self.diagnostics if d.is_error]

    def raise_for_errors(self) -> None:
        """Raise :class:`SpecError` carrying every diagnostic when there is an error."""
        if not self.ok:
            raise SpecError(self.diagnostics)

    def files_read(self) -> list[str]:
        """Every file this check read: the spec itself, the files it includes (``include:``)
        and, at any depth, the spec files of its nested models (``model: FILE``).

        Outputs must never replace any of them (the output policy's inputs).
        """
        return _files_read(self, 0)

    def raise_for_library(self, what: str) -> None:
        """Raise :class:`SpecError` (E313) when the spec is a block library: it has no model."""
        if self.spec.is_library:
            raise SpecError(
                [
                    Diagnostic(
                        "E313",
                        f"a block library has no model to {what}",
                        file=self.spec.file,
                        line=1,
                        hint="use a spec that includes it (`include: [this file]`)",
                    )
                ]
            )


def check(
    spec: Spec | str | FsPath | bytes,
    *,
    params: Mapping[str, Any] | None = None,
    shapes: bool = True,
    scale: str | None = None,
) -> CheckResult:
    """Expand and check a spec: structure, layer types and arguments, and (by default) shapes.

    ``scale`` names one of the spec's ``scales:`` (its params apply before ``params``); so does
    ``params["@scale"]`` (:data:`~graphspec.frontend.search.SCALE_KEY`), as ``--scale`` passes it.
    Never imports TensorFlow. Returns every problem found; does not raise for an invalid spec
    (use :meth:`CheckResult.raise_for_errors`).

    >>> result = check("inputs: {x: {shape: [3]}}\\nnodes: {out: {type: Dense, units: 1}}\\n")
    >>> result.ok, [n.name for n in result.graph]
    (True, ['x', 'out'])
    """
    with GcPause():  # one pause for loading and checking: one collection afterwards
        spec = load(spec)
        if params and SCALE_KEY in params:
            params = dict(params)
            scale = scale or params.pop(SCALE_KEY)
        if scale is None:
            return _check_loaded(spec, params, shapes)
        scaled, problems = scale_params(spec, scale)
        scaled = {k: v for k, v in scaled.items() if k in spec.params}  # others: E901
        result = _check_loaded(spec, {**scaled, **(params or {})}, shapes)
        if problems:
            result.diagnostics = _ordered(problems + result.diagnostics)
        return result


def _check_loaded(spec: Spec, params: Mapping[str, Any] | None, shapes: bool) -> CheckResult:
    with include_context(spec.file):
        return _check_in_context(spec, params, shapes)


def _check_in_context(spec: Spec, params: Mapping[str, Any] | None, shapes: bool) -> CheckResult:
    diagnostics = list(spec.load_diagnostics)
    if spec.is_library:
        return _library_result(spec, diagnostics)
    if spec.search or spec.constraints:
        diagnostics += read_search(spec)[1]
    if spec.scales:
        diagnostics += scale_diagnostics(spec)
    graph, found = expand(spec, params, checking=_CHECKING)
    diagnostics += found
    diagnostics += check_graph(graph, spec.source)
    result = CheckResult(spec, graph, _ordered(_attributed(graph, diagnostics)))
    if shapes and not any(d.code == "E302" for d in diagnostics):
        result.shapes = infer_shapes(graph, spec.source, skip={d.node for d in result.errors})
        found = _attributed(graph, result.shapes.diagnostics)
        result.diagnostics = _ordered(result.diagnostics + found)
    result.diagnostics = drop_consequences(graph, result.diagnostics)
    result.diagnostics = merge_instances(graph, result.diagnostics)
    if result.diagnostics:
        result.diagnostics = _refine(result.diagnostics, spec.source)
    return result


def _library_result(spec: Spec, diagnostics: list[Diagnostic]) -> CheckResult:
    """A block library has no model: its schema is checked, its blocks where they are used."""
    loc = spec.source.at(("blocks",))
    note = Diagnostic(
        "N849",
        f"a block library ({len(spec.blocks)} block{'s' * (len(spec.blocks) != 1)}, no model): "
        "its blocks are checked in the specs that include it",
        file=spec.file,
        loc=loc,
        severity=Severity.NOTE,
        hint="a spec uses it with `include: [this file]`",
    )
    graph = Graph(name=spec.name or "library", file=spec.file)
    if spec.include:  # the files it includes must exist and be allowed, as for any spec
        graph, found = library_includes(spec)
        diagnostics = [*diagnostics, *found]
    return CheckResult(spec, graph, _ordered([*diagnostics, note]))


def _attributed(graph: Graph, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics about nodes written in an included file name that file (format 1.1)."""
    out = []
    for diag in diagnostics:
        node = graph.nodes.get(diag.node) if diag.node else None
        if node is not None and node.file and diag.file == graph.file:
            diag = dataclasses.replace(diag, file=node.file)
        out.append(diag)
    return out


def _ordered(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Errors, then warnings, then notes; each by position in the file."""
    rank = {"error": 0, "warning": 1, "note": 2}
    return sorted(diagnostics, key=lambda d: (rank[d.severity.value], d.line or 0, d.column or 0))


def _check_nested(spec: Spec, params: Mapping[str, Any] | None) -> CheckResult:
    """A nested model's spec, checked on its own inside the parent's check."""
    return _check_loaded(spec, params, True)


_CHECKING: Final = Checking(load=load_path, check=_check_nested)
"""How expansion loads and checks the spec files a spec names (nested models)."""


def _files_read(result: CheckResult, depth: int) -> list[str]:
    found: dict[str, None] = {}
    file = result.spec.file
    if file and not file.startswith("<"):
        found[file] = None
    for path in result.spec.source.values:  # included files are merged under (INCLUDED, file)
        if len(path) > 1 and path[0] == INCLUDED:
            found[str(path[1])] = None
    if depth > _MAX_NESTING:
        return list(found)
    for node in result.graph.nodes.values():
        model = node.model
        if model is None:
            continue
        if model.path:
            found[str(model.path)] = None
        if isinstance(model.checked, CheckResult):
            found.update(dict.fromkeys(_files_read(model.checked, depth + 1)))
    return [f for f in found if FsPath(f).exists()]
