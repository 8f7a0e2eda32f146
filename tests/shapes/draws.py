"""The oracle's draws without running them: how many of a class's generated calls are valid."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, seed, settings

from graphspec.base.catalog import canonical_type

from .cases import CASES, Case
from .oracle import rule_outcome

__all__ = ["DRAWS", "FLOOR", "RUN", "Rate", "draws", "rule_rate"]

DRAWS = 40
"""Draws per class when the valid-draw rate is measured (a test and ``scripts/oracle_draws.py``)."""

RUN = 8
"""Examples per hypothesis run. Below 10, every example after the first (the simplest) is drawn
at random, as in ``make test`` (6 per class); from 10 on, hypothesis draws a second simplest-like
example and, past 10 valid ones, mutates each new example into up to 5 near-copies, so a long
run's rate swings by clumps of six. The draws come from ``DRAWS / RUN`` seeded runs."""

FLOOR = 80
"""The valid-draw rate, in percent, every class's strategy must reach."""


def draws(name: str, count: int = DRAWS) -> list[Case]:
    """The cases hypothesis draws for class ``name``: ``count`` examples from runs of
    :data:`RUN`, seeded 0, 1, ... (deterministic for one hypothesis version).

    The same strategy and generation as the oracle test, so the rate measured on them is the
    rate the oracle sees; the first example of each run is the simplest one (a valid call).

    >>> [case.call.type for case in draws("ReLU", 3)]
    ['ReLU', 'ReLU', 'ReLU']
    """
    canonical = canonical_type(name)
    strategy = CASES[canonical](canonical)
    found: list[Case] = []
    for run in range(-(-count // RUN)):

        @seed(run)
        @settings(
            max_examples=min(RUN, count - len(found)),
            derandomize=False,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(case: Case) -> None:
            found.append(case)

        collect()
    return found


@dataclass(frozen=True)
class Rate:
    """How many of a class's draws were valid."""

    name: str
    valid: int
    total: int

    @property
    def percent(self) -> float:
        """Valid draws in percent of all draws (0 when nothing was drawn)."""
        return 100.0 * self.valid / self.total if self.total else 0.0


def rule_rate(name: str, count: int = DRAWS) -> Rate:
    """The draws of ``name`` the graphspec rule accepts, without building Keras layers.

    The oracle test holds the rule to Keras (a rule that accepts what Keras rejects fails it), so
    the rule's acceptance is a cheap lower bound of the draws Keras builds: it may refuse more
    (``stricter.py``), never less.

    >>> rule_rate("ReLU", 5)
    Rate(name='ReLU', valid=5, total=5)
    """
    found = draws(name, count)
    valid = sum(rule_outcome(case.call, case.inputs).error is None for case in found)
    return Rate(name, valid, len(found))
