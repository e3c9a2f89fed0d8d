#!/usr/bin/env bash
# Create or update the project's environment in .venv (idempotent).
# Called by `make env` (and so by `make report` / `make test`); safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "hailong needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1 || echo missing)." >&2
  echo "Install it (Debian: apt-get install python3) or run: make PYTHON=/path/to/python3.11" >&2
  exit 2
fi

# System packages (Debian/Ubuntu): venv support for the system Python.
need_apt=()
"$PY" -c 'import ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing system packages: ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "Missing system packages: ${need_apt[*]}. Install them (sudo apt-get install ${need_apt[*]}) and run make again." >&2
    exit 2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating $VENV with $("$PY" --version)"
  "$PY" -m venv "$VENV"
fi
echo "Installing pinned packages into $VENV (first time ~40 s)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.lock
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
