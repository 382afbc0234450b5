"""Opening a logged-in session: connect, log in, and wait out our own previous session.

A server that locks the maildrop (RFC 1939 §8) releases it only after it has processed
the previous session's end; a client that opens its next session at once can find its
own lock still held. An ``[IN-USE]`` answer is therefore retried a few times, briefly,
waiting on the task (a cancel ends the wait at once); ``[LOGIN-DELAY]`` is not: the
server asked us to wait minutes.
"""

from __future__ import annotations

import logging

from pymailgui.config import ServerConfig
from pymailgui.errors import MailboxBusy
from pymailgui.pop.client import POP3Client
from pymailgui.pop.transport import MAX_RESPONSE
from pymailgui.tasks import Phase, Task, ensure

BUSY_RETRIES = 3
BUSY_WAIT = 0.3  # seconds, times the attempt number


def open_session(
    server: ServerConfig,
    username: str,
    password: str,
    *,
    protocol_log: logging.Logger | None = None,
    max_message_bytes: int = MAX_RESPONSE,
    busy_retries: int = BUSY_RETRIES,
    task: Task | None = None,
) -> POP3Client:
    """A connected, logged-in client; the caller must ``quit()`` or ``abort()`` it.

    With ``task``, progress is reported and a cancel stops the attempt (Cancelled);
    the login exchange itself is interrupted by the cancel, not only checked after it.
    """
    task = ensure(task)
    attempt = 0
    while True:
        task.check("nothing was done")
        task.report(Phase.CONNECT)
        with task.stops("nothing was done"):
            client = POP3Client.connect(
                server, protocol_log=protocol_log, max_message_bytes=max_message_bytes, task=task
            )
        try:
            with task.interruptible(client.interrupt), task.stops("nothing was done"):
                client.login(username, password)
        except MailboxBusy as exc:
            client.abort()
            if exc.code == "LOGIN-DELAY" or attempt >= busy_retries:
                raise
            attempt += 1
            task.report(Phase.BUSY, attempt, busy_retries)
            task.wait(BUSY_WAIT * attempt, "nothing was done")
            continue
        except BaseException:
            client.abort()
            raise
        return client
