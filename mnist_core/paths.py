"""Where the project's files are: its root folder (the app runs from there) and the shipped models in it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the folder holding app.py, models/ and mnist_core/
MODELS_DIR = ROOT / "models"                   # the shipped .keras files and their cards
