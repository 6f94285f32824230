"""Explorer GUI benchmarks: frame time while playing, and drag-to-redraw on the w-plane.

Frame (the number with the target): one ``player.advance()`` (the playhead moves
``player.speed`` = 2 steps, the default; every view updates its items synchronously on
the playhead signal), then ``window.repaint()``, one synchronous full repaint of the
whole 1280×800 window (every widget, every plot, axes and all), then
``processEvents()`` for anything still queued. The "double paint" row keeps the first
version of this benchmark for comparison: processEvents (the event loop paints the
dirty regions) *then* a forced full repaint, so changed views are painted twice. The
"event-loop paint only" row (advance + processEvents) is what a real frame of the
player costs; a paint-event counter checks that it paints every view.

Drag: real QMouseEvents on ``window.wplane.viewport()`` as in tests/gui/helpers.py
(pyqtgraph's mouse rate limit lifted): a press on the w₀ handle, then moves around a
small circle. One sample = one move event (the scene recomputes the primary runs and the
w-plane redraws its items) + delivery of posted events (no timers) + a repaint of the
w-plane: the time until the dragged path is on screen (the target). During a drag the
other views redraw lazily (at most every 40–80 ms), so a second row times the move
through ``processEvents`` and a full ``window.repaint()``. With an ensemble, posted events are
delivered with ``sendPostedEvents`` (not ``processEvents``), so the ensemble's QTimer
chunks do not run inside the sample: the sample is the time to the first visible
update (the primary path). The streaming of the ensemble afterwards is a separate row.

Run alone: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui.py``.
"""

from __future__ import annotations

import dataclasses
import math
import time

from _timing import error_row, fmt_seconds, qapp, repeat, summarise, time_row

FRAME_REPEATS = 30
DRAG_MOVES = 30
SIZES = (1, 100, 1000)
WINDOW_SIZE = (1280, 800)


def make_window(ensemble: int, steps: int):
    """A shown 1280×800 MainWindow on a fresh scene, ensemble complete, events settled."""
    app = qapp()
    from app.main_window import MainWindow
    from app.scene import Scene
    from app.state import SceneState

    scene = Scene(dataclasses.replace(SceneState(), ensemble=ensemble, steps=steps))
    window = MainWindow(scene)
    window.resize(*WINDOW_SIZE)
    window.show()
    app.processEvents()
    scene.wait_for_ensemble()
    app.processEvents()
    window.repaint()
    return app, scene, window


def close_window(app, window) -> None:
    window.player.pause()
    window.close()
    window.deleteLater()
    app.processEvents()


class PaintCounter:
    """Counts Paint events on a set of widgets (to check that a frame paints them)."""

    def __init__(self, widgets: dict):
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class _Filter(QObject):
            def eventFilter(self, obj, ev):  # noqa: N802 - Qt's name
                if ev.type() == QEvent.Paint:
                    counter.counts[obj] = counter.counts.get(obj, 0) + 1
                return False

        self.counts: dict = {}
        self._filter = _Filter()
        self.names = {}
        for name, w in widgets.items():
            target = w.viewport() if hasattr(w, "viewport") else w
            self.names[target] = name
            target.installEventFilter(self._filter)

    def reset(self) -> None:
        self.counts.clear()

    def unpainted(self) -> list[str]:
        return [n for t, n in self.names.items() if self.counts.get(t, 0) == 0]


def _views(window) -> dict:
    import pyqtgraph as pg

    views = {"wplane": window.wplane}
    for name in ("units", "balance", "timeseries"):
        w = getattr(window, name, None)
        if w is None or not w.isVisible():
            continue
        plots = [w] if isinstance(w, pg.GraphicsView) else w.findChildren(pg.GraphicsView)
        for i, p in enumerate(plots):
            views[f"{name}[{i}]"] = p
    return views


def frame_stats(n_runs: int, repeats: int = FRAME_REPEATS) -> tuple[dict, dict, list[str]]:
    """(full-repaint, double-paint and event-loop-only stats, views left unpainted by the last)."""
    app, scene, window = make_window(n_runs - 1, 300)
    try:
        expected = n_runs
        got = sum(g.size for g in scene.runs.groups if g.role in ("main", "ensemble"))
        if got != expected:
            raise RuntimeError(f"scene has {got} runs, expected {expected}")
        player = window.player

        def frame_full():
            player.advance()
            window.repaint()
            app.processEvents()

        def frame_double():
            player.advance()
            app.processEvents()
            window.repaint()

        def frame_loop():
            player.advance()
            app.processEvents()

        counter = PaintCounter(_views(window))
        full = repeat(frame_full, repeats, warmup=3)
        double = repeat(frame_double, repeats, warmup=1)
        counter.reset()
        loop = repeat(frame_loop, repeats, warmup=1)
        if scene.playhead > scene.horizon:
            raise RuntimeError("the playhead passed the horizon: frames included engine extension")
        return full, double, loop, counter.unpainted()
    finally:
        close_window(app, window)


def _drag_samples(window, app, scene, moves: int, ensemble: bool) -> tuple[list[float], list[float]]:
    """Press on w₀, then ``moves`` timed moves. Returns (path-repainted, whole-window, full-stream times)."""
    import pyqtgraph as pg
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    pg.setConfigOption("mouseRateLimit", -1)  # as tests/gui/helpers.py: synthetic moves come µs apart
    plot = window.wplane
    vb = plot.getPlotItem().getViewBox()
    viewport = plot.viewport()

    def send(kind, pos: QPoint, button, buttons):
        ev = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button, buttons, Qt.NoModifier)
        QApplication.sendEvent(viewport, ev)

    w0 = scene.state.w0
    p0 = plot.mapFromScene(vb.mapViewToScene(QPointF(float(w0[0]), float(w0[1]))))
    send(QEvent.MouseMove, p0, Qt.NoButton, Qt.NoButton)
    send(QEvent.MouseButtonPress, p0, Qt.LeftButton, Qt.LeftButton)
    radius = 25  # pixels: a small circle around the start, so w₀ changes at every move

    def point(i: int) -> QPoint:
        a = 2 * math.pi * i / 12
        return QPoint(round(p0.x() + radius * math.sin(a)), round(p0.y() - radius * (1 - math.cos(a))))

    # two untimed moves start the drag (pyqtgraph needs a move past its drag threshold)
    for i in (1, 2):
        send(QEvent.MouseMove, point(i), Qt.NoButton, Qt.LeftButton)
        scene.wait_for_ensemble()
        app.processEvents()
    first, whole, stream = [], [], []
    before = scene.state.w0
    for i in range(3, 3 + moves):
        t0 = time.perf_counter()
        send(QEvent.MouseMove, point(i), Qt.NoButton, Qt.LeftButton)
        QApplication.sendPostedEvents()  # item updates, no timers: lazy views and ensemble chunks wait
        plot.repaint()
        t1 = time.perf_counter()
        first.append(t1 - t0)
        if not ensemble:
            app.processEvents()
            window.repaint()
            whole.append(time.perf_counter() - t0)
        if ensemble:
            while not scene.ensemble_complete:
                app.processEvents()
            app.processEvents()
            window.repaint()
            stream.append(time.perf_counter() - t0)
    send(QEvent.MouseButtonRelease, point(2 + moves), Qt.LeftButton, Qt.NoButton)
    app.processEvents()
    if scene.state.w0 == before:
        raise RuntimeError("the drag did not move w₀: the press missed the handle")
    return first, whole, stream


def drag_stats(ensemble: int, steps: int = 1000, moves: int = DRAG_MOVES):
    app, scene, window = make_window(ensemble, steps)
    try:
        import gc

        gc.collect()
        gc.disable()
        try:
            first, whole, stream = _drag_samples(window, app, scene, moves, ensemble > 0)
        finally:
            gc.enable()
        path_len = len(scene.runs.primary.traj.step)
        return (summarise(first), (summarise(whole) if whole else None), (summarise(stream) if stream else None),
                path_len, scene.undo_stack.count())
    finally:
        close_window(app, window)


def run() -> list[dict]:
    rows = []
    for n in SIZES:
        try:
            full, double, loop, unpainted = frame_stats(n)
            target = "<= 16 ms" if n == 1000 else ""
            rows.append(time_row(
                f"frame, explorer, {n} run(s)", full,
                "advance + window.repaint() (one full repaint) + processEvents, 1280x800 offscreen",
                target=target, met=(full["median"] <= 0.016) if target else None,
            ) | {"key": f"frame_explorer_{n}"})
            rows.append(time_row(
                f"frame, explorer, {n} run(s), double paint", double,
                "advance + processEvents + window.repaint(): changed views painted twice (upper bound)",
            ) | {"key": f"frame_explorer_double_{n}"})
            rows.append(time_row(
                f"frame, explorer, {n} run(s), event-loop paint only", loop,
                "advance + processEvents (the real player frame)"
                + (f"; NOT painted: {', '.join(unpainted)}" if unpainted else "; every view painted"),
            ) | {"key": f"frame_explorer_loop_{n}"})
        except Exception as err:  # noqa: BLE001 - a benchmark failure is a row, not a crash
            rows.append(error_row(f"frame, explorer, {n} run(s)", err))
    for ens, label in ((0, "1 run"), (999, "1,000 runs")):
        try:
            first, whole, stream, T, _ = drag_stats(ens)
            target = "<= 16 ms" if ens == 0 else ""
            rows.append(time_row(
                f"drag w0 -> path repainted, {label}, 1,000 steps", first,
                f"move event + sendPostedEvents + w-plane repaint; "
                f"{'first visible update (primary path); ' if ens else ''}{T} records/path",
                target=target, met=(first["median"] <= 0.016) if target else None,
            ))
            if whole is not None:
                rows.append(time_row(
                    f"drag w0 -> whole window repainted, {label}", whole,
                    "same move + processEvents + window.repaint() (the lazy views too)",
                ))
            if stream is not None:
                rows.append(time_row(
                    f"drag w0 -> ensemble streamed, {label}", stream,
                    "same move until every ensemble chunk (QTimer, 200 runs each) is in and repainted",
                ))
        except Exception as err:  # noqa: BLE001
            rows.append(error_row(f"drag w0, {label}", err))
    return rows


if __name__ == "__main__":
    for r in run():
        m = r.get("median_s")
        print(f"{r['name']:55s} {fmt_seconds(m) if m is not None else r.get('value')}  {r.get('note', '')}")
