"""Figures and animations, read back from the files: sizes, SVG roots, frame counts, cancel."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import imageio.v2 as iio2
import imageio.v3 as iio3
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QProgressDialog

from app.io import animation, figure
from app.io.animation import RecordingCancelled, frame_steps, qimage_to_rgb, record_animation, record_with_progress_dialog
from app.io.figure import copy_figure_to_clipboard, export_png, export_svg
from app.main_window import MainWindow
from app.scene import Scene


@pytest.fixture
def win(qtbot):
    w = MainWindow(Scene())
    qtbot.addWidget(w)
    w.resize(640, 480)
    w.show()
    qtbot.waitExposed(w)
    return w


def leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# -- PNG ------------------------------------------------------------------------------

PNG_CASES = [("window", 1000), ("window", 321), ("wplane", 800), ("units", 500), ("balance", 1234),
             ("timeseries", 700), ("timeseries.layout_widget", 900), ("wplane.plotItem", 640)]


def _target(win, name):
    obj = win
    for part in name.split(".") if name != "window" else ():
        obj = getattr(obj, part)
    return obj


def test_png_has_the_requested_width(win, tmp_path):
    # one window for every case keeps the test fast; each case is a different kind of target
    for name, width in PNG_CASES:
        path = tmp_path / f"{name}-{width}.png"
        w, h = export_png(_target(win, name), path, width_px=width)
        image = QImage(str(path))
        assert not image.isNull() and (image.width(), image.height()) == (w, h), name
        assert image.width() == width and h > 0, name
    assert leftovers(tmp_path, {f"{n}-{w}.png" for n, w in PNG_CASES}) == []


def test_a_window_png_keeps_its_aspect_ratio_and_is_not_blank(win, tmp_path):
    export_png(win, tmp_path / "w.png", width_px=1280)
    image = QImage(str(tmp_path / "w.png"))
    assert image.height() == round(win.height() * 1280 / win.width())
    rgb = qimage_to_rgb(image).astype(np.uint32)
    colours = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
    assert colours.size > 20  # real content, not one flat colour


def test_png_default_width_is_the_on_screen_size(win, tmp_path):
    w, _ = export_png(win, tmp_path / "w.png")
    assert w == round(win.width() * win.devicePixelRatioF())


@pytest.mark.parametrize("width", [0, -5, 10_001, 2.5, True, "800"])
def test_bad_widths_are_refused_before_writing(win, tmp_path, width):
    for target in (win, win.wplane):
        with pytest.raises(ValueError, match="width"):
            export_png(target, tmp_path / "x.png", width_px=width)
    assert list(tmp_path.iterdir()) == []


# -- SVG ------------------------------------------------------------------------------

def test_svg_parses_with_an_svg_root(win, tmp_path):
    for name in ["wplane", "units", "balance", "timeseries", "window"]:
        path = export_svg(_target(win, name), tmp_path / f"{name}.svg")
        root = ET.parse(path).getroot()
        assert root.tag.rsplit("}", 1)[-1] == "svg", name
        assert len(list(root.iter())) > 10, name  # something was drawn
    assert leftovers(tmp_path, {f"{n}.svg" for n in ["wplane", "units", "balance", "timeseries", "window"]}) == []


def test_svg_of_a_view_holding_several_plots_is_its_main_plot(win, tmp_path):
    root = ET.parse(export_svg(win.units, tmp_path / "u.svg")).getroot()
    main = figure.main_plot_of(win.units)
    assert main is win.units.plane.getPlotItem()
    width = float(root.attrib["viewBox"].split()[2])
    assert width == pytest.approx(main.sceneBoundingRect().width(), abs=1.5)


def test_svg_of_a_plot_item_alone_and_of_the_whole_window_on_request(win, tmp_path):
    ET.parse(export_svg(win.wplane.getPlotItem(), tmp_path / "a.svg"))
    root = ET.parse(export_svg(win.units, tmp_path / "b.svg", whole=True)).getroot()
    assert float(root.attrib["viewBox"].split()[2]) == win.units.width()
    with pytest.raises(ValueError):
        export_svg(win.wplane.getPlotItem(), tmp_path / "c.svg", whole=True)


# -- clipboard ----------------------------------------------------------------------

def test_copy_to_clipboard_puts_the_figure_there(win):
    copied = copy_figure_to_clipboard(win.wplane)
    pasted = QApplication.clipboard().image()
    assert not pasted.isNull() and pasted.size() == copied.size()
    copy_figure_to_clipboard(win, width_px=400)
    assert QApplication.clipboard().image().width() == 400


# -- animations ---------------------------------------------------------------------

def test_frame_steps_are_evenly_spaced_from_zero_to_steps():
    assert frame_steps(30).tolist() == list(range(31))
    assert frame_steps(1000).size == 120 and frame_steps(1000)[[0, -1]].tolist() == [0, 1000]
    assert frame_steps(0).tolist() == [0]
    assert frame_steps(100, 5).tolist() == [0, 25, 50, 75, 100]
    for bad in [(-1, None), (10, 0), (10, 12), (True, None), (10, 2.0)]:
        with pytest.raises(ValueError):
            frame_steps(*bad)


def test_qimage_to_rgb_respects_row_padding():
    image = QImage(5, 3, QImage.Format.Format_RGB888)  # 15 bytes a row, padded to 16
    image.fill(0x336699)
    image.setPixel(4, 2, 0xFF0000)
    rgb = qimage_to_rgb(image)
    assert rgb.shape == (3, 5, 3)
    assert rgb[0, 0].tolist() == [0x33, 0x66, 0x99] and rgb[2, 4].tolist() == [255, 0, 0]


def test_gif_has_one_frame_per_step_and_the_playhead_comes_back(win, tmp_path):
    win.scene_.set_playhead(17)
    win.player.play()
    seen = []
    n = record_animation(win, tmp_path / "run.gif", steps=30, progress=lambda i, total: seen.append((i, total)))
    assert n == 31 and seen[-1] == (31, 31) and len(seen) == 31
    assert not win.player.playing and win.scene_.playhead == 17
    props = iio3.improps(tmp_path / "run.gif", index=None)
    assert props.shape[0] == n
    with Image.open(tmp_path / "run.gif") as gif:  # 20 frames a second, looping forever
        assert gif.info["duration"] == 50 and gif.info["loop"] == 0
    assert props.shape[1:3] == (win.grab().height(), win.grab().width())
    assert leftovers(tmp_path, {"run.gif"}) == []


def test_mp4_frame_count_and_even_size(win, tmp_path):
    win.resize(641, 481)  # odd sides must be made even for H.264
    QApplication.processEvents()
    n = record_animation(win, tmp_path / "run.mp4", steps=30, frames=16, fps=10)
    assert n == 16
    reader = iio2.get_reader(tmp_path / "run.mp4")
    try:
        assert reader.count_frames() == n
        w, h = reader.get_meta_data()["size"]
    finally:
        reader.close()
    assert w % 2 == 0 and h % 2 == 0
    assert leftovers(tmp_path, {"run.mp4"}) == []


def test_a_view_alone_can_be_filmed(win, tmp_path):
    n = record_animation(win, tmp_path / "w.gif", steps=12, frames=4, widget=win.wplane)
    frames = iio3.imread(tmp_path / "w.gif", index=None)
    # identical consecutive frames are stored once (longer); the count says what is in the file
    assert frames.shape[0] == n and 1 <= n <= 4
    assert frames.shape[2] == win.wplane.grab().width()


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_cancel_leaves_no_partial_file_and_keeps_an_existing_one(win, tmp_path, suffix):
    path = tmp_path / f"run{suffix}"
    path.write_bytes(b"the previous recording")
    win.scene_.set_playhead(4)
    with pytest.raises(RecordingCancelled):
        record_animation(win, path, steps=30, progress=lambda i, n: i < 5)
    assert path.read_bytes() == b"the previous recording"
    assert leftovers(tmp_path, {path.name}) == []
    assert win.scene_.playhead == 4


def test_unknown_extension_and_bad_fps_are_refused(win, tmp_path):
    with pytest.raises(ValueError, match=".gif or .mp4"):
        record_animation(win, tmp_path / "run.avi", steps=10)
    with pytest.raises(ValueError, match="frames per second"):
        record_animation(win, tmp_path / "run.gif", steps=10, fps=0)
    assert list(tmp_path.iterdir()) == []


def test_the_progress_dialog_records_and_its_cancel_button_cancels(win, tmp_path, qtbot):
    assert record_with_progress_dialog(win, tmp_path / "ok.gif", steps=6) == 7
    assert iio3.improps(tmp_path / "ok.gif", index=None).shape[0] == 7

    def press_cancel():
        dialogs = win.findChildren(QProgressDialog)
        assert dialogs
        dialogs[-1].cancel()

    QTimer.singleShot(0, press_cancel)
    assert record_with_progress_dialog(win, tmp_path / "cancelled.gif", steps=30) is None
    assert not (tmp_path / "cancelled.gif").exists()
    assert leftovers(tmp_path, {"ok.gif"}) == []
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in win.findChildren(QProgressDialog)))


def test_module_constants_match_the_docs():
    assert animation.FORMATS == (".gif", ".mp4") and figure.MAX_SIDE_PX == 10_000
