"""The summary benchmark's corpus is deterministic and the run checks itself (no timing here)."""

from __future__ import annotations

import pytest
from bench import bench_summary


def test_blocks_are_deterministic_and_realistic() -> None:
    blocks = bench_summary.make_blocks(40)
    assert blocks == bench_summary.make_blocks(40)
    assert all(b.endswith(b"\r\n\r\n") and b.count(b"Received:") >= 3 for b in blocks)
    assert any(b"=?utf-8?" in b for b in blocks) and any(b"\r\nCc:" in b for b in blocks)
    assert bench_summary.self_check(blocks) >= 0


def test_self_check_stops_on_a_disagreement(monkeypatch: pytest.MonkeyPatch) -> None:
    real = bench_summary.summarize_headers

    def wrong(block: bytes) -> bench_summary.HeaderFields:
        fields = real(block)
        return type(fields)(**{**{f: getattr(fields, f) for f in fields.__slots__}, "to": "x"})

    monkeypatch.setattr(bench_summary, "summarize_headers", wrong)
    with pytest.raises(SystemExit, match="self-check failed"):
        bench_summary.self_check(bench_summary.make_blocks(3))


def test_a_small_run_reports_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    figures = bench_summary.run(count=20, repeats=1)
    assert {"lean_us_per_block", "reference_us_per_block", "ratio", "dots_16k_ms"} <= set(figures)
    assert "ratio reference / lean" in capsys.readouterr().out
