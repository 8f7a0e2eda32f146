"""``graphspec sweep``: plan a search space statically, run it on Optuna or Ray Tune, report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final

from graphspec.cli.options import (
    add_backend_option,
    add_format_option,
    add_output_option,
    add_set_option,
    output_policy,
    spec_params,
)
from graphspec.cli.registry import EXIT_INVALID, EXIT_OK, command
from graphspec.cli.report import print_diagnostics
from graphspec.errors import UsageError
from graphspec.frontend.paths import spec_file

__all__ = ["run_sweep"]

_ENGINES: Final = ("optuna", "ray")
_PLOT_FORMATS: Final = ("png", "svg")
_FATAL: Final = ("E0", "E1", "E4", "E9")
"""Codes of errors no variant can repair: loading, schema, params, search spaces and scales."""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {value}")
    return value


def _formats(text: str) -> list[str]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in _PLOT_FORMATS]
    if not names or bad:
        raise argparse.ArgumentTypeError(f"expected png, svg or png,svg; got {text!r}")
    return names


def _sweep_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="a spec with a `search:` section")
    what = p.add_argument_group("what to do (one or more)")
    what.add_argument(
        "--plan",
        action="store_true",
        help="count the variants of the space and those statically invalid or over budget, "
        "without training (no TensorFlow)",
    )
    what.add_argument("--data", metavar="DATA", help="train trials on `digits` or a .npz file")
    what.add_argument("--report", action="store_true", help="print the trials and write plots")
    what.add_argument(
        "--best", action="store_true", help="write the best variant as a plain spec (-o FILE)"
    )
    p.add_argument(
        "--trials", type=_positive, default=20, help="finished trials the study ends with (20)"
    )
    p.add_argument(
        "--storage",
        metavar="URL",
        help="Optuna storage shared by every worker: sqlite:///FILE (default "
        "SPEC-NAME.sweep.db here), a .journal file (journal:FILE) for many machines on a "
        "shared filesystem, postgresql://… or mysql://…",
    )
    p.add_argument("--study", metavar="NAME", help="the study's name (default: the spec's name)")
    p.add_argument("--engine", choices=_ENGINES, default="optuna", help="optuna (default) or ray")
    p.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="--engine ray: an existing Ray cluster (default: a local instance on 127.0.0.1)",
    )
    p.add_argument("--metric", help="the test metric to optimize (default: accuracy, else loss)")
    p.add_argument("--direction", choices=("maximize", "minimize"), help="default: by metric")
    p.add_argument(
        "--pruner",
        choices=("median", "hyperband", "none"),
        default="median",
        help="stops trials whose per-epoch metric is not promising (default median)",
    )
    p.add_argument("--seed", type=int, default=0, help="training seed of every trial (0)")
    p.add_argument("--epochs", type=_positive, help="override train.epochs")
    p.add_argument("--batch-size", type=_positive, help="override train.batch_size")
    p.add_argument(
        "--samples",
        type=_positive,
        default=500,
        help="--plan: variants drawn from an infinite or large space (500)",
    )
    p.add_argument(
        "--heartbeat",
        type=_positive,
        default=None,
        metavar="SECONDS",
        help="SQL storage: a trial whose worker is silent for twice this long is failed and "
        "run again (default 20)",
    )
    p.add_argument("--plots", metavar="DIR", help="--report: folder of the plots (SPEC-NAME.sweep)")
    p.add_argument(
        "--plot-format",
        type=_formats,
        default=["png"],
        metavar="png,svg",
        help="--report: image formats of the plots (png)",
    )
    add_output_option(p, required=False, help="--best: the spec file to write")
    add_set_option(p)
    add_format_option(p)
    add_backend_option(p)


@command(
    "sweep",
    "search a spec's `search:` space: plan it statically, train it on Optuna or Ray Tune",
    _sweep_args,
)
def run_sweep(args: argparse.Namespace) -> int:
    from graphspec.api import check, load
    from graphspec.frontend.search import read_search

    if not (args.plan or args.data or args.report or args.best):
        raise UsageError("say what to do: --plan, --data DATA (train), --report or --best")
    if args.best and not args.output:
        raise UsageError("--best writes a spec: give it -o FILE.yaml")
    if args.output and not args.best:
        raise UsageError("-o is the file of --best")
    path = spec_file(args.spec)
    spec = load(path)
    fixed = spec_params(args)
    first = check(spec, params=fixed)
    space, problems = read_search(spec)
    errors = [d for d in first.diagnostics if d.is_error]
    # a variant may repair what the spec's own params break (a shape, a layer argument), never
    # a file that does not load, a schema error, a bad param, search space or scale
    fatal = [d for d in errors if d.code.startswith(_FATAL) or not space]
    if fatal or problems:
        print_diagnostics(fatal or problems, args.format, sys.stderr)
        return EXIT_INVALID
    if not space:
        raise UsageError(
            f"{args.spec} has no `search:` section to sweep (e.g. search: {{width: [16, 32]}}); "
            "see docs/training.md#sweeps-graphspec-sweep"
        )
    status = EXIT_OK
    if args.plan:
        status = max(status, _plan(args, spec, space, fixed))
    if args.data or args.report or args.best:
        status = max(status, _engine_run(args, path, spec, space, fixed, first))
    return status


def _plan(args: argparse.Namespace, spec: Any, space: Any, fixed: dict[str, Any]) -> int:
    from graphspec.tools.train.sweep.plan import plan_sweep

    plan = plan_sweep(spec, space, params=fixed, samples=args.samples, seed=0)
    if args.format == "json":
        print(json.dumps(plan.to_dict(), indent=2))
    else:
        print(plan.text())
    return EXIT_OK


def _engine_run(
    args: argparse.Namespace,
    path: Path,
    spec: Any,
    space: Any,
    fixed: dict[str, Any],
    first: Any,
) -> int:
    from graphspec.tools.train.sweep.storage import DEFAULT_HEARTBEAT, parse_storage

    try:
        import optuna  # noqa: F401  # only to say what is missing, before anything runs
    except ModuleNotFoundError:
        raise UsageError(
            "--data, --report and --best keep the study in Optuna, which is not installed: "
            "pip install 'graphspec[sweep]' (--plan needs nothing more)"
        ) from None
    name = args.study or spec.name or path.stem
    data_file = args.data if args.data and Path(args.data).exists() else None
    policy = output_policy(args, str(path), data_file, *first.files_read())
    policy.check(args.output)
    where = parse_storage(args.storage, Path(f"{name}.sweep.db"))
    heartbeat = args.heartbeat or DEFAULT_HEARTBEAT
    if args.engine == "ray" and args.data:
        from graphspec.tools.train.sweep.ray_engine import run_ray

        if args.storage and where.kind != "sqlite":
            raise UsageError("--engine ray keeps its results in a SQLite file: --storage FILE.db")
        run_ray(
            spec,
            space,
            data=args.data,
            trials=args.trials,
            objective=_objective(args, first),
            fixed=fixed,
            address=args.address,
            where=where,
            study_name=name,
            policy=policy,
            seed=args.seed,
            epochs=args.epochs,
            batch_size=args.batch_size,
            progress=lambda line: print(line, flush=True),
        )
    elif args.data:
        _run_optuna(args, spec, space, fixed, first, where, name, policy, heartbeat)
    return _results(args, spec, where, name, policy, heartbeat, _plain(spec, fixed))


def _plain(spec: Any, fixed: dict[str, Any]) -> dict[str, Any]:
    """The fixed params as values: a scale's, then ``--set``'s (what ``--best`` fills in)."""
    from graphspec.base.source import Given
    from graphspec.frontend.search import SCALE_KEY, scale_params

    out, _ = scale_params(spec, fixed.get(SCALE_KEY))
    for key, value in fixed.items():
        if key != SCALE_KEY:
            out[key] = value.value if isinstance(value, Given) else value
    return out


def _objective(args: argparse.Namespace, first: Any) -> Any:
    from graphspec.tools.train.settings import resolve_settings
    from graphspec.tools.train.sweep.trials import pick_metric

    settings = resolve_settings(first.spec, epochs=args.epochs, batch_size=args.batch_size)
    return pick_metric(settings.metrics, args.metric, args.direction)


def _run_optuna(
    args: argparse.Namespace,
    spec: Any,
    space: Any,
    fixed: dict[str, Any],
    first: Any,
    where: Any,
    name: str,
    policy: Any,
    heartbeat: int,
) -> None:
    from graphspec.tools.train.data import load_data
    from graphspec.tools.train.sweep.optuna_engine import run_optuna
    from graphspec.tools.train.sweep.storage import open_storage

    storage = open_storage(where, policy, heartbeat)
    objective = _objective(args, first)
    cache: dict[Any, Any] = {}

    def data(result: Any) -> Any:
        graph = result.graph
        key = tuple((n, graph.nodes[n].shape, graph.nodes[n].dtype) for n in graph.inputs)
        if key not in cache:
            cache[key] = load_data(args.data, graph)
        return cache[key]

    print(
        f"sweep {name}: {args.trials} trials in {where.describe()}, optimizing "
        f"{objective.metric} ({objective.direction}), pruner {args.pruner}",
        flush=True,
    )
    run = run_optuna(
        spec,
        space,
        storage=storage,
        where=where,
        study_name=name,
        trials=args.trials,
        data=data,
        objective=objective,
        fixed=fixed,
        seed=args.seed,
        epochs=args.epochs,
        batch_size=args.batch_size,
        pruner=args.pruner,
        progress=lambda line: print(line, flush=True),
    )
    done = ", ".join(f"{v} {k}" for k, v in run.outcomes.items()) or "nothing left to run"
    print(f"this worker ran {len(run.ran)} trial(s): {done}", flush=True)


def _results(
    args: argparse.Namespace,
    spec: Any,
    where: Any,
    name: str,
    policy: Any,
    heartbeat: int,
    base: dict[str, Any],
) -> int:
    if not (args.report or args.best or args.data):
        return EXIT_OK
    from graphspec.tools.train.sweep.optuna_engine import load_study
    from graphspec.tools.train.sweep.report import best_trial, plot_study, rows_of, table
    from graphspec.tools.train.sweep.storage import open_storage

    if where.path is not None and not where.path.exists():
        raise UsageError(f"no sweep storage at {where.path}: run the sweep first (--data DATA)")
    study = load_study(open_storage(where, policy, heartbeat), name)
    metric = args.metric or str(study.user_attrs.get("metric", "value"))
    best = best_trial(study)
    if args.report:
        rows = rows_of(study)
        if args.format == "json":
            print(json.dumps([r.__dict__ for r in rows], indent=2, default=str))
        else:
            print(table(rows, metric))
        folder = Path(args.plots or f"{name}.sweep")
        if not folder.exists():
            if not args.mkdir and args.plots:
                raise UsageError(f"cannot write {folder}/: the folder does not exist (--mkdir)")
            folder.mkdir(parents=True)
        written = plot_study(
            study,
            folder,
            metric=metric,
            formats=args.plot_format,
            policy=policy,
            note=lambda line: print(f"graphspec sweep: note: {line}", file=sys.stderr),
        )
        print(f"wrote {', '.join(str(p) for p in written)}")
    if best is not None and args.format == "text":
        shown = ", ".join(f"{k}={v}" for k, v in best.params.items())
        print(f"best: trial {best.number}: {shown}: {metric} {best.value:.4f}")
    if args.best:
        if best is None:
            raise UsageError(f"study `{name}` has no completed trial yet: no best variant")
        from graphspec.tools.train.sweep.best import best_spec_text

        header = (
            f"The best variant of sweep `{name}` ({where.describe()}): trial {best.number}, "
            f"{metric} {best.value:.4f}.\nWritten by `graphspec sweep --best` from "
            f"{spec.file}: params filled in, no search:, constraints: or scales:."
        )
        policy.write_text(args.output, best_spec_text(spec, {**base, **best.params}, header))
        print(f"wrote {args.output}")
    return EXIT_OK
