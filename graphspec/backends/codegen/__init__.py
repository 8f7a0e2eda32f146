"""Specs to readable Python that builds the same Keras model with the Keras API (no Keras import).

The spec's params are the arguments of ``build_model`` and every ``${...}`` the Python expression
of them; each block is a function, a ``repeat`` a loop. :mod:`._plan` decides which block
instances are calls, :mod:`._model` reads the spec behind the graph, :mod:`._params` turns
``${...}`` into Python, :mod:`._body` writes a function's statements, :mod:`._writer` the file,
:mod:`._source` formats the pieces the way ruff formats them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["generate_python"]


def generate_python(
    spec: Any, *, params: Mapping[str, Any] | None = None, backend: str | None = None
) -> str:
    """Python source with ``build_model(params)`` building the spec's model, as ``graphspec
    compile`` would (Sequential for a plain chain, functional otherwise); raises ``SpecError`` if
    invalid, and ``CompileError`` for what the compiler refuses too. The spec's params are the
    function's arguments (``params``, like ``--set``, changes their defaults). The code runs on
    any Keras backend; ``backend`` pins one (set before Keras is imported). ``spec`` may also be
    a :class:`~graphspec.api.CheckResult` (checked with its params already).

    >>> from graphspec import load
    >>> spec = load("params: {width: 8}\\ninputs: {x: {shape: [4]}}\\n"
    ...             "nodes: {d: {type: Dense, units: '${width * 2}'}}")
    >>> text = generate_python(spec, params={"width": 3})
    >>> print(text[text.index("def"):text.index("if __name__")].strip())
    def build_model(width=3) -> keras.Model:
        \"\"\"Build the Keras model `model`.\"\"\"
        return keras.Sequential(
            [
                keras.Input(shape=(4,), name="x"),
                keras.layers.Dense(units=width * 2, name="d"),
            ],
            name="model",
        )
    """
    from graphspec.api import CheckResult, check
    from graphspec.backends.codegen._model import Model
    from graphspec.backends.codegen._writer import Writer

    result = spec if isinstance(spec, CheckResult) else check(spec, params=params)
    result.raise_for_errors()
    text = Writer().source(Model(result.graph, result.spec, result.shapes))
    return _pin_backend(text, backend) if backend else text


def _pin_backend(text: str, backend: str) -> str:
    """Set ``KERAS_BACKEND`` to ``backend`` in ``text`` before its ``import keras`` (ruff allows
    imports after an ``os.environ`` assignment: the file stays ruff-clean)."""
    from graphspec.backends.keras.select import ENV_VAR, verify_backend

    verify_backend(backend)
    pin = f'import os\n\nos.environ["{ENV_VAR}"] = "{backend}"  # before Keras is imported\n\n'
    head, sep, tail = text.partition("\nimport keras\n")
    return f"{head}\n{pin}import keras\n{tail}" if sep else text
