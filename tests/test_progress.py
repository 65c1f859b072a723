"""The progress note appears only on a terminal, only for a scan that takes a while."""

from __future__ import annotations

import io
import time

from iaccert.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_slow_scan_on_a_terminal_shows_and_erases_the_note():
    stream = Terminal()
    with Progress(True, delay=0.05, stream=stream):
        time.sleep(0.3)
    assert stream.getvalue() == "iaccert: scanning…\r\033[K"


def test_quick_scan_shows_nothing():
    stream = Terminal()
    with Progress(True, delay=5, stream=stream):
        pass
    assert stream.getvalue() == ""


def test_not_a_terminal_or_quiet_shows_nothing():
    pipe = io.StringIO()
    with Progress(True, delay=0.01, stream=pipe):
        time.sleep(0.1)
    quiet = Terminal()
    with Progress(False, delay=0.01, stream=quiet):
        time.sleep(0.1)
    assert pipe.getvalue() == "" and quiet.getvalue() == ""
