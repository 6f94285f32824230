"""The command line, run as a user would: a real subprocess, offscreen."""

import csv
import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run_app(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, env=ENV, timeout=timeout)


def test_screenshot_after_steps(tmp_path):
    out = tmp_path / "shot.png"
    result = run_app("--steps", "40", "--screenshot", str(out))
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_export_csv_has_every_run_and_documented_columns(tmp_path):
    out = tmp_path / "runs.csv"
    result = run_app("--steps", "25", "--export-csv", str(out))
    assert result.returncode == 0, result.stderr
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:7] == ["run", "optimizer", "step", "w1", "w2", "loss", "grad_norm"]
    by_run = {}
    for r in rows:
        by_run.setdefault(r["run"], []).append(r)
    assert {r[0]["optimizer"] for r in by_run.values()} == {"gd", "canonical"}
    assert all([int(r["step"]) for r in run] == list(range(26)) for run in by_run.values())


@pytest.mark.parametrize("args, words", [
    (["--steps", "-1"], "--steps"),
    (["--seed", "-5"], "--seed"),
    (["--export-csv", "/nonexistent-dir/x.csv"], "cannot write"),
])
def test_bad_arguments_give_one_line_and_exit_2(args, words):
    result = run_app(*args)
    assert result.returncode == 2
    lines = [l for l in result.stderr.splitlines() if l.strip() and "propagateSizeHints" not in l]
    assert len(lines) == 1 and words in lines[0]
    assert "Traceback" not in result.stderr


def test_help_lists_the_flags():
    result = run_app("--help")
    assert result.returncode == 0
    for flag in ("--steps", "--screenshot", "--export-csv", "--seed", "--demo", "--list-demos"):
        assert flag in result.stdout


def test_missing_xcb_libraries_are_named(monkeypatch):
    from app import __main__ as cli

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(cli.ctypes.util, "find_library", lambda name: None if name == "xcb-cursor" else "lib")
    with pytest.raises(cli.UsageError, match="libxcb-cursor0"):
        cli.check_xcb()
