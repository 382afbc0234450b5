"""List rows: exactly as wide as the terminal, whatever the sender and subject hold."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pymailgui.console import format as fmt
from pymailgui.message.summary import MessageRow

WIDTHS = [80, 100, 120, 150]

SUBJECTS = [
    "Short",
    "A subject far longer than any terminal is wide, " * 4,
    "会議の議事録 / Πρακτικά συνάντησης / Compte rendu de réunion " * 2,
    "e\u0301te\u0301 de\u0301compose\u0301 " * 10,  # combining accents take no cell
    "emoji 👋🎉 wide ones " * 8,
    "tab\tand\x1b[2J escape and \u202eoverride",
    "",
]


def row(subject: str, *, attachments: bool = True, **extra: object) -> MessageRow:
    return MessageRow(
        key="k",
        size=123_456,
        from_="山田 花子 <hanako@example.jp>",
        to="",
        cc="",
        subject=subject,
        date=datetime(2026, 3, 26, 10, 30, tzinfo=UTC),
        message_id="",
        has_attachments=attachments,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("marks", [False, True], ids=["command-line", "interactive"])
def test_rows_fill_the_terminal_exactly(columns: int, marks: bool) -> None:
    rows = [row(s) for s in SUBJECTS] * 2  # two-digit numbers
    lines = fmt.row_lines(rows, columns, marks=["D"] * len(rows) if marks else None)
    assert len(lines) == len(rows)
    for line in lines:
        assert fmt.cells(line) == columns, (columns, line)
        assert "\x1b" not in line and "\t" not in line and "\u202e" not in line


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_cut_subject_never_touches_the_attachment_mark(columns: int) -> None:
    (line,) = fmt.row_lines([row("x" * 300)], columns)
    # "…" then a blank, then the mark, then the size column.
    assert line.endswith("… @  121 KB"), line


def test_status_column_new_unread_replied_read() -> None:
    marks = [
        fmt.row_lines([row("s", new=True)], 100)[0].split()[1],
        fmt.row_lines([row("s")], 100)[0].split()[1],
        fmt.row_lines([row("s", flags="RS")], 100)[0][2],
        fmt.row_lines([row("s", flags="S")], 100)[0][2],
    ]
    assert marks == ["N", "U", "R", " "]


def test_fit_counts_cells_not_characters() -> None:
    assert fmt.fit("会議", 4) == "会議"
    assert fmt.fit("会議x", 4) == "会… "
    assert fmt.cells(fmt.fit("e\u0301" * 5, 3)) == 3
    assert fmt.fit("anything", 0) == ""


class _Pipe:
    """A text stream that is not a terminal, as stdout is under a pipe."""

    def __init__(self, tty: bool = False) -> None:
        self.parts: list[str] = []
        self.tty = tty

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("count", [0, 1, fmt.JSON_CHUNK, fmt.JSON_CHUNK * 2 + 7])
def test_json_written_in_pieces_is_the_same_json(count: int) -> None:
    rows = [row(f"Subject {i} ✓", attachments=i % 2 == 0) for i in range(count)]
    pipe = _Pipe()
    fmt.write_rows_json(pipe, rows, key_name="uid")  # type: ignore[arg-type]
    text = "".join(pipe.parts)
    assert json.loads(text) == json.loads(fmt.rows_json(rows, key_name="uid"))
    assert "\n" not in text.rstrip("\n")  # compact: one line for a program
    assert len(pipe.parts) >= 2 + count // fmt.JSON_CHUNK  # never one string of it all


def test_json_on_a_terminal_is_indented() -> None:
    terminal = _Pipe(tty=True)
    fmt.write_rows_json(terminal, [row("One")], key_name="key")  # type: ignore[arg-type]
    text = "".join(terminal.parts)
    assert text.startswith("[\n  {") and json.loads(text)[0]["key"] == "k"


def test_the_list_shows_dates_in_local_time_as_the_gui_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time
    from datetime import timedelta, timezone

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        tokyo = datetime(2026, 3, 10, 16, 47, tzinfo=timezone(timedelta(hours=9)))
        assert fmt.date_column(tokyo) == "2026-03-10 07:47"
        assert fmt.date_column(None).strip() == "(no date)"
    finally:
        monkeypatch.undo()
        time.tzset()
