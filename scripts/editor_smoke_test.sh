#!/usr/bin/env bash
# The language server in a real editor: Neovim (Debian's, installed here when absent)
# opens a copy of the file-based reference search with a misspelt variable, through its
# own LSP client and `searchlight lsp`; the diagnostic must arrive with its code and
# suggestion, vanish when the buffer is edited to fix the name, and hover on the name
# must show its definition.   usage: editor_smoke_test.sh PATH/TO/searchlight
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
if ! command -v nvim > /dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq > /dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq neovim > /dev/null
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed -e "s#data/dark_photon/#$PWD/analyses/data/dark_photon/#g" \
    -e "s#cut: muid_min > 0.9#cut: muid_mn > 0.9#" \
    analyses/dark_photon_files.yaml > "$dir/spec.yaml"
grep -q "muid_mn" "$dir/spec.yaml"
(cd "$dir" && SEARCHLIGHT="$bin" SMOKE_OUT="$dir/report.json" \
  timeout 120 nvim --headless -n -i NONE -u NONE -c "luafile $OLDPWD/scripts/editor_smoke.lua" spec.yaml)
python3 - "$dir/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
# The misspelt use (an error with the suggestion) and, with it, the unused variable.
codes = sorted(d["code"] for d in r["before"])
assert codes == ["SL001", "SL003"], f"the editor got {r['before']}"
d = next(d for d in r["before"] if d["code"] == "SL001")
assert "muid_mn" in d["message"] and "did you mean `muid_min`?" in d["message"], d
assert r["after"] == [], f"the fix left diagnostics: {r['after']}"
assert "min(daughter(0, muonID), daughter(1, muonID))" in r["hover"], r["hover"]
print(f"editor smoke test: Neovim got {d['code']} at line {d['line'] + 1}, none after the fix, hover: {r['hover'].splitlines()[0]}")
PY
