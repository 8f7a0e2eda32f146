"""A width fault at a merge, blamed on the layer that set the wrong width, with its fix there.

``conv_b (filters: 32) -> bn_b -> add`` next to a 16-channel shortcut: the fault shows at
``add``, but the cause is ``conv_b``. :func:`blame_width` walks back from each input of the
merge through the layers that keep the last axis (asked of their shape rules:
:mod:`graphspec.passes.shapes.probe`) to the layer that set it, picks the one to change (the
one that can: a model input or a merge cannot), and reports the fault there: the hint says
what to write, the :class:`~graphspec.errors.Fix` writes it (a number, or the value of a
``${param}`` used nowhere else), and the related lines point at every producer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, format_shape
from graphspec.base.source import Path, SourceMap
from graphspec.errors import Diagnostic, Fix, TextEdit
from graphspec.ir.graph import Graph, IRNode, NodeKind
from graphspec.passes.shapes.probe import keeps_last_axis, width_argument

Known = Callable[[str], Shape | None]
"""A node's first output shape when inference knows it (``None`` otherwise)."""

__all__ = ["Known", "WidthSource", "blame_width", "located", "width_source"]

_MAX_WALK: Final = 256
_PARAM: Final = re.compile(r"""^["']?\$\{\s*([A-Za-z_]\w*)\s*\}["']?$""")
_NUMBER: Final = re.compile(r"^\d+$")


@dataclass(frozen=True)
class WidthSource:
    """Where the last axis of a tensor was set: ``node`` (with the argument ``arg`` that sets
    it, when it has one), reached through ``through`` (nodes that kept it, nearest first)."""

    node: IRNode
    through: tuple[str, ...]
    arg: str | None

    @property
    def owner_args(self) -> str:
        """``filters: 32`` (what sets the width), or the node's type."""
        if self.arg is None:
            return self.node.display_type
        return f"{self.arg}: {self.node.args.get(self.arg)}"


def width_source(graph: Graph, known: Known, name: str) -> WidthSource:
    """Walk back from node ``name`` through layers that keep the last axis to the one that set it."""
    node = graph.nodes[name]
    through: list[str] = []
    for _ in range(_MAX_WALK):
        ins = _one_input(node, known)
        if ins is None:
            return WidthSource(node, tuple(through), None)
        call = LayerCall(node.type or "", node.args, node.name)
        if not keeps_last_axis(call, [ins]):
            out = known(node.name)
            width = out[-1] if out else None
            arg = width_argument(call, [ins], width) if isinstance(width, int) else None
            return WidthSource(node, tuple(through), arg)
        through.append(node.name)
        node = graph.nodes[node.inputs[0]]
    return WidthSource(node, tuple(through), None)


def _one_input(node: IRNode, known: Known) -> Shape | None:
    """The shape of a layer's single input (``None`` for anything else: an input, a merge, …)."""
    if node.kind is not NodeKind.LAYER or node.call or len(node.inputs) != 1 or node.port(0):
        return None
    return known(node.inputs[0])


def blame_width(
    graph: Graph,
    merge: IRNode,
    ins: Sequence[Shape],
    fault: ShapeFault,
    source: SourceMap,
    known: Known,
) -> Diagnostic | None:
    """The width fault of an element-wise merge, reported at the layer that set the wrong width
    (``None`` when no input's width can be changed where it was set)."""
    widths = [shape[-1] if shape else None for shape in ins]
    index = fault.input_index
    if index is None or not 0 < index < len(ins) or widths[index] == widths[0]:
        return None
    sources = [width_source(graph, known, src) for src in merge.inputs[: len(ins)]]
    common = Counter(w for w in widths if w is not None).most_common()
    odd = [i for i, w in enumerate(widths) if w != common[0][0]] if len(common) > 1 else []
    if len(ins) == 2 or not odd:
        odd = [index, 0] if common[0][1] == 1 else odd or [index]
    # a branch set inside the merge's own block instance before what feeds the block
    odd.sort(key=lambda i: sources[i].node.instance != merge.instance)
    culprit = next((i for i in odd if sources[i].arg is not None), None)
    if culprit is None:
        return None
    others = [w for i, w in enumerate(widths) if i != culprit and w is not None]
    if not others:
        return None
    want = Counter(others).most_common(1)[0][0]
    return _diagnostic(graph, merge, ins, fault, source, sources, culprit, want)


def _diagnostic(
    graph: Graph,
    merge: IRNode,
    ins: Sequence[Shape],
    fault: ShapeFault,
    source: SourceMap,
    sources: list[WidthSource],
    culprit: int,
    want: int,
) -> Diagnostic:
    blamed = sources[culprit]
    setter, arg = blamed.node, blamed.arg
    assert arg is not None
    owner = graph.nodes.get(setter.layer_owner, setter)
    have = owner.args[arg]
    path = (*owner.spec_path, arg)
    chain = " -> ".join([setter.name, *reversed(blamed.through), merge.name])
    chain = f" ({chain})" if blamed.through else ""
    hint, fixes = _width_fix(graph, owner, setter, arg, want, source)
    related = [
        located(
            graph, source, merge, None, f"`{merge.name}` ({merge.type}) is where the widths meet"
        )
    ]
    for i, (src, shape) in enumerate(zip(merge.inputs, ins, strict=False)):
        found = sources[i]
        text = f"input {i}: `{src}` -> {format_shape(shape)}"
        if found.node.name != src:
            text += f", its last axis set by `{found.node.name}` ({found.owner_args})"
        related.append(located(graph, source, found.node, found.arg, text))
    return Diagnostic(
        fault.code,
        f"node `{setter.name}` sets the last axis to {have} (`{arg}: {have}`), but `{merge.name}` "
        f"needs {want} there to match its other input{'s' * (len(ins) > 2)}{chain}: "
        f"{fault.message}",
        file=graph.file,
        loc=source.at(path) or setter.loc,
        hint=hint,
        node=setter.name,
        related=tuple(related),
        fixes=fixes,
    )


def located(graph: Graph, source: SourceMap, node: IRNode, arg: str | None, text: str) -> str:
    """``FILE:LINE:COL: text`` at a node (its argument ``arg``), or ``text`` when unlocated: a
    related line an editor can jump to."""
    owner = graph.nodes.get(node.layer_owner, node)
    loc = (source.at((*owner.spec_path, arg)) if arg else None) or node.loc
    file = node.file or graph.file
    return f"{file}:{loc.line}:{loc.column}: {text}" if loc is not None else text


def _width_fix(
    graph: Graph, owner: IRNode, setter: IRNode, arg: str, want: int, source: SourceMap
) -> tuple[str, tuple[Fix, ...]]:
    """What to write, and the edit that writes it: the number itself, or the one param it
    comes from when nothing else uses that param."""
    path = (*owner.spec_path, arg)
    have = owner.args[arg]
    plain = f"give `{setter.name}` {want} {arg} (it has {have}) so that the inputs agree"
    if owner.file not in (None, graph.file):
        return f"{plain} (in {owner.file})", ()  # written in an included file: its text is not here
    written = (source.text_of(path) or "").strip()
    if _NUMBER.match(written):
        return plain, _replace(source, path, str(want), f"set `{setter.name}` {arg} to {want}")
    param = _PARAM.match(written)
    if param is None:
        return f"{plain}: its `{arg}` is `{written}`, which gives {have}", ()
    name = param.group(1)
    defined = _param_site(graph, owner, name, source)
    if defined is None:
        return f"{plain}: its `{arg}` is `{written}`", ()
    scope, where, value_path = defined
    uses = _uses(source, scope, name)
    value = (source.text_of(value_path) or "").strip()
    if uses == 1 and _NUMBER.match(value):
        title = f"set `{name}` to {want} {where}"
        hint = (
            f"set `{name}: {want}` {where} (it has {value}; only `{setter.name}`'s {arg} uses it)"
        )
        return hint, _replace(source, value_path, str(want), title)
    if uses > 1:
        return (
            f"{plain}: its `{arg}` is `{written}`, and {uses - 1} other place"
            f"{'s' * (uses > 2)} use{'s' * (uses == 2)} `{name}` too: set `{name}: {want}` "
            f"{where} if they should change with it, else give `{setter.name}` a width of its "
            "own",
            (),
        )
    return f"{plain}: its `{arg}` is `{written}`, and `{name}` is `{value}` {where}", ()


def _param_site(
    graph: Graph, owner: IRNode, name: str, source: SourceMap
) -> tuple[Path, str, Path] | None:
    """Where param ``name`` (as seen by ``owner``) gets its value: ``(scope of its uses,
    "where" words, path of the value)``."""
    inst = graph.instances.get(owner.instance or "")
    if inst is not None and len(owner.spec_path) >= 4 and owner.spec_path[-2] == "nodes":
        block_path = owner.spec_path[:-2]
        if (*block_path, "params", name) in source.values:
            site = source.located(inst.loc) if inst.loc is not None else None
            if site is not None and (*site[0], name) in source.values:
                return block_path, f"on instance `{inst.site}`", (*site[0], name)
            if sum(i.block == inst.block for i in graph.instances.values()) == 1:
                return block_path, f"in block `{inst.block}`", (*block_path, "params", name)
            return None
    if ("params", name) in source.values and not owner.instance:
        return (), "in `params`", ("params", name)
    return None


def _uses(source: SourceMap, scope: Path, name: str) -> int:
    """How many times the ``${...}`` written under ``scope`` (the whole file for ``()``) name
    ``name``."""
    text = source.text_of(scope) if scope else source.text
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w.])")
    return sum(len(word.findall(body)) for body in re.findall(r"\$\{([^{}]*)\}", text or ""))


def _replace(source: SourceMap, path: Path, text: str, title: str) -> tuple[Fix, ...]:
    span = source.span(path)
    if span is None:
        return ()
    start, end = span
    return (Fix(title, (TextEdit(start.line, start.column, end.line, end.column, text),)),)
