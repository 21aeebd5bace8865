"""Where it looked: occlusion saliency for each model's verdict, and for any digit the learner asks about."""

import zlib

import numpy as np
import streamlit as st
from PIL import Image

from mnist_core import predict_digit
from mnist_core.i18n import _, integer
from mnist_core.inside.saliency import erase, saliency, what_hiding_does
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import consensus, percent
from mnist_core.plots.inside import saliency_overlay
from ui.canvas import draw_canvas
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.state import current_digit, kept

with st.sidebar:
    patch = st.select_slider(_("Occluding square (pixels)"), [3, 5, 7, 9], value=5, key=kept("saliency_patch"))

image, sentence = current_digit()
st.title(_("Where it looked"))
st.caption(sentence)

models = available_models()

probabilities = predict_digit(models, image)
verdicts = {name: int(p.argmax()) for name, p in probabilities.items()}
maps = {name: saliency(models[name], image, digit, patch) for name, digit in verdicts.items()}
positions = (image.shape[0] - patch + 1) ** 2  # every place a patch fits

st.markdown(_(
    "To see where a model looked, we hide one {patch}×{patch} square of the digit at a time (painted black, "
    "MNIST's background), in all {positions} positions, and watch how far the model's probability for a digit "
    "falls. Every map uses the same scale: a pixel's colour is the average fall, in percentage points, over the "
    "squares that hid it (clear: no fall; deep red: 100 points). So a faint map means hiding ink barely changed "
    "that model's mind, and maps compare across models. This is *occlusion*: it needs only the model's answers, "
    "so it works the same for every model.").format(patch=patch, positions=integer(positions)))


for column, name in zip(st.columns(len(models)), models):
    # TRANSLATORS: a chart's title; <br> breaks the line; {p} is a probability such as 97.3%.
    title = _("{model}<br>reads {digit} ({p})").format(model=display_name(name), digit=verdicts[name],
                                                       p=percent(probabilities[name].max()))
    column.plotly_chart(show(saliency_overlay(image, maps[name].heat, title)), key=f"saliency_top_{name}_fig")
    column.caption(what_hiding_does(name, verdicts[name], maps[name], patch))

runner_up = int(consensus(probabilities).argsort()[-2])  # the models' joint second guess: "why not?"
choice, words = st.columns([1, 4])
asked = choice.selectbox(_("Why not a …?"), range(10), index=runner_up, key=kept("saliency_digit"))
words.markdown(_(
    "Here is the evidence each model found for the digit **{digit}**, on the same scale. Where a model gives {digit} "
    "little chance, hiding ink cannot lower it much further, so its map stays clear. Where a model did consider "
    "it, the map shows which strokes made it think so.").format(digit=asked))
for column, name in zip(st.columns(len(models)), models):
    found = maps[name] if asked == verdicts[name] else saliency(models[name], image, asked, patch)
    title = f"{display_name(name)}<br>P({asked}) = {percent(probabilities[name][asked])}"
    column.plotly_chart(show(saliency_overlay(image, found.heat, title)), key=f"saliency_asked_{name}_fig")
    column.caption(what_hiding_does(name, asked, found, patch))

ERASER_PX = 280  # the eraser canvas: the 28×28 digit enlarged ten times


@st.fragment
def eraser() -> None:
    """Hands-on occlusion: rub out any part of the digit and watch every verdict change."""
    st.subheader(_("Now you: rub out part of the digit"))
    board, result = st.columns([ERASER_PX + 20, 500])
    with board:
        big = Image.fromarray((np.kron(image, np.ones((10, 10))) * 255).astype(np.uint8)).convert("RGB")
        value = draw_canvas(width=ERASER_PX, height=ERASER_PX, stroke_width=24, stroke_color="#FF4B4B",
                            background_image=big, drawing_mode="freedraw",
                            key=f"saliency_eraser_{zlib.crc32(image.tobytes())}")  # a new digit, a clean sheet
    if value.problem:
        result.error(value.problem)
    if value.rgba is None or not value.rgba[..., 3].any():
        result.info(_("Paint over the strokes you want to hide: the models read what is left."))
        return
    after = predict_digit(models, erase(image, value.rgba))
    for name, p in after.items():
        was = verdicts[name]
        # TRANSLATORS: {before} and {now} are probabilities such as 97.3%.
        delta = _("was {digit} ({before}); P({digit}) now {now}").format(
            digit=was, before=percent(probabilities[name][was]), now=percent(p[was]))
        result.metric(display_name(name), f"{p.argmax()} ({percent(p.max())})", border=True, delta_arrow="off",
                      delta_color="off", delta=delta)


eraser()
teacher_notes(
    show=_("Each model's map for its own verdict, then ask 'why not' the runner-up digit."),
    notice=_("All maps share one scale, so a faint map means hiding ink barely changed that model's mind."),
    questions=[(_("Which square matters most to each model?"),
                "; ".join(what_hiding_does(name, verdicts[name], maps[name], patch) for name in models) + "."),
               (_("Why black squares?"), _("Black is MNIST's background: a black square erases ink, as if it was "
                "never drawn."))],
)
