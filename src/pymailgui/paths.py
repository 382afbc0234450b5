"""Every on-disk location PyMailGUI uses, from this one module.

All state lives under one base directory: ``$PYMAILGUI_HOME`` when set, else
``$XDG_DATA_HOME/pymailgui`` (``~/.local/share/pymailgui``). The config file is
``$PYMAILGUI_HOME/config.toml`` when ``PYMAILGUI_HOME`` is set, else
``$XDG_CONFIG_HOME/pymailgui/config.toml`` (``~/.config/pymailgui/config.toml``).
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

ENV_HOME = "PYMAILGUI_HOME"


def base_dir() -> Path:
    """The directory that holds every piece of state (created on demand by callers)."""
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return root / "pymailgui"


def config_file() -> Path:
    """The default configuration file."""
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser() / "config.toml"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return root / "pymailgui" / "config.toml"


def certificates_dir() -> Path:
    """Server certificates the user pinned, next to the config file that names them."""
    return config_file().parent / "certificates"


def cache_db() -> Path:
    """SQLite index cache (message index and full-text cache, per account)."""
    return base_dir() / "cache.sqlite3"


def folders_dir() -> Path:
    """Root of the local Maildir folders (Inbox, Saved, Sent, Drafts, Outbox, ...)."""
    return base_dir() / "folders"


def logs_dir() -> Path:
    """Log files (protocol logs are redacted before they are written)."""
    return base_dir() / "logs"


def console_state() -> Path:
    """The console's own state: the numbers ``pymail`` showed in each last list."""
    return base_dir() / "console.sqlite3"


def demo_dir() -> Path:
    """State of the demo account: its server-side maildrop and its config."""
    return base_dir() / "demo"


def gui_settings_file() -> Path:
    """The desktop client's remembered window geometry and column widths (INI format)."""
    return base_dir() / "gui.ini"


def opened_parts_dir() -> Path:
    """Private copies of parts the user opened with a desktop application."""
    return base_dir() / "opened"


def demo_client_dir() -> Path:
    """The demo account's client-side state, kept apart from every real account's."""
    return demo_dir() / "client"


def demo_cache_db() -> Path:
    """The demo account's index cache (never the real accounts' ``cache_db()``)."""
    return demo_client_dir() / "cache.sqlite3"


def demo_folders_dir() -> Path:
    """The demo account's local folders (its Sent, Saved... never show up elsewhere)."""
    return demo_client_dir() / "folders"


def demo_console_state() -> Path:
    """The console's numbering for the demo account."""
    return demo_client_dir() / "console.sqlite3"


#: Mail, headers and addresses are private: files 0600 and directories 0700, whatever
#: the umask (an index cache created 0644 in a 0755 directory was issue 10's finding).
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _ours(path: Path) -> bool:
    """Whether ``path`` is PyMailGUI's own state (under the base or config directory)."""
    mine = (base_dir(), config_file().parent)
    absolute = path.absolute()
    return any(absolute == root.absolute() or root.absolute() in absolute.parents for root in mine)


def ensure_dir(path: Path) -> Path:
    """Create ``path`` and every missing parent 0700 (mail is private) and return it.

    ``mkdir(parents=True, mode=0o700)`` would give the parents it creates 0777 minus the
    umask. Existing directories of PyMailGUI's own state on the way (the base directory
    and below, made by an older version or by hand) that others can enter are
    tightened; directories elsewhere are left alone.
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # made meanwhile by another process
        _tighten(directory, PRIVATE_DIR)
    probe = path
    while _ours(probe) and probe.parent != probe:
        _tighten(probe, PRIVATE_DIR)  # up to and including the base directory
        probe = probe.parent
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a file only its owner can read (0600); return it.

    For files that other code then opens by name - SQLite databases (their -wal and
    -shm files take the main file's mode), log handlers, appended logs - so they never
    exist, not even for a moment, with the umask's mode.
    """
    ensure_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE))
    _tighten(path, PRIVATE_FILE)
    return path


def append_crash_log(exc: BaseException) -> Path | str:
    """Append ``exc`` with its traceback to the private crash log (both front ends call
    this for a bug); the log's path, or a phrase saying none could be written."""
    try:
        target = private_file(logs_dir() / "crash.log")
        with target.open("a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)))
        return target
    except OSError:
        return "(no log could be written)"


def _tighten(path: Path, mode: int) -> None:
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, mode)
    except OSError:
        pass  # not ours to change (another owner, a read-only mount): left as it is
