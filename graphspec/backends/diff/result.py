"""The typed result of ``graphspec diff``: what changed between two checked specs, as dataclasses.

Every class has ``to_dict()``, the stable JSON form documented in ``docs/diff.md``.

>>> Pair(16, 32).to_dict()
{'old': 16, 'new': 32}
>>> Count(432, 864).to_dict()
{'old': 432, 'new': 864, 'delta': 432}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.base.plain import jsonable
from graphspec.errors import Diagnostic

__all__ = [
    "FORMAT_VERSION",
    "Count",
    "DiffResult",
    "NodeChange",
    "NodeRef",
    "Pair",
    "ParamTotals",
    "Rename",
    "ShapeChange",
    "ShapeGroup",
    "Side",
    "SpecChanges",
]

FORMAT_VERSION: Final = 1
"""The version of the JSON form (``"format"``): raised when a key changes meaning."""

Shapes = list[list[int | None]] | None
"""A node's output shapes (one list per output, ``None`` for an unknown dimension), or unknown."""


@dataclass(frozen=True)
class Pair:
    """A value before (``old``) and after (``new``) the change; ``None`` where it is absent."""

    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """``{"old": ..., "new": ...}``."""
        return {"old": jsonable(self.old), "new": jsonable(self.new)}


@dataclass(frozen=True)
class Count:
    """A parameter count before and after (``None``: unknown) and the difference."""

    old: int | None
    new: int | None

    @property
    def delta(self) -> int | None:
        """``new - old``, or ``None`` when either is unknown."""
        return None if self.old is None or self.new is None else self.new - self.old

    def to_dict(self) -> dict[str, Any]:
        """``{"old": ..., "new": ..., "delta": ...}``."""
        return {"old": self.old, "new": self.new, "delta": self.delta}


@dataclass
class NodeRef:
    """An added or removed node, or a whole block instance added or removed as one unit.

    ``block`` names the block of a unit (``nodes`` then lists its nodes); ``inputs`` are the
    references it takes (``name`` or ``name:port``); ``shape`` its output shapes; ``params`` its
    parameter count (a unit's: its nodes' sum).
    """

    name: str
    type: str
    inputs: list[str] = field(default_factory=list)
    shape: Shapes = None
    params: int | None = None
    block: str | None = None
    nodes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``block`` and ``nodes`` only for a block instance)."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "inputs": list(self.inputs),
            "shape": self.shape,
            "params": self.params,
        }
        if self.block is not None:
            out |= {"block": self.block, "nodes": list(self.nodes)}
        return out


@dataclass
class Rename:
    """A node (or block instance) found under another name, with the same type, arguments and
    neighbours."""

    old: str
    new: str
    type: str
    nodes: int = 1

    def to_dict(self) -> dict[str, Any]:
        """``{"old", "new", "type", "nodes"}``."""
        return {"old": self.old, "new": self.new, "type": self.type, "nodes": self.nodes}


@dataclass
class NodeChange:
    """A node whose definition changed: arguments (``type``, ``expr``, ``model``, ``share`` and
    call arguments as ``call.NAME`` included) and inputs, with the consequences on its own output
    shape and parameter count.

    A change made in a block definition (or at a block's site) is one entry: ``block`` names the
    block, ``name`` the node inside it, ``instances`` every instance it applies to; ``params``
    is then summed over them and ``shape`` given when it is the same in all of them.
    """

    name: str
    type: str
    arguments: dict[str, Pair] = field(default_factory=dict)
    inputs: Pair | None = None
    shape: Pair | None = None
    params: Count | None = None
    block: str | None = None
    instances: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    """The expanded names of the nodes this entry stands for (one unless ``block``)."""
    block_instances: int = 0
    """How many instances of ``block`` the new spec has (``instances`` may be all of them)."""

    @property
    def everywhere(self) -> bool:
        """True for a block edit that changed every instance of the block (more than one)."""
        return self.block is not None and 1 < len(self.instances) == self.block_instances

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "name": self.name,
            "type": self.type,
            "block": self.block,
            "instances": list(self.instances),
            "block_instances": self.block_instances,
            "nodes": list(self.nodes),
            "arguments": {k: v.to_dict() for k, v in self.arguments.items()},
            "inputs": self.inputs.to_dict() if self.inputs else None,
            "shape": self.shape.to_dict() if self.shape else None,
            "params": self.params.to_dict() if self.params else None,
        }


@dataclass
class ShapeChange:
    """A node changed only as a consequence: its output shape and/or parameter count."""

    name: str
    type: str
    shape: Pair | None = None
    params: Count | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "type", "shape", "params"}``."""
        return {
            "name": self.name,
            "type": self.type,
            "shape": self.shape.to_dict() if self.shape else None,
            "params": self.params.to_dict() if self.params else None,
        }


@dataclass
class ShapeGroup:
    """The consequential changes that start at one changed (or added) node: ``origin``."""

    origin: str
    nodes: list[ShapeChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"from", "count", "nodes"}``."""
        return {
            "from": self.origin,
            "count": len(self.nodes),
            "nodes": [n.to_dict() for n in self.nodes],
        }


@dataclass
class ParamTotals:
    """The model's parameter totals before and after; ``complete`` whether every count is known."""

    trainable: Count
    non_trainable: Count
    complete: Pair = field(default_factory=lambda: Pair(True, True))

    @property
    def total(self) -> Count:
        """Trainable plus non-trainable."""
        old = _add(self.trainable.old, self.non_trainable.old)
        return Count(old, _add(self.trainable.new, self.non_trainable.new))

    @property
    def changed(self) -> bool:
        """True when a total is known on both sides and differs."""
        return any(c.delta not in (None, 0) for c in (self.trainable, self.non_trainable))

    def to_dict(self) -> dict[str, Any]:
        """``{"trainable", "non_trainable", "total"}`` (each old/new/delta) and ``complete``."""
        return {
            "trainable": self.trainable.to_dict(),
            "non_trainable": self.non_trainable.to_dict(),
            "total": self.total.to_dict(),
            "complete": self.complete.to_dict(),
        }


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


@dataclass
class SpecChanges:
    """Changes of the spec as a whole: inputs and outputs (names in order), the ``api`` key,
    training settings (``train.KEY``) and param values (``${...}``: informative only, two specs
    written with different params can compile to the same model)."""

    inputs: Pair | None = None
    outputs: Pair | None = None
    api: Pair | None = None
    train: dict[str, Pair] = field(default_factory=dict)
    params: dict[str, Pair] = field(default_factory=dict)

    @property
    def architectural(self) -> bool:
        """True when a change here makes the two specs differ (param values alone do not)."""
        return bool(self.inputs or self.outputs or self.api or self.train)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "inputs": self.inputs.to_dict() if self.inputs else None,
            "outputs": self.outputs.to_dict() if self.outputs else None,
            "api": self.api.to_dict() if self.api else None,
            "train": {k: v.to_dict() for k, v in self.train.items()},
            "params": {k: v.to_dict() for k, v in self.params.items()},
        }


@dataclass
class Side:
    """One side of the comparison: what was read, and what checking it found."""

    label: str
    name: str | None = None
    loaded: bool = True
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the side loaded and has no error."""
        return self.loaded and not any(d.is_error for d in self.diagnostics)

    def to_dict(self) -> dict[str, Any]:
        """``{"file", "name", "loaded", "ok", "diagnostics"}``."""
        return {
            "file": self.label,
            "name": self.name,
            "loaded": self.loaded,
            "ok": self.ok,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


@dataclass
class DiffResult:
    """Everything ``graphspec diff`` found between ``old`` and ``new``.

    ``equal`` is True when both compile to the same architecture: same nodes under the same
    names, arguments, wiring, shapes, parameters, inputs, outputs, Sequential/functional
    decision and training settings. How they are written (chains or edges, blocks or their
    expansion, key order, params) does not matter.
    """

    old: Side
    new: Side
    added: list[NodeRef] = field(default_factory=list)
    removed: list[NodeRef] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    shape_changes: list[ShapeGroup] = field(default_factory=list)
    params: ParamTotals = field(default_factory=lambda: ParamTotals(Count(0, 0), Count(0, 0)))
    compiles_as: Pair | None = None
    compiles_as_reason: Pair = field(default_factory=lambda: Pair(None, None))
    spec: SpecChanges = field(default_factory=SpecChanges)
    checks: tuple[Any, Any] = field(default=(None, None), repr=False, compare=False)
    """The two checked specs (:class:`graphspec.api.CheckResult`, ``None`` for a side that
    could not be loaded): what a diff diagram draws."""
    matched: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Old node name -> new node name of every matched top-level node (renames included)."""

    @property
    def compared(self) -> bool:
        """True when both sides could be loaded (an invalid one is still compared)."""
        return self.old.loaded and self.new.loaded

    @property
    def ok(self) -> bool:
        """True when neither side has an error."""
        return self.old.ok and self.new.ok

    @property
    def equal(self) -> bool:
        """True when the two specs compile to the same architecture (see the class doc)."""
        return self.compared and not (
            self.added
            or self.removed
            or self.renamed
            or self.changed
            or self.shape_changes
            or self.compiles_as
            or self.params.changed
            or self.spec.architectural
        )

    @property
    def exit_status(self) -> int:
        """As ``diff(1)``: 0 the same architecture, 1 different, 2 an error on either side."""
        if not self.ok:
            return 2
        return 0 if self.equal else 1

    @property
    def propagated(self) -> int:
        """How many nodes changed shape or parameters only as a consequence."""
        return sum(len(g.nodes) for g in self.shape_changes)

    def summary(self) -> str:
        """One line: what changed, by kind, and the parameter total.

        >>> DiffResult(Side("a.yaml"), Side("b.yaml")).summary()
        'same architecture'
        """
        if not self.compared:
            return "not compared: a side could not be read"
        parts = []
        for count, word in (
            (len(self.changed), "changed"),
            (len(self.added), "added"),
            (len(self.removed), "removed"),
            (len(self.renamed), "renamed"),
        ):
            if count:
                parts.append(f"{count} {word}")
        if self.propagated:
            many = "s" * (self.propagated != 1)
            parts.append(f"{self.propagated} node{many} with new shapes or parameters")
        if self.compiles_as:
            parts.append(f"{self.compiles_as.old} → {self.compiles_as.new}")
        if self.spec.architectural:
            parts.append("spec settings changed")
        total = self.params.total
        if self.params.changed and total.delta is not None:
            parts.append(f"params {total.old:,} → {total.new:,} ({total.delta:+,})")
        if not parts:
            return "same architecture"
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (``docs/diff.md`` documents every key)."""
        return {
            "format": FORMAT_VERSION,
            "equal": self.equal,
            "summary": self.summary(),
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "added": [n.to_dict() for n in self.added],
            "removed": [n.to_dict() for n in self.removed],
            "renamed": [r.to_dict() for r in self.renamed],
            "changed": [c.to_dict() for c in self.changed],
            "shape_changes": [g.to_dict() for g in self.shape_changes],
            "params": self.params.to_dict(),
            "compiles_as": (
                self.compiles_as.to_dict() | {"reason": self.compiles_as_reason.to_dict()}
                if self.compiles_as
                else None
            ),
            "spec": self.spec.to_dict(),
        }
