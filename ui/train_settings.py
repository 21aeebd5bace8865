"""The Train page's settings, one widget per `TrainConfig` field, made from the field's metadata.

A new field in `TrainConfig` appears here by itself: its label, explanation (the widget's help),
the values the page offers and their format all come from the field. Only the server's caps and
this machine's precisions narrow what is offered.
"""

import dataclasses

import streamlit as st

from mnist_core.models.registry import MODELS
from mnist_core.training.config import PRESETS, TRAIN_IMAGES, TrainConfig
from mnist_core.training.device import fastest_precision
from mnist_core.training.scheduler import ServerLimits, check_limits
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


def key_of(f: dataclasses.Field) -> str:
    """The widget key of field `f`: `train_<field>` (`train_size`, not `train_train_size`)."""
    return "train_" + f.name.removeprefix("train_")


def page_value(f: dataclasses.Field, config: TrainConfig, limits: ServerLimits):
    """`config`'s value for `f` as the page offers it: the fastest precision here, the nearest allowed size."""
    value = fastest_precision() if f.name == "precision" else getattr(config, f.name, f.default)
    values = offered(f, limits)
    if value in values or isinstance(value, str | bool):
        return value
    return min(values, key=lambda v: abs(v - (value or TRAIN_IMAGES)))


def widget(f: dataclasses.Field, limits: ServerLimits):
    """One widget for field `f`, keyed by `key_of`, starting at START's value."""
    meta, key, values = f.metadata, kept(key_of(f)), offered(f, limits)
    start = page_value(f, START, limits)
    if f.type is bool:
        return st.toggle(meta["label"], value=start, key=key, help=meta["explain"])
    if f.name == "model":
        return st.selectbox(meta["label"], values, index=values.index(start), key=key, help=meta["explain"],
                            format_func=lambda name: MODELS[name].display_name)
    if meta["choices"]:
        return st.radio(meta["label"], values, index=values.index(start), key=key, help=meta["explain"],
                        horizontal=True)
    return st.select_slider(meta["label"], values, value=start, key=key, help=meta["explain"],
                            format_func=meta["fmt"].format)


def describe(config: TrainConfig) -> str:
    return (f"{MODELS[config.model].display_name}, {config.epochs} epochs on {config.train_images:,} images, "
            f"batch {config.batch_size}, learning rate {config.learning_rate:g}"
            + (", augmented" if config.augment else ""))


def apply_preset(config: TrainConfig, limits: ServerLimits) -> None:
    """on_click of a preset button: every setting's widget takes the preset's value."""
    for f in dataclasses.fields(TrainConfig):
        st.session_state[key_of(f)] = page_value(f, config, limits)


def preset_buttons(limits: ServerLimits) -> None:
    """One button per preset: a good run in one click."""
    for column, (i, (name, config)) in zip(st.columns(len(PRESETS)), enumerate(PRESETS.items())):
        column.button(name, key=f"train_preset_{i}", on_click=apply_preset, args=(config, limits),
                      help=describe(config), width="stretch")


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
