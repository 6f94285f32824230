"""Speed of the core engine (not a test). Run: ``python benchmarks/bench_core.py``.

Rows: (a) 1,000 runs x 1,000 GD steps, k = d = 2, whitened regression, one batched call;
(b) the same runs one at a time in a plain Python loop (100 runs timed, scaled by 10);
(c) a single 1,000-step run (median over repeats). Targets: (b)/(a) >= 50x, (c) <= 5 ms.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import overparam_core as oc  # noqa: E402

N_RUNS, STEPS, LOOP_SAMPLE = 1000, 1000, 100


def _times(fn, repeats: int) -> np.ndarray:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return np.array(out)


def _row(name: str, t: np.ndarray, note: str, scale: float = 1.0) -> dict:
    q1, med, q3 = np.percentile(t * scale, [25, 50, 75])
    return {"name": name, "median_s": float(med), "spread_s": float(q3 - q1), "note": note}


def run() -> list[dict]:
    """Time the three cases; return rows ``{"name", "median_s", "spread_s" (IQR), "note"}``."""
    prob = oc.whitened_regression([1.0, 0.5])
    rng = np.random.default_rng(0)
    U0 = rng.standard_normal((N_RUNS, 2, 2)) * 0.5
    v0 = rng.standard_normal((N_RUNS, 2)) * 0.5
    lr = 0.05
    oc.simulate(prob, U0, v0, "gd", lr=lr, steps=STEPS)  # warm-up
    batched = _times(lambda: oc.simulate(prob, U0, v0, "gd", lr=lr, steps=STEPS), 7)

    def loop() -> None:
        for i in range(LOOP_SAMPLE):
            oc.simulate(prob, U0[i], v0[i], "gd", lr=lr, steps=STEPS)

    looped = _times(loop, 3)
    single = _times(lambda: oc.simulate(prob, U0[0], v0[0], "gd", lr=lr, steps=STEPS), 30)
    return [
        _row("batched 1000 runs x 1000 steps", batched, "one simulate() call, 7 repeats"),
        _row(
            "loop 1000 runs x 1000 steps",
            looped,
            f"{LOOP_SAMPLE} single runs timed per repeat (3 repeats), scaled x{N_RUNS // LOOP_SAMPLE}",
            scale=N_RUNS / LOOP_SAMPLE,
        ),
        _row("single run 1000 steps", single, "30 repeats"),
    ]


def main() -> None:
    rows = run()
    print(f"{'name':34s} {'median (s)':>12s} {'IQR (s)':>10s}  note")
    for r in rows:
        print(f"{r['name']:34s} {r['median_s']:12.5f} {r['spread_s']:10.5f}  {r['note']}")
    batched, looped, single = (r["median_s"] for r in rows)
    ratio = looped / batched
    print(f"\nbatched vs loop: {ratio:.1f}x  (target >= 50x: {'met' if ratio >= 50 else 'NOT met'})")
    print(f"single run: {single * 1e3:.2f} ms  (target <= 5 ms: {'met' if single <= 5e-3 else 'NOT met'})")


if __name__ == "__main__":
    main()
