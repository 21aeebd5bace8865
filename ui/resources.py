"""Resources every visitor shares: caches loaded once per server process with `st.cache_resource`, and
what must never be remade (the training queue) kept for the process's lifetime, out of any cache.

Streamlit 1.67 accepts a `clear_cache` message from any client (its menu hides the command, the protocol
does not) and then empties every `st.cache_data` and `st.cache_resource` for the whole server. Here that
cost ≈ 6 s of CPU and ≈ 18 MB that stayed per clear (the models and the test set loaded again), and, while
the queue lived in that cache, a new queue beside the old one: runs beyond the server's limit, training
processes nobody would end, and a teacher who saw only the new queue's runs. So the server ignores that
message (`guard_against_visitors`), and the queue lives in `server_wide` in any case.
"""

import inspect
import logging
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import keras
import numpy as np
import streamlit as st

from mnist_core import Evaluation, evaluate_model, load_shipped_models, training_device
from mnist_core.data.sources import load_test_set
from mnist_core.i18n import N_, _
from mnist_core.models.variants import load_trained_alike

log = logging.getLogger(__name__)
T = TypeVar("T")
CLEAR_CACHE_CALL = "self._handle_clear_cache_request()"  # how AppSession.handle_backmsg answers `clear_cache`


def server_wide(make: Callable[[], T]) -> Callable[[], T]:
    """The one object `make()` returns in this server process, made on first use and kept until the process
    ends: not a cache, since nothing may clear it (a raised exception makes nothing, and the next call tries
    again)."""
    lock, made = threading.Lock(), []

    @wraps(make)
    def the_one() -> T:
        with lock:
            if not made:
                made.append(make())
            return made[0]
    return the_one


def guard_against_visitors() -> None:
    """Change two of Streamlit's answers to what any client may send, for this server process (idempotent):
    - `clear_cache` is ignored, so no visitor empties what all share;
    - a widget value whose JSON cannot be read (malformed, or nested deeper than Python's recursion limit)
      reads as no value, the widget's default, instead of raising inside Streamlit before the script starts:
      a canvas value nested 100,000 deep showed a traceback on every later run of that session.
    Both are replaced at load time after checking that Streamlit 1.67 still routes through them (AppSession's
    `handle_backmsg` calls `_handle_clear_cache_request`; session_state.py parses JSON values with
    `unpack_widget_state_value`, imported by name from state/common.py); a different Streamlit stops the app
    with one sentence."""
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.state import common, session_state

    if AppSession._handle_clear_cache_request is _ignore_clear_cache:
        return
    if (inspect.getsource(AppSession.handle_backmsg).count(CLEAR_CACHE_CALL) != 1
            or session_state.unpack_widget_state_value is not common.unpack_widget_state_value):
        st.error(_("The app cannot start because this Streamlit answers visitors' messages differently from the "
                   "pinned {version}; install the app's packages with `pip install -r requirements.txt`.")
                 .format(version="1.67.0"))
        st.stop()
    session_state.unpack_widget_state_value = _unpacked_or_none
    AppSession._handle_clear_cache_request = _ignore_clear_cache


def _unpacked_or_none(widget_state: Any) -> Any:
    """Streamlit's `unpack_widget_state_value`, with unreadable JSON read as no value."""
    from streamlit.runtime.state import common

    try:
        return common.unpack_widget_state_value(widget_state)
    except (RecursionError, ValueError):  # json.JSONDecodeError is a ValueError
        return None


def _ignore_clear_cache(session: Any) -> None:
    """Stands in for AppSession._handle_clear_cache_request: logs the request and clears nothing."""
    log.log(logging.WARNING, "Ignored a request to clear the server's caches (session %s)", getattr(session, "id", "?"))


def cached(message: str, **cache_args: Any) -> Callable[[Callable], Callable]:
    """`st.cache_resource(**cache_args)` whose spinner says `message` (marked N_) in the visitor's language:
    Streamlit's own `show_spinner` text is fixed when the module is imported. `.clear()` stays available."""
    def wrap(load: Callable) -> Callable:
        kept = st.cache_resource(show_spinner=False, **cache_args)(load)

        @wraps(load)
        def shown(*args: Any) -> Any:
            with st.spinner(_(message)):  # shown only if it takes half a second: a cache miss
                return kept(*args)
        shown.clear = kept.clear
        return shown
    return wrap


@cached(N_("Loading the shipped models…"))
def shipped_models() -> dict[str, keras.Model]:
    return load_shipped_models()


@cached(N_("Loading the MNIST test set…"))
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The official 10,000 test images (uint8, (N, 28, 28)) and labels; the training set is not loaded."""
    return load_test_set()


@cached(N_("Scoring the model on the official test images…"))
def shipped_evaluation(name: str) -> Evaluation:
    images, labels = test_set()
    return evaluate_model(shipped_models()[name], images, labels)


@cached(N_("Loading the models trained alike…"))
def trained_alike(augment: bool) -> dict[str, keras.Model]:
    """Every model trained with augmentation, or every model without: the fair MLP-vs-CNN experiment."""
    return load_trained_alike(augment)


@st.cache_resource
def device() -> str:
    return training_device()
