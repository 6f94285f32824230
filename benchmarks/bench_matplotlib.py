"""The frame-time baseline: matplotlib drawing the explorer's trajectories, the way a notebook would.

Same runs as the explorer's frame rows (the scene's own RunSet for ensemble 0 / 99 / 999 at
steps=300, computed with ``app.runs.compute``), same pixel size (a 1280×800 Agg canvas:
12.8×8 in at 100 dpi), FuncAnimation-style blitting:

- once: the loss image (imshow), axes, ticks, labels, and the target marker are drawn and the
  axes background is cached with ``canvas.copy_from_bbox(ax.bbox)``;
- per frame: ``canvas.restore_region``, then for **one Line2D per run** (the primary, every
  ensemble member, plus the dashed canonical-GD path) ``line.set_data`` with the path up to
  the playhead and ``ax.draw_artist(line)``, then one marker Line2D with the current point of
  every run, then ``canvas.blit(ax.bbox)``.

Agg has no screen, so ``blit`` is nearly free; the cost is rasterising into the Agg buffer.
The playhead starts mid-run (step 150, +2 per frame, as the explorer's player), so each path
is drawn at about half to two thirds of its length; the explorer draws the ensemble paths in
full. Matplotlib only redraws the one axes (the explorer repaints its whole window), so both
simplifications favour matplotlib.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from _timing import error_row, fmt_seconds, repeat, time_row

SIZES = (1, 100, 1000)
REPEATS = {1: 30, 100: 20, 1000: 15}
START_STEP = 150
SPEED = 2


def trajectories(n_runs: int):
    """(state, RunSet) of the explorer scene with ``n_runs`` runs (primary + ensemble)."""
    from app import runs as runs_mod
    from app.state import SceneState, validated

    s = validated(dataclasses.replace(SceneState(), ensemble=n_runs - 1, steps=300))
    return s, runs_mod.compute(s, with_ensemble=True)


class MatplotlibAnimation:
    """The notebook-style animation: one Line2D per run, blitting over a cached background."""

    def __init__(self, n_runs: int):
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        s, runs = trajectories(n_runs)
        self.state, self.runs = s, runs
        main = runs.primary
        ens = [g for g in runs.groups if g.role == "ensemble"]
        canon = runs.group("canonical")
        paths = [main.traj.w[:, 0]] + ([p for g in ens for p in np.swapaxes(g.traj.w, 0, 1)])
        self.paths = paths  # each (T, 2)
        self.canon = canon.traj.w[:, 0] if canon is not None else None
        self.step = main.traj.step
        if len(paths) != n_runs:
            raise RuntimeError(f"{len(paths)} paths, expected {n_runs}")

        self.fig = Figure(figsize=(12.8, 8.0), dpi=100)
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.fig.add_subplot(1, 1, 1)
        self.ax = ax
        allw = np.concatenate([p for p in paths if np.all(np.isfinite(p))] + [np.zeros((1, 2))])
        lo, hi = allw.min(axis=0), allw.max(axis=0)
        pad = 0.2 * max(float(np.max(hi - lo)), 1.0)
        x0, x1, y0, y1 = lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad
        xs, ys = np.linspace(x0, x1, 360), np.linspace(y0, y1, 360)
        W = np.stack(np.meshgrid(xs, ys), axis=-1)
        L = runs.problem.loss(W)
        ax.imshow(np.log10(L - L.min() + 1e-3), origin="lower", extent=(x0, x1, y0, y1), cmap="Blues_r",
                  aspect="equal", interpolation="nearest")
        ax.plot(*s.target, marker="*", ms=14, color="k")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        ax.set_title("Canonical space: w = Uᵀv")
        self.lines = []
        for i in range(n_runs):
            primary = i == 0
            (line,) = ax.plot([], [], lw=2.5 if primary else 1.0, color="C0" if primary else "0.3",
                              alpha=1.0 if primary else (0.25 if n_runs > 50 else 0.5), animated=True)
            self.lines.append(line)
        self.canon_line = None
        if self.canon is not None:
            (self.canon_line,) = ax.plot([], [], lw=2.5, ls="--", color="C1", animated=True)
        (self.markers,) = ax.plot([], [], ls="none", marker="o", ms=5, color="C3", animated=True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(ax.bbox)
        self.playhead = START_STEP

    def frame(self) -> None:
        self.playhead += SPEED
        r = int(np.searchsorted(self.step, self.playhead, side="right") - 1)
        r = max(0, min(r, len(self.step) - 1))
        self.canvas.restore_region(self.background)
        ax = self.ax
        heads = np.empty((len(self.paths), 2))
        for i, (line, p) in enumerate(zip(self.lines, self.paths)):
            line.set_data(p[: r + 1, 0], p[: r + 1, 1])
            ax.draw_artist(line)
            heads[i] = p[r]
        if self.canon_line is not None:
            self.canon_line.set_data(self.canon[: r + 1, 0], self.canon[: r + 1, 1])
            ax.draw_artist(self.canon_line)
        self.markers.set_data(heads[:, 0], heads[:, 1])
        ax.draw_artist(self.markers)
        self.canvas.blit(ax.bbox)


def frame_stats(n_runs: int, repeats: int | None = None) -> dict:
    anim = MatplotlibAnimation(n_runs)
    stats = repeat(anim.frame, repeats or REPEATS.get(n_runs, 15), warmup=2)
    if anim.playhead > int(anim.step[-1]):
        raise RuntimeError("the playhead passed the last record")
    return stats


def run() -> list[dict]:
    rows = []
    for n in SIZES:
        try:
            st = frame_stats(n)
            rows.append(time_row(
                f"frame, matplotlib, {n} run(s)", st,
                "Agg 1280x800, blit: restore_region + set_data/draw_artist per Line2D (one per run) + markers",
            ) | {"key": f"frame_matplotlib_{n}"})
        except Exception as err:  # noqa: BLE001
            rows.append(error_row(f"frame, matplotlib, {n} run(s)", err))
    return rows


if __name__ == "__main__":
    for r in run():
        m = r.get("median_s")
        print(f"{r['name']:40s} {fmt_seconds(m) if m is not None else '-'}  {r.get('note', '')}")
