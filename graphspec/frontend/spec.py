"""The spec model (typed records): what a graphspec YAML file may say, with its source locations."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, Final, Literal

from graphspec.base.record import Field, PrivateAttr, Record, StrictInt
from graphspec.base.registry import Registry
from graphspec.base.source import SourceMap

__all__ = [
    "DISPLAY",
    "FORMAT_1_0",
    "FORMAT_1_1",
    "BlockSpec",
    "EdgeItem",
    "InputSpec",
    "NodeKey",
    "NodeSpec",
    "Spec",
    "TrainSpec",
]

DisplayHook = Callable[["Spec", Any, Any], dict[str, Any]]
DISPLAY: Registry[str, DisplayHook] = Registry("display hook", replace=True)
"""How a spec shows itself in a notebook (``notebook``: the diagram, registered by the package
root, so this module knows nothing of diagrams)."""

Scalar = int | float | str | bool | None
EdgeItem = str | list[str]
"""An edge entry: a chain ``"a -> b -> c"`` or a pair ``[a, b]``."""


class NodeKey(StrEnum):
    """Reserved keys of a node; every other key is a keyword argument of the layer."""

    TYPE = "type"
    INPUTS = "inputs"
    SHARE = "share"
    BLOCK = "block"
    REPEAT = "repeat"
    EXPR = "expr"
    CALL = "call"
    MODEL = "model"
    WEIGHT = "weight"
    NAMES = "names"
    WHEN = "when"


FORMAT_1_0: Final = 1
FORMAT_1_1: Final = 1.1
"""Format versions: ``graphspec: 1`` (the default) and ``graphspec: 1.1`` (expressions, call
arguments, nested models, includes, learned tensors). A 1.0 spec reads and compiles the same under both."""


def _dict() -> dict[str, Any]:
    return {}


def _list() -> list[Any]:
    return []


class _Strict(Record):
    model_config: ClassVar[dict[str, Any]] = {"extra": "forbid"}


class InputSpec(_Strict):
    """A model input: its shape without the batch dimension, and its dtype."""

    shape: list[int | str | None] = Field(
        description="Shape without the batch dimension; null for a variable length.",
        examples=[[28, 28, 1], [None, 16]],
    )
    dtype: str = Field("float32", description="Keras dtype name, e.g. float32, int32.")


_NAMED = {"type": ["string", "object", "null"]}
_WEIGHT_SETTINGS: Final[dict[str, Any]] = {
    "shape": {
        "type": ["array", "string"],
        "description": "Sizes without a batch axis, e.g. [1, 1, 64]; `${shape(NODE)[i]}` allowed.",
    },
    "initializer": {**_NAMED, "description": "keras.initializers name or {type: NAME, ...}."},
    "regularizer": {**_NAMED, "description": "keras.regularizers name or {type: NAME, ...}."},
    "constraint": {**_NAMED, "description": "keras.constraints name or {type: NAME, ...}."},
    "trainable": {"type": ["boolean", "string"], "description": "false freezes it."},
    "batched": {
        "type": ["boolean", "string"],
        "description": "true: one copy per sample, a leading batch axis.",
    },
    "dtype": {"type": "string", "description": "float16, bfloat16, float32 or float64."},
}
"""What a ``weight:`` mapping holds, for editors (the settings are checked when expanded)."""


class NodeSpec(Record):
    """A node: a layer (``type`` plus its keyword arguments), a ``share``, a ``block`` instance, or
    (format 1.1) an expression, a nested model or a learned tensor."""

    model_config: ClassVar[dict[str, Any]] = {"extra": "allow"}

    type: str | None = Field(None, description="A class name from keras.layers, e.g. Conv2D.")
    inputs: str | list[str] | None = Field(
        None, description="This node's inputs in order: an alternative to `edges`."
    )
    share: str | None = Field(
        None, description="Reuse the layer object (and so the weights) of another node."
    )
    block: str | None = Field(None, description="Instantiate the named block.")
    repeat: StrictInt | str | None = Field(
        None, description="With `block`: stack this many copies, output to input."
    )
    expr: str | None = Field(
        None,
        description="Format 1.1: a tensor expression over other nodes' outputs, e.g. "
        "`relu6(x + 3.0) / 6.0` (keras.ops functions from a fixed table).",
    )
    call: dict[str, Any] | None = Field(
        None,
        description="Format 1.1: call arguments: tensors by node reference "
        "(`initial_state: [enc:1, enc:2]`, `mask`, `attention_mask`, `value`, `key`) and "
        "constants (`training`, `use_causal_mask`, `return_attention_scores`).",
    )
    model: str | dict[str, Any] | None = Field(
        None,
        description="Format 1.1: a nested model: `keras.applications.NAME`, the path of another "
        "spec file (relative to this one), or an inline spec mapping.",
    )
    weight: dict[str, Any] | None = Field(
        None,
        description="Format 1.1: a learned tensor (a class token, a position table, a scale): "
        "`{shape: [1, 1, 64], initializer: zeros}`, optionally `regularizer`, `constraint`, "
        "`trainable`, `batched`, `dtype`.",
        json_schema_extra={"properties": _WEIGHT_SETTINGS, "required": ["shape"]},
    )
    when: bool | str | None = Field(
        None,
        description="Format 1.1: whether the node is part of the model, e.g. `${expand}`; "
        "when false it is left out and its one input takes its place.",
    )
    names: str | None = Field(
        None,
        description="Format 1.1, with `block`: the Keras layer name of each node of this "
        "instance, overriding the block's `names`; `${instance}`, `${node}` and `${copy}` "
        "name the instance, the block node and the copy (from 0).",
    )

    @property
    def args(self) -> dict[str, Any]:
        """The layer's keyword arguments (every non-reserved key), in the order written."""
        return dict(self.model_extra or {})

    @property
    def input_list(self) -> list[str] | None:
        """``inputs`` as a list, or ``None`` when not given."""
        if self.inputs is None:
            return None
        return [self.inputs] if isinstance(self.inputs, str) else list(self.inputs)


class BlockSpec(_Strict):
    """A reusable, parameterised sub-graph."""

    params: dict[str, Scalar | list[Any]] = Field(
        default_factory=_dict, description="Block params; null marks a required one."
    )
    inputs: list[str] = Field(default_factory=lambda: ["x"], description="Input placeholders.")
    nodes: dict[str, NodeSpec]
    edges: list[EdgeItem] = Field(default_factory=_list)
    outputs: list[str] | None = None
    names: str | None = Field(
        None,
        description="Format 1.1: the Keras layer name of each node of an instance, e.g. "
        "`${instance}_${node}`; `${...}` sees the block's params, `instance`, `node` and `copy` "
        "(the copy's index, from 0). Default: the expanded node name.",
    )


class TrainSpec(_Strict):
    """Training settings used by ``graphspec fit`` and ``graphspec compare``."""

    optimizer: str | dict[str, Any] = "adam"
    loss: str | list[str] | dict[str, str] = "sparse_categorical_crossentropy"
    metrics: list[str] | dict[str, list[str]] = Field(default_factory=lambda: ["accuracy"])
    batch_size: int = Field(default=32, gt=0)
    epochs: int = Field(default=5, gt=0)


class Spec(_Strict):
    """A whole graphspec file, format version 1 or 1.1.

    >>> from graphspec import load
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes:\\n  d: {type: Dense, units: 2}\\n")
    >>> list(spec.nodes), spec.inputs["x"].shape
    (['d'], [4])
    """

    graphspec: Literal[1, 1.1] = Field(  # type: ignore[valid-type]  # the records (and pydantic) accept a float Literal; PEP 586 does not
        1,
        description="Format version: 1, or 1.1 for expressions, call arguments and nested models.",
    )
    name: str | None = Field(None, description="Model name; default: the file's stem.")
    api: Literal["auto", "sequential", "functional"] = Field(
        "auto",
        description="How `compile --api auto` builds the model: auto (Sequential for one chain, "
        "functional otherwise), or always sequential / functional.",
    )
    description: str | None = None
    params: dict[str, Scalar | list[Any]] = Field(default_factory=_dict)
    inputs: dict[str, InputSpec]
    nodes: dict[str, NodeSpec]
    edges: list[EdgeItem] = Field(default_factory=_list)
    outputs: list[str] | dict[str, str] | None = None
    include: list[str] = Field(
        default_factory=_list,
        description="Format 1.1: spec files whose blocks this spec uses (paths relative to it).",
    )
    blocks: dict[str, BlockSpec] = Field(default_factory=_dict)
    train: TrainSpec | None = None
    search: dict[str, Any] = Field(
        default_factory=_dict,
        description="Params to search (`graphspec sweep`): a list of choices, or "
        "{low, high, step, log, when} for an integer or float range.",
    )
    constraints: list[Any] = Field(
        default_factory=_list,
        description="Conditions every searched variant must meet, over params and the static "
        "figures params, trainable_params, flops, macs: 'flops <= 5e8', '${width * depth <= 512}'.",
    )
    scales: dict[str, Any] = Field(
        default_factory=_dict,
        description="Named sets of param values, chosen with --scale NAME: "
        "{s: {width: 32, depth: 2}, m: {width: 64, depth: 3}}.",
    )

    _source: SourceMap = PrivateAttr(default_factory=lambda: SourceMap("<spec>"))
    _load_diagnostics: list[Any] = PrivateAttr(default_factory=_list)
    _library: bool = PrivateAttr(default=False)

    @property
    def is_library(self) -> bool:
        """True for a block library: a file with ``blocks`` and no ``inputs`` or ``nodes``."""
        return self._library

    @property
    def load_diagnostics(self) -> list[Any]:
        """Schema problems found while loading that did not stop the rest from being checked."""
        return self._load_diagnostics

    @property
    def source(self) -> SourceMap:
        """Where each element of this spec was written."""
        return self._source

    @property
    def file(self) -> str:
        """The spec's file name (``<spec>`` for text)."""
        return self._source.file

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter display, by the hook registered in :data:`DISPLAY` (the diagram as SVG)."""
        show = DISPLAY.get("notebook")
        if show is None:
            return {"text/plain": repr(self)}
        return show(self, include, exclude)
