"""Every on-disk location PyMailGUI uses, from this one module.

All state lives under one base directory: ``$PYMAILGUI_HOME`` when set, else
``$XDG_DATA_HOME/pymailgui`` (``~/.local/share/pymailgui``). The config file is
``$PYMAILGUI_HOME/config.toml`` when ``PYMAILGUI_HOME`` is set, else
``$XDG_CONFIG_HOME/pymailgui/config.toml`` (``~/.config/pymailgui/config.toml``).
"""

from __future__ import annotations

import os
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


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700: mail is private) if needed and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
