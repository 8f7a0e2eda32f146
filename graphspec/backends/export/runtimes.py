"""Each format's own runtime, in a registry: load an artifact and run it on named inputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from graphspec.base.registry import Registry

__all__ = ["RUNTIMES", "Runner", "run_artifact"]

Runner = Callable[[Path, Mapping[str, np.ndarray]], dict[str, np.ndarray]]
"""Runs the artifact at a path on inputs by name; returns outputs by name."""

RUNTIMES: Registry[str, Runner] = Registry("export runtime")


def run_artifact(fmt: str, path: Path, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run the ``fmt`` artifact at ``path`` in its own runtime (never through Keras)."""
    return RUNTIMES[fmt](path, feeds)


@RUNTIMES.register("onnx")
def _run_onnx(path: Path, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = [out.name for out in session.get_outputs()]
    values = session.run(names, dict(feeds))
    return {name: np.asarray(v) for name, v in zip(names, values, strict=True)}


@RUNTIMES.register("litert")
def _run_litert(path: Path, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner()
    found: dict[str, Any] = runner(**dict(feeds))
    return {name: np.asarray(v) for name, v in found.items()}


@RUNTIMES.register("saved_model")
def _run_saved_model(path: Path, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    serve = loaded.signatures["serving_default"]
    found = serve(**{name: tf.constant(value) for name, value in feeds.items()})
    return {name: np.asarray(v) for name, v in found.items()}
