"""``graphspec sweep --plan``: how many variants a space holds and how many are statically out."""

from __future__ import annotations

import collections
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.frontend.search import SearchSpace, variants_of
from graphspec.frontend.spec import Spec
from graphspec.tools.train.sweep.variants import INVALID, OVER_BUDGET, VALID, Verdict, judge

__all__ = ["ENUMERATE_LIMIT", "Plan", "plan_sweep"]

ENUMERATE_LIMIT: Final = 5_000
"""A finite space up to this many variants is checked whole; a larger one is sampled."""


@dataclass
class Plan:
    """What a space holds: its size, how many variants were checked, and what they gave."""

    name: str
    dims: list[str]
    size: int | None
    checked: int
    sampled: bool
    counts: dict[str, int] = field(default_factory=dict)
    invalid: dict[str, int] = field(default_factory=dict)
    """Invalid variants by the diagnostic codes of their errors (``E501`` or ``E501+E203``)."""
    over: dict[str, int] = field(default_factory=dict)
    """Over-budget variants by the first constraint they break."""
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    """One variant and its reason per group (the first found)."""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` form."""
        return {
            "spec": self.name,
            "search": self.dims,
            "size": self.size,
            "checked": self.checked,
            "sampled": self.sampled,
            "valid": self.counts.get(VALID, 0),
            "invalid": self.counts.get(INVALID, 0),
            "over_budget": self.counts.get(OVER_BUDGET, 0),
            "invalid_by_code": self.invalid,
            "over_budget_by_constraint": self.over,
            "examples": self.examples,
            "seconds": round(self.seconds, 3),
        }

    def text(self) -> str:
        """The report ``sweep --plan`` prints."""
        held = "an infinite number of" if self.size is None else f"{self.size:,}"
        lines = [f"{self.name}: the space holds {held} variants ({', '.join(self.dims)})"]
        if self.sampled:
            lines.append(f"sampled {self.checked:,} of them at random (seed 0); shares below")
        else:
            lines.append(f"checked all {self.checked:,} statically, without training")
        total = max(self.checked, 1)

        def share(count: int) -> str:
            return f"{count:,} ({100 * count / total:.0f}%)"

        lines.append(f"  valid, within budget:  {share(self.counts.get(VALID, 0))}")
        lines.append(f"  statically invalid:    {share(self.counts.get(INVALID, 0))}")
        for codes, count in sorted(self.invalid.items(), key=lambda kv: -kv[1]):
            example = self.examples.get(f"invalid:{codes}", {})
            lines.append(f"    {codes}: {count:,}, e.g. {_variant(example)}")
            lines.append(f"      {example.get('reason', '')}")
        lines.append(f"  over budget:           {share(self.counts.get(OVER_BUDGET, 0))}")
        for text, count in sorted(self.over.items(), key=lambda kv: -kv[1]):
            example = self.examples.get(f"over:{text}", {})
            figures = example.get("figures") or {}
            shown = ", ".join(f"{k} {v:,}" for k, v in figures.items() if v is not None)
            lines.append(f"    `{text}`: {count:,}, e.g. {_variant(example)}")
            if shown:
                lines.append(f"      {shown}")
        lines.append(f"({self.seconds:.1f} s)")
        return "\n".join(lines)


def _variant(example: Mapping[str, Any]) -> str:
    values = example.get("variant", {})
    return "{" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"


def plan_sweep(
    spec: Spec,
    space: SearchSpace,
    *,
    params: Mapping[str, Any] | None = None,
    samples: int = 500,
    seed: int = 0,
) -> Plan:
    """Check every variant of a finite space (up to :data:`ENUMERATE_LIMIT`), else ``samples``
    drawn at random, statically; count them by outcome.

    >>> from graphspec import load
    >>> from graphspec.frontend.search import read_search
    >>> spec = load("params: {k: 3}\\nsearch: {k: [1, 3, 9]}\\ninputs: {x: {shape: [8, 8, 1]}}\\n"
    ...             "nodes: {c: {type: Conv2D, filters: 2, kernel_size: '${k}'}}\\n")
    >>> plan = plan_sweep(spec, read_search(spec)[0])
    >>> plan.size, plan.counts, plan.invalid
    (3, {'valid': 2, 'invalid': 1}, {'E501': 1})
    """
    start = time.perf_counter()
    size = space.size()
    sampled = size is None or size > ENUMERATE_LIMIT
    variants = variants_of(space, samples, seed) if sampled else list(space.enumerate())
    plan = Plan(spec.name or "model", [d.name for d in space.dims], size, 0, sampled)
    counts: collections.Counter[str] = collections.Counter()
    for variant in variants:
        verdict = judge(spec, space, variant, params)
        counts[verdict.status] += 1
        _record(plan, verdict)
    plan.checked = len(variants)
    plan.counts = dict(counts)
    plan.seconds = time.perf_counter() - start
    return plan


def _record(plan: Plan, verdict: Verdict) -> None:
    if verdict.status == INVALID:
        key = "+".join(verdict.codes)
        plan.invalid[key] = plan.invalid.get(key, 0) + 1
        plan.examples.setdefault(
            f"invalid:{key}", {"variant": verdict.variant, "reason": verdict.reason}
        )
    elif verdict.status == OVER_BUDGET:
        key = verdict.broken[0]
        plan.over[key] = plan.over.get(key, 0) + 1
        plan.examples.setdefault(
            f"over:{key}",
            {"variant": verdict.variant, "reason": verdict.reason, "figures": verdict.figures},
        )
