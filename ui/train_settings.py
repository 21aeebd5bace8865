"""The Train page's settings, one widget per `TrainConfig` field, made from the field's metadata.

A new field in `TrainConfig` appears here by itself: its label, explanation (the widget's help),
the values the page offers and their format all come from the field. Only the server's caps and
this machine's precisions narrow what is offered.
"""

import dataclasses

import streamlit as st

from mnist_core.config import PRESETS, TrainConfig
from mnist_core.device import fastest_precision
from mnist_core.models import MODELS
from mnist_core.run_queue import ServerLimits, check_limits
from ui.state import kept

START = next(iter(PRESETS.values()))  # the settings a first visit starts from


def offered(f: dataclasses.Field, limits: ServerLimits) -> list:
    """The values the page offers for field `f` on this server and machine."""
    values = list(f.metadata["choices"] or f.metadata["page"])
    if f.name == "epochs":
        values = [v for v in values if v <= limits.max_epochs]
    if f.name == "train_size":
        values = [v for v in values if v < limits.max_train_size] + [limits.max_train_size]
    if f.name == "precision":
        values = sorted({"float32", fastest_precision()}, key=values.index)
    return values


def widget(f: dataclasses.Field, limits: ServerLimits):
    """One widget for field `f`, keyed `train_<field>` (`train_size`, not `train_train_size`), starting at
    START's value."""
    meta, key, values = f.metadata, kept("train_" + f.name.removeprefix("train_")), offered(f, limits)
    start = getattr(START, f.name, f.default)
    if f.type is bool:
        return st.toggle(meta["label"], value=start, key=key, help=meta["explain"])
    if f.name == "model":
        return st.selectbox(meta["label"], values, index=values.index(start), key=key, help=meta["explain"],
                            format_func=lambda name: MODELS[name].display_name)
    if meta["choices"]:
        return st.radio(meta["label"], values, index=values.index(start), key=key, help=meta["explain"],
                        horizontal=True)
    start = start if start in values else min(values, key=lambda v: abs(v - start))
    return st.select_slider(meta["label"], values, value=start, key=key, help=meta["explain"],
                            format_func=meta["fmt"].format)


def settings_panel(limits: ServerLimits) -> dict:
    """Every setting's widget (the rarely changed ones in an expander); returns TrainConfig keyword arguments."""
    everything = dataclasses.fields(TrainConfig)
    settings = {f.name: widget(f, limits) for f in everything if not f.metadata["advanced"]}
    with st.expander("More settings"):
        settings |= {f.name: widget(f, limits) for f in everything if f.metadata["advanced"]}
    return settings


def make_config(settings: dict, limits: ServerLimits) -> tuple[TrainConfig | None, str | None]:
    """The config, or None and the one sentence that says why these settings cannot run."""
    try:
        config = TrainConfig(**settings)
    except ValueError as err:
        return None, str(err)
    return config, check_limits(config, limits)
