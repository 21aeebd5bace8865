"""The map of digits: the 10,000 test digits as a model sees them, and where the learner's drawing lands."""

import hashlib

import numpy as np
import streamlit as st

from mnist_core import predict_digit
from mnist_core.inside.digit_map import DigitMap, build_map, nearest, place
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import MODELS_DIR
from mnist_core.plots.explorers import DIGIT_COLOURS, digit_map_figure
from mnist_core.plots.inside import heatmap
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.resources import test_set
from ui.state import current_digit, kept, or_stop


@st.cache_data(persist="disk", max_entries=8, show_spinner="Placing the 10,000 test digits on the map…")
def shipped_map(name: str, file_sha256: str, _model) -> DigitMap:
    """One map per shipped model file: a new file (another SHA-256) gets a new map."""
    images, labels = test_set()
    return build_map(_model, images, labels)


def digit_map_of(name: str, model) -> DigitMap:
    """The shared map of a shipped model, or this visitor's own map of their model."""
    path = MODELS_DIR / f"{name}.keras"
    if path.is_file():
        return shipped_map(name, hashlib.sha256(path.read_bytes()).hexdigest(), model)
    return your_map(fingerprint(model), model)


@st.cache_resource(scope="session", max_entries=1, show_spinner="Placing the 10,000 test digits on your model's map…")
def your_map(weights: str, _model) -> DigitMap:
    """This visitor's map of their own model, keyed by its weights."""
    images, labels = test_set()
    return build_map(_model, images, labels)


models = available_models()
with st.sidebar:
    name = st.selectbox("Model", list(models), format_func=display_name, key=kept("map_model"))
    marked = st.checkbox("Mark the misread digits", value=True, key=kept("map_misread"))

image, sentence = current_digit()
st.title("The map of digits")
st.caption(sentence)

model = models[name]
images, labels = or_stop(test_set)
digit_map = digit_map_of(name, model)
star = place(digit_map, model, image)
reading = int(predict_digit({name: model}, image)[name].argmax())
shown = digit_map.explained.sum()

st.markdown(
    f"Each dot is one of the {len(labels):,} test digits, placed by what **{display_name(name)}** makes of it: "
    f"the {digit_map.mean.size} numbers of its last hidden layer, just before it decides. Dots are coloured by "
    "the digit they really are; the gold star is your drawing. *PCA: the two directions along which the test "
    "digits' features vary most; your drawing is placed by the same formula.* Those two directions hold "
    f"{shown:.0%} of the features' variation, so some digits that look mixed here are apart in the other "
    f"directions. {len(digit_map.misread):,} digits are misread; a black × marks each. "
    "Click a dot to see its digit."
)
left, right = st.columns([3, 1])
event = left.plotly_chart(show(digit_map_figure(digit_map, star, marked)), key="map_fig", on_select="rerun",
                          selection_mode="points")
points = event.selection.points if event else []
picked = next((int(p["customdata"]) for p in points if isinstance(p.get("customdata"), int | float)), None)
index = picked if picked is not None else int(nearest(digit_map, star, 1)[0])
neighbours = nearest(digit_map, star, 25)
votes = np.bincount(labels[neighbours], minlength=10)
right.markdown(f"{display_name(name)} reads your drawing, the star, as a **{reading}**. Of the 25 dots nearest "
               f"the star on this map, {votes.max()} are <span style='color:{DIGIT_COLOURS[votes.argmax()]}'>"
               f"**{votes.argmax()}**</span>s.", unsafe_allow_html=True)
right.plotly_chart(show(heatmap(images[index] / 255, f"Test digit #{index}", height=230)), key="map_digit_fig")
right.markdown(("You clicked" if picked is not None else "The dot nearest your star is")
               + f" a **{labels[index]}**, which {display_name(name)} reads as **{digit_map.predictions[index]}**.")

centres = np.array([digit_map.coords[labels == d].mean(axis=0) for d in range(10)])
gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1) + np.diag(np.full(10, np.inf))
a, b = np.unravel_index(gaps.argmin(), gaps.shape)
wrong = digit_map.misread
closer = (np.linalg.norm(digit_map.coords[wrong, None] - centres[None], axis=-1).argmin(axis=1)
          == digit_map.predictions[wrong]).mean() if len(wrong) else 0.0  # nearest the cloud of the answer
star_cloud = int(np.linalg.norm(centres - np.asarray(star), axis=1).argmin())
teacher_notes(
    show="Switch between the MLP and a CNN, then draw a digit badly on the Draw page and come back.",
    notice="Each digit forms its own cloud, because the last hidden layer was trained to make the ten digits "
           f"easy to separate. Here the star lies nearest the centre of the {star_cloud}s and "
           f"{display_name(name)} answers {reading}"
           + (": the map and the verdict agree." if star_cloud == reading else
              ": the flat map leaves out directions the model uses, so the two can disagree."),
    questions=[
        ("Which two digits sit closest on this map?",
         f"The centres of the {a}s and the {b}s: {gaps[a, b]:.1f} apart, against "
         f"{gaps[np.isfinite(gaps)].mean():.1f} for an average pair. Ask why those two look alike to a network."),
        ("How much does the flat map leave out?",
         f"Its two directions hold {shown:.0%} of the variation of the {digit_map.mean.size} features; the rest "
         "is hidden, which is why some clouds overlap."),
        ("Where do the misread digits sit?",
         f"{closer:.0%} of the {len(wrong):,} misread digits lie nearest the centre of the cloud of the digit the "
         "model answered; the others are a reminder that two flat directions cannot hold everything the model uses."),
    ],
)
