"""Progress reporting and cooperative cancellation shared by every operation."""

from __future__ import annotations

from collections.abc import Callable

from apps.media.errors import Cancelled

ProgressCallback = Callable[[int], None]
CancelCheck = Callable[[], bool]


class Progress:
    """Turns work done into a monotonic 0-100 percentage and polls the cancel check.

    99 is the most reported while working; 100 only once the output is in place.
    """

    def __init__(
        self,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
        *,
        total: float = 1.0,
    ) -> None:
        self._on_progress = on_progress
        self._should_cancel = should_cancel
        self.total = max(float(total), 1e-9)
        self.done_units = 0.0
        self.percent = -1
        self._report(0)

    def check(self) -> None:
        if self._should_cancel is not None and self._should_cancel():
            raise Cancelled("The operation was cancelled.")

    def advance(self, units: float = 1.0) -> None:
        self.check()
        self.done_units += units
        self._report(min(99, int(self.done_units * 100 / self.total)))

    def finish(self) -> None:
        self._report(100)

    def _report(self, percent: int) -> None:
        if percent > self.percent:
            self.percent = percent
            if self._on_progress is not None:
                self._on_progress(percent)
