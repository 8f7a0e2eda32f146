"""The graph IR every back end works on: expanded nodes with ordered inputs (a networkx view on demand)."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from graphspec.base.memo import freeze
from graphspec.base.source import Loc, Path
from graphspec.errors import CycleError, Diagnostic, Severity

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "BlockInstance",
    "CallTensors",
    "ExprInfo",
    "Graph",
    "IRNode",
    "IncludedFile",
    "ModelInfo",
    "NodeKind",
    "node_diagnostic",
]


class NodeKind(StrEnum):
    """What an IR node is."""

    INPUT = "input"
    LAYER = "layer"
    EXPR = "expr"
    """A tensor expression (format 1.1): ``IRNode.expr`` holds it."""
    MODEL = "model"
    """A nested model (format 1.1): ``IRNode.model`` holds it."""
    WEIGHT = "weight"
    """A learned tensor (format 1.1): ``IRNode.args`` holds its settings (``shape``, …)."""


@dataclass(frozen=True)
class CallTensors:
    """A call argument holding tensors: ``count`` node references, written as a list or not."""

    count: int
    listed: bool = False


@dataclass
class ExprInfo:
    """A tensor expression node's text and parse tree (see :mod:`graphspec.plugins.expr`).

    ``refs`` are the references as written, one per entry of the node's ``inputs`` (same order);
    ``loc`` is where the expression text starts and ``shift`` how many characters precede its
    first one there (1 for a quoted scalar), or ``None`` when columns inside it are unknown.
    """

    text: str
    tree: Any
    refs: list[str] = field(default_factory=list)
    loc: Loc | None = None
    shift: int | None = 0

    def loc_at(self, offset: int) -> Loc | None:
        """Where character ``offset`` of the expression text is in the file."""
        if self.loc is None or self.shift is None:
            return self.loc
        return Loc(self.loc.line, self.loc.column + self.shift + offset)


@dataclass
class ModelInfo:
    """A nested model: a keras.applications architecture, another spec file, or an inline graph.

    ``source`` is ``application``, ``file`` or ``inline``; ``name`` the application name
    (``MobileNetV2``), the path as written, or ``inline``; ``args`` the application's constructor
    arguments or the nested spec's params. ``checked`` is the nested spec checked on its own (a
    :class:`graphspec.api.CheckResult`), or ``None`` when it has no static form (``reason``).
    """

    source: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    trainable: bool = True
    path: str | None = None
    checked: Any = None
    reason: str | None = None
    attempted: Any = field(default=None, repr=False, compare=False)
    """The nested spec checked on its own even when it has errors (``checked`` is then
    ``None``): what an editor can still show of the nodes inside."""

    @property
    def label(self) -> str:
        """``keras.applications.MobileNetV2``, ``blocks/tower.yaml`` or ``inline``."""
        return f"keras.applications.{self.name}" if self.source == "application" else self.name


@dataclass(frozen=True)
class IncludedFile:
    """A spec file whose blocks the spec uses (format 1.1 ``include:``), as the check read it.

    ``file`` is the resolved path, ``written`` the path as written, ``by`` the file that names
    it and ``path`` where it is named (``("include", i)`` in the spec itself, under the
    ``INCLUDED`` prefix in an included file); ``spec`` is the included file's spec, ``None``
    when it could not be read (its diagnostics say why). Editors and viewers follow these files.
    """

    file: str
    written: str
    by: str
    path: Path
    spec: Any = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class IRNode:
    """One expanded node: a model input or a layer call.

    ``inputs`` are expanded node names in call order. For a ``share`` node, ``share`` names the
    node that owns the layer, and ``type``/``args`` are the owner's. ``spec_path`` points at the
    node's entry in the source (inside a block definition for block nodes). ``dangling``: an
    input was lost to an error already reported (the inputs are incomplete); ``failed_args``:
    arguments whose ``${...}`` failed (reported; their value is ``None``).
    """

    name: str
    kind: NodeKind
    type: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    input_locs: list[Loc | None] = field(default_factory=list)
    input_ports: list[int] = field(default_factory=list)
    input_refs: list[str] = field(default_factory=list)
    """Each input's reference as written (``x``, ``conv:1``): which block input a node inside a
    block reads when two of them are fed the same tensor."""
    share: str | None = None
    shape: tuple[int | None, ...] | None = None
    dtype: str = "float32"
    loc: Loc | None = None
    spec_path: Path = ()
    instance: str | None = None
    block: str | None = None
    broken: bool = False
    dangling: bool = False
    expr: ExprInfo | None = None
    file: str | None = None
    """The file the node was written in when it is not the graph's (a block from `include:`)."""
    failed_args: frozenset[str] = frozenset()
    model: ModelInfo | None = None
    call: dict[str, Any] = field(default_factory=dict)
    """Call arguments: constants by name, and :class:`CallTensors` for tensor arguments."""
    call_tensors: int = 0
    """How many of ``inputs`` (the last ones) are tensors of call arguments."""
    args_at: Path | None = None
    """Where ``args`` are written when not directly under the node (a learned tensor's
    settings are under ``weight:``)."""
    sized: dict[str, Any] = field(default_factory=dict)
    """Arguments computed from other nodes' shapes (``units: "${shape(x)[-1] // 2}"``), as
    written with their names resolved (:class:`graphspec.frontend.params.Sized` inside). The
    shapes pass computes them, in order, and writes the values into ``args``; until then
    ``args`` holds these."""
    sized_from: list[str] = field(default_factory=list)
    """The nodes whose shapes ``sized`` reads: they come before this node, like its inputs."""

    @property
    def depends_on(self) -> list[str]:
        """The nodes that must be built (and inferred) first: the inputs, and the nodes whose
        shapes its arguments read."""
        return [*self.inputs, *self.sized_from] if self.sized_from else self.inputs

    def arg_path(self, key: str) -> Path:
        """The source path of argument ``key``.

        >>> IRNode("cls", NodeKind.WEIGHT, spec_path=("nodes", "cls"),
        ...        args_at=("nodes", "cls", "weight")).arg_path("shape")
        ('nodes', 'cls', 'weight', 'shape')
        """
        return (*(self.args_at or self.spec_path), key)

    keras_name: str | None = None
    """The Keras layer name a block's ``names:`` template gives the node (``None``: its name)."""

    @property
    def layer_name(self) -> str:
        """The name of the node's Keras layer: ``keras_name`` when a template set one, else the
        node's own name.

        >>> IRNode("conv2_block1.1_conv", NodeKind.LAYER, keras_name="conv2_block1_1_conv").layer_name
        'conv2_block1_1_conv'
        """
        return self.keras_name or self.name

    @property
    def main_inputs(self) -> list[str]:
        """The inputs the layer is applied to (call-argument tensors left out)."""
        return (
            self.inputs[: len(self.inputs) - self.call_tensors]
            if self.call_tensors
            else self.inputs
        )

    def split_call(self, values: list[Any]) -> tuple[list[Any], dict[str, Any]]:
        """``values`` (one per input: tensors, shapes, variable names) split into the main ones
        and the call keyword arguments (constants included), as the layer is called.

        >>> node = IRNode("dec", NodeKind.LAYER, inputs=["x", "h", "c"], call_tensors=2,
        ...               call={"initial_state": CallTensors(2, True), "training": False})
        >>> node.split_call(["X", "H", "C"])
        (['X'], {'initial_state': ['H', 'C'], 'training': False})
        """
        slices = self.call_slices()
        kwargs: dict[str, Any] = {}
        for name, value in self.call.items():
            if name in slices:
                a, b, listed = slices[name]
                kwargs[name] = list(values[a:b]) if listed else values[a]
            else:
                kwargs[name] = value
        return list(values[: len(values) - self.call_tensors]), kwargs

    def call_slices(self) -> dict[str, tuple[int, int, bool]]:
        """Tensor call argument -> ``(start, stop, listed)``: its slice of ``inputs``."""
        out: dict[str, tuple[int, int, bool]] = {}
        start = len(self.inputs) - self.call_tensors
        for name, value in self.call.items():
            if isinstance(value, CallTensors):
                out[name] = (start, start + value.count, value.listed)
                start += value.count
        return out

    @property
    def is_input(self) -> bool:
        """True for model inputs."""
        return self.kind is NodeKind.INPUT

    @property
    def is_layer(self) -> bool:
        """True for layer calls (``type:`` or ``share:``), the nodes checked against the catalog."""
        return self.kind is NodeKind.LAYER

    def port(self, index: int) -> int:
        """Which output of its ``index``-th input this node takes (0 unless ``name:N``)."""
        return self.input_ports[index] if index < len(self.input_ports) else 0

    @property
    def display_type(self) -> str:
        """What the node is, for tables and labels: ``Input``, the layer type, ``expr``, …"""
        if self.is_input:
            return "Input"
        if self.kind in (NodeKind.EXPR, NodeKind.WEIGHT):
            return self.kind.value
        if self.model is not None:
            return f"Model({self.model.label})"
        return self.type if isinstance(self.type, str) else "?"

    @property
    def layer_owner(self) -> str:
        """The node whose layer object this node calls (itself unless it shares)."""
        return self.share or self.name


@dataclass
class BlockInstance:
    """One block instance (one copy when repeated): its block type and expanded nodes.

    ``site`` is the instance node's expanded name and ``copy`` the copy's index when repeated
    (``stage1`` and 0, 1, …); ``params`` the resolved block params; ``feeds`` the references
    feeding the block's inputs, in order (``name`` or ``name:port``), set once references are
    resolved.
    """

    name: str
    block: str
    nodes: list[str] = field(default_factory=list)
    output: str | None = None
    parent: str | None = None
    loc: Loc | None = None
    site: str = ""
    copy: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    feeds: list[str] = field(default_factory=list)
    feed_refs: list[str] = field(default_factory=list)
    """The references feeding the block's inputs as written where the instance is."""
    folded: bool = False
    """Drawn as one box unless expanded on request (a keras.applications model's many layers)."""
    model: ModelInfo | None = None
    """The nested model this instance draws, when a diagram opened one up."""
    names: str | None = None
    """The instance's own ``names:`` template: each copy's name (``${instance}`` in the block's
    templates), e.g. ``conv2_block${copy + 2}``."""


@dataclass
class Graph:
    """The expanded model graph.

    ``nodes`` is ordered: inputs first, then layers in the order written (blocks expanded in
    place). ``outputs`` pairs each output name with its node. The authoritative, ordered inputs
    are ``IRNode.inputs``; :attr:`dag` is a networkx view of them, made on first use.
    ``incomplete``: expansion dropped a node, an instance or a reference because of an error it
    reported, so what is (not) connected says nothing about the spec as meant.
    """

    name: str
    file: str
    nodes: dict[str, IRNode] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)
    outputs_named: bool = False
    output_ports: list[int] = field(default_factory=list)
    instances: dict[str, BlockInstance] = field(default_factory=dict)
    block_specs: dict[str, Any] = field(default_factory=dict)
    """The block definitions instances were made from (``BlockSpec`` by name), for back ends
    that write blocks as blocks (codegen)."""
    params: dict[str, Any] = field(default_factory=dict)
    """The spec's params as this graph was expanded with them (``--set`` applied, ``${...}``
    defaults computed), by name in the order written."""
    api: str = "auto"
    incomplete: bool = False
    included: list[IncludedFile] = field(default_factory=list)
    """The files of ``include:`` (transitively), in the order read (format 1.1)."""
    _dag: nx.DiGraph[str] | None = field(default=None, init=False, repr=False, compare=False)
    _order: list[str] | None = field(default=None, init=False, repr=False, compare=False)
    _arg_keys: dict[str, Hashable] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __iter__(self) -> Iterator[IRNode]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, name: str) -> IRNode:
        return self.nodes[name]

    @property
    def layers(self) -> list[IRNode]:
        """The layer nodes (inputs excluded), in order."""
        return [n for n in self.nodes.values() if not n.is_input]

    @property
    def output_nodes(self) -> list[str]:
        """The output node names in order."""
        return [node for _, node in self.outputs]

    @property
    def dag(self) -> nx.DiGraph[str]:
        """The nodes and one edge per distinct (source, target) pair, as a networkx ``DiGraph``.

        Made from the nodes' inputs on first use (networkx is imported then: checking a valid
        spec never needs it) and kept until :meth:`build_dag`.
        """
        if self._dag is None:
            import networkx as nx

            dag: nx.DiGraph[str] = nx.DiGraph()
            dag.add_nodes_from(self.nodes)
            dag.add_edges_from(
                (src, node.name) for node in self.nodes.values() for src in node.inputs
            )
            self._dag = dag
            return dag
        return self._dag

    def build_dag(self) -> None:
        """Forget :attr:`dag` and the topological order: they are made again from the nodes'
        inputs when next used."""
        self._dag = None
        self._order = None
        self._arg_keys = {}

    def arguments_key(self, node: IRNode) -> Hashable:
        """A key of ``node``'s arguments (:func:`~graphspec.base.memo.freeze`), made once per
        node until :meth:`build_dag`: the argument checks and shape inference, pure functions of
        a layer's arguments, key their memos on it.
        """
        key = self._arg_keys.get(node.name)
        if key is None:
            key = self._arg_keys[node.name] = freeze(node.args)
        return key

    def consumers(self) -> dict[str, dict[str, None]]:
        """Node name -> the distinct nodes that take it as an input, in node order.

        The successors :attr:`dag` gives, without networkx; a name some node takes as an input
        is a key even when it is not a node.

        >>> g = Graph("m", "<spec>")
        >>> g.nodes = {n: IRNode(n, NodeKind.LAYER, inputs=i) for n, i in
        ...            [("x", []), ("a", ["x"]), ("b", ["x", "a", "x"])]}
        >>> {name: list(found) for name, found in g.consumers().items()}
        {'x': ['a', 'b'], 'a': ['b']}
        """
        found: dict[str, dict[str, None]] = {}
        for node in self.nodes.values():
            for src in node.inputs:
                found.setdefault(src, {})[node.name] = None
        return found

    def topological_order(self) -> list[str]:
        """Node names in an order where every node follows its inputs and the nodes whose shapes
        its arguments read (written order kept).

        An iterative depth-first walk over the ordered inputs, linear in nodes plus edges; kept
        until :meth:`build_dag` (the cycle check and shape inference both need it).
        Raises :class:`~graphspec.errors.CycleError` when the graph has a cycle.
        """
        if self._order is not None:
            return list(self._order)
        nodes = self.nodes
        order: list[str] = []
        state: dict[str, bool] = {}  # False: on the walk's stack, True: placed
        for root in nodes:
            if root in state:
                continue
            state[root] = False
            stack = [(root, iter(nodes[root].depends_on))]
            while stack:
                name, pending = stack[-1]
                for src in pending:
                    seen = state.get(src)
                    if seen is None and src in nodes:
                        state[src] = False
                        stack.append((src, iter(nodes[src].depends_on)))
                        break
                    if seen is False:
                        raise CycleError(f"the graph has a cycle through `{src}`")
                else:
                    stack.pop()
                    state[name] = True
                    order.append(name)
        self._order = order
        return list(order)

    def compiles_as(self) -> tuple[str, str | None]:
        """``("Sequential", None)`` or ``("functional", why)``: what ``compile --api auto`` builds.

        The spec's ``api:`` key decides when set; otherwise a chain is Sequential.
        """
        if self.api == "functional":
            return "functional", "the spec sets `api: functional`"
        chain, reason = self.is_chain()
        return ("Sequential", None) if chain else ("functional", reason)

    def is_chain(self) -> tuple[bool, str | None]:
        """Whether the graph is one linear chain (Sequential-compatible), else why not.

        A chain has one input, one output, every layer has exactly one input, nothing branches,
        no merge and no shared layer.
        """
        if len(self.inputs) != 1:
            return False, f"the model has {len(self.inputs)} inputs"
        if len(self.outputs) != 1:
            return False, f"the model has {len(self.outputs)} outputs"
        if self.outputs_named:
            return False, "its outputs are named with a mapping"
        if any(self.output_ports):
            return False, "an output is one of several tensors of a layer"
        out = self.outputs[0][1]
        if out in self.nodes and self.nodes[out].is_input:
            return False, f"output `{out}` is a model input"
        for node in self.nodes.values():
            if node.is_input:
                continue
            taken = next((i for i, p in enumerate(node.input_ports) if p), None)
            if taken is not None:
                src = node.inputs[taken]
                return False, f"node `{node.name}` takes output {node.port(taken)} of `{src}`"
            if node.kind is NodeKind.EXPR:
                return False, f"node `{node.name}` is an expression; a Sequential holds only layers"
            if node.kind is NodeKind.WEIGHT:
                return False, f"node `{node.name}` is a learned tensor, which has no input"
            if node.call:
                return False, f"node `{node.name}` passes call arguments"
            if node.kind is NodeKind.MODEL and len(node.inputs) != 1:
                return False, f"node `{node.name}` is a model called on {len(node.inputs)} inputs"
            if node.share:
                return False, f"node `{node.name}` shares the layer of `{node.share}`"
            if len(node.inputs) != 1:
                listed = ", ".join(node.inputs) or "none"
                return False, f"node `{node.name}` has {len(node.inputs)} inputs: {listed}"
        consumers = self.consumers()
        for name in self.nodes:
            succ = consumers.get(name, {})
            if len(succ) > 1:
                return False, f"node `{name}` feeds {len(succ)} nodes: {', '.join(succ)}"
        if out in consumers or out not in self.nodes:
            return False, f"output `{out}` also feeds other nodes"
        return True, None


def node_diagnostic(
    graph: Graph,
    node: IRNode,
    code: str,
    message: str,
    *,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
    loc: Loc | None = None,
) -> Diagnostic:
    """A diagnostic about ``node``, located where it was written (or at ``loc``)."""
    where = loc or node.loc
    return Diagnostic(
        code,
        message,
        file=graph.file,
        loc=where,
        severity=severity,
        hint=hint,
        node=node.name,
    )
