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
    "Cluster",
    "Distribution",
    "StrategyInfo",
    "StrategyOptions",
    "check_cluster_flags",
    "is_chief",
    "is_multi_process",
    "jax_cluster",
    "jax_cluster_of",
    "jax_processes",
    "join_jax_cluster",
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
_CLUSTER_FLAGS: Final = "--coordinator, --num-processes and --process-id"
_JAX_CLUSTER_HOW: Final = (
    "give every process --coordinator HOST:PORT --num-processes N --process-id I (I from 0; "
    "process 0 runs the coordinator at HOST:PORT), or set TF_CONFIG as for TensorFlow, or "
    f"Keras's {_JAX_ADDRESSES}, {_JAX_PROCESSES} and {_JAX_PROCESS_ID}"
)


@dataclass(frozen=True)
class Cluster:
    """The processes of one JAX run: the coordinator's address, how many, and which one this is.

    >>> Cluster("127.0.0.1:1234", 2, 1, "--coordinator").chief
    False
    """

    coordinator: str
    processes: int
    process_id: int
    source: str = "--coordinator"
    """Where the description came from (a flag or an environment variable), for messages."""

    @property
    def chief(self) -> bool:
        """Whether this is process 0 (the coordinator, and the one that writes outputs)."""
        return self.process_id == 0


@dataclass(frozen=True)
class StrategyOptions:
    """What a strategy factory is told: the collective timeout, the cluster from the flags."""

    timeout: float | None = None
    """Seconds a collective (or joining the cluster) may wait; ``None``: the backend's default."""
    cluster: Cluster | None = None
    """A JAX cluster given on the command line (``--coordinator`` …), else read from the env."""


@dataclass
class Distribution:
    """A strategy made for one run: build and ``compile`` the model inside :meth:`scope`."""

    name: str
    backend: str
    replicas: int
    chief: bool = True
    multi_process: bool = False
    processes: int = 1
    """Processes that each feed their own share of every global batch (JAX); 1 otherwise."""
    process_id: int = 0
    _scope: Callable[[], Any] = field(default=contextlib.nullcontext, repr=False)
    _on_failure: Callable[[], None] = field(default=lambda: None, repr=False)
    _on_success: Callable[[], None] = field(default=lambda: None, repr=False)

    def scope(self) -> Any:
        """The context in which variables are made (a strategy or distribution scope)."""
        return self._scope()

    def failed(self) -> None:
        """Tell the backend the run failed (JAX: leave without waiting for the dead peers)."""
        self._on_failure()

    def finished(self) -> None:
        """Training is over: what this process does next (saving) involves no other process."""
        self._on_success()


@dataclass(frozen=True)
class StrategyInfo:
    """One ``--strategy`` value: what it does and its factory per backend that can honour it."""

    name: str
    help: str
    factories: Mapping[str, Callable[[StrategyOptions], Distribution]]
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


def _address(text: str, source: str) -> str:
    """``text`` if it is ``HOST:PORT`` with a port in 1..65535; :class:`TrainError` otherwise."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise TrainError(
            f"{source}: the coordinator address must be HOST:PORT (e.g. 10.0.0.1:1234, a port "
            f"in 1..65535); got {text!r}"
        )
    return text.strip()


def _tf_config_cluster(environ: Mapping[str, str]) -> Cluster:
    """The JAX cluster a ``TF_CONFIG`` describes: the chief (else worker 0) coordinates."""
    config = tf_config(environ)
    cluster: dict[str, Any] = config["cluster"]
    other = sorted(set(cluster) - {"chief", "worker"})
    if other:
        raise TrainError(
            f"{_TF_CONFIG} names {', '.join(f'`{t}`' for t in other)} tasks; JAX runs only "
            "`chief` and `worker` tasks (no parameter servers or evaluators)"
        )
    for kind in ("chief", "worker"):
        if not isinstance(cluster.get(kind, []), list):
            raise TrainError(f"{_TF_CONFIG}'s cluster.{kind} must be a list of HOST:PORT strings")
    tasks = [("chief", i, a) for i, a in enumerate(cluster.get("chief", []))]
    tasks += [("worker", i, a) for i, a in enumerate(cluster.get("worker", []))]
    task = config["task"]
    mine = [n for n, (kind, index, _) in enumerate(tasks) if kind == task["type"]]
    ids = [n for n in mine if tasks[n][1] == task["index"]]
    if not tasks or not ids:
        raise TrainError(
            f"{_TF_CONFIG}'s task {task['type']} {task['index']} is not in its cluster "
            f"({', '.join(f'{k} {i}' for k, i, _ in tasks) or 'empty'})"
        )
    return Cluster(_address(str(tasks[0][2]), _TF_CONFIG), len(tasks), ids[0], _TF_CONFIG)


def jax_cluster(flags: Cluster | None = None, environ: Mapping[str, str] | None = None) -> Cluster:
    """The processes of a JAX multi-process run: from the flags, else TF_CONFIG, else Keras's.

    ``flags`` (``--coordinator`` …) win; then ``TF_CONFIG`` (the same file TensorFlow reads: the
    chief, else worker 0, is process 0 and its address the coordinator's); then Keras's
    ``KERAS_DISTRIBUTION_*`` variables (the first address coordinates). :class:`TrainError` when
    none is given, or when both variables are set (which one is meant?).

    >>> jax_cluster(environ={"TF_CONFIG": '{"cluster": {"worker": ["h1:1234", "h2:1234"]}, '
    ...                      '"task": {"type": "worker", "index": 1}}'})
    Cluster(coordinator='h1:1234', processes=2, process_id=1, source='TF_CONFIG')
    """
    environ = os.environ if environ is None else environ
    if flags is not None:
        return flags
    keras_env = jax_processes(environ)
    if environ.get(_TF_CONFIG) and keras_env is not None:
        raise TrainError(
            f"both {_TF_CONFIG} and {_JAX_ADDRESSES} describe the processes; unset one of them "
            f"(or give {_CLUSTER_FLAGS}, which win over both)"
        )
    if environ.get(_TF_CONFIG):
        return _tf_config_cluster(environ)
    if keras_env is not None:
        addresses, count, index = keras_env
        listed = addresses.split(",")
        if len(listed) > 1 and len(listed) != count:
            raise TrainError(
                f"{_JAX_ADDRESSES} lists {len(listed)} addresses but {_JAX_PROCESSES} is {count}"
            )
        first = _address(listed[0], _JAX_ADDRESSES)
        return Cluster(first, count, index, "KERAS_DISTRIBUTION_*")
    raise TrainError(
        f"--strategy multiworker on JAX needs to know the processes: {_JAX_CLUSTER_HOW}"
    )


def check_cluster_flags(
    strategy: str,
    backend: str,
    coordinator: str | None,
    processes: int | None,
    process_id: int | None,
) -> Cluster | None:
    """The cluster the ``--coordinator``/``--num-processes``/``--process-id`` flags give, if any.

    :class:`UsageError` when only some are given, when ``process_id`` is out of range, or when
    the strategy or backend does not use them (TensorFlow reads every address from TF_CONFIG).

    >>> check_cluster_flags("multiworker", "jax", "127.0.0.1:1234", 2, 0)
    Cluster(coordinator='127.0.0.1:1234', processes=2, process_id=0, source='--coordinator')
    >>> check_cluster_flags("none", "jax", None, None, None) is None
    True
    """
    given = {
        "--coordinator": coordinator,
        "--num-processes": processes,
        "--process-id": process_id,
    }
    if all(v is None for v in given.values()):
        return None
    missing = [flag for flag, value in given.items() if value is None]
    if missing:
        raise UsageError(
            f"{_CLUSTER_FLAGS} go together; {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing"
        )
    if backend != "jax" or strategy not in ("multiworker", "data-parallel"):
        raise UsageError(
            f"{_CLUSTER_FLAGS} start JAX's distributed runtime: use them with --backend jax "
            "--strategy multiworker"
            + (
                "; TensorFlow reads every worker's address from TF_CONFIG"
                if backend != "jax"
                else ""
            )
        )
    assert coordinator is not None and processes is not None and process_id is not None
    if not 0 <= process_id < processes:
        raise UsageError(f"--process-id {process_id} must be in 0..{processes - 1}")
    try:
        return Cluster(_address(coordinator, "--coordinator"), processes, process_id)
    except TrainError as err:
        raise UsageError(str(err)) from None


def _jax_multi(
    strategy: str, environ: Mapping[str, str] | None, flags: Cluster | None
) -> Cluster | None:
    """This process's JAX cluster, or ``None`` for a one-process run."""
    if strategy == "multiworker":
        return jax_cluster(flags, environ)
    if strategy == "data-parallel" and (flags is not None or jax_processes(environ) is not None):
        return jax_cluster(
            flags, {k: v for k, v in (environ or os.environ).items() if k != _TF_CONFIG}
        )
    return None


def jax_cluster_of(strategy: str, backend: str, flags: Cluster | None = None) -> Cluster | None:
    """The JAX cluster this run joins, or ``None`` (another backend, or one JAX process).

    >>> jax_cluster_of("multiworker", "tensorflow") is None
    True
    """
    return _jax_multi(strategy, None, flags) if backend == "jax" else None


def is_chief(
    strategy: str,
    environ: Mapping[str, str] | None = None,
    *,
    backend: str = "tensorflow",
    cluster: Cluster | None = None,
) -> bool:
    """Whether this process writes the outputs: always, except for non-chief workers.

    >>> is_chief("multiworker", {"TF_CONFIG": '{"cluster": {"worker": ["a:1", "b:1"]}, '
    ...          '"task": {"type": "worker", "index": 1}}'})
    False
    """
    if backend == "jax" or strategy == "data-parallel":
        found = _jax_multi(strategy, environ, cluster)
        return found is None or found.chief
    if strategy != "multiworker":
        return True
    config = tf_config(environ)
    task: dict[str, object] = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def is_multi_process(
    strategy: str,
    environ: Mapping[str, str] | None = None,
    *,
    cluster: Cluster | None = None,
) -> bool:
    """Whether ``strategy`` runs across processes (which wait for each other).

    >>> is_multi_process("multiworker"), is_multi_process("data-parallel", {})
    (True, False)
    """
    if strategy == "multiworker":
        return True
    return strategy == "data-parallel" and (
        cluster is not None or jax_processes(environ) is not None
    )


# -- TensorFlow ----------------------------------------------------------------------------------


def _tf_default(_: StrategyOptions) -> Distribution:
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    return Distribution("none", "tensorflow", 1, _scope=strategy.scope)


def _tf_mirrored(_: StrategyOptions) -> Distribution:
    """Synchronous replicas on every local GPU, else on every local (logical) CPU device."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    devices = gpus or tf.config.list_logical_devices("CPU")
    strategy = tf.distribute.MirroredStrategy(devices=[d.name for d in devices])
    return Distribution(
        "mirrored", "tensorflow", int(strategy.num_replicas_in_sync), _scope=strategy.scope
    )


def _tf_multiworker(given: StrategyOptions) -> Distribution:
    """Synchronous replicas across the workers ``TF_CONFIG`` describes; collectives time out."""
    tf_config()
    chief = is_chief("multiworker")
    timeout = given.timeout
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


def _one_device(backend: str) -> Callable[[StrategyOptions], Distribution]:
    def make(_: StrategyOptions) -> Distribution:
        if backend == "jax":  # a distribution is process-global in Keras: undo an earlier one
            import keras

            keras.distribution.set_distribution(None)
        return Distribution("none", backend, 1)

    return make


def _jax_data_parallel(options: StrategyOptions) -> Distribution:
    """``keras.distribution.DataParallel`` over every local device; across processes if asked."""
    cluster = _jax_multi("data-parallel", None, options.cluster)
    if cluster is not None:
        return _jax_across(cluster, options.timeout, "data-parallel")
    import keras

    devices = keras.distribution.list_devices()
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return Distribution("data-parallel", "jax", len(devices), _scope=distribution.scope)


def _jax_multiworker(options: StrategyOptions) -> Distribution:
    """``DataParallel`` over every device of every process of the cluster (``jax.distributed``)."""
    return _jax_across(jax_cluster(options.cluster), options.timeout, "multiworker")


def _jax_across(cluster: Cluster, timeout: float | None, name: str) -> Distribution:
    """Join ``cluster``; each process then feeds its own share of every global batch."""
    join_jax_cluster(cluster, timeout)
    import keras

    devices = keras.distribution.list_devices()
    # graphspec gives each process its share of every global batch (tools/train/shard.py)
    distribution = keras.distribution.DataParallel(devices=devices, auto_shard_dataset=False)
    keras.distribution.set_distribution(distribution)
    return Distribution(
        name,
        "jax",
        len(devices),
        chief=cluster.chief,
        multi_process=True,
        processes=cluster.processes,
        process_id=cluster.process_id,
        _scope=distribution.scope,
        _on_failure=_leave_without_shutdown,
        _on_success=_local_again,
    )


def _local_again() -> None:
    """Unset the distribution: the chief saves alone, and Keras's saving makes new variables.

    Under a multi-process distribution, each new variable is placed on every process's devices,
    which waits for every process (``model.save`` makes a throwaway optimizer): the chief would
    wait for workers that are done. The trained weights stay where they are.
    """
    import keras

    keras.distribution.set_distribution(None)


def join_jax_cluster(cluster: Cluster, timeout: float | None) -> None:
    """``jax.distributed.initialize`` (once per process), before JAX computes anything.

    ``timeout`` bounds the wait for every process to join and the heartbeat silence after which
    the coordinator declares a process dead. A coordinator port already taken is E716.
    """
    import jax

    if jax.distributed.is_initialized():
        return
    seconds = max(1, int(timeout)) if timeout else 300
    try:
        jax.distributed.initialize(
            cluster.coordinator,
            cluster.processes,
            cluster.process_id,
            initialization_timeout=seconds,
            heartbeat_timeout_seconds=min(seconds, 100),
            shutdown_timeout_seconds=seconds,
        )
    except (RuntimeError, ValueError) as err:  # JaxRuntimeError is a RuntimeError
        first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise TrainError(
            f"[E716] JAX could not join process {cluster.process_id} of {cluster.processes} to "
            f"the coordinator {cluster.coordinator} (from {cluster.source}): {first}; check that "
            "process 0 can listen on that port, every process can reach it, and all of them "
            "agree on the number of processes"
        ) from None


def _leave_without_shutdown() -> None:
    """After a failed run, exit status 1 without JAX's shutdown barrier.

    At exit JAX waits for every process at a barrier; with a peer dead it waits for the
    heartbeat timeout, then aborts the process with a C++ stack trace. A handler registered now
    runs before JAX's (``atexit`` runs handlers last-in, first-out) and leaves at once.
    """
    import atexit
    import sys

    def leave() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(1)

    atexit.register(leave)


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
            "synchronous data parallelism across processes: tf.distribute."
            "MultiWorkerMirroredStrategy (TF_CONFIG) or jax.distributed + keras.distribution",
            {"tensorflow": _tf_multiworker, "jax": _jax_multiworker},
        ),
        StrategyInfo(
            "data-parallel",
            "keras.distribution.DataParallel over every local JAX device",
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


def make_strategy(
    name: str,
    backend: str | None = None,
    *,
    timeout: float | None = None,
    cluster: Cluster | None = None,
) -> Any:
    """Make the strategy ``name`` on ``backend`` (default: the active one; imports it).

    ``timeout`` bounds each collective operation of a multi-process run, in seconds; ``cluster``
    is a JAX cluster given on the command line (else it is read from the environment).
    """
    from graphspec.backends.keras.select import active_backend

    backend = backend or active_backend()
    factory = verify_strategy(name, backend).factories[backend]
    return factory(StrategyOptions(timeout, cluster))
