"""``pymail``: argument parsing, dispatch, exit codes, and the one place errors are shown.

Exit codes: 0 done; 2 usage or config error; 3 synchronization refusal (nothing unsafe
was done); 4 authentication failed; 5 connection or TLS failure; 1 anything else.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from pymailgui import paths
from pymailgui.config.load import load
from pymailgui.console.parser import build_parser
from pymailgui.errors import MailError, UsageError

EXIT_OTHER = 1


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return _run(args)
    except MailError as exc:
        print(f"pymail: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pymail: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OTHER
    except Exception as exc:  # a bug: say so, keep the traceback out of the user's way
        where = _crash_log(exc)
        print(
            f"pymail: internal error ({exc.__class__.__name__}: {exc}). This is a bug in "
            f"PyMailGUI; details are in {where}.",
            file=sys.stderr,
        )
        return EXIT_OTHER


def _run(args: argparse.Namespace) -> int:
    from pymailgui.console import commands

    if args.demo:
        from pymailgui.demo import start_demo

        with start_demo() as demo:
            return commands.dispatch(args, demo.config, demo=demo)
    if args.config is None and not paths.config_file().exists():
        raise UsageError(
            f"No config file at {paths.config_file()}: create one (see docs/config.md) or "
            "try the demo account with 'pymail --demo'."
        )
    return commands.dispatch(args, load(args.config))


def _tolerant_output() -> None:
    """Mail is Unicode; a terminal that can't show a character gets "?" instead of a crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def _setup_logging(verbose: bool) -> None:
    from pymailgui.config.secrets import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("pymailgui")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


def _crash_log(exc: BaseException) -> Path | str:
    try:
        directory = paths.ensure_dir(paths.logs_dir())
        target = directory / "crash.log"
        with target.open("a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)))
        return target
    except OSError:
        return "(no log could be written)"


if __name__ == "__main__":
    sys.exit(main())
