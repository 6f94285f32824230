"""The compiled floor for the engine: the same GD update as a numba ``@njit`` loop.

Workload (identical to bench_core.py's batched row): k = d = 2, whitened regression
``L = ½‖w − w*‖²`` with ``w* = (1, 0.5)``, 1,000 runs × 1,000 steps, η = 0.05, inits
``N(0, 0.5²)`` from ``default_rng(0)``; per step, for every run

    w = Uᵀv,  a = w − w*,  U ← U − η v aᵀ,  v ← v − η U a   (old U, v on the right),

recording U and v at every step (the engine records U, v, w, loss and gradient norms, and
checks divergence, so the floor does strictly less work). Compilation is excluded (one
warm-up call). Ratio = engine batched / numba; target: within 3×.
"""

from __future__ import annotations

import numpy as np

from _timing import error_row, fmt_seconds, repeat, skip_row, time_row

N_RUNS, STEPS, LR = 1000, 1000, 0.05
TARGET = np.array([1.0, 0.5])
REPEATS = 7


def inputs():
    rng = np.random.default_rng(0)
    U0 = rng.standard_normal((N_RUNS, 2, 2)) * 0.5
    v0 = rng.standard_normal((N_RUNS, 2)) * 0.5
    return U0, v0


def make_kernel():
    from numba import njit

    @njit(cache=False, fastmath=False)
    def gd_records(U0, v0, target, lr, steps):
        n, k, d = U0.shape
        U_rec = np.empty((steps + 1, n, k, d))
        v_rec = np.empty((steps + 1, n, k))
        for r in range(n):
            U = U0[r].copy()
            v = v0[r].copy()
            U_rec[0, r] = U
            v_rec[0, r] = v
            a = np.empty(d)
            vn = np.empty(k)
            for t in range(1, steps + 1):
                for j in range(d):
                    s = 0.0
                    for i in range(k):
                        s += U[i, j] * v[i]
                    a[j] = s - target[j]
                # v_i ← v_i − η (U a)_i uses the old U: update v first from old U, then U with old v
                for i in range(k):
                    s = 0.0
                    for j in range(d):
                        s += U[i, j] * a[j]
                    vn[i] = v[i] - lr * s
                for i in range(k):
                    for j in range(d):
                        U[i, j] -= lr * v[i] * a[j]
                v[:] = vn
                U_rec[t, r] = U
                v_rec[t, r] = v
        return U_rec, v_rec

    return gd_records


def check_against_engine(kernel) -> float:
    """Max |difference| of the final U, v between numba and the engine on 20 runs (must be ~1e-12)."""
    import overparam_core as oc

    U0, v0 = inputs()
    U0, v0 = U0[:20], v0[:20]
    Ur, vr = kernel(U0, v0, TARGET, LR, 200)
    tr = oc.simulate(oc.whitened_regression(TARGET), U0, v0, "gd", lr=LR, steps=200)
    return float(max(np.max(np.abs(Ur[-1] - tr.U[-1])), np.max(np.abs(vr[-1] - tr.v[-1]))))


def engine_stats(repeats: int = REPEATS) -> dict:
    import overparam_core as oc

    U0, v0 = inputs()
    prob = oc.whitened_regression(TARGET)
    return repeat(lambda: oc.simulate(prob, U0, v0, "gd", lr=LR, steps=STEPS), repeats, warmup=1)


def run(engine_median_s: float | None = None) -> list[dict]:
    """Rows for the numba floor. ``engine_median_s``: bench_core's batched median, if already
    measured in this run (else the engine is timed here on the same workload)."""
    name = "compiled floor: numba 1000 runs x 1000 steps"
    try:
        import numba
    except Exception as err:  # noqa: BLE001
        return [skip_row(name, f"numba cannot be imported ({err}); pip install numba (the bench extra)",
                         target="engine/numba <= 3x")]
    try:
        kernel = make_kernel()
        U0, v0 = inputs()
        kernel(U0[:2], v0[:2], TARGET, LR, 3)  # compile
        err = check_against_engine(kernel)
        if not err < 1e-9:
            raise RuntimeError(f"numba kernel disagrees with the engine by {err:g}")
        st = repeat(lambda: kernel(U0, v0, TARGET, LR, STEPS), REPEATS, warmup=1)
        rows = []
        source = "bench_core batched row"
        if engine_median_s is None:
            eng = engine_stats()
            engine_median_s = eng["median"]
            source = "engine timed here"
            rows.append(time_row("engine batched (same workload)", eng, "overparam_core.simulate, every=1"))
        ratio = engine_median_s / st["median"]
        rows.append(time_row(
            name, st,
            f"numba {numba.__version__} @njit, records U,v every step; matches engine to {err:.1g}; "
            f"ratio uses {source}",
            target="engine/numba <= 3x", met=ratio <= 3.0, ratio=f"engine/numba {ratio:.3g}x",
        ))
        return rows
    except Exception as err:  # noqa: BLE001
        return [error_row(name, err)]


if __name__ == "__main__":
    for r in run():
        m = r.get("median_s")
        print(f"{r['name']:45s} {fmt_seconds(m) if m is not None else '-'}  {r.get('ratio', '')}  {r.get('note', '')}")
