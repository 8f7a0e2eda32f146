"""The node-kind plug-ins, registered eagerly: importing this package registers all of them.

Each plug-in fills the registries of the layers below it when it is imported — never on first
use: call arguments (graph checks and call-argument shape rules), tensor expressions, nested
models and learned tensors (the ``expr``, ``model`` and ``weight`` kinds' hooks in
:mod:`graphspec.ir.kinds`). :mod:`graphspec.api`
imports this package, so any use of graphspec has them all, whatever was imported first.
"""

from __future__ import annotations

from graphspec.plugins import calls, expr, nested, weight

__all__ = ["LOADED"]

LOADED = (calls, expr, nested, weight)
"""The plug-in packages, in registration order (call checks run before expression checks)."""
