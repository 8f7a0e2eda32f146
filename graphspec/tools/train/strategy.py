"""Distribution by name, per backend: one device, local devices, or several processes."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.backends.keras.select import BackendError
from graphspec.errors import TrainError, UsageError

__all__ = [
    "STRATEGIES",
    "Distribution",
    "StrategyInfo",
    "is_chief",
    "is_multi_process",
    "jax_processes",
    "make_strategy",
    "tf_config",
    "verify_strategy",
]

_TF_CONFIG: Final = "TF_CONFIG"
_TF_CONFIG_EXAMPLE: Final = (
    '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", '
    '"index": 0}}'
)
_JAX_ADDRESSES: Final = "KERAS_DISTRIBUTION_JOB_ADDRESSES"
_JAX_PROCESSES: Final = "KERAS_DISTRIBUTION_NUM_PROCESSES"
_JAX_PROCESS_ID: Final = "KERAS_DISTRIBUTION_PROCESS_ID"


@dataclass
class Distribution:
    """A strategy made for one run: build and ``compile`` the model inside :meth:`scope`."""

    name: str
    backend: str
    replicas: int
    chief: bool = True
    multi_process: bool = False
    _scope: Callable[[], Any] = field(default=contextlib.nullcontext, repr=False)

    def scope(self) -> Any:
        """The context in which variables are made (a strategy or distribution scope)."""
        return self._scope()


@dataclass(frozen=True)
class StrategyInfo:
    """One ``--strategy`` value: what it does and its factory per backend that can honour it."""

    name: str
    help: str
    factories: Mapping[str, Callable[[float | None], Distribution]]
    instead: Mapping[str, str] = field(default_factory=dict)


# -- configuration, read before any backend starts -----------------------------------------------


def tf_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The parsed ``TF_CONFIG`` cluster description; :class:`TrainError` when missing or invalid.

    >>> tf_config({"TF_CONFIG": '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", '
    ...            '"index": 0}}'})["task"]
    {'type': 'worker', 'index': 0}
    """
    environ = os.environ if environ is None else environ
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


def jax_processes(environ: Mapping[str, str] | None = None) -> tuple[str, int, int] | None:
    """``(addresses, processes, process_id)`` from Keras's ``KERAS_DISTRIBUTION_*`` variables.

    ``None`` when ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` is unset (one process); :class:`TrainError`
    when it is set but the others are missing or not integers.

    >>> jax_processes({"KERAS_DISTRIBUTION_JOB_ADDRESSES": "h1:1234,h2:1234",
    ...                "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
    ...                "KERAS_DISTRIBUTION_PROCESS_ID": "1"})
    ('h1:1234,h2:1234', 2, 1)
    """
    environ = os.environ if environ is None else environ
    addresses = environ.get(_JAX_ADDRESSES, "").strip()
    if not addresses:
        return None
    try:
        count, index = int(environ[_JAX_PROCESSES]), int(environ[_JAX_PROCESS_ID])
    except (KeyError, ValueError):
        raise TrainError(
            f"{_JAX_ADDRESSES} is set, so {_JAX_PROCESSES} and {_JAX_PROCESS_ID} must be set to "
            "integers too (the number of processes, and this process's index from 0)"
        ) from None
    if not 0 <= index < count:
        raise TrainError(f"{_JAX_PROCESS_ID}={index} must be in 0..{count - 1}")
    return addresses, count, index


def is_chief(strategy: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process writes the outputs: always, except for non-chief workers.

    >>> is_chief("multiworker", {"TF_CONFIG": '{"cluster": {"worker": ["a:1", "b:1"]}, '
    ...          '"task": {"type": "worker", "index": 1}}'})
    False
    """
    if strategy == "data-parallel":
        processes = jax_processes(environ)
        return processes is None or processes[2] == 0
    if strategy != "multiworker":
        return True
    config = tf_config(environ)
    task: dict[str, object] = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def is_multi_process(strategy: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``strategy`` runs across processes (which wait for each other).

    >>> is_multi_process("multiworker"), is_multi_process("data-parallel", {})
    (True, False)
    """
    if strategy == "multiworker":
        return True
    return strategy == "data-parallel" and jax_processes(environ) is not None


# -- TensorFlow ----------------------------------------------------------------------------------


def _tf_default(_: float | None) -> Distribution:
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    return Distribution("none", "tensorflow", 1, _scope=strategy.scope)


def _tf_mirrored(_: float | None) -> Distribution:
    """Synchronous replicas on every local GPU, else on every local (logical) CPU device."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    devices = gpus or tf.config.list_logical_devices("CPU")
    strategy = tf.distribute.MirroredStrategy(devices=[d.name for d in devices])
    return Distribution(
        "mirrored", "tensorflow", int(strategy.num_replicas_in_sync), _scope=strategy.scope
    )


def _tf_multiworker(timeout: float | None) -> Distribution:
    """Synchronous replicas across the workers ``TF_CONFIG`` describes; collectives time out."""
    tf_config()
    chief = is_chief("multiworker")
    import tensorflow as tf

    options = tf.distribute.experimental.CommunicationOptions(
        timeout_seconds=timeout if timeout else None
    )
    try:
        strategy = _multiworker_class()(communication_options=options)
    except tf.errors.OpError as err:
        task = tf_config()["task"]
        raise TrainError(
            f"[E716] TensorFlow could not start this worker ({task['type']} {task['index']}): "
            f"{str(err).strip().splitlines()[0][:300]}; check that the address TF_CONFIG gives "
            "this task is free on this machine and that the other workers can reach it"
        ) from None
    return Distribution(
        "multiworker",
        "tensorflow",
        int(strategy.num_replicas_in_sync),
        chief=chief,
        multi_process=True,
        _scope=strategy.scope,
    )


def _multiworker_class() -> type:
    """``MultiWorkerMirroredStrategy`` whose ``reduce`` takes what Keras 3's trainer gives it.

    Keras 3 (through 3.15 at least) calls ``strategy.reduce`` with a nested (x, y) batch to build
    the model, and with ``axis=0`` on scalar metrics; the multi-worker strategy accepts neither
    (the "PerReplica" and "Invalid reduction dimension 0" errors). Reducing each element on its
    own, and a scalar across replicas only, is what the one-machine ``MirroredStrategy`` does.
    """
    import tensorflow as tf

    class KerasMultiWorkerStrategy(tf.distribute.MultiWorkerMirroredStrategy):  # type: ignore[misc]  # tensorflow is untyped
        def reduce(self, reduce_op: Any, value: Any, axis: Any) -> Any:
            parent: Any = super()  # the untyped tensorflow strategy

            def one(item: Any) -> Any:
                local = self.experimental_local_results(item)[0]
                rank = getattr(getattr(local, "shape", None), "rank", None)
                return parent.reduce(reduce_op, item, None if rank == 0 else axis)

            return tf.nest.map_structure(one, value)

    return KerasMultiWorkerStrategy


# -- JAX -----------------------------------------------------------------------------------------


def _one_device(backend: str) -> Callable[[float | None], Distribution]:
    def make(_: float | None) -> Distribution:
        if backend == "jax":  # a distribution is process-global in Keras: undo an earlier one
            import keras

            keras.distribution.set_distribution(None)
        return Distribution("none", backend, 1)

    return make


def _jax_data_parallel(_: float | None) -> Distribution:
    """``keras.distribution.DataParallel`` over every device (of every process, if several)."""
    processes = jax_processes()
    import keras

    if processes is not None:
        addresses, count, index = processes
        keras.distribution.initialize(addresses, count, index)
    devices = keras.distribution.list_devices()
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return Distribution(
        "data-parallel",
        "jax",
        len(devices),
        chief=processes is None or processes[2] == 0,
        multi_process=processes is not None,
        _scope=distribution.scope,
    )


STRATEGIES: Final[dict[str, StrategyInfo]] = {
    info.name: info
    for info in (
        StrategyInfo(
            "none",
            "one device",
            {"tensorflow": _tf_default, "jax": _one_device("jax"), "torch": _one_device("torch")},
        ),
        StrategyInfo(
            "mirrored",
            "tf.distribute.MirroredStrategy over the local GPUs, else the local CPU devices",
            {"tensorflow": _tf_mirrored},
            {"jax": "--strategy data-parallel"},
        ),
        StrategyInfo(
            "multiworker",
            "tf.distribute.MultiWorkerMirroredStrategy across the processes TF_CONFIG names",
            {"tensorflow": _tf_multiworker},
            {"jax": "--strategy data-parallel with KERAS_DISTRIBUTION_JOB_ADDRESSES"},
        ),
        StrategyInfo(
            "data-parallel",
            "keras.distribution.DataParallel over every JAX device (and process)",
            {"jax": _jax_data_parallel},
            {"tensorflow": "--strategy mirrored (one machine) or multiworker"},
        ),
    )
}
"""``--strategy`` values, and the backends each runs on (the table in docs/training.md)."""


def verify_strategy(name: str, backend: str) -> StrategyInfo:
    """The strategy ``name`` if ``backend`` can honour it; :class:`UsageError` otherwise (E713).

    >>> verify_strategy("mirrored", "torch")
    Traceback (most recent call last):
    ...
    graphspec.backends.keras.select.BackendError: [E713] --strategy mirrored needs the tensorflow backend; the torch backend runs only --strategy none in graphspec
    """
    info = STRATEGIES.get(name)
    if info is None:
        raise UsageError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")
    if backend not in info.factories:
        needs = " or ".join(info.factories)
        hint = info.instead.get(backend)
        instead = (
            f"on {backend}, use {hint}"
            if hint
            else f"the {backend} backend runs only "
            + " or ".join(
                f"--strategy {n}" for n, s in STRATEGIES.items() if backend in s.factories
            )
            + " in graphspec"
        )
        raise BackendError("E713", f"--strategy {name} needs the {needs} backend; {instead}")
    return info


def make_strategy(name: str, backend: str | None = None, *, timeout: float | None = None) -> Any:
    """Make the strategy ``name`` on ``backend`` (default: the active one; imports it).

    ``timeout`` bounds each collective operation of a multi-process run, in seconds.
    """
    from graphspec.backends.keras.select import active_backend

    backend = backend or active_backend()
    return verify_strategy(name, backend).factories[backend](timeout)
