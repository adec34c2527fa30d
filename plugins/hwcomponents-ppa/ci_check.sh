#!/usr/bin/env bash
# CI check of the hwcomponents plug-in: a Python >= 3.12 venv (hwcomponents needs 3.12) with ppa, this plug-in
# and hwcomponents installed, then the plug-in's tests (hwcomponents finds each model; prices equal ppa's).
# The venv is kept in .venv/hwcomponents-py312 at the repository root (git-ignored) so reruns only re-check it.
# Usage: plugins/hwcomponents-ppa/ci_check.sh      exit 0 pass, 1 test failure, 3 no Python >= 3.12 found.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${HWC_VENV:-$ROOT/.venv/hwcomponents-py312}"

find_python() {
    local c
    for c in "${PYTHON312:-}" python3.12 python3.13 python3.14; do
        [ -n "$c" ] || continue
        if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$c"; return 0; fi
    done
    if command -v pyenv >/dev/null 2>&1; then          # pyenv shims answer only for a selected version
        for c in "$(pyenv root)"/versions/3.1[2-9]*/bin/python3; do
            [ -x "$c" ] && { echo "$c"; return 0; }
        done
    fi
    return 1
}

PY="$(find_python)" || { echo "ci_check: no Python >= 3.12 found (set PYTHON312)" >&2; exit 3; }
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT" -e "$HERE[test]" \
        >"$VENV/pip-install.log" 2>&1; then
    cat "$VENV/pip-install.log" >&2
    exit 1
fi
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$HERE/tests"
