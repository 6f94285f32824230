"""Startup: process start to the first painted window, against a bare PySide6 window.

Each sample is a fresh ``python -c`` subprocess (offscreen platform). The parent reads
``time.perf_counter()`` just before spawning it; the child prints ``time.perf_counter()``
once the first Paint event of the window's content has been delivered (an event filter on
the w-plane's viewport for the explorer, on the widget itself for the bare window).
On Linux ``perf_counter`` is CLOCK_MONOTONIC, shared by both processes, so the difference
is process start (fork/exec, interpreter start-up, imports) to first paint, excluding only
the child's exit. The explorer child does what ``python -m app`` does before its event loop:
import the app, build a default Scene and MainWindow (1280×800), show it.
Warm file cache: one untimed run of each first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _timing import ROOT, error_row, fmt_seconds, summarise, time_row

REPEATS = 7

_FIRST_PAINT = r"""
import time, sys
from PySide6.QtCore import QObject, QEvent
class _FirstPaint(QObject):
    painted = False
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Paint:
            _FirstPaint.painted = True
        return False
def _wait_paint(app, target):
    f = _FirstPaint()
    target.installEventFilter(f)
    while not _FirstPaint.painted:
        app.processEvents()
    print("PAINTED", repr(time.perf_counter()), flush=True)
"""

EXPLORER = _FIRST_PAINT + r"""
sys.path.insert(0, ROOT)
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from app.main_window import MainWindow
from app.scene import Scene
from app.state import SceneState
window = MainWindow(Scene(SceneState()))
window.show()
_wait_paint(app, window.wplane.viewport())
import os; os._exit(0)
"""

BARE = _FIRST_PAINT + r"""
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([sys.argv[0]])
w = QWidget()
w.resize(1280, 800)
w.show()
_wait_paint(app, w)
import os; os._exit(0)
"""


def _sample(code: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    code = f"ROOT = {ROOT!r}\n" + code
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=60)
    for line in out.stdout.splitlines():
        if line.startswith("PAINTED "):
            return float(line.split()[1]) - t0
    raise RuntimeError(f"child exited {out.returncode} without painting: {out.stderr.strip()[-300:]}")


def startup_stats(code: str, repeats: int = REPEATS) -> dict:
    _sample(code)  # warm the file cache
    return summarise([_sample(code) for _ in range(repeats)])


def run() -> list[dict]:
    rows = []
    try:
        bare = startup_stats(BARE)
        rows.append(time_row("startup, bare PySide6 window (floor)", bare,
                             "QApplication + QWidget 1280x800 shown, first Paint"))
    except Exception as err:  # noqa: BLE001
        bare = None
        rows.append(error_row("startup, bare PySide6 window (floor)", err))
    try:
        exp = startup_stats(EXPLORER)
        ratio = f"explorer/bare {exp['median'] / bare['median']:.3g}x" if bare else ""
        rows.append(time_row("startup, explorer to first painted window", exp,
                             "import app, Scene + MainWindow (default state), show, first w-plane Paint",
                             target="<= 1.5 s", met=exp["median"] <= 1.5, ratio=ratio))
    except Exception as err:  # noqa: BLE001
        rows.append(error_row("startup, explorer to first painted window", err))
    return rows


if __name__ == "__main__":
    for r in run():
        m = r.get("median_s")
        print(f"{r['name']:45s} {fmt_seconds(m) if m is not None else '-'}  {r.get('ratio', '')}  {r.get('note', '')}")
