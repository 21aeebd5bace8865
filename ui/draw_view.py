"""The Draw page's parts: the canvas or an upload read into a 28×28 digit, the verdicts, then the details.

Order matters for speed: a stroke reruns the page's fragment, and the verdicts are what a visitor waits for,
so they are sent before the two figures (bench/stroke_latency.py measures stroke to verdicts).
"""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core import i18n, predict_digit
from mnist_core.drawing.check import NotADigit
from mnist_core.drawing.decode import UploadError, load_upload
from mnist_core.drawing.prepare import BOX, canvas_to_mnist, image_to_mnist, plain_resize
from mnist_core.i18n import _, integer
from mnist_core.models.inference import SIDE
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import percent
from mnist_core.plots.inside import heatmap
from mnist_core.plots.results import probability_bars
from ui.canvas import draw_canvas
from ui.lesson import teacher_notes
from ui.present import show
from ui.state import drawing, session_part

CANVAS_PX = 400  # big enough to draw on a projector, small enough for a tablet beside the verdicts


@dataclass
class Board:
    """The Draw page's canvas, kept across page changes."""

    version: int = 0                     # Clears so far: part of the canvas's initial drawing, so a Clear empties it
    json: dict | None = None             # the canvas's strokes (fabric.js), given back after a page change
    initial: dict | None = None          # the strokes the canvas was mounted with (unchanged while drawn on)
    rgba: np.ndarray | None = None       # its last pixels: a canvas given its strokes sends none until drawn on


def clear_canvas() -> None:
    """Forget the drawing (the look-inside pages go back to the sample digit); `drawn` then empties the canvas."""
    board = session_part(Board)
    board.version += 1
    board.json = board.initial = board.rgba = drawing().image = None


def drawn(stroke: int, mnist_style: bool, cleared: bool = False) -> np.ndarray | None:
    """The canvas, and the model input read from its pixels (None until something is drawn).

    Clear empties this same canvas rather than mounting a new one under a new key, which needed a rerun of the
    whole app: while that rerun was still going (slow while someone trained), a fragment rerun for the next
    stroke could render the board a second time, and the stroke went to a copy that then disappeared. The
    canvas reloads whenever its initial drawing changes, so the number of clears goes into it; `cleared` says
    this run's canvas value predates the Clear (the emptied canvas sends its own next)."""
    board = session_part(Board)
    if "draw_canvas" not in st.session_state:  # mounting (first visit, or back from another page): its strokes
        board.initial = board.json  # then stay the same, so the drawing is not sent back on each stroke
    initial = {**(board.initial or {"objects": []}), "clears": board.version}
    value = draw_canvas(width=CANVAS_PX, height=CANVAS_PX, stroke_width=stroke, stroke_color="#FFFFFF",
                        background_color="#000000", drawing_mode="freedraw", initial_drawing=initial,
                        key="draw_canvas")
    if value.problem and not cleared:
        st.error(value.problem)
    if value.rgba is not None and not cleared:
        board.rgba, board.json = value.rgba, value.json_data
    # A canvas given its drawing back shows it but sends no pixels until the next stroke.
    return None if board.rgba is None else _read(board.rgba, mnist_style, stroke)


def _read(rgba: np.ndarray, mnist_style: bool, pen: int) -> np.ndarray | None:
    """The model input from the canvas's pixels; a blot, dot or strip gets one sentence instead."""
    try:
        mnist = canvas_to_mnist(rgba, pen)  # a dot is a dot by its size in pen widths
    except NotADigit as err:
        st.warning(str(err))
        return None
    drawing().image, drawing().note = mnist, None
    return mnist if mnist_style else plain_resize(rgba)


@st.cache_data(max_entries=16, show_spinner=False)
def _read_upload(data: bytes) -> np.ndarray | None:
    """Decoding a 12-megapixel photo takes ~0.4 s: do it once per file, not on every rerun."""
    return image_to_mnist(load_upload(data))


def uploaded() -> np.ndarray | None:
    """A PNG/JPEG of one digit, read the MNIST way; every bad file gets one sentence."""
    upload = st.file_uploader(_("A photo or scan of one digit (PNG or JPEG)"), type=["png", "jpg", "jpeg"],
                              key="draw_upload")
    if upload is None:
        return None
    try:
        image = _read_upload(upload.getvalue())
    except UploadError as err:
        st.error(str(err))
        return None
    except NotADigit as err:
        st.warning(str(err))
        return None
    if image is None:
        st.warning(_("No digit found in this image: it looks blank."))
    drawing().image, drawing().note = image, None
    return image


def verdicts(models: dict, image: np.ndarray) -> dict[str, np.ndarray]:
    """Each model's reading: its top guess and the next two, one under the other beside the canvas."""
    probabilities = predict_digit(models, image)
    for name, p in probabilities.items():
        first, *others = np.argsort(p)[::-1][:3]
        # TRANSLATORS: under a model's top guess, its next guesses: {others} is, for example, "2 1.3%, 7 0.2%".
        st.metric(display_name(name), f"{first}  ({percent(p[first])})", border=True,
                  delta=_("then {others}").format(others=", ".join(f"{d} {percent(p[d])}" for d in others)),
                  delta_color="off", delta_arrow="off")
    return probabilities


def details(image: np.ndarray, probabilities: dict[str, np.ndarray], mnist_style: bool) -> None:
    """What the models were given, every probability, and the teacher's notes for this drawing."""
    picture, bars = st.columns([1, 2.5])
    picture.plotly_chart(show(heatmap(image, _("What the models see ({side}×{side})").format(side=SIDE), height=280)),
                         key="draw_input_fig")
    picture.caption((_("Cropped to the ink, fitted into {box}×{box} and centred by mass, as MNIST's digits were.")
                     if mnist_style else _("The whole canvas shrunk to {side}×{side}, with no cropping, fitting or "
                                           "centring: not how MNIST's digits were made, so the models may stumble."))
                    .format(box=BOX, side=SIDE))
    bars.plotly_chart(show(probability_bars(probabilities)), key="draw_bars")
    _notes(probabilities)


def _notes(probabilities: dict[str, np.ndarray]) -> None:
    """The teacher's notes, with this drawing's answers computed."""
    readings = [int(p.argmax()) for p in probabilities.values()]
    agree = max(set(readings), key=readings.count)
    # TRANSLATORS: one model's certainty, such as "LeNet-5 99.2% sure".
    sure = [_("{model} {percent} sure").format(model=display_name(n), percent=i18n.percent(p.max(), 1))
            for n, p in probabilities.items()]
    teacher_notes(
        show=_("Draw a clear digit, then a sloppy one, a tiny one in a corner, and one with the preprocessing off."),
        notice=_("The small picture is all the networks get: {pixels} numbers. Tiny or off-centre drawings are "
                 "rescued by the MNIST-style preprocessing; switch it off and the verdicts change.").format(
            pixels=integer(SIDE * SIDE)),
        questions=[(_("Do the networks agree on this drawing?"),
                    # TRANSLATORS: {agree} models of {models} read the digit {digit}; {certainties} lists each
                    # model's certainty, such as "MLP 97.1% sure, CNN 99.8% sure".
                    _("{agree} of {models} read it as {digit}; {certainties}.").format(
                        agree=integer(readings.count(agree)), models=integer(len(readings)), digit=agree,
                        certainties=", ".join(sure))),
                   (_("Why crop, fit and centre the drawing first?"),
                    _("Every training digit was fitted into a {box}×{box} box and centred by mass; a network only "
                      "knows digits that look like the ones it learned from.").format(box=BOX))],
    )
