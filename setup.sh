#!/usr/bin/env bash
# Set up tfone on a fresh machine and run the main demo:
#   Graphviz's `dot` binary (apt-get / brew when available, otherwise instructions),
#   a virtualenv in .venv with tfone and all its extras, then `python tutorials/demo.py`.
# Usage: bash setup.sh [--no-demo]
set -euo pipefail
cd "$(dirname "$0")"

install_graphviz() {
    if command -v dot >/dev/null 2>&1; then
        return 0
    fi
    echo "== Graphviz's 'dot' binary is missing; installing it"
    local sudo=""
    if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    if command -v apt-get >/dev/null 2>&1; then
        $sudo apt-get update -qq && $sudo apt-get install -y -qq graphviz >/dev/null && return 0
    elif command -v brew >/dev/null 2>&1; then
        brew install graphviz && return 0
    elif command -v dnf >/dev/null 2>&1; then
        $sudo dnf install -y graphviz && return 0
    elif command -v conda >/dev/null 2>&1; then
        conda install -y -c conda-forge graphviz && return 0
    fi
    cat <<'MSG'
!! Could not install Graphviz automatically. tfone works without it, but pictures are then
!! written as .dot text only. Install it from https://graphviz.org/download/ :
!!   Debian/Ubuntu: sudo apt-get install graphviz     macOS: brew install graphviz
!!   Windows: winget install graphviz (then reopen the terminal)
MSG
}

install_graphviz

if [ ! -x .venv/bin/python ]; then
    echo "== Creating the virtualenv .venv"
    python3 -m venv .venv
fi
echo "== Installing tfone with its extras into .venv (pip install -e '.[all,test]')"
.venv/bin/python -m pip install -q -e ".[all,test]"

if [ "${1:-}" != "--no-demo" ]; then
    echo "== Running the main demo"
    .venv/bin/python tutorials/demo.py
fi
