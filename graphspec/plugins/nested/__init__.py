"""Nested models (format 1.1): applications, spec files and inline graphs as one node.

Importing the package registers the ``model`` kind's hooks (:mod:`graphspec.ir.kinds`):
``expansion``, ``inference`` and ``building``.
"""

from __future__ import annotations

from graphspec.plugins.nested import building, expansion, inference

__all__ = ["HOOKS"]

HOOKS = (expansion, inference, building)
"""The modules that register the ``model`` kind's hooks (imported above, eagerly)."""
