"""The Train page's sidebar: widgets in, a validated `TrainConfig` (or one sentence why not) out."""

import streamlit as st

from mnist_core import MODELS, TrainConfig
from mnist_core.device import fastest_precision
from mnist_core.jobs import ServerLimits, check_limits
from mnist_core.training import OPTIMIZERS, SGD_MOMENTUM

SIZES = [500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000]
RATES = [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 1e-1]
BATCHES = [16, 32, 64, 128, 256, 512]


def settings_sidebar(limits: ServerLimits) -> dict:
    """Draw the settings in the current container; returns them as `TrainConfig` keyword arguments."""
    cap = limits.max_train_size
    fast = fastest_precision()
    return dict(
        model=st.selectbox("Model", list(MODELS), index=2, format_func=lambda n: MODELS[n].display_name,
                           key="train_model"),
        epochs=st.slider("Epochs", 1, limits.max_epochs, 2, key="train_epochs"),
        train_size=st.select_slider("Training images", [s for s in SIZES if s < cap] + [cap], min(5_000, cap),
                                    key="train_size", format_func=lambda s: f"{s:,}"),
        validation_split=st.slider("Held out for validation", 0.0, 0.5, 0.1, 0.05, key="train_split"),
        batch_size=st.select_slider("Batch size", BATCHES, 128, key="train_batch_size"),
        learning_rate=st.select_slider("Learning rate", RATES, 3e-3, key="train_lr", format_func=lambda r: f"{r:g}"),
        optimizer=st.radio("Optimizer", OPTIMIZERS, horizontal=True, key="train_optimizer",
                           help=f"SGD uses momentum {SGD_MOMENTUM:g}. All three warm up, then follow a cosine decay."),
        dropout=st.slider("Dropout", 0.0, 0.7, 0.0, 0.05, key="train_dropout"),
        augment=st.toggle("Augment (random shifts, rotations, zooms)", key="train_augment"),
        precision=fast if fast != "float32" and st.toggle(
            "16-bit arithmetic", value=True, key="train_precision",
            help=f"Trains in {fast} (weights stay float32): faster where the hardware has 16-bit units.")
        else "float32",
    )


def make_config(settings: dict, limits: ServerLimits) -> tuple[TrainConfig | None, str | None]:
    """The config, or None and the one sentence that says why these settings cannot run."""
    try:
        config = TrainConfig(**settings)
    except ValueError as err:
        return None, str(err)
    return config, check_limits(config, limits)
