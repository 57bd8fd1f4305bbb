#!/usr/bin/env bash
# Installs newsarchive into ./.venv (pinned Python packages).
#   ./install.sh         runtime only
#   ./install.sh --dev   also the test tools and real Hexo (tests/hexo, from npm)
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  command -v npm >/dev/null || { echo "install.sh: npm is needed for the Hexo tests" >&2; exit 1; }
  (cd tests/hexo && npm ci --no-audit --no-fund --loglevel=error)
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
fi
# The project itself, editable: the `newsarchive` command in .venv/bin (any working directory).
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
