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

from PySide6.QtGui import QColor, QFont, QPalette

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

    def palette(self) -> QPalette:
        """Qt colours for the widgets around the plots.

        A palette, not a style sheet: a window-wide style sheet made every full
        repaint three times slower (each widget painted through the style-sheet style).
        """
        p = QPalette()
        roles = {
            QPalette.Window: self.panel, QPalette.WindowText: self.foreground, QPalette.Base: self.background,
            QPalette.AlternateBase: self.panel, QPalette.Text: self.foreground, QPalette.Button: self.background,
            QPalette.ButtonText: self.foreground, QPalette.Highlight: self.accent,
            QPalette.HighlightedText: self.background, QPalette.ToolTipBase: self.background,
            QPalette.ToolTipText: self.foreground, QPalette.PlaceholderText: self.muted, QPalette.Mid: self.grid,
        }
        for role, colour in roles.items():
            p.setColor(role, QColor(colour))
        for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
            p.setColor(QPalette.Disabled, role, QColor(self.muted))
        return p

    def error_palette(self, base: QPalette) -> QPalette:
        """``base`` with text in the error colour (for messages at fields and in the status bar)."""
        p = QPalette(base)
        p.setColor(QPalette.WindowText, QColor(self.error))
        return p

    def font(self, factor: float = 1.0, bold: bool = False, plot: bool = False) -> QFont:
        """The theme's font at ``factor`` times its size (``plot``: the plots' smaller scale)."""
        f = QFont()
        f.setPixelSize(max(8, round((self.plot_px if plot else self.font_px) * factor)))
        f.setBold(bold)
        return f


def load_theme(name: str, font_scale: float = 1.0) -> Theme:
    """Read ``resources/themes/NAME.json``; unknown names raise ValueError."""
    if name not in THEME_NAMES:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEME_NAMES)}")
    text = resources.files("resources").joinpath("themes", f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data["runs"] = tuple(data["runs"])
    data["loss_cmap"] = tuple(data["loss_cmap"])
    return Theme(**data, font_scale=font_scale)
