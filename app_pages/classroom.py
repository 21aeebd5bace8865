"""Our class's digits: a teacher opens a class and projects it, students add drawings with its code on this
page, and everyone sees how the models read the class's own handwriting next to MNIST's, live."""

import streamlit as st

from mnist_core.i18n import N_, _
from ui.classroom_live import add_drawing, results
from ui.classroom_view import attempt, choose_class, class_visit, identify, leave, store, teacher_tools
from ui.present import presenting

BANNER = "<div style='font:700 {size}rem monospace;letter-spacing:.25em;line-height:1.1'>{code}</div>"
VIEWS = {"projector": N_("Projector"), "add": N_("Add a drawing")}  # the teacher's views: logic value → label
me = class_visit()

if not presenting():
    st.title(_("Our class's digits"))
    st.caption(_("Everyone draws, the models read, and we see whether they read us as well as they read MNIST. "
                 "No names are asked for or kept; a class is seen only by those with its code."))
identify()
if attempt(store) is None:  # the database cannot be reached: its one sentence is shown
    st.stop()
if me.code is None:
    choose_class()
    st.stop()

code = me.code
if attempt(lambda: store().info(code)) is None:
    st.button(_("Back"), key="class_back", on_click=leave)
    st.stop()
teacher = me.teacher is not None
banner, side = st.columns([3, 2], vertical_alignment="center")
with side:
    view = "add"
    if teacher:
        view = st.segmented_control(_("View"), list(VIEWS), default="projector", key="class_view",
                                    format_func=lambda v: _(VIEWS[v]), label_visibility="collapsed") or "projector"
        teacher_tools(code)
    st.button(_("Leave this class"), key="class_leave", on_click=leave)
projector = view == "projector"
banner.markdown(BANNER.format(code=code, size=5.5 if projector else 2.5), unsafe_allow_html=True)
if not projector:
    add_drawing(code)
results(code, projector)
