"""The tour's demos, each played through the real window, must show what their narration claims.

Every demo test opens the demo in a real :class:`MainWindow`, plays it to its
full length with the player, then checks the claim on the runs the demo itself
produced (``window.scene_.runs``) against closed forms computed here from the
demo's own init, and, for the symmetry claims, on the exported CSV as well.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

import overparam_core as core
from app.demos import find_demo, load_demos
from app.io.csv_export import trajectories_csv
from app.main_window import MainWindow
from app.panels.fields import NumberField
from app.readouts import READOUTS, readout
from app.scene import Scene
from app.state import SceneState

ROOT = Path(__file__).resolve().parents[2]
TOUR = ["fiber", "permutation", "rescaling", "gradients", "gradient-growth", "one-step",
        "conservation", "balanced", "small-init", "lazy-rich", "relu", "path-sgd"]
PLAY_TIMEOUT_MS = 20_000


# -- helpers ---------------------------------------------------------------------

@pytest.fixture
def demo_window(qtbot):
    """Open a demo in a fresh, shown MainWindow on the real engine."""

    def make(demo_id: str) -> MainWindow:
        window = MainWindow(Scene(SceneState()))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.open_demo(demo_id)
        assert window.scene_.state.demo == demo_id
        return window

    return make


def play_to_end(window: MainWindow, qtbot):
    """Play the open demo with the player until it stops at the demo's length; return its runs."""
    scene = window.scene_
    steps = scene.state.steps
    window.player.set_speed(100)
    window.player.play()
    qtbot.waitUntil(lambda: scene.playhead >= steps and not window.player.playing, timeout=PLAY_TIMEOUT_MS)
    assert scene.playhead == steps == scene.horizon
    demo = find_demo(scene.state.demo)
    for name in demo.readouts:  # the tour panel shows these at the playhead: none may fail
        assert readout(name, scene)
    return scene.runs


def csv_runs(runs) -> list[dict]:
    """The CSV export parsed back: one dict per run with its columns as arrays."""
    rows = list(csv.DictReader(io.StringIO(trajectories_csv(runs))))
    out: dict[int, dict] = {}
    for row in rows:
        r = out.setdefault(int(row["run"]), {"optimizer": row["optimizer"], "role": row["role"],
                                             "label": row["label"], "rows": []})
        r["rows"].append(row)
    for r in out.values():
        rs = r.pop("rows")
        r["step"] = np.array([int(x["step"]) for x in rs])
        r["w"] = np.array([[float(x["w1"]), float(x["w2"])] for x in rs])
        for name in ("loss", "grad_norm", "canonical_grad_norm"):
            r[name] = np.array([float(x[name]) for x in rs])
    return [out[i] for i in sorted(out)]


def csv_main(runs, optimizer: str) -> list[dict]:
    return [r for r in csv_runs(runs) if r["role"] == "main" and r["optimizer"] == optimizer]


def max_gap(ws: np.ndarray) -> float:
    """Largest distance of any run from run 0 over the whole trajectory; ``ws`` is (T, n, d)."""
    return float(np.max(np.linalg.norm(ws - ws[:, :1], axis=-1)))


def precond(U: np.ndarray, v: np.ndarray) -> np.ndarray:
    """P = UᵀU + ‖v‖²I, computed here (not by the engine)."""
    return U.T @ U + (v @ v) * np.eye(U.shape[1])


def primary_init(state):
    return np.array(state.U0), np.array(state.v0)


def click_toggle(window: MainWindow, qtbot, field: str) -> None:
    button = window.tour.findChild(QPushButton, f"toggle-{field}")
    assert button is not None, f"the tour panel shows no toggle for {field}"
    qtbot.mouseClick(button, Qt.LeftButton)


def enter_in_slider(window: MainWindow, qtbot, field: str, value: str) -> None:
    number = window.tour.findChild(NumberField, f"slider-{field}")
    assert number is not None, f"the tour panel shows no slider for {field}"
    number.edit.clear()
    qtbot.keyClicks(number.edit, value)
    qtbot.keyClick(number.edit, Qt.Key_Return)


# -- the files -------------------------------------------------------------------

def test_every_demo_file_parses_has_a_unique_place_and_renders(qtbot):
    files = sorted((ROOT / "resources" / "demos").glob("*.json"))
    demos = load_demos()
    assert len(demos) == len(files) == 12
    assert [d.id for d in demos] == TOUR
    assert [d.order for d in demos] == list(range(1, 13))
    assert {f.stem for f in files} == set(TOUR)  # each file is named after its id
    window = MainWindow(Scene(SceneState()))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for demo in demos:
        assert demo.narration.strip() and demo.try_this.strip() and demo.title.strip()
        for text in (demo.narration, demo.try_this):  # rich text: a bare < or > would eat the words after it
            bare = re.sub(r"</?(p|b|i|br)>", "", text)
            assert "<" not in bare and ">" not in bare, demo.id
        assert set(demo.readouts) <= set(READOUTS)
        assert demo.state.steps <= 2000
        window.open_demo(demo.id)
        assert window.scene_.state.demo == demo.id
        assert not any(g.traj.diverged.any() for g in window.scene_.runs.groups), demo.id
        pixmap = window.grab()
        assert not pixmap.isNull(), demo.id
        assert pixmap.size() == window.size(), demo.id


# -- 1. fiber ----------------------------------------------------------------------

def test_fiber_many_factorizations_one_w0(demo_window, qtbot):
    window = demo_window("fiber")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    g = runs.primary
    assert g.size >= 5
    w0 = np.array(s.w0)
    # every init is a different (U, v) with the same w0 = Uᵀv
    Us, vs = g.traj.U[0], g.traj.v[0]
    assert np.max(np.abs(np.einsum("nkd,nk->nd", Us, vs) - w0)) <= 1e-12
    params = np.concatenate([Us.reshape(g.size, -1), vs], axis=1)
    dist = np.linalg.norm(params[:, None] - params[None], axis=-1)
    assert np.min(dist[~np.eye(g.size, dtype=bool)]) > 0.1  # distinct preimages: no inverse
    # d² + d parameters for a d-dimensional function
    k, d = s.k, s.d
    assert params.shape[1] == k * d + k == d * d + d == 6 and w0.shape == (2,)
    # ... and they train differently
    assert max_gap(g.traj.w) >= 0.1
    # the export says the same
    rows = csv_main(runs, "gd")
    assert len(rows) == g.size
    starts = np.array([r["w"][0] for r in rows])
    assert np.max(np.abs(starts - w0)) <= 1e-12
    assert max(np.max(np.linalg.norm(r["w"] - rows[0]["w"], axis=-1)) for r in rows) >= 0.1


# -- 2. permutation ----------------------------------------------------------------

def test_permutation_runs_coincide_to_rounding(demo_window, qtbot):
    window = demo_window("permutation")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    perms = [np.array(v["permute"]) for v in s.variants]
    assert perms and len(runs.main) >= 2
    for g in runs.main:
        assert max_gap(g.traj.w) <= 1e-12, g.optimizer
        assert g.traj.w[-1, 0] @ g.traj.w[-1, 0] > 0  # a real run, not a trivial one
        for i, p in enumerate(perms, start=1):  # the weights stay permuted copies
            assert np.max(np.abs(g.traj.U[:, i] - g.traj.U[:, 0][:, p])) <= 1e-12
    for opt in s.optimizers:
        rows = csv_main(runs, opt)
        assert len(rows) == 1 + len(perms)
        for r in rows[1:]:
            assert np.array_equal(r["step"], rows[0]["step"])
            assert np.max(np.abs(r["w"] - rows[0]["w"])) <= 1e-12


# -- 3. rescaling ------------------------------------------------------------------

def test_rescaling_same_start_different_paths_and_start_gradients(demo_window, qtbot):
    window = demo_window("rescaling")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    U, v = primary_init(s)
    a = np.array(s.w0) - np.array(s.target)  # whitened: ∇L(w) = w − w*
    expected = [np.sqrt(a @ precond(U, v) @ a)]
    for variant in s.variants:
        c = np.broadcast_to(np.array(variant["rescale"], dtype=float), (s.k,))
        if np.all(c == c[0]):  # P_c = c²UᵀU + c⁻²‖v‖²I
            P = c[0] ** 2 * U.T @ U + (v @ v) / c[0] ** 2 * np.eye(s.d)
        else:  # per unit: Σ cᵢ² uᵢuᵢᵀ + Σ vᵢ²/cᵢ² I
            P = (U * c[:, None] ** 2).T @ U + np.sum(v**2 / c**2) * np.eye(s.d)
        expected.append(np.sqrt(a @ P @ a))
    expected = np.array(expected)
    assert len(expected) >= 4 and np.ptp(expected) > 1.0  # the rescalings really change it
    g = runs.primary
    np.testing.assert_allclose(g.traj.grad_norm[0], expected, rtol=1e-12)
    assert np.max(np.abs(g.traj.w[0] - np.array(s.w0))) <= 1e-12
    assert max_gap(g.traj.w) >= 0.1
    assert np.all(g.traj.loss[-1] < 1e-6)  # different paths, same minimum
    rows = csv_main(runs, "gd")
    np.testing.assert_allclose([r["grad_norm"][0] for r in rows], expected, rtol=1e-12)
    assert np.max(np.abs(np.array([r["w"][0] for r in rows]) - np.array(s.w0))) <= 1e-12
    assert max(np.max(np.linalg.norm(r["w"] - rows[0]["w"], axis=-1)) for r in rows) >= 0.1


# -- 4. gradients ------------------------------------------------------------------

def test_gradients_canonical_along_x_parametric_along_Px(demo_window, qtbot):
    window = demo_window("gradients")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    assert s.problem == "single" and "arrows" in s.overlays
    x, y, eta = np.array(s.single_x), s.single_y, s.lr
    U, v = primary_init(s)
    w = np.array(s.w0)
    a = (w @ x - y) * x
    P = precond(U, v)
    # the parametric direction Px is visibly not x
    Px = P @ x
    angle = np.degrees(np.arccos(Px @ x / np.linalg.norm(Px) / np.linalg.norm(x)))
    assert angle > 20
    # canonical GD: every step is along x, so the whole dashed path is a segment along x
    c = runs.group("canonical").traj.w[:, 0]
    cross = (c - w) @ np.array([-x[1], x[0]])
    assert np.max(np.abs(cross)) <= 1e-12 and np.linalg.norm(c[1] - c[0]) > 0
    # parametric GD: the first step is −ηPa + η²(wᵀa)a exactly, −ηPa along Px
    p = runs.primary.traj
    np.testing.assert_allclose(p.w[1, 0], w - eta * P @ a + eta**2 * (w @ a) * a, atol=1e-14)
    first_order = -eta * P @ a
    assert abs(first_order @ np.array([-Px[1], Px[0]])) <= 1e-14
    # the derivatives the read-out shows: ∂f/∂v = Ux, ∂f/∂U = vxᵀ (finite differences of f = vᵀUx)
    Ut, vt = p.U[-1, 0], p.v[-1, 0]
    f = lambda U_, v_: v_ @ U_ @ x  # noqa: E731
    h = 1e-6
    dv = np.array([(f(Ut, vt + h * e) - f(Ut, vt - h * e)) / (2 * h) for e in np.eye(s.k)])
    dU = np.array([[(f(Ut + h * E, vt) - f(Ut - h * E, vt)) / (2 * h) for E in row]
                   for row in np.eye(s.k * s.d).reshape(s.k, s.d, s.k, s.d)])
    np.testing.assert_allclose(dv, Ut @ x, atol=1e-8)
    np.testing.assert_allclose(dU, np.outer(vt, x), atol=1e-8)
    assert "∂f/∂v = Ux" in readout("derivatives", window.scene_)


# -- 5. gradient growth ------------------------------------------------------------

def test_gradient_growth_parameter_gradient_peaks_while_canonical_shrinks(demo_window, qtbot):
    window = demo_window("gradient-growth")
    runs = play_to_end(window, qtbot)
    t = runs.primary.traj
    gn, cg = t.grad_norm[:, 0], t.canonical_grad_norm[:, 0]
    assert np.argmax(gn) > 0 and gn.max() >= 3 * gn[0]
    assert np.all(np.diff(cg) <= 1e-15 * cg[:-1])  # ‖a‖ never grows
    assert cg[-1] < 1e-3 * cg[0]
    # the gain is √(âᵀPâ) from the recorded weights, and it grows with ‖θ‖²
    P = np.einsum("tkd,tke->tde", t.U[:, 0], t.U[:, 0]) + np.sum(t.v[:, 0] ** 2, -1)[:, None, None] * np.eye(2)
    a = t.w[:, 0] - np.array(window.scene_.state.target)
    ahat = a / np.linalg.norm(a, axis=-1, keepdims=True)
    gain = np.sqrt(np.einsum("td,tde,te->t", ahat, P, ahat))
    np.testing.assert_allclose(gn / cg, gain, rtol=1e-9)
    theta2 = np.sum(t.U[:, 0] ** 2, axis=(-2, -1)) + np.sum(t.v[:, 0] ** 2, -1)
    assert theta2[-1] > 10 * theta2[0] and gain[-1] > 5 * gain[0]
    assert np.all(np.diff(theta2) >= 0)  # the weights only grow here
    assert np.all(gain <= np.sqrt(theta2) * (1 + 1e-12))  # âᵀPâ = ‖v‖² + ‖Uâ‖² ≤ ‖θ‖²


# -- 6. one step -------------------------------------------------------------------

def _one_step_check(traj, lr: float, target: np.ndarray) -> np.ndarray:
    """Each recorded step is w − ηPa + η²(wᵀa)a; returns ‖exact − first order‖ per step."""
    gaps = []
    for r in range(len(traj.step) - 1):
        U, v = traj.U[r, 0], traj.v[r, 0]
        w = v @ U
        a = w - target  # whitened: ∇L(w) = w − w*
        exact = w - lr * precond(U, v) @ a + lr**2 * (w @ a) * a
        assert np.linalg.norm(traj.w[r + 1, 0] - exact) <= 1e-12
        gaps.append(np.linalg.norm(exact - (w - lr * precond(U, v) @ a)))
    return np.array(gaps)


def test_one_step_exact_formula_and_the_lr_slider(demo_window, qtbot):
    window = demo_window("one-step")
    s = window.scene_.state
    assert "one_step" in s.overlays and s.steps <= 20
    target = np.array(s.target)
    runs = play_to_end(window, qtbot)
    assert runs.primary.traj.every == 1
    gaps = _one_step_check(runs.primary.traj, s.lr, target)
    w = np.array(s.w0)
    a = w - target
    assert gaps[0] == pytest.approx(s.lr**2 * abs(w @ a) * np.linalg.norm(a), rel=1e-12)
    assert gaps[0] > 0.05  # visible on the w-plane
    # the slider: half the step size, a quarter of the gap
    enter_in_slider(window, qtbot, "lr", f"{s.lr / 2:g}")
    assert window.scene_.state.lr == pytest.approx(s.lr / 2)
    runs2 = play_to_end(window, qtbot)
    gaps2 = _one_step_check(runs2.primary.traj, s.lr / 2, target)
    assert gaps2[0] == pytest.approx(gaps[0] / 4, rel=1e-12)


# -- 7. conservation ----------------------------------------------------------------

def _drifts(traj):
    D = np.einsum("tkd,tld->tkl", traj.U[:, 0], traj.U[:, 0]) - np.einsum("tk,tl->tkl", traj.v[:, 0], traj.v[:, 0])
    per_unit = np.sum(traj.U[:, 0] ** 2, -1) - traj.v[:, 0] ** 2
    return np.max(np.linalg.norm(D - D[0], axis=(-2, -1))), np.max(np.abs(per_unit - per_unit[0]))


def test_conservation_flow_keeps_D_gd_drifts(demo_window, qtbot):
    window = demo_window("conservation")
    s = window.scene_.state
    assert s.optimizers == ("flow",)
    flow = play_to_end(window, qtbot).primary.traj
    d_flow, unit_flow = _drifts(flow)
    assert d_flow <= 1e-8 and unit_flow <= 1e-8
    assert np.linalg.norm(flow.w[-1, 0] - flow.w[0, 0]) > 1  # the units really moved
    click_toggle(window, qtbot, "optimizer")
    assert window.scene_.state.optimizer == "gd"
    gd = play_to_end(window, qtbot).primary.traj
    d_gd, unit_gd = _drifts(gd)
    assert d_gd >= 1e-3 and unit_gd >= 1e-3 and d_gd > 1e4 * d_flow
    # one GD step changes D by exactly η²(‖a‖²vvᵀ − (Ua)(Ua)ᵀ)
    U, v = primary_init(s)
    X = np.array(s.points)
    a = X.T @ (X @ np.array(s.w0) - X @ np.array(s.target)) / len(X)
    Ua = U @ a
    dD = s.lr**2 * ((a @ a) * np.outer(v, v) - np.outer(Ua, Ua))
    D1 = gd.U[1, 0] @ gd.U[1, 0].T - np.outer(gd.v[1, 0], gd.v[1, 0])
    np.testing.assert_allclose(D1 - (U @ U.T - np.outer(v, v)), dD, atol=1e-14)


# -- 8. balanced --------------------------------------------------------------------

def test_balanced_follows_end_to_end_rule_unbalanced_does_not(demo_window, qtbot):
    window = demo_window("balanced")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    assert s.optimizers == ("flow",) and "theory" in s.overlays
    t = runs.primary.traj
    U, v = t.U[0], t.v[0]
    D = np.einsum("nkd,nld->nkl", U, U) - np.einsum("nk,nl->nkl", v, v)
    assert np.max(np.abs(D[0])) <= 1e-12  # balanced
    assert np.linalg.norm(D[1]) >= 1.0  # clearly unbalanced
    assert np.max(np.abs(t.w[0, 1] - t.w[0, 0])) <= 1e-12  # same w0
    T = int(t.step[-1])
    path = core.balanced_flow(core.whitened_regression(np.array(s.target)), np.array(s.w0), 0.0, T * s.lr, T)[t.step]
    gaps = np.max(np.linalg.norm(t.w - path[:, None], axis=-1), axis=0)
    assert gaps[0] <= 1e-6
    assert gaps[1] >= 0.5


# -- 9. small init --------------------------------------------------------------------

def test_small_init_plateau_then_saxe_sigmoid(demo_window, qtbot):
    window = demo_window("small-init")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    wstar = np.array(s.target)
    sn = float(np.linalg.norm(wstar))
    u0 = float(np.linalg.norm(s.w0))
    assert u0 == pytest.approx(1e-3, rel=1e-9)
    t = runs.group("main", "flow").traj
    time = t.step * s.lr
    norms = np.linalg.norm(t.w, axis=-1)
    for i, start in enumerate((u0, u0 * 0.01)):  # the variant scales the weights by 0.1, w by 0.01
        theory = core.saxe_sigmoid(time, sn, start)
        assert np.max(np.abs(norms[:, i] - theory) / theory) <= 1e-6
        assert np.max(np.abs(t.w[:, i] @ np.array([-wstar[1], wstar[0]]))) <= 1e-12  # stays on the line of w*
        assert norms[-1, i] == pytest.approx(sn, rel=1e-3)  # it did leave the plateau
    # a plateau: at t = 1 the flow has barely moved, canonical GD has covered most of the way
    r1 = int(np.searchsorted(time, 1.0))
    assert norms[r1, 0] < 0.05 * sn
    c = runs.group("canonical").traj.w[:, 0]
    err = np.linalg.norm(c - wstar, axis=-1)
    np.testing.assert_allclose(err, err[0] * (1 - s.lr) ** t.step, rtol=1e-10)  # exponential, no plateau
    assert err[r1] <= np.exp(-1.0) * err[0]
    # ten times smaller weights: the plateau is ln(100)/(2s) longer
    half = [np.interp(sn / 2, norms[:, i], time) for i in range(2)]
    assert half[1] - half[0] == pytest.approx(np.log(100) / (2 * sn), rel=5e-3)


# -- 10. lazy / rich ----------------------------------------------------------------

def _kernel_change(traj, i: int) -> float:
    P = np.einsum("tkd,tke->tde", traj.U[:, i], traj.U[:, i]) + np.sum(traj.v[:, i] ** 2, -1)[:, None, None] * np.eye(2)
    return float(np.max(np.linalg.norm(P - P[0], axis=(-2, -1)) / np.linalg.norm(P[0])))


def test_lazy_rich_lambda_dial(demo_window, qtbot):
    window = demo_window("lazy-rich")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    g = runs.primary
    lams = [s.lam] + [v["balanced"] for v in s.variants]
    assert sorted(lams)[0] == 0 and sorted(lams)[-1] >= 10
    for i, lam in enumerate(lams):  # each init is λ-balanced: UUᵀ − vvᵀ = λI
        U, v = g.traj.U[0, i], g.traj.v[0, i]
        assert np.max(np.abs(U @ U.T - np.outer(v, v) - lam * np.eye(s.k))) <= 1e-12
    change = {lam: _kernel_change(g.traj, i) for i, lam in enumerate(lams)}
    assert change[10] < 0.05 and change[0] >= 1.0
    # at λ = 10 the run is a linear model with the fixed kernel P(0): w ← w − ηP(0)a
    i10 = lams.index(10)
    P0 = precond(g.traj.U[0, i10], g.traj.v[0, i10])
    w = np.array(s.w0)
    lin = [w]
    for _ in range(s.steps):
        w = w - s.lr * P0 @ (w - np.array(s.target))
        lin.append(w)
    lin = np.array(lin)[g.traj.step]
    dist = np.linalg.norm(np.array(s.target) - np.array(s.w0))
    assert np.max(np.linalg.norm(g.traj.w[:, i10] - lin, axis=-1)) < 0.05 * dist
    # the slider moves the primary between the ends
    for value, check in (("10", lambda x: x < 0.05), ("0", lambda x: x >= 1.0)):
        enter_in_slider(window, qtbot, "lam", value)
        assert window.scene_.state.lam == float(value)
        runs = play_to_end(window, qtbot)
        assert check(_kernel_change(runs.primary.traj, 0)), value


# -- 11. ReLU ----------------------------------------------------------------------

def _relu_f(U: np.ndarray, v: np.ndarray, X: np.ndarray) -> np.ndarray:
    return np.maximum(X @ U.T, 0.0) @ v


def test_relu_positive_rescaling_and_permutation_keep_f_sign_flip_changes_it(demo_window, qtbot):
    window = demo_window("relu")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    assert s.model == "relu"
    kinds = [next(iter(v)) for v in s.variants]
    t = runs.primary.traj
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 31), np.linspace(-3, 3, 31)), -1).reshape(-1, 2)
    f0 = [_relu_f(t.U[0, i], t.v[0, i], grid) for i in range(len(kinds) + 1)]
    fT = [_relu_f(t.U[-1, i], t.v[-1, i], grid) for i in range(len(kinds) + 1)]
    seen = set()
    for i, (kind, variant) in enumerate(zip(kinds, s.variants), start=1):
        assert np.max(np.abs(t.w[0, i] - t.w[0, 0])) <= 1e-12  # the linear part Uᵀv never changes
        if kind == "permute":
            assert np.max(np.abs(f0[i] - f0[0])) <= 1e-12
            assert np.max(np.abs(fT[i] - fT[0])) <= 1e-12  # and it trains identically
            seen.add("permute")
        elif min(variant["rescale"]) > 0:
            assert np.max(np.abs(f0[i] - f0[0])) <= 1e-12
            seen.add("positive")
        else:
            assert np.max(np.abs(f0[i] - f0[0])) >= 0.5
            seen.add("negative")
    assert seen == {"permute", "positive", "negative"}
    assert t.loss[-1, 0] < 1e-3 * t.loss[0, 0]  # the network does learn


# -- 12. Path-SGD --------------------------------------------------------------------

def test_path_sgd_is_blind_to_rescaling_gd_is_not(demo_window, qtbot):
    window = demo_window("path-sgd")
    runs = play_to_end(window, qtbot)
    s = window.scene_.state
    assert s.optimizers == ("path-sgd", "gd", "natural")
    assert any("rescale" in v for v in s.variants)
    path, gd, nat = (runs.group("main", o).traj for o in s.optimizers)
    assert np.max(np.abs(path.w[0] - path.w[0, :1])) <= 1e-12  # twins: same w0
    assert max_gap(path.w) <= 1e-9
    assert max_gap(gd.w) >= 0.1
    canon = runs.group("canonical").traj.w[:, :1]
    # the natural step moves w like canonical GD to first order: closer to it than GD is
    assert np.max(np.linalg.norm(nat.w - canon, axis=-1)) < 0.25 * np.max(np.linalg.norm(gd.w - canon, axis=-1))
    for opt, check in (("path-sgd", lambda g: g <= 1e-9), ("gd", lambda g: g >= 0.1)):
        rows = csv_main(runs, opt)
        assert len(rows) == 2
        assert check(np.max(np.linalg.norm(rows[1]["w"] - rows[0]["w"], axis=-1))), opt


# -- the command line ------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_lists_the_demos_in_tour_order():
    out = _cli("--list-demos")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 12
    titles = {d.id: d.title for d in load_demos()}
    assert [line.split("\t")[0] for line in lines] == TOUR
    for line in lines:
        demo_id, title = line.split("\t")
        assert title == titles[demo_id]


def test_cli_unknown_demo_is_one_line_and_exit_2():
    out = _cli("--demo", "nosuch")
    assert out.returncode == 2
    err = out.stderr.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in out.stderr
    assert "nosuch" in err[0] and all(demo_id in err[0] for demo_id in TOUR)


def test_cli_exports_a_demo_as_csv(tmp_path):
    target = tmp_path / "rescaling.csv"
    out = _cli("--demo", "rescaling", "--export-csv", str(target))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    from app.runs import compute

    state = find_demo("rescaling").state
    expected = [g.optimizer for g in compute(state).groups for _ in range(g.size)]
    by_run = {}
    for row in rows:
        assert by_run.setdefault(int(row["run"]), row["optimizer"]) == row["optimizer"]
    assert [by_run[i] for i in sorted(by_run)] == expected
    assert set(expected) == {"gd", "canonical"}
    # the demo's claim holds in the exported file too: same start, different paths
    starts = np.array([[float(r["w1"]), float(r["w2"])] for r in rows if r["step"] == "0"])
    assert np.max(np.abs(starts - np.array(state.w0))) <= 1e-12
