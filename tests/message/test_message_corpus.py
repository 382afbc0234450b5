"""Every message of the broken-mail corpus views, sanitizes and saves safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from pymailgui.message import reply, sanitize_html, save_all_parts, view
from pymailgui.message.compose import Identity

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"
FILES = sorted(p for p in MAIL.rglob("*") if p.is_file() and p.suffix in {".eml", ".txt"})


def test_corpus_is_big_enough() -> None:
    assert len([p for p in FILES if p.parent.name == "hostile"]) >= 25
    assert len([p for p in FILES if p.parent.name == "cpython"]) >= 25


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_message(path: Path, tmp_path: Path) -> None:
    raw = path.read_bytes()
    v = view(raw)
    assert v.raw == raw
    for text in (v.subject, *(str(a) for a in v.from_ + v.to + v.cc + v.reply_to)):
        assert "\n" not in text and "\r" not in text and "\x00" not in text
    assert "\x00" not in v.body_text
    assert v.malformed == bool(v.defects)
    if v.html is not None:
        assert "<script" not in v.html.lower()
    assert "<script" not in sanitize_html(v.body_text).lower()
    out = tmp_path / "out"
    out.mkdir()
    saved = save_all_parts(raw, out)
    assert len(saved) == len(v.parts)
    root = out.resolve()
    for saved_path in saved:
        assert saved_path.resolve().parent == root
        assert saved_path.is_file() and not saved_path.is_symlink()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in saved)
    assert not any(p.name.startswith(".") for p in out.iterdir())
    draft = reply(raw, Identity("me@example.com"))
    assert "\n" not in draft.subject


def test_hostile_expectations() -> None:
    def hostile(name: str) -> bytes:
        return (MAIL / "hostile" / f"{name}.eml").read_bytes()

    assert view(hostile("wrong_charset")).body_text.startswith("Grüße aus Köln €")
    assert view(hostile("unknown_charset")).malformed
    assert view(hostile("bad_base64")).body_text == "Hello world"
    assert view(hostile("nested_50_deep")).body_text.strip() == "deep inside"
    assert view(hostile("nested_500_deep")).malformed
    assert view(hostile("missing_final_boundary")).parts[1].content_type == "application/pdf"
    assert "no boundary line" in view(hostile("missing_start_boundary")).body_text
    assert view(hostile("boundary_in_body")).body_text  # raw text shown, not nothing
    assert view(hostile("cr_only")).body_text == "old Mac line one\nline two\n"
    assert view(hostile("empty")).body_text == ""
    assert view(hostile("only_headers")).subject == "only headers"
    spoof = view(hostile("display_name_spoof"))
    assert str(spoof.from_[0]) == '"paypal@paypal.com" <evil@attacker.example>'
    assert view(hostile("flowed_text")).body_text.startswith(
        "This paragraph is flowed over three lines.\n> quoted and flowed\n-- \nsig"
    )
    tnef = view(hostile("ms_tnef"))
    assert tnef.attachments[0].filename == "winmail.dat"
    assert tnef.attachments[0].size == 260
    huge = view(hostile("huge_header_line"))
    assert huge.body_text == "body after a huge header\n"
    assert view(hostile("utf7_html")).html is not None
    assert "alert" not in view(hostile("utf7_html")).body_text
