"""A py-spy profile (``--format raw``: collapsed stacks) as a text tree per thread.

    python -m bench.spytext PROFILE.raw RATE > PROFILE.txt

py-spy samples every thread (the console refreshes on a worker thread, the index is
written on another) and, with ``--idle``, the waits too: the tree shows wall-clock time
where each thread spent it. A node is shown when it took at least ``--min`` percent
of its thread; chains of frames that add nothing are kept, the rest is summed into
``[other]``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

_THREAD = re.compile(r"thread \((\w+)\)(?::\s*(.*))?")
_BORING = (
    "Thread._bootstrap",
    "Thread._bootstrap_inner",
    "Thread.run",
    "_run_module_as_main",
    "_run_code",
)
# Import machinery between two modules: the tree shows module -> module.
_IMPORTING = ("(<frozen importlib._bootstrap", "_call_with_frames_removed", "_handle_fromlist")


@dataclass
class Node:
    name: str
    samples: int = 0
    children: dict[str, Node] = field(default_factory=dict)

    def child(self, name: str) -> Node:
        found = self.children.get(name)
        if found is None:
            found = self.children[name] = Node(name)
        return found


def parse(lines: list[str]) -> tuple[dict[str, Node], dict[str, str]]:
    """Per thread id: the root of its call tree, and the thread's name."""
    roots: dict[str, Node] = {}
    names: dict[str, str] = {}
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        match = _THREAD.match(frames[0])
        tid = match.group(1) if match else "?"
        if match and match.group(2):
            names[tid] = match.group(2)
        node = roots.setdefault(tid, Node(f"thread {tid}"))
        node.samples += int(count)
        for frame in frames[1:]:
            if frame.startswith(_BORING) or any(part in frame for part in _IMPORTING):
                continue
            node = node.child(frame)
            node.samples += int(count)
    return roots, names


def render(lines: list[str], rate: float, min_percent: float = 1.0) -> str:
    roots, names = parse(lines)
    out: list[str] = []
    for tid, root in sorted(roots.items(), key=lambda item: -item[1].samples):
        label = names.get(tid, "main" if not out else tid)
        out.append(f"thread {label}: {root.samples / rate:.3f} s ({root.samples} samples)")
        _tree(root, root.samples, rate, min_percent, "", out)
        out.append("")
    return "\n".join(out)


def _tree(
    node: Node, total: int, rate: float, min_percent: float, indent: str, out: list[str]
) -> None:
    shown = [c for c in node.children.values() if c.samples * 100 >= total * min_percent]
    shown.sort(key=lambda c: -c.samples)
    hidden = node.samples - sum(c.samples for c in node.children.values())
    for child in shown:
        share = 100 * child.samples / total
        out.append(f"{indent}{child.samples / rate:7.3f} s {share:5.1f}%  {child.name}")
        _tree(child, total, rate, min_percent, indent + "  ", out)
    rest = sum(c.samples for c in node.children.values() if c not in shown)
    if rest * 100 >= total * min_percent:
        out.append(f"{indent}{rest / rate:7.3f} s {100 * rest / total:5.1f}%  [other]")
    if hidden * 100 >= total * min_percent and node.children:
        out.append(f"{indent}{hidden / rate:7.3f} s {100 * hidden / total:5.1f}%  [self]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("raw")
    parser.add_argument("rate", type=float, help="samples per second of the recording")
    parser.add_argument("--min", type=float, default=1.0, help="percent of a thread to show")
    args = parser.parse_args(argv)
    with open(args.raw, encoding="utf-8") as f:
        print(render(f.readlines(), args.rate, args.min))
    return 0


if __name__ == "__main__":
    sys.exit(main())
