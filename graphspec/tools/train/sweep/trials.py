"""What every engine does for one trial: judge the variant statically, then train it like ``fit``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec.frontend.search import SearchSpace
from graphspec.frontend.spec import Spec
from graphspec.tools.train.fit import ACCURACY_KEYS, fit_spec
from graphspec.tools.train.sweep.variants import Verdict, judge

__all__ = ["Objective", "TrialOutcome", "pick_metric", "train_variant"]


@dataclass(frozen=True)
class Objective:
    """What a sweep optimizes: a test metric (``accuracy``, ``loss``, …) and a direction."""

    metric: str
    direction: str

    @property
    def monitored(self) -> str:
        """The per-epoch key reported to pruners: the metric on the held-out split."""
        return f"val_{self.metric}"


def pick_metric(metrics: object, metric: str | None, direction: str | None) -> Objective:
    """The objective: ``metric`` (default: accuracy when the spec's metrics have it, else the
    loss) and its direction (default: maximize accuracy-like metrics, minimize the rest).

    >>> pick_metric(["accuracy"], None, None)
    Objective(metric='accuracy', direction='maximize')
    >>> pick_metric(["mae"], None, None)
    Objective(metric='loss', direction='minimize')
    """
    names = metrics if isinstance(metrics, list) else []
    chosen = metric or next((m for m in names if m in ACCURACY_KEYS), "loss")
    if direction is None:
        direction = "maximize" if chosen in ACCURACY_KEYS or "accuracy" in chosen else "minimize"
    return Objective(chosen, direction)


@dataclass
class TrialOutcome:
    """One trained variant: its objective value, the test metrics, and whether it was stopped."""

    value: float | None
    test: dict[str, float] = field(default_factory=dict)
    epochs: int = 0
    stopped: bool = False
    seconds: float = 0.0
    history: dict[str, list[float]] = field(default_factory=dict)


def _reporter(report: Callable[[int, float], bool], monitored: str, state: dict[str, Any]) -> Any:
    """A Keras callback giving each epoch's metric to ``report``; stops when it says so."""
    import keras

    class Report(keras.callbacks.Callback):  # type: ignore[misc]  # keras is untyped
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            value = (logs or {}).get(monitored)
            state["epochs"] = epoch + 1
            if value is not None and report(epoch, float(value)):
                state["stopped"] = True
                self.model.stop_training = True

    return Report()


def train_variant(
    verdict: Verdict,
    data: Any,
    objective: Objective,
    *,
    seed: int = 0,
    epochs: int | None = None,
    batch_size: int | None = None,
    report: Callable[[int, float], bool] | None = None,
) -> TrialOutcome:
    """Train a valid variant through the code of ``graphspec fit`` (same seed, same settings).

    ``report(epoch, value)`` receives the monitored metric after each epoch and returns True
    to stop training early (a pruner's verdict).
    """
    assert verdict.result is not None and verdict.trainable
    state: dict[str, Any] = {"epochs": 0, "stopped": False}
    callbacks = [_reporter(report, objective.monitored, state)] if report else []
    start = time.perf_counter()
    run = fit_spec(
        verdict.result,
        data,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=callbacks,
        worker_timeout=None,
    )
    value = run.test.get(objective.metric)
    return TrialOutcome(
        value=None if value is None else float(value),
        test=dict(run.test),
        epochs=state["epochs"] or len(run.epoch_seconds),
        stopped=state["stopped"],
        seconds=time.perf_counter() - start,
        history=run.history,
    )


def static_verdict(
    spec: Spec, space: SearchSpace, variant: Mapping[str, Any], fixed: Mapping[str, Any]
) -> Verdict:
    """:func:`~graphspec.tools.train.sweep.variants.judge` (the static step of every trial)."""
    return judge(spec, space, variant, fixed)
