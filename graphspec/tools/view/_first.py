"""The first page load: the HTML with the first spec's diagram, header and data already in it.

A plain headless screenshot, a browser without JavaScript and a slow client see the diagram at
once; the script takes the embedded data instead of asking for it, and the live stream only
updates it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["MARKERS", "first_html", "script_json"]

MARKERS: Final = ("{{name}}", "{{file}}", "{{summary}}", "{{canvas}}", "{{first}}")
"""The places in ``static/index.html`` the server fills."""

_MARKER: Final = re.compile("|".join(map(re.escape, MARKERS)))
_NO_DIAGRAM: Final = '<p class="placeholder">{}</p>'
_SCRIPT_ESCAPES: Final = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left.

    >>> script_json({"name": "</script><b>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def first_html(template: str, page: Mapping[str, Any] | None, boot: Mapping[str, Any]) -> str:
    """``template`` with ``page`` (one spec's page data, or None) drawn in and ``boot`` (the
    listing, block mode, editor URL and the page) embedded for the script.

    >>> out = first_html("<h1>{{name}}</h1>{{canvas}}{{first}}", {"name": "<x>", "svg": None,
    ...                  "notice": None, "loaded": True, "file": "x.yaml", "summary": ""}, {})
    >>> out.split("<script")[0]
    '<h1>&lt;x&gt;</h1><p class="placeholder">There is no diagram: see the diagnostics.</p>'
    """
    if page is None:
        name, file, summary = "…", "", ""
        canvas = _NO_DIAGRAM.format("Loading…")
    else:
        name, file, summary = str(page["name"]), str(page["file"]), str(page["summary"])
        canvas = page["svg"] or _NO_DIAGRAM.format(html.escape(_no_svg(page)))
    first = f'<script type="application/json" id="first-page">{script_json(boot)}</script>'
    values = {
        "{{name}}": html.escape(name),
        "{{file}}": html.escape(file),
        "{{summary}}": html.escape(summary),
        "{{canvas}}": canvas,  # Graphviz's SVG: its text is escaped by Graphviz
        "{{first}}": first,
    }
    # One pass: a value is never searched for markers (a name may contain "{{canvas}}").
    return _MARKER.sub(lambda found: values[found.group(0)], template)


def _no_svg(page: Mapping[str, Any]) -> str:
    if not page.get("loaded", True):
        return "This spec cannot be read, so there is no diagram yet: see the diagnostics."
    return str(page.get("notice") or "There is no diagram: see the diagnostics.")
