"""Development servers: the scripted POP3 and SMTP servers and the demo account.

Nothing here is used by the mail client itself; the tests, the benches and
``pymail --demo`` (through ``pymailgui.demo``) use it. How to script a hostile server:
:mod:`pymailgui.devserver.script`.
"""

from __future__ import annotations

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.demo import DemoServer
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3log import SessionLog
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.script import ANY, END_OF_DATA, GREETING, Rule

__all__ = [
    "ANY",
    "END_OF_DATA",
    "GREETING",
    "DemoServer",
    "Maildrop",
    "Rule",
    "ScriptedPOP3Server",
    "ServerBehavior",
    "SessionLog",
]
