"""Lesson plan: the 45 minutes the app is built for, page by page, with what the class should take away."""

import pandas as pd
import streamlit as st

from ui.lesson import LESSON, teacher_notes
from ui.present import table

timed = [step for step in LESSON if step.minutes]
st.title("A 45-minute lesson: how a neural network reads handwriting")
st.caption("Follow the pages in the sidebar from top to bottom; each has Teacher's notes with questions "
           "and their answers, worked out from the models as the page runs.")

start, rows = 0, []
for step in timed:
    rows.append({"minutes": f"{start}–{start + step.minutes}", "page": step.title, "take-away": step.takeaway})
    start += step.minutes
table(pd.DataFrame(rows), hide_index=True, width="stretch",
      column_config={"take-away": st.column_config.TextColumn(width="large")})
st.markdown(f"In all **{start} minutes** over {len(timed)} pages. Students can join on their own laptops or "
            "tablets at the same address: each has their own drawing and their own training runs.")

teacher_notes(
    show="This plan on the projector for a minute, then open The models.",
    notice="Every number in the app is computed while you teach: accuracies from the 10,000 test digits, "
           "parameter counts from the networks themselves, the answers in these notes from the models.",
    questions=[("What does it mean for a computer to 'read' a digit?",
                "To turn 784 pixel brightnesses into ten probabilities, one per digit, and pick the largest."),
               ("Why test on digits the network never saw?",
                "A network can memorise its training digits; only unseen digits show whether it learned to read.")],
)
