"""The map of digits: the 10,000 test digits as a model sees them, and where the learner's drawing lands."""

import hashlib

import numpy as np
import streamlit as st

from mnist_core import predict_digit
from mnist_core.i18n import _, integer, ngettext, number, percent
from mnist_core.inside.digit_map import DigitMap, build_map, nearest, place
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import MODELS_DIR
from mnist_core.plots.explorers import DIGIT_COLOURS, digit_map_figure
from mnist_core.plots.inside import heatmap
from ui.lesson import mnist_numbers, teacher_notes
from ui.models import available_models
from ui.present import show
from ui.resources import test_set
from ui.selection import chosen
from ui.state import current_digit, kept, or_stop

NEIGHBOURS = 25  # the dots around the star that vote on what it looks like


@st.cache_data(persist="disk", max_entries=8,
               show_spinner=_("Placing the {test_digits} test digits on the map…").format(**mnist_numbers()))
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


@st.cache_resource(scope="session", max_entries=1,
                   show_spinner=_("Placing the {test_digits} test digits on your model's map…").format(
                       **mnist_numbers()))
def your_map(weights: str, _model) -> DigitMap:
    """This visitor's map of their own model, keyed by its weights."""
    images, labels = test_set()
    return build_map(_model, images, labels)


def introduction(digit_map: DigitMap, model: str) -> str:
    """What the map shows and how to read it, with its share of the variation and its count of misread digits."""
    misread = len(digit_map.misread)
    return " ".join([
        _("Each dot is one of the {test_digits} test digits, placed by what **{model}** makes of it: the {features} "
          "numbers of its last hidden layer, just before it decides. Dots are coloured by the digit they really are; "
          "the gold star is your drawing. *PCA: the two directions along which the test digits' features vary most; "
          "your drawing is placed by the same formula.* Those two directions hold {share} of the features' "
          "variation, so some digits that look mixed here are apart in the other directions.").format(
            model=model, features=integer(digit_map.mean.size), share=percent(digit_map.explained.sum(), 0),
            **mnist_numbers()),
        ngettext("{count} digit is misread; a black × marks it.", "{count} digits are misread; a black × marks each.",
                 misread).format(count=integer(misread)),
        _("Click a dot to see its digit.")])


models = available_models()
with st.sidebar:
    name = st.selectbox(_("Model"), list(models), format_func=display_name, key=kept("map_model"))
    marked = st.checkbox(_("Mark the misread digits"), value=True, key=kept("map_misread"))

image, sentence = current_digit()
st.title(_("The map of digits"))
st.caption(sentence)

model, shown_name = models[name], display_name(name)
images, labels = or_stop(test_set)
digit_map = digit_map_of(name, model)
star = place(digit_map, model, image)
reading = int(predict_digit({name: model}, image)[name].argmax())

st.markdown(introduction(digit_map, shown_name))
left, right = st.columns([3, 1])
event = left.plotly_chart(show(digit_map_figure(digit_map, star, marked)), key="map_fig", on_select="rerun",
                          selection_mode="points")
picked = chosen(event, "customdata", below=len(labels))  # (the clicked test digit's index,), checked
index = picked[0] if picked is not None else int(nearest(digit_map, star, 1)[0])
votes = np.bincount(labels[nearest(digit_map, star, NEIGHBOURS)], minlength=10)
voted, count = f"<span style='color:{DIGIT_COLOURS[votes.argmax()]}'>**{votes.argmax()}**</span>", int(votes.max())
# TRANSLATORS: {digit} is the digit most of the nearest dots are, in its colour (HTML kept as is).
nearby = ngettext("Of the {nearest} dots nearest the star on this map, {count} is labelled {digit}.",
                  "Of the {nearest} dots nearest the star on this map, {count} are {digit}s.", count).format(
    nearest=NEIGHBOURS, count=count, digit=voted)
right.markdown(_("{model} reads your drawing, the star, as **{reading}**.").format(model=shown_name, reading=reading)
               + " " + nearby, unsafe_allow_html=True)
right.plotly_chart(show(heatmap(images[index] / 255, _("Test digit #{index}").format(index=index), height=230)),
                   key="map_digit_fig")
clicked = (_("You clicked a dot labelled **{digit}**, which {model} reads as **{reading}**.") if picked is not None else
           _("The dot nearest your star is labelled **{digit}**, which {model} reads as **{reading}**."))
right.markdown(clicked.format(digit=labels[index], model=shown_name, reading=digit_map.predictions[index]))

centres = np.array([digit_map.coords[labels == d].mean(axis=0) for d in range(10)])
gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1) + np.diag(np.full(10, np.inf))
a, b = np.unravel_index(gaps.argmin(), gaps.shape)
wrong = digit_map.misread
closer = (np.linalg.norm(digit_map.coords[wrong, None] - centres[None], axis=-1).argmin(axis=1)
          == digit_map.predictions[wrong]).mean() if len(wrong) else 0.0  # nearest the cloud of the answer
star_cloud = int(np.linalg.norm(centres - np.asarray(star), axis=1).argmin())
# TRANSLATORS: {cloud} and {reading} are digits (0–9); {model} is a model's name such as "MLP".
verdict = (_("Here the star lies nearest the centre of the {cloud}s and {model} answers {reading}: the map and the "
             "verdict agree.") if star_cloud == reading else
           _("Here the star lies nearest the centre of the {cloud}s and {model} answers {reading}: the flat map "
             "leaves out directions the model uses, so the two can disagree."))
teacher_notes(
    show=_("Switch between the MLP and a CNN, then draw a digit badly on the Draw page and come back."),
    notice=_("Each digit forms its own cloud, because the last hidden layer was trained to make the ten digits "
             "easy to separate.") + " " + verdict.format(cloud=star_cloud, model=shown_name, reading=reading),
    questions=[
        (_("Which two digits sit closest on this map?"),
         # TRANSLATORS: {a} and {b} are digits (0–9); {gap} and {average} are distances on the map.
         _("The centres of the {a}s and the {b}s: {gap} apart, against {average} for an average pair. Ask why "
           "those two look alike to a network.").format(a=a, b=b, gap=number(gaps[a, b], 1),
                                                        average=number(gaps[np.isfinite(gaps)].mean(), 1))),
        (_("How much does the flat map leave out?"),
         _("Its two directions hold {share} of the variation of the {features} features; the rest is hidden, which "
           "is why some clouds overlap.").format(share=percent(digit_map.explained.sum(), 0),
                                                 features=integer(digit_map.mean.size))),
        (_("Where do the misread digits sit?"),
         ngettext("{share} of the {count} misread digit lies nearest the centre of the cloud of the digit the model "
                  "answered; the others are a reminder that two flat directions cannot hold everything the model uses.",
                  "{share} of the {count} misread digits lie nearest the centre of the cloud of the digit the model "
                  "answered; the others are a reminder that two flat directions cannot hold everything the model uses.",
                  len(wrong)).format(share=percent(closer, 0), count=integer(len(wrong)))),
    ],
)
