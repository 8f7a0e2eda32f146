"""The Ray Tune engine: the same trials, scheduled by Ray (a local instance or ``--address``).

Sampling is Optuna's (Ray's ``OptunaSearch`` with the same define-by-run space, so ``when:``
holds), stored in the same Optuna storage as the Optuna engine's studies: ``--report`` and
``--best`` read either. Each trial runs in a Ray worker: it judges its variant statically
(invalid or over budget: reported without the metric, so the study records it pruned, with
its reason) and trains it through ``fit``, reporting every epoch; Ray's ASHA scheduler stops
unpromising trials as Optuna's pruner would.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from graphspec.base.output import OutputPolicy
from graphspec.errors import UsageError
from graphspec.frontend.search import SearchSpace
from graphspec.frontend.spec import Spec
from graphspec.tools.train.sweep.storage import StorageSpec, open_storage
from graphspec.tools.train.sweep.trials import Objective

__all__ = ["run_ray", "trial_body", "trial_job"]


def trial_body(config: Mapping[str, Any], job: Mapping[str, Any]) -> None:
    """One trial in a Ray worker: judge the variant, train it, report each epoch to Ray."""
    from ray import tune

    from graphspec.api import load
    from graphspec.backends.keras.packages import load_portable
    from graphspec.frontend.search import read_search
    from graphspec.tools.train.data import load_data
    from graphspec.tools.train.sweep.storage import worker_id
    from graphspec.tools.train.sweep.trials import train_variant
    from graphspec.tools.train.sweep.variants import judge

    load_portable(job.get("layers", ()), "the sweep's layer packages")  # before the spec
    spec = load(Path(job["spec"]))
    space = read_search(spec)[0]
    variant = {k: v for k, v in config.items() if k in {d.name for d in space.dims}}
    verdict = judge(spec, space, variant, job["fixed"])
    base: dict[str, Any] = {"worker": worker_id(), "status": verdict.status}
    base.update({("static_params" if k == "params" else k): v for k, v in verdict.figures.items()})
    if not verdict.trainable:
        tune.report({**base, "reason": verdict.reason})
        return
    objective = Objective(job["metric"], job["direction"])
    epochs: list[float] = []

    def report(epoch: int, value: float) -> bool:
        epochs.append(value)
        tune.report({objective.metric: value, "epochs": epoch + 1, **base, "status": "training"})
        return False

    assert verdict.result is not None  # trainable: checked without errors
    data = load_data(job["data"], verdict.result.graph)
    outcome = train_variant(
        verdict,
        data,
        objective,
        seed=job["seed"],
        epochs=job["epochs"],
        batch_size=job["batch_size"],
        report=report,
    )
    if outcome.value is not None:
        tune.report(
            {objective.metric: outcome.value, "epochs": outcome.epochs, **base, "status": "trained"}
        )


def trial_job(
    spec: Spec,
    *,
    fixed: Mapping[str, Any],
    data: str,
    objective: Objective,
    seed: int,
    epochs: int | None,
    batch_size: int | None,
) -> dict[str, Any]:
    """What each Ray worker needs to run a trial of ``spec``, as plain data: the spec's path, the
    fixed params, the data, the objective, and the layer packages this process loaded (a worker
    imports them before it reads the spec, as ``--layers`` did here)."""
    from graphspec.backends.keras.packages import portable_declarations

    return {
        "spec": str(Path(spec.file).resolve()),
        "fixed": dict(fixed),
        "data": str(Path(data).resolve()) if Path(data).exists() else data,
        "metric": objective.metric,
        "direction": objective.direction,
        "seed": seed,
        "epochs": epochs,
        "batch_size": batch_size,
        "layers": portable_declarations(),
    }


def run_ray(
    spec: Spec,
    space: SearchSpace,
    *,
    data: str,
    trials: int,
    objective: Objective,
    fixed: Mapping[str, Any],
    address: str | None,
    where: StorageSpec,
    study_name: str,
    policy: OutputPolicy,
    seed: int = 0,
    epochs: int | None = None,
    batch_size: int | None = None,
    progress: Callable[[str], None] = print,
) -> None:
    """Run ``trials`` trials on Ray, recorded in the Optuna study ``study_name``."""
    try:
        import ray
        from ray import tune
        from ray.tune.schedulers import ASHAScheduler

        from graphspec.tools.train.sweep.ray_search import RecordingSearch, SpaceOf
    except ModuleNotFoundError as err:
        raise UsageError(
            "--engine ray needs Ray Tune: pip install 'graphspec[ray]' (or 'ray[tune]')"
        ) from err
    from graphspec.tools.train.sweep.optuna_engine import load_study

    storage = open_storage(where, policy, heartbeat=60)
    load_study(storage, study_name, objective)  # created with its direction if new
    study_attrs = {"metric": objective.metric}

    searcher = RecordingSearch(
        space=SpaceOf(space, fixed),
        metric=objective.metric,
        mode="max" if objective.direction == "maximize" else "min",
        study_name=study_name,
        storage=storage,
        seed=seed,
    )
    job = trial_job(
        spec,
        fixed=fixed,
        data=data,
        objective=objective,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
    )
    os.environ.setdefault("TUNE_DISABLE_STRICT_METRIC_CHECKING", "1")  # invalid: no metric
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault(
        "RAY_worker_niceness", "0"
    )  # Ray's default 15 starves trials on a busy box
    scratch = Path(tempfile.mkdtemp(prefix="graphspec-ray-"))
    started = False
    try:
        if not ray.is_initialized():
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=2,
                    include_dashboard=False,
                    log_to_driver=False,
                    _node_ip_address="127.0.0.1",
                    object_store_memory=100 * 1024 * 1024,
                    _temp_dir=str(scratch / "ray"),
                )
            started = True
        progress(
            f"sweep {study_name} on Ray ({address or 'local instance, 127.0.0.1'}): {trials} "
            f"trials in {where.describe()}"
        )
        tuner = tune.Tuner(
            tune.with_parameters(trial_body, job=job),
            tune_config=tune.TuneConfig(
                search_alg=searcher,
                scheduler=ASHAScheduler(
                    metric=objective.metric,
                    mode="max" if objective.direction == "maximize" else "min",
                    grace_period=1,
                ),
                num_samples=trials,
                max_concurrent_trials=2,
            ),
            run_config=tune.RunConfig(
                name=study_name, storage_path=str(scratch / "results"), verbose=0
            ),
        )
        results = tuner.fit()
        for result in (results[i] for i in range(len(results))):
            metrics = result.metrics or {}
            shown = ", ".join(f"{k}={v}" for k, v in (result.config or {}).items())
            value = metrics.get(objective.metric)
            text = (
                f"{objective.metric} {value:.4f}"
                if value is not None
                else metrics.get("reason", metrics.get("status", "no result"))
            )
            progress(f"ray trial {shown}: {text}")
    finally:
        if started:
            ray.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)
    load_study(storage, study_name).set_user_attr("metric", study_attrs["metric"])
