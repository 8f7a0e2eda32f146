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

from graphspec import to_yaml

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
    from graphspec.backends.importer import from_keras

    model = keras.applications.ResNet50(weights=None)
    spec = graphspec.load(to_yaml(from_keras(model)))
    config = model.get_config()
    fresh = [copy.deepcopy(config) for _ in range(12)]
    ours, ref = paired_medians(
        lambda: graphspec.compile(spec), lambda: keras.Model.from_config(fresh.pop()), repeats=5
    )
    return {"compile_ours": ours, "compile_ref": ref}


TRAIN_ROUNDS = 6
"""Child processes per contender for the train-step figure (run alternately)."""


def _train_step(which: str) -> float:
    """Seconds per training step (batch 32) of one model: ``ours`` (compiled) or ``ref``."""
    import numpy as np

    import graphspec
    from benchmarks._timing import median_time

    rng = np.random.default_rng(0)
    x = rng.random((STEPS * BATCH, 28, 28, 1), dtype="float32")
    y = rng.integers(0, 10, size=STEPS * BATCH)
    model = graphspec.compile(SEED_CNN) if which == "ours" else _hand_written_seed_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

    def epoch() -> Any:
        return model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)

    return median_time(epoch, repeats=7, warmup=2) / STEPS


def _train_step_figures(backend: str) -> dict[str, float]:
    """The compiled seed CNN vs the hand-written one, each trained alone in its own process.

    On TensorFlow a process trains the seed CNN in one of two speeds, about 8 or 10.5 ms per
    step on this 2-core machine, at random and whichever model it is (both models in one
    process disturb each other too). So each contender gets fresh processes, taken in turn
    (ours, ref, ours, ...), and the fastest of them is reported, as ``timeit`` advises: the
    cost of the step itself, without the machine's noise.
    """
    times: dict[str, list[float]] = {"ours": [], "ref": []}
    for _ in range(TRAIN_ROUNDS):
        for which, found in times.items():
            found.append(float(_child(backend, "--train-step", which)))
    return {f"step_{k}": min(v) for k, v in times.items()}


def _child(backend: str, *args: str) -> str:
    """The last line printed by ``python -m benchmarks.backends BACKEND ARGS...``."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.backends", backend, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmarks on {backend} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout.strip().splitlines()[-1]


def measure(backend: str) -> dict[str, Any]:
    """Every figure on ``backend`` (which must be this process's Keras backend)."""
    import keras

    assert keras.backend.backend() == backend, keras.backend.backend()
    return {"backend": backend, **_compile_figures()}


def measure_all() -> list[dict[str, Any]]:
    """:func:`measure` for every installed backend, each in a child process, one after another."""
    from graphspec.backends.keras.select import installed_backends

    results = []
    for backend in installed_backends():
        found = json.loads(_child(backend))
        results.append({**found, **_train_step_figures(backend)})
    return results


if __name__ == "__main__":
    from graphspec.backends.keras.loading import import_keras_quietly

    import_keras_quietly()
    if sys.argv[2:3] == ["--train-step"]:
        print(_train_step(sys.argv[3]))
    else:
        print(json.dumps(measure(sys.argv[1])))
