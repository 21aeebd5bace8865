"""Streamlit resets Keras after every script run unless the app stops it (ui/keras_reruns.py)."""

import keras
import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_page
from ui.keras_reruns import STREAMLIT_CLEAN_UP

SCRIPT = """
import streamlit as st
from ui.keras_reruns import keep_keras_state_between_runs

if st.session_state.get("keep"):
    keep_keras_state_between_runs()
st.write("a run")
"""


@pytest.fixture
def clears(monkeypatch) -> list[int]:
    """Counts calls of keras.backend.clear_session, with Streamlit's own clean-up in place (as before any app
    ran in this process); whatever was there is put back after the test."""
    calls = []
    monkeypatch.setattr(script_runner, "_clean_problem_modules", STREAMLIT_CLEAN_UP)
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: calls.append(1))
    return calls


def test_streamlit_clears_the_keras_session_after_each_run_unless_told_not_to(clears):
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.run()
    at.run()
    assert len(clears) == 2  # the oracle: Streamlit 1.67 calls it once per run
    at.session_state["keep"] = True
    at.run()
    at.run()
    assert len(clears) == 2


def test_the_app_keeps_keras_state_between_runs(clears):
    open_page("app_pages/draw.py").run()
    assert clears == []
