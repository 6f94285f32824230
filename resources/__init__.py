"""Data shipped with the app: demos, themes and icons (read with importlib.resources)."""
