"""Animations: a GIF or MP4 of the runs playing, one screenshot per frame.

The recorder moves the scene's playhead itself (the player is paused), so a
recording does not depend on timers or on how fast the machine is: frame ``i``
always shows step ``round(i * steps / (frames - 1))``. Frames are written to a
temporary file beside the target that replaces it only when the recording is
complete, so a cancelled or failed recording never leaves a partial file (nor
touches an existing one).

GIF needs Pillow (which imageio brings); MP4 needs ``imageio`` and ``imageio-ffmpeg``
(the ``export`` extra: ``pip install 'overparam-explorer[export]'``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

FORMATS = (".gif", ".mp4")
FILE_FILTER = "GIF animation (*.gif);;MP4 video (*.mp4)"
MAX_FRAMES = 2000
DEFAULT_MAX_FRAMES = 120
MAX_STEPS = 1_000_000
FPS_RANGE = (1, 60)
GIF_MAX_PIXELS = 400 * 2**20  # GIF frames are kept in memory (1 byte a pixel) until written

Progress = Callable[[int, int], "bool | None"]


class RecordingCancelled(Exception):
    """The progress callback asked to stop; no file was written."""


def frame_steps(steps: int, frames: int | None = None) -> np.ndarray:
    """The steps shown by each frame: ``frames`` evenly spaced from 0 to ``steps``.

    Parameters
    ----------
    steps : int
        The last step shown (0 to 1,000,000).
    frames : int, optional
        Default ``min(steps + 1, 120)``; at most ``steps + 1`` (one frame per step)
        and at most 2000.

    Raises
    ------
    ValueError
        For out-of-range values.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"the number of steps must be a whole number from 0 to {MAX_STEPS}, not {steps!r}")
    if frames is None:
        frames = min(int(steps) + 1, DEFAULT_MAX_FRAMES)
    if isinstance(frames, bool) or not isinstance(frames, int | np.integer) or not 1 <= frames <= min(steps + 1, MAX_FRAMES):
        raise ValueError(f"the number of frames must be a whole number from 1 to {min(steps + 1, MAX_FRAMES)}, not {frames!r}")
    if frames == 1:
        return np.array([int(steps)])
    return np.rint(np.linspace(0, steps, int(frames))).astype(int)


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """A copy of ``image`` as an ``(height, width, 3)`` uint8 RGB array."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    return buf.reshape(h, bpl)[:, : w * 3].reshape(h, w, 3).copy()


class _GifWriter:
    """Collects palette frames (1 byte a pixel) and writes them with Pillow on close.

    Pillow merges identical consecutive frames into one longer frame, so
    :meth:`close` returns the number of frames actually in the file.
    (imageio's GIF writer is not used: in imageio 2.38 its ``duration`` reaches
    Pillow as milliseconds, so ``duration=1/fps`` made a GIF with no frame delay.)
    """

    def __init__(self, path: Path, fps: int, n: int):
        try:
            from PIL import Image
        except ImportError:
            raise RuntimeError("GIF export needs Pillow: pip install 'overparam-explorer[export]'") from None
        self._Image = Image
        self.path, self.fps, self.n = path, fps, n
        self.frames: list = []

    def append(self, rgb: np.ndarray) -> None:
        if not self.frames and self.n * rgb.shape[0] * rgb.shape[1] > GIF_MAX_PIXELS:
            mb = self.n * rgb.shape[0] * rgb.shape[1] / 2**20
            raise ValueError(f"a GIF of {self.n} frames of {rgb.shape[1]}×{rgb.shape[0]} pixels would need "
                             f"{mb:.0f} MB; record fewer frames, a smaller view, or an MP4")
        self.frames.append(self._Image.fromarray(rgb, "RGB").convert("P", palette=self._Image.Palette.ADAPTIVE))

    def close(self) -> int:
        first, *rest = self.frames
        first.save(self.path, format="GIF", save_all=True, append_images=rest,
                   duration=round(1000 / self.fps), loop=0)
        with self._Image.open(self.path) as written:
            return int(getattr(written, "n_frames", 1))

    def abort(self) -> None:
        self.frames.clear()


class _Mp4Writer:
    """Streams frames to ffmpeg (H.264, yuv420p) through imageio-ffmpeg."""

    def __init__(self, path: Path, fps: int, n: int):
        try:
            import imageio.v2 as iio
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise RuntimeError("MP4 export needs imageio and imageio-ffmpeg: "
                               "pip install 'overparam-explorer[export]'") from None
        self.count = 0
        self._writer = iio.get_writer(path, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                                      macro_block_size=1, quality=7, pixelformat="yuv420p",
                                      ffmpeg_log_level="error")

    def append(self, rgb: np.ndarray) -> None:
        self._writer.append_data(rgb)
        self.count += 1

    def close(self) -> int:
        self._writer.close()
        return self.count

    def abort(self) -> None:
        try:
            self._writer.close()
        except Exception:  # noqa: BLE001 - already failing; the temp file is deleted anyway
            pass


def record_animation(window, path: str | os.PathLike, steps: int, frames: int | None = None, fps: int = 20,
                     progress: Progress | None = None, widget: QWidget | None = None) -> int:
    """Record the runs playing from step 0 to ``steps`` as a GIF or MP4.

    Pauses the player, waits for the ensemble, then for each frame sets the
    playhead (extending the runs past the horizon if needed), lets the views
    redraw, and grabs ``widget`` (default the window). The playhead is put
    back where it was afterwards, whatever happens.

    Parameters
    ----------
    window
        The main window: anything with ``scene_`` (a Scene) and optionally
        ``player`` (a Player), and ``grab()`` unless ``widget`` is given.
    path : str or Path
        Ends in ``.gif`` or ``.mp4``.
    steps : int
        The last step shown.
    frames : int, optional
        Number of frames, evenly spaced over the steps (default ``min(steps + 1, 120)``).
    fps : int
        Frames per second, 1 to 60.
    progress : callable(i, n) -> bool, optional
        Called after frame ``i`` (1-based) of ``n`` is written; returning
        ``False`` (not merely a falsy value) cancels.
    widget : QWidget, optional
        What to film instead of the whole window (e.g. ``window.wplane``).

    Returns
    -------
    int
        The number of frames in the file: one per planned frame for MP4; for
        GIF, identical consecutive frames are stored once with their durations
        added (Pillow does this), so it can be fewer when nothing moved.

    Raises
    ------
    RecordingCancelled
        If ``progress`` returned False; no file is written and any existing
        file at ``path`` is left as it was.
    ValueError
        For an unknown extension or bad ``steps``/``frames``/``fps``.
    RuntimeError
        If Pillow (GIF) or imageio and imageio-ffmpeg (MP4) are not installed.
    OSError
        If the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"an animation is saved as .gif or .mp4, not {path.suffix or 'a file without extension'!r}")
    if isinstance(fps, bool) or not isinstance(fps, int) or not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        raise ValueError(f"frames per second must be a whole number from {FPS_RANGE[0]} to {FPS_RANGE[1]}, not {fps!r}")
    plan = frame_steps(steps, frames)
    scene = window.scene_
    target = widget if widget is not None else window
    player = getattr(window, "player", None)
    if player is not None:
        player.pause()
    scene.wait_for_ensemble()
    old_playhead = scene.playhead

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    n = len(plan)
    writer = None
    done = False
    try:
        writer = (_GifWriter if suffix == ".gif" else _Mp4Writer)(tmp, fps, n)
        size = None
        for i, step in enumerate(plan, start=1):
            scene.set_playhead(int(step))
            QApplication.processEvents()
            image = target.grab().toImage()
            if size is None:
                w, h = image.width(), image.height()
                if suffix == ".mp4":  # H.264 in yuv420p needs even sides
                    w, h = w - w % 2, h - h % 2
                if w < 2 or h < 2:
                    raise ValueError("the widget is too small to film; show it first")
                size = (w, h)
            if (image.width(), image.height()) != size:
                if image.width() >= size[0] and image.height() >= size[1]:
                    image = image.copy(0, 0, *size)
                else:  # the window shrank while recording
                    image = image.scaled(size[0], size[1], Qt.AspectRatioMode.IgnoreAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation)
            writer.append(qimage_to_rgb(image))
            if progress is not None and progress(i, n) is False:
                raise RecordingCancelled(f"recording cancelled after {i} of {n} frames")
        written = writer.close()
        writer = None
        _default_permissions(tmp)
        os.replace(tmp, path)
        done = True
        return written
    finally:
        if writer is not None:
            writer.abort()
        if not done:
            tmp.unlink(missing_ok=True)
        scene.set_playhead(old_playhead)


def _default_permissions(path: Path) -> None:
    """Give a temporary file (created 0600) the permissions a new file normally gets."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def record_with_progress_dialog(window, path: str | os.PathLike, steps: int, frames: int | None = None,
                                fps: int = 20, widget: QWidget | None = None) -> int | None:
    """:func:`record_animation` with a modal progress dialog that has a Cancel button.

    Returns
    -------
    int or None
        The number of frames written, or None if the user cancelled (then no
        file is written).

    Raises
    ------
    ValueError, RuntimeError, OSError
        As :func:`record_animation`.
    """
    n = len(frame_steps(steps, frames))
    parent = window if isinstance(window, QWidget) else None
    dialog = QProgressDialog(f"Recording {Path(path).name}…", "Cancel", 0, n, parent)
    dialog.setWindowTitle("Recording animation")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def progress(i: int, total: int) -> bool:
        dialog.setValue(i)
        QApplication.processEvents()
        return not dialog.wasCanceled()

    try:
        return record_animation(window, path, steps, frames, fps, progress, widget)
    except RecordingCancelled:
        return None
    finally:
        dialog.close()
        dialog.deleteLater()
