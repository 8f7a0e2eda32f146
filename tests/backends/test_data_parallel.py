"""`fit --strategy data-parallel` on JAX over two CPU devices, in a child process.

keras.distribution.DataParallel keeps one copy of the weights per device: after training, every
copy must be bit-identical, and the run must match one device trained on the same samples
(the data-parallel run leaves out at most one sample per split so batches split evenly).

XLA's CPU collectives starve on a 2-core machine unless graphspec enlarges its thread pool
(graphspec.backends.keras.select.jax_cpu_pool, docs/training.md); the run keeps a 60 s abort, never a hang.
"""

from __future__ import annotations

import json

import pytest

from .conftest import SEED_CNN, TWO_JAX_DEVICES, needs, run_python

pytestmark = [pytest.mark.keras, needs("jax")]

TOLERANCE = 0.02
"""|accuracy or loss of two devices − one device| allowed (docs/training.md)."""

PROBE = r"""
import contextlib, dataclasses, io, json, sys
from graphspec.cli.main import main
from graphspec.tools.train.data import load_data
from graphspec.tools.train.fit import fit_spec, prepare

spec, history = sys.argv[1], sys.argv[2]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(["fit", spec, "--data", "digits", "--epochs", "2", "--backend", "jax",
                   "--strategy", "data-parallel", "--history", history])
parallel = json.load(open(history))
result = prepare(spec)
data = load_data("digits", result.graph)
keep = {s: len(getattr(data, f"x_{s}")[0]) - n for s, n in parallel["dropped_samples"].items()}
data = dataclasses.replace(data, **{f"{k}_{s}": [a[:n] for a in getattr(data, f"{k}_{s}")]
                                   for s, n in keep.items() for k in ("x", "y")})
single = fit_spec(result, data, epochs=2)  # one device: no distribution, the same samples
import jax
print(json.dumps({"status": status, "out": out.getvalue(), "parallel": parallel,
                  "single": single.to_dict(), "devices": jax.device_count()}))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    history = tmp_path_factory.mktemp("data-parallel") / "h.json"
    proc = run_python(["-c", PROBE, str(SEED_CNN), str(history)], "jax", extra_env=TWO_JAX_DEVICES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def test_trains_over_two_devices(runs: dict[str, object]) -> None:
    parallel: dict = runs["parallel"]  # type: ignore[assignment]
    assert runs["status"] == 0 and runs["devices"] == 2
    assert (parallel["strategy"], parallel["replicas"], parallel["backend"]) == (
        "data-parallel",
        2,
        "jax",
    )
    assert "2 replicas" in str(runs["out"])
    assert parallel["dropped_samples"] == {"train": 1}  # 1,347 training digits, 450 test
    assert "note: 1 train sample left out" in str(runs["out"])
    assert parallel["test"]["accuracy"] > 0.8  # it trained: chance is 0.1


def test_every_device_holds_the_same_weights(runs: dict[str, object]) -> None:
    parallel: dict = runs["parallel"]  # type: ignore[assignment]
    copies = parallel["replica_weights_sha256"]
    assert len(copies) == 2 and len(set(copies)) == 1
    assert f"weights: sha256 {parallel['weights_sha256']}" in str(runs["out"])


def test_matches_one_device_on_the_same_samples(runs: dict[str, object]) -> None:
    parallel: dict = runs["parallel"]  # type: ignore[assignment]
    single: dict = runs["single"]  # type: ignore[assignment]
    assert single["replicas"] == 1
    assert parallel["initial_weights_sha256"] == single["initial_weights_sha256"]
    for metric in ("accuracy", "loss"):
        assert abs(parallel["test"][metric] - single["test"][metric]) <= TOLERANCE
