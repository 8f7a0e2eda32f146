"""Expression nodes (format 1.1): the text parsed, its node references turned into inputs."""

from __future__ import annotations

from graphspec.base.source import Path
from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import ExprInfo, IRNode, NodeKind
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.expand.context import Expansion, Ref
from graphspec.passes.expand.nodes import NodeSite
from graphspec.plugins.expr.locate import expr_diagnostic
from graphspec.plugins.expr.syntax import ExprSyntaxError, parse, references

__all__ = ["expand_expr", "expr_info"]

_SHIFT = {None: 0, "'": 1, '"': 1}
"""Characters before an expression's first one, by scalar style (block scalars: unknown)."""


@KINDS["expr"].hook(Stage.EXPAND)
def expand_expr(ex: Expansion, site: NodeSite) -> str:
    """Add an expression node; its inputs are the nodes it names, in the order written."""
    path, expanded, nspec = site.path, site.expanded, site.spec
    key_path = (*path, NodeKey.EXPR.value)
    ex.require_1_1("an expression node (`expr:`)", key_path, node=expanded)
    for key in (
        NodeKey.TYPE,
        NodeKey.SHARE,
        NodeKey.BLOCK,
        NodeKey.REPEAT,
        NodeKey.NAMES,
        NodeKey.INPUTS,
        NodeKey.CALL,
        NodeKey.MODEL,
        NodeKey.WEIGHT,
    ):
        if key is NodeKey.NAMES and site.scope.prefix:
            continue  # a block's node may have its own `names:` template
        if getattr(nspec, key.value) is not None:
            ex.error(
                "E807",
                f"expression node `{site.local}` cannot also have `{key.value}`",
                (*path, key.value),
                key=True,
                node=expanded,
                hint="an expression names its operands itself; make a separate node for a layer"
                if key is not NodeKey.INPUTS
                else "an expression names its operands itself: remove `inputs:`",
            )
    for name in nspec.args:
        ex.error(
            "E807",
            f"expression node `{site.local}` takes no argument `{name}`",
            (*path, name),
            key=True,
            node=expanded,
            hint="constants go inside the expression, e.g. `leaky_relu(x, negative_slope=0.1)`",
        )
    if site.refs and not site.implicit and nspec.inputs is None:
        first = site.refs[0]
        ex.error(
            "E807",
            f"an edge leads into expression node `{site.local}` (from `{first.text}`)",
            path,
            loc=first.loc,
            node=expanded,
            hint="an expression names its operands itself: remove the edge and write the "
            "name in the expression",
        )
    text = ex.subst(nspec.expr, site.scope.params, key_path, expanded)
    info = expr_info(ex, text, key_path, exact="${" not in str(nspec.expr))
    node = IRNode(
        name=expanded,
        kind=NodeKind.EXPR,
        loc=ex.source.key_at(path),
        spec_path=path,
        instance=site.scope.prefix[:-1] or None,
        file=site.scope.file,
        expr=info,
    )
    refs: list[Ref] = []
    if info is None:
        node.broken = True
    else:
        try:
            tree = parse(info.text)
        except ExprSyntaxError as err:
            node.broken = True
            report_syntax(ex, err, info, expanded)
        else:
            info.tree = tree
            seen: dict[str, None] = {}
            for ref in references(tree):
                written = f"{ref.name}:{ref.port}" if ref.port else ref.name
                if written not in seen:
                    seen[written] = None
                    refs.append(Ref(site.scope, written, info.loc_at(ref.offset)))
            info.refs = list(seen)
    ex.add_node(node, refs)
    return expanded


def expr_info(ex: Expansion, text: object, path: Path, *, exact: bool = True) -> ExprInfo | None:
    """The located text of an expression, or ``None`` (E801 reported) when it is not text."""
    if not isinstance(text, str):
        if text is not None:
            ex.error(
                "E801",
                f"an expression is a string; found {type(text).__name__} {text!r}",
                path,
                hint='quote it: expr: "x * 2.0"',
            )
        return None
    style = ex.source.styles.get(path)
    shift = _SHIFT.get(style) if exact and "\n" not in text else None
    return ExprInfo(text=text, tree=None, loc=ex.source.at(path), shift=shift)


def report_syntax(ex: Expansion, err: ExprSyntaxError, info: ExprInfo, node: str) -> None:
    """Report an expression outside the grammar at the offending character, with a caret line."""
    ex.diagnostics.append(
        expr_diagnostic(ex.file, node, info, err.code, err.message, err.offset, hint=err.hint)
    )
