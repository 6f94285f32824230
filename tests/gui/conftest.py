import pytest

from app.main_window import MainWindow
from app.scene import Scene
from app.state import SceneState


@pytest.fixture
def make_window(qtbot):
    """A real, shown MainWindow on the real engine, for any starting state."""

    def make(state: SceneState | None = None) -> MainWindow:
        w = MainWindow(Scene(state or SceneState()))
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        return w

    return make


@pytest.fixture
def window(make_window):
    return make_window()
