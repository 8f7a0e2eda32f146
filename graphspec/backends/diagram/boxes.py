"""What a diagram shows, independent of the output language: boxes, edges, clusters, notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphspec.backends.diagram._style import FAMILIES, Family
from graphspec.errors import Diagnostic

__all__ = ["MARKS", "Box", "BoxKind", "Cluster", "Edge", "Mark", "Options", "Share", "View"]

BoxKind = Literal["input", "layer", "block", "expr", "weight"]

Mark = Literal["added", "changed", "shape", "removed"]
"""How a box differs from another version of the spec (a diff diagram): new, edited, changed
only in its output shape or parameters, or gone (drawn as a ghost)."""

MARKS: tuple[Mark, ...] = ("added", "changed", "shape", "removed")
"""Every mark, strongest first (a collapsed box holding several marked nodes takes the first)."""


@dataclass(frozen=True)
class Options:
    """How to draw: layout direction, block display and whether to show tensor shapes."""

    rankdir: str = "TB"
    blocks: Literal["expand", "collapse"] = "expand"
    shapes: bool = True
    toggled: frozenset[str] = frozenset()
    """Block units drawn the other way than ``blocks`` says (the viewer's expand/collapse)."""
    layout: str = "auto"
    """``auto`` folds encoder–decoder nets into a U; ``chain`` never does."""
    shapes_on: str = "boxes"
    """Where tensor shapes are written: ``boxes`` (output shape in each box), ``edges``, ``both``."""
    dpi: int = 144
    """Resolution of bitmap output (PNG)."""
    applications: Literal["expand", "collapse"] = "collapse"
    """keras.applications models: one expandable box (default), or a cluster of their layers."""
    title: bool = True
    """Write the model's name, summary and notes above the diagram (the legend is always drawn;
    the viewer leaves the title out: its header shows it)."""


@dataclass
class Box:
    """One drawn node: a model input, a layer, or a collapsed block instance."""

    id: str
    name: str
    kind: BoxKind
    type: str
    family: Family
    args: list[str] = field(default_factory=list)
    shape: str = ""
    params: str = ""
    outputs: list[str] = field(default_factory=list)
    is_output: bool = False
    cluster: str | None = None
    tooltip: str = ""
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    label: str = ""
    unit: str | None = None
    nodes: list[str] = field(default_factory=list)
    mark: Mark | None = None
    """Set in a diff diagram: how this box differs from the other version."""
    changes: list[str] = field(default_factory=list)
    """Lines written in the box under its arguments (a diff diagram's ``old → new`` values)."""

    def __post_init__(self) -> None:
        self.label = self.label or self.name

    @property
    def faulty(self) -> bool:
        """True when an error is attached to this box."""
        return bool(self.errors)


@dataclass
class Edge:
    """A tensor flowing from one box to another, labelled with its shape."""

    src: str
    dst: str
    label: str = ""
    skip: bool = False
    fault: bool = False
    port: str = ""
    ghost: bool = False
    """An edge of the other version to or from a removed box (a diff diagram)."""


@dataclass(frozen=True)
class Share:
    """Two boxes that call the same layer object (undirected)."""

    a: str
    b: str


@dataclass
class Cluster:
    """A block instance (or a group of repeated copies) drawn as a labelled frame."""

    id: str
    label: str
    parent: str | None
    repeat: bool = False
    depth: int = 0
    unit: str | None = None


@dataclass
class View:
    """Everything one diagram shows."""

    name: str
    summary: str
    options: Options
    boxes: dict[str, Box] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    notes: list[Diagnostic] = field(default_factory=list)

    @property
    def families(self) -> list[Family]:
        """The layer families used, in legend order."""
        used = {box.family.key for box in self.boxes.values() if box.kind != "input"}
        return [fam for key, fam in FAMILIES.items() if key in used]

    def children(self, cluster: str | None) -> list[str]:
        """The ids of the clusters directly inside ``cluster`` (top level for ``None``)."""
        return [c.id for c in self.clusters.values() if c.parent == cluster]

    def members(self, cluster: str | None) -> list[Box]:
        """The boxes directly inside ``cluster`` (top level for ``None``)."""
        return [b for b in self.boxes.values() if b.cluster == cluster]
