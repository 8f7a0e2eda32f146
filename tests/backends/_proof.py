"""Build every shipped spec on this process's Keras backend; record and cross-check the models.

Run as ``python tests/backends/_proof.py MODE FOLDER`` with ``KERAS_BACKEND`` set:
``reference`` saves, per spec, the structure, weights, inputs, predictions and a ``.keras`` file;
``follow`` builds the same specs on another backend, loads the reference weights and the
reference ``.keras`` file, predicts, and saves its own ``.keras`` file and predictions;
``reload`` loads the follower's ``.keras`` files and compares them with the follower's own
predictions. Each mode writes ``FOLDER/<mode>-<backend>.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
BATCH = 3


def spec_paths() -> list[Path]:
    """Every shipped spec (``specs/*.yaml``; the deliberately broken ones live in specs/bad)."""
    return sorted((ROOT / "specs").glob("*.yaml"))


def _inputs(graph: Any) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = []
    for name in graph.inputs:
        node = graph[name]
        shape = (BATCH, *(d or 8 for d in node.shape or ()))
        if node.dtype.startswith(("int", "uint")):
            arrays.append(rng.integers(0, 2, size=shape).astype(node.dtype))
        elif node.dtype == "bool":
            arrays.append(rng.integers(0, 2, size=shape).astype(bool))
        else:
            arrays.append(rng.standard_normal(shape).astype("float32"))
    return arrays


def _predict(model: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
    import keras

    x = inputs[0] if len(inputs) == 1 else inputs
    out = model.predict(x, verbose=0, batch_size=BATCH)
    return [np.asarray(a) for a in keras.tree.flatten(out)]


def _max_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    if len(a) != len(b) or any(x.shape != y.shape for x, y in zip(a, b, strict=True)):
        return float("inf")
    return max(
        (float(np.max(np.abs(x - y))) if x.size else 0.0 for x, y in zip(a, b, strict=True)),
        default=0.0,
    )


def _save(path: Path, arrays: list[np.ndarray]) -> None:
    np.savez(path, *arrays)


def _load(path: Path) -> list[np.ndarray]:
    with np.load(path) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


def _structure(model: Any) -> dict[str, Any]:
    return {
        "class": type(model).__name__,
        "layers": [[layer.name, type(layer).__name__] for layer in model.layers],
        "params": int(model.count_params()),
        "shapes": [list(w.shape) for w in model.get_weights()],
    }


def run(mode: str, folder: Path) -> dict[str, Any]:
    """Do ``mode`` for every spec; returns (and writes) the per-spec record."""
    import keras

    from graphspec.api import check
    from graphspec.backends.keras.compiler import build_model
    from graphspec.backends.keras.loading import set_random_seed

    backend = keras.backend.backend()
    report: dict[str, Any] = {}
    for path in spec_paths():
        name = path.stem
        set_random_seed(0)
        if mode == "reload":
            model = keras.saving.load_model(folder / f"{name}-follower.keras")
            own = _load(folder / f"{name}-follower-preds.npz")
            inputs = _load(folder / f"{name}-inputs.npz")
            report[name] = {"file_diff": _max_diff(_predict(model, inputs), own)}
            continue
        model = build_model(check(path)).model
        entry = _structure(model)
        if mode == "reference":
            inputs = _inputs(check(path).graph)
            _save(folder / f"{name}-inputs.npz", inputs)
            _save(folder / f"{name}-weights.npz", model.get_weights())
            _save(folder / f"{name}-preds.npz", _predict(model, inputs))
            model.save(folder / f"{name}.keras")
        else:
            inputs = _load(folder / f"{name}-inputs.npz")
            reference = _load(folder / f"{name}-preds.npz")
            model.set_weights(_load(folder / f"{name}-weights.npz"))
            entry["weights_diff"] = _max_diff(_predict(model, inputs), reference)
            try:
                loaded = keras.saving.load_model(folder / f"{name}.keras")
            except Exception as err:  # recorded: the test says which failures are Keras's own
                entry["file_error"] = f"{type(err).__name__}: {err}"[:500]
            else:
                entry["file_diff"] = _max_diff(_predict(loaded, inputs), reference)
                entry["file_class"] = type(loaded).__name__
            fresh = build_model(check(path)).model  # this backend's own initial weights
            _save(folder / f"{name}-follower-preds.npz", _predict(fresh, inputs))
            fresh.save(folder / f"{name}-follower.keras")
        report[name] = entry
    (folder / f"{mode}-{backend}.json").write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    run(sys.argv[1], Path(sys.argv[2]))
