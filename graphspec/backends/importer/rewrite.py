"""Block discovery on a spec: a flat spec (imported earlier, or written by hand) rewritten with the
blocks its repeated sub-graphs make (:mod:`~graphspec.backends.importer.blocks`)."""

from __future__ import annotations

from graphspec.api import check
from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.assemble import finish
from graphspec.backends.importer.wiring import is_written_chain
from graphspec.frontend.spec import Spec

__all__ = ["with_blocks"]


def with_blocks(spec: Spec) -> Spec:
    """A flat spec rewritten with the blocks its repeated sub-graphs make (the same model, the
    same layer names); the spec itself when it has blocks already, errors, or no repeats.

    >>> from graphspec import load
    >>> text = "inputs: {x: {shape: [8]}}\\nnodes:\\n" + "".join(
    ...     f"  b{i}_dense: {{type: Dense, units: 8}}\\n  b{i}_bn: {{type: BatchNormalization}}\\n"
    ...     f"  b{i}_relu: {{type: ReLU}}\\n" for i in range(1, 5))
    >>> spec = with_blocks(load(text))
    >>> list(spec.blocks), {k: v.model_dump(exclude_none=True) for k, v in spec.nodes.items()}
    (['b'], {'b1': {'block': 'b', 'repeat': 4, 'names': 'b${copy + 1}'}})
    """
    result = check(spec, shapes=False)
    if spec.blocks or not result.ok or result.graph.instances:
        return spec
    graph = result.graph
    state = ImportState(spec.name or graph.name)
    for name, inp in spec.inputs.items():
        state.inputs[name] = inp.model_dump(exclude_defaults=True) | {"shape": list(inp.shape)}
    for name, node in spec.nodes.items():
        data = node.model_dump(exclude_none=True, by_alias=True)
        data.pop("inputs", None)
        state.nodes[name] = data
        ir = graph.nodes[name]
        state.sources[name] = [
            f"{src}:{ir.port(i)}" if ir.port(i) else src for i, src in enumerate(ir.inputs)
        ]
    state.outputs = (
        dict(graph.outputs) if graph.outputs_named else [node for _, node in graph.outputs]
    )
    written = is_written_chain(state.inputs, state.nodes, state.sources, state.outputs)
    state.chain = written and spec.api != "functional"  # a Sequential stays one
    found = finish(state, blocks=True)
    if not found.blocks:
        return spec
    if spec.description:
        found.description = spec.description
    return found
