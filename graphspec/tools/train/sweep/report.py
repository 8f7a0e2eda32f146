"""``graphspec sweep --report``: the trials of a study as a table, and its plots.

The plots (matplotlib, PNG or SVG): the optimization history (each trained trial's value and
the best so far), the parameter importances (Optuna's fANOVA), and the objective against the
static parameter count and FLOPs with the Pareto front (the best value reachable at each
size).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from graphspec.base.output import OutputPolicy
from graphspec.passes.shapes.flops import format_flops

__all__ = ["PLOTS", "TrialRow", "best_trial", "pareto_front", "plot_study", "rows_of", "table"]


@dataclass(frozen=True)
class TrialRow:
    """One trial as the report shows it."""

    number: int
    state: str
    params: dict[str, Any]
    value: float | None
    static_params: int | None
    flops: int | None
    status: str
    reason: str
    worker: str


def rows_of(study: Any) -> list[TrialRow]:
    """Every trial of the study, in order."""
    rows = []
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        rows.append(
            TrialRow(
                number=trial.number,
                state=trial.state.name.lower(),
                params=dict(trial.params),
                value=trial.value,
                static_params=attrs.get("static_params"),
                flops=attrs.get("flops"),
                status=str(attrs.get("status", "")),
                reason=str(attrs.get("reason") or attrs.get("error") or ""),
                worker=str(attrs.get("worker", "")),
            )
        )
    return rows


def best_trial(study: Any) -> Any:
    """The best completed trial, or ``None`` when none completed."""
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not done:
        return None
    return study.best_trial


def table(rows: Sequence[TrialRow], metric: str) -> str:
    """The trials table: params, static figures, the metric, the state and why."""
    names = list(dict.fromkeys(k for r in rows for k in r.params))
    header = ("#", *names, "params", "FLOPs", metric, "state")
    body = []
    for row in rows:
        state = row.status if row.status and row.state != "complete" else row.state
        if row.reason:
            state += f": {row.reason}"
        body.append(
            (
                str(row.number),
                *(_short(row.params.get(n, "")) for n in names),
                "" if row.static_params is None else f"{row.static_params:,}",
                "" if row.flops is None else format_flops(row.flops),
                "" if row.value is None else f"{row.value:.4f}",
                state[:90],
            )
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "─" * min(sum(widths) + 2 * len(widths), 160)
    return "\n".join([line(header), rule, *map(line, body)])


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def pareto_front(
    points: Sequence[tuple[float, float]], maximize: bool
) -> list[tuple[float, float]]:
    """The points no other beats on both cost (lower) and value: sorted by cost.

    >>> pareto_front([(1, 0.5), (2, 0.7), (3, 0.6), (4, 0.9)], maximize=True)
    [(1, 0.5), (2, 0.7), (4, 0.9)]
    """
    front: list[tuple[float, float]] = []
    for cost, value in sorted(points, key=lambda p: (p[0], -p[1] if maximize else p[1])):
        if not front or (value > front[-1][1] if maximize else value < front[-1][1]):
            front.append((cost, value))
    return front


PLOTS: Final = ("history", "importance", "pareto")
"""The plots ``--report`` writes, each as ``NAME.png`` (or ``.svg``) in the plots folder."""


def plot_study(
    study: Any,
    folder: Path,
    *,
    metric: str,
    formats: Sequence[str],
    policy: OutputPolicy,
    note: Callable[[str], None] = print,
) -> list[Path]:
    """Write the plots of ``study`` into ``folder``; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows_of(study) if r.state == "complete" and r.value is not None]
    maximize = study.direction.name == "MAXIMIZE"
    paths = [folder / f"{name}.{fmt}" for name in PLOTS for fmt in formats]
    policy.check(*paths)
    drawers: dict[str, Callable[[Any], str | None]] = {
        "history": lambda ax: _history(ax, study, rows, metric, maximize),
        "importance": lambda ax: _importance(ax, study),
        "pareto": lambda ax: None,
    }
    written: list[Path] = []
    for name in PLOTS:
        if name == "pareto":
            fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
            _pareto(axes[0], rows, "static_params", "parameters", metric, maximize)
            _pareto(axes[1], rows, "flops", "FLOPs per sample", metric, maximize)
            problem = None
        else:
            fig, ax = plt.subplots(figsize=(7, 4.2))
            problem = drawers[name](ax)
        fig.suptitle(f"{study.study_name}: {_titles[name]}", fontsize=11)
        fig.tight_layout()
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            with policy.writing(path, suffix=f".{fmt}") as tmp:
                fig.savefig(tmp, format=fmt, dpi=120)
            written.append(path)
        plt.close(fig)
        if problem:
            note(f"{name}: {problem}")
    return written


_titles: Final = {
    "history": "optimization history",
    "importance": "parameter importances",
    "pareto": "objective against size",
}


def _history(ax: Any, study: Any, rows: list[TrialRow], metric: str, maximize: bool) -> str | None:
    pruned = [r.number for r in rows_of(study) if r.state == "pruned"]
    if not rows:
        ax.text(0.5, 0.5, "no trained trial yet", ha="center", transform=ax.transAxes)
        return "no trained trial yet"
    xs = [r.number for r in rows]
    ys = [r.value for r in rows]
    best: list[float] = []
    for y in ys:
        assert y is not None
        best.append(y if not best else (max if maximize else min)(best[-1], y))
    ax.scatter(xs, ys, s=22, color="#1f77b4", label=f"{metric} of a trained trial", zorder=3)
    ax.step(xs, best, where="post", color="#d62728", label="best so far")
    if pruned:
        values = [y for y in ys if y is not None]
        low = min(values) - 0.05 * ((max(values) - min(values)) or 1.0)
        ax.scatter(pruned, [low] * len(pruned), marker="x", color="#999999", label="pruned")
    ax.set_xlabel("trial")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return None


def _importance(ax: Any, study: Any) -> str | None:
    import optuna

    try:
        found = optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError) as err:
        found, why = {}, str(err).splitlines()[0]
    else:
        why = "" if found else "fewer than two trained trials, or no param varied"
    if not found:
        ax.text(0.5, 0.5, f"not enough data: {why}", ha="center", wrap=True, transform=ax.transAxes)
        ax.set_axis_off()
        return f"no importances ({why})"
    names = list(found)[::-1]
    ax.barh(names, [found[n] for n in names], color="#2ca02c")
    ax.set_xlabel("importance (fANOVA, share of the variance of the objective)")
    ax.grid(axis="x", alpha=0.3)
    return None


def _pareto(
    ax: Any, rows: list[TrialRow], attr: str, label: str, metric: str, maximize: bool
) -> None:
    points = [
        (float(getattr(r, attr)), float(r.value))
        for r in rows
        if getattr(r, attr) is not None and r.value is not None
    ]
    if not points:
        ax.text(0.5, 0.5, "no trained trial yet", ha="center", transform=ax.transAxes)
        return
    front = pareto_front(points, maximize)
    ax.scatter(*zip(*points, strict=True), s=22, color="#1f77b4", alpha=0.7, label="trials")
    ax.plot(*zip(*front, strict=True), color="#d62728", marker="o", label="Pareto front")
    ax.set_xscale("log")
    ax.set_xlabel(label)
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="best", fontsize=8)
