"""Per-backend figures (``make bench``): compile and train-step time, each backend in its own process.

``python -m benchmarks.backends BACKEND`` prints one JSON line of measurements on BACKEND;
:func:`measure_all` runs it for every installed backend.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_CNN = ROOT / "specs" / "seed_sequential.yaml"
STEPS = 32
BATCH = 32


def _hand_written_seed_cnn() -> Any:
    """The seed's Sequential CNN written with the Keras API (what specs/seed_sequential.yaml says)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )


def _compile_figures() -> dict[str, float]:
    """Compile ResNet50's spec vs ``keras.Model.from_config`` (a fresh config per call)."""
    import copy

    import keras

    import graphspec
    from benchmarks._timing import paired_medians
    from graphspec.importer import from_keras

    model = keras.applications.ResNet50(weights=None)
    spec = graphspec.load(from_keras(model).to_yaml())
    config = model.get_config()
    fresh = [copy.deepcopy(config) for _ in range(12)]
    ours, ref = paired_medians(
        lambda: graphspec.compile(spec), lambda: keras.Model.from_config(fresh.pop()), repeats=5
    )
    return {"compile_ours": ours, "compile_ref": ref}


def _train_step_figures() -> dict[str, float]:
    """Seconds per training step (batch 32) of the compiled seed CNN vs the hand-written one."""
    import numpy as np

    import graphspec
    from benchmarks._timing import paired_medians

    rng = np.random.default_rng(0)
    x = rng.random((STEPS * BATCH, 28, 28, 1), dtype="float32")
    y = rng.integers(0, 10, size=STEPS * BATCH)
    models = [graphspec.compile(SEED_CNN), _hand_written_seed_cnn()]
    for model in models:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)  # trace, compile

    def epoch(model: Any) -> Any:
        return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)

    ours, ref = paired_medians(epoch(models[0]), epoch(models[1]), repeats=9)
    return {"step_ours": ours / STEPS, "step_ref": ref / STEPS}


def measure(backend: str) -> dict[str, Any]:
    """Every figure on ``backend`` (which must be this process's Keras backend)."""
    import keras

    assert keras.backend.backend() == backend, keras.backend.backend()
    return {"backend": backend, **_compile_figures(), **_train_step_figures()}


def measure_all() -> list[dict[str, Any]]:
    """:func:`measure` for every installed backend, each in a child process, one after another."""
    from graphspec.backend import installed_backends

    results = []
    for backend in installed_backends():
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.backends", backend],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"benchmarks on {backend} failed:\n{proc.stderr[-2000:]}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    from graphspec._keras import import_keras_quietly

    import_keras_quietly()
    print(json.dumps(measure(sys.argv[1])))
