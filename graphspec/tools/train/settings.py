"""The ``train:`` section with command-line overrides; optimizer, loss and metric names checked."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Final

from graphspec.base.catalog import named_objects
from graphspec.base.source import Path
from graphspec.base.suggest import did_you_mean
from graphspec.errors import Diagnostic, SpecError, TrainError, UsageError
from graphspec.frontend.spec import Spec, TrainSpec

__all__ = [
    "TrainSettings",
    "build_optimizer",
    "known_names",
    "resolve_settings",
    "train_diagnostics",
]

_NEEDS_ARGS: Final = "it needs constructor arguments a name cannot give"
_UNUSABLE: Final[dict[str, dict[str, str]]] = {
    "optimizer": {
        "multioptimizer": "it takes Python optimizer objects",
        "lossscaleoptimizer": "it wraps a Python optimizer object",
    },
    "loss": {},
    "metric": {
        name: _NEEDS_ARGS
        for name in (
            "iou",
            "meaniou",
            "onehotiou",
            "onehotmeaniou",
            "meanmetricwrapper",
            "precisionatrecall",
            "recallatprecision",
            "sensitivityatspecificity",
            "specificityatsensitivity",
        )
    },
}
"""Names Keras knows that a ``train:`` section cannot use, by family, with the reason."""
_LOSS_ALIASES: Final = ("mse", "mae", "mape", "msle", "kld", "bce", "MSE", "MAE", "MAPE", "MSLE")
_METRIC_ALIASES: Final = ("accuracy", "acc", "crossentropy", "ce", "mse", "mae", "mape", "msle")


@dataclass(frozen=True)
class TrainSettings:
    """Resolved training settings: the spec's ``train:`` section with overrides applied."""

    optimizer: str | dict[str, Any] = "adam"
    loss: str | list[str] | dict[str, str] = "sparse_categorical_crossentropy"
    metrics: list[str] | dict[str, list[str]] = field(default_factory=lambda: ["accuracy"])
    batch_size: int = 32
    epochs: int = 5

    @classmethod
    def from_spec(cls, train: TrainSpec | None) -> TrainSettings:
        """Settings from a ``train:`` section (defaults when the spec has none)."""
        train = train or TrainSpec()
        return cls(
            optimizer=train.optimizer,
            loss=train.loss,
            metrics=train.metrics,
            batch_size=train.batch_size,
            epochs=train.epochs,
        )

    @property
    def optimizer_name(self) -> str:
        """The optimizer's name, whether written as a name or a mapping."""
        if isinstance(self.optimizer, dict):
            return str(self.optimizer.get("type", "?"))
        return self.optimizer

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (recorded in history and compare outputs)."""
        metrics = self.metrics if isinstance(self.metrics, dict) else list(self.metrics)
        return {
            "optimizer": self.optimizer,
            "loss": self.loss,
            "metrics": metrics,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
        }


def _snake(name: str) -> str:
    """Keras's own class-name to function-name rule (``SparseCategoricalAccuracy`` → ...)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


@cache
def _optimizer_names() -> tuple[str, ...]:
    names = [n for n in named_objects("optimizers") if not _unusable("optimizer", n)]
    return tuple([n.lower() for n in names] + names)


@cache
def _loss_names() -> tuple[str, ...]:
    return (*named_objects("losses"), *_LOSS_ALIASES)


@cache
def _metric_names() -> tuple[str, ...]:
    classes = [n for n in named_objects("metrics") if not _unusable("metric", n)]
    return tuple(dict.fromkeys([*_METRIC_ALIASES, *map(_snake, classes), *classes]))


def _unusable(family: str, name: str) -> str | None:
    """Why Keras's ``name`` cannot be used in a spec, or ``None`` (case and ``_`` ignored)."""
    return _UNUSABLE[family].get(name.lower().replace("_", ""))


_NAMES: Final[dict[str, Callable[[], tuple[str, ...]]]] = {
    "optimizer": _optimizer_names,
    "loss": _loss_names,
    "metric": _metric_names,
}
_CODES: Final[dict[str, str]] = {"optimizer": "E701", "loss": "E702", "metric": "E703"}


def known_names(family: str) -> tuple[str, ...]:
    """The names a ``train:`` section may use for ``optimizer``, ``loss`` or ``metric``.

    >>> "adam" in known_names("optimizer"), "accuracy" in known_names("metric")
    (True, True)
    """
    return _NAMES[family]()


def _is_known(family: str, name: str) -> bool:
    if family == "optimizer":  # Keras resolves optimizer names case-insensitively
        return name.lower() in {n.lower() for n in known_names(family)}
    return name in known_names(family)


def _diag(spec: Spec, family: str, path: Path, message: str, hint: str | None) -> Diagnostic:
    loc = spec.source.at(path)
    return Diagnostic(
        _CODES[family],
        message,
        file=spec.file,
        loc=loc,
        hint=hint,
    )


def _check_name(
    spec: Spec, family: str, name: Any, path: Path, *, classes_first: bool = False
) -> Iterator[Diagnostic]:
    if not isinstance(name, str):
        yield _diag(spec, family, path, f"{family} must be a name; got {name!r}", None)
        return
    reason = _unusable(family, name)
    if reason:
        yield _diag(spec, family, path, f"{family} `{name}` cannot be used: {reason}", None)
        return
    if not _is_known(family, name):
        choices = known_names(family)
        if classes_first:
            choices = tuple(sorted(choices, key=lambda n: n.islower()))
        hint = did_you_mean(name, choices)
        yield _diag(spec, family, path, f"unknown {family} `{name}`", hint)


def _output_names(spec: Spec) -> list[str] | None:
    """Output names when outputs are named with a mapping (the keys a loss mapping may use)."""
    return list(spec.outputs) if isinstance(spec.outputs, dict) else None


def _check_keys(spec: Spec, family: str, keys: list[str], path: Path) -> Iterator[Diagnostic]:
    names = _output_names(spec)
    if names is None:
        return
    for key in keys:
        if key not in names:
            hint = did_you_mean(key, names) or f"outputs are: {', '.join(names)}"
            yield _diag(spec, family, (*path, key), f"{family} for unknown output `{key}`", hint)


def _optimizer_diagnostics(spec: Spec, value: Any) -> Iterator[Diagnostic]:
    path: Path = ("train", "optimizer")
    if isinstance(value, dict):
        if "type" not in value:
            yield _diag(
                spec,
                "optimizer",
                path,
                "an optimizer mapping needs `type`",
                "write e.g. `optimizer: {type: Adam, learning_rate: 0.001}`",
            )
            return
        yield from _check_name(
            spec, "optimizer", value["type"], (*path, "type"), classes_first=True
        )
        return
    yield from _check_name(spec, "optimizer", value, path)


def _loss_diagnostics(spec: Spec, value: Any) -> Iterator[Diagnostic]:
    path: Path = ("train", "loss")
    if isinstance(value, dict):
        yield from _check_keys(spec, "loss", list(value), path)
        for key, name in value.items():
            yield from _check_name(spec, "loss", name, (*path, key))
    elif isinstance(value, list):
        for i, name in enumerate(value):
            yield from _check_name(spec, "loss", name, (*path, i))
    else:
        yield from _check_name(spec, "loss", value, path)


def _metric_diagnostics(spec: Spec, value: Any) -> Iterator[Diagnostic]:
    path: Path = ("train", "metrics")
    groups = value.items() if isinstance(value, dict) else [(None, value)]
    if isinstance(value, dict):
        yield from _check_keys(spec, "metric", list(value), path)
    for key, names in groups:
        base = path if key is None else (*path, key)
        for i, name in enumerate(names):
            yield from _check_name(spec, "metric", name, (*base, i))


def train_diagnostics(spec: Spec, settings: TrainSettings | None = None) -> list[Diagnostic]:
    """Problems with the optimizer, loss and metric names (E701, E702, E703), located in the spec.

    Never imports TensorFlow: names are checked against the shipped Keras catalog.

    >>> from graphspec import load
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}\\n"
    ...             "train: {optimizer: adamm}\\n")
    >>> [d.format() for d in train_diagnostics(spec)]
    ['<spec>:3:20: error[E701]: unknown optimizer `adamm`\\n  hint: did you mean `adam`?']
    """
    settings = settings or TrainSettings.from_spec(spec.train)
    return [
        *_optimizer_diagnostics(spec, settings.optimizer),
        *_loss_diagnostics(spec, settings.loss),
        *_metric_diagnostics(spec, settings.metrics),
    ]


def resolve_settings(
    spec: Spec, *, epochs: int | None = None, batch_size: int | None = None
) -> TrainSettings:
    """The spec's ``train:`` section with command-line overrides; raises :class:`SpecError`.

    >>> from graphspec import load
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}\\n")
    >>> resolve_settings(spec, epochs=2).epochs
    2
    """
    settings = TrainSettings.from_spec(spec.train)
    overrides = {"epochs": epochs, "batch_size": batch_size}
    for flag, value in overrides.items():
        if value is not None and value <= 0:
            raise UsageError(f"--{flag.replace('_', '-')} must be a positive integer; got {value}")
    if epochs is not None:
        settings = replace(settings, epochs=epochs)
    if batch_size is not None:
        settings = replace(settings, batch_size=batch_size)
    found = train_diagnostics(spec, settings)
    if found:
        raise SpecError(found)
    return settings


def build_optimizer(settings: TrainSettings) -> Any:
    """A fresh Keras optimizer for ``settings`` (imports Keras); bad arguments → TrainError."""
    import keras

    classes = {
        name.lower(): cls
        for name, cls in vars(keras.optimizers).items()
        if isinstance(cls, type) and issubclass(cls, keras.optimizers.Optimizer)
    }
    spec = settings.optimizer
    kwargs = {k: v for k, v in spec.items() if k != "type"} if isinstance(spec, dict) else {}
    cls = classes.get(settings.optimizer_name.lower())
    if cls is None:
        raise TrainError(f"this Keras has no optimizer `{settings.optimizer_name}`")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise TrainError(f"optimizer `{settings.optimizer_name}`: {err}") from None
