-- graphspec's language server in Neovim. Neovim 0.11+: `vim.lsp.config` + `vim.lsp.enable` and native
-- inlay hints. Neovim 0.7-0.10: `vim.lsp.start_client`, with inlay hints drawn as end-of-line virtual
-- text (native inlay hints arrived in 0.10). Load it with `:luafile editors/nvim/graphspec.lua` or
-- copy it into your config; `vim.g.graphspec_cmd` overrides the command (default: graphspec lsp).
local cmd = vim.g.graphspec_cmd or { "graphspec", "lsp" }

if vim.lsp.config and vim.lsp.enable then
  vim.lsp.config("graphspec", { cmd = cmd, filetypes = { "yaml" }, root_markers = { ".git" } })
  vim.lsp.enable("graphspec")
  vim.lsp.inlay_hint.enable(true)
  return
end

local ns = vim.api.nvim_create_namespace("graphspec_inlay")

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

vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local id = vim.lsp.start_client({ name = "graphspec", cmd = cmd, root_dir = vim.fn.getcwd() })
    vim.lsp.buf_attach_client(args.buf, id)
    -- hints follow the diagnostics: each publication means a fresh analysis
    vim.api.nvim_create_autocmd("DiagnosticChanged", { buffer = args.buf, callback = function() show_hints(args.buf) end })
  end,
})
