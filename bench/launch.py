"""Run a command; write its wall time and peak resident memory to a JSON file.

    python -m bench.launch RESULT.json COMMAND [ARG...]

The bench starts every timed command through this small process. A child's peak RSS
(``ru_maxrss``) starts at its parent's high-water mark: the kernel carries it over
``fork`` and ``exec``. Started from the bench itself (hundreds of MB after a few runs)
a 60 MB command read 95 MB; started from here (about 10 MB) it reads its own peak.
The command inherits stdin, stdout and stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    result, *args = argv
    start = time.perf_counter()
    proc = subprocess.Popen(args)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w", encoding="ascii") as out:
        json.dump({"seconds": seconds, "max_rss_kb": usage.ru_maxrss, "code": code}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
