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

# Shared libraries PySide6's wheel does not bundle: soname -> Debian package (Ubuntu's
# t64 renames provide the same names). From `readelf -d` of QtCore/QtGui/QtWidgets/
# QtDBus and the platform plugins.
# - offscreen (the tests, screenshots):
QT_OFFSCREEN_LIBS=(
    "libEGL.so.1 libegl1"
    "libGL.so.1 libgl1"
    "libX11.so.6 libx11-6"
    "libdbus-1.so.3 libdbus-1-3"
    "libfontconfig.so.1 libfontconfig1"
    "libfreetype.so.6 libfreetype6"
    "libglib-2.0.so.0 libglib2.0-0"
    "libxkbcommon.so.0 libxkbcommon0"
)
# - a desktop: the xcb (X11) and wayland plugins as well (libxcb-cursor0 is the one a
#   fresh desktop install most often lacks: Qt 6.5+ refuses to start without it).
QT_DESKTOP_LIBS=(
    "${QT_OFFSCREEN_LIBS[@]}"
    "libX11-xcb.so.1 libx11-xcb1"
    "libgthread-2.0.so.0 libglib2.0-0"
    "libwayland-client.so.0 libwayland-client0"
    "libwayland-cursor.so.0 libwayland-cursor0"
    "libxcb.so.1 libxcb1"
    "libxcb-cursor.so.0 libxcb-cursor0"
    "libxcb-icccm.so.4 libxcb-icccm4"
    "libxcb-image.so.0 libxcb-image0"
    "libxcb-keysyms.so.1 libxcb-keysyms1"
    "libxcb-randr.so.0 libxcb-randr0"
    "libxcb-render.so.0 libxcb-render0"
    "libxcb-render-util.so.0 libxcb-render-util0"
    "libxcb-shape.so.0 libxcb-shape0"
    "libxcb-shm.so.0 libxcb-shm0"
    "libxcb-sync.so.1 libxcb-sync1"
    "libxcb-util.so.1 libxcb-util1"
    "libxcb-xfixes.so.0 libxcb-xfixes0"
    "libxcb-xkb.so.1 libxcb-xkb1"
    "libxkbcommon-x11.so.0 libxkbcommon-x11-0"
)

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# The Debian packages (one a line) that provide the sonames of the given
# "soname package" entries not found by ldconfig. Outputs are captured before grep -q
# so that pipefail never sees a SIGPIPE'd writer as "missing".
missing_libraries() {
    local entry soname package libs
    libs="$("$(command -v ldconfig || echo /sbin/ldconfig)" -p 2>/dev/null || true)"
    for entry in "$@"; do
        read -r soname package <<<"$entry"
        grep -qF "$soname " <<<"$libs" || echo "$package"
    done | sort -u
}

missing_font() {
    [ -n "$(find /usr/share/fonts -name '*.ttf' -print -quit 2>/dev/null)" ] || echo fonts-dejavu-core
}

# Debian's python3 cannot create a venv (no ensurepip) without python3-venv.
missing_python() {
    local python
    [ -x "$VENV/bin/python" ] && return 0
    if python="$(find_python)"; then
        "$python" -c 'import ensurepip' >/dev/null 2>&1 || echo python3-venv
    else
        echo python3
        echo python3-venv
    fi
}

# apt-get install the given packages (none: nothing happens).
apt_install() {
    [ "$#" -gt 0 ] || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        step "WARNING: no apt-get to install $*"
        return 1
    fi
    step "installing system packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
