"""Train one spec on one data set under one seed: deterministic, optionally distributed."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from graphspec.api import CheckResult, check
from graphspec.errors import TrainError
from graphspec.frontend.spec import Spec
from graphspec.tools.train.settings import TrainSettings, build_optimizer, resolve_settings

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from graphspec.tools.train.data import Dataset
    from graphspec.tools.train.strategy import Cluster

__all__ = [
    "ACCURACY_KEYS",
    "DEFAULT_WORKER_TIMEOUT",
    "FitRun",
    "accuracy_key",
    "fit_spec",
    "prepare",
    "seed_everything",
    "weights_checksum",
]

DEFAULT_WORKER_TIMEOUT: Final = 300.0
"""Seconds a multi-process run may go without progress (or a collective may wait) before failing."""

ACCURACY_KEYS: Final = (
    "accuracy",
    "acc",
    "sparse_categorical_accuracy",
    "categorical_accuracy",
    "binary_accuracy",
)
"""Metric names read as "accuracy" in reports, first found wins."""

_KINDS: Final = {"sequential": "Sequential", "functional": "Functional"}


@dataclass
class FitRun:
    """One training run: settings, per-epoch history, test metrics and timings."""

    spec_name: str
    kind: str
    seed: int
    settings: TrainSettings
    data: str
    history: dict[str, list[float]]
    test: dict[str, float]
    epoch_seconds: list[float]
    params: int
    replicas: int = 1
    strategy: str = "none"
    backend: str = "tensorflow"
    weights_sha256: str = ""
    initial_sha256: str = ""
    dropped: dict[str, int] = field(default_factory=dict)
    replica_sha256: list[str] = field(default_factory=list)
    model: Any = field(default=None, repr=False)
    initial_weights: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def accuracy_key(self) -> str | None:
        """The test metric reported as accuracy, if any."""
        return accuracy_key(self.test)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FitRun:
        """A run from its JSON form (:meth:`to_dict`), e.g. one trained in another process."""
        return cls(
            spec_name=data["spec"],
            kind=_KINDS.get(data["api"], data["api"]),
            seed=int(data["seed"]),
            settings=TrainSettings(**data["settings"]),
            data=data["data"],
            history={k: list(v) for k, v in data["history"].items()},
            test=dict(data["test"]),
            epoch_seconds=list(data["epoch_seconds"]),
            params=int(data["params"]),
            replicas=int(data.get("replicas", 1)),
            strategy=data.get("strategy", "none"),
            backend=data.get("backend", "tensorflow"),
            weights_sha256=data.get("weights_sha256", ""),
            initial_sha256=data.get("initial_weights_sha256", ""),
            dropped=dict(data.get("dropped_samples", {})),
            replica_sha256=list(data.get("replica_weights_sha256", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written by ``--history`` and ``compare --json``."""
        return {
            "spec": self.spec_name,
            "api": self.kind.lower(),
            "seed": self.seed,
            "data": self.data,
            "backend": self.backend,
            "strategy": self.strategy,
            "replicas": self.replicas,
            "weights_sha256": self.weights_sha256,
            "initial_weights_sha256": self.initial_sha256,
            "dropped_samples": self.dropped,
            "replica_weights_sha256": self.replica_sha256,
            "params": self.params,
            "settings": self.settings.to_dict(),
            "history": self.history,
            "test": self.test,
            "epoch_seconds": self.epoch_seconds,
        }


def accuracy_key(metrics: Mapping[str, Any]) -> str | None:
    """The key of ``metrics`` that holds accuracy (see :data:`ACCURACY_KEYS`).

    >>> accuracy_key({"loss": 0.3, "acc": 0.9})
    'acc'
    """
    return next((k for k in ACCURACY_KEYS if k in metrics), None)


def prepare(spec: Spec | str | Path, params: Mapping[str, Any] | None = None) -> CheckResult:
    """Load and check a spec; raises :class:`SpecError` when it is invalid."""
    result = check(spec, params=params)
    result.raise_for_errors()
    return result


def seed_everything(seed: int) -> str:
    """Start from a clean Keras session; seed Python, NumPy and the backend; deterministic ops.

    Returns the backend's name. ``keras.utils.set_random_seed`` seeds every backend; the
    backend's own switch to deterministic kernels comes from :mod:`graphspec.tools.train.runtime`.
    """
    from graphspec.backends.keras.loading import import_keras_quietly, set_random_seed
    from graphspec.tools.train.runtime import runtime

    import_keras_quietly()
    import keras

    backend = str(keras.backend.backend())
    keras.backend.clear_session()
    set_random_seed(seed)
    runtime(backend).deterministic()
    return backend


def weights_checksum(weights: Sequence[Any]) -> str:
    """SHA-256 over every weight array's shape, dtype and bytes, in order (hex).

    Equal checksums mean bit-identical weights (e.g. on every worker of a synchronous run).

    >>> import numpy as np
    >>> weights_checksum([np.zeros(2, "float32")]) == weights_checksum([np.zeros(2, "float32")])
    True
    """
    import numpy as np

    digest = hashlib.sha256()
    for weight in weights:
        array = np.ascontiguousarray(np.asarray(weight))
        digest.update(f"{array.shape}{array.dtype.str};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _arrays(data: Dataset, split: str, graph: Any) -> tuple[Any, Any]:
    """``(x, y)`` in the structure the compiled model takes: one array, a list or a dict."""
    xs: list[Any] = getattr(data, f"x_{split}")
    ys: list[Any] = getattr(data, f"y_{split}")
    x = xs[0] if len(xs) == 1 else list(xs)
    if graph.outputs_named:
        return x, dict(zip(data.output_names, ys, strict=True))
    return x, ys[0] if len(ys) == 1 else list(ys)


def _epoch_timer(seconds: list[float]) -> Any:
    """A Keras callback appending each epoch's wall-clock seconds to ``seconds``."""
    import keras

    class EpochTimer(keras.callbacks.Callback):  # type: ignore[misc]  # keras is untyped
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def fit_spec(
    spec: Spec | str | Path | CheckResult,
    data: str | Dataset,
    *,
    seed: int = 0,
    api: str = "auto",
    strategy: str = "none",
    epochs: int | None = None,
    batch_size: int | None = None,
    params: Mapping[str, Any] | None = None,
    verbose: int | str = 0,
    keep_initial_weights: bool = False,
    worker_timeout: float | None = DEFAULT_WORKER_TIMEOUT,
    cluster: Cluster | None = None,
    callbacks: Sequence[Any] = (),
) -> FitRun:
    """Compile and train a spec; the same arguments give the same numbers.

    ``data`` is a data source (``"digits"``, a ``.npz`` path) or a loaded :class:`Dataset`.
    Settings come from the spec's ``train:`` section, with ``epochs``/``batch_size`` overriding.
    Runs on the active Keras backend (see :mod:`graphspec.backends.keras.select`). In a multi-process run,
    ``worker_timeout`` seconds without progress end the process with an E714 message.
    ``cluster`` names the processes of a JAX multi-process run (else read from the environment:
    see :func:`graphspec.tools.train.strategy.jax_cluster`).
    Raises :class:`SpecError` (bad spec or train names), :class:`TrainError` (data that do not
    fit, a Keras failure while training, a lost worker) or :class:`UsageError` (unknown data or
    strategy, a strategy the backend cannot honour). ``callbacks`` are extra Keras callbacks
    given to ``model.fit`` (a sweep reports each epoch to its pruner through one).
    """
    from graphspec.backends.keras.select import active_backend
    from graphspec.tools.train.data import Dataset, load_data
    from graphspec.tools.train.strategy import (
        is_multi_process,
        jax_cluster_of,
        join_jax_cluster,
        verify_strategy,
    )

    result = spec if isinstance(spec, CheckResult) else prepare(spec, params)
    settings = resolve_settings(result.spec, epochs=epochs, batch_size=batch_size)
    dataset = data if isinstance(data, Dataset) else load_data(data, result.graph)
    active = active_backend()
    verify_strategy(strategy, active)  # refused before the backend starts
    multi = is_multi_process(strategy, cluster=cluster)
    joined = jax_cluster_of(strategy, active, cluster)  # a JAX cluster: checked before it starts
    timeout = worker_timeout if multi else None
    if joined is None:
        backend = seed_everything(seed)  # imports Keras: only now, once spec and data are checked
    guard: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    dog = None
    if multi and worker_timeout:
        from graphspec.tools.train.watchdog import Watchdog

        dog = Watchdog(worker_timeout, "waiting for the other workers to join")
        guard = dog
    with guard:
        if joined is not None:  # JAX: join the other processes before it computes anything
            join_jax_cluster(joined, timeout)
            backend = seed_everything(seed)
        return _fit(
            result,
            dataset,
            settings,
            seed,
            backend,
            api,
            strategy,
            verbose,
            keep_initial_weights,
            timeout,
            dog,
            joined,
            callbacks,
        )


def _fit(
    result: CheckResult,
    dataset: Dataset,
    settings: TrainSettings,
    seed: int,
    backend: str,
    api: str,
    strategy: str,
    verbose: int | str,
    keep: bool,
    timeout: float | None,
    dog: Any,
    cluster: Cluster | None,
    extra: Sequence[Any] = (),
) -> FitRun:
    from graphspec.tools.train.strategy import make_strategy

    dist = make_strategy(strategy, backend, timeout=timeout, cluster=cluster)
    try:
        run = _train(result, dataset, settings, seed, backend, api, verbose, dist, dog, keep, extra)
    except BaseException:
        dist.failed()
        raise
    dist.finished()
    return run


def _train(
    result: CheckResult,
    dataset: Dataset,
    settings: TrainSettings,
    seed: int,
    backend: str,
    api: str,
    verbose: int | str,
    dist: Any,
    dog: Any,
    keep_initial_weights: bool,
    extra: Sequence[Any] = (),
) -> FitRun:
    from graphspec.backends.keras.compiler import build_model
    from graphspec.tools.train.runtime import runtime

    with dist.scope():
        built = build_model(result, api=api)
        model = built.model
        initial = model.get_weights()
        try:
            model.compile(
                optimizer=build_optimizer(settings), loss=settings.loss, metrics=settings.metrics
            )
        except (ValueError, TypeError, KeyError) as err:
            raise TrainError(f"Keras could not compile the model: {_first_line(err)}") from None
    dropped: dict[str, int] = {}
    if backend == "jax" and dist.replicas > 1:
        dataset, dropped = _even_split(dataset, settings.batch_size, dist.replicas, dist.name)
    x, y = _arrays(dataset, "train", result.graph)
    x_test, y_test = _arrays(dataset, "test", result.graph)
    seconds: list[float] = []
    callbacks = [_epoch_timer(seconds)]
    if dog is not None:
        from graphspec.tools.train.watchdog import progress_callback

        dog.kick("building the model")
        callbacks.append(progress_callback(dog))
    hooks = runtime(backend)
    errors = (
        hooks.failures(),
        hooks.lost_peer() if dist.multi_process else (),
        hooks.peer_gone if dist.multi_process else _never,
    )
    batching: dict[str, Any] = {"batch_size": settings.batch_size}
    train: tuple[Any, ...] = (x, y)
    test: tuple[Any, ...] = (x_test, y_test)
    shuffle = True
    if dist.processes > 1:  # each process feeds its share of every global batch
        from graphspec.tools.train.shard import process_share

        share = (settings.batch_size, dist.processes, dist.process_id)
        train = (process_share(x, y, *share, shuffle=True),)
        test = (process_share(x_test, y_test, *share, shuffle=False),)
        batching, shuffle = {}, False  # the share shuffles; Keras would reorder its batches
    history = _run(
        lambda: model.fit(
            *train,
            **batching,
            epochs=settings.epochs,
            validation_data=test if len(test) > 1 else test[0],
            shuffle=shuffle,
            verbose=verbose,
            callbacks=[*callbacks, *extra],
        ),
        *errors,
    )
    metrics = _run(
        lambda: model.evaluate(
            *test,
            **batching,
            verbose=0,
            return_dict=True,
            callbacks=callbacks[1:],
        ),
        *errors,
    )
    return FitRun(
        spec_name=result.graph.name,
        kind=built.kind,
        seed=seed,
        settings=settings,
        data=dataset.name,
        history={k: [float(v) for v in vs] for k, vs in history.history.items()},
        test={k: float(v) for k, v in metrics.items()},
        epoch_seconds=seconds,
        params=int(model.count_params()),
        replicas=dist.replicas,
        strategy=dist.name,
        backend=backend,
        weights_sha256=weights_checksum(model.get_weights()),
        initial_sha256=weights_checksum(initial),
        model=model,
        initial_weights=initial if keep_initial_weights else None,
        dropped=dropped,
        replica_sha256=[weights_checksum(w) for w in hooks.replica_weights(model)]
        if dist.replicas > 1
        else [],
    )


def _even_split(
    data: Dataset, batch_size: int, replicas: int, strategy: str
) -> tuple[Dataset, dict[str, int]]:
    """``data`` with each split cut to a multiple of ``replicas`` samples, and what was cut.

    ``keras.distribution.DataParallel`` splits every batch evenly over the devices, the last,
    short one included; it cannot split 3 samples over 2 devices. At most ``replicas - 1``
    samples per split are dropped (the last ones of the split, the same in every epoch).
    """
    import dataclasses

    if batch_size % replicas:
        raise TrainError(
            f"--strategy {strategy} splits each batch over {replicas} devices, but batch_size "
            f"{batch_size} is not a multiple of {replicas}; use --batch-size "
            f"{batch_size + replicas - batch_size % replicas}"
        )
    dropped: dict[str, int] = {}
    kept: dict[str, int] = {}
    for split, count in (("train", data.n_train), ("test", data.n_test)):
        keep = count - count % replicas
        if keep == 0:
            raise TrainError(
                f"the {split} split has {count} samples, fewer than {replicas} devices"
            )
        if keep < count:
            dropped[split] = count - keep
            kept[split] = keep

    def cut(arrays: list[np.ndarray], split: str) -> list[np.ndarray]:
        return [a[: kept[split]] for a in arrays] if split in kept else arrays

    return dataclasses.replace(
        data,
        x_train=cut(data.x_train, "train"),
        y_train=cut(data.y_train, "train"),
        x_test=cut(data.x_test, "test"),
        y_test=cut(data.y_test, "test"),
    ), dropped


def _never(_: BaseException) -> bool:
    return False


def _run(
    step: Any,
    failures: tuple[type[BaseException], ...],
    lost_peer: tuple[type[BaseException], ...],
    peer_gone: Any = _never,
) -> Any:
    """Run a Keras training step; the backend's refusals become :class:`TrainError`.

    ``lost_peer`` are the error classes, and ``peer_gone`` the test on an error's text, that
    say another process of the run is gone (E714).
    """
    refused: tuple[type[BaseException], ...] = (ValueError, TypeError, *failures)
    try:
        return step()
    except lost_peer as err:
        raise TrainError(_lost(err)) from None
    except refused as err:
        if peer_gone(err):
            raise TrainError(_lost(err)) from None
        raise TrainError(f"training failed: {_first_line(err)}") from None


def _lost(err: BaseException) -> str:
    return (
        f"[E714] lost contact with another worker: {_peer_text(err)}; check every worker's "
        "log, then restart all of them"
    )


def _peer_text(err: BaseException) -> str:
    """The line of a backend's distributed-runtime error that says what happened."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        low = line.lower()
        words = ("unhealthy", "heartbeat", "timed out", "deadline", "socket", "connection")
        if any(w in low for w in words):
            return line[:300]
    return f"{type(err).__name__}: {lines[0][:300]}" if lines else type(err).__name__
