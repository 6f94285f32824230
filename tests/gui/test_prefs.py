"""Preferences: defaults, round trips, garbage falls back, stored in the test's config dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow

from app.prefs import DEFAULT_FONT_SCALE, DEFAULT_THEME, Preferences, config_dir
from app.theme import THEME_NAMES


def test_settings_live_in_the_config_dir_of_this_test(qapp):
    root = Path(os.environ["OVERPARAM_CONFIG_DIR"])
    assert config_dir() == root
    prefs = Preferences()
    prefs.theme = "dark"
    prefs.sync()
    assert prefs.path.parent == root and prefs.path.suffix == ".ini" and prefs.path.is_file()
    assert "dark" in prefs.path.read_text(encoding="utf-8")


def test_defaults(qapp):
    prefs = Preferences()
    assert prefs.theme == DEFAULT_THEME in THEME_NAMES
    assert prefs.font_scale == DEFAULT_FONT_SCALE == 1.0
    assert prefs.window_geometry is None and prefs.window_state is None
    assert prefs.last_scene_path is None


def test_values_round_trip_through_the_file(qapp, qtbot, tmp_path):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(500, 300)
    geometry = window.saveGeometry()

    prefs = Preferences()
    prefs.theme = "projector"
    prefs.font_scale = 1.75
    prefs.window_geometry = geometry
    prefs.window_state = window.saveState()
    prefs.last_scene_path = tmp_path / "lecture 3 — η.overparam.json"
    prefs.sync()

    again = Preferences()
    assert again.theme == "projector"
    assert again.font_scale == 1.75
    assert again.window_geometry == geometry
    assert again.window_state == window.saveState()
    assert again.last_scene_path == tmp_path / "lecture 3 — η.overparam.json"
    assert QMainWindow().restoreGeometry(again.window_geometry)

    again.window_geometry = None
    again.last_scene_path = None
    assert again.window_geometry is None and again.last_scene_path is None
    again.reset()
    assert again.theme == DEFAULT_THEME and again.font_scale == DEFAULT_FONT_SCALE


GARBAGE = [
    "[appearance]\ntheme=neon\nfont_scale=huge\n",
    "[appearance]\ntheme=42\nfont_scale=nan\n",
    "[appearance]\ntheme=\nfont_scale=1e9\n",
    "[appearance]\ntheme=@Invalid()\nfont_scale=-2\n[window]\ngeometry=not bytes\nstate=@ByteArray()\n[files]\nlast_scene=\n",
    "[appearance]\ntheme=dark, light\nfont_scale=inf\n[window]\ngeometry=12\n",
    "\x00\x01 this is not an ini file at all \xff",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_values_fall_back_to_the_defaults(qapp, text):
    path = Path(os.environ["OVERPARAM_CONFIG_DIR"]) / "settings.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    prefs = Preferences()
    assert prefs.theme == DEFAULT_THEME
    assert prefs.font_scale == DEFAULT_FONT_SCALE
    assert prefs.window_geometry is None and prefs.window_state is None
    assert prefs.last_scene_path is None


@pytest.mark.parametrize(("name", "value"), [
    ("theme", "neon"), ("theme", 3), ("font_scale", 0.0), ("font_scale", 99), ("font_scale", "2"),
    ("font_scale", True), ("window_geometry", "abc"),
])
def test_setters_refuse_values_that_would_read_back_as_garbage(qapp, name, value):
    prefs = Preferences()
    with pytest.raises(ValueError):
        setattr(prefs, name, value)


def test_bytes_are_accepted_as_geometry(qapp):
    prefs = Preferences()
    prefs.window_geometry = b"\x01\xd9\xd0\xcb"
    assert prefs.window_geometry == QByteArray(b"\x01\xd9\xd0\xcb")
