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
from graphspec.base.shape_types import LayerCall, ShapeFault, ShapeResult
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
from graphspec.passes.shapes.registry import user_shape_rule as shape_rule

if TYPE_CHECKING:
    from graphspec.backends.diff import DiffResult

__version__ = VERSION

__all__ = [
    "CheckResult",
    "CompileError",
    "Diagnostic",
    "GraphSpecError",
    "LayerCall",
    "LoadError",
    "ShapeFault",
    "ShapeResult",
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
    "shape_rule",
    "to_yaml",
    "use_layers",
]


def compile(spec: Any, *, api: str = "auto", params: Any = None) -> Any:
    """Compile a spec (object, path or YAML text) to a Keras model; imports Keras lazily.

    See :func:`graphspec.backends.keras.compiler.compile_spec`.
    """
    from graphspec.backends.keras.compiler import compile_spec

    return compile_spec(spec, api=api, params=params)


def register_layer(cls: Any, *, name: str | None = None) -> Any:
    """Let specs name the Keras layer class ``cls`` as ``type: NAME`` (default: its class name).

    Usable as a decorator in a layer package. When the class defines ``compute_output_shape``
    (and no ``@shape_rule`` covers it), ``validate`` gets its shapes and parameters from Keras.
    See :mod:`graphspec.backends.keras.packages`.
    """
    from graphspec.backends.keras.packages import register_layer as _register

    return _register(cls, name=name)


def use_layers(*modules: str) -> list[str]:
    """Import the user's layer packages by module name and register their layer classes (what
    ``--layers MODULE`` does on the command line); returns the spec types they brought."""
    from graphspec.backends.keras.packages import use_layers as _use

    return _use(*modules)


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


def from_keras(model: Any, *, blocks: bool = False) -> Spec:
    """Turn a Keras model into a spec (``blocks=True``: repeated sub-graphs as ``blocks:``); see
    :func:`graphspec.backends.importer.from_keras`."""
    from graphspec.backends.importer import from_keras as _from_keras

    return _from_keras(model, blocks=blocks)


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
