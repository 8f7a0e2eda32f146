"""A chain of layers (a ``keras.Sequential``): the model's list, and each block's function
returning its layers' list, grown by the calls of other blocks' functions."""

from __future__ import annotations

from typing import Any

from graphspec.backends.codegen._body import Body
from graphspec.backends.codegen._plan import Group
from graphspec.backends.codegen._source import INDENT, Call, Raw, Seq, lines_of

__all__ = ["write_chain"]


def write_chain(body: Body, model_name: Any = None) -> None:
    """A chain's layers in order: ``return keras.Sequential([...], name=...)`` for the model
    (``model_name``), ``return [...]`` in a block's function; a list grown by the calls
    of block functions when there are some."""
    items: list[Any] = []
    for member in body.members():
        if isinstance(member, Group):
            items.append(member)
            continue
        node = body.model.graph.nodes[member]
        if node.is_input:
            items.append(body.input_piece(node))
        elif node.model is not None:
            items.append(Raw(body.layer_var(node)))
        else:
            items.append(body.layer_piece(node))
    if not any(isinstance(item, Group) for item in items):
        seq = Seq("[", [(None, item) for item in items], "]")
        piece = (
            seq
            if model_name is None
            else Call("keras.Sequential", [(None, seq), ("name=", model_name)])
        )
        body.lines += lines_of(piece, INDENT, "return ")
        return
    run: list[Any] = []
    started = False
    for item in [*items, None]:
        if item is not None and not isinstance(item, Group):
            run.append(item)
            continue
        if not started:
            body.lines += lines_of(Seq("[", [(None, r) for r in run], "]"), INDENT, "layers = ")
        elif len(run) == 1:
            body.lines += lines_of(Call("layers.append", [(None, run[0])]), INDENT)
        elif run:
            body.lines += lines_of(Seq("[", [(None, r) for r in run], "]"), INDENT, "layers += ")
        started, run = True, []
        if isinstance(item, Group):
            _chain_call(body, item)
    if model_name is None:
        body.lines.append(f"{INDENT}return layers")
    else:
        call = Call("keras.Sequential", [(None, "layers"), ("name=", model_name)])
        body.lines += lines_of(call, INDENT, "return ")


def _chain_call(body: Body, group: Group) -> None:
    """``layers += block(...)``, in a loop for the copies of a ``repeat``."""
    first = group.first
    function = body.functions.block_function(body.model, group, chain=True)
    args = body.params(function, first, body.env_of(first.parent))
    if not group.loop:
        args += body.name_args(function, group, body.layer_name(first.name))
        body.lines += lines_of(Call(function.name, args), INDENT, "layers += ")
        return
    count, name = body.loop_count(group)
    body.lines.append(f"{INDENT}for i in range({count}):")
    args += body.name_args(function, group, name)
    body.lines += lines_of(Call(function.name, args), INDENT * 2, "layers += ")
