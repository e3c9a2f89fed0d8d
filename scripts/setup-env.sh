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

# System packages for PDFs and the browser tests (hailong.pdf): Debian's Chromium (no
# browser is ever downloaded), fonts with every Vietnamese letter (Noto for the pages,
# DejaVu Sans for the charts: matplotlib measures their text with it), poppler's pdftotext /
# pdffonts / pdftoppm (tests, README preview). Optional: without them the HTML reports
# are still built and the PDF step says what to install. Checked with dpkg (instant when
# present); installed only as root; otherwise the exact command is printed.
PDF_PACKAGES=(chromium fonts-noto-core fonts-dejavu-core poppler-utils)
if command -v dpkg >/dev/null 2>&1; then
  need_pdf=()
  for pkg in "${PDF_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_pdf+=("$pkg")
  done
  if [ ${#need_pdf[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      echo "Installing system packages for PDFs: ${need_pdf[*]} (~1 min the first time)"
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pdf[@]}"; }; then
        echo "warning: could not install ${need_pdf[*]}; HTML reports still build, PDFs will not." >&2
      fi
    else
      echo "note: PDFs need system packages that are missing: ${need_pdf[*]}." >&2
      echo "      Install them with: sudo apt-get install ${need_pdf[*]}" >&2
      echo "      (HTML reports build without them; or use: hailong build --no-pdf)" >&2
    fi
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating $VENV with $("$PY" --version)"
  "$PY" -m venv "$VENV"
fi
echo "Installing pinned packages into $VENV (first time ~40 s)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.lock
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
# The project's kernel under its own name: JupyterLab (`make lab`) lists it as
# "Python (hailong)" and notebooks/explore/ asks for it. Idempotent.
"$VENV/bin/python" -m ipykernel install --sys-prefix --name hailong \
  --display-name "Python (hailong)" >/dev/null
