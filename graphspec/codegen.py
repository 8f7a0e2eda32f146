"""Specs to readable Python that builds the same Keras model with the Keras API (no Keras import)."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from graphspec.catalog import (
    NESTED_LAYER_ARGS,
    POSITIONAL_CALLS,
    TUPLE_ARGS,
    layer_module,
    object_kind,
)
from graphspec.expr.syntax import Const, ListExpr, Ref, Slice, Subscript, to_python
from graphspec.graph import Graph, IRNode
from graphspec.registry import custom_layer
from graphspec.shapes._types import LayerCall

if TYPE_CHECKING:
    from graphspec.shapes.infer import ShapeInfo

__all__ = ["generate_python"]

_WIDTH: Final = 88
"""Lines longer than this are split (ruff's default width, so the file is stable under ruff)."""
_INDENT: Final = "    "
_RESERVED: Final = frozenset({"keras", "build_model", "model", "layers"})
_NOT_IDENT: Final = re.compile(r"\W+")


def generate_python(
    spec: Any, *, params: Mapping[str, Any] | None = None, backend: str | None = None
) -> str:
    """Python source with ``build_model()`` building the spec's model, as ``graphspec compile``
    would (Sequential for a plain chain, functional otherwise); raises ``SpecError`` if invalid.
    The code runs on any Keras backend; ``backend`` pins one (set before Keras is imported).
    ``spec`` may also be a :class:`~graphspec.api.CheckResult` (then ``params`` is not used).

    >>> from graphspec import load
    >>> text = generate_python(load("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}"))
    >>> print(text[text.index("def"):text.index("if __name__")].strip())
    def build_model() -> keras.Model:
        \"\"\"Build the Keras model `model`.\"\"\"
        return keras.Sequential(
            [keras.Input(shape=(4,), name="x"), keras.layers.Dense(units=2, name="d")],
            name="model",
        )
    """
    from graphspec.api import CheckResult, check

    result = spec if isinstance(spec, CheckResult) else check(spec, params=params)
    result.raise_for_errors()
    text = _Writer(result.graph, result.spec.file, result.shapes).source()
    return _pin_backend(text, backend) if backend else text


def _pin_backend(text: str, backend: str) -> str:
    """Set ``KERAS_BACKEND`` to ``backend`` in ``text`` before its ``import keras``."""
    from graphspec.backend import ENV_VAR, verify_backend

    verify_backend(backend)
    pin = f'import os\n\nos.environ["{ENV_VAR}"] = "{backend}"  # before Keras is imported\n\n'
    head, sep, tail = text.partition("\nimport keras\n")
    lines = tail.split("\n")
    body = [f"{line}  # noqa: E402" if line.startswith("import ") else line for line in lines]
    return f"{head}\n{pin}import keras  # noqa: E402\n" + "\n".join(body) if sep else text


# -- expressions --------------------------------------------------------------------------------


@dataclass
class _Call:
    """``func(arg, key=value, ...)``; arguments are source text or nested expressions."""

    func: str
    args: list[tuple[str | None, Any]] = field(default_factory=list)


@dataclass
class _Seq:
    """A list (``[...]``) or a tuple (``(...)``) or a dict (``{...}``) of expressions."""

    open: str
    items: list[tuple[str | None, Any]]
    close: str


def _unpacking(names: list[str], groups: list[int]) -> str:
    """Assignment targets for a layer's outputs: ``out, h, c`` or ``out, (h, c), h2``."""
    parts = [names[0]]
    index = 1
    for size in groups:
        chunk = names[index : index + size]
        parts.append(chunk[0] if size == 1 else f"({', '.join(chunk)})")
        index += size
    return ", ".join(parts)


def _flat(expr: Any) -> str:
    if isinstance(expr, _Call):
        return f"{expr.func}({', '.join(_flat_arg(k, v) for k, v in expr.args)})"
    if isinstance(expr, _Seq):
        inner = ", ".join(_flat_arg(k, v) for k, v in expr.items)
        if expr.open == "(" and len(expr.items) == 1:
            inner += ","
        return f"{expr.open}{inner}{expr.close}"
    return str(expr)


def _flat_arg(key: str | None, value: Any) -> str:
    return _flat(value) if key is None else f"{key}{_flat(value)}"


def _lines(expr: Any, indent: str, lead: str = "", tail: str = "") -> list[str]:
    """``expr`` on one line when it fits, else exploded one argument per line (magic comma)."""
    one = f"{indent}{lead}{_flat(expr)}{tail}"
    if len(one) <= _WIDTH or not isinstance(expr, _Call | _Seq) or not _items(expr):
        return [one]
    if isinstance(expr, _Call):
        head, close = f"{expr.func}(", ")"
    else:
        head, close = expr.open, expr.close
    out = [f"{indent}{lead}{head}"]
    for key, value in _items(expr):
        out += _lines(value, indent + _INDENT, key or "", ",")
    out.append(f"{indent}{close}{tail}")
    return out


def _items(expr: _Call | _Seq) -> list[tuple[str | None, Any]]:
    return expr.args if isinstance(expr, _Call) else expr.items


def _py(value: Any) -> str:
    """A plain value as a Python literal, strings in double quotes (as ruff formats them)."""
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    if isinstance(value, float) and value != value:  # NaN
        return 'float("nan")'
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return 'float("inf")' if value > 0 else '-float("inf")'
    return repr(value)


def _value(key: str, value: Any, owner_type: str, imports: set[str]) -> Any:
    """A spec argument as an expression: nested layers and named objects made."""
    if key in NESTED_LAYER_ARGS.get(owner_type, ()) and isinstance(value, Mapping):
        return _layer_expr(str(value.get("type")), value, None, imports)
    if key in NESTED_LAYER_ARGS.get(owner_type, ()) and isinstance(value, list):
        items = [(None, _layer_expr(str(v.get("type")), v, None, imports)) for v in value]
        return _Seq("[", items, "]")
    kind = object_kind(key)
    if kind is not None and isinstance(value, Mapping):
        name = str(value.get("type"))
        if kind == "activations":
            return _py(name)
        rest = [(f"{k}=", _plain(k, v)) for k, v in value.items() if k != "type"]
        return _Call(f"keras.{kind}.{name}", rest)
    return _plain(key, value)


def _plain(key: str, value: Any) -> Any:
    if isinstance(value, list):
        items = [(None, _plain(key, v)) for v in value]
        return _Seq("(", items, ")") if key in TUPLE_ARGS else _Seq("[", items, "]")
    if isinstance(value, Mapping):
        return _Seq("{", [(f"{_py(str(k))}: ", _plain("", v)) for k, v in value.items()], "}")
    return _py(value)


def _layer_expr(
    type_name: str, args: Mapping[str, Any], name: str | None, imports: set[str]
) -> _Call:
    cls = custom_layer(type_name)
    module = layer_module(type_name)
    if cls is not None:
        imports.add(f"from {cls.__module__} import {cls.__name__}")
        func = cls.__name__
    elif module is not None:  # a layer Keras keeps with its applications (LayerScale, …)
        imports.add(f"from {module} import {type_name}")
        func = type_name
    else:
        func = f"keras.layers.{type_name}"
    call = _Call(func)
    for key, value in args.items():
        if key != "type":
            call.args.append((f"{key}=", _value(key, value, type_name, imports)))
    if name is not None:
        call.args.append(("name=", _py(name)))
    return call


# -- the file -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, graph: Graph, file: str, shapes: ShapeInfo | None = None) -> None:
        self.graph = graph
        self.file = file
        self.imports: set[str] = set()
        self.functions: dict[str, list[str]] = {}
        """Functions building nested models, by name (written before ``build_model``)."""
        self.names: dict[str, str] = {}
        self.outputs: dict[str, list[str]] = {}
        taken = set(_RESERVED)
        for node in graph:
            self.names[node.name] = _identifier(node.name, taken)
        used = {(src, n.port(i)) for n in graph.layers for i, src in enumerate(n.inputs)}
        used |= set(zip((n for _, n in graph.outputs), graph.output_ports or [], strict=False))
        for node in graph.layers:
            known = shapes.nodes.get(node.name) if shapes is not None else None
            count = len(known.outputs) if known is not None and known.outputs else 1
            if count > 1:  # out, out_1, out_2, ... for the outputs used; `_` for the others
                var = self.names[node.name]
                self.outputs[node.name] = [
                    "_"
                    if (node.name, k) not in used
                    else var
                    if k == 0
                    else _identifier(f"{var}_{k}", taken)
                    for k in range(count)
                ]

    def _port(self, name: str, port: int) -> str:
        """The variable holding output ``port`` of node ``name``."""
        many = self.outputs.get(name)
        return many[port] if many else self.names[name]

    def _targets(self, node: IRNode) -> str:
        """``var`` or, for a layer with several outputs, the unpacking of all of them."""
        many = self.outputs.get(node.name)
        if not many:
            return self.names[node.name]
        groups = [1] * (len(many) - 1)
        owner = self.graph.nodes[node.layer_owner]
        if owner.type == "RNN":
            from graphspec.shapes.cells import state_groups

            groups = state_groups(LayerCall(owner.type, owner.args))
        return _unpacking(many, groups)

    def source(self) -> str:
        kind, _ = self.graph.compiles_as()
        body = self._sequential() if kind == "Sequential" else self._functional()
        head = [f'"""The Keras model `{self.graph.name}`, generated by graphspec."""']
        if self.file != "<spec>":
            head = [
                f'"""The Keras model `{self.graph.name}`, generated by graphspec.',
                "",
                f"Spec: {self.file}",
                '"""',
            ]
        lines = [*head, "", "import keras", *sorted(self.imports), "", ""]
        for function in self.functions.values():
            lines += [*function, "", ""]
        lines += [
            "def build_model() -> keras.Model:",
            f'{_INDENT}"""Build the Keras model `{self.graph.name}`."""',
            *body,
            "",
            "",
            'if __name__ == "__main__":',
            f"{_INDENT}build_model().summary()",
        ]
        return "\n".join(lines) + "\n"

    def _input(self, node: IRNode) -> _Call:
        shape = _Seq("(", [(None, _py(d)) for d in node.shape or ()], ")")
        call = _Call("keras.Input", [("shape=", shape)])
        if node.dtype != "float32":
            call.args.append(("dtype=", _py(node.dtype)))
        call.args.append(("name=", _py(node.name)))
        return call

    def _layer(self, node: IRNode) -> _Call:
        return _layer_expr(node.type or "", node.args, node.name, self.imports)

    def _sequential(self) -> list[str]:
        graph = self.graph
        lines: list[str] = []
        stack = [(None, self._input(graph.nodes[graph.inputs[0]]))]
        for node in graph.layers:
            if node.model is not None:
                lines += self._nested(node)
                stack.append((None, self._layer_var(node.name)))
            else:
                stack.append((None, self._layer(node)))
        model = _Call(
            "keras.Sequential", [(None, _Seq("[", stack, "]")), ("name=", _py(graph.name))]
        )
        return lines + _lines(model, _INDENT, "return ")

    def _nested(self, owner: IRNode) -> list[str]:
        """Lines making a nested model into its variable (and freezing it when asked)."""
        info = owner.model
        assert info is not None
        var = self._layer_var(owner.name)
        if info.source == "application":
            args: list[tuple[str | None, Any]] = [("weights=", "None")]
            args += [
                (f"{k}=", _plain("input_shape" if k == "input_shape" else k, v))
                for k, v in info.args.items()
                if k != "weights"
            ]
            if "weights" in info.args:
                args[0] = ("weights=", _py(info.args["weights"]))
            args.append(("name=", _py(owner.name)))
            lines = _lines(_Call(f"keras.applications.{info.name}", args), _INDENT, f"{var} = ")
        else:
            function = self._nested_function(owner)
            lines = [f"{_INDENT}{var} = {function}()"]
        if not info.trainable:
            lines.append(f"{_INDENT}{var}.trainable = False")
        return lines

    def _nested_function(self, owner: IRNode) -> str:
        """``build_<node>``: a function building a nested spec's model, named after the node."""
        import dataclasses

        info = owner.model
        assert info is not None and info.checked is not None
        checked = info.checked
        graph = dataclasses.replace(checked.graph, name=owner.name)
        inner = _Writer(graph, checked.spec.file, checked.shapes)
        kind, _ = graph.compiles_as()
        body = inner._sequential() if kind == "Sequential" else inner._functional()
        name = _identifier(f"build_{owner.name}", set(self.functions) | _RESERVED)
        self.imports |= inner.imports
        self.functions.update(inner.functions)
        self.functions[name] = [
            f"def {name}() -> keras.Model:",
            f'{_INDENT}"""Build the nested model `{owner.name}` ({info.label})."""',
            *body,
        ]
        return name

    def _functional(self) -> list[str]:
        graph = self.graph
        shared = {n.share for n in graph.layers if n.share}
        lines: list[str] = []
        made: set[str] = set()
        for name in graph.topological_order():
            node = graph.nodes[name]
            var = self.names[name]
            if node.is_input:
                lines += _lines(self._input(node), _INDENT, f"{var} = ")
                continue
            args = [self._port(src, node.port(i)) for i, src in enumerate(node.inputs)]
            if node.expr is not None:
                lines += _expr_lines(
                    node.expr.tree, dict(zip(node.expr.refs, args, strict=True)), var
                )
                continue
            args, kwargs = node.split_call(args)
            named = [f"{k}={_call_value(v)}" for k, v in kwargs.items()]
            if node.type in POSITIONAL_CALLS or len(args) == 1:
                tail = f"({', '.join([*args, *named])})"
            else:
                tail = f"({', '.join(['[' + ', '.join(args) + ']', *named])})"
            owner = node.layer_owner
            if graph.nodes[owner].model is not None:
                layer_var = self._layer_var(owner)
                if owner not in made:
                    made.add(owner)
                    lines += self._nested(graph.nodes[owner])
                lines.append(f"{_INDENT}{var} = {layer_var}{tail}")
                continue
            if owner in shared:
                layer_var = self._layer_var(owner)
                if owner not in made:
                    made.add(owner)
                    lines += _lines(self._layer(graph.nodes[owner]), _INDENT, f"{layer_var} = ")
                lines.append(f"{_INDENT}{self._targets(node)} = {layer_var}{tail}")
                continue
            lines += _lines(self._layer(node), _INDENT, f"{self._targets(node)} = ", tail)
        lines += _lines(self._model(), _INDENT, "return ")
        return lines

    def _layer_var(self, owner: str) -> str:
        key = f"\x00layer:{owner}"
        if key not in self.names:
            suffix = "_model" if self.graph.nodes[owner].model is not None else "_layer"
            self.names[key] = _identifier(f"{owner}{suffix}", set(self.names.values()) | _RESERVED)
        return self.names[key]

    def _model(self) -> _Call:
        graph = self.graph
        ins = [self.names[n] for n in graph.inputs]
        inputs: Any = ins[0] if len(ins) == 1 else _Seq("[", [(None, v) for v in ins], "]")
        ports = graph.output_ports or [0] * len(graph.outputs)
        outs = [
            self._port(node, port) for (_, node), port in zip(graph.outputs, ports, strict=True)
        ]
        if graph.outputs_named:
            outputs: Any = _Seq(
                "{",
                [(f"{_py(out)}: ", v) for (out, _), v in zip(graph.outputs, outs, strict=True)],
                "}",
            )
        else:
            outputs = outs[0] if len(outs) == 1 else _Seq("[", [(None, v) for v in outs], "]")
        return _Call(
            "keras.Model",
            [("inputs=", inputs), ("outputs=", outputs), ("name=", _py(graph.name))],
        )


def _call_value(value: Any) -> str:
    """A call argument as Python: variable names as they are, lists of them, constants."""
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return value if isinstance(value, str) else _py(value)


def _expr_lines(tree: Any, refs: Mapping[str, str], var: str) -> list[str]:
    """``var = <expression>``: Python operators when it fits one line, else nested calls."""

    def name_of(ref: Ref) -> str:
        return refs[f"{ref.name}:{ref.port}" if ref.port else ref.name]

    line = f"{_INDENT}{var} = {to_python(tree, name_of)}"
    if len(line) <= _WIDTH:
        return [line]
    return _lines(_expr_call(tree, name_of), _INDENT, f"{var} = ")


def _expr_call(expr: Any, name_of: Any) -> Any:
    """An expression as nested ``keras.ops`` calls (exploded over lines like ruff does)."""
    if isinstance(expr, Const):
        return _py(expr.value)
    if isinstance(expr, Ref):
        return name_of(expr)
    if isinstance(expr, ListExpr):
        return _Seq("[", [(None, _expr_call(i, name_of)) for i in expr.items], "]")
    if isinstance(expr, Subscript):
        key = [(None, _index_py(i)) for i in expr.index]
        index = key[0][1] if len(key) == 1 else _Seq("(", key, ")")
        return _Call("keras.ops.get_item", [(None, _expr_call(expr.value, name_of)), (None, index)])
    args: list[tuple[str | None, Any]] = [(None, _expr_call(a, name_of)) for a in expr.args]
    args += [(f"{k}=", _expr_call(v, name_of)) for k, v in expr.kwargs]
    return _Call(f"keras.ops.{expr.func}", args)


def _index_py(item: Any) -> str:
    if item is Ellipsis:
        return "Ellipsis"
    if isinstance(item, Slice):
        return f"slice({item.start}, {item.stop}, {item.step})"
    return str(item)


def _identifier(name: str, taken: set[str]) -> str:
    """A node name as a fresh Python variable name (lower case, deduplicated)."""
    base = _NOT_IDENT.sub("_", name).strip("_").lower() or "node"
    if base[0].isdigit():
        base = f"n_{base}"
    if keyword.iskeyword(base) or keyword.issoftkeyword(base):
        base += "_"
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate
