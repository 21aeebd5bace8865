"""What tests (and `bench/`) share: the server and browser harness, AppTest helpers, known answers, small helpers."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
