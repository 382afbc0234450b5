"""The list model and view: batched changes, selection by key, sort and filter semantics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from pymailgui.gui.listmodel import MessageListModel, format_date, format_size
from pymailgui.gui.listview import MessageTable
from pymailgui.gui.rowset import Column, RowSet, subject_key
from pymailgui.message.summary import MessageRow


def row(i: int, subject: str = "", sender: str = "") -> MessageRow:
    return MessageRow(
        key=f"k{i}",
        size=100 * i,
        from_=sender or f"Sender {i % 7} <s{i % 7}@example.com>",
        to="alice@example.com",
        cc="",
        subject=subject or f"Subject {i}",
        date=datetime(2026, 1, 1 + i % 28, tzinfo=UTC),
        message_id=f"<{i}@x>",
        has_attachments=i % 3 == 0,
        number=i,
    )


def make(n: int) -> tuple[MessageListModel, MessageTable]:
    model = MessageListModel()
    table = MessageTable(model)
    model.set_rowset(RowSet.build(row(i) for i in range(1, n + 1)))
    return model, table


class Counter:
    def __init__(self, model: MessageListModel) -> None:
        self.removed = self.inserted = self.resets = 0
        model.rowsRemoved.connect(lambda *_: self._add("removed"))
        model.rowsInserted.connect(lambda *_: self._add("inserted"))
        model.modelReset.connect(lambda: self._add("resets"))

    def _add(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)


@pytest.mark.parametrize("followed", [False, True], ids=["matched-here", "followed-in-worker"])
def test_a_refresh_removes_and_inserts_in_runs_and_keeps_the_selection(qtbot, followed):
    model, table = make(100)
    qtbot.addWidget(table)
    table.select_keys(["k10", "k50", "k90"], "k50")
    counter = Counter(model)
    # Another client removed 20..39 and 60; three new messages arrived.
    keep = [row(i) for i in range(1, 101) if not (20 <= i < 40 or i == 60)]
    fresh = RowSet.build([*keep, row(101), row(102), row(103)])
    if followed:
        fresh.follow(model.rowset)
        assert sorted(fresh.gone) == sorted([f"k{i}" for i in range(20, 40)] + ["k60"])
    model.set_rowset(fresh)
    assert fresh.before is None  # the old rows are not kept alive by the new set
    assert (counter.removed, counter.inserted, counter.resets) == (2, 1, 0)
    assert model.rowCount() == 82
    assert table.selected_keys() == ["k10", "k50", "k90"]
    assert table.current_key() == "k50"


def test_a_change_with_too_many_runs_resets_and_restores_the_place_by_key(qtbot):
    model, table = make(1000)
    qtbot.addWidget(table)
    table.select_keys(["k2", "k500"], "k500")
    counter = Counter(model)
    model.set_rowset(RowSet.build(row(i) for i in range(1, 1001) if i % 2 == 0))
    assert counter.resets == 1
    assert table.selected_keys() == ["k2", "k500"]


def test_filter_narrows_while_typing_and_hidden_rows_stay_hidden(qtbot):
    model, table = make(50)
    qtbot.addWidget(table)
    model.hide(["k7"])
    model.set_filter("sender 0")
    assert {model.key_at(r) for r in range(model.rowCount())} == {
        "k14",
        "k21",
        "k28",
        "k35",
        "k42",
        "k49",
    }
    model.set_filter("sender 0 <s0@example.com")
    assert model.rowCount() == 6
    model.set_filter("")
    assert model.rowCount() == 49 and model.display_row("k7") is None
    model.unhide(["k7"])
    assert model.display_row("k7") == 6  # back in its place (server order)


def test_sort_is_stable_and_minus_one_is_server_order(qtbot):
    model, table = make(30)
    qtbot.addWidget(table)
    model.sort(Column.FROM, Qt.SortOrder.AscendingOrder)
    senders = [model.row_at(r).from_ for r in range(30)]
    assert senders == sorted(senders, key=str.casefold)
    same = [
        model.row_at(r).number for r in range(30) if model.row_at(r).from_.startswith("Sender 1 ")
    ]
    assert same == sorted(same)  # ties keep server order
    model.sort(Column.SIZE, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).key == "k30"
    model.sort(-1)
    assert model.keys() == [f"k{i}" for i in range(1, 31)]


def test_fixed_row_height_and_no_resize_to_contents(qtbot):
    _model, table = make(10)
    qtbot.addWidget(table)
    vertical = table.verticalHeader()
    assert vertical.sectionResizeMode(0) == vertical.ResizeMode.Fixed
    assert isinstance(table, QTableView)


def test_display_helpers():
    assert format_size(512) == "512 B" and format_size(2048) == "2 KB"
    assert format_size(3 * 1024 * 1024) == "3.0 MB"
    assert format_date(None) == ""
    assert subject_key("Re: Fwd: AW: Hello") == "hello"


def test_a_set_followed_from_another_list_is_matched_by_key(qtbot):
    model, table = make(10)
    qtbot.addWidget(table)
    stale = RowSet.build(row(i) for i in range(1, 4))
    fresh = RowSet.build(row(i) for i in range(2, 12)).follow(stale)
    assert fresh.moved_from(model.rowset) is None
    model.set_rowset(fresh)
    assert model.keys() == [f"k{i}" for i in range(2, 12)]


@pytest.mark.parametrize("sort", [None, Column.SUBJECT])
def test_new_mail_after_the_old_is_one_insertion_and_matches_the_general_path(qtbot, sort):
    model, table = make(100)
    qtbot.addWidget(table)
    if sort is not None:
        model.sort(sort)
    model.set_filter("Subject 10")  # 10, 100 and the new 101..103 and 1010
    table.select_keys(["k10"], "k10")
    counter = Counter(model)
    rows = [row(i) for i in range(1, 101)] + [row(i) for i in (101, 102, 1010, 2000)]
    fresh = RowSet.build(rows).follow(model.rowset)
    assert fresh.appended
    model.set_rowset(fresh)
    expected = MessageListModel()
    if sort is not None:
        expected.sort(sort)
    expected.set_filter("Subject 10")
    expected.set_rowset(RowSet.build(rows))
    assert model.keys() == expected.keys()
    shown = model.keys()
    assert "k1010" in shown and "k2000" not in shown
    assert (counter.removed, counter.resets) == (0, 0)
    if sort is None:
        assert counter.inserted == 1
    assert table.selected_keys() == ["k10"]
