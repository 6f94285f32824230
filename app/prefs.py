"""User preferences (theme, font scale, window geometry, last scene) in one INI file.

Everything lives in :func:`config_dir`: the folder named by the environment
variable ``OVERPARAM_CONFIG_DIR`` when it is set (tests and portable installs),
else Qt's per-user application config folder. Reading never fails: a missing,
damaged or hand-edited value falls back to its default, so a bad settings file
can never stop the app from starting.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from .theme import THEME_NAMES

CONFIG_ENV = "OVERPARAM_CONFIG_DIR"
SETTINGS_FILE = "settings.ini"
FALLBACK_DIR = Path.home() / ".config" / "overparam-explorer"

DEFAULT_THEME = "light"
DEFAULT_FONT_SCALE = 1.0
FONT_SCALE_RANGE = (0.5, 4.0)


def config_dir() -> Path:
    """The folder for settings and the autosave (it may not exist yet).

    Returns
    -------
    Path
        ``$OVERPARAM_CONFIG_DIR`` if set, else
        ``QStandardPaths.writableLocation(AppConfigLocation)``, else
        ``~/.config/overparam-explorer``.
    """
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    return Path(loc) if loc else FALLBACK_DIR


class Preferences:
    """Typed access to the app's settings, stored as ``settings.ini`` in :func:`config_dir`.

    Getters never raise: a value of the wrong type or out of range reads as the
    default. Setters validate and raise ``ValueError`` on values that would read
    back as garbage. Call :meth:`sync` to flush to disk (Qt also does on exit).

    Parameters
    ----------
    path : str or Path, optional
        The INI file; default ``config_dir() / "settings.ini"``.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else config_dir() / SETTINGS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    # -- theme ---------------------------------------------------------------
    @property
    def theme(self) -> str:
        """The theme's name, one of ``app.theme.THEME_NAMES`` (default ``"light"``)."""
        value = self._settings.value("appearance/theme", DEFAULT_THEME)
        return value if isinstance(value, str) and value in THEME_NAMES else DEFAULT_THEME

    @theme.setter
    def theme(self, name: str) -> None:
        if name not in THEME_NAMES:
            raise ValueError(f"theme must be one of {', '.join(THEME_NAMES)}, not {name!r}")
        self._settings.setValue("appearance/theme", name)

    # -- font scale ------------------------------------------------------------
    @property
    def font_scale(self) -> float:
        """Font (and pen) scale for presentation, within ``FONT_SCALE_RANGE`` (default 1)."""
        value = self._settings.value("appearance/font_scale", DEFAULT_FONT_SCALE)
        try:
            x = float(value)
        except (TypeError, ValueError):
            return DEFAULT_FONT_SCALE
        lo, hi = FONT_SCALE_RANGE
        return x if math.isfinite(x) and lo <= x <= hi else DEFAULT_FONT_SCALE

    @font_scale.setter
    def font_scale(self, scale: float) -> None:
        lo, hi = FONT_SCALE_RANGE
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not lo <= scale <= hi:
            raise ValueError(f"font scale must lie between {lo:g} and {hi:g}, not {scale!r}")
        self._settings.setValue("appearance/font_scale", float(scale))

    # -- window geometry ---------------------------------------------------------
    @property
    def window_geometry(self) -> QByteArray | None:
        """What ``QMainWindow.saveGeometry()`` returned last time, or None."""
        value = self._settings.value("window/geometry")
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        return None

    @window_geometry.setter
    def window_geometry(self, geometry: QByteArray | bytes | None) -> None:
        if geometry is None:
            self._settings.remove("window/geometry")
            return
        if isinstance(geometry, bytes | bytearray):
            geometry = QByteArray(bytes(geometry))
        if not isinstance(geometry, QByteArray):
            raise ValueError("window geometry must be the bytes saveGeometry() returned")
        self._settings.setValue("window/geometry", geometry)

    @property
    def window_state(self) -> QByteArray | None:
        """What ``QMainWindow.saveState()`` returned last time (docks, toolbars), or None."""
        value = self._settings.value("window/state")
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        return None

    @window_state.setter
    def window_state(self, state: QByteArray | bytes | None) -> None:
        if state is None:
            self._settings.remove("window/state")
            return
        if isinstance(state, bytes | bytearray):
            state = QByteArray(bytes(state))
        if not isinstance(state, QByteArray):
            raise ValueError("window state must be the bytes saveState() returned")
        self._settings.setValue("window/state", state)

    # -- last scene ----------------------------------------------------------------
    @property
    def last_scene_path(self) -> Path | None:
        """The scene file opened or saved last, or None (the file may since have gone)."""
        value = self._settings.value("files/last_scene")
        if isinstance(value, str) and value.strip() and "\0" not in value:
            return Path(value)
        return None

    @last_scene_path.setter
    def last_scene_path(self, path: str | os.PathLike | None) -> None:
        if path is None:
            self._settings.remove("files/last_scene")
            return
        self._settings.setValue("files/last_scene", str(Path(path)))

    # -- housekeeping --------------------------------------------------------------
    def reset(self) -> None:
        """Forget every preference (back to the defaults)."""
        self._settings.clear()

    def sync(self) -> None:
        """Write pending changes to the INI file now.

        Raises
        ------
        OSError
            If the file could not be written.
        """
        self._settings.sync()
        if self._settings.status() == QSettings.Status.AccessError:
            raise OSError(f"could not write the settings file {self.path}")
