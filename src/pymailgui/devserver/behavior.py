"""The knobs of the scripted POP3 server: honest defaults, and the faults to inject.

Two kinds of knob. The named fields say what kind of server this is: what it offers
(CAPA, UIDL, TOP, STLS, SASL), how honest it is (dot-stuffing, the maildrop lock),
big providers' habits, and server states a rule cannot express (good credentials
answered [IN-USE]). Everything that happens on the wire for one command - a verbatim
greeting, an answer replaced or hidden, unsolicited lines, an injection before TLS, a
drop or stall after a command or after N bytes - is a :class:`~pymailgui.devserver.script.Rule`
in ``script`` (see that module). The few named faults and quirks kept from before the rules
(``quit_error``, ``drop_before_quit_reply``, ``drop_after_commands``,
``inject_before_tls``, ``uidl_one_bare``) are shorthands: :meth:`ServerBehavior.rules`
turns them into rules played after ``script``.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

from pymailgui.devserver.script import ANY, Command, Rule

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
    greeting: str = "pymailgui-devserver ready."  # the text after "+OK" (verbatim: a rule)
    # -- the script: per-command answers, injections, drops and stalls -----------------
    script: tuple[Rule, ...] = ()

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
        if not all(isinstance(rule, Rule) for rule in self.script):
            raise ValueError("script must be a tuple of Rule")
        if self.drop_after_commands is not None and self.drop_after_commands < 1:
            raise ValueError("drop_after_commands counts from 1")

    def rules(self) -> tuple[Rule, ...]:
        """``script``, then the rules the named faults stand for."""
        rules = list(self.script)
        if self.quit_error:
            # Only QUIT in TRANSACTION fails (RFC 1939 §6): in AUTHORIZATION there is
            # nothing to commit, so the honest "+OK" stays.
            rules.append(Rule("QUIT", reply=_quit_error, then="drop"))
        if self.drop_before_quit_reply:
            rules.append(Rule("QUIT", reply=_silent_when_logged_in, then="drop"))
        if self.drop_after_commands is not None:
            rules.append(Rule(ANY, nth=self.drop_after_commands, then="drop"))
        if self.inject_before_tls and self.stls is not None:
            rules.append(Rule("STLS", tls=False, after=self.inject_before_tls))
        if self.uidl_one_bare:
            rules.append(Rule("UIDL", args=True, reply=_without_number))
        return tuple(rules)


def _quit_error(command: Command) -> bytes:
    if not command.logged_in:
        return command.honest()
    return b"-ERR Some deleted messages not removed.\r\n"


def _silent_when_logged_in(command: Command) -> bytes:
    return command.honest() if not command.logged_in else b""


def _without_number(command: Command) -> bytes:
    # "+OK 2 uid" becomes "+OK uid"; an -ERR stays as it is.
    honest = command.honest()
    if not honest.startswith(b"+OK "):
        return honest
    number, _, uid = honest[4:].partition(b" ")
    return b"+OK " + uid if number.isdigit() and uid else honest
