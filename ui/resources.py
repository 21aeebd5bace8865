"""Resources every visitor shares, loaded once per server process with `st.cache_resource`."""

import keras
import numpy as np
import streamlit as st

from mnist_core import Evaluation, evaluate_model, load_shipped_models, training_device
from mnist_core.data.sources import load_test_set
from mnist_core.models.variants import load_trained_alike


@st.cache_resource(show_spinner="Loading the shipped models…")
def shipped_models() -> dict[str, keras.Model]:
    return load_shipped_models()


@st.cache_resource(show_spinner="Loading the MNIST test set…")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The official 10,000 test images (uint8, (N, 28, 28)) and labels; the training set is not loaded."""
    return load_test_set()


@st.cache_resource(show_spinner="Scoring the model on the official test images…")
def shipped_evaluation(name: str) -> Evaluation:
    images, labels = test_set()
    return evaluate_model(shipped_models()[name], images, labels)


@st.cache_resource(show_spinner="Loading the models trained alike…")
def trained_alike(augment: bool) -> dict[str, keras.Model]:
    """Every model trained with augmentation, or every model without: the fair MLP-vs-CNN experiment."""
    return load_trained_alike(augment)


@st.cache_resource
def device() -> str:
    return training_device()
