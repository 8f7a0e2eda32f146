"""Which Keras layer classes have a static shape rule: the coverage figure and its report."""

from __future__ import annotations

from dataclasses import dataclass

from graphspec.base.catalog import (
    FORBIDDEN_LAYERS,
    NESTED_ONLY_REASON,
    canonical_type,
    catalog,
    cell_names,
    is_hub_layer,
    layer_aliases,
    layer_module,
    layer_names,
)
from graphspec.passes.shapes.registry import has_rule
from graphspec.passes.shapes.rules.cells import CELL_RULES

__all__ = ["Coverage", "coverage", "coverage_markdown"]


@dataclass(frozen=True)
class Coverage:
    """Rules over the catalog's spec-able classes (aliases and nested-only cells included)."""

    keras_version: str
    spec_able: tuple[str, ...]
    covered: tuple[str, ...]
    refused: dict[str, str]

    @property
    def missing(self) -> tuple[str, ...]:
        """Spec-able classes without a rule."""
        return tuple(n for n in self.spec_able if n not in set(self.covered))

    @property
    def percent(self) -> float:
        """Covered classes in percent of the spec-able ones."""
        return 100.0 * len(self.covered) / len(self.spec_able) if self.spec_able else 100.0

    def headline(self) -> str:
        """One line: ``154 / 154 classes (100.0%)``.

        >>> coverage().headline().endswith("(100.0%)")
        True
        """
        return f"{len(self.covered)} / {len(self.spec_able)} classes ({self.percent:.1f}%)"


def _covered(name: str) -> bool:
    """A node class has a shape rule; a cell (never a node) has a cell rule."""
    if name in cell_names():
        return name in CELL_RULES
    return has_rule(name)


def coverage() -> Coverage:
    """Coverage of the shipped catalog by the registered rules (no Keras needed)."""
    names = tuple(layer_names())
    refused = {n: r for n, r in FORBIDDEN_LAYERS.items() if n in catalog()["layers"]}
    return Coverage(
        keras_version=str(catalog()["keras_version"]),
        spec_able=names,
        covered=tuple(n for n in names if _covered(n)),
        refused=refused,
    )


def coverage_markdown() -> str:
    """The generated section of docs/spec-format.md (``python scripts/gen_coverage.py``)."""
    cov = coverage()
    aliases = layer_aliases()
    lines = [
        f"**Static shape coverage: {cov.headline()}** of the layer classes of Keras "
        f"{cov.keras_version} and KerasHub {catalog()['keras_hub_version']} that a spec can "
        "name: every `keras.layers` class (aliases and recurrent cells included), the layers "
        "Keras ships with its applications and KerasHub's modeling layers (generated from the "
        "catalog and the rule registry by `scripts/gen_coverage.py`).",
        "",
    ]
    if cov.missing:
        lines += [f"Without a rule (N502): {', '.join(f'`{n}`' for n in cov.missing)}.", ""]
    lines += [
        "Aliases resolve to their class's rule (generated from Keras: the same class object "
        "under two names):",
        "",
        "| alias | class |",
        "|---|---|",
        *(f"| `{alias}` | `{canonical_type(alias)}` |" for alias in sorted(aliases)),
        "",
        "Layers Keras defines for its own applications are spec-able too, from a list generated "
        "from Keras that says where each class lives (a file's or a spec's module is never "
        "used): "
        + ", ".join(
            f"`{n}` ({layer_module(n)})"
            for n in sorted(n for n in cov.spec_able if layer_module(n) and not is_hub_layer(n))
        )
        + ".",
        "",
        "KerasHub's layers (`keras_hub.layers`, compiled with `pip install 'graphspec[hub]'`): "
        + ", ".join(f"`{n}`" for n in sorted(n for n in cov.spec_able if is_hub_layer(n)))
        + ". Its other modeling layers are not graph nodes here: "
        + "; ".join(f"`{n}`: {r}" for n, r in sorted(catalog()["hub_left_out"].items()))
        + ".",
        "",
        f"Recurrent cells ({', '.join(f'`{n}`' for n in sorted(cell_names()))}) are checked "
        f"inside the `RNN` that runs them; as a node they are refused (`E520`): "
        f"{NESTED_ONLY_REASON}.",
        "",
        "Classes a spec can never name:",
        "",
        "| class | why |",
        "|---|---|",
        *(f"| `{name}` | {reason} |" for name, reason in sorted(cov.refused.items())),
    ]
    return "\n".join(lines) + "\n"
