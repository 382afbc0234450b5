# shellcheck shell=bash
# Shared by scripts/test and scripts/try (sourced, not run). Run from the repo root.

VENV=.venv

step() { printf '\n==> %s\n' "$*"; }

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Root commands run directly as root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The first python3 that is 3.11 or newer ($PYTHON wins when set).
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Debian/Ubuntu's python3 lacks venv support (ensurepip) until python3-venv is installed.
ensure_venv_support() {
    local python
    python="$(find_python)" || true
    if [ -n "$python" ] && "$python" -c 'import ensurepip' >/dev/null 2>&1; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || return 0
    step "installing Python's venv support (apt-get install python3 python3-venv)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends python3 python3-venv
}

# Create .venv with a Python >= 3.11 when it is missing.
ensure_venv() {
    local python
    [ -x "$VENV/bin/python" ] && return 0
    ensure_venv_support
    python="$(find_python)" || die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3)"
    step "creating $VENV with $python"
    "$python" -m venv "$VENV" \
        || die "could not create $VENV (on Debian/Ubuntu: apt-get install python3-venv)"
}

# pip install -e '.[EXTRAS]' unless that exact install was done already: the stamp
# holds a hash of pyproject.toml and the extras, so a changed dependency list reinstalls.
install_project() {
    local extras="$1" stamp want
    stamp="$VENV/.pymailgui-install-stamp"
    want="$({ cat pyproject.toml; echo "extras=$extras"; } | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        step "$VENV is up to date with pyproject.toml ([$extras])"
        return 0
    fi
    step "installing PyMailGUI into $VENV: pip install -e '.[$extras]'"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[$extras]"
    printf '%s\n' "$want" >"$stamp"
}

# True when the project is installed in the venv (with whatever extras).
project_installed() {
    "$VENV/bin/python" -c 'import importlib.metadata as m; m.distribution("pymailgui")' \
        >/dev/null 2>&1
}
