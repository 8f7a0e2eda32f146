"""``graphspec sweep`` trains on Optuna: two worker processes share one storage without running a
trial twice, a worker killed with ``kill -9`` loses no completed trial, ``--report`` writes the
plots and ``--best`` a plain spec that compiles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import run_graphspec

ROOT = Path(__file__).resolve().parents[2]
SWEEP_CNN = ROOT / "specs" / "sweep_cnn.yaml"

pytestmark = [pytest.mark.keras, pytest.mark.slow]  # minutes of training: make test-all
optuna = pytest.importorskip("optuna")


def _worker(folder: Path, storage: str, trials: int, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "graphspec.cli.main", "sweep", str(SWEEP_CNN)]
    command += ["--data", "digits", "--trials", str(trials), "--storage", storage, *extra]
    return subprocess.Popen(
        command,
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _gs(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_graphspec(folder, *args, timeout=600)


def _study(url: str) -> Any:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.load_study(study_name="sweep_cnn", storage=url)


def _finished(study: Any) -> list[Any]:
    state = optuna.trial.TrialState
    return [t for t in study.get_trials() if t.state in (state.COMPLETE, state.PRUNED)]


def _trained_twice(study: Any) -> list[dict[str, Any]]:
    """Params trained by more than one trial (a trial that found its twin reuses its result)."""
    seen: list[dict[str, Any]] = []
    twice = []
    for trial in study.get_trials():
        if trial.user_attrs.get("status") != "trained" or "duplicate_of" in trial.user_attrs:
            continue
        if trial.params in seen:
            twice.append(trial.params)
        seen.append(trial.params)
    return twice


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """Two processes, one SQLite storage, one study of 8 trials (1 epoch each)."""
    folder = tmp_path_factory.mktemp("sweep")
    workers = [_worker(folder, "shared.db", 8, "--epochs", "1") for _ in range(2)]
    outputs = [w.communicate(timeout=600)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    return folder, f"sqlite:///{folder / 'shared.db'}", outputs


def test_two_workers_share_one_study_without_duplicates(
    two_workers: tuple[Path, str, list[str]],
) -> None:
    _, url, outputs = two_workers
    study = _study(url)
    finished = _finished(study)
    assert len(finished) >= 8
    numbers = [t.number for t in study.get_trials()]
    assert len(numbers) == len(set(numbers))
    assert _trained_twice(study) == []
    workers = {t.user_attrs["worker"] for t in finished}
    assert len(workers) == 2, outputs  # both took trials
    trained = [t for t in finished if t.user_attrs.get("status") == "trained"]
    assert trained and all(0.0 < t.value <= 1.0 for t in trained)
    assert all(t.user_attrs["static_params"] > 0 and t.user_attrs["flops"] > 0 for t in trained)
    pruned = [t for t in finished if t.state == optuna.trial.TrialState.PRUNED]
    for trial in pruned:  # statically pruned trials say why, and were never trained
        if trial.user_attrs.get("status") in ("invalid", "over budget"):
            assert trial.user_attrs["reason"] and "test" not in trial.user_attrs


def test_report_writes_the_plots_and_the_table(two_workers: tuple[Path, str, list[str]]) -> None:
    folder, _, _ = two_workers
    proc = _gs(folder, "sweep", str(SWEEP_CNN), "--storage", "shared.db", "--report")
    assert proc.returncode == 0, proc.stderr
    assert "accuracy" in proc.stdout.splitlines()[0]
    assert "best: trial" in proc.stdout
    for name in ("history", "importance", "pareto"):
        png = folder / "sweep_cnn.sweep" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000
    again = _gs(folder, "sweep", str(SWEEP_CNN), "--storage", "shared.db", "--report")
    assert again.returncode == 0, again.stderr  # the output policy lets it rewrite its plots


def test_best_writes_a_plain_spec_that_compiles(two_workers: tuple[Path, str, list[str]]) -> None:
    folder, url, _ = two_workers
    proc = _gs(folder, "sweep", str(SWEEP_CNN), "--storage", "shared.db", "--best", "-o", "b.yaml")
    assert proc.returncode == 0, proc.stderr
    written = yaml.safe_load((folder / "b.yaml").read_text())
    assert not {"search", "scales", "constraints"} & set(written)
    best = _study(url).best_trial
    assert {k: written["params"][k] for k in best.params} == best.params
    compiled = _gs(folder, "compile", "b.yaml", "-o", "b.keras")
    assert compiled.returncode == 0, compiled.stderr
    assert (folder / "b.keras").stat().st_size > 0
    again = _gs(folder, "sweep", str(SWEEP_CNN), "--storage", "shared.db", "--best", "-o", "b.yaml")
    assert again.returncode == 0, again.stderr  # its own unchanged output: refreshed
    (folder / "b.yaml").write_text((folder / "b.yaml").read_text() + "# my edit\n")
    refused = _gs(
        folder, "sweep", str(SWEEP_CNN), "--storage", "shared.db", "--best", "-o", "b.yaml"
    )
    assert refused.returncode != 0 and "--force" in refused.stderr  # an edited file is kept
    assert (folder / "b.yaml").read_text().endswith("# my edit\n")


@pytest.mark.slow
def test_a_killed_worker_loses_no_completed_trial(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    extra = ("--epochs", "3", "--heartbeat", "3")
    victim = _worker(tmp_path, "kill.db", 10, *extra)
    survivor = _worker(tmp_path, "kill.db", 10, *extra)
    victim_id = None
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:  # wait for the victim to finish one trial, start another
        time.sleep(0.5)
        if not (tmp_path / "kill.db").exists():
            continue
        try:
            trials = _study(url).get_trials()
        except KeyError:
            continue
        for pid_ in (victim.pid,):
            mine = [t for t in trials if t.user_attrs.get("worker", "").endswith(f":{pid_}")]
            done = [t for t in mine if t.state == optuna.trial.TrialState.COMPLETE]
            running = [t for t in mine if t.state == optuna.trial.TrialState.RUNNING]
            if done and running and "static_params" in running[0].user_attrs:
                victim_id = running[0].number
        if victim_id is not None:
            break
    assert victim_id is not None, "the victim never got to a second trial"
    before = {t.number: t.value for t in _finished(_study(url))}
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    out = survivor.communicate(timeout=600)[0]
    assert survivor.returncode == 0, out
    study = _study(url)
    after = {t.number: t.value for t in _finished(study)}
    assert {n: after.get(n) for n in before} == before  # no completed trial lost
    assert len(after) >= 10
    killed = study.trials[victim_id]
    assert killed.state == optuna.trial.TrialState.FAIL
    retried = [t for t in study.get_trials() if t.system_attrs.get("failed_trial") == victim_id]
    assert retried and retried[0].params == killed.params
    assert _trained_twice(study) == []
