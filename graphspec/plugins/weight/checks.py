"""The validate pass of learned tensors: every setting's value (the shape, named objects, flags)."""

from __future__ import annotations

from typing import Any

from graphspec.frontend.params import is_deferred
from graphspec.ir.graph import IRNode, NodeKind
from graphspec.passes.validate.context import CheckContext, graph_check
from graphspec.passes.validate.types import check_named_object
from graphspec.plugins.weight.settings import DTYPES, OBJECT_KINDS, SETTINGS

__all__ = ["setting_problem", "settings_of", "shape_problem"]


@graph_check("weights")
def _check_weights(c: CheckContext) -> None:
    for node in c.graph:
        if node.kind is not NodeKind.WEIGHT or node.broken:
            continue
        for key, value in node.args.items():
            if key in node.failed_args or is_deferred(value):
                continue  # reported where its `${...}` failed / checked once shapes are known
            path = node.arg_path(key)
            kind = OBJECT_KINDS.get(key)
            if kind is not None:
                check_named_object(c, node, key, value, kind, path)
                continue
            problem = setting_problem(key, value)
            if problem is not None:
                c.report(
                    "E862",
                    f"learned tensor `{node.name}`: `{key}` must be {SETTINGS[key]}; "
                    f"found {value!r}",
                    node=node,
                    path=path,
                    hint=problem,
                )


def setting_problem(key: str, value: Any) -> str | None:
    """Why a setting's value is wrong (a hint), or ``None`` (named objects are checked apart)."""
    if key == "shape":
        return shape_problem(value)
    if key in ("trainable", "batched"):
        return None if isinstance(value, bool) else "write true or false"
    if key == "dtype":
        return None if value in DTYPES else f"one of {', '.join(DTYPES)}"
    return None


def shape_problem(value: Any) -> str | None:
    """Why ``value`` is not a learned tensor's shape (a hint), or ``None``.

    >>> shape_problem([1, 1, 64]), shape_problem([]), shape_problem([0, 3])
    (None, None, 'each size is an integer of at least 1')
    """
    if not isinstance(value, list):
        return "write a list of sizes, e.g. [1, 1, 64]"
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value):
        return "each size is an integer of at least 1"
    return None


def settings_of(node: IRNode) -> dict[str, Any]:
    """A learned tensor's settings with the defaults filled in."""
    return {
        "initializer": "glorot_uniform",
        "regularizer": None,
        "constraint": None,
        "trainable": True,
        "batched": False,
        "dtype": None,
        **node.args,
    }
