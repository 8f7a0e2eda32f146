"""The Optuna engine: one study in a storage, shared by every worker that names it.

Each trial samples the searched params (define-by-run, so ``when:`` conditions hold), judges
the variant statically (invalid or over budget: pruned with its reason, never trained), trains
it through ``fit`` reporting every epoch to the pruner, and records everything on the trial
(``user_attrs``). Workers stop when the study holds ``trials`` finished trials; a trial left
running by a killed worker is failed (SQL storages: by heartbeat; journal files: by the next
worker on the same machine) and queued again with the same params.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.errors import TrainError
from graphspec.frontend.search import SearchSpace
from graphspec.frontend.spec import Spec
from graphspec.tools.train.sweep.storage import StorageSpec, fail_dead_local_trials, worker_id
from graphspec.tools.train.sweep.trials import Objective, static_verdict, train_variant
from graphspec.tools.train.sweep.variants import VALID

__all__ = ["PRUNERS", "SweepRun", "load_study", "run_optuna", "suggest"]

PRUNERS: Final = ("median", "hyperband", "none")
_POLL: Final = 1.0


@dataclass
class SweepRun:
    """What this worker did: trials it ran, by outcome."""

    study: str
    ran: list[int] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


def suggest(trial: Any, space: SearchSpace, fixed: Mapping[str, Any]) -> dict[str, Any]:
    """The variant of ``trial``: each active searched param suggested in order."""
    assigned: dict[str, Any] = {}
    for dim in space.dims:
        if not dim.active({**space.defaults, **fixed, **assigned}):
            continue
        if dim.kind == "choice":
            value = trial.suggest_categorical(dim.name, list(dim.choices))
        elif dim.kind == "int":
            value = trial.suggest_int(
                dim.name, int(dim.low), int(dim.high), step=int(dim.step or 1), log=dim.log
            )
        else:
            value = trial.suggest_float(dim.name, dim.low, dim.high, step=dim.step, log=dim.log)
        assigned[dim.name] = value
    return assigned


def _pruner(name: str) -> Any:
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner()
    return optuna.pruners.NopPruner()


def load_study(
    storage: Any, name: str, objective: Objective | None = None, pruner: str = "median"
) -> Any:
    """The study ``name`` in ``storage``: created when missing and ``objective`` is given."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if objective is None:
        try:
            return optuna.load_study(study_name=name, storage=storage)
        except KeyError:
            known = optuna.get_all_study_names(storage)
            raise TrainError(
                f"the storage holds no study `{name}` (studies: {', '.join(known) or 'none'}); "
                "run the sweep first, or name the study with --study"
            ) from None
    return optuna.create_study(
        study_name=name,
        storage=storage,
        load_if_exists=True,
        direction=(
            optuna.study.StudyDirection.MAXIMIZE
            if objective.direction == "maximize"
            else optuna.study.StudyDirection.MINIMIZE
        ),
        pruner=_pruner(pruner),
    )


def _tally(study: Any) -> tuple[int, int]:
    """(finished trials, trials running in some worker). A waiting trial (a killed worker's
    trial enqueued again) is neither: this worker takes it, never waits for it."""
    import optuna

    state = optuna.trial.TrialState
    finished = pending = 0
    for trial in study.get_trials(deepcopy=False):
        if trial.state in (state.COMPLETE, state.PRUNED):
            finished += 1
        elif trial.state == state.FAIL and "error" in trial.user_attrs:
            finished += 1  # training failed: recorded, not retried
        elif trial.state == state.RUNNING:
            pending += 1
    return finished, pending


def run_optuna(
    spec: Spec,
    space: SearchSpace,
    *,
    storage: Any,
    where: StorageSpec,
    study_name: str,
    trials: int,
    data: Callable[[Any], Any],
    objective: Objective,
    fixed: Mapping[str, Any],
    seed: int = 0,
    epochs: int | None = None,
    batch_size: int | None = None,
    pruner: str = "median",
    progress: Callable[[str], None] = print,
) -> SweepRun:
    """Run trials of the shared study until it holds ``trials`` finished ones."""
    import optuna

    study = load_study(storage, study_name, objective, pruner)
    study.set_user_attr("search", [d.describe() for d in space.dims])
    study.set_user_attr("metric", objective.metric)
    run = SweepRun(study_name)
    me = worker_id()

    def one(trial: Any) -> float:
        trial.set_user_attr("worker", me)
        variant = suggest(trial, space, fixed)
        shown = ", ".join(f"{k}={v}" for k, v in variant.items())
        same = _completed_twin(study, trial, variant)
        if same is not None:
            for key in ("static_params", "flops", "macs", "test", "status"):
                if key in same.user_attrs:
                    trial.set_user_attr(key, same.user_attrs[key])
            trial.set_user_attr("duplicate_of", same.number)
            progress(f"trial {trial.number}: {shown}: the same as trial {same.number}")
            run.outcomes["repeated"] = run.outcomes.get("repeated", 0) + 1
            return float(same.value)
        verdict = static_verdict(spec, space, variant, fixed)
        trial.set_user_attr("status", verdict.status)
        for key, value in verdict.figures.items():
            trial.set_user_attr("static_params" if key == "params" else key, value)
        if verdict.status != VALID:
            trial.set_user_attr("reason", verdict.reason)
            trial.set_user_attr("codes", list(verdict.codes or verdict.broken))
            progress(f"trial {trial.number}: {shown}: pruned before training ({verdict.reason})")
            run.outcomes[verdict.status] = run.outcomes.get(verdict.status, 0) + 1
            raise optuna.TrialPruned(verdict.reason)

        def report(epoch: int, value: float) -> bool:
            trial.report(value, epoch)
            return bool(trial.should_prune())

        try:
            outcome = train_variant(
                verdict,
                data(verdict.result),
                objective,
                seed=seed,
                epochs=epochs,
                batch_size=batch_size,
                report=report,
            )
        except TrainError as err:
            trial.set_user_attr("error", str(err))
            run.outcomes["failed"] = run.outcomes.get("failed", 0) + 1
            progress(f"trial {trial.number}: {shown}: training failed: {err}")
            raise
        trial.set_user_attr("test", outcome.test)
        trial.set_user_attr("epochs", outcome.epochs)
        trial.set_user_attr("seconds", round(outcome.seconds, 2))
        figures = f"{verdict.figures.get('params') or 0:,} params"
        if outcome.stopped:
            trial.set_user_attr("status", "stopped by the pruner")
            run.outcomes["stopped"] = run.outcomes.get("stopped", 0) + 1
            progress(
                f"trial {trial.number}: {shown}: stopped after epoch {outcome.epochs} by the "
                f"pruner ({objective.monitored} not promising)"
            )
            raise optuna.TrialPruned("stopped by the pruner")
        if outcome.value is None:
            raise TrainError(f"the test metrics have no `{objective.metric}`: {outcome.test}")
        trial.set_user_attr("status", "trained")
        run.outcomes["trained"] = run.outcomes.get("trained", 0) + 1
        progress(
            f"trial {trial.number}: {shown}: {objective.metric} {outcome.value:.4f} "
            f"({figures}, {outcome.seconds:.1f} s)"
        )
        return outcome.value

    while True:
        finished, pending = _tally(study)
        if finished >= trials:
            break
        if finished + pending >= trials:  # the last trials are running elsewhere: wait
            _fail_stale(study, where)
            time.sleep(_POLL)
            continue
        before = len(study.get_trials(deepcopy=False))
        study.optimize(one, n_trials=1, catch=(TrainError,), gc_after_trial=True)
        run.ran.append(before)
    return run


def _fail_stale(study: Any, where: StorageSpec) -> None:
    """Fail the trials of killed workers so that they run again elsewhere."""
    import optuna

    if where.kind == "journal":
        for number in fail_dead_local_trials(study):
            study.enqueue_trial(study.trials[number].params, skip_if_exists=False)
    else:
        optuna.storages.fail_stale_trials(study)


def _completed_twin(study: Any, trial: Any, variant: Mapping[str, Any]) -> Any:
    """A completed trial with exactly these params (trained already), or ``None``."""
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    for other in done:
        if other.number != trial.number and other.params == dict(variant):
            return other
    return None
