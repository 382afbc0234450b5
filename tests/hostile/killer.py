"""A child process that runs one verb over a real Account and SIGKILLs itself on cue.

``python -m tests.hostile.killer SPEC`` where SPEC is JSON::

    {"state": DIR, "pop": [host, port] | null, "verb": "save" | "move" | "import"
     | "export" | "add", "args": {...}, "kill": null | {"at": "module:Class.attr",
     "nth": 2, "when": "before" | "after"}}

The kill point wraps one function of the client in this process only (nothing in
``src/`` knows about it): on its ``nth`` call the process sends itself SIGKILL, before
or after the real call - no cleanup, no ``finally``, no atexit, as a power cut or the
OOM killer would. A kill point on the wire is the test's job instead: the scripted
server stalls at a command and the test kills this process then. The result of a
verb that ran to the end is printed as JSON.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.hostile.world import Endpoint, account_config, open_in


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def arm(at: str, nth: int, when: str) -> None:
    module_name, _, path = at.partition(":")
    owner: Any = importlib.import_module(module_name)
    *outer, name = path.split(".")
    for part in outer:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    calls = 0

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and when == "before":
            die()
        result = original(*args, **kwargs)
        if calls == nth and when == "after":
            die()
        return result

    setattr(owner, name, wrapper)


def run(spec: dict[str, Any]) -> object:
    pop = Endpoint(*spec["pop"]) if spec.get("pop") else None
    account = open_in(Path(spec["state"]), account_config(pop))
    args = spec.get("args", {})
    folders = account.folders
    try:
        verb = spec["verb"]
        if verb == "save":
            account.refresh()
            keys = [row.key for row in account.index()]
            report = account.save_to_folder(keys, args["folder"], delete=True)
            return {"saved": len(report.saved), "skipped": len(report.skipped)}
        if verb == "move":
            keys = [row.key for row in folders.rows(args["source"])]
            return len(folders.move(args["source"], keys, args["target"]))
        if verb == "import":
            return folders.import_mbox(Path(args["path"]), args["folder"])
        if verb == "export":
            return folders.export_mbox(args["folder"], Path(args["path"]), overwrite=True)
        if verb == "add":
            folder = folders.folder(args["folder"], create=True)
            return [folder.add(Path(p).read_bytes()) for p in args["files"]]
        raise ValueError(f"unknown verb {verb!r}")
    finally:
        account.close()


def main() -> int:
    spec = json.loads(sys.argv[1])
    if spec.get("kill"):
        kill = spec["kill"]
        arm(kill["at"], kill.get("nth", 1), kill.get("when", "before"))
    print(json.dumps(run(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
