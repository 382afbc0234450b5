"""What a new user trying ``pymail`` ran into (issue 6, "Found when pymail was tried").

Each test runs the real command (see conftest.py) against the demo account or the
project's scripted POP3 server, and checks the outcome through the server's maildrop,
the folders on disk, or another ``pymail`` run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.console.conftest import Pymail, Result, configure_scripted, smtp_table
from tests.support.mail import make_message
from tests.support.popserver import POP_USER, PopServerFactory
from tests.support.smtp import SMTPOptions, SMTPTestServer

from pymailgui.console import format as fmt
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript

pytestmark = pytest.mark.timeout(120)

#: An interactive index row: mark column, number, status, date.
INDEX_ROW = re.compile(r"^[ D] +\d+ [NUR ] (\d{4}-\d\d-\d\d|\(no date\))")


def fill(server: ScriptedPOP3Server, n: int = 3) -> list[str]:
    drop = server.maildrop(POP_USER)
    return [drop.add(make_message(f"msg {i}", f"body {i}\r\n")) for i in range(1, n + 1)]


def folder_names(pymail: Pymail, *demo: str) -> list[str]:
    r = pymail(*demo, "folders")
    assert r.rc == 0, r.err
    return [line.split()[0] for line in r.lines()]


def folder_subjects(pymail: Pymail, name: str, *demo: str) -> list[str]:
    r = pymail(*demo, "folder", name, "list", "--json")
    assert r.rc == 0, r.err
    return [str(row["subject"]) for row in json.loads(r.text)]


def ok(r: Result) -> Result:
    assert r.rc == 0, f"exit {r.rc}: {r.err}"
    assert "Traceback" not in r.err
    return r


# -- 1. rows as wide as the terminal ----------------------------------------------------


@pytest.mark.parametrize("columns", [80, 100, 120, 150])
def test_list_rows_are_exactly_as_wide_as_the_terminal(pymail: Pymail, columns: int) -> None:
    env = {"COLUMNS": str(columns)}
    lines = ok(pymail("--demo", "list", env=env)).lines()
    assert len(lines) == 13
    assert {fmt.cells(line) for line in lines} == {columns}
    interactive = ok(pymail("--demo", stdin="d 2\ni\nq\nn\n", env=env)).lines()
    rows = [line for line in interactive if INDEX_ROW.match(line)]
    assert len(rows) == 26  # the index at start and after "i"
    assert {fmt.cells(line) for line in rows} == {columns}
    assert [line[:4] for line in rows[13:15]] == ["   1", "D  2"]  # marked for deletion


# -- 2. no empty folders from failures; a command to create one -------------------------


def test_failed_imports_leave_no_folder(pymail: Pymail, tmp_path: Path) -> None:
    not_mbox = tmp_path / "notes.txt"
    not_mbox.write_text("Shopping list\n\nmilk\n", encoding="utf-8")
    for path in (tmp_path / "missing.mbox", not_mbox, tmp_path):
        r = pymail("--demo", "import-mbox", str(path), "--folder", "Imported")
        assert str(path) in r.assert_clean_error(2)
    assert "Imported" not in folder_names(pymail, "--demo")


def test_a_failed_save_into_a_new_folder_leaves_no_folder(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server)
    configure_scripted(pymail, server)
    ok(pymail("list"))
    server.maildrop(POP_USER).delete(uids[1])  # another client takes message 2
    r = pymail("save", "2", "--folder", "Fresh")
    assert r.rc != 0 and "Traceback" not in r.err
    assert "Fresh" not in folder_names(pymail)
    ok(pymail("save", "1", "--folder", "Fresh"))  # a save that works keeps it
    assert folder_subjects(pymail, "Fresh") == ["msg 1"]


def test_folder_create_rename_remove(pymail: Pymail) -> None:
    assert (
        "Created the folder Projects." in ok(pymail("--demo", "folder", "Projects", "create")).text
    )
    pymail("--demo", "folder", "projects", "create").assert_clean_error(2)  # exists (any case)
    pymail("--demo", "folder", "../up", "create").assert_clean_error(2)
    ok(pymail("--demo", "folder", "Projects", "rename", "Done"))
    names = folder_names(pymail, "--demo")
    assert "Done" in names and "Projects" not in names
    ok(pymail("--demo", "folder", "Done", "remove", "--yes"))
    assert "Done" not in folder_names(pymail, "--demo")


# -- 3. the demo keeps its state apart ---------------------------------------------------


def test_demo_folders_and_mail_never_show_under_a_real_account(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    ok(pymail("--demo", "list"))
    ok(pymail("--demo", "save", "1", "2", "--folder", "DemoOnly"))
    ok(pymail("--demo", "send", "--to", "demo@example.com", "--subject", "hi", stdin="x\n"))
    assert "DemoOnly" in folder_names(pymail, "--demo")
    client = pymail.home / "demo" / "client"
    assert (client / "folders" / "DemoOnly").is_dir()
    assert (client / "console.sqlite3").is_file() and (client / "cache.sqlite3").is_file()

    server = pop_server_factory()
    fill(server, 2)
    configure_scripted(pymail, server)
    assert "DemoOnly" not in folder_names(pymail)
    assert folder_subjects(pymail, "Sent") == []  # the demo's sent message is the demo's
    rows = json.loads(ok(pymail("list", "--json")).text)
    assert [row["subject"] for row in rows] == ["msg 1", "msg 2"]
    # Numbers are per account too: "show 1" of the real account is its own message 1.
    assert b"body 1" in ok(pymail("show", "1", "--raw")).out
    assert not (pymail.home / "folders" / "DemoOnly").exists()


# -- 4. one rule for every destructive verb --------------------------------------------

DESTRUCTIVE = {
    "delete": ("delete", "1"),
    "save --delete": ("save", "1", "--folder", "Kept", "--delete"),
    "folder delete": ("folder", "Work", "delete", "1"),
    "folder remove": ("folder", "Work", "remove", "--force"),
}


def demo_state(pymail: Pymail) -> tuple[list[str], list[str], list[str]]:
    inbox = [str(r["uid"]) for r in json.loads(ok(pymail("--demo", "list", "--json")).text)]
    names = folder_names(pymail, "--demo")
    work = folder_subjects(pymail, "Work", "--demo") if "Work" in names else []
    return inbox, names, work


@pytest.fixture
def demo_with_work(pymail: Pymail) -> Pymail:
    ok(pymail("--demo", "list"))
    ok(pymail("--demo", "save", "3", "4", "--folder", "Work"))
    ok(pymail("--demo", "folder", "Work", "list"))
    return pymail


@pytest.mark.parametrize("verb", list(DESTRUCTIVE))
def test_destructive_verbs_need_yes_without_a_terminal(demo_with_work: Pymail, verb: str) -> None:
    pymail = demo_with_work
    before = demo_state(pymail)
    r = pymail("--demo", *DESTRUCTIVE[verb], stdin="y\n")  # a "y" on a pipe is not a yes
    assert "--yes" in r.assert_clean_error(2)
    assert demo_state(pymail) == before


@pytest.mark.parametrize("verb", list(DESTRUCTIVE))
def test_destructive_verbs_ask_on_a_terminal(demo_with_work: Pymail, verb: str) -> None:
    pymail = demo_with_work
    before = demo_state(pymail)
    r = pymail.on_terminal("--demo", *DESTRUCTIVE[verb], typed="n\n")
    assert r.rc == 6, r.err
    assert "[y/N]" in r.err and "Nothing was" in r.err
    assert demo_state(pymail) == before
    r = pymail.on_terminal("--demo", *DESTRUCTIVE[verb], typed="y\n")
    assert r.rc == 0, r.err
    assert demo_state(pymail) != before


@pytest.mark.parametrize("verb", list(DESTRUCTIVE))
def test_destructive_verbs_with_yes_do_not_ask(demo_with_work: Pymail, verb: str) -> None:
    pymail = demo_with_work
    before = demo_state(pymail)
    r = ok(pymail("--demo", *DESTRUCTIVE[verb], "--yes"))
    assert "[y/N]" not in r.err
    assert demo_state(pymail) != before


def test_folder_move_is_not_destructive(demo_with_work: Pymail) -> None:
    pymail = demo_with_work
    moved = folder_subjects(pymail, "Work", "--demo")[0]
    ok(pymail("--demo", "folder", "Work", "move", "1", "--to", "Later"))
    assert folder_subjects(pymail, "Later", "--demo") == [moved]


# -- 6. help ---------------------------------------------------------------------------


def test_an_unknown_option_shows_that_subcommand_usage(pymail: Pymail) -> None:
    r = pymail("--demo", "list", "--bogus")
    assert r.rc == 2
    assert r.err.startswith("usage: pymail list ")
    assert "pymail: unrecognized arguments: --bogus" in r.err
    r = pymail("--demo", "folder", "Saved", "show", "1", "--bogus")
    assert r.rc == 2 and r.err.startswith("usage: pymail folder NAME show ")


def test_export_onto_an_existing_file_names_force(pymail: Pymail, tmp_path: Path) -> None:
    target = tmp_path / "out.mbox"
    target.write_bytes(b"keep me")
    ok(pymail("--demo", "list"))
    ok(pymail("--demo", "save", "1", "--folder", "Work"))
    assert "--force" in pymail("--demo", "export-mbox", "Work", str(target)).assert_clean_error(2)
    assert target.read_bytes() == b"keep me"
    ok(pymail("--demo", "export-mbox", "Work", str(target), "--force"))
    assert target.read_bytes().startswith(b"From ")


# -- 7. the interactive mode -----------------------------------------------------------


def test_interactive_wording_names_its_own_commands(pymail: Pymail) -> None:
    r = ok(pymail("--demo", stdin="l 99\nd 2 5\nu 5\nq\nn\n"))
    text = r.text
    assert "'i' shows the inbox again" in text and "pymail list" not in text
    assert "Marked for deletion: messages 2, 5 (deleted when you quit" in text
    assert "Marked for deletion: message 2 (" in text
    rows = json.loads(ok(pymail("--demo", "list", "--json")).text)
    # The quit prompt lists what would be deleted, by number and subject.
    assert f"   2  {fmt.sender_name(str(rows[1]['from']))}: {rows[1]['subject']}" in text
    assert "Delete this message from the server? [y/N]" in text
    assert "Nothing was deleted." in text
    assert len(rows) == 13


def test_interactive_checks_addresses_as_they_are_typed(pymail: Pymail) -> None:
    typed = "m\nnot an address\ndemo@example.com\nbad@@cc\n\nChecked early\nHello there.\n.\ny\n"
    r = ok(pymail("--demo", stdin=typed + "q\n"))
    text = r.text
    assert text.index("“not an address” is not a valid address") < text.index("Type the text")
    assert text.index("“bad@@cc” is not a valid address") < text.index("Type the text")
    assert "Sent to demo@example.com." in text
    rows = json.loads(ok(pymail("--demo", "list", "--json")).text)
    assert rows[-1]["subject"] == "Checked early"


def test_interactive_text_is_kept_in_drafts_when_it_cannot_be_sent(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    # A reply to a sender with no usable address cannot even be built for Outbox.
    server.maildrop(POP_USER).add(make_message("From a robot", sender="robot"))
    configure_scripted(pymail, server, extra=smtp_table(server.port))
    r = ok(pymail(stdin="r 1\nWorth keeping.\n.\ny\nq\n"))
    assert "“robot” is not a valid address. Your text is kept in Drafts." in r.text
    assert folder_subjects(pymail, "Drafts") == ["Re: From a robot"]
    assert b"Worth keeping." in ok(pymail("folder", "Drafts", "show", "1", "--raw")).out
    assert folder_subjects(pymail, "Outbox") == []


def test_a_failed_send_waits_in_outbox_and_resend_sends_it(
    pymail: Pymail,
    pop_server_factory: PopServerFactory,
    make_scripted_smtp: Callable[..., ScriptedSMTPServer],
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    server = pop_server_factory()
    fill(server, 1)
    refusing = make_scripted_smtp(SMTPScript(reply_421_on="MAIL"), tls=False)
    configure_scripted(pymail, server, extra=smtp_table(refusing.port))
    r = pymail("send", "--to", "bob@example.com", "--subject", "Try again", stdin="Hello Bob.\n")
    sentence = r.assert_clean_error(1)
    assert "waits in Outbox" in sentence and "'pymail resend' sends it" in sentence
    listing = ok(pymail("outbox")).text
    assert "To bob@example.com: Try again" in listing and "(1 attempt)" in listing
    assert folder_subjects(pymail, "Sent") == []

    good = make_smtp_server(SMTPOptions())
    configure_scripted(pymail, server, extra=smtp_table(good.port))
    r = ok(pymail("resend", "1"))
    assert "Sent: Try again." in r.text
    assert [m.rcpt_tos for m in good.received] == [["bob@example.com"]]
    assert b"Hello Bob." in good.received[0].content
    assert folder_subjects(pymail, "Sent") == ["Try again"]
    assert folder_subjects(pymail, "Outbox") == []
    assert "Outbox is empty" in ok(pymail("outbox")).err
    pymail("resend", "1").assert_clean_error(2)  # message 1 of that list went out


def test_a_failed_send_without_an_smtp_server_waits_in_outbox(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    fill(server, 1)
    configure_scripted(pymail, server)  # no [smtp] table
    r = pymail(stdin="m\nbob@example.com\n\nNo server\nStill here.\n.\ny\nq\n")
    assert r.rc == 0, r.err
    assert "has no SMTP server" in r.text and "waits in Outbox" in r.text
    assert folder_subjects(pymail, "Outbox") == ["No server"]
    assert folder_subjects(pymail, "Drafts") == []  # one copy, not two


def test_ctrl_c_while_writing_cancels_the_message_not_the_program(pymail: Pymail) -> None:
    live = pymail.live("--demo")
    live.expect("Action?")
    live.type("m\ndemo@example.com\n\nNever sent\nhalf a thought\n")
    live.expect("Type the text")
    live.expect("Ctrl-C cancels")
    live.interrupt()
    live.expect("Message cancelled; nothing was sent.")
    live.type("l 1\nq\n")
    r = live.finish()
    assert r.rc == 0, r.err
    assert "Subject: Welcome to the PyMailGUI demo" in r.text  # still running after Ctrl-C
    assert folder_subjects(pymail, "Sent", "--demo") == []
    assert folder_subjects(pymail, "Drafts", "--demo") == []
    assert len(json.loads(ok(pymail("--demo", "list", "--json")).text)) == 13


PAGER_SCRIPT = "sh -c 'cat > \"$0\"' {marker}"


def long_message_number(pymail: Pymail) -> int:
    rows = json.loads(ok(pymail("--demo", "list", "--json")).text)
    return next(int(str(r["num"])) for r in rows if "sensor export" in str(r["subject"]))


def test_no_pager_when_output_is_not_a_terminal(pymail: Pymail, tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    env = {"PAGER": PAGER_SCRIPT.format(marker=marker), "LINES": "10"}
    n = long_message_number(pymail)
    r = ok(pymail("--demo", "show", str(n), env=env))
    assert "Subject: Nightly sensor export" in r.text
    r = ok(pymail.on_terminal("--demo", "show", str(n), env=env))  # only stdin is a terminal
    assert not marker.exists()


def test_a_long_message_goes_through_the_pager_on_a_terminal(
    pymail: Pymail, tmp_path: Path
) -> None:
    marker = tmp_path / "paged"
    env = {"PAGER": PAGER_SCRIPT.format(marker=marker), "LINES": "10"}
    n = long_message_number(pymail)
    live = pymail.live("--demo", "show", str(n), env=env, stdout_tty=True)
    r = live.finish()
    assert r.rc == 0, r.err
    assert "Subject: Nightly sensor export" in marker.read_text(encoding="utf-8")
    assert "Subject: Nightly sensor export" not in r.text  # shown by the pager only
    marker.unlink()
    short = pymail.live("--demo", "show", "1", env=env | {"LINES": "200"}, stdout_tty=True)
    assert "Subject: Welcome" in short.finish().text  # fits the screen: no pager
    assert not marker.exists()


# -- 8. not loaded yet ------------------------------------------------------------------


def test_list_offline_before_any_refresh_says_not_loaded(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    fill(server, 2)
    configure_scripted(pymail, server)
    r = ok(pymail("list", "--offline"))
    assert r.out == b""
    assert "not loaded yet" in r.err and "empty" not in r.err
    assert "'pymail list'" in r.err
    assert json.loads(ok(pymail("list", "--offline", "--json")).text) == []
    assert server.session_count == 0
    ok(pymail("list"))
    assert len(ok(pymail("list", "--offline")).lines()) == 2


def test_a_typo_at_send_it_asks_again_and_never_drops_the_text(pymail: Pymail) -> None:
    r = pymail("--demo", stdin="m\ndemo@example.com\n\nTypo\nkeep me\n.\nsure\nd\nq\n")
    assert r.rc == 0, r.err
    assert "Answer y to send, n to discard the text, or d to keep it in Drafts." in r.text
    assert "Kept in Drafts." in r.text
    assert folder_subjects(pymail, "Drafts", "--demo") == ["Typo"]
    assert folder_subjects(pymail, "Sent", "--demo") == []


def test_send_ends_the_text_with_the_signature_as_the_gui_does(pymail: Pymail) -> None:
    r = pymail("--demo", "send", "--to", "demo@example.com", "--subject", "Signed", stdin="Hi.\n")
    assert r.rc == 0, r.err
    sent = ok(pymail("--demo", "folder", "Sent", "show", "1", "--raw")).out
    assert "Hi.\n\n-- \nSent from the PyMailGUI demo" in sent.decode().replace("\r\n", "\n")


def test_a_send_queued_for_want_of_a_password_does_not_exit_as_nothing_done(
    pymail: Pymail,
    pop_server_factory: PopServerFactory,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    # No terminal to ask, no password source: the message waits in Outbox, so the exit
    # code is 1 (a failure), never 2 ("nothing done").
    server = pop_server_factory()
    fill(server, 1)
    needs_login = make_smtp_server(SMTPOptions(tls="starttls", auth=True))
    table = smtp_table(needs_login.port).replace('auth = "none"', 'auth = "plain"')
    table = table.replace('security = "none"', 'security = "none"\nusername = "alice"')
    configure_scripted(pymail, server, extra=table)
    r = pymail("send", "--to", "bob@example.com", "--subject", "Later", stdin="Text.\n")
    sentence = r.assert_clean_error(1)
    assert "No password for alice" in sentence and "waits in Outbox" in sentence
    assert folder_subjects(pymail, "Outbox") == ["Later"]


def test_the_demo_account_needs_no_password(pymail: Pymail) -> None:
    sentence = pymail("--demo", "password").assert_clean_error(2)
    assert sentence == "The demo account needs no password; nothing was stored."


@pytest.mark.parametrize("extra", [[], ["--yes"], ["--yes", "--force"]])
def test_a_standard_folder_is_refused_before_any_question(pymail: Pymail, extra: list[str]) -> None:
    sentence = pymail("--demo", "folder", "Sent", "remove", *extra).assert_clean_error(2)
    assert sentence == "Sent is a standard folder and cannot be removed."


def test_demo_with_an_account_or_config_says_they_do_not_apply(pymail: Pymail) -> None:
    for extra in (["--account", "work"], ["--config", "elsewhere.toml"]):
        sentence = pymail("--demo", *extra, "list").assert_clean_error(2)
        assert sentence == "--demo opens the demo account: --account and --config don't apply."


def test_parts_into_a_file_says_it_is_a_file(pymail: Pymail, tmp_path: Path) -> None:
    ok(pymail("--demo", "list"))
    target = tmp_path / "a-file"
    target.write_text("x")
    sentence = pymail("--demo", "parts", "4", "--dir", str(target)).assert_clean_error(1)
    assert sentence == f"Cannot save the parts into {target}: it is a file, not a folder."


def test_drafts_are_never_listed_as_unread(pymail: Pymail) -> None:
    ok(pymail("--demo", stdin="m\ndemo@example.com\n\nMy own\ntext\n.\nd\nq\n"))
    rows = json.loads(ok(pymail("--demo", "folder", "Drafts", "list", "--json")).text)
    assert [(r["subject"], "S" in r["flags"], "D" in r["flags"]) for r in rows] == [
        ("My own", True, True)
    ]
