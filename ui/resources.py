"""Resources every visitor shares: caches loaded once per server process with `st.cache_resource`, and
what must never be remade (the training queue) kept for the process's lifetime, out of any cache.

Streamlit 1.67 accepts a `clear_cache` message from any client (its menu hides the command, the protocol
does not) and then empties every `st.cache_data` and `st.cache_resource` for the whole server. Here that
cost ≈ 6 s of CPU and ≈ 18 MB that stayed per clear (the models and the test set loaded again), and, while
the queue lived in that cache, a new queue beside the old one: runs beyond the server's limit, training
processes nobody would end, and a teacher who saw only the new queue's runs. So the server ignores that
message, and reads a widget value its widget cannot use as the widget's default (`guard_against_visitors`,
which app.py calls before any page); the queue lives in `server_wide` in any case.
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
DESERIALIZE_CALL = "metadata.deserializer("  # how WStates.__getitem__ reads a widget's stored value


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
    - a widget value sent in a field its widget does not use (a number for a slider's list of indices, say),
      or one its widget cannot read (malformed JSON, JSON nested 100,000 deep, a list for a chart's
      selection), reads as no value, the widget's default, instead of raising inside Streamlit: tracebacks on
      the Train page, and a canvas value that broke every later run of its session.
    Both are replaced at load time after checking that Streamlit 1.67 still routes through them (AppSession's
    `handle_backmsg` calls `_handle_clear_cache_request`; a stored widget value is read by `WStates.__getitem__`
    with its widget's deserializer); a different Streamlit stops the app with one sentence."""
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.state.session_state import WStates

    if AppSession._handle_clear_cache_request is _ignore_clear_cache:
        return
    if (inspect.getsource(AppSession.handle_backmsg).count(CLEAR_CACHE_CALL) != 1
            or inspect.getsource(WStates.__getitem__).count(DESERIALIZE_CALL) != 1):
        st.error(_("The app cannot start because this Streamlit answers visitors' messages differently from the "
                   "pinned {version}; install the app's packages with `pip install -r requirements.txt`.")
                 .format(version="1.67.0"))
        st.stop()
    WStates.__getitem__ = _readable_or_default(WStates.__getitem__)
    AppSession._handle_clear_cache_request = _ignore_clear_cache


def _readable_or_default(get: Callable) -> Callable:
    """WStates.__getitem__ that clears a stored value sent in another field than its widget's, or one its
    widget's deserializer fails on: a cleared value, as Streamlit's own, reads as the widget's default."""
    from streamlit.runtime.state.session_state import Serialized

    @wraps(get)
    def checked(states: Any, key: str) -> Any:
        stored, metadata = states.states.get(key), states.widget_metadata.get(key)
        if not (isinstance(stored, Serialized) and metadata is not None):
            return get(states, key)
        field = stored.value.WhichOneof("value")
        if field is not None and field != metadata.value_type:
            stored.value.ClearField(field)
        try:
            return get(states, key)
        except Exception:  # noqa: BLE001 - any deserializer's failure on what a client made up
            log.log(logging.WARNING, "Read an unreadable value of widget %s as its default", key, exc_info=True)
            stored.value.ClearField(stored.value.WhichOneof("value"))
            return get(states, key)
    return checked


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
