"""The statements of one generated function: ``build_model``'s, or a block's.

A :class:`Body` writes the nodes a function holds, in an order where each follows its inputs:
model inputs, layer calls (a shared layer as one variable called at each place), expressions,
nested models, and calls of other blocks' functions (a ``repeat`` as a loop). Every value that
was a ``${...}`` is written as the Python expression of the function's arguments it was.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol

from graphspec.backends.codegen._model import Model, strip_port
from graphspec.backends.codegen._params import Env, names_in, source, template, value_ast
from graphspec.backends.codegen._plan import Group
from graphspec.backends.codegen._source import (
    INDENT,
    Call,
    Item,
    Raw,
    Seq,
    call_lines,
    expr_piece,
    identifier,
    layer_expr,
    lines_of,
    literal_text,
    object_expr,
    plain,
    py,
    unpacking,
)
from graphspec.backends.keras.compiler import STOPPED, object_refusal
from graphspec.base.catalog import NESTED_LAYER_ARGS, POSITIONAL_CALLS, TUPLE_ARGS, object_kind
from graphspec.base.shape_types import LayerCall
from graphspec.errors import CompileError, Diagnostic
from graphspec.ir.graph import BlockInstance, CallTensors, IRNode, NodeKind
from graphspec.plugins.expr.syntax import ExprSyntaxError, Ref, parse, walk
from graphspec.plugins.weight import KERAS_CLASS, OBJECT_KINDS, layer_source

__all__ = ["RESERVED", "BlockFunction", "Body", "Functions"]

RESERVED: Final = frozenset(
    {"keras", "build_model", "model", "layers", "name", "i", "copy", "prefix", "Any", KERAS_CLASS}
)
"""Names generated variables never take."""
_PLACEHOLDER: Final = "gs_param_"


@dataclass
class BlockFunction:
    """A block's function: its name, its arguments and what it returns.

    ``params`` maps each block param to its argument, ``spec_params`` each spec param the block
    uses to its argument; ``returns`` holds, per block output, its node's name relative to the
    instance and how many tensors it gives (all of them are returned, in order).

    Layer names: a function takes ``name``, the prefix of its layers' names (``{name}.<node>``);
    for a block with ``names:`` templates, ``name`` is the instance (``${instance}``), ``copy``
    the copy's index when a template uses it, and ``prefix`` the expanded name when a layer no
    template names needs one.
    """

    name: str
    params: dict[str, str]
    spec_params: dict[str, str]
    returns: list[tuple[str, int]] = field(default_factory=list)
    named: bool = False
    copy: bool = False
    prefix: bool = False


class Functions(Protocol):
    """What a body asks of the file being written: imports and the other functions."""

    imports: set[str]
    names: set[str]
    classes: dict[str, str]

    def block_function(self, model: Model, group: Group, *, chain: bool) -> BlockFunction: ...

    def nested_function(self, model: Model, owner: IRNode) -> tuple[str, dict[str, str]]: ...


class Body:
    """Writes the statements of one function whose layers sit in ``root`` (``None``: the model).

    ``args`` holds the variables of the block's inputs (a block function's first arguments).
    """

    def __init__(
        self,
        functions: Functions,
        model: Model,
        root: BlockInstance | None,
        env: Env,
        args: dict[str, str] | None = None,
        taken: set[str] | None = None,
    ) -> None:
        self.functions = functions
        self.model = model
        self.root = root
        here = root.name if root else None
        self.envs: dict[str | None, Env] = {here: replace(env, shapes=self.shapes_in(here))}
        self.args = args or {}
        self.taken = set(RESERVED) | functions.names | set(self.args.values()) | (taken or set())
        self.var: dict[tuple[str, int], str] = {}
        self.layer_vars: dict[str, str] = {}
        self.lines: list[str] = []
        self.returned: set[str] = set()
        self.used: set[tuple[str, int]] = set()
        """Every ``(node, port)`` a node written here (or a model output) reads."""
        self.named = False
        """In a block's function: ``name`` is the instance of its ``names:`` templates (the
        expanded name is then ``prefix``)."""
        self.copy_used = False
        self.prefix_used = False

    # -- what this body holds -----------------------------------------------------------------

    @property
    def root_name(self) -> str | None:
        return self.root.name if self.root else None

    def holder(self, instance: str | None) -> str | None:
        return self.model.plan.holder[instance] if instance else None

    def members(self) -> list[str | Group]:
        """The nodes and calls of this body, each after its inputs: in the order the compiler
        makes them (:meth:`~graphspec.ir.graph.Graph.topological_order`), a call as one."""
        model, graph = self.model, self.model.graph
        here = self.root_name
        nodes = graph.nodes if self.root is None else self.root.nodes
        key_of: dict[str, str] = {}
        groups: dict[str, Group] = {}
        for name in nodes:
            node = graph.nodes[name]
            key, current = name, node.instance
            while current and current != here:  # the outermost call inside this body
                group = model.plan.called.get(current)
                if group is not None and self.holder(graph.instances[current].parent) == here:
                    key = "\x00" + group.first.name
                    groups[key] = group
                current = graph.instances[current].parent
            key_of[name] = key
        deps: dict[str, list[str]] = {}
        for name in nodes:
            key = key_of[name]
            found = deps.setdefault(key, [])
            for src in graph.nodes[name].depends_on:  # inputs, and nodes whose shapes it reads
                src_key = key_of.get(src)
                if src_key is not None and src_key != key:
                    found.append(src_key)
        return [groups.get(k) or k for k in _depth_first(deps)]

    def live(self, outputs: list[str]) -> set[str]:
        """The nodes of this body some output depends on (the others are left out)."""
        graph = self.model.graph
        seen: set[str] = set()
        stack = list(outputs)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack += graph.nodes[name].depends_on
        return seen

    # -- names --------------------------------------------------------------------------------

    def fresh(self, name: str) -> str:
        return identifier(name, self.taken)

    def relative(self, name: str) -> str:
        return self.model.local(name, self.root)

    def layer_name(self, name: str, suffix: str = "") -> Any:
        """A layer's name: the node's, inside a block function prefixed by its ``name``."""
        if self.root is None:
            return Raw(py(name)) if not suffix else Raw(f'f"{literal_text(name)}{suffix}"')
        head = "name"
        if self.named:
            head, self.prefix_used = "prefix", True
        return Raw(f'f"{{{head}}}.{literal_text(self.relative(name))}{suffix}"')

    def node_name(self, node: IRNode) -> Any:
        """A node's Keras layer name: its ``names:`` template as Python, else :meth:`layer_name`."""
        inst = self.model.instance(node.instance)
        if node.keras_name is None or inst is None:
            return self.layer_name(node.name)
        block = self.model.block(inst)
        local = self.model.local(node.name, inst)
        written = block.nodes[local].names
        text = written if written is not None else block.names
        if text is None:
            return Raw(py(node.keras_name))
        env = self.env_of(inst.name)
        scope = {
            **env.local,
            "instance": self.instance_ast(inst, None),
            "node": ast.Constant(local),
            "copy": ast.Constant(inst.copy or 0),
        }
        if inst is self.root:
            scope["copy"] = ast.Name("copy", ast.Load())
            self.copy_used |= "copy" in names_in(text)
        return _as_name(value_ast(text, Env(env.spec, scope)))

    def instance_ast(self, inst: BlockInstance, loop: str | None) -> ast.expr:
        """``${instance}`` of an instance's templates: the function's ``name`` for its own, the
        instance's ``names:`` template (``copy`` the copy's index, or the variable ``loop``),
        else the instance's own name."""
        if inst is self.root:
            return ast.Name("name", ast.Load())
        written = self.model.site_spec(inst).names
        if written is None:
            return ast.Constant(self.model.local(inst.site, self.model.instance(inst.parent)))
        env = self.env_of(inst.name)
        copy = ast.Name(loop, ast.Load()) if loop else ast.Constant(inst.copy or 0)
        return value_ast(written, Env(env.spec, {**env.local, "copy": copy}))

    def name_args(self, function: BlockFunction, group: Group, prefix: Any) -> list[Item]:
        """The naming arguments of a call of a block's function: ``name`` (the expanded
        ``prefix``, or for a block with templates the instance), then ``copy`` and ``prefix``
        when the function takes them."""
        if not function.named:
            return [("name=", prefix)]
        first = group.first
        loop = "i" if group.loop else None
        out: list[Item] = [("name=", _as_name(self.instance_ast(first, loop)))]
        if function.copy and (loop or first.copy):
            out.append(("copy=", Raw(loop or str(first.copy))))
        if function.prefix:
            out.append(("prefix=", prefix))
        return out

    def targets(self, node: IRNode) -> str:
        """``var``, or for a node with several tensors the unpacking of all of them."""
        count = self.model.ports(node.name)
        base = self.fresh(self.relative(node.name))
        if count == 1:
            self.var[(node.name, 0)] = base
            return base
        names = []
        for port in range(count):
            if node.name not in self.returned and (node.name, port) not in self.used:
                names.append("_")
                continue
            var = base if port == 0 else self.fresh(f"{base}_{port}")
            self.var[(node.name, port)] = var
            names.append(var)
        groups = [1] * (count - 1)
        owner = self.model.graph.nodes[node.layer_owner]
        if owner.type == "RNN":
            from graphspec.passes.shapes.rules.cells import state_groups

            groups = state_groups(LayerCall(owner.type, owner.args))
        return unpacking(names, groups)

    # -- params -------------------------------------------------------------------------------

    def env_of(self, instance: str | None) -> Env:
        """The params visible inside ``instance`` (an inline one's from what it was given)."""
        if instance in self.envs:
            return self.envs[instance]
        if instance is None:
            raise KeyError("codegen: a block's function sees the spec's params as its arguments")
        inst = self.model.graph.instances[instance]
        outer = self.env_of(inst.parent)
        given = self.model.site_spec(inst).args
        env = Env(outer.spec, {}, self.shapes_in(instance))
        for key, value in given.items():
            _local(env, key, value, outer)
        for key, default in self.model.block(inst).params.items():
            if key not in given:
                _local(env, key, default, env)
        self.envs[instance] = env
        return env

    def shapes_in(self, instance: str | None) -> Callable[[str], ast.expr]:
        """``shape(x)`` written in ``instance`` (``None``: the top level) as ``x.shape``."""

        def shape_of(written: str) -> ast.expr:
            name, port = strip_port(written)
            inst = self.model.instance(instance)
            if inst is not None and name in self.model.block(inst).inputs and not port:
                var = self.placeholder_var(inst, name)
            else:
                target = f"{inst.name}.{name}" if inst is not None else name
                graph = self.model.graph
                found = graph.instances.get(target)
                if found is None:  # a `repeat`: its last copy
                    copies = [i for i in graph.instances.values() if i.site == target]
                    found = copies[-1] if copies else None
                if target not in graph.nodes and found is not None:
                    target = self.model.outputs_of(found)[0]
                var = self.var.get((target, port)) or ""
                if not var:
                    raise KeyError(f"codegen: no variable holds `{written}` here")
            return ast.Attribute(ast.Name(var, ast.Load()), "shape", ast.Load())

        return shape_of

    def value(self, written: Any, resolved: Any, key: str, instance: str | None) -> Any:
        """An argument: the resolved value, or the Python expression its ``${...}`` is."""
        if not isinstance(written, str | list | dict) or "${" not in str(written):
            return resolved
        if _holds_mapping(resolved):  # only a literal can say it (a param is never a mapping)
            return resolved
        try:
            made = template(written, self.env_of(instance))
        except KeyError:
            unknown = self.env_of(instance).unknown & names_in(written)
            if "shape(" not in str(written) and not unknown:
                raise
            return resolved  # a size read from a shape no variable holds here: as computed
        if isinstance(made, Raw) and key in TUPLE_ARGS and isinstance(resolved, list):
            if any(isinstance(v, list) for v in resolved):
                return resolved
            return Raw(f"tuple({made.text})")
        return made

    def args_of(self, node: IRNode) -> dict[str, Any]:
        written = self.model.args_of(node)
        return {
            k: self.value(written[k], v, k, node.instance) if k in written else v
            for k, v in node.args.items()
        }

    # -- writing ------------------------------------------------------------------------------

    def write(self, outputs: list[str], returned: set[str] | None = None) -> None:
        """The statements making every node ``outputs`` depend on; ``returned``: nodes whose
        every tensor gets a variable (a block function returns them all)."""
        live = self.live(outputs)
        graph = self.model.graph
        members = self.members()
        for member in members:  # what the statements written here read
            if isinstance(member, Group):
                self.used |= {strip_port(feed) for feed in member.first.feeds}
            elif member in live:
                node = graph.nodes[member]
                self.used |= {(src, node.port(i)) for i, src in enumerate(node.inputs)}
        if self.root is None:
            ports = graph.output_ports or [0] * len(graph.outputs)
            self.used |= {(src, p) for (_, src), p in zip(graph.outputs, ports, strict=True)}
        self.returned = returned or set()
        for member in members:
            if isinstance(member, Group):
                ends = self.model.outputs_of(member.last)
                if any(end in live for end in ends):
                    self.call(member)
                continue
            node = self.model.graph.nodes[member]
            if node.is_input:
                var = self.var[(node.name, 0)] = self.fresh(node.name)
                self.lines += lines_of(self.input_piece(node), INDENT, f"{var} = ")
            elif member not in live:
                continue
            elif node.kind is NodeKind.EXPR:
                self.expression(node)
            elif node.kind is NodeKind.WEIGHT:
                self.weight(node)
            else:
                self.layer_call(node)

    def input_piece(self, node: IRNode) -> Call:
        written = self.model.spec.inputs[node.name].shape
        dims: list[tuple[str | None, Any]] = [
            (None, py(self.value(w, r, "", None)))
            for w, r in zip(written, node.shape or (), strict=True)
        ]
        call = Call("keras.Input", [("shape=", Seq("(", dims, ")"))])
        if node.dtype != "float32":
            call.args.append(("dtype=", py(node.dtype)))
        call.args.append(("name=", py(node.name)))
        return call

    def input_var(self, node: IRNode, index: int) -> str:
        """The variable holding input ``index`` of ``node``."""
        text = node.input_refs[index] if index < len(node.input_refs) else ""
        return self.ref_var(node.instance, text, node.inputs[index], node.port(index))

    def ref_var(self, scope: str | None, text: str, src: str, port: int) -> str:
        """The variable a reference written in ``scope`` names: a block input, or a node's."""
        inst = self.model.instance(scope)
        if inst is not None and text in self.model.block(inst).inputs:
            return self.placeholder_var(inst, text)
        found = self.var.get((src, port))
        if found is None and inst is not None:  # not written as a block input: find which
            feed = f"{src}:{port}" if port else src
            if feed in inst.feeds:
                return self.placeholder_var(
                    inst, self.model.block(inst).inputs[inst.feeds.index(feed)]
                )
        if found is None:
            raise KeyError(f"codegen: no variable holds `{src}` output {port} here")
        return found

    def placeholder_var(self, inst: BlockInstance, placeholder: str) -> str:
        if inst is self.root:
            return self.args[placeholder]
        index = self.model.block(inst).inputs.index(placeholder)
        src, port = strip_port(inst.feeds[index])
        text = inst.feed_refs[index] if index < len(inst.feed_refs) else ""
        return self.ref_var(inst.parent, text, src, port)

    def expression(self, node: IRNode) -> None:
        info = node.expr
        assert info is not None
        refs = {r: self.input_var(node, i) for i, r in enumerate(info.refs)}
        tree, params = self.expr_params(node, info.tree)

        def name_of(ref: Ref) -> str:
            key = f"{ref.name}:{ref.port}" if ref.port else ref.name
            return params[key] if key in params else refs[key]

        piece = expr_piece(tree, name_of)
        self.lines += lines_of(piece, INDENT, f"{self.targets(node)} = ")

    def weight(self, node: IRNode) -> None:
        """``var = LearnedTensor(...)(x)``: a learned tensor's layer (its class copied into the
        file), called on the model's first input as the compiler calls it (only its batch size
        is read, when ``batched``)."""
        self.functions.classes[KERAS_CLASS] = layer_source()
        self.functions.imports.add("from typing import Any")
        written = self.model.node_spec(node)
        settings = (written.weight if written is not None else None) or {}
        call = Call(KERAS_CLASS)
        for key, resolved in node.args.items():
            value = self.value(settings.get(key), resolved, key, node.instance)
            kind = OBJECT_KINDS.get(key)
            if kind is not None and isinstance(value, dict):
                call.args.append((f"{key}=", object_expr(kind, value)))
            else:
                call.args.append((f"{key}=", plain(key, value)))
        call.args.append(("name=", self.node_name(node)))
        anchor = self.var[(self.model.graph.inputs[0], 0)]
        self.lines += call_lines(call, [(None, anchor)], INDENT, f"{self.targets(node)} = ")

    def expr_params(self, node: IRNode, tree: Any) -> tuple[Any, dict[str, str]]:
        """The expression with its ``${...}`` as Python expressions of the params, when each
        stands where a value can (else the expression as it was resolved)."""
        written = self.model.node_spec(node)
        text = written.expr if written is not None else None
        if not text or "${" not in text:
            return tree, {}
        holes: dict[str, str] = {}

        def hole(match: Any) -> str:
            key = f"{_PLACEHOLDER}{len(holes)}"
            if "shape(" in match.group(0):
                raise KeyError("a size read from a shape: the expression as computed")
            made = value_ast(match.group(0), self.env_of(node.instance))
            text = source(made)
            atomic = isinstance(made, ast.Name | ast.Constant) and not text.startswith("-")
            holes[key] = text if atomic else f"({text})"
            return f" {key} "

        import re

        try:
            replaced = re.sub(r"\$\{[^{}]*\}", hole, text)
            parsed = parse(replaced)
        except (ExprSyntaxError, KeyError):
            return tree, {}
        found = [e.name for e in walk(parsed) if isinstance(e, Ref) and e.name in holes]
        if sorted(found) != sorted(holes):
            return tree, {}
        return parsed, holes

    def layer_piece(self, owner: IRNode) -> Call:
        """``keras.layers.TYPE(...)`` of a layer node; what the compiler refuses, refused."""
        args = self.args_of(owner)
        _refuse(owner, args, self.model.graph.file)
        name = self.node_name(owner)
        return layer_expr(owner.type or "", args, name, self.functions.imports)

    def layer_call(self, node: IRNode) -> None:
        """``var = Layer(...)(inputs)``, through the layer's variable when it is shared or a
        nested model."""
        graph = self.model.graph
        owner = graph.nodes[node.layer_owner]
        args = self.call_args(node)
        if owner.model is None and owner.name not in self.model.sharers:
            piece = self.layer_piece(owner)
            self.lines += call_lines(piece, args, INDENT, f"{self.targets(node)} = ")
            return
        layer = self.layer_var(owner)
        self.lines += call_lines(Raw(layer), args, INDENT, f"{self.targets(node)} = ")

    def layer_var(self, owner: IRNode) -> str:
        """The variable holding a shared layer or a nested model (made on first use)."""
        if owner.name in self.layer_vars:
            return self.layer_vars[owner.name]
        suffix = "_model" if owner.model is not None else "_layer"
        var = self.fresh(self.relative(owner.name) + suffix)
        self.layer_vars[owner.name] = var
        if owner.model is None:
            self.lines += lines_of(self.layer_piece(owner), INDENT, f"{var} = ")
        else:
            self.lines += self.nested(owner, var)
        return var

    def nested(self, owner: IRNode, var: str) -> list[str]:
        """Lines making a nested model into ``var`` (frozen when asked)."""
        info = owner.model
        assert info is not None
        written = self.model.node_spec(owner)
        raw = {k: v for k, v in (written.args if written else {}).items() if k != "trainable"}
        values = {k: self.value(raw.get(k), v, k, owner.instance) for k, v in info.args.items()}
        if info.source == "application":
            args: list[tuple[str | None, Any]] = [("weights=", py(values.pop("weights", None)))]
            for key, value in values.items():
                if key == "input_shape" and isinstance(value, list):
                    value = tuple(value)
                args.append((f"{key}=", plain(key, value) if not isinstance(value, Raw) else value))
            args.append(("name=", self.node_name(owner)))
            lines = lines_of(Call(f"keras.applications.{info.name}", args), INDENT, f"{var} = ")
        else:
            function, params = self.functions.nested_function(self.model, owner)
            call = Call(
                function,
                [
                    (f"{params[k]}=", plain(k, v) if not isinstance(v, Raw) else v)
                    for k, v in values.items()
                ],
            )
            call.args.append(("name=", self.node_name(owner)))
            lines = lines_of(call, INDENT, f"{var} = ")
        if not info.trainable:
            lines.append(f"{INDENT}{var}.trainable = False")
        return lines

    def call_args(self, node: IRNode) -> list[Item]:
        """``x``, ``[a, b]``, ``query, value`` or ``x, initial_state=[h, c]``: the arguments
        the compiler calls the node's layer with."""
        values = [self.input_var(node, i) for i in range(len(node.inputs))]
        args, tensors = node.split_call(values)
        written = self.model.node_spec(node)
        raw_call = (written.call or {}) if written is not None else {}
        named: list[Item] = []
        for key, value in node.call.items():
            if isinstance(value, CallTensors):
                got = tensors[key]
                listed = Seq("[", [(None, v) for v in got], "]") if isinstance(got, list) else got
                named.append((f"{key}=", listed))
            else:
                made = self.value(raw_call.get(key), value, key, node.instance)
                named.append((f"{key}=", plain("", made)))
        if node.type in POSITIONAL_CALLS or len(args) == 1:
            return [*((None, a) for a in args), *named]
        return [(None, Seq("[", [(None, a) for a in args], "]")), *named]

    # -- calls of block functions -------------------------------------------------------------

    def call(self, group: Group) -> None:
        """One call of a block's function, or a loop over the copies of a ``repeat``."""
        model = self.model
        first = group.first
        function = self.functions.block_function(model, group, chain=False)
        env = self.env_of(first.parent)
        feeds = [
            self.ref_var(first.parent, text, *strip_port(feed))
            for feed, text in zip(first.feeds, first.feed_refs, strict=True)
        ]
        args = self.params(function, first, env)
        outputs = [f"{group.last.name}.{rel}" for rel, _ in function.returns]
        site = self.relative(group.site)
        if not group.loop:
            args += self.name_args(function, group, self.layer_name(first.name))
            targets = self.call_targets(function, outputs, site)
            call = Call(function.name, [(None, f) for f in feeds] + args)
            self.lines += lines_of(call, INDENT, f"{targets} = ")
            return
        count, name = self.loop_count(group)
        targets = self.call_targets(function, outputs, site, loop=True)
        loop_var = targets.split(", ")[0]
        self.lines.append(f"{INDENT}{loop_var} = {feeds[0]}")
        self.lines.append(f"{INDENT}for i in range({count}):")
        args += self.name_args(function, group, name)
        call = Call(function.name, [(None, loop_var), *args])
        self.lines += lines_of(call, INDENT * 2, f"{targets} = ")

    def loop_count(self, group: Group) -> tuple[str, Any]:
        """The loop's count and each copy's name (no index when the count is 1)."""
        first = group.first
        written = self.model.site_spec(first).repeat
        site_name = self.layer_name(group.site, ".{i}")
        if isinstance(written, str) and "${" in written:
            count = source(value_ast(written, self.env_of(first.parent)))
            return count, Raw(f"{site_name} if {count} > 1 else {self.layer_name(group.site)}")
        return str(len(group.copies)), site_name

    def params(
        self, function: BlockFunction, inst: BlockInstance, env: Env
    ) -> list[tuple[str | None, Any]]:
        """The params an instance gives, then the spec params the function needs."""
        given = self.model.site_spec(inst).args
        out: list[tuple[str | None, Any]] = []
        for key, value in given.items():
            made = template(value, env)
            out.append((f"{function.params[key]}=", plain("", made)))
        for key, arg in function.spec_params.items():
            out.append((f"{arg}=", Raw(source(env.spec[key]))))
        return out

    def call_targets(
        self, function: BlockFunction, outputs: list[str], site: str, *, loop: bool = False
    ) -> str:
        """The variables a call's results go to: one per tensor, ``_`` for those unused (the
        first is the loop's variable in a loop)."""
        names = []
        for index, (node, (rel, count)) in enumerate(zip(outputs, function.returns, strict=True)):
            for port in range(count):
                first = index == 0 and port == 0
                needed = (node, port) in self.used or node in self.returned
                if not needed and not (loop and first):
                    names.append("_")
                    continue
                base = site if first else f"{site}_{rel}" + (f"_{port}" if port else "")
                var = self.var[(node, port)] = self.fresh(base)
                names.append(var)
        return ", ".join(names)


def _refuse(node: IRNode, args: dict[str, Any], file: str, owner: str | None = None) -> None:
    """Raise the compiler's own error for an argument it refuses to make (E603)."""
    nested = NESTED_LAYER_ARGS.get(owner or node.type or "", ())
    for key, value in args.items():
        if key in nested:
            for inner in value if isinstance(value, list) else [value]:
                if isinstance(inner, dict):
                    _refuse(node, inner, file, str(inner.get("type")))
            continue
        kind = object_kind(key)
        refused = (
            None if kind is None or isinstance(value, Raw) else object_refusal(kind, key, value)
        )
        if refused is not None:
            message, hint = refused
            diagnostic = Diagnostic(
                "E603",
                message,
                file=file,
                loc=node.loc,
                hint=hint,
                node=node.name,
                related=(STOPPED,),
            )
            raise CompileError([diagnostic])


def _local(env: Env, key: str, value: Any, scope: Env) -> None:
    """Param ``key`` of an inline instance as Python in ``scope``; one read from a shape no
    variable holds here is left unknown (the values using it are written as computed)."""
    try:
        env.local[key] = value_ast(value, scope)
    except KeyError:
        if "shape(" not in str(value) and not scope.unknown & names_in(value):
            raise
        env.unknown.add(key)


def _depth_first(deps: dict[str, list[str]]) -> list[str]:
    """The keys, each after those it depends on: a depth-first walk from each in turn, as
    :meth:`~graphspec.ir.graph.Graph.topological_order` walks the nodes."""
    order: list[str] = []
    placed: dict[str, bool] = {}
    for root in deps:
        if root in placed:
            continue
        placed[root] = False
        stack = [(root, iter(deps[root]))]
        while stack:
            name, pending = stack[-1]
            for src in pending:
                if src not in placed:
                    placed[src] = False
                    stack.append((src, iter(deps[src])))
                    break
            else:
                stack.pop()
                placed[name] = True
                order.append(name)
    return order


def _as_name(made: ast.expr) -> Raw:
    """A layer name made by a template, as source (a constant as a plain string)."""
    if isinstance(made, ast.Constant):
        return Raw(py(str(made.value)))
    return Raw(source(made))


def _holds_mapping(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(_holds_mapping(v) for v in value)
