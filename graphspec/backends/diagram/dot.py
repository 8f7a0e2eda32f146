"""Graphviz back end: the DOT source of a view, and SVG/PNG/PDF made by running ``dot``."""

from __future__ import annotations

import subprocess
import textwrap
from collections import Counter
from typing import Final, cast

import graphviz

from graphspec.backends.diagram._layout import plan
from graphspec.backends.diagram._style import (
    DIFF,
    EDGE,
    FAULT,
    FONT,
    INPUT,
    PORT,
    SHARE,
    SKIP,
    WARN,
)
from graphspec.backends.diagram.boxes import Box, Cluster, Edge, View
from graphspec.backends.diagram.labels import clean, escape_html
from graphspec.backends.diagram.renderers import renderer
from graphspec.errors import GraphSpecError, GraphvizNotFoundError

__all__ = ["CLUSTER_ID_PREFIX", "DOT_MISSING", "NODE_ID_PREFIX", "dot_source", "run_dot"]

NODE_ID_PREFIX: Final = "node_"
"""SVG ids of the graph's boxes are this prefix plus the box id (notes and legend differ)."""

CLUSTER_ID_PREFIX: Final = "clust_"
"""SVG ids of block frames are this prefix plus the cluster id."""

DOT_MISSING: Final = (
    "the Graphviz `dot` program was not found; install it with `sudo apt-get install graphviz` "
    "(Debian/Ubuntu) or `brew install graphviz`"
)

_NOTE_WIDTH: Final = 48
_MAX_NOTE_DIAGNOSTICS: Final = 3
_MAX_TITLE_NOTES: Final = 4
_LEGEND_ROW: Final = 7
_LINE: Final = 44
_CLUSTER_FILLS: Final = ("#f8f8f8", "#f0f0f0", "#e8e8e8")
_REPEAT_FILL: Final = "#fcfaf5"
_CHANGE_TEXT: Final = {"added": "#1e6b29", "removed": "#888888"}
"""Colours of a diff diagram's lines in a box (darker than the borders; amber otherwise)."""


def dot_source(view: View, *, dpi: int | None = None) -> str:
    """The DOT text of a view; ``dpi`` is set only for bitmap output (SVG sizes are points)."""
    g = graphviz.Digraph(
        "graphspec",
        graph_attr={
            "rankdir": view.options.rankdir,
            "fontname": FONT,
            "fontsize": "11",
            "nodesep": "0.3",
            "ranksep": "0.35" if view.options.title else "0.22",  # the viewer: compact
            "splines": "spline",
            "newrank": "true",
            "labelloc": "t",
            "label": _title(view),
            "bgcolor": "white",
            "pad": "0.25",
            "tooltip": _tip(view.name),
            **({"dpi": str(dpi)} if dpi else {}),
        },
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fontname": FONT,
            "fontsize": "10",
            "margin": "0.1,0.04",
            "penwidth": "1.2",
        },
        edge_attr={
            "fontname": FONT,
            "fontsize": "8",
            "color": EDGE,
            "fontcolor": EDGE,
            "arrowsize": "0.7",
            "penwidth": "1.1",
        },
    )
    layout = plan(view, view.options.layout)
    spine = set(layout.spine)
    _fill(g, view, None, spine)
    # Real labels (not xlabels): they cost some height but never sit on a box or an edge.
    pairs = Counter((edge.src, edge.dst) for edge in view.edges)
    for edge in view.edges:
        # Parallel edges end at one point: their port names go in their own (placed) labels.
        attrs = _edge_attrs(edge, inline_port=pairs[edge.src, edge.dst] > 1)
        if (edge.src, edge.dst) in layout.across:
            attrs["constraint"] = "false"  # a skip edge across the U, between equal ranks
        if (edge.src, edge.dst) in layout.reversed:
            # The decoder side of a U is drawn bottom-up: the same arrow, laid out reversed.
            g.edge(edge.dst, edge.src, dir="back", **_swap_ends(attrs))
        else:
            g.edge(edge.src, edge.dst, **attrs)
    for a, b in layout.same_rank:
        with g.subgraph() as same:
            same.attr(rank="same")
            same.node(a)
            same.node(b)
            # A flat edge sets the order within a rank: the encoder stays on the left whatever
            # is collapsed (without it Graphviz may mirror the U when a block is toggled).
            same.edge(a, b, style="invis")
    for share in view.shares:
        g.edge(
            share.a,
            share.b,
            label=f'<<FONT POINT-SIZE="8" COLOR="{SHARE}">shares weights</FONT>>',
            dir="none",
            style="dotted",
            color=SHARE,
            penwidth="1.6",
            constraint="false",
        )
    return cast(str, g.source)  # graphviz is untyped


def _tip(text: str) -> str:
    """A tooltip: cleaned text (line breaks kept), backslashes and quotes made literal."""
    return cast(str, graphviz.escape(clean(text).replace("↵", "\n")))  # graphviz is untyped


def _fill(g: graphviz.Digraph, view: View, cluster: str | None, spine: set[str]) -> None:
    """Add the boxes and sub-clusters directly inside ``cluster`` to ``g``."""
    for box in view.members(cluster):
        attrs = _box_attrs(box)
        if box.id in spine:
            attrs["group"] = "spine"  # the main path drawn as one straight column
        g.node(box.id, **attrs)
        _notes(g, box)
    for cid in view.children(cluster):
        sub = graphviz.Digraph(f"cluster_{cid}", graph_attr=_cluster_attrs(view.clusters[cid]))
        _fill(sub, view, cid, spine)
        g.subgraph(sub)


def _swap_ends(attrs: dict[str, str]) -> dict[str, str]:
    """Edge attributes for an edge written the other way round (head and tail swapped)."""
    swap = {"headlabel": "taillabel", "taillabel": "headlabel", "arrowhead": "arrowtail"}
    return {swap.get(k, k): v for k, v in attrs.items()}


def _cluster_attrs(cluster: Cluster) -> dict[str, str]:
    fill = _REPEAT_FILL if cluster.repeat else _CLUSTER_FILLS[cluster.depth % len(_CLUSTER_FILLS)]
    return {
        "label": f"<<B>{escape_html(cluster.label, 60)}</B>>",
        "labeljust": "l",
        "fontsize": "10",
        "fontcolor": "#8a7653" if cluster.repeat else "#444444",
        "style": "rounded,filled" + (",dashed" if cluster.repeat else ""),
        "color": "#8a7653" if cluster.repeat else "#aaaaaa",
        "fillcolor": fill,
        "penwidth": "1.2",
        "margin": "10",
        "tooltip": _tip(cluster.label),
        "id": CLUSTER_ID_PREFIX + cluster.id,
        "class": "gscluster",
    }


def _box_attrs(box: Box) -> dict[str, str]:
    attrs = {
        "label": _box_label(box),
        "id": NODE_ID_PREFIX + box.id,
        "class": f"gsbox gs_{box.kind}"
        + (f" gs_{box.mark}" if box.mark else "")
        + (" gs_fault" if box.faulty else ""),
        "tooltip": _tip(box.tooltip),
        "fillcolor": box.family.fill,
        "color": box.family.border,
    }
    if box.kind == "input":
        attrs |= {"fillcolor": INPUT.fill, "color": INPUT.border, "penwidth": "2"}
        attrs["style"] = "filled"
    elif box.kind == "block":
        attrs["style"] = "rounded,filled,bold"
    elif box.kind == "expr":
        attrs |= {"label": _expr_label(box), "margin": "0.06,0.02", "penwidth": "0.9"}
    elif box.kind == "weight":
        attrs |= {"shape": "cylinder", "margin": "0.12,0.06"}
    if box.is_output:
        attrs["peripheries"] = "2"
    if box.mark is not None:
        attrs |= _mark_attrs(box)
    if box.faulty:
        attrs |= {"fillcolor": FAULT.fill, "color": FAULT.border, "penwidth": "2.2"}
    return attrs


def _mark_attrs(box: Box) -> dict[str, str]:
    """How a diff diagram draws a marked box (see :data:`DIFF`)."""
    look = DIFF[box.mark or "changed"]
    attrs = {"color": look.border, "penwidth": "2.4"}
    if box.mark == "shape":
        attrs["style"] = "rounded,filled,dashed"
    elif box.mark == "removed":
        attrs |= {"fillcolor": look.fill, "style": "rounded,filled,dashed", "fontcolor": "#888888"}
        attrs["penwidth"] = "1.4"
    else:
        attrs["fillcolor"] = look.fill
    return attrs


def _box_label(box: Box) -> str:
    rows = [f"<B>{escape_html(box.label)}</B>"]
    kind = f"<I>{escape_html(box.type)}</I>"
    args = list(box.args)
    used = len(box.type)
    while args and used + 3 + len(args[0]) <= _LINE:
        used += 3 + len(args[0])
        kind += " · " + escape_html(args.pop(0))
    rows.append(f'<FONT POINT-SIZE="9">{kind}</FONT>')
    for line in _join(args):
        rows.append(f'<FONT POINT-SIZE="9">{escape_html(line)}</FONT>')
    stats = [s for s in (box.shape, box.params) if s]
    if stats:
        text = " · ".join(escape_html(s, 48) for s in stats)
        rows.append(f'<FONT POINT-SIZE="9" COLOR="#444444">{text}</FONT>')
    rows += _change_rows(box)
    if box.outputs:
        names = ", ".join(box.outputs)
        rows.append(f'<FONT POINT-SIZE="9" COLOR="#444444">→ output {escape_html(names)}</FONT>')
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _change_rows(box: Box) -> list[str]:
    """A diff diagram's ``old → new`` lines, in the colour of the box's mark."""
    if not box.changes:
        return []
    colour = _CHANGE_TEXT.get(box.mark or "changed", "#8a5300")
    return [
        f'<FONT POINT-SIZE="9" COLOR="{colour}"><B>{escape_html(line, 60)}</B></FONT>'
        for line in box.changes
    ]


def _expr_label(box: Box) -> str:
    """A small label: the node's name, then its expression in a monospaced font."""
    rows = [f'<FONT POINT-SIZE="8"><B>{escape_html(box.label)}</B></FONT>']
    for line in textwrap.wrap(" ".join(box.args), _LINE, break_long_words=True) or [""]:
        rows.append(f'<FONT FACE="monospace" POINT-SIZE="9">{escape_html(line, None)}</FONT>')
    if box.shape:
        rows.append(f'<FONT POINT-SIZE="8" COLOR="#444444">{escape_html(box.shape, 48)}</FONT>')
    rows += _change_rows(box)
    if box.outputs:
        names = ", ".join(box.outputs)
        rows.append(f'<FONT POINT-SIZE="8" COLOR="#444444">→ output {escape_html(names)}</FONT>')
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}</TABLE>>'


def _join(parts: list[str], width: int = _LINE) -> list[str]:
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def _edge_attrs(edge: Edge, *, inline_port: bool = False) -> dict[str, str]:
    """Colour, style and labels of an edge; ``inline_port``: its port name in its own label."""
    colour = FAULT.border if edge.fault else SKIP if edge.skip else EDGE
    attrs: dict[str, str] = {}
    parts = [f'<FONT COLOR="{colour}">{escape_html(edge.label)}</FONT>'] if edge.label else []
    if edge.port and inline_port:
        parts.append(f'<FONT COLOR="{PORT}">→ <B>{escape_html(edge.port)}</B></FONT>')
    if parts:
        attrs["label"] = f'<<FONT POINT-SIZE="8">{" ".join(parts)}</FONT>>'
    if edge.port and not inline_port:
        # Where an input enters an order-sensitive layer: query/value/key, + and −, 1, 2, …
        attrs |= {
            "headlabel": f'<<FONT POINT-SIZE="8" COLOR="{PORT}"><B>{escape_html(edge.port)}</B></FONT>>',
            "labeldistance": "1.6",
            "labelangle": "-40",
        }
    if edge.ghost:
        attrs |= {"style": "dashed", "color": DIFF["removed"].border, "arrowhead": "empty"}
    if edge.skip:
        attrs |= {"style": "dashed", "color": colour, "penwidth": "1.5"}
    if edge.fault:
        attrs |= {"color": colour, "penwidth": "1.8"}
    return attrs


def _notes(g: graphviz.Digraph, box: Box) -> None:
    """A note box beside a box with errors or warnings, linked by a dashed line."""
    found = box.errors or box.warnings
    if not found:
        return
    style = FAULT if box.errors else WARN
    rows: list[str] = []
    for diag in found[:_MAX_NOTE_DIAGNOSTICS]:
        rows.append(f"<B>{diag.severity.value} {escape_html(diag.code, 12)}</B>")
        rows += [escape_html(line, None) for line in _wrap(diag.message)]
        if diag.hint:
            rows += [f"<I>{escape_html(line, None)}</I>" for line in _wrap("hint: " + diag.hint)]
    more = len(found) - _MAX_NOTE_DIAGNOSTICS
    if more > 0:
        rows.append(f"(and {more} more)")
    note = f"note_{box.id}"
    g.node(
        note,
        label="<" + '<BR ALIGN="LEFT"/>'.join(rows) + '<BR ALIGN="LEFT"/>>',
        id=f"note_{box.id}",
        shape="note",
        style="filled",
        fillcolor=style.fill,
        color=style.border,
        fontcolor="#7f1d12" if box.errors else "#6b4a00",
        fontsize="9",
        margin="0.12,0.06",
        tooltip=_tip("\n".join(d.format() for d in found)),
        **{"class": "gsnote"},
    )
    g.edge(box.id, note, style="dashed", dir="none", color=style.border, weight="3")
    with g.subgraph() as same:
        same.attr(rank="same")
        same.node(box.id)
        same.node(note)


def _wrap(text: str) -> list[str]:
    lines = textwrap.wrap(text, _NOTE_WIDTH, break_long_words=True) or [""]
    if len(lines) > 8:
        lines = [*lines[:7], lines[7][: _NOTE_WIDTH - 1] + "…"]
    return lines


def _title(view: View) -> str:
    """The graph label: model name, parameter total and compile mode, errors, then the legend."""
    if not view.options.title:
        return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD>{_legend(view)}</TD></TR></TABLE>>'
    rows = [f'<FONT POINT-SIZE="15"><B>{escape_html(view.name, 60)}</B></FONT>']
    rows += [
        f'<FONT POINT-SIZE="10" COLOR="#444444">{escape_html(line, 110)}</FONT>'
        for line in view.summary.split(" · ", 1)
    ]
    for diag in view.notes[:_MAX_TITLE_NOTES]:
        text = escape_html(f"{diag.severity.value}[{diag.code}]: {diag.message}", 110)
        rows.append(f'<FONT POINT-SIZE="9" COLOR="{FAULT.border}">{text}</FONT>')
    more = len(view.notes) - _MAX_TITLE_NOTES
    if more > 0:
        rows.append(f'<FONT POINT-SIZE="9" COLOR="{FAULT.border}">(and {more} more errors)</FONT>')
    rows.append(_legend(view))
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{cells}</TABLE>>'


def _legend(view: View) -> str:
    """A compact strip of legend entries (only what the diagram uses), wrapped into rows."""
    items: list[str] = []

    def swatch(fill: str, border: str, text: str, extra: str = "") -> None:
        items.append(
            f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="16" HEIGHT="10" {extra}>'
            f'</TD><TD ALIGN="LEFT">{text}</TD>'
        )

    def symbol(glyph: str, colour: str, text: str) -> None:
        items.append(f'<TD><FONT COLOR="{colour}">{glyph}</FONT></TD><TD ALIGN="LEFT">{text}</TD>')

    if any(b.kind == "input" for b in view.boxes.values()):
        swatch(INPUT.fill, INPUT.border, "input")
    for family in view.families:
        swatch(family.fill, family.border, escape_html(family.label))
    if any(b.is_output for b in view.boxes.values()):
        symbol("▣", "#333333", "output")
    if any(e.skip for e in view.edges):
        symbol("╌╌▶", SKIP, "skip / shortcut")
    if view.shares:
        symbol("┈┈", SHARE, "shares weights")
    for mark, look in DIFF.items():
        if any(b.mark == mark for b in view.boxes.values()):
            swatch(look.fill, look.border, escape_html(look.label))
    if any(b.faulty for b in view.boxes.values()) or view.notes:
        swatch(FAULT.fill, FAULT.border, "error")
    per_row = -(-len(items) // -(-len(items) // _LEGEND_ROW)) if items else 1  # balanced rows
    rows = [items[i : i + per_row] for i in range(0, len(items), per_row)]
    body = "".join("<TR>" + "".join(row) + "</TR>" for row in rows)
    return (
        '<FONT POINT-SIZE="9" COLOR="#333333"><TABLE BORDER="0" CELLSPACING="2" '
        f'CELLPADDING="1">{body}</TABLE></FONT>'
    )


@renderer("dot")
def _render_dot(view: View) -> bytes:
    return dot_source(view).encode("utf-8")


def run_dot(source: str, fmt: str) -> bytes:
    """Run Graphviz ``dot`` on DOT text; :class:`GraphvizNotFoundError` when it is missing."""
    try:
        return cast(bytes, graphviz.Source(source).pipe(format=fmt))  # graphviz is untyped
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFoundError(DOT_MISSING) from err
    except (graphviz.CalledProcessError, subprocess.CalledProcessError) as err:
        detail = err.stderr.decode("utf-8", "replace") if isinstance(err.stderr, bytes) else ""
        raise GraphSpecError(f"Graphviz `dot` failed: {detail.strip() or err}") from err


def _via_dot(fmt: str, *, bitmap: bool) -> None:
    @renderer(fmt, needs_dot=True)
    def _render(view: View) -> bytes:
        return run_dot(dot_source(view, dpi=view.options.dpi if bitmap else None), fmt)


for _fmt, _bitmap in (("svg", False), ("png", True), ("pdf", False)):
    _via_dot(_fmt, bitmap=_bitmap)
