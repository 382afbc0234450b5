"""Development servers: the scripted POP3 server and the demo account.

Nothing here is used by the mail client itself; the tests and ``pymail --demo`` use it.
"""

from __future__ import annotations

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.demo import DemoServer
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.pop3session import SessionLog

__all__ = ["DemoServer", "Maildrop", "ScriptedPOP3Server", "ServerBehavior", "SessionLog"]
