"""What the viewer page shows for one spec: the SVG, every node's details, diagnostics, totals."""

from __future__ import annotations

import dataclasses
import re
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from graphspec.api import CheckResult, check
from graphspec.backends.diagram import MAX_DRAWN_NODES, Options, TooLarge, View, bounded_view, draw
from graphspec.backends.diagram.labels import clean
from graphspec.backends.diff import DiffResult, Side, check_side, diff_checked, format_diff
from graphspec.backends.diff.diagram import diff_view
from graphspec.backends.diff.sources import open_spec
from graphspec.backends.importer.suggest import suggest_blocks
from graphspec.base.plain import jsonable
from graphspec.base.shape_types import format_shape
from graphspec.errors import Diagnostic, GraphSpecError, SpecError, UsageError
from graphspec.ir.graph import IRNode, NodeKind
from graphspec.plugins.nested.flatten import flatten_models

__all__ = ["MAX_DRAWN_BOXES", "build_page", "failed_page", "spec_files"]

MAX_DRAWN_BOXES: Final = MAX_DRAWN_NODES
"""Most boxes the viewer lays out at once: the bound of every diagram (``render`` too)."""

_SPEC_SUFFIXES: Final = (".yaml", ".yml", ".json")
_MAX_PATH: Final = 4096
_MAX_DEPTH: Final = 64
_MAX_WHY: Final = 200
_XML_PROLOGUE: Final = re.compile(
    r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S
)


def build_page(
    path: Path,
    *,
    params: Mapping[str, Any] | None = None,
    blocks: str = "expand",
    toggled: frozenset[str] = frozenset(),
    max_boxes: int | None = None,
    against: str | None = None,
    suggest: bool = False,
) -> dict[str, Any]:
    """The page data of one spec file, valid or not; never raises for a bad spec.

    ``suggest``: draw the blocks block discovery finds in a flat spec
    (:func:`graphspec.backends.importer.suggest.suggest_blocks`) instead of the spec as written;
    the page's ``suggestion`` says what was found, with the suggested spec's YAML.

    ``max_boxes`` bounds the drawing (default :data:`MAX_DRAWN_BOXES`, 0: no bound).
    ``against``: a git revision; the page then draws the diff of the spec at that revision
    (``REV:path``, read again at each build) against the file (``graphspec view --diff``).

    A spec that cannot be loaded at all gives a page with ``loaded: false``, its diagnostics
    and no SVG (the browser keeps showing the last diagram it had).
    """
    try:
        result = check(path, params=params)
    except SpecError as err:
        return failed_page(path, err.diagnostics)
    except (UsageError, OSError) as err:
        return failed_page(path, [Diagnostic("E001", str(err), file=str(path))])
    diagnostics = list(result.diagnostics)
    compared = _compared(path, result, against, params) if against else None
    if compared is not None and isinstance(compared, Diagnostic):
        diagnostics.append(compared)
        compared = None
    svg: str | None = None
    written = result
    suggestion: dict[str, Any] | None = None
    view = View(clean(result.spec.name or result.graph.name), "", Options())  # until drawn
    try:
        limit = MAX_DRAWN_BOXES if max_boxes is None else max_boxes
        if suggest and compared is None:
            result, suggestion = _suggested(result)
        if compared is not None:
            diagnostics = [*compared.old.diagnostics, *compared.new.diagnostics]
            view, drawn, notice, drawable = _diff_laid_out(result, compared, limit)
        else:
            view, drawn, notice, drawable = _laid_out(result, blocks, toggled, limit)
        if drawable and notice is not None:  # collapsed by the size bound: toggles dropped
            blocks, toggled = drawn, frozenset()
        if drawable:
            view.options = dataclasses.replace(view.options, title=False)  # the header shows it
            svg = _XML_PROLOGUE.sub("", draw(view, "svg").decode("utf-8"), count=1)
    except GraphSpecError as err:  # Graphviz missing or failing: the checks still stand
        hint = "install Graphviz (`make dot`) or run `graphspec doctor`"
        diagnostics.append(Diagnostic("E970", str(err), file=str(path), hint=hint))
    except Exception as err:  # a bug: keep serving, say so on the page and in the terminal
        traceback.print_exc(file=sys.stderr)
        message = f"graphspec view failed while drawing this spec: {type(err).__name__}: {err}"
        hint = "this is a bug in graphspec; please report it with the spec"
        return failed_page(path, [Diagnostic("E971", message, file=str(path), hint=hint)])
    flat = flatten_models(result)
    nodes = _nodes(flat, view, _model_sources(result, "", 0))
    if result is not written:  # the suggestion: its layers are the spec's, located there
        _locate(nodes, flat, written)
    page = {
        "loaded": True,
        "ok": written.ok,
        "name": view.name,
        "file": str(path),
        "summary": view.summary,
        "notice": notice,
        "totals": _totals(written),
        "svg": svg,
        "boxes": _boxes(view),
        "clusters": {cid: {"unit": c.unit, "label": c.label} for cid, c in view.clusters.items()},
        "nodes": nodes,
        "diagnostics": [_diagnostic(d) for d in diagnostics],
        "blocks": blocks,
        "toggled": sorted(toggled),
        "files": sorted(spec_files(written, path)),
        "paths": _absolute({str(path), *(str(n["file"]) for n in nodes.values())}),
        "written_blocks": bool(written.graph.instances),
        "suggestion": suggestion,
    }
    if against is not None:
        page["diff"] = _diff_data(against, compared)
    return page


def _compared(
    path: Path, new: CheckResult, against: str, params: Mapping[str, Any] | None
) -> DiffResult | Diagnostic:
    """The diff of ``against:path`` (read from git now) and the checked file, or why not."""
    try:
        opened = open_spec(f"{against}:{path}")
    except UsageError as err:
        hint = "`graphspec view --diff REV` needs the spec in a git repository that has REV"
        return Diagnostic("E001", str(err), file=str(path), hint=hint)
    if opened is None:
        return Diagnostic("E001", f"{against}:{path} is not REV:path", file=str(path))
    try:
        old, old_side = check_side(opened, params)
    finally:
        opened.close()
    return diff_checked(old, new, old_side, _side_of(path, new))


def _side_of(path: Path, result: CheckResult) -> Side:
    return Side(str(path), result.spec.name or result.graph.name, True, list(result.diagnostics))


def _diff_laid_out(
    result: CheckResult, compared: DiffResult, limit: int
) -> tuple[View, str, str | None, bool]:
    """The diff's view (unchanged blocks collapsed), under the bound every diagram has."""
    try:
        view = diff_view(compared, max_boxes=limit)
    except TooLarge as err:
        empty = View(clean(result.spec.name or result.graph.name), "", Options())
        return empty, "collapse", f"no diagram: {err}", False
    return view, "collapse", None, True


def _diff_data(against: str, compared: DiffResult | None) -> dict[str, Any]:
    """What the page's Changes list shows: the diff as the terminal prints it, and its JSON."""
    if compared is None:
        return {"against": against, "compared": False, "equal": False, "summary": "", "lines": []}
    lines = format_diff(compared, "text").splitlines()[2:]  # the --- / +++ header left out
    return {
        "against": against,
        "compared": compared.compared,
        "equal": compared.equal,
        "summary": compared.summary(),
        "lines": lines,
        "json": compared.to_dict(),
    }


def _laid_out(
    result: CheckResult, blocks: str, toggled: frozenset[str], limit: int
) -> tuple[View, str, str | None, bool]:
    """The view, the block mode used, a notice when the size bound changed it, whether to draw.

    The bound is the one every diagram has (:func:`graphspec.backends.diagram.bounded_view`): above
    ``limit`` boxes an expanded drawing is laid out with every block collapsed (each can
    still be expanded on the page); a graph still too large is not drawn at all, while search,
    node panels and diagnostics keep working.
    """
    try:
        _, view, bound = bounded_view(result, max_boxes=limit, blocks=blocks, toggled=toggled)
    except TooLarge as err:
        empty = View(clean(result.spec.name or result.graph.name), "", Options())
        notice = f"no diagram: {err}; search, node panels and diagnostics still work"
        return empty, blocks, notice, False
    if bound.collapsed:
        notice = (
            f"{bound.expanded:,} boxes expanded is more than the {limit:,} drawn at once "
            "(--max-nodes): blocks are shown collapsed; double-click one to expand it"
        )
        return view, bound.blocks, notice, True
    return view, blocks, None, True


def failed_page(path: Path, diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """The page data of a spec that could not be loaded: only its diagnostics."""
    return {
        "loaded": False,
        "ok": False,
        "name": path.stem,
        "file": str(path),
        "summary": "the spec could not be read",
        "notice": None,
        "totals": None,
        "svg": None,
        "boxes": {},
        "clusters": {},
        "nodes": {},
        "diagnostics": [_diagnostic(d) for d in diagnostics],
        "files": [str(path)],
        "paths": _absolute({str(path)}),
    }


def _suggested(result: CheckResult) -> tuple[CheckResult, dict[str, Any]]:
    """The result to draw for a suggestion (the suggested spec, or the spec itself when block
    discovery finds nothing) and what the page says about it."""
    if result.graph.instances or result.spec.blocks:
        return result, {"found": False, "why": "this spec has blocks already"}
    if not result.ok:
        return result, {"found": False, "why": "blocks are suggested for a spec without errors"}
    try:
        found = suggest_blocks(result)
    except GraphSpecError as err:  # discovery could not write this spec back (its ${params})
        said = " ".join(line.strip() for line in str(err).strip().splitlines()[:2])
        why = f"block discovery cannot rewrite it: {said[:_MAX_WHY] or type(err).__name__}"
        return result, {"found": False, "why": why}
    if found is None:
        return result, {"found": False, "why": "no repeated structure that would save lines"}
    return found.result, {
        "found": True,
        "blocks": {name: len(names) for name, names in found.instances.items()},
        "instances": sum(len(names) for names in found.instances.values()),
        "lines": [found.flat_lines, found.lines],
        "yaml": found.text,
    }


def _locate(nodes: dict[str, dict[str, Any]], drawn: CheckResult, written: CheckResult) -> None:
    """Each node's file and line: where the spec as written has its layer (the suggestion keeps
    every layer's name: ``conv2_block1.1_conv`` is the layer ``conv2_block1_1_conv``)."""
    graph = written.graph
    for name, data in nodes.items():
        shown = drawn.graph.nodes.get(name)
        node = graph.nodes.get(shown.layer_name if shown is not None else name)
        data["layer"] = node.name if node is not None else None
        data["file"] = graph.file
        data["line"] = node.loc.line if node is not None and node.loc else None
        data["column"] = node.loc.column if node is not None and node.loc else None


def _absolute(files: set[str]) -> dict[str, str]:
    """Each file as the page names it -> its absolute path (for the editor links)."""
    return {f: str(Path(f).resolve()) for f in sorted(files) if f and not f.startswith("<")}


def spec_files(result: CheckResult, path: Path) -> set[str]:
    """The files a spec was read from: itself, files its diagnostics name, and every existing
    spec file its data refers to (an included or nested spec, by a path relative to its folder).
    """
    files = {str(path)}
    graph_file = result.graph.file
    if graph_file and not graph_file.startswith("<"):
        files.add(graph_file)
    for diag in result.diagnostics:
        if diag.file and not diag.file.startswith("<"):
            files.add(diag.file)
    files.update(_model_files(result, depth=0))
    files.update(result.files_read())  # every include: at any depth, and nested spec files
    base = path.parent
    for text in _strings(result.spec.model_dump(mode="python")):
        if text.endswith(_SPEC_SUFFIXES) and len(text) < _MAX_PATH:
            candidate = base / text
            if candidate.is_file():
                files.add(str(candidate))
    return files


def _model_files(result: CheckResult, depth: int) -> set[str]:
    """The spec files of nested models (``model: FILE``), at every depth."""
    found: set[str] = set()
    if depth > _MAX_DEPTH:
        return found
    for node in result.graph.nodes.values():
        model = node.model
        if model is None:
            continue
        if model.source == "file" and model.path:
            found.add(str(model.path))
        if isinstance(model.checked, CheckResult):
            found.add(model.checked.graph.file)
            found |= _model_files(model.checked, depth + 1)
    return {f for f in found if f and not f.startswith("<")}


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string inside nested data (bounded depth)."""
    if isinstance(value, str):
        yield value
    elif depth < _MAX_DEPTH and isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < _MAX_DEPTH and isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)


def _node_flops(result: CheckResult, name: str) -> dict[str, Any] | None:
    """A node's cost for its panel: FLOPs and MACs, or why it is unknown."""
    if result.shapes is None or name not in result.flops.nodes:
        return None
    cost = result.flops.nodes[name]
    if cost is None:
        return {"flops": None, "macs": None, "why": result.flops.reasons.get(name)}
    return {"flops": cost.flops, "macs": cost.macs, "why": None}


def _totals(result: CheckResult) -> dict[str, Any]:
    info = result.shapes
    layers = len(result.graph.layers)
    return {
        "params": info.total if info is not None else None,
        "trainable": info.trainable if info is not None else None,
        "complete": bool(info is not None and info.complete),
        "flops": result.flops.flops if info is not None else None,
        "flops_complete": bool(info is not None and result.flops.complete),
        "layers": layers,
        "inputs": len(result.graph.inputs),
        "errors": sum(d.is_error for d in result.diagnostics),
        "warnings": sum(
            not d.is_error and d.severity.value == "warning" for d in result.diagnostics
        ),
    }


def _boxes(view: View) -> dict[str, dict[str, Any]]:
    return {
        bid: {
            "kind": box.kind,
            "label": box.label,
            "type": box.type,
            "nodes": box.nodes,
            "unit": box.unit,
            "faulty": box.faulty,
            "params": box.params,
            "shape": box.shape,
        }
        for bid, box in view.boxes.items()
    }


def _model_sources(result: CheckResult, prefix: str, depth: int) -> dict[str, str]:
    """Name prefix of a nested spec model's nodes (``tower.``) -> the file they are written in."""
    found: dict[str, str] = {}
    if depth > _MAX_DEPTH:
        return found
    for node in result.graph.nodes.values():
        model = node.model
        if model is not None and isinstance(model.checked, CheckResult):
            inner = f"{prefix}{node.name}."
            if model.source != "application":  # an application's layers are located at its node
                found[inner] = model.checked.graph.file
            found |= _model_sources(model.checked, inner, depth + 1)
    return found


def _file_of(name: str, top: str, sources: Mapping[str, str]) -> str:
    """The file node ``name`` is written in: its nested model's file, else the spec's."""
    best = ""
    for prefix in sources:
        if name.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return sources[best] if best else top


def _nodes(
    result: CheckResult, view: View, sources: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Every node's panel data (of the drawn graph: nested spec models opened up)."""
    graph = result.graph
    box_of = {name: bid for bid, box in view.boxes.items() for name in box.nodes}
    consumers: dict[str, list[str]] = {name: [] for name in graph.nodes}
    for node in graph.nodes.values():
        for src in node.inputs:
            if src in consumers and node.name not in consumers[src]:
                consumers[src].append(node.name)
    outputs = {node: name for name, node in graph.outputs}
    out: dict[str, dict[str, Any]] = {}
    for node in graph.nodes.values():
        info = result.shapes.nodes.get(node.name) if result.shapes else None
        inst = graph.instances.get(node.instance or "")
        out[node.name] = {
            "box": box_of.get(node.name),
            "kind": node.kind.value,
            "type": _type_of(node),
            "expr": node.expr.text if node.expr is not None else None,
            "args": jsonable(node.args),
            "input_shape": format_shape((None, *node.shape)) if node.shape else None,
            "dtype": node.dtype if node.is_input else None,
            "shapes": [format_shape(s) for s in info.outputs] if info and info.outputs else [],
            "params": info.params if info is not None and info.known else None,
            "trainable": info.trainable if info is not None and info.known else None,
            "flops": _node_flops(result, node.name),
            "inputs": [{"name": src, "port": node.port(i)} for i, src in enumerate(node.inputs)],
            "consumers": consumers.get(node.name, []),
            "output": outputs.get(node.name),
            "share": node.share,
            "block": f"{inst.name} ({inst.block})" if inst is not None else None,
            "file": _file_of(node.name, graph.file, sources),
            "line": node.loc.line if node.loc else None,
            "column": node.loc.column if node.loc else None,
        }
    return out


def _type_of(node: IRNode) -> str:
    if node.is_input:
        return "Input"
    if node.expr is not None:
        return "expression"
    if node.model is not None:
        return f"model {node.model.label}"
    if node.kind is NodeKind.WEIGHT:
        return "learned tensor"
    return node.type if isinstance(node.type, str) else "?"


def _diagnostic(diag: Diagnostic) -> dict[str, Any]:
    return {
        "severity": diag.severity.value,
        "code": diag.code,
        "message": diag.message,
        "hint": diag.hint,
        "location": diag.location,
        "node": diag.node,
        "nodes": list(diag.instance_nodes),
        "instances": list(diag.instances),
        "related": list(diag.related),
    }
