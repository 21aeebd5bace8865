"""Draw: sketch a digit or upload a photo of one, and watch the three models read it."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mnist_core import predict_digit
from mnist_core.figures import probability_bars
from mnist_core.inside_figures import heatmap
from mnist_core.models import display_name
from mnist_core.preprocess import BOX, FIELD, UploadError, canvas_to_mnist, image_to_mnist, load_upload, plain_resize
from ui.lesson import teacher_notes
from ui.present import show
from ui.state import available_models, kept, visitor

CANVAS_PX = 280

with st.sidebar:
    stroke = st.slider("Pen width", 4, 40, 18, key=kept("draw_stroke_width"))

st.title("Draw a digit")
st.caption("Draw with the mouse (or a finger); the verdicts update after every stroke.")
models = available_models()  # a missing model file stops the page here, with one sentence


def clear_canvas() -> None:
    visitor().canvas_version += 1  # a new key gives a fresh, empty canvas


def drawn_input():
    """The canvas; returns the model input chosen by the toggle, or None while it is blank."""
    result = st_canvas(stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
                       width=CANVAS_PX, height=CANVAS_PX, drawing_mode="freedraw", return_image_data=True,
                       key=f"draw_canvas_{visitor().canvas_version}")
    st.button("Clear", on_click=clear_canvas, key="draw_clear")
    rgba = result.image_data if result is not None else None
    if rgba is None:
        return None
    mnist = canvas_to_mnist(rgba)
    if mnist is not None:
        visitor().drawing = mnist
    return mnist if mnist_style else plain_resize(rgba)


@st.cache_data(max_entries=16, show_spinner=False)
def read_upload(data: bytes):
    """Decoding a 12-megapixel photo takes ~0.4 s: do it once per file, not on every rerun."""
    return image_to_mnist(load_upload(data))


def uploaded_input():
    """A PNG/JPEG of one digit, read the MNIST way; every bad file gets one sentence."""
    upload = st.file_uploader("A photo or scan of one digit (PNG or JPEG)", type=["png", "jpg", "jpeg"],
                              key="draw_upload")
    if upload is None:
        return None
    try:
        image = read_upload(upload.getvalue())
    except UploadError as err:
        st.error(str(err))
        return None
    if image is None:
        st.warning("No digit found in this image: it looks blank.")
    else:
        visitor().drawing = image
    return image


source = st.radio("Input", ["Draw", "Upload"], horizontal=True, key=kept("draw_source"),
                  label_visibility="collapsed")
left, right = st.columns(2)
with right:
    mnist_style = st.toggle(
        "MNIST-style preprocessing", value=True, key=kept("draw_mnist_style"), disabled=source != "Draw",
        help=f"On: crop, fit into {BOX}×{BOX} keeping the shape, centre by mass, as MNIST was made. "
             f"Off: shrink the whole canvas to {FIELD}×{FIELD}, as many demos do. Uploads are always read "
             "MNIST-style.")
with left:
    image = drawn_input() if source == "Draw" else uploaded_input()

if image is None:
    with right:
        st.info("Draw a digit on the black square (or upload one) and the networks will read it.")
    st.stop()

with right:
    st.plotly_chart(show(heatmap(image, f"What the models see ({FIELD}×{FIELD})", height=280)), key="draw_input_fig")
    if mnist_style or source != "Draw":
        st.caption(f"Made the way MNIST's digits were: cropped to the ink, fitted into a {BOX}×{BOX} box and "
                   "centred by the centre of mass. Switch the preprocessing off to see how the verdicts change "
                   "when a drawing is just shrunk.")
    else:
        st.caption(f"The whole canvas shrunk to {FIELD}×{FIELD}, with no cropping, fitting or centring: not how "
                   "MNIST's digits were made, so the models may stumble. Switch the preprocessing on to compare.")

probabilities = predict_digit(models, image)
for column, (name, p) in zip(st.columns(len(probabilities)), probabilities.items()):
    first, *others = np.argsort(p)[::-1][:3]
    column.metric(display_name(name), f"{first} ({p[first]:.1%})", border=True,
                  delta=" · ".join(f"{d} {p[d]:.1%}" for d in others), delta_color="off", delta_arrow="off")
st.plotly_chart(show(probability_bars(probabilities)), key="draw_bars")

readings = {name: int(p.argmax()) for name, p in probabilities.items()}
agree = max(set(readings.values()), key=list(readings.values()).count)
teacher_notes(
    show="Draw a clear digit, then a sloppy one, a tiny one in a corner, and one with the preprocessing off.",
    notice="The picture on the right is all the networks get: 784 numbers. Tiny or off-centre drawings are "
           "rescued by the MNIST-style preprocessing; switch it off and the verdicts change.",
    questions=[("Do the networks agree on this drawing?",
                f"{list(readings.values()).count(agree)} of {len(readings)} read it as {agree}; "
                + ", ".join(f"{display_name(n)} {p.max():.1%} sure" for n, p in probabilities.items()) + "."),
               ("Why crop, fit and centre the drawing first?",
                f"Every training digit was fitted into a {BOX}×{BOX} box and centred by mass; a network only "
                "knows digits that look like the ones it learned from.")],
)
