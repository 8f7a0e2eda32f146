"""Specs to readable Python that builds the same Keras model with the Keras API (no Keras import).

:mod:`~graphspec.backends.codegen._source` formats the pieces (calls, literals), :mod:`~graphspec.backends.codegen._writer`
writes the file, :mod:`~graphspec.backends.codegen.blocks` writes block instances as functions and loops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["generate_python"]


def generate_python(
    spec: Any, *, params: Mapping[str, Any] | None = None, backend: str | None = None
) -> str:
    """Python source with ``build_model()`` building the spec's model, as ``graphspec compile``
    would (Sequential for a plain chain, functional otherwise); raises ``SpecError`` if invalid.
    The code runs on any Keras backend; ``backend`` pins one (set before Keras is imported).
    ``spec`` may also be a :class:`~graphspec.api.CheckResult` (then ``params`` is not used).

    >>> from graphspec import load
    >>> text = generate_python(load("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}"))
    >>> print(text[text.index("def"):text.index("if __name__")].strip())
    def build_model() -> keras.Model:
        \"\"\"Build the Keras model `model`.\"\"\"
        return keras.Sequential(
            [keras.Input(shape=(4,), name="x"), keras.layers.Dense(units=2, name="d")],
            name="model",
        )
    """
    from graphspec.api import CheckResult, check
    from graphspec.backends.codegen._writer import Writer

    result = spec if isinstance(spec, CheckResult) else check(spec, params=params)
    result.raise_for_errors()
    text = Writer(result.graph, result.spec.file, result.shapes).source()
    return _pin_backend(text, backend) if backend else text


def _pin_backend(text: str, backend: str) -> str:
    """Set ``KERAS_BACKEND`` to ``backend`` in ``text`` before its ``import keras``."""
    from graphspec.backends.keras.select import ENV_VAR, verify_backend

    verify_backend(backend)
    pin = f'import os\n\nos.environ["{ENV_VAR}"] = "{backend}"  # before Keras is imported\n\n'
    head, sep, tail = text.partition("\nimport keras\n")
    lines = tail.split("\n")
    body = [f"{line}  # noqa: E402" if line.startswith("import ") else line for line in lines]
    return f"{head}\n{pin}import keras  # noqa: E402\n" + "\n".join(body) if sep else text
