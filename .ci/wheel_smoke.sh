#!/usr/bin/env bash
# CI: build the wheel and sdist, install the wheel with its app extra into a fresh venv outside
# the checkout, and check that the installed package works on its own: `growthzones demo`,
# `python -m growthzones`, `growthzones app` served (health endpoint, page, and the ranking via
# AppTest on the installed app), and the quickstart notebook.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
app_pid=""
stop_app() {
  # `growthzones app` runs Streamlit as a child: stop the whole process group.
  if [ -n "$app_pid" ]; then kill -- "-$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
  app_pid=""
}
cleanup() {
  stop_app
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build wheel and sdist"
"$PYTHON" -m venv "$work/build-env"
"$work/build-env/bin/python" -m pip install --quiet --upgrade pip build
"$work/build-env/bin/python" -m build --outdir "$work/dist" "$repo" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
ls "$work/dist"
whl="$(ls "$work"/dist/growthzones-*.whl)"
ls "$work"/dist/growthzones-*.tar.gz >/dev/null

echo "== install $(basename "$whl")[app] into a fresh venv"
"$PYTHON" -m venv "$work/venv"
bin="$work/venv/bin"
"$bin/python" -m pip install --quiet --upgrade pip
"$bin/python" -m pip install --quiet "$whl[app]" nbclient nbformat ipykernel
cd "$work"  # outside the checkout: nothing may come from the source tree
"$bin/python" - <<'PY'
import growthzones, sys
assert "site-packages" in growthzones.__file__, growthzones.__file__
print("growthzones", growthzones.__version__, "from", growthzones.__file__)
PY

echo "== growthzones demo"
"$bin/growthzones" demo --out-dir "$work/out"
test -s "$work/out/shortlist.csv"
echo "== python -m growthzones --help"
"$bin/python" -m growthzones --help | head -3

echo "== growthzones app (served)"
port="$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
setsid "$bin/growthzones" app --no-browser --port "$port" >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 90); do
  if curl -fsS "http://localhost:$port/_stcore/health" 2>/dev/null | grep -q ok; then break; fi
  sleep 1
done
curl -fsS "http://localhost:$port/_stcore/health"; echo " (health)"
code="$(curl -s -o "$work/page.html" -w '%{http_code}' "http://localhost:$port/")"
echo "GET http://localhost:$port/ -> HTTP $code"
[ "$code" = 200 ] || { cat "$work/app.log"; exit 1; }
grep -q "<title>" "$work/page.html"
stop_app
"$bin/python" - <<'PY'
# The page itself is drawn in the browser; AppTest runs the installed app's script and reads the ranking.
from pathlib import Path

import growthzones.app
from streamlit.testing.v1 import AppTest

at = AppTest.from_file(str(Path(growthzones.app.__file__).with_name("streamlit_app.py")), default_timeout=300)
at.run()
assert not at.exception, at.exception
table = at.dataframe[0].value
print(f"installed app ranking: {len(table)} rows; first: {table.iloc[0].to_dict()}")
assert len(table) > 0
PY

echo "== quickstart notebook"
cp "$repo/notebooks/01_quickstart.ipynb" "$work/"
"$bin/python" - <<'PY'
import nbformat
from nbclient import NotebookClient

nb = nbformat.read("01_quickstart.ipynb", as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3").execute()
print(f"quickstart notebook: {len(nb.cells)} cells executed")
PY
echo "wheel smoke test: OK"
