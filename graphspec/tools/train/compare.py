"""Train specs (and APIs) under several seeds; tabulate them and find which are the same model."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from graphspec.tools.train.compare_backends import compare_across_backends
from graphspec.tools.train.fit import accuracy_key, fit_spec, prepare
from graphspec.tools.train.results import (
    Comparison,
    ModelRuns,
    PairVerdict,
    graph_signature,
    pair_verdicts,
)

__all__ = [
    "Comparison",
    "ModelRuns",
    "PairVerdict",
    "compare_specs",
    "graph_signature",
    "pair_verdicts",
]

_APIS_BOTH: Final = ("sequential", "functional")


def _unique(label: str, taken: set[str]) -> str:
    out, n = label, 2
    while out in taken:
        out, n = f"{label} #{n}", n + 1
    taken.add(out)
    return out


def compare_specs(
    specs: Sequence[str | Path],
    data: str,
    *,
    seeds: int = 5,
    epochs: int | None = None,
    batch_size: int | None = None,
    both_apis: bool = False,
    params: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    backends: Sequence[str] | None = None,
) -> Comparison:
    """Train each spec (each linear one with both APIs when ``both_apis``) under seeds 0..n-1.

    With ``backends`` (e.g. ``["tensorflow", "jax"]``), every model is trained on each backend,
    each in its own process (a process runs one backend), and the models appear side by side.
    """
    from graphspec.tools.train.data import load_data
    from graphspec.tools.train.settings import resolve_settings
    from graphspec.tools.train.targets import check_targets

    if seeds < 1:
        from graphspec.errors import UsageError

        raise UsageError(f"--seeds must be at least 1; got {seeds}")
    prepared = [(str(path), prepare(path, params)) for path in specs]
    for _, result in prepared:  # every spec's train section and labels, before any training
        settings = resolve_settings(result.spec, epochs=epochs, batch_size=batch_size)
        check_targets(result, load_data(data, result.graph), settings)
    if backends:
        return compare_across_backends(
            backends,
            specs,
            data,
            seeds=seeds,
            epochs=epochs,
            batch_size=batch_size,
            both_apis=both_apis,
            params=params,
            progress=progress,
        )
    models: list[ModelRuns] = []
    taken: set[str] = set()
    for path, result in prepared:
        dataset = load_data(data, result.graph)
        chain, _ = result.graph.is_chain()
        apis = _APIS_BOTH if both_apis and chain else ("auto",)
        signature = graph_signature(result.graph)
        for api in apis:
            model: ModelRuns | None = None
            for seed in range(seeds):
                _reuse_compiled()  # once the data are known to fit: it imports Keras
                run = fit_spec(
                    result,
                    dataset,
                    seed=seed,
                    api=api,
                    epochs=epochs,
                    batch_size=batch_size,
                )
                run.model = None  # keep numbers, not Keras objects
                if model is None:
                    label = _unique(f"{result.graph.name} [{run.kind.lower()}]", taken)
                    model = ModelRuns(label, path, api, run.kind, signature, backend=run.backend)
                model.runs.append(run)
                if progress:
                    key = accuracy_key(run.test)
                    acc = f"test {key} {run.test[key]:.4f}" if key else "done"
                    took = sum(run.epoch_seconds)
                    progress(f"{model.label} seed {seed}: {acc} ({took:.1f} s)")
            assert model is not None
            models.append(model)
    return Comparison(data, list(range(seeds)), epochs, models, pair_verdicts(models))


def _reuse_compiled() -> None:
    """Let the backend reuse compiled programs across seeds (see graphspec.tools.train.runtime)."""
    from graphspec.backends.keras.loading import import_keras_quietly
    from graphspec.backends.keras.select import active_backend
    from graphspec.tools.train.runtime import runtime

    import_keras_quietly()
    runtime(active_backend()).reuse_compiled()
