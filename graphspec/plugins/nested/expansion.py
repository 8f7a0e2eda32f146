"""Nested-model nodes (format 1.1): an application, another spec file or an inline sub-graph.

The nested spec is checked on its own (its problems reported where they were written) and kept
in the node's :class:`~graphspec.ir.graph.ModelInfo`; shapes are inferred again from the shapes the
parent feeds it (see :mod:`graphspec.plugins.nested.inference`).
"""

from __future__ import annotations

import json
from typing import Any

from graphspec.base.source import Path, SourceMap
from graphspec.base.suggest import did_you_mean
from graphspec.errors import Diagnostic, SpecError
from graphspec.frontend.includes import IncludeError, current_context, read_cached, resolve_include
from graphspec.frontend.loader import Document
from graphspec.frontend.schema import build_spec
from graphspec.frontend.spec import FORMAT_1_1, NodeKey, Spec
from graphspec.ir.graph import IRNode, ModelInfo, NodeKind
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.expand.calls import call_refs
from graphspec.passes.expand.context import Expansion
from graphspec.passes.expand.nodes import NodeSite
from graphspec.plugins.nested.applications import (
    PREFIX,
    REFUSED_ARGS,
    application_args,
    application_names,
    static_spec_data,
)

__all__ = ["expand_model", "sub_source"]

_WEIGHTS = (None, "imagenet")


@KINDS["model"].hook(Stage.EXPAND)
def expand_model(ex: Expansion, site: NodeSite) -> str:
    """Add a nested-model node; its inputs come from edges or ``inputs:`` like a layer's."""
    path, expanded, nspec = site.path, site.expanded, site.spec
    key_path = (*path, NodeKey.MODEL.value)
    ex.require_1_1("a nested model (`model:`)", key_path, node=expanded)
    for key in (
        NodeKey.TYPE,
        NodeKey.BLOCK,
        NodeKey.REPEAT,
        NodeKey.NAMES,
        NodeKey.EXPR,
        NodeKey.SHARE,
        NodeKey.WEIGHT,
    ):
        if getattr(nspec, key.value) is not None:
            ex.error(
                "E840",
                f"nested-model node `{site.local}` cannot also have `{key.value}`",
                (*path, key.value),
                key=True,
                node=expanded,
                hint="to call the same model again, give the other node `share: "
                f"{site.local}` and no `model:`"
                if key is NodeKey.SHARE
                else "make a separate node for it",
            )
    args = {k: ex.subst(v, site.scope.params, (*path, k), expanded) for k, v in nspec.args.items()}
    trainable = args.pop("trainable", True)
    if not isinstance(trainable, bool):
        ex.error(
            "E840",
            f"node `{site.local}`: `trainable` must be true or false; found {trainable!r}",
            (*path, "trainable"),
            node=expanded,
        )
        trainable = True
    value = nspec.model
    if isinstance(value, str):
        value = ex.subst(value, site.scope.params, key_path, expanded)
    info = _model_info(ex, site, value, args, key_path)
    info.trainable = trainable
    node = IRNode(
        name=expanded,
        kind=NodeKind.MODEL,
        args=args,
        loc=ex.source.key_at(path),
        spec_path=path,
        instance=site.scope.prefix[:-1] or None,
        file=site.scope.file,
        model=info,
        broken=info.checked is None and info.reason is None,
    )
    ex.add_node(node, [*site.refs, *call_refs(ex, site, node)])
    return expanded


def _model_info(
    ex: Expansion, site: NodeSite, value: Any, args: dict[str, Any], key_path: Path
) -> ModelInfo:
    if isinstance(value, str) and value.startswith(PREFIX):
        return _application(ex, site, value[len(PREFIX) :], args, key_path)
    if isinstance(value, str):
        return _spec_file(ex, site, value, args, key_path)
    if isinstance(value, dict):
        return _inline(ex, site, value, args, key_path)
    ex.error(
        "E840",
        f"node `{site.local}`: `model` must be keras.applications.NAME, the path of a spec file, "
        f"or an inline spec mapping; found {type(value).__name__}",
        key_path,
        node=site.expanded,
    )
    return ModelInfo("inline", "?", args)


# -- applications -------------------------------------------------------------------------------


def _application(
    ex: Expansion, site: NodeSite, name: str, args: dict[str, Any], key_path: Path
) -> ModelInfo:
    info = ModelInfo("application", name, args)
    if name not in application_names():
        ex.error(
            "E842",
            f"node `{site.local}`: keras.applications has no model `{name}`",
            key_path,
            node=site.expanded,
            hint=did_you_mean(name, application_names())
            or f"choose from: {', '.join(application_names())}",
        )
        return info
    known = application_args(name)
    ok = True
    for key, value in args.items():
        apath = (*site.path, key)
        if key in REFUSED_ARGS:
            ex.error(
                "E843",
                f"node `{site.local}`: `{key}` cannot be set: {REFUSED_ARGS[key]}",
                apath,
                key=True,
                node=site.expanded,
            )
            ok = False
        elif key not in known:
            ex.error(
                "E843",
                f"node `{site.local}`: keras.applications.{name} has no argument `{key}`",
                apath,
                key=True,
                node=site.expanded,
                hint=did_you_mean(key, list(known))
                or f"its arguments: {', '.join(k for k in known if k not in REFUSED_ARGS)}",
            )
            ok = False
        elif problem := _bad_value(key, value):
            ex.error("E843", f"node `{site.local}`: `{key}` {problem}", apath, node=site.expanded)
            ok = False
    if not ok:
        info.reason = "invalid arguments"
        return info
    data, reason = static_spec_data(name, args)
    if data is None:
        info.reason = reason
        return info
    info.checked = _cached(
        ("application", name, json.dumps(args, sort_keys=True, default=str)),
        lambda: ex.checking.check(Spec.model_validate({**data, "graphspec": FORMAT_1_1}), None),
    )
    return info


def _bad_value(key: str, value: Any) -> str | None:
    if key == "weights" and value not in _WEIGHTS:
        return "must be null (random weights, the default) or imagenet (downloaded by Keras)"
    if key == "include_top" and not isinstance(value, bool):
        return "must be true or false"
    if key == "pooling" and value not in (None, "avg", "max"):
        return "must be null, avg or max"
    if key == "classes" and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        return "must be a positive integer"
    if key == "input_shape" and value is not None and not _is_shape(value):
        return "must be a list of positive integers or nulls, without the batch dimension"
    return None


def _is_shape(value: Any) -> bool:
    return isinstance(value, list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in value
    )


# -- spec files and inline graphs ---------------------------------------------------------------


def _spec_file(
    ex: Expansion, site: NodeSite, written: str, args: dict[str, Any], key_path: Path
) -> ModelInfo:
    info = ModelInfo("file", written, args)
    context = current_context()
    if context is None:  # pragma: no cover - expansion always runs inside a check
        return info
    try:
        target = resolve_include(context, ex.file, written)
    except IncludeError as err:
        ex.error(
            err.code,
            f"node `{site.local}`: {err.message}",
            key_path,
            node=site.expanded,
            hint=err.hint,
        )
        return info
    info.path = str(target)
    try:
        spec = _cached(("spec", str(target)), lambda: read_cached("spec", target, ex.checking.load))
    except SpecError as err:
        _adopt(ex, ("file", str(target)), list(err.diagnostics))
        _invalid(ex, site, key_path, written, err.diagnostics)
        return info
    if not _params_ok(ex, site, spec, args, written):
        return info
    info.checked = _cached(
        ("file", str(target), json.dumps(args, sort_keys=True, default=str)),
        lambda: ex.checking.check(spec, args),
    )
    _report(ex, site, key_path, written, info, ("file", str(target), json.dumps(args, default=str)))
    return info


def _params_ok(
    ex: Expansion, site: NodeSite, spec: Spec, args: dict[str, Any], written: str
) -> bool:
    ok = True
    for key in args:
        if key not in spec.params:
            ex.error(
                "E843",
                f"node `{site.local}`: the spec `{written}` has no param `{key}`",
                (*site.path, key),
                key=True,
                node=site.expanded,
                hint=did_you_mean(key, spec.params)
                or f"its params: {', '.join(spec.params) or 'none'}",
            )
            ok = False
    return ok


def _inline(
    ex: Expansion, site: NodeSite, value: dict[str, Any], args: dict[str, Any], key_path: Path
) -> ModelInfo:
    info = ModelInfo("inline", "inline", args)
    if args:
        for key in args:
            ex.error(
                "E843",
                f"node `{site.local}`: an inline model takes no argument `{key}`",
                (*site.path, key),
                key=True,
                node=site.expanded,
                hint="write params inside the inline spec (`params:`)",
            )
        return info
    data = {"graphspec": ex.version, **value}
    try:
        spec, found = build_spec(
            Document(data, sub_source(ex.source, key_path)), default_name=site.local
        )
    except SpecError as err:
        ex.diagnostics.extend(err.diagnostics)
        return info
    spec._load_diagnostics = found
    info.checked = ex.checking.check(spec, None)
    _report(ex, site, key_path, "inline", info, None)
    return info


def sub_source(source: SourceMap, prefix: Path) -> SourceMap:
    """The part of a source map under ``prefix``, re-rooted there (an inline spec's locations)."""
    size = len(prefix)
    sub = SourceMap(source.file)
    for attr in ("values", "keys", "styles", "surprises"):
        into = getattr(sub, attr)
        for path, value in getattr(source, attr).items():
            if path[:size] == prefix:
                into[path[size:]] = value
    return sub


# -- checking the nested spec -------------------------------------------------------------------


def _cached(key: Any, make: Any) -> Any:
    context = current_context()
    if context is None:  # pragma: no cover
        return make()
    if key not in context.cache:
        context.cache[key] = make()
    return context.cache[key]


def _adopt(ex: Expansion, key: Any, diagnostics: list[Diagnostic]) -> None:
    """Report a nested spec's own diagnostics once per check, however often it is used."""
    context = current_context()
    if context is not None:
        if key in context.reported:
            return
        context.reported.add(key)
    ex.diagnostics.extend(diagnostics)


def _report(
    ex: Expansion, site: NodeSite, key_path: Path, written: str, info: ModelInfo, key: Any
) -> None:
    checked = info.checked
    info.attempted = checked
    if key is None:
        ex.diagnostics.extend(checked.diagnostics)
    else:
        _adopt(ex, key, list(checked.diagnostics))
    if not checked.ok:
        _invalid(ex, site, key_path, written, checked.errors)
        info.checked = None


def _invalid(ex: Expansion, site: NodeSite, key_path: Path, written: str, errors: Any) -> None:
    count = sum(1 for d in errors if d.is_error)
    ex.error(
        "E850",
        f"nested model `{site.local}` ({written}) has {count} error{'s' * (count != 1)}",
        key_path,
        key=True,
        node=site.expanded,
        hint="they are listed where they were written",
    )
