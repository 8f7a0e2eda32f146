"""``graphspec sweep --best -o best.yaml``: the best variant as a plain spec (params filled in)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.backends.emit import to_yaml
from graphspec.frontend.spec import Spec

__all__ = ["best_spec_text"]


def best_spec_text(spec: Spec, params: Mapping[str, Any], header: str) -> str:
    """``spec`` with ``params`` filled in and no ``search:``, ``constraints:`` or ``scales:``.

    >>> from graphspec import load
    >>> spec = load("params: {w: 8}\\nsearch: {w: [8, 16]}\\ninputs: {x: {shape: [4]}}\\n"
    ...             "nodes: {o: {type: Dense, units: '${w}'}}\\n")
    >>> print(best_spec_text(spec, {"w": 16}, "best of a sweep"), end="")
    # best of a sweep
    graphspec: 1
    name: model
    params: {w: 16}
    inputs:
      x: {shape: [4]}
    nodes:
      o: {type: Dense, units: "${w}"}
    """
    filled = spec.model_copy(
        update={
            "params": {**spec.params, **params},
            "search": {},
            "constraints": [],
            "scales": {},
        }
    )
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + to_yaml(filled)
