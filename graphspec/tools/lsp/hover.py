"""Hover (``textDocument/hover``): nodes, block instances, ports, layer types, params, and error
codes explained (written, or of the diagnostics under the cursor)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from lsprotocol import types as lsp

from graphspec.base.registry import Registry
from graphspec.base.shape_types import format_shape
from graphspec.base.source import Loc
from graphspec.frontend.params import is_deferred, leaves
from graphspec.ir.graph import NodeKind
from graphspec.plugins.expr import lookup
from graphspec.tools.lsp._codes import CODE, code_doc, docs_uri
from graphspec.tools.lsp._describe import (
    layer_doc,
    node_shape,
    resolve,
    scope_result,
    shape_text,
    signature_text,
)
from graphspec.tools.lsp._instances import (
    feed_text,
    instance_block,
    instance_text,
    instances_text,
    written,
)
from graphspec.tools.lsp._ports import port_names
from graphspec.tools.lsp.conversion import diagnostic_span, once
from graphspec.tools.lsp.features import feature
from graphspec.tools.lsp.index import Occurrence, ScopeInfo, ScopeKind, Symbol, SymbolKind
from graphspec.tools.lsp.lookup import block_spec, include_at

if TYPE_CHECKING:
    from graphspec.api import CheckResult
    from graphspec.errors import Diagnostic
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["HOVERS", "hover_at"]

Hover = Callable[["Analysis", Loc], "tuple[str, lsp.Range] | None"]
HOVERS: Registry[str, Hover] = Registry("hover provider")
"""Hover providers by name, tried in order: the first that knows the place answers."""
_MAX_INSTANCES: Final = 4
_PORT: Final = re.compile(r"([\w.]+):(\d{1,3})\b")


def _provider(name: str) -> Callable[[Hover], Hover]:
    return HOVERS.register(name)


@feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: GraphspecServer, params: lsp.HoverParams) -> lsp.Hover | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is not None and analysis.ok:
        return hover_at(analysis, analysis.lines.loc(params.position))
    earlier = ls.earlier(params.text_document.uri)  # mid-edit: on a line the edit left alone
    old = earlier[1].get(params.position.line + 1) if earlier is not None else None
    if earlier is None or old is None:
        return hover_at(analysis, analysis.lines.loc(params.position)) if analysis else None
    loaded = earlier[0]
    moved = lsp.Position(line=old - 1, character=params.position.character)
    found = hover_at(loaded, loaded.lines.loc(moved), diagnostics=False)  # theirs are gone
    if found is not None and found.range is not None and found.range.start.line == old - 1:
        line = params.position.line
        found.range = lsp.Range(
            start=lsp.Position(line=line, character=found.range.start.character),
            end=lsp.Position(line=line, character=found.range.end.character),
        )
    return found


def hover_at(analysis: Analysis, loc: Loc, *, diagnostics: bool = True) -> lsp.Hover | None:
    """The hover of the first provider that knows what is written at ``loc``, followed by what
    the codes of the diagnostics under the cursor mean (unless ``diagnostics`` is false)."""
    found = next((f for f in (p(analysis, loc) for p in HOVERS.values()) if f is not None), None)
    under = _diagnostics_at(analysis, loc) if diagnostics else []
    notes = list(dict.fromkeys(_diagnostic_text(analysis, d) for d in under))
    if found is None and not notes:
        return None
    text, rng = found if found is not None else ("", None)
    value = "\n\n---\n\n".join(part for part in (text, *notes) if part)
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=value), range=rng
    )


def _diagnostics_at(analysis: Analysis, loc: Loc) -> list[Diagnostic]:
    """The diagnostics whose marked range holds ``loc``, each once."""
    out = []
    for diag in once(analysis.diagnostics):
        span = diagnostic_span(analysis, diag)
        if span is not None and span[0] <= loc <= span[1]:
            out.append(diag)
    return out


def _diagnostic_text(analysis: Analysis, diag: Diagnostic) -> str:
    """What a diagnostic's code means, with its documentation link, and the block instances it
    is in (the editor shows the message itself)."""
    text = _code_text(diag.code) or f"**{diag.code}**"
    if diag.instances:
        places = written(analysis.result, diag.instances)
        block = places[0].block if places else None
        text += "\n\n" + instances_text(diag.instances, block)
    return text


def _code_text(code: str) -> str | None:
    """``**E501** (section): meaning (e.g. …)`` and a link to its row of errors.md."""
    doc = code_doc(code)
    if doc is None:
        return None
    uri = docs_uri(code)
    link = f"\n\n[errors.md: {doc.section}]({uri})" if uri else ""
    return f"**{code}**: {doc.text}{link}"


@_provider("port")
def _port(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    """A reference ``node:N``: which output of the node that is, and its shape."""
    line = analysis.lines.line(loc.line - 1)
    for match in _PORT.finditer(line):
        if not match.start() < loc.column <= match.end() + 1:
            continue
        occ = analysis.index.at(Loc(loc.line, match.start() + 1))
        if occ is None or occ.definition or occ.symbol.kind is not SymbolKind.NODE:
            continue
        if occ.end.column != match.end(1) + 1:
            continue
        rng = analysis.lines.range(Loc(loc.line, match.start() + 1), Loc(loc.line, match.end() + 1))
        return _port_text(analysis, occ.symbol, int(match.group(2))), rng
    return None


def _port_text(analysis: Analysis, symbol: Symbol, port: int) -> str:
    ref = f"{symbol.name}:{port}"
    result, names = resolve(analysis, symbol)
    node = result.graph.nodes.get(names[0]) if result is not None and names else None
    shape = node_shape(result, names[0]) if names else None
    if node is None or shape is None or not shape.outputs:
        return f"**{ref}**: output {port} of `{symbol.name}` (shape unknown: see the diagnostics)"
    count = len(shape.outputs)
    kind = _kind_text(node)
    if port >= count:
        return (
            f"**{ref}**: `{symbol.name}` ({kind}) returns {count} output{'s' * (count != 1)} "
            f"here (`{symbol.name}:0` to `{symbol.name}:{count - 1}`): there is no output {port}"
        )
    ports = port_names(node, count)
    name, meaning = ports[port]
    lines = [
        f"**{ref}** · output {port} of `{symbol.name}` ({kind}): {_port_name(name, meaning)} · "
        f"{format_shape(shape.outputs[port])}"
    ]
    if count > 1:
        for i, ((n, m), s) in enumerate(zip(ports, shape.outputs, strict=True)):
            mark = "**" if i == port else ""
            lines.append(
                f"- {mark}`{symbol.name}:{i}`{mark}: {_port_name(n, m)} · {format_shape(s)}"
            )
    return "\n".join(lines)


def _port_name(name: str, meaning: str) -> str:
    return f"`{name}`" + (f" ({meaning})" if meaning and meaning != name else "")


@_provider("name")
def _name(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    occ = analysis.index.at(loc)
    if occ is None:
        return None
    rng = analysis.lines.range(occ.start, occ.end)
    return _SYMBOL_TEXT[occ.symbol.kind](analysis, occ), rng


@_provider("layer type")
def _layer_type(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    word = _value_at(analysis, loc, "type")
    if word is None:
        return None
    text, rng = word
    sig = signature_text(text)
    if sig is None:
        return None
    doc = layer_doc(text)
    body = f"```python\nkeras.layers.{sig}\n```"
    return (body + (f"\n\n{doc}" if doc else "")), rng


@_provider("expression function")
def _expr_function(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    """A function called in ``expr:`` (format 1.1): its ``keras.ops`` signature and meaning."""
    line = analysis.lines.line(loc.line - 1)
    if "expr:" not in line:
        return None
    for match in re.finditer(r"([A-Za-z_]\w*)\s*\(", line):
        if match.start(1) < loc.column <= match.end(1) + 1:
            op = lookup(match.group(1))
            if op is None:
                return None
            args = [p.name for p in op.operands] + [f"{a.name}={a.default!r}" for a in op.attrs]
            text = f"```python\nkeras.ops.{op.keras}({', '.join(args)})\n```"
            if op.doc:
                text += f"\n\n{op.doc}"
            rng = analysis.lines.range(
                Loc(loc.line, match.start(1) + 1), Loc(loc.line, match.end(1) + 1)
            )
            return text, rng
    return None


@_provider("param")
def _param_value(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    """A ``${...}`` expression under the cursor: its value where it is used."""
    line = analysis.lines.line(loc.line - 1)
    for match in re.finditer(r"\$\{[^{}]*\}", line):
        if match.start() < loc.column <= match.end():
            rng = analysis.lines.range(
                Loc(loc.line, match.start() + 1), Loc(loc.line, match.end() + 1)
            )
            return _expression_text(analysis, loc, match.group()), rng
    return None


@_provider("error code")
def _error_code(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    line = analysis.lines.line(loc.line - 1)
    for match in CODE.finditer(line):
        if match.start() < loc.column <= match.end() + 1:
            text = _code_text(match.group())
            if text is None:
                return None
            rng = analysis.lines.range(
                Loc(loc.line, match.start() + 1), Loc(loc.line, match.end() + 1)
            )
            return text, rng
    return None


# -- symbols --------------------------------------------------------------------------------------


def _node_text(analysis: Analysis, occ: Occurrence) -> str:
    block = instance_block(analysis, occ.symbol)
    if block is not None:  # the block it instantiates, not the last node of its last copy
        return instance_text(analysis, occ.symbol, block)
    result, names = resolve(analysis, occ.symbol)
    scope = occ.symbol.scope
    where = f" ({analysis.index.label(scope)})" if scope else ""
    if result is None or not names:
        return f"**{occ.symbol.name}**{where}: node (not expanded: see the diagnostics)"
    graph = result.graph
    first = graph.nodes[names[0]]
    head = f"**{occ.symbol.name}**{where} · {_kind_text(first)}"
    if first.share:
        head += f" (shares the layer of `{first.share}`)"
    lines = [head]
    if first.args and not first.share and first.type:
        args = ", ".join(f"{k}={_short(v)}" for k, v in first.args.items())
        lines.append(f"```python\n{first.type}({args})\n```")
    for name in names[:_MAX_INSTANCES]:
        node = graph.nodes[name]
        label = f"`{name}`: " if len(names) > 1 or name != occ.symbol.name else ""
        shape = node_shape(result, name)
        shown = shape_text(shape) or f"shape unknown ({shape.reason if shape else 'not inferred'})"
        lines.append(f"- {label}output {shown}")
        if node.keras_name:  # a `names:` template (format 1.1) named its layer
            lines.append(f"  - Keras layer `{node.keras_name}`")
        ins = [_input_text(result, node, i) for i in range(len(node.inputs))]
        if ins:
            lines.append(f"  - inputs: {', '.join(ins)}")
    if len(names) > _MAX_INSTANCES:
        more = len(names) - _MAX_INSTANCES
        lines.append(f"- … and {more} more instance{'s' * (more != 1)}")
    return "\n".join(lines)


def _kind_text(node: Any) -> str:
    """What a node is: its layer type, its expression, the model it nests or the learned tensor
    it is (1.1)."""
    if getattr(node, "kind", None) is NodeKind.WEIGHT:
        settings = ", ".join(f"{k}={_short(v)}" for k, v in node.args.items())
        return f"learned tensor ({settings})"
    expr = getattr(node, "expr", None)
    if expr is not None:
        return f"expression `{expr.text}`"
    model = getattr(node, "model", None)
    if model is not None:
        args = ", ".join(f"{k}={_short(v)}" for k, v in model.args.items())
        return f"nested model `{model.label}`" + (f" ({args})" if args else "")
    return f"`{node.type or '?'}`"


def _input_text(result: CheckResult, node: Any, index: int) -> str:
    port = node.port(index)
    return feed_text(result, node.inputs[index] + (f":{port}" if port else ""))


def _input_symbol_text(analysis: Analysis, occ: Occurrence) -> str:
    result, names = resolve(analysis, occ.symbol)
    shape = shape_text(node_shape(result, names[0]), params=False) if names else None
    node = result.graph.nodes.get(names[0]) if result is not None and names else None
    dtype = f" · {node.dtype}" if node is not None else ""
    scope = occ.symbol.scope
    where = f" of {analysis.index.label(scope)}" if scope else ""
    return f"**{occ.symbol.name}** · model input{where} · {shape or 'shape unknown'}{dtype}"


def _block_text(analysis: Analysis, occ: Occurrence) -> str:
    found = block_spec(analysis, occ.symbol.scope, occ.symbol.name)
    if found is None:
        return f"**{occ.symbol.name}**: block"
    block, library = found
    params = ", ".join(f"{k}={v!r}" if v is not None else k for k, v in block.params.items())
    result, _ = scope_result(analysis, occ.symbol.scope)
    instances = result.graph.instances.values() if result is not None else ()
    count = sum(1 for i in instances if i.block == occ.symbol.name)
    origin = f" · from `{_relative(library.file, analysis.file)}`" if library is not None else ""
    return (
        f"**block {occ.symbol.name}**({params})\n\n"
        f"inputs: {', '.join(block.inputs)} · {len(block.nodes)} nodes · "
        f"{count} instance{'s' * (count != 1)}{origin}"
    )


def _placeholder_text(analysis: Analysis, occ: Occurrence) -> str:
    return f"**{occ.symbol.name}**: an input of {analysis.index.label(occ.symbol.scope)}"


def _param_text(analysis: Analysis, occ: Occurrence) -> str:
    assert analysis.result is not None
    scope = occ.symbol.scope
    info = analysis.index.scopes.get(scope)
    if scope and (info is None or info.kind is ScopeKind.BLOCK):
        found = block_spec(analysis, analysis.index.namespace(scope), _block_name(info, scope))
        block = found[0] if found is not None else None
        default = block.params.get(occ.symbol.name) if block is not None else None
        shown = "required" if default is None else f"default {default!r}"
        return f"**{occ.symbol.name}**: param of {analysis.index.label(scope)} ({shown})"
    from graphspec.frontend.params import substitute

    spec = info.spec if info is not None else analysis.result.spec
    raw = spec.params.get(occ.symbol.name)
    try:
        value = substitute(raw, spec.params)
    except Exception:  # an invalid expression is reported as a diagnostic already
        value = raw
    owner = f"param of {analysis.index.label(scope)}" if scope else "spec param"
    return f"**{occ.symbol.name}** = `{value!r}` ({owner})"


def _relative(file: str, base: str) -> str:
    """``file`` as seen from the folder of the spec ``base`` (the way ``include:`` writes it)."""
    try:
        return os.path.relpath(file, os.path.dirname(os.path.abspath(base)))
    except ValueError:  # another drive on Windows
        return file


def _block_name(info: ScopeInfo | None, scope: str) -> str:
    return info.name if info is not None else scope


@_provider("included file")
def _included_file(analysis: Analysis, loc: Loc) -> tuple[str, lsp.Range] | None:
    """A path of ``include:`` (format 1.1): the file it resolves to and the blocks it brings."""
    found = include_at(analysis, loc)
    if found is None:
        return None
    span = analysis.source.span(found.path)
    assert span is not None
    blocks = list(found.spec.blocks) if found.spec is not None else []
    shown = ", ".join(f"`{b}`" for b in blocks) or "none"
    text = f"**{found.written}** → `{found.file}`\n\nblocks: {shown}"
    return text, analysis.lines.range(*span)


_SYMBOL_TEXT: Final[dict[SymbolKind, Callable[[Analysis, Occurrence], str]]] = {
    SymbolKind.NODE: _node_text,
    SymbolKind.INPUT: _input_symbol_text,
    SymbolKind.BLOCK: _block_text,
    SymbolKind.PLACEHOLDER: _placeholder_text,
    SymbolKind.PARAM: _param_text,
}


# -- helpers --------------------------------------------------------------------------------------


def _value_at(analysis: Analysis, loc: Loc, key: str) -> tuple[str, lsp.Range] | None:
    """The plain word value of a ``key:`` under the cursor, e.g. the layer type after ``type:``."""
    line = analysis.lines.line(loc.line - 1)
    for match in re.finditer(rf"(?:^|[\s{{,]){re.escape(key)}:\s+['\"]?([\w.:]+)", line):
        if match.start(1) < loc.column <= match.end(1) + 1:
            rng = analysis.lines.range(
                Loc(loc.line, match.start(1) + 1), Loc(loc.line, match.end(1) + 1)
            )
            return match.group(1), rng
    return None


def _expression_text(analysis: Analysis, loc: Loc, expr: str) -> str:
    """What ``${...}`` evaluates to with the spec's params (block params are shown by name)."""
    from graphspec.frontend.params import ExprError, substitute

    result = analysis.result
    if result is None:
        return f"`{expr}`"
    params = dict(result.spec.params)
    scope: dict[str, Any] = {}
    for name, value in params.items():  # params may use earlier params
        try:
            scope[name] = substitute(value, scope)
        except ExprError:
            scope[name] = value
    try:
        value = substitute(expr, scope)
    except ExprError as err:
        block = _enclosing_block(analysis, loc)
        if block is not None:
            return f"`{expr}`: computed per instance of block `{block}` ({err.message})"
        return f"`{expr}`: {err.message}"
    if is_deferred(value):
        return _sized_text(result, expr)
    return f"`{expr}` = `{value!r}`"


def _sized_text(result: Any, expr: str) -> str:
    """A ``${...}`` read from node shapes: the values the shapes pass computed for it."""
    found = [
        f"`{key}` of `{node.name}` = `{_computed(node.args.get(key))}`"
        for node in result.graph
        for key, written in node.sized.items()
        if any(expr in leaf.written for _, leaf in leaves(written))
    ]
    head = f"`{expr}` reads node shapes (computed when shapes are inferred)"
    if not found:
        return head
    more = f"\n- … and {len(found) - 5} more" if len(found) > 5 else ""
    return head + ":\n" + "\n".join(f"- {line}" for line in found[:5]) + more


def _computed(value: Any) -> Any:
    """A value computed from shapes, or the text still waiting for them."""
    return value if not is_deferred(value) else "?"


def _enclosing_block(analysis: Analysis, loc: Loc) -> str | None:
    assert analysis.result is not None
    for name in analysis.result.spec.blocks:
        span = analysis.source.span(("blocks", name))
        if span is not None and span[0] <= loc <= span[1]:
            return name
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
