"""The Train page's settings, one widget per `TrainConfig` field, made from the field's metadata.

A new field in `TrainConfig` appears here by itself: its label, explanation (the widget's help),
the values the page offers and their format all come from the field. Only the server's caps and
this machine's precisions narrow what is offered.
"""

import dataclasses

import streamlit as st

from mnist_core.i18n import _, integer, ngettext
from mnist_core.models.registry import display_name
from mnist_core.training.config import (
    PRESETS,
    TRAIN_IMAGES,
    TrainConfig,
    choice,
    explanation,
    label,
    short,
)
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
    key, values, start = kept(key_of(f)), offered(f, limits), page_value(f, START, limits)
    words = {"label": label(f), "key": key, "help": explanation(f)}
    if f.type is bool:
        return st.toggle(value=start, **words)
    if f.name == "model":
        return st.selectbox(options=values, index=values.index(start), format_func=display_name, **words)
    if f.metadata["choices"]:
        return st.radio(options=values, index=values.index(start), horizontal=True, format_func=choice, **words)
    return st.select_slider(options=values, value=start, format_func=f.metadata["fmt"], **words)


def describe(config: TrainConfig) -> str:
    """A preset's settings in one line, the help of its button."""
    # TRANSLATORS: e.g. "CNN, 2 epochs on 54,000 images, batch 256, learning rate 0.01".
    described = ngettext("{model}, {epochs} epoch on {images} images, batch {batch}, learning rate {rate}",
                         "{model}, {epochs} epochs on {images} images, batch {batch}, learning rate {rate}",
                         config.epochs).format(model=display_name(config.model),
                                               epochs=integer(config.epochs), images=integer(config.train_images),
                                               batch=integer(config.batch_size), rate=short(config.learning_rate))
    return _("{settings}, augmented").format(settings=described) if config.augment else described


def apply_preset(config: TrainConfig, limits: ServerLimits) -> None:
    """on_click of a preset button: every setting's widget takes the preset's value."""
    for f in dataclasses.fields(TrainConfig):
        st.session_state[key_of(f)] = page_value(f, config, limits)


def preset_buttons(limits: ServerLimits) -> None:
    """One button per preset: a good run in one click."""
    for column, (i, (name, config)) in zip(st.columns(len(PRESETS)), enumerate(PRESETS.items())):
        column.button(_(name), key=f"train_preset_{i}", on_click=apply_preset, args=(config, limits),
                      help=describe(config), width="stretch")


def settings_panel(limits: ServerLimits) -> dict:
    """Every setting's widget (the rarely changed ones in an expander); returns TrainConfig keyword arguments."""
    everything = dataclasses.fields(TrainConfig)
    settings = {f.name: widget(f, limits) for f in everything if not f.metadata["advanced"]}
    with st.expander(_("More settings")):
        settings |= {f.name: widget(f, limits) for f in everything if f.metadata["advanced"]}
    return settings


def make_config(settings: dict, limits: ServerLimits) -> tuple[TrainConfig | None, str | None]:
    """The config, or None and the one sentence that says why these settings cannot run."""
    try:
        config = TrainConfig(**settings)
    except ValueError as err:
        return None, str(err)
    return config, check_limits(config, limits)
