"""The demo account: the project's own servers on 127.0.0.1 with sample mail.

``pymail --demo`` (and later the GUI) runs every command against it, so a new user can
try the program with no account. Its server-side maildrop lives under
``paths.demo_dir()`` (``$PYMAILGUI_HOME/demo``), so deletions persist between runs.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType

from pymailgui import paths
from pymailgui.config import AccountConfig, Config, Security, ServerConfig
from pymailgui.devserver.demo import DemoServer

DEMO_ADDRESS = "demo@example.com"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - the demo server's fixed login on loopback


@dataclass
class Demo(AbstractContextManager["Demo"]):
    """Running demo servers and a :class:`Config` whose only account points at them."""

    pop: DemoServer
    config: Config

    def stop(self) -> None:
        self.pop.stop()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_demo() -> Demo:
    """Start the demo POP3 server on 127.0.0.1 and describe it as an account."""
    server = DemoServer(paths.ensure_dir(paths.demo_dir()))
    pop = ServerConfig(
        host=server.host,
        port=server.port,
        security=Security.NONE,  # loopback only; the demo has no certificate to trust
        username=DEMO_USER,
        timeout=10.0,
    )
    account = AccountConfig(
        name="demo",
        address=DEMO_ADDRESS,
        pop=pop,
        display_name="Demo User",
        signature="Sent from the PyMailGUI demo",
    )
    return Demo(pop=server, config=Config(accounts={"demo": account}))
