"""Shared helpers for the benchmark scripts: repeat-and-summarise timing and result rows.

Every bench module returns ``run() -> list[dict]``; a row has

- ``name``: what was measured;
- ``median_s`` and ``spread_s`` (seconds), or ``value`` with ``unit`` and ``spread``;
- ``note``: how it was measured, repeats, caveats;
- optional ``ratio`` (a string such as ``"mpl/explorer 7.1x"``), ``target`` (a string)
  and ``met`` (True / False / None when there is no target).

``spread_s`` / ``spread`` is either a number (the IQR width) or a ``(lo, hi)`` pair; the
helpers here always produce the pair ``(q1, q3)`` (interquartile range).
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from typing import Callable


def _shield_singletons() -> None:
    """Keep long benchmarks alive under PySide6 6.12.0's reference-count bug.

    On CPython < 3.12 (None/True/False are not immortal) PySide6 6.12.0 loses one reference
    to ``None`` per call of a void wrapper (``QWidget.update()``, ``QPainterPath`` methods,
    ...) and one to ``True`` per ``Signal.emit()``; after a few thousand calls the process
    aborts ("none_dealloc" / "bool_dealloc"). The project excludes 6.12.0 in pyproject.toml;
    if it is installed anyway, lend these singletons 2**40 references so the benchmark can
    finish (this changes nothing that is timed). Other versions: do nothing.
    """
    if sys.version_info >= (3, 12):
        return
    try:
        from importlib.metadata import version

        if version("PySide6-Essentials") != "6.12.0":
            return
    except Exception:  # noqa: BLE001 - no metadata: nothing to shield
        return
    import ctypes

    print("benchmarks: PySide6 6.12.0 on Python < 3.12: shielding None/True/False refcounts "
          "(known PySide6 bug; see benchmarks/README.md)", file=sys.stderr)
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


_shield_singletons()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def summarise(samples: list[float]) -> dict:
    """Median, IQR (q1, q3), min and max of ``samples``."""
    xs = sorted(samples)
    if len(xs) >= 4:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    else:
        q1, q3 = xs[0], xs[-1]
    return {"median": statistics.median(xs), "q1": q1, "q3": q3, "min": xs[0], "max": xs[-1], "n": len(xs)}


def repeat(fn: Callable[[], object], repeats: int, warmup: int = 1, gc_off: bool = True) -> dict:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls; see :func:`summarise`."""
    for _ in range(warmup):
        fn()
    was = gc.isenabled()
    if gc_off:
        gc.collect()
        gc.disable()
    try:
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
    finally:
        if was:
            gc.enable()
    return summarise(samples)


def time_row(name: str, stats: dict, note: str = "", target: str = "", met: bool | None = None,
             ratio: str = "") -> dict:
    """A result row for a timing summary (seconds)."""
    return {
        "name": name,
        "median_s": stats["median"],
        "spread_s": (stats["q1"], stats["q3"]),
        "note": (note + f"; n={stats['n']}, IQR").lstrip("; "),
        "target": target,
        "met": met,
        "ratio": ratio,
    }


def value_row(name: str, value: float, unit: str, spread=None, note: str = "", target: str = "",
              met: bool | None = None, ratio: str = "") -> dict:
    """A result row for a non-time quantity (MB, ratio, ...)."""
    return {"name": name, "value": value, "unit": unit, "spread": spread, "note": note,
            "target": target, "met": met, "ratio": ratio}


def error_row(name: str, err: BaseException | str) -> dict:
    """A row saying that a benchmark could not run, and why."""
    text = err if isinstance(err, str) else f"{type(err).__name__}: {err}"
    return {"name": name, "value": None, "unit": "", "note": f"ERROR {text}", "target": "", "met": None}


def skip_row(name: str, why: str, target: str = "") -> dict:
    return {"name": name, "value": None, "unit": "", "note": f"SKIPPED: {why}", "target": target, "met": None}


def fmt_seconds(s: float) -> str:
    """A duration with a unit that keeps 3 significant digits."""
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1.0:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def ratio_str(a: float, b: float, label: str) -> str:
    return f"{label} {a / b:.3g}x" if b else f"{label} -"


def qapp():
    """The one QApplication of this process (offscreen unless a platform was chosen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0]])
