"""Start-up of ``pymail``: a command that does not ask for the demo never loads it.

The demo needs the scripted servers and aiosmtpd (with asyncio); importing them cost
every command about 60 ms. Measured figures live in the bench, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_PROBE = """
import json, sys
from pymailgui.console.main import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "aiosmtpd"
                or m.startswith(("pymailgui.demo", "pymailgui.devserver")))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _probe(home: Path, *args: str) -> dict[str, object]:
    env = {"PYMAILGUI_HOME": str(home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    result: dict[str, object] = json.loads(done.stderr.splitlines()[-1])
    return result


def test_list_without_demo_loads_no_demo_server(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[accounts.home]\naddress = "a@example.org"\n\n'
        '[accounts.home.pop]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n'
    )
    found = _probe(tmp_path, "list", "--offline", "--json")
    assert found == {"code": 0, "loaded": []}


def test_the_probe_sees_the_demo_when_it_is_loaded(tmp_path: Path) -> None:
    # The check above means something: importing the demo does load those modules.
    code = "import sys, pymailgui.demo; print(sorted(m for m in sys.modules if 'aiosmtpd' in m))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "aiosmtpd" in done.stdout
