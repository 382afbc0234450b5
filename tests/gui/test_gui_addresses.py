"""Address completion data: typed lines split where an address ends (quotes and angle
brackets respected), and the fast path for simple header values agrees with the core's
lenient parser."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pymailgui.gui import addresses
from pymailgui.message.headers import parse_address_list
from pymailgui.message.summary import MessageRow


def test_split_respects_quotes_brackets_and_comments():
    text = '"Doe, Jane" <jane@example.com>, bob@example.com; <a,b@example.com> (x, y) c@d.e'
    assert addresses.split(text) == [
        '"Doe, Jane" <jane@example.com>',
        "bob@example.com",
        "<a,b@example.com> (x, y) c@d.e",
    ]
    assert addresses.split(" , ,") == []


def test_the_segment_under_the_cursor():
    text = "Bob <bob@example.com>, car"
    assert text[slice(*addresses.current_segment(text, len(text)))].strip() == "car"
    assert addresses.current_segment(text, 3) == (0, 21)


def row(from_: str, to: str = "", cc: str = "") -> MessageRow:
    return MessageRow(
        key=from_, size=1, from_=from_, to=to, cc=cc, subject="", date=None,
        message_id="", has_attachments=False, flags="", new=False,
    )  # fmt: skip


def test_collect_ranks_by_frequency_counts_sent_twice_and_leaves_out_own():
    received = [row("Bob <bob@example.com>", "Me <me@example.com>")] * 2
    received.append(row("Carol <carol@example.com>", "me@example.com"))
    sent = [row("Me <me@example.com>", '"Doe, Jane" <jane@example.com>')] * 2
    found = addresses.collect(received, sent, own=["ME@example.com"])
    assert found == [
        '"Doe, Jane" <jane@example.com>',  # written to twice: weight 4
        "Bob <bob@example.com>",
        "Carol <carol@example.com>",
    ]


# Display names as the index holds them: decoded text (letters, digits, spaces and
# light punctuation; the summarizer has dropped controls already).
_names = st.text(
    st.characters(categories=("L", "N", "Zs"), include_characters="-'_&!?#"), max_size=20
).map(lambda s: " ".join(s.split()))
_locals = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True).filter(
    lambda s: not s.endswith(".") and ".." not in s
)
_domains = st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){1,2}", fullmatch=True)


@given(st.lists(st.tuples(_names, _locals, _domains), min_size=1, max_size=4))
def test_the_fast_path_agrees_with_the_parser(parts):
    value = ", ".join(f"{n} <{u}@{d}>" if n else f"{u}@{d}" for n, u, d in parts)
    expected = [(a.display_name, a.addr_spec) for a in parse_address_list(value)]
    assert addresses._pairs(value) == expected
