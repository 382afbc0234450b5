"""Send one message: check it, open a session, run one mail transaction.

The transaction (RFC 5321 §3.3) is MAIL, one RCPT per recipient, DATA. Recipients the
server refuses are reported, the accepted ones get the message once; the message is
never sent a second time within a call, and nothing after the server's final "250"
can turn a delivered message into an error (a failing QUIT is ignored).
"""

from __future__ import annotations

import smtplib
import ssl

from pymailgui.config.schema import ServerConfig
from pymailgui.errors import MessageError, RecipientsRefused, SendError
from pymailgui.smtp import wire
from pymailgui.smtp.client import SMTPClient, protocol_log
from pymailgui.smtp.result import DeliveryUncertain, SendResult
from pymailgui.smtp.session import describe, open_session, reason
from pymailgui.tasks import Phase, Task, ensure

# RFC 5321 §4.5.3.2.6 lets a server take 10 minutes to answer the final dot (it may
# be scanning the message). Giving up early invites a duplicate when the user resends,
# so wait several times the per-reply timeout, within the RFC's 10 minutes.
FINAL_REPLY_FACTOR = 10
FINAL_REPLY_MAX = 600.0

#: DATA is written in pieces this big, so a cancel can stop it before the final dot.
DATA_CHUNK = 64 * 1024

UNDONE = "nothing was sent"


def send_message(
    server: ServerConfig,
    password: str | None,
    envelope_from: str,
    recipients: list[str],
    data: bytes,
    *,
    smtputf8: bool = False,
    local_hostname: str | None = None,
    task: Task | None = None,
) -> SendResult:
    """Send ``data`` (a whole RFC 5322 message) from ``envelope_from`` to ``recipients``.

    A cancel of ``task`` before the final dot of DATA ends the session with nothing
    sent (Cancelled); once the dot is out, the server's answer is awaited.

    - ``recipients`` is the envelope: To, Cc and Bcc together. Bcc/Resent-Bcc fields
      are removed from the copy that goes on the wire.
    - Line endings become CRLF and lines starting with "." are doubled (RFC 5321
      §4.5.2) on the wire; the server stores the message as given.
    - ``smtputf8``: the caller knows the message needs SMTPUTF8 (RFC 6531); it is
      also requested when an address or a header field is non-ASCII. A server that
      lacks it gets nothing: SendError.
    - Returns :class:`SendResult`; when some recipients were refused it lists them.
    - Raises RecipientsRefused (every recipient refused, nothing sent), SendError (the
      server refused the sender or the message, or the connection broke during the
      transaction), DeliveryUncertain (a SendError: the connection broke after the
      whole message was sent), MessageError (bad addresses, lines over 998 octets),
      and from opening the session: ConnectionFailed, TLSError, AuthenticationError,
      ConfigError, ProtocolError.
    """
    sender = wire.check_address(envelope_from, role="sender")
    rcpts = wire.unique_recipients(recipients)
    payload = wire.strip_hidden_fields(wire.normalize_line_endings(data))
    if wire.longest_line(payload) > wire.MAX_LINE_OCTETS:
        raise MessageError(
            "The message has a line longer than 998 characters, which SMTP does not "
            "allow (RFC 5322 §2.1.1); it must be re-encoded before sending."
        )
    needs_utf8 = (
        smtputf8
        or wire.address_needs_utf8(sender)
        or any(wire.address_needs_utf8(r) for r in rcpts)
        or wire.header_needs_utf8(payload)
    )
    task = ensure(task, "send")
    task.check(UNDONE)
    task.report(Phase.SEND, 0, len(payload))
    with (
        task.stops(UNDONE),
        open_session(server, password, local_hostname=local_hostname, task=task) as client,
    ):
        transaction = _Transaction(client, server, sender, rcpts, payload, needs_utf8, task)
        return transaction.run()


class _Transaction:
    """One MAIL/RCPT/DATA exchange on an open session; maps every failure to an error."""

    def __init__(
        self,
        client: SMTPClient,
        server: ServerConfig,
        sender: str,
        recipients: list[str],
        payload: bytes,
        needs_utf8: bool,
        task: Task,
    ) -> None:
        self.task = task
        self.client = client
        self.server = server
        self.where = describe(server)
        self.sender = sender
        self.recipients = recipients
        self.payload = payload
        self.needs_utf8 = needs_utf8

    def run(self) -> SendResult:
        options = self._mail_options()
        self.task.check(UNDONE)
        try:
            self._mail(options)
            accepted, refused = self._rcpts()
            if not accepted:
                self._reset()
                listing = ", ".join(f"{a} ({c} {t})" for a, (c, t) in refused.items())
                raise RecipientsRefused(
                    f"{self.where} refused every recipient, so nothing was sent: {listing}.",
                    refused,
                    [],
                )
            self._data(accepted, refused)
        except (OSError, smtplib.SMTPException) as exc:
            raise self._broken(exc) from exc
        return SendResult(accepted=accepted, refused=refused)

    # -- before MAIL: what the message needs from the server --------------------------

    def _mail_options(self) -> list[str]:
        client, options = self.client, []
        if self.needs_utf8:
            if not client.has_extn("smtputf8"):
                raise SendError(
                    f"This message needs SMTPUTF8 (a non-ASCII address or header) but "
                    f"{self.where} does not support it; nothing was sent. Use ASCII "
                    "addresses or another server."
                )
            options.append("SMTPUTF8")
            client.command_encoding = "utf-8"  # RFC 6531 §3.4: UTF-8 paths in commands
        if wire.has_8bit(self.payload):
            if client.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")  # RFC 6152 §3
            elif not self.needs_utf8:
                self._downgrade()
        size_limit = _size_limit(client)
        if size_limit and len(self.payload) > size_limit:
            raise SendError(
                f"The message ({len(self.payload)} bytes) is larger than {self.where} "
                f"accepts ({size_limit} bytes); nothing was sent. Remove attachments."
            )
        if client.has_extn("size"):
            options.append(f"SIZE={len(self.payload)}")  # RFC 1870 §5
        return options

    def _downgrade(self) -> None:
        seven_bit = wire.downgrade_to_7bit(self.payload)
        if seven_bit is None:
            raise SendError(
                f"The message contains 8-bit data that {self.where} does not accept "
                "(no 8BITMIME) and that cannot be re-encoded; nothing was sent."
            )
        protocol_log.debug("server lacks 8BITMIME: message re-encoded to 7 bit")
        self.payload = seven_bit

    # -- the transaction --------------------------------------------------------------

    def _mail(self, options: list[str]) -> None:
        args = f"FROM:<{self.sender}>" + "".join(f" {o}" for o in options)
        code, text = self.client.docmd("MAIL", args)
        if code != 250:
            raise SendError(
                f"{self.where} refused the sender {self.sender or '<>'} ({code} "
                f"{_text(text)}); nothing was sent."
            )

    def _rcpts(self) -> tuple[list[str], dict[str, tuple[int, str]]]:
        accepted: list[str] = []
        refused: dict[str, tuple[int, str]] = {}
        for rcpt in self.recipients:
            code, text = self.client.docmd("RCPT", f"TO:<{rcpt}>")
            if code in (250, 251):  # 251: "will forward" (RFC 5321 §3.4)
                accepted.append(rcpt)
            elif code == 421:  # RFC 5321 §3.8: the server is closing the channel
                raise SendError(
                    f"{self.where} closed the session ({code} {_text(text)}); "
                    "nothing was sent. Try again later."
                )
            else:
                refused[rcpt] = (code, _text(text))
        return accepted, refused

    def _data(self, accepted: list[str], refused: dict[str, tuple[int, str]]) -> None:
        client = self.client
        code, text = client.docmd("DATA")
        if code != 354:
            raise SendError(
                f"{self.where} refused to take the message ({code} {_text(text)}); "
                "nothing was sent."
            )
        # Not smtplib's data(): between sending the content and reading the reply the
        # outcome becomes uncertain, and that moment must be visible here. The content
        # goes in pieces, so a cancel stops it before the final dot (RFC 5321 §4.1.1.4:
        # a transaction that never saw the dot is void); the dot and the reply are not
        # cut by a cancel.
        wire_data = wire.dot_stuff(self.payload)
        body, final = wire_data[:-3], wire_data[-3:]
        for start in range(0, len(body), DATA_CHUNK):
            self.task.check(UNDONE)
            client.send(body[start : start + DATA_CHUNK])
            self.task.report(Phase.SEND, min(len(body), start + DATA_CHUNK), len(body))
        self.task.check(UNDONE)
        with self.task.shielded():
            self._final(final, accepted, refused)

    def _final(
        self, final: bytes, accepted: list[str], refused: dict[str, tuple[int, str]]
    ) -> None:
        client = self.client
        client.send(final)
        client.set_reply_timeout(min(FINAL_REPLY_MAX, self.server.timeout * FINAL_REPLY_FACTOR))
        try:
            code, text = client.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryUncertain(
                f"The connection to {self.where} broke after the message was sent but "
                "before the server confirmed it; it may or may not have been delivered. "
                "It is kept in Outbox: check with a recipient before sending it again."
            ) from exc
        if code != 250:
            raise SendError(
                f"{self.where} did not accept the message ({code} {_text(text)}); "
                "nothing was delivered."
            )
        protocol_log.debug(
            "message accepted for %d recipient(s), %d refused", len(accepted), len(refused)
        )

    def _reset(self) -> None:
        try:
            self.client.rset()
        except (OSError, smtplib.SMTPException):
            pass

    def _broken(self, exc: BaseException) -> SendError:
        cause = f"TLS error: {exc}" if isinstance(exc, ssl.SSLError) else reason(exc)
        return SendError(
            f"The connection to {self.where} broke while sending ({cause}); "
            "nothing was sent. Try again later."
        )


def _size_limit(client: SMTPClient) -> int:
    raw = client.esmtp_features.get("size", "").strip()
    return int(raw) if raw.isdigit() else 0


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return text.replace("\n", " ")
