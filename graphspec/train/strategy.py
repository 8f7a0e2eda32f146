"""Distribution strategies by name: one device, several local devices, or several workers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, Final

from graphspec.errors import TrainError, UsageError

__all__ = ["STRATEGIES", "is_chief", "make_strategy", "tf_config"]

_TF_CONFIG: Final = "TF_CONFIG"
_TF_CONFIG_EXAMPLE: Final = (
    '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", '
    '"index": 0}}'
)


def tf_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The parsed ``TF_CONFIG`` cluster description; :class:`TrainError` when missing or invalid.

    >>> tf_config({"TF_CONFIG": '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", '
    ...            '"index": 0}}'})["task"]
    {'type': 'worker', 'index': 0}
    """
    environ = dict(os.environ) if environ is None else environ
    raw = environ.get(_TF_CONFIG)
    if not raw:
        raise TrainError(
            f"--strategy multiworker needs the {_TF_CONFIG} environment variable, e.g. "
            f"{_TF_CONFIG}='{_TF_CONFIG_EXAMPLE}'"
        )
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as err:
        raise TrainError(f"{_TF_CONFIG} is not valid JSON: {err}") from None
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict):
        raise TrainError(f"{_TF_CONFIG} must be an object with a `cluster` mapping")
    task = config.get("task")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise TrainError(f"{_TF_CONFIG} must name this process's `task` (type and index)")
    return config


def is_chief(strategy: str, environ: dict[str, str] | None = None) -> bool:
    """Whether this process writes the outputs: always, except for non-chief workers.

    >>> is_chief("multiworker", {"TF_CONFIG": '{"cluster": {"worker": ["a:1", "b:1"]}, '
    ...          '"task": {"type": "worker", "index": 1}}'})
    False
    """
    if strategy != "multiworker":
        return True
    config = tf_config(environ)
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def _one_device() -> Any:
    import tensorflow as tf

    return tf.distribute.get_strategy()


def _mirrored() -> Any:
    """Synchronous replicas on every local GPU, else on every local (logical) CPU device."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    devices = gpus or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy(devices=[d.name for d in devices])


def _multiworker() -> Any:
    """Synchronous replicas across the workers ``TF_CONFIG`` describes."""
    tf_config()
    import tensorflow as tf

    return tf.distribute.MultiWorkerMirroredStrategy()


STRATEGIES: Final[dict[str, Callable[[], Any]]] = {
    "none": _one_device,
    "mirrored": _mirrored,
    "multiworker": _multiworker,
}
"""Strategy factories by the name ``--strategy`` takes."""


def make_strategy(name: str) -> Any:
    """The ``tf.distribute.Strategy`` called ``name`` (imports TensorFlow)."""
    factory = STRATEGIES.get(name)
    if factory is None:
        raise UsageError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")
    return factory()
