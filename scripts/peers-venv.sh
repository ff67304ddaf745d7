#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment holding the peer tools that searchlight's
# reference values come from, at pinned versions, so that reference scripts give the same
# numbers on every machine.   usage: peers-venv.sh DIR   then: DIR/bin/python script.py
set -euo pipefail
dir=${1:?usage: peers-venv.sh DIR}
pins=(numpy==2.4.6 scipy==1.17.1 pyhf==0.7.6 iminuit==2.33.0 xgboost==3.2.0 lightgbm==4.7.0
      uproot==5.7.7 awkward==2.14.0 pyarrow==26.0.1 polars==2.1.0 correctionlib==2.9.0
      hepdata-validator)
if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c 'import pyhf, iminuit, xgboost, lightgbm, uproot, pyarrow, polars, correctionlib' 2>/dev/null; then
  exit 0
fi
python3 -m venv "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check "${pins[@]}"
"$dir/bin/python" -c 'import pyhf, iminuit, xgboost, lightgbm, uproot, pyarrow, polars; print("peers ready:", pyhf.__version__, iminuit.__version__, xgboost.__version__, lightgbm.__version__, uproot.__version__, polars.__version__)'
