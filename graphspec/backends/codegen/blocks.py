"""Block instances written as Python functions (params as arguments) and ``repeat`` as a loop."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import networkx as nx

from graphspec.backends.codegen._source import (
    INDENT,
    Call,
    Raw,
    identifier,
    layer_expr,
    lines_of,
    py,
)
from graphspec.frontend.params import is_deferred
from graphspec.ir.graph import BlockInstance, Graph, NodeKind

__all__ = ["BlockPlan", "call_lines", "plan_blocks"]

_WHOLE: Final = re.compile(r"^\$\{([^{}]*)\}$")
_PART: Final = re.compile(r"\$\{([^{}]*)\}")
_PARAM: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class BlockPlan:
    """Which block instances become function calls, the functions, and the order to write in.

    ``order`` holds node names and instance groups (``("site", [instances])``: one call, or a
    loop over the copies of a ``repeat``), topologically sorted with the instances contracted.
    """

    functions: dict[str, list[str]] = field(default_factory=dict)
    order: list[str | tuple[str, list[BlockInstance]]] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    """Block name -> the Python function that builds it."""


def _template(value: Any) -> Any:
    """A block argument with its ``${...}`` turned into Python source over the block's params:
    ``"${filters}"`` is the expression itself, ``"conv_${i}"`` an f-string."""
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole:
            return Raw(whole.group(1).strip())
        if _PART.search(value):
            return Raw(_fstring(value))
        return value
    if isinstance(value, list):
        return [_template(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _template(v) for k, v in value.items()}
    return value


def _fstring(value: str) -> str:
    """``"conv_${i}"`` as the f-string ``f"conv_{i}"`` (literal parts escaped)."""

    def literal(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{").replace("}", "}}")

    parts, pos = [], 0
    for match in _PART.finditer(value):
        parts += [literal(value[pos : match.start()]), "{" + match.group(1).strip() + "}"]
        pos = match.end()
    parts.append(literal(value[pos:]))
    return 'f"' + "".join(parts) + '"'


def _names_in(value: Any) -> set[str]:
    """Param names used by the ``${...}`` expressions inside ``value``."""
    if isinstance(value, str):
        return {n for expr in _PART.findall(value) for n in _PARAM.findall(expr)}
    if isinstance(value, list):
        return set().union(*(_names_in(v) for v in value)) if value else set()
    if isinstance(value, Mapping):
        return set().union(*(_names_in(v) for v in value.values())) if value else set()
    return set()


def _required(default: Any) -> bool:
    """A param the function must be given: no default, or a default computed from others."""
    return default is None or bool(_names_in(default))


def _writable(graph: Graph, inst: BlockInstance) -> bool:
    """Whether ``inst`` can be one call of its block's function (else it is written inline).

    It must be a top-level instance of a block written in this spec with one output, made only
    of plain layer calls (no nested block, expression, nested model, shared layer, call argument,
    size read from a shape or use of a second output), whose inner nodes other than the output
    are used only inside, and whose params are plain values.
    """
    block = graph.block_specs.get(inst.block)
    if block is None or inst.parent is not None or inst.output is None:
        return False
    if any(is_deferred(v) for v in inst.params.values()):
        return False
    if len(block.outputs or [None]) != 1 or len(inst.feeds) != len(block.inputs):
        return False
    if any(other.parent == inst.name for other in graph.instances.values()):
        return False
    prefix = inst.name + "."
    inside = set(inst.nodes)
    for name in inst.nodes:
        node = graph.nodes.get(name)
        if node is None or node.kind is not NodeKind.LAYER or node.share or node.call:
            return False
        if node.sized:  # sizes read from shapes: written inline with the values computed
            return False
        if node.expr is not None or node.model is not None:
            return False
        local = name[len(prefix) :]
        if local not in block.nodes or not all(k.isidentifier() for k in node.args):
            return False
        if any(node.port(i) for i in range(len(node.inputs))):
            return False
        for src in node.inputs:
            if src not in inside and src not in inst.feeds:
                return False
    for node in graph.layers:
        if node.name in inside:
            continue
        if any(src in inside and src != inst.output for src in node.inputs) or (
            node.share in inside
        ):
            return False
    used = {
        n for v in (block.nodes[n[len(prefix) :]].args for n in inst.nodes) for n in _names_in(v)
    }
    return all(p.isidentifier() for p in used) and all(p.isidentifier() for p in block.inputs)


def plan_blocks(graph: Graph, imports: set[str], taken: set[str]) -> BlockPlan:
    """Decide which instances become calls and write one function per block they use.

    ``taken``: names the functions must not take (the variables of ``build_model``).
    """
    plan = BlockPlan()
    groups: dict[str, list[BlockInstance]] = {}
    for inst in graph.instances.values():
        if _writable(graph, inst):
            groups.setdefault(inst.site, []).append(inst)
    for site, copies in list(groups.items()):
        # a repeat is a loop only when every copy could be written and they share their params
        blocks = graph.instances
        expected = [i for i in blocks.values() if i.site == site and i.parent is None]
        same = all(c.params == copies[0].params for c in copies)
        if len(copies) != len(expected) or not same:
            del groups[site]
    taken = {*taken, "keras", "build_model", "name"}
    for copies in groups.values():
        block = copies[0].block
        if block not in plan.written:
            plan.written[block] = identifier(block, taken | set(plan.written.values()))
            plan.functions[block] = _function(graph, copies[0], plan.written[block], imports)
    plan.order = _order(graph, groups)
    return plan


def _order(
    graph: Graph, groups: dict[str, list[BlockInstance]]
) -> list[str | tuple[str, list[BlockInstance]]]:
    """Node names and instance groups in a topological order of the contracted graph."""
    owner: dict[str, str] = {}
    for site, copies in groups.items():
        for inst in copies:
            for name in inst.nodes:
                owner[name] = site
    index = {name: i for i, name in enumerate(graph.nodes)}
    dag: nx.DiGraph[str] = nx.DiGraph()
    first: dict[str, int] = {}
    for name in graph.nodes:
        key = owner.get(name, name)
        first[key] = min(first.get(key, index[name]), index[name])
        dag.add_node(key)
        for src in graph.nodes[name].inputs:
            src_key = owner.get(src, src)
            if src_key != key:
                dag.add_edge(src_key, key)
    out: list[str | tuple[str, list[BlockInstance]]] = []
    for key in nx.lexicographical_topological_sort(dag, key=lambda k: first[k]):
        out.append((key, groups[key]) if key in groups else key)
    return out


def _function(graph: Graph, inst: BlockInstance, func: str, imports: set[str]) -> list[str]:
    """``def residual(x, filters, *, name):`` building one copy of the block."""
    block = graph.block_specs[inst.block]
    prefix = inst.name + "."
    local_of = {name: name[len(prefix) :] for name in inst.nodes}
    used = set().union(*(_names_in(block.nodes[local].args) for local in local_of.values()))
    own = list(block.params)
    extra = sorted(p for p in used if p not in own)  # spec-level params used inside the block
    taken = {"keras", "name", func, *block.inputs, *own, *extra}
    var: dict[str, str] = {}
    for placeholder, feed in zip(block.inputs, inst.feeds, strict=True):
        var.setdefault(feed, placeholder)
    for name, local in local_of.items():
        var[name] = identifier(local, taken)
    required = [p for p in own if _required(block.params[p])]
    defaults = [f"{p}={py(block.params[p])}" for p in own if not _required(block.params[p])]
    args = [*block.inputs, *required, *extra, *defaults]
    head = f"def {func}({', '.join(args)}, *, name: str):"
    if len(head) > 88:
        head = f"def {func}(\n{INDENT}" + f",\n{INDENT}".join([*args, "*", "name: str"]) + ",\n):"
    body = [
        head,
        f'{INDENT}"""The block `{inst.block}`; its layers are named `{{name}}.<node>`."""',
    ]
    for name, local in local_of.items():
        node = graph.nodes[name]
        template = {k: _template(v) for k, v in block.nodes[local].args.items()}
        call: Call = layer_expr(node.type or "", template, None, imports)
        call.args.append(("name=", Raw(f'f"{{name}}.{local}"')))
        ins = [var[src] for src in node.inputs]
        tail = f"({ins[0]})" if len(ins) == 1 else f"([{', '.join(ins)}])"
        body += lines_of(call, INDENT, f"{var[name]} = ", tail)
    body.append(f"{INDENT}return {var[inst.output or '']}")
    return body


def call_lines(
    plan: BlockPlan,
    graph: Graph,
    site: str,
    copies: list[BlockInstance],
    feeds: list[str],
    out: str,
) -> list[str]:
    """The call of one instance, or a loop over the copies of a ``repeat``."""
    first = copies[0]
    block = graph.block_specs[first.block]
    func = plan.written[first.block]
    given = [
        f"{p}={py(first.params[p])}"
        for p in block.params
        if _required(block.params[p]) or first.params.get(p) != block.params[p]
    ]
    used = set().union(
        *(_names_in(block.nodes[n[len(first.name) + 1 :]].args) for n in first.nodes)
    )
    given += [f"{p}={py(first.params[p])}" for p in sorted(used) if p not in block.params]
    if len(copies) == 1:
        call = Call(func, [(None, Raw(f)) for f in feeds])
        call.args += [(None, Raw(g)) for g in given]
        call.args.append(("name=", py(first.name)))
        return lines_of(call, INDENT, f"{out} = ")
    loop = [f"{INDENT}{out} = {feeds[0]}", f"{INDENT}for i in range({len(copies)}):"]
    call = Call(func, [(None, Raw(out))])
    call.args += [(None, Raw(g)) for g in given]
    call.args.append(("name=", Raw(f'f"{site}.{{i}}"')))
    return loop + lines_of(call, INDENT * 2, f"{out} = ")
