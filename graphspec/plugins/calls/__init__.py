"""Call arguments (format 1.1): checked against each layer's call signature, shape rules for them.

Importing the package registers both: the graph check (:mod:`~graphspec.plugins.calls.checks`,
in :data:`graphspec.passes.validate.CHECKS`) and the call-argument shape rules
(:mod:`~graphspec.plugins.calls.inference`, in :data:`graphspec.passes.shapes.calls.CALL_RULES`).
"""

from __future__ import annotations

from graphspec.plugins.calls import checks, inference

__all__ = ["HOOKS"]

HOOKS = (checks, inference)
"""The modules that register this plug-in's checks and rules (imported above, eagerly)."""
