"""``pymail``: argument parsing, dispatch, exit codes, and the one place errors are shown.

Exit codes: 0 done; 2 usage or config error; 3 synchronization refusal (nothing unsafe
was done); 4 authentication failed; 5 connection or TLS failure; 1 anything else.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from pymailgui import __version__, paths
from pymailgui.config.load import load
from pymailgui.errors import MailError, UsageError

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"pymail: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pymail",
        description="A POP3/SMTP mail client for the console. Without a command, "
        "pymail starts its interactive mode.",
    )
    p.add_argument("--version", action="version", version=f"pymail {__version__}")
    p.add_argument("--config", type=Path, help="config file (default: %(default)s)")
    p.add_argument("--account", help="account name from the config (default: the first)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="use the demo account: local servers on 127.0.0.1 with sample mail",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ls = sub.add_parser("list", help="refresh the index from the server and print it")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.add_argument("--offline", action="store_true", help="print the cached index only")

    show = sub.add_parser("show", help="print message N of the last list")
    _target(show)
    show.add_argument("--raw", action="store_true", help="print the message exactly as stored")

    delete = sub.add_parser("delete", help="delete messages from the server")
    delete.add_argument("numbers", nargs="*", type=_number, metavar="N")
    delete.add_argument("--uid", action="append", default=[], help="a message's UIDL")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask to confirm")

    sub.add_parser("interactive", help="the interactive mode (the default)")
    return p


def _number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number (1 or more)")
    return value


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("number", nargs="?", type=_number, metavar="N")
    parser.add_argument("--uid", help="the message's UIDL instead of N")


def main(argv: Sequence[str] | None = None) -> int:
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
