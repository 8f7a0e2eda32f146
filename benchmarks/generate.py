"""Generated specs of any size for the scaling benchmark: chains, random DAGs, wide merges, blocks."""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["GENERATORS", "generate"]

GENERATORS: dict[str, Callable[[int], str]] = {}


def _generator(name: str) -> Callable[[Callable[[int], str]], Callable[[int], str]]:
    def register(fn: Callable[[int], str]) -> Callable[[int], str]:
        GENERATORS[name] = fn
        return fn

    return register


def generate(kind: str, nodes: int) -> str:
    """YAML text of a valid spec of about ``nodes`` nodes, of one kind."""
    return GENERATORS[kind](nodes)


@_generator("chain")
def _chain(n: int) -> str:
    lines = ["name: chain", "inputs: {x: {shape: [16]}}", "nodes:"]
    for i in range(n):
        if i % 2 == 0:
            lines.append(f"  d{i}: {{type: Dense, units: 16}}")
        else:
            lines.append(f"  r{i}: {{type: ReLU}}")
    return "\n".join(lines) + "\n"


@_generator("random_dag")
def _random_dag(n: int) -> str:
    """A chain of Dense layers with random skip edges merged by Add nodes."""
    rng = random.Random(0)
    lines = ["name: random_dag", "inputs: {x: {shape: [16]}}", "nodes:"]
    edges = ["edges:"]
    prev = "x"
    made: list[str] = []
    i = 0
    while i < n:
        name = f"d{i}"
        lines.append(f"  {name}: {{type: Dense, units: 16}}")
        edges.append(f"  - [{prev}, {name}]")
        made.append(name)
        prev = name
        i += 1
        if i < n and len(made) > 3 and rng.random() < 0.3:
            skip = made[rng.randrange(max(0, len(made) - 20), len(made) - 2)]
            add = f"a{i}"
            lines.append(f"  {add}: {{type: Add}}")
            edges.append(f"  - {prev} -> {add}")
            edges.append(f"  - {skip} -> {add}")
            made.append(add)
            prev = add
            i += 1
    return "\n".join(lines + edges + [f"outputs: [{prev}]"]) + "\n"


@_generator("wide_merge")
def _wide_merge(n: int) -> str:
    """Groups of 50 parallel Dense branches joined by one Concatenate, stacked."""
    lines = ["name: wide_merge", "inputs: {x: {shape: [8]}}", "nodes:"]
    edges = ["edges:"]
    prev = "x"
    i = 0
    group = 0
    while i < n:
        width = min(50, max(2, n - i - 1))
        cat = f"cat{group}"
        for b in range(width):
            name = f"g{group}b{b}"
            lines.append(f"  {name}: {{type: Dense, units: 2}}")
            edges.append(f"  - {prev} -> {name} -> {cat}")
        lines.append(f"  {cat}: {{type: Concatenate}}")
        i += width + 1
        prev = cat
        group += 1
    return "\n".join(lines + edges + [f"outputs: [{prev}]"]) + "\n"


@_generator("blocks")
def _blocks(n: int) -> str:
    """A residual block of 5 nodes repeated 100 times inside a stage block, stages repeated."""
    if n < 500:
        return _stack(max(1, n // 5), "")
    stage = """  stage:
    nodes:
      body: {block: res, repeat: 100}
"""
    return _stack(max(1, n // 500), stage, top="stage")


def _stack(copies: int, extra: str, *, top: str = "res") -> str:
    return f"""name: blocks
inputs: {{x: {{shape: [16]}}}}
blocks:
{extra}
  res:
    params: {{units: 16}}
    nodes:
      a: {{type: Dense, units: "${{units}}", activation: relu}}
      b: {{type: Dense, units: "${{units}}"}}
      add: {{type: Add}}
      out: {{type: ReLU}}
      norm: {{type: LayerNormalization}}
    edges: [x -> a -> b -> add -> out -> norm, x -> add]
    outputs: [norm]
nodes:
  stack: {{block: {top}, repeat: {copies}}}
"""
