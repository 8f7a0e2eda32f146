"""Block instances as written: a site's copies, params and shapes (hover), and where the instances
a diagnostic names are written (related information, hover)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from graphspec.base.shape_types import format_shape
from graphspec.tools.lsp._describe import node_shape, scope_result, shape_text
from graphspec.tools.lsp.index import Symbol, SymbolKind

if TYPE_CHECKING:
    from graphspec.api import CheckResult
    from graphspec.base.source import Loc
    from graphspec.ir.graph import BlockInstance
    from graphspec.tools.lsp.analysis import Analysis

__all__ = ["Written", "feed_text", "instance_block", "instance_text", "instances_text", "written"]

_MAX_SITES: Final = 4
_MAX_NAMES: Final = 6


def instance_block(analysis: Analysis, symbol: Symbol) -> str | None:
    """The block a node name instantiates (``stage1: {block: residual}`` -> ``residual``)."""
    if symbol.kind is not SymbolKind.NODE:
        return None
    info = analysis.index.scopes.get(symbol.scope)
    node = info.spec.nodes.get(symbol.name) if info is not None else None
    block = getattr(node, "block", None)
    return block if isinstance(block, str) else None


def instance_text(analysis: Analysis, symbol: Symbol, block: str) -> str:
    """Hover of a block instance: the block, ``repeat``, the params it resolved, output shape and
    parameters (all copies), inputs; one entry per instance when it is written inside a block."""
    result, outer = scope_result(analysis, symbol.scope)
    where = f" ({analysis.index.label(symbol.scope)})" if symbol.scope else ""
    head = f"**{symbol.name}**{where} · instance of block `{block}`"
    sites = _sites(result, symbol.name, outer)
    if result is None or not sites:
        return f"{head} (not expanded: see the diagnostics)"
    copies = len(sites[0])
    if copies > 1:
        head += f" · `repeat: {copies}` (copies chained output to input)"
    lines = [head]
    spec = result.graph.block_specs.get(block)
    declared = dict(spec.params) if spec is not None else {}
    single = len(sites) == 1
    for site in sites[:_MAX_SITES]:
        call = f"{block}({_params(site[0], declared)})"
        shape = shape_text(node_shape(result, site[-1].output or ""), params=False)
        total = _params_of(result, site)
        out = f"output {shape or 'unknown'}" + (f" · {total:,} params" if total else "")
        if copies > 1:
            out += f" ({copies} copies)"
        feeds = ", ".join(feed_text(result, ref) for ref in site[0].feeds)
        if single:
            lines += [f"```python\n{call}\n```", f"- {out}"]
        else:
            lines.append(f"- `{site[0].site}`: `{call}` · {out}")
        if feeds:
            lines.append(f"  - inputs: {feeds}")
    if len(sites) > _MAX_SITES:
        more = len(sites) - _MAX_SITES
        lines.append(f"- … and {more} more instance{'s' * (more != 1)}")
    if spec is not None:
        shown = ", ".join(
            f"{k}={v!r}" if v is not None else f"{k} (required)" for k, v in declared.items()
        )
        lines.append(
            f"\nblock `{block}`: params {shown or 'none'} · inputs {', '.join(spec.inputs)} · "
            f"{len(spec.nodes)} node{'s' * (len(spec.nodes) != 1)}"
        )
    return "\n".join(lines)


def feed_text(result: CheckResult, ref: str) -> str:
    """``ref`` (``name`` or ``name:port``) with the shape it carries; the output of a block
    instance is named as the instance is written (``stage1``, not ``stage1.1.out``)."""
    name, _, port = ref.rpartition(":") if ref.rpartition(":")[2].isdigit() else (ref, "", "0")
    shape = node_shape(result, name)
    index = int(port)
    shown = "?"
    if shape is not None and shape.outputs and index < len(shape.outputs):
        shown = format_shape(shape.outputs[index])
    written = _sites_by_output(result).get(name, name) + (f":{port}" if index else "")
    return f"`{written}` {shown}"


def _sites_by_output(result: CheckResult) -> dict[str, str]:
    """The instance node each block instance's output stands for (the last copy's, for a
    ``repeat``): ``stage1.1.out`` -> ``stage1``."""
    out: dict[str, str] = {}
    for inst in result.graph.instances.values():  # in order: a later copy replaces an earlier
        if inst.output is not None and inst.site:
            out[inst.output] = inst.site
    return out


def _sites(result: CheckResult | None, name: str, block: str) -> list[list[BlockInstance]]:
    """Each expansion of the instance node ``name`` (one at the top level, one per instance of
    the enclosing ``block``), as its copies in order."""
    if result is None:
        return []
    instances = result.graph.instances
    names = (
        [name]
        if not block
        else [f"{i.name}.{name}" for i in instances.values() if i.block == block]
    )
    by_site: dict[str, list[BlockInstance]] = {n: [] for n in names}
    for inst in instances.values():
        if inst.site in by_site:
            by_site[inst.site].append(inst)
    return [sorted(c, key=lambda i: i.copy or 0) for c in by_site.values() if c]


def _params(inst: BlockInstance, declared: dict[str, Any]) -> str:
    """The block's params as this instance resolved them (not the spec's params it sees)."""
    return ", ".join(f"{k}={inst.params[k]!r}" for k in declared if k in inst.params)


def _params_of(result: CheckResult, copies: list[BlockInstance]) -> int:
    shapes = result.shapes
    if shapes is None:
        return 0
    return sum(shapes.nodes[n].params for c in copies for n in c.nodes if n in shapes.nodes)


# -- the instances of a diagnostic ----------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """Instances written at one place: the copies of a ``repeat``, or a single instance."""

    names: tuple[str, ...]
    block: str | None
    loc: Loc | None

    @property
    def message(self) -> str:
        """``instances `stack.0` … `stack.4` of block `mlp``` (related information)."""
        of = f" of block `{self.block}`" if self.block else ""
        word = "instance" if len(self.names) == 1 else "instances"
        return f"{word} {_listed(self.names)}{of}"


def written(result: CheckResult | None, names: tuple[str, ...]) -> list[Written]:
    """Where each instance of ``names`` is written, grouped by place, in order."""
    groups: dict[Any, list[str]] = {}
    blocks: dict[Any, str | None] = {}
    for name in names:
        inst = _instance(result, name)
        key = inst.loc if inst is not None and inst.loc is not None else name
        groups.setdefault(key, []).append(name)
        blocks.setdefault(key, inst.block if inst is not None else None)
    return [
        Written(tuple(group), blocks[key], key if not isinstance(key, str) else None)
        for key, group in groups.items()
    ]


def instances_text(names: tuple[str, ...], block: str | None = None) -> str:
    """``in all 5 instances of block `mlp`: `stack.0`, …`` (hover on a diagnostic)."""
    of = f" of block `{block}`" if block else ""
    if len(names) == 1:
        return f"in instance {_listed(names)}{of}"
    return f"in all {len(names)} instances{of}: {_listed(names)}"


def _instance(result: CheckResult | None, name: str) -> BlockInstance | None:
    """The block instance called ``name``, or holding the node ``name`` (its longest prefix)."""
    if result is None:
        return None
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        inst = result.graph.instances.get(".".join(parts[:end]))
        if inst is not None:
            return inst
    return None


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:_MAX_NAMES])
    more = len(names) - _MAX_NAMES
    return shown + (f" and {more} more" if more > 0 else "")
