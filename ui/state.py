"""A visitor's state, in parts: each page part keeps its own dataclass in the session, made by `session_part`.

Widget values live in `st.session_state` under their widget keys; a widget made with `key=kept("…")`
keeps its value across page changes. Everything else a visitor owns is a field of one part's dataclass,
declared in the module that uses it (the canvas's strokes in ui/draw_view.py, the runs in ui/runs.py…).
What is computed from a visitor's models is kept in Streamlit's session-scoped caches, keyed by content.
This module holds the parts every page shares: the latest drawing and the kept settings.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import streamlit as st

from mnist_core import MnistDataError, ShippedModelError
from mnist_core.i18n import _
from ui.resources import test_set

T = TypeVar("T")
SAMPLE_INDEX = 0  # the first official test digit, a 7, stands in until the visitor draws


def part_key(kind: type) -> str:
    """A part's session key: its class's qualified name, so each part is declared once, by its class."""
    return f"{kind.__module__}.{kind.__qualname__}"


def session_part(kind: type[T]) -> T:
    """This visitor's `kind` (a dataclass with defaults for every field), made on first use."""
    return st.session_state.setdefault(part_key(kind), kind())


@dataclass
class Drawing:
    """The visitor's latest drawing, read by every look-inside page."""

    image: np.ndarray | None = None      # MNIST-style (28, 28) floats in [0, 1]
    note: str | None = None              # what `image` is when it is not the visitor's own (a sent test digit)


@dataclass
class KeptSettings:
    """Widget keys whose values survive page changes (Streamlit forgets a widget's value when its page is left)."""

    keys: set[str] = field(default_factory=set)


def drawing() -> Drawing:
    return session_part(Drawing)


def kept(key: str) -> str:
    """Declare a widget key whose value survives a trip to another page; returns the key."""
    session_part(KeptSettings).keys.add(key)
    return key


def keep_settings() -> None:
    """Streamlit forgets a widget's value when its page is left; re-assigning the key keeps it."""
    for key in session_part(KeptSettings).keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def or_stop(load: Callable[[], T]) -> T:
    """Run `load`; a missing or corrupt model or data file ends the page with its one-sentence error."""
    try:
        return load()
    except (ShippedModelError, MnistDataError) as err:
        st.error(str(err))
        st.stop()


def current_digit() -> tuple[np.ndarray, str]:
    """The visitor's latest drawing, or a sample test digit; and a sentence saying which it is."""
    latest = drawing()
    if latest.image is not None:
        return latest.image, latest.note or _("Showing your latest drawing from the Draw page.")
    images, labels = or_stop(test_set)
    # TRANSLATORS: {index} is the test digit's number in MNIST's test set; {digit} what it shows, 0 to 9.
    return (images[SAMPLE_INDEX].astype(np.float32) / 255,
            _("You have not drawn yet, so this uses test digit #{index} (labelled {digit}) from MNIST. Draw one on "
              "the Draw page to see your own.").format(index=SAMPLE_INDEX, digit=labels[SAMPLE_INDEX]))
