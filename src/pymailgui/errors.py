"""One rooted exception hierarchy that says who is to blame.

Every error the user may see derives from :class:`MailError`; its ``str()`` is one
clear sentence for the user (what happened and what to do). Anything that is not a
``MailError`` reaching a front end is a bug in PyMailGUI and is shown as such.

Blame:
- the user's setup: :class:`ConfigError`, :class:`AuthenticationError`
- the network or the peer's certificate: :class:`ConnectionFailed`, :class:`TLSError`
- the server's behaviour: :class:`ProtocolError`, :class:`MailboxBusy`
- the server's mailbox changing under us: :class:`SyncError` (nothing unsafe was done)
- the local disk: :class:`LocalStoreError`
- a message the user wrote or one we received: :class:`MessageError`
- sending: :class:`SendError`, :class:`RecipientsRefused`
- the user: :class:`Cancelled` (asked to stop), :class:`PasswordCancelled`
- this program, busy with the account already: :class:`AccountBusy`

Errors carry facts for front ends to act on, never sentences to grep:
``nothing_committed`` is True when the operation provably changed nothing on the
server (no message deleted, nothing sent), False when it may have, and None when the
question does not apply.
"""

from __future__ import annotations


class MailError(Exception):
    """Root of every error PyMailGUI reports to the user (never a bug)."""

    #: Exit status used by the console client for this kind of error.
    exit_code: int = 1
    #: A failed or cancelled send: the key of the copy waiting in Outbox.
    outbox_key: str | None = None

    def __init__(self, message: str = "", *, nothing_committed: bool | None = None) -> None:
        super().__init__(message)
        #: True: provably nothing changed on the server; False: something may have.
        self.nothing_committed = nothing_committed

    def with_note(self, note: str, *, nothing_committed: bool | None = None) -> MailError:
        """A copy of this error (same class and facts) whose sentence ends with ``note``.

        Used when a layer above knows more of the outcome ("Nothing was deleted.").
        """
        clone = _copy_error(self)
        clone.args = (f"{str(self).rstrip()} {note}".strip(),)
        if nothing_committed is not None:
            clone.nothing_committed = nothing_committed
        return clone


class ConfigError(MailError):
    """The configuration file or a command-line setting is wrong."""

    exit_code = 2


class UsageError(ConfigError):
    """The user asked for something that does not make sense (bad number, unknown name)."""


class ConnectionFailed(MailError):
    """The server could not be reached, or the connection broke or timed out."""

    exit_code = 5


class TLSError(ConnectionFailed):
    """TLS could not be set up: untrusted certificate, wrong host name, no STLS offered."""


class AuthenticationError(MailError):
    """The server refused the user name or password."""

    exit_code = 4


class ProtocolError(MailError):
    """The server answered something the protocol does not allow, or too much of it."""


class MailboxBusy(MailError):
    """The server says the mailbox is in use or logins come too often ([IN-USE], [LOGIN-DELAY]).

    ``code`` is the RFC 2449 response code when the server sent one.
    """

    def __init__(
        self, message: str, code: str | None = None, *, nothing_committed: bool | None = None
    ) -> None:
        super().__init__(message, nothing_committed=nothing_committed)
        self.code = code


class SyncError(MailError):
    """The server's mailbox changed in a way that makes the request unsafe; nothing was done.

    ``keys`` are the index keys of the messages concerned (the GUI puts rows back and
    refreshes); ``gone`` is True when they are no longer on the server at all.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        keys: tuple[str, ...] = (),
        gone: bool = False,
        nothing_committed: bool | None = True,
    ) -> None:
        super().__init__(message, nothing_committed=nothing_committed)
        self.keys = keys
        self.gone = gone


class LocalStoreError(MailError):
    """A local folder, the cache or a file could not be read or written."""


class MessageError(MailError):
    """A message cannot be built or used as asked (e.g. a header with a line break)."""


class SendError(MailError):
    """Sending a message failed; the message is kept in Outbox, never lost."""


class RecipientsRefused(SendError):
    """Some recipients were refused by the SMTP server; the others got the message once.

    ``refused`` maps each refused address to the server's (code, text) answer and
    ``accepted`` lists the addresses that were accepted.
    """

    def __init__(
        self,
        message: str,
        refused: dict[str, tuple[int, str]],
        accepted: list[str] | None = None,
    ) -> None:
        super().__init__(message, nothing_committed=not accepted)
        self.refused = refused
        self.accepted = accepted or []


class Cancelled(MailError):
    """The user asked the task to stop; the sentence says what was not done."""

    exit_code = 130


class PasswordCancelled(Cancelled):
    """The user closed the password prompt instead of answering it."""


class AccountBusy(MailError):
    """Another task of this program is using the account's server session right now.

    ``running`` names what it is doing (e.g. "refresh"), for the front end to show.
    """

    def __init__(self, message: str, running: str = "") -> None:
        super().__init__(message, nothing_committed=True)
        self.running = running


def _copy_error(exc: MailError) -> MailError:
    # Not copy.copy(): that calls __init__ with the args alone, which some children
    # (RecipientsRefused) do not accept.
    clone = exc.__class__.__new__(exc.__class__)
    clone.__dict__.update(exc.__dict__)
    return clone
