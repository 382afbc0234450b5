"""``pymailgui --install-desktop``: the launcher entry and the icon, in the user's XDG dirs.

Installs ``pymailgui.desktop`` (with ``MimeType=x-scheme-handler/mailto``, so the
desktop offers PyMailGUI for mailto: links) into ``$XDG_DATA_HOME/applications`` and
the icon into ``$XDG_DATA_HOME/icons/hicolor/scalable/apps`` (XDG Base Directory and
Icon Theme specifications; ``~/.local/share`` when the variable is unset). The
``Exec`` lines name the program that is running now by its absolute path, so the entry
works for an install in a virtual environment that is not on the desktop's ``PATH``.
Making PyMailGUI the *default* mail program is the user's choice: the command is
printed, not run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

DESKTOP_ID = "pymailgui.desktop"
ICON_NAME = "pymailgui.svg"


def data_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"


def _resource(name: str) -> bytes:
    return resources.files("pymailgui.gui").joinpath("data", name).read_bytes()


def quote_exec(program: str) -> str:
    """``program`` as the first word of an ``Exec`` value (Desktop Entry spec, "The Exec
    key": reserved characters need double quotes, and inside them ``"`\\$`` a backslash;
    the value itself then escapes every backslash once more)."""
    if not any(c in program for c in " \t\n\"'\\><~|&;$*?#()`"):
        return program
    inner = "".join("\\" + c if c in '"`$\\' else c for c in program)
    return f'"{inner}"'.replace("\\", "\\\\")


def program_words() -> list[str]:
    """How to start this PyMailGUI: the running ``pymailgui`` by its absolute path, the
    one on ``PATH``, else this Python with ``-m pymailgui.gui``."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "pymailgui" and argv0.exists():
        return [str(argv0.resolve())]
    found = shutil.which("pymailgui")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "pymailgui.gui"]


def desktop_entry(program: list[str]) -> str:
    """The packaged entry with its ``Exec``/``TryExec`` naming ``program``."""
    text = _resource(DESKTOP_ID).decode("utf-8")
    command = " ".join(quote_exec(word) for word in program)
    lines = []
    for line in text.splitlines():
        if line.startswith("Exec=pymailgui"):
            line = "Exec=" + command + line[len("Exec=pymailgui") :]
        elif line.startswith("TryExec="):
            line = "TryExec=" + program[0].replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(base: Path | None = None, program: list[str] | None = None) -> list[Path]:
    """Write the entry and the icon under ``base`` (default: the XDG data home)."""
    base = base or data_home()
    entry = base / "applications" / DESKTOP_ID
    icon = base / "icons" / "hicolor" / "scalable" / "apps" / ICON_NAME
    for path, data in (
        (entry, desktop_entry(program or program_words()).encode("utf-8")),
        (icon, _resource(ICON_NAME)),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    # Menus and the mailto: choice read a cache where the desktop keeps one.
    tool = shutil.which("update-desktop-database")
    if tool is not None:
        subprocess.run([tool, str(entry.parent)], check=False, capture_output=True)
    return [entry, icon]


def main() -> int:
    try:
        written = install()
    except OSError as exc:
        print(f"pymailgui: could not install the desktop entry: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"installed {path}")
    print(
        "PyMailGUI is now in the applications menu and offered for mailto: links. To make it "
        "the default mail program, run:\n"
        f"  xdg-mime default {DESKTOP_ID} x-scheme-handler/mailto"
    )
    return 0
