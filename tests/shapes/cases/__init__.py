"""Hypothesis strategies of (layer call, input shapes) for every catalog class, by class name.

``CASES[name](name)`` draws cases for one class; the catalog oracle test enumerates the catalog
and fails for a class with no strategy here (or no rule), so no class is forgotten.

Strategies draw valid calls by construction (input shapes derived from the arguments: windows
that fit, known channels, the rank the layer reads) and break about one draw in
:data:`FAULT_ONE_IN` on purpose with :func:`fault`, so the oracle checks both Keras's outputs
and its refusals; ``tests/shapes/test_draws.py`` holds every class to 80% valid draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall, Shape

__all__ = [
    "CASES",
    "FAULT_ONE_IN",
    "Case",
    "CaseFactory",
    "cases",
    "fault",
    "maybe_dim",
    "shape_of_rank",
]


@dataclass(frozen=True)
class Case:
    """One oracle check: a layer call, its input shapes and (optionally) the inputs' dtypes."""

    call: LayerCall
    inputs: list[Shape]
    dtypes: tuple[str | None, ...] = field(default=())

    def renamed(self, type_name: str) -> Case:
        """The same case for another name of the class (an alias)."""
        return replace(self, call=replace(self.call, type=type_name))


CaseFactory = Callable[[str], st.SearchStrategy[Case]]
"""Class name -> a strategy of cases for that class."""

CASES: dict[str, CaseFactory] = {}


def cases(*names: str) -> Callable[[CaseFactory], CaseFactory]:
    """Register the decorated factory for the classes ``names``."""

    def register(fn: CaseFactory) -> CaseFactory:
        for name in names:
            assert name not in CASES, f"two strategies for {name}"
            CASES[name] = fn
        return fn

    return register


maybe_dim = st.one_of(st.integers(1, 6), st.none())

FAULT_ONE_IN = 12
"""One draw in this many is broken on purpose (where the class has a way to break)."""

_FAULTY = st.sampled_from([False] * (FAULT_ONE_IN - 1) + [True])


def fault(draw: st.DrawFn, *ways: str) -> str | None:
    """``None`` (draw a valid call), or, one draw in :data:`FAULT_ONE_IN`, one of ``ways``.

    The strategy then breaks its call that way (a wrong rank, a window larger than the input, an
    argument out of range), a way the rule must refuse as Keras does. ``sampled_from`` keeps the
    rate even (hypothesis draws small integers' lower bound far more often) and makes the
    simplest example, the first hypothesis tries, a valid call.
    """
    if not ways or not draw(_FAULTY):
        return None
    return draw(st.sampled_from(ways))


def shape_of_rank(draw: st.DrawFn, rank: int, dim: Any = maybe_dim) -> Shape:
    """``(None, d1, ..., d_{rank-1})`` with dimensions drawn from ``dim``."""
    return (None, *draw(st.lists(dim, min_size=rank - 1, max_size=rank - 1)))


def _load() -> None:
    from . import (  # noqa: F401  (imported to fill CASES)
        applications,
        attention,
        categorical,
        conv,
        core,
        hub,
        image,
        merging,
        normalization,
        pooling,
        recurrent,
        reshaping,
    )


_load()
