"""The knobs of the scripted POP3 server: honest defaults, and the faults to inject."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

#: RFC 2449 §4: a command line is at most 255 octets including the CRLF.
RFC_MAX_COMMAND = 255
#: RFC 1939 §3: the autologout timer must be at least 10 minutes.
RFC_IDLE_TIMEOUT = 600.0

#: ``uidl_override(message_number, uid) -> id shown``: builds hostile UIDL answers.
UidlOverride = Callable[[int, str], str]


@dataclass(frozen=True)
class ServerBehavior:
    """How the scripted server behaves; read once when a session starts.

    The defaults are an honest RFC 1939/2449 server with every extension offered and
    plaintext login allowed (it only listens on loopback).
    """

    # -- what is offered --------------------------------------------------------------
    capa: bool = True  # answer CAPA at all (RFC 2449); False = an RFC 1939-only server
    uidl: bool = True
    top: bool = True
    pipelining: bool = True  # advertise PIPELINING (commands are always read in order)
    user_pass: bool = True  # USER/PASS login
    sasl_plain: bool = True  # AUTH PLAIN (RFC 5034)
    resp_codes: bool = True  # bracketed codes like [IN-USE] in -ERR answers (RFC 2449 §8)
    stls: ssl.SSLContext | None = None  # offer STLS with this server context (RFC 2595)
    implicit_tls: ssl.SSLContext | None = None  # TLS from the first byte (RFC 8314)
    plaintext_auth: bool = True  # False: refuse USER/PASS/AUTH before TLS (like Dovecot)
    extra_capa: tuple[str, ...] = ()  # more CAPA lines, e.g. ("EXPIRE 0", "LOGIN-DELAY 300")
    # -- honest behaviour that can be turned off ---------------------------------------
    dot_stuff: bool = True  # False = a buggy server that does not dot-stuff (cpython#95252)
    lock_maildrop: bool = True  # RFC 1939 §8: a second session gets -ERR [IN-USE]
    lock_wait: float = 0.5  # how long a login waits for the holder (a dropped client's session)
    # -- big providers' habits (POP-NOTES "Servers as they are") ------------------------
    list_limit: int | None = None  # list at most N messages per session (Gmail: ~250)
    hide_retrieved: bool = False  # Gmail: a message RETR'd in a QUIT session is not listed again
    # -- quirks of real servers (POP-NOTES "Real servers bend the RFC") ------------------
    mark_read: bool = False  # a message RETR'd in a QUIT session gets "Status: R" (grows)
    uidl_one_bare: bool = False  # "UIDL n" is answered "+OK uid", without the number
    # -- faults -----------------------------------------------------------------------
    always_in_use: bool = False  # PASS/AUTH with good credentials -> -ERR [IN-USE]
    login_delay: bool = False  # PASS/AUTH with good credentials -> -ERR [LOGIN-DELAY]
    quit_error: bool = False  # QUIT in TRANSACTION -> -ERR, nothing committed
    drop_before_quit_reply: bool = False  # QUIT closes without an answer, nothing committed
    drop_after_commands: int | None = None  # close (no commit) after answering N commands
    inject_before_tls: bytes = b""  # sent in cleartext right after "+OK" to STLS
    greeting_delay: float = 0.0  # seconds before the greeting
    reply_delay: float = 0.0  # seconds before every answer
    uidl_override: UidlOverride | None = None  # hostile ids: duplicates, too long, empty
    max_line: int = RFC_MAX_COMMAND  # longest command line accepted (then -ERR and close)
    idle_timeout: float = RFC_IDLE_TIMEOUT  # autologout: close without commit (§3)
    greeting: str = "pymailgui-devserver ready."

    def __post_init__(self) -> None:
        # A zero or negative timeout would make the sockets non-blocking or fail late
        # inside a session thread; refuse it where the mistake is made.
        if not self.idle_timeout > 0:
            raise ValueError("idle_timeout must be a positive number of seconds")
        if min(self.greeting_delay, self.reply_delay, self.lock_wait) < 0:
            raise ValueError("delays cannot be negative")
        if self.max_line < 8:
            raise ValueError("max_line is too small for any POP3 command")
        if self.implicit_tls is not None and self.stls is not None:
            raise ValueError("a server offers either implicit TLS or STLS, not both")
