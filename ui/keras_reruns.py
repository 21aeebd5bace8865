"""Keep Keras's state from one script run to the next: Streamlit 1.67 resets it after every run.

After each run, a stroke's fragment rerun included, Streamlit's script runner calls
`keras.backend.clear_session()` (`_clean_problem_modules` in streamlit/runtime/scriptrunner/script_runner.py,
unconditionally once keras is imported). In a server that keeps its models loaded that costs three ways:
- it empties TensorFlow's kernel cache, so the next prediction re-instantiates every model's graph
  (four models: ≈ 12 ms warm, 130–360 ms after a clear, measured on the 2-core development machine);
- it runs a full garbage collection (≈ 0.3–0.5 s there, holding the GIL the whole time);
- it replaces Keras's per-thread state and resets TensorFlow's default graph under every other thread of the
  process, such as another visitor's training run.
This app loads its models once and shares them, so there is nothing for that reset to clean up.
"""

from streamlit.runtime.scriptrunner import script_runner

STREAMLIT_CLEAN_UP = script_runner._clean_problem_modules  # Streamlit's own, for tests to compare against


def _keep_keras_state() -> None:
    """Stands in for Streamlit's clean-up, which only resets Keras and closes matplotlib.pyplot figures
    (this app draws no pyplot figures)."""


def keep_keras_state_between_runs() -> None:
    """Stop Streamlit's after-run `keras.backend.clear_session()` for this server process (idempotent)."""
    script_runner._clean_problem_modules = _keep_keras_state
