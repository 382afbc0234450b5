"""The one declared configuration schema, its loader and the password sources."""

from pymailgui.config.schema import (
    AccountConfig,
    Config,
    GeneralConfig,
    GuiConfig,
    Security,
    ServerConfig,
)

__all__ = ["AccountConfig", "Config", "GeneralConfig", "GuiConfig", "Security", "ServerConfig"]
