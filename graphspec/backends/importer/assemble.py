"""The spec an import collected: nodes, wiring and description put together, then checked."""

from __future__ import annotations

from typing import Any, Final

from graphspec.backends.importer._state import ImportState, UnsupportedLayersError
from graphspec.backends.importer.blocks import Found, find_blocks
from graphspec.backends.importer.wiring import is_written_chain, wire
from graphspec.base import limits as _limits
from graphspec.errors import ImportModelError, RecordError
from graphspec.frontend.spec import FORMAT_1_0, FORMAT_1_1, Spec

__all__ = ["finish", "spec_data"]


def finish(state: ImportState, *, blocks: bool = False) -> Spec:
    """The checked spec of a finished import; raises for every problem the import recorded.

    ``blocks``: write repeated sub-graphs as ``blocks:`` (see
    :mod:`~graphspec.backends.importer.blocks`); otherwise one node per layer call.
    """
    if state.problems:
        raise UnsupportedLayersError(state.name, state.problems)
    data = spec_data(state, blocks=blocks)
    try:
        spec = Spec.model_validate(data)
    except RecordError as exc:  # a name or value the format cannot hold
        raise ImportModelError(f"cannot import model `{state.name}`: {exc}") from exc
    _validate(spec)
    return spec


def spec_data(state: ImportState, *, blocks: bool = False) -> dict[str, Any]:
    """The spec of an import as plain data (also the body of an inline nested model)."""
    data: dict[str, Any] = {"graphspec": _version(state), "name": state.name}
    notes = [f"{arg} on {_listed(names)}" for arg, names in state.dropped_calls.items() if names]
    head = f"Imported from {state.origin} by graphspec." if state.origin else ""
    if notes:
        head += (" " if head else "") + "Call arguments dropped: " + "; ".join(notes) + "."
    search = blocks and len(state.nodes) <= _limits.MAX_BLOCK_DISCOVERY_NODES
    if blocks and not search:
        head += (" " if head else "") + (
            f"Not searched for blocks: {len(state.nodes):,} layers, more than "
            f"{_limits.MAX_BLOCK_DISCOVERY_NODES:,}."
        )
    if head:
        data["description"] = head
    data["inputs"] = state.inputs
    nodes = {name: dict(node) for name, node in state.nodes.items()}
    sources, outputs = state.sources, state.outputs
    found = find_blocks(state.inputs, nodes, sources, outputs) if search else None
    if found is not None:
        data["graphspec"] = FORMAT_1_1  # `names:` templates keep the layer names
        data["blocks"] = found.blocks
        nodes, sources = found.nodes, found.sources
        outputs = _renamed_outputs(outputs, found.rename)
    written_chain = is_written_chain(state.inputs, nodes, sources, outputs)
    if not state.chain and written_chain and _chain_blocks(found):
        data["api"] = "functional"  # a functional model shaped like a chain stays functional
    if not state.chain and not written_chain:
        wired = {n: s for n, s in sources.items() if not _names_inputs(nodes.get(n, {}))}
        edges, explicit = wire(list(state.inputs) + list(nodes), wired)
        for name in explicit:
            nodes[name]["inputs"] = sources[name]
        data["edges"] = edges
    data["nodes"] = nodes
    data["outputs"] = outputs
    return data


def _renamed_outputs(
    outputs: list[str] | dict[str, str], rename: dict[str, str]
) -> list[str] | dict[str, str]:
    """Model outputs that were a block's last node now name the block instance."""
    if isinstance(outputs, dict):
        return {key: rename.get(ref, ref) for key, ref in outputs.items()}
    return [rename.get(ref, ref) for ref in outputs]


_FORMAT_1_1_KEYS: Final = frozenset({"expr", "call", "model", "weight"})
_OWN_INPUTS: Final = frozenset({"expr", "weight"})
"""Nodes that name their operands themselves or have none: no edges lead into them."""


def _version(state: ImportState) -> int | float:
    """1 unless a node needs format 1.1 (an expression, call arguments, a nested model, a
    learned tensor)."""
    used = any(_FORMAT_1_1_KEYS & set(node) for node in state.nodes.values())
    return FORMAT_1_1 if used else FORMAT_1_0


def _names_inputs(node: dict[str, Any]) -> bool:
    """Expression nodes name their operands themselves, learned tensors have none: no edges
    lead into them."""
    return bool(_OWN_INPUTS & set(node))


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:5])
    more = len(names) - 5
    return shown + (f" and {more} more" if more > 0 else "")


def _validate(spec: Spec) -> None:
    from graphspec.api import check

    result = check(spec, shapes=False)
    if not result.ok:
        shown = "\n".join("  " + d.format() for d in result.errors[:20])
        raise ImportModelError(f"the imported spec of `{spec.name}` is not valid:\n{shown}")


def _chain_blocks(found: Found | None) -> bool:
    """Whether every block is a chain too (then the whole model would compile as Sequential)."""
    if found is None:
        return True
    return not any(
        "inputs" in node for block in found.blocks.values() for node in block["nodes"].values()
    )
