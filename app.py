"""MNIST Lab: draw a digit and watch neural networks read it. Run with `streamlit run app.py`.

This file is only the router and the shared frame; each page lives in app_pages/, listed once, in the
lesson's order, in ui/lesson.py.
"""

import streamlit as st

from ui.allocator import fewer_malloc_arenas
from ui.keras_reruns import keep_keras_state_between_runs
from ui.language import language_switch
from ui.lesson import navigation
from ui.present import presenter_switch
from ui.resources import guard_against_visitors
from ui.runs import browser_id, keep_alive
from ui.state import keep_settings

fewer_malloc_arenas()  # a crowd of visitors leaves less memory behind (before any model predicts)
keep_keras_state_between_runs()  # Streamlit would reset Keras after every run: its models' kernels with it
st.set_page_config(page_title="MNIST Lab", page_icon=":material/draw:", layout="wide")
guard_against_visitors()  # no visitor's message clears what all share, nor breaks a session with bad JSON
keep_alive()  # a visitor's training run lives as long as any of their pages is open
with st.sidebar:
    browser_id()  # read (or write) the browser's cookie now, so that its next tabs share its run caps
keep_settings()  # settings survive a trip to another page
language_switch()  # this visitor's language, for everything below (from ?lang=, the browser, or the sidebar)
presenter_switch()  # bigger text for a projector, for the whole visit
navigation()
