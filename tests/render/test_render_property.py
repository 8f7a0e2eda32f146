"""Property: any valid node names render to DOT that ``dot`` parses, one SVG node per graph node."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graphspec.api import check
from graphspec.backends.diagram import to_dot
from graphspec.errors import SpecError

NODE_GROUP = re.compile(r'<g id="node_n\d+" class="node[^"]*">')
SPECIALS = "\"\\<>&:{}[]|#;'`$%\n\t →·"

_names = st.text(
    st.one_of(
        st.sampled_from(SPECIALS),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: s == s.strip() and "/" not in s and "->" not in s)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    names=st.lists(_names, min_size=2, max_size=5, unique=True),
    value=st.text(max_size=30),
    blocks=st.booleans(),
)
def test_any_names_render(names: list[str], value: str, blocks: bool) -> None:
    source, *layers = names
    nodes: dict[str, dict[str, object]] = {}
    previous = source
    for i, name in enumerate(layers):
        node: dict[str, object] = {"type": "Dense", "units": 2, "inputs": [previous]}
        if i == 0:
            node["activation"] = value  # usually invalid: drawn red with a note
        nodes[name] = node
        previous = name
    if len(layers) > 1:
        nodes[layers[-1]]["inputs"] = [layers[-2], source]  # a skip edge (an invalid Dense)
    spec = {"name": value or "m", "inputs": {source: {"shape": [3]}}, "nodes": nodes}
    try:
        result = check(json.dumps(spec, indent=1))
    except SpecError:
        assume(False)
        return
    assume(not any(d.code == "E105" for d in result.diagnostics))
    dot = to_dot(result, blocks="collapse" if blocks else "expand")
    proc = subprocess.run(
        ["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, timeout=30, check=False
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "rror" not in err, err
    svg = proc.stdout.decode("utf-8")
    ET.fromstring(svg)
    assert len(NODE_GROUP.findall(svg)) == len(result.graph.nodes)
