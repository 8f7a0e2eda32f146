"""graphspec: a declarative graph-spec compiler for neural networks (YAML DAG -> Keras, Graphviz)."""

from __future__ import annotations

from typing import Any

from graphspec.api import CheckResult, check, load
from graphspec.errors import (
    CompileError,
    Diagnostic,
    GraphSpecError,
    LoadError,
    SpecError,
    UsageError,
)
from graphspec.registry import register_layer
from graphspec.spec import Spec

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "CompileError",
    "Diagnostic",
    "GraphSpecError",
    "LoadError",
    "Spec",
    "SpecError",
    "UsageError",
    "__version__",
    "check",
    "compile",
    "from_keras",
    "load",
    "register_layer",
    "render",
]


def compile(spec: Any, *, api: str = "auto", params: Any = None) -> Any:
    """Compile a spec (object, path or YAML text) to a Keras model; imports Keras lazily.

    See :func:`graphspec.compiler.compile_spec`.
    """
    from graphspec.compiler import compile_spec

    return compile_spec(spec, api=api, params=params)


def render(spec: Any, path: Any = None, **options: Any) -> Any:
    """Draw a spec with Graphviz; see :func:`graphspec.diagram.render_spec`."""
    from graphspec.diagram import render_spec

    return render_spec(spec, path, **options)


def from_keras(model: Any) -> Spec:
    """Turn a Keras model into a spec; see :func:`graphspec.importer.from_keras`."""
    from graphspec.importer import from_keras as _from_keras

    return _from_keras(model)
