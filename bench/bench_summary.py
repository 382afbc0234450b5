"""List-summary benchmark: the lean header summarizer against the full-parser reference.

    python bench/bench_summary.py            # 2,000 realistic blocks, median of 5 (~30 s)
    python bench/bench_summary.py --quick    # 500 blocks, median of 3 (~8 s)

Both summarizers read the same realistic header blocks in the same run (trace fields,
DKIM/ARC signatures, non-ASCII names, RFC 2047 subjects, Cc lists); the figures are
microseconds of CPU per header block and the ratio reference / lean (above 1: the lean
one is faster). Then the hostile shapes of issue 10 at 100,000 characters (lean only),
and both at 1,000 and 4,000 characters of the same shapes, so that the growth shows:
a linear summarizer takes about 4x longer for 4x the text, a quadratic one 16x.
It stops with "benchmark self-check failed" when the two disagree on a realistic block
other than by the differences the tests list (adjacent encoded-words joined).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

if not __package__:  # run as a script: make ``bench`` and ``pymailgui`` importable
    _ROOT = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(_ROOT), str(_ROOT / "src")]

from pymailgui.message.reference_summary import reference_summary
from pymailgui.message.summary import HeaderFields, summarize_headers

Summarizer = Callable[[bytes], HeaderFields]

_NAMES = [
    "Alice Martin",
    "Bob Nguyen",
    "Chloé Dubois",
    "Jürgen Müller",
    "山田 太郎",
    "Ελένη Παπαδοπούλου",
    "Łukasz Żółć",
    "O'Brien, Patrick",
    "Dr. Eva Schmidt",
    "Farid Haddad",
    "María José García-Fernández de la Peña",
]
_DOMAINS = ["example.com", "example.org", "mail.example.net", "example.co.jp"]
_WORDS = [
    *("meeting", "report", "budget", "quarterly", "review", "draft", "attached", "please"),
    *("find", "schedule", "project", "update", "deadline", "invoice", "delivery", "notes"),
    *("the", "of", "and", "to", "for", "on", "with", "next", "week", "release"),
]
_SPICE = ["Re:", "Fwd:", "[team]", "café", "Übersicht", "会議の議事録", "résumé", "—", "Ελληνικά"]
_START = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
_SIG = "Qm0Y0Jq4f3cY8H1s3yZ2pW9q8f7Gm0aP6c1zZ1l7m8lJ8j4nQxK0v8"


def _address(rng: random.Random, named: bool = True) -> Address:
    name = rng.choice(_NAMES) if named else ""
    local = rng.choice(["alice", "bob.nguyen", "j.mueller", "taro", "team+news", "eva"])
    return Address(display_name=name, addr_spec=f"{local}@{rng.choice(_DOMAINS)}")


def _trace(rng: random.Random, index: int, when: datetime) -> list[str]:
    """What servers put on top: Received chains, authentication results, signatures."""
    stamp = format_datetime(when)
    lines = [f"Delivered-To: alice@{_DOMAINS[0]}"]
    for hop in range(rng.randint(3, 8)):
        lines.append(
            f"Received: from mx{hop}.example.net (mx{hop}.example.net [192.0.2.{hop + 1}])\r\n"
            f"        by mail.example.org with ESMTPS id {rng.getrandbits(48):012x}\r\n"
            f"        for <alice@example.com>; {stamp}"
        )
    if rng.random() < 0.7:
        lines.append(
            "Authentication-Results: mx.example.com;\r\n"
            "       dkim=pass header.i=@example.net header.s=sel header.b=AbCdEfGh;\r\n"
            "       spf=pass (domain of bob@example.net designates 192.0.2.10 as permitted"
            " sender) smtp.mailfrom=bob@example.net;\r\n"
            "       dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=example.net"
        )
        lines.append(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=sel;\r\n"
            f"        t={int(when.timestamp())}; h=from:to:cc:subject:date:message-id;\r\n"
            "        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
            + "".join(f"        b={_SIG}{k}{_SIG}\r\n" for k in range(rng.randint(2, 5)))
            + f"         {_SIG}"
        )
    if rng.random() < 0.3:
        lines.append(f"List-Id: Team news <news.{index % 7}.example.org>")
        lines.append("List-Unsubscribe: <mailto:leave@example.org>, <https://example.org/u>")
    return lines


def make_blocks(count: int, seed: int = 11) -> list[bytes]:
    """``count`` realistic header blocks, the same bytes for the same seed."""
    rng = random.Random(seed)
    blocks = []
    for index in range(count):
        when = _START + timedelta(minutes=index * 7)
        msg = EmailMessage(policy=SMTP)  # encodes and folds as mailers do
        msg["From"] = _address(rng, named=rng.random() < 0.85)
        msg["To"] = [_address(rng, named=rng.random() < 0.6) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.4:
            msg["Cc"] = [_address(rng) for _ in range(rng.randint(1, 8))]
        words = [rng.choice(_WORDS) for _ in range(rng.randint(3, 10))]
        if rng.random() < 0.4:
            words.insert(rng.randint(0, len(words)), rng.choice(_SPICE))
        msg["Subject"] = " ".join(words)
        msg["Date"] = format_datetime(when.astimezone())
        msg["Message-ID"] = f"<{rng.getrandbits(64):016x}.{index}@mail.example.net>"
        msg["MIME-Version"] = "1.0"
        if rng.random() < 0.3:
            msg["Content-Type"] = 'multipart/mixed; boundary="b"'
        else:
            msg["Content-Type"] = 'multipart/alternative; boundary="a"'
        own = msg.as_bytes().split(b"\r\n\r\n", 1)[0]
        trace = "\r\n".join(_trace(rng, index, when)).encode("ascii")
        blocks.append(trace + b"\r\n" + own + b"\r\n\r\n")
    return blocks


def cpu_per_block(summarize: Summarizer, blocks: list[bytes], repeats: int) -> float:
    """Median over ``repeats`` runs of the CPU time per block, in seconds."""
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        for block in blocks:
            summarize(block)
        runs.append((time.process_time() - start) / len(blocks))
    return statistics.median(runs)


_BETWEEN_WORDS = re.compile(rb"\?=(?:\r?\n)?[ \t]+=\?")


def self_check(blocks: list[bytes]) -> int:
    """How many blocks differ from the reference (only adjacent words may, see tests)."""
    joined = 0
    for block in blocks:
        ours = summarize_headers(block)
        if ours == reference_summary(block):
            continue
        if ours != reference_summary(_BETWEEN_WORDS.sub(b"?==?", block)):
            raise SystemExit(f"benchmark self-check failed on:\n{block.decode('utf-8', 'replace')}")
        joined += 1
    return joined


def hostile_blocks(size: int) -> dict[str, bytes]:
    """The shapes of tests/support/mail.py, at ``size`` characters."""
    from tests.support.mail import hostile_header_blocks

    blocks = hostile_header_blocks(size)
    if size < 50_000:
        del blocks["one_50mb_line"]
    return blocks


def _timed(summarize: Summarizer, block: bytes) -> float:
    start = time.process_time()
    summarize(block)
    return time.process_time() - start


def run(count: int, repeats: int) -> dict[str, object]:
    blocks = make_blocks(count)
    size = statistics.mean(len(b) for b in blocks)
    lines = statistics.mean(b.count(b"\n") for b in blocks)
    print(f"{count} realistic header blocks, {size:.0f} bytes and {lines:.0f} lines on average")
    joined = self_check(blocks)
    print(f"self-check: all equal to the reference ({joined} by joining adjacent words)")
    lean = cpu_per_block(summarize_headers, blocks, repeats)
    full = cpu_per_block(reference_summary, blocks, repeats)
    print(f"{'summarizer':<26}{'us/block':>10}{'10,000 blocks':>16}")
    print(f"{'lean summarize_headers':<26}{lean * 1e6:>10.1f}{lean * 1e4:>15.2f}s")
    print(f"{'full-parser reference':<26}{full * 1e6:>10.1f}{full * 1e4:>15.2f}s")
    print(f"ratio reference / lean: {full / lean:.1f}x")

    print("\nhostile shapes at 100,000 characters (lean; CPU ms):")
    hostile = {name: _timed(summarize_headers, b) for name, b in hostile_blocks(100_000).items()}
    for name, spent in sorted(hostile.items(), key=lambda item: -item[1]):
        print(f"  {name:<30}{spent * 1e3:>9.2f}")
    print(f"  slowest: {max(hostile.values()) * 1e3:.1f} ms")

    print("\ngrowth from 1,000 to 4,000 characters (x4): lean vs reference, CPU ms")
    small, large = hostile_blocks(1000), hostile_blocks(4000)
    growth: dict[str, dict[str, float]] = {}
    print(f"  {'shape':<30}{'lean 1k':>9}{'lean 4k':>9}{'ref 1k':>9}{'ref 4k':>9}{'ref x':>7}")
    for name in sorted(small):
        row = {
            "lean_1k": _timed(summarize_headers, small[name]),
            "lean_4k": _timed(summarize_headers, large[name]),
            "ref_1k": _timed(_reference_or_raise, small[name]),
            "ref_4k": _timed(_reference_or_raise, large[name]),
        }
        growth[name] = row
        factor = row["ref_4k"] / row["ref_1k"] if row["ref_1k"] > 1e-4 else float("nan")
        print(
            f"  {name:<30}{row['lean_1k'] * 1e3:>9.2f}{row['lean_4k'] * 1e3:>9.2f}"
            f"{row['ref_1k'] * 1e3:>9.2f}{row['ref_4k'] * 1e3:>9.2f}{factor:>7.1f}"
        )
    dots = hostile_blocks(16_000)["dots_display_name"]
    lean_dots, full_dots = _timed(summarize_headers, dots), _timed(_reference_or_raise, dots)
    print(
        f"\nthe 76 s From (a name of dots) at 16,000 characters, the cap of a field: "
        f"lean {lean_dots * 1e3:.2f} ms, reference {full_dots * 1e3:.0f} ms"
    )
    return {
        "dots_16k_ms": {"lean": lean_dots * 1e3, "reference": full_dots * 1e3},
        "blocks": count,
        "mean_block_bytes": size,
        "lean_us_per_block": lean * 1e6,
        "reference_us_per_block": full * 1e6,
        "ratio": full / lean,
        "hostile_100k_ms": {k: v * 1e3 for k, v in hostile.items()},
        "growth_ms": {k: {c: v * 1e3 for c, v in row.items()} for k, row in growth.items()},
    }


def _reference_or_raise(block: bytes) -> HeaderFields | None:
    try:
        return reference_summary(block)
    except Exception:  # the reference can raise on hostile input; its time still counts
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="500 blocks, 3 runs each")
    parser.add_argument("--blocks", type=int, default=2000, help="realistic blocks (2000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure (5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    count, repeats = (500, 3) if args.quick else (args.blocks, args.repeats)
    figures = run(count, repeats)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
