"""Resources every visitor shares, loaded once per server process with `st.cache_resource`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

import keras
import numpy as np
import streamlit as st

from mnist_core import Evaluation, evaluate_model, load_shipped_models, training_device
from mnist_core.data.sources import load_test_set
from mnist_core.i18n import N_, _
from mnist_core.models.variants import load_trained_alike


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
