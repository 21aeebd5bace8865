"""One visitor's state, in one typed home (`Visitor`), shared by every page of their session.

Widget values live in `st.session_state` under their widget keys; a widget made with `key=kept("…")`
keeps its value across page changes. Everything else a visitor owns is a field of `Visitor`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import keras
import numpy as np
import streamlit as st

from mnist_core import MODELS, Evaluation, MnistDataError, Run, ShippedModelError, evaluate_model
from mnist_core.models.registry import YOURS
from ui.resources import shipped_evaluation, shipped_models, test_set

T = TypeVar("T")
SAMPLE_INDEX = 0  # the first official test digit, a 7, stands in until the visitor draws
MAX_RUNS = 5      # runs kept per visitor; the oldest is dropped (and said so) to bound memory


@dataclass
class ClassVisit:
    """This visitor's place in "Our class's digits"."""

    token: str = ""                       # random, for the per-visitor cap only (no names are kept)
    code: str | None = None               # the class joined or opened
    teacher: tuple[str, str] | None = None  # (code, teacher key) when this visitor opened it
    scores: tuple | None = None           # (what was scored, evaluations): the latest only
    yours_mnist: tuple | None = None      # (your model, its MNIST evaluation)


@dataclass
class Visitor:
    """Everything one visitor's pages share, besides widget values."""

    drawing: np.ndarray | None = None    # latest MNIST-style (28, 28) drawing, for the look-inside pages
    drawing_note: str | None = None      # what `drawing` is when it is not the visitor's own (a sent test digit)
    active: Run | None = None            # the run queued or training now
    runs: list[Run] = field(default_factory=list)   # ended runs, oldest first, at most MAX_RUNS
    dropped: int = 0                     # runs dropped to stay within MAX_RUNS
    runs_started: int = 0                # numbers this visitor's runs 1, 2, 3…
    browser: str | None = None           # this browser's id, shared by its tabs (ui.runs.browser_id)
    teacher: bool = False                # gave the server's teacher password on the Train page
    yours: int | None = None             # number of the run chosen as "your model"
    evaluations: dict[int, Evaluation] = field(default_factory=dict)  # per kept run number
    downloads: tuple[int, dict[str, bytes]] | None = None  # one run's files, built when asked
    kept_keys: set[str] = field(default_factory=set)  # widget keys whose values survive page changes
    canvas_version: int = 0              # Clears so far: part of the canvas's initial drawing, so a Clear empties it
    canvas_json: dict | None = None      # the canvas's strokes (fabric.js), given back after a page change
    canvas_initial: dict | None = None   # the strokes the canvas was mounted with (unchanged while drawn on)
    canvas_rgba: np.ndarray | None = None  # its last pixels: a canvas given its strokes sends none until drawn on
    conv_seed: str | None = None         # the classic kernel that Convolution's custom grid started from
    conv_position: int | None = None     # Convolution's window, numbered row by row over the output
    conv_playing: bool = False           # Convolution's Play: the window moves on by itself
    present: bool | None = None          # presenter mode; None until read from ?present=1
    map_yours: tuple | None = None       # (model, DigitMap): the map of this visitor's own model
    fool_results: tuple | None = None    # (what was asked, {model: FoolResult}): the latest search only
    unit_yours: dict = field(default_factory=dict)  # top test patches per layer of the visitor's own model
    classroom: ClassVisit = field(default_factory=ClassVisit)

    def keep_run(self, run: Run) -> None:
        """Add an ended run; beyond MAX_RUNS the oldest goes, with its model and evaluation."""
        self.runs.append(run)
        while len(self.runs) > MAX_RUNS:
            old = self.runs.pop(0)
            old.forget_model()
            self.evaluations.pop(old.number, None)
            self.dropped += 1
            if self.yours == old.number:
                self.yours = None

    def your_model(self) -> keras.Model | None:
        return next((r.model for r in self.runs if r.number == self.yours), None)


def visitor() -> Visitor:
    return st.session_state.setdefault("visitor", Visitor())


def kept(key: str) -> str:
    """Declare a widget key whose value survives a trip to another page; returns the key."""
    visitor().kept_keys.add(key)
    return key


def keep_settings() -> None:
    """Streamlit forgets a widget's value when its page is left; re-assigning the key keeps it."""
    for key in visitor().kept_keys:
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
    if visitor().drawing is not None:
        return visitor().drawing, visitor().drawing_note or "Showing your latest drawing from the Draw page."
    images, labels = or_stop(test_set)
    return (images[SAMPLE_INDEX].astype(np.float32) / 255,
            f"You have not drawn yet, so this uses test digit #{SAMPLE_INDEX} (a {labels[SAMPLE_INDEX]}) "
            "from MNIST. Draw one on the Draw page to see your own.")


def available_models() -> dict[str, keras.Model]:
    """The shipped models, plus the visitor's own chosen run as `YOURS` when there is one.

    A missing or corrupt model file ends the page with its one-sentence error (and how to rebuild it).
    """
    models = dict(or_stop(shipped_models))
    if visitor().your_model() is not None:
        models[YOURS] = visitor().your_model()
    return models


def model_choices() -> dict[str, tuple[str, object]]:
    """Label → ("shipped", name) or ("run", run) for every model this visitor can evaluate."""
    choices = {f"{spec.display_name} (shipped)": ("shipped", name) for name, spec in MODELS.items()}
    choices.update({run.label: ("run", run) for run in visitor().runs if run.model is not None})
    return choices


def evaluation_of(choice: tuple[str, object]) -> tuple[Evaluation, np.ndarray]:
    """The test-set evaluation of a choice (shared cache for shipped models, per-visitor for runs)."""
    kind, what = choice
    images, labels = or_stop(test_set)
    if kind == "shipped":
        return or_stop(lambda: shipped_evaluation(what)), images
    cache = visitor().evaluations  # bounded: entries go with their run (Visitor.keep_run)
    if what.number not in cache:
        cache[what.number] = evaluate_model(what.model, images, labels)
    return cache[what.number], images
