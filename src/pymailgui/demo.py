"""The demo account: the project's own servers on 127.0.0.1 with sample mail.

``pymail --demo`` (and later the GUI) runs every command against it, so a new user can
try the program with no account. Its server-side maildrop lives under
``paths.demo_dir()`` (``$PYMAILGUI_HOME/demo``), so deletions persist between runs, and
so does everything the client keeps for it (index cache, local folders; see
:func:`open_demo_account`): a real account never sees demo mail, nor the demo a real
account's folders.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymailgui import paths
from pymailgui.actions import Account, PasswordPrompt, open_account
from pymailgui.config import AccountConfig, Config, Security, ServerConfig
from pymailgui.devserver.demo import DEMO_ADDRESS, DEMO_PASSWORD, DEMO_USER, DemoServer
from pymailgui.devserver.running import Running
from pymailgui.devserver.smtpdemo import DemoSMTPServer
from pymailgui.inbox import IndexCache
from pymailgui.store import FolderStore

# The demo login is the devserver's; front ends read it from here (only this module
# may import the devserver).
__all__ = ["DEMO_ADDRESS", "DEMO_PASSWORD", "DEMO_USER", "Demo", "start_demo"]


@dataclass
class Demo(Running):
    """Running demo servers and a :class:`Config` whose only account points at them.

    ``with start_demo() as demo:`` stops both servers at the end.
    """

    pop: DemoServer
    smtp: DemoSMTPServer
    config: Config

    def start(self) -> None:
        """Start both servers again after :meth:`stop` (a no-op while they run)."""
        self.pop.start()
        self.smtp.start()

    def stop(self) -> None:
        self.smtp.stop()
        self.pop.stop()


def start_demo() -> Demo:
    """Start the demo POP3 and SMTP servers on 127.0.0.1 and describe them as an account.

    Whatever is sent through the demo SMTP server lands in the demo inbox, so a new user
    can send a message and see it arrive.
    """
    server = DemoServer(paths.ensure_dir(paths.demo_dir()))
    smtp_server = DemoSMTPServer(server.deliver)
    try:
        smtp_server.start()
    except BaseException:
        server.stop()
        raise
    pop = ServerConfig(
        host=server.host,
        port=server.port,
        security=Security.NONE,  # loopback only; the demo has no certificate to trust
        username=DEMO_USER,
        timeout=10.0,
    )
    smtp = ServerConfig(
        host=smtp_server.host,
        port=smtp_server.port,
        security=Security.NONE,
        auth="none",
        timeout=10.0,
    )
    account = AccountConfig(
        name="demo",
        address=DEMO_ADDRESS,
        pop=pop,
        smtp=smtp,
        display_name="Demo User",
        signature="Sent from the PyMailGUI demo",
    )
    return Demo(pop=server, smtp=smtp_server, config=Config(accounts={"demo": account}))


def open_demo_account(demo: Demo, *, prompt: PasswordPrompt | None = None) -> Account:
    """The demo account over the running ``demo`` servers, with its own index cache and
    local folders under ``paths.demo_client_dir()`` (never the real accounts' ones)."""
    paths.ensure_dir(paths.demo_client_dir())
    return open_account(
        demo.config,
        prompt=prompt,
        fixed_password=DEMO_PASSWORD,
        cache=IndexCache(paths.demo_cache_db()),
        folder_store=FolderStore(paths.demo_folders_dir()),
    )
