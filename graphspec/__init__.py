"""graphspec: a declarative graph-spec compiler for neural networks (YAML DAG -> Keras, Graphviz).

The package root is the public API. Loading and checking (:func:`load`, :func:`check`) never
import TensorFlow; :func:`compile` imports Keras, :func:`render` Graphviz's Python package, and
:func:`from_keras` the importer, each only when called.

>>> import graphspec
>>> graphspec.check("inputs: {x: {shape: [3]}}\\nnodes: {out: {type: Dense, units: 1}}\\n").ok
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphspec.api import CheckResult, check, load
from graphspec.base.custom_layers import register_layer
from graphspec.base.version import VERSION
from graphspec.errors import (
    CompileError,
    Diagnostic,
    GraphSpecError,
    LoadError,
    SpecError,
    UsageError,
)
from graphspec.frontend.spec import DISPLAY, Spec

if TYPE_CHECKING:
    from graphspec.backends.diff import DiffResult

__version__ = VERSION

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
    "diff",
    "from_keras",
    "keras_objects",
    "load",
    "register_layer",
    "render",
    "to_yaml",
]


def compile(spec: Any, *, api: str = "auto", params: Any = None) -> Any:
    """Compile a spec (object, path or YAML text) to a Keras model; imports Keras lazily.

    See :func:`graphspec.backends.keras.compiler.compile_spec`.
    """
    from graphspec.backends.keras.compiler import compile_spec

    return compile_spec(spec, api=api, params=params)


def render(spec: Any, path: Any = None, **options: Any) -> Any:
    """Draw a spec with Graphviz; see :func:`graphspec.backends.diagram.render_spec`."""
    from graphspec.backends.diagram import render_spec

    return render_spec(spec, path, **options)


def diff(old: Any, new: Any, *, params: Any = None, cwd: Any = None) -> DiffResult:
    """What changed between two specs (objects, paths, YAML texts or ``REV:path`` from git),
    compared on their checked graphs; never imports TensorFlow. ``params`` apply to both.

    Returns the typed result ``graphspec diff`` prints (:class:`graphspec.backends.diff.DiffResult`):

    >>> old = "inputs: {x: {shape: [8]}}\\nnodes: {h: {type: Dense, units: 4}}"
    >>> result = diff(old, old.replace("units: 4", "units: 8"))
    >>> result.equal, result.changed[0].name, result.params.total.delta
    (False, 'h', 36)
    """
    from graphspec.backends.diff import diff as _diff

    return _diff(old, new, params=params, cwd=cwd)


def from_keras(model: Any) -> Spec:
    """Turn a Keras model into a spec; see :func:`graphspec.backends.importer.from_keras`."""
    from graphspec.backends.importer import from_keras as _from_keras

    return _from_keras(model)


def keras_objects() -> dict[str, type]:
    """The Keras classes graphspec ships, by registered name; imports Keras.

    Calling it registers them with Keras, so that a saved model holding a learned tensor
    (``weight:``) loads with ``keras.saving.load_model(path)``, ``safe_mode=True``; the dict can
    also be passed as ``custom_objects=``. Compiling a spec registers them too.
    """
    from graphspec.plugins.weight.layer import LearnedTensor
    from graphspec.plugins.weight.settings import REGISTERED

    return {REGISTERED: LearnedTensor}


def to_yaml(spec: Spec) -> str:
    """A spec as YAML text in graphspec's canonical layout; see
    :func:`graphspec.backends.emit.to_yaml`.

    >>> print(to_yaml(load("inputs: {x: {shape: [3]}}\\nnodes: {d: {type: Dense, units: 2}}")))
    graphspec: 1
    name: model
    inputs:
      x: {shape: [3]}
    nodes:
      d: {type: Dense, units: 2}
    <BLANKLINE>
    """
    from graphspec.backends.emit import to_yaml as _to_yaml

    return _to_yaml(spec)


def _display(spec: Spec, include: Any, exclude: Any) -> dict[str, Any]:
    """A spec in a notebook: its diagram (Graphviz imported on first display)."""
    from graphspec.backends.diagram import repr_mimebundle

    return repr_mimebundle(spec, include, exclude)


DISPLAY.add("notebook", _display)
