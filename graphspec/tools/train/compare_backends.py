"""``compare --backends``: the same models trained on several Keras backends, one process each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from graphspec.errors import TrainError
from graphspec.tools.train.fit import FitRun, prepare
from graphspec.tools.train.results import Comparison, ModelRuns, graph_signature, pair_verdicts

__all__ = ["compare_across_backends"]


def _check_backends(backends: Sequence[str]) -> list[str]:
    """The distinct backend names, each known and installed (E711, E710 otherwise)."""
    from graphspec.backends.keras.select import BACKENDS, BackendError, is_installed, verify_backend

    names = list(dict.fromkeys(verify_backend(b, source="--backends") for b in backends))
    missing = [b for b in names if not is_installed(b)]
    if missing:
        hints = "; ".join(f"{b}: {BACKENDS[b].install}" for b in missing)
        raise BackendError("E710", f"--backends names backends that are not installed ({hints})")
    return names


def compare_across_backends(
    backends: Sequence[str],
    specs: Sequence[str | Path],
    data: str,
    *,
    seeds: int,
    epochs: int | None,
    batch_size: int | None,
    both_apis: bool,
    params: Mapping[str, Any] | None,
    progress: Callable[[str], None] | None,
) -> Comparison:
    """Run :func:`~graphspec.tools.train.compare.compare_specs` once per backend, in a child process
    each (one after another, so that their timings do not compete), and merge the models.

    Every spec is checked here first, so a bad spec fails before any backend starts.
    """
    from graphspec.tools.train.settings import resolve_settings

    names = _check_backends(backends)
    signatures = {}
    for path in specs:
        result = prepare(path, params)
        resolve_settings(result.spec, epochs=epochs, batch_size=batch_size)
        signatures[str(path)] = graph_signature(result.graph)
    request = {
        "specs": [str(p) for p in specs],
        "data": data,
        "seeds": seeds,
        "epochs": epochs,
        "batch_size": batch_size,
        "both_apis": both_apis,
        "params": dict(params or {}),
    }
    models: list[ModelRuns] = []
    for backend in names:
        if progress:
            progress(f"training on {backend} (a process of its own)")
        for raw in _run_child(backend, request):
            runs = [FitRun.from_dict(r) for r in raw["runs"]]
            label = raw["label"]
            name, _, api = label.partition(" [")
            models.append(
                ModelRuns(
                    f"{name} [{api.rstrip(']')}, {backend}]",
                    raw["spec"],
                    raw["api_requested"],
                    runs[0].kind if runs else raw["api"],
                    signatures[raw["spec"]],
                    runs,
                    backend=backend,
                )
            )
    return Comparison(data, list(range(seeds)), epochs, models, pair_verdicts(models))


def _run_child(backend: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the comparison on ``backend`` in a child process; its models as JSON dicts."""
    with tempfile.TemporaryDirectory(prefix="graphspec-compare-") as folder:
        out = Path(folder) / "models.json"
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        proc = subprocess.run(
            [sys.executable, "-m", "graphspec.tools.train.backend_child", str(out)],
            input=json.dumps(request),
            text=True,
            env=env,
            check=False,
        )
        if proc.returncode != 0 or not out.is_file():
            raise TrainError(
                f"[E715] training on the {backend} backend failed (exit status "
                f"{proc.returncode}); its own messages are above"
            )
        return list(json.loads(out.read_text())["models"])
