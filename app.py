"""MNIST Lab: draw a digit and watch neural networks read it. Run with `streamlit run app.py`.

This file is only the router and the shared frame; each page lives in app_pages/.
"""

import streamlit as st

from ui.runs import keep_alive
from ui.state import keep_settings

st.set_page_config(page_title="MNIST Lab", page_icon=":material/draw:", layout="wide")
keep_alive()  # a visitor's training run lives as long as any of their pages is open
keep_settings()  # sidebar settings survive a trip to another page

st.navigation({
    "Start": [
        st.Page("app_pages/home.py", title="The models", icon=":material/neurology:", default=True),
        st.Page("app_pages/draw.py", title="Draw", icon=":material/draw:"),
    ],
    "Look inside": [
        st.Page("app_pages/convolution.py", title="Convolution", icon=":material/blur_on:"),
        st.Page("app_pages/filters.py", title="Filters and feature maps", icon=":material/grid_view:"),
        st.Page("app_pages/mlp_vs_cnn.py", title="MLP vs CNN", icon=":material/compare:"),
        st.Page("app_pages/saliency.py", title="Where it looked", icon=":material/visibility:"),
    ],
    "Train and evaluate": [
        st.Page("app_pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
    ],
}).run()
