"""Themes: colours, font size and pen width, read from ``resources/themes/*.json``.

A :class:`Theme` covers both the Qt widgets (a style sheet) and the plots
(pyqtgraph pens and brushes). Run colours come from one Okabe–Ito palette, so a
colour means the same run in every view. Presentation mode scales fonts and
pens on top of any theme.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from importlib import resources

THEME_NAMES = ("light", "dark", "projector")
MIN_PRESENT_PEN = 3.0


@dataclass(frozen=True)
class Theme:
    name: str
    title: str
    background: str
    panel: str
    foreground: str
    muted: str
    grid: str
    accent: str
    error: str
    runs: tuple[str, ...]
    canonical: str
    ensemble: str
    target: str
    contours: str
    loss_cmap: tuple[str, ...]
    orbit: str
    conserved: str
    positive: str
    negative: str
    font_pt: float
    pen_px: float
    font_scale: float = 1.0

    def run_color(self, index: int) -> str:
        return self.runs[index % len(self.runs)]

    @property
    def pen(self) -> float:
        """Line width for trajectories, in pixels."""
        if self.font_scale <= 1:
            return self.pen_px
        return max(self.pen_px * self.font_scale ** 0.5, MIN_PRESENT_PEN)  # presentation mode

    @property
    def font_px(self) -> int:
        return round(self.font_pt * self.font_scale * 96 / 72)

    @property
    def plot_px(self) -> int:
        """Text inside plots (ticks, legends): enlarged half as much as the chrome, so plots keep their room."""
        return round(self.font_pt * (1 + (self.font_scale - 1) * 0.5) * 96 / 72)

    def scaled(self, font_scale: float) -> "Theme":
        return replace(self, font_scale=font_scale)

    def style_sheet(self) -> str:
        """Qt style sheet for the widgets around the plots."""
        return f"""
        QWidget {{ background: {self.panel}; color: {self.foreground}; font-size: {self.font_px}px; }}
        QGraphicsView {{ border: none; }}
        QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
            background: {self.background}; border: 1px solid {self.grid}; border-radius: 3px; padding: 2px 4px; }}
        QLineEdit[invalid="true"] {{ border: 2px solid {self.error}; }}
        QLabel#fieldError, QLabel#statusError {{ color: {self.error}; }}
        QPushButton, QToolButton {{ background: {self.background}; border: 1px solid {self.grid};
            border-radius: 4px; padding: 3px 8px; }}
        QPushButton:checked, QToolButton:checked {{ background: {self.accent}; color: {self.background}; }}
        QGroupBox {{ border: 1px solid {self.grid}; border-radius: 4px; margin-top: 1.1em; padding-top: 0.3em; }}
        QGroupBox::title {{ subcontrol-origin: margin; left: 6px; color: {self.muted}; }}
        QTextBrowser {{ background: {self.background}; border: 1px solid {self.grid}; }}
        QTextBrowser#narration {{ font-size: {round(self.font_px * 1.1)}px; }}
        QLabel#tourTitle {{ font-size: {round(self.font_px * 1.25)}px; font-weight: bold; }}
        QLabel#readout, QLabel#tourReadouts {{ font-size: {self.plot_px}px; }}
        QLabel#captionTitle {{ font-size: {round(self.font_px * 1.15)}px; font-weight: bold; }}
        QLabel#captionBody {{ font-size: {round(self.font_px * 0.85)}px; }}
        """


def load_theme(name: str, font_scale: float = 1.0) -> Theme:
    """Read ``resources/themes/NAME.json``; unknown names raise ValueError."""
    if name not in THEME_NAMES:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEME_NAMES)}")
    text = resources.files("resources").joinpath("themes", f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data["runs"] = tuple(data["runs"])
    data["loss_cmap"] = tuple(data["loss_cmap"])
    return Theme(**data, font_scale=font_scale)
