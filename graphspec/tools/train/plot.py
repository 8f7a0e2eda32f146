"""Learning curves of a comparison: test accuracy per epoch, mean line and ±std band over seeds."""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING

from graphspec.base.output import OutputPolicy

if TYPE_CHECKING:
    from graphspec.tools.train.compare import Comparison

__all__ = ["plot_curves"]

_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1)), "v"))
"""Line style and marker per model, so that identical curves drawn on top of each other show."""


def plot_curves(
    comparison: Comparison, path: str | os.PathLike[str], *, policy: OutputPolicy | None = None
) -> None:
    """Draw each model's test (validation) accuracy per epoch to a PNG (under ``policy``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    try:
        styles = itertools.cycle(_STYLES)
        for model in comparison.models:
            linestyle, marker = next(styles)
            curves = model.curves("accuracy")
            if not curves:
                continue
            length = min(len(c) for c in curves)
            values = np.array([c[:length] for c in curves])
            mean = values.mean(axis=0)
            std = values.std(axis=0, ddof=1) if len(values) > 1 else np.zeros(length)
            epochs = np.arange(1, length + 1)
            (line,) = ax.plot(
                epochs, mean, linestyle=linestyle, marker=marker, markersize=4, label=model.label
            )
            if length == 1:  # a band needs two epochs: show the spread as an error bar
                ax.errorbar(epochs, mean, yerr=std, color=line.get_color(), capsize=4)
            ax.fill_between(epochs, mean - std, mean + std, color=line.get_color(), alpha=0.15)
        n = len(comparison.seeds)
        ax.set_title(
            f"Test accuracy per epoch on {comparison.data}: mean ± std over {n} "
            f"seed{'s' * (n != 1)}",
            fontsize=10,
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy")
        locator = ax.xaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
            locator.set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        with (policy or OutputPolicy()).writing(path, suffix=".png") as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
