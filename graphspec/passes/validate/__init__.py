"""The validate pass: checks on the graph IR, registered by name and run in order.

Layer types and arguments against the catalog (:mod:`~graphspec.passes.validate.types`), then
the structure (:mod:`~graphspec.passes.validate.structure`); plug-ins add their own checks with
:func:`~graphspec.passes.validate.context.graph_check` and receive the same
:class:`~graphspec.passes.validate.context.CheckContext`.
"""

from __future__ import annotations

# The types check runs first: the structure checks read the signatures it found.
from graphspec.passes.validate import types

# isort: split
from graphspec.passes.validate import structure
from graphspec.passes.validate.context import CHECKS, CheckContext, CheckFn, check, graph_check

__all__ = ["BUILTIN", "CHECKS", "CheckContext", "CheckFn", "check", "graph_check"]

BUILTIN = (types, structure)
"""The modules of the built-in checks, in the order they run (imported above, eagerly)."""
