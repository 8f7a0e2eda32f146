"""The viewer's server without a browser: only named specs and assets, hosts, light imports."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from graphspec.tools.view import build_page
from tests.view.conftest import ROOT, Viewer

pytestmark = pytest.mark.timeout(60)


def _get(viewer: Viewer, path: str, host: str | None = None) -> tuple[int, bytes]:
    parts = urlsplit(viewer.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        # skip_host + an explicit header: the raw path goes out exactly as written (no clean-up).
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or parts.netloc)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2fpyproject.toml",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/view.js/../../pyproject.toml",
        "/assets/index.html",
        "/assets/vendor/svg-pan-zoom.min.js",
        "/static/view.js",
        "/specs/seed_skip.yaml",
        "/seed_skip.yaml",
        "/api/spec/5",
        "/blocks/tower.yaml",
        "/api/spec/-1",
        "/api/spec/..%2f..%2fetc%2fpasswd",
    ],
)
def test_only_the_page_its_assets_and_named_specs_are_served(viewer: Viewer, path: str) -> None:
    status, body = _get(viewer, path)
    assert status == 404, body[:200]
    assert b"root:" not in body and b"[project]" not in body


def test_the_page_and_its_assets(viewer: Viewer) -> None:
    for path in ("/", "/assets/view.js", "/assets/view.css", "/assets/svg-pan-zoom.min.js"):
        assert _get(viewer, path)[0] == 200, path
    status, body = _get(viewer, "/api/specs")
    assert status == 200
    listing = json.loads(body)["specs"]
    assert [s["name"] for s in listing] == [
        "seed_skip",
        "xss",
        "resnet_mini",
        "siamese",
        "transfer_mobilenet",
    ]


def test_a_foreign_host_header_is_refused(viewer: Viewer) -> None:
    assert _get(viewer, "/", host="attacker.example")[0] == 400
    assert _get(viewer, "/api/spec/0", host="attacker.example:80")[0] == 400
    assert _get(viewer, "/", host="localhost")[0] == 200


def test_block_units_toggle_on_request(viewer: Viewer) -> None:
    status, body = _get(viewer, "/api/spec/2?toggle=stage1")
    page = json.loads(body)
    blocks = [b for b in page["boxes"].values() if b["kind"] == "block"]
    assert status == 200 and [b["unit"] for b in blocks] == ["stage1"]
    assert blocks[0]["type"] == "block residual ×2"
    assert _get(viewer, "/api/spec/2?blocks=sideways")[0] == 400


def test_page_data_of_a_bad_spec(tmp_path: Path) -> None:
    bad = build_page(ROOT / "specs" / "bad" / "seed_skip_original.yaml")
    assert bad["loaded"] and not bad["ok"] and bad["svg"].startswith("<svg")
    # the fault is at `shortcut`, the layer that set the wrong width, not at the merge `add`
    assert any(d["code"] == "E501" and d["node"] == "shortcut" for d in bad["diagnostics"])
    assert bad["boxes"][bad["nodes"]["shortcut"]["box"]]["faulty"]
    assert not bad["boxes"][bad["nodes"]["add"]["box"]]["faulty"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("nodes: [unclosed\n")
    page = build_page(broken)
    assert not page["loaded"] and page["svg"] is None and page["diagnostics"]
    json.dumps(page, allow_nan=False)


def test_a_fault_in_a_block_marks_every_instance() -> None:
    page = build_page(ROOT / "tests" / "cascade" / "block_typo_repeat_four.yaml")
    (typo,) = [d for d in page["diagnostics"] if d["code"] == "E202"]
    assert typo["instances"] == [f"encoder.{i}" for i in range(4)]
    assert typo["nodes"] == [f"encoder.{i}.attn" for i in range(4)]
    assert all(page["boxes"][page["nodes"][n]["box"]]["faulty"] for n in typo["nodes"])


def test_set_overrides_reach_the_page() -> None:
    page = build_page(ROOT / "specs" / "seed_skip.yaml", params={"width": 16})
    assert page["nodes"]["conv1"]["shapes"] == ["(None, 28, 28, 16)"]
    assert page["nodes"]["conv1"]["file"].endswith("seed_skip.yaml")
    assert page["nodes"]["conv4"]["inputs"] == [{"name": "conv3", "port": 0}]
    assert page["nodes"]["conv4"]["consumers"] == ["add"]


def test_files_a_spec_refers_to_are_watched(tmp_path: Path) -> None:
    (tmp_path / "lib.yaml").write_text("nodes: {}\n")
    spec = tmp_path / "model.yaml"
    spec.write_text(
        "description: lib.yaml\ninputs: {x: {shape: [3]}}\nnodes: {d: {type: Dense, units: 1}}\n"
    )
    page = build_page(spec)
    assert sorted(Path(f).name for f in page["files"]) == ["lib.yaml", "model.yaml"]


def test_large_graphs_are_collapsed_then_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphspec.tools.view import _page

    resnet = ROOT / "specs" / "resnet_mini.yaml"
    monkeypatch.setattr(_page, "MAX_DRAWN_BOXES", 20)  # 60 boxes expanded, 10 collapsed
    page = build_page(resnet, toggled=frozenset({"stage1"}))
    assert page["blocks"] == "collapse" and page["toggled"] == [] and page["svg"]
    assert "blocks are shown collapsed" in page["notice"]
    assert sum(b["kind"] == "block" for b in page["boxes"].values()) == 5
    monkeypatch.setattr(_page, "MAX_DRAWN_BOXES", 5)
    page = build_page(resnet)
    assert page["svg"] is None and "no diagram" in page["notice"]
    assert build_page(resnet, max_boxes=0)["svg"]  # --max-nodes 0: no bound
    assert page["nodes"]["down2.conv_a"]["shapes"] == ["(None, 16, 16, 32)"]  # panels still work


def test_expression_nodes_have_panels(tmp_path: Path) -> None:
    spec = tmp_path / "expr.yaml"
    spec.write_text(
        "graphspec: 1.1\ninputs: {a: {shape: [4]}, b: {shape: [4]}}\n"
        'nodes: {diff: {expr: "a - b"}, out: {type: Dense, units: 2, inputs: [diff]}}\n'
    )
    page = build_page(spec)
    assert page["ok"], page["diagnostics"]
    diff = page["nodes"]["diff"]
    assert diff["type"] == "expression" and diff["expr"] == "a - b"
    assert [i["name"] for i in diff["inputs"]] == ["a", "b"]
    assert page["boxes"][diff["box"]]["kind"] == "expr"


def test_view_command_errors_are_clean(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run_cli("view", str(tmp_path / "nope.yaml"), "--no-browser")
    assert missing.status == 2 and "no such spec file" in missing.err
    (tmp_path / "model.yaml").write_text("nodes: {}\n")
    typo = run_cli("view", str(tmp_path / "model"), "--no-browser")
    assert typo.status == 2 and f"did you mean {tmp_path / 'model.yaml'}?" in typo.err
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_cli("view", str(empty), "--no-browser")
    assert nothing.status == 2 and "holds no spec files" in nothing.err
    limit = run_cli("view", "specs/seed_skip.yaml", "--no-browser", "--max-nodes", "-1")
    assert limit.status == 2 and "--max-nodes must be 0 (no limit) or more" in limit.err
    port = run_cli("view", "specs/seed_skip.yaml", "--no-browser", "--port", "70000")
    assert port.status == 2 and "--port must be between 0 and 65535" in port.err


class _NoServer:
    """Stands in for ``uvicorn.Server``: records the sockets instead of serving."""

    served: ClassVar[list[object]] = []

    def __init__(self, config: object) -> None:
        del config

    def run(self, sockets: list[object]) -> None:
        self.served.append(sockets)


def test_folders_are_walked_for_specs() -> None:
    from graphspec.tools.view._server import spec_paths

    found = spec_paths([ROOT / "specs", ROOT / "specs" / "seed_skip.yaml"])
    names = [p.name for p in found]
    assert "seed_skip.yaml" in names and "seed_skip_original.yaml" in names
    assert names.count("seed_skip.yaml") == 1


def test_a_non_loopback_host_warns(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from graphspec.tools.view import _server

    monkeypatch.setattr(_server.uvicorn, "Server", _NoServer)
    _server.serve([ROOT / "specs" / "seed_skip.yaml"], host="0.0.0.0", port=0, open_browser=False)
    assert _NoServer.served and "warning: serving on 0.0.0.0" in capsys.readouterr().err
    assert _server.is_loopback("::1") and not _server.is_loopback("192.168.1.2")


def test_the_page_never_turns_text_into_code() -> None:
    static = ROOT / "graphspec" / "tools" / "view" / "static"
    script = (static / "view.js").read_text()
    for sink in ("eval(", "Function(", "innerHTML =", "outerHTML", "insertAdjacentHTML",
                 "document.write", "setTimeout(\"", "javascript:"):  # fmt: skip
        assert sink not in script, sink
    assert "<script>" not in (static / "index.html").read_text()  # no inline script (CSP)
    vendored = (static / "vendor" / "svg-pan-zoom.min.js").read_text()
    assert "eval(" not in vendored and "new Function" not in vendored
    license_text = (static / "vendor" / "svg-pan-zoom.LICENSE").read_text()
    assert "Redistribution and use in source and binary forms" in license_text  # BSD-2


PROBE = """
import sys
from graphspec.cli.main import main
main({argv!r})
heavy = sorted(m for m in ("tensorflow", "keras", "starlette", "uvicorn", "watchfiles")
               if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "argv",
    [["render", "specs/seed_skip.yaml", "-o", "{out}"], ["validate", "specs/seed_skip.yaml"]],
    ids=["render", "validate"],
)
def test_render_and_validate_do_not_load_the_web_server(argv: list[str], tmp_path: Path) -> None:
    argv = [a.format(out=tmp_path / "x.svg") for a in argv]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert "HEAVY:\n" in proc.stdout, proc.stdout + proc.stderr


def test_the_web_server_never_imports_tensorflow() -> None:
    code = (
        "import sys\n"
        "from graphspec.tools.view._app import create_app\n"
        "from graphspec.tools.view._specs import SpecSet\n"
        "s = SpecSet([__import__('pathlib').Path('specs/resnet_mini.yaml')])\n"
        "create_app(s); s.entries[0].page()\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_first_page_load_holds_the_diagram(viewer: Viewer) -> None:
    """The HTML itself has the first spec's SVG, name and summary (no script needed)."""
    status, body = _get(viewer, "/")
    html = body.decode()
    assert status == 200 and "Loading…" not in html
    assert '<svg width="100%"' in html or "<svg " in html
    assert ">conv4</text>" in html and '<h1 id="name" title=' in html
    assert "98,474 parameters" in html  # seed_skip's summary, in the header
    third = _get(viewer, "/?spec=2")[1].decode()
    assert ">resnet_mini</h1>" in third and ">stem</text>" in third
    # The page data rides along as JSON the script reads; nothing in it can close the element.
    xss = _get(viewer, "/?spec=1")[1].decode()
    data = xss.split('<script type="application/json" id="first-page">')[1].split("</script>")[0]
    assert "<" not in data and json.loads(data)["page"]["name"] == "<script>alert(2)</script>"
    assert "<script>alert(2)</script>" not in xss


def test_editor_url_errors_are_clean(run_cli) -> None:  # type: ignore[no-untyped-def]
    bad = run_cli(
        "view", "specs/seed_skip.yaml", "--no-browser", "--editor-url", "javascript:x/{path}"
    )
    assert bad.status == 2 and "a javascript: URL cannot open an editor" in bad.err
    field = run_cli("view", "specs/seed_skip.yaml", "--no-browser", "--editor-url", "x://{file}")
    assert field.status == 2 and "unknown field {file}" in field.err
    nopath = run_cli("view", "specs/seed_skip.yaml", "--no-browser", "--editor-url", "x://a:{line}")
    assert nopath.status == 2 and "has no {path}" in nopath.err
