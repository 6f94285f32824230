"""Trajectories as CSV: one row per run and recorded step."""

from __future__ import annotations

import csv
import io
import os

import numpy as np

from ..runs import RunSet
from .atomic import write_atomic


def trajectories_csv(runs: RunSet) -> str:
    """Every run shown, as CSV text.

    Columns: ``run, optimizer, step, w1..wd, loss, grad_norm``, then
    ``canonical_grad_norm, role, label, diverged``. ``optimizer`` is the engine's name (gd,
    flow, canonical, path-sgd, natural); ``run`` numbers runs from 0 in the order
    the views draw them; a diverged run's rows after divergence hold NaN.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    d = runs.primary.traj.w.shape[-1]
    writer.writerow(["run", "optimizer", "step", *(f"w{j + 1}" for j in range(d)),
                     "loss", "grad_norm", "canonical_grad_norm", "role", "label", "diverged"])
    run = 0
    for g in runs.groups:
        t = g.traj
        for i in range(g.size):
            w = t.w[:, i]
            rows = np.column_stack([t.step, w, t.loss[:, i], t.grad_norm[:, i], t.canonical_grad_norm[:, i]])
            diverged = int(bool(t.diverged[i]))
            for row in rows:
                writer.writerow([run, g.optimizer, int(row[0]), *(repr(float(x)) for x in row[1:]),
                                 g.role, g.labels[i], diverged])
            run += 1
    return out.getvalue()


def export_csv(runs: RunSet, path: str | os.PathLike) -> None:
    write_atomic(path, trajectories_csv(runs))
