"""The account settings dialog through its widgets: provider prefill, Test connection for
each kind of failure against real local servers, pinning an unknown CA's certificate
(never a wrong host's), saving, editing and removing accounts."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from pymailgui.actions.diagnose import Problem, Step
from pymailgui.config import Config, Security
from pymailgui.config.load import load
from pymailgui.gui.accounts import AccountsDialog
from pymailgui.gui.session import Desktop
from tests.gui.support import WAIT_MS, close_desktop
from tests.support.popserver import POP_PASSWORD

ACCOUNT_ADDRESS = "alice@example.org"


@pytest.fixture
def settings_dialog(app, qtbot, gui_home) -> Iterator[tuple[Desktop, AccountsDialog]]:
    desktop = Desktop(Config())
    dialog = desktop.show_accounts()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    yield desktop, dialog
    dialog.dirty = False
    dialog.close()
    close_desktop(desktop, qtbot)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def type_into(qtbot, widget, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def fill_pop(qtbot, dialog: AccountsDialog, host: str, port: int, security: Security,
             password: str = POP_PASSWORD, user: str = "alice") -> None:  # fmt: skip
    form = dialog.form
    if not form.address.text():
        qtbot.keyClicks(form.address, ACCOUNT_ADDRESS)
    type_into(qtbot, form.pop.host, host)
    form.pop.port.setValue(port)
    form.pop.security.setCurrentIndex(form.pop.security.findData(security.value))
    type_into(qtbot, form.pop.user, user)
    type_into(qtbot, form.pop.password, password)


def run_test(qtbot, dialog: AccountsDialog):
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.job is None and dialog.report.report is not None, timeout=WAIT_MS
    )
    return dialog.report.report


def test_typing_a_known_address_fills_in_the_provider_and_says_what_it_needs(
    settings_dialog, qtbot
):
    _desktop, dialog = settings_dialog
    form = dialog.form
    qtbot.keyClicks(form.address, "someone@gmail.com")
    assert form.pop.host.text() == "pop.gmail.com"
    assert form.smtp.host.text() == "smtp.gmail.com"
    assert form.pop.security.currentData() == Security.TLS.value
    assert form.note.isVisible() and "app password" in form.note.text
    # Servers the user typed are theirs: the note no longer claims they were filled
    # in, and another address does not overwrite them.
    type_into(qtbot, form.pop.host, "pop.my-company.example")
    assert not form.note.isVisible()
    type_into(qtbot, form.address, "someone@gmx.net")
    assert form.pop.host.text() == "pop.my-company.example"
    assert not form.note.isVisible()
    # A provider PyMailGUI cannot use says so.
    type_into(qtbot, form.pop.host, "")
    type_into(qtbot, form.smtp.host, "")
    type_into(qtbot, form.address, "someone@outlook.com")
    assert form.note.isVisible() and "OAuth2" in form.note.text


def test_a_name_that_does_not_exist_fails_at_dns(settings_dialog, qtbot):
    _desktop, dialog = settings_dialog
    dialog.form.smtp.setChecked(False)
    # RFC 2606: .invalid never resolves (and needs no network to say so).
    fill_pop(qtbot, dialog, "pop.no-such-host.invalid", 995, Security.TLS)
    report = run_test(qtbot, dialog)
    assert report.pop.failure.step is Step.DNS
    assert report.pop.failure.problem is Problem.NAME_NOT_FOUND
    assert "does not exist" in dialog.report.text and "✘" in dialog.report.text


def test_a_closed_port_is_refused_at_connect(settings_dialog, qtbot):
    _desktop, dialog = settings_dialog
    dialog.form.smtp.setChecked(False)
    fill_pop(qtbot, dialog, "127.0.0.1", closed_port(), Security.TLS)
    report = run_test(qtbot, dialog)
    assert report.pop.failure.step is Step.TCP and report.pop.failure.problem is Problem.REFUSED
    assert "refused the connection" in dialog.report.text


def test_a_wrong_password_is_refused_at_login(settings_dialog, qtbot, scripted_pop):
    _desktop, dialog = settings_dialog
    server = scripted_pop()
    dialog.form.smtp.setChecked(False)
    fill_pop(qtbot, dialog, server.host, server.port, Security.NONE, password="wrong")
    report = run_test(qtbot, dialog)
    assert report.pop.failure.step is Step.LOGIN
    assert report.pop.failure.problem is Problem.AUTH_REFUSED
    assert "refused the user name or password" in dialog.report.text


def test_an_unknown_ca_shows_the_certificate_and_can_be_pinned(
    settings_dialog, qtbot, scripted_pop, bad_certificates
):
    _desktop, dialog = settings_dialog
    server = scripted_pop(implicit_tls=bad_certificates["unknown-ca"].server_context())
    dialog.form.smtp.setChecked(False)
    fill_pop(qtbot, dialog, server.host, server.port, Security.TLS)
    report = run_test(qtbot, dialog)
    check = report.pop.failure.certificate
    assert report.pop.failure.step is Step.TLS and check is not None and check.pinnable
    text = dialog.report.text
    assert check.certificate.sha256 in text and "Issued by" in text
    button = dialog.report.pin_buttons["pop"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.job is None and dialog.report.report is not report, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report.report.ok, timeout=WAIT_MS)
    pinned = dialog.form.account().pop.pinned_certificate
    assert pinned and "works" in dialog.report.text.lower()


def test_a_certificate_for_another_host_is_never_pinnable(
    settings_dialog, qtbot, scripted_pop, bad_certificates, tls_files
):
    _desktop, dialog = settings_dialog
    server = scripted_pop(implicit_tls=bad_certificates["wrong-host"].server_context())
    dialog.form.smtp.setChecked(False)
    fill_pop(qtbot, dialog, server.host, server.port, Security.TLS)
    report = run_test(qtbot, dialog)
    check = report.pop.failure.certificate
    assert check is not None and not check.pinnable
    assert dialog.report.pin_buttons == {}
    assert "cannot be trusted" in dialog.report.text and "mail.example.org" in dialog.report.text


def test_smtp_starttls_refused_is_reported_for_smtp(
    settings_dialog, qtbot, scripted_pop, make_scripted_smtp
):
    _desktop, dialog = settings_dialog
    pop = scripted_pop()
    smtp = make_scripted_smtp(tls=False)  # a server that offers no STARTTLS
    fill_pop(qtbot, dialog, pop.host, pop.port, Security.NONE)
    box = dialog.form.smtp
    box.setChecked(True)
    type_into(qtbot, box.host, smtp.host)
    box.port.setValue(smtp.port)
    box.security.setCurrentIndex(box.security.findData(Security.STARTTLS.value))
    report = run_test(qtbot, dialog)
    assert report.pop.ok
    assert report.smtp.failure.problem is Problem.STARTTLS_NOT_OFFERED
    assert "Outgoing mail (SMTP)" in dialog.report.text


def test_save_add_edit_and_remove_accounts(settings_dialog, qtbot, scripted_pop, gui_home):
    desktop, dialog = settings_dialog
    server = scripted_pop()
    dialog.form.smtp.setChecked(False)
    fill_pop(qtbot, dialog, server.host, server.port, Security.NONE)
    type_into(qtbot, dialog.form.name, "home")
    qtbot.keyClicks(dialog.form.display_name, 'Alice "Al" Smith')
    dialog.form.signature.setPlainText("Alice\nhttps://alice.example.org")
    dialog.form.check.setValue(5)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    path = gui_home / "config.toml"
    qtbot.waitUntil(path.exists, timeout=WAIT_MS)
    written = path.read_text()
    assert POP_PASSWORD not in written  # a password never goes into the file
    config = load(path)
    home = config.accounts["home"]
    assert home.display_name == 'Alice "Al" Smith' and home.check_minutes == 5
    assert home.signature == "Alice\nhttps://alice.example.org"
    assert tomllib.loads(written)["accounts"]["home"]["pop"]["port"] == server.port
    # The first account set up opens, and its check interval is used.
    qtbot.waitUntil(lambda: "home" in desktop.inboxes, timeout=WAIT_MS)
    assert desktop.contexts["home"].check_timer.interval() == 5 * 60_000
    assert "The password could not be stored (no system keyring" in dialog.error_bar.text
    assert "keeps it until it quits" in dialog.error_bar.text
    # A second account, then edit the first, then remove the second.
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.form.smtp.setChecked(False)
    fill_pop(qtbot, dialog, server.host, server.port, Security.NONE)
    type_into(qtbot, dialog.form.name, "work")
    dialog.account_list.setCurrentRow(0)  # back to "home": "work" is kept in the copy
    assert dialog.form.name.text() == "home"
    dialog.form.check.setValue(0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.dirty, timeout=WAIT_MS)
    config = load(path)
    assert list(config.accounts) == ["home", "work"]
    assert config.accounts["home"].check_minutes == 0
    assert not desktop.contexts["home"].check_timer.isActive()
    switcher = desktop.inboxes["home"].switcher
    assert [switcher.itemText(i) for i in range(switcher.count())] == ["home", "work"]
    qtbot.waitUntil(lambda: switcher.isVisibleTo(desktop.inboxes["home"]), timeout=WAIT_MS)
    dialog.account_list.setCurrentRow(1)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.prompt is not None and dialog.prompt.isVisible(), timeout=WAIT_MS
    )
    yes = next(b for b in dialog.prompt.buttons() if b.objectName() == "remove_account_yes")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: list(load(path).accounts) == ["home"], timeout=WAIT_MS)
    assert (gui_home / "config.toml.bak").exists()
