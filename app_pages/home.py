"""Home: the three shipped models, their sizes and their accuracy measured here on the test set."""

from functools import partial

import streamlit as st

from mnist_core import MODELS
from ui.resources import device, shipped_evaluation, test_set
from ui.state import available_models, or_stop

st.title("MNIST Lab")
st.caption("How neural networks read handwritten digits: draw one, look inside, train your own.")

models = available_models()  # stops the page with one sentence if a model file is missing
test_images = len(or_stop(test_set)[1])
st.markdown(f"Three networks were trained on MNIST's training set of handwritten digits. Below, each is scored "
            f"right now on the {test_images:,} official test digits it never saw during training.")

for column, (name, spec) in zip(st.columns(len(MODELS)), MODELS.items()):
    with column:
        st.subheader(spec.display_name)
        st.metric("Parameters", f"{models[name].count_params():,}", border=True)
        evaluation = or_stop(partial(shipped_evaluation, name))
        errors = int(round((1 - evaluation.accuracy) * len(evaluation.labels)))
        st.metric("Test accuracy", f"{evaluation.accuracy:.2%}", border=True,
                  help=f"{errors} of {len(evaluation.labels):,} official test digits misread.")
        st.write(spec.description)

st.divider()
st.markdown(f"**Training device:** {device()}. Training runs use it automatically.")
