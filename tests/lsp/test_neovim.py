"""A real editor as the client: headless Neovim's built-in LSP client talking to `graphspec lsp`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lsp.conftest import BAD, GRAPHSPEC, ROOT

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(
    NVIM is None,
    reason="Neovim (`nvim`) is not installed; `make sysdeps-test` installs Debian's neovim",
)

CONFIG = ROOT / "editors" / "nvim" / "graphspec.lua"
"""The shipped Neovim set-up: the test runs it as a user would (`-u`)."""

PROBE = """
function GraphspecProbe()
  local got = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  local result = { waited = got, diagnostics = {} }
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      code = d.code, severity = d.severity, message = d.message,
    })
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = 13, character = 4 } }
  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}
  for _, res in pairs(hover) do
    if res.result then result.hover = res.result.contents.value end
  end
  local range = { start = { line = 0, character = 0 }, ["end"] = { line = 30, character = 0 } }
  local hints = vim.lsp.buf_request_sync(0, "textDocument/inlayHint",
    { textDocument = { uri = vim.uri_from_bufnr(0) }, range = range }, 10000) or {}
  result.hints = {}
  for _, res in pairs(hints) do
    for _, h in ipairs(res.result or {}) do
      table.insert(result.hints, { line = h.position.line, label = h.label })
    end
  end
  local ns = vim.api.nvim_create_namespace("graphspec_inlay")
  result.native_hints = vim.lsp.config ~= nil and vim.lsp.inlay_hint ~= nil
  if not result.native_hints then
    vim.wait(10000, function() return #vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, {}) > 0 end, 50)
  end
  result.drawn = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
    local text = mark[4].virt_text and mark[4].virt_text[1][1] or ""
    table.insert(result.drawn, { line = mark[2], text = text })
  end
  local f = io.open(vim.env.GRAPHSPEC_OUT, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end
"""


def test_neovim_gets_diagnostics_hover_and_hints(tmp_path: Path) -> None:
    spec = tmp_path / "seed_skip_original.yaml"
    spec.write_text(BAD.read_text())
    probe = tmp_path / "probe.lua"
    probe.write_text(PROBE)
    out = tmp_path / "result.json"
    env = {**os.environ, "GRAPHSPEC_OUT": str(out)}
    proc = subprocess.run(
        [
            str(NVIM),
            "--headless",
            "--clean",
            "-n",
            "--cmd",
            f"let g:graphspec_cmd = ['{GRAPHSPEC}', 'lsp']",
            "-u",
            str(CONFIG),
            str(spec),
            "-c",
            f"luafile {probe}",
            "-c",
            "lua GraphspecProbe()",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert out.exists(), proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["waited"], "no diagnostics arrived in Neovim"
    (diag,) = result["diagnostics"]
    assert diag["code"] == "E501" and diag["severity"] == 1
    assert (diag["lnum"], diag["col"], diag["end_lnum"], diag["end_col"]) == (11, 36, 11, 38)
    assert "Add needs inputs of the same shape" in diag["message"]
    assert "(None, 14, 14, 64)" in result["hover"]
    labels = {h["line"]: h["label"] for h in result["hints"]}
    assert labels[13].startswith("(None, 14, 14, 64)")
    if not result.get("native_hints"):  # Neovim < 0.11: the config draws them as virtual text
        drawn = {d["line"]: d["text"].strip() for d in result["drawn"]}
        assert drawn[13] == labels[13]
