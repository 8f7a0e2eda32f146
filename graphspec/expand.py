"""Spec to graph IR: resolve ``${params}``, expand blocks and ``repeat``, turn edges into inputs."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec import _limits
from graphspec._suggest import did_you_mean
from graphspec.errors import Diagnostic, Severity
from graphspec.graph import BlockInstance, Graph, IRNode, NodeKind
from graphspec.params import ExprError, substitute
from graphspec.source import Loc, Path, SourceMap
from graphspec.spec import BlockSpec, EdgeItem, NodeKey, NodeSpec, Spec

__all__ = ["expand", "parse_edge"]

_ARROW = "->"
_PORT = re.compile(r"^(.+):(\d{1,3})$")
"""``node:N`` names output N of a node whose layer returns several tensors."""
_FAILED = "\x00failed"
"""Where a reference to a block instance that failed to expand leads (never reported twice)."""


@dataclass
class _Ref:
    """A reference to a node, written in some scope, resolved once everything is expanded."""

    scope: _Scope | None
    text: str
    loc: Loc | None
    resolved: str | None = None
    port: int = 0


class _TooLarge(Exception):
    """Expansion stopped: the spec expands to more than ``MAX_NODES`` nodes (E409 reported)."""


@dataclass
class _Scope:
    """The names visible where a node list was written (top level or one block instance)."""

    prefix: str
    path: Path
    params: dict[str, Any]
    placeholders: dict[str, list[_Ref]] = field(default_factory=dict)
    locals: dict[str, str] = field(default_factory=dict)
    local_names: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    node: IRNode
    refs: list[_Ref]
    share: _Ref | None = None


def parse_edge(item: EdgeItem) -> list[str] | None:
    """The node names of one ``edges`` entry, in order; ``None`` when malformed.

    >>> parse_edge("a -> b -> c")
    ['a', 'b', 'c']
    >>> parse_edge(["x", "y"])
    ['x', 'y']
    >>> parse_edge("a -> -> b") is None
    True
    """
    parts = [p.strip() for p in item.split(_ARROW)] if isinstance(item, str) else list(item)
    if len(parts) < 2 or any(not isinstance(p, str) or not p for p in parts):
        return None
    return parts


class _Expander:
    def __init__(self, spec: Spec, overrides: Mapping[str, Any] | None) -> None:
        self.spec = spec
        self.source: SourceMap = spec.source
        self.file = spec.file
        self.diagnostics: list[Diagnostic] = []
        self.graph = Graph(name=spec.name or "model", file=self.file, api=spec.api)
        self.pending: list[_Pending] = []
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
        self.params = self._resolve_params(self.params, {}, ("params",))

    # -- diagnostics ----------------------------------------------------------------------

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

    # -- params -----------------------------------------------------------------------------

    def _resolve_params(
        self, params: Mapping[str, Any], outer: Mapping[str, Any], path: Path
    ) -> dict[str, Any]:
        """Params may use earlier params and the outer scope's: resolve them in order."""
        scope = dict(outer)
        for name, value in params.items():
            scope[name] = self.subst(value, scope, (*path, name), None)
        return scope

    def subst(self, value: Any, scope: Mapping[str, Any], path: Path, node: str | None) -> Any:
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

    # -- top level --------------------------------------------------------------------------

    def run(self) -> tuple[Graph, list[Diagnostic]]:
        spec = self.spec
        for name, inp in spec.inputs.items():
            self._add_input(name, inp.shape, inp.dtype)
        top = _Scope(prefix="", path=(), params=self.params)
        try:
            self._expand_scope(
                top, spec.nodes, spec.edges, spec.outputs, input_names=list(spec.inputs), stack=()
            )
        except _TooLarge:  # keep only the inputs: checking a truncated graph reports nonsense
            self.graph.nodes = {n: self.graph.nodes[n] for n in self.graph.inputs}
            self.graph.instances.clear()
            self.pending, self.pending_outputs = [], []
        self._resolve_all()
        self.graph.build_dag()
        return self.graph, self.diagnostics

    def _add_input(self, name: str, shape: list[Any], dtype: str) -> None:
        path: Path = ("inputs", name)
        self._check_name(name, path, "input")
        dims: list[int | None] = []
        for i, dim in enumerate(shape):
            value = self.subst(dim, self.params, (*path, "shape", i), None)
            if value is None or (
                isinstance(value, int) and not isinstance(value, bool) and value > 0
            ):
                dims.append(value)
            else:
                self.error(
                    "E110",
                    f"input `{name}`: dimension {i} must be a positive integer or null; "
                    f"found {value!r}",
                    (*path, "shape", i),
                    hint="write null for a dimension of variable size",
                )
                dims.append(None)
        self.graph.nodes[name] = IRNode(
            name=name,
            kind=NodeKind.INPUT,
            shape=tuple(dims),
            dtype=dtype,
            loc=self.source.key_at(path),
            spec_path=path,
        )
        self.graph.inputs.append(name)

    def _check_name(self, name: str, path: Path, what: str) -> bool:
        problem = None
        if not name or not name.strip():
            problem = "is empty"
        elif "/" in name:
            problem = "contains `/`, which Keras forbids in layer names"
        elif _ARROW in name:
            problem = "contains `->`, which separates names in edges"
        elif name != name.strip():
            problem = "starts or ends with whitespace"
        elif len(name) > _limits.MAX_NAME_LENGTH:
            problem = f"is {len(name)} characters long (limit {_limits.MAX_NAME_LENGTH})"
        if problem:
            shown = name if len(name) <= 40 else name[:37] + "..."
            self.error("E105", f"{what} name {shown!r} {problem}", path, key=True, hint="rename it")
            return False
        return True

    # -- scopes -----------------------------------------------------------------------------

    def _expand_scope(
        self,
        scope: _Scope,
        nodes: Mapping[str, NodeSpec],
        edges: list[EdgeItem],
        outputs: list[str] | dict[str, str] | None,
        *,
        input_names: list[str],
        stack: tuple[str, ...],
    ) -> str | None:
        """Expand one node list; returns the expanded name its (first) output resolves to."""
        base = (*scope.path, "nodes")
        incoming = self._incoming(scope, nodes, edges, input_names)
        chain = not edges
        previous: str | None = input_names[0] if chain and len(input_names) == 1 else None
        first = next(iter(nodes.values()), None)
        if chain and len(input_names) > 1 and first is not None and first.inputs is None:
            self.error(
                "E309",
                f"with {len(input_names)} inputs, nodes need `edges` or `inputs:`; "
                "a spec without them is a single chain from one input",
                base,
                hint="add an `edges:` list",
            )
        for local, nspec in nodes.items():
            path = (*base, local)
            if not self._check_name(local, path, "node"):
                continue
            if local in input_names:
                self.error(
                    "E310",
                    f"node `{local}` has the same name as an input",
                    path,
                    key=True,
                    hint="rename the node or the input",
                )
                continue
            expanded = scope.prefix + local
            if nspec.inputs is not None:
                refs = [
                    _Ref(scope, r, self._inputs_loc(path, i, nspec))
                    for i, r in enumerate(nspec.input_list or [])
                ]
                if local in incoming:
                    self.error(
                        "E307",
                        f"node `{local}` gets its inputs both from `inputs:` and from `edges`",
                        (*path, NodeKey.INPUTS.value),
                        key=True,
                        node=expanded,
                        hint="give a node's inputs one way only",
                    )
            elif chain:
                refs = [_Ref(scope, previous, None)] if previous else []
            else:
                refs = incoming.get(local, [])
            scope.local_names.append(local)
            if nspec.block is not None:
                out = self._instance(scope, local, nspec, refs, path, stack)
                scope.locals[local] = out or _FAILED
            else:
                self._layer(scope, local, nspec, refs, path)
                scope.locals[local] = expanded
            previous = local
        return self._outputs(scope, nodes, outputs, base)

    def _inputs_loc(self, path: Path, i: int, nspec: NodeSpec) -> Loc | None:
        key = NodeKey.INPUTS.value
        if isinstance(nspec.inputs, list):
            return self.source.at((*path, key, i))
        return self.source.at((*path, key))

    def _incoming(
        self,
        scope: _Scope,
        nodes: Mapping[str, NodeSpec],
        edges: list[EdgeItem],
        input_names: list[str],
    ) -> dict[str, list[_Ref]]:
        incoming: dict[str, list[_Ref]] = {}
        for i, item in enumerate(edges):
            path = (*scope.path, "edges", i)
            names = parse_edge(item)
            if names is None:
                self.error(
                    "E311",
                    f"malformed edge {item!r}",
                    path,
                    hint='write a chain "a -> b -> c" or a pair [a, b]',
                )
                continue
            locs = self._edge_locs(item, path)
            for j, (src, dst) in enumerate(itertools.pairwise(names)):
                if dst not in nodes:
                    if dst in input_names:
                        self.error(
                            "E312",
                            f"edge into input `{dst}`: model inputs cannot have incoming edges",
                            path,
                            loc=locs[j + 1],
                        )
                    else:
                        hint = did_you_mean(dst, list(nodes))
                        self.error(
                            "E301",
                            f"edge target `{dst}` is not a node"
                            + (" of this block" if scope.prefix else ""),
                            path,
                            loc=locs[j + 1],
                            hint=hint,
                        )
                    continue
                incoming.setdefault(dst, []).append(_Ref(scope, src, locs[j]))
        return incoming

    def _edge_locs(self, item: EdgeItem, path: Path) -> list[Loc | None]:
        start = self.source.at(path)
        names = parse_edge(item) or []
        if not isinstance(item, str):
            return [self.source.at((*path, k)) for k in range(len(names))]
        if start is None:
            return [None] * len(names)
        locs: list[Loc | None] = []
        offset = 0
        for name in names:
            found = item.find(name, offset)
            locs.append(Loc(start.line, start.column + max(found, 0)))
            offset = max(found, 0) + len(name)
        return locs

    def _outputs(
        self,
        scope: _Scope,
        nodes: Mapping[str, NodeSpec],
        outputs: list[str] | dict[str, str] | None,
        base: Path,
    ) -> str | None:
        top = not scope.prefix
        out_path = (*scope.path, "outputs")
        if outputs is None:
            last = next(reversed(scope.local_names), None) if scope.local_names else None
            if last is None:
                if nodes or top:
                    self.error("E313", "the spec has no nodes", base or ("nodes",))
                return None
            pairs = [(last, last)]
            locs: list[Loc | None] = [None]
        elif isinstance(outputs, dict):
            pairs = list(outputs.items())
            locs = [self.source.at((*out_path, k)) for k in outputs]
            if top:
                self.graph.outputs_named = True
        else:
            pairs = [(o, o) for o in outputs]
            locs = [self.source.at((*out_path, i)) for i in range(len(outputs))]
        if not pairs:
            self.error("E313", "`outputs` is empty", out_path, hint="name at least one node")
            return None
        first: str | None = None
        for (out_name, ref), loc in zip(pairs, locs, strict=True):
            if not isinstance(ref, str):
                continue
            if ref in scope.placeholders:
                self.error(
                    "E305",
                    f"output `{ref}` is an input of the block, not a node",
                    out_path,
                    loc=loc,
                )
                continue
            r = _Ref(scope, ref, loc)
            if top:
                self.pending_outputs.append((out_name, r))
            else:
                resolved = scope.locals.get(ref)
                if resolved is None:
                    hint = did_you_mean(ref, scope.local_names)
                    self.error(
                        "E305",
                        f"output `{ref}` is not a node of the block",
                        out_path,
                        loc=loc,
                        hint=hint,
                    )
                    continue
                first = first or resolved
        return first

    # -- layers and shares --------------------------------------------------------------------

    def _layer(
        self, scope: _Scope, local: str, nspec: NodeSpec, refs: list[_Ref], path: Path
    ) -> None:
        expanded = scope.prefix + local
        if nspec.repeat is not None:
            self.error(
                "E404",
                f"node `{local}`: `repeat` only applies to block instances",
                (*path, NodeKey.REPEAT.value),
                key=True,
                node=expanded,
                hint="add `block: NAME`, or remove `repeat`",
            )
        args = {k: self.subst(v, scope.params, (*path, k), expanded) for k, v in nspec.args.items()}
        node = IRNode(
            name=expanded,
            kind=NodeKind.LAYER,
            type=nspec.type,
            args=args,
            loc=self.source.key_at(path),
            spec_path=path,
            instance=scope.prefix[:-1] or None,
        )
        share = _Ref(scope, nspec.share, self.source.at((*path, "share"))) if nspec.share else None
        self._register(node, refs, share)

    def _register(self, node: IRNode, refs: list[_Ref], share: _Ref | None) -> None:
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
            raise _TooLarge
        self.graph.nodes[node.name] = node
        self.pending.append(_Pending(node, refs, share))

    # -- blocks -------------------------------------------------------------------------------

    def _instance(
        self,
        scope: _Scope,
        local: str,
        nspec: NodeSpec,
        refs: list[_Ref],
        path: Path,
        stack: tuple[str, ...],
    ) -> str | None:
        name = nspec.block or ""
        expanded = scope.prefix + local
        block = self.spec.blocks.get(name)
        if block is None:
            self.error(
                "E401",
                f"node `{local}` uses the unknown block `{name}`",
                (*path, NodeKey.BLOCK.value),
                node=expanded,
                hint=did_you_mean(name, self.spec.blocks)
                or f"defined blocks: {', '.join(self.spec.blocks) or 'none'}",
            )
            return None
        for key in (NodeKey.TYPE, NodeKey.SHARE):
            if getattr(nspec, key.value) is not None:
                self.error(
                    "E402",
                    f"block instance `{local}` cannot also have `{key.value}`",
                    (*path, key.value),
                    key=True,
                    node=expanded,
                )
        if name in stack:
            chain = " -> ".join((*stack, name))
            self.error(
                "E405",
                f"block `{name}` uses itself (recursion: {chain})",
                (*path, NodeKey.BLOCK.value),
                node=expanded,
                hint="blocks may use other blocks, but not themselves",
            )
            return None
        if len(stack) >= _limits.MAX_BLOCK_DEPTH:
            self.error("E405", f"blocks nest deeper than {_limits.MAX_BLOCK_DEPTH}", path)
            return None
        params = self._block_params(scope, local, nspec, block, name, path)
        if params is None:
            return None
        repeat = self._repeat(scope, nspec, path, expanded)
        if repeat is None:
            return None
        if len(refs) != len(block.inputs):
            self.error(
                "E404",
                f"block instance `{local}` gets {len(refs)} input(s) but block `{name}` "
                f"takes {len(block.inputs)}: {', '.join(block.inputs)}",
                path,
                key=True,
                node=expanded,
                hint="connect one edge (or `inputs:` entry) per block input, in order",
            )
            return None
        if repeat > 1 and (len(block.inputs) != 1 or len(block.outputs or [None]) != 1):
            self.error(
                "E404",
                f"`repeat: {repeat}` needs block `{name}` to have one input and one output",
                (*path, NodeKey.REPEAT.value),
                key=True,
                node=expanded,
            )
            return None
        out: str | None = None
        start = len(self.graph.nodes)
        for i in range(repeat):
            prefix = f"{expanded}." + (f"{i}." if repeat > 1 else "")
            inner = _Scope(prefix=prefix, path=("blocks", name), params=params)
            feeds = refs if i == 0 else [_Ref(None, out or "", None, resolved=out)]
            inner.placeholders = {p: [r] for p, r in zip(block.inputs, feeds, strict=True)}
            before = len(self.graph.nodes)
            out = self._expand_scope(
                inner,
                block.nodes,
                block.edges,
                block.outputs,
                input_names=list(block.inputs),
                stack=(*stack, name),
            )
            added = len(self.graph.nodes) - before  # the newest names, read from the end
            inst = BlockInstance(
                name=prefix[:-1],
                block=name,
                nodes=list(itertools.islice(reversed(self.graph.nodes), added))[::-1],
                output=out,
                parent=scope.prefix[:-1] or None,
                loc=self.source.key_at(path),
            )
            self.graph.instances[inst.name] = inst
            if out is None:
                return None
            size = len(self.graph.nodes) - start
            if i == 0 and start + size * repeat > _limits.MAX_NODES:
                self.error(
                    "E409",
                    f"`repeat: {repeat}` of block `{name}` ({size:,} nodes per copy) expands "
                    f"the spec to more than {_limits.MAX_NODES:,} nodes",
                    (*path, NodeKey.REPEAT.value),
                    node=expanded,
                    hint="lower `repeat` counts",
                )
                raise _TooLarge
        return out

    def _block_params(
        self, scope: _Scope, local: str, nspec: NodeSpec, block: BlockSpec, name: str, path: Path
    ) -> dict[str, Any] | None:
        ok = True
        given = nspec.args
        for key in given:
            if key not in block.params:
                self.error(
                    "E403",
                    f"block `{name}` has no param `{key}`",
                    (*path, key),
                    key=True,
                    node=scope.prefix + local,
                    hint=did_you_mean(key, block.params)
                    or f"its params: {', '.join(block.params) or 'none'}",
                )
                ok = False
        for key, default in block.params.items():
            if default is None and key not in given:
                self.error(
                    "E402",
                    f"block instance `{local}` is missing the required param `{key}` "
                    f"of block `{name}`",
                    path,
                    key=True,
                    node=scope.prefix + local,
                    hint=f"add `{key}: VALUE` to `{local}`",
                )
                ok = False
        if not ok:
            return None
        values = {
            k: self.subst(v, scope.params, (*path, k), scope.prefix + local)
            for k, v in given.items()
        }
        inner = dict(self.params)
        merged = {k: values.get(k, v) for k, v in block.params.items()}
        resolved = self._resolve_params(
            {k: v for k, v in merged.items() if k not in values},
            {**inner, **values},
            ("blocks", name, "params"),
        )
        return {**resolved, **values}

    def _repeat(self, scope: _Scope, nspec: NodeSpec, path: Path, expanded: str) -> int | None:
        if nspec.repeat is None:
            return 1
        rpath = (*path, NodeKey.REPEAT.value)
        value = self.subst(nspec.repeat, scope.params, rpath, expanded)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= _limits.MAX_REPEAT
        ):
            self.error(
                "E404",
                f"`repeat` must be an integer from 1 to {_limits.MAX_REPEAT:,}; found {value!r}",
                rpath,
                node=expanded,
            )
            return None
        return value

    # -- resolution -------------------------------------------------------------------------

    pending_outputs: list[tuple[str, _Ref]]

    def _resolve(self, ref: _Ref, depth: int = 0) -> str | None:
        if ref.resolved is not None:
            return ref.resolved
        scope = ref.scope
        if scope is None or depth > _limits.MAX_BLOCK_DEPTH + 2:
            return None
        if ref.text in scope.placeholders:
            targets = scope.placeholders[ref.text]
            ref.resolved = self._resolve(targets[0], depth + 1) if targets else None
            ref.port = targets[0].port if targets else 0
            return ref.resolved
        if ref.text in scope.locals:
            ref.resolved = scope.locals[ref.text]
            return ref.resolved
        if not scope.prefix and ref.text in self.graph.nodes:
            ref.resolved = ref.text
            return ref.resolved
        candidate = scope.prefix + ref.text
        if scope.prefix and candidate in self.graph.nodes:
            ref.resolved = candidate
            return candidate
        port = _PORT.match(ref.text)
        if port is not None:  # `lstm:1`: output 1 of a layer that returns several tensors
            inner = _Ref(scope, port.group(1), ref.loc)
            target = self._resolve(inner, depth + 1)
            if target is not None and target != _FAILED and inner.port == 0:
                ref.resolved, ref.port = target, int(port.group(2))
                return target
        return None

    def _resolve_all(self) -> None:
        for item in self.pending:
            node = item.node
            for ref in item.refs:
                target = self._resolve(ref)
                if target is None or target == _FAILED:
                    if target is None:
                        self._undefined(ref, node.name, node.spec_path)
                    node.dangling = True
                    continue
                node.inputs.append(target)
                node.input_locs.append(ref.loc)
                node.input_ports.append(ref.port)
            if item.share is not None:
                self._resolve_share(node, item.share)
        for out_name, ref in self.pending_outputs:
            target = self._resolve(ref)
            if target is None or target == _FAILED:
                if target is None:
                    self._undefined(ref, None, ("outputs",), what="output")
                continue
            self.graph.outputs.append((out_name, target))
            self.graph.output_ports.append(ref.port)

    def _undefined(self, ref: _Ref, node: str | None, path: Path, what: str = "input") -> None:
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

    def _resolve_share(self, node: IRNode, ref: _Ref) -> None:
        path = (*node.spec_path, NodeKey.SHARE.value)
        target = self._resolve(ref)
        node.broken = True
        if target == _FAILED:
            return
        if target is None:
            self._undefined(ref, node.name, path, what="`share`")
            return
        if target == node.name:
            self.error(
                "E308",
                f"node `{node.name}` shares its own layer",
                path,
                node=node.name,
                hint="`share` names another node whose layer (and weights) to reuse",
            )
            return
        owner = self.graph.nodes[target]
        seen = {node.name}
        while owner.share and owner.share not in seen:
            seen.add(owner.name)
            owner = self.graph.nodes[owner.share]
        if owner.is_input:
            self.error(
                "E308",
                f"node `{node.name}` shares `{target}`, which is an input, not a layer",
                path,
                node=node.name,
            )
            return
        if node.type is not None or node.args:
            extra = ["type"] if node.type is not None else []
            extra += list(node.args)
            self.error(
                "E308",
                f"node `{node.name}` has `share` and also {', '.join(f'`{e}`' for e in extra)}; "
                "a shared layer takes its type and arguments from the node it shares",
                path,
                node=node.name,
                hint=f"remove {', '.join(extra)} from `{node.name}`",
            )
        node.share = owner.name
        node.type = owner.type
        node.args = owner.args
        node.broken = False


def expand(spec: Spec, params: Mapping[str, Any] | None = None) -> tuple[Graph, list[Diagnostic]]:
    """Expand a spec into its graph IR; returns the graph and the problems found on the way.

    ``params`` overrides spec-level params (like ``--set``).

    >>> from graphspec import load
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes:\\n  a: {type: Dense, units: 8}\\n"
    ...             "  b: {type: Dense, units: 2}\\n")
    >>> graph, problems = expand(spec)
    >>> [(n.name, n.inputs) for n in graph], graph.outputs, problems
    ([('x', []), ('a', ['x']), ('b', ['a'])], [('b', 'b')], [])
    """
    expander = _Expander(spec, params)
    expander.pending_outputs = []
    return expander.run()
