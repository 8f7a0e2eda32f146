"""The validate pass of call arguments: known to the layer's call, of the right kind, not twice."""

from __future__ import annotations

from typing import Any, Final

from graphspec.base.catalog import (
    POSITIONAL_CALLS,
    CallSignature,
    call_signature,
    is_call_tensor_arg,
)
from graphspec.base.custom_layers import custom_layer
from graphspec.base.suggest import did_you_mean
from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import CallTensors, IRNode, NodeKind
from graphspec.passes.validate.context import CheckContext, graph_check

__all__ = ["MODEL_CALL_ARGS", "signature_of"]

MODEL_CALL_ARGS: Final = frozenset({"training", "mask"})
"""What a nested model's call takes besides its inputs."""

_BOOLEAN: Final = frozenset({"use_causal_mask", "return_attention_scores"})
_POSITIONAL_NAMES: Final = ("query", "value", "key")


def signature_of(node: IRNode) -> CallSignature | None:
    """The call signature checked for ``node`` (``None``: a custom layer, anything goes)."""
    if node.kind is NodeKind.MODEL:
        from graphspec.base.catalog import ArgInfo

        args = {name: ArgInfo(name, False, None) for name in sorted(MODEL_CALL_ARGS)}
        return CallSignature("model", "inputs", args)
    if node.type is None or custom_layer(node.type) is not None:
        return None
    return call_signature(node.type)


@graph_check("call arguments")
def _check_calls(c: CheckContext) -> None:
    for node in c.graph:
        if not node.call or node.broken:
            continue
        sig = signature_of(node)
        if sig is None:
            continue
        path = (*node.spec_path, NodeKey.CALL.value)
        what = node.display_type
        for key, value in node.call.items():
            apath = (*path, key)
            if key == sig.first or (node.type in POSITIONAL_CALLS and key == "query"):
                c.report(
                    "E821",
                    f"node `{node.name}`: `{key}` is the tensor the node is applied to; give it "
                    "with `inputs:` or an edge",
                    node=node,
                    path=apath,
                    key=True,
                )
            elif key not in sig.args:
                c.report(
                    "E821",
                    f"node `{node.name}`: {what} takes no call argument `{key}`",
                    node=node,
                    path=apath,
                    key=True,
                    hint=did_you_mean(key, sig.all_names())
                    or f"its call arguments: {', '.join(sig.all_names()) or 'none'}",
                )
            else:
                problem = _kind_problem(key, value)
                if problem:
                    c.report("E822", f"node `{node.name}`: {problem}", node=node, path=apath)
        if node.type in POSITIONAL_CALLS:
            _check_positional(c, node, path)


def _kind_problem(key: str, value: Any) -> str | None:
    if is_call_tensor_arg(key):
        return (
            None
            if isinstance(value, CallTensors)
            else (f"call argument `{key}` takes node references; found {value!r}")
        )
    if key == "training" and value is not None and not isinstance(value, bool):
        return f"call argument `training` must be true, false or null; found {value!r}"
    if key in _BOOLEAN and not isinstance(value, bool):
        return f"call argument `{key}` must be true or false; found {value!r}"
    return None


def _check_positional(c: CheckContext, node: IRNode, path: tuple[Any, ...]) -> None:
    """``MultiHeadAttention(query, value, key)``: each tensor given once, ``value`` given."""
    given = len(node.main_inputs)
    for index, name in enumerate(_POSITIONAL_NAMES):
        if name in node.call and index < given:
            c.report(
                "E824",
                f"node `{node.name}`: `{name}` is given twice: as input {index} "
                f"(`{node.main_inputs[index]}`) and as a call argument",
                node=node,
                path=(*path, name),
                key=True,
                hint="give it one way only",
            )
