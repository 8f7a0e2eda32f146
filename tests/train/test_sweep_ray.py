"""``graphspec sweep --engine ray``: the same small sweep on a local Ray instance (loopback only).

Not in ``make test``: Ray starts its own processes (GCS, raylet, agents) and every trial imports
TensorFlow in a fresh Ray worker; on the 2-core test machine shared with other jobs this sweep of
4 one-epoch trials took 5 min 25 s from the command line and 3 min 48 s as this test (measured),
over make test's budget. ``make test-ray`` (and
``make test-all``) run it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import run_graphspec

ROOT = Path(__file__).resolve().parents[2]
SWEEP_CNN = ROOT / "specs" / "sweep_cnn.yaml"

pytestmark = [pytest.mark.keras, pytest.mark.slow, pytest.mark.ray]
optuna = pytest.importorskip("optuna")
pytest.importorskip("ray.tune")


def _gs(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_graphspec(folder, *args, timeout=1500)


def test_ray_engine_runs_the_sweep_into_an_optuna_study(tmp_path: Path) -> None:
    run = _gs(
        tmp_path,
        "sweep",
        str(SWEEP_CNN),
        "--engine",
        "ray",
        "--data",
        "digits",
        "--trials",
        "4",
        "--epochs",
        "1",
        "--storage",
        "ray.db",
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "local instance, 127.0.0.1" in run.stdout
    study = optuna.load_study(study_name="sweep_cnn", storage=f"sqlite:///{tmp_path / 'ray.db'}")
    trials = study.get_trials()
    assert len(trials) == 4
    for trial in trials:
        assert trial.user_attrs["worker"] and trial.user_attrs["status"]
        if trial.state == optuna.trial.TrialState.COMPLETE:
            assert trial.user_attrs["static_params"] > 0 and 0.0 <= trial.value <= 1.0
        else:  # statically invalid or over budget: recorded with the reason, not trained
            assert trial.user_attrs.get("reason"), trial.user_attrs
    assert any(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    best = _gs(tmp_path, "sweep", str(SWEEP_CNN), "--storage", "ray.db", "--best", "-o", "b.yaml")
    assert best.returncode == 0, best.stderr
    checked = _gs(tmp_path, "validate", "b.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
