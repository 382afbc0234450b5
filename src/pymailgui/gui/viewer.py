"""A view window: one message, its headers, text or safe HTML, parts and actions.

Any number can be open at once, each with its own geometry. The message is parsed in
the thread pool (never on the GUI thread), the HTML is the core's sanitized document
shown by :class:`~pymailgui.gui.htmlview.SafeHtmlView`, and remote images load only
when the user clicks Show on the bar for this message. A window whose message was
deleted on the server (by another program, or by us) stays readable and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pymailgui.errors import MailError
from pymailgui.gui import commands, links, pool, settings
from pymailgui.gui.bars import MessageBar
from pymailgui.gui.context import AccountContext
from pymailgui.gui.headerpane import HeaderPane
from pymailgui.gui.htmlview import MAX_IMAGE_SIDE, CidLookup, SafeHtmlView, no_parts
from pymailgui.gui.partspane import PartsPane
from pymailgui.gui.sourceview import SourceWindow
from pymailgui.message import MessageView
from pymailgui.message.read import cid_lookup, parse
from pymailgui.message.structure import walk
from pymailgui.message.summary import MessageRow

_REMOTE_SRC = re.compile(r"""\bsrc\s*=\s*["'](https?://[^"']+)["']""", re.IGNORECASE)
_CASCADE = [0]


@dataclass
class Prepared:
    """Everything a view window shows, computed off the GUI thread."""

    view: MessageView
    remote_html: str | None = None  # the same document with remote images allowed
    remote_urls: list[str] = field(default_factory=list)
    cids: CidLookup = no_parts  # decodes a part when the HTML asks for it


def remote_summary(urls: list[str]) -> str:
    hosts = list(dict.fromkeys(urlsplit(u).hostname or "?" for u in urls))
    shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    n = len(urls)
    return f"Remote content blocked ({n} reference{'s' if n != 1 else ''} to {shown})."


def prepare(context: AccountContext, data: bytes) -> Prepared:
    view = context.mailbox.view(data)
    prepared = Prepared(view)
    if view.html is not None:
        prepared.cids = cid_lookup(walk(parse(data)))
        if view.remote_content_blocked:
            allowed = context.mailbox.view(data, allow_remote=True)
            prepared.remote_html = allowed.html
            prepared.remote_urls = _REMOTE_SRC.findall(allowed.html or "")
    return prepared


class ViewerWindow(QMainWindow):
    reply_requested = Signal(bytes, bool)  # the message, reply to all
    forward_requested = Signal(bytes, bool)  # the message, as an attachment
    delete_requested = Signal(str)
    save_requested = Signal(list)
    mailto_requested = Signal(QUrl)

    def __init__(
        self,
        context: AccountContext,
        key: str,
        row: MessageRow | None,
        *,
        folder: str | None = None,
    ) -> None:
        """``folder``: the message is ``key`` in that local folder, not on the server."""
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("viewer_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.context = context
        self.key = key
        self.folder = folder
        self.row = row
        self.data: bytes | None = None
        self.prepared: Prepared | None = None
        self.gone = False
        self._closed = False
        self.setWindowTitle(row.subject if row is not None and row.subject else "Message")
        self._build()
        self.resize(820, 680)
        if settings.restore_geometry("viewer", self):
            _CASCADE[0] = (_CASCADE[0] + 1) % 8
            self.move(self.pos().x() + 24 * _CASCADE[0], self.pos().y() + 24 * _CASCADE[0])

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.gone_bar = MessageBar("warning", central, closable=False)
        self.gone_bar.setObjectName("gone_bar")
        layout.addWidget(self.gone_bar)
        self.headers = HeaderPane(central)
        layout.addWidget(self.headers)
        self.remote_bar = MessageBar("info", central)
        self.remote_bar.setObjectName("remote_bar")
        self.show_remote_button = self.remote_bar.add_button(
            "Show", self.show_remote, "show_remote"
        )
        layout.addWidget(self.remote_bar)
        self.image_bar = MessageBar("warning", central)
        self.image_bar.setObjectName("image_bar")
        layout.addWidget(self.image_bar)
        self.body = QStackedWidget(central)
        self.loading = QLabel("Loading the message…", self.body)
        self.loading.setObjectName("loading_label")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setWordWrap(True)
        self.text = QPlainTextEdit(self.body)
        self.text.setObjectName("body_text")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.html = SafeHtmlView(self.body)
        self.html.setObjectName("body_html")
        self.html.link_requested.connect(self._link)
        self.html.highlighted.connect(lambda url: self.statusBar().showMessage(url.toString()))
        self.html.too_large.connect(self._too_large)
        for page in (self.loading, self.text, self.html):
            self.body.addWidget(page)
        layout.addWidget(self.body, 1)
        self.parts = PartsPane(central)
        self.parts.status.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        layout.addWidget(self.parts)
        self.setCentralWidget(central)
        self._build_actions()

    def _build_actions(self) -> None:
        act = commands.action
        self.actions_by_id: dict[str, QAction] = {
            "reply": act(self, "reply", lambda: self._compose("reply")),
            "reply_all": act(self, "reply_all", lambda: self._compose("reply_all")),
            "forward": act(self, "forward", lambda: self._compose("forward")),
            "forward_attached": act(
                self, "forward_attached", lambda: self._compose("forward_attached")
            ),
            "save": act(self, "save", lambda: self.save_requested.emit([self.key])),
            "delete": act(self, "delete", self._delete),
            "source": act(self, "source", self.show_source),
            "close": act(self, "close", self.close),
        }
        plain = QAction("View as &Plain Text", self)
        plain.setObjectName("action_plain_text")
        plain.setCheckable(True)
        plain.toggled.connect(lambda _on: self._show_body())
        self.plain_action = plain
        toolbar = self.addToolBar("Message")
        toolbar.setObjectName("viewer_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("reply", "reply_all", "forward", "save", "delete", "source"):
            toolbar.addAction(self.actions_by_id[name])
        menu = self.menuBar().addMenu("&Message")
        for name in ("reply", "reply_all", "forward", "forward_attached", "save", "delete"):
            menu.addAction(self.actions_by_id[name])
        if self.folder is not None:
            self.actions_by_id["save"].setText("&Copy to Folder…")
        menu.addSeparator()
        menu.addAction(self.actions_by_id["close"])
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.actions_by_id["source"])
        view_menu.addAction(plain)
        self._enable(False)

    def _enable(self, ready: bool) -> None:
        for name in ("reply", "reply_all", "forward", "forward_attached", "source", "save"):
            self.actions_by_id[name].setEnabled(ready)
        self.actions_by_id["delete"].setEnabled(not self.gone)
        self.actions_by_id["save"].setEnabled(ready and not self.gone)

    # -- content ------------------------------------------------------------------------
    def set_data(self, data: bytes) -> None:
        """Show ``data`` (parsed in the pool; the window says "Loading" meanwhile)."""
        self.data = data
        pool.run(lambda: prepare(self.context, data), self._prepared)

    def failed(self, error: MailError) -> None:
        self.loading.setText(f"The message could not be shown.\n\n{error}")
        self.body.setCurrentWidget(self.loading)

    def _prepared(self, prepared: Prepared) -> None:
        if self._closed:
            return
        self.prepared = prepared
        view = prepared.view
        self.setWindowTitle(view.subject or "(no subject)")
        self.headers.show_view(view, self.context.known_senders())
        self.text.setPlainText(view.body_text)
        self.plain_action.setEnabled(view.html is not None)
        if view.remote_content_blocked:
            if prepared.remote_urls:
                self.remote_bar.show_text(remote_summary(prepared.remote_urls))
                self.show_remote_button.show()
            else:
                self.remote_bar.show_text(
                    "Remote content blocked (references in styles or scripts are never loaded)."
                )
                self.show_remote_button.hide()
        self.parts.show_parts(
            view.attachments, lambda d, i: self.context.mailbox.save_parts(view.raw, d, i)
        )
        self._show_body()
        self._enable(True)

    def _show_body(self) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        if prepared.view.html is not None and not self.plain_action.isChecked():
            if not self.html.toPlainText():
                self.html.show_html(prepared.view.html, prepared.cids)
            self.body.setCurrentWidget(self.html)
        else:
            self.body.setCurrentWidget(self.text)

    def show_remote(self) -> None:
        """Load this message's remote images (the user clicked Show)."""
        prepared = self.prepared
        if prepared is None or prepared.remote_html is None:
            return
        self.remote_bar.show_text(
            f"Remote content of this message is shown ({len(prepared.remote_urls)} "
            "references); other messages stay blocked."
        )
        self.show_remote_button.hide()
        self.plain_action.setChecked(False)
        self.html.show_html(prepared.remote_html, prepared.cids, allow_remote=True)
        self.body.setCurrentWidget(self.html)

    def _too_large(self, count: int) -> None:
        what = "An image" if count == 1 else f"{count} images"
        self.image_bar.show_text(
            f"{what} of this message {'was' if count == 1 else 'were'} not shown: too large "
            f"to display safely (over {MAX_IMAGE_SIDE:,} pixels wide or high, or 24 "
            "megapixels)."
        )

    def mark_gone(self) -> None:
        """The message is no longer on the server: keep it readable, say so."""
        self.gone = True
        self.gone_bar.show_text(
            "This message is no longer on the server (it was deleted there). You can still "
            "read it here, reply to it and save its attachments."
        )
        self._enable(self.data is not None)

    # -- actions ------------------------------------------------------------------------
    def _compose(self, kind: str) -> None:
        if self.data is None:
            return
        if kind.startswith("forward"):
            self.forward_requested.emit(self.data, kind == "forward_attached")
        else:
            self.reply_requested.emit(self.data, kind == "reply_all")

    def _delete(self) -> None:
        if not self.gone:
            self.delete_requested.emit(self.key)
            self.close()

    def show_source(self) -> None:
        if self.data is None:
            return
        window = SourceWindow(self.data, self.windowTitle(), self)
        window.show()
        self.source_window = window

    def _link(self, url: QUrl) -> None:
        self.link_prompt = links.ask_to_open(url, self, self.mailto_requested.emit)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        settings.save_geometry("viewer", self)
        super().closeEvent(event)
