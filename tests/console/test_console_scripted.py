"""``pymail`` end to end against the project's scripted POP3 server and the demo account.

The scripted server injects what Dovecot will not do on request: no STLS, no UIDL, a
QUIT that fails, a dropped connection. Its transcript shows what the client sent (with
secrets redacted by the server), and its maildrop what is really left. The first tests
run the real command as a subprocess; the config and usage checks at the end call
``main()`` in-process, which is faster and sees the same code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.console.conftest import Pymail, configure_scripted, lf, write_config
from tests.support.mail import make_message, twin_messages
from tests.support.popserver import POP_PASSWORD, POP_USER, PopServerFactory
from tests.support.tls import TLSFiles

from pymailgui.console.main import main
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.pop3server import ScriptedPOP3Server

DEMO_SAMPLES = 13
LOGIN_VERBS = {"USER", "PASS", "AUTH", "APOP"}


configure = configure_scripted


def fill(server: ScriptedPOP3Server, *messages: bytes) -> list[str]:
    drop = server.maildrop(POP_USER)
    return [drop.add(m) for m in messages]


def verbs(server: ScriptedPOP3Server) -> list[str]:
    return [c.split(" ", 1)[0].upper() for s in server.transcript for _, c in s]


def subjects(pymail: Pymail) -> list[str]:
    r = pymail("list", "--offline", "--json")
    assert r.rc == 0, r.err
    return [str(row["subject"]) for row in json.loads(r.text)]


def three(server: ScriptedPOP3Server) -> list[str]:
    return fill(server, *(make_message(f"msg {i}", f"body {i}\r\n") for i in (1, 2, 3)))


# -- TLS required but not offered --------------------------------------------------------


def test_starttls_required_but_not_offered_exits_5_before_login(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()  # plaintext, CAPA without STLS
    three(server)
    configure(pymail, server, "starttls")
    r = pymail("list")
    sentence = r.assert_clean_error(5)
    assert "STLS" in sentence or "STARTTLS" in sentence or "TLS" in sentence
    assert r.out == b""
    assert server.session_count >= 1
    assert not LOGIN_VERBS & set(verbs(server)), server.transcript


def test_starttls_with_untrusted_certificate_sends_no_password(
    pymail: Pymail,
    pop_server_factory: PopServerFactory,
    tls_files: TLSFiles,
    untrusted_tls_files: TLSFiles,
) -> None:
    server = pop_server_factory(ServerBehavior(stls=untrusted_tls_files.server_context()))
    three(server)
    configure(pymail, server, "starttls", ca_file=tls_files.ca_file)
    r = pymail("list")
    r.assert_clean_error(5)
    assert "STLS" in verbs(server)
    assert not LOGIN_VERBS & set(verbs(server)), server.transcript


# -- confirmation, safe delete -----------------------------------------------------------


@pytest.mark.parametrize("answer", ["n\n", "\x04"], ids=["no", "ctrl-d"])
def test_delete_without_yes_and_no_answer_deletes_nothing(
    pymail: Pymail, pop_server_factory: PopServerFactory, answer: str
) -> None:
    server = pop_server_factory()
    uids = three(server)
    configure(pymail, server)
    assert pymail("list").rc == 0
    r = pymail.on_terminal("delete", "2", typed=answer)
    assert r.rc == 6, r.err  # declined: its own exit status
    assert "msg 2" in r.err  # the prompt says which message
    assert "Nothing was deleted." in r.err
    assert "Traceback" not in r.err
    assert server.maildrop(POP_USER).uids() == uids
    assert "DELE" not in verbs(server)


def test_delete_confirmed_on_the_terminal(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    uids = three(server)
    configure(pymail, server)
    assert pymail("list").rc == 0
    r = pymail.on_terminal("delete", "2", typed="y\n")
    assert r.rc == 0, r.err
    assert server.maildrop(POP_USER).uids() == [uids[0], uids[2]]
    assert subjects(pymail) == ["msg 1", "msg 3"]


def test_unknown_number_exits_2_and_deletes_nothing(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    uids = three(server)
    configure(pymail, server)
    r = pymail("show", "1")  # no list shown yet
    assert "list" in r.assert_clean_error(2)
    assert pymail("list").rc == 0
    r = pymail("show", "4")
    assert "4" in r.assert_clean_error(2)
    r = pymail("delete", "1", "4", "--yes")  # one bad number: nothing at all is done
    r.assert_clean_error(2)
    r = pymail("show", "--uid", "no-such-uid")
    r.assert_clean_error(2)
    assert server.maildrop(POP_USER).uids() == uids
    assert "DELE" not in verbs(server)


def test_uid_instead_of_number(pymail: Pymail, pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory()
    msgs = [make_message(f"msg {i}", f"body {i}\r\n") for i in (1, 2, 3)]
    uids = fill(server, *msgs)
    configure(pymail, server)
    rows = json.loads(pymail("list", "--json").text)
    assert [row["uid"] for row in rows] == uids
    r = pymail("show", "--uid", uids[2], "--raw")
    assert r.rc == 0, r.err
    assert r.out == msgs[2]
    r = pymail("delete", "--uid", uids[0], "--yes")
    assert r.rc == 0, r.err
    assert server.maildrop(POP_USER).uids() == uids[1:]


def test_no_uidl_twins_are_never_guessed(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory(ServerBehavior(uidl=False))
    twin_a, twin_b = twin_messages()
    other = make_message("Unique", "only one of me\r\n")
    uids = fill(server, twin_a, twin_b, other)
    configure(pymail, server)
    r = pymail("list")
    assert r.rc == 0, r.err
    assert len(r.lines()) == 3

    for number in ("1", "2"):
        r = pymail("delete", number, "--yes")
        assert "Daily report" in r.assert_clean_error(3)
        assert server.maildrop(POP_USER).uids() == uids
    r = pymail("show", "2", "--raw")
    r.assert_clean_error(3)
    assert r.out == b""  # neither twin's text is shown as "message 2"
    assert "DELE" not in verbs(server)

    # A message that can be told apart is deleted, without UIDL, by its fingerprint.
    r = pymail("delete", "3", "--yes")
    assert r.rc == 0, r.err
    assert server.maildrop(POP_USER).uids() == uids[:2]


@pytest.mark.parametrize(("fault", "rc"), [("quit_error", 1), ("drop_before_quit_reply", 5)])
def test_uncommitted_quit_reports_nothing_deleted(
    pymail: Pymail, pop_server_factory: PopServerFactory, fault: str, rc: int
) -> None:
    server = pop_server_factory()
    uids = three(server)
    configure(pymail, server)
    listed = pymail("list")
    assert listed.rc == 0

    server.set_behavior(**{fault: True})
    r = pymail("delete", "2", "--yes")
    sentence = r.assert_clean_error(rc)
    assert "nothing was deleted" in sentence.lower()
    assert "DELE" in verbs(server)  # it got as far as DELE, then QUIT did not commit
    assert server.maildrop(POP_USER).uids() == uids
    # The index still has the message under the number the user saw.
    assert pymail("list", "--offline").out == listed.out

    server.set_behavior(**{fault: False})
    r = pymail("delete", "2", "--yes")
    assert r.rc == 0, r.err
    assert server.maildrop(POP_USER).uids() == [uids[0], uids[2]]


def test_mailbox_in_use_is_a_sentence(pymail: Pymail, pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(ServerBehavior(always_in_use=True))
    three(server)
    configure(pymail, server)
    r = pymail("list")
    r.assert_clean_error(1)
    assert r.out == b""


def test_broken_headers_are_listed_not_fatal(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    fill(
        server,
        b"From: nobody\r\n\r\nno subject, no date\r\n",
        b"Subject: =?utf-8?q?broken=ZZ?= =?unknown-8bit?b?AAAA?=\r\n"
        b"From: =?utf-8?b?!!!?= <x@example.com>\r\nDate: not a date\r\n\r\nbody\r\n",
    )
    configure(pymail, server)
    r = pymail("list", "--json")
    assert r.rc == 0, r.err
    rows = json.loads(r.text)
    assert [row["date"] for row in rows] == [None, None]
    assert rows[0]["subject"] == "" and rows[0]["from"] == "nobody"
    assert "x@example.com" in str(rows[1]["from"])
    for n in ("1", "2"):
        r = pymail("show", n)
        assert r.rc == 0, r.err
    r = pymail("list")
    assert r.rc == 0 and "(no subject)" in r.lines()[0] and "(no date)" in r.lines()[0]


def test_raw_8bit_header_is_listed_as_show_decodes_it(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    fill(server, b"From: Caf\xe9 <cafe@example.com>\r\nSubject: Caf\xe9 cr\xe8me\r\n\r\nx\r\n")
    configure(pymail, server)
    assert pymail("list").rc == 0
    r = pymail("show", "1")
    assert r.rc == 0, r.err
    assert "Subject: Café crème" in r.lines()  # show recovers the latin-1 bytes
    rows = json.loads(pymail("list", "--json").text)
    assert rows[0]["subject"] == "Café crème"


def test_no_password_source_exits_2_without_connecting(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    three(server)
    path = configure(pymail, server)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(line for line in text.splitlines() if "password_command" not in line),
        encoding="utf-8",
    )
    r = pymail("list")  # stdin is not a terminal: nobody to ask
    assert "password" in r.assert_clean_error(2)
    assert server.session_count == 0


# -- the demo account ----------------------------------------------------------------


def test_demo_list_in_fresh_home(pymail: Pymail) -> None:
    r = pymail("--demo", "list")
    assert r.rc == 0, r.err
    assert "Traceback" not in r.err
    lines = r.lines()
    assert len(lines) == DEMO_SAMPLES
    assert [line.split()[0] for line in lines] == [str(n) for n in range(1, DEMO_SAMPLES + 1)]
    assert (pymail.home / "demo").is_dir()  # state lives under PYMAILGUI_HOME


def test_demo_interactive_deletes_exactly_message_2(pymail: Pymail) -> None:
    before = json.loads(pymail("--demo", "list", "--json").text)
    assert len(before) == DEMO_SAMPLES
    r = pymail("--demo", stdin="i\nl 1\nd 2\nq\ny\n")
    assert r.rc == 0, r.err
    assert "Traceback" not in r.err
    assert f"Subject: {before[0]['subject']}" in r.lines()  # "l 1" showed message 1
    assert "Deleted 1 message." in r.text
    after = json.loads(pymail("--demo", "list", "--json").text)
    assert [row["uid"] for row in after] == [
        row["uid"] for row in before if row["uid"] != before[1]["uid"]
    ]


def test_demo_interactive_end_of_input_deletes_nothing(pymail: Pymail) -> None:
    before = json.loads(pymail("--demo", "list", "--json").text)
    r = pymail("--demo", "interactive", stdin="d 1 3\n")  # marked, then EOF: no "y"
    assert r.rc == 0, r.err
    assert "Nothing was deleted." in r.text
    after = json.loads(pymail("--demo", "list", "--json").text)
    assert after == before


def test_demo_list_on_an_ascii_terminal(pymail: Pymail) -> None:
    r = pymail("--demo", "list", env={"PYTHONIOENCODING": "ascii"})
    assert r.rc == 0, r.err
    assert len(r.lines()) == DEMO_SAMPLES


# -- in-process: config and usage errors, JSON ------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "inproc"
    directory.mkdir()
    monkeypatch.setenv("PYMAILGUI_HOME", str(directory))
    return directory


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def assert_config_error(rc: int, out: str, err: str) -> str:
    assert rc == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pymail: "), err
    return lines[0]


def account_toml(*pop_lines: str, pop: bool = True) -> str:
    """A one-account config with a valid [pop] table plus ``pop_lines`` in it."""
    text = '[accounts.a]\naddress = "a@example.com"\n'
    if pop:
        text += '[accounts.a.pop]\nhost = "127.0.0.1"\npassword_command = "echo x"\n'
    return text + "".join(line + "\n" for line in pop_lines)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (account_toml('password = "hunter2"'), "password"),
        (account_toml("colour = 3"), "colour"),
        (account_toml('security = "ssl"'), "security"),
        (account_toml("port = 99999"), "port"),
        (account_toml('ca_file = "/nonexistent/ca.pem"'), "ca_file"),
        (account_toml(pop=False), "pop"),
        ("[accounts.a\n", "TOML"),
    ],
    ids=[
        "password-key",
        "unknown-key",
        "bad-security",
        "bad-port",
        "no-ca-file",
        "no-pop",
        "bad-toml",
    ],
)
def test_bad_config_exits_2(
    home: Path, capsys: pytest.CaptureFixture[str], toml: str, expected: str
) -> None:
    path = home / "config.toml"
    path.write_text(toml, encoding="utf-8")
    for argv in (["list"], ["--config", str(path), "list", "--offline"]):
        line = assert_config_error(*run_main(capsys, *argv))
        assert expected in line
        assert "hunter2" not in line


def test_missing_config_exits_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = assert_config_error(*run_main(capsys, "list"))
    assert "--demo" in line  # tells a new user what to try
    missing = home / "nope.toml"
    line = assert_config_error(*run_main(capsys, "--config", str(missing), "list"))
    assert str(missing) in line


def test_unknown_account_and_failing_password_command_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], pop_server_factory: PopServerFactory
) -> None:
    server = pop_server_factory()
    path = write_config(
        home / "config.toml",
        host=server.host,
        port=server.port,
        security="none",
        username=POP_USER,
        password=POP_PASSWORD,
    )
    line = assert_config_error(*run_main(capsys, "--account", "nobody", "list"))
    assert "nobody" in line
    text = path.read_text(encoding="utf-8").replace("printf", "exit 7; printf")
    path.write_text(text, encoding="utf-8")
    line = assert_config_error(*run_main(capsys, "list"))
    assert "password_command" in line and "7" in line
    assert server.session_count == 0 or "PASS" not in verbs(server)


@pytest.mark.parametrize(
    "argv",
    [["show", "0"], ["show", "x"], ["delete", "-1", "--yes"], ["frobnicate"], ["list", "--bogus"]],
)
def test_usage_errors_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and "pymail: " in err


def test_inprocess_list_json_then_show_raw(
    home: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    pop_server_factory: PopServerFactory,
) -> None:
    server = pop_server_factory()
    msgs = [make_message("One"), lf(make_message("Two", ".dot\r\n"))]
    uids = fill(server, *msgs)
    path = write_config(
        home / "elsewhere.toml",
        host=server.host,
        port=server.port,
        security="none",
        username=POP_USER,
        password=POP_PASSWORD,
    )
    assert main(["--config", str(path), "list", "--json"]) == 0
    out, err = capsysbinary.readouterr()
    rows = json.loads(out)
    assert [(r["num"], r["uid"], r["subject"]) for r in rows] == [
        (1, uids[0], "One"),
        (2, uids[1], "Two"),
    ]
    assert b"2 messages (2 new)" in err
    assert main(["--config", str(path), "show", "2", "--raw"]) == 0
    out, _ = capsysbinary.readouterr()
    assert lf(out) == msgs[1]
    assert server.wait_idle()
