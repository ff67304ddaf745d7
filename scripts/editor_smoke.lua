-- Driven by scripts/editor_smoke_test.sh: Neovim's own LSP client (0.7 and later) runs
-- `searchlight lsp` on the open spec, as an analyst's editor does, and records what the
-- editor received: the diagnostics, the diagnostics after an edit that fixes the spec,
-- and the hover text on the fixed name. Written as JSON to $SMOKE_OUT.
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "searchlight",
  cmd = { os.getenv("SEARCHLIGHT"), "lsp" },
  root_dir = vim.fn.getcwd(),
})
vim.lsp.buf_attach_client(buf, client)

local function diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { line = d.lnum, col = d.col, code = d.code, message = d.message })
  end
  return out
end

local report = {}
vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
report.before = diagnostics()

-- The edit that fixes the misspelt name, typed into the buffer.
local line, fixed
for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
  if text:find("muid_mn", 1, true) then
    line = i - 1
    fixed = text:gsub("muid_mn", "muid_min")
  end
end
vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { fixed })
vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
report.after = diagnostics()

local col = fixed:find("muid_min", 1, true)
local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = line, character = col },
}, 20000)
report.hover = ""
for _, r in pairs(responses or {}) do
  if r.result and r.result.contents then
    report.hover = r.result.contents.value or vim.inspect(r.result.contents)
  end
end

local file = io.open(os.getenv("SMOKE_OUT"), "w")
file:write(vim.fn.json_encode(report))
file:close()
vim.cmd("qa!")
