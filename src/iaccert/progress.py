"""A progress note on stderr for scans that take more than a moment, only on a terminal."""

from __future__ import annotations

import sys
import threading


class Progress:
    """``with Progress(enabled):`` prints ``iaccert: scanning…`` after ``delay`` seconds and
    erases it when the scan ends, so quick runs, pipes and CI logs never see it."""

    def __init__(self, enabled: bool, delay: float = 1.0, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.shown = False
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def _show(self) -> None:
        self.stream.write("iaccert: scanning…")
        self.stream.flush()
        self.shown = True

    def __enter__(self) -> Progress:
        if self.enabled:
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
