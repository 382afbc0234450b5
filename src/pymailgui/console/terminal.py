"""The console's terminal: running long verbs, asking, confirming, paging.

Long verbs run in a worker thread with a :class:`~pymailgui.tasks.Task`; the main
thread waits for it, shows progress on a terminal, and answers the worker's questions
(a password prompt), because only the main thread receives Ctrl-C. Ctrl-C cancels the
task and waits for it to stop: the core decides where it may stop (never between DELE
and a QUIT already on its way), the console only asks.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import queue
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Generic, TextIO, TypeVar

from pymailgui.config.secrets import PasswordRequest
from pymailgui.config.secrets import Prompt as PasswordPrompt
from pymailgui.errors import MailError, UsageError
from pymailgui.tasks import Notice, Progress, Task

T = TypeVar("T")

#: Exit status of a command whose confirmation the user declined (nothing was done).
EXIT_DECLINED = 6

_PROGRESS_INTERVAL = 0.1  # seconds between two progress lines on the terminal
_POLL = 0.2  # how often the main thread looks up from waiting (it wakes for Ctrl-C anyway)


class Declined(MailError):
    """The user answered no to a confirmation; nothing was done."""

    exit_code = EXIT_DECLINED


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class _Request(Generic[T]):
    """A question the worker asks through the main thread (which owns Ctrl-C)."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self.fn = fn
        self.answered = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except KeyboardInterrupt:
            self.result = None  # the prompt was closed: no answer
            raise
        except BaseException as exc:
            self.error = exc
        finally:
            self.answered.set()

    def drop(self) -> None:
        self.answered.set()


class Runner:
    """Runs long verbs in a worker thread; progress goes to ``err`` on a terminal only."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.show_progress = is_terminal(err)
        self._requests: queue.Queue[_Request[object] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._line_open = False
        self._last_draw = 0.0
        #: What the last task told the user (the caller shows what it did not say).
        self.notices: list[Notice] = []

    def run(self, name: str, verb: Callable[[Task], T]) -> T:
        """``verb(task)`` in a worker; Ctrl-C cancels the task, then waits for it.

        The verb's error (e.g. :class:`~pymailgui.errors.Cancelled`) is raised here.
        """
        task = Task(name, on_progress=self._progress if self.show_progress else None)
        self.notices = task.notices
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["result"] = verb(task)
            except BaseException as exc:
                box["error"] = exc
            finally:
                self._requests.put(None)  # wake the main thread

        worker = threading.Thread(target=work, name=f"pymail-{name}", daemon=True)
        self._worker = worker
        worker.start()
        try:
            self._serve(task, worker)
        finally:
            self._worker = None
            self._end_line()
        if "error" in box:
            error = box["error"]
            assert isinstance(error, BaseException)
            raise error
        return box["result"]  # type: ignore[return-value]

    def ask(self, fn: Callable[[], T]) -> T | None:
        """Run ``fn`` (a prompt) in the main thread, from the worker or the main thread."""
        if self._worker is None or threading.current_thread() is not self._worker:
            return fn()
        request: _Request[T] = _Request(fn)
        self._requests.put(request)  # type: ignore[arg-type]
        request.answered.wait()
        if request.error is not None:
            raise request.error
        return request.result

    def _serve(self, task: Task, worker: threading.Thread) -> None:
        warned = False
        while worker.is_alive() or not self._requests.empty():
            request: _Request[object] | None = None
            try:
                try:
                    request = self._requests.get(timeout=_POLL)
                except queue.Empty:
                    continue
                if request is not None:
                    self._end_line()
                    request.run()
            except KeyboardInterrupt:
                if request is not None:
                    request.drop()
                task.cancel()
                self._end_line()
                if not warned:
                    print("Cancelling…", file=self.err, flush=True)
                else:
                    print("Still stopping safely; please wait.", file=self.err, flush=True)
                warned = True
        worker.join()

    def _progress(self, progress: Progress) -> None:
        now = time.monotonic()
        final = progress.total is not None and progress.done >= progress.total
        if not final and now - self._last_draw < _PROGRESS_INTERVAL:
            return
        self._last_draw = now
        width = max(10, shutil.get_terminal_size((80, 24)).columns - 1)
        text = str(progress)[:width]
        # \r and "erase to end of line" (ECMA-48 EL): one status line, redrawn in place.
        print(f"\r{text}\x1b[K", end="", file=self.err, flush=True)
        self._line_open = True

    def _end_line(self) -> None:
        if self._line_open:
            print("\r\x1b[K", end="", file=self.err, flush=True)
            self._line_open = False


def password_prompt(runner: Runner, stdin: TextIO) -> PasswordPrompt:
    """The account's password prompt: asked on the terminal by the main thread (so
    Ctrl-C closes it: None, cancelled), never when there is no terminal to ask on
    ("": no password, and the core says where one could come from)."""

    def ask(request: PasswordRequest) -> str | None:
        if not is_terminal(stdin):
            return ""
        return runner.ask(lambda: getpass.getpass(request.text + " "))

    return ask


def ask_line(prompt: str, stdin: TextIO, out: TextIO) -> str | None:
    """One answer line (without its end), or None at end of input."""
    print(prompt, end="", file=out, flush=True)
    line = stdin.readline()
    return line.rstrip("\r\n") if line else None


def confirm(
    question: str,
    details: list[str],
    *,
    stdin: TextIO,
    out: TextIO,
    yes: bool,
    interactive: bool,
    undone: str,
) -> None:
    """Go on only if the user agrees; :class:`Declined` (saying ``undone``) otherwise.

    The rule for every destructive verb: ``--yes`` agrees in advance; without it the
    question is asked on a terminal, and without a terminal the command is refused
    (a script must say --yes). The interactive mode asks on its own input.
    """
    if yes:
        return
    if not interactive and not is_terminal(stdin):
        raise UsageError(
            "This asks for a confirmation and there is no terminal to ask on: add --yes "
            f"to go ahead. {undone}"
        )
    for line in details:
        print(line, file=out)
    answer = ask_line(f"{question} [y/N] ", stdin, out)
    if answer is None or answer.strip().lower() not in ("y", "yes"):
        if answer is None:
            print(file=out)
        raise Declined(undone)


def printable(text: str) -> str:
    """``text`` safe to write to a terminal: control characters (an ESC in a message
    body could redraw the screen or retitle the window) are shown as ^X."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\t" or (code >= 0x20 and code != 0x7F and not 0x80 <= code < 0xA0):
            out.append(ch)
        elif code < 0x20:
            out.append("^" + chr(code + 0x40))
        else:
            out.append("^?" if code == 0x7F else f"<U+{code:04X}>")
    return "".join(out)


def page(text: str, out: TextIO, stdin: TextIO) -> None:
    """Show ``text``; through ``$PAGER`` (default ``less -R``) only when it is longer
    than a terminal screen and both ends are a terminal. Never page into a pipe."""
    rows = shutil.get_terminal_size((80, 24)).lines
    if not (is_terminal(out) and is_terminal(stdin)) or text.count("\n") + 1 < rows:
        print(text, file=out, flush=True)
        return
    pager = os.environ.get("PAGER", "less -R")
    command = shlex.split(pager) if pager.strip() else []
    if not command:
        print(text, file=out, flush=True)
        return
    out.flush()
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        with _sigint_ignored():  # the pager owns Ctrl-C while it runs
            subprocess.run(command, input=text.encode(encoding, "replace"), check=False)
    except OSError:
        print(text, file=out, flush=True)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
