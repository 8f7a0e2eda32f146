"""One variant of a search space judged statically: invalid, over budget, or worth training."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.api import CheckResult, check
from graphspec.frontend.search import FIGURES, SearchSpace
from graphspec.frontend.spec import Spec

__all__ = ["INVALID", "OVER_BUDGET", "VALID", "Verdict", "judge"]

VALID: Final = "valid"
INVALID: Final = "invalid"
OVER_BUDGET: Final = "over budget"


@dataclass
class Verdict:
    """What the static checks say of one variant, before any training.

    ``status`` is :data:`VALID`, :data:`INVALID` (``codes`` and ``reason`` name the first
    error) or :data:`OVER_BUDGET` (``broken`` lists the constraints it breaks); ``figures`` are
    the static figures (parameters, FLOPs, MACs) when the variant checked.
    """

    variant: dict[str, Any]
    status: str
    reason: str = ""
    codes: tuple[str, ...] = ()
    broken: tuple[str, ...] = ()
    figures: dict[str, int | None] = field(default_factory=dict)
    result: CheckResult | None = field(default=None, repr=False)

    @property
    def trainable(self) -> bool:
        """True when the variant is worth training."""
        return self.status == VALID


def figures_of(result: CheckResult) -> dict[str, int | None]:
    """The static figures constraints may name, from a checked variant."""
    shapes, cost = result.shapes, result.flops
    complete = shapes is not None and cost.complete
    return {
        "params": shapes.total if shapes else None,
        "trainable_params": shapes.trainable if shapes else None,
        "flops": cost.flops if complete else None,
        "macs": cost.macs if complete else None,
    }


def judge(
    spec: Spec,
    space: SearchSpace,
    variant: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
) -> Verdict:
    """Check ``variant`` (searched params) of ``spec`` statically against the constraints.

    ``params`` are fixed overrides (``--set``, ``--scale``) the variant applies on top of.

    >>> from graphspec import load
    >>> from graphspec.frontend.search import read_search
    >>> spec = load("params: {k: 3}\\nsearch: {k: [3, 9]}\\ninputs: {x: {shape: [8, 8, 1]}}\\n"
    ...             "nodes: {c: {type: Conv2D, filters: 2, kernel_size: '${k}'}}\\n")
    >>> space = read_search(spec)[0]
    >>> judge(spec, space, {"k": 3}).status, judge(spec, space, {"k": 9}).codes
    ('valid', ('E501',))
    """
    chosen = dict(variant)
    broken = space.param_constraints({**(params or {}), **chosen})
    if broken:  # decided from the params alone: no check needed
        return Verdict(chosen, OVER_BUDGET, f"breaks `{broken[0]}`", broken=tuple(broken))
    result = check(spec, params={**(params or {}), **chosen})
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        first = errors[0]
        return Verdict(
            chosen,
            INVALID,
            f"{first.code}: {first.message}",
            codes=tuple(dict.fromkeys(d.code for d in errors)),
            result=result,
        )
    figures = figures_of(result)
    scope = {**space.defaults, **(params or {}), **chosen}
    scope.update({k: v for k, v in figures.items() if v is not None})
    missing = [
        c.text
        for c in space.constraints
        if c.figures and any(figures.get(n) is None for n in c.names if n in FIGURES)
    ]
    if missing:
        return Verdict(
            chosen,
            INVALID,
            f"`{missing[0]}` needs a static figure this variant leaves unknown",
            codes=("N900",),
            figures=figures,
            result=result,
        )
    broken = [c.text for c in space.constraints if c.figures and not c.holds(scope)]
    if broken:
        return Verdict(
            chosen,
            OVER_BUDGET,
            f"breaks `{broken[0]}`",
            broken=tuple(broken),
            figures=figures,
            result=result,
        )
    return Verdict(chosen, VALID, figures=figures, result=result)
