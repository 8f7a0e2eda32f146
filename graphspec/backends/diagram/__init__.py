"""Architecture diagrams drawn from the spec alone (Graphviz and Mermaid), never importing Keras."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, TypeGuard

from graphspec.api import CheckResult, check
from graphspec.backends.diagram import dot as _dot
from graphspec.backends.diagram import mermaid as _mermaid
from graphspec.backends.diagram._bound import MAX_DRAWN_NODES, Bound, TooLarge
from graphspec.backends.diagram._layout import LAYOUTS
from graphspec.backends.diagram._units import drawn_boxes
from graphspec.backends.diagram._view import build_view, hidden_units
from graphspec.backends.diagram.boxes import Options, View
from graphspec.backends.diagram.renderers import EXTENSIONS, RENDERERS, Renderer, renderer
from graphspec.base.output import OutputPolicy
from graphspec.errors import Diagnostic, GraphvizNotFoundError, UsageError
from graphspec.frontend.spec import Spec

__all__ = [
    "APPLICATION_MODES",
    "BLOCK_MODES",
    "DEFAULT_DPI",
    "EXTENSIONS",
    "FORMATS",
    "LAYOUTS",
    "MAX_DRAWN_NODES",
    "RANKDIRS",
    "RENDERERS",
    "SHAPE_PLACES",
    "STYLE_OPTIONS",
    "Bound",
    "Options",
    "RenderResult",
    "Renderer",
    "TooLarge",
    "View",
    "bounded_view",
    "draw",
    "format_for",
    "render_spec",
    "render_svg",
    "renderer",
    "repr_mimebundle",
    "to_dot",
    "to_mermaid",
    "view_of",
]

RANKDIRS: Final = ("TB", "LR", "BT", "RL")
BLOCK_MODES: Final = ("auto", "expand", "collapse")
AUTO_COLLAPSE_BOXES: Final = 120
"""With ``blocks="auto"`` (the default), a diagram whose expanded drawing has more boxes than
this is drawn with its blocks collapsed (an imported ResNet50: 177 boxes expanded, 25 collapsed);
smaller ones are drawn expanded."""
APPLICATION_MODES: Final = ("collapse", "expand")
"""How keras.applications models are drawn: one expandable box (default) or their layers."""
SHAPE_PLACES: Final = ("boxes", "edges", "both")
"""Where tensor shapes are written: in each box (default), on the edges, or both."""
STYLE_OPTIONS: Final = frozenset(
    {"rankdir", "blocks", "shapes", "shapes_on", "layout", "dpi", "toggled", "applications"}
)
"""The drawing options :func:`render_spec`, :func:`to_dot` and :func:`view_of` take."""
DEFAULT_DPI: Final = 144
MIN_DPI: Final = 36
MAX_DPI: Final = 600
FORMATS: Final = tuple(RENDERERS)
"""Every output format: ``svg``, ``png``, ``pdf`` (need ``dot``), ``dot`` and ``mmd``."""

SpecLike = Spec | CheckResult | str | Path | bytes


@dataclass
class RenderResult:
    """A drawn diagram: its bytes in ``format``, the DOT source, and the spec's diagnostics."""

    format: str
    data: bytes
    dot: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    path: Path | None = None
    check: CheckResult | None = None
    bound: Bound | None = None

    @property
    def ok(self) -> bool:
        """True when the spec had no error (the diagram is drawn either way)."""
        return not any(d.is_error for d in self.diagnostics)

    @property
    def text(self) -> str:
        """The output as text (SVG, DOT and Mermaid are UTF-8)."""
        return self.data.decode("utf-8")


def format_for(path: str | Path | None, fmt: str | None = None) -> str:
    """The output format: ``fmt`` when given, else from the file extension (default ``svg``).

    >>> format_for("model.png"), format_for("x.svg", "dot"), format_for(None)
    ('png', 'dot', 'svg')
    """
    if fmt is not None:
        if fmt not in RENDERERS:
            raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(RENDERERS)}")
        return fmt
    if path is None:
        return "svg"
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(EXTENSIONS)
        raise UsageError(
            f"cannot tell the format of {str(path)!r} from its extension; use one of {known} "
            "or give --format"
        )
    return EXTENSIONS[suffix]


def _choose(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UsageError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _style_options(style: Mapping[str, Any]) -> Options:
    """``style`` (keyword drawing options) checked: unknown names and bad values refused."""
    unknown = sorted(set(style) - STYLE_OPTIONS)
    if unknown:
        raise UsageError(
            f"unknown drawing option {unknown[0]!r} (must be one of {sorted(STYLE_OPTIONS)})"
        )
    return _options(**style)


def _options(
    *,
    rankdir: str = "TB",
    blocks: str = "auto",
    shapes: bool = True,
    shapes_on: str = "boxes",
    layout: str = "auto",
    dpi: int = DEFAULT_DPI,
    toggled: frozenset[str] = frozenset(),
    applications: str = "collapse",
) -> Options:
    """Drawing options checked once, each error listing the choices."""
    _choose("rankdir", rankdir, RANKDIRS)
    chosen = _choose("blocks", blocks, BLOCK_MODES)
    if chosen == "auto":
        raise UsageError("internal: blocks=auto is settled from the graph before drawing")
    mode: Literal["expand", "collapse"] = "collapse" if chosen == "collapse" else "expand"
    apps: Literal["expand", "collapse"] = (
        "expand"
        if _choose("applications", applications, APPLICATION_MODES) == "expand"
        else "collapse"
    )
    _choose("shapes_on", shapes_on, SHAPE_PLACES)
    _choose("layout", layout, LAYOUTS)
    if not _whole(dpi) or not MIN_DPI <= dpi <= MAX_DPI:
        raise UsageError(f"dpi must be a whole number from {MIN_DPI} to {MAX_DPI}; got {dpi!r}")
    return Options(
        rankdir=rankdir,
        blocks=mode,
        shapes=shapes,
        toggled=frozenset(toggled),
        layout=layout,
        shapes_on=shapes_on,
        dpi=dpi,
        applications=apps,
    )


def _whole(value: object) -> TypeGuard[int]:
    """An int that is not a bool (options may come from untyped callers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(spec: SpecLike, params: Mapping[str, Any] | None) -> CheckResult:
    result = spec if isinstance(spec, CheckResult) else check(spec, params=params)
    result.raise_for_library("draw")
    return result


def view_of(
    spec: SpecLike, *, params: Mapping[str, Any] | None = None, **style: Any
) -> tuple[CheckResult, View]:
    """Check a spec and lay out its diagram.

    ``style`` takes the drawing options of :func:`render_spec` (``rankdir``, ``blocks``,
    ``applications``, ``shapes``, ``shapes_on``, ``layout``, ``dpi``) and ``toggled``: units
    (blocks, nested models) drawn the other way than they are by default (the viewer's
    expand/collapse in place).
    """
    result = _checked(spec, params)
    options = _style_options(_settled(result, style))
    return result, build_view(result, options)


def _settled(result: CheckResult, style: Mapping[str, Any]) -> dict[str, Any]:
    """``style`` with ``blocks="auto"`` (or no ``blocks``) settled: ``collapse`` when the
    expanded drawing would have more than :data:`AUTO_COLLAPSE_BOXES` boxes, else ``expand``."""
    from graphspec.plugins.nested.flatten import flatten_models

    out = dict(style)
    if out.get("blocks", "auto") != "auto":
        return out
    _choose("blocks", "auto", BLOCK_MODES)
    expanded = _style_options({**out, "blocks": "expand", "toggled": frozenset()})
    flat = flatten_models(result).graph
    big = drawn_boxes(flat, hidden_units(flat, expanded)) > AUTO_COLLAPSE_BOXES
    out["blocks"] = "collapse" if big and flat.instances else "expand"
    return out


def bounded_view(
    spec: SpecLike,
    *,
    max_boxes: int = MAX_DRAWN_NODES,
    params: Mapping[str, Any] | None = None,
    **style: Any,
) -> tuple[CheckResult, View, Bound]:
    """:func:`view_of`, bounded: at most ``max_boxes`` boxes (0 or less: no bound).

    A drawing over the bound is laid out with every block and nested model collapsed instead
    (:attr:`Bound.collapsed` says so); when that is still over the bound :class:`TooLarge` is
    raised. The decision is made from node counts before anything is laid out, so a spec of
    any size is answered in the time its check takes.

    >>> spec = "inputs: {x: {shape: [3]}}\\nnodes: {d: {type: Dense, units: 1}}"
    >>> result, view, bound = bounded_view(spec)
    >>> bound
    Bound(blocks='expand', boxes=2, expanded=2, collapsed=False)
    """
    from graphspec.plugins.nested.flatten import flatten_models

    _choose("blocks", style.get("blocks", "auto"), BLOCK_MODES)
    _style_options({**style, "blocks": "expand"})  # every option checked before any work
    result = _checked(spec, params)
    style = _settled(result, style)
    options = _style_options(style)
    flat = flatten_models(result).graph
    unfolded = dataclasses.replace(options, blocks="expand", toggled=frozenset())
    if options.blocks == "expand":
        unfolded = options  # the toggles are relative to it
    expanded = drawn_boxes(flat, hidden_units(flat, unfolded))
    asked = drawn_boxes(flat, hidden_units(flat, options)) if unfolded is not options else expanded
    if max_boxes <= 0 or asked <= max_boxes:
        _, view = view_of(result, **style)
        return result, view, Bound(options.blocks, len(view.boxes), expanded)
    folded_style = {**style, "blocks": "collapse", "applications": "collapse"}
    folded_style.pop("toggled", None)  # toggles were relative to the drawing asked for
    folded = drawn_boxes(flat, hidden_units(flat, _style_options(folded_style)))
    if folded > max_boxes:
        raise TooLarge(expanded, folded, max_boxes)
    _, view = view_of(result, **folded_style)
    return result, view, Bound("collapse", len(view.boxes), expanded, True)


def draw(view: View, fmt: str = "svg") -> bytes:
    """The bytes of a laid-out view in one output format."""
    return RENDERERS[format_for(None, fmt)].draw(view)


def render_spec(
    spec: SpecLike,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    params: Mapping[str, Any] | None = None,
    force: bool = False,
    mkdir: bool = False,
    policy: OutputPolicy | None = None,
    max_boxes: int = MAX_DRAWN_NODES,
    **style: Any,
) -> RenderResult:
    """Draw a spec (object, path, YAML text or a :class:`CheckResult`) and write it to ``path``.

    The format comes from ``format`` or the extension of ``path`` (``svg`` when neither).
    Drawing options (``style``): ``rankdir`` (``TB``, ``LR``, …), ``blocks`` (``expand`` or
    ``collapse``), ``shapes`` (False: none), ``shapes_on`` (``boxes``, ``edges`` or ``both``),
    ``layout`` (``auto`` folds encoder–decoder nets into a U, ``chain`` never does) and
    ``dpi`` (PNG resolution, default 144).
    An invalid spec is still drawn, its faulty nodes in red; look at :attr:`RenderResult.ok`.
    Raises :class:`SpecError` when the spec cannot be loaded at all (nothing is written),
    :class:`UsageError` for bad options, and :class:`GraphvizNotFoundError` when ``dot`` is
    needed but missing (the DOT source is then written beside ``path`` as ``.dot``).
    Files are written under the output policy (:mod:`graphspec.base.output`): never over the spec
    file, over an existing file graphspec did not write only with ``force``, into a missing
    folder only with ``mkdir`` (``policy``, when given, replaces ``force`` and ``mkdir``); a
    failed run never leaves a partial file.
    At most ``max_boxes`` boxes are drawn (see :func:`bounded_view`): above it blocks are drawn
    collapsed (:attr:`RenderResult.bound` says so), and :class:`TooLarge` is raised when that
    is not enough; ``max_boxes=0`` draws any size.
    """
    fmt = format_for(path, format)
    result, view, bound = bounded_view(spec, max_boxes=max_boxes, params=params, **style)
    policy = (policy or OutputPolicy(force=force, mkdir=mkdir)).with_inputs(*_spec_files(result))
    source = _dot.dot_source(view)
    chosen = RENDERERS[fmt]
    target = Path(path) if path is not None else None
    try:
        data = chosen.draw(view)
    except GraphvizNotFoundError as err:
        if target is None:
            raise GraphvizNotFoundError(
                f"{err}; get the DOT source with `graphspec.backends.diagram.to_dot(spec)`"
            ) from err
        dot_path = target.with_suffix(".dot")
        policy.write_text(dot_path, source)
        raise GraphvizNotFoundError(f"{err}; the DOT source was written to {dot_path}") from err
    if target is not None:
        policy.write_bytes(target, data)
    return RenderResult(fmt, data, source, list(result.diagnostics), target, result, bound)


def _spec_files(result: CheckResult) -> list[str]:
    """The files a checked spec was read from (never to be overwritten by a diagram)."""

    return result.files_read()


def render_svg(spec: SpecLike, **options: Any) -> str:
    """The SVG text of a spec's diagram (what notebooks show through ``repr_mimebundle``)."""
    return render_spec(spec, format="svg", **options).text


def to_dot(spec: SpecLike, *, params: Mapping[str, Any] | None = None, **style: Any) -> str:
    """The Graphviz DOT source of a spec's diagram (does not need the ``dot`` program)."""
    return _dot.dot_source(view_of(spec, params=params, **style)[1])


def to_mermaid(spec: SpecLike, *, params: Mapping[str, Any] | None = None, **style: Any) -> str:
    """The Mermaid flowchart text of a spec's diagram."""
    return _mermaid.mermaid_source(view_of(spec, params=params, **style)[1])


def repr_mimebundle(
    spec: SpecLike,
    include: Any = None,
    exclude: Any = None,
) -> dict[str, str]:
    """A notebook MIME bundle: SVG when ``dot`` is installed, else a Mermaid Markdown block.

    Meant for ``Spec._repr_mimebundle_(self, include=None, exclude=None)``.
    """
    del include, exclude
    _, view = view_of(spec)
    bundle = {"text/plain": f"<graphspec model {view.name!r}: {view.summary}>"}
    try:
        bundle["image/svg+xml"] = RENDERERS["svg"].draw(view).decode("utf-8")
    except GraphvizNotFoundError:
        bundle["text/markdown"] = "```mermaid\n" + _mermaid.mermaid_source(view) + "```\n"
    return bundle
