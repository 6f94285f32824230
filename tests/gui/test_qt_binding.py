"""Guards against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 released a reference to None on every QPainterPath.moveTo/lineTo,
which pyqtgraph calls on each repaint; on Python 3.11 the app aborted with
"none_dealloc" after a few thousand frames. pyproject.toml excludes it; this
test fails loudly if a future release brings the bug back.
"""

import sys

from PySide6.QtGui import QPainterPath


def test_painter_path_calls_keep_none_alive():
    before = sys.getrefcount(None)
    for _ in range(2000):
        path = QPainterPath()
        path.moveTo(0.5, 0.0)
        path.lineTo(-0.5, 0.35)
        path.closeSubpath()
    assert sys.getrefcount(None) >= before - 10
