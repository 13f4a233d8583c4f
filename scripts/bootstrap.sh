#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install tradesim into it (with extras if given).
#   scripts/bootstrap.sh            # the package
#   scripts/bootstrap.sh dev        # the package and the test tools
# Idempotent: reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
venv=.venv

find_python() {
    # .python-version makes pyenv's shim pick 3.12 inside the checkout
    for cand in python3 python3.13 python3.12 "$HOME/.pyenv/versions/3.12"*/bin/python3 "$HOME/.pyenv/versions/3.13"*/bin/python3; do
        if command -v "$cand" >/dev/null 2>&1 || [ -x "$cand" ]; then
            if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
                echo "$cand"; return 0
            fi
        fi
    done
    return 1
}

if [ ! -x "$venv/bin/python" ]; then
    py=$(find_python) || { echo "error: tradesim needs Python >= 3.12 (Mesa 3.5 does); install it (pyenv install 3.12) and retry" >&2; exit 2; }
    echo "creating $venv with $("$py" --version)"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
fi

stamp="$venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    spec="."
    [ -n "$extras" ] && spec=".[$extras]"
    echo "installing tradesim${extras:+ with [$extras]} into $venv"
    PYTHONWARNINGS=ignore "$venv/bin/python" -m pip install --quiet -e "$spec" 2>&1 | grep -v -e "is ignored" -e "^ *$" || true
    "$venv/bin/python" -c "import sim" || { echo "error: installation failed" >&2; exit 2; }
    touch "$stamp"
fi
