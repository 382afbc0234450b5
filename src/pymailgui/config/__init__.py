"""The one declared configuration schema, its loader and the password sources."""

from pymailgui.config.schema import (
    AccountConfig,
    Config,
    GeneralConfig,
    Security,
    ServerConfig,
)

__all__ = ["AccountConfig", "Config", "GeneralConfig", "Security", "ServerConfig"]
