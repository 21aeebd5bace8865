"""What one unit sees: its receptive field on the learner's digit, and the nine test patches that excite it most."""

import hashlib

import numpy as np
import streamlit as st

from mnist_core.i18n import _, ngettext, number
from mnist_core.inside.receptive_field import Field, activations, receptive_field, top_images, unit_layers
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import MODELS_DIR
from mnist_core.plots.explorers import field_figure, patches_figure
from ui.lesson import mnist_numbers, teacher_notes
from ui.models import available_models
from ui.present import show
from ui.resources import test_set
from ui.state import current_digit, kept, or_stop


@st.cache_resource(max_entries=12,
                   show_spinner=_("Running the {test_digits} test digits through the layer…").format(**mnist_numbers()))
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
                   show_spinner=_("Running the {test_digits} test digits through your model's layer…").format(
                       **mnist_numbers()))
def your_top(weights: str, layer: str, _model) -> tuple[np.ndarray, np.ndarray]:
    """The nine most exciting test images of every unit of a layer of this visitor's own model."""
    return top_images(_model, layer, test_set()[0])


def unit_slider(label: str, size: int, key: str, start: int) -> int:
    """A 0..size−1 slider starting at `start`; a value left over from a larger layer is dropped."""
    if st.session_state.get(key, 0) > size - 1:
        del st.session_state[key]
    return st.slider(label, 0, size - 1, value=start, key=key) if size > 1 else 0


def description(field: Field, unit: tuple[int, int, int], layer: str, shape: tuple[int, int, int], mine: float,
                strength: np.ndarray) -> str:
    """Which square of the input the unit (row, col, channel) sees, and how strongly it answers."""
    clipped = (field.bottom - field.top + 1, field.right - field.left + 1) != field.side
    # TRANSLATORS: {layer} is a layer's name such as "conv3"; {side_h}×{side_w} the field's size in pixels.
    sees = (_("Unit (row {row}, column {col}) of feature map {channel} in **{layer}** ({height}×{width}×{channels}) "
              "looks at a square of **{side_h}×{side_w}** pixels of the input: its *receptive field*, worked out "
              "from the sizes, strides and padding of every layer below it, part of it hanging over the image's "
              "edge.") if clipped else
            _("Unit (row {row}, column {col}) of feature map {channel} in **{layer}** ({height}×{width}×{channels}) "
              "looks at a square of **{side_h}×{side_w}** pixels of the input: its *receptive field*, worked out "
              "from the sizes, strides and padding of every layer below it."))
    (row, col, channel), (height, width, channels) = unit, shape
    return sees.format(row=row, col=col, channel=channel, layer=layer, height=height, width=width, channels=channels,
                       side_h=field.side[0], side_w=field.side[1]) + " " + _(
        "On your digit it gives **{mine}**; among the {test_digits} test digits, the nine that excite it most give "
        "{weakest} to {strongest}.").format(mine=number(mine, 2), weakest=number(strength[-1], 2),
                                            strongest=number(strength[0], 2), **mnist_numbers())


def excited(mine: float, strength: np.ndarray) -> str:
    """How the drawing's answer compares with the unit's nine favourite test digits."""
    rank = int((strength > mine).sum())
    if rank == 0:
        return _("Yes: {mine}, more than any of its nine favourites.").format(mine=number(mine, 2))
    less = (_("{mine}: less than all of its nine favourites (the strongest gives {strongest}).")
            if rank == len(strength) else
            ngettext("{mine}: less than {count} of its nine favourites (the strongest gives {strongest}).",
                     "{mine}: less than {count} of its nine favourites (the strongest gives {strongest}).", rank))
    return less.format(mine=number(mine, 2), count=rank, strongest=number(strength[0], 2))


models = {n: m for n, m in available_models().items() if unit_layers(m)}  # the models with feature maps
with st.sidebar:
    name = st.selectbox(_("Model"), list(models), format_func=display_name, key=kept("unit_model"))
    model = models[name]
    choices = unit_layers(model)
    layer = st.selectbox(_("Layer"), choices, index=len(choices) - 1, key=kept("unit_layer"))  # deepest: most to see
    height, width, channels = model.get_layer(layer).output.shape[1:]
    row = unit_slider(_("Row"), height, "unit_row", height // 2)
    col = unit_slider(_("Column"), width, "unit_col", width // 2)
    image, sentence = current_digit()
    here = activations(model, layer, image)[0, row, col]  # (C,) every channel at this place, on the digit
    channel = unit_slider(_("Channel (feature map)"), channels, "unit_channel", int(here.argmax()))

st.title(_("What one unit sees"))
st.caption(sentence)

images, labels = or_stop(test_set)
field = receptive_field(model, layer, row, col)
indices, values = top_of(name, model, layer)
best, strength = indices[:, row, col, channel], values[:, row, col, channel]
mine = float(here[channel])

st.markdown(description(field, (row, col, channel), layer, (height, width, channels), mine, strength))
left, right = st.columns(2)
field_title = _("Your digit, field of unit ({row}, {col})").format(row=row, col=col)
left.plotly_chart(show(field_figure(image, field, field_title)), key="unit_field_fig")
crops = np.stack([images[i][field.slices] / 255 for i in best])
# TRANSLATORS: a small tile's title, keep it short: a test digit's number, its true label, and how
# strongly it excites the unit.
titles = [_("#{index} (labelled {digit}): {value}").format(index=i, digit=labels[i], value=number(v, 2))
          for i, v in zip(best, strength, strict=True)]
right.plotly_chart(show(patches_figure(crops, titles)), key="unit_patches_fig")
if strength[0] <= 0:
    st.info(_("This unit stays at 0 or below on every test digit: a silent unit. Try another channel."))

shared = np.bincount(labels[best], minlength=10)
first = receptive_field(model, unit_layers(model)[0], 0, 0).side
teacher_notes(
    show=_("The same position in the first and the last layer, then move along a row."),
    notice=_("A unit in a deeper layer sees a larger square, and its favourite patches show larger pieces of "
             "strokes: edges first, then curves and corners."),
    questions=[
        (_("How much larger is this unit's field than the first layer's?"),
         _("{side_h}×{side_w} against {first_h}×{first_w} pixels.").format(
             side_h=field.side[0], side_w=field.side[1], first_h=first[0], first_w=first[1])),
        (_("Do its favourite patches come from one digit?"),
         ngettext("{count} of the nine is labelled {digit}.", "{count} of the nine are {digit}s.",
                  int(shared.max())).format(count=shared.max(), digit=shared.argmax())),
        (_("Does your digit excite it?"), excited(mine, strength)),
    ],
)
