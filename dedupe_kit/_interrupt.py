"""Ctrl-C while the ``dedupe-kit`` program imports its libraries (pandas, scikit-learn,
recordlinkage…: the first seconds of every command) says what Ctrl-C says later, not a
traceback of the imports.

The package itself imports them, before the command's own code can catch anything, so its
first lines call `quiet_while_importing`; `cli.entry` hands Ctrl-C back to Python
(`as_usual`), whose commands say "interrupted" themselves and say what they left half done.
A program that imports the package as a library keeps its own Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def _interrupted(_signum, _frame) -> None:
    os.write(2, b"Error: interrupted\n")  # (not sys.stderr: an import may be writing to it)
    os._exit(130)  # nothing written yet: no need to unwind the imports


def _is_program() -> bool:
    """Whether this process is the ``dedupe-kit`` command (a script of that name) or ``python -m
    dedupe_kit``, which imports the package while its ``sys.argv[0]`` is ``-m``."""
    if sys.argv[:1] == ["-m"]:
        argv = sys.orig_argv
        return argv[argv.index("-m") + 1:][:1] == ["dedupe_kit"] if "-m" in argv else "-mdedupe_kit" in argv
    return bool(sys.argv) and Path(sys.argv[0]).stem == "dedupe-kit"


def quiet_while_importing() -> None:
    """In the program, and unless Ctrl-C is ignored (a job in the background), Ctrl-C from now on
    prints ``Error: interrupted`` and exits 130 at once."""
    if _is_program() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted)


def as_usual() -> None:
    """Ctrl-C raises `KeyboardInterrupt` again (the commands catch it), once the imports are done."""
    if signal.getsignal(signal.SIGINT) is _interrupted:
        signal.signal(signal.SIGINT, signal.default_int_handler)
