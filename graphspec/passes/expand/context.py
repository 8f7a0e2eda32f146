"""The state of one expansion: the graph being built, pending references, params and diagnostics."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, Final

from graphspec.base import limits as _limits
from graphspec.base.source import Given, Loc, Path, SourceMap, describe_surprise
from graphspec.base.suggest import did_you_mean
from graphspec.errors import Diagnostic, Severity
from graphspec.frontend.includes import INCLUDED
from graphspec.frontend.params import ExprError, leaves, substitute
from graphspec.frontend.spec import FORMAT_1_1, BlockSpec, Spec
from graphspec.ir.graph import Graph, IRNode

__all__ = [
    "ARROW",
    "FAILED",
    "NO_CHECKING",
    "POISONED",
    "PORT",
    "Checking",
    "Expansion",
    "Pending",
    "Ref",
    "Scope",
    "TooLarge",
]

ARROW: Final = "->"
PORT: Final = re.compile(r"^(.+):(\d{1,3})$")
"""``node:N`` names output N of a node whose layer returns several tensors."""
FAILED: Final = "\x00failed"
"""Where a reference to a block instance that failed to expand leads (never reported twice)."""
_EXPR: Final = re.compile(r"\$\{([^{}]*)\}")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Poisoned:
    """The value of a param whose own ``${...}`` failed."""

    def __repr__(self) -> str:
        return "POISONED"


POISONED: Final = _Poisoned()
"""A param whose ``${...}`` failed (reported once): whatever uses it is skipped silently."""


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
    file: str | None = None
    """The file the node list was written in, when not the spec's own (an included block)."""
    aliases: dict[str, Ref] = field(default_factory=dict)
    """Nodes left out by ``when: false``: each name stands for the node's one input."""


def file_of(path: Path, default: str) -> str:
    """The file a path was written in: an included file's, else ``default``."""
    return str(path[1]) if len(path) > 1 and path[0] == INCLUDED else default


@dataclass(frozen=True)
class IncludedBlock:
    """A block a node may use: its definition, where it was written, and in which file."""

    spec: BlockSpec
    path: Path
    file: str | None


@dataclass
class Pending:
    """A node whose input references (and ``share``) are resolved after expansion."""

    node: IRNode
    refs: list[Ref]
    share: Ref | None = None


@dataclass(frozen=True)
class Checking:
    """How expansion loads and checks the spec files a spec names (nested models).

    Supplied by :func:`graphspec.api.check`, the layer that knows how a spec is checked as a
    whole; the passes never import it.
    """

    load: Callable[[FsPath], Spec]
    """Load a spec file (diagnostics made exact), raising :class:`SpecError` when unreadable."""
    check: Callable[[Spec, Mapping[str, Any] | None], Any]
    """Check a loaded spec with params (a :class:`graphspec.api.CheckResult`)."""


def _no_checking(*_: Any) -> Any:
    raise RuntimeError(
        "this spec names other spec files (nested models): expand it through graphspec.check(), "
        "or pass `checking=` to expand()"
    )


NO_CHECKING: Final = Checking(_no_checking, _no_checking)
"""What an expansion started without a :class:`Checking` has: nested spec files raise."""


class Expansion:
    """What one expansion collects: the graph, the references to resolve and every problem.

    The expansion steps are functions in the sibling modules (scopes, blocks, references,
    sharing); this class holds only the shared state and the helpers every step uses.
    """

    def __init__(
        self,
        spec: Spec,
        overrides: Mapping[str, Any] | None,
        checking: Checking = NO_CHECKING,
    ) -> None:
        self.spec = spec
        self.checking = checking
        self.source: SourceMap = spec.source
        self.file = spec.file
        self.diagnostics: list[Diagnostic] = []
        self.graph = Graph(name=spec.name or "model", file=self.file, api=spec.api)
        self.pending: list[Pending] = []
        self.deferred = False
        """Whether some value reads node shapes (``${shape(NODE)[i]}``), to close after expansion."""
        self.pending_outputs: list[tuple[str, Ref]] = []
        self.instance_feeds: dict[str, list[Ref]] = {}
        """The references feeding each block instance (named in the graph once resolved)."""
        self.version = spec.graphspec
        self.versions: dict[str, int | float] = {}
        """The format version of each included file (by file name)."""
        self._gated: set[str] = set()
        self.top = Scope(prefix="", path=(), params={})
        """The top-level node list's scope (its params are set once resolved)."""
        self.params = dict(spec.params)
        given: dict[str, Given] = {}
        for key, value in (overrides or {}).items():
            if key not in self.params:
                hint = did_you_mean(key, self.params) or (
                    f"spec params: {', '.join(self.params) or 'none'}"
                )
                if isinstance(value, Given):
                    self.error_given(
                        value, "E408", f"`{key}` is not a param of {self.file}", hint=hint
                    )
                else:
                    self.error(
                        "E408",
                        f"--set {key}=…: `{key}` is not a spec param",
                        ("params",),
                        hint=hint,
                    )
                continue
            if isinstance(value, Given):
                given[key] = value
                value = value.value
            self.params[key] = value
        self.params = self.resolve_params(self.params, {}, ("params",), given, site=self.top)
        self.top.params = self.params
        self.failed_templates: set[Path] = set()
        """``names:`` templates that failed (reported once, not again for every copy)."""
        self.blocks: dict[str, IncludedBlock] = {
            name: IncludedBlock(block, ("blocks", name), None)
            for name, block in spec.blocks.items()
        }
        """Every block a node may use: the spec's own and those of its included files."""
        self.dropped = _dropped_entries(spec)
        if any(self.dropped.values()):
            self.graph.incomplete = True

    def require_1_1(self, feature: str, path: Path, *, node: str | None = None) -> bool:
        """Whether format 1.1 is declared; if not, report E800 once per feature (at its first use)."""
        version = self.versions.get(file_of(path, self.file), self.version)
        if version == FORMAT_1_1:
            return True
        if feature not in self._gated:
            self._gated.add(feature)
            self.error(
                "E800",
                f"{feature} is format 1.1; this spec is format {version}",
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
                file=file_of(path, self.file),
                loc=where,
                severity=severity,
                hint=hint,
                node=node,
            )
        )

    def error_given(
        self, given: Given, code: str, message: str, *, hint: str | None = None
    ) -> None:
        """Record a diagnostic about a value given outside the spec, located where it was given."""
        self.diagnostics.append(Diagnostic(code, message, file=given.where, hint=hint))

    def surprising(self, path: Path, given: Given | None = None) -> bool:
        """Report E106 when a param's text is a YAML 1.1 surprise (in the spec or ``--set``).

        Booleans are left to the places that use them (``use_bias: ${flag}`` is fine).
        """
        surprise = given.surprise if given is not None else self.source.surprises.get(path)
        if surprise is None or surprise.kind == "bool":
            return False
        text, hint = describe_surprise(surprise)
        if given is not None:
            self.error_given(given, "E106", f"`{path[-1]}`: {text}", hint=hint)
        else:
            self.error("E106", f"param `{path[-1]}`: {text}", path, hint=hint)
        return True

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
            self.graph.incomplete = True
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
            self.graph.incomplete = True
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
        self,
        params: Mapping[str, Any],
        outer: Mapping[str, Any],
        path: Path,
        given: Mapping[str, Given] | None = None,
        *,
        site: Scope | None = None,
    ) -> dict[str, Any]:
        """Params may use earlier params and the outer scope's: resolve them in order.

        A param whose ``${...}`` fails, or whose text YAML 1.1 misreads (E106), is
        :data:`POISONED`: values using it fail silently. A param read from node shapes
        (``${shape(x)[-1]}``) stays deferred; its node names are looked up in ``site`` (the
        top level), or where it is used (``None``: a block's default).
        """
        scope = dict(outer)
        for name, value in params.items():
            if self.surprising((*path, name), (given or {}).get(name)):
                scope[name] = POISONED
                continue
            resolved, ok = self.subst_checked(
                value, scope, (*path, name), None, deferrable=True, site=site
            )
            scope[name] = resolved if ok else POISONED
        return scope

    def subst(self, value: Any, scope: Mapping[str, Any], path: Path, node: str | None) -> Any:
        """``value`` with its ``${...}`` replaced (``None`` and a diagnostic when that fails)."""
        return self.subst_checked(value, scope, path, node)[0]

    def subst_checked(
        self,
        value: Any,
        scope: Mapping[str, Any],
        path: Path,
        node: str | None,
        *,
        deferrable: bool = False,
        site: Scope | None = None,
    ) -> tuple[Any, bool]:
        """``(value with ${...} replaced, True)``, or ``(None, False)`` when that failed.

        A failure is reported once: an expression using a :data:`POISONED` param fails without
        a second diagnostic (its cause was reported where the param was written). A ``${...}``
        that reads node shapes is left :class:`~graphspec.frontend.params.Deferred` (its names
        looked up in ``site``) where the value is ``deferrable`` (layer arguments, ``weight:``
        settings, params); elsewhere it is an error (E422): the value is needed before shapes.
        """
        kind = type(value)
        if kind is int or (kind is str and "${" not in value) or value is None:
            return value, True  # the common cases first
        if not isinstance(value, str | list | dict) or (
            isinstance(value, str) and "${" not in value
        ):
            return value, True
        if _uses_poisoned(value, scope):
            return None, False
        try:
            found = substitute(value, scope)
            deferred = [leaf for _, leaf in leaves(found)]
            if deferred and not deferrable:
                self.error(
                    "E422",
                    f"`{deferred[0]!r}` reads node shapes, which are known only when shapes are "
                    "inferred; this value is needed before that",
                    path,
                    node=node,
                    hint="`${shape(NODE)[i]}` can set layer arguments, `weight:` settings and "
                    "params used by them; write a number here",
                )
                return None, False
            if deferred and not self.require_1_1(
                "a size read from a shape (`${shape(NODE)[i]}`)", path, node=node
            ):
                return None, False
            for leaf in deferred:
                leaf.site = site
            if deferred:
                self.deferred = True
            return found, True
        except ExprError as err:
            self.error(err.code, err.message, path, hint=err.hint, node=node)
        except RecursionError:
            self.error("E406", "value nests too deeply", path, node=node)
        return None, False


def _uses_poisoned(value: Any, scope: Mapping[str, Any], depth: int = 0) -> bool:
    """True when a ``${...}`` in ``value`` names a param whose own expression failed."""
    if depth > 64:
        return False
    if isinstance(value, str):
        return any(
            scope.get(name) is POISONED
            for body in _EXPR.findall(value)
            for name in _NAME.findall(body)
        )
    if isinstance(value, list):
        return any(_uses_poisoned(v, scope, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(_uses_poisoned(v, scope, depth + 1) for v in value.values())
    return False


_SECTIONS: Final = ("inputs", "nodes", "blocks")


def _dropped_entries(spec: Spec) -> dict[str, set[str]]:
    """Entries written in the file that the schema refused (and reported): by section.

    References to them are their error's consequences and are not reported again.
    """
    written: dict[str, set[str]] = {section: set() for section in _SECTIONS}
    for path in spec.source.keys:
        if len(path) == 2 and path[0] in written and isinstance(path[1], str):
            written[str(path[0])].add(path[1])
    kept: dict[str, Mapping[str, object]] = {
        "inputs": spec.inputs,
        "nodes": spec.nodes,
        "blocks": spec.blocks,
    }
    return {section: names - set(kept[section]) for section, names in written.items()}
