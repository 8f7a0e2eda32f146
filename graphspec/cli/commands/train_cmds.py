"""``graphspec fit`` and ``graphspec compare``: train specs (TensorFlow imported when run)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Final

from graphspec.cli.options import (
    add_backend_option,
    add_set_option,
    add_write_options,
    output_policy,
    spec_params,
)
from graphspec.cli.registry import EXIT_OK, command
from graphspec.errors import UsageError
from graphspec.frontend.paths import spec_file

__all__ = ["run_compare", "run_fit"]

_APIS: Final = ("auto", "sequential", "functional")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {value}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds; got {text}")
    return value


def _process_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a process index; got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a process index is 0 or more; got {value}")
    return value


def _backend_list(text: str) -> list[str]:
    from graphspec.backends.keras.select import BACKENDS

    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"expected backends from {', '.join(BACKENDS)}, separated by commas; got {text!r}"
        )
    return names


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed; got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed must be 0 or more; got {value}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        required=True,
        metavar="DATA",
        help="`digits` (scikit-learn's bundled 8x8 digits) or a .npz file with "
        "x_train, y_train, x_test, y_test",
    )
    p.add_argument("--epochs", type=_positive, help="override train.epochs")
    p.add_argument("--batch-size", type=_positive, help="override train.batch_size")
    add_set_option(p)
    add_write_options(p)
    add_backend_option(p)


def _require_suffix(path: str | None, suffix: str, flag: str) -> None:
    if path is not None and Path(path).suffix.lower() != suffix:
        raise UsageError(f"{flag} must name a {suffix} file; got {path!r}")


def _data_file(data: str) -> str | None:
    """``--data`` when it names a file (an input no output may replace)."""
    return data if Path(data).exists() else None


# -- fit ----------------------------------------------------------------------------------------


def _fit_args(p: argparse.ArgumentParser) -> None:
    from graphspec.tools.train.fit import DEFAULT_WORKER_TIMEOUT
    from graphspec.tools.train.strategy import STRATEGIES

    p.add_argument("spec", metavar="SPEC", help="the spec file to train")
    _common(p)
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--api", choices=_APIS, default="auto", help="Keras API to build with")
    p.add_argument(
        "--strategy",
        choices=tuple(STRATEGIES),
        default="none",
        help="distribution: mirrored (TensorFlow, local devices), multiworker (several "
        "processes: TensorFlow with TF_CONFIG; JAX with --coordinator or TF_CONFIG), "
        "data-parallel (JAX, local devices)",
    )
    p.add_argument(
        "--coordinator",
        metavar="HOST:PORT",
        help="JAX multiworker: the address where process 0 runs the coordinator (the same on "
        "every process)",
    )
    p.add_argument(
        "--num-processes", type=_positive, metavar="N", help="JAX multiworker: how many processes"
    )
    p.add_argument(
        "--process-id",
        type=_process_id,
        metavar="I",
        help="JAX multiworker: this process's index, 0..N-1 (0 writes the outputs)",
    )
    p.add_argument(
        "--worker-timeout",
        type=_positive_seconds,
        default=DEFAULT_WORKER_TIMEOUT,
        metavar="SECONDS",
        help="multi-process runs: fail when no progress is made (or a collective operation "
        f"waits) for this long (default {DEFAULT_WORKER_TIMEOUT:g})",
    )
    p.add_argument("-o", "--output", metavar="MODEL.keras", help="save the trained model")
    p.add_argument("--history", metavar="FILE.json", help="write history and test metrics")


@command("fit", "train a spec on a data set and print its test metrics", _fit_args)
def run_fit(args: argparse.Namespace) -> int:
    from graphspec.backends.keras.loading import save_model
    from graphspec.backends.keras.select import active_backend
    from graphspec.tools.train.data import load_data
    from graphspec.tools.train.fit import fit_spec, prepare
    from graphspec.tools.train.settings import resolve_settings
    from graphspec.tools.train.strategy import (
        check_cluster_flags,
        is_chief,
        jax_cluster_of,
        verify_strategy,
    )
    from graphspec.tools.train.targets import check_targets

    _require_suffix(args.output, ".keras", "-o/--output")
    backend = active_backend()
    verify_strategy(args.strategy, backend)
    cluster = check_cluster_flags(
        args.strategy, backend, args.coordinator, args.num_processes, args.process_id
    )
    _require_suffix(args.history, ".json", "--history")
    spec = spec_file(args.spec)
    policy = output_policy(args, str(spec), _data_file(args.data))
    policy.check(args.output, args.history)  # before training, not after
    result = prepare(spec, spec_params(args))
    policy = policy.with_inputs(*result.files_read())  # nested spec files are inputs too
    settings = resolve_settings(result.spec, epochs=args.epochs, batch_size=args.batch_size)
    dataset = load_data(args.data, result.graph)
    check_targets(result, dataset, settings)  # before TensorFlow starts
    chief = is_chief(args.strategy, backend=backend, cluster=cluster)
    print(
        f"training {result.graph.name} on {dataset.describe()}; seed {args.seed}, "
        f"{settings.epochs} epoch(s), batch {settings.batch_size}, "
        f"optimizer {settings.optimizer_name}, backend {backend}, strategy {args.strategy}",
        flush=True,
    )
    joined = jax_cluster_of(args.strategy, backend, cluster)
    if joined is not None:
        print(
            f"process {joined.process_id} of {joined.processes}, coordinator "
            f"{joined.coordinator} (from {joined.source})",
            flush=True,
        )
    run = fit_spec(
        result,
        dataset,
        seed=args.seed,
        api=args.api,
        strategy=args.strategy,
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=1 if sys.stdout.isatty() else 2,
        worker_timeout=args.worker_timeout,
        cluster=cluster,
    )
    metrics = ", ".join(f"{k} {v:.4f}" for k, v in run.test.items())
    replicas = f"{run.replicas} replica{'s' * (run.replicas != 1)}"
    print(f"{run.kind} model, {run.params:,} parameters, {replicas}")
    for split, count in run.dropped.items():
        print(
            f"note: {count} {split} sample{'s' * (count != 1)} left out so that every batch "
            f"splits evenly over the {run.replicas} replicas"
        )
    print(f"test: {metrics}")
    print(f"weights: sha256 {run.weights_sha256}")
    if not chief:
        print("not the chief worker: outputs are written by the chief only")
        return EXIT_OK
    if args.output:
        with policy.writing(args.output, suffix=".keras") as tmp:
            save_model(run.model, tmp)
        print(f"wrote {args.output}")
    if args.history:
        policy.write_text(args.history, json.dumps(run.to_dict(), indent=2) + "\n")
        print(f"wrote {args.history}")
    return EXIT_OK


# -- compare ------------------------------------------------------------------------------------


def _compare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="the spec files to compare")
    _common(p)
    p.add_argument(
        "--seeds", type=_positive, default=5, help="train under seeds 0..N-1 (default 5)"
    )
    p.add_argument(
        "--both-apis",
        action="store_true",
        help="train each linear spec both as Sequential and as functional",
    )
    p.add_argument(
        "--backends",
        type=_backend_list,
        metavar="B1,B2",
        help="train every model on each of these Keras backends (e.g. tensorflow,jax), "
        "one process per backend, side by side in the table",
    )
    p.add_argument("--plot", metavar="CURVES.png", help="draw test accuracy per epoch")
    p.add_argument("--json", metavar="OUT.json", help="write every raw number")


@command(
    "compare", "train specs under several seeds; tabulate and find identical models", _compare_args
)
def run_compare(args: argparse.Namespace) -> int:
    from graphspec.tools.train.compare import compare_specs

    _require_suffix(args.plot, ".png", "--plot")
    _require_suffix(args.json, ".json", "--json")
    specs = [spec_file(spec) for spec in args.specs]
    policy = output_policy(args, *args.specs, _data_file(args.data))
    policy.check(args.json, args.plot)  # before training, not after
    comparison = compare_specs(
        specs,
        args.data,
        seeds=args.seeds,
        epochs=args.epochs,
        batch_size=args.batch_size,
        both_apis=args.both_apis,
        params=spec_params(args),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
        backends=args.backends,
    )
    print(comparison.table())
    if args.json:
        data = comparison.to_dict()
        data["args"] = {
            "specs": args.specs,
            "data": args.data,
            "seeds": args.seeds,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "both_apis": args.both_apis,
            "backends": args.backends,
            "set": args.overrides,
        }
        policy.write_text(args.json, json.dumps(data, indent=2) + "\n")
        print(f"wrote {args.json}")
    if args.plot:
        from graphspec.tools.train.plot import plot_curves

        plot_curves(comparison, args.plot, policy=policy)
        print(f"wrote {args.plot}")
    return EXIT_OK
