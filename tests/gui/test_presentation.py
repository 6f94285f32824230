"""Presentation mode, themes and the keyboard: what a lecturer relies on in front of a class."""


import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from app.commands import COMMANDS, ShortcutsDialog
from app.theme import THEME_NAMES, load_theme

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def tick_px(plot_item, side="bottom"):
    return plot_item.getAxis(side).style["tickFont"].pixelSize()


def test_f5_enlarges_fonts_and_pens_and_hides_advanced_controls(window, qtbot):
    button_px = QFontInfo(window.transport.play.font()).pixelSize()
    narration_px = QFontInfo(window.tour.narration.font()).pixelSize()
    ticks = tick_px(window.wplane.getPlotItem())
    curve_width = window.wplane.run_curves[0].opts["pen"].widthF()
    qtbot.keyClick(window, Qt.Key_F5)
    assert window.presenting and window.theme.name == "projector"
    assert QFontInfo(window.transport.play.font()).pixelSize() >= 1.5 * button_px
    assert tick_px(window.wplane.getPlotItem()) > ticks
    for view in (window.wplane.getPlotItem(), window.timeseries.plots["loss"]):
        assert tick_px(view) > ticks
    assert window.wplane.run_curves[0].opts["pen"].widthF() >= max(3.0, curve_width)
    assert all(c.opts["pen"].widthF() >= 3.0 for c in window.timeseries.curves["loss"] if c.isVisible())
    assert not any(box.isVisibleTo(window) for box in window.controls.advanced)
    assert window.caption.isVisible() and not window.side.isVisible()
    qtbot.keyClick(window, Qt.Key_PageDown)  # a clicker walks the tour; the caption follows
    assert window.tour.current is not None
    assert window.tour.current.title in window.caption.title.text()
    assert QFontInfo(window.caption.title.font()).pixelSize() > narration_px
    qtbot.keyClick(window, Qt.Key_F5)
    assert not window.presenting and window.side.isVisible()
    assert QFontInfo(window.transport.play.font()).pixelSize() == button_px


def test_text_size_is_adjustable(window, qtbot):
    before = QFontInfo(window.transport.play.font()).pixelSize()
    qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    assert QFontInfo(window.transport.play.font()).pixelSize() > before


def test_presentation_fits_1024x768(window, qtbot):
    window.resize(1024, 768)
    window.set_presentation(True)
    window.open_demo("rescaling")
    QApplication.processEvents()
    assert window.width() <= 1024
    assert window.wplane.width() >= 400 and window.wplane.height() >= 250
    assert window.transport.play.isVisible()


@pytest.mark.parametrize("name", THEME_NAMES)
def test_every_theme_is_colour_blind_safe_and_styles_qt_and_plots(name, window):
    theme = load_theme(name)
    colours = {c.upper() for c in theme.runs}
    assert colours <= OKABE_ITO | {"#FFFFFF"}, "run colours come from the Okabe–Ito palette"
    assert len(set(theme.runs[:4])) == 4
    window.set_theme(name)
    assert window.palette().color(QPalette.Window).name().upper() == theme.panel.upper()
    assert window.controls.lr.edit.palette().color(QPalette.Base).name().upper() == theme.background.upper()
    bg = window.wplane.backgroundBrush().color().name().upper()
    assert bg == theme.background.upper()
    # a run keeps its colour across views: the w-plane path and the time series curve
    path_colour = window.wplane.run_curves[0].opts["pen"].color().name().upper()
    loss_colour = window.timeseries.curves["loss"][0].opts["pen"].color().name().upper()
    assert path_colour == loss_colour == theme.run_color(0).upper()


def test_every_command_has_a_unique_shortcut_and_the_help_lists_them(window):
    seen = {}
    for cmd in COMMANDS:
        assert cmd.shortcuts, cmd.key
        for s in cmd.shortcuts:
            key = QKeySequence(s).toString()
            assert key and key not in seen, f"{s} is bound to {cmd.key} and {seen.get(key)}"
            seen[key] = cmd.key
    dialog = ShortcutsDialog(window)
    assert dialog.table.rowCount() == len(COMMANDS)
    listed = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert listed == {c.text for c in COMMANDS}
    dialog.deleteLater()


def test_clicker_blank_keys(window, qtbot):
    window.player.play()
    qtbot.keyClick(window, Qt.Key_B)
    assert window.blank.isVisible() and not window.player.playing
    assert window.blank.geometry() == window.rect()
    qtbot.keyClick(window, Qt.Key_Period)
    assert not window.blank.isVisible()
    qtbot.keyClick(window, Qt.Key_Period)
    qtbot.keyClick(window, Qt.Key_Escape)
    assert not window.blank.isVisible()
