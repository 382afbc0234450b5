"""``pymail``: parse the command line, open the account, run the command, show errors.

This is the one place errors are shown; the exit status says what kind of failure it
was (the table is in the README, "Exit codes"):

- 0 done;
- 1 anything else (a server error, a local folder that cannot be written, a message
  some recipients refused: the others got it);
- 2 usage and input errors: a bad option or number, an unknown folder, an invalid
  address, an unreadable file, a destructive command without --yes and no terminal,
  a config error;
- 3 synchronization refusal: the inbox changed so that the request was unsafe, and
  nothing unsafe was done;
- 4 authentication failed;
- 5 connection or TLS failure;
- 6 declined: you answered no to a confirmation; nothing was done;
- 130 cancelled (Ctrl-C): the sentence says what was not done.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from pymailgui import paths
from pymailgui.actions import Account, PasswordPrompt, open_account
from pymailgui.config.load import load
from pymailgui.config.secrets import RedactingFilter
from pymailgui.console import dispatch
from pymailgui.console.commands import COMMANDS
from pymailgui.console.context import Session
from pymailgui.console.interactive import Interactive
from pymailgui.console.parser import INTERACTIVE, build_parser
from pymailgui.console.state import ConsoleState
from pymailgui.console.terminal import Runner, password_prompt
from pymailgui.errors import MailError, UsageError

EXIT_OTHER = 1
EXIT_USAGE = 2  # usage or input error, nothing done (README, exit codes)
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return _run(args)
    except MailError as exc:
        print(f"pymail: {exc}", file=sys.stderr)
        if exc.outbox_key is not None and exc.exit_code == EXIT_USAGE:
            return EXIT_OTHER  # not "nothing done": the message waits in Outbox
        return exc.exit_code
    except KeyboardInterrupt:
        print("\npymail: Interrupted; nothing more was done.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OTHER
    except Exception as exc:  # a bug: say so, keep the traceback out of the user's way
        where = paths.append_crash_log(exc)
        print(
            f"pymail: internal error ({exc.__class__.__name__}: {exc}). This is a bug in "
            f"PyMailGUI; details are in {where}.",
            file=sys.stderr,
        )
        return EXIT_OTHER


def _run(args: argparse.Namespace) -> int:
    runner = Runner(sys.stderr)
    prompt = password_prompt(runner, sys.stdin)
    with _account(args, prompt) as (account, state_path):
        state = ConsoleState(state_path)
        session = Session(account, state, runner, sys.stdin, sys.stdout, sys.stderr)
        try:
            if args.command in (None, INTERACTIVE):
                return Interactive(session).run()
            return dispatch.run(session, COMMANDS, args)
        finally:
            state.close()


@contextlib.contextmanager
def _account(args: argparse.Namespace, prompt: PasswordPrompt) -> Iterator[tuple[Account, Path]]:
    """The chosen account and where the console keeps its state for it."""
    if args.demo and (args.account or args.config):
        raise UsageError("--demo opens the demo account: --account and --config don't apply.")
    if args.demo:
        # Only the demo needs the devserver (and aiosmtpd): not imported otherwise.
        from pymailgui.demo import open_demo_account, start_demo

        with start_demo() as demo:
            account = open_demo_account(demo, prompt=prompt)
            try:
                yield account, paths.demo_console_state()
            finally:
                account.close()
        return
    if args.config is None and not paths.config_file().exists():
        raise UsageError(
            f"No config file at {paths.config_file()}: create one (see docs/config.md) or "
            "try the demo account with 'pymail --demo'."
        )
    account = open_account(load(args.config), args.account, prompt=prompt)
    try:
        yield account, paths.console_state()
    finally:
        account.close()


def _tolerant_output() -> None:
    """Mail is Unicode; a terminal that can't show a character gets "?" instead of a crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("pymailgui")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
