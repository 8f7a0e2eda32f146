"""Ray's ``OptunaSearch`` recording each trial's report on its Optuna trial (imports Ray)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ray.tune.search.optuna import OptunaSearch

from graphspec.frontend.search import SearchSpace

__all__ = ["RECORDED", "RecordingSearch", "SpaceOf"]

RECORDED: Final = ("status", "reason", "static_params", "flops", "macs", "epochs", "worker")
"""What a Ray trial reports besides its metric, recorded on its Optuna trial."""


class SpaceOf:
    """The define-by-run space Ray's searcher calls (picklable: Ray saves its searcher)."""

    def __init__(self, space: SearchSpace, fixed: Mapping[str, Any]) -> None:
        self.space = space
        self.fixed = dict(fixed)

    def __call__(self, trial: Any) -> None:
        from graphspec.tools.train.sweep.optuna_engine import suggest

        suggest(trial, self.space, self.fixed)


class RecordingSearch(OptunaSearch):
    """Records what each trial reported (status, reason, figures) on its Optuna trial."""

    def on_trial_complete(
        self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        record = self._ot_trials.get(trial_id)  # Ray's own map: Ray trial -> Optuna trial
        if result and result.get("status") == "training":  # its last report was an epoch's
            result = {
                **result,
                "status": f"stopped by the scheduler after epoch {result.get('epochs')}",
            }
        for key in RECORDED:
            if record is not None and result and result.get(key) is not None:
                record.set_user_attr(key, result[key])
        super().on_trial_complete(trial_id, result, error)
