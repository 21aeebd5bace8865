"""Draw: sketch a digit or upload a photo of one, and watch every model read it."""

import streamlit as st

from mnist_core.drawing.prepare import BOX
from mnist_core.models.inference import SIDE
from ui.draw_view import CANVAS_PX, clear_canvas, details, drawn, uploaded, verdicts
from ui.models import available_models
from ui.present import presenting
from ui.state import kept

if not presenting():  # on a projector the canvas and the verdicts need the room
    st.title("Draw a digit")
models = available_models()  # a missing model file stops the page here, with one sentence


@st.fragment
def board() -> None:
    """Controls, canvas (or upload) and verdicts side by side, then the details: a stroke reruns only this."""
    pad, result = st.columns([CANVAS_PX + 20, 400])
    with pad:
        choose, clear = st.columns([3, 1], vertical_alignment="center")
        source = choose.segmented_control("Input", ["Draw", "Upload"], default="Draw", key=kept("draw_source"),
                                          label_visibility="collapsed") or "Draw"
        mnist_style = True
        if source == "Draw":
            cleared = clear.button("Clear", key="draw_clear", width="stretch")
            if cleared:
                clear_canvas()
            pen, style = st.columns(2, vertical_alignment="center")
            stroke = pen.slider("Pen width", 4, 40, 18, key=kept("draw_stroke_width"), label_visibility="collapsed",
                                format="pen %d px")
            mnist_style = style.toggle(
                "MNIST-style", value=True, key=kept("draw_mnist_style"),
                help=f"On: crop, fit into {BOX}×{BOX} keeping the shape, centre by mass, as MNIST was made. "
                     f"Off: shrink the whole canvas to {SIDE}×{SIDE}, as many demos do.")
            image = drawn(stroke, mnist_style, cleared)
        else:
            image = uploaded()
    with result:
        if image is None:
            st.info("Draw a digit on the black square (or upload one) and the networks will read it.")
            return
        probabilities = verdicts(models, image)
    details(image, probabilities, mnist_style)


board()
