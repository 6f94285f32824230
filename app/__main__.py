"""Command line: ``overparam-explorer`` or ``python -m app``.

Errors are one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import sys
from dataclasses import replace

XCB_LIBS = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1"}


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="overparam-explorer",
        description="See how gradient descent on (U, v) moves w = Uᵀv differently from gradient descent on w.",
    )
    p.add_argument("--steps", type=int, metavar="N", help="compute the runs up to step N and show step N")
    p.add_argument("--screenshot", metavar="FILE.png", help="render the whole window after --steps, save it and exit")
    p.add_argument("--export-csv", metavar="FILE.csv", help="write every run shown as CSV and exit")
    p.add_argument("--export-animation", metavar="FILE.gif|FILE.mp4", help="record the runs playing to --steps and exit")
    p.add_argument("--save", metavar="FILE.json", help="save the scene after --steps and exit")
    p.add_argument("--open", metavar="FILE.json", help="open a scene file")
    p.add_argument("--seed", type=int, metavar="N", help="random seed for random inits and ensembles")
    p.add_argument("--demo", metavar="ID", help="open a demo of the tour (see --list-demos)")
    p.add_argument("--list-demos", action="store_true", help="print the demos, one per line: id, then title")
    p.add_argument("--present", action="store_true", help="start in presentation mode (F5 toggles it)")
    p.add_argument("--fresh", action="store_true", help="start from the default scene, not the last one")
    p.add_argument("--theme", choices=("light", "dark", "projector"), help="colour theme")
    p.add_argument("--size", metavar="WxH", help="window size in pixels, e.g. 1024x768 (default 1280x800)")
    return p


def check_xcb() -> None:
    """Qt's xcb plugin aborts the process when these libraries are missing: say so first."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return
    missing = [pkg for lib, pkg in XCB_LIBS.items() if ctypes.util.find_library(lib) is None]
    if missing:
        raise UsageError(f"Qt cannot open a window: install {' '.join(missing)} (e.g. sudo apt-get install {' '.join(missing)})")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except UsageError as err:
        print(f"overparam-explorer: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - one line for the user, the traceback on request
        if os.environ.get("OVERPARAM_DEBUG"):
            raise
        print(f"overparam-explorer: internal error: {type(err).__name__}: {err} (set OVERPARAM_DEBUG=1 for details)", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    from . import demos

    if args.list_demos:
        for demo in demos.load_demos():
            print(f"{demo.id}\t{demo.title}")
        return 0
    if args.steps is not None and args.steps < 0:
        raise UsageError(f"--steps must be 0 or more, not {args.steps}")
    if args.seed is not None and not 0 <= args.seed < 2**31:
        raise UsageError(f"--seed must lie between 0 and {2**31 - 1}")
    if args.demo and demos.find_demo(args.demo) is None:
        raise UsageError(f"unknown demo {args.demo!r}; valid ids: {', '.join(d.id for d in demos.load_demos())}")
    if args.export_animation and not args.export_animation.lower().endswith((".gif", ".mp4")):
        raise UsageError("--export-animation needs a .gif or .mp4 file name")
    size = _parse_size(args.size) if args.size else None
    headless = bool(args.screenshot or args.export_csv or args.save or args.export_animation)
    if headless and not os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    check_xcb()

    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow
    from .prefs import Preferences
    from .scene import Scene
    from .theme import load_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Overparam Explorer")
    app.setOrganizationName("OverparamExplorer")
    prefs = Preferences()
    window = MainWindow(Scene(), load_theme(args.theme or prefs.theme))
    scene = window.scene_
    _load_start_scene(window, args, restore_last=not (headless or args.fresh))
    _apply_overrides(window, args)
    if args.present:
        window.set_presentation(True)
    target = args.steps if args.steps is not None else scene.state.steps
    if size:
        window.resize(*size)
    if headless:
        window.resize(*(size or (1280, 800)))
        window.fit_panes()
        _write_outputs(app, window, args, target)
        window.close()
        return 0
    if args.steps is not None:
        scene.set_playhead(target)
    if prefs.window_geometry is not None:
        window.restoreGeometry(prefs.window_geometry)
    window.show()
    window.raise_()
    window.activateWindow()  # keys (a presenter's clicker) must reach the window from the start
    code = app.exec()
    _remember(window, prefs)
    return code


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size must look like 1024x768, not {text!r}") from None
    if not (640 <= w <= 7680 and 480 <= h <= 4320):
        raise UsageError("--size must be between 640x480 and 7680x4320")
    return w, h


def _load_start_scene(window, args, restore_last: bool) -> None:
    """--open, else --demo, else (interactive, not --fresh) the scene of the last session."""
    if args.open:
        from .io.scene_file import SceneFileError, open_scene

        try:
            open_scene(window.scene_, args.open)
        except SceneFileError as err:
            raise UsageError(str(err)) from None
    elif args.demo:
        window.open_demo(args.demo)
    elif restore_last:
        from .io.scene_file import restore_autosave

        restore_autosave(window.scene_)


def _apply_overrides(window, args) -> None:
    from .state import StateError

    scene = window.scene_
    try:
        state = scene.state
        if args.seed is not None:
            from . import edits

            state = edits.set_seed(state, args.seed)
        if args.steps is not None:
            state = replace(state, steps=max(args.steps, 1))
        if state != scene.state:
            scene.replace_state(state)
    except StateError as err:
        raise UsageError(str(err)) from None
    window.player.stop_at = scene.state.steps if scene.state.demo else None


def _write_outputs(app, window, args, target: int) -> None:
    """The headless flags: each writes its file, or stops with one clear line."""
    scene = window.scene_
    scene.wait_for_ensemble()
    scene.set_playhead(target)

    def attempt(path: str, write) -> None:
        try:
            write()
        except (OSError, ValueError, RuntimeError) as err:
            raise UsageError(f"cannot write {path}: {getattr(err, 'strerror', None) or err}") from None

    if args.export_csv:
        from .io.csv_export import export_csv

        attempt(args.export_csv, lambda: export_csv(scene.runs, args.export_csv))
    if args.save:
        from .io.scene_file import save_scene

        attempt(args.save, lambda: save_scene(scene, args.save))
    window.show()
    app.processEvents()
    window.wplane.fit()
    app.processEvents()
    if args.export_animation:
        from .io.animation import record_animation

        attempt(args.export_animation, lambda: record_animation(window, args.export_animation, max(target, 1)))
        scene.set_playhead(target)
    if args.screenshot:
        app.processEvents()
        if not window.grab().save(args.screenshot):
            raise UsageError(f"cannot write {args.screenshot}")


def _remember(window, prefs) -> None:
    """On exit: theme, text size, window geometry and the scene, for next time."""
    from .io.scene_file import autosave

    prefs.theme = window.base_theme
    prefs.font_scale = window.font_scale if not window.presenting else 1.0
    prefs.window_geometry = window.saveGeometry()
    prefs.sync()
    try:
        autosave(window.scene_)
    except OSError:
        pass  # a read-only config folder must not turn a clean exit into an error


def entry() -> None:
    """Console entry: run, then leave without Python's final garbage collection.

    PySide6 6.12 can abort in that last collection ("bool_dealloc" in a Qt
    object's finalizer) after everything useful is done, turning a clean exit 0
    into a crash; every file is closed and flushed by then, so skip it.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
