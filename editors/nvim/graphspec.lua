-- graphspec's language server in Neovim: ONE server per Neovim session, attached to every YAML
-- buffer (`:e other.yaml`, `:e!`, `:b1` reuse it). Load it with `:luafile editors/nvim/graphspec.lua`
-- or copy it into your config; `vim.g.graphspec_cmd` overrides the command (default: graphspec lsp).
--
-- How, by Neovim version (`vim.g.graphspec_setup` forces one of the three, e.g. to test them):
--   "enable"       0.11+:     `vim.lsp.config` + `vim.lsp.enable` (one client per root folder, by
--                             `.git`) and native inlay hints.
--   "start"        0.8-0.10:  `vim.lsp.start`, reusing the running graphspec client for every buffer.
--   "start_client" 0.7:       `vim.lsp.start_client` once; the client id is kept and attached to
--                             each buffer (a new client only when that one has stopped).
-- Before 0.11 inlay hints are drawn as end-of-line virtual text.
local cmd = vim.g.graphspec_cmd or { "graphspec", "lsp" }
local setup = vim.g.graphspec_setup
  or (vim.lsp.config and vim.lsp.enable and "enable")
  or (vim.lsp.start and "start")
  or "start_client"

if setup == "enable" then
  vim.lsp.config("graphspec", { cmd = cmd, filetypes = { "yaml" }, root_markers = { ".git" } })
  vim.lsp.enable("graphspec")
  vim.lsp.inlay_hint.enable(true)
  return
end

local ns = vim.api.nvim_create_namespace("graphspec_inlay")
local root = vim.fn.getcwd() -- where the first YAML buffer was opened: one server for the session
local client_id = nil

local function show_hints(bufnr)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 } },
  }
  vim.lsp.buf_request(bufnr, "textDocument/inlayHint", params, function(err, result)
    if err or not vim.api.nvim_buf_is_valid(bufnr) then return end
    vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
    for _, hint in ipairs(result or {}) do
      vim.api.nvim_buf_set_extmark(bufnr, ns, hint.position.line, 0, {
        virt_text = { { "  " .. hint.label, "Comment" } },
        virt_text_pos = "eol",
      })
    end
  end)
end

local function running(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not client:is_stopped()
end

local function attach(bufnr)
  if setup == "start" then
    client_id = vim.lsp.start({ name = "graphspec", cmd = cmd, root_dir = root }, {
      bufnr = bufnr,
      reuse_client = function(client, config) return client.name == config.name and not client:is_stopped() end,
    })
    return
  end
  if not running(client_id) then
    client_id = vim.lsp.start_client({ name = "graphspec", cmd = cmd, root_dir = root })
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
end

vim.api.nvim_create_autocmd("FileType", {
  group = vim.api.nvim_create_augroup("graphspec", { clear = true }),
  pattern = "yaml",
  callback = function(args)
    attach(args.buf)
    -- hints follow the diagnostics: each publication means a fresh analysis (one handler per
    -- buffer, however often its FileType fires)
    vim.api.nvim_create_autocmd("DiagnosticChanged", {
      group = vim.api.nvim_create_augroup("graphspec_hints_" .. args.buf, { clear = true }),
      buffer = args.buf,
      callback = function() show_hints(args.buf) end,
    })
  end,
})
