#!/usr/bin/env bash
# Takes docs/images/lsp-neovim.png: Neovim in an xterm on a virtual X display (Xvfb),
# `searchlight lsp` attached, on a copy of the file-based reference search with a
# misspelt variable (its diagnostic shown) and the hover of the `chiProb` column open.
# Not part of CI (a documentation asset). Needs Debian's xvfb, xterm, imagemagick and
# neovim.   usage: editor_screenshot.sh PATH/TO/searchlight
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
# Beside the reference spec, so that its relative data paths hold as written.
spec=analyses/dark_photon_files_typo.yaml
sed -e "s#cut: muid_min > 0.9#cut: muid_mn > 0.9#" analyses/dark_photon_files.yaml > "$spec"
cat > "$dir/init.lua" <<LUA
vim.cmd("syntax on")
vim.cmd("highlight NormalFloat ctermbg=238 ctermfg=255")
vim.o.termguicolors = false
vim.o.number = true
vim.bo.filetype = "yaml"
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, vim.lsp.start_client({
  name = "searchlight", cmd = { "$bin", "lsp" }, root_dir = "$PWD",
}))
vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
vim.cmd("redraw")
for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
  local col = text:find("chiProb >", 1, true)
  if col then vim.api.nvim_win_set_cursor(0, { i, col + 1 }) end
end
vim.cmd("normal! zz")
vim.defer_fn(function() vim.lsp.buf.hover() end, 500)
LUA
Xvfb :99 -screen 0 1180x700x24 > /dev/null 2>&1 &
xvfb=$!
sleep 1
DISPLAY=:99 xterm -geometry 118x36+0+0 -fa "DejaVu Sans Mono" -fs 11 -bg "#1e1e1e" -fg "#d4d4d4" \
  -e nvim -n -i NONE -u NONE -c "luafile $dir/init.lua" "$spec" &
term=$!
sleep 12
DISPLAY=:99 import -window root -crop 1068x690+0+0 docs/images/lsp-neovim.png
kill $term $xvfb
rm -rf "$dir" "$spec"
echo "wrote docs/images/lsp-neovim.png"
