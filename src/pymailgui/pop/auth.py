"""POP3 login exchanges: USER/PASS (RFC 1939 §7) and SASL PLAIN (RFC 5034, RFC 4616).

A refusal is sorted by blame: RESP-CODES IN-USE, LOGIN-DELAY and SYS/TEMP (RFC 2449
§8.1, RFC 3206) and their plain-text equivalents mean "busy, try later", not "wrong
password" (only fetchmail got this right: POP-NOTES).
"""

from __future__ import annotations

import base64

from pymailgui.errors import AuthenticationError, MailboxBusy, MailError, ProtocolError
from pymailgui.pop.parse import CRLF, Status, is_continuation, server_said
from pymailgui.pop.session import Session

#: RFC 2449 §4: a command line is at most 255 octets including CRLF; RFC 5034 §4 says
#: an AUTH initial response that would exceed it must be sent after a continuation.
MAX_COMMAND_LINE = 255


def login_user_pass(session: Session, host: str, username: str, password: str) -> None:
    """USER then PASS; raises the error :func:`login_error` picks on -ERR."""
    for line in (b"USER " + username.encode(), b"PASS " + password.encode()):
        status = session.command(line)
        if not status.ok:
            raise login_error(status, host)


def login_sasl_plain(session: Session, host: str, username: str, password: str) -> None:
    """AUTH PLAIN, with the initial response on the command line when it fits."""
    # RFC 4616 §2: message = [authzid] NUL authcid NUL passwd (no authzid here).
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode())
    initial = b"AUTH PLAIN " + token
    if len(initial) + len(CRLF) <= MAX_COMMAND_LINE:
        answer = session.exchange(initial)
        if is_continuation(answer):
            session.exchange(b"*")  # RFC 5034 §4: "*" cancels the exchange
            raise ProtocolError(f"The server {host} did not accept the SASL PLAIN response.")
    else:
        first = session.exchange(b"AUTH PLAIN")
        if not is_continuation(first):
            raise login_error(session.parse(first), host)
        answer = session.exchange(token, secret=True)
    status = session.parse(answer)
    if not status.ok:
        raise login_error(status, host)


def login_error(status: Status, host: str) -> MailError:
    """The error for a -ERR answer to the greeting, USER, PASS or AUTH."""
    said = server_said(status.text)
    if status.busy:
        return MailboxBusy(
            "The mailbox is busy: another program is using it or logins come too "
            f"often; try again in a few minutes ({said}).",
            code=status.code,
        )
    if status.code == "SYS/PERM":
        return ProtocolError(f"The server {host} cannot open the mailbox ({said}).")
    return AuthenticationError(f"The server {host} refused the user name or password ({said}).")
