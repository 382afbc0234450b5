"""Safe file names and saving parts: never outside the folder, never over an existing file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pymailgui.errors import LocalStoreError, MessageError
from pymailgui.message import (
    fallback_name,
    is_reserved_name,
    safe_filename,
    save_all_parts,
    save_part,
)
from pymailgui.message.parts import write_new_file

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "mail" / "hostile"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("C:\\Windows\\system32\\evil.dll", "evil.dll"),
        ("C:evil.exe", "evil.exe"),
        ("\\\\server\\share\\doc.txt", "doc.txt"),
        ("/absolute/path.txt", "path.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("a\u2066b\u2069c\u200f.txt", "abc.txt"),
        ("nul\x00byte\x01\x1f\x7f.txt", "nulbyte.txt"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        (".bashrc", "bashrc"),
        ("...hidden", "hidden"),
        ("trailing. . .", "trailing"),
        ("  spaced  .txt  ", "spaced .txt"),  # a run of spaces could hide the extension
        ("CON.txt", "_CON.txt"),
        ("con", "_con"),
        ("Aux.tar.gz", "_Aux.tar.gz"),
        ("COM1.log", "_COM1.log"),
        ("lpt9", "_lpt9"),
        ("COM\u00b9.txt", "_COM\u00b9.txt"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ('ab:c|d?e*f<g>h".txt', "ab_c_d_e_f_g_h_.txt"),
        ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFC
    ],
)
def test_safe_filename_cases(name: str, expected: str) -> None:
    assert safe_filename(name, "part-1.bin") == expected


@pytest.mark.parametrize("name", [None, "", "..", ".", "/", "\\", "   ", "\u202e", "C:", "...."])
def test_empty_names_use_the_fallback(name: str | None) -> None:
    assert safe_filename(name, "part-3.txt") == "part-3.txt"


def test_fallback_itself_is_made_safe() -> None:
    assert safe_filename(None, "../CON") == "_CON"
    assert safe_filename(None, "") == "part.bin"


def test_long_names_keep_their_extension() -> None:
    result = safe_filename("é" * 300 + ".pdf", "x")
    assert result.endswith(".pdf")
    assert len(result.encode("utf-8")) <= 200
    result = safe_filename("x" * 500, "x")
    assert len(result.encode("utf-8")) == 200


def test_fallback_names_from_content_type() -> None:
    assert fallback_name(3, "text/plain") == "part-3.txt"
    assert fallback_name(4, "application/x-unknown-thing") == "part-4.bin"
    assert fallback_name(5, "message/rfc822") == "part-5.eml"


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.none(),
        st.text(max_size=300),
        st.text(alphabet="./\\:C \u202e\x00CONPRUXL1.", max_size=30),
    )
)
def test_safe_filename_properties(name: str | None) -> None:
    result = safe_filename(name, "part-1.bin")
    assert result
    assert "/" not in result and "\\" not in result and "\x00" not in result
    assert result not in {".", ".."} and not result.startswith(".")
    assert not result.endswith((".", " "))
    assert not is_reserved_name(result)
    assert len(result.encode("utf-8")) <= 255
    assert not any(c in result for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(max_size=80))
def test_saved_path_always_inside_folder(tmp_path: Path, name: str) -> None:
    path = write_new_file(tmp_path, name, b"data")
    assert path.resolve().parent == tmp_path.resolve()
    assert path.read_bytes() == b"data"


def _message(*names: str) -> bytes:
    parts = b"".join(
        b"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="' + n.encode() + b'"\r\n\r\naGVsbG8=\r\n'
        for n in names
    )
    return (
        b"From: a@example.com\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n"
        b"\r\n--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n" + parts + b"--B--\r\n"
    )


def test_save_part_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"precious")
    raw = _message("a.txt")
    first = save_part(raw, 1, tmp_path)
    second = save_part(raw, 1, tmp_path)
    assert (first.name, second.name) == ("a (1).txt", "a (2).txt")
    assert (tmp_path / "a.txt").read_bytes() == b"precious"
    assert first.read_bytes() == b"hello"


def test_save_part_does_not_follow_a_planted_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "x.txt").symlink_to(outside)
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    saved = save_all_parts(_message("x.txt", "dangling.txt"), folder, attachments_only=True)
    assert [p.name for p in saved] == ["x (1).txt", "dangling (1).txt"]
    assert outside.read_bytes() == b"keep"
    assert not (tmp_path / "nowhere.txt").exists()
    assert all(p.resolve().parent == folder.resolve() for p in saved)


def test_save_traversal_and_windows_names(tmp_path: Path) -> None:
    for name in ("traversal_filename", "windows_names", "bidi_filename"):
        for path in save_all_parts((HOSTILE / f"{name}.eml").read_bytes(), tmp_path):
            assert path.parent == tmp_path.resolve()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "passwd" in names and "_CON.txt" in names and "evil.dll" in names
    assert "invoicegpj.exe" in names
    assert not (tmp_path.parent / "etc").exists()


def test_save_part_errors(tmp_path: Path) -> None:
    raw = _message("a.bin")
    with pytest.raises(MessageError, match="no part number 7"):
        save_part(raw, 7, tmp_path)
    with pytest.raises(LocalStoreError):
        save_part(raw, 1, tmp_path / "missing")
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(LocalStoreError):
        save_part(raw, 1, tmp_path / "file")


def test_saved_files_are_private(tmp_path: Path) -> None:
    path = save_part(_message("a.bin"), 1, tmp_path)
    assert os.stat(path).st_mode & 0o077 == 0


def test_save_attached_message_and_decoded_names(tmp_path: Path) -> None:
    raw = (
        b"Subject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b"--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
        b" filename*0*=utf-8''%C3%BCber%20;\r\n filename*1*=%E2%82%AC.pdf\r\n\r\nPDF\r\n"
        b'--B\r\nContent-Type: image/png; name="=?utf-8?B?w6kucG5n?="\r\n\r\nPNG\r\n--B--\r\n'
    )
    saved = save_all_parts(raw, tmp_path)
    assert [p.name for p in saved] == ["part-0.txt", "part-1.eml", "über €.pdf", "é.png"]
    assert b"Subject: inner" in saved[1].read_bytes()
    assert saved[2].read_bytes() == b"PDF"
