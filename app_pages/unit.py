"""What one unit sees: its receptive field on the learner's digit, and the nine test patches that excite it most."""

import hashlib

import numpy as np
import streamlit as st

from mnist_core.inside.receptive_field import activations, receptive_field, top_images, unit_layers
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import MODELS_DIR
from mnist_core.plots.explorers import field_figure, patches_figure
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.resources import test_set
from ui.state import current_digit, kept, or_stop


@st.cache_resource(max_entries=12, show_spinner="Running the 10,000 test digits through the layer…")
def shipped_top(name: str, file_sha256: str, layer: str, _model) -> tuple[np.ndarray, np.ndarray]:
    """The nine most exciting test images of every unit of a shipped model's layer."""
    return top_images(_model, layer, test_set()[0])


def top_of(name: str, model, layer: str) -> tuple[np.ndarray, np.ndarray]:
    """Shared for shipped model files (keyed by their SHA-256); per visitor for their own model."""
    path = MODELS_DIR / f"{name}.keras"
    if path.is_file():
        return shipped_top(name, hashlib.sha256(path.read_bytes()).hexdigest(), layer, model)
    return your_top(fingerprint(model), layer, model)


@st.cache_resource(scope="session", max_entries=8,
                   show_spinner="Running the 10,000 test digits through your model's layer…")
def your_top(weights: str, layer: str, _model) -> tuple[np.ndarray, np.ndarray]:
    """The nine most exciting test images of every unit of a layer of this visitor's own model."""
    return top_images(_model, layer, test_set()[0])


def unit_slider(label: str, size: int, key: str, start: int) -> int:
    """A 0..size−1 slider starting at `start`; a value left over from a larger layer is dropped."""
    if st.session_state.get(key, 0) > size - 1:
        del st.session_state[key]
    return st.slider(label, 0, size - 1, value=start, key=key) if size > 1 else 0


models = {n: m for n, m in available_models().items() if unit_layers(m)}  # the models with feature maps
with st.sidebar:
    name = st.selectbox("Model", list(models), format_func=display_name, key=kept("unit_model"))
    model = models[name]
    choices = unit_layers(model)
    layer = st.selectbox("Layer", choices, index=len(choices) - 1, key=kept("unit_layer"))  # deepest: most to see
    _, height, width, channels = model.get_layer(layer).output.shape
    row = unit_slider("Row", height, "unit_row", height // 2)
    col = unit_slider("Column", width, "unit_col", width // 2)
    image, sentence = current_digit()
    here = activations(model, layer, image)[0, row, col]  # (C,) every channel at this place, on the digit
    channel = unit_slider("Channel (feature map)", channels, "unit_channel", int(here.argmax()))

st.title("What one unit sees")
st.caption(sentence)

images, labels = or_stop(test_set)
field = receptive_field(model, layer, row, col)
indices, values = top_of(name, model, layer)
best, strength = indices[:, row, col, channel], values[:, row, col, channel]
mine = float(here[channel])
rank = int((values[:, row, col, channel] > mine).sum())
clipped = (field.bottom - field.top + 1, field.right - field.left + 1) != field.side

st.markdown(
    f"Unit (row {row}, column {col}) of feature map {channel} in **{layer}** ({height}×{width}×{channels}) "
    f"looks at a **{field.side[0]}×{field.side[1]}** square of the input: its *receptive field*, worked out "
    "from the sizes, strides and padding of every layer below it"
    + (", part of it hanging over the image's edge" if clipped else "")
    + f". On your digit it gives **{mine:.2f}**; among the {len(labels):,} test digits, the nine that excite it "
    f"most give {strength[-1]:.2f} to {strength[0]:.2f}."
)
left, right = st.columns(2)
left.plotly_chart(show(field_figure(image, field, f"Your digit, field of unit ({row}, {col})")), key="unit_field_fig")
crops = np.stack([images[i][field.slices] / 255 for i in best])
titles = [f"#{i} (a {labels[i]}): {v:.2f}" for i, v in zip(best, strength, strict=True)]
right.plotly_chart(show(patches_figure(crops, titles)), key="unit_patches_fig")
if strength[0] <= 0:
    st.info("This unit stays at 0 or below on every test digit: a silent unit. Try another channel.")

shared = np.bincount(labels[best], minlength=10)
first = receptive_field(model, unit_layers(model)[0], 0, 0).side
teacher_notes(
    show="The same position in the first and the last layer, then move along a row.",
    notice="A unit in a deeper layer sees a larger square, and its favourite patches show larger pieces of "
           "strokes: edges first, then curves and corners.",
    questions=[
        ("How much larger is this unit's field than the first layer's?",
         f"{field.side[0]}×{field.side[1]} against {first[0]}×{first[1]} pixels."),
        ("Do its favourite patches come from one digit?", f"{shared.max()} of the nine are {shared.argmax()}s."),
        ("Does your digit excite it?",
         f"Yes: {mine:.2f}, more than any of its nine favourites." if rank == 0 else
         f"{mine:.2f}: less than {'all' if rank == len(strength) else rank} of its nine favourites "
         f"(the strongest gives {strength[0]:.2f})."),
    ],
)
