"""The state of one expansion: the graph being built, pending references, params and diagnostics."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec import _limits
from graphspec._suggest import did_you_mean
from graphspec.errors import Diagnostic, Severity
from graphspec.graph import Graph, IRNode
from graphspec.params import ExprError, substitute
from graphspec.source import Loc, Path, SourceMap
from graphspec.spec import FORMAT_1_1, Spec

__all__ = ["ARROW", "FAILED", "PORT", "Expansion", "Pending", "Ref", "Scope", "TooLarge"]

ARROW: Final = "->"
PORT: Final = re.compile(r"^(.+):(\d{1,3})$")
"""``node:N`` names output N of a node whose layer returns several tensors."""
FAILED: Final = "\x00failed"
"""Where a reference to a block instance that failed to expand leads (never reported twice)."""


@dataclass
class Ref:
    """A reference to a node, written in some scope, resolved once everything is expanded."""

    scope: Scope | None
    text: str
    loc: Loc | None
    resolved: str | None = None
    port: int = 0


class TooLarge(Exception):
    """Expansion stopped: the spec expands to more than ``MAX_NODES`` nodes (E409 reported)."""


@dataclass
class Scope:
    """The names visible where a node list was written (top level or one block instance)."""

    prefix: str
    path: Path
    params: dict[str, Any]
    placeholders: dict[str, list[Ref]] = field(default_factory=dict)
    locals: dict[str, str] = field(default_factory=dict)
    local_names: list[str] = field(default_factory=list)


@dataclass
class Pending:
    """A node whose input references (and ``share``) are resolved after expansion."""

    node: IRNode
    refs: list[Ref]
    share: Ref | None = None


class Expansion:
    """What one expansion collects: the graph, the references to resolve and every problem.

    The expansion steps are functions in the sibling modules (scopes, blocks, references,
    sharing); this class holds only the shared state and the helpers every step uses.
    """

    def __init__(self, spec: Spec, overrides: Mapping[str, Any] | None) -> None:
        self.spec = spec
        self.source: SourceMap = spec.source
        self.file = spec.file
        self.diagnostics: list[Diagnostic] = []
        self.graph = Graph(name=spec.name or "model", file=self.file, api=spec.api)
        self.pending: list[Pending] = []
        self.pending_outputs: list[tuple[str, Ref]] = []
        self.params = dict(spec.params)
        for key, value in (overrides or {}).items():
            if key not in self.params:
                self.error(
                    "E408",
                    f"--set {key}=…: `{key}` is not a spec param",
                    ("params",),
                    hint=did_you_mean(key, self.params)
                    or f"spec params: {', '.join(self.params) or 'none'}",
                )
                continue
            self.params[key] = value
        self.params = self.resolve_params(self.params, {}, ("params",))
        self.version = spec.graphspec
        self._gated: set[str] = set()

    def require_1_1(self, feature: str, path: Path, *, node: str | None = None) -> bool:
        """Whether format 1.1 is declared; if not, report E800 once per feature (at its first use)."""
        if self.version == FORMAT_1_1:
            return True
        if feature not in self._gated:
            self._gated.add(feature)
            self.error(
                "E800",
                f"{feature} is format 1.1; this spec is format {self.version}",
                path,
                key=True,
                node=node,
                hint="declare the format at the top of the file: `graphspec: 1.1`",
            )
        return False

    def error(
        self,
        code: str,
        message: str,
        path: Path,
        *,
        hint: str | None = None,
        node: str | None = None,
        loc: Loc | None = None,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record a diagnostic at ``loc``, else where ``path`` (its key when ``key``) was written."""
        where = loc or (self.source.key_at(path) if key else self.source.at(path))
        self.diagnostics.append(
            Diagnostic(
                code,
                message,
                file=self.file,
                line=where.line if where else None,
                column=where.column if where else None,
                severity=severity,
                hint=hint,
                node=node,
            )
        )

    def undefined(self, ref: Ref, node: str | None, path: Path, what: str = "input") -> None:
        """Report E301: ``ref`` names nothing visible from where it was written."""
        scope = ref.scope
        names = list(self.graph.inputs) if scope and not scope.prefix else []
        if scope:
            names += scope.local_names + list(scope.placeholders)
        where = f" of node `{node}`" if node else ""
        self.error(
            "E301",
            f"{what}{where} refers to `{ref.text}`, which is not defined",
            path,
            loc=ref.loc,
            node=node,
            hint=did_you_mean(ref.text, names),
        )

    def add_node(self, node: IRNode, refs: list[Ref], share: Ref | None = None) -> None:
        """Add an expanded node whose inputs (and ``share``) are resolved at the end.

        Raises :class:`TooLarge` (after reporting E409) past ``MAX_NODES`` nodes.
        """
        if node.name in self.graph.nodes:
            self.error(
                "E310",
                f"node name `{node.name}` clashes with another node"
                + (" (an expanded block node)" if "." in node.name else ""),
                node.spec_path,
                key=True,
                node=node.name,
                hint="rename one of them",
            )
            return
        if len(self.graph.nodes) >= _limits.MAX_NODES:
            self.error(
                "E409",
                f"the spec expands to more than {_limits.MAX_NODES:,} nodes",
                node.spec_path,
                hint="lower `repeat` counts",
            )
            raise TooLarge
        self.graph.nodes[node.name] = node
        self.pending.append(Pending(node, refs, share))

    def resolve_params(
        self, params: Mapping[str, Any], outer: Mapping[str, Any], path: Path
    ) -> dict[str, Any]:
        """Params may use earlier params and the outer scope's: resolve them in order."""
        scope = dict(outer)
        for name, value in params.items():
            scope[name] = self.subst(value, scope, (*path, name), None)
        return scope

    def subst(self, value: Any, scope: Mapping[str, Any], path: Path, node: str | None) -> Any:
        """``value`` with its ``${...}`` replaced (``None`` and a diagnostic when that fails)."""
        if not isinstance(value, str | list | dict) or (
            isinstance(value, str) and "${" not in value
        ):
            return value
        try:
            return substitute(value, scope)
        except ExprError as err:
            self.error(err.code, err.message, path, hint=err.hint, node=node)
            return None
        except RecursionError:
            self.error("E406", "value nests too deeply", path, node=node)
            return None
