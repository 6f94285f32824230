"""The controls panel: every setting of the scene, each written through ``edits``.

Setters (``sync``) only update widgets from the scene; handlers only write to it.
A refused value is explained at its field and the scene stays as it was.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from overparam_core import OPTIMIZERS

from .. import edits
from ..scene import Scene
from ..state import LR_RANGE, MAX_ENSEMBLE, MAX_STEPS, PROBLEM_TITLES, SceneState, StateError
from .fields import NumberField

OPTIMIZER_TITLES = {
    "gd": "gd: gradient descent on (U, v)",
    "flow": "flow: gradient flow on (U, v), RK4",
    "canonical": "canonical: gradient descent on w",
    "path-sgd": "path-sgd: rescaling-invariant",
    "natural": "natural: pulled-back canonical step",
}
INIT_TITLES = {"balanced": "λ-balanced", "random": "random, scale α", "hand": "hand-made"}
OVERLAY_TITLES = {"arrows": "step arrows −ηa, −ηPa", "ellipse": "ellipse of P", "contributions": "unit contributions v_i u_i"}

# names of the controls a scene file can lock (see SceneState.locked)
LOCKABLE = ("lr", "optimizer", "problem", "model", "width", "init", "ensemble", "seed", "steps", "overlays", "units", "w0")


class ControlsPanel(QWidget):
    def __init__(self, scene: Scene, parent=None):
        super().__init__(parent)
        self.scene_ = scene
        self.setObjectName("controls")
        self.lr = NumberField(*LR_RANGE, log=True)
        self.lr.setToolTip("learning rate η (log slider, or type an exact value)")
        self.optimizer = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer.addItem(OPTIMIZER_TITLES[name], name)
        self.problem = QComboBox()
        for name, title in PROBLEM_TITLES.items():
            self.problem.addItem(title, name)
        self.model = QComboBox()
        self.model.addItem("linear: f(x) = vᵀUx", "linear")
        self.model.addItem("ReLU: f(x) = vᵀrelu(Ux)", "relu")
        self.width = QSpinBox()
        self.width.setRange(1, 8)
        self.width.setToolTip("hidden width k: the number of units")
        self.init = QComboBox()
        for name, title in INIT_TITLES.items():
            self.init.addItem(title, name)
        self.lam = NumberField(0.0, 5.0)
        self.lam.setToolTip("λ in UUᵀ − vvᵀ = λI: 0 is the rich end, large λ the lazy (kernel) end")
        self.alpha = NumberField(0.01, 10.0, log=True)
        self.alpha.setToolTip("scale α of the random init")
        self.ensemble = NumberField(0, MAX_ENSEMBLE, integer=True)
        self.ensemble.setToolTip("extra random inits on the fiber of w₀, drawn faded")
        self.seed = NumberField(0, 2**31 - 1, integer=True, slider=False)
        self.steps = NumberField(1, MAX_STEPS, integer=True, slider=False)
        self.steps.setToolTip("how many steps are computed ahead (playing goes further)")
        self.show_canonical = QCheckBox("canonical GD from w₀ (dashed)")
        self.overlays = {name: QCheckBox(title) for name, title in OVERLAY_TITLES.items()}
        self.pin = QPushButton("Pin as ghost")
        self.pin.setToolTip("keep the current run, faded, to compare with the next (G)")
        self.clear_ghosts = QPushButton("Clear ghosts")
        for combo in (self.optimizer, self.problem, self.model, self.init):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)

        training = QGroupBox("Training")
        f = QFormLayout(training)
        f.addRow("η", self.lr)
        f.addRow("optimizer", self.optimizer)
        f.addRow("steps", self.steps)
        problem = QGroupBox("Problem and model")
        f = QFormLayout(problem)
        f.addRow("loss", self.problem)
        f.addRow("model", self.model)
        f.addRow("width k", self.width)
        init = QGroupBox("Initialization")
        f = QFormLayout(init)
        f.addRow("init", self.init)
        f.addRow("λ", self.lam)
        f.addRow("α", self.alpha)
        f.addRow("ensemble", self.ensemble)
        f.addRow("seed", self.seed)
        show = QGroupBox("Show")
        col = QVBoxLayout(show)
        col.addWidget(self.show_canonical)
        for box in self.overlays.values():
            col.addWidget(box)
        row = QHBoxLayout()
        row.addWidget(self.pin)
        row.addWidget(self.clear_ghosts)
        col.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for box in (training, problem, init, show):
            layout.addWidget(box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.advanced = [problem, init]  # hidden in presentation mode

        self.lr.committed.connect(lambda x: self._apply(replace(self._s, lr=x), "set η", "lr"))
        self.lr.released.connect(scene.end_gesture)
        self.optimizer.activated.connect(lambda _: self._apply(edits.set_optimizer(self._s, self.optimizer.currentData()), "set optimizer"))
        self.problem.activated.connect(lambda _: self._apply(edits.set_problem(self._s, self.problem.currentData()), "set problem"))
        self.model.activated.connect(lambda _: self._set_model(self.model.currentData()))
        self.width.valueChanged.connect(lambda k: self._apply_edit(edits.set_width, k, text="set width", field=None))
        self.init.activated.connect(lambda _: self._apply_edit(edits.set_init, self.init.currentData(), text="set init"))
        self.lam.committed.connect(lambda x: self._apply_edit(edits.set_lam, x, text="set λ", field=self.lam, key="lam"))
        self.lam.released.connect(scene.end_gesture)
        self.alpha.committed.connect(lambda x: self._apply_edit(edits.set_alpha, x, text="set α", field=self.alpha, key="alpha"))
        self.alpha.released.connect(scene.end_gesture)
        self.ensemble.committed.connect(lambda x: self._apply(replace(self._s, ensemble=int(x)), "set ensemble", "ensemble"))
        self.ensemble.released.connect(scene.end_gesture)
        self.seed.committed.connect(lambda x: self._apply_edit(edits.set_seed, int(x), text="set seed", field=self.seed))
        self.steps.committed.connect(lambda x: self._apply(replace(self._s, steps=int(x)), "set steps"))
        self.show_canonical.toggled.connect(lambda on: self._apply(replace(self._s, show_canonical=on), "toggle canonical"))
        for name, box in self.overlays.items():
            box.toggled.connect(lambda on, name=name: self._apply(edits.toggle_overlay(self._s, name, on), "toggle overlay"))
        self.pin.clicked.connect(scene.pin_ghost)
        self.clear_ghosts.clicked.connect(scene.clear_ghosts)
        scene.changed.connect(self.sync)
        scene.message.connect(self._message)
        self.sync()

    def fields(self) -> tuple[NumberField, ...]:
        return (self.lr, self.lam, self.alpha, self.ensemble, self.seed, self.steps)

    @property
    def _s(self) -> SceneState:
        return self.scene_.state

    # -- view → scene ------------------------------------------------------------
    def _apply(self, new: SceneState, text: str, key: str | None = None) -> None:
        self.message.clear()
        if not self.scene_.apply(new, text, merge_key=key and f"field:{key}"):
            self.sync()

    def _apply_edit(self, edit, value, text: str, field: NumberField | None = None, key: str | None = None) -> None:
        """Run an edit that may refuse (StateError) and show why at the field."""
        try:
            new = edit(self._s, value)
        except StateError as err:
            (field.show_error if field else self.message.setText)(str(err))
            self.sync(keep_errors=True)
            return
        self._apply(new, text, key)

    def _set_model(self, model: str) -> None:
        s = self._s
        opts = tuple(o if o in ("gd", "flow", "path-sgd") else "gd" for o in s.optimizers) if model == "relu" else s.optimizers
        self._apply(replace(s, model=model, optimizers=tuple(dict.fromkeys(opts))), "set model")

    def _message(self, text: str, level: str) -> None:
        if level == "error":
            self.message.setText(text)

    # -- scene → view ------------------------------------------------------------
    def sync(self, keep_errors: bool = False) -> None:
        s = self._s
        widgets = (self.optimizer, self.problem, self.model, self.width, self.init, self.show_canonical, *self.overlays.values())
        for w in widgets:
            w.blockSignals(True)
        if not keep_errors:
            for field in (self.lr, self.lam, self.alpha, self.ensemble, self.seed, self.steps):
                field.set_value({self.lr: s.lr, self.lam: s.lam, self.alpha: s.alpha, self.ensemble: s.ensemble,
                                 self.seed: s.seed, self.steps: s.steps}[field])
        self.optimizer.setCurrentIndex(self.optimizer.findData(s.optimizer))
        self.problem.setCurrentIndex(self.problem.findData(s.problem))
        self.model.setCurrentIndex(self.model.findData(s.model))
        self.width.setValue(s.k)
        self.init.setCurrentIndex(self.init.findData(s.init))
        self.show_canonical.setChecked(s.show_canonical)
        for name, box in self.overlays.items():
            box.setChecked(name in s.overlays)
        for w in widgets:
            w.blockSignals(False)
        self.lam.setEnabled(s.init == "balanced" and "init" not in s.locked)
        self.alpha.setEnabled(s.init == "random" and "init" not in s.locked)
        locks = {"lr": [self.lr], "optimizer": [self.optimizer], "problem": [self.problem], "model": [self.model],
                 "width": [self.width], "init": [self.init], "ensemble": [self.ensemble], "seed": [self.seed],
                 "steps": [self.steps], "overlays": list(self.overlays.values()) + [self.show_canonical]}
        for name, ws in locks.items():
            for w in ws:
                if name != "init" or w is self.init:
                    w.setEnabled(name not in s.locked)
