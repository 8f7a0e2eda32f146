"""What a comparison found: each model's runs, and the verdict on every pair of models."""

from __future__ import annotations

import itertools
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.ir.graph import Graph
from graphspec.tools.train.fit import FitRun, accuracy_key

__all__ = ["Comparison", "ModelRuns", "PairVerdict", "graph_signature", "pair_verdicts"]


def graph_signature(graph: Graph) -> tuple[Any, ...]:
    """The expanded graph without its names: per node in topological order its kind, type,
    arguments, inputs (as positions) and shared owner; then the outputs (as positions).

    Two specs with equal signatures build the same layers, wired the same way.
    """
    order = graph.topological_order()
    index = {name: i for i, name in enumerate(order)}
    nodes = []
    for name in order:
        node = graph[name]
        nodes.append(
            (
                node.kind.value,
                node.type,
                json.dumps(node.args, sort_keys=True, default=str),
                tuple(index[src] for src in node.inputs),
                index.get(node.share) if node.share else None,
                (tuple(node.shape or ()), node.dtype) if node.is_input else None,
            )
        )
    outputs = tuple(index[node] for _, node in graph.outputs)
    return (tuple(nodes), outputs)


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    if not values:
        return float("nan"), float("nan")
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


@dataclass
class ModelRuns:
    """One model (a spec compiled with one API) trained under each seed."""

    label: str
    spec_file: str
    api: str
    kind: str
    signature: tuple[Any, ...] = field(repr=False)
    runs: list[FitRun] = field(default_factory=list)
    backend: str = "tensorflow"

    @property
    def params(self) -> int:
        """Parameter count."""
        return self.runs[0].params if self.runs else 0

    def finals(self, metric: str) -> list[float]:
        """The final test value of ``metric`` (``"accuracy"`` finds the accuracy key) per seed."""
        values = []
        for run in self.runs:
            key = accuracy_key(run.test) if metric == "accuracy" else metric
            if key is not None and key in run.test:
                values.append(run.test[key])
        return values

    def curves(self, metric: str = "accuracy") -> list[list[float]]:
        """Per seed, the validation (test) ``metric`` after each epoch."""
        out = []
        for run in self.runs:
            key = accuracy_key(run.test) if metric == "accuracy" else metric
            if key is not None and f"val_{key}" in run.history:
                out.append(run.history[f"val_{key}"])
        return out

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall-clock seconds per epoch over every epoch of every seed.

        The median, because each run's first epoch also traces the model into a graph.
        """
        seconds = [s for run in self.runs for s in run.epoch_seconds]
        return statistics.median(seconds) if seconds else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """All raw numbers of this model."""
        acc, loss = _mean_std(self.finals("accuracy")), _mean_std(self.finals("loss"))
        return {
            "label": self.label,
            "spec": self.spec_file,
            "api_requested": self.api,
            "api": self.kind.lower(),
            "backend": self.backend,
            "params": self.params,
            "test_accuracy": {"mean": acc[0], "std": acc[1], "values": self.finals("accuracy")},
            "test_loss": {"mean": loss[0], "std": loss[1], "values": self.finals("loss")},
            "seconds_per_epoch_median": self.seconds_per_epoch,
            "runs": [run.to_dict() for run in self.runs],
        }


@dataclass
class PairVerdict:
    """Whether two models are the same computation: same graph and same initial weights."""

    a: str
    b: str
    same_graph: bool
    same_weights_seeds: int
    seeds: int
    identical_results: bool

    @property
    def same_initial_weights(self) -> bool:
        """Identical initial weights under every seed."""
        return self.seeds > 0 and self.same_weights_seeds == self.seeds

    @property
    def same_computation(self) -> bool:
        """Same graph and identical initial weights under the same seed."""
        return self.same_graph and self.same_initial_weights

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "a": self.a,
            "b": self.b,
            "same_graph": self.same_graph,
            "same_initial_weights": self.same_initial_weights,
            "same_initial_weights_seeds": self.same_weights_seeds,
            "seeds": self.seeds,
            "identical_results": self.identical_results,
            "same_computation": self.same_computation,
        }


@dataclass
class Comparison:
    """Every model's runs and every pair's verdict."""

    data: str
    seeds: list[int]
    epochs: int | None
    models: list[ModelRuns]
    pairs: list[PairVerdict]

    def to_dict(self) -> dict[str, Any]:
        """All raw numbers (``compare --json``)."""
        return {
            "data": self.data,
            "seeds": self.seeds,
            "epochs_override": self.epochs,
            "models": [m.to_dict() for m in self.models],
            "pairs": [p.to_dict() for p in self.pairs],
        }

    @property
    def backends(self) -> list[str]:
        """The Keras backends the models were trained on, in order of appearance."""
        return list(dict.fromkeys(m.backend for m in self.models))

    def table(self) -> str:
        """The results table and the pairwise verdicts, as Markdown."""
        n = len(self.seeds)
        lines = [
            f"data: {self.data}; seeds: {', '.join(map(str, self.seeds))}; "
            f"mean ± sample std over {n} seed{'s' * (n != 1)}",
            "",
            "| model | params | epochs | test accuracy | test loss | s/epoch (median) |",
            "|---|---:|---:|---|---|---:|",
        ]
        for m in self.models:
            acc, loss = _mean_std(m.finals("accuracy")), _mean_std(m.finals("loss"))
            epochs = m.runs[0].settings.epochs if m.runs else 0
            lines.append(
                f"| {m.label} | {m.params:,} | {epochs} | {acc[0]:.4f} ± {acc[1]:.4f} | "
                f"{loss[0]:.4f} ± {loss[1]:.4f} | {m.seconds_per_epoch:.2f} |"
            )
        if self.pairs:
            lines += [
                "",
                "| model A | model B | same graph | same initial weights | identical results "
                "| same computation |",
                "|---|---|---|---|---|---|",
            ]
            for p in self.pairs:
                weights = f"{_yes(p.same_initial_weights)} ({p.same_weights_seeds}/{p.seeds} seeds)"
                lines.append(
                    f"| {p.a} | {p.b} | {_yes(p.same_graph)} | {weights} | "
                    f"{_yes(p.identical_results)} | **{_yes(p.same_computation)}** |"
                )
        if len(self.backends) > 1:
            lines += ["", _BACKENDS_NOTE]
        return "\n".join(lines)


_BACKENDS_NOTE: Final = (
    "Each backend draws initial weights from its own random generator, so one seed gives "
    "different initial weights on different backends: across backends, compare the accuracy "
    "spread over seeds, not single runs."
)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _same_results(a: FitRun, b: FitRun) -> bool:
    return a.history == b.history and a.test == b.test


def _verdict(a: ModelRuns, b: ModelRuns) -> PairVerdict:
    pairs = list(zip(a.runs, b.runs, strict=True))
    same = sum(bool(x.initial_sha256) and x.initial_sha256 == y.initial_sha256 for x, y in pairs)
    return PairVerdict(
        a.label,
        b.label,
        a.signature == b.signature,
        same,
        len(pairs),
        bool(pairs) and all(_same_results(x, y) for x, y in pairs),
    )


def pair_verdicts(models: Sequence[ModelRuns]) -> list[PairVerdict]:
    """The verdict of every pair of models, in order."""
    return [_verdict(a, b) for a, b in itertools.combinations(models, 2)]
