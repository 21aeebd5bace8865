"""Home: the three shipped models, their sizes and their accuracy measured here on the test set."""

from functools import partial

import numpy as np
import streamlit as st

from mnist_core import MODELS
from mnist_core.drawing.prepare import BOX
from mnist_core.i18n import _, integer, ngettext, percent
from mnist_core.models.inference import SIDE
from mnist_core.models.registry import description, display_name
from mnist_core.plots.live import pixelated
from mnist_core.training.run import said
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.resources import device, shipped_evaluation, test_set
from ui.state import or_stop

st.title(_("MNIST Lab"))
st.caption(_("How neural networks read handwritten digits: draw one, look inside, train your own."))

models = available_models()  # stops the page with one sentence if a model file is missing
test_images = len(or_stop(test_set)[1])
st.markdown(ngettext("{networks} network was trained on MNIST's training set of handwritten digits. Below, it is "
                     "scored right now on the {test_digits} official test digits it never saw during training.",
                     "{networks} networks were trained on MNIST's training set of handwritten digits. Below, each is "
                     "scored right now on the {test_digits} official test digits it never saw during training.",
                     len(MODELS)).format(networks=integer(len(MODELS)), test_digits=integer(test_images)))

for column, name in zip(st.columns(len(MODELS)), MODELS):
    with column:
        st.subheader(display_name(name))
        st.metric(_("Parameters"), integer(models[name].count_params()), border=True)
        evaluation = or_stop(partial(shipped_evaluation, name))
        errors = int(round((1 - evaluation.accuracy) * len(evaluation.labels)))
        st.metric(_("Test accuracy"), percent(evaluation.accuracy, 2), border=True,
                  help=_("{errors} of {total} official test digits misread.").format(
                      errors=integer(errors), total=integer(len(evaluation.labels))))
        st.write(description(name))

st.subheader(_("What MNIST's digits look like"))
images, labels = or_stop(test_set)
firsts = [int(np.flatnonzero(labels == d)[0]) for d in range(10)]  # the first test digit of each class
# TRANSLATORS: an image's caption: {index} is its number in MNIST's test set, {digit} the digit it shows.
st.image([pixelated(images[i]) for i in firsts],
         caption=[_("test #{index}: labelled {digit}").format(index=i, digit=labels[i]) for i in firsts])
st.caption(_("Written by American high-school students and Census Bureau employees, scanned, then cropped, fitted "
             "into a {box}×{box} box and centred in {side}×{side} pixels: what the models learned from.").format(
    box=BOX, side=SIDE))

st.divider()
# TRANSLATORS: {device} is, for example, "CPU (tensorflow, no GPU visible)".
st.markdown(_("**Training device:** {device}. Training runs use it automatically.").format(device=said(device())))

scores = {name: or_stop(partial(shipped_evaluation, name)).accuracy for name in MODELS}
best, worst = max(scores, key=scores.get), min(scores, key=scores.get)
sizes = {name: models[name].count_params() for name in MODELS}
largest = max(sizes, key=sizes.get)
teacher_notes(
    show=ngettext("The {n} card: how big the network is, and how often it is right on digits it never saw.",
                  "The {n} cards: how big each network is, and how often it is right on digits it never saw.",
                  len(MODELS)).format(n=integer(len(MODELS))),
    # TRANSLATORS: {largest} and {best} are model names, such as "LeNet-5"; {weights} a number of weights.
    notice=(_("More weights do not mean more accuracy: the {largest} is the largest ({weights} weights), the {best} "
              "the most accurate.") if largest != best else
            _("The {best} is both the largest ({weights} weights) and the most accurate.")).format(
        largest=display_name(largest), best=display_name(best), weights=integer(sizes[largest])),
    questions=[(_("How many of the {test_digits} test digits does the {worst} get wrong, and the {best}?").format(
                    test_digits=integer(test_images), worst=display_name(worst), best=display_name(best)),
                # TRANSLATORS: two numbers of misread digits, the first model's and the second's.
                _("{first} and {second}.").format(first=integer(round((1 - scores[worst]) * test_images)),
                                                  second=integer(round((1 - scores[best]) * test_images)))),
               (_("Why score on a separate test set?"), _("A network can memorise the digits it trained on; only "
                                                          "digits it never saw show whether it learned to read."))],
)
