"""What Test connection found, server by server: each step, what failed, and why.

The report is the core's data (:mod:`pymailgui.actions.diagnose`). Every text in it
may come from the server (its greeting, its refusal, the names in its certificate), so
each one is HTML-escaped before it is shown: a label never renders the server's markup.
A refused certificate shows its subject, issuer, validity and SHA-256 fingerprint;
only when the core found it *pinnable* (an unknown CA or a self-signed certificate
that passes every other check) is there a button to trust that one certificate - never
for a name mismatch, an expired certificate or an old protocol.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from pymailgui.actions.diagnose import ConnectionReport, ServerReport
from pymailgui.gui import look

_NAMES = {"pop": "Incoming mail (POP3)", "smtp": "Outgoing mail (SMTP)"}


def _e(text: object) -> str:
    # Braces too: "{good}" and "{bad}" mark where the scheme's colours go.
    return html.escape(str(text), quote=False).replace("{", "&#123;")


def certificate_html(report: ServerReport) -> str:
    failure = report.failure
    check = failure.certificate if failure is not None else None
    if check is None or check.certificate is None:
        return ""
    info = check.certificate
    valid = (
        f"{info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}"
        if info.not_before is not None and info.not_after is not None
        else "unknown"
    )
    rows = [
        ("Issued to", info.subject),
        ("Issued by", info.issuer),
        ("Names", ", ".join(info.names) or "(none)"),
        ("Valid", valid),
        ("SHA-256", info.sha256),
    ]
    cells = "".join(f"<tr><td><b>{_e(k)}:</b>&nbsp;</td><td>{_e(v)}</td></tr>" for k, v in rows)
    if check.pinnable:
        advice = (
            "If you know this is your server's own certificate (compare the fingerprint "
            "with the one your provider or administrator gives), you may trust this one "
            "certificate for this account. Any other certificate will be refused."
        )
    else:
        advice = (
            "This certificate cannot be trusted by PyMailGUI for this server (it is for "
            "other names, expired, or otherwise invalid), so it will not connect. Check "
            "the server name or ask your provider."
        )
    return f"<table cellspacing='0' cellpadding='1'>{cells}</table><p>{_e(advice)}</p>"


def server_html(report: ServerReport) -> str:
    title = f"{_NAMES.get(report.protocol, report.protocol)}: {report.host} port {report.port}"
    parts = [f"<h3>{_e(title)}</h3><p>"]
    failure = report.failure
    for step in report.steps:
        mark = "✔" if step.ok else "✘"
        color = "{good}" if step.ok else "{bad}"
        said = step.detail and not (failure is not None and step.detail == failure.message)
        detail = f" - {_e(step.detail)}" if said else ""
        parts.append(f"<span style='color:{color}'>{mark}</span> {_e(step.step.value)}{detail}<br>")
    parts.append("</p>")
    if failure is not None:
        parts.append(f"<p style='color:{{bad}}'><b>{_e(failure.message)}</b></p>")
        if failure.server_said:
            parts.append(f"<p>The server said: “{_e(failure.server_said)}”</p>")
        parts.append(certificate_html(report))
    else:
        caps = ", ".join(f"{c} {a}".strip() for c, a in report.capabilities)
        parts.append("<p style='color:{good}'><b>Works.</b></p>")
        if caps:
            parts.append(f"<p>The server offers: {_e(caps)}</p>")
    for warning in report.warnings:
        parts.append(f"<p>⚠ {_e(warning)}</p>")
    return "".join(parts)


class CheckReport(QWidget):
    #: The user chose to trust the certificate shown: (protocol, DER bytes).
    pin_requested = Signal(str, bytes)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("test_report")
        self.report: ConnectionReport | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setObjectName("test_text")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setOpenExternalLinks(False)
        layout.addWidget(self.label)
        self.pin_buttons: dict[str, QPushButton] = {}
        self.buttons = QVBoxLayout()
        layout.addLayout(self.buttons)
        layout.addStretch(1)

    def clear(self) -> None:
        self.report = None
        self.label.clear()
        self._drop_buttons()

    def show_running(self, text: str) -> None:
        self._drop_buttons()
        self._set(f"<p>{_e(text)}</p>")

    def show_failed(self, text: str) -> None:
        self._drop_buttons()
        self._set(f"<p style='color:{{bad}}'><b>{_e(text)}</b></p>")

    def show_report(self, report: ConnectionReport) -> None:
        self.report = report
        self._drop_buttons()
        both = report.smtp is not None
        said = "Both servers work: PyMailGUI can get and send mail." if both else "It works."
        head = f"<p style='color:{{good}}'><b>{said}</b></p>" if report.ok else ""
        self._set(head + "".join(server_html(s) for s in report.servers))
        for server in report.servers:
            check = server.failure.certificate if server.failure is not None else None
            if check is not None and check.pinnable and check.certificate is not None:
                der = check.certificate.der
                button = QPushButton(f"Trust This Certificate for {server.host}", self)
                button.setObjectName(f"pin_{server.protocol}")
                button.clicked.connect(
                    lambda _c=False, p=server.protocol, d=der: self.pin_requested.emit(p, d)
                )
                self.buttons.addWidget(button)
                self.pin_buttons[server.protocol] = button

    def _drop_buttons(self) -> None:
        for button in self.pin_buttons.values():
            button.deleteLater()
        self.pin_buttons.clear()

    @property
    def text(self) -> str:
        return self.label.text()

    def _set(self, html_text: str) -> None:
        """Show ``html_text`` with the OK and failure colours of the current scheme."""
        dark = look.is_dark(self.palette())
        good, bad = ("#81c995", "#f28b82") if dark else ("#1e7b34", "#b3261e")
        self.label.setText(html_text.replace("{good}", good).replace("{bad}", bad))
