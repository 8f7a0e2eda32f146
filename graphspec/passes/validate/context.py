"""The validate pass's registry and context: graph checks registered by name, run in order."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from graphspec.base.catalog import LayerSignature
from graphspec.base.registry import Registry
from graphspec.base.source import Loc, Path, SourceMap
from graphspec.errors import Diagnostic, Severity
from graphspec.ir.graph import Graph, IRNode

__all__ = ["CHECKS", "CheckContext", "CheckFn", "check", "graph_check"]

CheckFn = Callable[["CheckContext"], None]
CHECKS: Registry[str, CheckFn] = Registry("graph check")
"""Graph checks by name, run in registration order (filled by :func:`graph_check`)."""


def graph_check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a graph check: a function of the :class:`CheckContext` that reports problems."""
    return CHECKS.register(name)


class CheckContext:
    """What a graph check receives: the graph, its source, the report to add to.

    ``typed`` holds the signature of each layer node whose type checked out (the ``types``
    check fills it; later checks read it). ``clean`` holds keys (:func:`~graphspec.base.memo.
    freeze`) of what a check found nothing wrong with, for checks that are pure functions of
    what they look at: the same thing is not checked twice in one run.
    """

    def __init__(self, graph: Graph, source: SourceMap) -> None:
        self.graph = graph
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.typed: dict[str, LayerSignature] = {}
        self.clean: set[Hashable] = set()

    def report(
        self,
        code: str,
        message: str,
        *,
        node: IRNode | None = None,
        path: Path | None = None,
        loc: Loc | None = None,
        key: bool = False,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Add a diagnostic located at ``loc``, else at ``path`` in the source (its key with
        ``key``), else at ``node``."""
        if loc is None and path is not None:
            loc = self.source.key_at(path) if key else self.source.at(path)
        if loc is None and node is not None:
            loc = node.loc
        self.diagnostics.append(
            Diagnostic(
                code,
                message,
                file=self.graph.file,
                loc=loc,
                severity=severity,
                hint=hint,
                node=node.name if node else None,
            )
        )


def check(graph: Graph, source: SourceMap) -> list[Diagnostic]:
    """Run every registered check on an expanded graph; returns all diagnostics found.

    >>> from graphspec import load
    >>> from graphspec.passes.expand import expand
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes:\\n  d: {type: Dense, unit: 2}\\n")
    >>> graph, _ = expand(spec)
    >>> [d.format() for d in check(graph, spec.source)][0].splitlines()[0]
    '<spec>:3:20: error[E202]: node `d`: Dense has no argument `unit`'
    """
    checker = CheckContext(graph, source)
    for fn in CHECKS.values():
        fn(checker)
    return checker.diagnostics
