"""Opening an SMTP session: connect, TLS (implicit or required STARTTLS), EHLO, AUTH.

Everything that can go wrong before the mail transaction starts is turned into a
typed error here: ConnectionFailed, TLSError, AuthenticationError, ConfigError.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.errors import (
    AuthenticationError,
    ConfigError,
    ConnectionFailed,
    MailError,
    ProtocolError,
    TLSError,
)
from pymailgui.smtp.client import SMTPClient, protocol_log
from pymailgui.tasks import Task, ensure


def tls_context(server: ServerConfig) -> ssl.SSLContext:
    """A verifying client context for ``server`` (:func:`pymailgui.tls.client_context`)."""
    return server.tls_context()


def describe(server: ServerConfig) -> str:
    return f"{server.host}:{server.effective_port('smtp')}"


def tls_failure(server: ServerConfig, exc: BaseException) -> TLSError:
    where = describe(server)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TLSError(
            f"The certificate of {where} could not be verified ({exc.verify_message}); "
            "nothing was sent. If you trust this server, set ca_file to its CA certificate."
        )
    return TLSError(f"The secure (TLS) connection to {where} failed ({exc}); nothing was sent.")


def connection_failure(server: ServerConfig, exc: BaseException) -> ConnectionFailed:
    where = describe(server)
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, TimeoutError):
        return ConnectionFailed(f"{where} did not answer in time; check the server and port.")
    if isinstance(cause, ConnectionRefusedError):
        return ConnectionFailed(f"{where} refused the connection; check the server and port.")
    if isinstance(cause, socket.gaierror):
        return ConnectionFailed(f"The SMTP server {server.host} was not found; check its name.")
    return ConnectionFailed(f"The connection to {where} failed or broke ({exc}).")


def reason(exc: BaseException) -> str:
    """A short, readable cause for an smtplib or socket error."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc) or exc.__class__.__name__


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return text.replace("\n", " ")


@contextmanager
def open_session(
    server: ServerConfig,
    password: str | None,
    *,
    local_hostname: str | None = None,
    task: Task | None = None,
) -> Iterator[SMTPClient]:
    """An authenticated (when asked) SMTP session, closed on exit.

    Authentication happens when ``server.username`` is set and ``password`` is not
    None (callers put the account address in ``username`` when the config leaves it
    empty). With Security.TLS or STARTTLS, nothing but EHLO/STARTTLS/QUIT is ever sent
    before TLS is up.
    """
    if not server.timeout > 0:
        raise ConfigError("The SMTP timeout must be a positive number of seconds.")
    context = tls_context(server) if server.security is not Security.NONE else None
    implicit = context if server.security is Security.TLS else None
    client = SMTPClient(
        timeout=server.timeout, local_hostname=local_hostname, implicit_tls=implicit
    )
    try:
        # A cancel shuts the socket down so a blocking read returns at once.
        with ensure(task).interruptible(client.interrupt):
            _establish(client, server, context, password)
            yield client
    except MailError:
        client.close()
        raise
    except ssl.SSLError as exc:
        client.close()
        raise tls_failure(server, exc) from exc
    except smtplib.SMTPServerDisconnected as exc:
        client.close()
        raise connection_failure(server, exc) from exc
    except smtplib.SMTPException as exc:  # before OSError: it is one of its subclasses
        client.close()
        raise ProtocolError(
            f"{describe(server)} answered something SMTP does not allow ({reason(exc)})."
        ) from exc
    except OSError as exc:
        client.close()
        raise connection_failure(server, exc) from exc
    except BaseException:  # a bug or KeyboardInterrupt: still never leak the socket
        client.close()
        raise
    else:
        quit_quietly(client)


def quit_quietly(client: SMTPClient) -> None:
    """QUIT and close; the session's work is done, so a failure here changes nothing."""
    try:
        if client.sock is not None:
            client.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        client.close()


def _establish(
    client: SMTPClient,
    server: ServerConfig,
    context: ssl.SSLContext | None,
    password: str | None,
) -> None:
    where = describe(server)
    code, text = client.open(server.host, server.effective_port("smtp"))
    if code != 220:  # RFC 5321 §3.1: 554 (or 421) instead of 220 means "go away"
        raise ConnectionFailed(f"{where} refused the session: {code} {_text(text)}")
    _ehlo(client, where, helo_allowed=server.security is Security.NONE)
    if server.security is Security.STARTTLS:
        # Never None: smtplib's starttls() would make an unverified context of its own.
        _starttls(client, where, context if context is not None else tls_context(server))
    if server.username and password is not None:
        _login(client, where, server.username, password)
    elif server.username:
        protocol_log.debug("no password given for %s: sending without AUTH", where)


def _ehlo(client: SMTPClient, where: str, *, helo_allowed: bool) -> None:
    code, text = client.ehlo()
    if code == 250:
        return
    # RFC 5321 §4.1.4: fall back to HELO; only possible when no extension is needed.
    if helo_allowed:
        code, text = client.helo()
        if code == 250:
            return
    raise ConnectionFailed(f"{where} rejected our greeting (EHLO): {code} {_text(text)}")


def _starttls(client: SMTPClient, where: str, context: ssl.SSLContext) -> None:
    if not client.has_extn("starttls"):
        # Never fall back to clear text (RFC 8314 §4.1 / POP-NOTES): stop here.
        raise TLSError(
            f"{where} does not offer STARTTLS, so the connection cannot be secured; "
            "nothing was sent. Ask your provider for the TLS port (465) or its settings."
        )
    try:
        client.starttls(context=context)
    except smtplib.SMTPResponseException as exc:
        raise TLSError(
            f"{where} refused to start TLS ({exc.smtp_code} {_text(exc.smtp_error)}); "
            "nothing was sent."
        ) from exc
    # RFC 3207 §4.2: the extension list from before TLS is void; ask again.
    code, text = client.ehlo()
    if code != 250:
        raise TLSError(f"{where} rejected EHLO after STARTTLS: {code} {_text(text)}")


def _login(client: SMTPClient, where: str, username: str, password: str) -> None:
    if not client.has_extn("auth"):
        raise AuthenticationError(
            f"{where} offers no login (AUTH) although a user name is configured; "
            "check the port and security settings, or clear the user name."
        )
    try:
        client.authenticate(username, password)
    except smtplib.SMTPNotSupportedError as exc:
        offered = client.esmtp_features.get("auth", "").strip()
        raise AuthenticationError(
            f"{where} offers no login method PyMailGUI supports ({offered})."
        ) from exc
    except smtplib.SMTPAuthenticationError as exc:
        reason = _text(exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            raise AuthenticationError(
                f"{where} could not check the password right now ({exc.smtp_code} "
                f"{reason}); try again later."
            ) from exc
        raise AuthenticationError(
            f"{where} refused the user name or password for {username!r} "
            f"({exc.smtp_code} {reason}); check them in the account settings."
        ) from exc
