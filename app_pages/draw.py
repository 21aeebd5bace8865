"""Draw: sketch a digit or upload a photo of one, and watch every model read it."""

import streamlit as st

from mnist_core.drawing.prepare import BOX
from mnist_core.i18n import N_, _
from mnist_core.models.inference import SIDE
from ui.draw_view import CANVAS_PX, clear_canvas, details, drawn, uploaded, verdicts
from ui.lesson import one_of_ten
from ui.models import available_models
from ui.present import presenting
from ui.state import kept

SOURCES = {"Draw": N_("Draw"), "Upload": N_("Upload")}  # the input's choices: logic value → label

if not presenting():  # on a projector the canvas and the verdicts need the room
    st.title(_("Draw a digit"))
models = available_models()  # a missing model file stops the page here, with one sentence


@st.fragment
def board() -> None:
    """Controls, canvas (or upload) and verdicts side by side, then the details: a stroke reruns only this."""
    pad, result = st.columns([CANVAS_PX + 20, 400])
    with pad:
        choose, clear = st.columns([3, 1], vertical_alignment="center")
        source = choose.segmented_control(_("Input"), list(SOURCES), default="Draw", key=kept("draw_source"),
                                          format_func=lambda choice: _(SOURCES[choice]),
                                          label_visibility="collapsed") or "Draw"
        mnist_style = True
        if source == "Draw":
            cleared = clear.button(_("Clear"), key="draw_clear", width="stretch")
            if cleared:
                clear_canvas()
            pen, style = st.columns(2, vertical_alignment="center")
            # TRANSLATORS: the pen slider's value, such as "pen 18 px"; keep %d, the width.
            stroke = pen.slider(_("Pen width"), 4, 40, 18, key=kept("draw_stroke_width"), label_visibility="collapsed",
                                format=_("pen %d px"))
            mnist_style = style.toggle(
                _("MNIST-style"), value=True, key=kept("draw_mnist_style"),
                help=_("On: crop, fit into {box}×{box} keeping the shape, centre by mass, as MNIST was made. "
                       "Off: shrink the whole canvas to {side}×{side}, as many demos do.").format(box=BOX, side=SIDE))
            image = drawn(stroke, mnist_style, cleared)
        else:
            image = uploaded()
    with result:
        if image is None:
            st.info(_("Draw a digit on the black square (or upload one) and the networks will read it."))
            return
        probabilities = verdicts(models, image)
    details(image, probabilities, mnist_style)
    st.caption(one_of_ten(probabilities))  # a drawing that is no digit still gets one: the lesson uses it


board()
