"""The Optuna engine's bookkeeping: which trials are finished, which run elsewhere (no training)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec.tools.train.sweep.optuna_engine import _tally

optuna = pytest.importorskip("optuna")


def _study_with_finished(count: int) -> object:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    space = {"width": optuna.distributions.IntDistribution(8, 64)}
    for number in range(count):
        state = optuna.trial.TrialState.COMPLETE if number % 2 else optuna.trial.TrialState.PRUNED
        study.add_trial(
            optuna.trial.create_trial(
                state=state,
                value=0.5 if state == optuna.trial.TrialState.COMPLETE else None,
                params={"width": 8 + number},
                distributions=space,
            )
        )
    return study


def test_a_waiting_trial_is_taken_not_waited_for() -> None:
    """A killed worker's trial enqueued again is WAITING: the surviving worker must run it. It
    was counted as running elsewhere, and with the other trials finished the survivor waited for
    it forever (found by tests/train/test_sweep_run.py's kill test)."""
    study = _study_with_finished(9)
    study.enqueue_trial({"width": 20})
    assert _tally(study) == (9, 0)
    taken = study.ask()  # what `study.optimize(n_trials=1)` does first: the waiting trial
    assert taken.number == 9 and taken.suggest_int("width", 8, 64) == 20
    assert _tally(study) == (9, 1)  # now running (here, or in another worker)


def test_a_storage_that_is_not_a_database_is_one_error_line(tmp_path: Path) -> None:
    """Not a traceback from SQLAlchemy: the storage named, and what the database said."""
    from graphspec.base.output import OutputPolicy
    from graphspec.errors import TrainError
    from graphspec.tools.train.sweep.storage import open_storage, parse_storage

    broken = tmp_path / "study.db"
    broken.write_bytes(b"this is not SQLite" * 100)
    where = parse_storage(str(broken), tmp_path / "default.db")
    with pytest.raises(
        TrainError, match=r"cannot open the sweep's storage .*study\.db.*: .*database"
    ):
        open_storage(where, OutputPolicy(), heartbeat=20)
