"""Memory while playing: RSS over 100,000 steps at 1,000 runs (ensemble 999).

A 1280×800 MainWindow on a scene with ensemble=999, steps=300 (ensemble completed). The
playhead then advances in jumps of 1,000 steps with ``scene.set_playhead`` followed by
``processEvents`` (so every view redraws, as when playing); past the horizon the scene
extends all runs and decimates the records to its cap. RSS (psutil, after ``gc.collect()``)
is read at steps 0, 25k, 50k, 100k. "Bounded" = growth 50k→100k is at most a quarter of the
growth 0→50k (or under 10 MB). A single pass (it is slow: 100 engine extensions of 1,000 runs).
"""

from __future__ import annotations

import gc
import time

from _timing import error_row, value_row

JUMP = 1000
TOTAL = 100_000
CHECKPOINTS = (0, 25_000, 50_000, 100_000)


def rss_mb() -> float:
    import psutil

    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def measure(total: int = TOTAL, jump: int = JUMP) -> tuple[dict[int, float], float, float, int]:
    """({step: RSS MB}, RSS before the window, seconds spent, records kept per run at the end)."""
    from bench_gui import close_window, make_window

    before = rss_mb()
    app, scene, window = make_window(999, 300)
    try:
        marks = {0: rss_mb()}
        t0 = time.perf_counter()
        step = 0
        while step < total:
            step += jump
            scene.set_playhead(step)
            app.processEvents()
            if step in CHECKPOINTS:
                marks[step] = rss_mb()
        return marks, before, time.perf_counter() - t0, len(scene.runs.primary.traj.step)
    finally:
        close_window(app, window)


def run() -> list[dict]:
    try:
        import psutil  # noqa: F401
    except Exception as err:  # noqa: BLE001
        return [error_row("memory", f"psutil cannot be imported: {err}")]
    try:
        marks, before, secs, records = measure()
    except Exception as err:  # noqa: BLE001
        return [error_row("memory, 1,000 runs played 100k steps", err)]
    rows = [value_row("RSS before importing Qt/app (baseline)", before, "MB")]
    for step in CHECKPOINTS:
        rows.append(value_row(f"RSS at step {step:,}, 1,000 runs", marks[step], "MB",
                              note="after gc.collect()" + (f"; {records} records/run kept" if step == TOTAL else "")))
    g1 = marks[50_000] - marks[0]
    g2 = marks[100_000] - marks[50_000]
    bounded = g2 <= max(0.25 * g1, 10.0)
    rows.append(value_row(
        "RSS growth 50k->100k vs 0->50k", g2, "MB",
        note=f"0->50k: {g1:+.1f} MB, 50k->100k: {g2:+.1f} MB; {TOTAL // JUMP} jumps of {JUMP} steps "
             f"(set_playhead + processEvents) took {secs:.1f} s; one pass",
        target="bounded (2nd half <= 1/4 of 1st, or < 10 MB)", met=bounded,
    ))
    return rows


if __name__ == "__main__":
    for r in run():
        print(f"{r['name']:45s} {r.get('value')!s:>10s} {r.get('unit', '')}  {r.get('note', '')}")
