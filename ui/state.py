"""One visitor's state shared between pages (kept in `st.session_state`)."""

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import streamlit as st

from mnist_core import MODELS, Evaluation, MnistDataError, ShippedModelError, evaluate_model
from ui.resources import shipped_evaluation, shipped_models, test_set

T = TypeVar("T")
SAMPLE_INDEX = 0  # the first official test digit, a 7, stands in until the visitor draws


def or_stop(load: Callable[[], T]) -> T:
    """Run `load`; a missing or corrupt model or data file ends the page with its one-sentence error."""
    try:
        return load()
    except (ShippedModelError, MnistDataError) as err:
        st.error(str(err))
        st.stop()


def remember_drawing(image: np.ndarray) -> None:
    """Keep the latest MNIST-style (28, 28) drawing for the look-inside pages."""
    st.session_state["drawing"] = image


def current_digit() -> tuple[np.ndarray, str]:
    """The visitor's latest drawing, or a sample test digit; and a sentence saying which it is."""
    if st.session_state.get("drawing") is not None:
        return st.session_state["drawing"], "Showing your latest drawing from the Draw page."
    images, labels = or_stop(test_set)
    return (images[SAMPLE_INDEX].astype(np.float32) / 255,
            f"You have not drawn yet, so this uses test digit #{SAMPLE_INDEX} (a {labels[SAMPLE_INDEX]}) "
            "from MNIST. Draw one on the Draw page to see your own.")


def available_models() -> dict:
    """The shipped models, plus the visitor's own chosen run as "yours" when there is one.

    A missing or corrupt model file ends the page with its one-sentence error (and how to rebuild it).
    """
    models = dict(or_stop(shipped_models))
    if st.session_state.get("your_model") is not None:
        models["yours"] = st.session_state["your_model"]
    return models


def model_choices() -> dict[str, tuple[str, object]]:
    """Label → ("shipped", name) or ("run", run) for every model this visitor can evaluate."""
    choices = {f"{spec.display_name} (shipped)": ("shipped", name) for name, spec in MODELS.items()}
    for run in st.session_state.get("train_runs", []):
        if run.model is not None:
            choices[run.label] = ("run", run)
    return choices


def evaluation_of(choice: tuple[str, object]) -> tuple[Evaluation, np.ndarray]:
    """The test-set evaluation of a choice (shared cache for shipped models, per-visitor for runs)."""
    kind, what = choice
    images, labels = or_stop(test_set)
    if kind == "shipped":
        return or_stop(lambda: shipped_evaluation(what)), images
    cache = st.session_state.setdefault("eval_cache", {})
    if what.id not in cache:
        cache[what.id] = evaluate_model(what.model, images, labels)
    return cache[what.id], images


# Value widgets whose setting should survive a trip to another page (buttons and uploaders cannot).
SETTINGS = (
    "draw_stroke_width", "draw_mnist_style", "draw_source", "conv_kernel", "conv_stride", "conv_padding",
    "mlp_vs_cnn_order", "mlp_vs_cnn_transform", "saliency_patch", "train_model", "train_epochs",
    "train_size", "train_split", "train_batch_size", "train_lr", "train_optimizer", "train_dropout",
    "train_augment", "train_precision", "train_yours",
)


def keep_settings() -> None:
    """Streamlit forgets a widget's value when its page is left; re-assigning the key keeps it."""
    for key in SETTINGS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
