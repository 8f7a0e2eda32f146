"""``graphspec sweep``: search spaces planned statically, then trained on Optuna or Ray Tune.

Static parts (:mod:`~graphspec.tools.train.sweep.variants`, :mod:`~graphspec.tools.train.sweep.plan`)
never import TensorFlow; the engines import Optuna, Ray and Keras when they run.
"""

from __future__ import annotations

from graphspec.tools.train.sweep.plan import Plan, plan_sweep
from graphspec.tools.train.sweep.variants import Verdict, judge

__all__ = ["Plan", "Verdict", "judge", "plan_sweep"]
