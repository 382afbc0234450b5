"""The demo account: the sample mail and the persistent demo server."""

from __future__ import annotations

import email
import email.policy
import os
import poplib
import re
import signal
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from pymailgui.devserver.demo import (
    DEMO_PASSWORD,
    DEMO_USER,
    DemoServer,
    sample_messages,
)
from pymailgui.lines import to_crlf

SAMPLES = sample_messages()


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def by_name(fragment: str) -> EmailMessage:
    (data,) = [data for name, data in SAMPLES if fragment in name]
    return parse(data)


def login(server: DemoServer) -> poplib.POP3:
    client = poplib.POP3(server.host, server.port, timeout=5)
    client.user(DEMO_USER)
    client.pass_(DEMO_PASSWORD)
    return client


@pytest.mark.parametrize(("name", "data"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_every_sample_parses_and_decodes(name: str, data: bytes) -> None:
    msg = parse(data)
    for header in ("From", "To", "Subject", "Date"):
        assert str(msg[header]), header
    assert msg["Date"].datetime.year == 2026
    for part in msg.walk():
        if not part.is_multipart():
            assert part.get_content() is not None  # decodes without raising
    # Defects are tolerated but none of ours should be severe enough to lose a part.
    assert all(not part.defects for part in msg.walk()), name


def test_there_are_a_dozen_samples_using_only_reserved_names() -> None:
    assert len(SAMPLES) >= 12
    for name, data in SAMPLES:
        msg = parse(data)
        text = "\n".join(f"{k}: {v}" for k, v in msg.items())
        text += "".join(p.get_content() for p in msg.walk() if p.get_content_maintype() == "text")
        for domain in re.findall(r"@([A-Za-z0-9.-]+)", text):
            assert domain.endswith("example.com"), (name, domain)
        hosts = re.findall(r"https?://([^/\"'?]+)", text)
        assert all(host.endswith("example.com") for host in hosts), (name, hosts)


def test_html_newsletter_has_the_hostile_bits() -> None:
    msg = by_name("newsletter")
    assert msg.get_content_type() == "text/html" and not msg.is_multipart()
    html = msg.get_content()
    assert "<script>" in html
    assert re.search(r'<img src="https://cdn\.example\.com/[^"]+"', html)  # external image
    assert re.search(r'<img src="https://tracker\.[^"]+" width="1" height="1"', html)  # pixel
    assert len(html) > 4000


def test_alternative_and_attachments() -> None:
    alt = by_name("alternative")
    assert alt.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alt.iter_parts()] == ["text/plain", "text/html"]
    mixed = by_name("attachments")
    files = {a.get_filename(): a for a in mixed.iter_attachments()}
    assert set(files) == {"invoice-2026-0147.pdf", "site-photo.png"}
    assert files["invoice-2026-0147.pdf"].get_content().startswith(b"%PDF-")
    assert files["site-photo.png"].get_content().startswith(b"\x89PNG\r\n\x1a\n")


def test_international_headers_and_rfc2231_file_name() -> None:
    msg = by_name("i18n")
    assert "会議の議事録" in msg["Subject"] and "Πρακτικά" in msg["Subject"]
    assert "réunion" in msg["Subject"]
    assert msg["From"].addresses[0].display_name == "山田 花子"
    names = [a.display_name for a in msg["To"].addresses]
    assert "Γιώργος Παπαδόπουλος" in names and "Zoë Lefèvre" in names
    (attachment,) = msg.iter_attachments()
    assert attachment.get_filename() == "議事録-réunion.txt"
    raw = dict(SAMPLES)
    assert all(b < 0x80 for b in raw["05-i18n-headers.eml"].split(b"\n\n", 1)[0])


def test_latin1_body() -> None:
    msg = by_name("latin1")
    assert msg.get_content_charset() == "iso-8859-1"
    assert "Zürich" in msg.get_content() and "José" in str(msg["From"])


def test_long_line_and_dot_and_from_lines() -> None:
    long_msg = dict(SAMPLES)["07-long-line.eml"]
    assert max(len(line) for line in long_msg.splitlines()) == 5000
    dots = dict(SAMPLES)["08-dots-and-from.eml"].splitlines()
    assert b"." in dots and any(line.startswith(b"..") for line in dots)
    assert any(line.startswith(b"From ") for line in dots)


def test_reply_thread() -> None:
    root, reply, reply2 = by_name("thread-start"), by_name("thread-reply."), by_name("reply2")
    assert reply["In-Reply-To"] == root["Message-ID"]
    assert reply2["In-Reply-To"] == reply["Message-ID"]
    assert reply2["References"].split() == [root["Message-ID"], reply["Message-ID"]]


def test_twins_share_header_block_and_size_but_not_body() -> None:
    twins = [to_crlf(data) for name, data in SAMPLES if "twin" in name]
    assert len(twins) == 2
    heads = [t.split(b"\r\n\r\n", 1) for t in twins]
    assert heads[0][0] == heads[1][0]
    assert len(twins[0]) == len(twins[1])
    assert heads[0][1] != heads[1][1]


def test_demo_server_serves_the_samples(tmp_path: Path) -> None:
    with DemoServer(tmp_path / "demo") as demo:
        assert demo.host == "127.0.0.1"
        client = login(demo)
        assert client.stat()[0] == len(SAMPLES)
        _, lines, _ = client.retr(1)
        assert b"\r\n".join(lines) + b"\r\n" == to_crlf(SAMPLES[0][1])
        client.quit()


def test_demo_persists_deletions_and_deliveries(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    with DemoServer(directory) as demo:
        client = login(demo)
        first_uid = client.uidl(1).split()[2].decode()
        client.dele(1)
        client.quit()
        new_uid = demo.deliver(b"From: alice@example.com\nSubject: new\n\nhello\n")
    with DemoServer(directory) as demo:  # restarted: not seeded again
        client = login(demo)
        uids = [line.split()[1].decode() for line in client.uidl()[1]]
        client.quit()
        assert first_uid not in uids and uids[-1] == new_uid
        assert len(uids) == len(SAMPLES)
        demo.reset()
        client = login(demo)
        fresh = [line.split()[1].decode() for line in client.uidl()[1]]
        client.quit()
    assert len(fresh) == len(SAMPLES) and not set(fresh) & {*uids, first_uid}


def test_demo_default_directory_honours_pymailgui_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYMAILGUI_HOME", str(tmp_path))
    demo = DemoServer()  # running once constructed
    try:
        assert demo.port > 0
        assert demo.start() == (demo.host, demo.port)
    finally:
        demo.stop()
    with pytest.raises(RuntimeError):
        _ = demo.port
    with pytest.raises(RuntimeError):
        demo.deliver(b"Subject: x\r\n\r\n")
    with demo:  # starts again
        assert len(demo.maildrop or []) == len(SAMPLES)
    assert (tmp_path / "demo" / "maildrop" / "cur").is_dir()
    assert len(list((tmp_path / "demo" / "maildrop" / "cur").iterdir())) == len(SAMPLES)


def test_module_entry_point_serves_until_interrupted(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pymailgui.devserver", str(tmp_path / "md")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        port = int(re.search(r"port (\d+)", banner).group(1))  # type: ignore[union-attr]
        client = poplib.POP3("127.0.0.1", port, timeout=5)
        client.user(DEMO_USER)
        client.pass_(DEMO_PASSWORD)
        assert client.stat()[0] == len(SAMPLES)
        client.quit()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
