"""Progress of a sampling run: one line redrawn on a terminal, a line of text updated in place in
a notebook, nothing when neither is there (a script's log, a test)."""

import sys
import time


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    def __init__(self, total, label, enabled=True):
        self.total = max(total, 1)
        self.label = label
        self.start = time.monotonic()
        self.mode = None
        if enabled:
            if _in_notebook():
                from IPython.display import display

                self.mode = "notebook"
                self.handle = display(self._text(0, 0), display_id=True)
            elif sys.stderr.isatty():
                self.mode = "terminal"

    def _text(self, done, divergences):
        frac = min(done / self.total, 1.0)
        elapsed = time.monotonic() - self.start
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        bar = "█" * int(30 * frac) + " " * (30 - int(30 * frac))
        eta_s = f"{eta:.0f}s" if eta == eta else "?"
        return (f"{self.label} {frac:4.0%} |{bar}| {done}/{self.total} "
                f"[{elapsed:.0f}s<{eta_s}, {divergences} divergences]")

    def update(self, done, divergences):
        if self.mode == "terminal":
            sys.stderr.write("\r" + self._text(done, divergences))
            sys.stderr.flush()
        elif self.mode == "notebook":
            self.handle.update(self._text(done, divergences))

    def close(self, done, divergences):
        self.update(done, divergences)
        if self.mode == "terminal":
            sys.stderr.write("\n")
