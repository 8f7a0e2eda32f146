"""Train one spec on one data set under one seed: deterministic, optionally distributed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from graphspec.api import CheckResult, check
from graphspec.errors import TrainError
from graphspec.spec import Spec
from graphspec.train.settings import TrainSettings, build_optimizer, resolve_settings

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from graphspec.train.data import Dataset

__all__ = ["ACCURACY_KEYS", "FitRun", "accuracy_key", "fit_spec", "prepare", "seed_everything"]

ACCURACY_KEYS: Final = (
    "accuracy",
    "acc",
    "sparse_categorical_accuracy",
    "categorical_accuracy",
    "binary_accuracy",
)
"""Metric names read as "accuracy" in reports, first found wins."""


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
    model: Any = field(default=None, repr=False)
    initial_weights: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def accuracy_key(self) -> str | None:
        """The test metric reported as accuracy, if any."""
        return accuracy_key(self.test)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written by ``--history`` and ``compare --json``."""
        return {
            "spec": self.spec_name,
            "api": self.kind.lower(),
            "seed": self.seed,
            "data": self.data,
            "strategy": self.strategy,
            "replicas": self.replicas,
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


def seed_everything(seed: int) -> None:
    """Start from a clean Keras session; seed Python, NumPy and TensorFlow; deterministic ops."""
    from graphspec._keras import import_keras_quietly

    import_keras_quietly()
    import keras
    import tensorflow as tf

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


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

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def _first_line(err: Exception) -> str:
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
) -> FitRun:
    """Compile and train a spec; the same arguments give the same numbers.

    ``data`` is a data source (``"digits"``, a ``.npz`` path) or a loaded :class:`Dataset`.
    Settings come from the spec's ``train:`` section, with ``epochs``/``batch_size`` overriding.
    Raises :class:`SpecError` (bad spec or train names), :class:`TrainError` (data that do not
    fit, a Keras failure while training) or :class:`UsageError` (unknown data or strategy).
    """
    from graphspec.train.data import Dataset, load_data

    result = spec if isinstance(spec, CheckResult) else prepare(spec, params)
    settings = resolve_settings(result.spec, epochs=epochs, batch_size=batch_size)
    dataset = data if isinstance(data, Dataset) else load_data(data, result.graph)

    from graphspec.compiler import build_model
    from graphspec.train.strategy import make_strategy

    seed_everything(seed)
    dist = make_strategy(strategy)
    with dist.scope():
        built = build_model(result, api=api)
        model = built.model
        initial = model.get_weights() if keep_initial_weights else None
        try:
            model.compile(
                optimizer=build_optimizer(settings), loss=settings.loss, metrics=settings.metrics
            )
        except (ValueError, TypeError, KeyError) as err:
            raise TrainError(f"Keras could not compile the model: {_first_line(err)}") from None
    x, y = _arrays(dataset, "train", result.graph)
    x_test, y_test = _arrays(dataset, "test", result.graph)
    seconds: list[float] = []
    history = _run(
        lambda: model.fit(
            x,
            y,
            batch_size=settings.batch_size,
            epochs=settings.epochs,
            validation_data=(x_test, y_test),
            shuffle=True,
            verbose=verbose,
            callbacks=[_epoch_timer(seconds)],
        )
    )
    test = _run(
        lambda: model.evaluate(
            x_test, y_test, batch_size=settings.batch_size, verbose=0, return_dict=True
        )
    )
    return FitRun(
        spec_name=result.graph.name,
        kind=built.kind,
        seed=seed,
        settings=settings,
        data=dataset.name,
        history={k: [float(v) for v in vs] for k, vs in history.history.items()},
        test={k: float(v) for k, v in test.items()},
        epoch_seconds=seconds,
        params=int(model.count_params()),
        replicas=int(dist.num_replicas_in_sync),
        strategy=strategy,
        model=model,
        initial_weights=initial,
    )


def _run(step: Any) -> Any:
    """Run a Keras training step; Keras's refusals become :class:`TrainError`."""
    import tensorflow as tf

    try:
        return step()
    except (ValueError, TypeError, tf.errors.InvalidArgumentError) as err:
        raise TrainError(f"training failed: {_first_line(err)}") from None
